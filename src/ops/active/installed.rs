//! The directory of an installed toolchain, read-only: what `show`, `which` and `run` (without
//! `--install`) look up. It installs nothing and reaches no installer; for a toolchain that is not
//! there it gives the error a proxy gives with auto-install off ([`NotReady`]), which
//! [`super::auto_install`] shares.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::dist::name::{LocalName, ToolchainName};
use crate::env::Env;
use crate::home::{Home, ToolchainDir};
use crate::ops::active::resolve::{self, Active, Toolchain};

/// Why the active toolchain cannot be used as it is. Exit code 1.
#[derive(Debug, thiserror::Error)]
pub enum NotReady {
    /// An official toolchain that is not installed, auto-install off.
    #[error("toolchain '{toolchain}' is not installed: {asker} specifies an uninstalled toolchain\nhelp: run `{command}` to install it")]
    NotInstalled {
        /// Toolchain directory name.
        toolchain: String,
        /// Who asked (`Reason::source`).
        asker: String,
        /// The command that installs it.
        command: String,
    },
    /// Installed, but without components or targets its toolchain file requires; auto-install off.
    #[error("toolchain '{toolchain}' lacks {missing} that {asker} requires\nhelp: run {commands}")]
    Lacks {
        /// Toolchain directory name.
        toolchain: String,
        /// "components rustfmt, clippy and targets wasm32-unknown-unknown".
        missing: String,
        /// Who asked.
        asker: String,
        /// Commands that add them.
        commands: String,
    },
    /// A name that is neither installed nor a channel name.
    #[error(
        "toolchain '{name}', named by {asker}, is not installed, and '{name}' is not a valid toolchain name to install ({why})\nhelp: {installed}; install one with `tcup toolchain install stable`, or link a local build with `tcup toolchain link {name} PATH`"
    )]
    Unknown {
        /// As chosen.
        name: String,
        /// Who named it.
        asker: String,
        /// Why it is not a channel name.
        why: String,
        /// "installed toolchains: a, b" or "no toolchains are installed".
        installed: String,
    },
    /// A path toolchain without `bin/`.
    #[error("invalid toolchain: the path '{}' has no bin/ directory (set by {asker})", path.display())]
    NoBin {
        /// The path.
        path: PathBuf,
        /// Who set it.
        asker: String,
    },
}

/// The directory of `active` as installed, or why it cannot be used without installing it.
/// Components and targets its toolchain file asks for are not checked: looking installs nothing.
///
/// # Errors
/// [`NotReady`]: a path without `bin/`, a name that is neither installed nor a channel name, an
/// official toolchain that is not installed (with the command that installs it).
pub fn dir(env: &Env, active: &Active) -> Result<PathBuf, NotReady> {
    if let Some(dir) = resolve::locate(&env.rustup_home, &active.toolchain) {
        return Ok(dir);
    }
    Err(match &active.toolchain {
        Toolchain::Path(path) => NotReady::NoBin { path: path.clone(), asker: active.reason.source() },
        Toolchain::Named(name) => match name.as_str().parse::<ToolchainName>() {
            Ok(_) => refusal(name.as_str(), active, false, &[], &[]),
            Err(e) => unknown(env, name, active, e.why),
        },
    })
}

/// The target triples with a standard library (`rust-std-<target>`) in the toolchain in `dir`.
pub fn targets(dir: &std::path::Path) -> Vec<String> {
    ToolchainDir::at(dir.to_path_buf()).component_names().iter().filter_map(|l| l.strip_prefix("rust-std-")).map(str::to_owned).collect()
}

/// [`NotReady::Unknown`] for `name`, which is not installed and not a channel name (`why`),
/// listing the installed toolchains.
pub(super) fn unknown(env: &Env, name: &LocalName, active: &Active, why: &str) -> NotReady {
    let list = Home::new(&env.rustup_home).toolchains();
    let installed = if list.is_empty() {
        "no toolchains are installed".to_owned()
    } else {
        format!("installed toolchains: {}", list.iter().map(LocalName::as_str).collect::<Vec<_>>().join(", "))
    };
    NotReady::Unknown { name: name.to_string(), asker: active.reason.source(), why: why.to_owned(), installed }
}

/// Why `name` cannot run as it is, auto-install off: not `installed`, or lacking `components`
/// and `targets`; with the commands that fix it.
pub(super) fn refusal(name: &str, active: &Active, installed: bool, components: &[String], targets: &[String]) -> NotReady {
    let asker = active.reason.source();
    if !installed {
        let mut command = format!("tcup toolchain install {name}");
        if let Some(p) = &active.profile {
            let _ = write!(command, " --profile {p}");
        }
        for c in components {
            let _ = write!(command, " -c {c}");
        }
        for t in targets {
            let _ = write!(command, " -t {t}");
        }
        return NotReady::NotInstalled { toolchain: name.to_owned(), asker, command };
    }
    let mut missing = Vec::new();
    let mut commands = Vec::new();
    if !components.is_empty() {
        missing.push(format!("components {}", components.join(", ")));
        commands.push(format!("`tcup component add {} --toolchain {name}`", components.join(" ")));
    }
    if !targets.is_empty() {
        missing.push(format!("targets {}", targets.join(", ")));
        commands.push(format!("`tcup target add {} --toolchain {name}`", targets.join(" ")));
    }
    NotReady::Lacks { toolchain: name.to_owned(), missing: missing.join(" and "), asker, commands: commands.join(" and ") }
}
