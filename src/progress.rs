//! What the user sees while tcup works: indicatif bars per component plus a total on a terminal,
//! one plain line per component otherwise (logs, CI, `docker build`), nothing but warnings and
//! errors with `--quiet`. `RUSTUP_TERM_PROGRESS_WHEN` (`auto`/`always`/`never`) decides bars,
//! `RUSTUP_TERM_WIDTH` overrides the width they must fit in, `RUSTUP_TERM_COLOR` and `NO_COLOR`
//! decide colour. Operations report through [`Reporter`]; they never print directly.
//!
//! Rules that keep the terminal honest (docs/design.md output-2, output-3):
//! - nothing is drawn before there is work: the total joins the display with the first bar;
//! - every bar line is laid out to fit the width (one spare column, so the terminal never wraps),
//!   so clearing bars clears exactly the lines they drew and nothing above;
//! - every other line (info, warnings, a finished component's record) is printed *through* the
//!   bars, above them, so it stays in the scrollback;
//! - a finished component leaves one line, `installed NAME (X MiB in Y s)`, on a terminal as in
//!   a log; the bars are gone once the work is done, before the final message.
//!
//! With `--format json` there are no bars and no `info:` lines: an install reports JSON Lines
//! events on stdout ([`events`]), a query only warnings (JSON objects on stderr).

pub mod events;

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle, TermLike};

use crate::env::{ColorWhen, Env, OutputFormat, ProgressWhen};
use events::Event;

/// How chatty to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    /// Warnings and errors only.
    Quiet,
    /// Progress and results.
    Normal,
    /// Also what tcup decided and why (backend, URLs).
    Verbose,
}

/// Narrowest terminal bars are drawn on (columns); narrower ones get plain lines.
const MIN_BAR_WIDTH: usize = 40;
/// Widest name column (columns); longer names are shortened with `…`.
const MAX_NAME: usize = 24;
/// `" 134.17 MiB/134.17 MiB 1023.72 KiB/s"`: room for the right-hand part of a bar line (columns).
const RIGHT: usize = 36;

/// Right-hand parts of a bar line (at most [`RIGHT`] columns): a component receiving bytes, one
/// whose files are being moved into place, the total.
const RIGHT_BYTES: &str = " {bytes:>10}/{total_bytes:<10} {binary_bytes_per_sec}";
const RIGHT_PLACING: &str = " {bytes:>10}/{total_bytes:<10} installing";
const RIGHT_MSG: &str = " {msg}";

/// The bars: a `MultiProgress` that draws nothing until the first bar joins it.
struct Bars {
    multi: MultiProgress,
    total: ProgressBar,
    shown: AtomicBool,
    /// Held while the total joins or leaves the display and while a bar is inserted before it:
    /// without it a worker could insert before a total another worker has not added yet (or has
    /// just removed), and indicatif panics (`insert_before` of a bar with no index).
    joining: Mutex<()>,
    /// Columns a line may use (terminal width less one).
    width: usize,
    /// Name column width and the host suffix stripped from labels, set by [`Reporter::plan`].
    layout: Mutex<(usize, String)>,
    /// Bytes received across components, for the total line.
    bytes: AtomicU64,
    done: AtomicUsize,
    started: Mutex<Instant>,
}

enum Mode {
    Bars(Box<Bars>),
    Plain,
    /// `--format json` for a command that streams events (install, update, …): events on stdout.
    Events(events::Sink),
    /// `--format json` for a query: stdout is the document's; warnings go to stderr as JSON.
    JsonQuiet,
}

/// Reports progress and messages to stderr. Shared by the worker threads of one operation.
pub struct Reporter {
    mode: Mode,
    verbosity: Verbosity,
    color: bool,
    lines: Mutex<()>,
    /// What an interrupt leaves behind right now (set by the operation, printed on Ctrl-C).
    left_behind: Mutex<Option<String>>,
}

/// Progress of one component's download and unpack (or, for `mirror pack`, its packing).
pub struct Meter<'a> {
    reporter: &'a Reporter,
    name: String,
    bar: Option<ProgressBar>,
    started: Instant,
    bytes: AtomicU64,
    verb: &'static str,
    len: Option<u64>,
    throttle: events::Throttle,
}

/// A spinner for silent work of unknown length (the run check); gone when dropped.
pub struct Spinner {
    bar: Option<ProgressBar>,
}

impl Drop for Spinner {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// stderr with a fixed width when `RUSTUP_TERM_WIDTH` says so (indicatif asks it for the width it
/// lays lines out in and counts wrapped lines with).
#[derive(Debug)]
struct Stderr {
    term: console::Term,
    width: u16,
}

impl TermLike for Stderr {
    fn width(&self) -> u16 {
        self.width
    }
    fn height(&self) -> u16 {
        self.term.size().0
    }
    fn move_cursor_up(&self, n: usize) -> std::io::Result<()> {
        self.term.move_cursor_up(n)
    }
    fn move_cursor_down(&self, n: usize) -> std::io::Result<()> {
        self.term.move_cursor_down(n)
    }
    fn move_cursor_right(&self, n: usize) -> std::io::Result<()> {
        self.term.move_cursor_right(n)
    }
    fn move_cursor_left(&self, n: usize) -> std::io::Result<()> {
        self.term.move_cursor_left(n)
    }
    fn write_line(&self, s: &str) -> std::io::Result<()> {
        self.term.write_line(s)
    }
    fn write_str(&self, s: &str) -> std::io::Result<()> {
        self.term.write_str(s)
    }
    fn clear_line(&self) -> std::io::Result<()> {
        self.term.clear_line()
    }
    fn flush(&self) -> std::io::Result<()> {
        self.term.flush()
    }
}

impl Reporter {
    /// The reporter for this environment and verbosity. Draws nothing. With `env.format` JSON,
    /// `events` chooses the event stream on stdout (installs) over JSON warnings on stderr only
    /// (queries).
    pub fn for_format(env: &Env, verbosity: Verbosity, events: bool) -> Reporter {
        if env.format == OutputFormat::Json {
            let mode = if events { Mode::Events(events::Sink::default()) } else { Mode::JsonQuiet };
            return Reporter { mode, verbosity, color: false, lines: Mutex::new(()), left_behind: Mutex::new(None) };
        }
        Reporter::new(env, verbosity)
    }

    /// The text reporter for this environment and verbosity. Draws nothing.
    pub fn new(env: &Env, verbosity: Verbosity) -> Reporter {
        let term = console::Term::stderr();
        let width = env.term_width.unwrap_or_else(|| term.size_checked().map_or(80, |(_, w)| w));
        let bars = verbosity != Verbosity::Quiet
            && usize::from(width) > MIN_BAR_WIDTH
            && match env.progress_when {
                ProgressWhen::Always => true,
                ProgressWhen::Never => false,
                ProgressWhen::Auto => env.stderr_is_terminal,
            };
        let color = match env.term_color {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => env.stderr_is_terminal && !env.no_color,
        };
        let mode = if bars {
            let target = ProgressDrawTarget::term_like_with_hz(Box::new(Stderr { term, width }), 10);
            let multi = MultiProgress::with_draw_target(target);
            // Hidden until it joins `multi` (adding it there gives it multi's target).
            let total = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden());
            Mode::Bars(Box::new(Bars {
                multi,
                total,
                shown: false.into(),
                joining: Mutex::new(()),
                width: usize::from(width) - 1,
                layout: Mutex::new((5, String::new())),
                bytes: 0.into(),
                done: 0.into(),
                started: Mutex::new(Instant::now()),
            }))
        } else {
            Mode::Plain
        };
        Reporter { mode, verbosity, color, lines: Mutex::new(()), left_behind: Mutex::new(None) }
    }

    /// A reporter that prints nothing but warnings (tests, `--quiet`).
    pub fn quiet() -> Reporter {
        Reporter { mode: Mode::Plain, verbosity: Verbosity::Quiet, color: false, lines: Mutex::new(()), left_behind: Mutex::new(None) }
    }

    fn print(&self, line: &str) {
        // Every text line passes here: credentials in a URL never reach stderr (issue 28.8).
        let line = crate::env::redact::text(line);
        let _guard = self.lines.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match &self.mode {
            Mode::Bars(b) => b.multi.suspend(|| eprintln!("{line}")),
            Mode::Plain => eprintln!("{line}"),
            Mode::Events(_) | Mode::JsonQuiet => {}
        }
    }

    /// Whether this reporter speaks JSON (`--format json`).
    pub fn is_json(&self) -> bool {
        matches!(self.mode, Mode::Events(_) | Mode::JsonQuiet)
    }

    fn emit(&self, event: &Event<'_>) {
        if let Mode::Events(sink) = &self.mode {
            sink.emit(event);
        }
    }

    /// A JSON warning: an event, or (for a query) an object on stderr.
    fn json_warning(&self, message: &str) {
        match &self.mode {
            Mode::Events(sink) => sink.emit(&Event::Warning { message }),
            _ => eprintln!("{}", events::warning_object(message)),
        }
    }

    /// The same backend tries a download again (text: an `info:` line, a warning when `warn`, as
    /// for a stall; JSON: a `retry` event).
    pub fn retry(&self, reason: &str, warn: bool) {
        match &self.mode {
            Mode::Events(sink) => sink.emit(&Event::Retry { reason }),
            _ if warn => self.warn(reason),
            Mode::JsonQuiet => {}
            _ => self.info(reason),
        }
    }

    /// Another backend takes a download over (text: a warning; JSON: a `fallback` event).
    pub fn fallback(&self, reason: &str) {
        match &self.mode {
            Mode::Events(sink) => sink.emit(&Event::Fallback { reason }),
            _ => self.warn(reason),
        }
    }

    /// A toolchain's result: `text` on stdout (rustup's summary line, `None` for none), or the
    /// `event` in a JSON event stream.
    pub fn outcome(&self, event: &Event<'_>, text: Option<&str>) {
        match &self.mode {
            Mode::Events(sink) => sink.emit(event),
            Mode::JsonQuiet => {}
            Mode::Bars(_) | Mode::Plain => {
                if let Some(line) = text {
                    println!("{}", crate::env::redact::text(line));
                }
            }
        }
    }

    /// The command succeeded: the `done` event ends a JSON event stream (nothing in text).
    pub fn done(&self) {
        self.emit(&Event::Done);
    }

    /// The command failed with `message` and will exit with `exit_code`: in text the `error:`
    /// line; in JSON an `error` event ends the stream (installs) and stderr gets one object
    /// `{"format_version":1,"error":{"message":…,"exit_code":…}}`.
    pub fn failed(&self, message: &str, exit_code: i32) {
        if !self.is_json() {
            return self.error(message);
        }
        self.emit(&Event::Error { message, exit_code });
        eprintln!("{}", events::error_object(message, exit_code));
    }

    /// `word:` in rustup's colours when colour is on (info bold, warning yellow, error red).
    fn tag(&self, word: &str) -> String {
        if !self.color {
            return format!("{word}:");
        }
        let code = match word {
            "warning" => "1;33",
            "error" => "1;31",
            _ => "1",
        };
        format!("\x1b[{code}m{word}:\x1b[0m")
    }

    /// A result or step worth telling (`info: …`); not shown with `--quiet`.
    pub fn info(&self, msg: &str) {
        if self.verbosity != Verbosity::Quiet {
            self.print(&format!("{} {msg}", self.tag("info")));
        }
    }

    /// Detail shown with `--verbose` only.
    pub fn verbose(&self, msg: &str) {
        if self.verbosity == Verbosity::Verbose {
            self.print(&format!("verbose: {msg}"));
        }
    }

    /// Something skipped or surprising; always shown.
    pub fn warn(&self, msg: &str) {
        if self.is_json() {
            return self.json_warning(msg);
        }
        self.print(&format!("{} {msg}", self.tag("warning")));
    }

    /// The error an operation ended with (`error: …`); the bars are cleared first.
    pub fn error(&self, msg: &str) {
        self.finish();
        self.print(&format!("{} {msg}", self.tag("error")));
    }

    /// Announces the work before it starts: `names` are the components (installed names) in
    /// order; `host` is stripped from labels (`rustc-x86_64-unknown-linux-gnu` shows as `rustc`).
    /// The total counts components, known up front from the manifest (v2 manifests give no
    /// archive sizes, so bytes are shown as they arrive, never as a guessed total).
    pub fn plan(&self, host: &str, names: &[String]) {
        self.emit(&Event::Manifest { host, components: names });
        if let Mode::Bars(b) = &self.mode {
            let suffix = format!("-{host}");
            let widest = names.iter().map(|n| label(n, &suffix).chars().count()).max().unwrap_or(0);
            *b.layout.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = (widest.clamp(5, b.name_room()), suffix);
            b.total.set_length(names.len() as u64);
            b.bytes.store(0, Ordering::Relaxed);
            b.done.store(0, Ordering::Relaxed);
            *b.started.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Instant::now();
        }
    }

    /// Starts metering component `name`; `len` is the archive size when known (bytes).
    pub fn start(&self, name: &str, len: Option<u64>) -> Meter<'_> {
        self.meter(name, len, "installed")
    }

    /// Starts metering work on `name` that ends with `verb` (`packed`) in its record line.
    pub fn meter(&self, name: &str, len: Option<u64>, verb: &'static str) -> Meter<'_> {
        let bar = match &self.mode {
            Mode::Bars(b) => {
                let _joining = b.joining.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                if !b.shown.swap(true, Ordering::Relaxed) {
                    b.total.set_style(b.style(RIGHT_MSG));
                    b.total.set_prefix(b.fit("total"));
                    b.refresh_total();
                    b.multi.add(b.total.clone());
                }
                let bar = ProgressBar::with_draw_target(len, ProgressDrawTarget::hidden());
                bar.set_style(b.style(RIGHT_BYTES));
                bar.set_prefix(b.fit(&b.label(name)));
                Some(b.multi.insert_before(&b.total, bar))
            }
            Mode::Events(sink) => {
                sink.emit(&Event::ComponentStart { component: name, size: len });
                None
            }
            Mode::Plain | Mode::JsonQuiet => None,
        };
        let throttle = events::Throttle::new();
        Meter { reporter: self, name: name.to_owned(), bar, started: Instant::now(), bytes: 0.into(), verb, len, throttle }
    }

    /// A spinner saying `msg` while silent work of unknown length runs (terminal only; with plain
    /// output the message is a `--verbose` line).
    pub fn spinner(&self, msg: &str) -> Spinner {
        match &self.mode {
            Mode::Bars(b) => {
                let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
                bar.set_style(ProgressStyle::with_template("{spinner} {msg} {elapsed}").expect("static template is valid"));
                bar.set_message(truncate(msg, b.width.saturating_sub(8)));
                let bar = b.multi.add(bar);
                bar.tick();
                // The tick may fall inside the draw rate limit; show the spinner now regardless.
                b.multi.suspend(|| ());
                bar.enable_steady_tick(Duration::from_millis(200));
                Spinner { bar: Some(bar) }
            }
            Mode::Plain | Mode::Events(_) | Mode::JsonQuiet => {
                self.verbose(msg);
                Spinner { bar: None }
            }
        }
    }

    /// Clears the bars (call before printing a final summary). Idempotent.
    pub fn finish(&self) {
        if let Mode::Bars(b) = &self.mode
            && let _joining = b.joining.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
            && b.shown.swap(false, Ordering::Relaxed)
        {
            b.multi.remove(&b.total);
            let _ = b.multi.clear();
        }
    }

    /// Records what an interrupt right now would leave behind (`None` once nothing would).
    pub fn set_left_behind(&self, what: Option<String>) {
        *self.left_behind.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = what;
    }

    /// Ends the process after Ctrl-C with `code`: prints [`Reporter::interrupted`]'s line while
    /// holding the output lock, so no worker thread's line can come after it.
    pub fn exit_interrupted(&self, code: i32) -> ! {
        let line = self.interrupted();
        let _guard = self.lines.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        eprintln!("{line}");
        std::process::exit(code)
    }

    /// The line to print when interrupted: what is left behind and that the next run resumes.
    pub fn interrupted(&self) -> String {
        self.finish();
        let left = self.left_behind.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        match left {
            Some(what) => {
                format!("{} interrupted: left {what}; the next run resumes the downloads and removes the rest", self.tag("error"))
            }
            None => format!("{} interrupted", self.tag("error")),
        }
    }
}

impl Bars {
    /// Widest name column that still leaves a bar of 10 columns.
    fn name_room(&self) -> usize {
        self.width.saturating_sub(RIGHT + 3 + 10).min(MAX_NAME)
    }

    fn label(&self, name: &str) -> String {
        let layout = self.layout.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        label(name, &layout.1)
    }

    /// `name` right-aligned in the name column, shortened with `…` when longer.
    fn fit(&self, name: &str) -> String {
        let column = self.layout.lock().unwrap_or_else(std::sync::PoisonError::into_inner).0;
        format!("{:>column$}", truncate(name, column))
    }

    /// `NAME [=====>    ] RIGHT`, exactly `width` columns: the bar takes what the name and the
    /// right-hand part leave.
    fn style(&self, right: &str) -> ProgressStyle {
        let column = self.layout.lock().unwrap_or_else(std::sync::PoisonError::into_inner).0;
        let bar = self.width.saturating_sub(column + 3 + RIGHT).max(1);
        ProgressStyle::with_template(&format!("{{prefix}} [{{bar:{bar}}}]{right}")).expect("template is valid").progress_chars("=> ")
    }

    fn refresh_total(&self) {
        #[allow(clippy::cast_precision_loss)]
        let mib = self.bytes.load(Ordering::Relaxed) as f64 / (1024.0 * 1024.0);
        let n = self.done.load(Ordering::Relaxed);
        let of = self.total.length().unwrap_or(0);
        let secs = self.started.lock().unwrap_or_else(std::sync::PoisonError::into_inner).elapsed().as_secs();
        self.total.set_position(n as u64);
        self.total.set_message(truncate(&format!("{n}/{of} components, {mib:.1} MiB, {secs} s"), RIGHT - 2));
    }
}

/// A component's label on its bar: without the host suffix and the `-preview` of renamed packages
/// (`clippy-preview-x86_64-unknown-linux-gnu` → `clippy`), as rustup shows them.
fn label(name: &str, host_suffix: &str) -> String {
    let short = if host_suffix.len() > 1 { name.strip_suffix(host_suffix).unwrap_or(name) } else { name };
    short.strip_suffix("-preview").unwrap_or(short).to_owned()
}

/// `s` cut to `max` characters, the last one replaced by `…` when cut.
fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

impl Meter<'_> {
    /// `n` more archive bytes arrived.
    pub fn add(&self, n: u64) {
        let bytes = self.bytes.fetch_add(n, Ordering::Relaxed) + n;
        if matches!(self.reporter.mode, Mode::Events(_)) && self.throttle.ready() {
            self.reporter.emit(&Event::Progress { component: &self.name, bytes, size: self.len });
        }
        if let (Some(bar), Mode::Bars(b)) = (&self.bar, &self.reporter.mode) {
            bar.inc(n);
            b.bytes.fetch_add(n, Ordering::Relaxed);
            b.refresh_total();
        }
    }

    /// The archive is in; files are being moved into place.
    pub fn unpacking(&self) {
        // The archive is complete: its last byte count, whatever the throttle says.
        let bytes = self.bytes.load(Ordering::Relaxed);
        self.reporter.emit(&Event::Progress { component: &self.name, bytes, size: self.len });
        if let (Some(bar), Mode::Bars(b)) = (&self.bar, &self.reporter.mode) {
            bar.set_style(b.style(RIGHT_PLACING));
        }
    }

    /// The component is done: its bar goes and one line stays
    /// (`<verb> <name> (<MiB> MiB in <s> s)`), on a terminal as in a log.
    pub fn done(&self) {
        let bytes = self.bytes.load(Ordering::Relaxed);
        #[allow(clippy::cast_precision_loss)]
        let mib = bytes as f64 / (1024.0 * 1024.0);
        self.done_with(&format!("{} {} ({mib:.1} MiB in {:.1} s)", self.verb, self.name, self.seconds()));
    }

    /// Seconds since the meter started.
    pub fn seconds(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    /// Like [`Meter::done`], with `line` as the record left behind.
    pub fn done_with(&self, line: &str) {
        let bytes = self.bytes.load(Ordering::Relaxed);
        self.reporter.emit(&Event::ComponentDone { component: &self.name, bytes, seconds: self.seconds() });
        if let (Some(bar), Mode::Bars(b)) = (&self.bar, &self.reporter.mode) {
            bar.finish_and_clear();
            b.multi.remove(bar);
            b.done.fetch_add(1, Ordering::Relaxed);
            b.refresh_total();
        }
        self.reporter.info(line);
    }

    /// The archive went to the download cache to be unpacked later (no decoder was free): its
    /// bar goes and its bytes leave the total, which counts them again as the cached copy is read.
    pub fn set_aside(&self) {
        if let (Some(bar), Mode::Bars(b)) = (&self.bar, &self.reporter.mode) {
            bar.finish_and_clear();
            b.multi.remove(bar);
            b.bytes.fetch_sub(self.bytes.load(Ordering::Relaxed), Ordering::Relaxed);
            b.refresh_total();
        }
    }

    /// The component failed; its bar goes (the error says why).
    pub fn failed(&self) {
        if let (Some(bar), Mode::Bars(b)) = (&self.bar, &self.reporter.mode) {
            bar.finish_and_clear();
            b.multi.remove(bar);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_drop_the_host_and_preview() {
        let host = "-x86_64-unknown-linux-gnu";
        assert_eq!(label("rustc-x86_64-unknown-linux-gnu", host), "rustc");
        assert_eq!(label("clippy-preview-x86_64-unknown-linux-gnu", host), "clippy");
        assert_eq!(label("rust-std-aarch64-unknown-linux-gnu", host), "rust-std-aarch64-unknown-linux-gnu");
        assert_eq!(label("rust-src", host), "rust-src");
        assert_eq!(truncate("rust-std-aarch64-unknown-linux-gnu", 10), "rust-std-…");
    }
}
