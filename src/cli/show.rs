//! `tcup show [active-toolchain|home|profile]`, `tcup which CMD`, `tcup run T CMD…`: what is
//! active and why, where a tool is, and running a tool of a chosen toolchain. All ask
//! [`crate::ops::resolve`], as the proxies do.

use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use crate::env::Env;
use crate::home::ToolchainDir;
use crate::ops::auto_install::{self, Ensure};
use crate::ops::resolve::{self, Active, Reason};
use crate::ops::session::Session;
use crate::ops::tool_proxy;
use crate::progress::Reporter;

#[derive(Debug, Args)]
pub(super) struct ShowArgs {
    #[command(subcommand)]
    what: Option<ShowWhat>,
}

#[derive(Debug, Subcommand)]
enum ShowWhat {
    /// The active toolchain and why it is active (`-v`: also its compiler and path).
    ActiveToolchain,
    /// RUSTUP_HOME.
    Home,
    /// The profile used for new installs.
    Profile,
}

#[derive(Debug, Args)]
pub(super) struct WhichArgs {
    /// The tool, e.g. rustc or cargo.
    command: String,
    /// Toolchain to look in instead of the active one.
    #[arg(long, value_name = "TOOLCHAIN", value_parser = crate::dist::name::parse_arg)]
    toolchain: Option<String>,
}

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

pub(super) fn show(args: &ShowArgs, verbose: bool, env: &Env, reporter: &Reporter) -> anyhow::Result<()> {
    let here = Session::load(env)?;
    match args.what {
        Some(ShowWhat::Home) => println!("{}", env.rustup_home.display()),
        Some(ShowWhat::Profile) => println!("{}", here.settings.profile.as_deref().unwrap_or("default")),
        Some(ShowWhat::ActiveToolchain) => {
            let active = resolve::active(&here.ctx(env), None)?.ok_or_else(|| anyhow::anyhow!("no active toolchain"))?;
            for w in &active.warnings {
                reporter.warn(w);
            }
            let dir = installed_dir(env, &here, &active, reporter)?;
            if verbose {
                println!("{}\nactive because: {}", active.toolchain, active.reason.because());
                println!("compiler: {}\npath: {}", compiler_version(&dir), dir.display());
            } else {
                println!("{} ({})", active.toolchain, active.reason.short());
            }
        }
        None => show_all(&here, env, reporter)?,
    }
    Ok(())
}

fn show_all(here: &Session, env: &Env, reporter: &Reporter) -> anyhow::Result<()> {
    println!("Default host: {}", here.host.get());
    println!("rustup home:  {}\n", env.rustup_home.display());
    println!("installed toolchains\n--------------------");
    let active = resolve::active(&here.ctx(env), None)?;
    for line in super::toolchain_manage::list_lines(env, here, active.as_ref(), false) {
        println!("{line}");
    }
    println!("\nactive toolchain\n----------------");
    let Some(active) = active else {
        println!("no active toolchain");
        return Ok(());
    };
    for w in &active.warnings {
        reporter.warn(w);
    }
    println!("name: {}\nactive because: {}\ninstalled targets:", active.toolchain, active.reason.because());
    if let Some(dir) = resolve::locate(&env.rustup_home, &active.toolchain) {
        for target in ToolchainDir::at(dir).component_names().iter().filter_map(|l| l.strip_prefix("rust-std-")) {
            println!("  {target}");
        }
    }
    Ok(())
}

/// The directory of an installed `active`, or the error a proxy gives when it is not installed
/// (components the toolchain file asks for are not checked: showing installs nothing).
fn installed_dir(env: &Env, here: &Session, active: &Active, reporter: &Reporter) -> anyhow::Result<PathBuf> {
    let bare = Active { components: Vec::new(), targets: Vec::new(), ..active.clone() };
    auto_install::ensure(env, &here.settings, &bare, &Ensure { allow_install: false, set_aside: &[], reporter })
}

fn compiler_version(dir: &Path) -> String {
    std::process::Command::new(dir.join("bin/rustc"))
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map_or_else(|| "(rustc did not run)".to_owned(), |o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
}

pub(super) fn which(args: &WhichArgs, env: &Env, reporter: &Reporter) -> anyhow::Result<()> {
    let here = Session::load(env)?;
    let active = here.active(env, args.toolchain.as_deref(), &args.command, reporter)?;
    let dir = installed_dir(env, &here, &active, reporter)?;
    let official = active.toolchain.channel_name().is_some();
    let found = tool_proxy::command(&args.command, env, &dir, &active.toolchain.to_string(), official, None)?;
    println!("{}", found.program.display());
    Ok(())
}

pub(super) fn run(args: &RunArgs, env: &Env, reporter: &Reporter) -> anyhow::Result<()> {
    let here = Session::load(env)?;
    let toolchain = resolve::toolchain(&args.toolchain, &here.host, &Reason::CommandLine)?;
    let active = Active::plain(toolchain, Reason::CommandLine);
    let dir = if args.install { here.install(env, &active, reporter)? } else { installed_dir(env, &here, &active, reporter)? };
    reporter.finish();
    let vars = tool_proxy::vars(env, &dir, &active.toolchain.to_string(), std::env::var_os("PATH").as_deref());
    let (cmd, rest) = args.command.split_first().expect("clap requires a command");
    let own = dir.join("bin").join(cmd);
    let program = if own.is_file() { own.into_os_string() } else { cmd.clone() };
    let err = std::process::Command::new(&program).args(rest).envs(vars.iter().map(|(k, v)| (*k, v))).exec();
    Err(anyhow::anyhow!("could not run {}: {err}", Path::new(&program).display()))
}
