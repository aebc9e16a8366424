//! Writes one rust-installer v3 tarball, compressed in several formats from a single pass.
//!
//! Layout, as rust-lang/rust's `src/tools/rust-installer` produces it:
//! `<top>/` · `<top>/components` · `<top>/rust-installer-version` (`3`) · `<top>/<component>/` ·
//! `<top>/<component>/manifest.in` · `<top>/<component>/<path>` for each installed file, with a
//! directory entry before the first file below each directory. Headers are deterministic (fixed
//! mtime, uid/gid 0, mode 0644 or 0755), so packing the same toolchain twice gives the same bytes.
//! Each compressed output is hashed as it is written.

use crate::home::toolchain::{ComponentPart, PartKind};
use std::collections::BTreeSet;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::dist::manifest::Compression;

/// One compressed output being written.
enum Encoder {
    Gz(flate2::write::GzEncoder<HashWriter>),
    Xz(liblzma::write::XzEncoder<HashWriter>),
    Zst(zstd::stream::write::Encoder<'static, HashWriter>),
}

/// A file writer that hashes and counts what goes through it.
struct HashWriter {
    file: io::BufWriter<fs_err::File>,
    hasher: Sha256,
    bytes: u64,
}

impl Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl Encoder {
    fn new(path: &Path, compression: Compression, threads: u32) -> io::Result<Encoder> {
        let file = io::BufWriter::with_capacity(256 * 1024, fs_err::File::create(path)?);
        let w = HashWriter { file, hasher: Sha256::new(), bytes: 0 };
        Ok(match compression {
            Compression::Gz => Encoder::Gz(flate2::write::GzEncoder::new(w, flate2::Compression::new(6))),
            Compression::Xz => {
                let stream = liblzma::stream::MtStreamBuilder::new()
                    .threads(threads)
                    .preset(6)
                    .check(liblzma::stream::Check::Crc64)
                    .encoder()
                    .map_err(io::Error::other)?;
                Encoder::Xz(liblzma::write::XzEncoder::new_stream(w, stream))
            }
            Compression::Zst => Encoder::Zst(zstd::stream::write::Encoder::new(w, 3)?),
        })
    }

    fn finish(self) -> io::Result<HashWriter> {
        let mut w = match self {
            Encoder::Gz(e) => e.finish()?,
            Encoder::Xz(e) => e.finish()?,
            Encoder::Zst(e) => e.finish()?,
        };
        w.flush()?;
        Ok(w)
    }
}

impl Write for Encoder {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Encoder::Gz(e) => e.write(buf),
            Encoder::Xz(e) => e.write(buf),
            Encoder::Zst(e) => e.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Encoder::Gz(e) => e.flush(),
            Encoder::Xz(e) => e.flush(),
            Encoder::Zst(e) => e.flush(),
        }
    }
}

/// Writes the same bytes to every encoder, telling `progress` how many went through.
struct FanOut<'p>(Vec<Encoder>, &'p dyn Fn(u64));

impl Write for FanOut<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        for e in &mut self.0 {
            e.write_all(buf)?;
        }
        (self.1)(buf.len() as u64);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.iter_mut().try_for_each(Write::flush)
    }
}

/// What to put in one tarball.
pub struct Spec<'a> {
    /// The installed toolchain root the files are read from.
    pub tree: &'a Path,
    /// Top directory name (`rustc-1.95.0-x86_64-unknown-linux-gnu`).
    pub top: &'a str,
    /// Component name inside the archive (`rustc-x86_64-unknown-linux-gnu`).
    pub component: &'a str,
    /// The receipt's `file:`/`dir:` parts, which become `manifest.in`.
    pub parts: &'a [ComponentPart],
    /// Called with the number of uncompressed tar bytes each time some are written.
    pub progress: &'a dyn Fn(u64),
}

/// Bytes of the files `parts` name below `tree` (what [`write`] will read; tar headers aside).
pub fn input_size(tree: &Path, parts: &[ComponentPart]) -> u64 {
    fn size(p: &Path) -> u64 {
        match fs_err::symlink_metadata(p) {
            Ok(m) if m.is_dir() => fs_err::read_dir(p).map_or(0, |d| d.filter_map(Result::ok).map(|e| size(&e.path())).sum()),
            Ok(m) => m.len(),
            Err(_) => 0,
        }
    }
    parts.iter().map(|p| size(&tree.join(&p.path))).sum()
}

/// One written archive.
#[derive(Debug, Clone)]
pub struct Written {
    /// Where it was written.
    pub path: PathBuf,
    /// Its compression.
    pub compression: Compression,
    /// SHA-256 hex.
    pub hash: String,
    /// Size in bytes.
    pub bytes: u64,
}

/// Writes `spec` to `<stem>.tar.<ext>` for each compression in `formats`.
///
/// # Errors
/// A listed file is missing or unreadable (named), or an output cannot be written.
pub fn write(spec: &Spec<'_>, stem: &Path, formats: &[Compression], threads: u32) -> io::Result<Vec<Written>> {
    let paths: Vec<PathBuf> = formats.iter().map(|c| PathBuf::from(format!("{}.tar.{}", stem.display(), ext(*c)))).collect();
    let encoders = formats.iter().zip(&paths).map(|(c, p)| Encoder::new(p, *c, threads)).collect::<io::Result<Vec<_>>>()?;
    let mut tar = tar::Builder::new(FanOut(encoders, spec.progress));
    tar.mode(tar::HeaderMode::Deterministic);
    tar.follow_symlinks(false);
    let top = PathBuf::from(spec.top);
    let comp = top.join(spec.component);
    let mut dirs = BTreeSet::new();
    add_dir(&mut tar, &mut dirs, &top)?;
    add_data(&mut tar, &top.join("components"), format!("{}\n", spec.component).as_bytes())?;
    add_data(&mut tar, &top.join("rust-installer-version"), b"3\n")?;
    add_dir(&mut tar, &mut dirs, &comp)?;
    let manifest_in: String = spec.parts.iter().map(|p| p.encode() + "\n").collect();
    add_data(&mut tar, &comp.join("manifest.in"), manifest_in.as_bytes())?;
    for part in spec.parts {
        let rel = part.path.as_path();
        if part.kind == PartKind::Dir {
            add_tree(&mut tar, &mut dirs, spec.tree, rel, &comp)?;
        } else {
            add_parents(&mut tar, &mut dirs, &comp, rel)?;
            add_path(&mut tar, &spec.tree.join(rel), &comp.join(rel))?;
        }
    }
    let FanOut(encoders, _) = tar.into_inner()?;
    encoders
        .into_iter()
        .zip(formats.iter().zip(paths))
        .map(|(e, (c, path))| {
            let w = e.finish()?;
            Ok(Written { path, compression: *c, hash: hex::encode(w.hasher.finalize()), bytes: w.bytes })
        })
        .collect()
}

/// File name extension of a compression: `gz`, `xz`, `zst`.
pub fn ext(c: Compression) -> &'static str {
    match c {
        Compression::Gz => "gz",
        Compression::Xz => "xz",
        Compression::Zst => "zst",
    }
}

fn add_dir(tar: &mut tar::Builder<FanOut<'_>>, dirs: &mut BTreeSet<PathBuf>, name: &Path) -> io::Result<()> {
    if dirs.insert(name.to_owned()) {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Directory);
        h.set_mode(0o755);
        h.set_size(0);
        tar.append_data(&mut h, name, io::empty())?;
    }
    Ok(())
}

fn add_parents(tar: &mut tar::Builder<FanOut<'_>>, dirs: &mut BTreeSet<PathBuf>, comp: &Path, rel: &Path) -> io::Result<()> {
    let mut acc = comp.to_owned();
    if let Some(parent) = rel.parent() {
        for part in parent.components() {
            acc.push(part);
            add_dir(tar, dirs, &acc)?;
        }
    }
    Ok(())
}

fn add_data(tar: &mut tar::Builder<FanOut<'_>>, name: &Path, data: &[u8]) -> io::Result<()> {
    let mut h = tar::Header::new_gnu();
    h.set_mode(0o644);
    h.set_size(data.len() as u64);
    tar.append_data(&mut h, name, data)
}

fn add_path(tar: &mut tar::Builder<FanOut<'_>>, src: &Path, name: &Path) -> io::Result<()> {
    tar.append_path_with_name(src, name).map_err(|e| io::Error::new(e.kind(), format!("adding {}: {e}", src.display())))
}

/// Adds the directory `tree/rel` and everything below it, in sorted order.
fn add_tree(tar: &mut tar::Builder<FanOut<'_>>, dirs: &mut BTreeSet<PathBuf>, tree: &Path, rel: &Path, comp: &Path) -> io::Result<()> {
    add_parents(tar, dirs, comp, rel)?;
    add_dir(tar, dirs, &comp.join(rel))?;
    let mut entries: Vec<_> = fs_err::read_dir(tree.join(rel))?.collect::<Result<_, _>>()?;
    entries.sort_by_key(fs_err::DirEntry::file_name);
    for e in entries {
        let child = rel.join(e.file_name());
        if e.file_type()?.is_dir() {
            add_tree(tar, dirs, tree, &child, comp)?;
        } else {
            add_path(tar, &tree.join(&child), &comp.join(&child))?;
        }
    }
    Ok(())
}
