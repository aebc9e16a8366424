//! The checks made with tcup's per-file record ([`crate::home::file_record`]): is every installed
//! file still the one the archive held? Which files of a tree does no component own?
//!
//! rustup's receipts list paths only, so a file truncated by a full disk or edited by accident
//! goes unnoticed; tcup records every regular file's length and CRC32 at install time (computed
//! by [`super::unpack`] from the bytes as written) and compares against that here.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

pub use crate::home::file_record::{FileRecord, Recorded};
use crate::home::toolchain::{ComponentPart, PartKind, is_bookkeeping};
use crate::install::unpack::Unpacked;

/// What is wrong with one component's files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Damage {
    /// Files whose length or CRC32 differ from the record (or that are no longer regular files).
    pub changed: Vec<PathBuf>,
    /// Recorded or listed files that are gone.
    pub missing: Vec<PathBuf>,
}

impl Damage {
    /// True when nothing is wrong.
    pub fn is_empty(&self) -> bool {
        self.changed.is_empty() && self.missing.is_empty()
    }
}

/// Turns the unpack records of one archive into the records of the files `place` installed:
/// paths under `<top>/<component dir>/` (the dir being one of `dir_names`) that a `file:` or
/// `dir:` part of `parts` covers, made relative to the toolchain root.
pub fn placed_records(unpacked: &Unpacked, dir_names: &[&str], parts: &[ComponentPart]) -> Vec<FileRecord> {
    let Some(top) = unpacked.top.file_name() else { return Vec::new() };
    unpacked
        .files
        .iter()
        .filter_map(|f| {
            let mut path = f.path.components();
            if path.next()?.as_os_str() != top {
                return None;
            }
            let dir = path.next()?.as_os_str().to_str()?;
            if !dir_names.contains(&dir) {
                return None;
            }
            let rel: PathBuf = path.collect();
            parts.iter().any(|p| p.covers(&rel)).then(|| FileRecord { path: rel, ..f.clone() })
        })
        .collect()
}

/// Length and CRC32 of the file at `root/rel`, read from disk.
///
/// # Errors
/// The file cannot be read.
pub fn record_file(root: &Path, rel: &Path) -> io::Result<FileRecord> {
    record_file_with(root, rel, &mut vec![0u8; 256 * 1024])
}

/// [`record_file`] with the caller's read buffer (a check of 50 000 files should not zero
/// 256 KiB for each).
fn record_file_with(root: &Path, rel: &Path, buf: &mut [u8]) -> io::Result<FileRecord> {
    let mut file = fs_err::File::open(root.join(rel))?;
    let mut crc = crc32fast::Hasher::new();
    let mut len = 0u64;
    loop {
        let n = match file.read(buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        crc.update(&buf[..n]);
        len += n as u64;
    }
    Ok(FileRecord { path: rel.to_owned(), len, crc32: crc.finalize() })
}

/// Whether the regular files `a` and `b` hold the same bytes and the same executable bit (by
/// their owner), read side by side.
///
/// # Errors
/// Either cannot be read.
pub fn same_file_contents(a: &Path, b: &Path) -> io::Result<bool> {
    let (mut fa, mut fb) = (fs_err::File::open(a)?, fs_err::File::open(b)?);
    let (ma, mb) = (fa.metadata()?, fb.metadata()?);
    let exec = |m: &std::fs::Metadata| crate::sys::fs::mode(m) & 0o100;
    if !ma.is_file() || !mb.is_file() || ma.len() != mb.len() || exec(&ma) != exec(&mb) {
        return Ok(false);
    }
    let (mut ba, mut bb) = (vec![0u8; 256 * 1024], vec![0u8; 256 * 1024]);
    loop {
        let n = read_full(&mut fa, &mut ba)?;
        if n != read_full(&mut fb, &mut bb)? || ba[..n] != bb[..n] {
            return Ok(false);
        }
        if n == 0 {
            return Ok(true);
        }
    }
}

/// Fills `buf` from `r` as far as the file goes; the number of bytes read.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Compares the files at `root` with `files`.
///
/// # Errors
/// A file exists but cannot be read.
pub fn check(root: &Path, files: &[FileRecord]) -> io::Result<Damage> {
    let mut damage = Damage::default();
    let mut buf = vec![0u8; 256 * 1024];
    for f in files {
        let path = root.join(&f.path);
        match path.symlink_metadata() {
            Err(e) if e.kind() == io::ErrorKind::NotFound => damage.missing.push(f.path.clone()),
            Err(e) => return Err(e),
            Ok(m) if !m.is_file() || m.len() != f.len => damage.changed.push(f.path.clone()),
            Ok(_) => {
                if record_file_with(root, &f.path, &mut buf)?.crc32 != f.crc32 {
                    damage.changed.push(f.path.clone());
                }
            }
        }
    }
    Ok(damage)
}

/// Like [`check`], but compares only presence, kind and length (no read): a cheap check for
/// changes that keep the component (adding another one).
///
/// # Errors
/// A file's metadata cannot be read.
pub fn check_lengths(root: &Path, files: &[FileRecord]) -> io::Result<Damage> {
    let mut damage = Damage::default();
    for f in files {
        match root.join(&f.path).symlink_metadata() {
            Err(e) if e.kind() == io::ErrorKind::NotFound => damage.missing.push(f.path.clone()),
            Err(e) => return Err(e),
            Ok(m) if !m.is_file() || m.len() != f.len => damage.changed.push(f.path.clone()),
            Ok(_) => {}
        }
    }
    Ok(damage)
}

/// The files of `files` at `root` that someone other than root and this user could write (owner
/// or mode bits, [`crate::sys::fs::only_root_or_me_can_write`]): what a hard link into a
/// toolchain store must not share.
///
/// # Errors
/// A file's metadata cannot be read.
pub fn others_can_write(root: &Path, files: &[FileRecord]) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for f in files {
        if !crate::sys::fs::only_root_or_me_can_write(&root.join(&f.path).symlink_metadata()?) {
            out.push(f.path.clone());
        }
    }
    Ok(out)
}

/// The regular files a component's `parts` cover at `root` (a `dir:` part is walked), relative
/// to `root`, and the listed paths that do not exist.
///
/// # Errors
/// A directory cannot be listed.
pub fn listed_files(root: &Path, parts: &[ComponentPart]) -> io::Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    let mut files = Vec::new();
    let mut missing = Vec::new();
    for part in parts {
        let (is_dir, rel) = (part.kind == PartKind::Dir, part.path.clone());
        match root.join(&rel).symlink_metadata() {
            Err(e) if e.kind() == io::ErrorKind::NotFound => missing.push(rel),
            Err(e) => return Err(e),
            Ok(m) if is_dir && m.is_dir() => walk(root, &rel, &mut files)?,
            Ok(m) if m.is_file() => files.push(rel),
            Ok(_) => {}
        }
    }
    Ok((files, missing))
}

/// Appends the regular files below `root/rel` (recursively, not following links), relative to `root`.
///
/// # Errors
/// A directory cannot be listed.
pub fn walk(root: &Path, rel: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in fs_err::read_dir(root.join(rel))? {
        let entry = entry?;
        let child = rel.join(entry.file_name());
        let kind = entry.file_type()?;
        if kind.is_dir() {
            walk(root, &child, out)?;
        } else if kind.is_file() {
            out.push(child);
        }
    }
    Ok(())
}

/// Files in the tree at `root` that no component installed: for each, the component whose
/// `dir:` part it lies under (`None` when none), given each component's parts and, when known,
/// its recorded files.
///
/// # Errors
/// The tree cannot be listed.
pub fn extra_files(root: &Path, components: &[(&str, &[ComponentPart], Option<&Recorded>)]) -> io::Result<Vec<(Option<String>, PathBuf)>> {
    let mut all = Vec::new();
    walk(root, Path::new(""), &mut all)?;
    let mut extras = Vec::new();
    for rel in all {
        if is_bookkeeping(&rel) {
            continue;
        }
        let mut under: Option<&str> = None;
        let mut owned = false;
        for (name, parts, recorded) in components {
            for part in *parts {
                let (is_dir, p) = (part.kind == PartKind::Dir, &part.path);
                if !is_dir && rel == *p {
                    owned = true;
                } else if is_dir && rel.starts_with(p) {
                    under = Some(name);
                    // Without a record, everything under a dir: line counts as the component's.
                    owned |= recorded.is_none_or(|r| r.files.iter().any(|f| f.path == rel));
                }
            }
        }
        if !owned {
            extras.push((under.map(str::to_owned), rel));
        }
    }
    Ok(extras)
}

/// Every symbolic link below `root` that leads out of it when followed through the tree's own
/// links ([`crate::install::safety::resolve_in_tree`]): its path relative to `root`, its target,
/// and why it is refused. A toolchain holds few links; this walks the tree once.
///
/// # Errors
/// A directory cannot be listed or a link read.
pub fn links_outside(root: &Path) -> io::Result<Vec<LinkOutside>> {
    let dir = crate::sys::beneath::Dir::open(root)?;
    let mut links = Vec::new();
    walk_links(root, Path::new(""), &mut links)?;
    let mut out = Vec::new();
    for path in links {
        let crate::install::safety::Node::Link(target) = dir.node(&path)? else { continue };
        if let Err(why) = crate::install::safety::resolve_in_tree(&path, &target, |p| dir.node(p)) {
            out.push(LinkOutside { path, target, why });
        }
    }
    Ok(out)
}

/// A symbolic link in a toolchain that leads out of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkOutside {
    /// The link, relative to the toolchain root.
    pub path: PathBuf,
    /// Its target as stored.
    pub target: PathBuf,
    /// Where following it leaves the toolchain.
    pub why: String,
}

/// Appends the symbolic links below `root/rel` (recursively, not following links), relative to `root`.
fn walk_links(root: &Path, rel: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in fs_err::read_dir(root.join(rel))? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            walk_links(root, &rel.join(entry.file_name()), out)?;
        } else if kind.is_symlink() {
            out.push(rel.join(entry.file_name()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::home::toolchain::{ComponentId, InstalledComponent, Receipt, Target, ToolchainDir};

    fn receipt(name: &str, files: Vec<FileRecord>) -> Receipt {
        let parts = vec![ComponentPart::decode("file:bin/a b").unwrap(), ComponentPart::decode("dir:share/doc").unwrap()];
        Receipt {
            component: InstalledComponent { id: ComponentId { pkg: name.to_owned(), target: Target::Any }, is_extension: false, parts },
            files,
            archive_hash: "ab".repeat(32),
        }
    }

    #[test]
    fn receipt_round_trips_and_check_finds_changes() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let tc = ToolchainDir::at(root.to_path_buf());
        fs_err::create_dir_all(tc.rustlib()).unwrap();
        fs_err::create_dir_all(root.join("bin")).unwrap();
        fs_err::create_dir_all(root.join("share/doc")).unwrap();
        fs_err::write(root.join("bin/a b"), "hello").unwrap();
        fs_err::write(root.join("share/doc/x.html"), "doc").unwrap();
        let files = vec![record_file(root, Path::new("bin/a b")).unwrap(), record_file(root, Path::new("share/doc/x.html")).unwrap()];
        assert_eq!(files[0].crc32, crc32fast::hash(b"hello"));
        tc.write_record(&[receipt("c", files.clone())]).unwrap();
        let read = tc.read_record().unwrap().unwrap();
        assert_eq!(read["c"].files, files);
        assert_eq!(read["c"].archive_hash, "ab".repeat(32));
        assert!(check(root, &files).unwrap().is_empty());
        fs_err::write(root.join("bin/a b"), "hellO").unwrap();
        fs_err::remove_file(root.join("share/doc/x.html")).unwrap();
        fs_err::write(root.join("share/doc/new.html"), "new").unwrap();
        fs_err::write(root.join("stray"), "?").unwrap();
        let d = check(root, &files).unwrap();
        assert_eq!(d.changed, [PathBuf::from("bin/a b")]);
        assert_eq!(d.missing, [PathBuf::from("share/doc/x.html")]);
        let parts = receipt("c", vec![]).component.parts;
        let extras = extra_files(root, &[("c", &parts, Some(&read["c"]))]).unwrap();
        assert_eq!(extras, [(Some("c".to_owned()), PathBuf::from("share/doc/new.html")), (None, PathBuf::from("stray"))]);
    }
}
