//! tcup called as a proxy (`rustc`, `cargo`, … linked to tcup in `CARGO_HOME/bin`): find the
//! active toolchain, install it first when it is missing (auto-install), then replace this
//! process with the tool. Also the shared set-up of every command that asks "which toolchain?".

use std::ffi::OsString;
use std::io::IsTerminal;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;

use crate::env::{Env, EnvError};
use crate::error::{EXIT_FAILURE, EXIT_USAGE, exit_code, one_line};
use crate::ops::auto_install::{self, Ensure};
use crate::ops::proxy;
use crate::ops::resolve::{self, Active, Context, NoToolchain};
use crate::ops::settings::{self, Settings};
use crate::progress::{Reporter, Verbosity};

/// What "which toolchain?" depends on besides the command line, loaded once per command.
pub(super) struct Here {
    pub(super) settings: Settings,
    pub(super) host: String,
    pub(super) cwd: PathBuf,
}

impl Here {
    /// Reads `settings.toml`, the default host and the current directory.
    pub(super) fn load(env: &Env) -> anyhow::Result<Here> {
        let settings = settings::load(&env.rustup_home)?;
        let host = resolve::default_host(env, &settings);
        Ok(Here { settings, host, cwd: std::env::current_dir()? })
    }

    pub(super) fn ctx<'a>(&'a self, env: &'a Env) -> Context<'a> {
        Context {
            rustup_home: &env.rustup_home,
            env_toolchain: env.toolchain.as_deref(),
            settings: &self.settings,
            cwd: &self.cwd,
            default_host: &self.host,
        }
    }

    /// The active toolchain for `tool`, or [`NoToolchain`]; warnings are reported.
    pub(super) fn active(&self, env: &Env, plus: Option<&str>, tool: &str, reporter: &Reporter) -> anyhow::Result<Active> {
        let active = resolve::active(&self.ctx(env), plus)?.ok_or_else(|| NoToolchain { tool: tool.to_owned() })?;
        for w in &active.warnings {
            reporter.warn(w);
        }
        Ok(active)
    }

    /// The directory of `active`, installed first when auto-install allows it (proxies).
    pub(super) fn ensure(&self, env: &Env, active: &Active, set_aside: &[EnvError], reporter: &Reporter) -> anyhow::Result<PathBuf> {
        let how = Ensure { allow_install: auto_install::allowed(env, &self.settings), set_aside, reporter };
        auto_install::ensure(env, &self.settings, active, &how)
    }

    /// The directory of `active`, installed first if missing, whatever auto-install says: for
    /// commands that name the toolchain explicitly (`default`, `override set`, `run --install`).
    pub(super) fn install(&self, env: &Env, active: &Active, reporter: &Reporter) -> anyhow::Result<PathBuf> {
        auto_install::ensure(env, &self.settings, active, &Ensure { allow_install: true, set_aside: &[], reporter })
    }
}

/// The installed toolchain a management command (`component`, `target`, `toolchain verify`) acts
/// on: `name` (`--toolchain`) when given, else the active toolchain by the one resolver (decision
/// 10 of DESIGN.md: `RUSTUP_TOOLCHAIN`, overrides, `rust-toolchain.toml`, the default), as rustup
/// does. A path toolchain is refused: tcup changes only toolchains under `RUSTUP_HOME`.
pub(super) fn installed_toolchain(env: &Env, name: Option<&str>) -> anyhow::Result<String> {
    if name.is_some() {
        return crate::ops::update::installed_name(env, name);
    }
    let here = Here::load(env)?;
    match resolve::active(&here.ctx(env), None)? {
        Some(Active { toolchain: resolve::Toolchain::Named(n), .. }) => crate::ops::update::installed_name(env, Some(n.as_str())),
        Some(Active { toolchain: resolve::Toolchain::Path(p), reason, .. }) => Err(crate::error::UsageError(format!(
            "the active toolchain is the directory {} ({}); tcup manages only installed toolchains: use --toolchain",
            p.display(),
            reason.because()
        ))
        .into()),
        None => crate::ops::update::installed_name(env, None),
    }
}

/// Runs `tool` from the active toolchain, replacing this process; returns an exit code only when
/// that fails.
pub(super) fn run(tool: &str, args: Vec<OsString>) -> i32 {
    let vars = std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)));
    let (env, set_aside) = match Env::for_proxy(vars, std::io::stderr().is_terminal()) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let reporter = Reporter::new(&env, Verbosity::Normal);
    for e in &set_aside {
        reporter.warn(&format!("{e}; ignored, since running an installed toolchain downloads nothing"));
    }
    let (plus, args) = proxy::split_plus(args);
    let resolved = match prepare(tool, plus.as_deref(), &env, &set_aside, &reporter) {
        Ok(r) => r,
        Err(e) => {
            reporter.finish();
            eprintln!("error: {}", one_line(&e));
            return exit_code(&e);
        }
    };
    let err = std::process::Command::new(&resolved.0.program).args(&args).envs(resolved.0.vars.iter().map(|(k, v)| (*k, v))).exec();
    eprintln!("error: {}", crate::host::run_check::diagnose_spawn(&resolved.0.program, &err, &resolved.1));
    EXIT_FAILURE
}

fn prepare(
    tool: &str,
    plus: Option<&str>,
    env: &Env,
    set_aside: &[EnvError],
    reporter: &Reporter,
) -> anyhow::Result<(proxy::Resolved, String)> {
    let here = Here::load(env)?;
    let active = here.active(env, plus, tool, reporter)?;
    let dir = here.ensure(env, &active, set_aside, reporter)?;
    reporter.finish();
    let official = active.toolchain.channel_name().is_some();
    let resolved = proxy::command(tool, env, &dir, &active.toolchain.to_string(), official, std::env::var_os("PATH").as_deref())?;
    Ok((resolved, here.host))
}
