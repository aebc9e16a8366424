//! Changing an installed toolchain, the one way every change goes (update, component and target
//! add/remove, repair): decide per component whether it is kept or fetched, build the new tree
//! beside the old one in staging, and swap it in with one exchange rename (docs/design.md install-5
//! and install-9). A kill at any moment leaves the old tree or the new one in `toolchains/`; a killed
//! run's staging is cleared by the next tcup.
//!
//! A component is **kept** when the archive it was installed from (tcup's receipt, else the
//! installed channel manifest) is one the target manifest names for it: its files are first
//! checked against tcup's CRC32 record (a damaged component is fetched instead, so corruption is
//! repaired, not carried forward), then hard-linked into the new tree. Without a record (a
//! toolchain rustup installed) the files are recorded as they are. Every other wanted component
//! is **fetched** through the normal install path; installed components not wanted are dropped.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Context as _;

use crate::dist::manifest::Manifest;
use crate::dist::name::LocalName;
use crate::dist::select::{Selected, Selection};
use crate::download::Downloader;
use crate::env::Env;
use crate::home::Home;
use crate::home::toolchain::{ComponentId, InstalledComponent, Receipt, ToolchainDir};
use crate::install::link;

/// A change to an installed toolchain reads its manifest from disk, so nothing measured the link:
/// an empty sample, which the format choice treats as a slow link (xz) unless the dist server is
/// `file://` (docs/design.md fetch-2).
const NO_LINK_SAMPLE: crate::dist::format::LinkSample = crate::dist::format::LinkSample { bytes: 0, elapsed: std::time::Duration::ZERO };
use crate::fetch::manifest::VerifiedManifest;
use crate::install::file_check::{self, FileRecord, Recorded};
use crate::install::staging::Staging;
use crate::progress::Reporter;

/// An installed toolchain as read from disk.
pub struct Current {
    /// Directory name under `toolchains/`.
    pub toolchain: LocalName,
    /// Its directory.
    pub dir: ToolchainDir,
    /// Components in recorded order.
    pub components: Vec<InstalledComponent>,
    /// The channel manifest it was installed from, with its hash.
    pub manifest: VerifiedManifest,
    /// tcup's per-file receipt, when there is one.
    pub receipt: Option<BTreeMap<String, Recorded>>,
}

impl Current {
    /// Reads the toolchain `toolchain` in `home`.
    ///
    /// # Errors
    /// It is not installed, or not from a dist server (no receipts), or a receipt is unreadable.
    pub fn read(home: &Home, toolchain: &LocalName) -> anyhow::Result<Current> {
        let dir = home.toolchain(toolchain);
        if !dir.is_dir() {
            anyhow::bail!("toolchain '{toolchain}' is not installed");
        }
        let components = dir.components().with_context(|| format!("reading toolchain '{toolchain}'"))?;
        if dir.has_receipts() && !dir.channel_manifest_file().exists() {
            anyhow::bail!(
                "toolchain '{toolchain}' was installed from local tarballs and has no channel manifest to change or update it from: `tcup toolchain uninstall {toolchain}` and install it again (by name, or with --from DIR holding its channel manifest)"
            );
        }
        let text = dir.manifest_text().with_context(|| format!("reading toolchain '{toolchain}'"))?;
        let manifest = Manifest::parse(&text).with_context(|| format!("reading the channel manifest of toolchain '{toolchain}'"))?;
        let hash = crate::download::hashing::sha256_hex(text.as_bytes());
        let receipt = dir.read_record()?;
        let asc = crate::fetch::signature::stored(&dir);
        Ok(Current {
            toolchain: toolchain.clone(),
            dir,
            components,
            manifest: VerifiedManifest { text, hash, manifest, link: NO_LINK_SAMPLE, asc, signer: None },
            receipt,
        })
    }

    /// The current (not stale) record of component `c`, if any.
    pub fn record(&self, c: &InstalledComponent) -> Option<&Recorded> {
        let r = self.receipt.as_ref()?.get(&c.name())?;
        self.manifest.manifest.archive_hashes(&c.id.pkg, c.id.target.as_key()).contains(&r.archive_hash).then_some(r)
    }

    /// SHA-256 of the archive `c` was installed from, when known.
    fn archive_hash(&self, c: &InstalledComponent) -> Option<String> {
        self.record(c).map(|r| r.archive_hash.clone()).or_else(|| {
            self.manifest.manifest.target_of(&c.id.pkg, c.id.target.as_key()).and_then(|(_, tp)| tp.preferred_archive()).map(|a| a.hash)
        })
    }

    /// The installed component that `w` (a package of possibly another manifest) refers to.
    pub fn find(&self, manifest: &Manifest, pkg: &str, target: &str) -> Option<&InstalledComponent> {
        self.components.iter().find(|c| c.id.target.as_key() == target && (c.id.pkg == pkg || manifest.rename(&c.id.pkg) == pkg))
    }
}

/// What a change will do.
#[derive(Debug, Default)]
pub struct Plan {
    /// Wanted components kept from the installed tree, with the installed component.
    pub keep: Vec<(Selected, InstalledComponent)>,
    /// Wanted components to download.
    pub fetch: Vec<Selected>,
    /// Installed component names that go away.
    pub drop: Vec<String>,
    /// Whether the toolchain is already exactly this (same manifest, same components).
    pub unchanged: bool,
    /// Whether kept components are checked byte for byte (CRC32) before they are linked, as an
    /// update and a repair do; otherwise (component add/remove) presence and lengths are checked.
    pub check_contents: bool,
}

/// Decides per wanted component: keep or fetch. `refetch` names installed components to fetch
/// even when unchanged (repair).
pub fn plan(current: &Current, target: &VerifiedManifest, wanted: &[Selected], refetch: &BTreeSet<String>) -> Plan {
    let mut p = Plan::default();
    for w in wanted {
        let installed = current.find(&target.manifest, &w.pkg, &w.target);
        let same = installed
            .filter(|c| !refetch.contains(&c.name()))
            .filter(|c| current.archive_hash(c).is_some_and(|h| target.manifest.archive_hashes(&w.pkg, &w.target).contains(&h)));
        match same {
            Some(c) => p.keep.push((w.clone(), c.clone())),
            None => p.fetch.push(w.clone()),
        }
    }
    for c in &current.components {
        if !wanted.iter().any(|w| w.target == c.id.target.as_key() && (w.pkg == c.id.pkg || target.manifest.rename(&c.id.pkg) == w.pkg)) {
            p.drop.push(c.name());
        }
    }
    p.unchanged = p.fetch.is_empty() && p.drop.is_empty() && current.manifest.hash == target.hash;
    p.check_contents = true;
    p
}

/// How a change ended.
#[derive(Debug)]
pub struct Applied {
    /// Components downloaded.
    pub fetched: Vec<String>,
    /// Components hard-linked from the old tree.
    pub linked: Vec<String>,
    /// Components hard-linked from another installed toolchain that holds the same archive
    /// ([`crate::fetch::share`]).
    pub shared: Vec<String>,
    /// Components removed.
    pub dropped: Vec<String>,
    /// Kept components whose files were damaged and were fetched instead.
    pub repaired: Vec<String>,
}

/// Builds the toolchain `plan` describes from `target` and swaps it in. The caller holds the
/// home lock. With `record_hash`, `update-hashes/<toolchain>` is set to `target`'s hash after the
/// swap (an update); component changes leave it alone.
///
/// # Errors
/// A download or unpack fails, or a file system call; `toolchains/<toolchain>` is then unchanged.
pub fn apply(
    env: &Env,
    current: &Current,
    target: &VerifiedManifest,
    plan: Plan,
    record_hash: bool,
    downloader: &Downloader,
    reporter: &Reporter,
) -> anyhow::Result<Applied> {
    let home = Home::new(&env.rustup_home);
    let Plan { keep, mut fetch, drop, check_contents, .. } = plan;
    let mut kept: Vec<(Selected, InstalledComponent, Vec<FileRecord>)> = Vec::new();
    let mut repaired = Vec::new();
    // Components are checked in parallel (reading and CRC32 of ~1 GB is most of an update's time).
    let checks: Vec<anyhow::Result<Result<Vec<FileRecord>, String>>> = std::thread::scope(|s| {
        let handles: Vec<_> = keep.iter().map(|(_, c)| s.spawn(move || checked_files(current, c, check_contents))).collect();
        handles.into_iter().map(|h| h.join().expect("a check thread panicked")).collect()
    });
    for ((w, c), checked) in keep.into_iter().zip(checks) {
        match checked? {
            Ok(files) => kept.push((w, c, files)),
            Err(why) => {
                reporter.warn(&format!("component {} is damaged ({why}); downloading it again", c.name()));
                repaired.push(c.name());
                fetch.push(w);
            }
        }
    }
    let staging = Staging::new(&home).with_context(|| format!("creating a staging directory in {}", home.tmp().display()))?;
    let tree = staging.tree();
    let root = current.dir.root();
    let mut receipts: Vec<Receipt> = Vec::new();
    for (w, c, files) in &kept {
        link::link_component(root, &tree, &c.parts).with_context(|| format!("linking component {} into staging", c.name()))?;
        let archive_hash = current.archive_hash(c).unwrap_or_else(|| w.archive.hash.clone());
        receipts.push(Receipt {
            component: InstalledComponent { id: ComponentId::new(&w.pkg, &w.target), is_extension: c.is_extension, parts: c.parts.clone() },
            files: files.clone(),
            archive_hash,
        });
    }
    // What another installed toolchain or a store holds is taken from it, not downloaded.
    let taken = crate::fetch::share::take(&home, &env.toolchain_store, &target.manifest, &fetch, &current.toolchain, &staging, reporter)?;
    let download: Vec<Selected> = fetch.iter().filter(|c| !taken.has(&c.name())).cloned().collect();
    // Kept components keep their store origin.
    let mut from_store = crate::home::store::read_origin(&current.dir).unwrap_or_default();
    from_store.retain(|(c, _)| kept.iter().any(|(w, ..)| w.name() == *c));
    from_store.extend(taken.from_store.iter().cloned());
    receipts.extend(taken.receipts.iter().cloned());
    let mut selection = Selection { components: download, warnings: Vec::new() };
    // Offline: a format downloads/ holds, and every archive there before anything is fetched.
    super::offline::prefer_downloaded(env, &mut selection, &home.downloads());
    super::offline::check_present(env, &selection.components, &home.downloads(), || {
        super::offline::fetch_command_for(current.toolchain.as_str(), &selection.components)
    })?;
    receipts.extend(crate::fetch::pool::fetch_all(env, &selection, &staging, downloader, reporter)?);
    // rustup's order: the order components were wanted in.
    let order: Vec<String> = kept.iter().map(|(w, ..)| w).chain(&fetch).map(Selected::name).collect();
    receipts.sort_by_key(|r| order.iter().position(|n| *n == r.component.name()));
    let tree = ToolchainDir::at(tree);
    tree.write_receipts(&receipts, &target.text).context("writing toolchain receipts")?;
    crate::home::store::write_origin(&tree, &from_store).context("recording what came from the toolchain store")?;
    crate::fetch::signature::store(&tree, target.asc.as_deref()).context("keeping the manifest's signature")?;
    staging.commit(root).with_context(|| format!("moving the new toolchain into {}", root.display()))?;
    if record_hash {
        home.set_update_hash(&current.toolchain, &target.hash)?;
    }
    for c in &selection.components {
        home.downloads().forget(&c.archive.hash);
    }
    reporter.finish();
    Ok(Applied {
        fetched: selection.components.iter().map(Selected::name).collect(),
        linked: kept.iter().map(|(w, ..)| w.name()).collect(),
        shared: taken.receipts.iter().map(|r| r.component.name()).collect(),
        dropped: drop,
        repaired,
    })
}

/// The files of an installed component, checked against tcup's record (`Err(why)` when damaged;
/// with `contents`, byte for byte, else presence and length), or recorded from disk when there is
/// no current record.
fn checked_files(current: &Current, c: &InstalledComponent, contents: bool) -> anyhow::Result<Result<Vec<FileRecord>, String>> {
    let root = current.dir.root();
    if let Some(r) = current.record(c) {
        let damage = if contents { file_check::check(root, &r.files) } else { file_check::check_lengths(root, &r.files) }
            .with_context(|| format!("checking component {}", c.name()))?;
        if !damage.is_empty() {
            return Ok(Err(format!("{} changed, {} missing files", damage.changed.len(), damage.missing.len())));
        }
        let (_, missing) = file_check::listed_files(root, &c.parts)?;
        if !missing.is_empty() {
            return Ok(Err(format!("{} missing files", missing.len())));
        }
        return Ok(Ok(r.files.clone()));
    }
    let (files, missing) = file_check::listed_files(root, &c.parts).with_context(|| format!("reading component {}", c.name()))?;
    if !missing.is_empty() {
        return Ok(Err(format!("{} missing files", missing.len())));
    }
    let records = files.iter().map(|f| file_check::record_file(root, f)).collect::<std::io::Result<Vec<_>>>()?;
    Ok(Ok(records))
}

/// Writes tcup's receipt into an installed toolchain that has none (rustup installed it), from
/// its files as they are now. One rename, so the tree is never half-recorded.
///
/// # Errors
/// A file cannot be read or the receipt written.
pub fn record_in_place(current: &Current) -> anyhow::Result<()> {
    let root = current.dir.root();
    let mut receipts = Vec::new();
    for c in &current.components {
        let (files, _) = file_check::listed_files(root, &c.parts)?;
        let files = files.iter().map(|f| file_check::record_file(root, f)).collect::<std::io::Result<Vec<_>>>()?;
        let archive_hash = current.archive_hash(c).unwrap_or_default();
        receipts.push(Receipt { component: c.clone(), files, archive_hash });
    }
    current.dir.write_record(&receipts)?;
    Ok(())
}

/// The version line of a manifest's `rustc` (`1.95.0 (59807616e 2026-04-14)`).
pub fn rustc_version(manifest: &Manifest) -> String {
    manifest.pkg.get("rustc").map_or_else(|| manifest.date.clone(), |p| p.version.clone())
}
