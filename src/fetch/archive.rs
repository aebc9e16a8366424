//! One component's archive, end to end: download it (or reuse or resume a download), hash,
//! decompress and unpack it as one stream, verify, then place the files into the toolchain tree
//! being staged.
//!
//! The download cache's files (`<sha256>`, `.partial`, `.partial.validator`) are named by
//! [`crate::home::downloads`]. The sources, in order:
//! 1. a verified `<sha256>`: re-hashed while it is unpacked; if it no longer matches it is deleted;
//! 2. a `.partial` with a validator: its bytes are replayed through the hasher and unpacker (the
//!    hash is re-seeded from the file), then the network continues with `Range` + `If-Range`;
//!    a 200 answer or a 416 starts over cleanly;
//! 3. the network from byte 0.
//!
//! Whatever goes wrong, the hash is computed over the whole stream before an error is chosen, so
//! wrong bytes are reported as a checksum mismatch, not as the decompressor's complaint — except
//! when the archive crosses the bound on unverified bytes ([`crate::install::bound`]): then
//! nothing more is read, and the error names the bound.
//!
//! Bytes that fail (a mismatch, a crossed bound) go to [`super::bad_bytes`]: never asked again
//! of the servers that sent them, never resumed. A verified download-cache file that no longer
//! matches is deleted and the archive downloaded again.

use std::cell::Cell;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use anyhow::Context as _;
use url::Url;

use crate::dist::manifest::Compression;
use crate::dist::select::Selected;
use crate::download::hashing::{HashingReader, Mismatch};
use crate::download::resume::{Resumed, open_partial_avoiding};
use crate::download::{Delivered, Downloader, into_download_error};
use crate::env::Env;
use crate::fetch::bad_bytes::BadBytes;
use crate::home::Downloads;
use crate::home::toolchain::{ComponentId, InstalledComponent, Receipt};
use crate::install::bound::Received;
use crate::install::file_check;
use crate::install::place;
use crate::install::unpack::{self, PoolOptions, UnpackError};
use crate::install::xz_budget::{self, Gate, LARGE_DICTIONARY};
use crate::progress::{Meter, Reporter};

/// Where one component comes from and goes to.
pub struct Job<'a> {
    /// The component and its archive.
    pub selected: &'a Selected,
    /// The archive URL on the dist server (already rewritten).
    pub url: Url,
    /// `RUSTUP_HOME/downloads`.
    pub downloads: &'a Downloads,
    /// Scratch directory for this archive, inside staging.
    pub unpack_dir: PathBuf,
    /// The toolchain tree being assembled.
    pub tree: &'a Path,
    /// Writer threads and memory for unpacking this archive ([`pool_options`]).
    pub pool: PoolOptions,
    /// Slots for large-dictionary xz decoders, shared by the install's workers.
    pub xz_gate: &'a Gate,
}

/// Writer threads per archive when `RUSTUP_IO_THREADS` is not set (docs/design.md install-6).
pub const DEFAULT_IO_THREADS: usize = 8;
/// Memory for file contents in flight, for the whole install, when `RUSTUP_UNPACK_RAM` is not set.
pub const DEFAULT_UNPACK_RAM: usize = 2 << 20;

/// The writer pool for each of `concurrent` archives unpacked at once: `RUSTUP_IO_THREADS` writers
/// each, and `RUSTUP_UNPACK_RAM` shared out equally (at least 256 KiB each).
pub fn pool_options(env: &Env, concurrent: usize) -> PoolOptions {
    let ram = env.unpack_ram.unwrap_or(DEFAULT_UNPACK_RAM);
    PoolOptions { threads: env.io_threads.unwrap_or(DEFAULT_IO_THREADS), budget: (ram / concurrent.max(1)).max(256 * 1024) }
}

/// Bytes read before a decoder starts: the xz stream header and the first block header.
const HEAD: usize = 64;

/// The error an install stops with once another component has failed.
#[derive(Debug, thiserror::Error)]
#[error("cancelled because another component failed")]
pub struct Cancelled;

impl Cancelled {
    /// Whether `e` (or one of its causes) is a [`Cancelled`].
    pub fn in_chain(e: &anyhow::Error) -> bool {
        e.chain().any(<dyn std::error::Error + 'static>::is::<Cancelled>)
    }
}

/// A download opened for a job before its worker was free for it ([`open_ahead`]): the source,
/// or `None` when the download cache already held the verified archive.
pub type Opened<'a> = anyhow::Result<Option<Source<'a>>>;

/// How one install overlaps with the next ([`crate::fetch::pool::fetch_all`]).
#[derive(Default)]
pub struct Overlap<'a, 'h> {
    /// The download opened ahead for this job, used instead of opening it.
    pub opened: Option<Opened<'a>>,
    /// Called once, when this archive is estimated to end within
    /// [`crate::fetch::open_ahead::LEAD`] (or at its end when its length is unknown).
    pub near_end: Option<&'h dyn Fn()>,
}

/// Opens `job`'s download ahead of its worker: `Ok(None)` when the download cache holds the
/// verified archive, else the network source (resuming a `.partial`, as [`install`] would).
///
/// # Errors
/// As opening it in [`install`]: the download cannot be opened, or the partial files written.
pub fn open_ahead<'a>(job: &Job<'_>, downloader: &'a Downloader, reporter: &'a Reporter) -> Opened<'a> {
    let cached = job.downloads.archive(&job.selected.archive.hash);
    if cached.verified.is_file() {
        return Ok(None);
    }
    job.downloads.create()?;
    open_network(job, downloader, reporter, &cached.partial, &cached.validator, &[]).map(Some)
}

/// Installs one component into `job.tree` and returns its receipt. Checks `cancel` between reads.
///
/// # Errors
/// Download, checksum ([`Mismatch`]), unsafe archive, or placement failures, each naming the URL
/// or path concerned.
pub fn install<'a>(
    job: &Job<'_>,
    downloader: &'a Downloader,
    reporter: &'a Reporter,
    cancel: &AtomicBool,
    overlap: Overlap<'a, '_>,
) -> anyhow::Result<Receipt> {
    let Overlap { mut opened, near_end } = overlap;
    // The hook is called once per install, and not during a pass that only downloads (an xz
    // archive set aside for a decoder): the next body would sit unread until one is free.
    let hook = Hook { call: near_end, fired: Cell::new(false), paused: Cell::new(false) };
    let sel = job.selected;
    let name = sel.name();
    let files = job.downloads.archive(&sel.archive.hash);
    job.downloads.create()?;
    // The dist servers whose bytes of this archive failed: never asked for it again.
    let mut bad = BadBytes::default();
    let (parts, records) = loop {
        if job.unpack_dir.exists() {
            fs_err::remove_dir_all(&job.unpack_dir)?;
        }
        let from_cache = files.verified.is_file();
        let source = if from_cache {
            reporter.verbose(&format!("reusing verified download {}", files.verified.display()));
            let f = fs_err::File::open(&files.verified)?;
            let len = f.metadata().ok().map(|m| m.len());
            Source { bytes: Box::new(f), len, from: Delivered::default() }
        } else if let Some(Some(ahead)) = opened.take().transpose()? {
            ahead
        } else {
            open_network(job, downloader, reporter, &files.partial, &files.validator, bad.avoid())?
        };
        let from = source.from.clone();
        let meter = reporter.start(&name, source.len);
        let refused = match stream(job, source, &meter, cancel, &hook, from_cache)? {
            Streamed::Refused(err) => err,
            Streamed::Mismatch(_) if from_cache => {
                reporter.warn(&format!("cached download {} is corrupt; downloading it again", files.verified.display()));
                fs_err::remove_file(&files.verified)?;
                continue;
            }
            Streamed::Mismatch(actual) => Mismatch { url: job.url.to_string(), expected: sel.archive.hash.clone(), actual }.into(),
            Streamed::Verified(unpacked, slot) => {
                if !from_cache {
                    fs_err::rename(&files.partial, &files.verified)?;
                    let _ = fs_err::remove_file(&files.validator);
                }
                let Some(unpacked) = unpacked else {
                    reporter.verbose(&format!("{name} downloaded; it unpacks when an xz decoder is free (TCUP_XZ_DECODERS)"));
                    meter.set_aside();
                    continue;
                };
                drop(slot);
                meter.unpacking();
                let parts = place::place(&unpacked, &name, &sel.pkg, job.tree)
                    .inspect_err(|_| meter.failed())
                    .with_context(|| format!("installing {} from {}", name, job.url))?;
                meter.done();
                let records = file_check::placed_records(&unpacked, &[&name, &sel.pkg], &parts);
                break (parts, records);
            }
        };
        if from_cache {
            return Err(refused);
        }
        bad.refuse(refused, &from, &job.url, (&files.partial, &files.validator), downloader, reporter)?;
    };
    Ok(Receipt {
        component: InstalledComponent { id: ComponentId::new(&sel.pkg, &sel.target), is_extension: sel.is_extension, parts },
        files: records,
        archive_hash: sel.archive.hash.clone(),
    })
}

/// The near-end hook of one install ([`Overlap::near_end`]) and its state.
struct Hook<'h> {
    call: Option<&'h dyn Fn()>,
    fired: Cell<bool>,
    paused: Cell<bool>,
}

/// How one pass over an archive's bytes ended, when nothing failed outright.
enum Streamed<'s> {
    /// The hash matched: the unpacked archive (`None` when it was only downloaded, to be unpacked
    /// once an xz decoder is free) and the decoder slot it holds.
    Verified(Option<unpack::Unpacked>, Option<xz_budget::Slot<'s>>),
    /// The whole stream hashed to this SHA-256, not the manifest's.
    Mismatch(String),
    /// The bytes crossed the bound on unverified bytes: nothing more was read.
    Refused(anyhow::Error),
}

/// One pass over `source`: hashes every byte and, unless the archive must wait for an xz
/// decoder, decompresses and unpacks it into `job.unpack_dir` as it streams. The hash is computed
/// over the whole stream before an error is chosen, so wrong bytes are a [`Streamed::Mismatch`],
/// not the decompressor's complaint.
///
/// # Errors
/// A failed read (named by URL), [`Cancelled`], or an unpack failure of bytes whose hash matched.
fn stream<'s>(
    job: &Job<'s>,
    source: Source<'_>,
    meter: &Meter,
    cancel: &AtomicBool,
    hook: &Hook<'_>,
    from_cache: bool,
) -> anyhow::Result<Streamed<'s>> {
    let sel = job.selected;
    let near_end = NearEnd::arm(hook.call, &hook.fired, &hook.paused, source.len);
    let mut hashing = HashingReader::new(Metered { inner: source.bytes, meter, cancel, near_end });
    // The first bytes say how much memory the decoder needs (install::xz_budget).
    let mut head = Vec::with_capacity(HEAD);
    let peeked = (&mut hashing).take(HEAD as u64).read_to_end(&mut head);
    let large = sel.archive.compression == Compression::Xz && xz_budget::dictionary_size(&head).is_some_and(|d| d > LARGE_DICTIONARY);
    let slot = match (large, from_cache) {
        (false, _) => None,
        (true, true) => Some(job.xz_gate.take(cancel).ok_or(Cancelled)?),
        (true, false) => job.xz_gate.try_take(),
    };
    // No decoder free: the archive goes to the download cache first and is unpacked from there
    // once one is, so the download never waits on memory.
    let deferred = large && slot.is_none();
    hook.paused.set(deferred);
    // Counted under the decompressor: what the bound on unverified bytes is measured against.
    let received = Received::default();
    let unpacked = match peeked {
        Err(e) => Err(UnpackError::Corrupt(e)),
        Ok(_) if deferred => Ok(None),
        Ok(_) => unpack::decoder(received.count(head.as_slice().chain(&mut hashing)), sel.archive.compression)
            .map_err(UnpackError::Corrupt)
            .and_then(|d| unpack::unpack(d, &received, &job.unpack_dir, job.pool))
            .map(Some),
    };
    if let Err(UnpackError::Crossed(crossed)) = &unpacked {
        // Stop at once: not a byte more is read, and none of these is resumed later.
        meter.failed();
        return Ok(Streamed::Refused(anyhow::Error::new(crossed.clone()).context(job.url.to_string())));
    }
    let actual = match hashing.finish() {
        Ok((actual, _)) => actual,
        Err(_) if cancel.load(Ordering::Relaxed) => return Err(Cancelled.into()),
        Err(e) => {
            meter.failed();
            return Err(anyhow::Error::new(into_download_error(e, &job.url)));
        }
    };
    if actual != sel.archive.hash {
        meter.failed();
        return Ok(Streamed::Mismatch(actual));
    }
    let unpacked = unpacked.inspect_err(|_| meter.failed()).with_context(|| format!("unpacking {}", job.url))?;
    Ok(Streamed::Verified(unpacked, slot))
}

/// A byte source: the archive's bytes, their total length when known, and the dist servers
/// that sent them (none for the download cache).
pub struct Source<'a> {
    /// The bytes, read to their end.
    pub bytes: Box<dyn Read + Send + 'a>,
    /// Their total length (bytes), when known.
    pub len: Option<u64>,
    /// The configured dist servers that delivered them, filled in as they are read.
    pub from: Delivered,
}

/// Opens the archive from the network, resuming a `.partial` left by an earlier run when it has a
/// validator. Returns the byte source (partial file bytes, then network bytes teed to the file)
/// and the total length when known.
fn open_network<'a>(
    job: &Job<'_>,
    downloader: &'a Downloader,
    reporter: &'a Reporter,
    partial: &Path,
    validator_file: &Path,
    avoid: &[usize],
) -> anyhow::Result<Source<'a>> {
    let Resumed { body, start: resumed, file } = open_partial_avoiding(&job.url, downloader, reporter, partial, validator_file, avoid)?;
    reporter.verbose(&format!("downloading {} from byte {resumed}", job.url));
    let from = body.from.clone();
    let tee = Tee { inner: body.body, file: io::BufWriter::with_capacity(256 * 1024, file) };
    let len = body.len.map(|l| l + resumed);
    let bytes: Box<dyn Read + Send + 'a> = if resumed > 0 {
        let prefix = fs_err::File::open(partial)?.into_parts().0.take(resumed);
        Box::new(prefix.chain(tee))
    } else {
        Box::new(tee)
    };
    Ok(Source { bytes, len, from })
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

/// Feeds the progress meter, stops reading once the install is cancelled, and calls the
/// near-end hook ([`Overlap::near_end`]) once.
struct Metered<'a, 'r, R> {
    inner: R,
    meter: &'a Meter<'r>,
    cancel: &'a AtomicBool,
    near_end: Option<NearEnd<'a>>,
}

impl<R: Read> Read for Metered<'_, '_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.cancel.load(Ordering::Relaxed) {
            return Err(io::Error::other(Cancelled));
        }
        if buf.is_empty() {
            return Ok(0); // not the end: the hook below takes a 0 for it
        }
        let n = self.inner.read(buf)?;
        self.meter.add(n as u64);
        if let Some(ne) = &mut self.near_end
            && !ne.paused.get()
            && ne.due_after(n)
        {
            ne.fired.set(true);
            (ne.hook)();
            self.near_end = None;
        }
        Ok(n)
    }
}

/// When an archive is about to end: from the bytes read so far and the time they took, once at
/// least half of a known length has been read; at the end when the length is unknown.
struct NearEnd<'a> {
    hook: &'a dyn Fn(),
    /// Set once the hook was called (shared by the install's passes).
    fired: &'a Cell<bool>,
    /// Set while this pass only downloads.
    paused: &'a Cell<bool>,
    len: Option<u64>,
    read: u64,
    start: Instant,
}

impl<'a> NearEnd<'a> {
    /// The hook for one pass over the archive, unless it was already called; not paused.
    fn arm(hook: Option<&'a dyn Fn()>, fired: &'a Cell<bool>, paused: &'a Cell<bool>, len: Option<u64>) -> Option<NearEnd<'a>> {
        paused.set(false);
        hook.filter(|_| !fired.get()).map(|hook| NearEnd { hook, fired, paused, len, read: 0, start: Instant::now() })
    }

    fn due_after(&mut self, n: usize) -> bool {
        self.read += n as u64;
        match self.len {
            _ if n == 0 => true,
            Some(len) if self.read.saturating_mul(2) >= len => {
                // left ÷ (read ÷ elapsed) ≤ LEAD, in whole nanoseconds.
                let left = u128::from(len.saturating_sub(self.read));
                left * self.start.elapsed().as_nanos() <= crate::fetch::open_ahead::LEAD.as_nanos() * u128::from(self.read)
            }
            _ => false,
        }
    }
}
