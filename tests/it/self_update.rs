//! `tcup self update` against an update root on loopback: the installed tcup and its hard-linked
//! proxies are replaced by the published build; an up-to-date install says so; a checksum
//! mismatch is refused with the old binary intact; `TCUP_UPDATE_ROOT` wins over
//! `RUSTUP_UPDATE_ROOT`, which is honoured alone.

use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Command;

use crate::support::dist::sha;
use crate::support::server::Server;
use crate::support::{HOST, Run, Sandbox, run};

/// A sandbox with tcup installed by `tcup init` (no toolchain, no PATH edits).
fn installed() -> Sandbox {
    let sb = Sandbox::new();
    sb.run("http://127.0.0.1:9", &["init", "-y", "--default-toolchain", "none", "--no-modify-path"]).ok();
    sb
}

/// Publishes `bin` as `dist/<triple>/tcup-init` with `sha` in its `.sha256`.
fn publish(root: &Path, bin: &[u8], sha: &str) {
    let dir = root.join("dist").join(tcup::ops::self_update::published_triple(HOST));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("tcup-init"), bin).unwrap();
    std::fs::write(dir.join("tcup-init.sha256"), format!("{sha}  tcup-init\n")).unwrap();
}

/// A different but working tcup: the binary under test with bytes appended (ELF ignores them).
fn newer_build() -> Vec<u8> {
    let mut bin = std::fs::read(env!("CARGO_BIN_EXE_tcup")).unwrap();
    bin.extend_from_slice(b"\0tcup self-update test build\0");
    bin
}

/// The installed `CARGO_HOME/bin/tcup self update` with the given update-root variables.
fn self_update(sb: &Sandbox, vars: &[(&str, &str)]) -> Run {
    installed_tcup(sb, &["self", "update"], vars)
}

/// The installed `CARGO_HOME/bin/tcup ARGS` in a cleared environment plus `vars`.
fn installed_tcup(sb: &Sandbox, args: &[&str], vars: &[(&str, &str)]) -> Run {
    let mut c = Command::new(sb.cargo_home.join("bin/tcup"));
    c.args(args)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", sb.dir.path())
        .env("RUSTUP_HOME", &sb.rustup_home)
        .env("CARGO_HOME", &sb.cargo_home)
        .envs(vars.iter().copied());
    run(&mut c)
}

fn bytes(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap()
}

#[test]
fn self_update_replaces_tcup_and_its_proxies_then_is_up_to_date() {
    let sb = installed();
    let bin = sb.cargo_home.join("bin");
    let root = tempfile::tempdir().unwrap();
    let new = newer_build();
    publish(root.path(), &new, &sha(&new));
    let server = Server::http(root.path());

    // RUSTUP_UPDATE_ROOT alone is honoured (rustup's meaning: the root above dist/).
    let r = self_update(&sb, &[("RUSTUP_UPDATE_ROOT", &server.url)]).ok();
    assert!(r.stderr.contains(&format!("updated tcup and its proxies in {}", bin.display())), "{}", r.stderr);
    assert!(bytes(&bin.join("tcup")) == new, "tcup was not replaced by the published build");
    let tcup_ino = std::fs::metadata(bin.join("tcup")).unwrap().ino();
    for proxy in ["cargo", "rustc", "rustdoc"] {
        let meta = std::fs::symlink_metadata(bin.join(proxy)).unwrap();
        assert!(meta.is_symlink() || meta.ino() == tcup_ino, "{proxy} still runs the old tcup");
    }
    assert!(!bin.join(".tcup.new").exists());
    // The new binary works as a proxy too.
    let v = run(Command::new(bin.join("tcup")).arg("--version")).ok();
    assert!(v.stdout.starts_with("tcup "), "{}", v.stdout);

    // TCUP_UPDATE_ROOT wins over a RUSTUP_UPDATE_ROOT that leads nowhere.
    let r = self_update(&sb, &[("TCUP_UPDATE_ROOT", &server.url), ("RUSTUP_UPDATE_ROOT", "http://127.0.0.1:9")]).ok();
    assert!(r.stderr.contains("tcup is up to date"), "{}", r.stderr);
    assert!(bytes(&bin.join("tcup")) == new);
}

#[test]
fn self_update_refuses_a_checksum_mismatch_and_keeps_the_old_binary() {
    let sb = installed();
    let bin = sb.cargo_home.join("bin");
    let before = bytes(&bin.join("tcup"));
    let root = tempfile::tempdir().unwrap();
    publish(root.path(), &newer_build(), &sha(b"something else"));
    let server = Server::http(root.path());

    self_update(&sb, &[("TCUP_UPDATE_ROOT", &server.url)]).fails(1, &["checksum mismatch", "tcup-init", &sha(b"something else")]);
    assert!(bytes(&bin.join("tcup")) == before, "the old tcup was changed");
    assert!(bytes(&bin.join("cargo")) == before, "a proxy was changed");
    assert!(!bin.join(".tcup.new").exists(), "the rejected download was left behind");
}

#[test]
fn self_update_refuses_a_build_that_does_not_run() {
    let sb = installed();
    let bin = sb.cargo_home.join("bin");
    let before = bytes(&bin.join("tcup"));
    let root = tempfile::tempdir().unwrap();
    let junk = b"#!/bin/sh\nexit 3\n".to_vec();
    publish(root.path(), &junk, &sha(&junk));
    let server = Server::http(root.path());

    self_update(&sb, &[("TCUP_UPDATE_ROOT", &server.url)]).fails(1, &["does not run on this machine"]);
    assert!(bytes(&bin.join("tcup")) == before);
    assert!(!bin.join(".tcup.new").exists());
}

#[test]
fn self_update_without_an_install_or_with_a_bad_root_says_why() {
    let sb = Sandbox::new();
    run(sb.tcup("http://127.0.0.1:9").args(["self", "update"]).env("TCUP_UPDATE_ROOT", "http://127.0.0.1:9"))
        .fails(1, &["tcup is not installed in"]);
    run(sb.tcup("http://127.0.0.1:9").args(["self", "update"]).env("RUSTUP_UPDATE_ROOT", "ftp://x")).fails(2, &["RUSTUP_UPDATE_ROOT"]);
}

#[test]
fn check_reports_a_tcup_update_with_rustups_exit_status() {
    let sb = installed();
    let root = tempfile::tempdir().unwrap();
    let new = newer_build();
    publish(root.path(), &new, &sha(&new));
    let server = Server::http(root.path());
    let vars = [("TCUP_UPDATE_ROOT", server.url.as_str()), ("RUSTUP_DIST_SERVER", "http://127.0.0.1:9")];
    let version = env!("CARGO_PKG_VERSION");

    let r = installed_tcup(&sb, &["check"], &vars);
    assert_eq!(r.code, 100, "an update is available: exit 100, as `rustup check`\n{r:?}");
    assert_eq!(r.stdout, format!("tcup - update available: {version} -> the build published in {}/\n", server.url));
    let r = installed_tcup(&sb, &["check", "--no-self-update"], &vars).ok();
    assert_eq!(r.stdout, "");

    self_update(&sb, &vars).ok();
    let r = installed_tcup(&sb, &["check"], &vars).ok();
    assert_eq!(r.stdout, format!("tcup - up to date: {version}\n"));

    // An update root that cannot be reached is a warning: the toolchains were still checked.
    let r =
        installed_tcup(&sb, &["check"], &[("TCUP_UPDATE_ROOT", "http://127.0.0.1:9"), ("RUSTUP_DIST_SERVER", "http://127.0.0.1:9")]).ok();
    assert_eq!(r.stdout, "");
    assert_eq!(r.stderr, "warning: could not check for a tcup update (`tcup --verbose check` says why)\n");
    let r = installed_tcup(
        &sb,
        &["--verbose", "check"],
        &[("TCUP_UPDATE_ROOT", "http://127.0.0.1:9"), ("RUSTUP_DIST_SERVER", "http://127.0.0.1:9")],
    )
    .ok();
    assert!(r.stderr.contains("http://127.0.0.1:9/dist/") && r.stderr.to_lowercase().contains("refused"), "{}", r.stderr);
}
