//! Proxies: `rustc`, `cargo` and the other tools in `CARGO_HOME/bin` are links to the proxy
//! program (`tcup-proxy`, [`crate::ops::tcup::proxy_program`]; or to tcup itself), which runs the same
//! tool from the active toolchain ([`crate::ops::active::resolve`] decides which, in rustup's
//! order; [`crate::ops::active::auto_install`] installs it first when needed). The tool runs with
//! `RUSTUP_HOME`, `CARGO_HOME`, `RUSTUP_TOOLCHAIN` and `RUSTUP_TOOLCHAIN_SOURCE` (what chose it, in
//! rustup 1.29's words) set and the toolchain's `bin` first on PATH, so `cargo` finds the matching
//! `rustc`. Both proxy programs find the tool with [`resolve_tool`]; `tcup run` and `tcup which`
//! use the same functions.
//!
//! **Recursion guard** (rustup's): each tool runs with `RUST_RECURSION_COUNT` one higher than the
//! proxy saw; a proxy that sees [`RECURSION_LIMIT`] refuses instead of running anything. A linked
//! toolchain whose `bin/` holds the proxies themselves (or a `path =` toolchain pointing at
//! `CARGO_HOME`) would otherwise exec itself until killed.

use std::ffi::{OsStr, OsString};
use std::path::Path;
use std::path::PathBuf;

use crate::env::{Env, EnvError};
use crate::ops::active::auto_install;
use crate::ops::active::context::Session;
use crate::ops::active::last_use;
use crate::ops::active::resolve::{self, Active, LazyHost};
use crate::progress::Reporter;

/// The tool names `tcup-init` links to the proxy program (or tcup) in `CARGO_HOME/bin`.
pub const PROXIES: &[&str] = &[
    "rustc",
    "cargo",
    "rustdoc",
    "rust-gdb",
    "rust-gdbgui",
    "rust-lldb",
    "rustfmt",
    "cargo-fmt",
    "cargo-clippy",
    "clippy-driver",
    "cargo-miri",
    "rust-analyzer",
];

/// How many proxies may run one inside another before the next refuses (rustup's
/// `RUST_RECURSION_COUNT_MAX`).
pub const RECURSION_LIMIT: u32 = 20;

/// A proxy ran itself [`RECURSION_LIMIT`] times over. Exit code 1.
#[derive(Debug, thiserror::Error)]
#[error(
    "infinite recursion: '{tool}' of toolchain '{toolchain}' is {}, which runs a tcup proxy again ({RECURSION_LIMIT} proxies deep, RUST_RECURSION_COUNT={count}); the toolchain's bin/ must hold the real tools, not links to tcup",
    program.display()
)]
pub struct Recursion {
    /// The tool.
    pub tool: String,
    /// The toolchain's name or path.
    pub toolchain: String,
    /// The binary that leads back to a proxy.
    pub program: PathBuf,
    /// `RUST_RECURSION_COUNT` as this proxy saw it.
    pub count: u32,
}

/// The toolchain lacks the tool. Exit code 1.
#[derive(Debug, thiserror::Error)]
pub enum MissingTool {
    /// An official toolchain: the component can be added.
    #[error(
        "'{tool}' is not installed for the toolchain '{toolchain}'.\nhelp: run `tcup component add {component} --toolchain {toolchain}` to install it"
    )]
    Component {
        /// The tool.
        tool: String,
        /// The toolchain's name.
        toolchain: String,
        /// The component that provides it.
        component: &'static str,
    },
    /// A linked or path toolchain: tcup cannot add components to it.
    #[error(
        "'{tool}' is not installed for the custom toolchain '{toolchain}'.\nnote: this is a custom toolchain, which cannot use `tcup component add`"
    )]
    Custom {
        /// The tool.
        tool: String,
        /// The toolchain's name or path.
        toolchain: String,
    },
}

/// What to execute.
#[derive(Debug)]
pub struct Resolved {
    /// The real binary.
    pub program: PathBuf,
    /// Environment to set: `RUSTUP_HOME`, `CARGO_HOME`, `RUSTUP_TOOLCHAIN`, `PATH`,
    /// `RUST_RECURSION_COUNT`, and for a proxy `RUSTUP_TOOLCHAIN_SOURCE`.
    pub vars: Vec<(&'static str, OsString)>,
}

impl Resolved {
    /// Runs the program with `args` and [`Resolved::vars`] in place of this process
    /// ([`crate::sys::process::exec`]). Returns only when it could not start, with the reason.
    pub fn exec(&self, args: &[impl AsRef<OsStr>]) -> std::io::Error {
        exec(self.program.as_os_str(), args, &self.vars)
    }
}

/// Runs `program` (a path, or a name looked up in `PATH`) with `args` and the variables `vars` set,
/// in place of this process: `tcup run`'s last step. Returns only when it could not start.
pub fn exec(program: &OsStr, args: &[impl AsRef<OsStr>], vars: &[(&'static str, OsString)]) -> std::io::Error {
    let mut cmd = std::process::Command::new(program);
    cmd.args(args).envs(vars.iter().map(|(k, v)| (*k, v)));
    crate::sys::process::exec(&mut cmd)
}

/// The component that provides a proxied tool.
pub fn component_of(tool: &str) -> &'static str {
    match tool {
        "cargo" => "cargo",
        "rustfmt" | "cargo-fmt" => "rustfmt",
        "cargo-clippy" | "clippy-driver" => "clippy",
        "cargo-miri" => "miri",
        "rust-analyzer" => "rust-analyzer",
        _ => "rustc",
    }
}

/// Splits a leading `+toolchain` off a proxy's arguments.
pub fn split_plus(mut args: Vec<OsString>) -> (Option<String>, Vec<OsString>) {
    let plus = args.first().and_then(|a| a.to_str()).and_then(|a| a.strip_prefix('+')).map(str::to_owned);
    if plus.is_some() {
        args.remove(0);
    }
    (plus, args)
}

/// The environment a tool of the toolchain in `dir` runs with: `name` is what `RUSTUP_TOOLCHAIN`
/// is set to (the toolchain's name, or its path); `source` what `RUSTUP_TOOLCHAIN_SOURCE` is set
/// to (a proxy's [`crate::ops::active::resolve::Reason::toolchain_source`]; `None` leaves it as it is, as
/// `rustup run` does); `path` the current PATH; `RUST_RECURSION_COUNT` one more than `env`'s.
pub fn vars(env: &Env, dir: &Path, name: &str, source: Option<&'static str>, path: Option<&OsStr>) -> Vec<(&'static str, OsString)> {
    let mut paths = vec![dir.join("bin")];
    paths.extend(path.map(|p| std::env::split_paths(p).collect::<Vec<_>>()).unwrap_or_default());
    let mut vars = vec![
        ("RUSTUP_HOME", env.rustup_home.as_os_str().to_owned()),
        ("CARGO_HOME", env.cargo_home.as_os_str().to_owned()),
        ("RUSTUP_TOOLCHAIN", OsString::from(name)),
        ("PATH", std::env::join_paths(paths).unwrap_or_default()),
        ("RUST_RECURSION_COUNT", OsString::from((env.recursion_count + 1).to_string())),
    ];
    if let Some(s) = source {
        vars.push(("RUSTUP_TOOLCHAIN_SOURCE", OsString::from(s)));
    }
    vars
}

/// The binary `tool` of the toolchain in `dir` (named `name`; `official` when components can be
/// added to it) and the environment to run it with ([`vars`], `source` included).
///
/// # Errors
/// [`MissingTool`] when `dir/bin/<tool>` does not exist; [`Recursion`] when `env`'s
/// `RUST_RECURSION_COUNT` has reached [`RECURSION_LIMIT`].
pub fn command(
    tool: &str,
    env: &Env,
    dir: &Path,
    name: &str,
    official: bool,
    source: Option<&'static str>,
    path: Option<&OsStr>,
) -> anyhow::Result<Resolved> {
    let program = dir.join("bin").join(crate::sys::exe(tool));
    if !program.is_file() {
        return Err(if official {
            MissingTool::Component { tool: tool.to_owned(), toolchain: name.to_owned(), component: component_of(tool) }
        } else {
            MissingTool::Custom { tool: tool.to_owned(), toolchain: name.to_owned() }
        }
        .into());
    }
    if env.recursion_count >= RECURSION_LIMIT {
        return Err(Recursion { tool: tool.to_owned(), toolchain: name.to_owned(), program, count: env.recursion_count }.into());
    }
    Ok(Resolved { program, vars: vars(env, dir, name, source, path) })
}

/// How long `tcup show` waits for `rustc --version`: it answers in milliseconds; a compiler that
/// hangs on this machine (see [`crate::host::run_check`]) must not hang a query.
const SHOW_VERSION_LIMIT: std::time::Duration = std::time::Duration::from_secs(10);

/// The first line `dir/bin/rustc --version` prints (`rustc 1.95.0 (…)`), or `None` when it does
/// not run or gives no answer within a few seconds.
pub fn rustc_version(dir: &Path) -> Option<String> {
    crate::host::run_check::run_version(&dir.join("bin").join(crate::sys::exe("rustc")), SHOW_VERSION_LIMIT, crate::BUILD_TRIPLE)
        .ok()
        .map(|v| v.trim().to_owned())
}

/// How far the proxy program asking [`resolve_tool`] may go: [`Ready`] (the proxy program) or
/// [`Install`] (tcup as a proxy). A type parameter, not a value, so that the proxy program's code
/// holds no path to the installer: its link leaves libcurl out (`src/bin/tcup-proxy.rs`), and it
/// does no more work than running an installed toolchain needs.
pub trait Asker {
    /// The active toolchain for `tool` (`plus`: a leading `+toolchain`); `Ok(None)` hands over.
    ///
    /// # Errors
    /// As [`Session::active`].
    fn active(&self, here: &Session, env: &Env, plus: Option<&str>, tool: &str) -> anyhow::Result<Option<Active>>;
    /// The directory of `active`; `Ok(None)` hands over.
    ///
    /// # Errors
    /// As [`Session::ensure`].
    fn dir(&self, here: &Session, env: &Env, active: &Active) -> anyhow::Result<Option<PathBuf>>;
}

/// The proxy program (`tcup-proxy`), run once per crate by cargo: only an installed toolchain
/// with everything its toolchain file asks for, and nothing to warn about; anything else is
/// `Ok(None)`, handed to tcup, which explains it.
pub struct Ready;

impl Asker for Ready {
    fn active(&self, here: &Session, env: &Env, plus: Option<&str>, _tool: &str) -> anyhow::Result<Option<Active>> {
        Ok(resolve::active(&here.ctx(env), plus)?.filter(|a| a.warnings.is_empty()))
    }

    fn dir(&self, _here: &Session, env: &Env, active: &Active) -> anyhow::Result<Option<PathBuf>> {
        Ok(auto_install::ready(env, active))
    }
}

/// tcup as a proxy: warnings are reported, and the toolchain (or what it lacks) is installed
/// first when auto-install allows it ([`Session::ensure`]).
pub struct Install<'a> {
    /// Download variables set aside as invalid: installing is refused while any is set.
    pub set_aside: &'a [EnvError],
    /// Where warnings and progress go.
    pub reporter: &'a Reporter,
}

impl Asker for Install<'_> {
    fn active(&self, here: &Session, env: &Env, plus: Option<&str>, tool: &str) -> anyhow::Result<Option<Active>> {
        here.active(env, plus, tool, self.reporter).map(Some)
    }

    fn dir(&self, here: &Session, env: &Env, active: &Active) -> anyhow::Result<Option<PathBuf>> {
        let dir = here.ensure(env, active, self.set_aside, self.reporter)?;
        self.reporter.finish();
        Ok(Some(dir))
    }
}

/// What a proxy runs for `tool`: the active toolchain (for `plus`, a leading `+toolchain`) in
/// rustup's order, its directory, and [`command`] with `RUSTUP_TOOLCHAIN_SOURCE` set to what chose
/// it; `path` is the current PATH. The one resolution both proxy programs run, so a message never
/// depends on which of them answered, and both record the toolchain's use ([`last_use::note`])
/// once it is found to run. `Ok(None)` when `asker` hands the call over.
///
/// # Errors
/// As [`Asker::active`], [`Asker::dir`] and [`command`].
pub fn resolve_tool(
    tool: &str,
    plus: Option<&str>,
    env: &Env,
    here: &Session,
    asker: &impl Asker,
    path: Option<&OsStr>,
) -> anyhow::Result<Option<Resolved>> {
    let Some(active) = asker.active(here, env, plus, tool)? else { return Ok(None) };
    let Some(dir) = asker.dir(here, env, &active)? else { return Ok(None) };
    let official = active.toolchain.channel_name().is_some();
    let resolved = command(tool, env, &dir, &active.toolchain.to_string(), official, Some(active.reason.toolchain_source()), path)?;
    last_use::note(env, &active);
    Ok(Some(resolved))
}

/// Why `program` did not start (`exec`'s error `e`): a missing loader, or an exec format error
/// (with the host toolchains should be for, `host`), else the plain error.
pub fn start_failure(program: &Path, e: &std::io::Error, host: &LazyHost<'_>) -> crate::host::run_check::RunFailure {
    crate::host::run_check::diagnose_spawn(program, e, host.get())
}
