//! `tcup update [TOOLCHAIN…]` and `tcup check`.

use clap::Args;

use crate::download::Downloader;
use crate::env::Env;
use crate::home::Home;
use crate::ops::self_update;
use crate::ops::session::Session;
use crate::ops::update::{self, Additions, Updated};
use crate::progress::Reporter;

#[derive(Debug, Args)]
pub(super) struct UpdateArgs {
    /// Toolchains to update (default: every installed stable, beta and nightly toolchain; dated and
    /// versioned ones cannot change).
    #[arg(value_name = "TOOLCHAIN", value_parser = crate::dist::name::parse_arg)]
    names: Vec<String>,
    /// Accepted for rustup compatibility; tcup updates itself with `tcup self update`.
    #[arg(long, hide = true)]
    no_self_update: bool,
}

pub(super) fn run(args: &UpdateArgs, env: &Env, reporter: &Reporter) -> anyhow::Result<()> {
    let names = if args.names.is_empty() {
        Home::new(&env.rustup_home).channel_toolchains()
    } else {
        let session = Session::load(env)?;
        args.names.iter().map(|n| session.installed_name(env, Some(n))).collect::<anyhow::Result<Vec<_>>>()?
    };
    if names.is_empty() {
        reporter.info("no channel toolchains installed (stable, beta, nightly); nothing to update");
        return Ok(());
    }
    let downloader = Downloader::new(&env.download)?;
    let mut first_err = None;
    for name in names {
        match update::update(env, &name, &Additions::default(), &downloader, reporter) {
            Ok(u) => print_updated(&u),
            Err(e) => {
                println!("  {name} update failed");
                reporter.warn(&crate::error::one_line(&e));
                first_err.get_or_insert(e);
            }
        }
    }
    first_err.map_or(Ok(()), Err)
}

/// rustup's summary line: `  <toolchain> unchanged - rustc …` / `updated - rustc … (from rustc …)`.
pub(super) fn print_updated(u: &Updated) {
    match u {
        Updated::Unchanged { toolchain, version } => println!("  {toolchain} unchanged - rustc {version}"),
        Updated::Updated { toolchain, from, to, fetched, linked } => {
            println!("  {toolchain} updated - rustc {to} (from rustc {from}; {fetched} components downloaded, {linked} unchanged)");
        }
    }
}

#[derive(Debug, Args)]
pub(super) struct CheckArgs {
    /// Don't check for a tcup update (as `rustup check --no-self-update`).
    #[arg(long)]
    no_self_update: bool,
}

/// Prints a line per channel toolchain, then one for tcup itself; returns whether any update is
/// available (exit status 100, as `rustup check`). A tcup update that cannot be checked (no
/// update root reachable) is a warning: the toolchains were still checked.
pub(super) fn check(args: &CheckArgs, env: &Env, reporter: &Reporter) -> anyhow::Result<bool> {
    let downloader = Downloader::new(&env.download)?;
    let mut available = false;
    for line in update::check(env, &downloader, reporter)? {
        if line.changed {
            available = true;
            println!("{} - update available: {} -> {}", line.toolchain, line.from, line.to);
            let fetch = if line.fetch.is_empty() { "nothing".to_owned() } else { line.fetch.join(", ") };
            println!("  would download: {fetch}; {} unchanged", line.keep);
        } else {
            println!("{} - up to date: {}", line.toolchain, line.to);
        }
    }
    if !args.no_self_update {
        let triple = self_update::published_triple(crate::BUILD_TRIPLE);
        match self_update::update_available(env, &triple, &downloader, reporter) {
            Ok(None) => {}
            Ok(Some(false)) => println!("tcup - up to date: {}", crate::VERSION),
            Ok(Some(true)) => {
                available = true;
                println!("tcup - update available: {} -> the build published in {}", crate::VERSION, env.update_root);
            }
            // One short line (the full chain names the URL twice and wraps over five lines at 80
            // columns); --verbose adds it.
            Err(e) => {
                reporter.warn("could not check for a tcup update (`tcup --verbose check` says why)");
                reporter.verbose(&format!("update root {}: {}", env.update_root, crate::error::one_line(&e)));
            }
        }
    }
    Ok(available)
}
