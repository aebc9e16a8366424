//! The proxy program in `CARGO_HOME/bin`: `tcup-proxy` ([`crate::cli::proxy`]), which every
//! proxy (`rustc`, `cargo`, … of [`PROXIES`]) is a hard link to, installed from beside
//! `tcup-init` by `tcup init` and replaced by `tcup self update` from the update root
//! (`dist/<triple>/tcup-proxy`, with its `.sha256` and `.asc` like `tcup-init`'s).
//!
//! Where there is none — a `tcup-init` copied alone, an update root from before the proxy program
//! existed — the proxies are links to `tcup` itself, which has always been a proxy too: the same
//! resolution, the same messages, only slower to start (docs/design.md active-8). A proxy program
//! runs only beside the `tcup` of its own version: one of another version is not installed, and
//! an update that cannot bring it to tcup's version moves the proxies back onto `tcup`.

use std::io;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::download::{DownloadError, Downloader};
use crate::env::Env;
use crate::ops::active::run_tool::PROXIES;
use crate::ops::tcup::update_root::{fetch_signed, hash_file, published_file, swap_in, version_of};
use crate::progress::Reporter;
use crate::trust::Keyring;

/// The proxy program's file name, in `CARGO_HOME/bin`, beside `tcup-init` and on the update root.
pub const PROGRAM: &str = "tcup-proxy";

/// What the proxy program answers to `--version` when not called as a proxy.
pub fn version_line() -> String {
    format!("{PROGRAM} {}", crate::VERSION)
}

/// The `tcup` the proxy program hands a call to: the file `tcup` beside `me` (the proxy program's
/// own file, links followed). `Err` with that path when it is the proxy program itself (a broken
/// install), which would hand the call to itself.
pub fn tcup_beside(me: &Path) -> Result<PathBuf, PathBuf> {
    let tcup = me.with_file_name(crate::sys::exe("tcup"));
    if crate::sys::identity::same_file(me, &tcup) { Err(tcup) } else { Ok(tcup) }
}

/// Runs `tcup` in place of the proxy program with `args`, as `argv0` (the proxy's name, so tcup
/// acts as that proxy). Returns only when it could not start, with the reason.
pub fn hand_over(tcup: &Path, argv0: &std::ffi::OsStr, args: &[std::ffi::OsString]) -> std::io::Error {
    let mut cmd = std::process::Command::new(tcup);
    cmd.args(args);
    crate::sys::process::exec_as(&mut cmd, argv0)
}

/// Installs the proxies in `bin` (`CARGO_HOME/bin`, where `bin/tcup` is installed already): a
/// proxy program beside `exe` (the running `tcup-init`) of this tcup's version is copied to
/// `bin/tcup-proxy` and every proxy becomes a hard link to it (a symbolic link where hard links
/// fail); without one, the proxies link to `bin/tcup`. One of another version is left out with a
/// warning. Returns what the proxies run.
///
/// # Errors
/// A copy, rename or link failed (the path is named).
pub fn install(bin: &Path, exe: &Path, reporter: &Reporter) -> anyhow::Result<PathBuf> {
    let source = exe.with_file_name(crate::sys::exe(PROGRAM));
    let program = bin.join(crate::sys::exe(PROGRAM));
    let usable = source.is_file()
        && match version_of(&source, PROGRAM) {
            Ok(v) if v == version_line() => true,
            Ok(v) => {
                reporter.warn(&format!("{} is {v}, not {}: the proxies run tcup instead", source.display(), version_line()));
                false
            }
            Err(e) => {
                reporter.warn(&format!("{}; the proxies run tcup instead", crate::error::one_line(&e)));
                false
            }
        };
    let target = if usable {
        copy_into_place(&source, &program)?;
        program.clone()
    } else {
        bin.join(crate::sys::exe("tcup"))
    };
    link_all(bin, &target)?;
    if target != program && program.exists() {
        fs_err::remove_file(&program)?;
    }
    Ok(target)
}

/// Copies `source` to `dest` (mode 755) through a temporary file beside it and a rename
/// ([`crate::sys::atomic_write`]), so `dest` is always a whole binary; the temporary file is
/// removed on failure.
///
/// # Errors
/// The copy, the mode change or the rename failed (both paths named).
pub fn copy_into_place(source: &Path, dest: &Path) -> anyhow::Result<()> {
    crate::sys::atomic_write::write_with(dest, Some(0o755), |out| io::copy(&mut fs_err::File::open(source)?, out).map(drop))
        .with_context(|| format!("copying {} to {}", source.display(), dest.display()))
}

/// Makes every proxy in `bin` a hard link to `target` (a relative symbolic link where hard links
/// fail), each by renaming a new link over the old one.
fn link_all(bin: &Path, target: &Path) -> anyhow::Result<()> {
    let file_name = target.file_name().unwrap_or_default().to_owned();
    for name in PROXIES {
        let link = bin.join(crate::sys::exe(name));
        crate::sys::atomic_write::replace_with(&link, |tmp| {
            fs_err::hard_link(target, tmp).or_else(|_| crate::sys::fs::symlink(Path::new(&file_name), tmp))
        })
        .with_context(|| format!("linking {}", link.display()))?;
    }
    Ok(())
}

/// `tcup self update`'s second half, after `bin/tcup` is current (`tcup_updated` when this run
/// replaced it). When the update root publishes a proxy program for `triple` that
/// `bin/tcup-proxy` is not, downloads it, verifies its `.sha256` and signature as for `tcup-init`
/// ([`fetch_signed`]), checks that it answers `tcup-proxy <version>` to `--version`, then
/// renames a hard link of it over each proxy that is a hard link of `bin/tcup` or of the old
/// proxy program, and finally over `bin/tcup-proxy`. When the update root publishes none, an
/// installed proxy program would be of another version than the new tcup: the proxies move
/// back onto `bin/tcup`. Returns whether anything changed.
///
/// # Errors
/// Only when tcup was not updated (then nothing changed): as
/// [`crate::ops::tcup::self_update::self_update`]. After tcup was updated a failure here is a warning
/// and the proxies move onto `bin/tcup`, so no proxy runs a program of another version.
pub fn update(
    env: &Env,
    triple: &str,
    bin: &Path,
    tcup_updated: bool,
    downloader: &Downloader,
    reporter: &Reporter,
) -> anyhow::Result<bool> {
    let program = bin.join(crate::sys::exe(PROGRAM));
    match fetch_new(env, triple, bin, &program, downloader, reporter) {
        Ok(Fetched::Current) => Ok(false),
        Ok(Fetched::New(new)) => {
            let swapped = swap_in(bin, &program, &new, &[bin.join(crate::sys::exe("tcup"))]);
            if swapped.is_err() {
                let _ = fs_err::remove_file(&new);
            }
            match swapped {
                Ok(()) => Ok(true),
                Err(e) => back_onto_tcup(bin, &program, tcup_updated, e, reporter),
            }
        }
        Ok(Fetched::Unpublished) if program.exists() => {
            reporter.verbose(&format!("the update root publishes no {PROGRAM} for {triple}: the proxies move onto tcup"));
            link_all(bin, &bin.join(crate::sys::exe("tcup")))?;
            fs_err::remove_file(&program)?;
            Ok(true)
        }
        Ok(Fetched::Unpublished) => {
            reporter.verbose(&format!("the update root publishes no {PROGRAM} for {triple}"));
            Ok(false)
        }
        Err(e) => back_onto_tcup(bin, &program, tcup_updated, e, reporter),
    }
}

enum Fetched {
    /// `bin/tcup-proxy` is the published one.
    Current,
    /// Downloaded, verified and checked: the path of the new file.
    New(PathBuf),
    /// The update root has none.
    Unpublished,
}

fn fetch_new(env: &Env, triple: &str, bin: &Path, program: &Path, downloader: &Downloader, reporter: &Reporter) -> anyhow::Result<Fetched> {
    let (url, expected) = match published_file(env, triple, PROGRAM, downloader, reporter) {
        Ok(p) => p,
        Err(e) if e.downcast_ref::<DownloadError>().is_some_and(DownloadError::is_not_found) => return Ok(Fetched::Unpublished),
        Err(e) => return Err(e),
    };
    if program.is_file() && hash_file(program)? == expected {
        return Ok(Fetched::Current);
    }
    let keyring = Keyring::for_updates(&env.update_keys)?;
    let new = bin.join(format!(".{PROGRAM}.new"));
    fetch_signed(downloader, &keyring, &url, &expected, &new, reporter)?;
    match version_of(&new, PROGRAM) {
        Ok(v) if v == version_line() => Ok(Fetched::New(new)),
        other => {
            let _ = fs_err::remove_file(&new);
            let v = other?;
            anyhow::bail!("{url} is {v}, not {}: it does not belong to this tcup", version_line())
        }
    }
}

/// After a failed proxy-program update: an error when tcup was not updated either (nothing
/// changed); otherwise a warning, and the proxies run the new tcup.
fn back_onto_tcup(bin: &Path, program: &Path, tcup_updated: bool, err: anyhow::Error, reporter: &Reporter) -> anyhow::Result<bool> {
    if !tcup_updated {
        return Err(err);
    }
    reporter.warn(&format!("tcup was updated but its proxy program was not ({}); the proxies run tcup", crate::error::one_line(&err)));
    link_all(bin, &bin.join(crate::sys::exe("tcup")))?;
    if program.exists() {
        fs_err::remove_file(program)?;
    }
    Ok(true)
}
