//! `tcup component add|remove|list` and `tcup target add|remove|list`.

use clap::{Args, Subcommand};
use serde::Serialize;

use super::output::{self, Document, ToolchainRef};

use crate::env::Env;
use crate::ops::active::context::Session;
use crate::ops::toolchain::components::{self, Changed, Kind};
use crate::progress::Reporter;

#[derive(Debug, Subcommand)]
pub(super) enum ComponentCommand {
    /// List the components of the toolchain's release; installed ones are marked.
    List(ListArgs),
    /// Add components (only the new ones are downloaded).
    Add(ChangeArgs),
    /// Remove components (nothing is downloaded).
    #[command(aliases = ["rm", "uninstall", "delete", "del"])]
    Remove(ChangeArgs),
}

#[derive(Debug, Subcommand)]
pub(super) enum TargetCommand {
    /// List the targets with a standard library in the toolchain's release; installed ones are marked.
    List(ListArgs),
    /// Add the standard library for targets (`all`: every target of the release).
    #[command(alias = "install")]
    Add(TargetArgs),
    /// Remove the standard library for targets.
    #[command(aliases = ["rm", "uninstall", "delete", "del"])]
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
    /// Target triples (`target add all`: every target of the release).
    #[arg(required = true, value_name = "TARGET")]
    names: Vec<String>,
    /// The toolchain (default: the active toolchain, as `tcup show` finds it).
    #[arg(long, value_parser = crate::dist::name::parse_arg)]
    toolchain: Option<String>,
}

/// Whether `--format json` makes the command an event stream (`add` downloads).
pub(super) fn component_streams_events(cmd: &ComponentCommand) -> bool {
    matches!(cmd, ComponentCommand::Add(_))
}

/// Whether `--format json` makes the command an event stream (`add` downloads).
pub(super) fn target_streams_events(cmd: &TargetCommand) -> bool {
    matches!(cmd, TargetCommand::Add(_))
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
        TargetCommand::Add(a) if a.names.iter().any(|n| n == "all") => add_all_targets(env, a.toolchain.as_deref(), reporter),
        TargetCommand::Add(a) => change(env, a.toolchain.as_deref(), Kind::Target, &a.names, None, true, reporter),
        TargetCommand::Remove(a) => change(env, a.toolchain.as_deref(), Kind::Target, &a.names, None, false, reporter),
    }
}

/// `target add all` (rustup's): every target of the toolchain's installed release that has a
/// standard library and is not installed yet, from the installed manifest.
fn add_all_targets(env: &Env, toolchain: Option<&str>, reporter: &Reporter) -> anyhow::Result<()> {
    let name = Session::load(env)?.managed_toolchain(env, toolchain)?;
    let missing: Vec<String> = components::list(env, &name, Kind::Target)?.into_iter().filter(|r| !r.installed).map(|r| r.name).collect();
    if missing.is_empty() {
        reporter.info(&format!("every target of '{name}' is installed"));
        return Ok(());
    }
    change(env, Some(name.as_str()), Kind::Target, &missing, None, true, reporter)
}

/// `component list` / `target list`: the release's components (or targets) of one toolchain.
#[derive(Serialize)]
struct ListDoc {
    toolchain: ToolchainRef,
    /// `components` or `targets`: the rows, in rustup's order.
    #[serde(flatten)]
    rows: Rows,
    #[serde(skip)]
    installed_only: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
enum Rows {
    Components(Vec<RowDoc>),
    Targets(Vec<RowDoc>),
}

#[derive(Serialize)]
struct RowDoc {
    /// `rustfmt-x86_64-unknown-linux-gnu`, `rust-src`, or (for targets) a target triple.
    name: String,
    installed: bool,
}

impl Document for ListDoc {
    /// rustup's format: one name per line, `(installed)` after installed ones; `--installed`
    /// lists only those, without the mark.
    fn text(&self) -> String {
        let (Rows::Components(rows) | Rows::Targets(rows)) = &self.rows;
        rows.iter()
            .map(
                |row| if row.installed && !self.installed_only { format!("{} (installed)\n", row.name) } else { format!("{}\n", row.name) },
            )
            .collect()
    }
}

fn list(args: &ListArgs, kind: Kind, env: &Env) -> anyhow::Result<()> {
    let toolchain = Session::load(env)?.managed_toolchain(env, args.toolchain.as_deref())?;
    let rows: Vec<RowDoc> = components::list(env, &toolchain, kind)?
        .into_iter()
        .filter(|row| row.installed || !args.installed)
        .map(|row| RowDoc { name: row.name, installed: row.installed })
        .collect();
    let rows = match kind {
        Kind::Component => Rows::Components(rows),
        Kind::Target => Rows::Targets(rows),
    };
    output::print(env, &ListDoc { toolchain: ToolchainRef::named(toolchain.as_str()), rows, installed_only: args.installed });
    Ok(())
}

pub(super) fn change(
    env: &Env,
    toolchain: Option<&str>,
    kind: Kind,
    names: &[String],
    target: Option<&str>,
    add: bool,
    reporter: &Reporter,
) -> anyhow::Result<()> {
    let toolchain = Session::load(env)?.managed_toolchain(env, toolchain)?;
    let downloader = crate::ops::downloader(env)?;
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
