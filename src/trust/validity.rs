//! Whether a trusted key could have made a signature when the signature says it was made:
//! revocation, expiry and key flags (docs/threat-model.md, issue 28.6).
//!
//! A key file is loaded only when every self-signature verifies ([`super::keys`]), so every
//! signature this module reads was made by the key's owner; what it decides is which of them
//! speaks for the key now. A signature over data is accepted only when all of these hold:
//!
//! | check | source | when it fails |
//! |-------|--------|---------------|
//! | it names its creation time | the signature's creation-time subpacket | always (an OpenPGP v4 signature must carry one) |
//! | it was not made in the future | creation time ≤ now + [`FUTURE_SKEW`] | a signature "made" more than a day ahead of this machine's clock |
//! | the signing (sub)key may sign | key flags of its **newest** self-signature (primary: user-ID self-certifications and direct-key signatures; subkey: its binding signatures) | an encryption- or authentication-only subkey |
//! | neither the primary key nor the subkey is revoked | key revocation (0x20; refused when the key is loaded), subkey revocation (0x28) | a *hard* revocation (no reason, key compromised, or any other code) whatever the times; a *soft* one (superseded, retired) when the signature was made at or after it |
//! | both existed when it was made | the key packets' creation times | a signature dated before the key was made |
//! | neither had expired when it was made | key-expiration subpacket of the newest self-signature, counted from the key's creation | the signature was made at or after the expiry |
//! | the signature itself has not expired | its signature-expiration subpacket, counted from its creation | now is at or after that |
//!
//! Expiry is judged at the signature's creation time, not now: the Rust release key has had its
//! expiry extended several times, and a manifest signed in a year the key was valid stays valid
//! after the key expires. The newest self-signature decides, as GnuPG does: an extension made
//! later covers signatures made before it, and a shortened expiry (a new self-signature with an
//! earlier date) refuses signatures made after the new date. A stolen key can back-date its
//! signatures, so expiry is no defence against theft; a hard revocation is, and it has no time.

use pgp::composed::{SignedPublicKey, SignedPublicSubKey};
use pgp::packet::{RevocationCode, Signature, SignatureType};
use pgp::types::KeyDetails;

/// How far in the future (seconds) a signature's creation time may be before it is refused: a
/// day, so a machine whose clock is a few hours wrong still installs.
pub const FUTURE_SKEW: u64 = 24 * 60 * 60;

/// One key or subkey as its self-signatures describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyState {
    /// How messages name it: `key <fingerprint>` or `subkey <key id> of key <fingerprint>`.
    pub name: String,
    /// When the key packet was made (Unix seconds).
    pub created: u64,
    /// When it expires (Unix seconds), from its newest self-signature; `None`: never.
    pub expires: Option<u64>,
    /// Whether its newest self-signature lets it make signatures (key flag 0x02).
    pub can_sign: bool,
    /// The key flags of its newest self-signature, in words (`encrypt communications, …`).
    pub flags: String,
    /// Its revocation, if it has one (the hard one when there are several, else the earliest).
    pub revoked: Option<Revocation>,
}

/// A revocation signature's meaning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revocation {
    /// When it was made (Unix seconds).
    pub at: u64,
    /// Hard: the key may have been compromised, so no signature by it counts, whenever made.
    /// Soft (superseded, retired): signatures made before `at` still count.
    pub hard: bool,
    /// The reason in words, with the revoker's own text when it gave one.
    pub reason: String,
}

/// Why a trusted key could not have made a signature. Each names the key and the times.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// The signature has no creation time.
    #[error("the signature by {key} carries no creation time")]
    NoTime {
        /// The (sub)key.
        key: String,
    },
    /// Made (it says) more than [`FUTURE_SKEW`] after now.
    #[error(
        "the signature by {key} says it was made on {}, in the future (this machine's clock says {}; check the clock)",
        utc(*made),
        utc(*now)
    )]
    Future {
        /// The (sub)key.
        key: String,
        /// Its creation time (Unix seconds).
        made: u64,
        /// Now.
        now: u64,
    },
    /// The (sub)key may not sign.
    #[error("{key} may not make signatures (its key flags: {flags})")]
    NotSigning {
        /// The (sub)key.
        key: String,
        /// Its flags in words.
        flags: String,
    },
    /// Revoked.
    #[error("{key} was revoked on {} ({})", utc(revocation.at), revocation.reason)]
    Revoked {
        /// The (sub)key.
        key: String,
        /// The revocation.
        revocation: Revocation,
    },
    /// Soft-revoked before the signature was made.
    #[error("{key} was retired on {} ({}), before the signature was made on {}", utc(revocation.at), revocation.reason, utc(*made))]
    RevokedBefore {
        /// The (sub)key.
        key: String,
        /// The revocation.
        revocation: Revocation,
        /// The signature's creation time.
        made: u64,
    },
    /// The signature says it was made before the key existed.
    #[error("the signature says it was made on {}, before {key} was created on {}", utc(*made), utc(*created))]
    BeforeKey {
        /// The (sub)key.
        key: String,
        /// The key's creation time.
        created: u64,
        /// The signature's creation time.
        made: u64,
    },
    /// The (sub)key had expired when the signature was made.
    #[error("{key} expired on {}, before the signature was made on {}", utc(*expired), utc(*made))]
    Expired {
        /// The (sub)key.
        key: String,
        /// Its expiry.
        expired: u64,
        /// The signature's creation time.
        made: u64,
    },
    /// The signature's own validity period is over.
    #[error("the signature by {key} made on {} expired on {}", utc(*made), utc(*expired))]
    SignatureExpired {
        /// The (sub)key.
        key: String,
        /// The signature's creation time.
        made: u64,
        /// When it expired.
        expired: u64,
    },
}

/// The primary key's state: flags and expiry from its newest self-signature among user-ID
/// self-certifications and direct-key signatures, its key revocation (if any).
pub fn primary(key: &SignedPublicKey) -> KeyState {
    let fingerprint = hex::encode_upper(key.primary_key.fingerprint().as_bytes());
    let certifications = key.details.users.iter().flat_map(|u| &u.signatures).filter(|s| {
        matches!(
            s.typ(),
            Some(SignatureType::CertGeneric | SignatureType::CertPersona | SignatureType::CertCasual | SignatureType::CertPositive)
        )
    });
    let newest = newest(certifications.chain(&key.details.direct_signatures));
    state(
        format!("key {fingerprint}"),
        u64::from(key.primary_key.created_at().as_secs()),
        newest,
        key.details.revocation_signatures.iter().filter(|s| s.typ() == Some(SignatureType::KeyRevocation)),
    )
}

/// A subkey's state: flags and expiry from its newest binding signature, its revocations.
/// `primary_fingerprint` names the key it belongs to in messages.
pub fn subkey(primary_fingerprint: &str, sub: &SignedPublicSubKey) -> KeyState {
    let id = hex::encode_upper(sub.key.legacy_key_id().as_ref());
    let bindings = sub.signatures.iter().filter(|s| s.typ() == Some(SignatureType::SubkeyBinding));
    let revocations = sub.signatures.iter().filter(|s| s.typ() == Some(SignatureType::SubkeyRevocation));
    let newest = newest(bindings);
    let what = if newest.is_some_and(|s| s.key_flags().sign()) { "signing subkey" } else { "subkey" };
    state(format!("{what} {id} of key {primary_fingerprint}"), u64::from(sub.key.created_at().as_secs()), newest, revocations)
}

fn newest<'a>(sigs: impl Iterator<Item = &'a Signature>) -> Option<&'a Signature> {
    sigs.max_by_key(|s| s.created().map_or(0, pgp::types::Timestamp::as_secs))
}

fn state<'a>(name: String, created: u64, newest: Option<&Signature>, revocations: impl Iterator<Item = &'a Signature>) -> KeyState {
    let expires = newest.and_then(Signature::key_expiration_time).map(std::time::Duration::from).and_then(|d| match d.as_secs() {
        0 => None,
        secs => Some(created + secs),
    });
    let flags = newest.map(Signature::key_flags).unwrap_or_default();
    let mut revoked: Option<Revocation> = None;
    for sig in revocations {
        let code = sig.revocation_reason_code().copied().unwrap_or(RevocationCode::NoReason);
        let hard = !matches!(code, RevocationCode::KeySuperseded | RevocationCode::KeyRetired);
        let text = sig.revocation_reason_string().map(|t| String::from_utf8_lossy(t).trim().to_owned()).unwrap_or_default();
        let reason = match (reason_words(code), text.is_empty()) {
            (words, true) => words,
            (words, false) => format!("{words}: {text}"),
        };
        let r = Revocation { at: sig.created().map_or(0, |t| u64::from(t.as_secs())), hard, reason };
        revoked = match revoked {
            Some(old) if (old.hard, std::cmp::Reverse(old.at)) >= (r.hard, std::cmp::Reverse(r.at)) => Some(old),
            _ => Some(r),
        };
    }
    KeyState { name, created, expires, can_sign: flags.sign(), flags: flag_words(&flags), revoked }
}

fn reason_words(code: RevocationCode) -> String {
    match code {
        RevocationCode::NoReason => "no reason given".into(),
        RevocationCode::KeySuperseded => "superseded".into(),
        RevocationCode::KeyCompromised => "key material compromised".into(),
        RevocationCode::KeyRetired => "no longer used".into(),
        other => format!("reason code {}", u8::from(other)),
    }
}

fn flag_words(flags: &pgp::packet::KeyFlags) -> String {
    let words: Vec<&str> = [
        (flags.certify(), "certify"),
        (flags.sign(), "sign"),
        (flags.encrypt_comms(), "encrypt communications"),
        (flags.encrypt_storage(), "encrypt storage"),
        (flags.authentication(), "authenticate"),
    ]
    .into_iter()
    .filter_map(|(on, word)| on.then_some(word))
    .collect();
    if words.is_empty() { "none".into() } else { words.join(", ") }
}

/// What a signature over data says about its own time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SigTimes {
    /// Its creation time (Unix seconds), if it names one.
    pub made: Option<u64>,
    /// How long after `made` it expires (seconds), if it says (0 in the packet means never).
    pub lifetime: Option<u64>,
}

impl SigTimes {
    /// Read from `sig`'s hashed subpackets.
    pub fn of(sig: &Signature) -> SigTimes {
        SigTimes {
            made: sig.created().map(|t| u64::from(t.as_secs())),
            lifetime: sig.signature_expiration_time().map(|d| std::time::Duration::from(d).as_secs()).filter(|&s| s != 0),
        }
    }
}

/// Checks that `signer` (the primary key, or a subkey with its `primary`) could make a
/// signature whose cryptography has already been verified, at the time it names; `now` in Unix
/// seconds. The key flags are checked by the caller before the cryptography
/// ([`KeyState::can_sign`]).
///
/// # Errors
/// The first [`Problem`] found, in the order of the module's table.
pub fn check(sig: SigTimes, primary: &KeyState, subkey: Option<&KeyState>, now: u64) -> Result<(), Problem> {
    let signer = subkey.unwrap_or(primary);
    let Some(made) = sig.made else {
        return Err(Problem::NoTime { key: signer.name.clone() });
    };
    if made > now + FUTURE_SKEW {
        return Err(Problem::Future { key: signer.name.clone(), made, now });
    }
    for key in std::iter::once(primary).chain(subkey) {
        if let Some(r) = &key.revoked {
            if r.hard {
                return Err(Problem::Revoked { key: key.name.clone(), revocation: r.clone() });
            }
            if made >= r.at {
                return Err(Problem::RevokedBefore { key: key.name.clone(), revocation: r.clone(), made });
            }
        }
        if made < key.created {
            return Err(Problem::BeforeKey { key: key.name.clone(), created: key.created, made });
        }
        if let Some(expired) = key.expires
            && made >= expired
        {
            return Err(Problem::Expired { key: key.name.clone(), expired, made });
        }
    }
    if let Some(lifetime) = sig.lifetime
        && now >= made + lifetime
    {
        return Err(Problem::SignatureExpired { key: signer.name.clone(), made, expired: made + lifetime });
    }
    Ok(())
}

/// `secs` (Unix time) as `2020-01-01 00:00:00 UTC` (proleptic Gregorian, as OpenPGP tools show it).
pub fn utc(secs: u64) -> String {
    let rest = secs % 86_400;
    let days = i64::try_from(secs / 86_400).unwrap_or(i64::MAX);
    format!("{} {:02}:{:02}:{:02} UTC", crate::env::calendar::date(days), rest / 3600, rest % 3600 / 60, rest % 60)
}

/// Now, in Unix seconds (0 if the clock is before 1970).
pub fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(1_577_836_800), "2020-01-01 00:00:00 UTC");
        assert_eq!(utc(1_582_934_400 + 3_723), "2020-02-29 01:02:03 UTC");
        assert_eq!(utc(1_380_237_513), "2013-09-26 23:18:33 UTC");
        assert_eq!(utc(4_102_444_799), "2099-12-31 23:59:59 UTC");
    }

    fn key(name: &str, created: u64, expires: Option<u64>, revoked: Option<(u64, bool)>) -> KeyState {
        KeyState {
            name: name.into(),
            created,
            expires,
            can_sign: true,
            flags: "sign".into(),
            revoked: revoked.map(|(at, hard)| Revocation {
                at,
                hard,
                reason: if hard { "key material compromised" } else { "superseded" }.into(),
            }),
        }
    }

    /// (what, the signature's times, primary, subkey, the refusal's words or `None` for accepted)
    type Case<'a> = (&'a str, SigTimes, KeyState, Option<KeyState>, Option<&'a str>);

    /// The decision table: which times pass, and what each refusal says.
    #[test]
    fn table() {
        const Y2019: u64 = 1_546_300_800;
        const Y2020: u64 = 1_577_836_800;
        const Y2021: u64 = 1_609_459_200;
        const NOW: u64 = 1_796_601_600; // 2026-12-07 00:00:00 UTC
        let p = key("key P", Y2019, None, None);
        let made = |t: u64| SigTimes { made: Some(t), lifetime: None };
        let cases: Vec<Case> = vec![
            ("plain", made(Y2021), p.clone(), None, None),
            ("no time", SigTimes { made: None, lifetime: None }, p.clone(), None, Some("the signature by key P carries no creation time")),
            ("within the skew", made(NOW + FUTURE_SKEW), p.clone(), None, None),
            ("future", made(NOW + FUTURE_SKEW + 1), p.clone(), None, Some("says it was made on 2026-12-08 00:00:01 UTC, in the future")),
            ("before the key", made(Y2019 - 1), p.clone(), None, Some("2018-12-31 23:59:59 UTC, before key P was created on 2019-01-01")),
            ("valid then, expired now", made(Y2020 - 1), key("key P", Y2019, Some(Y2020), None), None, None),
            (
                "at the expiry",
                made(Y2020),
                key("key P", Y2019, Some(Y2020), None),
                None,
                Some("key P expired on 2020-01-01 00:00:00 UTC, before the signature was made on 2020-01-01"),
            ),
            (
                "subkey expired",
                made(Y2021),
                p.clone(),
                Some(key("subkey S of key P", Y2019, Some(Y2020), None)),
                Some("subkey S of key P expired on 2020-01-01"),
            ),
            (
                "primary expired, subkey not",
                made(Y2021),
                key("key P", Y2019, Some(Y2020), None),
                Some(key("subkey S", Y2019, None, None)),
                Some("key P expired"),
            ),
            (
                "subkey newer than the signature",
                made(Y2020),
                p.clone(),
                Some(key("subkey S", Y2021, None, None)),
                Some("before subkey S was created on 2021"),
            ),
            (
                "hard revocation after the signature",
                made(Y2019),
                p.clone(),
                Some(key("subkey S", Y2019, None, Some((Y2021, true)))),
                Some("subkey S was revoked on 2021-01-01 00:00:00 UTC (key material compromised)"),
            ),
            ("soft revocation after the signature", made(Y2020), p.clone(), Some(key("subkey S", Y2019, None, Some((Y2021, false)))), None),
            (
                "soft revocation before the signature",
                made(Y2021),
                p.clone(),
                Some(key("subkey S", Y2019, None, Some((Y2020, false)))),
                Some("subkey S was retired on 2020-01-01 00:00:00 UTC (superseded), before the signature was made on 2021-01-01"),
            ),
            (
                "signature expired",
                SigTimes { made: Some(Y2020), lifetime: Some(86_400) },
                p.clone(),
                None,
                Some("made on 2020-01-01 00:00:00 UTC expired on 2020-01-02 00:00:00 UTC"),
            ),
            ("signature not yet expired", SigTimes { made: Some(NOW - 10), lifetime: Some(86_400) }, p.clone(), None, None),
        ];
        for (what, sig, primary, sub, want) in cases {
            match (check(sig, &primary, sub.as_ref(), NOW), want) {
                (Ok(()), None) => {}
                (Err(e), Some(want)) => assert!(e.to_string().contains(want), "{what}: {e}"),
                (got, want) => panic!("{what}: got {got:?}, want {want:?}"),
            }
        }
    }
}
