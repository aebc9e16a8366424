//! tcup's own per-file record of a toolchain, `lib/rustlib/tcup-receipt`, beside rustup's
//! receipts (which list paths only, so a file truncated by a full disk or edited by accident goes
//! unnoticed). rustup ignores the file. Format:
//!
//! ```text
//! tcup-receipt 1
//! component rustc-x86_64-unknown-linux-gnu <archive sha256>
//! 1c291ca3 1048576 bin/rustc
//! ```
//!
//! One `component` line per component (its installed name and the SHA-256 of the archive it came
//! from), then one line per regular file: CRC32 as 8 hex digits, length in bytes, path relative to
//! the toolchain root (the rest of the line; paths with a newline are not recorded). The archive
//! hash tells a current record from a stale one: when rustup later updates the toolchain in place,
//! the installed channel manifest names other archives and the record no longer applies. The
//! checks made with it are [`crate::install::file_check`]'s.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

/// The record's file name in `lib/rustlib/`.
pub const FILE_NAME: &str = "tcup-receipt";
const HEADER: &str = "tcup-receipt 1";

/// One regular file as written: what a later verification compares against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRecord {
    /// Path (relative to the unpack directory while unpacking, to the toolchain root once placed).
    pub path: PathBuf,
    /// Length in bytes.
    pub len: u64,
    /// CRC-32 (IEEE, as crc32fast and zlib compute it) of the contents.
    pub crc32: u32,
}

/// One component's recorded files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recorded {
    /// SHA-256 of the archive the files came from.
    pub archive_hash: String,
    /// Files, paths relative to the toolchain root.
    pub files: Vec<FileRecord>,
}

/// Writes the record at `path` for `(component name, archive sha256, files)` (atomically,
/// [`crate::sys::atomic_write`]; streamed, since a default toolchain's record is about 5 MB).
///
/// # Errors
/// The file cannot be written; the temporary file is removed.
pub fn write<'a>(path: &Path, components: impl Iterator<Item = (String, &'a str, &'a [FileRecord])>) -> io::Result<()> {
    crate::sys::atomic_write::write_with(path, None, |out| {
        writeln!(out, "{HEADER}")?;
        for (name, hash, files) in components {
            writeln!(out, "component {name} {hash}")?;
            for f in files {
                let Some(p) = f.path.to_str().filter(|p| !p.contains('\n')) else { continue };
                writeln!(out, "{:08x} {} {p}", f.crc32, f.len)?;
            }
        }
        Ok(())
    })
}

/// Reads the record at `path`: component name → its record. `Ok(None)` when there is none.
///
/// # Errors
/// The file exists but cannot be read or is not in the format above (named in the error, with
/// the line).
pub fn read(path: &Path) -> io::Result<Option<BTreeMap<String, Recorded>>> {
    let text = match fs_err::read_to_string(path) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_bad_records_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        assert!(read(&path).unwrap().is_none());
        let files = vec![FileRecord { path: "bin/a b".into(), len: 5, crc32: crc32fast::hash(b"hello") }];
        let hash = "ab".repeat(32);
        write(&path, [("c".to_owned(), hash.as_str(), files.as_slice())].into_iter()).unwrap();
        let back = read(&path).unwrap().unwrap();
        assert_eq!(back["c"], Recorded { archive_hash: hash.clone(), files });
        fs_err::write(&path, "tcup-receipt 1\nzz 1 x\n").unwrap();
        let e = read(&path).unwrap_err().to_string();
        assert!(e.contains("tcup-receipt line 2: the CRC32 is not 8 hex digits"), "{e}");
    }
}
