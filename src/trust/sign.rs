//! Making detached signatures with an operator's own key, for `tcup mirror pack --sign-key`: a
//! packed mirror's manifest hashes differ from upstream, so its operator signs it end to end.
//!
//! The key is an ASCII-armoured, unprotected OpenPGP secret key (`gpg --armor
//! --export-secret-keys` of a key without a passphrase). Signatures are binary-document
//! signatures with SHA-256 by the primary key when it may sign now, else by its first subkey
//! that may: what [`super::verify`] accepts. "May sign now" is [`super::validity`]'s rule for a
//! signature made at this moment (key flags, not revoked, not expired), so a mirror is never
//! signed by a revoked or expired subkey that every tcup would then refuse.

use std::path::{Path, PathBuf};

use pgp::composed::{Deserializable, DetachedSignature, SignedPublicSubKey, SignedSecretKey};
use pgp::crypto::hash::HashAlgorithm;
use pgp::types::{KeyDetails, Password};

use super::validity::{self, SigTimes};

/// A secret key that cannot be used for signing. Exit code 2 (the file is the user's).
#[derive(Debug, thiserror::Error)]
#[error("{path}: {why}")]
pub struct SignKeyError {
    /// The key file.
    pub path: PathBuf,
    /// What is wrong with it.
    pub why: String,
}

crate::error::exit_code!(SignKeyError, |_| crate::error::EXIT_USAGE);

/// An unlocked signing key, loaded from a file.
#[derive(Debug, Clone)]
pub struct SigningKey {
    key: SignedSecretKey,
    /// Which of its keys signs: `None` the primary key, `Some(i)` secret subkey `i`.
    signer: Option<usize>,
    /// The key file.
    pub path: PathBuf,
}

impl SigningKey {
    /// Loads the armoured secret key in `path`.
    ///
    /// # Errors
    /// Unreadable, not an armoured secret key, protected by a passphrase, or with no key or
    /// subkey that may sign now (the message says why each one may not).
    pub fn load(path: &Path) -> Result<SigningKey, SignKeyError> {
        let err = |why: String| SignKeyError { path: path.to_owned(), why };
        let text = fs_err::read_to_string(path).map_err(|e| err(format!("cannot read the signing key: {e}")))?;
        let (key, _) = SignedSecretKey::from_string(&text)
            .map_err(|e| err(format!("not an armoured OpenPGP secret key (`gpg --armor --export-secret-keys KEY`): {e}")))?;
        key.verify_bindings().map_err(|e| err(format!("its self-signatures do not verify: {e}")))?;
        let signer = choose(&key, validity::now()).map_err(err)?;
        let encrypted = match signer {
            None => key.primary_key.secret_params().is_encrypted(),
            Some(i) => key.secret_subkeys[i].key.secret_params().is_encrypted(),
        };
        if encrypted {
            let which = if signer.is_none() { "secret key" } else { "signing subkey" };
            return Err(err(format!("the {which} is protected by a passphrase; export one without (tcup never asks for passphrases)")));
        }
        Ok(SigningKey { key, signer, path: path.to_owned() })
    }

    /// The primary key's fingerprint (upper-case hex).
    pub fn fingerprint(&self) -> String {
        hex::encode_upper(self.key.primary_key.fingerprint().as_bytes())
    }

    /// An ASCII-armoured detached signature over exactly `data`.
    ///
    /// # Errors
    /// The signing operation failed (the error names the key file).
    pub fn sign(&self, data: &[u8]) -> Result<String, SignKeyError> {
        let rng = rand_core_06::OsRng;
        let pw = Password::empty();
        let sig = match self.signer {
            None => DetachedSignature::sign_binary_data(rng, &self.key.primary_key, &pw, HashAlgorithm::Sha256, data),
            Some(i) => DetachedSignature::sign_binary_data(rng, &self.key.secret_subkeys[i].key, &pw, HashAlgorithm::Sha256, data),
        };
        let err = |e: pgp::errors::Error| SignKeyError { path: self.path.clone(), why: format!("signing failed: {e}") };
        sig.map_err(err)?.to_armored_string(pgp::composed::ArmorOptions::default()).map_err(err)
    }
}

/// The key of `key` that signs at `now` (Unix seconds): `None` the primary key, `Some(i)` secret
/// subkey `i`.
///
/// # Errors
/// None may sign now: why, for each key or subkey flagged for signing.
fn choose(key: &SignedSecretKey, now: u64) -> Result<Option<usize>, String> {
    let public = key.to_public_key();
    let primary = validity::primary(&public);
    let at_now = SigTimes { made: Some(now), lifetime: None };
    let mut why_not = Vec::new();
    if primary.can_sign {
        match validity::check(at_now, &primary, None, now) {
            Ok(()) => return Ok(None),
            Err(e) => why_not.push(e.to_string()),
        }
    }
    let fingerprint = hex::encode_upper(key.primary_key.fingerprint().as_bytes());
    for (i, sub) in key.secret_subkeys.iter().enumerate() {
        let state = validity::subkey(&fingerprint, &SignedPublicSubKey::new(sub.key.public_key().clone(), sub.signatures.clone()));
        if state.can_sign {
            match validity::check(at_now, &primary, Some(&state), now) {
                Ok(()) => return Ok(Some(i)),
                Err(e) if !why_not.contains(&e.to_string()) => why_not.push(e.to_string()),
                Err(_) => {}
            }
        }
    }
    Err(if why_not.is_empty() {
        "the key has no signing-capable key or subkey".into()
    } else {
        format!("no key or subkey of it may sign now: {}", why_not.join("; "))
    })
}
