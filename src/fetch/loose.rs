//! Loose tarballs (rustup #955): a rust-installer v3 tarball on the local disk, installed without
//! a dist server. rust-lang/rust's `src/tools/rust-installer` makes two kinds, and both are read
//! here: a component tarball (`rustc-1.99.1-<host>.tar.xz`, one component in its `components`)
//! and the standalone one published beside the dist archives (`rust-1.99.1-<host>.tar.xz`: one top
//! directory whose `components` lists rustc, cargo, rust-std-<host>, rust-docs, …, a `version`
//! file, and one directory per component with its `manifest.in`).
//!
//! No manifest vouches for these bytes, so the whole archive is unpacked under the bound on
//! unverified bytes ([`crate::install::bound`]) and every entry passes the same path-safety checks
//! as a dist archive's ([`crate::install::unpack`]); each component it lists is then placed by its
//! `manifest.in` ([`crate::install::place`]) into the tree being staged. Its SHA-256 is computed
//! as it streams and kept in tcup's record as the component's archive hash.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::dist::manifest::Compression;
use crate::download::hashing::HashingReader;
use crate::home::toolchain::{ComponentId, InstalledComponent, Receipt};
use crate::install::bound::Received;
use crate::install::file_check;
use crate::install::place;
use crate::install::unpack::{self, PoolOptions};
use crate::sys::beneath::Dir;

/// The file-name endings of a tarball, with their compression.
const ENDINGS: [(&str, Compression); 3] = [(".tar.xz", Compression::Xz), (".tar.zst", Compression::Zst), (".tar.gz", Compression::Gz)];

/// The compression a tarball's file name says (`.tar.xz`, `.tar.zst`, `.tar.gz`), or `None`.
pub fn compression_of(file_name: &str) -> Option<Compression> {
    ENDINGS.iter().find(|(end, _)| file_name.ends_with(end)).map(|(_, c)| *c)
}

/// A tarball's file name split as the dist server names archives:
/// `<pkg>-<version>[-<target>].tar.<ext>`, e.g. `rust-std-1.99.1-aarch64-unknown-linux-gnu.tar.xz`
/// or `rust-nightly-x86_64-unknown-linux-gnu.tar.xz` (version `nightly`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileName {
    /// The package as in the file name (`rust` for the standalone tarball).
    pub pkg: String,
    /// `1.99.1`, `1.99.0-beta.3`, `nightly` or `beta`.
    pub version: String,
    /// The target triple, absent for target-independent archives (`rust-src`).
    pub target: Option<String>,
}

impl FileName {
    /// Parses `file_name`; `None` when it has no tarball ending or no version part.
    pub fn parse(file_name: &str) -> Option<FileName> {
        let (end, _) = ENDINGS.iter().find(|(end, _)| file_name.ends_with(end))?;
        let base = &file_name[..file_name.len() - end.len()];
        let parts: Vec<&str> = base.split('-').collect();
        let at = parts.iter().position(|p| p.starts_with(|c: char| c.is_ascii_digit()) || *p == "nightly" || *p == "beta")?;
        if at == 0 {
            return None;
        }
        let mut end = at + 1;
        if parts.get(end).is_some_and(|p| p.starts_with("beta")) && parts[at] != "beta" {
            end += 1;
        }
        let target = parts[end..].join("-");
        Some(FileName {
            pkg: parts[..at].join("-"),
            version: parts[at..end].join("-"),
            target: crate::dist::name::is_triple(&target).then_some(target),
        })
    }
}

/// What one loose tarball put into the staged tree.
#[derive(Debug)]
pub struct Placed {
    /// One receipt per component the tarball lists, in its order.
    pub receipts: Vec<Receipt>,
    /// The first word of the tarball's `version` file (`1.99.1`, `1.99.0-nightly`), if it has one.
    pub version: Option<String>,
}

/// Unpacks the tarball at `path` into `unpack_dir` (inside staging) and places every component
/// its `components` file lists into `tree`. A component name ending in `-<host>` (or naming
/// another target's standard library) is recorded as rustup records it: package and target
/// (`rust-std-<host>` → `rust-std` for `<host>`); `rust-src` is for any target; any other name is
/// the package, for `host`.
///
/// # Errors
/// The file cannot be read; the archive is not a valid compressed tarball, crosses the bound on
/// unverified bytes or holds an unsafe entry ([`unpack::UnpackError`]); a component cannot be
/// placed ([`place::PlaceError`]). Each names the file.
pub fn unpack_into(path: &Path, host: &str, unpack_dir: &Path, tree: &Path, pool: PoolOptions) -> anyhow::Result<Placed> {
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let compression = compression_of(&file_name).with_context(|| format!("{} is not a .tar.xz, .tar.zst or .tar.gz", path.display()))?;
    let file = fs_err::File::open(path)?;
    let mut hashing = HashingReader::new(file);
    let received = Received::default();
    let unpacked = unpack::decoder(received.count(&mut hashing), compression)
        .map_err(unpack::UnpackError::Corrupt)
        .and_then(|d| unpack::unpack(d, &received, unpack_dir, pool))
        .with_context(|| format!("unpacking {}", path.display()))?;
    let (sha256, _) = hashing.finish().with_context(|| format!("reading {}", path.display()))?;
    let top = Dir::open(&unpacked.top)?;
    let listed = read(&top, "components").with_context(|| format!("{} has no rust-installer `components` file", path.display()))?;
    let version = read(&top, "version").ok().and_then(|v| v.split_whitespace().next().map(str::to_owned));
    let mut receipts = Vec::new();
    for name in listed.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let parts = place::place(&unpacked, name, name, tree).with_context(|| format!("installing {name} from {}", path.display()))?;
        let files = file_check::placed_records(&unpacked, &[name], &parts);
        let component = InstalledComponent { id: component_id(name, host), is_extension: false, parts };
        receipts.push(Receipt { component, files, archive_hash: sha256.clone() });
    }
    Ok(Placed { receipts, version })
}

/// The package and target rustup records for the component directory `name` of a tarball for
/// `host` (see [`unpack_into`]).
pub fn component_id(name: &str, host: &str) -> ComponentId {
    if name == "rust-src" {
        return ComponentId::new(name, "*");
    }
    if let Some(pkg) = name.strip_suffix(host).and_then(|p| p.strip_suffix('-')) {
        return ComponentId::new(pkg, host);
    }
    for pkg in ["rust-std", "rust-analysis", "rustc-dev"] {
        if let Some(target) = name.strip_prefix(pkg).and_then(|t| t.strip_prefix('-'))
            && crate::dist::name::is_triple(target)
        {
            return ComponentId::new(pkg, target);
        }
    }
    ComponentId::new(name, host)
}

/// The tarballs in `dir` (names ending in `.tar.xz`, `.tar.zst` or `.tar.gz`), sorted, one per
/// archive base name (`.tar.xz` before `.tar.zst` before `.tar.gz`).
///
/// # Errors
/// `dir` cannot be read.
pub fn tarballs_in(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut found: Vec<(String, usize, PathBuf)> = Vec::new();
    for entry in fs_err::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rank) = ENDINGS.iter().position(|(end, _)| name.ends_with(end)) else { continue };
        if !entry.file_type()?.is_file() && !entry.path().is_file() {
            continue;
        }
        let base = name[..name.len() - ENDINGS[rank].0.len()].to_owned();
        found.push((base, rank, entry.path()));
    }
    found.sort();
    found.dedup_by(|later, first| later.0 == first.0);
    Ok(found.into_iter().map(|(_, _, p)| p).collect())
}

/// The text file `rel` beneath `dir`, never through a link.
fn read(dir: &Dir, rel: &str) -> std::io::Result<String> {
    let mut s = String::new();
    dir.open_file(Path::new(rel))?.read_to_string(&mut s)?;
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(name: &str) -> Option<(String, String, Option<String>)> {
        FileName::parse(name).map(|f| (f.pkg, f.version, f.target))
    }

    #[test]
    fn file_names_split_as_the_dist_server_names_archives() {
        let host = Some("x86_64-unknown-linux-gnu".to_owned());
        assert_eq!(parsed("rust-1.99.1-x86_64-unknown-linux-gnu.tar.xz"), Some(("rust".into(), "1.99.1".into(), host.clone())));
        assert_eq!(parsed("rust-std-1.99.1-x86_64-unknown-linux-gnu.tar.gz"), Some(("rust-std".into(), "1.99.1".into(), host.clone())));
        assert_eq!(parsed("rust-nightly-x86_64-unknown-linux-gnu.tar.zst"), Some(("rust".into(), "nightly".into(), host.clone())));
        assert_eq!(parsed("rustc-1.99.0-beta.3-x86_64-unknown-linux-gnu.tar.xz"), Some(("rustc".into(), "1.99.0-beta.3".into(), host)));
        assert_eq!(parsed("rust-src-1.99.1.tar.xz"), Some(("rust-src".into(), "1.99.1".into(), None)));
        assert_eq!(parsed("rust-1.99.1-x86_64-unknown-linux-gnu.zip"), None);
        assert_eq!(parsed("1.99.1.tar.gz"), None);
    }

    #[test]
    fn component_directories_become_rustups_package_and_target() {
        let host = "x86_64-unknown-linux-gnu";
        let name = |n: &str| component_id(n, host).name();
        assert_eq!(name("rustc"), format!("rustc-{host}"));
        assert_eq!(name("rust-std-x86_64-unknown-linux-gnu"), format!("rust-std-{host}"));
        assert_eq!(component_id("rust-std-aarch64-unknown-linux-gnu", host), ComponentId::new("rust-std", "aarch64-unknown-linux-gnu"));
        assert_eq!(name("clippy-preview"), format!("clippy-preview-{host}"));
        assert_eq!(name("rust-src"), "rust-src");
    }
}
