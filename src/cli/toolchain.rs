//! `tcup toolchain install|list` and `tcup install`.

use clap::{Args, Subcommand};

use crate::dist::name::{LocalName, ToolchainName};
use crate::env::Env;
use crate::ops::Downloader;
use crate::ops::active::context::Session;
use crate::ops::active::resolve::Toolchain;
use crate::ops::toolchain::install::{InstallOptions, Outcome};
use crate::ops::toolchain::loose;
use crate::ops::toolchain::update::Updated;
use crate::progress::Reporter;
use crate::progress::events::Event;

#[derive(Debug, Subcommand)]
pub(super) enum ToolchainCommand {
    /// Install or update toolchains from the dist server (`RUSTUP_DIST_SERVER`); without a
    /// name, the active toolchain.
    #[command(alias = "add")]
    Install(InstallArgs),
    /// List installed toolchains, marking the active and default ones (`-v`: with paths).
    List,
    /// Uninstall toolchains.
    #[command(visible_alias = "remove", aliases = ["rm", "delete", "del"])]
    Uninstall(super::toolchain_manage::UninstallArgs),
    /// Make a local toolchain directory (e.g. a rustc build) usable under a name.
    Link(super::toolchain_manage::LinkArgs),
    /// Check every installed file against the checksums recorded at install time.
    Verify(VerifyArgs),
    /// Remove toolchains not used for a while (never the default, an override's, a known
    /// project's, or a linked one), and stale downloads (docs/disk.md).
    Gc(super::toolchain_gc::GcArgs),
}

#[derive(Debug, Args)]
pub(super) struct VerifyArgs {
    /// The toolchain (default: the active toolchain, as `tcup show` finds it).
    #[arg(value_name = "TOOLCHAIN", value_parser = crate::dist::name::parse_arg)]
    toolchain: Option<String>,
    /// Download again only the components with changed, missing or extra files.
    #[arg(long, conflicts_with = "adopt")]
    repair: bool,
    /// For a toolchain rustup installed: download its archives again, compare every file, and
    /// only if all match write tcup's record, so it can serve as a toolchain store (docs/store.md).
    #[arg(long)]
    adopt: bool,
}

// Each bool is one flag of rustup's `toolchain install`.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Args)]
pub(super) struct InstallArgs {
    /// Toolchain names: stable, beta, nightly, 1.95.0, nightly-2026-05-20, each optionally
    /// followed by -<host triple>; or a path to a rust-installer tarball
    /// (./rust-1.95.0-<host>.tar.xz: a path contains '/' or ends in .tar.gz, .tar.xz or .tar.zst).
    /// Without one: the active toolchain, with what its toolchain file asks for (`tcup show` says
    /// why it is active).
    #[arg(value_name = "TOOLCHAIN", value_parser = parse_install_arg)]
    names: Vec<String>,
    /// Install from the rust-installer tarballs in DIR (no network): with the channel manifest
    /// beside them when DIR has one (checked as a dist server's), else every tarball there.
    #[arg(long, value_name = "DIR")]
    from: Option<std::path::PathBuf>,
    /// The toolchain name for a tarball or --from DIR (needed for beta and nightly tarballs,
    /// e.g. nightly-2026-05-20).
    #[arg(long, value_name = "TOOLCHAIN")]
    name: Option<String>,
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
    /// Keep an installed toolchain at its release: only add the components and targets asked
    /// for, from its installed manifest.
    #[arg(long)]
    no_update: bool,
    /// Make the (first) installed toolchain the default (`tcup default`).
    #[arg(long)]
    default: bool,
    /// Make the (first) installed toolchain the override of the current directory (`tcup
    /// override set`).
    #[arg(long = "override")]
    set_override: bool,
    /// Allow an installed toolchain to move to an older release than it has (a dist server
    /// offering an older manifest is otherwise refused).
    #[arg(long)]
    allow_downgrade: bool,
    /// Accepted for rustup's scripts: a toolchain for another host is installed anyway, with a
    /// warning that its compiler may not run here (rustup 1.28+ refuses without this flag).
    #[arg(long)]
    force_non_host: bool,
    /// Without a name: the toolchain file's rust-toolchain.lock must exist, match the file and lock
    /// this host, or nothing is installed (exit 1); CI's mode (also `TCUP_LOCKED=1`).
    #[arg(long)]
    locked: bool,
    /// Accepted for rustup's scripts, no effect: tcup never updates itself while it installs a
    /// toolchain (`tcup self update` does, a signed step of its own).
    #[arg(long, hide = true)]
    no_self_update: bool,
    /// Accepted for rustup's scripts, no effect: an update that would lose a component fails
    /// and leaves the toolchain as it was, with or without it.
    #[arg(long, hide = true)]
    force: bool,
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
        ToolchainCommand::Verify(args) if args.adopt => super::verify::adopt(args.toolchain.as_deref(), env, reporter),
        ToolchainCommand::Verify(args) => super::verify::run(args.toolchain.as_deref(), args.repair, env, reporter),
        ToolchainCommand::Gc(args) => super::toolchain_gc::run(&args, env, reporter),
    }
}

/// `--profile` and `--host` as `toolchain install` and `fetch` take them: a known profile, a
/// target triple.
///
/// # Errors
/// An unknown profile; a `--host` that is not a triple ([`crate::error::UsageError`]).
pub(super) fn check_profile_and_host(profile: Option<&str>, host: Option<&str>) -> anyhow::Result<()> {
    if let Some(profile) = profile {
        crate::dist::select::check_profile(profile)?;
    }
    if let Some(h) = host
        && !crate::dist::name::is_triple(h)
    {
        return Err(crate::error::UsageError(format!("--host {h:?} is not a target triple like x86_64-unknown-linux-gnu")).into());
    }
    Ok(())
}

pub(super) fn install(args: &InstallArgs, env: &Env, reporter: &Reporter) -> anyhow::Result<()> {
    check_profile_and_host(args.profile.as_deref(), args.host.as_deref())?;
    if args.from.is_some() || args.names.iter().any(|n| loose::is_tarball_arg(n)) {
        return install_loose(args, env, reporter);
    }
    if args.name.is_some() {
        return Err(crate::error::UsageError("--name applies to a tarball or --from DIR".into()).into());
    }
    if args.names.is_empty() {
        return install_active(args, env, reporter);
    }
    if args.locked {
        return Err(crate::error::UsageError(
            "--locked applies to `tcup toolchain install` without a name (the toolchain file's lock)".into(),
        )
        .into());
    }
    let names = args.names.iter().map(|n| n.parse::<ToolchainName>()).collect::<Result<Vec<_>, _>>()?;
    let profile = crate::ops::toolchain::install::profile_for(env, args.profile.as_deref())?;
    let downloader = crate::ops::downloader(env)?;
    let detected = crate::ops::active::host_choice::detect_host(env);
    let mut first = None;
    for name in names {
        let opts = InstallOptions {
            name,
            profile: profile.clone(),
            components: args.components.clone(),
            targets: args.targets.clone(),
            host: args.host.clone(),
            allow_downgrade: args.allow_downgrade,
            detected: detected.clone(),
            lock: None,
        };
        let toolchain = if args.no_update
            && let Some(installed) = crate::ops::toolchain::install::installed_name(env, &opts)?
        {
            add_without_update(env, &installed, args, reporter)?;
            installed.to_string()
        } else {
            install_one(env, &opts, args.profile.is_some(), &downloader, reporter)?
        };
        first.get_or_insert(toolchain);
    }
    if let Some(tc) = first {
        after_install(args, env, &tc, reporter)?;
    }
    Ok(())
}

/// A `toolchain install` argument: a tarball's path as given, or a name [`crate::dist::name::check`]
/// accepts.
fn parse_install_arg(arg: &str) -> Result<String, crate::dist::name::NameError> {
    if loose::is_tarball_arg(arg) { Ok(arg.to_owned()) } else { crate::dist::name::parse_arg(arg) }
}

/// `toolchain install PATH` and `--from DIR` (rustup #955): each tarball path, or DIR, installed
/// by [`loose::install`]. A tarball is installed whole: `--profile`, `-c` and `-t` apply only to
/// `--from DIR` with a channel manifest, and `--name` to one source.
///
/// # Errors
/// [`crate::error::UsageError`] for flags that do not apply or a toolchain name among paths;
/// every failure of [`loose::install`].
fn install_loose(args: &InstallArgs, env: &Env, reporter: &Reporter) -> anyhow::Result<()> {
    let usage = |why: &str| Err(crate::error::UsageError(why.to_owned()).into());
    if let Some(name) = args.names.iter().find(|n| !loose::is_tarball_arg(n)) {
        return usage(&format!("'{name}' is a toolchain name, given with tarball paths or --from: install it on its own"));
    }
    let mut sources: Vec<loose::Source> = args.names.iter().map(|p| loose::Source::Tarball(p.into())).collect();
    sources.extend(args.from.iter().map(|d| loose::Source::Dir(d.clone())));
    if args.name.is_some() && sources.len() > 1 {
        return usage("--name names one toolchain: give one tarball or --from DIR with it");
    }
    if args.locked || args.no_update {
        return usage("--locked and --no-update do not apply to tarballs");
    }
    let selects = args.profile.is_some() || !args.components.is_empty() || !args.targets.is_empty();
    if selects && !matches!(sources.as_slice(), [loose::Source::Dir(_)]) {
        return usage("a tarball is installed whole: --profile, -c and -t apply only to --from DIR with a channel manifest");
    }
    let name = args.name.as_deref().map(str::parse::<ToolchainName>).transpose()?;
    let dist = crate::ops::toolchain::loose_dist::DistOptions {
        profile: crate::ops::toolchain::install::profile_for(env, args.profile.as_deref())?,
        components: args.components.clone(),
        targets: args.targets.clone(),
        allow_downgrade: args.allow_downgrade,
    };
    let detected = crate::ops::active::host_choice::detect_host(env);
    let mut first = None;
    for source in sources {
        let opts = loose::LooseOptions { source, name: name.clone(), host: args.host.clone(), detected: detected.clone() };
        let toolchain = report(loose::install(env, &opts, &dist, reporter)?, reporter);
        first.get_or_insert(toolchain);
    }
    match first {
        Some(tc) => after_install(args, env, &tc, reporter),
        None => Ok(()),
    }
}

/// Installs or updates one toolchain and reports it; returns its directory name.
fn install_one(
    env: &Env,
    opts: &InstallOptions,
    profile_given: bool,
    downloader: &Downloader,
    reporter: &Reporter,
) -> anyhow::Result<String> {
    let outcome = match crate::ops::toolchain::update::install_or_update(env, opts, profile_given, downloader, reporter)? {
        Ok(outcome) => outcome,
        Err(updated) => {
            super::update::print_updated(&updated, reporter);
            let (Updated::Unchanged { toolchain, .. } | Updated::Updated { toolchain, .. }) = updated;
            return Ok(toolchain);
        }
    };
    Ok(report(outcome, reporter))
}

/// Says how an install ended (a line, and the JSON event); returns the toolchain's name.
fn report(outcome: Outcome, reporter: &Reporter) -> String {
    match outcome {
        Outcome::Installed { toolchain, components, .. } => {
            reporter.info(&format!("toolchain '{toolchain}' installed ({components} components)"));
            reporter.outcome(&Event::ToolchainDone { toolchain: toolchain.as_str(), status: "installed", version: None }, None);
            toolchain.to_string()
        }
        Outcome::Unchanged { toolchain } => {
            reporter.info(&format!("toolchain '{toolchain}' unchanged"));
            reporter.outcome(&Event::ToolchainDone { toolchain: toolchain.as_str(), status: "unchanged", version: None }, None);
            toolchain.to_string()
        }
    }
}

/// `--no-update` on an installed toolchain: its release stays; only the components and targets
/// asked for that it lacks are added from its installed manifest, as `tcup component add` /
/// `target add` add them (nothing else is fetched).
fn add_without_update(env: &Env, toolchain: &LocalName, args: &InstallArgs, reporter: &Reporter) -> anyhow::Result<()> {
    use crate::ops::toolchain::components::Kind;
    let name = Some(toolchain.as_str());
    if !args.components.is_empty() {
        super::component::change(env, name, Kind::Component, &args.components, None, true, reporter)?;
    }
    if !args.targets.is_empty() {
        super::component::change(env, name, Kind::Target, &args.targets, None, true, reporter)?;
    }
    reporter.info(&format!("toolchain '{toolchain}' kept at its installed release (--no-update)"));
    Ok(())
}

/// `toolchain install` without a name: the active toolchain, whatever chose it, installed with
/// what its toolchain file asks for (components, targets, profile) and what the command line
/// adds, through the proxies' own path ([`Session::install`], [`crate::ops::active::auto_install`]).
/// An installed active toolchain only gains what it lacks (rustup 1.29.1 does not update it).
///
/// # Errors
/// Nothing chose a toolchain ([`crate::ops::active::resolve::NoToolchain`], exit 1); the active toolchain
/// is a path or a linked name tcup cannot install; any install failure.
fn install_active(args: &InstallArgs, env: &Env, reporter: &Reporter) -> anyhow::Result<()> {
    let env = &Env { locked: env.locked || args.locked, ..env.clone() };
    let mut here = Session::load(env)?;
    if let Some(host) = &args.host {
        // `--host T` with no name: the active toolchain for T (a lock's second host).
        here.host = crate::ops::active::resolve::LazyHost::fixed(host);
    }
    let mut active = here.active(env, None, "rustc", reporter)?;
    active.components.extend(args.components.iter().cloned());
    active.targets.extend(args.targets.iter().cloned());
    if args.profile.is_some() {
        active.profile.clone_from(&args.profile);
    }
    let Toolchain::Named(name) = active.toolchain.clone() else {
        return Err(crate::error::UsageError(format!(
            "the active toolchain is the directory {} ({}); tcup installs only toolchains by name",
            active.toolchain,
            active.reason.because()
        ))
        .into());
    };
    let was_ready = crate::ops::active::auto_install::ready(env, &active).is_some();
    here.install(env, &active, reporter)?;
    if was_ready {
        reporter.info(&format!("toolchain '{name}' is installed ({})", active.reason.short()));
    }
    after_install(args, env, name.as_str(), reporter)
}

/// `--default` and `--override`: the settings `tcup default` and `tcup override set` write.
fn after_install(args: &InstallArgs, env: &Env, toolchain: &str, reporter: &Reporter) -> anyhow::Result<()> {
    if args.default {
        crate::ops::active::settings::set_default(env, Some(toolchain))?;
        reporter.info(&format!("default toolchain set to {toolchain}"));
    }
    if args.set_override {
        let cwd = crate::ops::active::settings::set_override_here(env, toolchain)?;
        reporter.info(&format!("override toolchain for {} set to {toolchain}", cwd.display()));
    }
    Ok(())
}
