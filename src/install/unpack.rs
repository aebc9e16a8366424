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
//!
//! The bytes arrive before their hash is known, so every header is first let through by a
//! [`Tally`] against the archive's [`super::bound::Bound`]: declared sizes, entry count, and the
//! size of metadata headers. The tar crate's own handling of GNU long names/links and PAX
//! records reads them into memory whatever their size, so the entries are read raw and those
//! records are read here, each under the header cap, and applied to the next entry as the tar
//! crate would (a long name wins over a PAX `path`, which wins over the header's name; a PAX
//! `size` that differs from the header's is refused rather than followed).

use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::dist::manifest::Compression;
use crate::install::bound::{Crossed, Measured, Received, Tally};
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
    /// A cap on unverified bytes was crossed ([`super::bound`]); nothing more was read.
    #[error(transparent)]
    Crossed(#[from] Crossed),
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
    /// What the bound on unverified bytes saw ([`super::bound`]).
    pub measured: Measured,
}

/// Unpacks the tarball read from `tar_stream` (already decompressed) below `dest` and returns its
/// top directory and a [`FileRecord`] per regular file. Reads the tar stream to its end.
///
/// `received` counts the compressed bytes under the decompressor ([`Received::count`]) and holds
/// the bound: every header is let through by it before its entry is read, and the stream after
/// the tar's end counts too.
///
/// This thread decodes, checks every entry's path, and creates directories and links; regular
/// files go to a pool of `opts.threads` writers holding at most `opts.budget` bytes in flight
/// ([`super::writer`]). A file counts as complete only when this function returns `Ok`: by then
/// every writer has closed its files without error. Until then the files are only in the staging
/// area, which nothing else reads.
///
/// # Errors
/// See [`UnpackError`]; the first writer error or crossed bound stops decoding. On error, `dest`
/// may hold part of the archive: it is inside the staging area and removed with it.
pub fn unpack(tar_stream: impl Read, received: &Received, dest: &Path, opts: PoolOptions) -> Result<Unpacked, UnpackError> {
    let mut archive = tar::Archive::new(ForwardOnly::new(tar_stream));
    let mut tally = Tally::new(received);
    fs_err::create_dir_all(dest)?;
    let root = Dir::open(dest)?;
    let ((top, symlinks), files) = writer::with_pool(opts, &root, |pool| decode(&mut archive, &mut tally, &root, pool, opts.chunk()))?;
    // A compressor's trailer (and the xz index) follow the tar's end; read them so integrity
    // checks run, under the bound like the rest.
    let mut rest = archive.into_inner();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match rest.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => tally.trailing(n as u64)?,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(UnpackError::Corrupt(e)),
        }
    }
    Ok(Unpacked { top: dest.join(top), files, symlinks, measured: tally.measured() })
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

/// GNU long name (`L`) and long link (`K`) records and a PAX (`x`) record read from their own
/// entries, waiting for the entry they describe.
#[derive(Default)]
struct Pending {
    long_name: Option<Vec<u8>>,
    long_link: Option<Vec<u8>>,
    pax: Option<Vec<u8>>,
}

impl Pending {
    fn is_empty(&self) -> bool {
        self.long_name.is_none() && self.long_link.is_none() && self.pax.is_none()
    }

    /// Reads a metadata entry of type `ty` and `size` bytes (already let through by the tally,
    /// and at most the header cap) into its slot; `g` records are skipped (they name no file). Returns
    /// `false` for an entry that is not a metadata record.
    fn take_record(&mut self, ty: tar::EntryType, size: u64, entry: &mut impl Read) -> Result<bool, UnpackError> {
        let slot = match ty {
            tar::EntryType::GNULongName => &mut self.long_name,
            tar::EntryType::GNULongLink => &mut self.long_link,
            tar::EntryType::XHeader => &mut self.pax,
            tar::EntryType::XGlobalHeader => return Ok(true),
            _ => return Ok(false),
        };
        if slot.is_some() {
            return Err(corrupt("two long name or PAX entries describe the same member"));
        }
        // One read of the size already let through (at most the header cap): reading to the end
        // into a growing buffer took several small reads through the decompressor per record.
        let mut data = vec![0; usize::try_from(size).expect("at most the header cap")];
        entry.read_exact(&mut data).map_err(UnpackError::Corrupt)?;
        *slot = Some(data);
        Ok(true)
    }

    fn pax_value(&self, key: &[u8]) -> Result<Option<&[u8]>, UnpackError> {
        let Some(pax) = &self.pax else { return Ok(None) };
        for ext in tar::PaxExtensions::new(pax) {
            let ext = ext.map_err(UnpackError::Corrupt)?;
            if ext.key_bytes() == key {
                return Ok(Some(ext.value_bytes()));
            }
        }
        Ok(None)
    }

    /// The entry's path: the long name (less its NUL), else PAX `path`, else the header's.
    fn path(&self, header: &tar::Header) -> Result<PathBuf, UnpackError> {
        let bytes = match (&self.long_name, self.pax_value(b"path")?) {
            (Some(name), _) => name.strip_suffix(&[0]).unwrap_or(name),
            (None, Some(p)) => p,
            (None, None) => return Ok(bytes_path(&header.path_bytes())),
        };
        Ok(bytes_path(bytes))
    }

    /// The entry's link target: the long link (less its NUL), else PAX `linkpath`, else the
    /// header's, if any.
    fn link(&self, header: &tar::Header) -> Result<Option<PathBuf>, UnpackError> {
        Ok(match (&self.long_link, self.pax_value(b"linkpath")?) {
            (Some(name), _) => Some(bytes_path(name.strip_suffix(&[0]).unwrap_or(name))),
            (None, Some(p)) => Some(bytes_path(p)),
            (None, None) => header.link_name_bytes().map(|b| bytes_path(&b)),
        })
    }

    /// Refuses a PAX `size` other than the header's: the tar crate would follow it, and reading
    /// raw entries, this unpacker would not (the two would see different archives).
    fn check_size(&self, header_size: u64) -> Result<(), UnpackError> {
        match self.pax_value(b"size")? {
            Some(v) if std::str::from_utf8(v).ok().and_then(|v| v.parse::<u64>().ok()) != Some(header_size) => {
                Err(corrupt("a PAX size record differs from its entry's header"))
            }
            _ => Ok(()),
        }
    }
}

fn bytes_path(bytes: &[u8]) -> PathBuf {
    crate::sys::fs::path_from_bytes(bytes)
}

fn corrupt(why: &str) -> UnpackError {
    UnpackError::Corrupt(io::Error::new(io::ErrorKind::InvalidData, why))
}

/// The name of a metadata header's kind in messages, or `None` for an entry that is not one.
fn record_kind(ty: tar::EntryType) -> Option<&'static str> {
    match ty {
        tar::EntryType::GNULongName => Some("GNU long name"),
        tar::EntryType::GNULongLink => Some("GNU long link"),
        tar::EntryType::XHeader => Some("PAX"),
        tar::EntryType::XGlobalHeader => Some("PAX global"),
        _ => None,
    }
}

/// The decoding loop: every header let through by `tally`, metadata records read under the
/// header cap, every entry's path checked, then created here (directories, links) or handed to
/// the pool (regular files), all beneath `root`. Returns the top directory and the symbolic links
/// left in the tree.
fn decode<R: Read + Seek>(
    archive: &mut tar::Archive<R>,
    tally: &mut Tally<'_>,
    root: &Dir,
    pool: &mut Pool<'_>,
    chunk: usize,
) -> Result<(PathBuf, Vec<PathBuf>), UnpackError> {
    let mut top: Option<PathBuf> = None;
    let mut symlinks: Vec<PathBuf> = Vec::new();
    let mut seen = Seen::default();
    let mut pending = Pending::default();
    let cap = tally.bound().header;
    for entry in archive.entries_with_seek().map_err(UnpackError::Corrupt)?.raw(true) {
        let mut entry = entry.map_err(UnpackError::Corrupt)?;
        let ty = entry.header().entry_type();
        if let Some(kind) = record_kind(ty) {
            if entry.size() > cap {
                return Err(Crossed::Header { kind, size: entry.size(), bound: tally.bound() }.into());
            }
            tally.entry(&format_args!("({kind} header)"), entry.size())?;
            pending.take_record(ty, entry.size(), &mut entry)?;
            continue;
        }
        let meta = std::mem::take(&mut pending);
        let raw_path = meta.path(entry.header())?;
        // A regular file's contents are charged as they are read (queue_file), anything else's
        // declared size now.
        let regular = matches!(ty, tar::EntryType::Regular | tar::EntryType::Continuous);
        tally.entry(&raw_path.display(), if regular { 0 } else { entry.size() })?;
        meta.check_size(entry.size())?;
        let refuse = |why: String| UnsafeEntry { entry: raw_path.display().to_string(), why };
        let path = safety::relative_path(&raw_path).map_err(|why| refuse(why.to_owned()))?;
        let kind = entry_kind(ty).map_err(refuse)?;
        let link = meta.link(entry.header())?;
        safety::check_entry(&path, kind, link.as_deref(), &symlinks)?;
        one_top(&mut top, &path, kind)?;
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
                queue_file(&mut entry, tally, pool, path, mode, chunk)?;
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
    if !pending.is_empty() {
        return Err(corrupt("the archive ends with a long name or PAX entry describing no member"));
    }
    let top = top.ok_or_else(|| UnpackError::Layout("(empty archive)".into()))?;
    Ok((top, symlinks))
}

/// What an entry of type `ty` creates; the reason a special file (device, FIFO, …) is refused.
fn entry_kind(ty: tar::EntryType) -> Result<Kind, String> {
    match ty {
        tar::EntryType::Regular | tar::EntryType::Continuous => Ok(Kind::File),
        tar::EntryType::Directory => Ok(Kind::Dir),
        tar::EntryType::Symlink => Ok(Kind::Symlink),
        tar::EntryType::Link => Ok(Kind::HardLink),
        other => Err(format!("unsupported entry type {other:?} (device, FIFO or other special file)")),
    }
}

/// Checks that `path` lies in the archive's one top directory, and records it from the first
/// entry (which must be that directory or lie below it).
fn one_top(top: &mut Option<PathBuf>, path: &Path, kind: Kind) -> Result<(), UnpackError> {
    // Compared as bytes: relative_path's paths are normalised, and this runs for every entry.
    let first = path.components().next().expect("relative_path is never empty").as_os_str();
    match top {
        None if path.as_os_str() == first && kind != Kind::Dir => Err(UnpackError::Layout(path.display().to_string())),
        None => {
            *top = Some(PathBuf::from(first));
            Ok(())
        }
        Some(t) if t.as_os_str() != first => Err(UnpackError::Layout(path.display().to_string())),
        Some(_) => Ok(()),
    }
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
/// fits in one chunk, else chunk by chunk, each charged to `tally` before it is read. Permission
/// bits are `mode & 0o777` (executables stay executable, no set-id bit is ever installed), less
/// the user's umask, as `tar` does.
fn queue_file(
    entry: &mut tar::Entry<'_, impl Read>,
    tally: &mut Tally<'_>,
    pool: &mut Pool<'_>,
    path: PathBuf,
    mode: u32,
    chunk: usize,
) -> Result<(), UnpackError> {
    let declared = entry.size();
    let size = usize::try_from(declared).unwrap_or(usize::MAX);
    if size <= chunk {
        tally.charge(|| format!("the entry '{}' declares", path.display()), declared)?;
        let mut data = Vec::with_capacity(size);
        entry.read_to_end(&mut data).map_err(UnpackError::Corrupt)?;
        return Ok(pool.write(path, mode, data)?);
    }
    let mut left = declared;
    let to = pool.stream(path.clone(), mode)?;
    loop {
        let piece = left.min(chunk as u64);
        tally.charge(|| format!("the entry '{}' goes on by", path.display()), piece)?;
        let mut next = Vec::with_capacity(chunk);
        entry.take(piece).read_to_end(&mut next).map_err(UnpackError::Corrupt)?;
        if next.is_empty() {
            return Ok(());
        }
        left -= next.len() as u64;
        pool.chunk(&to, next)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::install::bound::Bound;

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
            let out = unpack(&tar[..], &Received::default(), dest.path(), opts(threads, budget)).unwrap();
            assert_eq!(out.top, dest.path().join("top"));
            assert_eq!(fs_err::read(dest.path().join("top/big")).unwrap(), big);
            assert_eq!(fs_err::read(dest.path().join("top/d3/f10")).unwrap(), vec![10u8; 100]);
            // Archive order, every regular file once, the hard link last with its source's CRC.
            // As paths: the records use the system's separator (`top\d2\f2` on Windows).
            let paths: Vec<&Path> = out.files.iter().map(|r| r.path.as_path()).collect();
            let mut expected: Vec<PathBuf> = files.iter().map(|(p, _)| PathBuf::from(format!("top/{p}"))).collect();
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
        // A directory where file f7 should go: its writer's open fails (EISDIR; on Windows
        // ERROR_ACCESS_DENIED, error 5).
        fs_err::create_dir_all(dest.path().join("top/f7/x")).unwrap();
        let err = unpack(&tar[..], &Received::default(), dest.path(), opts(4, 64 * 1024)).unwrap_err();
        assert!(matches!(err, UnpackError::Write(_)), "{err:?}");
        let msg = err.to_string();
        let why = if cfg!(windows) { "(os error 5)" } else { "Is a directory" };
        assert!(msg.contains(&Path::new("top").join("f7").display().to_string()) && msg.contains(why), "{msg}");
        // Decoding stopped soon after: with a 64 KiB budget at most a few hundred files were queued.
        let written = fs_err::read_dir(dest.path().join("top")).unwrap().count();
        assert!(written < 1500, "decoding should stop at the first error, but {written} entries were written");
    }

    // Planting the symbolic link needs a privilege on Windows (and wine 8 only pretends to).
    #[cfg(unix)]
    #[test]
    fn a_symlink_in_a_files_place_is_never_followed() {
        let outside = tempfile::tempdir().unwrap();
        let dest = tempfile::tempdir().unwrap();
        fs_err::create_dir_all(dest.path().join("top")).unwrap();
        crate::sys::fs::symlink(outside.path().join("victim"), dest.path().join("top/a")).unwrap();
        let err = unpack(&tarball(&[("a", b"x".to_vec())])[..], &Received::default(), dest.path(), opts(2, 1 << 20)).unwrap_err();
        assert!(err.to_string().contains("top/a"), "{err}");
        assert!(!outside.path().join("victim").exists());
    }

    /// A GNU header of type `ty` declaring `size` bytes, named `name`.
    fn header(ty: tar::EntryType, name: &str, size: u64) -> tar::Header {
        let mut h = tar::Header::new_gnu();
        h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        h.set_entry_type(ty);
        h.set_mode(0o644);
        h.set_size(size);
        h.set_cksum();
        h
    }

    /// `records` (type, contents) each in its own entry, then a file `top/short` with `data`.
    fn with_records(records: &[(tar::EntryType, &[u8])], data: &[u8]) -> Vec<u8> {
        let mut out = header(tar::EntryType::Directory, "top/", 0).as_bytes().to_vec();
        for (ty, body) in records {
            out.extend_from_slice(header(*ty, "././@LongLink", body.len() as u64).as_bytes());
            out.extend_from_slice(body);
            out.resize(out.len().div_ceil(512) * 512, 0);
        }
        out.extend_from_slice(header(tar::EntryType::Regular, "top/short", data.len() as u64).as_bytes());
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512 + 1024, 0);
        out
    }

    fn gz(data: &[u8]) -> Vec<u8> {
        use std::io::Write as _;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    /// Unpacks `compressed` (gz) under `bound`, counting it as an install does.
    fn unpack_gz(compressed: &[u8], bound: Bound, dest: &Path) -> Result<Unpacked, UnpackError> {
        let received = Received::new(bound);
        let tar = decoder(received.count(compressed), Compression::Gz).unwrap();
        unpack(tar, &received, dest, opts(2, 1 << 20))
    }

    #[test]
    fn long_names_long_links_and_pax_paths_apply_to_the_next_entry_as_the_tar_crate_would() {
        let long = format!("top/{}/file", "d".repeat(150));
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Directory);
        h.set_mode(0o755);
        h.set_size(0);
        b.append_data(&mut h, "top/", io::empty()).unwrap();
        let mut h = tar::Header::new_gnu();
        h.set_mode(0o644);
        h.set_size(5);
        b.append_data(&mut h, &long, &b"hello"[..]).unwrap(); // a GNU long name
        // A GNU long link: a symbolic link's target, or on Windows (where a symbolic link needs
        // a privilege) a hard link's, recorded as a file.
        let mut h = tar::Header::new_gnu();
        h.set_size(0);
        if cfg!(unix) {
            h.set_entry_type(tar::EntryType::Symlink);
            b.append_link(&mut h, "top/link", format!("{}/file", "d".repeat(150))).unwrap();
        } else {
            h.set_entry_type(tar::EntryType::Link);
            b.append_link(&mut h, "top/link", &long).unwrap();
        }
        let pax_path = format!("top/{}", "p".repeat(120));
        b.append_pax_extensions([("path", pax_path.as_bytes()), ("mtime", b"1.5".as_slice())]).unwrap();
        let mut h = tar::Header::new_gnu();
        h.set_mode(0o644);
        h.set_size(3);
        b.append_data(&mut h, "top/ignored", &b"pax"[..]).unwrap();
        let tar = b.into_inner().unwrap();
        let dest = tempfile::tempdir().unwrap();
        let out = unpack(&tar[..], &Received::default(), dest.path(), opts(2, 1 << 20)).unwrap();
        assert_eq!(fs_err::read(dest.path().join(&long)).unwrap(), b"hello");
        assert_eq!(fs_err::read(dest.path().join("top/link")).unwrap(), b"hello");
        assert_eq!(fs_err::read(dest.path().join(&pax_path)).unwrap(), b"pax");
        assert!(!dest.path().join("top/ignored").exists());
        let paths: Vec<PathBuf> = out.files.iter().map(|r| r.path.clone()).collect();
        let hard = cfg!(windows).then(|| PathBuf::from("top/link"));
        assert_eq!(paths, [Some(PathBuf::from(&long)), hard, Some(PathBuf::from(&pax_path))].into_iter().flatten().collect::<Vec<_>>());
    }

    #[test]
    fn a_long_name_header_over_the_cap_is_refused_before_it_is_read() {
        // 1.5 GiB declared; the stream holds only the header, so reading any of it would fail.
        let tar = header(tar::EntryType::GNULongName, "././@LongLink", 3 << 29).as_bytes().to_vec();
        let dest = tempfile::tempdir().unwrap();
        let err = unpack(&tar[..], &Received::default(), dest.path(), opts(1, 1 << 20)).unwrap_err();
        assert!(matches!(err, UnpackError::Crossed(Crossed::Header { kind: "GNU long name", size: 1_610_612_736, .. })), "{err:?}");
        assert_eq!(
            err.to_string(),
            "a GNU long name header of 1.5 GiB (1610612736 bytes) is larger than the 64.0 KiB cap for headers held in memory; refusing"
        );
        // A PAX header of exactly 64 KiB is read, and its path applies; one byte more is refused.
        for (comment, ok) in [(65_536 - 18, true), (65_537 - 18, false)] {
            let mut pax = pax_record("comment", &"c".repeat(comment - 15));
            pax.extend(pax_record("path", "top/paxed"));
            assert_eq!(pax.len(), comment + 18);
            let tar = with_records(&[(tar::EntryType::XHeader, &pax)], b"x");
            let got = unpack(&tar[..], &Received::default(), dest.path(), opts(1, 1 << 20));
            assert_eq!(got.is_ok(), ok, "{} bytes: {got:?}", pax.len());
            assert_eq!(dest.path().join("top/paxed").is_file(), ok);
            let _ = fs_err::remove_dir_all(dest.path().join("top"));
        }
    }

    /// One PAX record, `<length> <key>=<value>\n`, the length counting itself.
    fn pax_record(key: &str, value: &str) -> Vec<u8> {
        let rest = format!(" {key}={value}\n");
        let mut len = rest.len() + 1;
        while len.to_string().len() + rest.len() != len {
            len += 1;
        }
        format!("{len}{rest}").into_bytes()
    }

    #[test]
    fn malformed_records_are_refused() {
        let dest = tempfile::tempdir().unwrap();
        let twice = with_records(&[(tar::EntryType::GNULongName, b"top/a\0"), (tar::EntryType::GNULongName, b"top/b\0")], b"x");
        let err = unpack(&twice[..], &Received::default(), dest.path(), opts(1, 1 << 20)).unwrap_err();
        assert!(err.to_string().contains("two long name or PAX entries describe the same member"), "{err}");
        let size = with_records(&[(tar::EntryType::XHeader, b"12 size=100\n")], b"x");
        let err = unpack(&size[..], &Received::default(), dest.path(), opts(1, 1 << 20)).unwrap_err();
        assert!(err.to_string().contains("a PAX size record differs from its entry's header"), "{err}");
        let mut dangling = header(tar::EntryType::Directory, "top/", 0).as_bytes().to_vec();
        dangling.extend_from_slice(header(tar::EntryType::GNULongName, "././@LongLink", 3).as_bytes());
        dangling.extend_from_slice(b"top");
        dangling.resize(dangling.len().div_ceil(512) * 512 + 1024, 0);
        let err = unpack(&dangling[..], &Received::default(), dest.path(), opts(1, 1 << 20)).unwrap_err();
        assert!(err.to_string().contains("ends with a long name or PAX entry describing no member"), "{err}");
    }

    #[test]
    fn an_entry_that_would_cross_the_byte_bound_is_refused_before_a_byte_of_it_is_written() {
        let files: Vec<(String, Vec<u8>)> = (0..10).map(|i| (format!("f{i}"), vec![0u8; 4000])).collect();
        let refs: Vec<(&str, Vec<u8>)> = files.iter().map(|(p, d)| (p.as_str(), d.clone())).collect();
        let compressed = gz(&tarball(&refs));
        assert!(compressed.len() < 1000, "{}", compressed.len());
        let dest = tempfile::tempdir().unwrap();
        let bound = Bound { ratio: 1, allowance: 10_000, ..Bound::default() };
        let err = unpack_gz(&compressed, bound, dest.path()).unwrap_err();
        let UnpackError::Crossed(Crossed::Bytes { unpacked, received, next, .. }) = &err else { panic!("{err:?}") };
        // f0 and f1 fit (8,000 ≤ 10,000 + received); f2 would not, and none of it was written.
        assert_eq!((*unpacked, *next), (8000, 4000), "{err}");
        assert!(*unpacked <= bound.allowed(*received) && unpacked + next > bound.allowed(*received));
        let f2 = Path::new("top").join("f2");
        assert!(err.to_string().contains(&format!("and the entry '{}' declares 3.9 KiB: more than 1× + 9.8 KiB", f2.display())), "{err}");
        assert_eq!(fs_err::read(dest.path().join("top/f1")).unwrap().len(), 4000);
        assert!(!dest.path().join("top/f2").exists());
    }

    /// Nightly's llvm-tools declares a 198.5 MiB file after 1.5 MiB received: a file is charged
    /// as it is read, so one declared far past the bound at its header passes while its bytes
    /// arrive, as here 8 MiB of incompressible bytes against 64 × received + 64 KiB.
    #[test]
    fn a_large_file_is_charged_as_it_arrives_not_by_its_declared_size() {
        let mut x: u32 = 1;
        let noise: Vec<u8> = (0..8 << 20)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x.to_le_bytes()[0]
            })
            .collect();
        let compressed = gz(&tarball(&[("big", noise.clone())]));
        let dest = tempfile::tempdir().unwrap();
        let out = unpack_gz(&compressed, Bound { allowance: 64 << 10, ..Bound::default() }, dest.path()).unwrap();
        assert_eq!(fs_err::read(dest.path().join("top/big")).unwrap(), noise);
        assert!(out.measured.margin < 8 << 20, "{:?}", out.measured);
    }

    #[test]
    fn entries_and_bytes_past_the_tar_end_count_too() {
        let files: Vec<(String, Vec<u8>)> = (0..10).map(|i| (format!("f{i}"), Vec::new())).collect();
        let refs: Vec<(&str, Vec<u8>)> = files.iter().map(|(p, d)| (p.as_str(), d.clone())).collect();
        let dest = tempfile::tempdir().unwrap();
        let err = unpack_gz(&gz(&tarball(&refs)), Bound { entries: 5, ..Bound::default() }, dest.path()).unwrap_err();
        assert_eq!(err.to_string(), "more than 5 entries before its hash was known; refusing");
        assert!(dest.path().join("top/f3").exists() && !dest.path().join("top/f4").exists());
        // 1 MiB of zeros after the tar's end, against an allowance of 64 KiB.
        let mut tar = tarball(&refs);
        tar.resize(tar.len() + (1 << 20), 0);
        let err = unpack_gz(&gz(&tar), Bound { allowance: 64 << 10, ..Bound::default() }, dest.path()).unwrap_err();
        assert!(err.to_string().contains("the stream goes on past the tar's end by"), "{err}");
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
