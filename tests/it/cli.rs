//! The command line as a user meets it: version, help, usage errors (exit 2), configuration
//! errors naming the variable (exit 2), one-line errors without backtraces.

use crate::support::{Sandbox, run};

const DIST: &str = "http://127.0.0.1:9";

#[test]
fn version_and_help() {
    let sb = Sandbox::new();
    let v = sb.run(DIST, &["--version"]).ok();
    assert_eq!(v.stdout.trim(), format!("tcup {}", env!("CARGO_PKG_VERSION")));
    let h = sb.run(DIST, &["--help"]).ok();
    assert!(h.stdout.contains("toolchain") && h.stdout.contains("mirror"), "{}", h.stdout);
    let h = sb.run(DIST, &["toolchain", "install", "--help"]).ok();
    assert!(h.stdout.contains("--profile") && h.stdout.contains("--component"), "{}", h.stdout);
}

#[test]
fn usage_errors_exit_2() {
    let sb = Sandbox::new();
    sb.run(DIST, &["toolchain", "install", "stabel"]).fails(2, &["invalid toolchain name 'stabel'"]);
    sb.run(DIST, &["toolchain", "install", "stable", "--frobnicate"]).fails(2, &["unexpected argument '--frobnicate'"]);
    sb.run(DIST, &["install", "stable-x86_64-unknown-linux-gnu", "--host", "aarch64-unknown-linux-gnu"])
        .fails(2, &["names host x86_64-unknown-linux-gnu but --host says aarch64-unknown-linux-gnu"]);
    sb.run(DIST, &["install", "stable", "--host", "Not A Triple"]).fails(2, &["--host \"Not A Triple\" is not a target triple"]);
    sb.run(DIST, &["mirror", "pack", "--toolchain", "/x", "--out", "/y", "--formats", "xz,rar"])
        .fails(2, &["unknown archive format 'rar'"]);
    assert!(!sb.rustup_home.exists(), "a usage error touches nothing");
}

#[test]
fn bad_environment_values_name_the_variable() {
    let sb = Sandbox::new();
    let r = run(sb.tcup(DIST).args(["install", "stable"]).env("RUSTUP_CONCURRENT_DOWNLOADS", "many"));
    r.fails(2, &["RUSTUP_CONCURRENT_DOWNLOADS=\"many\" is not valid: expected a whole number"]);
    let r = run(sb.tcup("ftp://mirror.example").args(["install", "stable"]));
    r.fails(2, &["RUSTUP_DIST_SERVER=\"ftp://mirror.example\""]);
}

#[test]
fn operation_failures_exit_1_with_one_line() {
    let sb = Sandbox::new();
    // Nothing listens on port 9 of loopback: connection refused, reported on one line.
    let r = sb
        .run(DIST, &["install", "stable"])
        .fails(1, &["error: no usable channel manifest for toolchain 'stable'", "http://127.0.0.1:9/dist/channel-rust-stable.toml.sha256"]);
    assert_eq!(r.stderr.lines().filter(|l| l.starts_with("error:")).count(), 1, "{}", r.stderr);
    let not = sb.dir.path().join("not-a-toolchain");
    std::fs::create_dir_all(&not).unwrap();
    sb.run(DIST, &["mirror", "pack", "--toolchain", not.to_str().unwrap(), "--out", sb.dir.path().join("m").to_str().unwrap()])
        .fails(1, &["not-a-toolchain is not an installed toolchain"]);
}
