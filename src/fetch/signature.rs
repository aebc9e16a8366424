//! Channel manifest signatures on the wire and on disk: fetching `channel-rust-<channel>.toml.asc`
//! beside the manifest, deciding with [`crate::trust::policy`], recording downgrade protection in
//! `RUSTUP_HOME/tcup.toml`, and keeping the verified `.asc` beside the installed
//! `lib/rustlib/multirust-channel-manifest.toml` (rustup ignores the extra file) so `tcup
//! toolchain verify` can check it again later.
//!
//! The bytes checked are the bytes parsed: [`check_manifest`] is given the manifest exactly as
//! downloaded, before it is parsed, and nothing else is downloaded until it returns.

use url::Url;

use crate::download::{DownloadError, Downloader};
use crate::env::{Env, SignaturePolicy};
use crate::home::tcup_file::TcupFile;
use crate::home::toolchain::ToolchainDir;
use crate::progress::Reporter;
use crate::trust::policy::{self, Evidence, Verdict};
use crate::trust::verify::{ASC_LIMIT, verify_detached};
use crate::trust::{Keyring, Signer};

/// A verified detached signature of a channel manifest.
#[derive(Debug, Clone)]
pub struct ManifestSignature {
    /// The `.asc` as served.
    pub asc: Vec<u8>,
    /// Who signed.
    pub signer: Signer,
}

/// `<url>.asc`.
pub fn asc_url(url: &Url) -> Url {
    Url::parse(&format!("{url}.asc")).expect("appending a suffix keeps a URL valid")
}

/// Whether `e` says the file is not there (HTTP 404, 403, 410, or a missing `file://` path), as
/// opposed to a failure to ask: only then is a signature "absent".
pub fn absent(e: &DownloadError) -> bool {
    e.is_not_found()
}

/// The policy in force: `TCUP_SIGNATURE_POLICY`, else `tcup.toml`, else `auto`.
///
/// # Errors
/// `tcup.toml` cannot be read or holds a bad value.
pub fn policy(env: &Env) -> anyhow::Result<SignaturePolicy> {
    if let Some(p) = env.signature_policy {
        return Ok(p);
    }
    Ok(TcupFile::read(&env.rustup_home)?.policy()?.unwrap_or(SignaturePolicy::Auto))
}

/// Serialises this process's writers of `tcup.toml`.
static STATE_WRITER: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Fetches `<manifest_url>.asc` and checks it over `bytes` (the manifest as downloaded).
///
/// # Errors
/// A download failure other than "not there" (the `.asc` is never treated as absent because the
/// network failed), a key file that cannot be loaded, or a [`policy::Refusal`].
pub fn check_manifest(
    env: &Env,
    downloader: &Downloader,
    manifest_url: &Url,
    channel: &str,
    bytes: &[u8],
    reporter: &Reporter,
) -> anyhow::Result<Option<ManifestSignature>> {
    let keyring = Keyring::for_manifests(&env.trusted_keys)?;
    let state = TcupFile::read(&env.rustup_home)?;
    let policy = match env.signature_policy {
        Some(p) => p,
        None => state.policy()?.unwrap_or(SignaturePolicy::Auto),
    };
    let url = asc_url(manifest_url);
    let (evidence, asc) = match downloader.get_bytes(&url, ASC_LIMIT, reporter) {
        Ok(asc) => {
            let name = manifest_url.to_string();
            match verify_detached(&keyring, bytes, &asc, url.as_str(), &name) {
                Ok(s) => (Evidence::Signed(s), asc),
                Err(b) => (Evidence::Bad(b), asc),
            }
        }
        Err(e) if absent(&e) => (Evidence::Unsigned, Vec::new()),
        Err(e) => return Err(anyhow::Error::new(e).context(format!("fetching the signature {url}"))),
    };
    // Seen signed: this name from any server, or any name from this server (a mirror that
    // signed `stable` cannot serve `1.95` unsigned).
    let seen = state.signed_channel(channel).or_else(|| state.signed_server(env.dist_server.as_str()));
    match policy::decide(policy, evidence, manifest_url.as_str(), channel, seen.as_deref()) {
        Verdict::Trusted(signer) => {
            reporter.verbose(&format!("{manifest_url} is signed by {signer}"));
            // `tcup check` fetches several channels' manifests at once: one writer at a time,
            // each re-reading the file, so no thread's record overwrites another's.
            let _one = STATE_WRITER.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let mut state = TcupFile::read(&env.rustup_home)?;
            if state.record_signed(channel, &signer.key_id, &crate::env::redact::url(&env.dist_server)) {
                state.save()?;
            }
            Ok(Some(ManifestSignature { asc, signer }))
        }
        Verdict::Unsigned => {
            // One line within 80 columns for the default dist server; the URL is under --verbose.
            let name = manifest_url.path_segments().and_then(Iterator::last).unwrap_or("the channel manifest");
            reporter.warn(&format!("{name} is not signed: no .asc on the dist server"));
            reporter.verbose(&format!("{url} is not there; TCUP_SIGNATURE_POLICY=require refuses unsigned manifests"));
            Ok(None)
        }
        Verdict::Refused(r) => Err(r.into()),
    }
}

/// Writes `asc` (when there is one) beside the manifest in the toolchain tree `tree`.
///
/// # Errors
/// The file cannot be written.
pub fn store(tree: &ToolchainDir, asc: Option<&[u8]>) -> std::io::Result<()> {
    match asc {
        Some(asc) => fs_err::write(tree.channel_manifest_signature_file(), asc),
        None => Ok(()),
    }
}

/// The stored `.asc` of the toolchain `dir`, when it has one.
pub fn stored(dir: &ToolchainDir) -> Option<Vec<u8>> {
    fs_err::read(dir.channel_manifest_signature_file()).ok()
}

/// What the stored signature of an installed toolchain says.
#[derive(Debug)]
pub enum Stored {
    /// It verifies over the stored manifest.
    Signed(Signer),
    /// There is none (installed from an unsigned manifest, or by rustup).
    Unsigned,
    /// There is no channel manifest either (installed from loose tarballs).
    NoManifest,
    /// It does not verify (the manifest was changed, e.g. by `rustup update`, or the file was).
    Bad(crate::trust::BadSignature),
}

/// Re-verifies the stored signature of the toolchain `dir` over its stored manifest.
///
/// # Errors
/// The manifest cannot be read, or a key file cannot be loaded.
pub fn verify_stored(env: &Env, dir: &ToolchainDir) -> anyhow::Result<Stored> {
    let manifest_path = dir.channel_manifest_file();
    if !manifest_path.exists() {
        return Ok(Stored::NoManifest);
    }
    let Some(asc) = stored(dir) else { return Ok(Stored::Unsigned) };
    let manifest = fs_err::read(&manifest_path)?;
    let keyring = Keyring::for_manifests(&env.trusted_keys)?;
    let file = dir.channel_manifest_signature_file().display().to_string();
    Ok(match verify_detached(&keyring, &manifest, &asc, &file, &manifest_path.display().to_string()) {
        Ok(s) => Stored::Signed(s),
        Err(b) => Stored::Bad(b),
    })
}

/// For `tcup doctor`: whether `manifest_url` on the dist server is signed, and by whom.
///
/// # Errors
/// The manifest or a key file cannot be fetched or loaded.
pub fn probe(env: &Env, downloader: &Downloader, manifest_url: &Url, reporter: &Reporter) -> anyhow::Result<Evidence> {
    let keyring = Keyring::for_manifests(&env.trusted_keys)?;
    let bytes = downloader.get_bytes(manifest_url, 64 * 1024 * 1024, reporter)?;
    let url = asc_url(manifest_url);
    Ok(match downloader.get_bytes(&url, ASC_LIMIT, reporter) {
        Ok(asc) => match verify_detached(&keyring, &bytes, &asc, url.as_str(), manifest_url.as_str()) {
            Ok(s) => Evidence::Signed(s),
            Err(b) => Evidence::Bad(b),
        },
        Err(e) if absent(&e) => Evidence::Unsigned,
        Err(e) => return Err(e.into()),
    })
}
