//! Streaming unpack of a component archive: decompress and untar while the bytes arrive.
//!
//! Archives are rust-installer v3 tarballs, as produced by rust-lang/rust's
//! `src/tools/rust-installer`: one top directory `<pkg>-<version>-<target>/` holding
//! `components` (one component name per line), `rust-installer-version` (`3`), and per component
//! a directory with `manifest.in` (`file:<path>` / `dir:<path>` lines) and the files themselves.
//! Every entry is checked by [`super::safety`] before anything is written, and everything is
//! written below the caller's unpack directory (inside the staging area).

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use crate::dist::manifest::Compression;
use crate::install::safety::{self, Kind, UnsafeEntry};

/// Why an archive could not be unpacked.
#[derive(Debug, thiserror::Error)]
pub enum UnpackError {
    /// An entry breaks a path-safety rule.
    #[error(transparent)]
    Unsafe(#[from] UnsafeEntry),
    /// The stream is not a valid compressed tarball (or reading it failed).
    #[error("the archive is not a valid compressed tarball: {0}")]
    Corrupt(#[source] io::Error),
    /// Writing into the staging directory failed.
    #[error(transparent)]
    Write(io::Error),
    /// The tarball does not have a single top directory.
    #[error("the archive has no top directory (found '{0}' at the top level)")]
    Layout(String),
}

/// One regular file written by [`unpack`]: its path relative to the unpack directory, its length
/// in bytes and its CRC32 (IEEE, as `crc32fast` computes it), taken from the bytes as they were
/// written. Hard links get the record of the file they link to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRecord {
    /// Path relative to the unpack directory (`<top>/<component>/bin/rustc`).
    pub path: PathBuf,
    /// Length in bytes.
    pub len: u64,
    /// CRC32 of the contents.
    pub crc32: u32,
}

/// What [`unpack`] produced.
#[derive(Debug)]
pub struct Unpacked {
    /// The archive's top directory (`dest/<pkg>-<version>-<target>`).
    pub top: PathBuf,
    /// Every regular file written, in archive order.
    pub files: Vec<FileRecord>,
}

/// Wraps `raw` in the decompressor for `compression`.
///
/// # Errors
/// The decompressor could not be initialised.
pub fn decoder<'a, R: Read + 'a>(raw: R, compression: Compression) -> io::Result<Box<dyn Read + 'a>> {
    Ok(match compression {
        Compression::Xz => Box::new(liblzma::read::XzDecoder::new_multi_decoder(raw)),
        Compression::Gz => Box::new(flate2::read::MultiGzDecoder::new(raw)),
        Compression::Zst => Box::new(zstd::stream::read::Decoder::new(raw)?),
    })
}

/// Unpacks the tarball read from `tar_stream` (already decompressed) below `dest`, and returns the
/// archive's top directory (`dest/<pkg>-<version>-<target>`) with a [`FileRecord`] per regular
/// file. Reads the tar stream to its end.
///
/// # Errors
/// See [`UnpackError`]. On error, `dest` may hold part of the archive: it is inside the staging
/// area and removed with it.
pub fn unpack(tar_stream: impl Read, dest: &Path) -> Result<Unpacked, UnpackError> {
    let mut files: Vec<FileRecord> = Vec::new();
    let mut archive = tar::Archive::new(tar_stream);
    let mut top: Option<PathBuf> = None;
    let mut symlinks: Vec<PathBuf> = Vec::new();
    let mut buf = vec![0u8; 256 * 1024];
    for entry in archive.entries().map_err(UnpackError::Corrupt)? {
        let mut entry = entry.map_err(UnpackError::Corrupt)?;
        let raw_path = entry.path().map_err(UnpackError::Corrupt)?.into_owned();
        let refuse = |why: String| UnsafeEntry { entry: raw_path.display().to_string(), why };
        let path = safety::relative_path(&raw_path).map_err(|why| refuse(why.to_owned()))?;
        let kind = match entry.header().entry_type() {
            tar::EntryType::Regular | tar::EntryType::Continuous => Kind::File,
            tar::EntryType::Directory => Kind::Dir,
            tar::EntryType::Symlink => Kind::Symlink,
            tar::EntryType::Link => Kind::HardLink,
            // PAX and GNU long-name headers are consumed by the tar crate; these carry no file.
            tar::EntryType::XGlobalHeader | tar::EntryType::XHeader => continue,
            other => return Err(refuse(format!("unsupported entry type {other:?} (device, FIFO or other special file)")).into()),
        };
        let link = entry.link_name().map_err(UnpackError::Corrupt)?.map(std::borrow::Cow::into_owned);
        safety::check_entry(&path, kind, link.as_deref(), &symlinks)?;
        let first = PathBuf::from(path.components().next().expect("relative_path is never empty").as_os_str());
        match &top {
            None if path == first && kind != Kind::Dir => return Err(UnpackError::Layout(path.display().to_string())),
            None => top = Some(first),
            Some(t) if *t != first => return Err(UnpackError::Layout(path.display().to_string())),
            Some(_) => {}
        }
        let target = dest.join(&path);
        if symlinks.contains(&path) {
            symlinks.retain(|s| s != &path);
            fs_err::remove_file(&target).map_err(UnpackError::Write)?;
        }
        match kind {
            Kind::Dir => fs_err::create_dir_all(&target).map_err(UnpackError::Write)?,
            Kind::File => {
                let mode = entry.header().mode().map_err(UnpackError::Corrupt)?;
                let (len, crc32) = write_file(&mut entry, &target, mode, &mut buf)?;
                files.retain(|f| f.path != path);
                files.push(FileRecord { path: path.clone(), len, crc32 });
            }
            Kind::Symlink => {
                ensure_parent(&target)?;
                let link = link.expect("checked by check_entry");
                fs_err::os::unix::fs::symlink(&link, &target).map_err(UnpackError::Write)?;
                symlinks.push(path);
            }
            Kind::HardLink => {
                ensure_parent(&target)?;
                let rel = safety::relative_path(&link.expect("checked")).expect("checked");
                fs_err::hard_link(dest.join(&rel), &target).map_err(UnpackError::Write)?;
                if let Some(f) = files.iter().find(|f| f.path == rel) {
                    files.push(FileRecord { path: path.clone(), ..f.clone() });
                }
            }
        }
    }
    // A compressor's trailer (and the xz index) follow the tar's end; read them so integrity checks run.
    let mut rest = archive.into_inner();
    io::copy(&mut rest, &mut io::sink()).map_err(UnpackError::Corrupt)?;
    let top = top.map(|t| dest.join(t)).ok_or_else(|| UnpackError::Layout("(empty archive)".into()))?;
    Ok(Unpacked { top, files })
}

fn ensure_parent(target: &Path) -> Result<(), UnpackError> {
    match target.parent() {
        Some(p) if !p.is_dir() => fs_err::create_dir_all(p).map_err(UnpackError::Write),
        _ => Ok(()),
    }
}

/// Writes one regular file with the archive's permission bits (`mode & 0o777`, so executables
/// stay executable and no set-id bit is ever installed), less the user's umask, as `tar` does.
/// Returns the length written and its CRC32.
fn write_file(entry: &mut impl Read, target: &Path, mode: u32, buf: &mut [u8]) -> Result<(u64, u32), UnpackError> {
    use fs_err::os::unix::fs::OpenOptionsExt;
    ensure_parent(target)?;
    let mut file =
        fs_err::OpenOptions::new().write(true).create(true).truncate(true).mode(mode & 0o777).open(target).map_err(UnpackError::Write)?;
    let mut crc = crc32fast::Hasher::new();
    let mut len = 0u64;
    loop {
        let n = match entry.read(buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(UnpackError::Corrupt(e)),
        };
        crc.update(&buf[..n]);
        len += n as u64;
        file.write_all(&buf[..n]).map_err(UnpackError::Write)?;
    }
    Ok((len, crc.finalize()))
}
