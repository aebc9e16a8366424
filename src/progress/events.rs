//! The JSON side of [`super::Reporter`]: with `--format json` an install, update or `mirror pack`
//! writes one JSON object per line on stdout as the work happens (JSON Lines), and a query keeps
//! stdout for its one document and sends warnings to stderr as JSON objects. The event names and
//! fields are a public format (docs/json.md, docs/schema/events.json): fields are only added
//! within a `format_version`.

use std::io::Write as _;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Serialize;

/// The version of every JSON document and event tcup prints (docs/json.md).
pub const FORMAT_VERSION: u32 = 1;

/// Shortest time between two `progress` events of one component.
pub const PROGRESS_EVERY: Duration = Duration::from_millis(250);

/// One line of the event stream. Serialised with its name in an `"event"` field
/// (`{"event":"component_done","component":…}`), beside `"format_version"`.
#[derive(Debug, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event<'a> {
    /// The channel manifest is read and the components to fetch are chosen, in order.
    Manifest {
        /// Host triple of the toolchain.
        host: &'a str,
        /// Installed component names (`rustc-x86_64-unknown-linux-gnu`, `rust-src`).
        components: &'a [String],
    },
    /// A component's archive starts arriving (or being packed, for `mirror pack`).
    ComponentStart {
        /// Installed component name.
        component: &'a str,
        /// Archive size in bytes when known (the server's `Content-Length` or the cached file).
        size: Option<u64>,
    },
    /// Bytes of the archive received so far (at most every 250 ms per component, and once when
    /// the archive is complete).
    Progress {
        /// Installed component name.
        component: &'a str,
        /// Bytes received so far.
        bytes: u64,
        /// As in `component_start`.
        size: Option<u64>,
    },
    /// The component is in place.
    ComponentDone {
        /// Installed component name.
        component: &'a str,
        /// Archive bytes received.
        bytes: u64,
        /// Seconds from `component_start`.
        seconds: f64,
    },
    /// The same download backend tries again.
    Retry {
        /// Why, and when (the text line tcup prints without `--format json`).
        reason: &'a str,
    },
    /// Another download backend takes over or joins (a failure or a stall).
    Fallback {
        /// Why, and which backend (the text line tcup prints without `--format json`).
        reason: &'a str,
    },
    /// Something skipped or surprising.
    Warning {
        /// The warning's text.
        message: &'a str,
    },
    /// One toolchain of the command is finished (installed, updated, unchanged or failed).
    ToolchainDone {
        /// Full toolchain name (`stable-x86_64-unknown-linux-gnu`).
        toolchain: &'a str,
        /// `installed`, `updated`, `unchanged` or `failed`.
        status: &'a str,
        /// The rustc version it has now, when known (`1.95.0 (59807616e 2026-04-14)`).
        version: Option<&'a str>,
    },
    /// The command succeeded; the last line.
    Done,
    /// The command failed; the last line (stderr has the same error as a JSON object).
    Error {
        /// The error and its causes on one line.
        message: &'a str,
        /// The exit code tcup exits with.
        exit_code: i32,
    },
}

#[derive(Serialize)]
struct Line<'a, T: Serialize> {
    format_version: u32,
    #[serde(flatten)]
    body: &'a T,
}

/// `body` with `"format_version"` first, as one line of JSON.
pub fn line<T: Serialize>(body: &T) -> String {
    let json = serde_json::to_string(&Line { format_version: FORMAT_VERSION, body }).expect("events serialise");
    // Every event, error and warning object passes here: no URL's credentials reach JSON.
    crate::env::redact::text(&json).into_owned()
}

#[derive(Serialize)]
struct Message<'a> {
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    exit_code: Option<i32>,
}

/// The object a failed command prints on stderr in JSON mode (docs/schema/error.json):
/// `{"format_version":1,"error":{"message":…,"exit_code":…}}`.
pub fn error_object(message: &str, exit_code: i32) -> String {
    #[derive(Serialize)]
    struct Error<'a> {
        error: Message<'a>,
    }
    line(&Error { error: Message { message, exit_code: Some(exit_code) } })
}

/// A query's warning on stderr in JSON mode (docs/schema/warning.json).
pub fn warning_object(message: &str) -> String {
    #[derive(Serialize)]
    struct Warning<'a> {
        warning: Message<'a>,
    }
    line(&Warning { warning: Message { message, exit_code: None } })
}

/// Writes events to stdout, one line each, whole lines only (worker threads share it).
#[derive(Debug, Default)]
pub(super) struct Sink {
    lock: Mutex<()>,
}

impl Sink {
    pub(super) fn emit(&self, event: &Event<'_>) {
        let _guard = self.lock.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut out = std::io::stdout().lock();
        // A closed stdout (the reader went away) must not stop the install.
        let _ = writeln!(out, "{}", line(event)).and_then(|()| out.flush());
    }
}

/// When a component last had a `progress` event (per meter).
#[derive(Debug)]
pub(super) struct Throttle {
    last: Mutex<Option<Instant>>,
}

impl Throttle {
    pub(super) fn new() -> Throttle {
        Throttle { last: Mutex::new(None) }
    }

    /// Whether a `progress` event may go out now (then it counts as sent).
    pub(super) fn ready(&self) -> bool {
        let mut last = self.last.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        if last.is_some_and(|l| now.duration_since(l) < PROGRESS_EVERY) {
            return false;
        }
        *last = Some(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_internally_tagged_with_the_version_first() {
        let e = Event::ComponentDone { component: "rustc", bytes: 10, seconds: 0.5 };
        assert_eq!(line(&e), r#"{"format_version":1,"event":"component_done","component":"rustc","bytes":10,"seconds":0.5}"#);
        assert_eq!(line(&Event::Done), r#"{"format_version":1,"event":"done"}"#);
        assert_eq!(error_object("bad", 2), r#"{"format_version":1,"error":{"message":"bad","exit_code":2}}"#);
        assert_eq!(warning_object("hm"), r#"{"format_version":1,"warning":{"message":"hm"}}"#);
    }

    #[test]
    fn progress_is_throttled() {
        let t = Throttle::new();
        assert!(t.ready());
        assert!(!t.ready(), "a second event within 250 ms is held back");
    }
}
