//! Identical components across toolchains (docs/design.md fetch-7): archives are named by their
//! SHA-256, so a component another installed toolchain got from the same archive is the same
//! bytes. `stable` and `1.95.0`, or `beta` and `stable` in the week they agree, or `nightly` and
//! `nightly-<date>`, then share files by hard link instead of a second download and a second copy.
//!
//! A donor is trusted only as far as tcup's per-file record of it goes: its record must name an
//! archive the new manifest lists for the component (any format: gz and xz of one build have
//! different hashes and the same files), and every recorded file must still have its length and
//! CRC32. A toolchain without a record (installed by rustup) is never a donor. A shared file is
//! one inode in both trees: uninstalling either unlinks only its own names, and `toolchain
//! verify` of either sees a change made through the other. Linking across file systems falls
//! back to a copy ([`crate::install::link`]).

use crate::dist::manifest::Manifest;
use crate::dist::name::LocalName;
use crate::dist::select::Selected;
use crate::home::Home;
use crate::home::toolchain::{ComponentId, InstalledComponent, Receipt};
use crate::install::{file_check, link};

/// A component found intact in another installed toolchain.
pub struct Donor {
    /// The component as selected for the new toolchain.
    pub selected: Selected,
    /// The toolchain that has it.
    pub toolchain: LocalName,
    /// Its receipt there (parts, recorded files, archive hash).
    pub receipt: Receipt,
}

/// For each of `wanted` (from `manifest`), the first installed toolchain in `home` other than
/// `except` that holds it intact. Components found nowhere are left out (they are downloaded).
/// A toolchain that cannot be read is passed over: sharing is an optimisation, never a failure.
pub fn donors(home: &Home, manifest: &Manifest, wanted: &[Selected], except: &LocalName) -> Vec<Donor> {
    let mut found: Vec<Donor> = Vec::new();
    if wanted.is_empty() {
        return found;
    }
    for name in home.toolchains().into_iter().filter(|n| n != except) {
        if found.len() == wanted.len() {
            break;
        }
        let dir = home.toolchain(&name);
        if home.is_linked(&name) || !dir.has_receipts() {
            continue;
        }
        let (Ok(components), Ok(Some(record))) = (dir.components(), dir.read_record()) else { continue };
        for w in wanted {
            if found.iter().any(|d| d.selected.name() == w.name()) {
                continue;
            }
            let id = ComponentId::new(&w.pkg, &w.target);
            let Some(c) = components.iter().find(|c| c.id == id) else { continue };
            let Some(r) = record.get(&c.name()) else { continue };
            if !manifest.archive_hashes(&id.pkg, id.target.as_key()).contains(&r.archive_hash) || r.files.is_empty() {
                continue;
            }
            let intact = file_check::check(dir.root(), &r.files).is_ok_and(|d| d.is_empty())
                && file_check::listed_files(dir.root(), &c.parts).is_ok_and(|(_, missing)| missing.is_empty());
            if intact {
                let component = InstalledComponent { id, is_extension: w.is_extension, parts: c.parts.clone() };
                let receipt = Receipt { component, files: r.files.clone(), archive_hash: r.archive_hash.clone() };
                found.push(Donor { selected: w.clone(), toolchain: name.clone(), receipt });
            }
        }
    }
    found
}

/// Hard-links `donor`'s files into the staging `tree` and returns its receipt for the new
/// toolchain.
///
/// # Errors
/// A file cannot be linked or copied (named in the error).
pub fn link_into(home: &Home, donor: &Donor, tree: &std::path::Path) -> std::io::Result<Receipt> {
    link::link_component(home.toolchain(&donor.toolchain).root(), tree, &donor.receipt.component.parts)?;
    Ok(donor.receipt.clone())
}

/// For every installed toolchain, the components whose files are shared with another one (the
/// first recorded file of each is one inode in both), as `(component, other toolchain)` pairs,
/// sorted. Each toolchain's record is read once. For `toolchain list -v`.
pub fn sharing(home: &Home) -> std::collections::BTreeMap<LocalName, Vec<(String, LocalName)>> {
    /// (component, (device, inode) of its first recorded file)
    type FirstFiles = Vec<(String, (u64, u64))>;
    let first_files: Vec<(LocalName, FirstFiles)> = home
        .toolchains()
        .into_iter()
        .filter(|n| !home.is_linked(n))
        .map(|n| {
            let dir = home.toolchain(&n);
            let files = match dir.read_record() {
                Ok(Some(record)) => record
                    .into_iter()
                    .filter_map(|(component, r)| {
                        let m = fs_err::metadata(dir.root().join(&r.files.first()?.path)).ok()?;
                        Some((component, crate::sys::identity::of(&m)))
                    })
                    .collect(),
                _ => Vec::new(),
            };
            (n, files)
        })
        .collect();
    let mut out = std::collections::BTreeMap::new();
    for (name, mine) in &first_files {
        let mut pairs = Vec::new();
        for (other, theirs) in first_files.iter().filter(|(o, _)| o != name) {
            for (component, inode) in mine {
                if theirs.iter().any(|(_, i)| i == inode) {
                    pairs.push((component.clone(), other.clone()));
                }
            }
        }
        pairs.sort();
        out.insert(name.clone(), pairs);
    }
    out
}

/// Says what was linked, one line per donor toolchain so it fits 80 columns
/// (`linked 3 components from stable-x86_64-unknown-linux-gnu (same archives)`); the names
/// under `--verbose`.
pub fn report(donors: &[Donor], reporter: &crate::progress::Reporter) {
    let mut from: Vec<&LocalName> = donors.iter().map(|d| &d.toolchain).collect();
    from.sort();
    from.dedup();
    for t in from {
        let names: Vec<String> = donors.iter().filter(|d| &d.toolchain == t).map(|d| d.selected.name()).collect();
        let n = names.len();
        reporter.info(&format!("linked {n} component{} from {t} (same archives)", if n == 1 { "" } else { "s" }));
        reporter.verbose(&format!("not downloaded, hard-linked from {t}: {}", names.join(", ")));
    }
}
