//! The proxy program (`tcup-proxy`, docs/design.md active-8) against tcup itself as a proxy: for each
//! case a user can meet — the tool runs, a variable is bad or set aside, nothing is chosen, the
//! toolchain or a component is missing, the tool is missing or will not start, a toolchain file —
//! both answer with the same exit code, stdout and stderr. Then what only the proxy program has:
//! it needs `tcup` beside it, and says so.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{HOST, Run, Sandbox, Scenario, Served, run, served};

/// `CARGO_HOME/bin/<dir>/rustc`, `cargo`, `rustfmt` linked to `program`.
fn proxies(sb: &Sandbox, dir: &str, program: &str) -> PathBuf {
    let bin = sb.dir.path().join(dir);
    std::fs::create_dir_all(&bin).unwrap();
    for tool in ["rustc", "cargo", "rustfmt"] {
        std::os::unix::fs::symlink(program, bin.join(tool)).unwrap();
    }
    bin
}

/// A sandbox with stable installed (minimal profile: no rustfmt) as the default.
fn installed() -> (Sandbox, Served) {
    let server = served(Scenario::stable());
    let sb = Sandbox::new();
    sb.run(&server.url, &["toolchain", "install", "stable", "--profile", "minimal"]).ok();
    sb.run(&server.url, &["default", "stable"]).ok();
    (sb, server)
}

/// Runs `tool args` from `cwd` through both programs with `vars`, asserts both answered alike, and
/// returns the answer.
#[track_caller]
fn both(sb: &Sandbox, cwd: &Path, vars: &[(&str, &str)], tool: &str, args: &[&str]) -> Run {
    let answer = |dir: &str, program: &str| {
        let bin = sb.dir.path().join(dir);
        let bin = if bin.exists() { bin } else { proxies(sb, dir, program) };
        run(sb.command(bin.join(tool)).current_dir(cwd).env("RUSTUP_AUTO_INSTALL", "0").envs(vars.iter().copied()).args(args))
    };
    let big = answer("via-tcup", env!("CARGO_BIN_EXE_tcup"));
    let small = answer("via-proxy-program", env!("CARGO_BIN_EXE_tcup-proxy"));
    assert_eq!(
        (small.code, &small.stdout, &small.stderr),
        (big.code, &big.stdout, &big.stderr),
        "{tool} {args:?} with {vars:?}: the proxy program (left) and tcup (right) disagree"
    );
    small
}

#[test]
fn the_proxy_program_answers_every_case_as_tcup_does() {
    let (sb, _server) = installed();
    let here = sb.dir.path();
    let tc = format!("stable-{HOST}");

    // Runs: the synthetic toolchain's rustc prints its version and the toolchain it was given.
    let r = both(&sb, here, &[], "rustc", &["--version"]).ok();
    assert_eq!(r.stdout.trim(), "rustc 1.95.0 (synthetic)");
    both(&sb, here, &[], "cargo", &["+stable", "--version"]).ok();
    // A bad value of a variable the proxy reads: refused (exit 2), naming it.
    both(&sb, here, &[("RUSTUP_AUTO_INSTALL", "maybe")], "rustc", &["-V"]).fails(2, &["RUSTUP_AUTO_INSTALL"]);
    // A bad download variable is set aside with a warning; the installed toolchain still runs.
    let r = both(&sb, here, &[("TCUP_CONNECT_TIMEOUT", "soon")], "rustc", &["-V"]).ok();
    assert!(r.stderr.contains("TCUP_CONNECT_TIMEOUT"), "{}", r.stderr);
    // Not installed, auto-install off.
    both(&sb, here, &[], "rustc", &["+beta", "-V"]).fails(1, &[&format!("toolchain 'beta-{HOST}' is not installed")]);
    both(&sb, here, &[("RUSTUP_TOOLCHAIN", "nightly")], "rustc", &["-V"]).fails(1, &["is not installed"]);
    // A bad name.
    both(&sb, here, &[], "rustc", &["+no such toolchain", "-V"]).fails(2, &["'no such toolchain'"]);
    // The tool is not in the toolchain (minimal profile).
    both(&sb, here, &[], "rustfmt", &["--version"]).fails(1, &[&format!("'rustfmt' is not installed for the toolchain '{tc}'")]);

    // A toolchain file asking for a component that is not installed.
    let proj = tempfile::tempdir().unwrap();
    let file = proj.path().join("rust-toolchain.toml");
    std::fs::write(&file, "[toolchain]\nchannel = \"stable\"\ncomponents = [\"rustfmt\"]\n").unwrap();
    both(&sb, proj.path(), &[], "rustc", &["-V"]).fails(1, &["rustfmt"]);
    // … and one whose components are there: runs.
    std::fs::write(&file, "[toolchain]\nchannel = \"stable\"\ncomponents = [\"rustc\"]\n").unwrap();
    both(&sb, proj.path(), &[], "rustc", &["-V"]).ok();
    // Both file names in one directory: a warning, then the legacy file's toolchain runs.
    std::fs::write(proj.path().join("rust-toolchain"), "stable\n").unwrap();
    let r = both(&sb, proj.path(), &[], "rustc", &["-V"]).ok();
    assert!(r.stderr.contains("warning: both "), "{}", r.stderr);
    std::fs::remove_file(proj.path().join("rust-toolchain")).unwrap();
    // A broken toolchain file is named.
    std::fs::write(&file, "[toolchain\n").unwrap();
    both(&sb, proj.path(), &[], "rustc", &["-V"]).fails(2, &[&file.display().to_string()]);

    // The tool will not start (not executable): the same diagnosis.
    let rustc = sb.toolchain(&tc).join("bin/rustc");
    std::fs::set_permissions(&rustc, std::fs::Permissions::from_mode(0o644)).unwrap();
    both(&sb, here, &[], "rustc", &["-V"]).fails(1, &[&rustc.display().to_string()]);
    std::fs::set_permissions(&rustc, std::fs::Permissions::from_mode(0o755)).unwrap();

    // Nothing chooses a toolchain.
    std::fs::write(sb.rustup_home.join("settings.toml"), "version = \"12\"\n").unwrap();
    both(&sb, here, &[], "cargo", &["build"]).fails(1, &["tcup could not choose a version of cargo to run"]);
}

#[test]
fn the_proxy_program_says_which_it_is() {
    let r = run(Command::new(env!("CARGO_BIN_EXE_tcup-proxy")).arg("--version")).ok();
    assert_eq!(r.stdout.trim(), format!("tcup-proxy {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn init_leaves_out_a_proxy_program_of_another_version() {
    let dir = tempfile::tempdir().unwrap();
    let init = dir.path().join("tcup-init");
    std::fs::copy(env!("CARGO_BIN_EXE_tcup"), &init).unwrap();
    let stale = dir.path().join("tcup-proxy");
    std::fs::write(&stale, "#!/bin/sh\necho tcup-proxy 0.0.1\n").unwrap();
    std::fs::set_permissions(&stale, std::fs::Permissions::from_mode(0o755)).unwrap();
    let sb = Sandbox::new();
    let r = run(sb.command(&init).args(["-y", "--default-toolchain", "none", "--no-modify-path"])).ok();
    assert!(
        r.stderr.contains(&format!("{} is tcup-proxy 0.0.1, not tcup-proxy {}", stale.display(), env!("CARGO_PKG_VERSION"))),
        "{}",
        r.stderr
    );
    let bin = sb.cargo_home.join("bin");
    assert!(!bin.join("tcup-proxy").exists());
    let tcup = std::fs::metadata(bin.join("tcup")).unwrap().ino();
    assert_eq!(std::fs::metadata(bin.join("rustc")).unwrap().ino(), tcup, "rustc is a link to tcup");
}

#[test]
fn the_proxy_program_without_tcup_beside_it_says_so() {
    let (sb, _server) = installed();
    let alone = sb.dir.path().join("alone");
    std::fs::create_dir_all(&alone).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_tcup-proxy"), alone.join("tcup-proxy")).unwrap();
    std::os::unix::fs::symlink("tcup-proxy", alone.join("rustc")).unwrap();
    // What it runs itself still runs…
    run(sb.command(alone.join("rustc")).arg("-V")).ok();
    // … and what it would hand to tcup fails in one line naming the missing file.
    let r =
        run(sb.command(alone.join("rustc")).arg("+beta")).fails(1, &[&format!("tcup-proxy cannot run {}", alone.join("tcup").display())]);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    // A `tcup` that is the proxy program itself would hand over forever: refused.
    std::fs::hard_link(alone.join("tcup-proxy"), alone.join("tcup")).unwrap();
    run(sb.command(alone.join("rustc")).arg("+beta")).fails(1, &["is this proxy program itself, not tcup"]);
}
