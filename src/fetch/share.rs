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
//!
//! After the home's own toolchains, the toolchain stores (`TCUP_TOOLCHAIN_STORE`, docs/store.md)
//! are donors too, matched the same way; their files are checked where they land, not where they
//! lie ([`super::store`]).

use std::path::{Path, PathBuf};

use crate::dist::manifest::Manifest;
use crate::dist::name::LocalName;
use crate::dist::select::Selected;
use crate::home::Home;
use crate::home::ToolchainDir;
use crate::home::toolchain::{ComponentId, InstalledComponent, Receipt};
use crate::install::staging::Staging;
use crate::install::{file_check, link};
use crate::progress::Reporter;

/// Where a donor's component lies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Another toolchain of this home, checked in place.
    Home(LocalName),
    /// A toolchain in a store: its directory.
    Store(PathBuf),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Home(n) => write!(f, "{n}"),
            Source::Store(p) => write!(f, "{} (store)", p.display()),
        }
    }
}

/// A component found in another installed toolchain or a store.
pub struct Donor {
    /// The component as selected for the new toolchain.
    pub selected: Selected,
    /// The toolchain that has it.
    pub source: Source,
    /// Its receipt there (parts, recorded files, archive hash).
    pub receipt: Receipt,
}

/// For each of `wanted` (from `manifest`), the first installed toolchain in `home` other than
/// `except` that holds it intact, else the first toolchain of `stores` (in order) whose record
/// names one of its archives (checked once placed, [`take`]). Components found nowhere are left
/// out (they are downloaded). A toolchain that cannot be read is passed over: sharing is an
/// optimisation, never a failure.
pub fn donors(home: &Home, stores: &[PathBuf], manifest: &Manifest, wanted: &[Selected], except: &LocalName) -> Vec<Donor> {
    let mut found: Vec<Donor> = Vec::new();
    let mine = fs_err::canonicalize(home.toolchains_dir()).ok();
    let own = home.toolchains().into_iter().filter(|n| n != except && !home.is_linked(n)).map(|n| (home.toolchain(&n), Source::Home(n)));
    let in_stores = stores
        .iter()
        .filter(|s| mine.is_none() || fs_err::canonicalize(s).ok() != mine)
        .flat_map(|s| crate::home::store::Store::at(s).toolchains())
        .map(|d| {
            let p = d.root().to_path_buf();
            (d, Source::Store(p))
        });
    for (dir, source) in own.chain(in_stores) {
        if found.len() == wanted.len() {
            break;
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
            if matches!(source, Source::Home(_)) && !intact(&dir, &r.files, &c.parts) {
                continue;
            }
            let component = InstalledComponent { id, is_extension: w.is_extension, parts: c.parts.clone() };
            let receipt = Receipt { component, files: r.files.clone(), archive_hash: r.archive_hash.clone() };
            found.push(Donor { selected: w.clone(), source: source.clone(), receipt });
        }
    }
    found
}

/// Whether every recorded file at `dir` has its length and CRC32 and every listed path exists.
fn intact(dir: &ToolchainDir, files: &[file_check::FileRecord], parts: &[crate::home::toolchain::ComponentPart]) -> bool {
    file_check::check(dir.root(), files).is_ok_and(|d| d.is_empty())
        && file_check::listed_files(dir.root(), parts).is_ok_and(|(_, missing)| missing.is_empty())
}

/// What [`take`] put into staging instead of downloading.
#[derive(Debug, Default)]
pub struct Taken {
    /// The receipts of the components taken (the donors' records).
    pub receipts: Vec<Receipt>,
    /// `(component, store toolchain directory)` for each component taken from a store
    /// (`lib/rustlib/tcup-store-origin`, [`crate::home::store`]).
    pub from_store: Vec<(String, PathBuf)>,
}

impl Taken {
    /// Whether `name` (a component's installed name) was taken.
    pub fn has(&self, name: &str) -> bool {
        self.receipts.iter().any(|r| r.component.name() == name)
    }
}

/// Puts into `staging`'s tree every component of `wanted` a donor holds ([`donors`]): from this
/// home by hard link, from a store as [`super::store::place`] does (a store component that fails
/// its check is left to download, with a warning). Says what was taken.
///
/// # Errors
/// A file of this home's donor cannot be linked or copied (named in the error).
pub fn take(
    home: &Home,
    stores: &[PathBuf],
    manifest: &Manifest,
    wanted: &[Selected],
    except: &LocalName,
    staging: &Staging,
    reporter: &Reporter,
) -> anyhow::Result<Taken> {
    use anyhow::Context as _;
    let donors = donors(home, stores, manifest, wanted, except);
    let tree = staging.tree();
    let mut taken = Taken::default();
    let mut used = Vec::new();
    for d in donors.iter().filter(|d| matches!(d.source, Source::Home(_))) {
        link_into(home, d, &tree).with_context(|| format!("linking {} from toolchain '{}'", d.selected.name(), d.source))?;
        taken.receipts.push(d.receipt.clone());
        used.push((d, None));
    }
    let from_store: Vec<&Donor> = donors.iter().filter(|d| matches!(d.source, Source::Store(_))).collect();
    let started = std::time::Instant::now();
    let placed = std::thread::scope(|s| {
        let handles: Vec<_> = from_store
            .iter()
            .map(|d| {
                s.spawn(|| match &d.source {
                    Source::Store(root) => super::store::place(root, &d.receipt, staging),
                    Source::Home(_) => Err("not a store toolchain".to_owned()),
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("a store thread panicked")).collect::<Vec<_>>()
    });
    if !from_store.is_empty() {
        let slowest = placed.iter().filter_map(|p| p.as_ref().ok()).map(|p| p.checking).max().unwrap_or_default();
        reporter.verbose(&format!(
            "store: {} components placed and checked in {:.2} s, in parallel (the slowest check: {:.2} s)",
            from_store.len(),
            started.elapsed().as_secs_f64(),
            slowest.as_secs_f64()
        ));
    }
    for (d, placed) in from_store.into_iter().zip(placed) {
        match placed.map(|p| p.arrived) {
            Ok(arrived) => {
                taken.receipts.push(d.receipt.clone());
                if let Source::Store(p) = &d.source {
                    taken.from_store.push((d.selected.name(), p.clone()));
                }
                used.push((d, Some(arrived)));
            }
            Err(why) => reporter.warn(&format!("not using {} from {}: {why}; downloading it", d.selected.name(), d.source)),
        }
    }
    report(&used, reporter);
    Ok(taken)
}

/// Hard-links `donor`'s files (a toolchain of this home) into the staging `tree`.
fn link_into(home: &Home, donor: &Donor, tree: &Path) -> std::io::Result<()> {
    let Source::Home(name) = &donor.source else { unreachable!("store donors are placed by fetch::store") };
    link::link_component(home.toolchain(name).root(), tree, &donor.receipt.component.parts)
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
                        Some((component, crate::sys::identity::followed(&dir.root().join(&r.files.first()?.path))?))
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

/// Says what was taken, one line per donor toolchain so it fits 80 columns (`linked 3
/// components from stable-x86_64-unknown-linux-gnu (same archives)`; from a store `took 3
/// components from /opt/rust/toolchains/stable-… (store: 2400 files hard-linked, 0 reflinked, 0
/// copied, all checked)`); the names under `--verbose`.
fn report(used: &[(&Donor, Option<link::Arrived>)], reporter: &Reporter) {
    let mut from: Vec<&Source> = used.iter().map(|(d, _)| &d.source).collect();
    from.sort_by_key(ToString::to_string);
    from.dedup();
    for t in from {
        let mine: Vec<&(&Donor, Option<link::Arrived>)> = used.iter().filter(|(d, _)| &d.source == t).collect();
        let names: Vec<String> = mine.iter().map(|(d, _)| d.selected.name()).collect();
        let n = names.len();
        let s = if n == 1 { "" } else { "s" };
        match t {
            Source::Home(_) => {
                reporter.info(&format!("linked {n} component{s} from {t} (same archives)"));
                reporter.verbose(&format!("not downloaded, hard-linked from {t}: {}", names.join(", ")));
            }
            Source::Store(p) => {
                let sum = mine.iter().filter_map(|(_, a)| *a).fold(link::Arrived::default(), |a, b| link::Arrived {
                    linked: a.linked + b.linked,
                    cloned: a.cloned + b.cloned,
                    copied: a.copied + b.copied,
                });
                reporter.info(&format!("took {n} component{s} from the store toolchain {}", p.display()));
                reporter.info(&format!(
                    "files: {} hard-linked, {} reflinked, {} copied; every one checked (length, CRC-32)",
                    sum.linked, sum.cloned, sum.copied
                ));
                reporter.verbose(&format!("not downloaded, from {}: {}", p.display(), names.join(", ")));
            }
        }
    }
}
