//! `tcup component add|remove|list` and `tcup target add|remove|list`.

use clap::{Args, Subcommand};

use crate::download::Downloader;
use crate::env::Env;
use crate::ops::components::{self, Changed, Kind};
use crate::ops::session::Session;
use crate::progress::Reporter;

#[derive(Debug, Subcommand)]
pub(super) enum ComponentCommand {
    /// List the components of the toolchain's release; installed ones are marked.
    List(ListArgs),
    /// Add components (only the new ones are downloaded).
    Add(ChangeArgs),
    /// Remove components (nothing is downloaded).
    Remove(ChangeArgs),
}

#[derive(Debug, Subcommand)]
pub(super) enum TargetCommand {
    /// List the targets with a standard library in the toolchain's release; installed ones are marked.
    List(ListArgs),
    /// Add the standard library for targets.
    Add(TargetArgs),
    /// Remove the standard library for targets.
    Remove(TargetArgs),
}

#[derive(Debug, Args)]
pub(super) struct ListArgs {
    /// Only list what is installed.
    #[arg(long)]
    installed: bool,
    /// The toolchain (default: the active toolchain, as `tcup show` finds it).
    #[arg(long, value_parser = crate::dist::name::parse_arg)]
    toolchain: Option<String>,
}

#[derive(Debug, Args)]
pub(super) struct ChangeArgs {
    /// Component names (rustfmt, clippy, rust-src, rust-std-aarch64-unknown-linux-gnu, …).
    #[arg(required = true, value_name = "COMPONENT")]
    names: Vec<String>,
    /// The toolchain (default: the active toolchain, as `tcup show` finds it).
    #[arg(long, value_parser = crate::dist::name::parse_arg)]
    toolchain: Option<String>,
    /// The target the components are for (default: the toolchain's host).
    #[arg(long)]
    target: Option<String>,
}

#[derive(Debug, Args)]
pub(super) struct TargetArgs {
    /// Target triples.
    #[arg(required = true, value_name = "TARGET")]
    names: Vec<String>,
    /// The toolchain (default: the active toolchain, as `tcup show` finds it).
    #[arg(long, value_parser = crate::dist::name::parse_arg)]
    toolchain: Option<String>,
}

pub(super) fn run_component(cmd: ComponentCommand, env: &Env, reporter: &Reporter) -> anyhow::Result<()> {
    match cmd {
        ComponentCommand::List(a) => list(&a, Kind::Component, env),
        ComponentCommand::Add(a) => change(env, a.toolchain.as_deref(), Kind::Component, &a.names, a.target.as_deref(), true, reporter),
        ComponentCommand::Remove(a) => change(env, a.toolchain.as_deref(), Kind::Component, &a.names, a.target.as_deref(), false, reporter),
    }
}

pub(super) fn run_target(cmd: TargetCommand, env: &Env, reporter: &Reporter) -> anyhow::Result<()> {
    match cmd {
        TargetCommand::List(a) => list(&a, Kind::Target, env),
        TargetCommand::Add(a) => change(env, a.toolchain.as_deref(), Kind::Target, &a.names, None, true, reporter),
        TargetCommand::Remove(a) => change(env, a.toolchain.as_deref(), Kind::Target, &a.names, None, false, reporter),
    }
}

/// rustup's format: one name per line, `(installed)` after installed ones; `--installed` prints
/// only those, without the mark.
fn list(args: &ListArgs, kind: Kind, env: &Env) -> anyhow::Result<()> {
    let toolchain = Session::load(env)?.managed_toolchain(env, args.toolchain.as_deref())?;
    for row in components::list(env, &toolchain, kind)? {
        match (args.installed, row.installed) {
            (true, false) => {}
            (false, true) => println!("{} (installed)", row.name),
            (true, true) | (false, false) => println!("{}", row.name),
        }
    }
    Ok(())
}

fn change(
    env: &Env,
    toolchain: Option<&str>,
    kind: Kind,
    names: &[String],
    target: Option<&str>,
    add: bool,
    reporter: &Reporter,
) -> anyhow::Result<()> {
    let toolchain = Session::load(env)?.managed_toolchain(env, toolchain)?;
    let downloader = Downloader::new(&env.download)?;
    let req = components::Request { toolchain: &toolchain, kind, names, target, add };
    match components::change(env, &req, &downloader, reporter)? {
        Changed::Nothing(already) => {
            for name in already {
                reporter.info(&format!("component '{name}' is up to date"));
            }
        }
        Changed::Applied(a) => {
            for n in &a.fetched {
                reporter.info(&format!("added {n} to '{toolchain}'"));
            }
            for n in &a.dropped {
                reporter.info(&format!("removed {n} from '{toolchain}'"));
            }
        }
    }
    Ok(())
}
