//! `tcup show [active-toolchain|home|profile]`: what is active and why. It asks
//! [`crate::ops::active::resolve`], as the proxies do, and finds the installed directory read-only
//! ([`crate::ops::active::installed`]).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use serde::Serialize;

use super::output::{self, Document, ReasonDoc, ToolchainRef};

use crate::env::Env;
use crate::ops::active::context::Session;
use crate::ops::active::installed;
use crate::ops::active::resolve;
use crate::progress::Reporter;

#[derive(Debug, Args)]
pub(super) struct ShowArgs {
    #[command(subcommand)]
    what: Option<ShowWhat>,
}

#[derive(Debug, Subcommand)]
enum ShowWhat {
    /// The active toolchain and why it is active (`-v`: also its compiler and path).
    ActiveToolchain,
    /// RUSTUP_HOME.
    Home,
    /// The profile used for new installs.
    Profile,
}

pub(super) fn show(args: &ShowArgs, verbose: bool, env: &Env, reporter: &Reporter) -> anyhow::Result<()> {
    let here = Session::load(env)?;
    match args.what {
        Some(ShowWhat::Home) => output::print(env, &HomeDoc { rustup_home: output::absolute(&env.rustup_home) }),
        Some(ShowWhat::Profile) => {
            output::print(env, &ProfileDoc { profile: here.settings.profile().to_owned() });
        }
        Some(ShowWhat::ActiveToolchain) => {
            let active = resolve::active(&here.ctx(env), None)?.ok_or_else(|| anyhow::anyhow!("no active toolchain"))?;
            for w in &active.warnings {
                reporter.warn(w);
            }
            let dir = installed::dir(env, &active)?;
            // Running rustc takes a moment: only when the text shows it, or for JSON.
            let compiler = (verbose || reporter.is_json()).then(|| compiler_version(&dir));
            let doc = ActiveDoc {
                toolchain: ToolchainRef::of(&active.toolchain),
                reason: ReasonDoc::of(&active.reason),
                path: output::absolute(&dir),
                compiler,
                short: active.reason.short(),
                verbose,
            };
            output::print(env, &doc);
        }
        None => show_all(&here, env, reporter)?,
    }
    Ok(())
}

/// `show home`.
#[derive(Serialize)]
struct HomeDoc {
    rustup_home: PathBuf,
}

impl Document for HomeDoc {
    fn text(&self) -> String {
        format!("{}\n", self.rustup_home.display())
    }
}

/// `show profile`.
#[derive(Serialize)]
struct ProfileDoc {
    profile: String,
}

impl Document for ProfileDoc {
    fn text(&self) -> String {
        format!("{}\n", self.profile)
    }
}

/// `show active-toolchain [-v]`.
#[derive(Serialize)]
struct ActiveDoc {
    #[serde(flatten)]
    toolchain: ToolchainRef,
    reason: ReasonDoc,
    path: PathBuf,
    /// `rustc --version` of the toolchain (`-v` or JSON only).
    compiler: Option<String>,
    #[serde(skip)]
    short: String,
    #[serde(skip)]
    verbose: bool,
}

impl Document for ActiveDoc {
    fn text(&self) -> String {
        let name = &self.toolchain.name;
        if self.verbose {
            let compiler = self.compiler.as_deref().unwrap_or_default();
            format!("{name}\nactive because: {}\ncompiler: {compiler}\npath: {}\n", self.reason.because, self.path.display())
        } else {
            format!("{name} ({})\n", self.short)
        }
    }
}

/// `show`: the host, the home, the installed toolchains and the active one.
#[derive(Serialize)]
struct ShowDoc {
    default_host: String,
    rustup_home: PathBuf,
    installed_toolchains: Vec<super::toolchain_manage::Entry>,
    active_toolchain: Option<ShowActive>,
}

#[derive(Serialize)]
struct ShowActive {
    #[serde(flatten)]
    toolchain: ToolchainRef,
    reason: ReasonDoc,
    /// Its directory, when it is installed.
    path: Option<PathBuf>,
    /// Target triples with a standard library installed.
    installed_targets: Vec<String>,
    /// The toolchain file's `rust-toolchain.lock`, when it has one.
    lock: Option<LockDoc>,
}

/// `active_toolchain.lock` (docs/json.md).
#[derive(Serialize)]
struct LockDoc {
    path: PathBuf,
    sha256: String,
    host: String,
    cache_key: String,
    state: &'static str,
    drift: Vec<String>,
    /// The locked toolchain's name, when the lock applies.
    name: Option<String>,
}

impl LockDoc {
    fn of(l: &crate::ops::active::locked::Locked, active: &resolve::Active) -> anyhow::Result<LockDoc> {
        use crate::ops::active::locked::LockState;
        let (sha256, cache_key) = l.cache_key()?;
        let drift = if let LockState::Drifted(d) = &l.state { d.clone() } else { Vec::new() };
        let name = (!matches!(l.state, LockState::Drifted(_))).then(|| active.toolchain.to_string());
        Ok(LockDoc { path: output::absolute(&l.path), sha256, host: l.host.clone(), cache_key, state: l.state.as_str(), drift, name })
    }
}

impl Document for ShowDoc {
    fn text(&self) -> String {
        let mut out = format!("Default host: {}\nrustup home:  {}\n\n", self.default_host, self.rustup_home.display());
        out.push_str("installed toolchains\n--------------------\n");
        out.extend(self.installed_toolchains.iter().map(super::toolchain_manage::Entry::line));
        out.push_str("\nactive toolchain\n----------------\n");
        let Some(active) = &self.active_toolchain else {
            out.push_str("no active toolchain\n");
            return out;
        };
        let _ = writeln!(out, "name: {}\nactive because: {}\ninstalled targets:", active.toolchain.name, active.reason.because);
        for t in &active.installed_targets {
            let _ = writeln!(out, "  {t}");
        }
        out
    }
}

fn show_all(here: &Session, env: &Env, reporter: &Reporter) -> anyhow::Result<()> {
    let active = resolve::active(&here.ctx(env), None)?;
    let installed_toolchains = super::toolchain_manage::entries(env, here, active.as_ref(), false);
    let active_toolchain = active.map(|active| -> anyhow::Result<ShowActive> {
        for w in &active.warnings {
            reporter.warn(w);
        }
        let lock = active.lock.as_ref().map(|l| LockDoc::of(l, &active)).transpose()?;
        let path = resolve::locate(&env.rustup_home, &active.toolchain);
        let installed_targets = path.as_deref().map_or_else(Vec::new, installed::targets);
        Ok(ShowActive {
            toolchain: ToolchainRef::of(&active.toolchain),
            reason: ReasonDoc::of(&active.reason),
            path: path.map(|p| output::absolute(&p)),
            installed_targets,
            lock,
        })
    });
    let active_toolchain = active_toolchain.transpose()?;
    let doc = ShowDoc {
        default_host: here.host.get().to_string(),
        rustup_home: output::absolute(&env.rustup_home),
        installed_toolchains,
        active_toolchain,
    };
    output::print(env, &doc);
    Ok(())
}

fn compiler_version(dir: &Path) -> String {
    crate::ops::active::run_tool::rustc_version(dir).unwrap_or_else(|| "(rustc did not run)".to_owned())
}
