//! `tcup lock`: writes or refreshes `rust-toolchain.lock` beside the nearest toolchain file
//! (docs/lock.md; the format is [`crate::dist::lock`]).
//!
//! Refreshing works like cargo's lockfile. With a lock whose channel is the toolchain file's,
//! the locked release is kept: its dated manifest is fetched with the locked SHA-256 and only
//! the archives are selected again (the file's components, targets or profile, or the hosts, may
//! have changed). Without a lock, when the channel changed, or with `--upgrade`, the channel is
//! resolved now through the one manifest fetch ([`crate::fetch::manifest`]), and the dated copy
//! the lock will name must hold the same bytes on the dist server (a lock that names a file the
//! server lacks could never be installed).
//!
//! Hosts locked: the one tcup installs for here ([`host_choice`]), each `--host`, and every host
//! the existing lock has (a refresh never drops a host silently); a channel that names a host
//! locks that host only. `--check` ([`check`]) compares the lock with the toolchain file without
//! any network.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::dist::lock::{self, HostLock, Inputs, Lock, LockedArchive, Pinned, Release};
use crate::dist::manifest::{Compression, Manifest};
use crate::dist::name::{self, ToolchainName};
use crate::dist::select::{self, Request};
use crate::dist::server;
use crate::download::Downloader;
use crate::env::Env;
use crate::error::UsageError;
use crate::fetch::manifest::{VerifiedManifest, fetch_manifest, fetch_manifest_hash, fetch_manifest_with_hash};
use crate::ops::active::host_choice;
use crate::ops::active::resolve::{FoundFile, nearest_toolchain_file};
use crate::progress::Reporter;

/// What `tcup lock` was asked.
#[derive(Debug, Clone, Default)]
pub struct LockOptions {
    /// Where to look for the toolchain file (it, then its parents): the current directory.
    pub dir: PathBuf,
    /// `--host`: more host triples to lock (checked with [`name::is_triple`]).
    pub hosts: Vec<String>,
    /// `--upgrade`: resolve the channel now even when the lock's channel is the file's.
    pub upgrade: bool,
}

/// What `tcup lock` did.
#[derive(Debug, Clone)]
pub struct Locked {
    /// The lock file (`<dir of the toolchain file>/rust-toolchain.lock`).
    pub path: PathBuf,
    /// The lock as written (or as it already was).
    pub lock: Lock,
    /// False when the file already held exactly these bytes (nothing was written).
    pub written: bool,
}

impl Locked {
    /// The summary line: `locked 'stable' to 1.95.0 (2026-04-16): 2 hosts, 14 archives` (an
    /// archive is one `[[host.archive]]` entry: one component for one target, in every format).
    pub fn summary(&self) -> String {
        let (t, r) = (&self.lock.toolchain, &self.lock.release);
        let hosts = self.lock.hosts.len();
        let archives: usize = self.lock.hosts.iter().map(|h| h.archives.len()).sum();
        let plural = |n: usize, one: &str| if n == 1 { format!("{n} {one}") } else { format!("{n} {one}s") };
        format!("locked '{}' to {} ({}): {}, {}", t.channel, r.version, r.date, plural(hosts, "host"), plural(archives, "archive"))
    }
}

/// The lock no longer matches its toolchain file (`tcup lock --check`). Exit code 1.
#[derive(Debug, thiserror::Error)]
#[error("{} does not match {}: {}; run `tcup lock` to refresh it", lock.display(), file.display(), drift.join(", "))]
pub struct LockDrift {
    /// The lock file.
    pub lock: PathBuf,
    /// The toolchain file.
    pub file: PathBuf,
    /// Each difference ([`Inputs::drift`]).
    pub drift: Vec<String>,
}

crate::error::exit_code!(LockDrift, |_| crate::error::EXIT_FAILURE);

/// There is no lock to check (`tcup lock --check`). Exit code 1.
#[derive(Debug, thiserror::Error)]
#[error("{} has no {} beside it; run `tcup lock` to write one", file.display(), lock::FILE_NAME)]
pub struct NoLock {
    /// The toolchain file.
    pub file: PathBuf,
}

crate::error::exit_code!(NoLock, |_| crate::error::EXIT_FAILURE);

/// Writes or refreshes the lock of the toolchain file nearest `opts.dir` (see the module doc).
///
/// # Errors
/// A [`UsageError`] when there is no toolchain file, it names a path or a linked toolchain, or a
/// `--host` is not a triple; a lock that does not parse (naming the file); the manifest fetch's
/// errors; the dated manifest missing or different on the dist server; a component or target
/// the release lacks for a host (naming it); an archive URL not on the dist server; the write.
pub fn lock(env: &Env, opts: &LockOptions, downloader: &Downloader, reporter: &Reporter) -> anyhow::Result<Locked> {
    let found = find_file(&opts.dir, reporter)?;
    let (inputs, channel) = official_inputs(&found)?;
    let path = lock_path(&found.path);
    let existing = read_lock(&path)?;
    let hosts = hosts(env, &channel, &opts.hosts, existing.as_ref().map(|(l, _)| l))?;
    let (release, manifest) = match &existing {
        Some((old, _)) if old.toolchain.channel == inputs.channel && !opts.upgrade => keep_release(env, downloader, old, reporter)?,
        _ => resolve_release(env, downloader, &channel, reporter)?,
    };
    let hosts = hosts.iter().map(|h| lock_host(&manifest, &inputs, h, reporter)).collect::<anyhow::Result<Vec<_>>>()?;
    let lock = Lock { version: lock::FORMAT_VERSION, toolchain: inputs, release, hosts };
    let text = lock.render();
    // What a later install reads must parse: a manifest naming odd paths is refused here, not there.
    Lock::parse(&text).map_err(|why| anyhow::anyhow!("the lock this release gives would not be valid: {why}"))?;
    let written = existing.is_none_or(|(_, old_text)| old_text != text);
    if written {
        crate::sys::atomic_write::write(&path, &text).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(Locked { path, lock, written })
}

/// `tcup lock --check`: whether the lock beside the toolchain file nearest `dir` still records
/// what the file asks for. No network. Returns the lock's and the toolchain file's paths.
///
/// # Errors
/// As [`lock`] for finding the files; [`NoLock`]; a lock that does not parse; [`LockDrift`].
pub fn check(dir: &Path, reporter: &Reporter) -> anyhow::Result<(PathBuf, PathBuf)> {
    let found = find_file(dir, reporter)?;
    let (inputs, _) = official_inputs(&found)?;
    let path = lock_path(&found.path);
    let Some((locked, _)) = read_lock(&path)? else {
        return Err(NoLock { file: found.path }.into());
    };
    let drift = locked.toolchain.drift(&inputs);
    if !drift.is_empty() {
        return Err(LockDrift { lock: path, file: found.path, drift }.into());
    }
    Ok((path, found.path))
}

/// The toolchain file nearest `dir`, its warnings shown.
fn find_file(dir: &Path, reporter: &Reporter) -> anyhow::Result<FoundFile> {
    let found = nearest_toolchain_file(dir)?.ok_or_else(|| {
        UsageError(format!(
            "no rust-toolchain.toml or rust-toolchain in {} or its parents: `tcup lock` locks a toolchain file's channel",
            dir.display()
        ))
    })?;
    for w in &found.warnings {
        reporter.warn(w);
    }
    Ok(found)
}

/// The file's request as a lock records it, and its channel as an official toolchain name.
///
/// # Errors
/// A [`UsageError`] for a file that names a `path` or a channel that is not an official one.
fn official_inputs(found: &FoundFile) -> anyhow::Result<(Inputs, ToolchainName)> {
    let only = "only official channels (stable, beta, nightly, a version, with or without a date) can be locked";
    let Some(inputs) = Inputs::of(&found.spec) else {
        return Err(UsageError(format!("{} names a path toolchain; {only}", found.path.display())).into());
    };
    let channel: ToolchainName = inputs.channel.parse().map_err(|_| {
        UsageError(format!("{} names '{}', which is not an official channel; {only}", found.path.display(), inputs.channel))
    })?;
    Ok((inputs, channel))
}

/// `rust-toolchain.lock` beside `toolchain_file`.
fn lock_path(toolchain_file: &Path) -> PathBuf {
    toolchain_file.with_file_name(lock::FILE_NAME)
}

/// The lock at `path` and its text, when there is one.
///
/// # Errors
/// It cannot be read, or does not parse (the message names the file).
fn read_lock(path: &Path) -> anyhow::Result<Option<(Lock, String)>> {
    let text = match fs_err::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let lock = Lock::parse(&text).map_err(|why| anyhow::anyhow!("{}: {why}; fix or delete it, then run `tcup lock`", path.display()))?;
    Ok(Some((lock, text)))
}

/// The hosts to lock, sorted: the channel's own host alone when it names one; else the host tcup
/// installs for here (the settings' default host, else detection), each of `flags`, and the
/// hosts `existing` has.
///
/// # Errors
/// A flag that is not a triple, or that differs from the channel's host ([`UsageError`]);
/// `settings.toml` cannot be read; detection finds no Rust toolchain for this system.
fn hosts(env: &Env, channel: &ToolchainName, flags: &[String], existing: Option<&Lock>) -> anyhow::Result<BTreeSet<String>> {
    if let Some(bad) = flags.iter().find(|h| !name::is_triple(h)) {
        return Err(UsageError(format!("--host {bad}: not a target triple (e.g. x86_64-unknown-linux-gnu)")).into());
    }
    if let Some(own) = &channel.host {
        if let Some(other) = flags.iter().find(|h| *h != own) {
            return Err(
                UsageError(format!("the channel '{channel}' names host {own}, so only that host can be locked, not {other}")).into()
            );
        }
        return Ok(BTreeSet::from([own.clone()]));
    }
    let settings = crate::home::settings::load(&env.rustup_home)?;
    let here = host_choice::choose(None, None, settings.default_host.as_deref(), || host_choice::detect_host(env))?;
    let (here, _, _) = here.for_install()?;
    let mut all = BTreeSet::from([here]);
    all.extend(flags.iter().cloned());
    all.extend(existing.into_iter().flat_map(|l| l.hosts.iter().map(|h| h.triple.clone())));
    Ok(all)
}

/// Keeps `old`'s release: its dated manifest, fetched with the locked SHA-256. The signer is the
/// one this fetch verified, else the lock's (the bytes are the same, hash for hash).
fn keep_release(env: &Env, downloader: &Downloader, old: &Lock, reporter: &Reporter) -> anyhow::Result<(Release, Manifest)> {
    let name = old.name().map_err(|why| anyhow::anyhow!("the lock's channel '{}': {why}", old.toolchain.channel))?;
    let url = server::join(&env.dist_server, &old.release.manifest);
    reporter.info(&format!("keeping the locked release {} ({}); --upgrade moves to the newest", old.release.version, old.release.date));
    let verified = fetch_manifest_with_hash(env, downloader, &url, &name.to_string(), old.release.manifest_sha256.clone(), reporter)
        .with_context(|| format!("fetching the locked manifest {url}"))?;
    let signer = verified.signer.as_ref().map_or_else(|| old.release.signer.clone(), |s| s.fingerprint.clone());
    Ok((Release { signer, ..old.release.clone() }, verified.manifest))
}

/// Resolves `channel` now, and requires the dated copy the lock names to hold the same bytes.
fn resolve_release(
    env: &Env,
    downloader: &Downloader,
    channel: &ToolchainName,
    reporter: &Reporter,
) -> anyhow::Result<(Release, Manifest)> {
    let url = channel.manifest_url(&env.dist_server);
    reporter.info(&format!("resolving '{channel}'"));
    let verified = fetch_manifest(env, downloader, &url, &channel.to_string(), reporter)
        .with_context(|| format!("no usable channel manifest for '{channel}'"))?;
    let VerifiedManifest { hash, manifest, signer, .. } = verified;
    let version = manifest.rust_version().ok_or_else(|| anyhow::anyhow!("{url} names no rust version ([pkg.rust] version)"))?.to_owned();
    let dated = lock::dated_manifest_path(&channel.channel, &version, &manifest.date);
    let dated_url = server::join(&env.dist_server, &dated);
    let missing = |why: String| {
        anyhow::anyhow!(
            "{why}: a lock needs the manifest at its dated path ({dated}); the dist server keeps every release there, \
             a `tcup mirror pack` tree keeps only some"
        )
    };
    match fetch_manifest_hash(downloader, &dated_url, reporter) {
        Ok(h) if h == hash => {}
        Ok(h) => return Err(missing(format!("{dated_url} has SHA-256 {h}, but {url} has {hash}"))),
        Err(e) => return Err(missing(crate::error::one_line(&e))),
    }
    let signer = signer.map_or_else(|| lock::UNSIGNED.to_owned(), |s| s.fingerprint);
    let release = Release { version, date: manifest.date.clone(), manifest: dated, manifest_sha256: hash, signer };
    Ok((release, manifest))
}

/// Every archive `inputs` select for `host` in `manifest`, each in every format it offers.
///
/// # Errors
/// The selection's error (a component, target or profile the release lacks), naming the host;
/// an archive whose URL is not on the dist server.
fn lock_host(manifest: &Manifest, inputs: &Inputs, host: &str, reporter: &Reporter) -> anyhow::Result<HostLock> {
    let request = Request { host, profile: &inputs.profile, components: &inputs.components, targets: &inputs.targets };
    let selection = select::select(manifest, &request).with_context(|| format!("locking host {host}"))?;
    for w in &selection.warnings {
        reporter.warn(w);
    }
    let mut archives = Vec::with_capacity(selection.components.len());
    for s in &selection.components {
        let (_, tp) = manifest.target_of(&s.pkg, &s.target).expect("select chose an entry of the manifest");
        let pin = |c: Compression| -> anyhow::Result<Option<Pinned>> {
            let Some(a) = tp.archive(c) else { return Ok(None) };
            let path = lock::relative_path(&a.url).ok_or_else(|| {
                anyhow::anyhow!(
                    "{} of {} is at {}, not under {}: a lock pins paths on the dist server (a `tcup mirror pack` tree rewrites them)",
                    s.name(),
                    host,
                    a.url,
                    server::UPSTREAM
                )
            })?;
            Ok(Some(Pinned { path: path.to_owned(), sha256: a.hash }))
        };
        let (gz, xz, zst) = (pin(Compression::Gz)?, pin(Compression::Xz)?, pin(Compression::Zst)?);
        archives.push(LockedArchive { component: s.pkg.clone(), target: s.target.clone(), gz, xz, zst });
    }
    Ok(HostLock { triple: host.to_owned(), archives })
}
