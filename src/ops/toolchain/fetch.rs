//! `tcup fetch [TOOLCHAIN]`: everything an install of that toolchain would download, into the
//! download cache, and nothing installed — for a Docker layer that fetches before it installs,
//! or a machine that carries `RUSTUP_HOME/downloads/` across an air gap (docs/offline.md).
//!
//! Order of work: take the home lock; fetch and verify the channel manifest from the dist server
//! as an install does ([`crate::fetch::manifest`]: `.sha256`, signature, binding; a lock's dated
//! manifest with the locked SHA-256); select the components (profile, `-c`, `-t`, the host's
//! extra targets) and their format as an install would; check them against the lock, when one
//! applies; put every archive, verified, into `downloads/<sha256>`
//! ([`crate::fetch::to_downloads`]); then store the manifest for that name in
//! `downloads/manifests/` ([`crate::home::downloads`]), where `--offline` installs find it. A
//! nightly lacking a component is an error here: `fetch` does not backtrack.

use std::path::PathBuf;

use anyhow::Context as _;

use crate::dist::name::{LocalName, ToolchainName};
use crate::dist::select::{self, Request};
use crate::download::Downloader;
use crate::env::Env;
use crate::error::UsageError;
use crate::fetch::format_choice::choose_format;
use crate::fetch::to_downloads::{self, Got};
use crate::home::Home;
use crate::ops::active::context::Session;
use crate::ops::active::resolve::Toolchain;
use crate::ops::toolchain::install::{self, InstallOptions};
use crate::progress::Reporter;

/// What `tcup fetch` put in the download cache.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The toolchain an install of the same request installs (`stable-x86_64-unknown-linux-gnu`).
    pub toolchain: LocalName,
    /// `downloads/`.
    pub downloads: PathBuf,
    /// The stored manifest (`downloads/manifests/dist/…`).
    pub manifest: PathBuf,
    /// Every selected archive, in selection order.
    pub archives: Vec<Got>,
}

impl Fetched {
    /// Archives downloaded now, and their bytes.
    pub fn downloaded(&self) -> (usize, u64) {
        let new = self.archives.iter().filter(|a| !a.already);
        (new.clone().count(), new.map(|a| a.bytes).sum())
    }

    /// Archives that were in `downloads/` already, verified.
    pub fn already(&self) -> usize {
        self.archives.iter().filter(|a| a.already).count()
    }
}

/// Fetches what installing `opts` would download. See the module documentation.
///
/// # Errors
/// As an install up to the download: conflicting hosts, a manifest that cannot be fetched or
/// does not verify, a selection that fails, a lock the selection does not match; then any
/// archive that cannot be fetched or verified, or a file that cannot be written.
pub fn fetch(env: &Env, opts: &InstallOptions, downloader: &Downloader, reporter: &Reporter) -> anyhow::Result<Fetched> {
    let (host, extra_targets) = install::choose_host(env, opts, reporter)?;
    let toolchain = opts.name.dir_name(&host);
    let home = Home::new(&env.rustup_home);
    let _lock = install::lock_home(&home, reporter)?;
    reporter.info(&format!("fetching '{toolchain}' into {}", home.downloads().dir().display()));
    // The dist server's, even offline (a file:// one): never the copy a previous fetch stored.
    let rel = install::manifest_path(opts);
    let manifest_url = crate::dist::server::join(&env.dist_server, &rel);
    let verified = install::fetch_channel_manifest(env, opts, &manifest_url, downloader, reporter)?;
    let extra_targets = if opts.lock.is_some() { Vec::new() } else { extra_targets };
    let targets: Vec<String> = opts.targets.iter().chain(&extra_targets).cloned().collect();
    let request = Request { host: &host, profile: &opts.profile, components: &opts.components, targets: &targets };
    let mut selection =
        select::select(&verified.manifest, &request).map_err(|e| anyhow::Error::new(e).context(manifest_url.to_string()))?;
    for w in &selection.warnings {
        reporter.warn(w);
    }
    choose_format(env, downloader, &verified, &mut selection, reporter);
    if let Some(pin) = &opts.lock
        && pin.lock.host(&host).is_some()
    {
        pin.lock.check_selection(&host, &selection.components).with_context(|| format!("fetching from {}", pin.file.display()))?;
    }
    reporter.plan(&host, &selection.components.iter().map(select::Selected::name).collect::<Vec<_>>());
    let downloads = home.downloads();
    let archives = to_downloads::fetch_archives(env, &selection.components, &downloads, downloader, reporter);
    reporter.finish();
    let archives = archives?;
    let manifest = downloads
        .store_manifest(&rel, verified.text.as_bytes(), &verified.hash, verified.asc.as_deref())
        .with_context(|| format!("storing the channel manifest in {}", downloads.manifests().display()))?;
    Ok(Fetched { toolchain, downloads: downloads.dir().to_path_buf(), manifest, archives })
}

/// What the command line adds to the active toolchain's request (`tcup fetch` without a name).
#[derive(Debug, Clone, Default)]
pub struct Additions {
    /// `--profile`, replacing the toolchain file's.
    pub profile: Option<String>,
    /// `-c`.
    pub components: Vec<String>,
    /// `-t`.
    pub targets: Vec<String>,
    /// `--host`: the active toolchain for that host (a lock's second host).
    pub host: Option<String>,
}

/// The install request of the active toolchain ([`Session::active`]: a toolchain file, its lock
/// when one applies, the default…) with `add` on top: what `tcup fetch` without a name fetches,
/// and what `tcup toolchain install` without a name would install.
///
/// # Errors
/// Nothing chose a toolchain; the active toolchain is a path or not an official name
/// ([`UsageError`]); `settings.toml` cannot be read.
pub fn active_options(env: &Env, add: &Additions, reporter: &Reporter) -> anyhow::Result<InstallOptions> {
    let mut here = Session::load(env)?;
    if let Some(host) = &add.host {
        here.host = crate::ops::active::resolve::LazyHost::fixed(host);
    }
    let active = here.active(env, None, "rustc", reporter)?;
    let Toolchain::Named(local) = &active.toolchain else {
        return Err(UsageError(format!(
            "the active toolchain is the directory {} ({}); tcup fetches only toolchains by name",
            active.toolchain,
            active.reason.because()
        ))
        .into());
    };
    let name: ToolchainName = local
        .as_str()
        .parse()
        .map_err(|e: crate::dist::name::NameError| UsageError(format!("the active toolchain '{local}' cannot be fetched: {}", e.why)))?;
    let profile = add.profile.clone().or_else(|| active.profile.clone()).unwrap_or_else(|| here.settings.profile().to_owned());
    Ok(InstallOptions {
        name,
        profile,
        components: active.components.iter().chain(&add.components).cloned().collect(),
        targets: active.targets.iter().chain(&add.targets).cloned().collect(),
        host: None,
        allow_downgrade: false,
        detected: crate::ops::active::host_choice::detect_host(env),
        lock: crate::ops::active::auto_install::lock_pin(&active)?,
    })
}
