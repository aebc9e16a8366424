//! Checking a detached OpenPGP signature over exact bytes.
//!
//! A `.asc` beside a file (`channel-rust-stable.toml.asc`, `tcup-init.asc`) is accepted when one
//! of its signatures is a binary-document signature (type 0x00, what `gpg --detach-sign` makes:
//! the bytes as they are, no line-ending normalisation), made with SHA-256 or stronger, by a
//! signing-capable key or subkey of a [`Keyring`] key, it verifies over the bytes given, and that
//! key could make it when it says it was made: not revoked, not expired, not from the future
//! ([`super::validity`]). Anything else is a [`BadSignature`] naming the file, the key IDs found
//! and the keys trusted.

use pgp::composed::{Deserializable, DetachedSignature, SignedPublicKey};
use pgp::packet::{Signature, SignatureType};
use pgp::types::KeyDetails;

use super::keys::{Keyring, TrustedKey, strong};
use super::validity::{self, KeyState, Problem, SigTimes};

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
    /// By a trusted key that could not make it: a revoked or expired key or subkey, one that
    /// may not sign, or a signature time that cannot be (docs/threat-model.md, issue 28.6).
    #[error("{file} cannot be trusted: {problem}; keys trusted: {trusted}")]
    Unusable {
        /// The `.asc`.
        file: String,
        /// The key ID that made it.
        found: String,
        /// What is wrong, naming the key's fingerprint and the times.
        problem: Box<Problem>,
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
/// `data_name`), now. See the module documentation for what is accepted.
///
/// # Errors
/// [`BadSignature`].
pub fn verify_detached(keyring: &Keyring, data: &[u8], asc: &[u8], file: &str, data_name: &str) -> Result<Signer, BadSignature> {
    verify_detached_at(keyring, data, asc, file, data_name, validity::now())
}

/// [`verify_detached`] with the clock given: `now` in Unix seconds.
///
/// # Errors
/// [`BadSignature`].
pub fn verify_detached_at(
    keyring: &Keyring,
    data: &[u8],
    asc: &[u8],
    file: &str,
    data_name: &str,
    now: u64,
) -> Result<Signer, BadSignature> {
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
    // The most telling refusal so far: a key problem or an unsupported signature outranks "over
    // other bytes", which outranks "no trusted key".
    let mut worst: Option<BadSignature> = None;
    let keep = |e: BadSignature, worst: &mut Option<BadSignature>| {
        let rank = |e: &BadSignature| match e {
            BadSignature::Unusable { .. } | BadSignature::Unsupported { .. } => 2,
            BadSignature::Mismatch { .. } => 1,
            BadSignature::Garbage { .. } | BadSignature::Untrusted { .. } => 0,
        };
        if worst.as_ref().is_none_or(|w| rank(&e) > rank(w)) {
            *worst = Some(e);
        }
    };
    for sig in sigs.iter().map(|d| &d.signature) {
        found.extend(issuers(sig));
        for candidate in candidates(keyring, sig) {
            match judge(sig, &candidate, data, Named { file, data: data_name, trusted: &trusted }, now) {
                Ok(()) => {
                    let key = candidate.key;
                    return Ok(Signer {
                        fingerprint: key.fingerprint(),
                        key_id: candidate.key_id,
                        name: key.name(),
                        origin: key.origin.clone(),
                    });
                }
                Err(e) => keep(e, &mut worst),
            }
        }
    }
    Err(worst.unwrap_or_else(|| BadSignature::Untrusted {
        file: file.to_owned(),
        found: if found.is_empty() { "unknown (the signature names no issuer)".into() } else { found.join(", ") },
        trusted,
    }))
}

/// The names a refusal carries: the signature file, the signed data, the keys trusted.
#[derive(Clone, Copy)]
struct Named<'a> {
    file: &'a str,
    data: &'a str,
    trusted: &'a str,
}

/// Whether `sig` is a good signature over `data` by `candidate`, at `now` (Unix seconds): a
/// binary-document signature with a strong hash, by a key able to sign, over these exact bytes,
/// made while the key was valid.
///
/// # Errors
/// The [`BadSignature`] that says which of these failed.
fn judge(sig: &Signature, candidate: &Candidate<'_>, data: &[u8], named: Named<'_>, now: u64) -> Result<(), BadSignature> {
    let id = || candidate.key_id.clone();
    let unsupported =
        |what: String| BadSignature::Unsupported { file: named.file.to_owned(), found: id(), what, trusted: named.trusted.to_owned() };
    let unusable = |problem: Problem| BadSignature::Unusable {
        file: named.file.to_owned(),
        found: id(),
        problem: Box::new(problem),
        trusted: named.trusted.to_owned(),
    };
    if sig.typ() != Some(SignatureType::Binary) {
        return Err(unsupported(format!("a {:?} signature (not a binary-document one)", sig.typ())));
    }
    match sig.hash_alg() {
        Some(h) if strong(h) => {}
        other => return Err(unsupported(other.map_or_else(|| "an unknown hash".into(), |h| h.to_string()))),
    }
    let signer_state = candidate.sub.as_ref().unwrap_or(&candidate.primary);
    if !signer_state.can_sign {
        return Err(unusable(Problem::NotSigning { key: signer_state.name.clone(), flags: signer_state.flags.clone() }));
    }
    if candidate.verifier.verify(sig, data).is_err() {
        return Err(BadSignature::Mismatch {
            file: named.file.to_owned(),
            data: named.data.to_owned(),
            found: id(),
            trusted: named.trusted.to_owned(),
        });
    }
    validity::check(SigTimes::of(sig), &candidate.primary, candidate.sub.as_ref(), now).map_err(unusable)
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

/// The public key material a signature is checked with.
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

/// A (sub)key of a trusted key that may have made a signature.
struct Candidate<'a> {
    key: &'a TrustedKey,
    /// The (sub)key's long key ID.
    key_id: String,
    verifier: Verifier<'a>,
    /// The primary key's state.
    primary: KeyState,
    /// The subkey's, when a subkey made it.
    sub: Option<KeyState>,
}

/// The (sub)keys of `keyring` that `sig` names by key ID or fingerprint, whatever their flags
/// (so that a signature by a trusted encryption-only subkey is refused for what it is); when it
/// names none, every signing-capable one.
fn candidates<'a>(keyring: &'a Keyring, sig: &Signature) -> Vec<Candidate<'a>> {
    let ids = issuers(sig);
    let named = |id: &str| ids.iter().any(|i| i == id);
    let mut out = Vec::new();
    for key in &keyring.keys {
        let primary = validity::primary(&key.key);
        let primary_id = hex::encode_upper(key.key.primary_key.legacy_key_id().as_ref());
        if named(&primary_id) || (ids.is_empty() && primary.can_sign) {
            out.push(Candidate { key, key_id: primary_id, verifier: Verifier::Primary(&key.key), primary: primary.clone(), sub: None });
        }
        let fingerprint = key.fingerprint();
        for sub in &key.key.public_subkeys {
            let id = hex::encode_upper(sub.key.legacy_key_id().as_ref());
            let state = validity::subkey(&fingerprint, sub);
            if named(&id) || (ids.is_empty() && state.can_sign) {
                out.push(Candidate { key, key_id: id, verifier: Verifier::Sub(sub), primary: primary.clone(), sub: Some(state) });
            }
        }
    }
    out
}
