//! `tcup update`, `tcup check`, and `tcup toolchain install` of a toolchain that is already
//! installed: fetch the channel's current manifest and move the toolchain to it, keeping every
//! component and target it has (read from its receipts, so one rustup installed works too) and
//! adding what was asked for; unchanged archives are not downloaded again ([`super::change`]).
//!
//! Which toolchains `tcup update` with no name touches: the installed ones named by a bare
//! channel (`stable-…`, `beta-…`, `nightly-…`); dated (`nightly-2026-05-20-…`) and versioned
//! (`1.95.0-…`) ones cannot change and are left alone, as rustup does. A component the new
//! release no longer has for the host stops that toolchain's update (nothing changed), naming it.

use std::collections::BTreeSet;

use anyhow::Context as _;

use crate::dist::binding;
use crate::dist::name::{LocalName, ToolchainName};
use crate::dist::select::{self, Request, Selected};
use crate::download::Downloader;
use crate::env::Env;
use crate::fetch::manifest::{self, VerifiedManifest};
use crate::home::Home;
use crate::ops::toolchain::install::{self, InstallOptions};
use crate::ops::toolchain::rebuild::{self, Current, rustc_version};
use crate::progress::Reporter;

/// What to add on top of what the toolchain has.
#[derive(Debug, Clone, Default)]
pub struct Additions {
    /// A profile whose components to add (only when given explicitly).
    pub profile: Option<String>,
    /// Components to add (`-c`), renames honoured.
    pub components: Vec<String>,
    /// Targets whose standard library to add (`-t`).
    pub targets: Vec<String>,
    /// `--allow-downgrade`: a manifest older than the installed one may replace it
    /// ([`binding::downgrade`]); without it, that is refused.
    pub allow_downgrade: bool,
}

impl Additions {
    /// Nothing to add: the update only follows the channel.
    pub fn is_empty(&self) -> bool {
        self.profile.is_none() && self.components.is_empty() && self.targets.is_empty()
    }
}

/// How an update ended, for the `  <toolchain> updated - …` line.
#[derive(Debug)]
pub enum Updated {
    /// Nothing to do.
    Unchanged {
        /// Toolchain directory name.
        toolchain: String,
        /// rustc's version.
        version: String,
    },
    /// Moved to a new release or set of components.
    Updated {
        /// Toolchain directory name.
        toolchain: String,
        /// rustc's version before.
        from: String,
        /// rustc's version now.
        to: String,
        /// Component counts: downloaded, hard-linked, removed.
        fetched: usize,
        /// Hard-linked from the old tree.
        linked: usize,
    },
}

/// `tcup toolchain install NAME` when NAME (with the host it resolves to) is installed: an
/// update with the options' profile, components and targets added (`Err(Updated)`). Otherwise
/// a fresh install (`Ok(Outcome)`).
///
/// # Errors
/// As [`update`] and [`install::install`].
pub fn install_or_update(
    env: &Env,
    opts: &InstallOptions,
    profile_given: bool,
    downloader: &Downloader,
    reporter: &Reporter,
) -> anyhow::Result<Result<install::Outcome, Updated>> {
    let host = install::host_for(env, opts)?;
    let toolchain = opts.name.dir_name(host.triple_for_names());
    if Home::new(&env.rustup_home).toolchain(&toolchain).has_receipts() {
        let add = Additions {
            profile: profile_given.then(|| opts.profile.clone()),
            components: opts.components.clone(),
            targets: opts.targets.clone(),
            allow_downgrade: opts.allow_downgrade,
        };
        return update(env, &toolchain, &add, downloader, reporter).map(Err);
    }
    install::install(env, opts, downloader, reporter).map(Ok)
}

/// Updates the installed toolchain `toolchain` (a directory name) from its channel's current
/// manifest.
///
/// # Errors
/// The name does not parse, the manifest cannot be fetched, a component is gone from the new
/// release, or the change fails; the toolchain is then unchanged.
pub fn update(env: &Env, toolchain: &LocalName, add: &Additions, downloader: &Downloader, reporter: &Reporter) -> anyhow::Result<Updated> {
    update_with(env, toolchain, add, None, downloader, reporter)
}

/// [`update`] with the channel's manifest already fetched by [`fetch_channels`] (`None`: fetch
/// it now).
///
/// # Errors
/// As [`update`]; a prefetched `Err` is returned as this toolchain's failure.
pub fn update_with(
    env: &Env,
    toolchain: &LocalName,
    add: &Additions,
    prefetched: Option<anyhow::Result<Upstream>>,
    downloader: &Downloader,
    reporter: &Reporter,
) -> anyhow::Result<Updated> {
    let home = Home::new(&env.rustup_home);
    let _lock = crate::ops::toolchain::install::lock_home(&home, reporter)?;
    let current = Current::read(&home, toolchain)?;
    let name: ToolchainName = toolchain.as_str().parse()?;
    let host = name.host.clone().ok_or_else(|| anyhow::anyhow!("toolchain '{toolchain}' names no host"))?;
    reporter.info(&format!("syncing channel updates for '{toolchain}'"));
    let upstream = match prefetched {
        Some(fetched) => fetched?,
        None => fetch_channel(env, toolchain, add.is_empty(), downloader, reporter)?,
    };
    let target = match upstream {
        Upstream::Manifest(m) => *m,
        Upstream::Same => return unchanged(&current, toolchain, rustc_version(&current.manifest.manifest), reporter),
    };
    if let Some(d) = binding::downgrade(toolchain.as_str(), &current.manifest.manifest, &target.manifest) {
        if !add.allow_downgrade {
            return Err(d.into());
        }
        reporter.warn(&format!("moving '{toolchain}' back from {} to {}, as --allow-downgrade asks", d.installed, d.offered));
    }
    let wanted = wanted(&current, &target, &host, add).with_context(|| format!("cannot update toolchain '{toolchain}'"))?;
    let plan = rebuild::plan(&current, &target, &wanted, &BTreeSet::new());
    let from = rustc_version(&current.manifest.manifest);
    let to = rustc_version(&target.manifest);
    if plan.unchanged {
        if !home.update_hash_is(toolchain, &target.hash) {
            home.set_update_hash(toolchain, &target.hash)?;
        }
        return unchanged(&current, toolchain, to, reporter);
    }
    reporter.info(&format!(
        "updating {toolchain} to rustc {to}: {} to download, {} unchanged{}",
        plan.fetch.len(),
        plan.keep.len(),
        if plan.drop.is_empty() { String::new() } else { format!(", {} to remove", plan.drop.len()) }
    ));
    let applied = rebuild::apply(env, &current, &target, plan, true, downloader, reporter)?;
    Ok(Updated::Updated { toolchain: toolchain.to_string(), from, to, fetched: applied.fetched.len(), linked: applied.linked.len() })
}

/// The end of an update that changes nothing: the toolchain's file checksums recorded when it
/// has no tcup receipt (installed by rustup), then [`Updated::Unchanged`] at `version`.
fn unchanged(current: &Current, toolchain: &LocalName, version: String, reporter: &Reporter) -> anyhow::Result<Updated> {
    if current.receipt.is_none() {
        reporter.info(&format!("recording file checksums of '{toolchain}' (installed without tcup's receipt)"));
        rebuild::record_in_place(current)?;
    }
    Ok(Updated::Unchanged { toolchain: toolchain.to_string(), version })
}

/// The components the toolchain should have after moving to `target`: every installed one (under
/// its current name), then what `add` asks for.
///
/// # Errors
/// An installed component is missing or unavailable in `target`, or an addition does not exist.
pub fn wanted(current: &Current, target: &VerifiedManifest, host: &str, add: &Additions) -> anyhow::Result<Vec<Selected>> {
    let m = &target.manifest;
    let mut out: Vec<Selected> = Vec::new();
    for c in &current.components {
        let pkg = m.rename(&c.id.pkg);
        let archive = match m.target_of(pkg, c.id.target.as_key()) {
            Some((_, tp)) if tp.available => tp.preferred_archive(),
            _ => None,
        };
        let Some(archive) = archive else {
            anyhow::bail!(
                "component '{}' is not available in the new release (rustc {}); remove it first with `tcup component remove`",
                c.name(),
                rustc_version(m)
            );
        };
        out.push(Selected { pkg: pkg.to_owned(), target: c.id.target.as_key().to_owned(), is_extension: c.is_extension, archive });
    }
    let req = Request { host, profile: add.profile.as_deref().unwrap_or(""), components: &add.components, targets: &add.targets };
    let extra = select::select(m, &req)?;
    for s in extra.components {
        if !out.iter().any(|o| o.pkg == s.pkg && o.target == s.target) {
            out.push(s);
        }
    }
    Ok(out)
}

/// One line of `tcup check`.
#[derive(Debug)]
pub struct CheckLine {
    /// Toolchain directory name.
    pub toolchain: String,
    /// rustc version installed.
    pub from: String,
    /// rustc version on the dist server.
    pub to: String,
    /// Whether an update would change anything.
    pub changed: bool,
    /// Components an update would download.
    pub fetch: Vec<String>,
    /// Components it would keep (hard-link).
    pub keep: usize,
    /// The dist server offers an older release than the installed one: `update` refuses it.
    pub downgrade: Option<binding::Downgrade>,
}

/// What the dist server has for an installed toolchain's channel.
pub enum Upstream {
    /// The channel's `.sha256` names the manifest the toolchain was installed from (its
    /// `update-hashes/` record): nothing can change, and the manifest (about 1 MB) is not
    /// downloaded — rustup's shortcut, which makes a no-change check one small request.
    Same,
    /// The current manifest (a new release, or one the toolchain's record does not name).
    Manifest(Box<VerifiedManifest>),
}

/// The current channel state of the installed toolchain `toolchain` (named by a channel);
/// `shortcut`: [`Upstream::Same`] when its recorded hash is current (nothing is being added).
fn fetch_channel(
    env: &Env,
    toolchain: &LocalName,
    shortcut: bool,
    downloader: &Downloader,
    reporter: &Reporter,
) -> anyhow::Result<Upstream> {
    let name: ToolchainName = toolchain.as_str().parse()?;
    let channel = ToolchainName { host: None, ..name };
    // Offline: the manifest `tcup fetch` stored for the channel (docs/offline.md).
    let url = super::offline::manifest_url(env, &channel.manifest_path(), &channel.to_string(), || format!("tcup fetch {channel}"))?;
    let context = || format!("no usable channel manifest for toolchain '{toolchain}'");
    let hash = manifest::fetch_manifest_hash(downloader, &url, reporter).with_context(context)?;
    let home = Home::new(&env.rustup_home);
    if shortcut && home.update_hash_is(toolchain, &hash) && home.toolchain(toolchain).has_receipts() {
        return Ok(Upstream::Same);
    }
    manifest::fetch_manifest_with_hash(env, downloader, &url, &channel.to_string(), hash, reporter)
        .map(|m| Upstream::Manifest(Box::new(m)))
        .with_context(context)
}

/// What `tcup update` without a name updates: every installed toolchain of a moving channel
/// (stable, beta, nightly, with or without a host) that has receipts; dated and versioned ones
/// cannot change.
pub fn channel_toolchains(env: &Env) -> Vec<LocalName> {
    Home::new(&env.rustup_home).channel_toolchains()
}

/// Every toolchain's channel state at once, in `toolchains`' order: the waits overlap, so three
/// channels cost about one round trip (`tcup check`, and `tcup update` of several).
pub fn fetch_channels(env: &Env, toolchains: &[LocalName], downloader: &Downloader, reporter: &Reporter) -> Vec<anyhow::Result<Upstream>> {
    std::thread::scope(|s| {
        let handles: Vec<_> = toolchains.iter().map(|t| s.spawn(move || fetch_channel(env, t, true, downloader, reporter))).collect();
        handles.into_iter().map(|h| h.join().expect("manifest threads do not panic")).collect()
    })
}

/// `tcup check`: what `tcup update` would do for each channel toolchain, without downloading any
/// archive (only the manifests).
///
/// # Errors
/// A manifest cannot be fetched.
pub fn check(env: &Env, downloader: &Downloader, reporter: &Reporter) -> anyhow::Result<Vec<CheckLine>> {
    let home = Home::new(&env.rustup_home);
    // Checking a signed manifest records its signer in tcup.toml: one writer at a time.
    let _lock = install::lock_home(&home, reporter)?;
    let toolchains = home.channel_toolchains();
    let fetched = fetch_channels(env, &toolchains, downloader, reporter);
    let mut out = Vec::new();
    for (toolchain, upstream) in toolchains.iter().zip(fetched) {
        let current = Current::read(&home, toolchain)?;
        let target = match upstream? {
            Upstream::Manifest(m) => *m,
            Upstream::Same => {
                let version = rustc_version(&current.manifest.manifest);
                let keep = home.toolchain(toolchain).component_names().len();
                out.push(CheckLine {
                    from: version.clone(),
                    to: version,
                    changed: false,
                    fetch: Vec::new(),
                    keep,
                    toolchain: toolchain.to_string(),
                    downgrade: None,
                });
                continue;
            }
        };
        if let Some(d) = binding::downgrade(toolchain.as_str(), &current.manifest.manifest, &target.manifest) {
            out.push(CheckLine {
                from: rustc_version(&current.manifest.manifest),
                to: rustc_version(&target.manifest),
                changed: false,
                fetch: Vec::new(),
                keep: 0,
                toolchain: toolchain.to_string(),
                downgrade: Some(d),
            });
            continue;
        }
        let host = toolchain.channel_name().and_then(|n| n.host).unwrap_or_default();
        let wanted = wanted(&current, &target, &host, &Additions::default())?;
        let plan = rebuild::plan(&current, &target, &wanted, &BTreeSet::new());
        out.push(CheckLine {
            from: rustc_version(&current.manifest.manifest),
            to: rustc_version(&target.manifest),
            changed: !plan.unchanged,
            fetch: plan.fetch.iter().map(Selected::name).collect(),
            keep: plan.keep.len(),
            toolchain: toolchain.to_string(),
            downgrade: None,
        });
    }
    Ok(out)
}
