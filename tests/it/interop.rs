//! rustup interop (docs/design.md home-1): the machine's own rustup reads what tcup installs, and
//! installs from what `tcup mirror pack` writes. Skipped, with the reason printed, only when no
//! `rustup` is on PATH.

use crate::support::server::Server;
use crate::support::{HOST, Sandbox, Scenario, run, rustup, rustup_cmd, served};

#[test]
fn rustup_reads_a_tcup_install_and_finds_it_unchanged() {
    let bin = rustup();
    let server = served(Scenario::stable());
    let sb = Sandbox::new();
    // rust-src is built for any target ("*"): rustup refuses the whole receipt file when such a
    // component has no `target` key.
    sb.run(&server.url, &["toolchain", "install", "stable", "--profile", "minimal", "-c", "rust-src"]).ok();
    let tc = format!("stable-{HOST}");
    let list = run(rustup_cmd(&bin, &sb, &server.url).args(["toolchain", "list"])).ok();
    let line = list.stdout.lines().find(|l| l.starts_with(&tc)).unwrap_or_else(|| panic!("rustup does not list {tc}:\n{}", list.stdout));
    assert!(line.contains("default"), "{line}");
    let comps = run(rustup_cmd(&bin, &sb, &server.url).args(["component", "list", "--installed"])).ok();
    let ours = std::fs::read_to_string(sb.toolchain(&tc).join("lib/rustlib/components")).unwrap();
    let mut a: Vec<&str> = comps.stdout.lines().collect();
    let mut b: Vec<&str> = ours.lines().collect();
    a.sort_unstable();
    b.sort_unstable();
    assert_eq!(a, b);
    let before = server.log().len();
    let again = run(rustup_cmd(&bin, &sb, &server.url).args([
        "toolchain",
        "install",
        "stable",
        "--profile",
        "minimal",
        "-c",
        "rust-src",
        "--no-self-update",
    ]))
    .ok();
    assert!(format!("{}{}", again.stdout, again.stderr).contains(&format!("{tc} unchanged")), "{again:?}");
    let fetched = server.archives_since(before);
    assert!(fetched.is_empty(), "rustup downloaded {fetched:?}");
}

#[test]
fn rustup_and_tcup_install_from_a_mirror_pack() {
    let bin = rustup();
    // A toolchain installed by tcup from a synthetic release, packed back into a dist tree.
    let origin = served(Scenario::stable());
    let sb = Sandbox::new();
    sb.run(&origin.url, &["install", "stable", "-c", "rust-src"]).ok();
    let mirror = tempfile::tempdir().unwrap();
    let tc = sb.toolchain(&format!("stable-{HOST}"));
    sb.run(&origin.url, &["mirror", "pack", "--toolchain", tc.to_str().unwrap(), "--out", mirror.path().to_str().unwrap()]).ok();
    for f in [
        "dist/channel-rust-stable.toml",
        "dist/channel-rust-1.95.0.toml",
        "dist/channel-rust-1.95.toml",
        "dist/2026-04-16/channel-rust-stable.toml",
    ] {
        assert!(mirror.path().join(f).is_file() && mirror.path().join(format!("{f}.sha256")).is_file(), "{f}");
    }
    let packed_mirror = Server::http(mirror.path());
    // rustup installs from it and runs the result.
    let fresh = Sandbox::new();
    run(rustup_cmd(&bin, &fresh, &packed_mirror.url).args([
        "toolchain",
        "install",
        "stable",
        "--profile",
        "default",
        "--no-self-update",
        "-c",
        "rust-src",
    ]))
    .ok();
    let out = run(rustup_cmd(&bin, &fresh, &packed_mirror.url).args(["run", "stable", "rustc", "--version"])).ok();
    assert_eq!(out.stdout.trim(), "rustc 1.95.0 (synthetic)");
    assert!(fresh.toolchain(&format!("stable-{HOST}")).join("share/doc/rust/html/std/index.html").is_file());
    assert!(packed_mirror.hits(".tar.xz") > 0, "rustup fetched the repacked xz archives: {:?}", packed_mirror.log());
    // And tcup installs the 1.95.0 name from it too.
    let again = Sandbox::new();
    again.run(&packed_mirror.url, &["install", "1.95.0", "--profile", "minimal"]).ok();
    assert!(again.toolchain(&format!("1.95.0-{HOST}")).join("bin/cargo").is_file());
}
