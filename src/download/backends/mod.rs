//! The three HTTP stacks, all compiled in (DESIGN.md decision 3): `rustls` (reqwest + rustls),
//! `native-tls` (reqwest + native-tls, i.e. OpenSSL on Linux), `curl` (libcurl + OpenSSL).
//! Each only performs one GET: no redirects, no retries, no timeouts beyond connection set-up;
//! the transfer above them decides all of that. Certificates are always verified, TLS ≥ 1.2,
//! trusted roots from `SSL_CERT_FILE`/`SSL_CERT_DIR` when set.

mod curl;
mod reqwest;

use std::sync::Arc;

use super::{Backend, DownloadError};
use crate::env::Env;

/// Builds the backend called `name` (one of [`crate::env::BACKENDS`]).
pub(super) fn make(name: &str, env: &Env) -> Result<Arc<dyn Backend>, DownloadError> {
    Ok(match name {
        "rustls" => Arc::new(reqwest::Reqwest::new(reqwest::Tls::Rustls, env)?),
        "native-tls" => Arc::new(reqwest::Reqwest::new(reqwest::Tls::Native, env)?),
        "curl" => Arc::new(curl::Curl::new(env)),
        other => unreachable!("env.rs only lets known backends through, not {other}"),
    })
}

/// An error and its sources on one line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        src = s.source();
    }
    out
}

/// `Retry-After` in seconds (the HTTP-date form is not honoured; the policy's own delay applies).
fn retry_after(value: Option<&str>) -> Option<std::time::Duration> {
    value?.trim().parse::<u64>().ok().map(std::time::Duration::from_secs)
}
