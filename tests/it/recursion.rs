//! The proxies' recursion guard (`RUST_RECURSION_COUNT`, as rustup has it): a toolchain whose
//! `bin/` leads back to the proxies ends with one clear line, exit 1, instead of exec-ing itself
//! until killed. Each case runs under a generous time limit so a regression fails, not hangs.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{Run, Sandbox};

/// Runs `cmd` and kills it after `limit` (then the test fails saying it hung).
fn within(cmd: &mut Command, limit: Duration) -> (Run, Duration) {
    let started = Instant::now();
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("still running after {limit:?}: the proxy loops");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into(),
        stderr: String::from_utf8_lossy(&out.stderr).into(),
    };
    (run, started.elapsed())
}

/// The proxies in `CARGO_HOME/bin`, as `tcup-init` links them.
fn proxies(sb: &Sandbox) -> std::path::PathBuf {
    let bin = sb.cargo_home.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for tool in ["rustc", "cargo"] {
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_tcup-proxy"), bin.join(tool)).unwrap();
    }
    bin
}

/// A toolchain directory whose `bin` is the proxies' directory itself.
fn looping_dir(sb: &Sandbox, bin: &Path) -> std::path::PathBuf {
    let dir = sb.dir.path().join("loop");
    std::fs::create_dir_all(dir.join("lib")).unwrap();
    std::os::unix::fs::symlink(bin, dir.join("bin")).unwrap();
    dir
}

#[track_caller]
fn refused(r: &Run, toolchain: &str, dir: &Path) {
    assert_eq!(r.code, 1, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line:\n{}", r.stderr);
    let expected = format!(
        "error: infinite recursion: 'rustc' of toolchain '{toolchain}' is {}, which runs a tcup proxy again (20 proxies deep, RUST_RECURSION_COUNT=20)",
        dir.join("bin/rustc").display()
    );
    assert!(lines[0].starts_with(&expected), "{}\nexpected to start with\n{expected}", lines[0]);
}

#[test]
fn a_linked_toolchain_whose_bin_is_the_proxies_stops_at_20() {
    let sb = Sandbox::new();
    let bin = proxies(&sb);
    let dir = looping_dir(&sb, &bin);
    crate::support::run(sb.tcup(crate::support::OFFLINE).args(["toolchain", "link", "loop", dir.to_str().unwrap()])).ok();
    let (r, took) = within(sb.command(bin.join("rustc")).args(["+loop", "--version"]), Duration::from_mins(1));
    eprintln!("rustc +loop --version refused after {took:?}");
    refused(&r, "loop", &sb.rustup_home.join("toolchains/loop"));
}

#[test]
fn a_toolchain_file_path_to_the_proxies_stops_at_20() {
    let sb = Sandbox::new();
    let bin = proxies(&sb);
    let dir = looping_dir(&sb, &bin);
    let project = sb.dir.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(project.join("rust-toolchain.toml"), format!("[toolchain]\npath = \"{}\"\n", dir.display())).unwrap();
    let (r, took) = within(sb.command(bin.join("rustc")).current_dir(&project).arg("--version"), Duration::from_mins(1));
    eprintln!("rustc --version under path = loop refused after {took:?}");
    refused(&r, &dir.display().to_string(), &dir);
    // A bad count is refused, naming the variable.
    let r = crate::support::run(sb.command(bin.join("rustc")).current_dir(&project).env("RUST_RECURSION_COUNT", "x"));
    r.fails(2, &["RUST_RECURSION_COUNT=\"x\""]);
}
