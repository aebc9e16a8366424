//! Proxies: `rustc`, `cargo` and the other tools in `CARGO_HOME/bin` are links to tcup, which runs
//! the same tool from the active toolchain. The toolchain is, in order: a `+toolchain` first
//! argument, `RUSTUP_TOOLCHAIN`, the default in `settings.toml` (rustup's order; directory
//! overrides and `rust-toolchain.toml` come with toolchain management). The tool runs with
//! `RUSTUP_HOME`, `CARGO_HOME` and `RUSTUP_TOOLCHAIN` set and the toolchain's `bin` first on PATH,
//! so `cargo` finds the matching `rustc`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::dist::name::ToolchainName;
use crate::env::Env;
use crate::install::receipts;

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

/// Why a proxy cannot run its tool. Exit code 1.
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    /// No toolchain chosen anywhere.
    #[error("no default toolchain is set; install one with: tcup toolchain install stable")]
    NoDefault,
    /// The chosen toolchain is not installed.
    #[error("toolchain '{0}' is not installed; install it with: tcup toolchain install {0}")]
    NotInstalled(String),
    /// The toolchain lacks the tool.
    #[error("'{tool}' is not installed for the toolchain '{toolchain}'; add it with: tcup toolchain install {toolchain} -c {component}")]
    MissingTool {
        /// The tool.
        tool: String,
        /// The toolchain directory name.
        toolchain: String,
        /// The component that provides it.
        component: &'static str,
    },
}

/// What to execute.
#[derive(Debug)]
pub struct Resolved {
    /// The real binary.
    pub program: PathBuf,
    /// Its arguments (without a leading `+toolchain`).
    pub args: Vec<OsString>,
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

/// Resolves `tool` with `args` (as given to the proxy) to the binary to run. `path` is the
/// current PATH; `default_host` the host for names without one.
///
/// # Errors
/// [`ProxyError`].
pub fn resolve(
    tool: &str,
    mut args: Vec<OsString>,
    env: &Env,
    path: Option<&std::ffi::OsStr>,
    default_host: &str,
) -> Result<Resolved, ProxyError> {
    let plus = args.first().and_then(|a| a.to_str()).and_then(|a| a.strip_prefix('+')).map(str::to_owned);
    if plus.is_some() {
        args.remove(0);
    }
    let name =
        plus.or_else(|| env.toolchain.clone()).or_else(|| receipts::default_toolchain(&env.rustup_home)).ok_or(ProxyError::NoDefault)?;
    let dir = toolchain_dir(&env.rustup_home, &name, default_host).ok_or_else(|| ProxyError::NotInstalled(name.clone()))?;
    let toolchain = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let program = dir.join("bin").join(tool);
    if !program.is_file() {
        return Err(ProxyError::MissingTool { tool: tool.to_owned(), toolchain, component: component_of(tool) });
    }
    let mut paths = vec![dir.join("bin")];
    paths.extend(path.map(|p| std::env::split_paths(p).collect::<Vec<_>>()).unwrap_or_default());
    let path = std::env::join_paths(paths).unwrap_or_default();
    Ok(Resolved {
        program,
        args,
        vars: vec![
            ("RUSTUP_HOME", env.rustup_home.clone().into_os_string()),
            ("CARGO_HOME", env.cargo_home.clone().into_os_string()),
            ("RUSTUP_TOOLCHAIN", OsString::from(toolchain)),
            ("PATH", path),
        ],
    })
}

/// The installed directory for a toolchain name: the name itself if it is a directory in
/// `toolchains/`, else the parsed name completed with `default_host`.
fn toolchain_dir(rustup_home: &Path, name: &str, default_host: &str) -> Option<PathBuf> {
    let toolchains = rustup_home.join("toolchains");
    let direct = toolchains.join(name);
    if !name.contains('/') && direct.is_dir() {
        return Some(direct);
    }
    let parsed: ToolchainName = name.parse().ok()?;
    let dir = toolchains.join(parsed.dir_name(parsed.host.as_deref().unwrap_or(default_host)));
    dir.is_dir().then_some(dir)
}
