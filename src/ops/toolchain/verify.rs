//! `tcup toolchain verify [--repair]`: compares an installed toolchain with tcup's per-file CRC32
//! receipt ([`crate::install::file_check`]) and rustup's file lists, and reports changed, missing and
//! extra files by component, and every symbolic link that leads out of the toolchain. `--repair` rebuilds the toolchain through [`super::change`] from its
//! own channel manifest, downloading only the affected components (an extra file outside every
//! component just disappears with the rebuild, which links listed files only).
//!
//! Without tcup's receipt (rustup installed the toolchain, or rustup updated it since, which makes
//! the record stale), contents cannot be checked: missing and extra files still are, and the
//! report says so; `tcup update` records the checksums.

use std::collections::BTreeSet;
use std::path::PathBuf;

use anyhow::Context as _;

use crate::dist::name::LocalName;
use crate::download::Downloader;
use crate::env::Env;
use crate::home::Home;
use crate::home::toolchain::{ComponentPart, InstalledComponent, ToolchainDir};
use crate::install::file_check;
use crate::ops::toolchain::rebuild::{self, Applied, Current};
use crate::ops::toolchain::update::{Additions, wanted};
use crate::progress::Reporter;

pub use crate::fetch::signature::Stored;

/// Findings for one component.
#[derive(Debug, Clone, Default)]
pub struct ComponentReport {
    /// Installed name.
    pub name: String,
    /// Whether a current CRC32 record exists for it.
    pub recorded: bool,
    /// Files whose contents or length changed.
    pub changed: Vec<PathBuf>,
    /// Files gone.
    pub missing: Vec<PathBuf>,
    /// Files in its directories that it did not install.
    pub extra: Vec<PathBuf>,
}

impl ComponentReport {
    /// True when the component needs a repair.
    pub fn damaged(&self) -> bool {
        !(self.changed.is_empty() && self.missing.is_empty() && self.extra.is_empty())
    }
}

/// Findings for a toolchain.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Toolchain directory name.
    pub toolchain: String,
    /// Per component, in installed order.
    pub components: Vec<ComponentReport>,
    /// Files no component installed.
    pub extra: Vec<PathBuf>,
    /// Symbolic links that lead out of the toolchain when followed (docs/design.md install-3):
    /// a toolchain tcup installed holds none, so one was planted.
    pub links_outside: Vec<file_check::LinkOutside>,
    /// Whether tcup's receipt file exists at all.
    pub has_receipt: bool,
}

impl Report {
    /// True when nothing is wrong.
    pub fn is_clean(&self) -> bool {
        self.extra.is_empty() && self.links_outside.is_empty() && !self.components.iter().any(ComponentReport::damaged)
    }
}

/// Checks `current`'s files.
///
/// # Errors
/// A file or directory cannot be read.
pub fn check(current: &Current) -> anyhow::Result<Report> {
    let head = Report { toolchain: current.toolchain.to_string(), has_receipt: current.receipt.is_some(), ..Report::default() };
    check_files(head, current.dir.root(), &current.components, |c| current.record(c))
}

/// Checks the files of a toolchain installed from loose tarballs (it has receipts and tcup's
/// record but no channel manifest, so every record is current: nothing could change a component
/// since).
///
/// # Errors
/// The receipts or the record cannot be read; a file or directory cannot be read.
fn check_loose(toolchain: &LocalName, dir: &ToolchainDir) -> anyhow::Result<Report> {
    let components = dir.components().with_context(|| format!("reading toolchain '{toolchain}'"))?;
    let receipt = dir.read_record()?;
    let head = Report { toolchain: toolchain.to_string(), has_receipt: receipt.is_some(), ..Report::default() };
    check_files(head, dir.root(), &components, |c| receipt.as_ref()?.get(&c.name()))
}

/// The report on the files below `root` of `components`, with their records (`record`).
fn check_files<'r>(
    mut report: Report,
    root: &std::path::Path,
    components: &[InstalledComponent],
    record: impl Fn(&InstalledComponent) -> Option<&'r file_check::Recorded>,
) -> anyhow::Result<Report> {
    for c in components {
        let record = record(c);
        let (_, listed_missing) = file_check::listed_files(root, &c.parts)?;
        let mut r = ComponentReport { name: c.name(), recorded: record.is_some(), missing: listed_missing, ..ComponentReport::default() };
        if let Some(rec) = record {
            let d = file_check::check(root, &rec.files).with_context(|| format!("checking component {}", c.name()))?;
            r.changed = d.changed;
            for m in d.missing {
                if !r.missing.contains(&m) {
                    r.missing.push(m);
                }
            }
        }
        report.components.push(r);
    }
    let parts: Vec<(String, &[ComponentPart], Option<&file_check::Recorded>)> =
        components.iter().map(|c| (c.name(), c.parts.as_slice(), record(c))).collect();
    let borrowed: Vec<(&str, &[ComponentPart], Option<&file_check::Recorded>)> =
        parts.iter().map(|(n, l, r)| (n.as_str(), *l, *r)).collect();
    report.links_outside = file_check::links_outside(root).context("looking for symbolic links that leave the toolchain")?;
    for (owner, path) in file_check::extra_files(root, &borrowed)? {
        match owner.and_then(|o| report.components.iter_mut().find(|c| c.name == o)) {
            Some(c) => c.extra.push(path),
            None => report.extra.push(path),
        }
    }
    Ok(report)
}

/// Verifies the installed `toolchain`.
///
/// # Errors
/// It is not installed or cannot be read.
pub fn verify(env: &Env, toolchain: &LocalName) -> anyhow::Result<Report> {
    let home = Home::new(&env.rustup_home);
    let dir = home.toolchain(toolchain);
    if dir.has_receipts() && !dir.channel_manifest_file().exists() {
        return check_loose(toolchain, &dir);
    }
    check(&Current::read(&home, toolchain)?)
}

/// The directory of the installed `toolchain` (`RUSTUP_HOME/toolchains/<name>`), as the report's
/// paths are relative to.
pub fn root(env: &Env, toolchain: &LocalName) -> PathBuf {
    Home::new(&env.rustup_home).toolchain(toolchain).root().to_path_buf()
}

/// Verifies again the stored signature of the installed `toolchain`'s channel manifest
/// (`lib/rustlib/multirust-channel-manifest.toml.asc`) over the stored manifest.
///
/// # Errors
/// The manifest cannot be read, or a key file cannot be loaded.
pub fn stored_signature(env: &Env, toolchain: &LocalName) -> anyhow::Result<Stored> {
    crate::fetch::signature::verify_stored(env, &Home::new(&env.rustup_home).toolchain(toolchain))
}

/// Verifies, then rebuilds the toolchain with the damaged components downloaded again. Returns
/// the report from before the repair and what was done (`None` when nothing needed doing).
///
/// # Errors
/// As [`verify`], plus download and install failures (the toolchain is then unchanged).
pub fn repair(env: &Env, toolchain: &LocalName, downloader: &Downloader, reporter: &Reporter) -> anyhow::Result<(Report, Option<Applied>)> {
    let home = Home::new(&env.rustup_home);
    let _lock = crate::ops::toolchain::install::lock_home(&home, reporter)?;
    let current = Current::read(&home, toolchain)?;
    let report = check(&current)?;
    if report.is_clean() {
        return Ok((report, None));
    }
    let refetch: BTreeSet<String> = report.components.iter().filter(|c| c.damaged()).map(|c| c.name.clone()).collect();
    let host = toolchain.channel_name().and_then(|n| n.host).unwrap_or_default();
    let wanted = wanted(&current, &current.manifest, &host, &Additions::default())?;
    let plan = rebuild::plan(&current, &current.manifest, &wanted, &refetch);
    let applied = rebuild::apply(env, &current, &current.manifest, plan, false, downloader, reporter)?;
    Ok((report, Some(applied)))
}
