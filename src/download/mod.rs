//! How bytes arrive: three HTTP stacks behind one [`Backend`] trait, all compiled into every build
//! and chosen at run time (docs/design.md download-1), with a watchdog that does not depend on their
//! cooperation (docs/design.md download-6), hedged fallback between them, retries and resume.
//!
//! Every download in tcup goes through a [`Downloader`]: channel manifests, their `.sha256` files,
//! component archives. A backend only performs one GET (with an optional `Range`) and pushes the
//! status, headers and body chunks into a [`Sink`]; it follows no redirects and keeps no policy.
//! Everything else — redirects (at most 10, never https→http), timeouts, stalls, retries, falling
//! back, resuming — is decided in [`transfer`], identically for all backends.
//! `file://` URLs are read directly.
//!
//! Offline (`TCUP_OFFLINE=1`, `--offline`: [`crate::env::DownloadConfig::offline`]), every URL
//! that is not `file://` is refused with [`DownloadError::Offline`] in
//! [`Downloader::open_avoiding`], the one door every download (manifests, signatures, archives,
//! samples, `self update`, `doctor`) passes, before any name is resolved or socket opened; the
//! driver ([`transfer`]) checks again.

mod backends;
pub mod dns;
mod file;
pub mod hashing;
pub mod http_proxy;
pub mod policy;
pub mod resume;
mod schedule;
mod transfer;

use std::collections::HashMap;
use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use url::Url;

use crate::env::{DownloadConfig, Limits};
use crate::progress::Reporter;
pub use policy::Kind;

/// `<base>/<rel>`, keeping any path prefix the base has (`http://h/mirror` + `dist/x` →
/// `http://h/mirror/dist/x`): a file on a dist server or update root. Re-exported as
/// `dist::server::join`.
pub fn join(base: &Url, rel: &str) -> Url {
    let base = base.as_str().trim_end_matches('/');
    Url::parse(&format!("{base}/{}", rel.trim_start_matches('/'))).expect("a valid base URL joined with a relative path is valid")
}

/// A failed download. Every variant names the URL.
#[derive(Debug, Clone, thiserror::Error)]
pub enum DownloadError {
    /// The server answered 404, 403 or 410: the file is not on this dist server. Final: no retry.
    #[error("{url} is not on this dist server (HTTP {status})")]
    NotFound {
        /// The URL requested.
        url: String,
        /// 404, 403 or 410 (0 for a missing `file://` path).
        status: u16,
    },
    /// Every backend was tried and the last failure was this one.
    #[error("downloading {url} failed ({backend}): {message}")]
    Failed {
        /// The URL requested.
        url: String,
        /// The backend of the last attempt.
        backend: &'static str,
        /// What went wrong, on one line.
        message: String,
        /// Its classification.
        kind: Kind,
    },
    /// The last connection ran into its hard deadline (nothing received, or below the low-speed
    /// limit) with no backend or retry left.
    #[error("downloading {url} failed: all backends stalled ({detail})")]
    AllStalled {
        /// The URL requested.
        url: String,
        /// Every connection tried and how it ended, `; `-separated.
        detail: String,
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
    /// tcup is offline (`--offline`, `TCUP_OFFLINE=1`) and the URL is not `file://`: nothing was
    /// sent. Final: no retry, no other server.
    #[error("{url}: not downloaded, tcup is offline (--offline or TCUP_OFFLINE=1 allows only file:// URLs)")]
    Offline {
        /// The URL refused.
        url: String,
    },
    /// A backend could not be set up.
    #[error("cannot initialise the {backend} backend: {message}")]
    Init {
        /// Backend name.
        backend: &'static str,
        /// Why.
        message: String,
    },
}

impl DownloadError {
    /// Whether the answer was "not here" (HTTP 404, 403, 410, or a missing `file://` path), as
    /// opposed to a failure to ask.
    pub fn is_not_found(&self) -> bool {
        match self {
            DownloadError::NotFound { .. } => true,
            DownloadError::Failed { kind: Kind::Status(s), .. } => policy::is_not_found(*s),
            _ => false,
        }
    }
}

/// How a body arrived, for a measure of the link ([`Downloader::get_bytes_timed`]): its second
/// half, counted from the first read's return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyTiming {
    /// Bytes in the timed part (about half of those after the first read).
    pub bytes: u64,
    /// How long the timed part took, to the last byte.
    pub elapsed: Duration,
}

/// One GET as a backend performs it.
#[derive(Debug, Clone)]
pub struct Request {
    /// The URL (redirects are followed by the caller, not the backend).
    pub url: Url,
    /// Start offset: sends `Range: bytes=<offset>-` when non-zero.
    pub offset: u64,
    /// `If-Range` validator (an ETag or Last-Modified value) to send with the range.
    pub if_range: Option<String>,
    /// Proxy URL to go through, or `None` for a direct connection.
    pub proxy: Option<String>,
}

/// Status and the headers tcup uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Head {
    /// HTTP status.
    pub status: u16,
    /// `Content-Length` (bytes).
    pub len: Option<u64>,
    /// `ETag`, else `Last-Modified`: the validator for a later `If-Range`.
    pub validator: Option<String>,
    /// `Retry-After`, when given in seconds.
    pub retry_after: Option<Duration>,
    /// `Location` of a redirect.
    pub location: Option<String>,
}

/// Where a backend delivers a response. Both methods return `false` when the transfer no longer
/// wants the bytes (the attempt was abandoned): the backend must stop and return
/// [`AttemptError`] of kind [`Kind::Other`] (its message is never shown).
pub trait Sink {
    /// The status line and headers arrived.
    fn head(&mut self, head: Head) -> bool;
    /// Body bytes arrived.
    fn data(&mut self, chunk: &[u8]) -> bool;
}

/// Why one attempt failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptError {
    /// Classification for the retry policy.
    pub kind: Kind,
    /// The backend's own message and causes, on one line.
    pub message: String,
}

/// One HTTP stack. Shared across threads; each call is one attempt on the calling thread.
pub trait Backend: Send + Sync {
    /// `rustls`, `curl` or `native-tls`; also in the User-Agent.
    fn name(&self) -> &'static str;
    /// Performs `req`, delivering into `sink`. Returns when the body ended or failed. Must not
    /// follow redirects (report them through [`Sink::head`] with their `Location`).
    ///
    /// # Errors
    /// [`AttemptError`] classifying the failure.
    fn fetch(&self, req: &Request, sink: &mut dyn Sink) -> Result<(), AttemptError>;
}

/// The `User-Agent` a backend sends: `tcup/<version> (<backend>)`.
pub fn user_agent(backend: &str) -> String {
    format!("tcup/{} ({backend})", crate::VERSION)
}

/// An open response body.
pub struct Body<'a> {
    /// The bytes, read to EOF.
    pub body: Box<dyn Read + Send + 'a>,
    /// Total length when known (bytes, counted from the requested offset).
    pub len: Option<u64>,
    /// The validator for resuming later (`ETag` or `Last-Modified`).
    pub validator: Option<String>,
    /// The offset of the first byte delivered: the requested offset, or 0 when the server
    /// ignored the range (answered 200) — the caller then starts over.
    pub start: u64,
    /// The configured dist servers whose bytes this body delivered, filled in as it is read.
    pub from: Delivered,
}

/// The dist servers (indices into the downloader's configured list, `TCUP_DIST_SERVERS` order)
/// that delivered bytes of one body. Bytes that fail their checksum are not asked of those
/// servers again ([`Downloader::open_avoiding`]): another request will not fix them.
#[derive(Debug, Clone, Default)]
pub struct Delivered(Arc<Mutex<Vec<usize>>>);

impl Delivered {
    fn add(&self, server: usize) {
        let mut v = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if !v.contains(&server) {
            v.push(server);
        }
    }

    /// The servers, in the order they first delivered; empty for bytes from no configured
    /// server (a URL elsewhere, the download cache).
    pub fn servers(&self) -> Vec<usize> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }
}

/// Fetches URLs through the configured backends with the watchdog and fallback policy.
pub struct Downloader {
    backends: Vec<Arc<dyn Backend>>,
    limits: Limits,
    retries: u32,
    proxies: crate::env::Proxies,
    /// The dist servers (`TCUP_DIST_SERVERS`, else `RUSTUP_DIST_SERVER` alone), as configured.
    servers: Vec<Url>,
    /// Indices into `servers` in the order to try them (demoted servers move to the back), and
    /// which were demoted.
    rank: Mutex<(Vec<usize>, Vec<bool>)>,
    /// Host → index of the backend that last delivered after another one was abandoned.
    preferred: Mutex<HashMap<String, usize>>,
    /// Offline: only `file://` URLs are opened ([`DownloadError::Offline`]).
    offline: bool,
}

impl Downloader {
    /// The downloader for `config` (an [`crate::env::Env`]'s `download`): its backends in
    /// order, limits, retries and proxies.
    ///
    /// Backends are built on their first attempt (a backend that cannot be built fails its
    /// attempts, and the next one takes over).
    ///
    /// # Errors
    /// [`DownloadError::Init`] for an `SSL_CERT_FILE` that cannot be read or holds no certificate.
    pub fn new(config: &DownloadConfig) -> Result<Downloader, DownloadError> {
        let resolver = Arc::new(dns::Resolver::system(config.limits.connect));
        let backends = backends::make_all(config, &resolver)?;
        Ok(Downloader {
            backends,
            limits: config.limits,
            retries: config.max_retries,
            proxies: config.proxies.clone(),
            servers: config.servers.clone(),
            rank: Mutex::new(((0..config.servers.len()).collect(), vec![false; config.servers.len()])),
            preferred: Mutex::default(),
            offline: config.offline,
        })
    }

    /// Whether this downloader is offline (only `file://` URLs).
    pub fn is_offline(&self) -> bool {
        self.offline
    }

    /// The names of the backends in the order they are tried.
    pub fn backend_names(&self) -> Vec<&'static str> {
        self.backends.iter().map(|b| b.name()).collect()
    }

    /// Opens `url` for streaming, starting at byte `offset` (with `if_range` as the validator when
    /// resuming). The body delivers bytes from `offset` on, whatever the server does with the range.
    ///
    /// A URL on one of the configured dist servers is the same file on each of them: with
    /// several http(s) servers they are sources of one transfer ([`transfer`]); with a `file://`
    /// server among them each is opened in turn until one answers.
    ///
    /// # Errors
    /// [`DownloadError`]; failures after the body started are returned by its reads as
    /// `io::Error`s wrapping a [`DownloadError`].
    pub fn open<'a>(&'a self, url: &Url, offset: u64, if_range: Option<&str>, reporter: &'a Reporter) -> Result<Body<'a>, DownloadError> {
        self.open_avoiding(url, offset, if_range, &[], reporter)
    }

    /// [`Downloader::open`] on every configured dist server but those in `avoid` (indices, as in
    /// [`Delivered`]): the servers whose bytes already failed their checksum.
    ///
    /// # Errors
    /// As [`Downloader::open`]; [`DownloadError::Failed`] when `avoid` leaves no server
    /// ([`Downloader::serves_elsewhere`] says so beforehand); [`DownloadError::Offline`] when tcup
    /// is offline and no source is a `file://` URL (offline, only the `file://` ones are tried).
    pub fn open_avoiding<'a>(
        &'a self,
        url: &Url,
        offset: u64,
        if_range: Option<&str>,
        avoid: &[usize],
        reporter: &'a Reporter,
    ) -> Result<Body<'a>, DownloadError> {
        let mut sources: Vec<_> = self.sources_for(url).into_iter().filter(|(id, ..)| id.is_none_or(|i| !avoid.contains(&i))).collect();
        if self.offline {
            sources.retain(|(_, u, _)| u.scheme() == "file");
            if sources.is_empty() {
                return Err(DownloadError::Offline { url: url.to_string() });
            }
        }
        if sources.is_empty() {
            let message = "no other dist server is configured (TCUP_DIST_SERVERS)".to_owned();
            return Err(DownloadError::Failed { url: url.to_string(), backend: "tcup", message, kind: Kind::Other });
        }
        if sources.iter().all(|(_, u, _)| matches!(u.scheme(), "http" | "https")) {
            return transfer::open(self, sources, offset, if_range, reporter);
        }
        let mut last = None;
        for (id, u, demoted) in sources {
            let opened = match u.scheme() {
                "file" => file::open(&u, offset).inspect(|body| {
                    if let Some(i) = id {
                        body.from.add(i);
                    }
                }),
                "http" | "https" => transfer::open(self, vec![(id, u, demoted)], offset, if_range, reporter),
                _ => Err(DownloadError::Scheme { url: u.to_string() }),
            };
            match opened {
                Ok(body) => return Ok(body),
                Err(e) => last = Some(e),
            }
        }
        Err(last.expect("at least one source"))
    }

    /// Whether `url` is on a configured dist server that is not in `avoid`.
    pub fn serves_elsewhere(&self, url: &Url, avoid: &[usize]) -> bool {
        self.sources_for(url).iter().any(|(id, ..)| id.is_some_and(|i| !avoid.contains(&i)))
    }

    /// The same file on every configured dist server, in the current order, each with its index
    /// in `servers` and whether it was demoted; just `url` when it is on none of them.
    fn sources_for(&self, url: &Url) -> Vec<(Option<usize>, Url, bool)> {
        let s = url.as_str();
        let rest = |base: &Url| {
            let b = base.as_str().trim_end_matches('/');
            s.strip_prefix(b).filter(|r| r.is_empty() || r.starts_with('/'))
        };
        let Some(rel) = self.servers.iter().find_map(rest) else {
            return vec![(None, url.clone(), false)];
        };
        let (rank, demoted) = self.rank.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        rank.into_iter().map(|i| (Some(i), join(&self.servers[i], rel), demoted[i])).collect()
    }

    /// Server `i` stalled or failed: every later transfer tries it last.
    fn demote(&self, i: usize) {
        let mut guard = self.rank.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (rank, demoted) = &mut *guard;
        if rank.len() > 1 {
            demoted[i] = true;
            rank.retain(|&r| r != i);
            rank.push(i);
        }
    }

    /// Downloads a small file (a manifest or a `.sha256`) into memory, refusing more than `limit` bytes.
    ///
    /// # Errors
    /// As [`Downloader::open`], plus [`DownloadError::TooLarge`].
    pub fn get_bytes(&self, url: &Url, limit: u64, reporter: &Reporter) -> Result<Vec<u8>, DownloadError> {
        self.get_bytes_timed(url, limit, reporter).map(|(bytes, _)| bytes)
    }

    /// [`Downloader::get_bytes`], also timing the body: the second half of the bytes that arrived
    /// after the first read returned, and how long they took. The wait for the first byte
    /// (connection, TLS, the server's or a CDN's time to answer) and the ramp of TCP's slow start
    /// are left out: they measure latency, not the link.
    ///
    /// # Errors
    /// As [`Downloader::get_bytes`].
    pub fn get_bytes_timed(&self, url: &Url, limit: u64, reporter: &Reporter) -> Result<(Vec<u8>, BodyTiming), DownloadError> {
        let body = self.open(url, 0, None, reporter)?;
        let mut out = Vec::with_capacity(usize::try_from(body.len.unwrap_or(0).min(limit)).unwrap_or(0));
        let timing = timed_read(body.body.take(limit + 1), Some(&mut out), url)?;
        if out.len() as u64 > limit {
            return Err(DownloadError::TooLarge { url: url.to_string(), limit });
        }
        Ok((out, timing))
    }

    /// Reads the first `bytes` bytes of `url` (fewer if it is shorter) and drops the rest of the
    /// transfer: a sample of the link on the path the archives take ([`BodyTiming`], timed as by
    /// [`Downloader::get_bytes_timed`]).
    ///
    /// # Errors
    /// As [`Downloader::open`].
    pub fn sample(&self, url: &Url, bytes: u64, reporter: &Reporter) -> Result<BodyTiming, DownloadError> {
        let body = self.open(url, 0, None, reporter)?;
        timed_read(body.body.take(bytes), None, url)
    }

    /// Backend indices in the order to try for `url`: the one that worked last time for this host
    /// first, then the configured order.
    fn order_for(&self, url: &Url) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.backends.len()).collect();
        let host = url.host_str().unwrap_or_default();
        if let Some(&first) = self.preferred.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(host)
            && let Some(pos) = order.iter().position(|&i| i == first)
        {
            order.remove(pos);
            order.insert(0, first);
        }
        order
    }

    fn remember(&self, url: &Url, backend: usize) {
        let host = url.host_str().unwrap_or_default().to_owned();
        self.preferred.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(host, backend);
    }
}

/// Reads `reader` to its end (into `out` when given) and times the second half of the bytes that
/// arrived after the first read returned: the rate the transfer had reached. The wait for the
/// first byte is latency, and TCP's slow start (a window that doubles each round trip) makes the
/// early part of a short transfer slower than the link; on a saturated link both halves arrive at
/// the same rate, so this only removes the ramp.
fn timed_read(mut reader: impl Read, mut out: Option<&mut Vec<u8>>, url: &Url) -> Result<BodyTiming, DownloadError> {
    // Larger than any chunk a backend hands over (256 KiB), so the first read takes the whole
    // first chunk and none of it is counted as arriving in no time.
    let mut buf = vec![0; 1024 * 1024];
    let mut reads: Vec<(std::time::Instant, u64)> = Vec::new();
    let mut total = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(into_download_error(e, url)),
        };
        if let Some(out) = out.as_deref_mut() {
            out.extend_from_slice(&buf[..n]);
        }
        total += n as u64;
        reads.push((std::time::Instant::now(), total));
    }
    let Some(&(_, first)) = reads.first() else { return Ok(BodyTiming { bytes: 0, elapsed: Duration::ZERO }) };
    let end = std::time::Instant::now();
    let half = first + (total - first) / 2;
    let &(at, from) = reads.iter().rev().find(|(_, t)| *t <= half).unwrap_or(&reads[0]);
    Ok(BodyTiming { bytes: total - from, elapsed: end - at })
}

/// Turns a body read error back into the [`DownloadError`] it carries (or a generic one).
pub fn into_download_error(e: std::io::Error, url: &Url) -> DownloadError {
    match e.into_inner().map(<dyn std::error::Error + std::marker::Send + std::marker::Sync + 'static>::downcast::<DownloadError>) {
        Some(Ok(d)) => *d,
        Some(Err(other)) => DownloadError::Failed { url: url.to_string(), backend: "file", message: other.to_string(), kind: Kind::Other },
        None => DownloadError::Failed { url: url.to_string(), backend: "file", message: "read failed".into(), kind: Kind::Other },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Offline, an http URL is refused before anything is sent (nothing listens on port 9, so a
    /// request would fail differently), a `file://` one is read.
    #[test]
    fn offline_refuses_every_url_but_file() {
        let dir = tempfile::tempdir().unwrap();
        fs_err::write(dir.path().join("f"), b"bytes").unwrap();
        let home = crate::sys::test_abs("/home/u");
        let vars =
            [(crate::sys::HOME_VAR, home.as_str()), ("TCUP_OFFLINE", "1"), ("TCUP_DIST_SERVERS", "http://127.0.0.1:9,https://127.0.0.1:9")];
        let env = crate::env::Env::from_vars(vars.map(|(k, v)| (k.to_owned(), v.to_owned())), false).unwrap();
        let dl = Downloader::new(&env.download).unwrap();
        let reporter = Reporter::quiet();
        for url in ["http://127.0.0.1:9/dist/x", "https://example.org/y"] {
            let url = Url::parse(url).unwrap();
            let err = dl.get_bytes(&url, 10, &reporter).unwrap_err();
            assert!(matches!(&err, DownloadError::Offline { url: u } if *u == url.to_string()), "{err}");
            assert!(err.to_string().contains("TCUP_OFFLINE=1"), "{err}");
        }
        let file = Url::from_file_path(dir.path().join("f")).unwrap();
        assert_eq!(dl.get_bytes(&file, 10, &reporter).unwrap(), b"bytes");
    }
}
