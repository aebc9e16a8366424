//! Command-line interface: clap definitions and one file per command. No logic beyond turning
//! arguments into calls to [`crate::ops`] and printing their results.

mod completions;
mod component;
mod doctor;
mod fetch;
mod init;
mod lock;
mod man;
mod mirror;
mod mirror_sync;
mod output;
mod override_cmd;
pub mod proxy;
mod run;
mod settings_cmd;
mod show;
mod toolchain;
mod toolchain_docs;
mod toolchain_gc;
mod toolchain_manage;
mod update;
mod verify;
mod which;

use clap::{Parser, Subcommand};

use crate::env::Env;
use crate::error::{EXIT_UPDATES_AVAILABLE, EXIT_USAGE, exit_code, one_line};
use crate::progress::{Reporter, Verbosity};

/// tcup installs Rust toolchains, rustup-compatible, and never hangs.
#[derive(Debug, Parser)]
#[command(name = "tcup", version, about, propagate_version = true)]
struct Cli {
    /// Print only warnings and errors.
    #[arg(short, long, global = true, conflicts_with = "verbose", hide = true)]
    quiet: bool,
    /// Also print what tcup decided and why (backends, URLs, reused downloads).
    #[arg(short, long, global = true, hide = true)]
    verbose: bool,
    /// Download backends to use, in order (comma-separated: rustls, curl, native-tls); wins over
    /// TCUP_BACKENDS, RUSTUP_USE_CURL and RUSTUP_USE_RUSTLS.
    #[arg(long, global = true, value_name = "LIST", hide = true)]
    backends: Option<String>,
    /// Output format: text (rustup's) or json (docs/json.md); wins over TCUP_FORMAT.
    #[arg(long, global = true, value_name = "FORMAT", value_parser = ["text", "json"], hide = true)]
    format: Option<String>,
    /// No network at all: only file:// URLs, `tcup fetch`'s manifests and downloads/
    /// (docs/offline.md); also TCUP_OFFLINE=1.
    #[arg(long, global = true, hide = true)]
    offline: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Install, uninstall, list and link toolchains.
    #[command(subcommand)]
    Toolchain(toolchain::ToolchainCommand),
    /// Install toolchains, or the active one (same as `toolchain install`).
    Install(toolchain::InstallArgs),
    /// Uninstall toolchains (same as `toolchain uninstall`).
    #[command(aliases = ["rm", "remove", "delete", "del"])]
    Uninstall(toolchain_manage::UninstallArgs),
    /// Show or set the default toolchain (`none` unsets it).
    Default(settings_cmd::DefaultArgs),
    /// Directory overrides: which toolchain a directory and its subdirectories use.
    #[command(subcommand)]
    Override(override_cmd::OverrideCommand),
    /// Show the active toolchain and why, RUSTUP_HOME, or the profile.
    Show(show::ShowArgs),
    /// Show which binary a command of the active (or given) toolchain runs.
    Which(which::WhichArgs),
    /// Run a command with a given toolchain.
    Run(run::RunArgs),
    /// Change settings: profile, default-host, auto-install, auto-self-update, signature-policy.
    #[command(subcommand)]
    Set(settings_cmd::SetCommand),
    /// Print a shell completion script for tcup or cargo.
    Completions(completions::CompletionsArgs),
    /// Update installed toolchains, downloading only the components that changed.
    #[command(aliases = ["up", "upgrade"])]
    Update(update::UpdateArgs),
    /// Download a toolchain's manifest and archives into RUSTUP_HOME/downloads/, installing nothing.
    Fetch(fetch::FetchArgs),
    /// Pin the toolchain file's channel to one release in rust-toolchain.lock.
    Lock(lock::LockArgs),
    /// Show what `tcup update` would change (downloads manifests only).
    #[command(
        after_help = "Exit status:\n  0   Everything is up to date.\n  100 At least one update is available.\n  1   An error occurred."
    )]
    Check(update::CheckArgs),
    /// Add, remove and list components of an installed toolchain.
    #[command(subcommand)]
    Component(component::ComponentCommand),
    /// Add, remove and list targets (standard libraries) of an installed toolchain.
    #[command(subcommand)]
    Target(component::TargetCommand),
    /// Build dist server directories from installed toolchains.
    #[command(subcommand)]
    Mirror(mirror::MirrorCommand),
    /// Check the download backends against the dist server; `doctor host` explains the host choice.
    Doctor(doctor::DoctorArgs),
    /// Install tcup itself, its proxies and a default toolchain (what `tcup-init` does).
    Init(init::InitArgs),
    /// Manage tcup itself.
    #[command(name = "self", subcommand)]
    SelfCmd(init::SelfCommand),
    /// Show the active (or given) toolchain's man page for a command (rustc, cargo, …).
    Man(toolchain_docs::ManArgs),
    /// Open the active (or given) toolchain's local documentation (`--path`: print where it is).
    Doc(toolchain_docs::DocArgs),
}

/// Runs tcup with the process's arguments and environment; returns the exit code. Called as
/// `tcup-init*` it installs itself; called as a proxy (`rustc`, `cargo`, …) it runs that tool.
pub fn main() -> i32 {
    if let Some(code) = crate::ops::tcup::init::uninstall_helper() {
        return code;
    }
    let args: Vec<std::ffi::OsString> = crate::env::program::args_os();
    let argv0 = args.first().and_then(|a| crate::env::program::program_name(a)).unwrap_or_default().to_owned();
    if argv0.starts_with("tcup-init") {
        return main_init(&args);
    }
    if let Some(tool) = crate::ops::active::run_tool::PROXIES.iter().find(|p| **p == argv0) {
        return proxy::run(tool, args.into_iter().skip(1).collect());
    }
    if argv0 == crate::ops::tcup::rustup_name::NAME && matches!(&args[1..], [a] if a == "--version" || a == "-V") {
        // One line on stdout whose second word is a rustup version: what scripts parse.
        println!("{}", crate::ops::tcup::rustup_name::version_line());
        return 0;
    }
    let (plus, args) = match split_plus(args) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let cli = match parse_tcup(&args, &argv0) {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    let (mut env, reporter) = match setup(cli.quiet, cli.verbose, cli.format.as_deref(), streams_events(&cli.command)) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let reporter = &*reporter;
    env.plus_toolchain = plus;
    if let Some(list) = &cli.backends {
        let Ok(b) = crate::env::parse_backends(list, "--backends") else {
            eprintln!("error: --backends {list:?} is not valid: expected a comma-separated list of rustls, curl, native-tls");
            return EXIT_USAGE;
        };
        env.download.backends = b;
    }
    env.download.offline |= cli.offline;
    let result = match cli.command {
        Command::Toolchain(cmd) => toolchain::run(cmd, cli.verbose, &env, reporter),
        Command::Uninstall(args) => toolchain_manage::uninstall(&args, &env, reporter),
        Command::Default(args) => settings_cmd::default(&args, &env, reporter),
        Command::Override(cmd) => override_cmd::run(&cmd, &env, reporter),
        Command::Show(args) => show::show(&args, cli.verbose, &env, reporter),
        Command::Which(args) => which::which(&args, &env, reporter),
        Command::Run(args) => run::run(&args, &env, reporter),
        Command::Set(cmd) => settings_cmd::set(&cmd, &env, reporter),
        Command::Completions(args) => completions::run(&args),
        Command::Install(args) => toolchain::install(&args, &env, reporter),
        Command::Mirror(cmd) => mirror::run(cmd, &env, reporter),
        Command::Doctor(args) => doctor::run(args, &env, reporter),
        Command::Init(args) => init::run_init(&args, &env, reporter),
        Command::SelfCmd(cmd) => init::run_self(&cmd, &env, reporter),
        Command::Update(args) => update::run(&args, &env, reporter),
        Command::Check(args) => match update::check(&args, &env, reporter) {
            Ok(true) => return EXIT_UPDATES_AVAILABLE,
            Ok(false) => Ok(()),
            Err(e) => Err(e),
        },
        Command::Lock(args) => lock::run(args, &env, reporter),
        Command::Fetch(args) => fetch::run(args, &env, reporter),
        Command::Component(cmd) => component::run_component(cmd, &env, reporter),
        Command::Target(cmd) => component::run_target(cmd, &env, reporter),
        Command::Man(args) => toolchain_docs::man(&args, &env),
        Command::Doc(args) => toolchain_docs::doc(&args, &env, reporter),
    };
    finish(result, reporter)
}

/// `tcup +TOOLCHAIN <command> …` (rustup's `rustup +nightly component add miri`): the toolchain
/// every question of the command answers with, as if named by `+toolchain` on a proxy's command
/// line ([`crate::ops::active::resolve::Reason::CommandLine`]); the rest of the arguments for clap.
///
/// # Errors
/// The name is not a toolchain name: the message names it; exit code 2.
fn split_plus(mut args: Vec<std::ffi::OsString>) -> Result<(Option<String>, Vec<std::ffi::OsString>), i32> {
    let Some(name) = args.get(1).and_then(|a| a.to_str()).and_then(|a| a.strip_prefix('+')).map(str::to_owned) else {
        return Ok((None, args));
    };
    if let Err(e) = crate::dist::name::parse_arg(&name) {
        eprintln!("error: invalid value '{name}' for '+TOOLCHAIN': {e}");
        return Err(EXIT_USAGE);
    }
    args.remove(1);
    Ok((Some(name), args))
}

/// Whether `--format json` makes `command` a JSON Lines event stream (it downloads or packs
/// toolchains) rather than one document.
fn streams_events(command: &Command) -> bool {
    match command {
        Command::Install(_) | Command::Update(_) | Command::Init(_) | Command::Mirror(_) | Command::Fetch(_) => true,
        Command::Toolchain(t) => toolchain::streams_events(t),
        Command::Component(c) => component::component_streams_events(c),
        Command::Target(t) => component::target_streams_events(t),
        _ => false,
    }
}

fn finish(result: anyhow::Result<()>, reporter: &Reporter) -> i32 {
    match result {
        Ok(()) => {
            reporter.done();
            0
        }
        Err(e) => {
            let code = exit_code(&e);
            reporter.failed(&one_line(&e), code);
            code
        }
    }
}

/// `tcup-init …`: the same as `tcup init …`.
fn main_init(args: &[std::ffi::OsString]) -> i32 {
    let cli = match parse::<init::InitCli>(args) {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    match setup(cli.quiet, cli.verbose, cli.format.as_deref(), true) {
        Ok((env, reporter)) => finish(init::run_init(&cli.args, &env, &reporter), &reporter),
        Err(code) => code,
    }
}

/// `tcup`'s arguments. Global options are listed once, in `tcup --help` ([`GLOBAL_HELP`]): they
/// are hidden from the generated option lists, so no subcommand's help repeats them (they are
/// still accepted anywhere on the command line).
/// Called as `rustup` (the `--as-rustup` link), usage and help say `rustup`.
fn parse_tcup(args: &[std::ffi::OsString], argv0: &str) -> Result<Cli, i32> {
    use clap::{CommandFactory, FromArgMatches};
    let mut cmd = Cli::command().after_help(GLOBAL_HELP);
    if argv0 == crate::ops::tcup::rustup_name::NAME {
        cmd = cmd.name(crate::ops::tcup::rustup_name::NAME).bin_name(crate::ops::tcup::rustup_name::NAME);
    }
    cmd.try_get_matches_from(args).and_then(|m| Cli::from_arg_matches(&m)).map_err(|e| {
        if e.use_stderr() && output::wants_json(args) {
            let text = e.render().to_string();
            eprintln!("{}", output::error_line(text.trim_end().trim_start_matches("error: "), EXIT_USAGE));
            return EXIT_USAGE;
        }
        let _ = e.print();
        if e.use_stderr() { EXIT_USAGE } else { 0 }
    })
}

/// The global options' section of `tcup --help` (the doc comments on [`Cli`]'s fields, laid out
/// for 80 columns).
const GLOBAL_HELP: &str = "\
The toolchain for one command: tcup +TOOLCHAIN <COMMAND> (e.g. tcup +nightly
component add miri); it wins over RUSTUP_TOOLCHAIN, overrides and files.

Global options (anywhere on the command line):
  -q, --quiet            Print only warnings and errors
  -v, --verbose          Also print what tcup decided and why (backends,
                         URLs, reused downloads)
      --backends <LIST>  Download backends to use, in order (comma-separated:
                         rustls, curl, native-tls); wins over TCUP_BACKENDS,
                         RUSTUP_USE_CURL and RUSTUP_USE_RUSTLS
      --format <FORMAT>  Output format: text (rustup's) or json
                         (docs/json.md); wins over TCUP_FORMAT
      --offline          No network at all: only file:// URLs, what `tcup
                         fetch` stored and downloads/ (also TCUP_OFFLINE=1)";

/// Parses arguments; on failure prints clap's message and returns the exit code (0 for
/// `--help`/`--version`, 2 for usage errors).
fn parse<P: Parser>(args: &[std::ffi::OsString]) -> Result<P, i32> {
    P::try_parse_from(args).map_err(|e| {
        let _ = e.print();
        if e.use_stderr() { EXIT_USAGE } else { 0 }
    })
}

/// Exit code after Ctrl-C (128 + SIGINT), as shells report it.
const EXIT_INTERRUPTED: i32 = 130;

/// Reads the environment (exit 2 on a bad value), makes the reporter, and makes Ctrl-C exit 130
/// at once with one line saying what the interrupted work left behind.
fn setup(quiet: bool, verbose: bool, format: Option<&str>, events: bool) -> Result<(Env, std::sync::Arc<Reporter>), i32> {
    let mut env = Env::from_process().map_err(|e| {
        if format == Some("json") {
            eprintln!("{}", output::error_line(&e.to_string(), EXIT_USAGE));
        } else {
            eprintln!("error: {e}");
        }
        EXIT_USAGE
    })?;
    match format {
        Some("json") => env.format = crate::env::OutputFormat::Json,
        Some(_) => env.format = crate::env::OutputFormat::Text,
        None => {}
    }
    let verbosity = if quiet {
        Verbosity::Quiet
    } else if verbose {
        Verbosity::Verbose
    } else {
        Verbosity::Normal
    };
    let reporter = std::sync::Arc::new(Reporter::for_format(&env, verbosity, events));
    let on_interrupt = std::sync::Arc::clone(&reporter);
    // Fails only when a handler is already set (a second setup in one process): keep that one.
    let _ = ctrlc::set_handler(move || on_interrupt.exit_interrupted(EXIT_INTERRUPTED));
    Ok((env, reporter))
}
