//! Checking a detached OpenPGP signature over exact bytes.
//!
//! A `.asc` beside a file (`channel-rust-stable.toml.asc`, `tcup-init.asc`) is accepted when one
//! of its signatures is a binary-document signature (type 0x00, what `gpg --detach-sign` makes:
//! the bytes as they are, no line-ending normalisation), made with SHA-256 or stronger, by a
//! signing-capable key or subkey of a [`Keyring`] key, and it verifies over the bytes given.
//! Anything else is a [`BadSignature`] naming the file, the key IDs found and the keys trusted.

use pgp::composed::{Deserializable, DetachedSignature, SignedPublicKey};
use pgp::packet::{Signature, SignatureType};
use pgp::types::KeyDetails;

use super::keys::{Keyring, TrustedKey, strong};

/// Largest `.asc` read (bytes); a signature is well under 2 KiB.
pub const ASC_LIMIT: u64 = 64 * 1024;

/// Who signed: the trusted key a signature verified against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    /// The primary key's fingerprint (upper-case hex).
    pub fingerprint: String,
    /// The (sub)key that made the signature: its long key ID (16 hex digits, upper case).
    pub key_id: String,
    /// The key's first user ID.
    pub name: String,
    /// Where the key came from (`the Rust release key, compiled in`, a file path).
    pub origin: String,
}

impl std::fmt::Display for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (key {}, {})", self.name, self.key_id, self.origin)
    }
}

/// A signature that is present and does not verify. Always fatal (exit 1).
#[derive(Debug, Clone, thiserror::Error)]
pub enum BadSignature {
    /// Not an OpenPGP signature at all (bad armour, truncated, another kind of packet).
    #[error("{file} is not a valid OpenPGP signature ({why}); keys trusted: {trusted}")]
    Garbage {
        /// The `.asc` (URL or path).
        file: String,
        /// The parser's words.
        why: String,
        /// The keys trusted.
        trusted: String,
    },
    /// Made by no trusted key.
    #[error("{file} is signed by key {found}, which tcup does not trust; keys trusted: {trusted}")]
    Untrusted {
        /// The `.asc`.
        file: String,
        /// The issuer key IDs in it (`unknown` when it names none).
        found: String,
        /// The keys trusted.
        trusted: String,
    },
    /// By a trusted key, over other bytes: the file changed after signing, or this is the
    /// signature of another file.
    #[error(
        "{file} does not match {data}: the signature by trusted key {found} is over other bytes (the file was changed after it was signed, or this is another file's signature); keys trusted: {trusted}"
    )]
    Mismatch {
        /// The `.asc`.
        file: String,
        /// The signed file.
        data: String,
        /// The key ID that made it.
        found: String,
        /// The keys trusted.
        trusted: String,
    },
    /// By a trusted key, but with an algorithm or signature type tcup does not accept.
    #[error(
        "{file} is signed by key {found} with {what}, which tcup does not accept (SHA-256 or stronger over the exact bytes is required); keys trusted: {trusted}"
    )]
    Unsupported {
        /// The `.asc`.
        file: String,
        /// The key ID that made it.
        found: String,
        /// `SHA1`, `a text-document signature`, …
        what: String,
        /// The keys trusted.
        trusted: String,
    },
}

/// Checks `asc` (the text of `file`) as a detached signature over exactly `data` (the bytes of
/// `data_name`). See the module documentation for what is accepted.
///
/// # Errors
/// [`BadSignature`].
pub fn verify_detached(keyring: &Keyring, data: &[u8], asc: &[u8], file: &str, data_name: &str) -> Result<Signer, BadSignature> {
    let trusted = keyring.describe();
    let garbage = |why: String| BadSignature::Garbage { file: file.to_owned(), why, trusted: trusted.clone() };
    let sigs: Vec<DetachedSignature> = match DetachedSignature::from_reader_many(asc) {
        Ok((iter, _)) => iter.collect::<Result<_, _>>().map_err(|e| garbage(e.to_string()))?,
        Err(e) => return Err(garbage(e.to_string())),
    };
    if sigs.is_empty() {
        return Err(garbage("no signature packet".into()));
    }
    let mut found = Vec::new();
    let mut worst: Option<BadSignature> = None;
    for sig in sigs.iter().map(|d| &d.signature) {
        let ids = issuers(sig);
        found.extend(ids.iter().cloned());
        let Some((key, signing_id, verifier)) = find_signing_key(keyring, sig) else { continue };
        let fail = |what: Option<String>| match what {
            Some(what) => BadSignature::Unsupported { file: file.to_owned(), found: signing_id.clone(), what, trusted: trusted.clone() },
            None => BadSignature::Mismatch {
                file: file.to_owned(),
                data: data_name.to_owned(),
                found: signing_id.clone(),
                trusted: trusted.clone(),
            },
        };
        if sig.typ() != Some(SignatureType::Binary) {
            worst = Some(fail(Some(format!("a {:?} signature (not a binary-document one)", sig.typ()))));
            continue;
        }
        match sig.hash_alg() {
            Some(h) if strong(h) => {}
            other => {
                worst = Some(fail(Some(other.map_or_else(|| "an unknown hash".into(), |h| h.to_string()))));
                continue;
            }
        }
        match verifier.verify(sig, data) {
            Ok(()) => {
                return Ok(Signer { fingerprint: key.fingerprint(), key_id: signing_id, name: key.name(), origin: key.origin.clone() });
            }
            Err(_) => {
                if !matches!(worst, Some(BadSignature::Unsupported { .. })) {
                    worst = Some(fail(None));
                }
            }
        }
    }
    Err(worst.unwrap_or_else(|| BadSignature::Untrusted {
        file: file.to_owned(),
        found: if found.is_empty() { "unknown (the signature names no issuer)".into() } else { found.join(", ") },
        trusted,
    }))
}

/// The issuer key IDs a signature names (upper-case hex, from its issuer and issuer-fingerprint
/// subpackets).
fn issuers(sig: &Signature) -> Vec<String> {
    let mut out: Vec<String> = sig.issuer_key_id().iter().map(|k| hex::encode_upper(k.as_ref())).collect();
    for fp in sig.issuer_fingerprint() {
        let hex = hex::encode_upper(fp.as_bytes());
        let id = super::keys::key_id_of(&hex).to_owned();
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

/// A (sub)key able to verify `sig`: its trusted key, its long key ID, and the key itself.
enum Verifier<'a> {
    Primary(&'a SignedPublicKey),
    Sub(&'a pgp::composed::SignedPublicSubKey),
}

impl Verifier<'_> {
    fn verify(&self, sig: &Signature, data: &[u8]) -> pgp::errors::Result<()> {
        match self {
            Verifier::Primary(k) => sig.verify(&k.primary_key, data),
            Verifier::Sub(s) => sig.verify(&s.key, data),
        }
    }
}

/// The signing-capable key of `keyring` that `sig` names (or, when it names none, the first
/// signing-capable key).
fn find_signing_key<'a>(keyring: &'a Keyring, sig: &Signature) -> Option<(&'a TrustedKey, String, Verifier<'a>)> {
    let ids = issuers(sig);
    let named = |id: &str| ids.is_empty() || ids.iter().any(|i| i == id);
    for key in &keyring.keys {
        let primary_id = hex::encode_upper(key.key.primary_key.legacy_key_id().as_ref());
        let primary_signs = key.key.details.users.iter().flat_map(|u| &u.signatures).any(|s| s.key_flags().sign());
        if primary_signs && named(&primary_id) {
            return Some((key, primary_id, Verifier::Primary(&key.key)));
        }
        for sub in &key.key.public_subkeys {
            let id = hex::encode_upper(sub.key.legacy_key_id().as_ref());
            if sub.signatures.iter().any(|s| s.key_flags().sign()) && named(&id) {
                return Some((key, id, Verifier::Sub(sub)));
            }
        }
    }
    None
}
