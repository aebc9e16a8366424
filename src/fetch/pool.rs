//! The workers that fetch a selection: `RUSTUP_CONCURRENT_DOWNLOADS` threads (by default one per
//! core, 2 to 8) take components longest first, each streaming one archive
//! ([`super::archive`]) into the staging tree, opening the next archive ahead near the end of
//! their own ([`super::open_ahead`]); the first failure cancels the rest.

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use anyhow::Context as _;

use crate::dist::manifest::Archive;
use crate::dist::select::{Selected, Selection};
use crate::dist::server;
use crate::download::{DownloadError, Downloader};
use crate::env::Env;
use crate::fetch::archive::{self, Cancelled, Job, Overlap};
use crate::fetch::open_ahead::OpenAhead;
use crate::home::toolchain::Receipt;
use crate::home::{Downloads, Home};
use crate::install::staging::Staging;
use crate::install::unpack::PoolOptions;
use crate::install::xz_budget::Gate;
use crate::progress::Reporter;

/// The order the workers take components in: the longest first (longest-processing-time first),
/// so the last to finish is not one that started late. The manifest gives no sizes, so by what
/// the components of every release hold: `rust-docs` (about 50 000 small files, where creating
/// files dominates) and `rustc` (the largest archive) first, then `rust-src`, `rust-std`,
/// `rustc-dev` and `llvm-tools`, then the rest; ties in selection order. (On the default dist
/// server, with two workers, `rust-docs` in its selection place started 1.5 s in and finished
/// last, 1.8 s after everything else.)
fn start_order(components: &[Selected]) -> Vec<usize> {
    let rank = |pkg: &str| match pkg {
        "rust-docs" | "rustc" => 0,
        "rust-src" | "rust-std" | "rustc-dev" | "llvm-tools" | "llvm-tools-preview" => 1,
        _ => 2,
    };
    let mut order: Vec<usize> = (0..components.len()).collect();
    order.sort_by_key(|&i| rank(&components[i].pkg));
    order
}

/// Downloads and unpacks every selected component with a bounded number of workers
/// (`RUSTUP_CONCURRENT_DOWNLOADS`). The first failure cancels the rest; receipts come back in
/// selection order.
pub fn fetch_all(
    env: &Env,
    selection: &Selection,
    staging: &Staging,
    downloader: &Downloader,
    reporter: &Reporter,
) -> anyhow::Result<Vec<Receipt>> {
    let downloads = Home::new(&env.rustup_home).downloads();
    let tree = staging.tree();
    let workers = env.concurrent_downloads.unwrap_or_else(|| default_workers(selection.components.len()));
    let pool = archive::pool_options(env, workers.min(selection.components.len()).max(1));
    let xz_gate = crate::install::xz_budget::Gate::new(env.xz_decoders.unwrap_or(DEFAULT_XZ_DECODERS));
    let jobs = jobs(env, selection, staging, &downloads, &tree, pool, &xz_gate)?;
    let order = start_order(&selection.components);
    let next = AtomicUsize::new(0);
    let cancel = AtomicBool::new(false);
    let results: Mutex<Vec<Option<anyhow::Result<Receipt>>>> = Mutex::new((0..jobs.len()).map(|_| None).collect());
    let ahead = OpenAhead::new(order.len());
    let (jobs, order, next, cancel, results, ahead) = (&jobs, &order, &next, &cancel, &results, &ahead);
    std::thread::scope(|s| {
        // Near the end of a worker's archive: open the next one no worker has taken (open_ahead).
        let open_next = move || {
            if cancel.load(Ordering::Relaxed) {
                return;
            }
            let Some(q) = ahead.claim_from(next.load(Ordering::Relaxed)) else { return };
            let job = &jobs[order[q]];
            let opener = std::thread::Builder::new().name("tcup-open-ahead".into()).spawn_scoped(s, move || {
                // Whatever happens, its worker gets an answer: a panic must not leave it waiting.
                let opened = if cancel.load(Ordering::Relaxed) {
                    Err(Cancelled.into())
                } else {
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| archive::open_ahead(job, downloader, reporter)))
                        .unwrap_or_else(|_| Err(anyhow::anyhow!("opening {} ahead panicked", job.url)))
                };
                ahead.put(q, opened);
            });
            if let Err(e) = opener {
                ahead.put(q, Err(anyhow::Error::new(e).context("starting a thread to open a download")));
            }
        };
        for _ in 0..workers.min(jobs.len()) {
            s.spawn(move || {
                loop {
                    let p = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&i) = order.get(p) else { break };
                    if cancel.load(Ordering::Relaxed) {
                        break;
                    }
                    let overlap = Overlap { opened: ahead.take(p), near_end: Some(&open_next) };
                    let r = install_any_format(&jobs[i], env, downloader, reporter, cancel, overlap)
                        .with_context(|| format!("component {}", jobs[i].selected.name()));
                    if r.is_err() {
                        cancel.store(true, Ordering::Relaxed);
                    }
                    results.lock().expect("no worker panics while holding the lock")[i] = Some(r);
                }
            });
        }
    });
    first_failure(std::mem::take(&mut *results.lock().expect("workers finished")))
}

/// One [`Job`] per selected component, its URL moved onto the dist server.
///
/// # Errors
/// A manifest URL that is not valid (naming the component).
fn jobs<'a>(
    env: &Env,
    selection: &'a Selection,
    staging: &Staging,
    downloads: &'a Downloads,
    tree: &'a Path,
    pool: PoolOptions,
    xz_gate: &'a Gate,
) -> anyhow::Result<Vec<Job<'a>>> {
    selection
        .components
        .iter()
        .map(|c| {
            let url = server::rewrite(&c.archive.url, &env.dist_server)
                .with_context(|| format!("the manifest's URL for {} is invalid: {}", c.name(), c.archive.url))?;
            Ok(Job { selected: c, url, downloads, unpack_dir: staging.unpack_dir(&c.name()), tree, pool, xz_gate })
        })
        .collect()
}

/// The receipts in selection order, or the first real failure: not a component that stopped
/// because another had failed ([`Cancelled`]).
fn first_failure(results: Vec<Option<anyhow::Result<Receipt>>>) -> anyhow::Result<Vec<Receipt>> {
    let mut receipts = Vec::with_capacity(results.len());
    let mut first_err: Option<anyhow::Error> = None;
    for r in results.into_iter().flatten() {
        match r {
            Ok(receipt) => receipts.push(receipt),
            Err(e) if Cancelled::in_chain(&e) => {
                first_err.get_or_insert(e);
            }
            Err(e) => {
                if first_err.as_ref().is_none_or(Cancelled::in_chain) {
                    first_err = Some(e);
                }
            }
        }
    }
    match first_err {
        Some(e) => Err(e),
        None => Ok(receipts),
    }
}

/// [`archive::install`] of `job`; when the dist server does not have the archive in the chosen
/// format (404, 403, 410), the same component in the manifest's other formats, in order — a
/// mirror may keep only some formats (rustup fetches only xz; `tcup mirror sync --formats`).
fn install_any_format<'a>(
    job: &Job<'_>,
    env: &Env,
    downloader: &'a Downloader,
    reporter: &'a Reporter,
    cancel: &AtomicBool,
    overlap: Overlap<'a, '_>,
) -> anyhow::Result<Receipt> {
    let not_found = |e: &anyhow::Error| e.chain().any(|c| c.downcast_ref::<DownloadError>().is_some_and(DownloadError::is_not_found));
    let first = archive::install(job, downloader, reporter, cancel, overlap);
    let Err(mut err) = first else { return first };
    let mut tried = job.selected.archive.compression;
    for other in &job.selected.archive.other_formats {
        if !not_found(&err) {
            break;
        }
        reporter.info(&format!(
            "{} is not on the dist server as .tar.{}; trying .tar.{}",
            job.selected.name(),
            tried.extension(),
            other.compression.extension()
        ));
        let selected = Selected { archive: Archive { other_formats: Vec::new(), ..other.clone() }, ..job.selected.clone() };
        let url = server::rewrite(&other.url, &env.dist_server)
            .with_context(|| format!("the manifest's URL for {} is invalid: {}", selected.name(), other.url))?;
        let retry = Job { selected: &selected, url, unpack_dir: job.unpack_dir.clone(), ..*job };
        match archive::install(&retry, downloader, reporter, cancel, Overlap::default()) {
            Ok(receipt) => return Ok(receipt),
            Err(e) => err = e,
        }
        tried = other.compression;
    }
    Err(err)
}

/// Large-dictionary xz decoders at once when `TCUP_XZ_DECODERS` is not set: one (about 129 MiB
/// for the dist server's archives; docs/design.md install-8).
pub const DEFAULT_XZ_DECODERS: usize = 1;

/// Default parallelism: one worker per core, at least 2 (one can download while one unpacks),
/// at most 8, never more than the number of components.
fn default_workers(components: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    cores.clamp(2, 8).min(components.max(1))
}
