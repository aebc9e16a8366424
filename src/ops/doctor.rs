//! `tcup doctor`: can this machine reach the dist server, and through which backends? Fetches
//! `<dist>/dist/channel-rust-stable.toml.sha256` through every backend at once (each alone, no
//! retries, bounded by the same watchdog as every download) and reports, per backend: result,
//! time to first byte, throughput, error.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use crate::dist::server;
use crate::download::Downloader;
use crate::env::{BACKENDS, Env};
use crate::progress::Reporter;

/// One backend's result.
#[derive(Debug, Clone)]
pub struct Probe {
    /// Backend name.
    pub backend: &'static str,
    /// Time until the status and headers arrived.
    pub first_byte: Option<Duration>,
    /// Bytes per second over the whole fetch.
    pub throughput: Option<f64>,
    /// The error, when it failed.
    pub error: Option<String>,
}

/// Probes every backend against `env`'s dist server, in parallel.
pub fn probe_backends(env: &Env) -> Vec<Probe> {
    let url = server::join(&env.dist_server, "dist/channel-rust-stable.toml.sha256");
    std::thread::scope(|s| {
        let handles: Vec<_> = BACKENDS
            .iter()
            .map(|name| {
                let url = url.clone();
                s.spawn(move || {
                    let mut alone = env.clone();
                    alone.backends = vec![name];
                    alone.max_retries = 0;
                    let quiet = Reporter::quiet();
                    let started = Instant::now();
                    let result = Downloader::new(&alone).and_then(|dl| {
                        let body = dl.open(&url, 0, None, &quiet)?;
                        let first = started.elapsed();
                        let mut bytes = Vec::new();
                        std::io::Read::read_to_end(&mut { body.body }, &mut bytes)
                            .map_err(|e| crate::download::into_download_error(e, &url))?;
                        Ok((first, bytes.len()))
                    });
                    match result {
                        Ok((first, n)) => {
                            #[allow(clippy::cast_precision_loss)]
                            let rate = n as f64 / started.elapsed().as_secs_f64().max(1e-6);
                            Probe { backend: name, first_byte: Some(first), throughput: Some(rate), error: None }
                        }
                        Err(e) => Probe { backend: name, first_byte: None, throughput: None, error: Some(e.to_string()) },
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
    let dl = Downloader::new(env)?;
    let started = Instant::now();
    let body = dl.open(url, 0, None, reporter)?;
    let hashing = crate::download::hashing::HashingReader::new(body.body);
    let (sha256, bytes) = hashing.finish().map_err(|e| crate::download::into_download_error(e, url))?;
    Ok(Downloaded { backends: dl.backend_names(), bytes, seconds: started.elapsed().as_secs_f64(), sha256 })
}

/// The probes as a table, one line per backend.
pub fn table(probes: &[Probe]) -> String {
    let mut out = format!("{:<11} {:<7} {:>10} {:>12}  {}\n", "backend", "result", "first byte", "throughput", "error");
    for p in probes {
        let first = p.first_byte.map_or_else(|| "-".to_owned(), |d| format!("{} ms", d.as_millis()));
        let rate = p.throughput.map_or_else(|| "-".to_owned(), |r| format!("{:.1} KiB/s", r / 1024.0));
        let result = if p.error.is_none() { "ok" } else { "failed" };
        let _ = writeln!(out, "{:<11} {result:<7} {first:>10} {rate:>12}  {}", p.backend, p.error.as_deref().unwrap_or(""));
    }
    out
}
