//! Streaming unpack of a component archive: decompress and untar while the bytes arrive.
//!
//! Archives are rust-installer v3 tarballs, as produced by rust-lang/rust's
//! `src/tools/rust-installer`: one top directory `<pkg>-<version>-<target>/` holding
//! `components` (one component name per line), `rust-installer-version` (`3`), and per component
//! a directory with `manifest.in` (`file:<path>` / `dir:<path>` lines) and the files themselves.
//! Every entry is checked by [`super::safety`] before anything is written, and everything is
//! written beneath the caller's unpack directory (inside the staging area) through one directory
//! descriptor that never follows a link in any component ([`crate::sys::beneath`]): a symbolic
//! link entry cannot redirect a later file, directory or hard link entry of the same archive.

use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::dist::manifest::Compression;
use crate::install::safety::{self, Kind, UnsafeEntry};
use crate::install::writer::{self, Pool};
pub use crate::install::writer::{FileRecord, PoolOptions};
use crate::sys::beneath::Dir;

/// Why an archive could not be unpacked.
#[derive(Debug, thiserror::Error)]
pub enum UnpackError {
    /// An entry breaks a path-safety rule.
    #[error(transparent)]
    Unsafe(#[from] UnsafeEntry),
    /// The stream is not a valid compressed tarball (or reading it failed).
    #[error("the archive is not a valid compressed tarball: {0}")]
    Corrupt(#[source] io::Error),
    /// Writing into the staging directory failed (the first error of any writer thread).
    #[error(transparent)]
    Write(io::Error),
    /// The tarball does not have a single top directory.
    #[error("the archive has no top directory (found '{0}' at the top level)")]
    Layout(String),
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

/// The result of unpacking one archive.
#[derive(Debug)]
pub struct Unpacked {
    /// The archive's top directory (`dest/<pkg>-<version>-<target>`).
    pub top: PathBuf,
    /// Every regular file written (hard links included), in archive order, with paths relative to
    /// `dest`.
    pub files: Vec<FileRecord>,
    /// Every symbolic link left in `dest`, relative to it. Placing checks each one it installs
    /// against the links already in the toolchain ([`super::safety::resolve_in_tree`]).
    pub symlinks: Vec<PathBuf>,
}

/// Unpacks the tarball read from `tar_stream` (already decompressed) below `dest` and returns its
/// top directory and a [`FileRecord`] per regular file. Reads the tar stream to its end.
///
/// This thread decodes, checks every entry's path, and creates directories and links; regular
/// files go to a pool of `opts.threads` writers holding at most `opts.budget` bytes in flight
/// ([`super::writer`]). A file counts as complete only when this function returns `Ok`: by then
/// every writer has closed its files without error. Until then the files are only in the staging
/// area, which nothing else reads.
///
/// # Errors
/// See [`UnpackError`]; the first writer error stops decoding. On error, `dest` may hold part of
/// the archive: it is inside the staging area and removed with it.
pub fn unpack(tar_stream: impl Read, dest: &Path, opts: PoolOptions) -> Result<Unpacked, UnpackError> {
    let mut archive = tar::Archive::new(ForwardOnly::new(tar_stream));
    fs_err::create_dir_all(dest)?;
    let root = Dir::open(dest)?;
    let ((top, symlinks), files) = writer::with_pool(opts, &root, |pool| decode(&mut archive, &root, pool, opts.chunk()))?;
    // A compressor's trailer (and the xz index) follow the tar's end; read them so integrity checks run.
    let mut rest = archive.into_inner();
    io::copy(&mut rest, &mut io::sink()).map_err(UnpackError::Corrupt)?;
    Ok(Unpacked { top: dest.join(top), files, symlinks })
}

impl From<io::Error> for UnpackError {
    fn from(e: io::Error) -> Self {
        UnpackError::Write(e)
    }
}

/// The decompressed stream as tar reads it, seekable forward only. tar skips the rest of each
/// entry (its padding, at least) with `Seek` when the reader has it, and otherwise by reading into
/// a 32 KiB stack buffer it zeroes on every call: one 32 KiB `memset` per entry, 1.3 % of a
/// default-profile install's CPU samples (rust-docs has some 50 000 entries). This reader skips
/// into one buffer kept for the whole archive.
struct ForwardOnly<R> {
    inner: R,
    pos: u64,
    scratch: Vec<u8>,
}

impl<R: Read> ForwardOnly<R> {
    fn new(inner: R) -> Self {
        ForwardOnly { inner, pos: 0, scratch: Vec::new() }
    }
}

impl<R: Read> Read for ForwardOnly<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: Read> Seek for ForwardOnly<R> {
    /// `SeekFrom::Current(n)` with `n ≥ 0` reads and drops `n` bytes; every other seek is
    /// refused (`Unsupported`). An end of stream on the way is `UnexpectedEof`.
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let SeekFrom::Current(ahead) = to else {
            return Err(io::Error::new(io::ErrorKind::Unsupported, "the archive stream only skips forward"));
        };
        let mut left =
            u64::try_from(ahead).map_err(|_| io::Error::new(io::ErrorKind::Unsupported, "the archive stream only skips forward"))?;
        if left > 0 && self.scratch.is_empty() {
            self.scratch = vec![0; 32 * 1024];
        }
        while left > 0 {
            let want = usize::try_from(left).unwrap_or(usize::MAX).min(self.scratch.len());
            match self.inner.read(&mut self.scratch[..want]) {
                Ok(0) => return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the archive ends inside an entry")),
                Ok(n) => {
                    self.pos += n as u64;
                    left -= n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(self.pos)
    }
}

/// Paths already used by this archive, by hash (a collision only costs a needless barrier).
#[derive(Default)]
struct Seen {
    files: std::collections::HashSet<u64>,
    dirs: std::collections::HashSet<PathBuf>,
}

impl Seen {
    fn key(path: &Path) -> u64 {
        use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
        BuildHasherDefault::<DefaultHasher>::default().hash_one(path)
    }
}

/// The decoding loop: every entry checked, then created here (directories, links) or handed to
/// the pool (regular files), all beneath `root`. Returns the top directory and the symbolic links
/// left in the tree.
fn decode<R: Read + Seek>(
    archive: &mut tar::Archive<R>,
    root: &Dir,
    pool: &mut Pool<'_>,
    chunk: usize,
) -> Result<(PathBuf, Vec<PathBuf>), UnpackError> {
    let mut top: Option<PathBuf> = None;
    let mut symlinks: Vec<PathBuf> = Vec::new();
    let mut seen = Seen::default();
    for entry in archive.entries_with_seek().map_err(UnpackError::Corrupt)? {
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
        // Compared as bytes: relative_path's paths are normalised, and this runs for every entry.
        let first = path.components().next().expect("relative_path is never empty").as_os_str();
        match &top {
            None if path.as_os_str() == first && kind != Kind::Dir => return Err(UnpackError::Layout(path.display().to_string())),
            None => top = Some(PathBuf::from(first)),
            Some(t) if t.as_os_str() != first => return Err(UnpackError::Layout(path.display().to_string())),
            Some(_) => {}
        }
        // The pool must never race with this thread on one path: links and reused paths wait
        // until every queued file is written.
        if kind != Kind::Dir && (kind != Kind::File || !seen.files.insert(Seen::key(&path))) {
            pool.barrier()?;
        }
        if symlinks.contains(&path) {
            symlinks.retain(|s| s != &path);
            root.remove_file(&path).map_err(UnpackError::Write)?;
        }
        match kind {
            Kind::Dir => {
                if seen.dirs.insert(path.clone()) {
                    root.create_dir_all(&path).map_err(UnpackError::Write)?;
                }
            }
            Kind::File => {
                ensure_parent(&path, root, &mut seen)?;
                let mode = entry.header().mode().map_err(UnpackError::Corrupt)?;
                queue_file(&mut entry, pool, path, mode, chunk)?;
            }
            Kind::Symlink => {
                ensure_parent(&path, root, &mut seen)?;
                let link = link.expect("checked by check_entry");
                root.symlink(&link, &path).map_err(UnpackError::Write)?;
                symlinks.push(path);
            }
            Kind::HardLink => {
                ensure_parent(&path, root, &mut seen)?;
                let source_rel = safety::relative_path(&link.expect("checked")).expect("checked");
                root.hard_link(&path, root, &source_rel).map_err(UnpackError::Write)?;
                if let Some(r) = pool.record(&source_rel) {
                    pool.add_record(FileRecord { path, ..r });
                }
            }
        }
    }
    let top = top.ok_or_else(|| UnpackError::Layout("(empty archive)".into()))?;
    Ok((top, symlinks))
}

/// Creates the parent directory of `path` (relative to `root`) unless this archive already did.
fn ensure_parent(path: &Path, root: &Dir, seen: &mut Seen) -> Result<(), UnpackError> {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() && !seen.dirs.contains(p) => {
            root.create_dir_all(p).map_err(UnpackError::Write)?;
            seen.dirs.insert(p.to_path_buf());
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Reads one regular file's contents from the tar stream and hands it to the pool: whole when it
/// fits in one chunk, else chunk by chunk. Permission bits are `mode & 0o777` (executables stay
/// executable, no set-id bit is ever installed), less the user's umask, as `tar` does.
fn queue_file(
    entry: &mut tar::Entry<'_, impl Read>,
    pool: &mut Pool<'_>,
    path: PathBuf,
    mode: u32,
    chunk: usize,
) -> Result<(), UnpackError> {
    let size = usize::try_from(entry.size()).unwrap_or(usize::MAX);
    if size <= chunk {
        let mut data = Vec::with_capacity(size);
        entry.read_to_end(&mut data).map_err(UnpackError::Corrupt)?;
        return Ok(pool.write(path, mode, data)?);
    }
    let to = pool.stream(path, mode)?;
    loop {
        let mut next = Vec::with_capacity(chunk);
        entry.take(chunk as u64).read_to_end(&mut next).map_err(UnpackError::Corrupt)?;
        if next.is_empty() {
            return Ok(());
        }
        pool.chunk(&to, next)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tar with one top directory, `files` below it (path, contents) and a hard link to the first.
    fn tarball(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Directory);
        h.set_mode(0o755);
        h.set_size(0);
        b.append_data(&mut h, "top/", io::empty()).unwrap();
        for (path, data) in files {
            let mut h = tar::Header::new_gnu();
            h.set_mode(0o644);
            h.set_size(data.len() as u64);
            b.append_data(&mut h, format!("top/{path}"), &data[..]).unwrap();
        }
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Link);
        h.set_size(0);
        b.append_link(&mut h, "top/link", format!("top/{}", files[0].0)).unwrap();
        b.into_inner().unwrap()
    }

    fn opts(threads: usize, budget: usize) -> PoolOptions {
        PoolOptions { threads, budget }
    }

    #[test]
    fn files_and_records_with_small_and_streamed_files() {
        let big: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        let mut files: Vec<(String, Vec<u8>)> =
            (0..300usize).map(|i| (format!("d{}/f{i}", i % 7), vec![i.to_le_bytes()[0]; i * 10])).collect();
        files.insert(150, ("big".into(), big.clone()));
        let refs: Vec<(&str, Vec<u8>)> = files.iter().map(|(p, d)| (p.as_str(), d.clone())).collect();
        let tar = tarball(&refs);
        // A budget of 256 KiB: the 3 MB file goes in 64 KiB chunks, the small ones wait for room.
        for (threads, budget) in [(1, 256 * 1024), (8, 256 * 1024), (4, 16 << 20)] {
            let dest = tempfile::tempdir().unwrap();
            let out = unpack(&tar[..], dest.path(), opts(threads, budget)).unwrap();
            assert_eq!(out.top, dest.path().join("top"));
            assert_eq!(fs_err::read(dest.path().join("top/big")).unwrap(), big);
            assert_eq!(fs_err::read(dest.path().join("top/d3/f10")).unwrap(), vec![10u8; 100]);
            // Archive order, every regular file once, the hard link last with its source's CRC.
            let paths: Vec<String> = out.files.iter().map(|r| r.path.display().to_string()).collect();
            let mut expected: Vec<String> = files.iter().map(|(p, _)| format!("top/{p}")).collect();
            expected.push("top/link".into());
            assert_eq!(paths, expected);
            let rec = &out.files[150];
            assert_eq!((rec.len, rec.crc32), (big.len() as u64, crc32fast::hash(&big)));
            assert_eq!(out.files.last().unwrap().crc32, crc32fast::hash(&files[0].1));
            assert_eq!(out.files[2], FileRecord { path: "top/d2/f2".into(), len: 20, crc32: crc32fast::hash(&[2u8; 20]) });
        }
    }

    #[test]
    fn a_write_error_in_one_writer_stops_the_unpack_and_names_the_path() {
        let files: Vec<(String, Vec<u8>)> = (0..2000).map(|i| (format!("f{i}"), vec![1u8; 100])).collect();
        let refs: Vec<(&str, Vec<u8>)> = files.iter().map(|(p, d)| (p.as_str(), d.clone())).collect();
        let tar = tarball(&refs);
        let dest = tempfile::tempdir().unwrap();
        // A directory where file f7 should go: its writer's open fails (EISDIR).
        fs_err::create_dir_all(dest.path().join("top/f7/x")).unwrap();
        let err = unpack(&tar[..], dest.path(), opts(4, 64 * 1024)).unwrap_err();
        assert!(matches!(err, UnpackError::Write(_)), "{err:?}");
        let msg = err.to_string();
        assert!(msg.contains("top/f7") && msg.contains("Is a directory"), "{msg}");
        // Decoding stopped soon after: with a 64 KiB budget at most a few hundred files were queued.
        let written = fs_err::read_dir(dest.path().join("top")).unwrap().count();
        assert!(written < 1500, "decoding should stop at the first error, but {written} entries were written");
    }

    #[test]
    fn a_symlink_in_a_files_place_is_never_followed() {
        let outside = tempfile::tempdir().unwrap();
        let dest = tempfile::tempdir().unwrap();
        fs_err::create_dir_all(dest.path().join("top")).unwrap();
        fs_err::os::unix::fs::symlink(outside.path().join("victim"), dest.path().join("top/a")).unwrap();
        let err = unpack(&tarball(&[("a", b"x".to_vec())])[..], dest.path(), opts(2, 1 << 20)).unwrap_err();
        assert!(err.to_string().contains("top/a"), "{err}");
        assert!(!outside.path().join("victim").exists());
    }

    #[test]
    fn the_archive_stream_skips_forward_only_and_knows_its_position() {
        let data: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
        let mut r = ForwardOnly::new(&data[..]);
        let mut two = [0u8; 2];
        r.read_exact(&mut two).unwrap();
        assert_eq!(r.stream_position().unwrap(), 2);
        assert_eq!(r.seek(SeekFrom::Current(70_000)).unwrap(), 70_002);
        r.read_exact(&mut two).unwrap();
        assert_eq!(two, [data[70_002], data[70_003]]);
        for refused in [SeekFrom::Current(-1), SeekFrom::Start(0), SeekFrom::End(0)] {
            assert_eq!(r.seek(refused).unwrap_err().kind(), io::ErrorKind::Unsupported);
        }
        assert_eq!(r.seek(SeekFrom::Current(40_000)).unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
    }
}
