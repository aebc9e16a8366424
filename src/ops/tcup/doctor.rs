//! `tcup doctor`: can this machine reach the dist server, and through which backends? Fetches
//! `<dist>/dist/channel-rust-stable.toml` (about 1 MiB on static.rust-lang.org) through every
//! backend at once (each alone, no retries, bounded by the same watchdog as every download) and
//! reports, per backend: result, time to first byte, total time, and throughput, which is only
//! given for a body of at least [`THROUGHPUT_MIN`] bytes: below that the times are latency, and
//! the table says so. A `file://` dist server involves no backend: doctor checks the file instead.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use crate::dist::server;
use crate::download::Downloader;
use crate::env::{BackendKind, Env};
use crate::progress::Reporter;

pub use crate::host::{Decision, Report};

/// Smallest body whose transfer rate is reported as throughput (bytes); smaller ones measure
/// latency, not bandwidth.
pub const THROUGHPUT_MIN: u64 = 1024 * 1024;

/// The file every probe fetches, relative to the dist server.
pub const PROBE_PATH: &str = "dist/channel-rust-stable.toml";

/// One backend's result.
#[derive(Debug, Clone)]
pub struct Probe {
    /// Backend name.
    pub backend: &'static str,
    /// Time until the status and headers arrived.
    pub first_byte: Option<Duration>,
    /// Time until the last byte.
    pub total: Option<Duration>,
    /// Bytes received.
    pub bytes: u64,
    /// The error, when it failed.
    pub error: Option<String>,
}

/// Probes every backend against every http(s) dist server of `env` (`TCUP_DIST_SERVERS`, else
/// the one dist server), all in parallel: one list of probes per server, in the configured order.
pub fn probe_servers(env: &Env) -> Vec<(url::Url, Vec<Probe>)> {
    let servers: Vec<url::Url> = env.download.servers.iter().filter(|u| u.scheme() != "file").cloned().collect();
    std::thread::scope(|s| {
        let handles: Vec<_> = servers.iter().map(|server| s.spawn(move || (server.clone(), probe_backends(env, server)))).collect();
        handles.into_iter().map(|h| h.join().expect("probe threads do not panic")).collect()
    })
}

/// Probes every backend against `server` alone, in parallel.
pub fn probe_backends(env: &Env, server: &url::Url) -> Vec<Probe> {
    let url = server::join(server, PROBE_PATH);
    let config = crate::env::DownloadConfig { servers: vec![server.clone()], ..env.download.clone() };
    let config = &config;
    std::thread::scope(|s| {
        let handles: Vec<_> = BackendKind::ALL
            .into_iter()
            .map(|kind| {
                let url = url.clone();
                s.spawn(move || {
                    let name = kind.name();
                    let quiet = Reporter::quiet();
                    let started = Instant::now();
                    let result = Downloader::new(&config.only(kind)).and_then(|dl| {
                        let body = dl.open(&url, 0, None, &quiet)?;
                        let first = started.elapsed();
                        let mut bytes = Vec::new();
                        std::io::Read::read_to_end(&mut { body.body }, &mut bytes)
                            .map_err(|e| crate::download::into_download_error(e, &url))?;
                        Ok((first, bytes.len()))
                    });
                    match result {
                        Ok((first, n)) => {
                            Probe { backend: name, first_byte: Some(first), total: Some(started.elapsed()), bytes: n as u64, error: None }
                        }
                        Err(e) => Probe { backend: name, first_byte: None, total: None, bytes: 0, error: Some(e.to_string()) },
                    }
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("probe threads do not panic")).collect()
    })
}

/// What `tcup doctor download` measured.
#[derive(Debug, Clone)]
pub struct Downloaded {
    /// Backends in the order they were tried.
    pub backends: Vec<&'static str>,
    /// Bytes received.
    pub bytes: u64,
    /// Wall time from request to last byte, in seconds.
    pub seconds: f64,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
}

/// Downloads `url` through the configured backends with SHA-256 in the stream, discarding the
/// bytes (a diagnostic and the benchmark's probe).
///
/// # Errors
/// The download failed.
pub fn download(env: &Env, url: &url::Url, reporter: &Reporter) -> anyhow::Result<Downloaded> {
    let dl = Downloader::new(&env.download)?;
    let started = Instant::now();
    let body = dl.open(url, 0, None, reporter)?;
    let hashing = crate::download::hashing::HashingReader::new(body.body);
    let (sha256, bytes) = hashing.finish().map_err(|e| crate::download::into_download_error(e, url))?;
    Ok(Downloaded { backends: dl.backend_names(), bytes, seconds: started.elapsed().as_secs_f64(), sha256 })
}

/// Checks a `file://` dist server: the probe file is there and readable. Returns its size.
///
/// # Errors
/// The dist server is not a `file://` URL naming a local path, or the file cannot be read.
pub fn check_file(env: &Env) -> anyhow::Result<u64> {
    let url = server::join(&env.dist_server, PROBE_PATH);
    let path = url.to_file_path().map_err(|()| anyhow::anyhow!("{url} does not name a file on this machine (write file:///path)"))?;
    let meta = fs_err::metadata(&path)?;
    fs_err::File::open(&path)?;
    Ok(meta.len())
}

/// The probes as a table, one line per backend, and a note when the probe file was too small
/// for its transfer rate to mean anything.
pub fn table(probes: &[Probe]) -> String {
    let mut out = format!("{:<11} {:<7} {:>10} {:>10} {:>14}  {}\n", "backend", "result", "first byte", "total", "throughput", "error");
    let mut small = None;
    for p in probes {
        let ms = |d: Option<Duration>| d.map_or_else(|| "-".to_owned(), |d| format!("{} ms", d.as_millis()));
        let rate = match p.total {
            Some(t) if p.bytes >= THROUGHPUT_MIN => {
                #[allow(clippy::cast_precision_loss)]
                let mib = p.bytes as f64 / (1024.0 * 1024.0);
                format!("{:.1} MiB/s", mib / t.as_secs_f64().max(1e-6))
            }
            Some(_) => {
                small = Some(p.bytes);
                "(latency)".to_owned()
            }
            None => "-".to_owned(),
        };
        let result = if p.error.is_none() { "ok" } else { "failed" };
        let _ = writeln!(
            out,
            "{:<11} {result:<7} {:>10} {:>10} {rate:>14}  {}",
            p.backend,
            ms(p.first_byte),
            ms(p.total),
            p.error.as_deref().unwrap_or("")
        );
    }
    if let Some(bytes) = small {
        let _ = writeln!(
            out,
            "{PROBE_PATH} is {bytes} bytes, too small to measure throughput (times are latency); \
             `tcup doctor download URL` measures a large file"
        );
    }
    out
}

/// Whether the dist server's channel manifests are signed, and by whom, as judged by
/// [`PROBE_PATH`]'s signature (`.asc` beside it), with the signature policy in force.
#[derive(Debug, Clone)]
pub struct Signatures {
    /// `signed`, `unsigned` (no `.asc`) or `bad` (a signature that does not verify).
    pub state: &'static str,
    /// Who signed the probed manifest, when `signed`.
    pub signer: Option<String>,
    /// The signature policy in force (`auto` or `require`).
    pub policy: &'static str,
    /// Why the signature does not verify, when `bad`.
    pub error: Option<String>,
}

/// Probes the signature of the dist server's [`PROBE_PATH`].
///
/// # Errors
/// A bad `TCUP_SIGNATURE_POLICY` or `tcup.toml`; no downloader can be made; the probe fails
/// otherwise than by a bad signature (which is [`Signatures::error`]).
pub fn signatures(env: &Env, reporter: &Reporter) -> anyhow::Result<Signatures> {
    use crate::trust::policy::Evidence;
    let url = server::join(&env.dist_server, PROBE_PATH);
    let downloader = Downloader::new(&env.download)?;
    let policy = crate::fetch::signature::policy(env)?.word();
    let (state, signer, error) = match crate::fetch::signature::probe(env, &downloader, &url, reporter)? {
        Evidence::Signed(s) => ("signed", Some(s.to_string()), None),
        Evidence::Unsigned => ("unsigned", None, None),
        Evidence::Bad(b) => ("bad", None, Some(crate::error::one_line(&anyhow::Error::from(b)))),
    };
    Ok(Signatures { state, signer, policy, error })
}

/// `doctor host`: the host decision `toolchain install` makes (`TCUP_HOST_ROOT`,
/// `TCUP_HOST_MACHINE`), or one for another system when `root` or `machine` is given.
pub fn host(env: &Env, root: Option<&std::path::Path>, machine: Option<&str>) -> Report {
    crate::host::detect(root.unwrap_or(&env.host_root), machine.or(env.host_machine.as_deref()))
}
