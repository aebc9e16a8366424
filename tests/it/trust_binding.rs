//! Issue 28 item 2: a signed manifest is bound to the name asked for (docs/design.md trust-4,
//! docs/threat-model.md). The attacker is a mirror that replays manifests the operator's key
//! really signed — a nightly as `stable`, an old release as `1.95.0`, last year's stable as an
//! update — under `TCUP_SIGNATURE_POLICY=require`, where every signature verifies.

use std::path::Path;

use crate::support::dist::{DATE, Dist, sha};
use crate::support::sign::Algo;
use crate::support::{HOST, Run, Sandbox, run};
use crate::trust::{OPERATOR, Signed};

/// Serves `text` at `rel` (a manifest path under the dist root) with its `.sha256`, signed by the
/// operator.
fn serve_signed(s: &Signed, rel: &str, text: &str) {
    let path = s.root.path().join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    std::fs::write(s.root.path().join(format!("{rel}.sha256")), format!("{}  {name}\n", sha(text.as_bytes()))).unwrap();
    s.gpg.sign(OPERATOR, &path);
}

/// The synthetic release's manifest as another release: rust (and every package) at `version`,
/// dated `date`; the archives stay the same files.
fn as_release(text: &str, version: &str, date: &str) -> String {
    text.replace("version = \"1.95.0 (synthetic", &format!("version = \"{version} (synthetic"))
        .replace(&format!("date = \"{DATE}\""), &format!("date = \"{date}\""))
}

fn manifest_text(s: &Signed) -> String {
    std::fs::read_to_string(s.manifest()).unwrap()
}

fn tcup(s: &Signed, sb: &Sandbox, args: &[&str]) -> Run {
    run(s.tcup(sb).env("TCUP_SIGNATURE_POLICY", "require").args(args))
}

/// Exit 1 with `needles`, no toolchain installed and no archive requested.
#[track_caller]
fn refused_before_any_archive(r: Run, s: &Signed, sb: &Sandbox, needles: &[&str]) {
    r.fails(1, needles);
    assert!(sb.toolchains().is_empty(), "{:?}", sb.toolchains());
    let archives: Vec<String> = s.server.log().into_iter().map(|l| l.path).filter(|p| p.contains(".tar.")).collect();
    assert!(archives.is_empty(), "archives were requested: {archives:?}");
}

#[test]
fn a_signed_nightly_replayed_as_stable_is_refused() {
    let s = Signed::new(Algo::Ed25519);
    let mut nightly = Dist::standard(HOST);
    nightly.channel = "nightly".into();
    let text = nightly.write(s.root.path());
    assert!(text.contains("1.95.0-nightly"), "{text}");
    serve_signed(&s, "dist/channel-rust-stable.toml", &text);
    let sb = Sandbox::new();
    let r = tcup(&s, &sb, &["toolchain", "install", "stable", "--profile", "minimal"]);
    refused_before_any_archive(r, &s, &sb, &["channel-rust-stable.toml is not the manifest of 'stable'", "1.95.0-nightly", "refusing"]);
}

/// `mirror sync` fetches through the same manifest fetch as an install: a replayed nightly is
/// not published as `stable`, and nothing reaches the tree.
#[test]
fn mirror_sync_does_not_publish_a_signed_nightly_as_stable() {
    let s = Signed::new(Algo::Ed25519);
    let mut nightly = Dist::standard(HOST);
    nightly.channel = "nightly".into();
    let text = nightly.write(s.root.path());
    serve_signed(&s, "dist/channel-rust-stable.toml", &text);
    let (sb, out) = (Sandbox::new(), tempfile::tempdir().unwrap());
    let r = run(s.tcup(&sb).env("TCUP_SIGNATURE_POLICY", "require").args(["mirror", "sync", "--out"]).arg(out.path()).args([
        "--host",
        HOST,
        "--profile",
        "minimal",
    ]));
    r.fails(1, &["channel-rust-stable.toml is not the manifest of 'stable'", "1.95.0-nightly"]);
    assert!(!out.path().join("dist").exists(), "nothing is published: {:?}", crate::support::list(out.path()));
    let archives: Vec<String> = s.server.log().into_iter().map(|l| l.path).filter(|p| p.contains(".tar.")).collect();
    assert!(archives.is_empty(), "archives were requested: {archives:?}");
}

#[test]
fn an_older_signed_release_does_not_satisfy_a_version_or_a_date() {
    let s = Signed::new(Algo::Ed25519);
    let text = manifest_text(&s);
    serve_signed(&s, "dist/channel-rust-1.95.0.toml", &as_release(&text, "1.90.0", "2026-01-01"));
    let sb = Sandbox::new();
    let r = tcup(&s, &sb, &["toolchain", "install", "1.95.0", "--profile", "minimal"]);
    refused_before_any_archive(r, &s, &sb, &["is not the manifest of '1.95.0'", "rust 1.90.0"]);
    serve_signed(&s, "dist/channel-rust-1.95.toml", &as_release(&text, "1.90.0", "2026-01-01"));
    let r = tcup(&s, &sb, &["toolchain", "install", "1.95", "--profile", "minimal"]);
    refused_before_any_archive(r, &s, &sb, &["is not the manifest of '1.95'"]);
    // A dated nightly served from an older date's manifest.
    let mut nightly = Dist::standard(HOST);
    nightly.channel = "nightly".into();
    let old = nightly.write(s.root.path());
    serve_signed(&s, "dist/2026-05-20/channel-rust-nightly.toml", &old);
    let r = tcup(&s, &sb, &["toolchain", "install", "nightly-2026-05-20", "--profile", "minimal"]);
    refused_before_any_archive(r, &s, &sb, &["is not the manifest of 'nightly-2026-05-20'", "dated 2026-04-16, not 2026-05-20"]);
    // The real thing still installs.
    serve_signed(&s, "dist/channel-rust-1.95.0.toml", &text);
    tcup(&s, &sb, &["toolchain", "install", "1.95.0", "--profile", "minimal"]).ok();
    assert_eq!(sb.toolchains(), vec![format!("1.95.0-{HOST}")]);
}

/// The installed manifest's `date`.
fn installed_date(sb: &Sandbox, tc: &str) -> String {
    let text = std::fs::read_to_string(sb.toolchain(tc).join("lib/rustlib/multirust-channel-manifest.toml")).unwrap();
    text.lines().find_map(|l| l.strip_prefix("date = \"")).unwrap().trim_end_matches('"').to_owned()
}

#[test]
fn an_older_signed_stable_is_a_downgrade_that_update_refuses_and_check_reports() {
    let s = Signed::new(Algo::Ed25519);
    let sb = Sandbox::new();
    let tc = format!("stable-{HOST}");
    tcup(&s, &sb, &["toolchain", "install", "stable", "--profile", "minimal"]).ok();
    let before = std::fs::read(sb.toolchain(&tc).join("lib/rustlib/multirust-channel-manifest.toml")).unwrap();
    // The mirror now replays an older stable its operator once signed.
    serve_signed(&s, "dist/channel-rust-stable.toml", &as_release(&manifest_text(&s), "1.90.0", "2026-01-01"));
    let offered = "the dist server offers 1.90.0 (2026-01-01), older than the installed 1.95.0 (2026-04-16)";
    for args in [&["update", "stable"][..], &["toolchain", "install", "stable"], &["update"]] {
        tcup(&s, &sb, args).fails(1, &[offered, "refusing", "--allow-downgrade"]);
        assert_eq!(std::fs::read(sb.toolchain(&tc).join("lib/rustlib/multirust-channel-manifest.toml")).unwrap(), before, "{args:?}");
    }
    let check = tcup(&s, &sb, &["check", "--no-self-update"]).fails(1, &[offered]);
    assert!(check.stdout.contains(&format!("{tc} - refused: {offered}")), "{}", check.stdout);
    assert!(!check.stdout.contains("up to date"), "{}", check.stdout);
    // Asked for, it goes back.
    let back = tcup(&s, &sb, &["update", "stable", "--allow-downgrade"]).ok();
    assert!(back.stderr.contains("moving 'stable-") && back.stderr.contains("as --allow-downgrade asks"), "{}", back.stderr);
    assert_eq!(installed_date(&sb, &tc), "2026-01-01");
}

#[test]
fn a_frozen_mirror_is_named_by_its_manifests_age() {
    let s = Signed::new(Algo::Ed25519);
    let warned = "may be a frozen mirror";
    let sb = Sandbox::new();
    let fresh = tcup(&s, &sb, &["toolchain", "install", "stable", "--profile", "minimal"]).ok();
    assert!(!fresh.stderr.contains(warned), "{}", fresh.stderr);
    let sb = Sandbox::new();
    let old = run(s.tcup(&sb).env("TCUP_TODAY", "2026-12-06").args(["toolchain", "install", "stable", "--profile", "minimal"])).ok();
    assert!(
        old.stderr.contains(&format!("the dist server's stable manifest is dated {DATE}, 234 days ago")) && old.stderr.contains(warned),
        "{}",
        old.stderr
    );
    run(s.tcup(&sb).env("TCUP_TODAY", "2026-4-1").args(["show"])).fails(2, &["TCUP_TODAY", "YYYY-MM-DD"]);
}

#[test]
fn a_server_seen_signing_one_name_cannot_serve_another_unsigned() {
    // Default policy (auto): the first contact may be unsigned, but once this server signed
    // `stable`, a `1.95.0` with its `.asc` stripped is refused.
    let s = Signed::new(Algo::Ed25519);
    let sb = Sandbox::new();
    run(s.tcup(&sb).args(["toolchain", "install", "stable", "--profile", "minimal"])).ok();
    let text = manifest_text(&s);
    let rel = "dist/channel-rust-1.95.0.toml";
    std::fs::write(s.root.path().join(rel), &text).unwrap();
    std::fs::write(s.root.path().join(format!("{rel}.sha256")), format!("{}  channel-rust-1.95.0.toml\n", sha(text.as_bytes()))).unwrap();
    assert!(!Path::new(&s.root.path().join(format!("{rel}.asc"))).exists());
    run(s.tcup(&sb).args(["toolchain", "install", "1.95.0", "--profile", "minimal"]))
        .fails(1, &["has no signature", "from this dist server", "stripped signature"]);
    assert_eq!(sb.toolchains(), vec![format!("stable-{HOST}")]);
}
