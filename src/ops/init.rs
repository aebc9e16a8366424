//! `tcup-init` (and `tcup init`): install tcup itself into `CARGO_HOME/bin`, link the proxies,
//! install the default toolchain, put `CARGO_HOME/bin` on PATH; and `tcup self uninstall`, which
//! reverses all of it. Behaves like rustup-init, including its flags, so scripts and Dockerfiles
//! written for rustup work with tcup.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::dist::name::ToolchainName;
use crate::download::Downloader;
use crate::env::Env;
use crate::home::{Home, settings};
use crate::host::{Decision, Report};
use crate::ops::install::{InstallOptions, Outcome};
use crate::ops::path_edit::{self, Shells};
use crate::progress::Reporter;

/// What to set up.
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// Toolchain to install and make the default; `None` for `--default-toolchain none`.
    pub toolchain: Option<ToolchainName>,
    /// Profile.
    pub profile: String,
    /// Extra components.
    pub components: Vec<String>,
    /// Extra targets.
    pub targets: Vec<String>,
    /// `--default-host`.
    pub host: Option<String>,
    /// Edit shell start-up files.
    pub modify_path: bool,
    /// Make the installed toolchain the default even if one is set.
    pub update_default: bool,
    /// `--as-rustup`: link `CARGO_HOME/bin/rustup` to tcup ([`crate::ops::rustup_name`]).
    pub as_rustup: bool,
}

/// What was done, for the closing message.
#[derive(Debug, Clone, Default)]
pub struct InitReport {
    /// The toolchain installed (directory name).
    pub toolchain: Option<String>,
    /// The total length of its files (bytes).
    pub toolchain_bytes: u64,
    /// Start-up files edited.
    pub edited: Vec<PathBuf>,
}

/// Installs tcup from `self_exe` and sets everything up. See the module documentation.
///
/// # Errors
/// Any step failed; the error names the file or URL.
pub fn self_install(env: &Env, opts: &InitOptions, self_exe: &Path, detected: &Report, reporter: &Reporter) -> anyhow::Result<InitReport> {
    let bin = env.cargo_home.join("bin");
    fs_err::create_dir_all(&bin)?;
    crate::ops::proxy_program::copy_into_place(self_exe, &bin.join("tcup"))?;
    let runs = crate::ops::proxy_program::install(&bin, self_exe, reporter)?;
    reporter.info(&format!("installed tcup and its proxies in {}", bin.display()));
    reporter.verbose(&format!("the proxies are links to {}", runs.display()));
    if opts.as_rustup {
        crate::ops::rustup_name::link(&bin, reporter)?;
    }
    let host = match (&opts.host, &detected.decision) {
        (Some(h), _) | (None, Decision::Host { triple: h, .. }) => Some(h.clone()),
        (None, Decision::Refused { .. }) => None,
    };
    if let Some(h) = &host {
        settings::set_default_host(&env.rustup_home, h)?;
    }
    let mut report = InitReport::default();
    if let Some(name) = &opts.toolchain {
        let downloader = Downloader::new(&env.download)?;
        let install = InstallOptions {
            name: name.clone(),
            profile: opts.profile.clone(),
            components: opts.components.clone(),
            targets: opts.targets.clone(),
            host: opts.host.clone(),
            allow_downgrade: false,
            detected: detected.clone(),
        };
        // The receipts' lengths, not a walk of 50 000 files (0.2 s on a fresh ext4).
        let (tc, bytes) = match crate::ops::install::install(env, &install, &downloader, reporter)? {
            Outcome::Installed { toolchain, bytes: Some(bytes), .. } => (toolchain, bytes),
            Outcome::Installed { toolchain, bytes: None, .. } | Outcome::Unchanged { toolchain } => {
                let bytes = dir_size(Home::new(&env.rustup_home).toolchain(&toolchain).root());
                (toolchain, bytes)
            }
        };
        let current = settings::load(&env.rustup_home)?.default_toolchain;
        if current.as_deref() != Some(tc.as_str()) && (opts.update_default || current.is_none()) {
            settings::set(&env.rustup_home, "default_toolchain", Some(tc.as_str()))?;
            reporter.info(&format!("default toolchain set to '{tc}'"));
        }
        report.toolchain_bytes = bytes;
        report.toolchain = Some(tc.to_string());
    }
    if opts.modify_path {
        let shells = Shells { home: env.home.clone(), zdotdir: env.zdotdir.clone(), shell: env.shell.clone() };
        report.edited = path_edit::add(&env.cargo_home, &env.rustup_home, &shells)?;
    } else {
        // The env scripts are still written: `. "$CARGO_HOME/env"` works for those who want it.
        path_edit::write_env_scripts(&env.cargo_home)?;
    }
    // Leave nothing behind in a container image.
    let home = Home::new(&env.rustup_home);
    for d in [home.downloads().dir().to_path_buf(), home.tmp()] {
        if d.exists() {
            fs_err::remove_dir_all(&d)?;
        }
    }
    Ok(report)
}

/// Removes what `self_install` did: PATH edits (restoring the files), then both homes.
/// Returns the start-up files restored.
///
/// # Errors
/// A file cannot be restored or removed.
pub fn self_uninstall(env: &Env) -> anyhow::Result<Vec<PathBuf>> {
    let restored = path_edit::remove(&env.rustup_home)?;
    for home in [&env.cargo_home, &env.rustup_home] {
        if home.exists() {
            fs_err::remove_dir_all(home).with_context(|| format!("removing {}", home.display()))?;
        }
    }
    Ok(restored)
}

/// Total size of the files below `dir` (bytes).
pub fn dir_size(dir: &Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs_err::read_dir(&d) else { continue };
        for e in entries.flatten() {
            match e.file_type() {
                Ok(t) if t.is_dir() => stack.push(e.path()),
                Ok(_) => total += e.metadata().map_or(0, |m| m.len()),
                Err(_) => {}
            }
        }
    }
    total
}
