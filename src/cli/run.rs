//! `tcup run [--install] TOOLCHAIN COMMAND…`: runs a command with the toolchain's environment
//! ([`crate::ops::active::run_tool::vars`]), its own binary when the toolchain has one.

use std::ffi::OsString;
use std::path::Path;

use clap::Args;

use crate::env::Env;
use crate::ops::active::context::Session;
use crate::ops::active::installed;
use crate::ops::active::resolve::{self, Active, Reason};
use crate::ops::active::run_tool;
use crate::progress::Reporter;

#[derive(Debug, Args)]
pub(super) struct RunArgs {
    /// Install the toolchain first when it is not installed.
    #[arg(long)]
    install: bool,
    /// Toolchain name (stable, 1.95.0, a linked name) or absolute path.
    #[arg(value_parser = crate::dist::name::parse_arg)]
    toolchain: String,
    /// The command and its arguments.
    #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true, value_name = "COMMAND")]
    command: Vec<OsString>,
}

pub(super) fn run(args: &RunArgs, env: &Env, reporter: &Reporter) -> anyhow::Result<()> {
    let here = Session::load(env)?;
    let toolchain = resolve::toolchain(&args.toolchain, &here.host, &Reason::CommandLine)?;
    let active = Active::plain(toolchain, Reason::CommandLine);
    let dir = if args.install { here.install(env, &active, reporter)? } else { installed::dir(env, &active)? };
    reporter.finish();
    let vars = run_tool::vars(env, &dir, &active.toolchain.to_string(), None, std::env::var_os("PATH").as_deref());
    let (cmd, rest) = args.command.split_first().expect("clap requires a command");
    let own = dir.join("bin").join(cmd);
    let program = if own.is_file() { own.into_os_string() } else { cmd.clone() };
    let err = run_tool::exec(&program, rest, &vars);
    Err(anyhow::anyhow!("could not run {}: {err}", Path::new(&program).display()))
}
