//! One component, end to end: download (or reuse a cached download), hash, decompress and unpack
//! as one stream, verify, then place the files into the toolchain tree being staged.
//!
//! Downloads are teed to `RUSTUP_HOME/downloads/<sha256>.partial` and renamed to
//! `downloads/<sha256>` once verified (rustup's cache layout). A cached file is re-hashed while it
//! is unpacked; if it no longer matches it is deleted and the archive is downloaded again.
//! Whatever goes wrong, the hash is computed over the whole stream before an error is chosen, so
//! wrong bytes are reported as a checksum mismatch, not as the decompressor's complaint.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context as _;
use url::Url;

use crate::dist::select::Selected;
use crate::download::Downloader;
use crate::download::hashing::{HashingReader, Mismatch};
use crate::install::receipts::Receipt;
use crate::install::{place, unpack};
use crate::progress::Reporter;

/// Where one component comes from and goes to.
pub struct Job<'a> {
    /// The component and its archive.
    pub selected: &'a Selected,
    /// The archive URL on the dist server (already rewritten).
    pub url: Url,
    /// `RUSTUP_HOME/downloads`.
    pub downloads: &'a Path,
    /// Scratch directory for this archive, inside staging.
    pub unpack_dir: PathBuf,
    /// The toolchain tree being assembled.
    pub tree: &'a Path,
}

/// The error an install stops with once another component has failed.
#[derive(Debug, thiserror::Error)]
#[error("cancelled because another component failed")]
pub struct Cancelled;

/// Installs one component into `job.tree` and returns its receipt. Checks `cancel` between reads
/// and stops early when it is set.
///
/// # Errors
/// Download, checksum ([`Mismatch`]), unsafe archive, or placement failures, each naming the URL
/// or path concerned.
pub fn install(job: &Job<'_>, downloader: &Downloader, reporter: &Reporter, cancel: &AtomicBool) -> anyhow::Result<Receipt> {
    let sel = job.selected;
    let name = sel.name();
    let expected = &sel.archive.hash;
    let cached = job.downloads.join(expected);
    let mut use_cache = cached.is_file();
    let top = loop {
        let (raw, len, partial): (Box<dyn Read + Send>, Option<u64>, Option<PathBuf>) = if use_cache {
            reporter.verbose(&format!("reusing verified download {}", cached.display()));
            let f = fs_err::File::open(&cached)?;
            let len = f.metadata().ok().map(|m| m.len());
            (Box::new(f), len, None)
        } else {
            reporter.verbose(&format!("downloading {}", job.url));
            let body = downloader.open(&job.url)?;
            let partial = job.downloads.join(format!("{expected}.partial"));
            fs_err::create_dir_all(job.downloads)?;
            let file = io::BufWriter::with_capacity(256 * 1024, fs_err::File::create(&partial)?);
            (Box::new(Tee { inner: body.body, file }), body.len, Some(partial))
        };
        let meter = reporter.start(&name, len);
        let source = Metered { inner: raw, meter: &meter, cancel };
        let mut hashing = HashingReader::new(source);
        let unpacked = unpack::decoder(&mut hashing, sel.archive.compression)
            .and_then(|d| unpack::unpack(d, &job.unpack_dir).map_err(io::Error::other));
        let actual = match hashing.finish() {
            Ok((actual, _)) => actual,
            Err(_) if cancel.load(Ordering::Relaxed) => return Err(Cancelled.into()),
            Err(e) => {
                meter.failed();
                return Err(anyhow::Error::new(e).context(format!("downloading {}", job.url)));
            }
        };
        if &actual != expected {
            meter.failed();
            if let Some(p) = &partial {
                let _ = fs_err::remove_file(p);
            }
            if use_cache {
                reporter.warn(&format!("cached download {} is corrupt; downloading it again", cached.display()));
                fs_err::remove_file(&cached)?;
                if job.unpack_dir.exists() {
                    fs_err::remove_dir_all(&job.unpack_dir)?;
                }
                use_cache = false;
                continue;
            }
            return Err(Mismatch { url: job.url.to_string(), expected: expected.clone(), actual }.into());
        }
        let top = unpacked.inspect_err(|_| meter.failed()).with_context(|| format!("unpacking {}", job.url))?;
        if let Some(p) = &partial {
            fs_err::rename(p, &cached)?;
        }
        meter.unpacking();
        let lines = place::place(&top, &name, &sel.pkg, job.tree)
            .inspect_err(|_| meter.failed())
            .with_context(|| format!("installing {} from {}", name, job.url))?;
        meter.done();
        break lines;
    };
    Ok(Receipt { name, pkg: sel.pkg.clone(), target: sel.target.clone(), is_extension: sel.is_extension, lines: top })
}

/// Copies every byte read into a file (the download cache), as they pass.
struct Tee<R> {
    inner: R,
    file: io::BufWriter<fs_err::File>,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.file.write_all(&buf[..n])?;
        if n == 0 {
            self.file.flush()?;
        }
        Ok(n)
    }
}

/// Feeds the progress meter and stops reading once the install is cancelled.
struct Metered<'a, 'r, R> {
    inner: R,
    meter: &'a crate::progress::Meter<'r>,
    cancel: &'a AtomicBool,
}

impl<R: Read> Read for Metered<'_, '_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.cancel.load(Ordering::Relaxed) {
            return Err(io::Error::other(Cancelled));
        }
        let n = self.inner.read(buf)?;
        self.meter.add(n as u64);
        Ok(n)
    }
}
