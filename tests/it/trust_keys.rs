//! Issue 28.6: revoked and expired keys do not verify (docs/threat-model.md). Each test makes
//! its operator key with GnuPG in its own temporary `GNUPGHOME`, revokes, expires or changes it
//! the way an operator (or a thief) would, with
//! `--faked-system-time` for the past, signs a loopback mirror with it and runs
//! `tcup toolchain install stable` with `TCUP_TRUSTED_KEYS` naming the exported key. A refusal is
//! exit 1 under both signature policies, with a message that names the key and the times, no
//! toolchain, no archive requested, and a directory beside the home unchanged.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tcup::trust::validity::utc;

use crate::support::dist::Dist;
use crate::support::server::Server;
use crate::support::sign::Gpg;
use crate::support::{HOST, Sandbox, Scenario, Served, run, served};
use crate::trust::{OPERATOR, Signed, tc};

const Y2019: &str = "20190101T000000";
const Y2019_06: &str = "20190601T000000";
const Y2020: &str = "20200101T000000";
const Y2021: &str = "20210101T000000";
const Y2021_06: &str = "20210601T000000";

/// A standard release on loopback whose manifest is signed by whatever `make` does with the
/// operator's GnuPG (given the manifest's path); the operator's public key is exported after it.
fn mirror(make: impl FnOnce(&Gpg, &Path)) -> Signed {
    let Served { server, dist, dir: root, .. } = served(Scenario::stable());
    let keys = tempfile::tempdir().unwrap();
    let gpg = Gpg::new(keys.path());
    make(&gpg, &root.path().join("dist/channel-rust-stable.toml"));
    let public = gpg.export_public(OPERATOR, &keys.path().join("operator.asc"));
    Signed { root, dist, server, gpg, keys, public }
}

/// The long key ID of a fingerprint.
fn id(fingerprint: &str) -> &str {
    &fingerprint[24..]
}

/// Every file under `root` with its bytes.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.clone(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// `tcup toolchain install stable` from `s`, trusting `public`, fails with exit 1 naming every
/// one of `needles`, under `auto` and under `require`: nothing installed, nothing requested
/// beyond the manifest and its signature, no signed channel recorded, and a victim directory
/// beside the home unchanged.
#[track_caller]
fn refused(s: &Signed, public: &Path, needles: &[&str]) {
    let sb = Sandbox::new();
    let victim = sb.dir.path().join("victim");
    std::fs::create_dir_all(victim.join("sub")).unwrap();
    std::fs::write(victim.join("sub/keep.txt"), "victim\n").unwrap();
    let before = snapshot(&victim);
    let asked_before = s.server.log().len();
    for policy in ["auto", "require"] {
        let mut c = sb.tcup(&s.server.url);
        c.env("TCUP_TRUSTED_KEYS", public).env("TCUP_SIGNATURE_POLICY", policy);
        let r = run(c.args(["toolchain", "install", "stable"]));
        r.fails(1, needles);
        assert!(sb.toolchains().is_empty(), "{policy}: nothing installed: {:?}", sb.toolchains());
    }
    let fetched: Vec<String> =
        s.server.log().into_iter().skip(asked_before).map(|l| l.path).filter(|p| !p.contains("/dist/channel-rust-stable.toml")).collect();
    assert!(fetched.is_empty(), "nothing downloaded beyond the manifest: {fetched:?}");
    let state = std::fs::read_to_string(sb.rustup_home.join("tcup.toml")).unwrap_or_default();
    assert!(!state.contains("signed-channels"), "no signed channel recorded: {state}");
    assert_eq!(snapshot(&victim), before, "the directory beside the home is unchanged");
}

/// `tcup toolchain install stable` from `s`, trusting `public`, installs, signed by `key_id`.
#[track_caller]
fn installs(s: &Signed, public: &Path, key_id: &str) {
    let sb = Sandbox::new();
    let mut c = sb.tcup(&s.server.url);
    c.env("TCUP_TRUSTED_KEYS", public).env("TCUP_SIGNATURE_POLICY", "require");
    let r = run(c.args(["-v", "toolchain", "install", "stable"])).ok();
    assert!(r.stderr.contains(&format!("is signed by {OPERATOR} (key {key_id}")), "{}", r.stderr);
    assert_eq!(sb.toolchains(), [tc()]);
}

/// The operator's primary key may only certify; its signing is done by a subkey, both made in
/// 2019. Returns (primary, subkey) fingerprints.
fn cert_key_with_signing_subkey(gpg: &Gpg, algo: &str) -> (String, String) {
    let fpr = gpg.gen_key_with(OPERATOR, "ed25519", "cert", "never", Some(Y2019));
    let sub = gpg.add_subkey(&fpr, algo, "sign", "never", Some(Y2019));
    (fpr, sub)
}

#[test]
fn a_signature_by_a_revoked_signing_subkey_is_refused_whenever_it_was_made() {
    let mut keys = None;
    let s = mirror(|gpg, manifest| {
        let (fpr, sub) = cert_key_with_signing_subkey(gpg, "ed25519");
        gpg.sign_at(OPERATOR, manifest, Some(Y2019_06));
        // Before the revocation the very same signature installs.
        let before = gpg.export_public(OPERATOR, &gpg.home.with_file_name("before-revocation.asc"));
        // The subkey leaks; the operator revokes it in 2020 ("key has been compromised"). The
        // thief's signature says 2019: a hard revocation has no time.
        gpg.revoke_subkey(&fpr, 1, 1, "laptop stolen", Some(Y2020));
        keys = Some((fpr, sub, before));
    });
    let (fpr, sub, before) = keys.unwrap();
    installs(&s, &before, id(&sub));
    refused(
        &s,
        &s.public,
        &[
            "channel-rust-stable.toml.asc cannot be trusted",
            &format!(
                "signing subkey {} of key {fpr} was revoked on 2020-01-01 00:00:00 UTC (key material compromised: laptop stolen)",
                id(&sub)
            ),
        ],
    );
}

#[test]
fn a_revoked_primary_key_is_refused_when_loaded() {
    let mut fpr = String::new();
    let s = mirror(|gpg, manifest| {
        fpr = gpg.gen_key_with(OPERATOR, "ed25519", "sign", "never", None);
        gpg.sign_at(OPERATOR, manifest, None);
        gpg.revoke_key(&fpr);
    });
    // The key file is the user's: a configuration error (exit 2), before any archive is fetched.
    let sb = Sandbox::new();
    let r = run(s.tcup(&sb).args(["toolchain", "install", "stable"]));
    r.fails(2, &[&format!("{}: key {fpr} was revoked on ", s.public.display()), "(no reason given", "remove it from the file"]);
    assert!(sb.toolchains().is_empty());
    let fetched: Vec<String> =
        s.server.log().into_iter().map(|l| l.path).filter(|p| !p.contains("/dist/channel-rust-stable.toml")).collect();
    assert!(fetched.is_empty(), "nothing downloaded beyond the manifest: {fetched:?}");
}

#[test]
fn a_retired_subkey_keeps_only_the_signatures_made_before_its_retirement() {
    let mut keys = None;
    let s = mirror(|gpg, manifest| {
        let (fpr, sub) = cert_key_with_signing_subkey(gpg, "ed25519");
        let early = gpg.sign_at(OPERATOR, manifest, Some(Y2019_06));
        std::fs::rename(&early, manifest.with_file_name("early.asc")).unwrap();
        gpg.sign_at(OPERATOR, manifest, Some(Y2021));
        // Superseded in 2020 (a soft revocation): what it signed before still counts.
        gpg.revoke_subkey(&fpr, 1, 2, "moved to a new subkey", Some(Y2020));
        keys = Some((fpr, sub));
    });
    let (fpr, sub) = keys.unwrap();
    refused(
        &s,
        &s.public,
        &[&format!(
            "signing subkey {} of key {fpr} was retired on 2020-01-01 00:00:00 UTC (superseded: moved to a new subkey), before the signature was made on 2021-01-01 00:00:00 UTC",
            id(&sub)
        )],
    );
    std::fs::rename(s.root.path().join("dist/early.asc"), s.asc()).unwrap();
    installs(&s, &s.public, id(&sub));
}

#[test]
fn a_signature_made_after_the_key_expired_is_refused() {
    let mut fpr = String::new();
    let s = mirror(|gpg, manifest| {
        fpr = gpg.gen_key_with(OPERATOR, "ed25519", "sign", "never", Some(Y2019));
        // Signed in 2021 by a key whose newest self-signature (made mid-2019) says it expires
        // at the start of 2020: what a thief of a key that expired in 2020 can make.
        gpg.sign_at(OPERATOR, manifest, Some(Y2021));
        gpg.set_expire(&fpr, "2020-01-01", None, Some(Y2019_06));
    });
    let expired = utc(s.gpg.expiry(&fpr).unwrap());
    assert!(expired.starts_with("2020-01-01"), "{expired}");
    refused(
        &s,
        &s.public,
        &[
            "channel-rust-stable.toml.asc cannot be trusted",
            &format!("key {fpr} expired on {expired}, before the signature was made on 2021-01-01 00:00:00 UTC"),
        ],
    );
}

#[test]
fn a_signature_by_an_expired_subkey_is_refused() {
    let mut keys = None;
    let s = mirror(|gpg, manifest| {
        let (fpr, sub) = cert_key_with_signing_subkey(gpg, "ed25519");
        gpg.sign_at(OPERATOR, manifest, Some(Y2021));
        gpg.set_expire(&fpr, "2020-01-01", Some(&sub), Some(Y2019_06));
        keys = Some((fpr, sub));
    });
    let (fpr, sub) = keys.unwrap();
    let expired = utc(s.gpg.expiry(&sub).unwrap());
    assert!(expired.starts_with("2020-01-01"), "{expired}");
    assert_eq!(s.gpg.expiry(&fpr), None, "the primary key itself does not expire");
    refused(
        &s,
        &s.public,
        &[&format!(
            "signing subkey {} of key {fpr} expired on {expired}, before the signature was made on 2021-01-01 00:00:00 UTC",
            id(&sub)
        )],
    );
}

#[test]
fn a_signature_by_an_encryption_only_subkey_is_refused() {
    let mut keys = None;
    let s = mirror(|gpg, manifest| {
        // GnuPG never signs with an encryption-only subkey, so the signature is made while the
        // RSA subkey may still sign, and its usage changed afterwards: the newest binding
        // signature says "encrypt" only. The signature is cryptographically sound.
        let (fpr, sub) = cert_key_with_signing_subkey(gpg, "rsa2048");
        gpg.sign_at(OPERATOR, manifest, None);
        let before = gpg.export_public(OPERATOR, &gpg.home.with_file_name("before-change.asc"));
        gpg.make_subkey_encrypt_only(&fpr, 1);
        keys = Some((fpr, sub, before));
    });
    let (fpr, sub, before) = keys.unwrap();
    installs(&s, &before, id(&sub));
    refused(
        &s,
        &s.public,
        &[&format!("subkey {} of key {fpr} may not make signatures (its key flags: encrypt communications, encrypt storage)", id(&sub))],
    );
}

#[test]
fn an_extended_key_verifies_signatures_from_before_and_after_the_extension() {
    let mut keys = None;
    let s = mirror(|gpg, manifest| {
        let fpr = gpg.gen_key_with(OPERATOR, "ed25519", "sign", "2020-01-01", Some(Y2019));
        let old = gpg.sign_at(OPERATOR, manifest, Some(Y2019_06));
        std::fs::rename(&old, manifest.with_file_name("old.asc")).unwrap();
        let unextended = gpg.export_public(OPERATOR, &gpg.home.with_file_name("unextended.asc"));
        // Expired for a year, then extended (as the Rust release key has been).
        gpg.set_expire(&fpr, "2030-01-01", None, Some(Y2021));
        gpg.sign_at(OPERATOR, manifest, Some(Y2021_06));
        keys = Some((fpr, unextended));
    });
    let (fpr, unextended) = keys.unwrap();
    // The new signature with the extended key.
    installs(&s, &s.public, id(&fpr));
    // The new signature with the key as it was before the extension: expired.
    refused(&s, &unextended, &[&format!("key {fpr} expired on 2020-01-01 "), ", before the signature was made on 2021-06-01 00:00:00 UTC"]);
    // The old signature with the extended key: the newest self-signature decides, and the key
    // was valid when it was made; and with the key as it was then.
    std::fs::rename(s.root.path().join("dist/old.asc"), s.asc()).unwrap();
    installs(&s, &s.public, id(&fpr));
    installs(&s, &unextended, id(&fpr));
}

#[test]
fn a_signature_from_the_future_is_refused() {
    let mut fpr = String::new();
    let s = mirror(|gpg, manifest| {
        fpr = gpg.gen_key_with(OPERATOR, "ed25519", "sign", "never", None);
        gpg.sign_at(OPERATOR, manifest, Some("20990101T000000"));
    });
    refused(
        &s,
        &s.public,
        &[&format!("the signature by key {fpr} says it was made on 2099-01-01 00:00:00 UTC, in the future"), "check the clock"],
    );
}

/// `tcup mirror pack --sign-key` signs with a subkey that may sign now, not with the first one
/// flagged for signing: a mirror signed by a revoked subkey would be refused by every tcup. A key
/// with none is refused before anything is written (exit 2, saying why each one may not).
#[test]
fn mirror_pack_signs_with_a_subkey_that_may_sign_now() {
    let mut keys = None;
    let s = mirror(|gpg, manifest| {
        let (fpr, old) = cert_key_with_signing_subkey(gpg, "ed25519");
        gpg.sign_at(OPERATOR, manifest, None);
        keys = Some((fpr, old));
    });
    let (fpr, old) = keys.unwrap();
    let sb = Sandbox::new();
    run(s.tcup(&sb).args(["toolchain", "install", "stable"])).ok();
    let new = s.gpg.add_subkey(&fpr, "ed25519", "sign", "never", None);
    s.gpg.revoke_subkey(&fpr, 1, 1, "", None);
    let secret = s.gpg.export_secret(OPERATOR, &s.keys.path().join("secret.asc"));
    let public = s.gpg.export_public(OPERATOR, &s.keys.path().join("public.asc"));
    let pack = |out: &Path| {
        let mut c = s.tcup(&sb);
        c.args(["mirror", "pack", "--toolchain"]).arg(sb.toolchain(&tc())).arg("--out").arg(out).arg("--sign-key").arg(&secret);
        run(&mut c)
    };
    let packed = tempfile::tempdir().unwrap();
    pack(packed.path()).ok();
    let served = Signed {
        server: Server::http(packed.path()),
        root: packed,
        dist: Dist::standard(HOST),
        gpg: Gpg::new(&s.keys.path().join("unused")),
        keys: tempfile::tempdir().unwrap(),
        public: public.clone(),
    };
    installs(&served, &public, id(&new));
    // Both subkeys revoked: no signature is made.
    s.gpg.revoke_subkey(&fpr, 2, 3, "", None);
    s.gpg.export_secret(OPERATOR, &secret);
    let empty = tempfile::tempdir().unwrap();
    let out = empty.path().join("out");
    pack(&out).fails(
        2,
        &[
            "secret.asc: no key or subkey of it may sign now",
            &format!("signing subkey {} of key {fpr} was revoked on ", id(&old)),
            "(key material compromised)",
            // Retired (a soft revocation) counts from its date, and a signature made now is after it.
            &format!("signing subkey {} of key {fpr} was retired on ", id(&new)),
            "(no longer used), before the signature was made on ",
        ],
    );
    assert!(!out.exists(), "nothing written: {:?}", crate::support::list(empty.path()));
}
