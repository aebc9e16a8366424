//! `tcup toolchain install`: from a toolchain name to a toolchain in `RUSTUP_HOME/toolchains/`.
//!
//! Order of work: take the home lock and clear stale staging; fetch the channel manifest's
//! `.sha256`, then the manifest, and check one against the other before parsing; choose the
//! components; download, verify and unpack them in parallel into a staging tree; write rustup's
//! receipts; commit the tree with one rename; record the update hash and, if none is set, the
//! default toolchain; drop the now-installed downloads. Any failure before the commit leaves
//! `toolchains/` as it was.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use anyhow::Context as _;
use url::Url;

use crate::dist::binding;
use crate::dist::format::{self, LinkSample};
use crate::dist::manifest::{Archive, Compression, Manifest};
use crate::dist::name::LocalName;
use crate::dist::name::ToolchainName;
use crate::dist::select::{self, Request, Selected, Selection};
use crate::dist::server;
use crate::download::hashing::{Mismatch, sha256_hex};
use crate::download::{DownloadError, Downloader};
use crate::env::Env;
use crate::fetch::archive::{self, Cancelled, Job, Overlap};
use crate::fetch::pool::OpenAhead;
use crate::fetch::share;
use crate::fetch::signature;
use crate::home::toolchain::{Receipt, ToolchainDir};
use crate::home::{Home, settings};
use crate::host::{Decision, Report};
use crate::install::staging::{self, Staging};
use crate::ops::active::host_choice::{self, HostChoice, Source};
use crate::ops::toolchain::backtrack;
use crate::progress::Reporter;

/// Largest channel manifest accepted (bytes); real ones are about 1 MB.
const MANIFEST_LIMIT: u64 = 64 * 1024 * 1024;

/// What to install.
#[derive(Debug, Clone)]
pub struct InstallOptions {
    /// The toolchain name as given.
    pub name: ToolchainName,
    /// Profile: `minimal`, `default`, `complete`.
    pub profile: String,
    /// Extra components (`-c`).
    pub components: Vec<String>,
    /// Extra targets (`-t`).
    pub targets: Vec<String>,
    /// `--host`, when given (a host in the name wins if both agree; they must).
    pub host: Option<String>,
    /// `--allow-downgrade`: an installed toolchain may move to an older manifest.
    pub allow_downgrade: bool,
    /// What host detection found on this system: used when no host is given, to warn when the
    /// given one cannot run here, and to diagnose an installed compiler that does not run.
    pub detected: Report,
}

/// How an install ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The toolchain was (re)installed with this many components.
    Installed {
        /// Toolchain directory name.
        toolchain: LocalName,
        /// Component count.
        components: usize,
        /// Total length of its files from the receipts (bytes); `None` when a receipt lists no
        /// files (one written before tcup recorded them).
        bytes: Option<u64>,
    },
    /// Already installed from the same manifest with every requested component.
    Unchanged {
        /// Toolchain directory name.
        toolchain: LocalName,
    },
}

/// A channel manifest checked against its `.sha256`.
pub struct VerifiedManifest {
    /// The manifest text, as served.
    pub text: String,
    /// Its SHA-256, hex.
    pub hash: String,
    /// Parsed.
    pub manifest: Manifest,
    /// How fast the manifest itself arrived: the link measurement for the format choice.
    pub link: LinkSample,
    /// The detached signature kept beside the installed manifest: verified when fetched
    /// ([`crate::fetch::signature`]); as stored when read from an installed toolchain.
    pub asc: Option<Vec<u8>>,
    /// Who signed it, when it was fetched and verified.
    pub signer: Option<crate::trust::Signer>,
}

/// Downloads `manifest_url`'s `.sha256`, then the manifest, checks it, checks its detached
/// signature over the same bytes ([`signature::check_manifest`]; `channel` is the toolchain name
/// without host, the key of downgrade protection), then parses it.
///
/// # Errors
/// Not found (the toolchain is not on this dist server), a `.sha256` without a hash,
/// [`Mismatch`], a refused signature, or a manifest that does not parse.
pub fn fetch_manifest(
    env: &Env,
    downloader: &Downloader,
    manifest_url: &Url,
    channel: &str,
    reporter: &Reporter,
) -> anyhow::Result<VerifiedManifest> {
    let expected = fetch_manifest_hash(downloader, manifest_url, reporter)?;
    fetch_manifest_with_hash(env, downloader, manifest_url, channel, expected, reporter)
}

/// The SHA-256 (lower-case hex) that `manifest_url`'s `.sha256` names (`sha256sum` format: the
/// hash first).
///
/// # Errors
/// The `.sha256` cannot be fetched or holds no SHA-256.
pub fn fetch_manifest_hash(downloader: &Downloader, manifest_url: &Url, reporter: &Reporter) -> anyhow::Result<String> {
    let sha_url = server::sha256_url(manifest_url);
    let sha = downloader.get_bytes(&sha_url, 4096, reporter)?;
    let expected = String::from_utf8_lossy(&sha).split_whitespace().next().unwrap_or("").to_ascii_lowercase();
    if expected.len() != 64 || !expected.bytes().all(|b| b.is_ascii_hexdigit()) {
        anyhow::bail!("{sha_url} does not hold a SHA-256 hash (expected 64 hex digits first)");
    }
    Ok(expected)
}

/// [`fetch_manifest`] once the `.sha256` named `expected`.
///
/// # Errors
/// As [`fetch_manifest`].
pub fn fetch_manifest_with_hash(
    env: &Env,
    downloader: &Downloader,
    manifest_url: &Url,
    channel: &str,
    expected: String,
    reporter: &Reporter,
) -> anyhow::Result<VerifiedManifest> {
    let (bytes, timing) = downloader.get_bytes_timed(manifest_url, MANIFEST_LIMIT, reporter)?;
    let link = LinkSample { bytes: timing.bytes, elapsed: timing.elapsed };
    let actual = sha256_hex(&bytes);
    if actual != expected {
        return Err(Mismatch { url: manifest_url.to_string(), expected, actual }.into());
    }
    let checked = signature::check_manifest(env, downloader, manifest_url, channel, &bytes, reporter)?;
    let (asc, signer) = checked.map_or((None, None), |s| (Some(s.asc), Some(s.signer)));
    let text = String::from_utf8(bytes).with_context(|| format!("{manifest_url} is not UTF-8 text"))?;
    let manifest = Manifest::parse(&text).with_context(|| format!("reading {manifest_url}"))?;
    // Bound to the name asked for, whatever the policy (a replayed signed manifest verifies).
    let name: ToolchainName = channel.parse()?;
    binding::check(&name, &manifest, manifest_url.as_str())?;
    if let Some(warning) = binding::stale(&name, &manifest, &env.today) {
        reporter.warn(&warning);
    }
    Ok(VerifiedManifest { text, hash: actual, manifest, link, asc, signer })
}

/// Installs a toolchain. See the module documentation for the order of work.
///
/// # Errors
/// Usage errors (conflicting hosts) and every failure of the steps above, with context naming
/// the toolchain, URL or path.
pub fn install(env: &Env, opts: &InstallOptions, downloader: &Downloader, reporter: &Reporter) -> anyhow::Result<Outcome> {
    let (host, extra_targets) = choose_host(env, opts, reporter)?;
    let toolchain = opts.name.dir_name(&host);
    let home = Home::new(&env.rustup_home);
    let _lock = lock_home(&home, reporter)?;
    let manifest_url = opts.name.manifest_url(&env.dist_server);
    reporter.info(&format!("syncing channel updates for '{toolchain}'"));
    reporter.verbose(&format!("channel manifest {manifest_url}, backends {}", downloader.backend_names().join(", ")));
    let channel = ToolchainName { host: None, ..opts.name.clone() }.to_string();
    let verified = fetch_manifest(env, downloader, &manifest_url, &channel, reporter)
        .with_context(|| format!("no usable channel manifest for toolchain '{}'", opts.name))?;
    let targets: Vec<String> = opts.targets.iter().chain(&extra_targets).cloned().collect();
    let request = Request { host: &host, profile: &opts.profile, components: &opts.components, targets: &targets };
    let (verified, mut selection) = match select::select(&verified.manifest, &request) {
        Ok(selection) => (verified, selection),
        Err(missing) if backtrack::applies(&opts.name, &missing) => {
            backtrack::walk(env, downloader, &verified, &missing, &request, reporter)?
        }
        // One line naming the dist server too: "no toolchain for this host" depends on the server.
        Err(e) => return Err(anyhow::Error::new(e).context(manifest_url.to_string())),
    };
    for w in &selection.warnings {
        reporter.warn(w);
    }
    choose_format(env, downloader, &verified, &mut selection, reporter);
    let dest = home.toolchain(&toolchain);
    if is_unchanged(&home, &toolchain, &verified.hash, &selection) {
        return Ok(Outcome::Unchanged { toolchain });
    }
    if let Some(v) = verified.manifest.rust_version() {
        // The toolchain's name is on the line above ("syncing channel updates for …"); this line
        // stays within 80 columns for a release version.
        reporter.info(&format!("installing rust {v} ({} components, profile '{}')", selection.components.len(), opts.profile));
    }
    let staging = Staging::new(&home).with_context(|| format!("creating a staging directory in {}", home.tmp().display()))?;
    let (mut receipts, to_fetch) = share_from_installed(&home, &verified, &selection, &toolchain, &staging, reporter)?;
    reporter.plan(&host, &to_fetch.components.iter().map(select::Selected::name).collect::<Vec<_>>());
    reporter.set_left_behind(Some(format!(
        "a staging directory in {} and partial downloads in {}",
        home.tmp().display(),
        home.downloads().dir().display()
    )));
    let fetched = fetch_all(env, &to_fetch, &staging, downloader, reporter);
    reporter.set_left_behind(None);
    receipts.extend(fetched?);
    // rustup's order: the selection's.
    let order: Vec<String> = selection.components.iter().map(select::Selected::name).collect();
    receipts.sort_by_key(|r| order.iter().position(|n| *n == r.component.name()));
    let tree = ToolchainDir::at(staging.tree());
    tree.write_receipts(&receipts, &verified.text).context("writing toolchain receipts")?;
    signature::store(&tree, verified.asc.as_deref()).context("keeping the manifest's signature")?;
    staging.commit(dest.root()).with_context(|| format!("moving the new toolchain into {}", dest.root().display()))?;
    home.set_update_hash(&toolchain, &verified.hash)?;
    if settings::set_default_if_unset(home.root(), toolchain.as_str())? {
        reporter.info(&format!("default toolchain set to '{toolchain}'"));
    }
    for c in &to_fetch.components {
        home.downloads().forget(&c.archive.hash);
    }
    reporter.finish();
    check_runs(&dest, opts, reporter);
    let bytes = receipts.iter().all(|r| !r.files.is_empty()).then(|| receipts.iter().flat_map(|r| &r.files).map(|f| f.len).sum());
    Ok(Outcome::Installed { toolchain, components: receipts.len(), bytes })
}

/// Takes `home`'s writer lock (saying so when another tcup holds it) and removes the staging
/// directories an interrupted run left (saying how many): how every change of a home begins.
///
/// # Errors
/// The lock cannot be taken or a stale directory cannot be removed (named in the error).
pub fn lock_home(home: &Home, reporter: &Reporter) -> anyhow::Result<crate::home::HomeLock> {
    let lock = home
        .lock(|| reporter.info("waiting for another tcup to finish with this RUSTUP_HOME"))
        .with_context(|| format!("locking {}", home.root().display()))?;
    let stale = staging::clear_stale(home).context("clearing stale staging directories")?;
    if stale > 0 {
        reporter.info(&format!(
            "removed {stale} staging director{} left by an interrupted run in {}",
            if stale == 1 { "y" } else { "ies" },
            home.tmp().display()
        ));
    }
    Ok(lock)
}

/// Links into `staging` every selected component another installed toolchain holds intact
/// ([`share`]); returns their receipts and the selection left to download.
///
/// # Errors
/// A shared file cannot be linked or copied.
fn share_from_installed(
    home: &Home,
    verified: &VerifiedManifest,
    selection: &Selection,
    toolchain: &LocalName,
    staging: &Staging,
    reporter: &Reporter,
) -> anyhow::Result<(Vec<Receipt>, Selection)> {
    let donors = share::donors(home, &verified.manifest, &selection.components, toolchain);
    let mut receipts = Vec::with_capacity(donors.len());
    for d in &donors {
        let name = d.selected.name();
        receipts
            .push(share::link_into(home, d, &staging.tree()).with_context(|| format!("linking {name} from toolchain '{}'", d.toolchain))?);
    }
    share::report(&donors, reporter);
    let components = selection.components.iter().filter(|c| !donors.iter().any(|d| d.selected.name() == c.name())).cloned().collect();
    Ok((receipts, Selection { components, warnings: Vec::new() }))
}

/// The host `opts` installs for: the one answer of [`host_choice::choose`] (the name's triple,
/// `--host`, the settings' default host, detection).
///
/// # Errors
/// `settings.toml` cannot be read; the name's triple and `--host` disagree ([`crate::error::UsageError`]).
pub fn host_for(env: &Env, opts: &InstallOptions) -> anyhow::Result<HostChoice> {
    let settings = settings::load(&env.rustup_home)?;
    Ok(host_choice::choose(opts.name.host.as_deref(), opts.host.as_deref(), settings.default_host.as_deref(), || opts.detected.clone())?)
}

/// The host triple to install for, and targets detection adds ([`host_for`]). A host the user
/// named (in the name or with `--host`) that detection says is not this system's gets a warning;
/// a host that is detection's own (detected, or the same triple from the settings) brings
/// detection's extra targets and notes.
fn choose_host(env: &Env, opts: &InstallOptions, reporter: &Reporter) -> anyhow::Result<(String, Vec<String>)> {
    let choice = host_for(env, opts)?;
    let (detected, detected_targets, notes) = match &opts.detected.decision {
        Decision::Host { triple, targets, notes } => (Some(triple.as_str()), targets, notes),
        Decision::Refused { .. } => (None, &Vec::new(), &Vec::new()),
    };
    let source = choice.source;
    let (host, mut targets, _) = choice.for_install()?;
    match source {
        Source::Name | Source::Flag if detected != Some(host.as_str()) => {
            let here = detected.map_or_else(|| "a system with no Rust host toolchain".to_owned(), std::string::ToString::to_string);
            reporter
                .warn(&format!("installing for host {host} as asked, but this system looks like {here}: the toolchain may not run here"));
        }
        Source::Settings | Source::Detected if detected == Some(host.as_str()) => {
            for n in notes {
                reporter.warn(n);
            }
            targets.clone_from(detected_targets);
        }
        _ => {}
    }
    Ok((host, targets))
}

/// Runs the installed `rustc --version` (60 s limit); when it fails, the install stands but the
/// user is told exactly why (missing loader, wrong architecture, illegal instruction, timeout).
fn check_runs(dest: &ToolchainDir, opts: &InstallOptions, reporter: &Reporter) {
    let rustc = dest.tool("rustc");
    if !rustc.is_file() {
        return;
    }
    let suggest = match &opts.detected.decision {
        Decision::Host { triple, .. } => triple.clone(),
        Decision::Refused { detected, .. } => detected.clone(),
    };
    let spinner = reporter.spinner("checking that the installed rustc runs");
    let checked = crate::host::run_check::run_version(&rustc, std::time::Duration::from_mins(1), &suggest);
    drop(spinner);
    match checked {
        Ok(version) => reporter.verbose(&format!("installed rustc runs: {version}")),
        Err(why) => reporter.warn(&format!("the toolchain is installed, but its compiler does not run here: {why}")),
    }
}

/// Sets each component's archive format (docs/design.md decision 10.3) and says why.
///
/// A manifest sample that reads slow is checked on the archives' own path: the first
/// [`PROBE_BYTES`] of the largest component's `.tar.gz` are read and timed, and the faster of
/// the two samples decides. A cold connection, TCP's slow start over 0.75 MB, or a CDN that
/// fetches the small, often-changing manifest itself can make the manifest read a fast link as
/// slow (on the default dist server through this machine's gateway every other run read about
/// 2.5 MB/s, and a second fetch of the manifest 15–23 MB/s, while the archives arrive at about
/// 200 MB/s); a slow link reads slow twice. On a slow link that costs 4 MiB more.
fn choose_format(env: &Env, downloader: &Downloader, verified: &VerifiedManifest, selection: &mut Selection, reporter: &Reporter) {
    let mut sample = verified.link;
    if format::worth_a_second_sample(env.archive_format, &env.dist_server, sample)
        && let Some((url, probe)) = probe_link(env, downloader, verified, selection, reporter)
    {
        let mbps = |s: LinkSample| s.rate().map_or_else(|| "too little to tell".to_owned(), |r| format!("{:.1} MB/s", r / 1e6));
        reporter.verbose(&format!("the manifest arrived at {}; the first MiBs of {url}: {}", mbps(sample), mbps(probe)));
        if probe.rate() > sample.rate() {
            sample = probe;
        }
    }
    let choice = format::choose(env.archive_format, &env.dist_server, Some(sample));
    let lacking = format::apply(selection, &verified.manifest, &choice);
    let order: Vec<&str> = choice.order.iter().map(|c| c.extension()).collect();
    reporter.verbose(&format!("archive formats in order of preference {}: {}", order.join(", "), choice.why));
    if env.archive_format != crate::env::ArchiveFormat::Auto && !lacking.is_empty() {
        reporter.warn(&format!(
            "{} not offered in the forced format; using another: {}",
            if lacking.len() == 1 { "one component is" } else { "some components are" },
            lacking.join(", ")
        ));
    }
}

/// Bytes of the largest archive [`choose_format`] reads to check a slow manifest sample.
pub const PROBE_BYTES: u64 = 4 << 20;

/// Times the first [`PROBE_BYTES`] of the `.tar.gz` of `rustc` (the largest component), or of the
/// first component offering one; its URL and the sample, or `None` when none offers gz or the
/// read fails.
fn probe_link(
    env: &Env,
    downloader: &Downloader,
    verified: &VerifiedManifest,
    selection: &Selection,
    reporter: &Reporter,
) -> Option<(Url, LinkSample)> {
    let gz =
        |c: &Selected| verified.manifest.pkg.get(&c.pkg).and_then(|p| p.target.get(&c.target)).and_then(|t| t.archive(Compression::Gz));
    let archive =
        selection.components.iter().find(|c| c.pkg == "rustc").and_then(gz).or_else(|| selection.components.iter().find_map(gz))?;
    let url = server::rewrite(&archive.url, &env.dist_server).ok()?;
    let timing = downloader.sample(&url, PROBE_BYTES, reporter).ok()?;
    Some((url, LinkSample { bytes: timing.bytes, elapsed: timing.elapsed }))
}

/// True when `toolchain` was installed from the manifest with hash `hash` and already has every
/// selected component.
fn is_unchanged(home: &Home, toolchain: &LocalName, hash: &str, selection: &Selection) -> bool {
    if !home.update_hash_is(toolchain, hash) {
        return false;
    }
    let installed = home.toolchain(toolchain).component_names();
    selection.components.iter().all(|c| installed.contains(&c.name()))
}

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
    let jobs = selection
        .components
        .iter()
        .map(|c| {
            let url = server::rewrite(&c.archive.url, &env.dist_server)
                .with_context(|| format!("the manifest's URL for {} is invalid: {}", c.name(), c.archive.url))?;
            Ok(Job {
                selected: c,
                url,
                downloads: &downloads,
                unpack_dir: staging.unpack_dir(&c.name()),
                tree: &tree,
                pool,
                xz_gate: &xz_gate,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
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
    let results = std::mem::take(&mut *results.lock().expect("workers finished"));
    // Report the first real failure, not a component that stopped because of it.
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
/// for the dist server's archives; docs/design.md 20.3).
pub const DEFAULT_XZ_DECODERS: usize = 1;

/// Default parallelism: one worker per core, at least 2 (one can download while one unpacks),
/// at most 8, never more than the number of components.
fn default_workers(components: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    cores.clamp(2, 8).min(components.max(1))
}
