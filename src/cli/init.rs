//! `tcup-init` / `tcup init` (rustup-init's flags), `tcup self uninstall`/`update`, and the proxy entry
//! point (tcup called as `rustc`, `cargo`, …).

use std::ffi::OsString;
use std::io::{BufRead, IsTerminal, Write};
use std::os::unix::process::CommandExt;

use clap::{Args, Parser, Subcommand};

use crate::dist::name::ToolchainName;
use crate::env::Env;
use crate::error::UsageError;
use crate::host::{self, Decision};
use crate::install::receipts;
use crate::ops::init::{self, InitOptions};
use crate::ops::proxy;
use crate::ops::self_update::{self, Outcome};
use crate::progress::Reporter;

/// tcup-init: install tcup, its proxies (rustc, cargo, …) and a default Rust toolchain.
#[derive(Debug, Parser)]
#[command(name = "tcup-init", version)]
pub(super) struct InitCli {
    /// Print only warnings and errors.
    #[arg(short, long)]
    pub(super) quiet: bool,
    /// Also print what tcup decided and why.
    #[arg(short, long)]
    pub(super) verbose: bool,
    #[command(flatten)]
    pub(super) args: InitArgs,
}

#[derive(Debug, Args)]
pub(super) struct InitArgs {
    /// Do not ask: install with the defaults and the options given.
    #[arg(short = 'y')]
    yes: bool,
    /// Toolchain to install and make the default, or `none`.
    #[arg(long, value_name = "NAME", default_value = "stable")]
    default_toolchain: String,
    /// Profile: minimal, default or complete.
    #[arg(long, default_value = "default")]
    profile: String,
    /// Host triple to install for instead of the detected one.
    #[arg(long, value_name = "TRIPLE")]
    default_host: Option<String>,
    /// Extra component; repeatable.
    #[arg(short, long = "component", value_delimiter = ',')]
    components: Vec<String>,
    /// Extra target; repeatable.
    #[arg(short, long = "target", value_delimiter = ',')]
    targets: Vec<String>,
    /// Do not add CARGO_HOME/bin to PATH in shell start-up files.
    #[arg(long)]
    no_modify_path: bool,
    /// Keep the current default toolchain if one is set.
    #[arg(long)]
    no_update_default_toolchain: bool,
}

#[derive(Debug, Subcommand)]
pub(super) enum SelfCommand {
    /// Remove tcup, its proxies, every toolchain, both homes, and the PATH lines it added.
    Uninstall {
        /// Do not ask for confirmation.
        #[arg(short = 'y')]
        yes: bool,
    },
    /// Replace tcup and its proxies with the newest build from the update root
    /// (TCUP_UPDATE_ROOT, else RUSTUP_UPDATE_ROOT), checked against its SHA-256.
    Update,
}

pub(super) fn run_init(args: &InitArgs, env: &Env, reporter: &Reporter) -> anyhow::Result<()> {
    let detected = host::detect(&env.host_root, env.host_machine.as_deref());
    let mut opts = InitOptions {
        toolchain: toolchain(&args.default_toolchain)?,
        profile: args.profile.clone(),
        components: args.components.clone(),
        targets: args.targets.clone(),
        host: args.default_host.clone(),
        modify_path: !args.no_modify_path,
        update_default: !args.no_update_default_toolchain,
    };
    if !(args.yes || env.init_yes) {
        if !std::io::stdin().is_terminal() {
            return Err(UsageError("standard input is not a terminal, so tcup-init cannot ask; run it with -y (or TCUP_INIT_YES=1) to install without questions".into()).into());
        }
        if !confirm(env, &detected, &mut opts)? {
            reporter.info("installation cancelled");
            return Ok(());
        }
    }
    let exe = std::env::current_exe()?;
    let report = init::self_install(env, &opts, &exe, &detected, reporter)?;
    if let Some(tc) = &report.toolchain {
        #[allow(clippy::cast_precision_loss)]
        let mib = report.toolchain_bytes as f64 / (1024.0 * 1024.0);
        reporter.info(&format!("installed toolchain '{tc}' ({mib:.0} MiB on disk)"));
    }
    for f in &report.edited {
        reporter.info(&format!("added CARGO_HOME/bin to PATH in {}", f.display()));
    }
    reporter.info(&format!("Rust is installed. To use it in this shell, run: . \"{}\"", env.cargo_home.join("env").display()));
    Ok(())
}

fn toolchain(name: &str) -> anyhow::Result<Option<ToolchainName>> {
    if name == "none" { Ok(None) } else { Ok(Some(name.parse()?)) }
}

/// Shows the plan and asks: proceed, customise, or cancel.
fn confirm(env: &Env, detected: &host::Report, opts: &mut InitOptions) -> anyhow::Result<bool> {
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let mut ask = |q: &str| -> anyhow::Result<String> {
        eprint!("{q}");
        std::io::stderr().flush()?;
        Ok(lines.next().transpose()?.unwrap_or_default().trim().to_owned())
    };
    loop {
        let host = opts.host.clone().unwrap_or_else(|| match &detected.decision {
            Decision::Host { triple, .. } => triple.clone(),
            Decision::Refused { detected, .. } => format!("{detected} (no toolchain exists for it)"),
        });
        eprintln!("\ntcup will install:");
        eprintln!("  tcup and the proxies (rustc, cargo, …) in  {}", env.cargo_home.join("bin").display());
        eprintln!("  toolchains and settings in                {}", env.rustup_home.display());
        eprintln!("  host triple:                              {host}");
        eprintln!(
            "  default toolchain:                        {}",
            opts.toolchain.as_ref().map_or_else(|| "none".to_owned(), ToString::to_string)
        );
        eprintln!("  profile:                                  {}", opts.profile);
        eprintln!("  modify PATH in shell start-up files:      {}", if opts.modify_path { "yes" } else { "no" });
        eprintln!("\n1) Proceed with installation (default)\n2) Customise installation\n3) Cancel installation");
        match ask("> ")?.as_str() {
            "" | "1" => return Ok(true),
            "3" => return Ok(false),
            "2" => {
                let tc = ask("Default toolchain (stable, beta, nightly, 1.95.0, none) [stable]: ")?;
                opts.toolchain = toolchain(if tc.is_empty() { "stable" } else { &tc })?;
                let p = ask("Profile (minimal, default, complete) [default]: ")?;
                opts.profile = if p.is_empty() { "default".into() } else { p };
                let m = ask("Modify PATH? (Y/n): ")?;
                opts.modify_path = !m.eq_ignore_ascii_case("n");
            }
            _ => eprintln!("please answer 1, 2 or 3"),
        }
    }
}

pub(super) fn run_self(cmd: &SelfCommand, env: &Env, reporter: &Reporter) -> anyhow::Result<()> {
    let yes = match *cmd {
        SelfCommand::Uninstall { yes } => yes,
        SelfCommand::Update => return self_update(env, reporter),
    };
    if !yes {
        if !std::io::stdin().is_terminal() {
            return Err(UsageError(
                "standard input is not a terminal; run `tcup self uninstall -y` to uninstall without a question".into(),
            )
            .into());
        }
        eprint!("Remove {} and {} (all toolchains)? (y/N) ", env.cargo_home.display(), env.rustup_home.display());
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer)?;
        if !answer.trim().eq_ignore_ascii_case("y") {
            return Ok(());
        }
    }
    for f in init::self_uninstall(env)? {
        reporter.info(&format!("restored {}", f.display()));
    }
    reporter.info("tcup is uninstalled");
    Ok(())
}

fn self_update(env: &Env, reporter: &Reporter) -> anyhow::Result<()> {
    let triple = self_update::published_triple(crate::BUILD_TRIPLE);
    reporter.info(&format!("checking for a tcup update for {triple} in {}", env.update_root));
    let downloader = crate::download::Downloader::new(env)?;
    match self_update::self_update(env, &triple, &downloader, reporter)? {
        Outcome::UpToDate => reporter.info(&format!("tcup is up to date (tcup {})", crate::VERSION)),
        Outcome::Updated { version } => {
            reporter.info(&format!("updated tcup and its proxies in {} to {version}", env.cargo_home.join("bin").display()));
        }
    }
    Ok(())
}

/// tcup called as a proxy: runs `tool` from the active toolchain, replacing this process.
pub(super) fn run_proxy(tool: &str, args: Vec<OsString>) -> i32 {
    let env = match Env::from_process() {
        Ok(env) => env,
        Err(e) => {
            eprintln!("error: {e}");
            return crate::error::EXIT_USAGE;
        }
    };
    let default_host = receipts::setting(&env.rustup_home, "default_host_triple").unwrap_or_else(|| {
        match host::detect(&env.host_root, env.host_machine.as_deref()).decision {
            Decision::Host { triple, .. } => triple,
            Decision::Refused { detected, .. } => detected,
        }
    });
    let resolved = match proxy::resolve(tool, args, &env, std::env::var_os("PATH").as_deref(), &default_host) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return crate::error::EXIT_FAILURE;
        }
    };
    let err = std::process::Command::new(&resolved.program).args(&resolved.args).envs(resolved.vars.iter().map(|(k, v)| (*k, v))).exec();
    eprintln!("error: {}", host::run_check::diagnose_spawn(&resolved.program, &err, &default_host));
    crate::error::EXIT_FAILURE
}
