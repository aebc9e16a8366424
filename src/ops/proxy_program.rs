//! The proxy program in `CARGO_HOME/bin`: `tcup-proxy` ([`crate::cli::fast_proxy`]), which every
//! proxy (`rustc`, `cargo`, … of [`PROXIES`]) is a hard link to, installed from beside
//! `tcup-init` by `tcup init` and replaced by `tcup self update` from the update root
//! (`dist/<triple>/tcup-proxy`, with its `.sha256` and `.asc` like `tcup-init`'s).
//!
//! Where there is none — a `tcup-init` copied alone, an update root from before the proxy program
//! existed — the proxies are links to `tcup` itself, which has always been a proxy too: the same
//! resolution, the same messages, only slower to start (docs/design.md 20.7).

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::download::{DownloadError, Downloader};
use crate::env::Env;
use crate::ops::self_update::{fetch_signed, hash_file, published_file, swap_in, version_of};
use crate::ops::tool_proxy::PROXIES;
use crate::progress::Reporter;
use crate::trust::Keyring;

/// The proxy program's file name, in `CARGO_HOME/bin`, beside `tcup-init` and on the update root.
pub const PROGRAM: &str = "tcup-proxy";

/// Installs the proxies in `bin` (`CARGO_HOME/bin`, where `bin/tcup` is installed already): the
/// proxy program found beside `exe` (the running `tcup-init`) is copied to `bin/tcup-proxy` and
/// every proxy becomes a hard link to it (a symbolic link where hard links fail); without one,
/// the proxies link to `bin/tcup`. Returns what the proxies run.
///
/// # Errors
/// A copy, rename or link failed (the path is named).
pub fn install(bin: &Path, exe: &Path) -> anyhow::Result<PathBuf> {
    let source = exe.with_file_name(PROGRAM);
    let program = bin.join(PROGRAM);
    let target = if source.is_file() {
        let tmp = bin.join(format!(".{PROGRAM}.new"));
        fs_err::copy(&source, &tmp).with_context(|| format!("copying {} to {}", source.display(), tmp.display()))?;
        fs_err::set_permissions(&tmp, std::os::unix::fs::PermissionsExt::from_mode(0o755))?;
        fs_err::rename(&tmp, &program)?;
        program
    } else {
        if program.exists() {
            fs_err::remove_file(&program)?;
        }
        bin.join("tcup")
    };
    let file_name = target.file_name().unwrap_or_default().to_owned();
    for name in PROXIES {
        let link = bin.join(name);
        let _ = fs_err::remove_file(&link);
        if fs_err::hard_link(&target, &link).is_err() {
            fs_err::os::unix::fs::symlink(&file_name, &link).with_context(|| format!("linking {}", link.display()))?;
        }
    }
    Ok(target)
}

/// `tcup self update`'s second half: when the update root publishes a proxy program for `triple`
/// that `bin/tcup-proxy` is not, downloads it, verifies its `.sha256` and signature as for
/// `tcup-init` ([`fetch_signed`]), checks that it starts (`tcup-proxy --version` hands over to
/// `bin/tcup`, which must answer), then renames a hard link of it over each proxy that is a hard
/// link of `bin/tcup` or of the old proxy program, and finally over `bin/tcup-proxy`. Returns
/// whether anything changed; an update root without one changes nothing.
///
/// # Errors
/// As [`crate::ops::self_update::self_update`]; every proxy is still a whole binary.
pub fn update(env: &Env, triple: &str, bin: &Path, downloader: &Downloader, reporter: &Reporter) -> anyhow::Result<bool> {
    let (url, expected) = match published_file(env, triple, PROGRAM, downloader, reporter) {
        Ok(p) => p,
        Err(e) if e.downcast_ref::<DownloadError>().is_some_and(DownloadError::is_not_found) => {
            reporter.verbose(&format!("the update root publishes no {PROGRAM} for {triple}: the proxies stay as they are"));
            return Ok(false);
        }
        Err(e) => return Err(e),
    };
    let program = bin.join(PROGRAM);
    if program.is_file() && hash_file(&program)? == expected {
        return Ok(false);
    }
    let keyring = Keyring::for_updates(&env.update_keys)?;
    let new = bin.join(format!(".{PROGRAM}.new"));
    fetch_signed(downloader, &keyring, &url, &expected, &new, reporter)?;
    let swapped = version_of(&new).and_then(|_| swap_in(bin, &program, &new, &[bin.join("tcup")]));
    if swapped.is_err() {
        let _ = fs_err::remove_file(&new);
    }
    swapped.map(|()| true)
}
