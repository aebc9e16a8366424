//! Installing from `rust-toolchain.lock` (issue 30; docs/design.md lock-2, lock-3): the proxies,
//! `toolchain install` with no name and `show` use the locked release; the manifest must have the
//! locked SHA-256 and every archive its pinned one; a lock that drifted from its toolchain file
//! warns (or, with `TCUP_LOCKED=1` / `--locked`, fails); rustup ignores the lock. The adversary is
//! the dist server: it moves `stable`, replays another manifest under the dated path, or tampers
//! with an archive.

use std::path::{Path, PathBuf};

use crate::support::dist::{DATE, Dist, sha};
use crate::support::{HOST, Run, Sandbox, Scenario, run, rustup_cmd, rustups, served};

/// A project whose toolchain file says `toml`; returns (owner, project dir).
fn project(toml: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("project");
    std::fs::create_dir_all(&p).unwrap();
    std::fs::write(p.join("rust-toolchain.toml"), toml).unwrap();
    (dir, p)
}

const STABLE_MINIMAL: &str = "[toolchain]\nchannel = \"stable\"\nprofile = \"minimal\"\ncomponents = [\"clippy\"]\n";

/// `tcup ARGS` in `cwd`, auto-install on.
fn tcup_in(sb: &Sandbox, dist: &str, cwd: &Path, args: &[&str]) -> Run {
    run(sb.tcup(dist).current_dir(cwd).env("RUSTUP_AUTO_INSTALL", "1").args(args))
}

/// The `rustc` proxy (tcup-proxy under that name) run in `cwd`, auto-install on.
fn rustc_in(sb: &Sandbox, dist: &str, cwd: &Path, extra_env: &[(&str, &str)]) -> Run {
    let bin = sb.dir.path().join("proxies");
    std::fs::create_dir_all(&bin).unwrap();
    let link = bin.join("rustc");
    if !link.exists() {
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_tcup-proxy"), &link).unwrap();
    }
    let mut c = sb.command(&link);
    c.env("RUSTUP_DIST_SERVER", dist).env("RUSTUP_AUTO_INSTALL", "1").current_dir(cwd);
    for (k, v) in extra_env {
        c.env(k, v);
    }
    run(c.arg("--version"))
}

/// Publishes a newer `stable` (1.96.0, 2026-05-28, its rustc printing 1.96.0) on `root`, as the
/// dist server does six weeks later: the channel file moves, the old dated one stays.
fn publish_newer_stable(root: &Path) {
    let scratch = tempfile::tempdir().unwrap();
    let mut d = Dist::standard(HOST);
    let rustc = d.comp_mut("rustc");
    rustc.files[0].1 = b"#!/bin/sh\necho \"rustc 1.96.0 (synthetic)\"\n".to_vec();
    let text = d.write(scratch.path()).replace(DATE, "2026-05-28").replace("1.95.0 (synthetic", "1.96.0 (synthetic");
    let to = root.join("dist/2026-05-28");
    std::fs::create_dir_all(&to).unwrap();
    for e in std::fs::read_dir(scratch.path().join("dist").join(DATE)).unwrap() {
        let e = e.unwrap();
        std::fs::rename(e.path(), to.join(e.file_name())).unwrap();
    }
    d.write_manifest(root, &text);
}

fn locked_name() -> String {
    format!("1.95.0-{HOST}")
}

#[test]
fn a_fresh_home_installs_the_locked_release_after_stable_moved() {
    let server = served(Scenario::stable());
    let (_d, p) = project(STABLE_MINIMAL);
    let author = Sandbox::new();
    tcup_in(&author, &server.url, &p, &["lock"]).ok();
    assert!(p.join("rust-toolchain.lock").is_file());
    publish_newer_stable(server.root());

    let ci = Sandbox::new();
    let before = server.log().len();
    let r = rustc_in(&ci, &server.url, &p, &[]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.stdout, "rustc 1.95.0 (synthetic)\n", "the locked compiler ran, not the channel's newest");
    assert!(
        r.stderr.contains(&format!("installing toolchain '{}' as {} locks it", locked_name(), p.join("rust-toolchain.lock").display())),
        "{r:?}"
    );
    assert_eq!(ci.toolchains(), [locked_name()]);
    let asked: Vec<String> = server.log()[before..].iter().map(|l| l.path.clone()).collect();
    assert!(asked.contains(&format!("/dist/{DATE}/channel-rust-stable.toml")), "{asked:?}");
    assert!(!asked.iter().any(|a| a.starts_with("/dist/channel-rust-stable.toml") || a.starts_with("/dist/2026-05-28/")), "{asked:?}");
    // A plain `stable` is the newer release: the lock changed nothing outside the project.
    let r = tcup_in(&ci, &server.url, ci.dir.path(), &["toolchain", "install", "stable", "--profile", "minimal"]).ok();
    assert!(r.stderr.contains("installing rust 1.96.0"), "{r:?}");
    // `toolchain install` with no name in the project: installed, as locked; no request at all.
    let before = server.log().len();
    let r = tcup_in(&ci, &server.url, &p, &["toolchain", "install", "--locked"]).ok();
    assert!(r.stderr.contains(&format!("toolchain '{}' is installed", locked_name())), "{r:?}");
    assert_eq!(server.log().len(), before, "a locked toolchain installed as locked needs no network");
}

#[test]
fn show_json_gives_the_lock_state_and_cache_key() {
    let server = served(Scenario::stable());
    let (_d, p) = project(STABLE_MINIMAL);
    let sb = Sandbox::new();
    tcup_in(&sb, &server.url, &p, &["lock"]).ok();
    let lock_sha = sha(&std::fs::read(p.join("rust-toolchain.lock")).unwrap());
    let r = tcup_in(&sb, &server.url, &p, &["--format", "json", "show"]).ok();
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let active = &doc["active_toolchain"];
    assert_eq!(active["name"], locked_name());
    let lock = &active["lock"];
    assert_eq!(lock["state"], "locked");
    assert_eq!(lock["sha256"], lock_sha);
    assert_eq!(lock["cache_key"], format!("{lock_sha}-{HOST}"));
    assert_eq!(lock["name"], locked_name());
    assert_eq!(lock["path"], p.join("rust-toolchain.lock").to_str().unwrap());
}

#[test]
fn a_manifest_replayed_under_the_dated_path_is_refused() {
    let server = served(Scenario::stable());
    let (_d, p) = project(STABLE_MINIMAL);
    let sb = Sandbox::new();
    tcup_in(&sb, &server.url, &p, &["lock"]).ok();
    // The mirror now serves another (validly hashed) manifest at the locked path.
    publish_newer_stable(server.root());
    let dated = server.root().join(format!("dist/{DATE}"));
    std::fs::copy(server.root().join("dist/channel-rust-stable.toml"), dated.join("channel-rust-stable.toml")).unwrap();
    std::fs::copy(server.root().join("dist/channel-rust-stable.toml.sha256"), dated.join("channel-rust-stable.toml.sha256")).unwrap();
    let fresh = Sandbox::new();
    let r = tcup_in(&fresh, &server.url, &p, &["toolchain", "install"]);
    r.fails(1, &["checksum mismatch", &format!("the manifest {} locks", p.join("rust-toolchain.lock").display())]);
    assert!(fresh.toolchains().is_empty(), "{:?}", fresh.toolchains());
}

#[test]
fn a_tampered_archive_is_refused_and_nothing_is_installed() {
    let server = served(Scenario::stable());
    let (_d, p) = project(STABLE_MINIMAL);
    let sb = Sandbox::new();
    tcup_in(&sb, &server.url, &p, &["lock"]).ok();
    let cargo = server.root().join(server.archive("cargo", "zst").trim_start_matches('/'));
    let mut bytes = std::fs::read(&cargo).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(&cargo, bytes).unwrap();
    let r = tcup_in(&sb, &server.url, &p, &["toolchain", "install"]);
    assert_ne!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("cargo"), "{r:?}");
    assert!(sb.toolchains().is_empty(), "{:?}", sb.toolchains());
}

#[test]
fn a_drifted_lock_warns_and_the_toolchain_file_wins_unless_locked() {
    let server = served(Scenario::stable());
    let (_d, p) = project(STABLE_MINIMAL);
    let sb = Sandbox::new();
    tcup_in(&sb, &server.url, &p, &["lock"]).ok();
    let lock_before = std::fs::read(p.join("rust-toolchain.lock")).unwrap();
    std::fs::write(p.join("rust-toolchain.toml"), STABLE_MINIMAL.replace("[\"clippy\"]", "[\"clippy\", \"rustfmt\"]")).unwrap();
    // CI's mode: an error naming the difference and the command; nothing installed.
    let r = rustc_in(&sb, &server.url, &p, &[("TCUP_LOCKED", "1")]);
    r.fails(1, &["does not match", "component 'rustfmt' added", "run `tcup lock`"]);
    assert!(sb.toolchains().is_empty());
    let r = tcup_in(&sb, &server.url, &p, &["toolchain", "install", "--locked"]);
    r.fails(1, &["component 'rustfmt' added"]);
    assert!(sb.toolchains().is_empty());
    // Without it: a warning, and the toolchain file's own (unlocked) toolchain.
    let r = rustc_in(&sb, &server.url, &p, &[]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("component 'rustfmt' added; using the toolchain file (run `tcup lock` to update the lock)"), "{r:?}");
    assert_eq!(sb.toolchains(), [format!("stable-{HOST}")]);
    assert_eq!(std::fs::read(p.join("rust-toolchain.lock")).unwrap(), lock_before, "the lock is never rewritten implicitly");
    // A toolchain file without a lock under TCUP_LOCKED=1.
    std::fs::remove_file(p.join("rust-toolchain.lock")).unwrap();
    rustc_in(&sb, &server.url, &p, &[("TCUP_LOCKED", "1")]).fails(1, &["no rust-toolchain.lock beside", "run `tcup lock`"]);
}

#[test]
fn a_locked_release_identical_to_installed_stable_downloads_nothing() {
    let server = served(Scenario::stable());
    let (_d, p) = project(STABLE_MINIMAL);
    let sb = Sandbox::new();
    tcup_in(&sb, &server.url, sb.dir.path(), &["toolchain", "install", "stable", "--profile", "minimal", "-c", "clippy"]).ok();
    tcup_in(&sb, &server.url, &p, &["lock"]).ok();
    let before = server.log().len();
    let r = rustc_in(&sb, &server.url, &p, &[]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(server.archives_since(before), Vec::<String>::new(), "every archive shared with stable");
    assert_eq!(sb.toolchains(), [locked_name(), format!("stable-{HOST}")]);
}

#[test]
fn a_lock_with_two_hosts_installs_the_second_hosts_toolchain() {
    let other = if HOST == "aarch64-unknown-linux-gnu" { "x86_64-unknown-linux-musl" } else { "aarch64-unknown-linux-gnu" };
    let server = served(Scenario::stable().edit(move |d| {
        // The release also carries the other host's compiler and cargo (its rust-std is there).
        for pkg in ["rustc", "cargo", "clippy-preview"] {
            let mut c = d.comp(pkg).clone();
            c.target = other.to_owned();
            d.comps.push(c);
        }
    }));
    let (_d, p) = project(STABLE_MINIMAL);
    let sb = Sandbox::new();
    tcup_in(&sb, &server.url, &p, &["lock", "--host", other]).ok();
    let lock = std::fs::read_to_string(p.join("rust-toolchain.lock")).unwrap();
    assert!(lock.contains(&format!("triple = \"{other}\"")), "{lock}");
    let before = server.log().len();
    let r = tcup_in(&sb, &server.url, &p, &["toolchain", "install", "--host", other, "--force-non-host", "--locked"]).ok();
    assert!(r.stderr.contains(&format!("installing toolchain '1.95.0-{other}'")), "{r:?}");
    assert_eq!(sb.toolchains(), [format!("1.95.0-{other}")]);
    let fetched = server.archives_since(before);
    assert!(fetched.iter().any(|a| a.contains(&format!("rustc-1.95.0-{other}"))), "{fetched:?}");
    assert!(!fetched.iter().any(|a| a.contains(HOST)), "{fetched:?}");
}

#[test]
fn rustup_runs_the_projects_toolchain_file_as_before() {
    let server = served(Scenario::stable());
    let (_d, p) = project(STABLE_MINIMAL);
    let author = Sandbox::new();
    tcup_in(&author, &server.url, &p, &["lock"]).ok();
    for (version, bin) in rustups() {
        let sb = Sandbox::new();
        // rustup ignores the lock: it installs and names the toolchain file's channel.
        let mut c = rustup_cmd(&bin, &sb, &server.url);
        let r = run(c.current_dir(&p).args(["toolchain", "install", "--no-self-update"]));
        assert_eq!(r.code, 0, "rustup {version}: {r:?}");
        let mut c = rustup_cmd(&bin, &sb, &server.url);
        let r = run(c.current_dir(&p).args(["show", "active-toolchain"]));
        assert_eq!(r.code, 0, "rustup {version}: {r:?}");
        assert!(r.stdout.starts_with(&format!("stable-{HOST} (overridden by '")), "rustup {version}: {r:?}");
        // tcup on the same home installs the locked release beside it; rustup's answer does not
        // change, and rustup runs the locked toolchain by its name (`cargo +1.95.0`).
        tcup_in(&sb, &server.url, &p, &["toolchain", "install"]).ok();
        assert_eq!(sb.toolchains(), [locked_name(), format!("stable-{HOST}")], "rustup {version}");
        let mut c = rustup_cmd(&bin, &sb, &server.url);
        let r = run(c.current_dir(&p).args(["show", "active-toolchain"]));
        assert!(r.stdout.starts_with(&format!("stable-{HOST} (overridden by '")), "rustup {version}: {r:?}");
        let mut c = rustup_cmd(&bin, &sb, &server.url);
        let r = run(c.current_dir(&p).args(["run", "1.95.0", "rustc", "--version"]));
        assert_eq!((r.code, r.stdout.as_str()), (0, "rustc 1.95.0 (synthetic)\n"), "rustup {version}: {r:?}");
    }
}
