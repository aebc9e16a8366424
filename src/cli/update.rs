//! `tcup update [TOOLCHAIN…]` and `tcup check`, each then about tcup itself as `tcup set
//! auto-self-update` says ([`self_update::mode`]).

use clap::Args;
use serde::Serialize;
use std::fmt::Write as _;

use super::output::{self, Document, ToolchainRef};

use crate::env::Env;
use crate::ops::active::context::Session;
use crate::ops::tcup::self_update;
use crate::ops::toolchain::update::{self, Additions, Updated};
use crate::progress::Reporter;
use crate::progress::events::Event;

// Each bool is one flag of rustup's `update`.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Args)]
pub(super) struct UpdateArgs {
    /// Toolchains to update (default: every installed stable, beta and nightly toolchain; dated and
    /// versioned ones cannot change).
    #[arg(value_name = "TOOLCHAIN", value_parser = crate::dist::name::parse_arg)]
    names: Vec<String>,
    /// Leave tcup itself alone, whatever `tcup set auto-self-update` says (by default tcup only
    /// says when a new tcup is published).
    #[arg(long)]
    no_self_update: bool,
    /// Accepted for rustup's scripts, no effect: an update that would lose a component fails
    /// and leaves the toolchain as it was, with or without it.
    #[arg(long, hide = true)]
    force: bool,
    /// Accepted for rustup's scripts: a toolchain for another host is updated anyway.
    #[arg(long, hide = true)]
    force_non_host: bool,
    /// Allow a toolchain to move to an older release than it has (a dist server offering an
    /// older manifest is otherwise refused).
    #[arg(long)]
    allow_downgrade: bool,
}

pub(super) fn run(args: &UpdateArgs, env: &Env, reporter: &Reporter) -> anyhow::Result<()> {
    let names = if args.names.is_empty() {
        update::channel_toolchains(env)
    } else {
        let session = Session::load(env)?;
        args.names.iter().map(|n| session.installed_name(env, Some(n))).collect::<anyhow::Result<Vec<_>>>()?
    };
    // rustup updates itself after the toolchains when no name is given.
    let tcup_too = args.names.is_empty() && !args.no_self_update;
    if names.is_empty() {
        reporter.info("no channel toolchains installed (stable, beta, nightly); nothing to update");
        return if tcup_too { update_tcup(env, reporter) } else { Ok(()) };
    }
    let downloader = crate::ops::downloader(env)?;
    // Several toolchains: their manifests at once, then the changes one after another (each
    // holds the home lock); a no-change update of three channels costs one round trip.
    let mut prefetched: Vec<Option<anyhow::Result<_>>> = if names.len() > 1 {
        update::fetch_channels(env, &names, &downloader, reporter).into_iter().map(Some).collect()
    } else {
        vec![None]
    };
    let mut first_err = None;
    for (name, fetched) in names.into_iter().zip(prefetched.drain(..)) {
        let add = Additions { allow_downgrade: args.allow_downgrade, ..Additions::default() };
        match update::update_with(env, &name, &add, fetched, &downloader, reporter) {
            Ok(u) => print_updated(&u, reporter),
            Err(e) => {
                let event = Event::ToolchainDone { toolchain: name.as_str(), status: "failed", version: None };
                reporter.outcome(&event, Some(&format!("  {name} update failed")));
                reporter.warn(&crate::error::one_line(&e));
                first_err.get_or_insert(e);
            }
        }
    }
    if let Some(e) = first_err {
        return Err(e);
    }
    if tcup_too { update_tcup(env, reporter) } else { Ok(()) }
}

/// After `tcup update` of every toolchain: tcup itself, as `auto_self_update` says
/// ([`self_update::mode`]): `enable` runs `tcup self update`, `check-only` says whether the update
/// root publishes another build (a root that cannot be read is a warning), `disable` does
/// nothing. A tcup that is not installed in `CARGO_HOME/bin` (a build directory's) is left alone.
fn update_tcup(env: &Env, reporter: &Reporter) -> anyhow::Result<()> {
    use self_update::AutoSelfUpdate;
    let mode = self_update::mode(env)?;
    if mode == AutoSelfUpdate::Disable || !env.cargo_home.join("bin").join(crate::env::program::exe("tcup")).is_file() {
        return Ok(());
    }
    let triple = crate::ops::tcup::update_root::published_triple(crate::BUILD_TRIPLE);
    let downloader = crate::ops::downloader(env)?;
    if mode == AutoSelfUpdate::Enable {
        reporter.info(&format!("checking for a tcup update for {triple} in {}", env.update_root));
        match self_update::self_update(env, &triple, &downloader, reporter)? {
            self_update::Outcome::UpToDate => reporter.info(&format!("tcup is up to date (tcup {})", crate::VERSION)),
            self_update::Outcome::Updated { version } => reporter.info(&format!("updated tcup to {version}")),
        }
        return Ok(());
    }
    match self_update::update_available(env, &triple, &downloader, reporter) {
        Ok(Some(true)) => reporter.info(&format!(
            "tcup - update available: {} -> the build published in {} (`tcup self update` installs it)",
            crate::VERSION,
            env.update_root
        )),
        Ok(_) => {}
        Err(e) => {
            reporter.warn("could not check for a tcup update (`tcup --verbose update` says why)");
            reporter.verbose(&format!("update root {}: {}", env.update_root, crate::error::one_line(&e)));
        }
    }
    Ok(())
}

/// rustup's summary line: `  <toolchain> unchanged - rustc …` / `updated - rustc … (from rustc …)`.
/// In JSON, a `toolchain_done` event.
pub(super) fn print_updated(u: &Updated, reporter: &Reporter) {
    match u {
        Updated::Unchanged { toolchain, version } => {
            let event = Event::ToolchainDone { toolchain: toolchain.as_str(), status: "unchanged", version: Some(version) };
            reporter.outcome(&event, Some(&format!("  {toolchain} unchanged - rustc {version}")));
        }
        Updated::Updated { toolchain, from, to, fetched, linked } => {
            let event = Event::ToolchainDone { toolchain: toolchain.as_str(), status: "updated", version: Some(to) };
            let line =
                format!("  {toolchain} updated - rustc {to} (from rustc {from}; {fetched} components downloaded, {linked} unchanged)");
            reporter.outcome(&event, Some(&line));
        }
    }
}

#[derive(Debug, Args)]
pub(super) struct CheckArgs {
    /// Don't check for a tcup update (as `rustup check --no-self-update`; `tcup set
    /// auto-self-update disable` makes it the default).
    #[arg(long)]
    no_self_update: bool,
}

/// Prints a line per channel toolchain, then one for tcup itself; returns whether any update is
/// available (exit status 100, as `rustup check`). A tcup update that cannot be checked (no
/// update root reachable) is a warning: the toolchains were still checked.
pub(super) fn check(args: &CheckArgs, env: &Env, reporter: &Reporter) -> anyhow::Result<bool> {
    let downloader = crate::ops::downloader(env)?;
    let toolchains: Vec<CheckedToolchain> = update::check(env, &downloader, reporter)?
        .into_iter()
        .map(|line| CheckedToolchain {
            toolchain: ToolchainRef::named(&line.toolchain),
            update_available: line.changed,
            installed_version: line.from,
            available_version: line.to,
            would_download: line.fetch,
            unchanged: line.keep,
            downgrade: line.downgrade.map(|d| d.to_string()),
        })
        .collect();
    let mut tcup = None;
    let mode = self_update::mode(env)?;
    if !args.no_self_update && mode != self_update::AutoSelfUpdate::Disable {
        let triple = crate::ops::tcup::update_root::published_triple(crate::BUILD_TRIPLE);
        match self_update::update_available(env, &triple, &downloader, reporter) {
            Ok(None) => {}
            Ok(Some(available)) => {
                tcup = Some(CheckedTcup { version: crate::VERSION, update_available: available, update_root: env.update_root.to_string() });
            }
            // One short line (the full chain names the URL twice and wraps over five lines at 80
            // columns); --verbose adds it.
            Err(e) => {
                reporter.warn("could not check for a tcup update (`tcup --verbose check` says why)");
                reporter.verbose(&format!("update root {}: {}", env.update_root, crate::error::one_line(&e)));
            }
        }
    }
    let update_available = toolchains.iter().any(|t| t.update_available) || tcup.as_ref().is_some_and(|t| t.update_available);
    let refused = toolchains.iter().find_map(|t| t.downgrade.clone());
    output::print(env, &CheckDoc { toolchains, tcup, update_available });
    // A dist server that offers an older release than installed is reported and fails the check.
    match refused {
        Some(d) => Err(anyhow::anyhow!(d)),
        None => Ok(update_available),
    }
}

/// `check`: what `tcup update` (and `tcup self update`) would change.
#[derive(Serialize)]
struct CheckDoc {
    /// One entry per channel toolchain.
    toolchains: Vec<CheckedToolchain>,
    /// tcup itself (`null` with `--no-self-update` or when the update root could not be read).
    tcup: Option<CheckedTcup>,
    /// Whether anything would change (the exit status is then 100).
    update_available: bool,
}

#[derive(Serialize)]
struct CheckedToolchain {
    #[serde(flatten)]
    toolchain: ToolchainRef,
    update_available: bool,
    /// rustc version installed (`1.95.0 (59807616e 2026-04-14)`).
    installed_version: String,
    /// rustc version on the dist server.
    available_version: String,
    /// Components an update would download.
    would_download: Vec<String>,
    /// How many components it would keep.
    unchanged: usize,
    /// Why the dist server's manifest is refused as a downgrade (`null` when it is not one).
    downgrade: Option<String>,
}

#[derive(Serialize)]
struct CheckedTcup {
    version: &'static str,
    update_available: bool,
    update_root: String,
}

impl Document for CheckDoc {
    fn text(&self) -> String {
        let mut out = String::new();
        for t in &self.toolchains {
            if let Some(d) = &t.downgrade {
                let _ = writeln!(out, "{} - refused: {d}", t.toolchain.name);
            } else if t.update_available {
                let _ = writeln!(out, "{} - update available: {} -> {}", t.toolchain.name, t.installed_version, t.available_version);
                let fetch = if t.would_download.is_empty() { "nothing".to_owned() } else { t.would_download.join(", ") };
                let _ = writeln!(out, "  would download: {fetch}; {} unchanged", t.unchanged);
            } else {
                let _ = writeln!(out, "{} - up to date: {}", t.toolchain.name, t.available_version);
            }
        }
        match &self.tcup {
            Some(t) if t.update_available => {
                let _ = writeln!(out, "tcup - update available: {} -> the build published in {}", t.version, t.update_root);
            }
            Some(t) => {
                let _ = writeln!(out, "tcup - up to date: {}", t.version);
            }
            None => {}
        }
        out
    }
}
