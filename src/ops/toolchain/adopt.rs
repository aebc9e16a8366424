//! `tcup toolchain verify --adopt [TOOLCHAIN]`: gives a toolchain rustup installed (no tcup record)
//! tcup's per-file record, so it can serve as a toolchain store (docs/store.md) — but only after
//! proving every file is what the dist server published. Each archive the installed channel
//! manifest names for an installed component is downloaded again (hash-checked against the
//! manifest as any install's, then unpacked into staging), and every file of the installed tree
//! is compared with the archive's byte for byte (and its executable bit), every listed path
//! counted: a changed, missing or extra file refuses the adoption, names the files, and writes
//! nothing. Only a tree equal to its archives gets the record (the archives' lengths and CRC-32s,
//! the archive hashes), written in one rename.
//!
//! Run it as the store's owner, on the store's own home: the toolchain is not changed, only
//! `lib/rustlib/tcup-receipt` is added.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::dist::name::LocalName;
use crate::dist::select::Selection;
use crate::download::Downloader;
use crate::env::Env;
use crate::home::Home;
use crate::home::toolchain::{InstalledComponent, Receipt};
use crate::install::file_check;
use crate::install::staging::Staging;
use crate::ops::toolchain::rebuild::Current;
use crate::ops::toolchain::update::{Additions, wanted};
use crate::progress::Reporter;

/// How an adoption ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Adopted {
    /// The record was written: components and regular files compared.
    Recorded {
        /// Components compared.
        components: usize,
        /// Regular files compared.
        files: usize,
    },
    /// tcup's current record was already there: nothing downloaded or written.
    AlreadyRecorded,
}

/// The installed tree differs from its archives (exit 1); nothing was written.
#[derive(Debug, thiserror::Error)]
#[error("toolchain '{toolchain}' differs from the archives its channel manifest names; nothing recorded:\n{}", lines(.differences))]
pub struct Differs {
    /// The toolchain.
    pub toolchain: String,
    /// `(component, "changed" | "missing" | "extra", absolute path)`.
    pub differences: Vec<(String, &'static str, PathBuf)>,
}

crate::error::exit_code!(Differs, |_| crate::error::EXIT_FAILURE);

fn lines(d: &[(String, &'static str, PathBuf)]) -> String {
    d.iter().map(|(c, what, p)| format!("  {c}: {what} {}", p.display())).collect::<Vec<_>>().join("\n")
}

/// Adopts the installed `toolchain` of `env`'s home (see the module documentation).
///
/// # Errors
/// [`Differs`] when a file differs; the toolchain is not installed or not from a dist server; a
/// download or unpack fails; the record cannot be written.
pub fn adopt(env: &Env, toolchain: &LocalName, downloader: &Downloader, reporter: &Reporter) -> anyhow::Result<Adopted> {
    let home = Home::new(&env.rustup_home);
    let _lock = crate::ops::toolchain::install::lock_home(&home, reporter)?;
    let current = Current::read(&home, toolchain)?;
    if current.receipt.is_some() && current.components.iter().all(|c| current.record(c).is_some()) {
        return Ok(Adopted::AlreadyRecorded);
    }
    let host = toolchain.channel_name().and_then(|n| n.host).unwrap_or_default();
    let components = wanted(&current, &current.manifest, &host, &Additions::default())?;
    let mut selection = Selection { components, warnings: Vec::new() };
    super::offline::prefer_downloaded(env, &mut selection, &home.downloads());
    super::offline::check_present(env, &selection.components, &home.downloads(), || {
        super::offline::fetch_command_for(toolchain.as_str(), &selection.components)
    })?;
    reporter.info(&format!("downloading the {} archives of '{toolchain}' again to compare every file", selection.components.len()));
    let staging = Staging::new(&home).with_context(|| format!("creating a staging directory in {}", home.tmp().display()))?;
    let fetched = crate::fetch::pool::fetch_all(env, &selection, &staging, downloader, reporter)?;
    reporter.finish();
    for c in &selection.components {
        home.downloads().forget(&c.archive.hash);
    }
    let mut differences = Vec::new();
    let mut receipts = Vec::new();
    for c in &current.components {
        let Some(r) = fetched.iter().find(|r| r.component.id == c.id) else {
            anyhow::bail!("no archive for component {} in the channel manifest of '{toolchain}'", c.name());
        };
        differences.extend(compare(current.dir.root(), &staging.tree(), c, r)?);
        receipts.push(Receipt { component: c.clone(), files: r.files.clone(), archive_hash: r.archive_hash.clone() });
    }
    if !differences.is_empty() {
        return Err(Differs { toolchain: toolchain.to_string(), differences }.into());
    }
    current.dir.write_record(&receipts).context("writing tcup's record")?;
    Ok(Adopted::Recorded { components: receipts.len(), files: receipts.iter().map(|r| r.files.len()).sum() })
}

/// The differences between installed component `c` at `root` and its archive's files `r`
/// unpacked at `unpacked`: `(component, what, absolute installed path)`.
fn compare(root: &Path, unpacked: &Path, c: &InstalledComponent, r: &Receipt) -> anyhow::Result<Vec<(String, &'static str, PathBuf)>> {
    let name = c.name();
    let mut out = Vec::new();
    let (installed, missing) = file_check::listed_files(root, &c.parts).with_context(|| format!("reading component {name}"))?;
    for m in missing {
        out.push((name.clone(), "missing", root.join(m)));
    }
    for f in &r.files {
        let (mine, theirs) = (root.join(&f.path), unpacked.join(&f.path));
        if !installed.contains(&f.path) {
            if !out.iter().any(|(_, _, p)| *p == mine) {
                out.push((name.clone(), "missing", mine));
            }
        } else if !file_check::same_file_contents(&mine, &theirs).with_context(|| format!("comparing {}", mine.display()))? {
            out.push((name.clone(), "changed", mine));
        }
    }
    for extra in installed.iter().filter(|p| !r.files.iter().any(|f| f.path == **p)) {
        out.push((name.clone(), "extra", root.join(extra)));
    }
    Ok(out)
}
