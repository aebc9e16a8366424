//! The one way a channel manifest arrives: its `.sha256` first (`sha256sum` format), then the
//! manifest, checked against it before anything parses it; then its detached signature over the
//! same bytes ([`super::signature`]), and its binding to the name asked for
//! ([`crate::dist::binding`]). `toolchain install`, `update`, `check` and `mirror sync` all fetch
//! through here, so a manifest is never trusted by one command and not another. `mirror sync`
//! keeps the `.sha256` as served ([`fetch_sha256_file`]) and hands in the bytes its tree already
//! publishes when they have that hash ([`fetch_manifest_held`]): they are checked exactly as
//! downloaded bytes are, only not downloaded again.

use anyhow::Context as _;
use url::Url;

use crate::dist::binding;
use crate::dist::format::LinkSample;
use crate::dist::manifest::Manifest;
use crate::dist::name::ToolchainName;
use crate::dist::server;
use crate::download::Downloader;
use crate::download::hashing::{Mismatch, sha256_hex};
use crate::env::Env;
use crate::fetch::signature;
use crate::progress::Reporter;

/// Largest channel manifest accepted (bytes); real ones are about 1 MB.
const MANIFEST_LIMIT: u64 = 64 * 1024 * 1024;
/// Largest `.sha256` accepted (bytes).
const SHA_LIMIT: u64 = 4096;
/// The link sample of a manifest that was not downloaded (its bytes were already held).
const NOT_DOWNLOADED: LinkSample = LinkSample { bytes: 0, elapsed: std::time::Duration::ZERO };

/// A channel manifest checked against its `.sha256`.
pub struct VerifiedManifest {
    /// The manifest text, as served.
    pub text: String,
    /// Its SHA-256, hex.
    pub hash: String,
    /// Parsed.
    pub manifest: Manifest,
    /// How fast the manifest itself arrived: the link measurement for the format choice.
    pub link: LinkSample,
    /// The detached signature kept beside the installed manifest: verified when fetched
    /// ([`crate::fetch::signature`]); as stored when read from an installed toolchain.
    pub asc: Option<Vec<u8>>,
    /// Who signed it, when it was fetched and verified.
    pub signer: Option<crate::trust::Signer>,
}

/// Downloads `manifest_url`'s `.sha256`, then the manifest, checks it, checks its detached
/// signature over the same bytes ([`signature::check_manifest`]; `channel` is the toolchain name
/// without host, the key of downgrade protection), then parses it.
///
/// # Errors
/// Not found (the toolchain is not on this dist server), a `.sha256` without a hash,
/// [`Mismatch`], a refused signature, or a manifest that does not parse.
pub fn fetch_manifest(
    env: &Env,
    downloader: &Downloader,
    manifest_url: &Url,
    channel: &str,
    reporter: &Reporter,
) -> anyhow::Result<VerifiedManifest> {
    let expected = fetch_manifest_hash(downloader, manifest_url, reporter)?;
    fetch_manifest_with_hash(env, downloader, manifest_url, channel, expected, reporter)
}

/// The SHA-256 (lower-case hex) that `manifest_url`'s `.sha256` names (`sha256sum` format: the
/// hash first).
///
/// # Errors
/// The `.sha256` cannot be fetched or holds no SHA-256.
pub fn fetch_manifest_hash(downloader: &Downloader, manifest_url: &Url, reporter: &Reporter) -> anyhow::Result<String> {
    fetch_sha256_file(downloader, manifest_url, reporter).map(|f| f.hash)
}

/// A `.sha256` file as served, and the hash it names.
pub struct Sha256File {
    /// The file, byte for byte (`mirror sync` publishes it unchanged).
    pub bytes: Vec<u8>,
    /// The SHA-256 it names, lower-case hex ([`parse_sha256`]).
    pub hash: String,
}

/// Downloads `manifest_url`'s `.sha256` (at most 4 KiB) and reads the hash it names.
///
/// # Errors
/// The `.sha256` cannot be fetched or holds no SHA-256.
pub fn fetch_sha256_file(downloader: &Downloader, manifest_url: &Url, reporter: &Reporter) -> anyhow::Result<Sha256File> {
    let sha_url = server::sha256_url(manifest_url);
    let bytes = downloader.get_bytes(&sha_url, SHA_LIMIT, reporter)?;
    let hash = parse_sha256(&bytes).with_context(|| format!("{sha_url} does not hold a SHA-256 hash (expected 64 hex digits first)"))?;
    Ok(Sha256File { bytes, hash })
}

/// [`fetch_manifest`] once the `.sha256` named `expected`.
///
/// # Errors
/// As [`fetch_manifest`].
pub fn fetch_manifest_with_hash(
    env: &Env,
    downloader: &Downloader,
    manifest_url: &Url,
    channel: &str,
    expected: String,
    reporter: &Reporter,
) -> anyhow::Result<VerifiedManifest> {
    fetch_manifest_held(env, downloader, manifest_url, channel, expected, None, reporter)
}

/// [`fetch_manifest_with_hash`], except that `held`, when given, stands in for the download: the
/// bytes already held locally with the hash `expected` (`mirror sync`'s published copy). They pass
/// every check downloaded bytes pass (the hash again, the signature, the binding to `channel`);
/// the link sample is empty then.
///
/// # Errors
/// As [`fetch_manifest`].
pub fn fetch_manifest_held(
    env: &Env,
    downloader: &Downloader,
    manifest_url: &Url,
    channel: &str,
    expected: String,
    held: Option<Vec<u8>>,
    reporter: &Reporter,
) -> anyhow::Result<VerifiedManifest> {
    let (bytes, link) = if let Some(bytes) = held {
        (bytes, NOT_DOWNLOADED)
    } else {
        let (bytes, timing) = downloader.get_bytes_timed(manifest_url, MANIFEST_LIMIT, reporter)?;
        (bytes, LinkSample { bytes: timing.bytes, elapsed: timing.elapsed })
    };
    let actual = sha256_hex(&bytes);
    if actual != expected {
        return Err(Mismatch { url: manifest_url.to_string(), expected, actual }.into());
    }
    let checked = signature::check_manifest(env, downloader, manifest_url, channel, &bytes, reporter)?;
    let (asc, signer) = checked.map_or((None, None), |s| (Some(s.asc), Some(s.signer)));
    let text = String::from_utf8(bytes).with_context(|| format!("{manifest_url} is not UTF-8 text"))?;
    let manifest = Manifest::parse(&text).with_context(|| format!("reading {manifest_url}"))?;
    // Bound to the name asked for, whatever the policy (a replayed signed manifest verifies).
    let name: ToolchainName = channel.parse()?;
    binding::check(&name, &manifest, manifest_url.as_str())?;
    if let Some(warning) = binding::stale(&name, &manifest, &env.today) {
        reporter.warn(&warning);
    }
    Ok(VerifiedManifest { text, hash: actual, manifest, link, asc, signer })
}

/// The SHA-256 a `.sha256` file names: `sha256sum`'s format, the hash first (then, optionally,
/// two spaces and a file name). Lower-case hex; `None` when the text does not start with 64 hex
/// digits (an HTML error page, an empty file).
pub fn parse_sha256(text: &[u8]) -> Option<String> {
    let first = std::str::from_utf8(text).ok()?.split_whitespace().next()?;
    (first.len() == 64 && first.bytes().all(|b| b.is_ascii_hexdigit())).then(|| first.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::parse_sha256;

    #[test]
    fn sha256_files() {
        let h = "ab".repeat(32);
        assert_eq!(parse_sha256(format!("{h}  channel-rust-stable.toml\n").as_bytes()), Some(h.clone()));
        assert_eq!(parse_sha256(h.to_uppercase().as_bytes()), Some(h.clone()));
        assert_eq!(parse_sha256(format!("{h}\n").as_bytes()), Some(h));
        assert_eq!(parse_sha256(b"<html>not found</html>"), None);
        assert_eq!(parse_sha256(b""), None);
        assert_eq!(parse_sha256("ab".repeat(31).as_bytes()), None);
    }
}
