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
use std::time::Duration;

use url::Url;

/// The dist server used when `RUSTUP_DIST_SERVER` is not set (rustup's default).
pub const DEFAULT_DIST_SERVER: &str = "https://static.rust-lang.org";

/// The update root used when neither `TCUP_UPDATE_ROOT` nor `RUSTUP_UPDATE_ROOT` is set (the
/// default of `installer/init.sh`).
pub const DEFAULT_UPDATE_ROOT: &str = "https://static.tcup.rs";

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

/// The download backends tcup knows, in the default order (DESIGN.md decision 3).
pub const BACKENDS: [&str; 3] = ["rustls", "curl", "native-tls"];

/// Bounds on every download attempt (DESIGN.md decision 6).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// `TCUP_CONNECT_TIMEOUT` (default 30 s): TCP + TLS connection set-up.
    pub connect: Duration,
    /// `TCUP_STALL_TIMEOUT` (default 30 s): no body byte for this long means the attempt stalled
    /// and the next backend is started beside it.
    pub stall: Duration,
    /// `TCUP_LOW_SPEED_LIMIT` (default 10 bytes/s): slower than this, averaged over the stall
    /// window, counts as a stall.
    pub low_speed: u64,
    /// `RUSTUP_DOWNLOAD_TIMEOUT` (default 180 s): an attempt that receives nothing at all for this
    /// long is abandoned (buffering proxies legitimately hold whole files for minutes).
    pub hard: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { connect: Duration::from_secs(30), stall: Duration::from_secs(30), low_speed: 10, hard: Duration::from_mins(3) }
    }
}

/// Proxy settings, read from the usual variables (lowercase wins over uppercase, as in curl).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Proxies {
    /// `https_proxy`/`HTTPS_PROXY`: for https URLs.
    pub https: Option<String>,
    /// `http_proxy`/`HTTP_PROXY`: for http URLs.
    pub http: Option<String>,
    /// `all_proxy`/`ALL_PROXY`: for both when the specific one is unset.
    pub all: Option<String>,
    /// `no_proxy`/`NO_PROXY`: comma-separated hosts, domains (`.example.org` or `example.org`
    /// matches subdomains too), IP addresses, or `*`.
    pub no_proxy: Option<String>,
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
    /// `TCUP_UPDATE_ROOT`, else `RUSTUP_UPDATE_ROOT` (rustup's name for the same root), else
    /// [`DEFAULT_UPDATE_ROOT`]: where `dist/<triple>/tcup-init` lives. `https`, `http` or `file`.
    pub update_root: Url,
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
    /// Download backends in the order they are tried: `TCUP_BACKENDS` exactly when set, else the
    /// default order adjusted by rustup's `RUSTUP_USE_RUSTLS` and `RUSTUP_USE_CURL`.
    pub backends: Vec<&'static str>,
    /// Timeouts and the low-speed limit.
    pub limits: Limits,
    /// `RUSTUP_MAX_RETRIES` (default 3): retries per backend for transient failures.
    pub max_retries: u32,
    /// Proxies.
    pub proxies: Proxies,
    /// `SSL_CERT_FILE`: a PEM bundle of trusted roots replacing the system's.
    pub ca_file: Option<PathBuf>,
    /// `SSL_CERT_DIR`: a directory of hashed trusted roots.
    pub ca_dir: Option<PathBuf>,
    /// `RUSTUP_TOOLCHAIN`: the toolchain proxies run when no `+toolchain` is given.
    pub toolchain: Option<String>,
    /// `TCUP_INIT_YES=1`: answer yes to `tcup-init`'s questions (unattended container builds).
    pub init_yes: bool,
    /// `HOME`.
    pub home: PathBuf,
    /// `ZDOTDIR`, else `HOME`: where zsh reads `.zshenv`.
    pub zdotdir: PathBuf,
    /// Basename of `SHELL` (`bash`, `zsh`, `fish`, … or empty).
    pub shell: String,
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
            update_root: update_root(&get)?,
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
            backends: backend_order(&get)?,
            limits: Limits {
                connect: seconds(&get, "TCUP_CONNECT_TIMEOUT", 30.0)?,
                stall: seconds(&get, "TCUP_STALL_TIMEOUT", 30.0)?,
                low_speed: get("TCUP_LOW_SPEED_LIMIT")
                    .map(|v| {
                        v.parse::<u64>().map_err(|_| EnvError {
                            var: "TCUP_LOW_SPEED_LIMIT",
                            value: v,
                            expected: "a whole number of bytes per second",
                        })
                    })
                    .transpose()?
                    .unwrap_or(10),
                hard: seconds(&get, "RUSTUP_DOWNLOAD_TIMEOUT", 180.0)?,
            },
            max_retries: get("RUSTUP_MAX_RETRIES")
                .map(|v| v.parse::<u32>().map_err(|_| EnvError { var: "RUSTUP_MAX_RETRIES", value: v, expected: "a whole number ≥ 0" }))
                .transpose()?
                .unwrap_or(3),
            proxies: Proxies {
                https: proxy(&get, "https_proxy", "HTTPS_PROXY")?,
                http: proxy(&get, "http_proxy", "HTTP_PROXY")?,
                all: proxy(&get, "all_proxy", "ALL_PROXY")?,
                no_proxy: get("no_proxy").or_else(|| get("NO_PROXY")),
            },
            ca_file: get("SSL_CERT_FILE").map(PathBuf::from),
            ca_dir: get("SSL_CERT_DIR").map(PathBuf::from),
            toolchain: get("RUSTUP_TOOLCHAIN"),
            init_yes: match get("TCUP_INIT_YES").as_deref() {
                None | Some("0") => false,
                Some("1") => true,
                Some(v) => return Err(EnvError { var: "TCUP_INIT_YES", value: v.to_owned(), expected: "0 or 1" }),
            },
            zdotdir: get("ZDOTDIR").map_or_else(|| home.clone(), PathBuf::from),
            shell: get("SHELL").map(|s| s.rsplit('/').next().unwrap_or("").to_owned()).unwrap_or_default(),
            home,
        })
    }
}

/// Checks a backend list (`TCUP_BACKENDS`, `--backends`): comma-separated names from [`BACKENDS`],
/// at least one, each once. `what` names the source in the error.
///
/// # Errors
/// An unknown name, a repeated name, or an empty list.
pub fn parse_backends(list: &str, what: &'static str) -> Result<Vec<&'static str>, EnvError> {
    let err = || EnvError { var: what, value: list.to_owned(), expected: "a comma-separated list of rustls, curl, native-tls" };
    let mut out = Vec::new();
    for name in list.split(',').map(str::trim) {
        let known = BACKENDS.iter().find(|b| **b == name).ok_or_else(err)?;
        if out.contains(known) {
            return Err(err());
        }
        out.push(*known);
    }
    if out.is_empty() { Err(err()) } else { Ok(out) }
}

fn backend_order(get: &impl Fn(&str) -> Option<String>) -> Result<Vec<&'static str>, EnvError> {
    if let Some(list) = get("TCUP_BACKENDS") {
        return parse_backends(&list, "TCUP_BACKENDS");
    }
    let flag = |var: &'static str| match get(var).as_deref() {
        None => Ok(None),
        Some("1") => Ok(Some(true)),
        Some("0") => Ok(Some(false)),
        Some(v) => Err(EnvError { var, value: v.to_owned(), expected: "0 or 1" }),
    };
    let mut order = BACKENDS.to_vec();
    let to_front = |order: &mut Vec<&'static str>, name: &str| {
        let i = order.iter().position(|b| *b == name).expect("known backend");
        let b = order.remove(i);
        order.insert(0, b);
    };
    match flag("RUSTUP_USE_RUSTLS")? {
        Some(true) => to_front(&mut order, "rustls"),
        Some(false) => to_front(&mut order, "native-tls"),
        None => {}
    }
    if flag("RUSTUP_USE_CURL")? == Some(true) {
        to_front(&mut order, "curl");
    }
    Ok(order)
}

fn seconds(get: &impl Fn(&str) -> Option<String>, var: &'static str, default: f64) -> Result<Duration, EnvError> {
    let value = get(var);
    let secs = match &value {
        None => default,
        Some(v) => v.parse::<f64>().ok().filter(|s| s.is_finite() && *s > 0.0).ok_or_else(|| EnvError {
            var,
            value: v.clone(),
            expected: "a number of seconds greater than 0",
        })?,
    };
    Ok(Duration::from_secs_f64(secs))
}

fn proxy(get: &impl Fn(&str) -> Option<String>, lower: &'static str, upper: &'static str) -> Result<Option<String>, EnvError> {
    let (var, value) = match (get(lower), get(upper)) {
        (Some(v), _) => (lower, v),
        (None, Some(v)) => (upper, v),
        (None, None) => return Ok(None),
    };
    let with_scheme = if value.contains("://") { value.clone() } else { format!("http://{value}") };
    match url::Url::parse(&with_scheme) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Ok(Some(with_scheme)),
        _ => Err(EnvError { var, value, expected: "a proxy URL like http://proxy.example:3128" }),
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

/// `TCUP_UPDATE_ROOT` > `RUSTUP_UPDATE_ROOT` > [`DEFAULT_UPDATE_ROOT`], checked like the dist server.
fn update_root(get: &impl Fn(&str) -> Option<String>) -> Result<Url, EnvError> {
    let (var, value) = match (get("TCUP_UPDATE_ROOT"), get("RUSTUP_UPDATE_ROOT")) {
        (Some(v), _) => ("TCUP_UPDATE_ROOT", v),
        (None, Some(v)) => ("RUSTUP_UPDATE_ROOT", v),
        (None, None) => ("TCUP_UPDATE_ROOT", DEFAULT_UPDATE_ROOT.to_owned()),
    };
    parse_dist_server(&value).map_err(|e| EnvError { var, ..e })
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
    fn update_root_tcup_wins_over_rustup() {
        assert_eq!(env(&[]).unwrap().update_root.as_str(), "https://static.tcup.rs/");
        assert_eq!(env(&[("RUSTUP_UPDATE_ROOT", "http://127.0.0.1:9/r/")]).unwrap().update_root.as_str(), "http://127.0.0.1:9/r");
        let both = env(&[("RUSTUP_UPDATE_ROOT", "http://a/"), ("TCUP_UPDATE_ROOT", "https://b")]).unwrap();
        assert_eq!(both.update_root.as_str(), "https://b/");
        let bad = env(&[("RUSTUP_UPDATE_ROOT", "ftp://x")]).unwrap_err();
        assert_eq!(bad.var, "RUSTUP_UPDATE_ROOT");
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
    fn backend_order_follows_rustup_then_tcup() {
        assert_eq!(env(&[]).unwrap().backends, ["rustls", "curl", "native-tls"]);
        assert_eq!(env(&[("RUSTUP_USE_CURL", "1")]).unwrap().backends, ["curl", "rustls", "native-tls"]);
        assert_eq!(env(&[("RUSTUP_USE_RUSTLS", "0")]).unwrap().backends, ["native-tls", "rustls", "curl"]);
        assert_eq!(env(&[("RUSTUP_USE_RUSTLS", "1"), ("RUSTUP_USE_CURL", "0")]).unwrap().backends, ["rustls", "curl", "native-tls"]);
        let exact = env(&[("TCUP_BACKENDS", "curl,native-tls"), ("RUSTUP_USE_RUSTLS", "1")]).unwrap();
        assert_eq!(exact.backends, ["curl", "native-tls"], "TCUP_BACKENDS wins over the RUSTUP_ variables");
        for bad in ["", "curl,wget", "curl,curl", ","] {
            let e = parse_backends(bad, "TCUP_BACKENDS").unwrap_err();
            assert!(e.to_string().contains("rustls, curl, native-tls"), "{e}");
        }
        assert_eq!(env(&[("RUSTUP_USE_CURL", "yes")]).unwrap_err().var, "RUSTUP_USE_CURL");
    }

    #[test]
    fn limits_and_proxies() {
        let e = env(&[
            ("TCUP_STALL_TIMEOUT", "2"),
            ("RUSTUP_DOWNLOAD_TIMEOUT", "0.5"),
            ("https_proxy", "proxy.local:3128"),
            ("NO_PROXY", "localhost"),
        ])
        .unwrap();
        assert_eq!(e.limits.stall, Duration::from_secs(2));
        assert_eq!(e.limits.hard, Duration::from_millis(500));
        assert_eq!(e.limits.connect, Duration::from_secs(30));
        assert_eq!(e.proxies.https.as_deref(), Some("http://proxy.local:3128"));
        assert_eq!(e.proxies.no_proxy.as_deref(), Some("localhost"));
        assert_eq!(env(&[("TCUP_STALL_TIMEOUT", "-1")]).unwrap_err().var, "TCUP_STALL_TIMEOUT");
        assert_eq!(env(&[("TCUP_CONNECT_TIMEOUT", "soon")]).unwrap_err().var, "TCUP_CONNECT_TIMEOUT");
        assert_eq!(env(&[("HTTP_PROXY", "ftp://x")]).unwrap_err().var, "HTTP_PROXY");
        assert_eq!(env(&[("RUSTUP_MAX_RETRIES", "many")]).unwrap_err().var, "RUSTUP_MAX_RETRIES");
    }

    #[test]
    fn dist_server_trailing_slash_is_dropped() {
        let e = env(&[("RUSTUP_DIST_SERVER", "http://127.0.0.1:8080/mirror/")]).unwrap();
        assert_eq!(e.dist_server.as_str(), "http://127.0.0.1:8080/mirror");
    }
}
