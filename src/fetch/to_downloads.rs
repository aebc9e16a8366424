//! Archives into the download cache and nowhere else: what `tcup fetch` does with a selection
//! (docs/offline.md). Each selected archive ends as a complete, verified `downloads/<sha256>`
//! (rustup's layout, [`crate::home::downloads`]), which a later install, online or offline, reads
//! as its first source ([`super::archive`]) and hashes again as it unpacks. Nothing is unpacked.
//!
//! A `<sha256>` already there is hashed again in full and kept when it matches (not downloaded
//! again); one that no longer matches is deleted and fetched. Downloads resume from a `.partial`
//! with its validator, like an install's; bytes that fail their hash go to [`super::bad_bytes`]
//! (never resumed, never asked again of the server that sent them). A format the dist server
//! lacks (404) falls back to the manifest's other formats, as an install does (fetch-3).

use std::io::{Read, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Context as _;

use crate::dist::manifest::Archive;
use crate::dist::select::Selected;
use crate::dist::server;
use crate::download::hashing::{HashingReader, Mismatch, sha256_file};
use crate::download::resume::open_partial_avoiding;
use crate::download::{DownloadError, Downloader, into_download_error};
use crate::env::Env;
use crate::fetch::bad_bytes::BadBytes;
use crate::home::Downloads;
use crate::progress::Reporter;

/// How one archive came to be in `downloads/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Got {
    /// The component (`rustc-x86_64-unknown-linux-gnu`).
    pub component: String,
    /// The SHA-256 of the archive now in `downloads/` (the format fetched: any of the
    /// component's formats may be the one there).
    pub sha256: String,
    /// Its length (bytes).
    pub bytes: u64,
    /// It was there already, verified; nothing was downloaded.
    pub already: bool,
}

/// Puts every archive of `components` into `downloads` (at most
/// `RUSTUP_CONCURRENT_DOWNLOADS` at once, default 4); returns them in `components`' order.
///
/// # Errors
/// The first failure (download, [`Mismatch`], a file that cannot be written), naming the
/// component; archives already complete stay.
pub fn fetch_archives(
    env: &Env,
    components: &[Selected],
    downloads: &Downloads,
    downloader: &Downloader,
    reporter: &Reporter,
) -> anyhow::Result<Vec<Got>> {
    downloads.create().with_context(|| format!("creating {}", downloads.dir().display()))?;
    let workers = env.concurrent_downloads.unwrap_or(4).clamp(1, components.len().max(1));
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<anyhow::Result<Got>>>> = Mutex::new(components.iter().map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(c) = components.get(i) else { break };
                    let r = one_component(env, c, downloads, downloader, reporter).with_context(|| format!("component {}", c.name()));
                    if r.is_err() {
                        next.store(components.len(), Ordering::Relaxed);
                    }
                    results.lock().unwrap_or_else(std::sync::PoisonError::into_inner)[i] = Some(r);
                }
            });
        }
    });
    results.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner).into_iter().flatten().collect()
}

/// One component: its chosen format, or on a 404 the manifest's other formats in order.
fn one_component(env: &Env, c: &Selected, downloads: &Downloads, downloader: &Downloader, reporter: &Reporter) -> anyhow::Result<Got> {
    let name = c.name();
    let mut last = None;
    for a in std::iter::once(&c.archive).chain(&c.archive.other_formats) {
        match one_archive(env, &name, a, downloads, downloader, reporter) {
            Ok(got) => return Ok(got),
            Err(e) if e.chain().any(|x| x.downcast_ref::<DownloadError>().is_some_and(DownloadError::is_not_found)) => {
                reporter.verbose(&format!("{name}: .tar.{} is not on the dist server; trying the next format", a.compression.extension()));
                last = Some(e);
            }
            Err(e) => return Err(e),
        }
    }
    Err(last.expect("a component has at least one archive"))
}

/// One archive into `downloads/<sha256>`.
fn one_archive(
    env: &Env,
    name: &str,
    a: &Archive,
    downloads: &Downloads,
    downloader: &Downloader,
    reporter: &Reporter,
) -> anyhow::Result<Got> {
    let files = downloads.archive(&a.hash);
    let got = |bytes, already| Got { component: name.to_owned(), sha256: a.hash.clone(), bytes, already };
    if files.verified.is_file() {
        if sha256_file(&files.verified).is_ok_and(|h| h == a.hash) {
            reporter.verbose(&format!("{name}: {} is already there, verified", files.verified.display()));
            return Ok(got(fs_err::metadata(&files.verified)?.len(), true));
        }
        reporter.warn(&format!("{} does not have its SHA-256 any more; downloading it again", files.verified.display()));
        fs_err::remove_file(&files.verified)?;
    }
    let url = server::rewrite(&a.url, &env.dist_server).with_context(|| format!("the manifest's URL for {name} is invalid: {}", a.url))?;
    let mut bad = BadBytes::default();
    loop {
        let opened = open_partial_avoiding(&url, downloader, reporter, &files.partial, &files.validator, bad.avoid())?;
        let from = opened.body.from.clone();
        let len = opened.body.len.map(|l| l + opened.start);
        let meter = reporter.meter(name, len, "fetched");
        // The partial's bytes are hashed again, not written again; what arrives is appended.
        let prefix = fs_err::File::open(&files.partial)?.into_parts().0.take(opened.start);
        let mut tee = Tee { inner: opened.body.body, file: std::io::BufWriter::with_capacity(256 * 1024, opened.file) };
        let mut hashing = HashingReader::new(prefix.chain(&mut tee));
        let mut buf = vec![0; 256 * 1024];
        loop {
            let n = hashing.read(&mut buf).map_err(|e| into_download_error(e, &url)).inspect_err(|_| meter.failed())?;
            if n == 0 {
                break;
            }
            meter.add(n as u64);
        }
        let (actual, bytes) = hashing.finish()?;
        tee.file.flush()?;
        drop(tee);
        if actual == a.hash {
            fs_err::rename(&files.partial, &files.verified)?;
            let _ = fs_err::remove_file(&files.validator);
            meter.done();
            return Ok(got(bytes, false));
        }
        meter.failed();
        let err = Mismatch { url: url.to_string(), expected: a.hash.clone(), actual }.into();
        bad.refuse(err, &from, &url, (&files.partial, &files.validator), downloader, reporter)?;
    }
}

/// Appends every byte read to the partial file, as they pass.
struct Tee<R> {
    inner: R,
    file: std::io::BufWriter<fs_err::File>,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.file.write_all(&buf[..n])?;
        Ok(n)
    }
}
