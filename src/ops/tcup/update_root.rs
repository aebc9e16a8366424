//! The update root: where tcup's own binaries are published (`TCUP_UPDATE_ROOT`, else
//! `RUSTUP_UPDATE_ROOT`), in the layout `ci/release.sh` writes and `installer/init.sh` reads —
//! `dist/<triple>/<name>` with `<name>.sha256` (`sha256sum` format) and `<name>.asc` (a detached
//! OpenPGP signature by a tcup release key) — and how a published binary replaces an installed
//! one: fetched whole, its hash and signature checked, written as a new file beside the old one,
//! run once, then renamed over it. `self update` ([`super::self_update`]) and the proxy program
//! ([`super::proxy_program`]) both go through here.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use url::Url;

use crate::download::Downloader;
use crate::download::hashing::{Mismatch, sha256_hex};
use crate::env::Env;
use crate::ops::active::run_tool::PROXIES;
use crate::progress::Reporter;
use crate::trust::Keyring;
use crate::trust::verify::{ASC_LIMIT, verify_detached};

/// The largest `tcup-init` accepted (bytes); release builds are at most 16 MiB.
pub const MAX_BINARY: u64 = 256 * 1024 * 1024;

/// The triple under which the update root publishes the build `build_triple` (a binary's own
/// `TARGET`): a static musl release build is published under the glibc triple it serves when
/// Rust has no musl host toolchain for that architecture (32-bit ARM and x86); every other
/// triple is its own. See docs/design.md release-4.
pub fn published_triple(build_triple: &str) -> String {
    match build_triple {
        "arm-unknown-linux-musleabihf" => "arm-unknown-linux-gnueabihf".into(),
        "arm-unknown-linux-musleabi" => "arm-unknown-linux-gnueabi".into(),
        "armv7-unknown-linux-musleabihf" => "armv7-unknown-linux-gnueabihf".into(),
        "i686-unknown-linux-musl" => "i686-unknown-linux-gnu".into(),
        other => other.into(),
    }
}

/// Downloads `url`, a file the update root publishes with SHA-256 `expected`, verifies its
/// detached signature `<url>.asc` under `keyring`, and only then writes it into `dest` (mode
/// 755, see [`write_new`]). The `.asc` is fetched first, so a missing one refuses before anything
/// else is downloaded; a refused file never reaches the disk.
///
/// # Errors
/// The `.asc` is missing (a refusal naming the trusted keys) or does not verify
/// ([`crate::trust::BadSignature`]); a download failed; the hash differs ([`Mismatch`]).
pub fn fetch_signed(
    downloader: &Downloader,
    keyring: &Keyring,
    url: &Url,
    expected: &str,
    dest: &Path,
    reporter: &Reporter,
) -> anyhow::Result<()> {
    let asc_url = Url::parse(&format!("{url}.asc"))?;
    let name = url.path_segments().and_then(Iterator::last).unwrap_or("tcup-init");
    let asc = match downloader.get_bytes(&asc_url, ASC_LIMIT, reporter) {
        Ok(asc) => asc,
        Err(e) if crate::fetch::signature::absent(&e) => bail!(
            "{asc_url} is not on the update root: tcup self update installs only a {name} signed by a tcup release key (keys trusted: {})",
            keyring.describe()
        ),
        Err(e) => return Err(anyhow::Error::new(e).context(format!("fetching the signature {asc_url}"))),
    };
    reporter.info(&format!("downloading {url}"));
    // Held in memory (at most MAX_BINARY bytes) until the hash and the signature accepted it:
    // nothing is written into CARGO_HOME/bin for a refused update.
    let data = downloader.get_bytes(url, MAX_BINARY, reporter)?;
    let actual = sha256_hex(&data);
    if actual != expected {
        return Err(Mismatch { url: url.to_string(), expected: expected.to_owned(), actual }.into());
    }
    let signer = verify_detached(keyring, &data, &asc, asc_url.as_str(), url.as_str())?;
    reporter.info(&format!("{url} is signed by {signer}"));
    write_new(dest, &data)
}

/// Writes `data` into a new file `dest` (mode 755), never through a link: whatever is at `dest`
/// (a leftover, or a link planted by whoever can write into `CARGO_HOME/bin`) is unlinked first,
/// and the file is then created exclusively (`O_CREAT | O_EXCL`, which fails on a link planted
/// in between instead of following it). `dest` is removed when writing fails.
///
/// # Errors
/// `dest` cannot be removed, created or written (named).
fn write_new(dest: &Path, data: &[u8]) -> anyhow::Result<()> {
    if fs_err::symlink_metadata(dest).is_ok() {
        fs_err::remove_file(dest)?;
    }
    let written = crate::sys::fs::create_new(dest, 0o755).and_then(|mut out| {
        out.write_all(data)?;
        out.sync_all()
    });
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::AlreadyExists {
            let _ = fs_err::remove_file(dest);
        }
        return Err(e.into());
    }
    // The mode asked for at creation is less the umask: set it whole.
    crate::sys::fs::set_mode(dest, 0o755)?;
    Ok(())
}

/// The URL of the update root's `dist/<triple>/<name>` and its SHA-256 (from its `.sha256` file).
///
/// # Errors
/// The `.sha256` cannot be fetched (a [`crate::download::DownloadError`] in the chain) or is not
/// one.
pub fn published_file(env: &Env, triple: &str, name: &str, downloader: &Downloader, reporter: &Reporter) -> anyhow::Result<(Url, String)> {
    let url = binary_url(&env.update_root, triple, name)?;
    let sha_url = Url::parse(&format!("{url}.sha256"))?;
    let sha_text = downloader.get_bytes(&sha_url, 4096, reporter)?;
    let expected = crate::fetch::manifest::parse_sha256(&sha_text).with_context(|| format!("{sha_url} is not a SHA-256 checksum file"))?;
    Ok((url, expected))
}

/// `<root>/dist/<triple>/<name>`, with `.exe` for a Windows triple (as rustup's update root
/// publishes `dist/x86_64-pc-windows-msvc/rustup-init.exe`).
fn binary_url(root: &Url, triple: &str, name: &str) -> anyhow::Result<Url> {
    let suffix = if triple.contains("-windows-") { ".exe" } else { "" };
    let text = format!("{}/dist/{triple}/{name}{suffix}", root.as_str().trim_end_matches('/'));
    Url::parse(&text).with_context(|| format!("bad update URL {text}"))
}

/// SHA-256 of the file at `path` (lower-case hex): an installed binary compared with the published
/// `.sha256`.
///
/// # Errors
/// The file cannot be read (named).
pub fn hash_file(path: &Path) -> anyhow::Result<String> {
    crate::download::hashing::sha256_file(path).with_context(|| format!("reading {}", path.display()))
}

/// How long a new `tcup` or `tcup-proxy` may take to answer `--version`: it answers at once; the
/// limit only keeps a build that hangs on this machine from hanging the update.
const VERSION_LIMIT: std::time::Duration = std::time::Duration::from_secs(30);

/// Runs `exe --version` (bounded, [`crate::host::run_check::run_version`]) and returns its first
/// line; fails when it does not run or its line does not start with `name` (`tcup`, or
/// `tcup-proxy` for the proxy program, which answers `--version` itself when not called as a
/// proxy), so neither can be installed as the other.
pub fn version_of(exe: &Path, name: &str) -> anyhow::Result<String> {
    let not_here = || format!("the downloaded {name} ({}) does not run on this machine", exe.display());
    let line = crate::host::run_check::run_version(exe, VERSION_LIMIT, &published_triple(crate::BUILD_TRIPLE))
        .with_context(not_here)?
        .trim()
        .to_owned();
    if !line.starts_with(&format!("{name} ")) {
        bail!("{}: `--version` printed {line:?}", not_here());
    }
    Ok(line)
}

/// Moves `new` over `file` (`bin/tcup` or `bin/tcup-proxy`), first over each proxy that is a hard
/// link of `file` or of one of `also` (and, for `bin/tcup`, over the `rustup` link of
/// `--as-rustup`), so none keeps running the old binary.
/// Symbolic-link proxies follow by themselves. Each rename is atomic.
pub fn swap_in(bin: &Path, file: &Path, new: &Path, also: &[PathBuf]) -> anyhow::Result<()> {
    let ids: Vec<(u64, u64)> =
        std::iter::once(file).chain(also.iter().map(PathBuf::as_path)).filter_map(crate::sys::identity::followed).collect();
    // `rustup` (the `--as-rustup` link) follows `tcup`, never the proxy program.
    let rustup = (file.file_name() == Some(std::ffi::OsStr::new(&crate::sys::exe("tcup")))).then_some(crate::ops::tcup::rustup_name::NAME);
    let linked: Vec<PathBuf> = PROXIES
        .iter()
        .copied()
        .chain(rustup)
        .map(|name| bin.join(crate::sys::exe(name)))
        .filter(|p| {
            fs_err::symlink_metadata(p).is_ok_and(|m| m.file_type().is_file())
                && crate::sys::identity::file_id(p).is_some_and(|id| ids.contains(&id))
        })
        .collect();
    for proxy in &linked {
        crate::sys::atomic_write::replace_with(proxy, |tmp| {
            // A copy only where links are not possible: never over something planted in between.
            fs_err::hard_link(new, tmp)
                .or_else(|e| if e.kind() == std::io::ErrorKind::AlreadyExists { Err(e) } else { fs_err::copy(new, tmp).map(drop) })
        })?;
    }
    crate::sys::atomic_write::rename_over(new, file)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn musl_builds_publish_under_the_triple_they_serve() {
        assert_eq!(published_triple("arm-unknown-linux-musleabihf"), "arm-unknown-linux-gnueabihf");
        assert_eq!(published_triple("arm-unknown-linux-musleabi"), "arm-unknown-linux-gnueabi");
        assert_eq!(published_triple("armv7-unknown-linux-musleabihf"), "armv7-unknown-linux-gnueabihf");
        assert_eq!(published_triple("i686-unknown-linux-musl"), "i686-unknown-linux-gnu");
        assert_eq!(published_triple("x86_64-unknown-linux-musl"), "x86_64-unknown-linux-musl");
        assert_eq!(published_triple("aarch64-unknown-linux-musl"), "aarch64-unknown-linux-musl");
        assert_eq!(published_triple("x86_64-unknown-linux-gnu"), "x86_64-unknown-linux-gnu");
    }

    #[test]
    fn update_url_is_under_dist() {
        let root = Url::parse("http://127.0.0.1:8/root").unwrap();
        assert_eq!(
            binary_url(&root, "x86_64-unknown-linux-musl", "tcup-init").unwrap().as_str(),
            "http://127.0.0.1:8/root/dist/x86_64-unknown-linux-musl/tcup-init"
        );
    }
}
