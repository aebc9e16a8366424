//! The archives of a `tcup mirror sync`: each one present and verified in the tree, or fetched
//! through the download layer (its backends, hedging, resume and bounds) with
//! `RUSTUP_CONCURRENT_DOWNLOADS` workers, hashed as it streams into
//! `.tcup-sync/partial/<sha256>`, and renamed to the path its manifest URL names only once the
//! SHA-256 matched. A file that is not whole and verified is never at a published path.
//!
//! An archive already in the tree is trusted through the [`Ledger`] (no read at all), else after
//! hashing it; one that does not match is fetched again. A partial download left by an
//! interrupted run is resumed (`Range` + `If-Range`, its bytes re-hashed first); bytes that fail
//! their checksum are handled as an install's are ([`crate::fetch::bad_bytes`]): fetched again
//! only from another dist server, else the sync fails.

use std::io::{Read as _, Write as _};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use anyhow::Context as _;
use sha2::{Digest as _, Sha256};
use url::Url;

use super::sync_tree::{Ledger, Tree};
use crate::download::hashing::Mismatch;
use crate::download::resume::{Resumed, open_partial_avoiding};
use crate::download::{Downloader, into_download_error};
use crate::env::Env;
use crate::fetch::archive::Cancelled;
use crate::fetch::bad_bytes::BadBytes;
use crate::progress::Reporter;

/// One archive the tree must hold.
#[derive(Debug, Clone)]
pub struct Job {
    /// Its path below the tree (`dist/2026-04-16/rustc-….tar.xz`), as its manifest URL names it.
    pub rel: String,
    /// Where to fetch it (the manifest URL moved onto `RUSTUP_DIST_SERVER`).
    pub url: Url,
    /// The manifest's SHA-256, lower-case hex.
    pub hash: String,
}

/// How an archive came to be in the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Got {
    /// It was there and verified.
    Present,
    /// Downloaded this run: this many bytes came over the network.
    Downloaded(u64),
}

/// Makes every job's archive present in the tree; results in job order. `hosts` names the
/// selection's hosts in the progress plan (`--format json`'s `manifest` event).
///
/// # Errors
/// The first download, checksum or file failure (naming the URL or path); the others are cancelled.
pub fn fetch_all(
    env: &Env,
    tree: &Tree,
    jobs: &[Job],
    hosts: &str,
    downloader: &Downloader,
    reporter: &Reporter,
) -> anyhow::Result<Vec<Got>> {
    let ledger = Ledger::load(tree);
    let mut results: Vec<Option<Got>> = vec![None; jobs.len()];
    let mut todo = Vec::new();
    for (i, job) in jobs.iter().enumerate() {
        if present(tree, &ledger, job, reporter)? {
            results[i] = Some(Got::Present);
        } else {
            todo.push(i);
        }
    }
    let names: Vec<String> = todo.iter().map(|&i| label(&jobs[i]).to_owned()).collect();
    reporter.plan(hosts, &names);
    let workers = env.concurrent_downloads.unwrap_or(DEFAULT_WORKERS).min(todo.len()).max(1);
    let next = AtomicUsize::new(0);
    let cancel = AtomicBool::new(false);
    let outcomes: Mutex<Vec<(usize, anyhow::Result<u64>)>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    if k >= todo.len() || cancel.load(Ordering::Relaxed) {
                        break;
                    }
                    let i = todo[k];
                    let r = download(tree, &ledger, &jobs[i], downloader, reporter, &cancel);
                    if r.is_err() {
                        cancel.store(true, Ordering::Relaxed);
                    }
                    outcomes.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push((i, r));
                }
            });
        }
    });
    // Archives that made it stay recorded even when another failed: the next run trusts them.
    let saved = ledger.save(tree).context("recording the verified archives");
    let mut first_err: Option<anyhow::Error> = None;
    for (i, r) in outcomes.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner) {
        match r {
            Ok(n) => results[i] = Some(Got::Downloaded(n)),
            // Report the first real failure, not an archive that stopped because of it.
            Err(e) => match &first_err {
                Some(f) if !Cancelled::in_chain(f) || Cancelled::in_chain(&e) => {}
                _ => first_err = Some(e),
            },
        }
    }
    if let Some(e) = first_err {
        return Err(e);
    }
    saved?;
    Ok(results.into_iter().map(|r| r.unwrap_or(Got::Present)).collect())
}

/// Workers when `RUSTUP_CONCURRENT_DOWNLOADS` is not set: archives are network-bound, and four
/// connections fill a link without crowding a shared upstream.
pub const DEFAULT_WORKERS: usize = 4;

/// Bytes buffered before they are written to the partial file: what a killed run loses at most.
const WRITE_BUFFER: usize = 64 * 1024;

/// The archive's file name, its label on the progress display.
fn label(job: &Job) -> &str {
    job.rel.rsplit('/').next().unwrap_or(&job.rel)
}

/// Whether the tree already holds `job`'s archive, verified (by the ledger or by hashing it now).
fn present(tree: &Tree, ledger: &Ledger, job: &Job, reporter: &Reporter) -> anyhow::Result<bool> {
    let dest = tree.path(&job.rel)?;
    let Ok(meta) = fs_err::metadata(&dest) else { return Ok(false) };
    if ledger.trusts(&job.rel, &job.hash, &meta) {
        return Ok(true);
    }
    let actual = hash_of(&dest)?;
    if actual == job.hash {
        reporter.verbose(&format!("{} is already there and verified", dest.display()));
        ledger.record(&job.rel, &job.hash, &meta);
        return Ok(true);
    }
    reporter.warn(&format!("{} does not match its manifest (sha256 {actual}, expected {}); fetching it again", dest.display(), job.hash));
    Ok(false)
}

/// Downloads one archive into place; returns the bytes that came over the network.
fn download(
    tree: &Tree,
    ledger: &Ledger,
    job: &Job,
    downloader: &Downloader,
    reporter: &Reporter,
    cancel: &AtomicBool,
) -> anyhow::Result<u64> {
    let (partial, validator_file) = tree.partial(&job.hash);
    let dest = tree.path(&job.rel)?;
    if fs_err::metadata(&partial).is_ok_and(|m| m.len() > 0) && hash_of(&partial)? == job.hash {
        // Whole already: an earlier run was stopped between the last byte and the rename.
        reporter.verbose(&format!("{} arrived whole in an earlier run", job.url));
        return place(ledger, job, &partial, &validator_file, &dest).map(|()| 0);
    }
    // The dist servers whose bytes of this archive failed (fetch::bad_bytes).
    let mut bad = BadBytes::default();
    loop {
        let Resumed { mut body, start, file } =
            open_partial_avoiding(&job.url, downloader, reporter, &partial, &validator_file, bad.avoid())?;
        let from = body.from.clone();
        let mut hasher = Sha256::new();
        if start > 0 {
            let mut prefix = fs_err::File::open(&partial)?.take(start);
            std::io::copy(&mut prefix, &mut hasher).with_context(|| format!("reading {}", partial.display()))?;
        }
        let mut out = std::io::BufWriter::with_capacity(WRITE_BUFFER, file);
        let meter = reporter.meter(label(job), body.len.map(|l| l + start), "fetched");
        meter.add(start);
        let mut buf = vec![0u8; 256 * 1024];
        let mut got = 0u64;
        let copied: anyhow::Result<()> = loop {
            if cancel.load(Ordering::Relaxed) {
                break Err(Cancelled.into());
            }
            match body.body.read(&mut buf) {
                Ok(0) => break Ok(()),
                Ok(n) => {
                    hasher.update(&buf[..n]);
                    if let Err(e) = out.write_all(&buf[..n]) {
                        break Err(anyhow::Error::new(e).context(format!("writing {}", partial.display())));
                    }
                    got += n as u64;
                    meter.add(n as u64);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => break Err(into_download_error(e, &job.url).into()),
            }
        };
        // Whatever arrived stays in the partial file for the next run to resume from.
        let flushed = out.into_inner().map_err(std::io::IntoInnerError::into_error).and_then(|f| f.sync_all());
        if let Err(e) = copied {
            meter.failed();
            return Err(e);
        }
        flushed.with_context(|| format!("writing {}", partial.display()))?;
        let actual = hex::encode(hasher.finalize());
        if actual != job.hash {
            meter.failed();
            let err = Mismatch { url: job.url.to_string(), expected: job.hash.clone(), actual };
            bad.refuse(err.into(), &from, &job.url, (&partial, &validator_file), downloader, reporter)?;
            continue;
        }
        place(ledger, job, &partial, &validator_file, &dest)?;
        meter.done();
        return Ok(got);
    }
}

/// Renames a verified partial archive to its published path and records it.
fn place(ledger: &Ledger, job: &Job, partial: &Path, validator_file: &Path, dest: &Path) -> anyhow::Result<()> {
    fs_err::create_dir_all(dest.parent().expect("an archive path has a parent"))?;
    fs_err::rename(partial, dest)?;
    let _ = fs_err::remove_file(validator_file);
    ledger.record(&job.rel, &job.hash, &fs_err::metadata(dest)?);
    Ok(())
}

/// SHA-256 of the file at `path`, lower-case hex.
fn hash_of(path: &Path) -> anyhow::Result<String> {
    crate::download::hashing::sha256_file(path).with_context(|| format!("reading {}", path.display()))
}
