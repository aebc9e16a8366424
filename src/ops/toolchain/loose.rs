//! `tcup toolchain install ./rust-1.99.1-<host>.tar.xz` and `--from DIR` (rustup #955): a
//! toolchain from rust-installer tarballs on the local disk (docs/offline.md).
//!
//! With a channel manifest in DIR the install is a normal one from DIR ([`super::loose_dist`]).
//! Without one, nothing vouches for the bytes: every component of every tarball is installed
//! (the standalone tarball is the whole release; a profile has nothing to select from), through
//! the same staging and atomic commit as a normal install and the same unpack checks
//! ([`crate::fetch::loose`]), with a warning that the origin of the bytes could not be checked —
//! or refused when the signature policy is `require`. The toolchain is named as rustup names the
//! release: `<version>-<host>` from the tarball's `version` file (else its file name); a beta or
//! nightly tarball does not say its dist date, so it needs `--name`.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::dist::name::{Channel, ToolchainName};
use crate::env::{Env, SignaturePolicy};
use crate::error::UsageError;
use crate::fetch::archive::pool_options;
use crate::fetch::loose::{self, FileName};
use crate::home::toolchain::ToolchainDir;
use crate::home::{Home, settings};
use crate::host::Report;
use crate::install::staging::Staging;
use crate::ops::toolchain::install::{Outcome, check_runs, lock_home};
use crate::ops::toolchain::loose_dist::{DistOptions, Request};
use crate::progress::Reporter;

/// Where the tarballs are.
#[derive(Debug, Clone)]
pub enum Source {
    /// One tarball, usually the standalone `rust-<version>-<host>.tar.xz`.
    Tarball(PathBuf),
    /// `--from DIR`: component tarballs, with or without a `channel-rust-*.toml`.
    Dir(PathBuf),
}

/// What to install from loose tarballs.
#[derive(Debug, Clone)]
pub struct LooseOptions {
    /// The tarballs.
    pub source: Source,
    /// `--name`: the toolchain name to install under (required for beta and nightly tarballs).
    pub name: Option<ToolchainName>,
    /// `--host`, when given: must be the tarballs' host.
    pub host: Option<String>,
    /// Host detection, to explain a compiler that does not run here.
    pub detected: Report,
}

/// Whether a `toolchain install` argument names a tarball rather than a toolchain: it contains
/// `/` or ends in `.tar.gz`, `.tar.xz` or `.tar.zst`. No toolchain name does either (a name
/// holds no `/`, and no host triple ends in a tarball's extension).
pub fn is_tarball_arg(arg: &str) -> bool {
    arg.contains('/') || loose::compression_of(arg).is_some()
}

/// Installs from loose tarballs: [`Source::Dir`] with a channel manifest goes through
/// [`super::loose_dist`]; otherwise see the module documentation.
///
/// # Errors
/// [`UsageError`] (exit 2): no tarball found, no host known, a beta or nightly release without
/// `--name`, a `--name` or `--host` that does not fit the release; the signature policy is
/// `require`; any unpack, placement or commit failure (nothing is installed then).
pub fn install(env: &Env, opts: &LooseOptions, select: &DistOptions, reporter: &Reporter) -> anyhow::Result<Outcome> {
    let tarballs = match &opts.source {
        Source::Dir(dir) => {
            if let Some(manifest) = super::loose_dist::manifest_in(dir)? {
                let request = Request { name: opts.name.as_ref(), host: opts.host.as_deref(), detected: &opts.detected };
                return super::loose_dist::install(env, &request, select, &manifest, reporter);
            }
            let found = loose::tarballs_in(dir).with_context(|| format!("reading {}", dir.display()))?;
            if found.is_empty() {
                return Err(UsageError(format!("{} holds no .tar.xz, .tar.zst or .tar.gz tarball", dir.display())).into());
            }
            found
        }
        Source::Tarball(path) => {
            if !path.is_file() {
                return Err(UsageError(format!("{} is not a file (a tarball to install)", path.display())).into());
            }
            vec![path.clone()]
        }
    };
    if signature_policy(env)? == SignaturePolicy::Require {
        anyhow::bail!(
            "the signature policy is require, and no signed channel manifest vouches for these tarballs: put the release's channel-rust-*.toml and its .asc beside them and use --from DIR"
        );
    }
    let host = host_of(&tarballs, opts)?;
    // `rust-nightly-<host>.tar.xz`: refused before a long unpack when no --name names it.
    if let Some(channel) = tarballs.iter().filter_map(|p| file_version(p)).find(|v| v == "nightly" || v == "beta")
        && opts.name.is_none()
    {
        release_name(&channel, None, &host)?;
    }
    let home = Home::new(&env.rustup_home);
    let _lock = lock_home(&home, reporter)?;
    let staging = Staging::new(&home).with_context(|| format!("creating a staging directory in {}", home.tmp().display()))?;
    let mut receipts = Vec::new();
    let mut version = None;
    for (i, path) in tarballs.iter().enumerate() {
        reporter.info(&format!("unpacking {}", path.display()));
        let placed = loose::unpack_into(path, &host, &staging.unpack_dir(&i.to_string()), &staging.tree(), pool_options(env, 1))?;
        let holds_rustc = placed.receipts.iter().any(|r| r.component.id.pkg == "rustc");
        if holds_rustc || version.is_none() {
            version = placed.version.or_else(|| file_version(path)).or(version);
        }
        receipts.extend(placed.receipts);
    }
    let version = version.context("no tarball says its version (no `version` file, and no version in the file names)")?;
    let name = release_name(&version, opts.name.as_ref(), &host)?;
    let toolchain = name.dir_name(&host);
    reporter.warn(&format!(
        "installing '{toolchain}' from local tarballs: their origin could not be checked (no signed channel manifest vouches for them)"
    ));
    ToolchainDir::at(staging.tree()).write_receipts_without_manifest(&receipts).context("writing toolchain receipts")?;
    let installed = home.toolchain(&toolchain);
    staging.commit(installed.root()).with_context(|| format!("moving the new toolchain into {}", installed.root().display()))?;
    // Not installed from a manifest: `tcup update` must not take it for its manifest's release.
    home.remove_update_hash(&toolchain)?;
    if settings::set_default_if_unset(home.root(), toolchain.as_str())? {
        reporter.info(&format!("default toolchain set to '{toolchain}'"));
    }
    check_runs(&installed, &opts.detected, reporter);
    let bytes = Some(receipts.iter().flat_map(|r| &r.files).map(|f| f.len).sum());
    Ok(Outcome::Installed { toolchain, components: receipts.len(), bytes })
}

/// The signature policy in force ([`crate::fetch::signature::policy`]).
fn signature_policy(env: &Env) -> anyhow::Result<SignaturePolicy> {
    crate::fetch::signature::policy(env)
}

/// The version in a tarball's file name (`rustc-1.99.1-<host>.tar.xz` → `1.99.1`).
fn file_version(path: &Path) -> Option<String> {
    FileName::parse(&path.file_name()?.to_string_lossy()).map(|f| f.version)
}

/// The host the tarballs are for: the target in the file name of the standalone (`rust-…`) or
/// `rustc` tarball, which `--host` (or `--name`'s host) must agree with; else `--host`.
///
/// # Errors
/// [`UsageError`]: a disagreeing `--host`, or no host known.
fn host_of(tarballs: &[PathBuf], opts: &LooseOptions) -> anyhow::Result<String> {
    let named = tarballs
        .iter()
        .filter_map(|p| FileName::parse(&p.file_name()?.to_string_lossy()))
        .find(|f| f.pkg == "rust" || f.pkg == "rustc")
        .and_then(|f| f.target);
    let asked = opts.host.clone().or_else(|| opts.name.as_ref().and_then(|n| n.host.clone()));
    match (named, asked) {
        (Some(n), Some(a)) if n != a => Err(UsageError(format!("the tarballs are for host {n}, not {a}")).into()),
        (Some(h), _) | (None, Some(h)) => Ok(h),
        (None, None) => {
            Err(UsageError("no rust-<version>-<host> or rustc-<version>-<host> tarball names the host: give it with --host".into()).into())
        }
    }
}

/// The toolchain name for a release whose `version` file says `version` (`1.99.1`,
/// `1.99.0-beta.3`, `1.99.0-nightly`): rustup's `<version>` for a stable release, else `given`
/// (`--name`), which must name the same kind of release; a stable release may be given a name
/// too (its version or `stable`). `host` is checked against the name's.
///
/// # Errors
/// [`UsageError`] naming `--name`: a beta or nightly release without it, or one that names
/// another release.
pub fn release_name(version: &str, given: Option<&ToolchainName>, host: &str) -> anyhow::Result<ToolchainName> {
    let kind = if version.contains("-nightly") || version == "nightly" {
        Channel::Nightly
    } else if version.contains("-beta") || version == "beta" {
        Channel::Beta
    } else {
        Channel::Version(version.to_owned())
    };
    let Some(given) = given else {
        if kind.moves() {
            return Err(UsageError(format!(
                "this is a {kind} tarball (rustc {version}), which does not say its release date: name the toolchain with --name {kind}-YYYY-MM-DD (the date of the dist/YYYY-MM-DD directory it came from)"
            ))
            .into());
        }
        return Ok(ToolchainName { channel: kind, date: None, host: None });
    };
    let fits = match (&kind, &given.channel) {
        (Channel::Nightly, Channel::Nightly) | (Channel::Beta, Channel::Beta) | (Channel::Version(_), Channel::Stable) => true,
        (Channel::Beta, Channel::Version(v)) => version.starts_with(v.as_str()) && v.contains("-beta"),
        (Channel::Version(v), Channel::Version(g)) => v == g || v.strip_prefix(g.as_str()).is_some_and(|r| r.starts_with('.')),
        _ => false,
    };
    if !fits {
        return Err(UsageError(format!("--name {given} does not name this release (rustc {version})")).into());
    }
    if given.host.as_deref().is_some_and(|h| h != host) {
        return Err(UsageError(format!("--name {given} names another host than the tarballs' ({host})")).into());
    }
    Ok(ToolchainName { host: None, ..given.clone() })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOST: &str = "x86_64-unknown-linux-gnu";

    fn named(version: &str, given: Option<&str>) -> Result<String, String> {
        let given = given.map(|g| g.parse::<ToolchainName>().unwrap());
        release_name(version, given.as_ref(), HOST).map(|n| n.to_string()).map_err(|e| e.to_string())
    }

    #[test]
    fn a_release_is_named_as_rustup_names_it() {
        assert_eq!(named("1.99.1", None).unwrap(), "1.99.1");
        assert_eq!(named("1.99.1", Some("stable")).unwrap(), "stable");
        assert_eq!(named("1.99.1", Some("1.99")).unwrap(), "1.99");
        assert_eq!(named("1.99.0-nightly", Some("nightly-2026-04-16")).unwrap(), "nightly-2026-04-16");
        assert_eq!(named("1.99.0-beta.3", Some("beta-2026-04-16")).unwrap(), "beta-2026-04-16");
        assert_eq!(named("1.99.0-beta.3", Some(&format!("1.99.0-beta.3-{HOST}"))).unwrap(), "1.99.0-beta.3");
    }

    #[test]
    fn beta_and_nightly_need_a_name_of_their_kind() {
        let err = named("1.99.0-nightly", None).unwrap_err();
        assert!(err.contains("--name nightly-YYYY-MM-DD") && err.contains("does not say its release date"), "{err}");
        assert!(named("1.99.0-beta.3", None).unwrap_err().contains("--name beta-YYYY-MM-DD"));
        assert!(named("1.99.0-nightly", Some("stable")).unwrap_err().contains("does not name this release"));
        assert!(named("1.99.1", Some("1.98.0")).unwrap_err().contains("does not name this release"));
        assert!(named("1.99.1", Some("1.99.1-aarch64-unknown-linux-gnu")).unwrap_err().contains("another host"));
    }

    #[test]
    fn paths_and_names_never_mix() {
        for path in ["./rust-1.99.1-x86_64-unknown-linux-gnu.tar.xz", "rust-1.99.1-x86_64-unknown-linux-gnu.tar.gz", "/srv/x", "a/b"] {
            assert!(is_tarball_arg(path), "{path}");
        }
        for name in ["stable", "1.99.1", "nightly-2026-04-16-x86_64-unknown-linux-gnu", "stable.tar"] {
            assert!(!is_tarball_arg(name), "{name}");
        }
    }
}
