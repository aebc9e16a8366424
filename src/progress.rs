//! What the user sees while tcup works: indicatif bars per component plus a total on a terminal,
//! one plain line per component otherwise (logs, CI, `docker build`), nothing but warnings and
//! errors with `--quiet`. `RUSTUP_TERM_PROGRESS_WHEN` (`auto`/`always`/`never`) decides bars.
//! Operations report through [`Reporter`]; they never print directly.

use std::sync::Mutex;
use std::time::Instant;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::env::{Env, ProgressWhen};

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

enum Mode {
    /// `total` joins the display with the first component, so nothing is drawn before work starts.
    Bars {
        multi: MultiProgress,
        total: ProgressBar,
        shown: std::sync::atomic::AtomicBool,
    },
    Plain,
}

/// Reports progress and messages to stderr. Shared by the worker threads of one operation.
pub struct Reporter {
    mode: Mode,
    verbosity: Verbosity,
    lines: Mutex<()>,
}

/// Progress of one component's download and unpack.
pub struct Meter<'a> {
    reporter: &'a Reporter,
    name: String,
    bar: Option<ProgressBar>,
    started: Instant,
    bytes: std::sync::atomic::AtomicU64,
}

impl Reporter {
    /// The reporter for this environment and verbosity.
    pub fn new(env: &Env, verbosity: Verbosity) -> Reporter {
        let bars = verbosity != Verbosity::Quiet
            && match env.progress_when {
                ProgressWhen::Always => true,
                ProgressWhen::Never => false,
                ProgressWhen::Auto => env.stderr_is_terminal,
            };
        let mode = if bars {
            let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
            let total = ProgressBar::new(0);
            total.set_style(style("{prefix:>32.bold} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} {elapsed}"));
            total.set_prefix("total");
            Mode::Bars { multi, total, shown: false.into() }
        } else {
            Mode::Plain
        };
        Reporter { mode, verbosity, lines: Mutex::new(()) }
    }

    /// A reporter that prints nothing but warnings (tests, `--quiet`).
    pub fn quiet() -> Reporter {
        Reporter { mode: Mode::Plain, verbosity: Verbosity::Quiet, lines: Mutex::new(()) }
    }

    fn print(&self, line: &str) {
        let _guard = self.lines.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match &self.mode {
            Mode::Bars { multi, .. } => multi.suspend(|| eprintln!("{line}")),
            Mode::Plain => eprintln!("{line}"),
        }
    }

    /// A result or step worth telling (`info: …`); not shown with `--quiet`.
    pub fn info(&self, msg: &str) {
        if self.verbosity != Verbosity::Quiet {
            self.print(&format!("info: {msg}"));
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
        self.print(&format!("warning: {msg}"));
    }

    /// Starts metering component `name`; `len` is the archive size when known (bytes).
    pub fn start(&self, name: &str, len: Option<u64>) -> Meter<'_> {
        let bar = match &self.mode {
            Mode::Bars { multi, total, shown } => {
                if !shown.swap(true, std::sync::atomic::Ordering::Relaxed) {
                    multi.add(total.clone());
                }
                let bar = multi.insert_before(total, ProgressBar::new(len.unwrap_or(0)));
                bar.set_style(style("{prefix:>32} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} {msg}"));
                bar.set_prefix(name.to_owned());
                total.inc_length(len.unwrap_or(0));
                Some(bar)
            }
            Mode::Plain => None,
        };
        Meter { reporter: self, name: name.to_owned(), bar, started: Instant::now(), bytes: 0.into() }
    }

    /// Clears the bars (call before printing a final summary).
    pub fn finish(&self) {
        if let Mode::Bars { total, shown, .. } = &self.mode
            && shown.load(std::sync::atomic::Ordering::Relaxed)
        {
            total.finish();
        }
    }
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).expect("static template is valid").progress_chars("=> ")
}

impl Meter<'_> {
    /// `n` more archive bytes arrived.
    pub fn add(&self, n: u64) {
        self.bytes.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
        if let (Some(bar), Mode::Bars { total, .. }) = (&self.bar, &self.reporter.mode) {
            bar.inc(n);
            total.inc(n);
        }
    }

    /// The archive is in; files are being moved into place.
    pub fn unpacking(&self) {
        if let Some(bar) = &self.bar {
            bar.set_message("installing");
        }
    }

    /// The component is installed: the bar completes, or one plain line is printed
    /// (`installed <name> (<MiB> MiB in <s> s)`).
    pub fn done(&self) {
        let bytes = self.bytes.load(std::sync::atomic::Ordering::Relaxed);
        if let Some(bar) = &self.bar {
            bar.set_length(bytes);
            bar.finish_with_message("installed");
        } else {
            #[allow(clippy::cast_precision_loss)]
            let mib = bytes as f64 / (1024.0 * 1024.0);
            self.reporter.info(&format!("installed {} ({mib:.1} MiB in {:.1} s)", self.name, self.started.elapsed().as_secs_f64()));
        }
    }

    /// The component failed; its bar stops where it is.
    pub fn failed(&self) {
        if let Some(bar) = &self.bar {
            bar.abandon_with_message("failed");
        }
    }
}
