//! The download layer's part of the environment (docs/design.md tcup-1, download-1, download-6, download-10): which backends
//! in which order, the bounds on every attempt, retries, HTTP proxies and the trusted CA, read
//! from their variables once, like every other variable in [`super`].

use std::path::PathBuf;
use std::time::Duration;

use super::value::{EnvError, existing, parse_dist_server, seconds};

/// The dist server used when `RUSTUP_DIST_SERVER` is not set (rustup's default).
pub const DEFAULT_DIST_SERVER: &str = "https://static.rust-lang.org";

/// One download backend (docs/design.md download-1): all three are compiled into every build and
/// chosen at run time by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BackendKind {
    /// `rustls`: reqwest + rustls.
    Rustls,
    /// `curl`: libcurl (over OpenSSL on Linux, Schannel on Windows; the system's on macOS).
    Curl,
    /// `native-tls`: reqwest + native-tls (OpenSSL on Linux, Schannel on Windows,
    /// Security.framework on macOS).
    NativeTls,
}

impl BackendKind {
    /// Every backend, in the default order.
    pub const ALL: [BackendKind; 3] = [BackendKind::Rustls, BackendKind::Curl, BackendKind::NativeTls];

    /// The name used in `TCUP_BACKENDS`, `--backends`, the User-Agent and messages.
    pub fn name(self) -> &'static str {
        match self {
            BackendKind::Rustls => "rustls",
            BackendKind::Curl => "curl",
            BackendKind::NativeTls => "native-tls",
        }
    }
}

impl std::fmt::Display for BackendKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for BackendKind {
    type Err = ();

    /// `rustls`, `curl` or `native-tls`.
    fn from_str(s: &str) -> Result<BackendKind, ()> {
        BackendKind::ALL.into_iter().find(|b| b.name() == s).ok_or(())
    }
}

/// What the download layer takes from the environment, and nothing else: which backends in
/// which order, the bounds on every attempt, retries, proxies and the trusted CA.
#[derive(Debug, Clone)]
pub struct DownloadConfig {
    /// The dist servers, in the order tried: `TCUP_DIST_SERVERS` (comma-separated) when set,
    /// else `RUSTUP_DIST_SERVER` alone, else rustup's default. At least one; no trailing slash.
    /// A file on one of them is the same file on all (docs/design.md download-13).
    pub servers: Vec<url::Url>,
    /// Download backends in the order they are tried: `TCUP_BACKENDS` exactly when set, else the
    /// default order adjusted by rustup's `RUSTUP_USE_RUSTLS` and `RUSTUP_USE_CURL`.
    pub backends: Vec<BackendKind>,
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
    /// `TCUP_OFFLINE=1` (or the global `--offline`): no network at all. The downloader refuses
    /// every URL that is not `file://` ([`crate::download::DownloadError::Offline`]);
    /// installs read `tcup fetch`'s stored manifests and `downloads/` (docs/offline.md).
    pub offline: bool,
}

impl DownloadConfig {
    /// The same configuration with `backend` alone and no retries (`tcup doctor`'s probes).
    #[must_use]
    pub fn only(&self, backend: BackendKind) -> DownloadConfig {
        DownloadConfig { backends: vec![backend], max_retries: 0, ..self.clone() }
    }
}

/// Bounds on every download attempt (docs/design.md download-6).
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
    /// `RUSTUP_DOWNLOAD_TIMEOUT` (default 180 s): an attempt that goes this long without a stall
    /// window at the low-speed limit (before its first byte: without any answer) is abandoned.
    /// Buffering proxies legitimately hold whole files for minutes; slow bytes do not renew it.
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

/// The watchdog's limits: `TCUP_CONNECT_TIMEOUT`, `TCUP_STALL_TIMEOUT` (seconds, default 30
/// each), `TCUP_LOW_SPEED_LIMIT` (bytes/s, default 10), `RUSTUP_DOWNLOAD_TIMEOUT` (seconds, 180).
pub(super) fn limits(get: &impl Fn(&str) -> Option<String>) -> Result<Limits, EnvError> {
    Ok(Limits {
        connect: seconds(get, "TCUP_CONNECT_TIMEOUT", 30.0)?,
        stall: seconds(get, "TCUP_STALL_TIMEOUT", 30.0)?,
        low_speed: get("TCUP_LOW_SPEED_LIMIT")
            .map(|v| {
                v.parse::<u64>().map_err(|_| EnvError {
                    var: "TCUP_LOW_SPEED_LIMIT".into(),
                    value: v,
                    expected: "a whole number of bytes per second",
                })
            })
            .transpose()?
            .unwrap_or(10),
        hard: seconds(get, "RUSTUP_DOWNLOAD_TIMEOUT", 180.0)?,
    })
}

/// The download settings: backends, bounds, retries, proxies, the trusted CA.
pub(super) fn download_config(get: &impl Fn(&str) -> Option<String>) -> Result<DownloadConfig, EnvError> {
    Ok(DownloadConfig {
        servers: dist_servers(get)?,
        backends: backend_order(&get)?,
        limits: limits(&get)?,
        max_retries: get("RUSTUP_MAX_RETRIES")
            .map(|v| {
                v.parse::<u32>().map_err(|_| EnvError { var: "RUSTUP_MAX_RETRIES".into(), value: v, expected: "a whole number ≥ 0" })
            })
            .transpose()?
            .unwrap_or(3),
        proxies: Proxies {
            https: proxy(&get, "https_proxy", "HTTPS_PROXY")?,
            http: proxy(&get, "http_proxy", "HTTP_PROXY")?,
            all: proxy(&get, "all_proxy", "ALL_PROXY")?,
            no_proxy: get("no_proxy").or_else(|| get("NO_PROXY")),
        },
        ca_file: existing(&get, "SSL_CERT_FILE", false)?,
        ca_dir: existing(&get, "SSL_CERT_DIR", true)?,
        offline: super::value::one_of(get, "TCUP_OFFLINE", false, &[("0", false), ("1", true)], "0 or 1")?,
    })
}

/// `TCUP_DIST_SERVERS` (a comma-separated list of dist server URLs, each once), else
/// `RUSTUP_DIST_SERVER`, else [`DEFAULT_DIST_SERVER`].
fn dist_servers(get: &impl Fn(&str) -> Option<String>) -> Result<Vec<url::Url>, EnvError> {
    let Some(list) = get("TCUP_DIST_SERVERS") else {
        let one = get("RUSTUP_DIST_SERVER").unwrap_or_else(|| DEFAULT_DIST_SERVER.to_owned());
        return Ok(vec![parse_dist_server(&one)?]);
    };
    let err = || EnvError {
        var: "TCUP_DIST_SERVERS".into(),
        value: list.clone(),
        expected: "a comma-separated list of https://, http:// or file:// URLs, each once",
    };
    let mut out: Vec<url::Url> = Vec::new();
    for item in list.split(',').map(str::trim) {
        let url = parse_dist_server(item).map_err(|_| err())?;
        if out.contains(&url) {
            return Err(err());
        }
        out.push(url);
    }
    if out.is_empty() { Err(err()) } else { Ok(out) }
}

/// Checks a backend list (`TCUP_BACKENDS`, `--backends`): comma-separated [`BackendKind`] names,
/// at least one, each once. `what` names the source in the error.
///
/// # Errors
/// An unknown name, a repeated name, or an empty list.
pub fn parse_backends(list: &str, what: &'static str) -> Result<Vec<BackendKind>, EnvError> {
    let err = || EnvError { var: what.into(), value: list.to_owned(), expected: "a comma-separated list of rustls, curl, native-tls" };
    let mut out = Vec::new();
    for name in list.split(',').map(str::trim) {
        let known: BackendKind = name.parse().map_err(|()| err())?;
        if out.contains(&known) {
            return Err(err());
        }
        out.push(known);
    }
    if out.is_empty() { Err(err()) } else { Ok(out) }
}

fn backend_order(get: &impl Fn(&str) -> Option<String>) -> Result<Vec<BackendKind>, EnvError> {
    if let Some(list) = get("TCUP_BACKENDS") {
        return parse_backends(&list, "TCUP_BACKENDS");
    }
    let flag = |var: &'static str| match get(var).as_deref() {
        None => Ok(None),
        Some("1") => Ok(Some(true)),
        Some("0") => Ok(Some(false)),
        Some(v) => Err(EnvError { var: var.into(), value: v.to_owned(), expected: "0 or 1" }),
    };
    let mut order = BackendKind::ALL.to_vec();
    let to_front = |order: &mut Vec<BackendKind>, b: BackendKind| {
        order.retain(|o| *o != b);
        order.insert(0, b);
    };
    match flag("RUSTUP_USE_RUSTLS")? {
        Some(true) => to_front(&mut order, BackendKind::Rustls),
        Some(false) => to_front(&mut order, BackendKind::NativeTls),
        None => {}
    }
    if flag("RUSTUP_USE_CURL")? == Some(true) {
        to_front(&mut order, BackendKind::Curl);
    }
    Ok(order)
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
        _ => Err(EnvError { var: var.into(), value, expected: "a proxy URL like http://proxy.example:3128" }),
    }
}
