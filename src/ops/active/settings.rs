//! The settings that choose toolchains and how tcup acts, as `tcup default`, `tcup set`, `tcup
//! override` and `toolchain install --default/--override` write them: `settings.toml` (rustup
//! reads it too: the default toolchain, directory overrides, profile, default host, auto-install,
//! auto-self-update) and tcup's own `tcup.toml` (the signature policy, which rustup would drop
//! from `settings.toml`).

use std::path::{Path, PathBuf};

use crate::env::{Env, SignaturePolicy};
use crate::error::UsageError;
use crate::home::Home;
use crate::home::settings;
use crate::home::tcup_file::TcupFile;
use crate::progress::Reporter;

/// One setting of `tcup set`, with its value as the user wrote it (clap checked the words).
#[derive(Debug, Clone, Copy)]
pub enum Setting<'a> {
    /// `profile`: minimal, default or complete.
    Profile(&'a str),
    /// `default-host`: a host triple (checked here).
    DefaultHost(&'a str),
    /// `auto-install`: enable or disable.
    AutoInstall(&'a str),
    /// `auto-self-update`: enable, disable or check-only.
    AutoSelfUpdate(&'a str),
    /// `signature-policy`, kept in `tcup.toml`.
    SignaturePolicy(SignaturePolicy),
}

/// Writes one setting. Each is a read-modify-write of `settings.toml` or `tcup.toml`: under the
/// home's writer lock, so it neither loses nor undoes an install's record (issue 28.9).
///
/// # Errors
/// A default host that is not a triple ([`UsageError`]); the lock or the file cannot be had.
pub fn set(env: &Env, setting: Setting<'_>, reporter: &Reporter) -> anyhow::Result<()> {
    let _lock = crate::ops::toolchain::install::lock_home(&Home::new(&env.rustup_home), reporter)?;
    match setting {
        Setting::Profile(p) => settings::set(&env.rustup_home, "profile", Some(p)),
        Setting::DefaultHost(triple) => {
            if !crate::dist::name::is_triple(triple) {
                return Err(UsageError(format!("'{triple}' is not a host triple like x86_64-unknown-linux-gnu")).into());
            }
            settings::set_default_host(&env.rustup_home, triple)
        }
        Setting::AutoInstall(mode) => settings::set(&env.rustup_home, "auto_install", Some(mode)),
        Setting::AutoSelfUpdate(mode) => settings::set(&env.rustup_home, "auto_self_update", Some(mode)),
        Setting::SignaturePolicy(p) => {
            let mut file = TcupFile::read(&env.rustup_home)?;
            file.set_policy(p);
            file.save()
        }
    }
}

/// Sets (or with `None` unsets) the default toolchain.
///
/// # Errors
/// `settings.toml` cannot be read or written.
pub fn set_default(env: &Env, toolchain: Option<&str>) -> anyhow::Result<()> {
    settings::set(&env.rustup_home, "default_toolchain", toolchain)
}

/// Sets (or with `None` removes) the override of the directory `key` ([`override_key`]); returns
/// whether an override was there before.
///
/// # Errors
/// `settings.toml` cannot be read or written.
pub fn set_override(env: &Env, key: &str, toolchain: Option<&str>) -> anyhow::Result<bool> {
    settings::set_override(&env.rustup_home, key, toolchain)
}

/// Makes `toolchain` the override of the current directory (`toolchain install --override`);
/// returns the directory, canonical, as `settings.toml` keys it.
///
/// # Errors
/// The current directory is gone or cannot be made canonical; `settings.toml` cannot be written.
pub fn set_override_here(env: &Env, toolchain: &str) -> anyhow::Result<PathBuf> {
    let cwd = fs_err::canonicalize(std::env::current_dir()?)?;
    settings::set_override(&env.rustup_home, &cwd.to_string_lossy(), Some(toolchain))?;
    Ok(cwd)
}

/// The `[overrides]` key of a directory: its canonical path, or (for a directory that no longer
/// exists) the absolute path as given.
///
/// # Errors
/// `dir` is relative and the current directory is gone.
pub fn override_key(dir: &Path) -> anyhow::Result<String> {
    let abs = if dir.is_absolute() { dir.to_path_buf() } else { std::env::current_dir()?.join(dir) };
    Ok(fs_err::canonicalize(&abs).unwrap_or(abs).to_string_lossy().into_owned())
}
