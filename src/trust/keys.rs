//! Which OpenPGP public keys tcup trusts, and loading them.
//!
//! Two keyrings, never mixed (docs/design.md trust-3):
//! - **channel manifests**: the Rust release key ("Rust Language (Tag and Release Signing Key)",
//!   fingerprint [`RUST_RELEASE_FINGERPRINT`]), compiled in from `src/trust/rust-release-key.asc`
//!   as the Rust project publishes it, plus the armoured keys in `TCUP_TRUSTED_KEYS` files;
//! - **tcup's own releases**: the public keys in `installer/release-keys.asc` (checked in, zero or
//!   more armoured blocks), plus `TCUP_UPDATE_KEYS` files.
//!
//! A key is loaded only when its self-signatures and subkey bindings verify and its primary key
//! is not revoked. Revoked or expired subkeys, expiry and key flags do not stop a key loading:
//! they are judged for each signature at the time it was made ([`super::validity`]). The Rust
//! release key's self-signatures were made in 2013–2014 with SHA-1
//! (rustup #3185); SHA-1 is accepted there and only there: every other key's self-signatures
//! must use SHA-256 or stronger (GnuPG 2.2 makes SHA-256/SHA-512 ones by default).

use std::path::{Path, PathBuf};

use pgp::composed::{Deserializable, SignedPublicKey};
use pgp::crypto::hash::HashAlgorithm;
use pgp::packet::Signature;
use pgp::types::KeyDetails;

/// The Rust release key, ASCII-armoured, as the Rust project publishes it.
pub const RUST_RELEASE_KEY: &str = include_str!("rust-release-key.asc");

/// Its fingerprint (40 hex digits, upper case).
pub const RUST_RELEASE_FINGERPRINT: &str = "108F66205EAEB0AAA8DD5E1C85AB96E6FA1BE5FE";

/// tcup's release public keys: `installer/release-keys.asc` (comments and zero or more
/// armoured public key blocks; see docs/trust.md, "Release signing key", on generating and rotating it).
pub const TCUP_RELEASE_KEYS: &str = include_str!("../../installer/release-keys.asc");

/// A key that could not be loaded. Exit code 2 (a configuration error: the file is the user's).
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The file could not be read.
    #[error("cannot read the OpenPGP key file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// No armoured public key block in it.
    #[error("{origin} holds no armoured OpenPGP public key (-----BEGIN PGP PUBLIC KEY BLOCK-----; `gpg --armor --export KEY`)")]
    NoKey {
        /// Where the text came from.
        origin: String,
    },
    /// A block that does not parse, or whose self-signatures do not verify.
    #[error("{origin}: not a usable OpenPGP public key: {why}")]
    Bad {
        /// Where the text came from.
        origin: String,
        /// What was wrong.
        why: String,
    },
    /// A self-signature made with a hash weaker than SHA-256.
    #[error(
        "{origin}: key {fingerprint} is bound with {hash}; tcup accepts only SHA-256 or stronger for keys other than the Rust release key"
    )]
    WeakBinding {
        /// Where the text came from.
        origin: String,
        /// The key's fingerprint.
        fingerprint: String,
        /// The weak hash algorithm.
        hash: String,
    },
    /// The primary key carries a revocation signature (hard or soft: a revoked key is not
    /// trusted for anything new, and the file is the user's to fix).
    #[error("{origin}: key {fingerprint} was revoked on {} ({}); remove it from the file", super::validity::utc(revocation.at), revocation.reason)]
    Revoked {
        /// Where the text came from.
        origin: String,
        /// The key's fingerprint.
        fingerprint: String,
        /// When and why.
        revocation: super::validity::Revocation,
    },
}

crate::error::exit_code!(KeyError, |_| crate::error::EXIT_USAGE);

/// One trusted public key.
#[derive(Debug, Clone)]
pub struct TrustedKey {
    /// The key with its self-signatures (verified when loaded).
    pub key: SignedPublicKey,
    /// Where it came from: `compiled in`, `installer/release-keys.asc` or a file path.
    pub origin: String,
}

impl TrustedKey {
    /// The primary key's fingerprint, 40 (v4) or 64 (v6) upper-case hex digits.
    pub fn fingerprint(&self) -> String {
        hex::encode_upper(self.key.primary_key.fingerprint().as_bytes())
    }

    /// The first user ID (`Name (comment) <mail>`), or the fingerprint when it has none.
    pub fn name(&self) -> String {
        self.key.details.users.first().map_or_else(|| self.fingerprint(), |u| String::from_utf8_lossy(u.id.id()).into_owned())
    }

    /// `<key id> (<origin>)`: how error messages list the keys trusted.
    pub fn short(&self) -> String {
        format!("{} ({})", key_id_of(&self.fingerprint()), self.origin)
    }
}

/// The long key ID (last 16 hex digits) of a v4 fingerprint.
pub fn key_id_of(fingerprint: &str) -> &str {
    &fingerprint[fingerprint.len().saturating_sub(16)..]
}

/// The keys one kind of signature may be made with.
#[derive(Debug, Clone, Default)]
pub struct Keyring {
    /// In the order given: built-in keys first.
    pub keys: Vec<TrustedKey>,
}

impl Keyring {
    /// Keys for channel manifests: the Rust release key, then each file of `TCUP_TRUSTED_KEYS`.
    ///
    /// # Errors
    /// A file cannot be read, holds no key, or a key in it is unusable ([`KeyError`]).
    pub fn for_manifests(extra: &[PathBuf]) -> Result<Keyring, KeyError> {
        let mut keys = parse_keys(RUST_RELEASE_KEY, "the Rust release key, compiled in", true)?;
        for path in extra {
            keys.extend(load_file(path)?);
        }
        Ok(Keyring { keys })
    }

    /// Keys for tcup's own releases: `installer/release-keys.asc`, then each file of
    /// `TCUP_UPDATE_KEYS`.
    ///
    /// # Errors
    /// As [`Keyring::for_manifests`].
    pub fn for_updates(extra: &[PathBuf]) -> Result<Keyring, KeyError> {
        let mut keys = parse_keys(TCUP_RELEASE_KEYS, "tcup's release keys, compiled in", false)?;
        for path in extra {
            keys.extend(load_file(path)?);
        }
        Ok(Keyring { keys })
    }

    /// The keys trusted, for messages: `85AB96E6FA1BE5FE (the Rust release key, compiled in), …`,
    /// or `none` when empty.
    pub fn describe(&self) -> String {
        if self.keys.is_empty() {
            return "none".into();
        }
        self.keys.iter().map(TrustedKey::short).collect::<Vec<_>>().join(", ")
    }
}

/// Reads the armoured public keys in `path` (at least one).
///
/// # Errors
/// [`KeyError`], naming the file.
pub fn load_file(path: &Path) -> Result<Vec<TrustedKey>, KeyError> {
    let text = fs_err::read_to_string(path).map_err(|source| KeyError::Read { path: path.to_owned(), source })?;
    let origin = path.display().to_string();
    let keys = parse_keys(&text, &origin, false)?;
    if keys.is_empty() {
        return Err(KeyError::NoKey { origin });
    }
    Ok(keys)
}

/// Every armoured public key block in `text` (text outside the blocks is ignored, so a key file
/// may carry comments). `sha1_ok` accepts SHA-1 self-signatures (the pinned Rust key only).
///
/// # Errors
/// A block that does not parse, does not verify, is revoked or (unless `sha1_ok`) is bound with
/// a hash weaker than SHA-256.
pub fn parse_keys(text: &str, origin: &str, sha1_ok: bool) -> Result<Vec<TrustedKey>, KeyError> {
    const BEGIN: &str = "-----BEGIN PGP PUBLIC KEY BLOCK-----";
    const END: &str = "-----END PGP PUBLIC KEY BLOCK-----";
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN) {
        let bad = |why: String| KeyError::Bad { origin: origin.to_owned(), why };
        let end = rest[start..].find(END).ok_or_else(|| bad(format!("a key block without its {END} line")))? + start + END.len();
        let (key, _) = SignedPublicKey::from_string(&rest[start..end]).map_err(|e| bad(e.to_string()))?;
        key.verify_bindings().map_err(|e| bad(format!("its self-signatures do not verify: {e}")))?;
        let fingerprint = hex::encode_upper(key.primary_key.fingerprint().as_bytes());
        if let Some(revocation) = super::validity::primary(&key).revoked {
            return Err(KeyError::Revoked { origin: origin.to_owned(), fingerprint, revocation });
        }
        if !sha1_ok && let Some(hash) = self_signatures(&key).filter_map(Signature::hash_alg).find(|h| !strong(*h)) {
            return Err(KeyError::WeakBinding { origin: origin.to_owned(), fingerprint, hash: hash.to_string() });
        }
        out.push(TrustedKey { key, origin: origin.to_owned() });
        rest = &rest[end..];
    }
    Ok(out)
}

/// Every self-signature of `key`: user ID certifications, direct-key signatures, subkey bindings
/// and their embedded back-signatures.
fn self_signatures(key: &SignedPublicKey) -> impl Iterator<Item = &Signature> {
    let users = key.details.users.iter().flat_map(|u| u.signatures.iter());
    let attrs = key.details.user_attributes.iter().flat_map(|u| u.signatures.iter());
    let subkeys =
        key.public_subkeys.iter().flat_map(|s| s.signatures.iter().flat_map(|b| std::iter::once(b).chain(b.embedded_signature())));
    users.chain(attrs).chain(key.details.direct_signatures.iter()).chain(subkeys)
}

/// Whether `h` is SHA-256 or stronger (SHA-224, SHA-1, MD5 and RIPEMD-160 are not).
pub fn strong(h: HashAlgorithm) -> bool {
    matches!(h, HashAlgorithm::Sha256 | HashAlgorithm::Sha384 | HashAlgorithm::Sha512 | HashAlgorithm::Sha3_256 | HashAlgorithm::Sha3_512)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 17: the compiled-in key is the Rust release key.
    #[test]
    fn the_compiled_in_key_is_the_rust_release_key() {
        let ring = Keyring::for_manifests(&[]).unwrap();
        assert_eq!(ring.keys.len(), 1);
        let k = &ring.keys[0];
        assert_eq!(k.fingerprint(), RUST_RELEASE_FINGERPRINT);
        assert_eq!(k.name(), "Rust Language (Tag and Release Signing Key) <rust-key@rust-lang.org>");
        assert_eq!(key_id_of(&k.fingerprint()), "85AB96E6FA1BE5FE");
        // Its signing subkey (5CB4A9347B3B09DC) is bound with SHA-1: accepted for this key only.
        let sub: Vec<String> = k.key.public_subkeys.iter().map(|s| hex::encode_upper(s.key.fingerprint().as_bytes())).collect();
        assert!(sub.contains(&"C13466B7E169A085188632165CB4A9347B3B09DC".to_owned()), "{sub:?}");
        let e = parse_keys(RUST_RELEASE_KEY, "a user file", false).unwrap_err();
        assert!(matches!(&e, KeyError::WeakBinding { hash, .. } if hash == "SHA1"), "{e}");
    }

    #[test]
    fn key_files_without_keys_or_with_garbage_are_refused() {
        assert!(parse_keys("# no keys yet\n", "x", false).unwrap().is_empty());
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.asc");
        fs_err::write(&empty, "nothing here\n").unwrap();
        assert!(load_file(&empty).unwrap_err().to_string().contains("empty.asc holds no armoured OpenPGP public key"));
        let garbage = dir.path().join("garbage.asc");
        fs_err::write(&garbage, "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot base64 !!\n-----END PGP PUBLIC KEY BLOCK-----\n").unwrap();
        let e = load_file(&garbage).unwrap_err().to_string();
        assert!(e.contains("garbage.asc: not a usable OpenPGP public key"), "{e}");
        let missing = load_file(&dir.path().join("missing.asc")).unwrap_err().to_string();
        assert!(missing.contains("missing.asc"), "{missing}");
    }

    /// The compiled-in Rust release key as it stands: never expires, not revoked, its signing
    /// subkey 5CB4A9347B3B09DC may sign and its encryption subkey may not.
    #[test]
    fn the_rust_release_key_state() {
        use crate::trust::validity::{KeyState, SigTimes, check, primary, subkey};
        let ring = Keyring::for_manifests(&[]).unwrap();
        let key = &ring.keys[0].key;
        let p = primary(key);
        assert_eq!(p.name, format!("key {RUST_RELEASE_FINGERPRINT}"));
        assert_eq!((p.created, p.expires, p.revoked.clone()), (1_380_237_513, None, None));
        assert!(p.can_sign, "{p:?}");
        let subs: Vec<KeyState> = key.public_subkeys.iter().map(|s| subkey(RUST_RELEASE_FINGERPRINT, s)).collect();
        let signing = subs.iter().find(|s| s.name.starts_with("signing subkey 5CB4A9347B3B09DC of key 108F")).unwrap();
        assert_eq!((signing.expires, signing.revoked.clone(), signing.flags.as_str()), (None, None, "sign"));
        let other = subs.iter().find(|s| !s.can_sign).unwrap();
        assert_eq!(other.flags, "encrypt communications, encrypt storage");
        // The Rust project's manifests are signed by that subkey: one made in May 2026, checked
        // in December 2026, passes; one dated before the subkey was made (2014-12-15) does not.
        let made = |t: u64| SigTimes { made: Some(t), lifetime: None };
        assert_eq!(check(made(1_779_062_400), &p, Some(signing), 1_796_601_600), Ok(()));
        let e = check(made(1_400_000_000), &p, Some(signing), 1_796_601_600).unwrap_err();
        assert!(
            e.to_string().contains(
                "before signing subkey 5CB4A9347B3B09DC of key 108F66205EAEB0AAA8DD5E1C85AB96E6FA1BE5FE was created on 2014-12-15"
            ),
            "{e}"
        );
    }
}
