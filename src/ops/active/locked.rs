//! A toolchain file's `rust-toolchain.lock` ([`crate::dist::lock`]) as the resolver reads it
//! (docs/design.md lock-2, lock-3): when the lock beside the file that chose the active toolchain
//! still matches that file, the active toolchain is the locked release (`1.95.0-<host>`,
//! `nightly-2026-05-20-<host>`), installed from the lock's pinned manifest and archives. A lock
//! that no longer matches is a warning naming `tcup lock`, and the toolchain file wins; under
//! `TCUP_LOCKED=1` / `--locked` (CI) it is an error, as is a missing lock or one without this
//! host. The lock is never rewritten here.
//!
//! Reading it costs a proxy one `stat` when there is no lock, and when there is one small file
//! read and the TOML of its head ([`LockHead`]); the archives are parsed only to install
//! (ci/bench-proxy.sh measures it).

use std::path::{Path, PathBuf};

use crate::dist::lock::{self, Inputs, LockHead};
use crate::dist::name::ToolchainName;
use crate::dist::toolchain_file::ToolchainFile;
use crate::error::UsageError;

/// A lock beside the toolchain file that chose the active toolchain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locked {
    /// `…/rust-toolchain.lock`.
    pub path: PathBuf,
    /// Its head ([`LockHead`]: the whole lock is read only to install from it).
    pub head: LockHead,
    /// The host triple the active toolchain is for.
    pub host: String,
    /// Whether the lock applies.
    pub state: LockState,
}

/// How a lock relates to its toolchain file and this host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockState {
    /// It matches the toolchain file and has this host's archives: the locked release is active.
    Locked,
    /// It matches the toolchain file but locks no archives for this host: the locked release is
    /// active, pinned by its manifest's SHA-256 alone (a warning says so).
    NoHost,
    /// The toolchain file changed since: these differences ([`Inputs::drift`]); the toolchain
    /// file wins.
    Drifted(Vec<String>),
}

impl LockState {
    /// `locked`, `no_host` or `drifted` (`tcup show --format json`).
    pub fn as_str(&self) -> &'static str {
        match self {
            LockState::Locked => "locked",
            LockState::NoHost => "no_host",
            LockState::Drifted(_) => "drifted",
        }
    }
}

impl Locked {
    /// The name the locked release installs under, for [`Locked::host`], when the lock applies
    /// (`None` when it drifted).
    ///
    /// # Errors
    /// The lock's channel is not an official toolchain name.
    pub fn name(&self) -> anyhow::Result<Option<ToolchainName>> {
        if matches!(self.state, LockState::Drifted(_)) {
            return Ok(None);
        }
        let name = self.head.name().map_err(|why| UsageError(format!("{}: {why}", self.path.display())))?;
        Ok(Some(ToolchainName { host: Some(self.host.clone()), ..name }))
    }
}

impl Locked {
    /// The SHA-256 of the lock file's bytes (lower-case hex) and the cache key CI keys a
    /// toolchain cache by: `<sha256>-<host>` (the action in action.yml does).
    ///
    /// # Errors
    /// The lock file cannot be read.
    pub fn cache_key(&self) -> anyhow::Result<(String, String)> {
        let sha = crate::download::hashing::sha256_file(&self.path).map_err(|e| anyhow::anyhow!("reading {}: {e}", self.path.display()))?;
        let key = format!("{sha}-{}", self.host);
        Ok((sha, key))
    }
}

/// A lock that does not hold under `--locked` / `TCUP_LOCKED=1`. Exit code 1.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct NotLocked(pub String);

crate::error::exit_code!(NotLocked, |_| crate::error::EXIT_FAILURE);

/// The lock beside `file` (a toolchain file asking for `spec`), for `host` (`None`: the host the
/// name carries, else `default_host()`); `Ok(None)` when there is no lock or the file names a path.
/// `warnings` gains the drift or missing-host warning; with `strict` (`--locked`), those and a
/// missing lock are errors.
///
/// # Errors
/// A lock that cannot be read or parsed (a [`UsageError`] naming it); under `strict`, a
/// [`NotLocked`] saying what differs and what to run.
pub fn beside(
    file: &Path,
    spec: &ToolchainFile,
    default_host: impl FnOnce() -> String,
    strict: bool,
    warnings: &mut Vec<String>,
) -> anyhow::Result<Option<Locked>> {
    let Some(now) = Inputs::of(spec) else { return Ok(None) };
    let path = file.with_file_name(lock::FILE_NAME);
    let text = match fs_err::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if strict {
                return Err(NotLocked(format!(
                    "no {} beside {} (--locked / TCUP_LOCKED=1); run `tcup lock` to write it",
                    lock::FILE_NAME,
                    file.display()
                ))
                .into());
            }
            return Ok(None);
        }
        Err(e) => return Err(UsageError(format!("could not read {}: {e}", path.display())).into()),
    };
    let head = LockHead::parse(&text).map_err(|why| UsageError(format!("could not read {}: {why}", path.display())))?;
    let host = now.channel.parse::<ToolchainName>().ok().and_then(|n| n.host).unwrap_or_else(default_host);
    let drift = head.toolchain.drift(&now);
    let state = if !drift.is_empty() {
        let why = format!("{} does not match {}: {}", path.display(), file.display(), drift.join(", "));
        if strict {
            return Err(NotLocked(format!("{why}; run `tcup lock` to update it")).into());
        }
        warnings.push(format!("{why}; using the toolchain file (run `tcup lock` to update the lock)"));
        LockState::Drifted(drift)
    } else if !head.has_host(&host) {
        let why = format!("{} locks no archives for host {host}", path.display());
        if strict {
            return Err(NotLocked(format!("{why}; run `tcup lock --host {host}`")).into());
        }
        warnings.push(format!("{why}: the locked release is checked by its manifest's SHA-256 only (run `tcup lock --host {host}`)"));
        LockState::NoHost
    } else {
        LockState::Locked
    };
    Ok(Some(Locked { path, head, host, state }))
}
