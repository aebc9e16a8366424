//! Issue 17: an organisation's own key for a packed mirror (`tcup mirror pack --sign-key`), the
//! machine's rustup on signed trees, and the stored signature (`tcup toolchain verify`,
//! `tcup doctor`).

use crate::support::server::Server;
use crate::support::sign::Algo;
use crate::support::{HOST, Sandbox, run, rustup, rustup_cmd};
use crate::trust::{OPERATOR, Signed, tc};

const ORG: &str = "Org Builds <builds@org.test>";

const PACKED: [&str; 4] = [
    "dist/channel-rust-stable.toml",
    "dist/channel-rust-1.95.0.toml",
    "dist/channel-rust-1.95.toml",
    "dist/2026-04-16/channel-rust-stable.toml",
];

#[test]
fn a_mirror_packed_with_an_org_key_installs_under_require_and_rustup_installs_from_it() {
    let s = Signed::new(Algo::Default);
    let sb = Sandbox::new();
    run(s.tcup(&sb).args(["install", "stable", "-c", "rust-src"])).ok();
    s.gpg.gen_key(ORG, Algo::Default);
    let secret = s.gpg.export_secret(ORG, &s.keys.path().join("org-secret.asc"));
    let org = s.gpg.export_public(ORG, &s.keys.path().join("org.asc"));
    let org_id = s.gpg.fingerprint(ORG)[24..].to_owned();
    let mirror = tempfile::tempdir().unwrap();
    let toolchain = sb.toolchain(&tc());
    let r = run(s
        .tcup(&sb)
        .args(["mirror", "pack", "--toolchain"])
        .arg(&toolchain)
        .arg("--out")
        .arg(mirror.path())
        .arg("--sign-key")
        .arg(&secret))
    .ok();
    assert!(r.stderr.contains(&format!("signed 4 manifests with key {org_id}")), "{}", r.stderr);
    for f in PACKED {
        let (m, asc) = (mirror.path().join(f), mirror.path().join(format!("{f}.asc")));
        assert!(s.gpg.verifies(&asc, &m), "GnuPG verifies {f}.asc");
    }
    let served = Server::http(mirror.path());
    // tcup with the org key, under `require`: installs, no warning, the .asc kept.
    let fresh = Sandbox::new();
    let r = run(fresh.tcup(&served.url).env("TCUP_TRUSTED_KEYS", &org).env("TCUP_SIGNATURE_POLICY", "require").args([
        "install",
        "1.95.0",
        "--profile",
        "minimal",
    ]))
    .ok();
    assert!(!r.stderr.contains("warning:"), "{}", r.stderr);
    let kept = fresh.toolchain(&format!("1.95.0-{HOST}")).join("lib/rustlib/multirust-channel-manifest.toml.asc");
    assert_eq!(std::fs::read(kept).unwrap(), std::fs::read(mirror.path().join("dist/channel-rust-1.95.0.toml.asc")).unwrap());
    // Without the org key the packed mirror is refused: its hashes are not upstream's.
    let other = Sandbox::new();
    run(other.tcup(&served.url).args(["install", "stable"])).fails(1, &[&format!("signed by key {org_id}, which tcup does not trust")]);
    assert!(other.toolchains().is_empty());
    // A passphrase-protected or public key is no signing key (exit 2, named).
    let bad = run(s
        .tcup(&sb)
        .args(["mirror", "pack", "--toolchain"])
        .arg(&toolchain)
        .arg("--out")
        .arg(mirror.path())
        .arg("--sign-key")
        .arg(&org));
    bad.fails(2, &["org.asc: not an armoured OpenPGP secret key"]);
    // rustup 1.29 installs from the signed packed mirror (it ignores the .asc files).
    let bin = rustup();
    let r_sb = Sandbox::new();
    run(rustup_cmd(&bin, &r_sb, &served.url).args(["toolchain", "install", "stable", "--profile", "minimal", "--no-self-update"])).ok();
    let out = run(rustup_cmd(&bin, &r_sb, &served.url).args(["run", "stable", "rustc", "--version"])).ok();
    assert_eq!(out.stdout.trim(), "rustc 1.95.0 (synthetic)");
}

#[test]
fn the_stored_signature_is_checked_again_and_rustup_ignores_it() {
    let s = Signed::new(Algo::Ed25519);
    let sb = Sandbox::new();
    run(s.tcup(&sb).args(["install", "stable", "--profile", "minimal"])).ok();
    let id = s.key_id();
    let v = run(s.tcup(&sb).args(["toolchain", "verify", "stable"])).ok();
    assert!(v.stderr.contains(&format!("the channel manifest of '{}' is signed by {OPERATOR} (key {id}", tc())), "{}", v.stderr);
    let d = run(s.tcup(&sb).args(["doctor"])).ok();
    assert!(d.stdout.contains(&format!("channel manifests: signed by {OPERATOR} (key {id}")), "{}", d.stdout);
    // tcup's own component changes keep the signature (same manifest bytes).
    run(s.tcup(&sb).args(["component", "add", "clippy"])).ok();
    let v = run(s.tcup(&sb).args(["toolchain", "verify", "stable"])).ok();
    assert!(v.stderr.contains("' is signed by"), "{v:?}");
    // The machine's rustup works on that home (it ignores the extra file). `rustup update` of an
    // unchanged release leaves the manifest as it was; `rustup component add` rewrites it, which
    // verify reports as a warning.
    let bin = rustup();
    run(rustup_cmd(&bin, &sb, &s.server.url).args(["update", "stable", "--no-self-update"])).ok();
    let v = run(s.tcup(&sb).args(["toolchain", "verify", "stable"])).ok();
    assert!(v.stderr.contains("' is signed by"), "{v:?}");
    run(rustup_cmd(&bin, &sb, &s.server.url).args(["component", "add", "rustfmt"])).ok();
    let v = run(s.tcup(&sb).args(["toolchain", "verify", "stable"])).ok();
    assert!(v.stderr.contains("no longer matches its channel manifest") && v.stderr.contains(&id), "{v:?}");
    assert!(sb.toolchain(&tc()).join("bin/rustfmt").is_file());
    // doctor on a server without signatures says so; with a bad one it fails.
    std::fs::write(s.asc(), "junk").unwrap();
    run(s.tcup(&sb).args(["doctor"])).fails(1, &["channel-rust-stable.toml.asc is not a valid OpenPGP signature"]);
    std::fs::remove_file(s.asc()).unwrap();
    let d = run(s.tcup(&sb).args(["doctor"])).ok();
    assert!(d.stdout.contains("channel manifests: not signed (no dist/channel-rust-stable.toml.asc; policy auto)"), "{}", d.stdout);
}
