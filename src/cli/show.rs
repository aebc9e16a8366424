//! `tcup show [active-toolchain|home|profile]`, `tcup which CMD`, `tcup run T CMD…`: what is
//! active and why, where a tool is, and running a tool of a chosen toolchain. All ask
//! [`crate::ops::active::resolve`], as the proxies do.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use serde::Serialize;

use super::output::{self, Document, ReasonDoc, ToolchainRef};

use crate::env::Env;
use crate::home::ToolchainDir;
use crate::ops::active::auto_install::{self, Ensure};
use crate::ops::active::context::Session;
use crate::ops::active::resolve::{self, Active, Reason};
use crate::ops::active::run_tool;
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
        Some(ShowWhat::Home) => output::print(env, &HomeDoc { rustup_home: output::absolute(&env.rustup_home) }),
        Some(ShowWhat::Profile) => {
            output::print(env, &ProfileDoc { profile: here.settings.profile().to_owned() });
        }
        Some(ShowWhat::ActiveToolchain) => {
            let active = resolve::active(&here.ctx(env), None)?.ok_or_else(|| anyhow::anyhow!("no active toolchain"))?;
            for w in &active.warnings {
                reporter.warn(w);
            }
            let dir = installed_dir(env, &here, &active, reporter)?;
            // Running rustc takes a moment: only when the text shows it, or for JSON.
            let compiler = (verbose || reporter.is_json()).then(|| compiler_version(&dir));
            let doc = ActiveDoc {
                toolchain: ToolchainRef::of(&active.toolchain),
                reason: ReasonDoc::of(&active.reason),
                path: output::absolute(&dir),
                compiler,
                short: active.reason.short(),
                verbose,
            };
            output::print(env, &doc);
        }
        None => show_all(&here, env, reporter)?,
    }
    Ok(())
}

/// `show home`.
#[derive(Serialize)]
struct HomeDoc {
    rustup_home: PathBuf,
}

impl Document for HomeDoc {
    fn text(&self) -> String {
        format!("{}\n", self.rustup_home.display())
    }
}

/// `show profile`.
#[derive(Serialize)]
struct ProfileDoc {
    profile: String,
}

impl Document for ProfileDoc {
    fn text(&self) -> String {
        format!("{}\n", self.profile)
    }
}

/// `show active-toolchain [-v]`.
#[derive(Serialize)]
struct ActiveDoc {
    #[serde(flatten)]
    toolchain: ToolchainRef,
    reason: ReasonDoc,
    path: PathBuf,
    /// `rustc --version` of the toolchain (`-v` or JSON only).
    compiler: Option<String>,
    #[serde(skip)]
    short: String,
    #[serde(skip)]
    verbose: bool,
}

impl Document for ActiveDoc {
    fn text(&self) -> String {
        let name = &self.toolchain.name;
        if self.verbose {
            let compiler = self.compiler.as_deref().unwrap_or_default();
            format!("{name}\nactive because: {}\ncompiler: {compiler}\npath: {}\n", self.reason.because, self.path.display())
        } else {
            format!("{name} ({})\n", self.short)
        }
    }
}

/// `show`: the host, the home, the installed toolchains and the active one.
#[derive(Serialize)]
struct ShowDoc {
    default_host: String,
    rustup_home: PathBuf,
    installed_toolchains: Vec<super::toolchain_manage::Entry>,
    active_toolchain: Option<ShowActive>,
}

#[derive(Serialize)]
struct ShowActive {
    #[serde(flatten)]
    toolchain: ToolchainRef,
    reason: ReasonDoc,
    /// Its directory, when it is installed.
    path: Option<PathBuf>,
    /// Target triples with a standard library installed.
    installed_targets: Vec<String>,
}

impl Document for ShowDoc {
    fn text(&self) -> String {
        let mut out = format!("Default host: {}\nrustup home:  {}\n\n", self.default_host, self.rustup_home.display());
        out.push_str("installed toolchains\n--------------------\n");
        out.extend(self.installed_toolchains.iter().map(super::toolchain_manage::Entry::line));
        out.push_str("\nactive toolchain\n----------------\n");
        let Some(active) = &self.active_toolchain else {
            out.push_str("no active toolchain\n");
            return out;
        };
        let _ = writeln!(out, "name: {}\nactive because: {}\ninstalled targets:", active.toolchain.name, active.reason.because);
        for t in &active.installed_targets {
            let _ = writeln!(out, "  {t}");
        }
        out
    }
}

fn show_all(here: &Session, env: &Env, reporter: &Reporter) -> anyhow::Result<()> {
    let active = resolve::active(&here.ctx(env), None)?;
    let installed_toolchains = super::toolchain_manage::entries(env, here, active.as_ref(), false);
    let active_toolchain = active.map(|active| {
        for w in &active.warnings {
            reporter.warn(w);
        }
        let path = resolve::locate(&env.rustup_home, &active.toolchain);
        let installed_targets = path.as_ref().map_or_else(Vec::new, |dir| {
            ToolchainDir::at(dir.clone()).component_names().iter().filter_map(|l| l.strip_prefix("rust-std-")).map(str::to_owned).collect()
        });
        ShowActive {
            toolchain: ToolchainRef::of(&active.toolchain),
            reason: ReasonDoc::of(&active.reason),
            path: path.map(|p| output::absolute(&p)),
            installed_targets,
        }
    });
    let doc = ShowDoc {
        default_host: here.host.get().to_string(),
        rustup_home: output::absolute(&env.rustup_home),
        installed_toolchains,
        active_toolchain,
    };
    output::print(env, &doc);
    Ok(())
}

/// The directory of an installed `active`, or the error a proxy gives when it is not installed
/// (components the toolchain file asks for are not checked: showing installs nothing).
fn installed_dir(env: &Env, here: &Session, active: &Active, reporter: &Reporter) -> anyhow::Result<PathBuf> {
    let bare = Active { components: Vec::new(), targets: Vec::new(), ..active.clone() };
    auto_install::ensure(env, &here.settings, &bare, &Ensure { allow_install: false, set_aside: &[], reporter })
}

fn compiler_version(dir: &Path) -> String {
    run_tool::rustc_version(dir).unwrap_or_else(|| "(rustc did not run)".to_owned())
}

pub(super) fn which(args: &WhichArgs, env: &Env, reporter: &Reporter) -> anyhow::Result<()> {
    let here = Session::load(env)?;
    let active = here.active(env, args.toolchain.as_deref(), &args.command, reporter)?;
    let dir = installed_dir(env, &here, &active, reporter)?;
    let official = active.toolchain.channel_name().is_some();
    let found = run_tool::command(&args.command, env, &dir, &active.toolchain.to_string(), official, None, None)?;
    output::print(
        env,
        &WhichDoc { command: args.command.clone(), path: output::absolute(&found.program), toolchain: ToolchainRef::of(&active.toolchain) },
    );
    Ok(())
}

/// `which COMMAND`.
#[derive(Serialize)]
struct WhichDoc {
    command: String,
    /// The binary the command runs.
    path: PathBuf,
    toolchain: ToolchainRef,
}

impl Document for WhichDoc {
    fn text(&self) -> String {
        format!("{}\n", self.path.display())
    }
}

pub(super) fn run(args: &RunArgs, env: &Env, reporter: &Reporter) -> anyhow::Result<()> {
    let here = Session::load(env)?;
    let toolchain = resolve::toolchain(&args.toolchain, &here.host, &Reason::CommandLine)?;
    let active = Active::plain(toolchain, Reason::CommandLine);
    let dir = if args.install { here.install(env, &active, reporter)? } else { installed_dir(env, &here, &active, reporter)? };
    reporter.finish();
    let vars = run_tool::vars(env, &dir, &active.toolchain.to_string(), None, std::env::var_os("PATH").as_deref());
    let (cmd, rest) = args.command.split_first().expect("clap requires a command");
    let own = dir.join("bin").join(cmd);
    let program = if own.is_file() { own.into_os_string() } else { cmd.clone() };
    let err = std::process::Command::new(&program).args(rest).envs(vars.iter().map(|(k, v)| (*k, v))).exec();
    Err(anyhow::anyhow!("could not run {}: {err}", Path::new(&program).display()))
}
