//! `tcup toolchain install`: from a toolchain name to a toolchain in `RUSTUP_HOME/toolchains/`.
//!
//! Order of work: take the home lock and clear stale staging; fetch the channel manifest's
//! `.sha256`, then the manifest, and check one against the other before parsing; choose the
//! components; download, verify and unpack them in parallel into a staging tree; write rustup's
//! receipts; commit the tree with one rename; record the update hash and, if none is set, the
//! default toolchain; drop the now-installed downloads. Any failure before the commit leaves
//! `toolchains/` as it was.

use anyhow::Context as _;

use crate::dist::lock::Lock;
use crate::dist::name::LocalName;
use crate::dist::name::ToolchainName;
use crate::dist::select::{self, Request, Selection};
use crate::download::Downloader;
use crate::env::Env;
use crate::fetch::format_choice::choose_format;
use crate::fetch::manifest::{VerifiedManifest, fetch_manifest, fetch_manifest_with_hash};
use crate::fetch::pool::fetch_all;
use crate::fetch::share;
use crate::fetch::signature;
use crate::home::toolchain::ToolchainDir;
use crate::home::{Home, settings};
use crate::host::{Decision, Report};
use crate::install::staging::{self, Staging};
use crate::ops::active::host_choice::{self, HostChoice, Source};
use crate::ops::toolchain::{backtrack, offline};
use crate::progress::Reporter;

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
    /// Installing a `rust-toolchain.lock`'s release: its manifest and archives are pinned.
    pub lock: Option<LockPin>,
}

/// An install from a `rust-toolchain.lock` (docs/design.md lock-2): the manifest is fetched from
/// the lock's dated path and must have the locked SHA-256 (no `.sha256` is asked for), nothing
/// backtracks, and every archive selected must be the one the lock pins for the host.
#[derive(Debug, Clone)]
pub struct LockPin {
    /// The lock file, named in errors.
    pub file: std::path::PathBuf,
    /// The lock.
    pub lock: Lock,
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
    reporter.info(&format!("syncing channel updates for '{toolchain}'"));
    let manifest_url = offline::manifest_url(env, &manifest_path(opts), &opts.name.to_string(), || fetch_command(opts))?;
    let verified = fetch_channel_manifest(env, opts, &manifest_url, downloader, reporter)?;
    // A lock selects the same archives on every machine: detection's extra targets stay out.
    let extra_targets = if opts.lock.is_some() { Vec::new() } else { extra_targets };
    let targets: Vec<String> = opts.targets.iter().chain(&extra_targets).cloned().collect();
    let request = Request { host: &host, profile: &opts.profile, components: &opts.components, targets: &targets };
    let (verified, mut selection) = match select::select(&verified.manifest, &request) {
        Ok(selection) => (verified, selection),
        Err(missing) if opts.lock.is_none() && backtrack::applies(&opts.name, &missing) => {
            backtrack::walk(env, downloader, &verified, &missing, &request, reporter)?
        }
        // One line naming the dist server too: "no toolchain for this host" depends on the server.
        Err(e) => return Err(anyhow::Error::new(e).context(manifest_url.to_string())),
    };
    for w in &selection.warnings {
        reporter.warn(w);
    }
    choose_format(env, downloader, &verified, &mut selection, reporter);
    offline::prefer_downloaded(env, &mut selection, &home.downloads());
    if let Some(pin) = &opts.lock
        && pin.lock.host(&host).is_some()
    {
        pin.lock.check_selection(&host, &selection.components).with_context(|| format!("installing from {}", pin.file.display()))?;
    }
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
    let (taken, to_fetch) = share_from_installed(env, &home, &verified, &selection, &toolchain, &staging, reporter)?;
    let mut receipts = taken.receipts;
    offline::check_present(env, &to_fetch.components, &home.downloads(), || fetch_command(opts))?;
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
    crate::home::store::write_origin(&tree, &taken.from_store).context("recording what came from the toolchain store")?;
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
    check_runs(&dest, &opts.detected, reporter);
    let bytes = receipts.iter().all(|r| !r.files.is_empty()).then(|| receipts.iter().flat_map(|r| &r.files).map(|f| f.len).sum());
    Ok(Outcome::Installed { toolchain, components: receipts.len(), bytes })
}

/// The `tcup fetch` command that fetches what `opts` installs: for a lock, `tcup fetch` in the
/// lock's directory; else the name with its profile, components, targets and `--host`.
pub fn fetch_command(opts: &InstallOptions) -> String {
    let host = opts.host.as_ref().map(|h| format!(" --host {h}")).unwrap_or_default();
    if let Some(pin) = &opts.lock {
        let dir = pin.file.parent().map(|d| d.display().to_string()).unwrap_or_default();
        return format!("cd {dir} && tcup fetch{host}");
    }
    let mut cmd = format!("tcup fetch {} --profile {}", opts.name, opts.profile);
    for c in &opts.components {
        cmd += " -c ";
        cmd += c;
    }
    for t in &opts.targets {
        cmd += " -t ";
        cmd += t;
    }
    cmd + &host
}

/// The path on the dist server of the channel manifest `opts` installs from: the name's, or
/// the lock's dated one.
pub fn manifest_path(opts: &InstallOptions) -> String {
    opts.lock.as_ref().map_or_else(|| opts.name.manifest_path(), |pin| pin.lock.release.manifest.clone())
}

/// The channel manifest `opts` installs from, read at `manifest_url` ([`manifest_path`] on the
/// dist server, or offline where [`offline::manifest_url`] finds it): its `.sha256` or, from a
/// lock, the locked SHA-256 (no `.sha256` asked), then signature and binding
/// ([`crate::fetch::manifest`]).
///
/// # Errors
/// The manifest cannot be fetched or does not verify, with context naming the toolchain (and
/// the lock).
pub fn fetch_channel_manifest(
    env: &Env,
    opts: &InstallOptions,
    manifest_url: &url::Url,
    downloader: &Downloader,
    reporter: &Reporter,
) -> anyhow::Result<VerifiedManifest> {
    reporter.verbose(&format!("channel manifest {manifest_url}, backends {}", downloader.backend_names().join(", ")));
    let channel = ToolchainName { host: None, ..opts.name.clone() }.to_string();
    match &opts.lock {
        Some(pin) => fetch_manifest_with_hash(env, downloader, manifest_url, &channel, pin.lock.release.manifest_sha256.clone(), reporter)
            .with_context(|| format!("the manifest {} locks is not on the dist server as locked", pin.file.display())),
        None => fetch_manifest(env, downloader, manifest_url, &channel, reporter),
    }
    .with_context(|| format!("no usable channel manifest for toolchain '{}'", opts.name))
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

/// Puts into `staging` every selected component another installed toolchain or a toolchain
/// store holds ([`share::take`]); returns what was taken and the selection left to download.
///
/// # Errors
/// A shared file cannot be linked or copied.
fn share_from_installed(
    env: &Env,
    home: &Home,
    verified: &VerifiedManifest,
    selection: &Selection,
    toolchain: &LocalName,
    staging: &Staging,
    reporter: &Reporter,
) -> anyhow::Result<(share::Taken, Selection)> {
    let taken = share::take(home, &env.toolchain_store, &verified.manifest, &selection.components, toolchain, staging, reporter)?;
    let components = selection.components.iter().filter(|c| !taken.has(&c.name())).cloned().collect();
    Ok((taken, Selection { components, warnings: Vec::new() }))
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

/// The profile a new install of a named toolchain uses: `given` (`--profile`), else
/// `settings.toml`'s, else `default`.
///
/// # Errors
/// `settings.toml` cannot be read.
pub fn profile_for(env: &Env, given: Option<&str>) -> anyhow::Result<String> {
    let settings = settings::load(&env.rustup_home)?;
    Ok(given.map_or_else(|| settings.profile().to_owned(), str::to_owned))
}

/// The directory name of `opts`' toolchain when it is installed by tcup or rustup (it has
/// receipts): what `toolchain install --no-update` keeps at its release.
///
/// # Errors
/// As [`host_for`].
pub fn installed_name(env: &Env, opts: &InstallOptions) -> anyhow::Result<Option<LocalName>> {
    let host = host_for(env, opts)?;
    let toolchain = opts.name.dir_name(host.triple_for_names());
    Ok(Home::new(&env.rustup_home).toolchain(&toolchain).has_receipts().then_some(toolchain))
}

/// The host triple to install for, and targets detection adds ([`host_for`]). A host the user
/// named (in the name or with `--host`) that does not run where detection found this system's
/// ([`crate::host::runs_here`]: `x86_64-pc-windows-gnu` where `-msvc` was found does) gets a warning;
/// a host that is detection's own (detected, or the same triple from the settings) brings
/// detection's extra targets and notes.
pub(super) fn choose_host(env: &Env, opts: &InstallOptions, reporter: &Reporter) -> anyhow::Result<(String, Vec<String>)> {
    let choice = host_for(env, opts)?;
    let (detected, detected_targets, notes) = match &opts.detected.decision {
        Decision::Host { triple, targets, notes } => (Some(triple.as_str()), targets, notes),
        Decision::Refused { .. } => (None, &Vec::new(), &Vec::new()),
    };
    let source = choice.source;
    let (host, mut targets, _) = choice.for_install()?;
    match source {
        Source::Name | Source::Flag if !detected.is_some_and(|d| crate::host::runs_here(&host, d)) => {
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
pub(super) fn check_runs(dest: &ToolchainDir, detected: &Report, reporter: &Reporter) {
    let rustc = dest.tool("rustc");
    if !rustc.is_file() {
        return;
    }
    let suggest = match &detected.decision {
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

/// True when `toolchain` was installed from the manifest with hash `hash` and already has every
/// selected component.
fn is_unchanged(home: &Home, toolchain: &LocalName, hash: &str, selection: &Selection) -> bool {
    if !home.update_hash_is(toolchain, hash) {
        return false;
    }
    let installed = home.toolchain(toolchain).component_names();
    selection.components.iter().all(|c| installed.contains(&c.name()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(lock: Option<&str>) -> InstallOptions {
        InstallOptions {
            name: "stable".parse().unwrap(),
            profile: "minimal".into(),
            components: vec!["clippy".into()],
            targets: vec!["wasm32-unknown-unknown".into()],
            host: Some("aarch64-unknown-linux-gnu".into()),
            allow_downgrade: false,
            detected: crate::host::Report {
                decision: crate::host::Decision::Refused { detected: "x".into(), why: "a test".into() },
                evidence: Vec::new(),
            },
            lock: lock.map(|f| LockPin { file: f.into(), lock: lock_of("stable") }),
        }
    }

    fn lock_of(channel: &str) -> crate::dist::lock::Lock {
        use crate::dist::lock::{Inputs, Lock, Release};
        Lock {
            version: 1,
            toolchain: Inputs { channel: channel.into(), profile: "minimal".into(), components: Vec::new(), targets: Vec::new() },
            release: Release {
                version: "1.95.0".into(),
                date: "2026-04-16".into(),
                manifest: "dist/2026-04-16/channel-rust-1.95.0.toml".into(),
                manifest_sha256: "a".repeat(64),
                signer: "unsigned".into(),
            },
            hosts: Vec::new(),
        }
    }

    #[test]
    fn the_fetch_command_repeats_the_request() {
        assert_eq!(
            fetch_command(&opts(None)),
            "tcup fetch stable --profile minimal -c clippy -t wasm32-unknown-unknown --host aarch64-unknown-linux-gnu"
        );
        assert_eq!(fetch_command(&opts(Some("/p/rust-toolchain.lock"))), "cd /p && tcup fetch --host aarch64-unknown-linux-gnu");
    }
}
