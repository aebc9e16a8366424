//! tcup called as a proxy (`rustc`, `cargo`, … linked to tcup in `CARGO_HOME/bin`, or handed over
//! by the proxy program, [`super::fast_proxy`]): find the active toolchain, install it first when
//! it is missing (auto-install), then replace this process with the tool.

use std::ffi::OsString;
use std::io::IsTerminal;
use std::os::unix::process::CommandExt;

use crate::env::{Env, EnvError};
use crate::error::{EXIT_FAILURE, EXIT_USAGE, exit_code, one_line};
use crate::ops::active::context::Session;
use crate::ops::active::resolve::LazyHost;
use crate::ops::active::run_tool;
use crate::progress::{Reporter, Verbosity};

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
    let (plus, args) = run_tool::split_plus(args);
    let resolved = match prepare(tool, plus.as_deref(), &env, &set_aside, &reporter) {
        Ok(r) => r,
        Err(e) => {
            reporter.finish();
            eprintln!("error: {}", crate::env::redact::text(&one_line(&e)));
            return exit_code(&e);
        }
    };
    let err = std::process::Command::new(&resolved.0.program).args(&args).envs(resolved.0.vars.iter().map(|(k, v)| (*k, v))).exec();
    eprintln!("error: {}", crate::host::run_check::diagnose_spawn(&resolved.0.program, &err, resolved.1.get()));
    EXIT_FAILURE
}

fn prepare(
    tool: &str,
    plus: Option<&str>,
    env: &Env,
    set_aside: &[EnvError],
    reporter: &Reporter,
) -> anyhow::Result<(run_tool::Resolved, LazyHost<'static>)> {
    let here = Session::load(env)?;
    let active = here.active(env, plus, tool, reporter)?;
    let dir = here.ensure(env, &active, set_aside, reporter)?;
    reporter.finish();
    let official = active.toolchain.channel_name().is_some();
    let resolved = run_tool::command(
        tool,
        env,
        &dir,
        &active.toolchain.to_string(),
        official,
        Some(active.reason.toolchain_source()),
        std::env::var_os("PATH").as_deref(),
    )?;
    Ok((resolved, here.host))
}
