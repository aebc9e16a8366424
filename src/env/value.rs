//! One variable's value: the checks every part of the environment shares (a whole number, seconds,
//! one of a few words, an existing path, a dist server URL), and the [`EnvError`] that names the
//! variable, the value and what was expected when a value fails them.

use std::path::PathBuf;
use std::time::Duration;

use url::Url;

use super::redact;

/// A variable set to a value tcup cannot use. Exit code 2 (configuration error).
/// Its message shows the value with any credentials masked ([`redact::value`]).
#[derive(Debug, thiserror::Error)]
#[error("environment variable {var}={:?} is not valid: expected {expected}", redact::value(value))]
pub struct EnvError {
    /// The variable's name, e.g. `RUSTUP_CONCURRENT_DOWNLOADS` (owned only for names found at run
    /// time, such as an unknown `RUSTUP_*` variable that is not UTF-8).
    pub var: std::borrow::Cow<'static, str>,
    /// The value as found in the environment.
    pub value: String,
    /// What would have been accepted.
    pub expected: &'static str,
}

// A bad variable is configuration: exit 2.
crate::error::exit_code!(EnvError, |_| crate::error::EXIT_USAGE);

/// The value of a variable that takes one of a few words: `default` when unset or empty, the
/// matching value from `choices`, or an error naming `var` and saying `expected`.
pub(super) fn one_of<T: Copy>(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: T,
    choices: &[(&str, T)],
    expected: &'static str,
) -> Result<T, EnvError> {
    match get(var) {
        None => Ok(default),
        Some(v) => choices.iter().find(|(word, _)| *word == v).map(|(_, t)| *t).ok_or(EnvError { var: var.into(), value: v, expected }),
    }
}

/// Most seconds a timeout variable accepts (about 11.6 days): larger values overflow clocks.
pub const MAX_SECONDS: f64 = 1_000_000.0;
/// A whole number ≥ `min` from `var`, when set.
pub(super) fn whole(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    min: usize,
    expected: &'static str,
) -> Result<Option<usize>, EnvError> {
    get(var)
        .map(|v| match v.parse::<usize>() {
            Ok(n) if n >= min => Ok(n),
            _ => Err(EnvError { var: var.into(), value: v, expected }),
        })
        .transpose()
}

pub(super) fn seconds(get: &impl Fn(&str) -> Option<String>, var: &'static str, default: f64) -> Result<Duration, EnvError> {
    let value = get(var);
    let secs = match &value {
        None => default,
        Some(v) => v.parse::<f64>().ok().filter(|s| s.is_finite() && *s > 0.0 && *s <= MAX_SECONDS).ok_or_else(|| EnvError {
            var: var.into(),
            value: v.clone(),
            expected: "a number of seconds greater than 0 and at most 1000000",
        })?,
    };
    Ok(Duration::from_secs_f64(secs))
}

/// `SSL_CERT_FILE` (a file) or `SSL_CERT_DIR` (a directory): checked once here, so that a path to
/// nothing is a configuration error naming the variable rather than "unknown issuer" later.
pub(super) fn existing(get: &impl Fn(&str) -> Option<String>, var: &'static str, dir: bool) -> Result<Option<PathBuf>, EnvError> {
    let Some(v) = get(var) else { return Ok(None) };
    let p = PathBuf::from(&v);
    let ok = if dir { p.is_dir() } else { p.is_file() };
    if ok {
        Ok(Some(p))
    } else {
        Err(EnvError {
            var: var.into(),
            value: v,
            expected: if dir { "an existing directory of certificates" } else { "an existing PEM file of certificates" },
        })
    }
}

/// Parses a dist server URL (`RUSTUP_DIST_SERVER`): `https://`, `http://` or `file://`, with any
/// trailing slash removed so that `<dist>/dist/…` joins cleanly.
pub(super) fn parse_dist_server(value: &str) -> Result<Url, EnvError> {
    let err = || EnvError { var: "RUSTUP_DIST_SERVER".into(), value: value.to_owned(), expected: "an https://, http:// or file:// URL" };
    let url = Url::parse(value.trim_end_matches('/')).map_err(|_| err())?;
    match url.scheme() {
        "https" | "http" | "file" => Ok(url),
        _ => Err(err()),
    }
}
