//! From an active toolchain ([`crate::ops::active::resolve::Active`]) to an installed directory: what a
//! proxy does before it runs a tool. When the toolchain is missing, or lacks components or
//! targets its toolchain file asks for, it is installed first (rustup's auto-install) through the
//! ordinary install operation, asking for the union of what is installed and what is required, so
//! nothing already there is dropped. With auto-install off (`RUSTUP_AUTO_INSTALL=0` or
//! `tcup set auto-install disable`) the error says what to run instead.

use std::path::{Path, PathBuf};

use crate::dist::lock::Lock;
use crate::dist::manifest::Manifest;
use crate::dist::name::ToolchainName;
use crate::download::Downloader;
use crate::env::{Env, EnvError};
use crate::error::UsageError;
use crate::home::Home;
use crate::home::settings::Settings;
use crate::home::toolchain::{Target, ToolchainDir};
use crate::ops::active::installed::{self, NotReady};
use crate::ops::active::locked::LockState;
use crate::ops::active::resolve::{self, Active, Reason, Toolchain};
use crate::ops::toolchain::install::{InstallOptions, LockPin, install};
use crate::progress::Reporter;

/// How [`ensure`] may act.
pub struct Ensure<'a> {
    /// Auto-install on (`RUSTUP_AUTO_INSTALL`, else `auto_install` in settings, else on).
    pub allow_install: bool,
    /// Download variables a proxy set aside as invalid: installing is refused while any is set.
    pub set_aside: &'a [EnvError],
    /// Where progress goes.
    pub reporter: &'a Reporter,
    /// An explicit install (`toolchain install`, `default`, `run --install`), not a proxy: an
    /// installed locked toolchain is kept only when its installed manifest has the lock's SHA-256
    /// (one hash of a 1 MB file, which a proxy does not pay on every run).
    pub explicit: bool,
}

/// Whether auto-install is on: `RUSTUP_AUTO_INSTALL` wins over `settings.toml`; on by default.
pub fn allowed(env: &Env, settings: &Settings) -> bool {
    env.auto_install.or(settings.auto_install).unwrap_or(true)
}

/// The directory of `active`, installing it or its missing components first when allowed.
///
/// # Errors
/// [`NotReady`]; a set-aside download variable (as a [`UsageError`]) when an install is needed;
/// any install failure.
pub fn ensure(env: &Env, settings: &Settings, active: &Active, how: &Ensure<'_>) -> anyhow::Result<PathBuf> {
    let applies = active.lock.as_ref().filter(|l| !matches!(l.state, LockState::Drifted(_)));
    if let Some(d) = ready(env, active)
        && !(how.explicit && applies.is_some_and(|l| !installed_as_locked(&d, &l.head.release.manifest_sha256)))
    {
        return Ok(d);
    }
    let pin = lock_pin(active)?;
    let dir = resolve::locate(&env.rustup_home, &active.toolchain);
    let name = match &active.toolchain {
        Toolchain::Path(path) => return dir.ok_or_else(|| NotReady::NoBin { path: path.clone(), asker: active.reason.source() }.into()),
        Toolchain::Named(n) => n.clone(),
    };
    let channel = match name.as_str().parse::<ToolchainName>() {
        Ok(c) => c,
        Err(e) => {
            return dir.ok_or_else(|| installed::unknown(env, &name, active, e.why).into());
        }
    };
    let (components, targets) = match &dir {
        Some(d) if pin.is_none() => missing(d, channel.host.as_deref().unwrap_or_default(), &active.components, &active.targets),
        _ => (active.components.clone(), active.targets.clone()),
    };
    if let Some(d) = &dir
        && components.is_empty()
        && targets.is_empty()
        && pin.is_none()
    {
        return Ok(d.clone());
    }
    if !how.allow_install {
        return Err(installed::refusal(name.as_str(), active, dir.is_some(), &components, &targets).into());
    }
    if let Some(bad) = how.set_aside.first() {
        return Err(UsageError(format!("{bad}; fix it before tcup installs toolchain '{name}'")).into());
    }
    let (profile, components, targets) = match &dir {
        // A locked toolchain is installed as the lock selects it, whatever is there.
        _ if pin.is_some() => (active.profile.clone().unwrap_or_else(|| settings.profile().to_owned()), components, targets),
        Some(d) => {
            let (mut c, mut t) = installed_parts(d, channel.host.as_deref().unwrap_or_default());
            c.extend(components);
            t.extend(targets);
            ("minimal".to_owned(), c, t)
        }
        None => (active.profile.clone().unwrap_or_else(|| settings.profile().to_owned()), components, targets),
    };
    match active.reason {
        _ if let Some(p) = &pin => how.reporter.info(&format!("installing toolchain '{name}' as {} locks it", p.file.display())),
        Reason::CommandLine => how.reporter.info(&format!("installing toolchain '{name}'")),
        _ => how.reporter.info(&format!("installing toolchain '{name}' because {} requires it", active.reason.source())),
    }
    let opts = InstallOptions {
        name: channel,
        profile,
        components,
        targets,
        host: None,
        allow_downgrade: false,
        detected: crate::ops::active::host_choice::detect_host(env),
        lock: pin,
    };
    install(env, &opts, &Downloader::new(&env.download)?, how.reporter)?;
    resolve::locate(&env.rustup_home, &active.toolchain).ok_or_else(|| {
        anyhow::anyhow!(
            "toolchain '{name}' was installed but {} does not exist",
            Home::new(&env.rustup_home).toolchain(&name).root().display()
        )
    })
}

/// What `active`'s lock pins, when a lock applies to it ([`crate::ops::active::locked`]): the
/// whole lock, read now (the resolver read only its head).
///
/// # Errors
/// The lock cannot be read again or does not parse (a [`UsageError`] naming it).
pub fn lock_pin(active: &Active) -> anyhow::Result<Option<LockPin>> {
    let Some(l) = active.lock.as_ref().filter(|l| !matches!(l.state, LockState::Drifted(_))) else { return Ok(None) };
    let bad = |why: String| UsageError(format!("could not read {}: {why}", l.path.display()));
    let text = fs_err::read_to_string(&l.path).map_err(|e| bad(e.to_string()))?;
    let lock = Lock::parse(&text).map_err(bad)?;
    Ok(Some(LockPin { file: l.path.clone(), lock }))
}

/// Whether the toolchain in `dir` was installed from the manifest with SHA-256 `locked` (its
/// installed `multirust-channel-manifest.toml`).
fn installed_as_locked(dir: &Path, locked: &str) -> bool {
    let file = ToolchainDir::at(dir.to_path_buf()).channel_manifest_file();
    crate::download::hashing::sha256_file(&file).is_ok_and(|h| h == locked)
}

/// The directory of `active` when it is installed with everything it asks for, so running a tool
/// needs nothing installed: what [`ensure`] returns without installing or refusing. `None` when
/// [`ensure`] would install, refuse or fail (the proxy program hands those to tcup).
pub fn ready(env: &Env, active: &Active) -> Option<PathBuf> {
    let dir = resolve::locate(&env.rustup_home, &active.toolchain)?;
    let Toolchain::Named(name) = &active.toolchain else { return Some(dir) };
    let Ok(channel) = name.as_str().parse::<ToolchainName>() else { return Some(dir) };
    let (components, targets) = missing(&dir, channel.host.as_deref().unwrap_or_default(), &active.components, &active.targets);
    (components.is_empty() && targets.is_empty()).then_some(dir)
}

/// The components and targets of `wanted_*` that the toolchain in `dir` (for `host`) lacks.
/// Component names are matched after the toolchain's own manifest's renames (`rustfmt` →
/// `rustfmt-preview`), with or without the host suffix, as rustup names them in
/// `lib/rustlib/components`.
pub fn missing(dir: &Path, host: &str, wanted_components: &[String], wanted_targets: &[String]) -> (Vec<String>, Vec<String>) {
    if wanted_components.is_empty() && wanted_targets.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let tc = ToolchainDir::at(dir.to_path_buf());
    let names = tc.component_names();
    // As written or with the host suffix, without formatting a name per installed component.
    let has = |n: &str| names.iter().any(|l| l == n || l.strip_prefix(n).and_then(|r| r.strip_prefix('-')) == Some(host));
    // The installed manifest (about 1 MB of TOML, read on every proxy call of a project whose
    // toolchain file lists components) is read only for a name not installed as written, and
    // then only its renames.
    let mut renames = None;
    let components = wanted_components
        .iter()
        .filter(|c| {
            if has(c) {
                return false;
            }
            let r = renames.get_or_insert_with(|| tc.manifest_text().ok().and_then(|t| Manifest::renames_in(&t).ok()).unwrap_or_default());
            !r.get(c.as_str()).is_some_and(|to| has(&to.to))
        })
        .cloned()
        .collect();
    let targets = wanted_targets.iter().filter(|t| !has(&format!("rust-std-{t}"))).cloned().collect();
    (components, targets)
}

/// What the toolchain in `dir` has, as install arguments: components (by package name, for the
/// host or any target) and targets (other targets' `rust-std`), from `multirust-config.toml`.
fn installed_parts(dir: &Path, host: &str) -> (Vec<String>, Vec<String>) {
    let mut components = Vec::new();
    let mut targets = Vec::new();
    for (id, _) in ToolchainDir::at(dir.to_path_buf()).component_ids().unwrap_or_default() {
        match (id.pkg.as_str(), &id.target) {
            ("rust-std", Target::Triple(t)) if t != host => targets.push(t.clone()),
            (p, Target::Any) => components.push(p.to_owned()),
            (p, Target::Triple(t)) if t == host => components.push(p.to_owned()),
            _ => {}
        }
    }
    (components, targets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_honours_renames_and_host_suffixes() {
        let tmp = tempfile::tempdir().unwrap();
        let rustlib = ToolchainDir::at(tmp.path().to_path_buf()).rustlib();
        fs_err::create_dir_all(&rustlib).unwrap();
        let host = "x86_64-unknown-linux-gnu";
        fs_err::write(
            rustlib.join("components"),
            format!("rustc-{host}\nrustfmt-preview-{host}\nrust-src\nrust-std-wasm32-unknown-unknown\n"),
        )
        .unwrap();
        fs_err::write(
            rustlib.join("multirust-channel-manifest.toml"),
            "manifest-version = \"2\"\ndate = \"2026-01-01\"\n[pkg]\n[renames.rustfmt]\nto = \"rustfmt-preview\"\n",
        )
        .unwrap();
        let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        let (c, t) =
            missing(tmp.path(), host, &s(&["rustfmt", "rust-src", "clippy"]), &s(&["wasm32-unknown-unknown", "aarch64-unknown-linux-gnu"]));
        assert_eq!(c, ["clippy"]);
        assert_eq!(t, ["aarch64-unknown-linux-gnu"]);
    }

    #[test]
    fn installed_parts_reads_rustups_config() {
        let tmp = tempfile::tempdir().unwrap();
        let rustlib = ToolchainDir::at(tmp.path().to_path_buf()).rustlib();
        fs_err::create_dir_all(&rustlib).unwrap();
        let host = "x86_64-unknown-linux-gnu";
        fs_err::write(
            rustlib.join("multirust-config.toml"),
            format!(
                "config_version = \"1\"\n[[components]]\npkg = \"rustc\"\ntarget = \"{host}\"\nis_extension = false\n\
                 [[components]]\npkg = \"rust-src\"\nis_extension = true\n\
                 [[components]]\npkg = \"rust-std\"\ntarget = \"wasm32-unknown-unknown\"\nis_extension = true\n"
            ),
        )
        .unwrap();
        assert_eq!(installed_parts(tmp.path(), host), (vec!["rustc".into(), "rust-src".into()], vec!["wasm32-unknown-unknown".into()]));
    }
}
