//! `tcup toolchain verify [TOOLCHAIN] [--repair | --adopt]`: the files, and the stored signature of
//! the channel manifest (`lib/rustlib/multirust-channel-manifest.toml.asc`), verified again; or,
//! with `--adopt`, a toolchain rustup installed compared with its archives and recorded.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::output::{self, Document, ToolchainRef};
use crate::env::Env;
use crate::ops::active::context::Session;
use crate::ops::toolchain::adopt::Adopted;
use crate::ops::toolchain::verify::{self, Report, Stored};
use crate::progress::Reporter;

/// Prints the findings (one line per file: `<component>: changed|missing|extra <path>`, and
/// `(link): leads outside <path>` per symbolic link that leaves the toolchain) and fails
/// (exit 1) when something is wrong and was not repaired.
pub(super) fn run(toolchain: Option<&str>, repair: bool, env: &Env, reporter: &Reporter) -> anyhow::Result<()> {
    let toolchain = Session::load(env)?.managed_toolchain(env, toolchain)?;
    let root = output::absolute(&verify::root(env, &toolchain));
    if repair {
        let downloader = crate::ops::downloader(env)?;
        let (report, applied) = verify::repair(env, &toolchain, &downloader, reporter)?;
        warn(&report, reporter);
        let repaired = applied.as_ref().map(|a| a.fetched.clone());
        output::print(env, &VerifyDoc::new(&report, &root, repaired.clone()));
        if let Some(fetched) = repaired {
            let fixed =
                if fetched.is_empty() { "no download needed".to_owned() } else { format!("downloaded again: {}", fetched.join(", ")) };
            reporter.info(&format!("repaired '{toolchain}' ({fixed})"));
        }
        return Ok(());
    }
    let report = verify::verify(env, &toolchain)?;
    warn(&report, reporter);
    output::print(env, &VerifyDoc::new(&report, &root, None));
    match verify::stored_signature(env, &toolchain)? {
        Stored::Signed(s) => reporter.info(&format!("the channel manifest of '{toolchain}' is signed by {s}")),
        Stored::Unsigned => reporter.info(&format!("the channel manifest of '{toolchain}' is not signed (installed unsigned, or by rustup)")),
        Stored::NoManifest => reporter.info(&format!("'{toolchain}' has no channel manifest (installed from local tarballs)")),
        // rustup re-serialises the stored manifest when it changes a toolchain (`rustup component
        // add`), so a mismatch here is expected after rustup touched it: a warning, not a failure
        // (the manifest was verified when it was downloaded; docs/design.md trust-7).
        Stored::Bad(b) => reporter.warn(&format!(
            "the stored signature of '{toolchain}' no longer matches its channel manifest (rewritten since it was verified, e.g. by `rustup component add`): {b}"
        )),
    }
    if report.is_clean() {
        Ok(())
    } else {
        anyhow::bail!("toolchain '{toolchain}' does not match what was installed; `tcup toolchain verify --repair {toolchain}` fixes it")
    }
}

/// `--adopt`: says what was recorded; a toolchain that differs from its archives is the error
/// (exit 1, every file named).
pub(super) fn adopt(toolchain: Option<&str>, env: &Env, reporter: &Reporter) -> anyhow::Result<()> {
    let toolchain = Session::load(env)?.managed_toolchain(env, toolchain)?;
    let downloader = crate::ops::downloader(env)?;
    match crate::ops::toolchain::adopt::adopt(env, &toolchain, &downloader, reporter)? {
        Adopted::Recorded { components, files } => reporter
            .info(&format!("recorded '{toolchain}': {components} components, every file as in its archive ({files} files compared)")),
        Adopted::AlreadyRecorded => {
            reporter.info(&format!("'{toolchain}' already has tcup's record; `tcup toolchain verify {toolchain}` checks it"));
        }
    }
    Ok(())
}

fn warn(report: &Report, reporter: &Reporter) {
    for l in &report.links_outside {
        reporter.warn(&format!(
            "the symbolic link '{}' -> '{}' leads out of the toolchain: {}",
            l.path.display(),
            l.target.display(),
            l.why
        ));
    }
    if !report.has_receipt {
        reporter.warn(&format!(
            "toolchain '{}' has no CRC receipt (installed by rustup or an older tcup): only missing and extra files are checked; `tcup update` records one",
            report.toolchain
        ));
    }
    let unrecorded: Vec<&str> = report.components.iter().filter(|c| !c.recorded).map(|c| c.name.as_str()).collect();
    if report.has_receipt && !unrecorded.is_empty() {
        reporter.warn(&format!("no current checksums for {} (changed by rustup since?): contents not checked", unrecorded.join(", ")));
    }
}

/// `toolchain verify`: every installed file against the receipt (paths absolute).
#[derive(Serialize)]
struct VerifyDoc {
    toolchain: ToolchainRef,
    /// The toolchain's directory.
    path: PathBuf,
    /// Whether tcup's CRC receipt exists (without it only missing and extra files are found).
    has_receipt: bool,
    /// Whether every file is as installed (before a repair).
    clean: bool,
    components: Vec<ComponentDoc>,
    /// Files no component installed.
    extra: Vec<PathBuf>,
    /// Symbolic links that lead out of the toolchain when followed.
    links_outside: Vec<PathBuf>,
    /// With `--repair`: the components downloaded again (`null` when nothing needed repair).
    repaired: Option<Vec<String>>,
}

#[derive(Serialize)]
struct ComponentDoc {
    name: String,
    /// Whether a current checksum record exists for it.
    recorded: bool,
    changed: Vec<PathBuf>,
    missing: Vec<PathBuf>,
    extra: Vec<PathBuf>,
}

impl VerifyDoc {
    fn new(r: &Report, root: &Path, repaired: Option<Vec<String>>) -> VerifyDoc {
        let abs = |files: &[PathBuf]| files.iter().map(|f| root.join(f)).collect::<Vec<_>>();
        VerifyDoc {
            toolchain: ToolchainRef::named(&r.toolchain),
            path: root.to_path_buf(),
            has_receipt: r.has_receipt,
            clean: r.is_clean(),
            components: r
                .components
                .iter()
                .map(|c| ComponentDoc {
                    name: c.name.clone(),
                    recorded: c.recorded,
                    changed: abs(&c.changed),
                    missing: abs(&c.missing),
                    extra: abs(&c.extra),
                })
                .collect(),
            extra: abs(&r.extra),
            links_outside: r.links_outside.iter().map(|l| root.join(&l.path)).collect(),
            repaired,
        }
    }
}

impl Document for VerifyDoc {
    /// One line per finding, paths relative to the toolchain; a summary line when clean.
    fn text(&self) -> String {
        let rel = |f: &PathBuf| f.strip_prefix(&self.path).unwrap_or(f).display().to_string();
        let mut out = String::new();
        for c in &self.components {
            for (what, files) in [("changed", &c.changed), ("missing", &c.missing), ("extra", &c.extra)] {
                for f in files {
                    let _ = writeln!(out, "{}: {what} {}", c.name, rel(f));
                }
            }
        }
        for f in &self.extra {
            let _ = writeln!(out, "(no component): extra {}", rel(f));
        }
        for f in &self.links_outside {
            let _ = writeln!(out, "(link): leads outside {}", rel(f));
        }
        if self.clean {
            let _ = writeln!(out, "{}: {} components, every file as installed", self.toolchain.name, self.components.len());
        }
        out
    }
}
