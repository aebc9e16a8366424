//! How bytes arrive: one [`Backend`] trait with HTTP stacks behind it, chosen at run time
//! (DESIGN.md decision 3), plus `file://` for local dist servers.
//!
//! Every download in tcup goes through a [`Downloader`]: channel manifests, their `.sha256`
//! files and component archives. The install core needs one backend (`rustls`); the download
//! layer issue adds `curl`, `native-tls`, the watchdog and the fallback policy behind this same
//! interface, so callers do not change.

mod file;
pub mod hashing;
mod rustls;

use std::io::Read;
use std::time::Duration;

use url::Url;

use crate::env::Env;

/// A failed download. Every variant names the URL.
#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    /// The server answered 404, 403 or 410: the file is not on this dist server. Final: no retry.
    #[error("{url} is not on this dist server (HTTP {status})")]
    NotFound {
        /// The URL requested.
        url: String,
        /// 404, 403 or 410 (0 for a missing `file://` path).
        status: u16,
    },
    /// Any other non-success HTTP status.
    #[error("{url} answered HTTP {status}")]
    Status {
        /// The URL requested.
        url: String,
        /// The status code.
        status: u16,
    },
    /// Connecting, TLS, or reading the body failed.
    #[error("downloading {url} failed ({backend}): {message}")]
    Transport {
        /// The URL requested.
        url: String,
        /// Which backend failed.
        backend: &'static str,
        /// The backend's error and its causes, on one line.
        message: String,
    },
    /// A body larger than the caller accepts (manifests are capped).
    #[error("{url} is larger than {limit} bytes")]
    TooLarge {
        /// The URL requested.
        url: String,
        /// The cap, in bytes.
        limit: u64,
    },
    /// A URL scheme no backend handles.
    #[error("{url}: unsupported URL scheme (expected https, http or file)")]
    Scheme {
        /// The URL requested.
        url: String,
    },
}

/// An open response body: bytes arrive through `body`.
pub struct Body {
    /// The response body, read to EOF.
    pub body: Box<dyn Read + Send>,
    /// `Content-Length`, when the server sent one (bytes).
    pub len: Option<u64>,
}

/// One HTTP stack. Implementations are cheap to share across threads.
pub trait Backend: Send + Sync {
    /// Short name used in messages and the User-Agent: `rustls`, `curl`, `native-tls`.
    fn name(&self) -> &'static str;
    /// Starts a GET of `url` and returns once the status and headers arrived.
    ///
    /// # Errors
    /// [`DownloadError::NotFound`] for 404/403/410, [`DownloadError::Status`] for other
    /// non-2xx, [`DownloadError::Transport`] when no response arrived.
    fn get(&self, url: &Url) -> Result<Body, DownloadError>;
}

/// Limits every backend applies.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Time allowed to establish a connection (TCP + TLS).
    pub connect_timeout: Duration,
    /// Longest time without receiving a byte before the attempt fails.
    pub stall_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { connect_timeout: Duration::from_secs(30), stall_timeout: Duration::from_secs(30) }
    }
}

/// The `User-Agent` a backend sends: `tcup/<version> (<backend>)`.
pub fn user_agent(backend: &str) -> String {
    format!("tcup/{} ({backend})", crate::VERSION)
}

/// Fetches URLs through the configured backends.
pub struct Downloader {
    backends: Vec<Box<dyn Backend>>,
}

impl Downloader {
    /// The downloader for `env`.
    ///
    /// # Errors
    /// A backend could not be initialised (e.g. its TLS configuration failed).
    pub fn new(_env: &Env) -> Result<Downloader, DownloadError> {
        Ok(Downloader { backends: vec![Box::new(rustls::Rustls::new(Limits::default())?)] })
    }

    /// The names of the backends in the order they are tried.
    pub fn backend_names(&self) -> Vec<&'static str> {
        self.backends.iter().map(|b| b.name()).collect()
    }

    /// Opens `url` for streaming.
    ///
    /// # Errors
    /// See [`Backend::get`]; `file://` URLs give [`DownloadError::NotFound`] for a missing file.
    pub fn open(&self, url: &Url) -> Result<Body, DownloadError> {
        match url.scheme() {
            "file" => file::open(url),
            "http" | "https" => {
                let backend = self.backends.first().expect("at least one backend is configured");
                backend.get(url)
            }
            _ => Err(DownloadError::Scheme { url: url.to_string() }),
        }
    }

    /// Downloads a small file (a manifest or a `.sha256`) into memory, refusing more than `limit` bytes.
    ///
    /// # Errors
    /// As [`Downloader::open`], plus [`DownloadError::TooLarge`] and read failures as
    /// [`DownloadError::Transport`].
    pub fn get_bytes(&self, url: &Url, limit: u64) -> Result<Vec<u8>, DownloadError> {
        let body = self.open(url)?;
        let mut out = Vec::with_capacity(usize::try_from(body.len.unwrap_or(0).min(limit)).unwrap_or(0));
        body.body.take(limit + 1).read_to_end(&mut out).map_err(|e| DownloadError::Transport {
            url: url.to_string(),
            backend: self.backends[0].name(),
            message: e.to_string(),
        })?;
        if out.len() as u64 > limit {
            return Err(DownloadError::TooLarge { url: url.to_string(), limit });
        }
        Ok(out)
    }
}
