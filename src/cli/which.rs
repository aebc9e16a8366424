//! `tcup which CMD [--toolchain T]`: the binary a command of the active (or given) toolchain
//! runs, found as a proxy finds it ([`crate::ops::active::run_tool`]) in the installed directory,
//! read-only ([`crate::ops::active::installed`]).

use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use super::output::{self, Document, ToolchainRef};

use crate::env::Env;
use crate::ops::active::context::Session;
use crate::ops::active::installed;
use crate::ops::active::run_tool;
use crate::progress::Reporter;

#[derive(Debug, Args)]
pub(super) struct WhichArgs {
    /// The tool, e.g. rustc or cargo.
    command: String,
    /// Toolchain to look in instead of the active one.
    #[arg(long, value_name = "TOOLCHAIN", value_parser = crate::dist::name::parse_arg)]
    toolchain: Option<String>,
}

pub(super) fn which(args: &WhichArgs, env: &Env, reporter: &Reporter) -> anyhow::Result<()> {
    let here = Session::load(env)?;
    let active = here.active(env, args.toolchain.as_deref(), &args.command, reporter)?;
    let dir = installed::dir(env, &active)?;
    let official = active.toolchain.channel_name().is_some();
    let found = run_tool::command(&args.command, env, &dir, &active.toolchain.to_string(), official, None, None)?;
    output::print(
        env,
        &WhichDoc { command: args.command.clone(), path: output::absolute(&found.program), toolchain: ToolchainRef::of(&active.toolchain) },
    );
    Ok(())
}

/// `which COMMAND`.
#[derive(Serialize)]
struct WhichDoc {
    command: String,
    /// The binary the command runs.
    path: PathBuf,
    toolchain: ToolchainRef,
}

impl Document for WhichDoc {
    fn text(&self) -> String {
        format!("{}\n", self.path.display())
    }
}
