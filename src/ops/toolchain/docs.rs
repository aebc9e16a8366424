//! A toolchain's own documentation, with rustup's meaning of `man` and `doc`: its man pages
//! (`share/man/man1/COMMAND.1`, shown by `man` with that directory as `MANPATH`) and its local
//! HTML documentation (`share/doc/rust/html`, from the `rust-docs` component). The toolchain is
//! the one `--toolchain` names, else the active one ([`Session::managed_toolchain`]).

use std::path::{Path, PathBuf};

use crate::env::Env;
use crate::error::UsageError;
use crate::home::Home;
use crate::ops::active::context::Session;

/// The name and directory of the toolchain `name` (`--toolchain`) or the active one, installed.
fn toolchain_dir(env: &Env, name: Option<&str>) -> anyhow::Result<(String, PathBuf)> {
    let here = Session::load(env)?;
    let installed = here.managed_toolchain(env, name)?;
    Ok((installed.to_string(), Home::new(&env.rustup_home).toolchain(&installed).root().to_path_buf()))
}

/// Shows the man page of `command` from the toolchain `name` (or the active one) with `man`.
///
/// # Errors
/// As [`Session::managed_toolchain`]; the toolchain has no such page ([`UsageError`]); `man`
/// cannot run or fails.
pub fn man(env: &Env, name: Option<&str>, command: &str) -> anyhow::Result<()> {
    let (toolchain, dir) = toolchain_dir(env, name)?;
    let manpath = dir.join("share/man");
    let page = manpath.join("man1").join(format!("{command}.1"));
    if command.contains('/') || !page.is_file() {
        return Err(UsageError(format!("toolchain '{toolchain}' has no man page for '{command}' ({} is not there)", page.display())).into());
    }
    let status = std::process::Command::new("man")
        .env("MANPATH", &manpath)
        .arg(command)
        .status()
        .map_err(|e| anyhow::anyhow!("cannot run `man` to show {}: {e}", page.display()))?;
    if status.success() { Ok(()) } else { anyhow::bail!("`man {command}` failed ({status})") }
}

/// The documentation page `rel` (relative to `share/doc/rust/html`) of the toolchain `name` (or
/// the active one).
///
/// # Errors
/// As [`Session::managed_toolchain`]; `rel` leaves the directory or is not there ([`UsageError`],
/// saying how to install `rust-docs` when the toolchain has no documentation).
pub fn doc_page(env: &Env, name: Option<&str>, rel: &Path) -> anyhow::Result<PathBuf> {
    let (toolchain, dir) = toolchain_dir(env, name)?;
    let html = dir.join("share/doc/rust/html");
    if rel.components().any(|c| !matches!(c, std::path::Component::Normal(_))) {
        return Err(UsageError(format!("'{}' is not a documentation topic", rel.display())).into());
    }
    let file = html.join(rel);
    if !file.is_file() {
        let hint = if html.is_dir() {
            String::new()
        } else {
            format!(" (install it with `tcup component add rust-docs --toolchain {toolchain}`)")
        };
        return Err(UsageError(format!("toolchain '{toolchain}' has no documentation page {}{hint}", file.display())).into());
    }
    Ok(file)
}
