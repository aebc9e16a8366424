//! `tcup toolchain install|list` and `tcup install`.

use clap::{Args, Subcommand};

use crate::dist::name::ToolchainName;
use crate::download::Downloader;
use crate::env::Env;
use crate::ops::install::{InstallOptions, Outcome};
use crate::progress::Reporter;
use crate::progress::events::Event;

#[derive(Debug, Subcommand)]
pub(super) enum ToolchainCommand {
    /// Install or update toolchains from the dist server (`RUSTUP_DIST_SERVER`).
    Install(InstallArgs),
    /// List installed toolchains, marking the active and default ones (`-v`: with paths).
    List,
    /// Uninstall toolchains.
    #[command(visible_alias = "remove")]
    Uninstall(super::toolchain_manage::UninstallArgs),
    /// Make a local toolchain directory (e.g. a rustc build) usable under a name.
    Link(super::toolchain_manage::LinkArgs),
    /// Check every installed file against the checksums recorded at install time.
    Verify(VerifyArgs),
}

#[derive(Debug, Args)]
pub(super) struct VerifyArgs {
    /// The toolchain (default: the active toolchain, as `tcup show` finds it).
    #[arg(value_name = "TOOLCHAIN", value_parser = crate::dist::name::parse_arg)]
    toolchain: Option<String>,
    /// Download again only the components with changed, missing or extra files.
    #[arg(long)]
    repair: bool,
}

#[derive(Debug, Args)]
pub(super) struct InstallArgs {
    /// Toolchain names: stable, beta, nightly, 1.95.0, nightly-2026-05-20, each optionally followed by -<host triple>.
    #[arg(required = true, value_name = "TOOLCHAIN")]
    names: Vec<String>,
    /// Profile: minimal, default or complete (default: `settings.toml`'s profile, else default).
    /// For an installed toolchain, only given profiles add components.
    #[arg(long)]
    profile: Option<String>,
    /// Add a component (e.g. rustfmt, rust-src, clippy); repeatable.
    #[arg(short, long = "component", value_name = "COMPONENT", value_delimiter = ',')]
    components: Vec<String>,
    /// Add the standard library for a target triple; repeatable.
    #[arg(short, long = "target", value_name = "TARGET", value_delimiter = ',')]
    targets: Vec<String>,
    /// Install for this host triple instead of the detected one (`tcup doctor host` shows it).
    #[arg(long, visible_alias = "default-host", value_name = "TRIPLE")]
    host: Option<String>,
    /// Accepted for rustup's scripts: a toolchain for another host is installed anyway, with a
    /// warning that its compiler may not run here (rustup 1.28+ refuses without this flag).
    #[arg(long)]
    force_non_host: bool,
    /// Allow an installed toolchain to move to an older release than it has (a dist server
    /// offering an older manifest is otherwise refused).
    #[arg(long)]
    allow_downgrade: bool,
}

/// Whether `--format json` makes the command an event stream (it downloads).
pub(super) fn streams_events(cmd: &ToolchainCommand) -> bool {
    matches!(cmd, ToolchainCommand::Install(_))
}

pub(super) fn run(cmd: ToolchainCommand, verbose: bool, env: &Env, reporter: &Reporter) -> anyhow::Result<()> {
    match cmd {
        ToolchainCommand::Install(args) => install(&args, env, reporter),
        ToolchainCommand::List => super::toolchain_manage::list(env, verbose),
        ToolchainCommand::Uninstall(args) => super::toolchain_manage::uninstall(&args, env, reporter),
        ToolchainCommand::Link(args) => super::toolchain_manage::link(&args, env, reporter),
        ToolchainCommand::Verify(args) => super::verify::run(args.toolchain.as_deref(), args.repair, env, reporter),
    }
}

pub(super) fn install(args: &InstallArgs, env: &Env, reporter: &Reporter) -> anyhow::Result<()> {
    let names = args.names.iter().map(|n| n.parse::<ToolchainName>()).collect::<Result<Vec<_>, _>>()?;
    if let Some(profile) = &args.profile {
        crate::dist::select::check_profile(profile)?;
    }
    if let Some(h) = &args.host
        && !crate::dist::name::is_triple(h)
    {
        return Err(crate::error::UsageError(format!("--host {h:?} is not a target triple like x86_64-unknown-linux-gnu")).into());
    }
    let settings = crate::home::settings::load(&env.rustup_home)?;
    let downloader = Downloader::new(&env.download)?;
    let detected = crate::ops::session::detect_host(env);
    for name in names {
        let opts = InstallOptions {
            name,
            profile: args.profile.clone().or_else(|| settings.profile.clone()).unwrap_or_else(|| "default".into()),
            components: args.components.clone(),
            targets: args.targets.clone(),
            host: args.host.clone(),
            allow_downgrade: args.allow_downgrade,
            detected: detected.clone(),
        };
        let outcome = match crate::ops::update::install_or_update(env, &opts, args.profile.is_some(), &downloader, reporter)? {
            Ok(outcome) => outcome,
            Err(updated) => {
                super::update::print_updated(&updated, reporter);
                continue;
            }
        };
        match outcome {
            Outcome::Installed { toolchain, components, .. } => {
                reporter.info(&format!("toolchain '{toolchain}' installed ({components} components)"));
                reporter.outcome(&Event::ToolchainDone { toolchain: toolchain.as_str(), status: "installed", version: None }, None);
            }
            Outcome::Unchanged { toolchain } => {
                reporter.info(&format!("toolchain '{toolchain}' unchanged"));
                reporter.outcome(&Event::ToolchainDone { toolchain: toolchain.as_str(), status: "unchanged", version: None }, None);
            }
        }
    }
    Ok(())
}
