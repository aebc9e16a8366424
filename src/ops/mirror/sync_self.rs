//! `tcup mirror sync --self`: the update root tcup bootstraps and updates itself from
//! (`TCUP_UPDATE_ROOT`, else `RUSTUP_UPDATE_ROOT`; layout in [`crate::ops::tcup::self_update`]) copied
//! into the same tree, so one server answers `TCUP_UPDATE_ROOT` and `RUSTUP_DIST_SERVER` alike.
//!
//! For each host triple: `dist/<triple>/tcup-init` and the proxy program `tcup-proxy` beside it
//! (when published), each with its `.sha256` and its `.asc`, byte for byte.
//! The binary is checked against the `.sha256` and its signature against tcup's release keys
//! (`TCUP_UPDATE_KEYS` added) before anything is published: a binary tcup will execute needs a
//! valid signature under every policy, so an unsigned one is refused here too. A triple the
//! update root does not publish (its `.sha256` is not there) is skipped with a warning. Order of
//! publication: the binary, its `.asc`, then the `.sha256` clients read first.

use anyhow::Context as _;

use super::sync_publish::write;
use super::sync_tree::Tree;
use crate::dist::server;
use crate::download::Downloader;
use crate::download::hashing::{Mismatch, sha256_hex};
use crate::env::Env;
use crate::fetch::signature::absent;
use crate::progress::Reporter;
use crate::trust::Keyring;
use crate::trust::verify::{ASC_LIMIT, verify_detached};

/// The largest `tcup-init` accepted (bytes), as `self update` accepts.
const MAX_BINARY: u64 = 256 * 1024 * 1024;

/// What `--self` did.
#[derive(Debug, Clone, Copy, Default)]
pub struct SelfReport {
    /// Bytes downloaded.
    pub bytes: u64,
    /// Files written.
    pub written: usize,
}

/// Mirrors `tcup-init` and `tcup-proxy` for each of `hosts` (see the module documentation).
///
/// # Errors
/// A download failure other than a missing `.sha256`; a `.sha256` that is not one; a checksum
/// mismatch; a missing or bad signature; a file that cannot be written. Nothing of that file
/// is published then.
pub fn sync_self(env: &Env, tree: &Tree, hosts: &[String], downloader: &Downloader, reporter: &Reporter) -> anyhow::Result<SelfReport> {
    let keyring = Keyring::for_updates(&env.update_keys)?;
    let mut report = SelfReport::default();
    for triple in hosts {
        let fetch = |name: &str, report: &mut SelfReport| {
            sync_file(env, tree, &format!("dist/{triple}/{name}"), &keyring, downloader, reporter, report)
        };
        if let Some(sha_url) = fetch("tcup-init", &mut report)? {
            reporter.warn(&format!("the update root publishes no tcup-init for {triple} ({sha_url} is not there); skipped"));
            continue;
        }
        if let Some(sha_url) = fetch(crate::ops::tcup::proxy_program::PROGRAM, &mut report)? {
            reporter.verbose(&format!("the update root publishes no tcup-proxy for {triple} ({sha_url} is not there)"));
        }
    }
    Ok(report)
}

/// Mirrors the update root's file `rel` (`dist/<triple>/<name>`), its `.asc` and its `.sha256`;
/// returns the `.sha256` URL when the update root has none (nothing is mirrored then).
fn sync_file(
    env: &Env,
    tree: &Tree,
    rel: &str,
    keyring: &Keyring,
    downloader: &Downloader,
    reporter: &Reporter,
    report: &mut SelfReport,
) -> anyhow::Result<Option<url::Url>> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let url = server::join(&env.update_root, rel);
    let sha_url = server::sha256_url(&url);
    let sha_file = match downloader.get_bytes(&sha_url, 4096, reporter) {
        Ok(s) => s,
        Err(e) if absent(&e) => return Ok(Some(sha_url)),
        Err(e) => return Err(e.into()),
    };
    report.bytes += sha_file.len() as u64;
    let expected = crate::fetch::manifest::parse_sha256(&sha_file)
        .with_context(|| format!("{sha_url} does not hold a SHA-256 hash (expected 64 hex digits first)"))?;
    let asc_url = crate::fetch::signature::asc_url(&url);
    let asc = match downloader.get_bytes(&asc_url, ASC_LIMIT, reporter) {
        Ok(a) => a,
        Err(e) if absent(&e) => anyhow::bail!(
            "{asc_url} is not on the update root: a {name} is mirrored only with a signature by a tcup release key (keys trusted: {})",
            keyring.describe()
        ),
        Err(e) => return Err(anyhow::Error::new(e).context(format!("fetching the signature {asc_url}"))),
    };
    report.bytes += asc.len() as u64;
    let data = if let Some(d) = tree.read(rel).filter(|d| sha256_hex(d) == expected) {
        d
    } else {
        reporter.info(&format!("downloading {url}"));
        let d = downloader.get_bytes(&url, MAX_BINARY, reporter)?;
        report.bytes += d.len() as u64;
        let actual = sha256_hex(&d);
        if actual != expected {
            return Err(Mismatch { url: url.to_string(), expected, actual }.into());
        }
        d
    };
    let signer = verify_detached(keyring, &data, &asc, asc_url.as_str(), url.as_str())?;
    reporter.verbose(&format!("{url} is signed by {signer}"));
    for (r, bytes) in [(rel.to_owned(), &data), (format!("{rel}.asc"), &asc), (format!("{rel}.sha256"), &sha_file)] {
        report.written += usize::from(write(tree, &r, bytes).with_context(|| format!("mirroring {url}"))?);
    }
    Ok(None)
}
