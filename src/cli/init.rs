//! `tcup-init` / `tcup init` (rustup-init's flags), `tcup self uninstall`/`update`, and the proxy entry
//! point (tcup called as `rustc`, `cargo`, …).

use std::fmt::Write as _;
use std::io::{BufRead, IsTerminal, Write};

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};

use crate::dist::name::ToolchainName;
use crate::env::Env;
use crate::error::UsageError;
use crate::ops::tcup::init::{self, Decision, InitOptions, Report};
use crate::ops::tcup::path_edit::PathChange;
use crate::ops::tcup::self_update::{self, Outcome};
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
    /// Output format: text, or json (JSON Lines events, docs/json.md).
    #[arg(long, value_name = "FORMAT", value_parser = ["text", "json"])]
    pub(super) format: Option<String>,
    #[command(flatten)]
    pub(super) args: InitArgs,
}

// Each bool is one `--no-…`/`-y` flag of rustup-init's command line.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Args)]
pub(super) struct InitArgs {
    /// Do not ask: install with the defaults and the options given.
    #[arg(short = 'y')]
    yes: bool,
    /// Toolchain to install and make the default, or `none`.
    #[arg(long, value_name = "TOOLCHAIN", default_value = "stable")]
    default_toolchain: String,
    /// Profile: minimal, default or complete.
    #[arg(long, value_name = "PROFILE", default_value = "default")]
    profile: String,
    /// Host triple to install for instead of the detected one.
    #[arg(long, value_name = "TRIPLE")]
    default_host: Option<String>,
    /// Add a component (e.g. rustfmt, rust-src, clippy); repeatable.
    #[arg(short, long = "component", value_name = "COMPONENT", value_delimiter = ',')]
    components: Vec<String>,
    /// Add the standard library for a target triple; repeatable.
    #[arg(short, long = "target", value_name = "TARGET", value_delimiter = ',')]
    targets: Vec<String>,
    /// Do not add CARGO_HOME/bin to PATH in shell start-up files.
    #[arg(long)]
    no_modify_path: bool,
    /// Keep the current default toolchain if one is set.
    #[arg(long)]
    no_update_default_toolchain: bool,
    /// Do not install man pages under CARGO_HOME/share/man.
    #[arg(long)]
    no_man: bool,
    /// Also install a `rustup` in CARGO_HOME/bin that is tcup answering as rustup (for CI
    /// actions and scripts that run `rustup`); a real rustup there is left as it is.
    #[arg(long)]
    as_rustup: bool,
}

#[derive(Debug, Subcommand)]
pub(super) enum SelfCommand {
    /// Remove tcup, its proxies, every toolchain, RUSTUP_HOME and the PATH lines it added
    /// (programs that `cargo install` put in CARGO_HOME/bin stay).
    Uninstall {
        /// Do not ask for confirmation.
        #[arg(short = 'y', long)]
        yes: bool,
        /// Leave the PATH lines in shell start-up files.
        #[arg(long)]
        no_modify_path: bool,
    },
    /// Replace tcup and its proxies with the newest build from the update root
    /// (TCUP_UPDATE_ROOT, else RUSTUP_UPDATE_ROOT), checked against its signature.
    #[command(alias = "up")]
    Update,
    /// Write tcup's own man pages (tcup(1) and one per subcommand) into a directory.
    ManPages(super::man::ManArgs),
}

pub(super) fn run_init(args: &InitArgs, env: &Env, reporter: &Reporter) -> anyhow::Result<()> {
    crate::dist::select::check_profile(&args.profile)?;
    let detected = crate::ops::active::host_choice::detect_host(env);
    let mut opts = InitOptions {
        toolchain: toolchain(&args.default_toolchain)?,
        profile: args.profile.clone(),
        components: args.components.clone(),
        targets: args.targets.clone(),
        host: args.default_host.clone(),
        modify_path: !args.no_modify_path,
        update_default: !args.no_update_default_toolchain,
        as_rustup: args.as_rustup,
    };
    let mut man = !args.no_man && init::man_pages_by_default();
    if !(args.yes || env.init_yes) {
        if !std::io::stdin().is_terminal() {
            return Err(UsageError("standard input is not a terminal, so tcup-init cannot ask; run it with -y (or TCUP_INIT_YES=1) to install without questions".into()).into());
        }
        if !confirm(env, &detected, &mut opts, &mut man)? {
            reporter.info("installation cancelled");
            return Ok(());
        }
    } else if let Some(warning) = chosen_host(&detected, &opts).and_then(init::msvc_linker_warning) {
        reporter.warn(&warning);
    }
    let exe = std::env::current_exe()?;
    verify_self(env, &exe, reporter)?;
    let report = init::self_install(env, &opts, &exe, &detected, reporter)?;
    if let Some(tc) = &report.toolchain {
        #[allow(clippy::cast_precision_loss)]
        let mib = report.toolchain_bytes as f64 / (1024.0 * 1024.0);
        reporter.info(&format!("installed toolchain '{tc}' ({mib:.0} MiB on disk)"));
    }
    if man {
        let dir = man_dir(env);
        let pages = super::man::write_pages(&dir).with_context(|| format!("installing man pages in {}", dir.display()))?;
        reporter.info(&format!("installed {} man pages in {} (`man tcup`)", pages.len(), dir.display()));
    }
    for change in &report.edited {
        report_path_change(reporter, change, true);
    }
    match &report.env_script {
        Some(env_sh) => reporter.info(&format!("Rust is installed. To use it in this shell, run: . \"{}\"", env_sh.display())),
        None if opts.modify_path => reporter.info(&format!(
            "Rust is installed. Open a new terminal to use it: new terminals find {} on the user's Path",
            env.cargo_home.join("bin").display()
        )),
        None => reporter.info(&format!(
            "Rust is installed. {} is not on the user's Path (--no-modify-path): add it there, or run the tools from it",
            env.cargo_home.join("bin").display()
        )),
    }
    Ok(())
}

/// Checks this binary against the update root's signature (docs/design.md trust-8): a warning when
/// that cannot be done, an error only when this is the published build and its signature is bad.
fn verify_self(env: &Env, exe: &std::path::Path, reporter: &Reporter) -> anyhow::Result<()> {
    use crate::ops::tcup::self_update::OwnSignature;
    let downloader = crate::ops::downloader(env)?;
    let triple = crate::ops::tcup::update_root::published_triple(crate::BUILD_TRIPLE);
    match self_update::verify_own(env, &triple, exe, &downloader, reporter)? {
        OwnSignature::Signed(s) => reporter.info(&format!("this tcup-init is signed by {s}")),
        OwnSignature::Unknown(why) => {
            reporter.warn("could not check this tcup-init's signature (`tcup --verbose init` says why); installing anyway");
            reporter.verbose(&format!("{}: {why}", env.update_root));
        }
        OwnSignature::OtherBuild => {
            reporter.warn("this tcup-init is not the build the update root publishes: its signature was not checked");
        }
    }
    Ok(())
}

/// Where `tcup init` puts the man pages: `CARGO_HOME/share/man/man1`, a `MANPATH` layout (man-db
/// finds it from `CARGO_HOME/bin` on PATH).
fn man_dir(env: &Env) -> std::path::PathBuf {
    env.cargo_home.join("share/man/man1")
}

fn toolchain(name: &str) -> anyhow::Result<Option<ToolchainName>> {
    if name == "none" { Ok(None) } else { Ok(Some(name.parse()?)) }
}

/// Shows the plan and asks: proceed, customise, or cancel. An answer that cannot be used is
/// asked again, saying why.
fn confirm(env: &Env, detected: &Report, opts: &mut InitOptions, man: &mut bool) -> anyhow::Result<bool> {
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let mut ask = |q: &str| -> anyhow::Result<String> {
        eprint!("{q}");
        std::io::stderr().flush()?;
        match lines.next().transpose()? {
            Some(line) => Ok(line.trim().to_owned()),
            None => Err(UsageError("standard input ended before an answer".into()).into()),
        }
    };
    loop {
        eprint!("{}", plan(env, detected, opts, *man));
        // rustup-init's Visual C++ prerequisites check, where the host is -msvc (Windows only).
        if let Some(warning) = chosen_host(detected, opts).and_then(init::msvc_linker_warning) {
            eprintln!("\nwarning: {warning}\n  (2) Customise installation asks for the host.)");
        }
        eprintln!("\n1) Proceed with installation (default)\n2) Customise installation\n3) Cancel installation");
        match ask("> ")?.as_str() {
            "" | "1" => return Ok(true),
            "3" => return Ok(false),
            "2" => {
                let current = chosen_host(detected, opts).unwrap_or("none detected").to_owned();
                opts.host = ask_until(&mut ask, &format!("Default host triple [{current}]: "), |a| match a {
                    "" => Ok(opts.host.clone()),
                    h if crate::dist::name::is_triple(h) => Ok(Some(h.to_owned())),
                    h => Err(format!("'{h}' is not a host triple like x86_64-pc-windows-gnu")),
                })?;
                opts.toolchain = ask_until(&mut ask, "Default toolchain (stable, beta, nightly, 1.95.0, none) [stable]: ", |a| {
                    toolchain(if a.is_empty() { "stable" } else { a }).map_err(|e| e.to_string())
                })?;
                opts.profile = ask_until(&mut ask, "Profile (minimal, default, complete) [default]: ", |a| {
                    let p = if a.is_empty() { "default" } else { a };
                    crate::dist::select::check_profile(p).map(|()| p.to_owned()).map_err(|e| e.to_string())
                })?;
                opts.modify_path = ask_until(&mut ask, "Modify PATH? (Y/n): ", |a| match a.to_ascii_lowercase().as_str() {
                    "" | "y" | "yes" => Ok(true),
                    "n" | "no" => Ok(false),
                    _ => Err(format!("'{a}' is not an answer: type y or n")),
                })?;
                *man = ask_until(&mut ask, "Install man pages? (Y/n): ", |a| match a.to_ascii_lowercase().as_str() {
                    "" | "y" | "yes" => Ok(true),
                    "n" | "no" => Ok(false),
                    _ => Err(format!("'{a}' is not an answer: type y or n")),
                })?;
            }
            other => eprintln!("'{other}' is not one of the choices: type 1, 2 or 3"),
        }
    }
}

/// Asks `question` until `check` accepts the answer, printing its reason after each refusal.
fn ask_until<T>(
    ask: &mut impl FnMut(&str) -> anyhow::Result<String>,
    question: &str,
    check: impl Fn(&str) -> Result<T, String>,
) -> anyhow::Result<T> {
    loop {
        match check(&ask(question)?) {
            Ok(v) => return Ok(v),
            Err(why) => eprintln!("{why}; please try again"),
        }
    }
}

/// The host `tcup-init` installs for: `--default-host` (or the customised one), else detection's;
/// `None` when detection refused and none was given.
fn chosen_host<'a>(detected: &'a Report, opts: &'a InitOptions) -> Option<&'a str> {
    match (&opts.host, &detected.decision) {
        (Some(h), _) | (None, Decision::Host { triple: h, .. }) => Some(h),
        (None, Decision::Refused { .. }) => None,
    }
}

/// The plan as a two-column table, the values in one column.
fn plan(env: &Env, detected: &Report, opts: &InitOptions, man: bool) -> String {
    let host = chosen_host(detected, opts).map_or_else(
        || match &detected.decision {
            Decision::Refused { detected, .. } => format!("{detected} (no toolchain exists for it)"),
            Decision::Host { triple, .. } => triple.clone(),
        },
        str::to_owned,
    );
    let rows = [
        ("tcup and the proxies (rustc, cargo, …) in", env.cargo_home.join("bin").display().to_string()),
        ("toolchains and settings in", env.rustup_home.display().to_string()),
        ("host triple", host),
        ("default toolchain", opts.toolchain.as_ref().map_or_else(|| "none".to_owned(), ToString::to_string)),
        ("profile", opts.profile.clone()),
        (crate::ops::tcup::path_edit::plan_label(), if opts.modify_path { "yes" } else { "no" }.to_owned()),
        ("man pages in", if man { man_dir(env).display().to_string() } else { "no".to_owned() }),
    ];
    let width = rows.iter().map(|(label, _)| label.chars().count()).max().unwrap_or(0) + 1;
    let mut out = String::from("\ntcup will install:\n");
    for (label, value) in rows {
        let pad = width - label.chars().count();
        let _ = writeln!(out, "  {label}:{:pad$} {value}", "");
    }
    out
}

pub(super) fn run_self(cmd: &SelfCommand, env: &Env, reporter: &Reporter) -> anyhow::Result<()> {
    let (yes, no_modify_path) = match *cmd {
        SelfCommand::Uninstall { yes, no_modify_path } => (yes, no_modify_path),
        SelfCommand::Update => return self_update(env, reporter),
        SelfCommand::ManPages(ref args) => return super::man::run(args, reporter),
    };
    if !yes {
        if !std::io::stdin().is_terminal() {
            return Err(UsageError(
                "standard input is not a terminal; run `tcup self uninstall -y` to uninstall without a question".into(),
            )
            .into());
        }
        eprint!("Remove tcup from {} and {} (all toolchains)? (y/N) ", env.cargo_home.join("bin").display(), env.rustup_home.display());
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer)?;
        if !answer.trim().eq_ignore_ascii_case("y") {
            return Ok(());
        }
    }
    let done = init::self_uninstall(env, !no_modify_path)?;
    for change in &done.restored {
        report_path_change(reporter, change, false);
    }
    if !done.kept.is_empty() {
        let names: Vec<String> = done.kept.iter().map(|p| p.file_name().unwrap_or_default().to_string_lossy().into_owned()).collect();
        reporter.info(&format!(
            "kept {} in {}: tcup did not install {}",
            names.join(", "),
            env.cargo_home.join("bin").display(),
            if names.len() == 1 { "it" } else { "them" }
        ));
    }
    if !done.after_exit.is_empty() {
        reporter.info(&format!(
            "{} files in use ({} and its links) are removed as soon as tcup exits",
            done.after_exit.len(),
            crate::env::program::exe("tcup")
        ));
    }
    reporter.info("tcup is uninstalled");
    Ok(())
}

/// One line for a PATH change, made at install (`adding`) or undone at uninstall.
fn report_path_change(reporter: &Reporter, change: &PathChange, adding: bool) {
    match (change, adding) {
        (PathChange::Profile(f), true) => reporter.info(&format!("added CARGO_HOME/bin to PATH in {}", f.display())),
        (PathChange::Profile(f), _) => reporter.info(&format!("restored {}", f.display())),
        (PathChange::UserPath(bin), true) => {
            reporter.info(&format!("added {} to the user's Path in HKCU\\Environment", bin.display()));
        }
        (PathChange::UserPath(bin), _) => reporter.info(&format!("removed {} from the user's Path in HKCU\\Environment", bin.display())),
        (PathChange::UserPathNotText(reg_type), _) => reporter.warn(&format!(
            "the user's Path in HKCU\\Environment is not a string (registry type {reg_type}): it was not modified; add CARGO_HOME\\bin to PATH yourself"
        )),
    }
}

fn self_update(env: &Env, reporter: &Reporter) -> anyhow::Result<()> {
    let triple = crate::ops::tcup::update_root::published_triple(crate::BUILD_TRIPLE);
    reporter.info(&format!("checking for a tcup update for {triple} in {}", env.update_root));
    let downloader = crate::ops::downloader(env)?;
    match self_update::self_update(env, &triple, &downloader, reporter)? {
        Outcome::UpToDate => reporter.info(&format!("tcup is up to date (tcup {})", crate::VERSION)),
        Outcome::Updated { version } => {
            reporter.info(&format!("updated tcup and its proxies in {} to {version}", env.cargo_home.join("bin").display()));
        }
    }
    Ok(())
}
