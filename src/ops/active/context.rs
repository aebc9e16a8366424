//! What every command that asks "which toolchain?" shares, loaded once per command: the
//! settings, the host for names without one, and the current directory; and from them the active
//! toolchain ([`super::resolve`]), installed first where a command may install it
//! ([`super::auto_install`]). The proxies, `show`, `which`, `run`, `default`, `override`,
//! `component`, `target` and `toolchain verify` all start here, so they cannot disagree.

use std::path::PathBuf;

use crate::dist::name::LocalName;
use crate::env::{Env, EnvError};
use crate::error::UsageError;
use crate::home::Home;
use crate::home::settings::{self, Settings};
use crate::ops::active::auto_install::{self, Ensure};
use crate::ops::active::host_choice;
use crate::ops::active::resolve::{self, Active, Context, LazyHost, NoToolchain, Toolchain};
use crate::progress::Reporter;

/// What "which toolchain?" depends on besides the command line.
pub struct Session {
    /// `settings.toml`.
    pub settings: Settings,
    /// The host triple for toolchain names without one ([`host_choice::default_for_names`]): the
    /// settings' default host, else the detected host (`TCUP_HOST_ROOT`, `TCUP_HOST_MACHINE`), else —
    /// where detection refuses (no Rust host toolchain exists for this system) — the detected
    /// machine's triple, so names are still complete in messages ("toolchain
    /// 'stable-armv7-unknown-linux-musleabihf' is not installed"). Detected only when a name needs
    /// it: a proxy whose toolchain is named in full reads no ELF file.
    pub host: LazyHost<'static>,
    /// The current directory.
    pub cwd: PathBuf,
}

impl Session {
    /// Reads `settings.toml`, the default host and the current directory.
    ///
    /// # Errors
    /// `settings.toml` is not valid (named); the current directory is gone.
    pub fn load(env: &Env) -> anyhow::Result<Session> {
        let settings = settings::load(&env.rustup_home)?;
        let (root, machine) = (env.host_root.clone(), env.host_machine.clone());
        let host = host_choice::default_for_names(settings.default_host.clone(), move || crate::host::detect(&root, machine.as_deref()));
        Ok(Session { settings, host, cwd: std::env::current_dir()? })
    }

    /// The resolver's inputs.
    pub fn ctx<'a>(&'a self, env: &'a Env) -> Context<'a> {
        Context {
            rustup_home: &env.rustup_home,
            env_toolchain: env.toolchain.as_deref(),
            plus: env.plus_toolchain.as_deref(),
            settings: &self.settings,
            cwd: &self.cwd,
            default_host: &self.host,
            locked: env.locked,
        }
    }

    /// The active toolchain for `tool`, or [`NoToolchain`]; warnings are reported.
    ///
    /// # Errors
    /// As [`resolve::active`]; [`NoToolchain`].
    pub fn active(&self, env: &Env, plus: Option<&str>, tool: &str, reporter: &Reporter) -> anyhow::Result<Active> {
        let active = resolve::active(&self.ctx(env), plus)?.ok_or_else(|| NoToolchain { tool: tool.to_owned() })?;
        for w in &active.warnings {
            reporter.warn(w);
        }
        Ok(active)
    }

    /// The directory of `active`, installed first when auto-install allows it (proxies).
    ///
    /// # Errors
    /// As [`auto_install::ensure`].
    pub fn ensure(&self, env: &Env, active: &Active, set_aside: &[EnvError], reporter: &Reporter) -> anyhow::Result<PathBuf> {
        let how = Ensure { allow_install: auto_install::allowed(env, &self.settings), set_aside, reporter, explicit: false };
        auto_install::ensure(env, &self.settings, active, &how)
    }

    /// The directory of `active`, installed first if missing, whatever auto-install says: for
    /// commands that name the toolchain explicitly (`default`, `override set`, `run --install`).
    ///
    /// # Errors
    /// As [`auto_install::ensure`].
    pub fn install(&self, env: &Env, active: &Active, reporter: &Reporter) -> anyhow::Result<PathBuf> {
        auto_install::ensure(env, &self.settings, active, &Ensure { allow_install: true, set_aside: &[], reporter, explicit: true })
    }

    /// The installed toolchain directory name for `name` (a directory name in `toolchains/`, or
    /// a toolchain name completed with the default host); with no name, `tcup +TOOLCHAIN`, else
    /// `RUSTUP_TOOLCHAIN`, else the default toolchain.
    ///
    /// # Errors
    /// No name and no default ([`UsageError`]), a bad name, or a toolchain that is not installed.
    pub fn installed_name(&self, env: &Env, name: Option<&str>) -> anyhow::Result<LocalName> {
        let Some(name) = name
            .or(env.plus_toolchain.as_deref())
            .map(str::to_owned)
            .or_else(|| env.toolchain.clone())
            .or_else(|| self.settings.default_toolchain.clone())
        else {
            return Err(UsageError("no toolchain given and no default toolchain is set (use --toolchain)".into()).into());
        };
        let home = Home::new(&env.rustup_home);
        match resolve::toolchain(&name, &self.host, &resolve::Reason::CommandLine)? {
            Toolchain::Named(n) if home.toolchain(&n).is_dir() => Ok(n),
            Toolchain::Named(n) => anyhow::bail!("toolchain '{n}' is not installed"),
            Toolchain::Path(p) => Err(UsageError(format!(
                "'{}' is a path; tcup manages only toolchains installed in {}",
                p.display(),
                home.toolchains_dir().display()
            ))
            .into()),
        }
    }

    /// The installed toolchain a management command (`component`, `target`, `toolchain
    /// verify`) acts on: `name` (`--toolchain`) when given, else the active toolchain by the one
    /// resolver (`RUSTUP_TOOLCHAIN`, overrides, `rust-toolchain.toml`, the default), as rustup
    /// does. A path toolchain is refused: tcup changes only toolchains under `RUSTUP_HOME`.
    ///
    /// # Errors
    /// As [`Session::installed_name`]; the active toolchain is a path.
    pub fn managed_toolchain(&self, env: &Env, name: Option<&str>) -> anyhow::Result<LocalName> {
        if name.is_some() {
            return self.installed_name(env, name);
        }
        match resolve::active(&self.ctx(env), None)? {
            Some(Active { toolchain: Toolchain::Named(n), .. }) => self.installed_name(env, Some(n.as_str())),
            Some(Active { toolchain: Toolchain::Path(p), reason, .. }) => Err(UsageError(format!(
                "the active toolchain is the directory {} ({}); tcup manages only installed toolchains: use --toolchain",
                p.display(),
                reason.because()
            ))
            .into()),
            None => self.installed_name(env, None),
        }
    }
}
