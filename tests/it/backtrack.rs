//! Nightly backtracking (issue 27 C, as rustup 1.29.1 does it): an undated `nightly` whose newest
//! manifest lacks a requested component is installed from the newest dated nightly that has it,
//! within `RUSTUP_BACKTRACK_LIMIT` days; a date the server does not have is skipped.

use crate::support::{HOST, Sandbox, Scenario, run, served};

/// A nightly whose newest manifest (dated 2026-04-16) lacks clippy, no manifest for the day
/// before, and a complete one two days before.
fn nightly_lacking_clippy() -> Scenario {
    Scenario::channel("nightly").lacking("clippy-preview").also_dated("2026-04-14")
}

#[test]
fn a_nightly_missing_a_component_backtracks_to_the_newest_date_that_has_it() {
    let server = served(nightly_lacking_clippy());
    let sb = Sandbox::new();
    let out = sb.run(&server.url, &["toolchain", "install", "nightly", "--profile", "minimal", "-c", "clippy"]).ok();
    assert!(out.stderr.contains("nightly 2026-04-16 lacks what was asked for"), "{}", out.stderr);
    assert!(out.stderr.contains("installing nightly 2026-04-14, the newest nightly that has every component"), "{}", out.stderr);
    let tc = format!("nightly-{HOST}");
    assert_eq!(sb.toolchains(), vec![tc.clone()]);
    assert!(sb.toolchain(&tc).join("bin/cargo-clippy").is_file());
    let installed = std::fs::read_to_string(sb.toolchain(&tc).join("lib/rustlib/multirust-channel-manifest.toml")).unwrap();
    assert!(installed.contains("date = \"2026-04-14\""), "the dated manifest is the one installed");
    // The day between was asked for and skipped.
    assert!(server.log().iter().any(|l| l.path == "/dist/2026-04-15/channel-rust-nightly.toml.sha256"), "{:?}", server.log());
}

#[test]
fn no_date_within_the_limit_names_the_component_and_installs_nothing() {
    let server = served(nightly_lacking_clippy());
    let sb = Sandbox::new();
    run(sb.tcup(&server.url).env("RUSTUP_BACKTRACK_LIMIT", "1").args([
        "toolchain",
        "install",
        "nightly",
        "--profile",
        "minimal",
        "-c",
        "clippy",
    ]))
    .fails(1, &["no nightly of the 1 days before 2026-04-16 has what was asked for", "clippy", "RUSTUP_BACKTRACK_LIMIT=1"]);
    assert!(sb.toolchains().is_empty());
    // A component every nightly has needs no looking back.
    let out = sb.run(&server.url, &["toolchain", "install", "nightly", "--profile", "minimal"]).ok();
    assert!(!out.stderr.contains("looking back"), "{}", out.stderr);
    run(sb.tcup(&server.url).env("RUSTUP_BACKTRACK_LIMIT", "x").args(["show"])).fails(2, &["RUSTUP_BACKTRACK_LIMIT"]);
}
