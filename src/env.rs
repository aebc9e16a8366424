//! The one place where tcup reads its environment.
//!
//! Every environment variable tcup honours is read here, once, into an [`Env`] value that is
//! passed down to the code that needs it (DESIGN.md decision 2: no library code calls
//! `std::env::var`). A variable that is set to a value tcup cannot use is an [`EnvError`] naming
//! the variable, the value and what was expected; it is never silently ignored.
//! rustup's variables keep rustup's meaning; tcup's own knobs start with `TCUP_`.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::PathBuf;

use url::Url;

/// The dist server used when `RUSTUP_DIST_SERVER` is not set (rustup's default).
pub const DEFAULT_DIST_SERVER: &str = "https://static.rust-lang.org";

/// A variable set to a value tcup cannot use. Exit code 2 (configuration error).
#[derive(Debug, thiserror::Error)]
#[error("environment variable {var}={value:?} is not valid: expected {expected}")]
pub struct EnvError {
    /// The variable's name, e.g. `RUSTUP_CONCURRENT_DOWNLOADS`.
    pub var: &'static str,
    /// The value as found in the environment.
    pub value: String,
    /// What would have been accepted.
    pub expected: &'static str,
}

/// When progress bars are drawn: rustup's `RUSTUP_TERM_PROGRESS_WHEN` (`auto`, `always`, `never`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressWhen {
    /// Bars when stderr is a terminal, plain lines otherwise.
    Auto,
    /// Bars even when stderr is not a terminal.
    Always,
    /// Never bars; plain lines.
    Never,
}

/// Everything tcup takes from its process environment.
#[derive(Debug, Clone)]
pub struct Env {
    /// `RUSTUP_HOME`, default `$HOME/.rustup`: toolchains, settings, downloads, tmp.
    pub rustup_home: PathBuf,
    /// `CARGO_HOME`, default `$HOME/.cargo`: proxies and `bin/`.
    pub cargo_home: PathBuf,
    /// `RUSTUP_DIST_SERVER`: scheme `https`, `http` or `file`; no trailing slash.
    pub dist_server: Url,
    /// `RUSTUP_CONCURRENT_DOWNLOADS`: how many components download and unpack at once (≥ 1);
    /// `None` lets tcup choose.
    pub concurrent_downloads: Option<usize>,
    /// `RUSTUP_TERM_PROGRESS_WHEN`.
    pub progress_when: ProgressWhen,
    /// Whether standard error is a terminal (decides bars vs. plain lines under `auto`).
    pub stderr_is_terminal: bool,
    /// `TCUP_HOST_ROOT`: the root whose userland host detection reads (default `/`; set it when
    /// preparing a chroot or image for another system).
    pub host_root: PathBuf,
    /// `TCUP_HOST_MACHINE`: replaces `uname -m` in host detection.
    pub host_machine: Option<String>,
}

impl Env {
    /// Reads the real process environment.
    pub fn from_process() -> Result<Env, EnvError> {
        Env::from_vars(
            std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))),
            std::io::stderr().is_terminal(),
        )
    }

    /// Builds an `Env` from explicit variables (tests use this; so does [`Env::from_process`]).
    /// `HOME` is used for the default homes.
    pub fn from_vars(vars: impl IntoIterator<Item = (String, String)>, stderr_is_terminal: bool) -> Result<Env, EnvError> {
        let vars: HashMap<String, String> = vars.into_iter().collect();
        let get = |name: &str| vars.get(name).filter(|v| !v.is_empty()).cloned();
        let home = get("HOME").map_or_else(|| PathBuf::from("/"), PathBuf::from);
        let dir = |var: &'static str, default: &str| -> Result<PathBuf, EnvError> {
            match get(var) {
                None => Ok(home.join(default)),
                Some(v) if PathBuf::from(&v).is_absolute() => Ok(PathBuf::from(v)),
                Some(v) => Err(EnvError { var, value: v, expected: "an absolute path" }),
            }
        };
        Ok(Env {
            rustup_home: dir("RUSTUP_HOME", ".rustup")?,
            cargo_home: dir("CARGO_HOME", ".cargo")?,
            dist_server: parse_dist_server(get("RUSTUP_DIST_SERVER").as_deref().unwrap_or(DEFAULT_DIST_SERVER))?,
            concurrent_downloads: get("RUSTUP_CONCURRENT_DOWNLOADS")
                .map(|v| match v.parse::<usize>() {
                    Ok(n) if n >= 1 => Ok(n),
                    _ => Err(EnvError { var: "RUSTUP_CONCURRENT_DOWNLOADS", value: v, expected: "a whole number ≥ 1" }),
                })
                .transpose()?,
            progress_when: match get("RUSTUP_TERM_PROGRESS_WHEN").as_deref() {
                None | Some("auto") => ProgressWhen::Auto,
                Some("always") => ProgressWhen::Always,
                Some("never") => ProgressWhen::Never,
                Some(v) => {
                    return Err(EnvError { var: "RUSTUP_TERM_PROGRESS_WHEN", value: v.to_owned(), expected: "auto, always or never" });
                }
            },
            stderr_is_terminal,
            host_root: match get("TCUP_HOST_ROOT") {
                None => PathBuf::from("/"),
                Some(v) if PathBuf::from(&v).is_dir() => PathBuf::from(v),
                Some(v) => return Err(EnvError { var: "TCUP_HOST_ROOT", value: v, expected: "an existing directory" }),
            },
            host_machine: get("TCUP_HOST_MACHINE"),
        })
    }
}

/// Parses a dist server URL (`RUSTUP_DIST_SERVER`): `https://`, `http://` or `file://`, with any
/// trailing slash removed so that `<dist>/dist/…` joins cleanly.
fn parse_dist_server(value: &str) -> Result<Url, EnvError> {
    let err = || EnvError { var: "RUSTUP_DIST_SERVER", value: value.to_owned(), expected: "an https://, http:// or file:// URL" };
    let url = Url::parse(value.trim_end_matches('/')).map_err(|_| err())?;
    match url.scheme() {
        "https" | "http" | "file" => Ok(url),
        _ => Err(err()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Result<Env, EnvError> {
        Env::from_vars(pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())), false)
    }

    #[test]
    fn defaults_follow_rustup() {
        let e = env(&[("HOME", "/home/u")]).unwrap();
        assert_eq!(e.rustup_home, PathBuf::from("/home/u/.rustup"));
        assert_eq!(e.cargo_home, PathBuf::from("/home/u/.cargo"));
        assert_eq!(e.dist_server.as_str(), "https://static.rust-lang.org/");
        assert_eq!(e.progress_when, ProgressWhen::Auto);
        assert_eq!(e.concurrent_downloads, None);
    }

    #[test]
    fn bad_values_name_the_variable() {
        let err = env(&[("RUSTUP_CONCURRENT_DOWNLOADS", "0")]).unwrap_err();
        assert_eq!(err.var, "RUSTUP_CONCURRENT_DOWNLOADS");
        assert!(err.to_string().contains("RUSTUP_CONCURRENT_DOWNLOADS=\"0\""), "{err}");
        assert_eq!(env(&[("RUSTUP_DIST_SERVER", "ftp://x")]).unwrap_err().var, "RUSTUP_DIST_SERVER");
        assert_eq!(env(&[("RUSTUP_HOME", "relative/dir")]).unwrap_err().var, "RUSTUP_HOME");
        assert_eq!(env(&[("RUSTUP_TERM_PROGRESS_WHEN", "sometimes")]).unwrap_err().var, "RUSTUP_TERM_PROGRESS_WHEN");
    }

    #[test]
    fn dist_server_trailing_slash_is_dropped() {
        let e = env(&[("RUSTUP_DIST_SERVER", "http://127.0.0.1:8080/mirror/")]).unwrap();
        assert_eq!(e.dist_server.as_str(), "http://127.0.0.1:8080/mirror");
    }
}
