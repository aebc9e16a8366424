//! `tcup self update`: replaces the installed tcup (`CARGO_HOME/bin/tcup`) and its hard-linked
//! proxies with the build the update root publishes for this binary, the way `rustup self update`
//! does for rustup.
//!
//! The update root (`TCUP_UPDATE_ROOT`, else `RUSTUP_UPDATE_ROOT`) has the layout
//! `ci/release.sh` writes and `installer/init.sh` reads: `dist/<triple>/tcup-init` and
//! `dist/<triple>/tcup-init.sha256` (`sha256sum` format) and `dist/<triple>/tcup-init.asc` (a
//! detached OpenPGP signature by a tcup release key: `installer/release-keys.asc`, compiled in,
//! or `TCUP_UPDATE_KEYS`). A binary tcup will execute is never accepted on a checksum alone,
//! whatever the signature policy. The order of work keeps the old install intact on every
//! failure:
//! 1. fetch the `.sha256`; if it is the installed binary's hash, tcup is up to date;
//! 2. fetch the `.asc`: missing is a refusal before anything else is downloaded;
//! 3. download the binary into memory (at most [`super::update_root::MAX_BINARY`] bytes) and check its hash;
//! 4. verify the `.asc` over its bytes; only then write it as `CARGO_HOME/bin/.tcup.new`, a new
//!    file created exclusively after anything at that name is unlinked (a link planted there is
//!    never written through), and run `.tcup.new --version` (it must run on this machine and say
//!    which version it is);
//! 5. rename a hard link of it over each proxy that was a hard link of the old tcup, then over
//!    `tcup` itself. Each rename is atomic, so every file is always a whole binary;
//! 6. the same for the proxy program `dist/<triple>/tcup-proxy` ([`crate::ops::tcup::proxy_program`]),
//!    which the proxies are links to; once tcup is updated, a failure there is a warning and the
//!    proxies run the new tcup.

use std::path::Path;

use anyhow::bail;
use url::Url;

use crate::download::Downloader;
use crate::env::Env;
pub use crate::home::settings::AutoSelfUpdate;
use crate::ops::tcup::update_root::{fetch_signed, hash_file, published_file, swap_in, version_of};
use crate::progress::Reporter;
use crate::trust::Keyring;
use crate::trust::verify::{ASC_LIMIT, verify_detached};

/// What `self update` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The installed binary already is the published one.
    UpToDate,
    /// Replaced; `version` is what the new binary's `--version` printed (e.g. `tcup 0.2.0`).
    Updated {
        /// The new binary's `--version` line.
        version: String,
    },
}

/// Updates `env.cargo_home/bin/tcup` from `env.update_root` for `triple` (see the module doc).
///
/// # Errors
/// tcup is not installed in `CARGO_HOME/bin`; a download failed; the `.sha256` is not one;
/// the binary's hash differs ([`Mismatch`]); the `.asc` is missing or does not verify
/// ([`crate::trust::BadSignature`]); a key file is unusable; the new binary does not run; a rename failed. In
/// every case the installed tcup and proxies are unchanged (a failure after tcup was replaced,
/// in step 6, is a warning instead).
pub fn self_update(env: &Env, triple: &str, downloader: &Downloader, reporter: &Reporter) -> anyhow::Result<Outcome> {
    let bin = env.cargo_home.join("bin");
    let tcup = bin.join(crate::sys::exe("tcup"));
    if !tcup.is_file() {
        bail!("tcup is not installed in {} (install it with tcup-init first)", bin.display());
    }
    let (url, expected) = published(env, triple, downloader, reporter)?;
    let version = if hash_file(&tcup)? == expected {
        None
    } else {
        let keyring = Keyring::for_updates(&env.update_keys)?;
        let new = bin.join(".tcup.new");
        fetch_signed(downloader, &keyring, &url, &expected, &new, reporter)?;
        let result = version_of(&new, "tcup").and_then(|v| swap_in(&bin, &tcup, &new, &[]).map(|()| v));
        if result.is_err() {
            let _ = fs_err::remove_file(&new);
        }
        Some(result?)
    };
    let proxies = crate::ops::tcup::proxy_program::update(env, triple, &bin, version.is_some(), downloader, reporter)?;
    Ok(match (version, proxies) {
        (Some(version), _) => Outcome::Updated { version },
        (None, true) => Outcome::Updated { version: version_of(&tcup, "tcup")? },
        (None, false) => Outcome::UpToDate,
    })
}

/// What `tcup init` found out about its own binary (it never fails on an unreachable update root:
/// an offline or container `init` still works).
#[derive(Debug)]
pub enum OwnSignature {
    /// The update root's `tcup-init.asc` verifies over this binary.
    Signed(crate::trust::Signer),
    /// The update root could not be asked, or has no `.asc` (the cause, for a warning).
    Unknown(String),
    /// This binary is not the build the update root publishes, so its signature says nothing
    /// about this one.
    OtherBuild,
}

/// For `tcup init`: checks `exe` (this binary) against the update root's `tcup-init.asc` for
/// `triple`.
///
/// # Errors
/// This binary *is* the published build (same SHA-256) and its signature does not verify: the
/// update root or the binary was tampered with.
pub fn verify_own(env: &Env, triple: &str, exe: &Path, downloader: &Downloader, reporter: &Reporter) -> anyhow::Result<OwnSignature> {
    let (url, expected) = match published(env, triple, downloader, reporter) {
        Ok(p) => p,
        Err(e) => return Ok(OwnSignature::Unknown(crate::error::one_line(&e))),
    };
    let data = fs_err::read(exe)?;
    if crate::download::hashing::sha256_hex(&data) != expected {
        return Ok(OwnSignature::OtherBuild);
    }
    let asc_url = Url::parse(&format!("{url}.asc"))?;
    let asc = match downloader.get_bytes(&asc_url, ASC_LIMIT, reporter) {
        Ok(asc) => asc,
        Err(e) => return Ok(OwnSignature::Unknown(e.to_string())),
    };
    let keyring = Keyring::for_updates(&env.update_keys)?;
    Ok(OwnSignature::Signed(verify_detached(&keyring, &data, &asc, asc_url.as_str(), &exe.display().to_string())?))
}

/// What `tcup update` and `tcup check` do about tcup itself: `settings.toml`'s
/// `auto_self_update` (`tcup set auto-self-update`, rustup's key and words), else
/// [`AutoSelfUpdate::CheckOnly`]: unlike rustup, whose default is `enable`, tcup replaces itself
/// only when asked (`tcup self update`, a signed step of its own), and says when it could.
///
/// # Errors
/// `settings.toml` is not valid (named).
pub fn mode(env: &Env) -> anyhow::Result<AutoSelfUpdate> {
    Ok(crate::home::settings::load(&env.rustup_home)?.auto_self_update.unwrap_or(AutoSelfUpdate::CheckOnly))
}

/// For `tcup check`: whether the update root publishes another build than the installed
/// `CARGO_HOME/bin/tcup` (step 1 above, nothing downloaded but the `.sha256`). `Ok(None)` when
/// tcup is not installed there (run from a build directory: there is nothing to update).
///
/// # Errors
/// The `.sha256` cannot be fetched or is not one; the installed binary cannot be read.
pub fn update_available(env: &Env, triple: &str, downloader: &Downloader, reporter: &Reporter) -> anyhow::Result<Option<bool>> {
    let tcup = env.cargo_home.join("bin").join(crate::sys::exe("tcup"));
    if !tcup.is_file() {
        return Ok(None);
    }
    let (_, expected) = published(env, triple, downloader, reporter)?;
    Ok(Some(hash_file(&tcup)? != expected))
}

/// The URL of the published build for `triple` and its SHA-256 (from its `.sha256` file).
fn published(env: &Env, triple: &str, downloader: &Downloader, reporter: &Reporter) -> anyhow::Result<(Url, String)> {
    published_file(env, triple, "tcup-init", downloader, reporter)
}
