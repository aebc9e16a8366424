//! Making detached signatures with an operator's own key, for `tcup mirror pack --sign-key`: a
//! packed mirror's manifest hashes differ from upstream, so its operator signs it end to end.
//!
//! The key is an ASCII-armoured, unprotected OpenPGP secret key (`gpg --armor
//! --export-secret-keys` of a key without a passphrase). Signatures are binary-document
//! signatures with SHA-256 by the primary key when it may sign, else by its first signing
//! subkey: what [`super::verify`] accepts.

use std::path::{Path, PathBuf};

use pgp::composed::{Deserializable, DetachedSignature, SignedSecretKey};
use pgp::crypto::hash::HashAlgorithm;
use pgp::types::{KeyDetails, Password};

/// A secret key that cannot be used for signing. Exit code 2 (the file is the user's).
#[derive(Debug, thiserror::Error)]
#[error("{path}: {why}")]
pub struct SignKeyError {
    /// The key file.
    pub path: PathBuf,
    /// What is wrong with it.
    pub why: String,
}

impl crate::error::Exit for SignKeyError {
    fn exit_code(&self) -> i32 {
        crate::error::EXIT_USAGE
    }
}

/// An unlocked signing key, loaded from a file.
#[derive(Debug, Clone)]
pub struct SigningKey {
    key: SignedSecretKey,
    /// The key file.
    pub path: PathBuf,
}

impl SigningKey {
    /// Loads the armoured secret key in `path`.
    ///
    /// # Errors
    /// Unreadable, not an armoured secret key, protected by a passphrase, or unable to sign.
    pub fn load(path: &Path) -> Result<SigningKey, SignKeyError> {
        let err = |why: String| SignKeyError { path: path.to_owned(), why };
        let text = fs_err::read_to_string(path).map_err(|e| err(format!("cannot read the signing key: {e}")))?;
        let (key, _) = SignedSecretKey::from_string(&text)
            .map_err(|e| err(format!("not an armoured OpenPGP secret key (`gpg --armor --export-secret-keys KEY`): {e}")))?;
        key.verify_bindings().map_err(|e| err(format!("its self-signatures do not verify: {e}")))?;
        let me = SigningKey { key, path: path.to_owned() };
        if me.primary_signs() {
            if me.key.primary_key.secret_params().is_encrypted() {
                return Err(
                    err("the secret key is protected by a passphrase; export one without (tcup never asks for passphrases)".into()),
                );
            }
        } else {
            let Some(sub) = me.signing_subkey() else { return Err(err("the key has no signing-capable key or subkey".into())) };
            if sub.key.secret_params().is_encrypted() {
                return Err(err(
                    "the signing subkey is protected by a passphrase; export one without (tcup never asks for passphrases)".into()
                ));
            }
        }
        Ok(me)
    }

    fn primary_signs(&self) -> bool {
        self.key.details.users.iter().flat_map(|u| &u.signatures).any(|s| s.key_flags().sign())
    }

    fn signing_subkey(&self) -> Option<&pgp::composed::SignedSecretSubKey> {
        self.key.secret_subkeys.iter().find(|s| s.signatures.iter().any(|b| b.key_flags().sign()))
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
        let sig = if self.primary_signs() {
            DetachedSignature::sign_binary_data(rng, &self.key.primary_key, &pw, HashAlgorithm::Sha256, data)
        } else {
            let sub = self.signing_subkey().expect("checked when loaded");
            DetachedSignature::sign_binary_data(rng, &sub.key, &pw, HashAlgorithm::Sha256, data)
        };
        let err = |e: pgp::errors::Error| SignKeyError { path: self.path.clone(), why: format!("signing failed: {e}") };
        sig.map_err(err)?.to_armored_string(pgp::composed::ArmorOptions::default()).map_err(err)
    }
}
