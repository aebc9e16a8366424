//! tcup's own per-file receipt and the checks made with it: is every installed file still the
//! one the archive held?
//!
//! rustup's receipts (`lib/rustlib/manifest-<component>`) list paths only, so a file truncated
//! by a full disk or edited by accident goes unnoticed. tcup records, at install time, every
//! regular file's length and CRC32 (computed by [`super::unpack`] from the bytes as written) in
//! its own file beside rustup's, `lib/rustlib/tcup-receipt`, which rustup ignores:
//!
//! ```text
//! tcup-receipt 1
//! component rustc-x86_64-unknown-linux-gnu <archive sha256>
//! 1c291ca3 1048576 bin/rustc
//! ```
//!
//! One `component` line per component (its installed name and the SHA-256 of the archive it came
//! from), then one line per file: CRC32 as 8 hex digits, length in bytes, path relative to the
//! toolchain root (the rest of the line; paths with a newline are not recorded). The archive hash
//! tells a current record from a stale one: when rustup later updates the toolchain in place, the
//! installed channel manifest names other archives and the record no longer applies.

use std::collections::BTreeMap;
use std::io::{self, Read, Write as _};
use std::path::{Component, Path, PathBuf};

use crate::install::receipts::Receipt;
use crate::install::unpack::{FileRecord, Unpacked};

/// The receipt's path inside a toolchain.
pub const RECEIPT: &str = "lib/rustlib/tcup-receipt";
const HEADER: &str = "tcup-receipt 1";

/// One component's recorded files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recorded {
    /// SHA-256 of the archive the files came from.
    pub archive_hash: String,
    /// Files, paths relative to the toolchain root.
    pub files: Vec<FileRecord>,
}

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
/// `dir:` line of `lines` covers, made relative to the toolchain root.
pub fn placed_records(unpacked: &Unpacked, dir_names: &[&str], lines: &[String]) -> Vec<FileRecord> {
    let Some(top) = unpacked.top.file_name() else { return Vec::new() };
    let listed: Vec<(bool, PathBuf)> = lines.iter().filter_map(|l| parse_line(l)).collect();
    unpacked
        .files
        .iter()
        .filter_map(|f| {
            let mut parts = f.path.components();
            if parts.next()?.as_os_str() != top {
                return None;
            }
            let dir = parts.next()?.as_os_str().to_str()?;
            if !dir_names.contains(&dir) {
                return None;
            }
            let rel: PathBuf = parts.collect();
            covered(&listed, &rel).then(|| FileRecord { path: rel, ..f.clone() })
        })
        .collect()
}

/// Parses a `file:<path>` / `dir:<path>` line: `(is_dir, path)`.
pub fn parse_line(line: &str) -> Option<(bool, PathBuf)> {
    match line.split_once(':')? {
        ("file", p) => Some((false, PathBuf::from(p))),
        ("dir", p) => Some((true, PathBuf::from(p))),
        _ => None,
    }
}

fn covered(listed: &[(bool, PathBuf)], rel: &Path) -> bool {
    listed.iter().any(|(is_dir, p)| if *is_dir { rel.starts_with(p) && rel != p } else { rel == p })
}

/// Writes `tree/lib/rustlib/tcup-receipt` for `receipts` (atomically: a temporary file renamed).
///
/// # Errors
/// The file cannot be written.
pub fn write_receipt(tree: &Path, receipts: &[Receipt]) -> io::Result<()> {
    let path = tree.join(RECEIPT);
    let tmp = path.with_extension("tmp");
    // Streamed: a default toolchain's receipt is about 5 MB, which as one String (grown by
    // doubling) raised the install's peak memory by more than 10 MiB.
    let written = (|| {
        let mut out = io::BufWriter::with_capacity(64 * 1024, fs_err::File::create(&tmp)?);
        writeln!(out, "{HEADER}")?;
        for r in receipts {
            writeln!(out, "component {} {}", r.name, r.archive_hash)?;
            for f in &r.files {
                let Some(p) = f.path.to_str().filter(|p| !p.contains('\n')) else { continue };
                writeln!(out, "{:08x} {} {p}", f.crc32, f.len)?;
            }
        }
        out.flush()
    })();
    if let Err(e) = written {
        let _ = fs_err::remove_file(&tmp);
        return Err(e);
    }
    fs_err::rename(&tmp, &path)
}

/// Reads tcup's receipt from the toolchain at `root`: component name → its record. `Ok(None)`
/// when there is none (a toolchain installed by rustup or by an older tcup).
///
/// # Errors
/// The file exists but cannot be read or is not in the format above (named in the error).
pub fn read_receipt(root: &Path) -> io::Result<Option<BTreeMap<String, Recorded>>> {
    let path = root.join(RECEIPT);
    let text = match fs_err::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let bad = |n: usize, why: &str| io::Error::new(io::ErrorKind::InvalidData, format!("{} line {n}: {why}", path.display()));
    let mut lines = text.lines().enumerate();
    if lines.next().map(|(_, l)| l) != Some(HEADER) {
        return Err(bad(1, &format!("expected '{HEADER}'")));
    }
    let mut out: BTreeMap<String, Recorded> = BTreeMap::new();
    let mut current: Option<String> = None;
    for (i, line) in lines {
        if let Some(rest) = line.strip_prefix("component ") {
            let (name, hash) = rest.split_once(' ').ok_or_else(|| bad(i + 1, "expected 'component NAME SHA256'"))?;
            out.insert(name.to_owned(), Recorded { archive_hash: hash.to_owned(), files: Vec::new() });
            current = Some(name.to_owned());
            continue;
        }
        let mut parts = line.splitn(3, ' ');
        let (Some(crc), Some(len), Some(p)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad(i + 1, "expected 'CRC32 LENGTH PATH'"));
        };
        let crc32 = u32::from_str_radix(crc, 16).map_err(|_| bad(i + 1, "the CRC32 is not 8 hex digits"))?;
        let len = len.parse().map_err(|_| bad(i + 1, "the length is not a number"))?;
        let name = current.as_ref().ok_or_else(|| bad(i + 1, "a file line before any component line"))?;
        out.get_mut(name).expect("inserted above").files.push(FileRecord { path: PathBuf::from(p), len, crc32 });
    }
    Ok(Some(out))
}

/// Length and CRC32 of the file at `root/rel`, read from disk.
///
/// # Errors
/// The file cannot be read.
pub fn record_file(root: &Path, rel: &Path) -> io::Result<FileRecord> {
    let mut file = fs_err::File::open(root.join(rel))?;
    let mut crc = crc32fast::Hasher::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut len = 0u64;
    loop {
        let n = match file.read(&mut buf) {
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

/// Compares the files at `root` with `files`.
///
/// # Errors
/// A file exists but cannot be read.
pub fn check(root: &Path, files: &[FileRecord]) -> io::Result<Damage> {
    let mut damage = Damage::default();
    for f in files {
        let path = root.join(&f.path);
        match path.symlink_metadata() {
            Err(e) if e.kind() == io::ErrorKind::NotFound => damage.missing.push(f.path.clone()),
            Err(e) => return Err(e),
            Ok(m) if !m.is_file() || m.len() != f.len => damage.changed.push(f.path.clone()),
            Ok(_) => {
                if record_file(root, &f.path)?.crc32 != f.crc32 {
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

/// The regular files a component's `lines` cover at `root` (a `dir:` line is walked), relative to
/// `root`, and the listed paths that do not exist.
///
/// # Errors
/// A directory cannot be listed.
pub fn listed_files(root: &Path, lines: &[String]) -> io::Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    let mut files = Vec::new();
    let mut missing = Vec::new();
    for (is_dir, rel) in lines.iter().filter_map(|l| parse_line(l)) {
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

/// Whether `rel` is one of the bookkeeping files rustup and tcup keep in `lib/rustlib/`.
pub fn is_bookkeeping(rel: &Path) -> bool {
    let mut parts = rel.components();
    let (Some(Component::Normal(a)), Some(Component::Normal(b)), Some(Component::Normal(name)), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let name = name.to_string_lossy();
    a == "lib"
        && b == "rustlib"
        && (matches!(&*name, "components" | "multirust-channel-manifest.toml" | "multirust-config.toml" | "rust-installer-version")
            || name.starts_with("manifest-")
            || name.starts_with("tcup-receipt"))
}

/// Files in the tree at `root` that no component installed: for each, the component whose
/// `dir:` line it lies under (`None` when none), given each component's lines and, when known,
/// its recorded files.
///
/// # Errors
/// The tree cannot be listed.
pub fn extra_files(root: &Path, components: &[(&str, &[String], Option<&Recorded>)]) -> io::Result<Vec<(Option<String>, PathBuf)>> {
    let mut all = Vec::new();
    walk(root, Path::new(""), &mut all)?;
    let mut extras = Vec::new();
    for rel in all {
        if is_bookkeeping(&rel) {
            continue;
        }
        let mut under: Option<&str> = None;
        let mut owned = false;
        for (name, lines, recorded) in components {
            for (is_dir, p) in lines.iter().filter_map(|l| parse_line(l)) {
                if !is_dir && rel == p {
                    owned = true;
                } else if is_dir && rel.starts_with(&p) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn receipt(name: &str, files: Vec<FileRecord>) -> Receipt {
        Receipt {
            name: name.into(),
            pkg: name.into(),
            target: "*".into(),
            is_extension: false,
            lines: vec!["file:bin/a b".into(), "dir:share/doc".into()],
            files,
            archive_hash: "ab".repeat(32),
        }
    }

    #[test]
    fn receipt_round_trips_and_check_finds_changes() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs_err::create_dir_all(root.join("lib/rustlib")).unwrap();
        fs_err::create_dir_all(root.join("bin")).unwrap();
        fs_err::create_dir_all(root.join("share/doc")).unwrap();
        fs_err::write(root.join("bin/a b"), "hello").unwrap();
        fs_err::write(root.join("share/doc/x.html"), "doc").unwrap();
        let files = vec![record_file(root, Path::new("bin/a b")).unwrap(), record_file(root, Path::new("share/doc/x.html")).unwrap()];
        assert_eq!(files[0].crc32, crc32fast::hash(b"hello"));
        write_receipt(root, &[receipt("c", files.clone())]).unwrap();
        let read = read_receipt(root).unwrap().unwrap();
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
        let lines = receipt("c", vec![]).lines;
        let extras = extra_files(root, &[("c", &lines, Some(&read["c"]))]).unwrap();
        assert_eq!(extras, [(Some("c".to_owned()), PathBuf::from("share/doc/new.html")), (None, PathBuf::from("stray"))]);
    }

    #[test]
    fn bad_receipts_are_named() {
        let dir = tempfile::tempdir().unwrap();
        assert!(read_receipt(dir.path()).unwrap().is_none());
        fs_err::create_dir_all(dir.path().join("lib/rustlib")).unwrap();
        fs_err::write(dir.path().join(RECEIPT), "tcup-receipt 1\nzz 1 x\n").unwrap();
        let e = read_receipt(dir.path()).unwrap_err().to_string();
        assert!(e.contains("tcup-receipt line 2: the CRC32 is not 8 hex digits"), "{e}");
    }

    #[test]
    fn bookkeeping_files() {
        assert!(is_bookkeeping(Path::new("lib/rustlib/manifest-rustc-x")));
        assert!(is_bookkeeping(Path::new("lib/rustlib/tcup-receipt")));
        assert!(!is_bookkeeping(Path::new("lib/rustlib/x86_64-unknown-linux-gnu/lib/libstd.rlib")));
    }
}
