//! The retry policy: one pure function decides, for a failed attempt, whether to retry on the same
//! backend, fall back to the next backend, or fail for good; and the delay before a retry.
//!
//! - **Retry** (same backend, after a delay): connection reset/closed, connect timeouts, TLS connections cut short (EOF without close_notify), truncated bodies, HTTP 5xx
//!   and 429. rustup retried these with no delay; cargo's schedule is the model here:
//!   the first retry after 0.5–1.5 s (jittered), then doubling (1 s, 2 s, 4 s … capped at 10 s,
//!   each with up to 1 s of jitter). A `Retry-After` header (seconds) replaces the delay, up to
//!   30 s. `RUSTUP_MAX_RETRIES` (default 3) retries per backend; then the next backend takes over.
//! - **Fall back** (next backend at once): certificate and TLS handshake errors (another TLS
//!   stack or trust store may succeed; the same one will not), and anything unrecognised.
//! - **Fail** (no retry, no fallback): errors about the server rather than the HTTP stack —
//!   connection refused, DNS failure, unreachable network (another stack will not fix them, and
//!   retries only multiply the wait and the output), 404, 403, 410 (the file is not on this dist
//!   server), other 4xx, redirect loops and https→http redirects. A hash mismatch is not an attempt error:
//!   the install retries it once from scratch and then fails (another host will not fix bad bytes).

use std::time::Duration;

/// What went wrong in one attempt, as a backend reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Could not connect (refused, unreachable, DNS): about the server, so final.
    Connect,
    /// The connection set-up or a read timed out inside the backend.
    Timeout,
    /// The connection was reset or closed mid-transfer.
    Reset,
    /// TLS ended without close_notify, or the handshake was cut.
    TlsEof,
    /// The certificate was not trusted (or did not match the host).
    Certificate,
    /// Another TLS failure (protocol version, handshake).
    Tls,
    /// The body ended before `Content-Length` bytes.
    Truncated,
    /// An HTTP status the transfer cannot use.
    Status(u16),
    /// Too many redirects, or a redirect to an insecure or invalid URL.
    Redirect,
    /// The range requested cannot be served (HTTP 416).
    RangeNotSatisfiable,
    /// Anything else.
    Other,
}

/// The decision for a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Try the same backend again after the delay.
    Retry(Duration),
    /// Move to the next backend now.
    FallBack,
    /// Stop: the error is final.
    Fail,
}

/// Most a `Retry-After` is honoured.
pub const RETRY_AFTER_CAP: Duration = Duration::from_secs(30);

/// Decides what to do after attempt number `attempt` (1-based) of one backend failed with `kind`.
/// `retries` is `RUSTUP_MAX_RETRIES`; `retry_after` the server's `Retry-After`; `jitter` in [0, 1)
/// (tests pass fixed values).
pub fn decide(kind: Kind, attempt: u32, retries: u32, retry_after: Option<Duration>, jitter: f64) -> Action {
    let transient = match kind {
        Kind::Timeout | Kind::Reset | Kind::TlsEof | Kind::Truncated => true,
        Kind::Status(s) => s == 429 || (500..=599).contains(&s),
        Kind::Certificate | Kind::Tls | Kind::Other => return Action::FallBack,
        Kind::Connect | Kind::Redirect | Kind::RangeNotSatisfiable => return Action::Fail,
    };
    if !transient {
        return Action::Fail;
    }
    if attempt > retries {
        return Action::FallBack;
    }
    Action::Retry(retry_after.map_or_else(|| backoff(attempt, jitter), |d| d.min(RETRY_AFTER_CAP)))
}

/// Delay before retry number `attempt` (1-based): 0.5–1.5 s for the first, then 2^(n-1) s capped at
/// 10 s, plus up to 1 s of jitter.
pub fn backoff(attempt: u32, jitter: f64) -> Duration {
    let jitter = jitter.clamp(0.0, 1.0);
    if attempt <= 1 {
        return Duration::from_secs_f64(0.5 + jitter);
    }
    let base = 2f64.powi(i32::try_from(attempt - 1).unwrap_or(30)).min(10.0);
    Duration::from_secs_f64(base + jitter)
}

/// Whether a status is a final "not here" answer (404, 403, 410).
pub fn is_not_found(status: u16) -> bool {
    matches!(status, 403 | 404 | 410)
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn classification_table() {
        let table: &[(Kind, Action)] = &[
            // rust-lang/rustup#3122, #4189: hangs and resets must lead somewhere, never to a wait forever.
            // Refused, DNS, unreachable: about the server, not the stack (issue 11, defect 9).
            (Kind::Connect, Action::Fail),
            (Kind::Reset, Action::Retry(Duration::from_millis(500))),
            (Kind::Timeout, Action::Retry(Duration::from_millis(500))),
            (Kind::TlsEof, Action::Retry(Duration::from_millis(500))),
            (Kind::Truncated, Action::Retry(Duration::from_millis(500))),
            (Kind::Status(500), Action::Retry(Duration::from_millis(500))),
            (Kind::Status(503), Action::Retry(Duration::from_millis(500))),
            (Kind::Status(429), Action::Retry(Duration::from_millis(500))),
            (Kind::Status(404), Action::Fail),
            (Kind::Status(403), Action::Fail),
            (Kind::Status(410), Action::Fail),
            (Kind::Status(400), Action::Fail),
            (Kind::Redirect, Action::Fail),
            (Kind::RangeNotSatisfiable, Action::Fail),
            (Kind::Certificate, Action::FallBack),
            (Kind::Tls, Action::FallBack),
            (Kind::Other, Action::FallBack),
        ];
        for (kind, want) in table {
            assert_eq!(decide(*kind, 1, 3, None, 0.0), *want, "{kind:?}");
        }
    }

    #[test]
    fn retries_run_out_into_fallback() {
        assert!(matches!(decide(Kind::Reset, 3, 3, None, 0.0), Action::Retry(_)));
        assert_eq!(decide(Kind::Reset, 4, 3, None, 0.0), Action::FallBack);
        assert_eq!(decide(Kind::Status(503), 1, 0, None, 0.0), Action::FallBack, "RUSTUP_MAX_RETRIES=0");
    }

    #[test]
    fn retry_after_is_honoured_up_to_a_cap() {
        assert_eq!(decide(Kind::Status(503), 1, 3, Some(S(1)), 0.9), Action::Retry(S(1)));
        assert_eq!(decide(Kind::Status(429), 1, 3, Some(S(3600)), 0.0), Action::Retry(RETRY_AFTER_CAP));
    }

    #[test]
    fn backoff_doubles_with_jitter_and_a_cap() {
        assert_eq!(backoff(1, 0.0), Duration::from_millis(500));
        assert_eq!(backoff(1, 0.5), S(1));
        assert_eq!(backoff(2, 0.0), S(2));
        assert_eq!(backoff(3, 0.0), S(4));
        assert_eq!(backoff(4, 0.25), Duration::from_millis(8250));
        assert_eq!(backoff(9, 0.0), S(10));
    }
}
