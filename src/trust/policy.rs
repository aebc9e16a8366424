//! The one pure function that decides whether a channel manifest is trusted, given what its
//! `.asc` showed, the signature policy and what this `RUSTUP_HOME` saw before.
//!
//! | `.asc`                | `auto`                                  | `require`  |
//! |-----------------------|-----------------------------------------|------------|
//! | verifies              | trusted                                 | trusted    |
//! | present, does not     | refused                                 | refused    |
//! | absent (404)          | installs with one warning, unless this home verified a signed manifest for the channel, or any signed manifest from this dist server, before (then refused: downgrade) | refused |
//!
//! There is no policy that skips verification.

use super::verify::{BadSignature, Signer};
use crate::env::SignaturePolicy;

/// What fetching and checking the `.asc` showed.
#[derive(Debug, Clone)]
pub enum Evidence {
    /// A signature by a trusted key verified over the manifest's bytes.
    Signed(Signer),
    /// The dist server has no `.asc` for it (404, 403, 410, or no such file).
    Unsigned,
    /// An `.asc` is there and does not verify.
    Bad(BadSignature),
}

/// Why a manifest is refused.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Refusal {
    /// The `.asc` does not verify.
    #[error(transparent)]
    Bad(#[from] BadSignature),
    /// No `.asc` and the policy is `require`.
    #[error(
        "{manifest} has no signature ({manifest}.asc is not on the dist server) and the signature policy is require (TCUP_SIGNATURE_POLICY or `tcup set signature-policy`)"
    )]
    Required {
        /// The manifest URL.
        manifest: String,
    },
    /// No `.asc`, but this home has verified a signed manifest for the channel before.
    #[error(
        "{manifest} has no signature ({manifest}.asc is not on the dist server), but this RUSTUP_HOME verified a signed manifest for channel '{channel}' or from this dist server before (signed by key {signer}): refusing an unsigned one (a stripped signature is a downgrade)"
    )]
    Downgrade {
        /// The manifest URL.
        manifest: String,
        /// The channel.
        channel: String,
        /// Who signed the one seen before (key ID).
        signer: String,
    },
}

/// The decision.
#[derive(Debug, Clone)]
pub enum Verdict {
    /// Use it: signed by this key.
    Trusted(Signer),
    /// Use it, with one `warning:` line (policy `auto`, never signed before).
    Unsigned,
    /// Refuse it (exit 1).
    Refused(Refusal),
}

/// Decides (see the module documentation). `seen_signed` is the key ID that signed this
/// channel's manifest when this home last verified one, if it ever did.
pub fn decide(policy: SignaturePolicy, evidence: Evidence, manifest: &str, channel: &str, seen_signed: Option<&str>) -> Verdict {
    match evidence {
        Evidence::Signed(s) => Verdict::Trusted(s),
        Evidence::Bad(b) => Verdict::Refused(Refusal::Bad(b)),
        Evidence::Unsigned => match (policy, seen_signed) {
            (SignaturePolicy::Require, _) => Verdict::Refused(Refusal::Required { manifest: manifest.to_owned() }),
            (SignaturePolicy::Auto, Some(signer)) => Verdict::Refused(Refusal::Downgrade {
                manifest: manifest.to_owned(),
                channel: channel.to_owned(),
                signer: signer.to_owned(),
            }),
            (SignaturePolicy::Auto, None) => Verdict::Unsigned,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer() -> Signer {
        Signer { fingerprint: "F".repeat(40), key_id: "F".repeat(16), name: "n".into(), origin: "o".into() }
    }

    #[test]
    fn table() {
        use SignaturePolicy::{Auto, Require};
        let bad = || Evidence::Bad(BadSignature::Garbage { file: "f.asc".into(), why: "w".into(), trusted: "t".into() });
        let cases: Vec<(SignaturePolicy, Evidence, Option<&str>, &str)> = vec![
            (Auto, Evidence::Signed(signer()), None, "trusted"),
            (Require, Evidence::Signed(signer()), Some("K"), "trusted"),
            (Auto, bad(), None, "bad"),
            (Require, bad(), None, "bad"),
            (Auto, Evidence::Unsigned, None, "unsigned"),
            (Auto, Evidence::Unsigned, Some("K"), "downgrade"),
            (Require, Evidence::Unsigned, None, "required"),
            (Require, Evidence::Unsigned, Some("K"), "required"),
        ];
        for (policy, evidence, seen, want) in cases {
            let got = match decide(policy, evidence, "http://h/dist/channel-rust-stable.toml", "stable", seen) {
                Verdict::Trusted(_) => "trusted",
                Verdict::Unsigned => "unsigned",
                Verdict::Refused(Refusal::Bad(_)) => "bad",
                Verdict::Refused(Refusal::Required { .. }) => "required",
                Verdict::Refused(Refusal::Downgrade { .. }) => "downgrade",
            };
            assert_eq!(got, want, "{policy:?} {seen:?}");
        }
        let Verdict::Refused(r) = decide(Auto, Evidence::Unsigned, "http://h/m.toml", "stable", Some("85AB96E6FA1BE5FE")) else { panic!() };
        assert!(r.to_string().contains("channel 'stable' or from this dist server before (signed by key 85AB96E6FA1BE5FE)"), "{r}");
    }
}
