//! Publication and pruning for `tcup mirror sync`: the last steps, once every archive a manifest
//! names is in the tree and verified.
//!
//! Each file is written into `.tcup-sync/tmp/`, flushed to disk and renamed over its published
//! path, so a reader sees the old file or the new one, never a part. A file whose bytes are
//! already published is not rewritten. Per manifest the order is: the manifest, its `.sha256`,
//! its `.asc` (a stale `.asc` first removed when upstream has none), and dated copies before
//! `dist/channel-rust-<C>.toml`, so the name clients ask for moves last.
//!
//! `--prune` keeps every `dist/channel-rust-*.toml` and, per channel, the `--keep` newest dated
//! manifests `dist/<date>/channel-rust-<C>.toml`; it removes older dated manifests first, then
//! every file in a `dist/<date>/` directory that no kept manifest names (with its `.sha256` and
//! `.asc`), then the date directories left empty. Nothing outside `dist/<date>/` is touched (the
//! update root's `dist/<triple>/` is not a date).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;

use anyhow::Context as _;

use super::sync_tree::{Ledger, Tree, archive_rel};
use crate::dist::manifest::Manifest;
use crate::dist::name::is_date;
use crate::progress::Reporter;

/// One manifest as it is published: its path and its three files' bytes as served.
#[derive(Debug, Clone)]
pub struct Publication {
    /// `dist/channel-rust-stable.toml` or `dist/2026-04-16/channel-rust-stable.toml`.
    pub rel: String,
    /// The manifest.
    pub bytes: Vec<u8>,
    /// Its `.sha256`.
    pub sha_file: Vec<u8>,
    /// Its verified `.asc`; `None` when upstream serves none (unsigned, allowed by the policy).
    pub asc: Option<Vec<u8>>,
}

/// Publishes `p` (see the module documentation); returns the number of files written or removed.
///
/// # Errors
/// A file cannot be written or renamed (named).
pub fn publish(tree: &Tree, p: &Publication) -> anyhow::Result<usize> {
    let asc_rel = format!("{}.asc", p.rel);
    let mut n = 0;
    let asc_path = tree.path(&asc_rel)?;
    if p.asc.is_none() && asc_path.exists() {
        // A signature of the previous manifest would not verify over the new one.
        fs_err::remove_file(&asc_path)?;
        n += 1;
    }
    n += usize::from(write(tree, &p.rel, &p.bytes)?);
    n += usize::from(write(tree, &format!("{}.sha256", p.rel), &p.sha_file)?);
    if let Some(asc) = &p.asc {
        n += usize::from(write(tree, &asc_rel, asc)?);
    }
    Ok(n)
}

/// Writes `bytes` at `rel` by rename unless they are already there; returns whether it wrote.
///
/// # Errors
/// The file cannot be written or renamed (named).
pub fn write(tree: &Tree, rel: &str, bytes: &[u8]) -> anyhow::Result<bool> {
    let dest = tree.path(rel)?;
    if tree.read(rel).as_deref() == Some(bytes) {
        return Ok(false);
    }
    fs_err::create_dir_all(dest.parent().expect("a published path has a parent"))?;
    let mut tmp = tree.temp_file().with_context(|| format!("creating a temporary file for {}", dest.display()))?;
    tmp.write_all(bytes).and_then(|()| tmp.as_file().sync_all()).with_context(|| format!("writing {}", tmp.path().display()))?;
    tmp.persist(&dest).map_err(|e| e.error).with_context(|| format!("renaming into {}", dest.display()))?;
    Ok(true)
}

/// Whether `name` is a channel manifest's file name (`channel-rust-<C>.toml`).
fn is_manifest(name: &str) -> bool {
    name.starts_with("channel-rust-") && std::path::Path::new(name).extension().is_some_and(|e| e == "toml")
}

/// File names in `dir` (sorted; empty when it does not exist).
fn names(dir: &std::path::Path) -> anyhow::Result<Vec<(String, bool)>> {
    let mut v = Vec::new();
    let Ok(entries) = fs_err::read_dir(dir) else { return Ok(v) };
    for e in entries {
        let e = e?;
        v.push((e.file_name().to_string_lossy().into_owned(), e.file_type()?.is_dir()));
    }
    v.sort();
    Ok(v)
}

/// Prunes the tree (see the module documentation); returns the number of files removed.
///
/// # Errors
/// A kept manifest does not parse (nothing is removed then), or a file cannot be removed.
pub fn prune(tree: &Tree, keep: usize, reporter: &Reporter) -> anyhow::Result<usize> {
    let dist = tree.path("dist")?;
    let mut kept: Vec<String> = names(&dist)?.into_iter().filter(|(n, d)| !d && is_manifest(n)).map(|(n, _)| format!("dist/{n}")).collect();
    let dates: Vec<String> = names(&dist)?.into_iter().filter(|(n, d)| *d && is_date(n)).map(|(n, _)| n).collect();
    // Channel manifest file name → its dated copies, newest first.
    let mut history: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for date in dates.iter().rev() {
        for (n, _) in names(&dist.join(date))?.into_iter().filter(|(n, d)| !d && is_manifest(n)) {
            history.entry(n.clone()).or_default().push(format!("dist/{date}/{n}"));
        }
    }
    let mut dropped = Vec::new();
    for (name, dated) in &history {
        let current = tree.read(&format!("dist/{name}"));
        for (i, rel) in dated.iter().enumerate() {
            if i < keep || (current.is_some() && tree.read(rel) == current) {
                kept.push(rel.clone());
            } else {
                dropped.push(rel.clone());
            }
        }
    }
    let mut wanted: BTreeSet<String> = BTreeSet::new();
    for rel in &kept {
        let path = tree.path(rel)?;
        let text = fs_err::read_to_string(&path)?;
        let m = Manifest::parse(&text).with_context(|| format!("reading {} (nothing was pruned)", path.display()))?;
        for tp in m.pkg.values().flat_map(|p| p.target.values()) {
            for url in [&tp.url, &tp.xz_url, &tp.zst_url].into_iter().flatten() {
                if let Ok(r) = archive_rel(url) {
                    wanted.insert(r);
                }
            }
        }
        wanted.insert(rel.clone());
    }
    let ledger = Ledger::load(tree);
    let mut removed = 0;
    let mut remove = |rel: &str| -> anyhow::Result<()> {
        fs_err::remove_file(tree.path(rel)?)?;
        ledger.forget(rel);
        reporter.verbose(&format!("pruned {rel}"));
        removed += 1;
        Ok(())
    };
    // Manifests first, so no kept name ever points at a removed archive.
    for rel in &dropped {
        for f in [rel.clone(), format!("{rel}.sha256"), format!("{rel}.asc")] {
            if tree.path(&f)?.is_file() {
                remove(&f)?;
            }
        }
    }
    for date in &dates {
        for (n, is_dir) in names(&dist.join(date))? {
            let rel = format!("dist/{date}/{n}");
            let base = rel.strip_suffix(".sha256").or_else(|| rel.strip_suffix(".asc")).unwrap_or(&rel);
            if !is_dir && !wanted.contains(base) {
                remove(&rel)?;
            }
        }
        if names(&dist.join(date))?.is_empty() {
            fs_err::remove_dir(dist.join(date))?;
        }
    }
    ledger.save(tree).context("recording the verified archives")?;
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_dates_and_manifests() {
        assert!(is_date("2026-04-16") && !is_date("x86_64-unknown-linux-gnu") && !is_date("2026-4-16"));
        assert!(is_manifest("channel-rust-stable.toml") && !is_manifest("channel-rust-stable.toml.sha256"));
    }

    #[test]
    fn writes_by_rename_and_only_when_changed() {
        let dir = tempfile::tempdir().unwrap();
        let tree = Tree::open(dir.path()).unwrap();
        assert!(write(&tree, "dist/a.toml", b"one").unwrap());
        assert!(!write(&tree, "dist/a.toml", b"one").unwrap());
        assert!(write(&tree, "dist/a.toml", b"two").unwrap());
        assert_eq!(fs_err::read(tree.path("dist/a.toml").unwrap()).unwrap(), b"two");
        // Nothing left in tmp.
        assert_eq!(fs_err::read_dir(dir.path().join(".tcup-sync/tmp")).unwrap().count(), 0);
        let p = Publication { rel: "dist/a.toml".into(), bytes: b"three".to_vec(), sha_file: b"h  a.toml\n".to_vec(), asc: None };
        fs_err::write(tree.path("dist/a.toml.asc").unwrap(), b"old signature").unwrap();
        assert_eq!(publish(&tree, &p).unwrap(), 3);
        assert!(!tree.path("dist/a.toml.asc").unwrap().exists());
        assert_eq!(publish(&tree, &p).unwrap(), 0);
    }
}
