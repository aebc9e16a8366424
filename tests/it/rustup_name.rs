//! tcup as `rustup` (issue 27 D, docs/rustup-compat.md): CI actions find rustup with `command -v
//! rustup` and read the second word of `rustup --version`; `tcup-init --as-rustup` makes that
//! name a link of tcup, and never replaces a real rustup.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::support::{OFFLINE, Sandbox, run};

/// The tcup binary under test, hard-linked into `dir` as `name`.
fn linked_as(dir: &Path, name: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join(name);
    std::fs::hard_link(env!("CARGO_BIN_EXE_tcup"), &path).or_else(|_| std::fs::copy(env!("CARGO_BIN_EXE_tcup"), &path).map(drop)).unwrap();
    path
}

fn same_file(a: &Path, b: &Path) -> bool {
    let (a, b) = (std::fs::metadata(a).unwrap(), std::fs::metadata(b).unwrap());
    (a.dev(), a.ino()) == (b.dev(), b.ino())
}

#[test]
fn called_rustup_it_prints_one_version_line_and_speaks_as_rustup() {
    let sb = Sandbox::new();
    let rustup = linked_as(&sb.dir.path().join("bin"), "rustup");
    let v = run(sb.command(&rustup).arg("--version")).ok();
    assert_eq!(v.stdout, format!("rustup 1.29.1 (tcup {})\n", env!("CARGO_PKG_VERSION")));
    assert_eq!(v.stdout.split_whitespace().nth(1), Some("1.29.1"), "what scripts parse");
    let v = run(sb.command(&rustup).arg("-V")).ok();
    assert_eq!(v.stdout.lines().count(), 1);
    let help = run(sb.command(&rustup).arg("--help")).ok();
    assert!(help.stdout.contains("Usage: rustup"), "{}", help.stdout);
    run(sb.command(&rustup).arg("frobnicate")).fails(2, &["rustup"]);
    // It is tcup's command line under that name: settings, show, the same home.
    run(sb.command(&rustup).args(["set", "profile", "minimal"])).ok();
    let shown = run(sb.command(&rustup).env("RUSTUP_DIST_SERVER", OFFLINE).args(["show", "profile"])).ok();
    assert_eq!(shown.stdout, "minimal\n");
}

/// `tcup-init -y --default-toolchain none --no-modify-path ARGS` on `sb`, offline.
fn init(sb: &Sandbox, args: &[&str]) -> crate::support::Run {
    let init = linked_as(&sb.dir.path().join("download"), "tcup-init");
    run(sb.command(init).args(["-y", "--default-toolchain", "none", "--no-modify-path", "--no-man"]).args(args))
}

#[test]
fn init_as_rustup_links_rustup_to_tcup() {
    let sb = Sandbox::new();
    let out = init(&sb, &["--as-rustup"]).ok();
    let bin = sb.cargo_home.join("bin");
    assert!(same_file(&bin.join("rustup"), &bin.join("tcup")), "{out:?}");
    assert!(out.stderr.contains("runs tcup as rustup"), "{}", out.stderr);
    let v = run(sb.command(bin.join("rustup")).arg("--version")).ok();
    assert!(v.stdout.starts_with("rustup 1.29.1 (tcup "), "{}", v.stdout);
    // Without the flag there is no `rustup`.
    let plain = Sandbox::new();
    init(&plain, &[]).ok();
    assert!(!plain.cargo_home.join("bin/rustup").exists());
}

#[test]
fn init_as_rustup_never_replaces_a_real_rustup() {
    let sb = Sandbox::new();
    let bin = sb.cargo_home.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let real = b"#!/bin/sh\necho 'rustup 1.29.1 (the real one)'\n";
    std::fs::write(bin.join("rustup"), real).unwrap();
    let out = init(&sb, &["--as-rustup"]).ok();
    assert!(out.stderr.contains("is another program (a real rustup?): left as it is"), "{}", out.stderr);
    assert_eq!(std::fs::read(bin.join("rustup")).unwrap(), real);
    assert!(bin.join("tcup").is_file());
}
