//! Proxies: `rustc`, `cargo` and the other tools in `CARGO_HOME/bin` are links to tcup, which runs
//! the same tool from the active toolchain ([`crate::ops::resolve`] decides which, in rustup's
//! order; [`crate::ops::auto_install`] installs it first when needed). The tool runs with
//! `RUSTUP_HOME`, `CARGO_HOME` and `RUSTUP_TOOLCHAIN` set and the toolchain's `bin` first on PATH,
//! so `cargo` finds the matching `rustc`. `tcup run` and `tcup which` use the same functions.

use std::ffi::OsString;
use std::path::Path;
use std::path::PathBuf;

/// The tool names `tcup-init` links to tcup in `CARGO_HOME/bin`.
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
    /// Environment to set: `RUSTUP_HOME`, `CARGO_HOME`, `RUSTUP_TOOLCHAIN`, `PATH`.
    pub vars: Vec<(&'static str, OsString)>,
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
/// is set to (the toolchain's name, or its path); `path` the current PATH.
pub fn vars(
    rustup_home: &Path,
    cargo_home: &Path,
    dir: &Path,
    name: &str,
    path: Option<&std::ffi::OsStr>,
) -> Vec<(&'static str, OsString)> {
    let mut paths = vec![dir.join("bin")];
    paths.extend(path.map(|p| std::env::split_paths(p).collect::<Vec<_>>()).unwrap_or_default());
    vec![
        ("RUSTUP_HOME", rustup_home.as_os_str().to_owned()),
        ("CARGO_HOME", cargo_home.as_os_str().to_owned()),
        ("RUSTUP_TOOLCHAIN", OsString::from(name)),
        ("PATH", std::env::join_paths(paths).unwrap_or_default()),
    ]
}

/// The binary `tool` of the toolchain in `dir` (named `name`; `official` when components can be
/// added to it) and the environment to run it with.
///
/// # Errors
/// [`MissingTool`] when `dir/bin/<tool>` does not exist.
pub fn command(
    tool: &str,
    env: &crate::env::Env,
    dir: &Path,
    name: &str,
    official: bool,
    path: Option<&std::ffi::OsStr>,
) -> Result<Resolved, MissingTool> {
    let program = dir.join("bin").join(tool);
    if !program.is_file() {
        return Err(if official {
            MissingTool::Component { tool: tool.to_owned(), toolchain: name.to_owned(), component: component_of(tool) }
        } else {
            MissingTool::Custom { tool: tool.to_owned(), toolchain: name.to_owned() }
        });
    }
    Ok(Resolved { program, vars: vars(&env.rustup_home, &env.cargo_home, dir, name, path) })
}
