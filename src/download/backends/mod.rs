//! The three HTTP stacks, all compiled in (docs/design.md download-1): `rustls` (reqwest + rustls),
//! `native-tls` (reqwest + native-tls: OpenSSL on Linux, Schannel on Windows, Security.framework
//! on macOS), `curl` (libcurl: over OpenSSL on Linux, Schannel on Windows, the system's on macOS).
//! Each only performs one GET: no redirects, no retries, no timeouts beyond connection set-up;
//! the transfer above them decides all of that. Certificates are always verified, TLS ≥ 1.2,
//! trusted roots from `SSL_CERT_FILE`/`SSL_CERT_DIR` when set.

mod curl;
mod lazy;
mod reqwest;
mod schannel_codes;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::dns::Resolver;
use super::{Backend, DownloadError};
use crate::env::{BackendKind, DownloadConfig};

/// Builds backend `kind` for `config`, resolving names through `resolver` (shared by all the
/// backends of one downloader).
pub(super) fn make(kind: BackendKind, config: &DownloadConfig, resolver: &Arc<Resolver>) -> Result<Arc<dyn Backend>, DownloadError> {
    let resolver = resolver.clone();
    Ok(match kind {
        BackendKind::Rustls => Arc::new(reqwest::Reqwest::new(reqwest::Tls::Rustls, config, resolver)?),
        BackendKind::NativeTls => Arc::new(reqwest::Reqwest::new(reqwest::Tls::Native, config, resolver)?),
        BackendKind::Curl => Arc::new(curl::Curl::new(config, resolver)),
    })
}

/// The backends of `config`, in order, sharing `resolver`, each built on its first attempt
/// ([`lazy`]). An `SSL_CERT_FILE` without a PEM certificate is refused here, before anything is
/// fetched (one error rather than one per backend).
///
/// # Errors
/// [`DownloadError::Init`] for an `SSL_CERT_FILE` that cannot be read or holds no certificate.
pub(super) fn make_all(config: &DownloadConfig, resolver: &Arc<Resolver>) -> Result<Vec<Arc<dyn Backend>>, DownloadError> {
    if let Some(file) = &config.ca_file {
        let backend = config.backends.first().map_or("tcup", |b| b.name());
        let pem = fs_err::read(file).map_err(|e| DownloadError::Init { backend, message: format!("SSL_CERT_FILE: {e}") })?;
        if !holds_certificate(&pem) {
            return Err(DownloadError::Init { backend, message: format!("SSL_CERT_FILE {} holds no PEM certificate", file.display()) });
        }
    }
    Ok(config.backends.iter().map(|kind| Arc::new(lazy::Lazy::new(*kind, config, resolver)) as Arc<dyn Backend>).collect())
}

/// How every PEM certificate begins (RFC 7468).
const CERT_MARK: &[u8] = b"-----BEGIN CERTIFICATE-----";

/// Whether `pem` holds the start of a PEM certificate.
fn holds_certificate(pem: &[u8]) -> bool {
    pem.windows(CERT_MARK.len()).any(|w| w == CERT_MARK)
}

/// An error and its sources on one line.
/// Every backend's protocol allow-list: only `http://` and `https://` URLs are fetched, so no
/// redirect or manifest can make a backend read a local file (libcurl would open `file://`;
/// the `curl` crate exposes no `CURLOPT_PROTOCOLS` setter and `unsafe` is denied, and libcurl
/// follows no redirect itself: `follow_location(false)`, the schedule decides).
///
/// # Errors
/// A [`super::Kind::Redirect`]-kind failure (not retried) naming the URL.
fn http_only(url: &url::Url) -> Result<(), super::AttemptError> {
    if matches!(url.scheme(), "http" | "https") {
        return Ok(());
    }
    Err(super::AttemptError {
        kind: super::Kind::Redirect,
        message: format!("refusing to fetch {url}: the download backends speak only http:// and https://"),
    })
}

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

/// `Retry-After` as a delay: delay-seconds, or an HTTP-date (IMF-fixdate, RFC 9110 §5.6.7) taken
/// relative to the system clock (a date in the past is no delay). Anything else: `None` (the
/// policy's own delay applies).
fn retry_after(value: Option<&str>) -> Option<Duration> {
    retry_after_at(value?, SystemTime::now())
}

fn retry_after_at(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = UNIX_EPOCH + Duration::from_secs(imf_fixdate(value)?);
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Seconds since the Unix epoch of an IMF-fixdate such as `Sun, 06 Nov 1994 08:49:37 GMT`.
fn imf_fixdate(s: &str) -> Option<u64> {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let parts: Vec<&str> = s.split_ascii_whitespace().collect();
    let [_weekday, day, month, year, time, "GMT"] = parts[..] else { return None };
    let month = i64::try_from(MONTHS.iter().position(|m| *m == month)? + 1).ok()?;
    let (day, year): (i64, i64) = (day.parse().ok().filter(|d| (1..=31).contains(d))?, year.parse().ok().filter(|y| *y >= 1970)?);
    let hms: Vec<i64> = time.split(':').map(str::parse).collect::<Result<_, _>>().ok()?;
    let [h, m, sec] = hms[..] else { return None };
    if h > 23 || m > 59 || sec > 60 {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm), proleptic Gregorian calendar.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86_400 + h * 3600 + m * 60 + sec).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backends_fetch_only_http_and_https() {
        for ok in ["http://127.0.0.1/x", "https://static.rust-lang.org/dist/x"] {
            http_only(&url::Url::parse(ok).unwrap()).unwrap();
        }
        for bad in ["file:///etc/passwd", "ftp://host/x", "gopher://host/x", "dict://host/x"] {
            let e = http_only(&url::Url::parse(bad).unwrap()).unwrap_err();
            assert_eq!(e.kind, crate::download::Kind::Redirect);
            assert!(e.message.contains(bad) && e.message.contains("only http:// and https://"), "{}", e.message);
        }
    }

    #[test]
    fn retry_after_both_forms() {
        let now = UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(imf_fixdate("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777));
        assert_eq!(imf_fixdate("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(imf_fixdate("Tue, 29 Feb 2028 23:59:59 GMT"), Some(1_835_481_599));
        assert_eq!(retry_after_at("120", now), Some(Duration::from_mins(2)));
        assert_eq!(retry_after_at("Sun, 06 Nov 1994 08:50:07 GMT", now), Some(Duration::from_secs(30)));
        assert_eq!(retry_after_at("Sun, 06 Nov 1994 08:00:00 GMT", now), Some(Duration::ZERO), "a date in the past");
        for bad in ["soon", "-1", "Sun, 06 Nov 1994 08:49:37 CET", "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:00:00 GMT", ""] {
            assert_eq!(retry_after_at(bad, now), None, "{bad}");
        }
    }
}

#[cfg(test)]
#[path = "classify_tests.rs"]
mod classify_tests;
