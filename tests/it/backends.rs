//! Backend choice at run time, as a user steers it (`RUSTUP_USE_CURL`, `RUSTUP_USE_RUSTLS`,
//! `TCUP_BACKENDS`, `--backends`), what `--verbose` says about it, remembering the backend that
//! worked for a host, and `tcup doctor` bounded by the watchdog.

use std::time::Duration;

use crate::support::server::{Fault, Rule, Server};
use crate::support::{HOST, Sandbox, Scenario, run, served};

/// The backends named in the User-Agents of the requests logged since `from`.
fn agents(server: &Server, from: usize) -> Vec<String> {
    let mut v: Vec<String> =
        server.log()[from..].iter().map(|l| l.user_agent.rsplit('(').next().unwrap_or("").trim_end_matches(')').to_owned()).collect();
    v.sort();
    v.dedup();
    v
}

#[test]
fn variables_and_flag_choose_the_backend() {
    let server = served(Scenario::stable());
    let cases: &[(&[(&str, &str)], &[&str], &str)] = &[
        (&[], &[], "rustls"),
        (&[("RUSTUP_USE_CURL", "1")], &[], "curl"),
        (&[("RUSTUP_USE_RUSTLS", "0")], &[], "native-tls"),
        (&[("TCUP_BACKENDS", "native-tls"), ("RUSTUP_USE_CURL", "1")], &[], "native-tls"),
        (&[("TCUP_BACKENDS", "native-tls")], &["--backends", "curl"], "curl"),
    ];
    for (vars, flags, expected) in cases {
        let sb = Sandbox::new();
        let before = server.log().len();
        let mut cmd = sb.tcup(&server.url);
        cmd.args(*flags).args(["--verbose", "install", "stable", "--profile", "minimal"]);
        for (k, v) in *vars {
            cmd.env(k, v);
        }
        let r = run(&mut cmd).ok();
        assert_eq!(agents(&server, before), [*expected], "{vars:?} {flags:?}");
        assert!(r.stderr.contains(&format!("verbose: {expected}: GET ")), "--verbose names the backend:\n{}", r.stderr);
    }
    let sb = Sandbox::new();
    run(sb.tcup(&server.url).args(["install", "stable"]).env("TCUP_BACKENDS", "curl,wget"))
        .fails(2, &["TCUP_BACKENDS=\"curl,wget\"", "rustls, curl, native-tls"]);
    run(sb.tcup(&server.url).args(["--backends", "", "install", "stable"])).fails(2, &["--backends \"\" is not valid"]);
    assert!(sb.toolchains().is_empty());
}

#[test]
fn the_backend_that_worked_is_remembered_for_the_host() {
    let server = served(Scenario::stable());
    // rustls hangs on every archive; the manifest still comes through it.
    for ext in [".tar.xz", ".tar.zst", ".tar.gz"] {
        for l in ["rustc", "cargo", "rust-std"] {
            let path = format!("/dist/2026-04-16/{l}-1.95.0-{HOST}{ext}");
            server.rule(&path, Rule { fault: Fault::Hold(Duration::from_mins(2)), user_agent: Some("(rustls)".into()), times: None });
        }
    }
    let sb = Sandbox::new();
    let r = run(sb
        .tcup(&server.url)
        .args(["install", "stable", "--profile", "minimal"])
        .env("TCUP_STALL_TIMEOUT", "2")
        .env("RUSTUP_CONCURRENT_DOWNLOADS", "1"))
    .ok();
    // One stall (the first archive), then curl first for the rest: not three stalls.
    assert_eq!(r.stderr.matches("rustls stalled").count(), 1, "{}", r.stderr);
    let archive_agents: Vec<String> =
        server.log().iter().filter(|l| l.path.contains("/cargo-") || l.path.contains("/rust-std-")).map(|l| l.user_agent.clone()).collect();
    assert!(archive_agents.iter().all(|ua| ua.ends_with("(curl)")), "{archive_agents:?}");
}

#[test]
fn doctor_reports_each_backend_within_the_watchdog() {
    let server = served(Scenario::stable());
    server.rule(
        "/dist/channel-rust-stable.toml",
        Rule { fault: Fault::Hold(Duration::from_mins(2)), user_agent: Some("(native-tls)".into()), times: None },
    );
    let sb = Sandbox::new();
    let r = run(sb.tcup(&server.url).args(["doctor"]).env("TCUP_STALL_TIMEOUT", "1").env("RUSTUP_DOWNLOAD_TIMEOUT", "3")).ok();
    let line = |b: &str| r.stdout.lines().find(|l| l.starts_with(b)).unwrap_or_else(|| panic!("no line for {b}:\n{}", r.stdout)).to_owned();
    assert!(line("rustls ").contains(" ok "), "{}", r.stdout);
    assert!(line("curl ").contains(" ok "), "{}", r.stdout);
    let native = line("native-tls ");
    assert!(native.contains("failed") && native.contains("all backends stalled"), "{native}");
    assert!(r.stdout.starts_with(&format!("dist server: {}", server.url)), "{}", r.stdout);
}

/// Issue 11, defect 7: a home tcup cannot use is a configuration error naming the variable
/// (exit 2), before anything is downloaded or written.
#[test]
fn unusable_homes_are_configuration_errors() {
    use std::os::unix::ffi::OsStrExt;
    let server = served(Scenario::stable());
    let sb = Sandbox::new();
    let bad = std::ffi::OsStr::from_bytes(b"/nonexistent/\xffhome");
    let r = run(sb.tcup(&server.url).args(["install", "stable", "--profile", "minimal"]).env("RUSTUP_HOME", bad));
    r.fails(2, &["RUSTUP_HOME", "valid UTF-8"]);
    let r = run(sb.tcup(&server.url).args(["install", "stable", "--profile", "minimal"]).env_remove("HOME").env_remove("CARGO_HOME"));
    r.fails(2, &["HOME", "CARGO_HOME"]);
    assert!(server.log().is_empty(), "nothing downloaded: {:?}", server.log());
    assert!(!sb.rustup_home.exists(), "nothing written");
    let dir = tempfile::tempdir().unwrap();
    let r = run(sb.tcup(&server.url).args(["install", "stable"]).env("SSL_CERT_DIR", dir.path().join("certs")));
    r.fails(2, &["SSL_CERT_DIR", "an existing directory"]);
}
