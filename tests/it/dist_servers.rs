//! Several dist servers (`TCUP_DIST_SERVERS`, issue 18, docs/design.md download-13): a stalled, refusing
//! or 404ing first server is left for the next one, the install completes from the good server
//! with every file intact, and a server that stalled or refused is not tried first again.

use std::time::{Duration, Instant};

use crate::faults::run_bounded;
use crate::support::server::{Fault, Server};
use crate::support::{HOST, Run, Sandbox, Scenario, Served, run, served};

struct Case {
    empty: tempfile::TempDir,
    /// Serves the release; another server on `good.root()` serves the same files.
    good: Served,
    /// The rustc archive's path on the servers.
    rustc: String,
    sb: Sandbox,
}

fn case() -> Case {
    let good = served(Scenario::stable());
    let rustc = good.archive("rustc", "xz");
    Case { empty: tempfile::tempdir().unwrap(), good, rustc, sb: Sandbox::new() }
}

/// A URL on 127.0.0.1 where nothing listens (connections are refused).
fn refusing() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    format!("http://127.0.0.1:{port}")
}

impl Case {
    /// `tcup install stable --profile minimal` with `TCUP_DIST_SERVERS=servers`, stall 2 s.
    fn install(&self, servers: &str) -> (Run, Duration) {
        let mut cmd = self.sb.tcup("http://127.0.0.1:9");
        cmd.args(["install", "stable", "--profile", "minimal"])
            .env("TCUP_DIST_SERVERS", servers)
            .env("TCUP_STALL_TIMEOUT", "2")
            .env("RUSTUP_DOWNLOAD_TIMEOUT", "8")
            .env("TCUP_CONNECT_TIMEOUT", "5");
        let started = Instant::now();
        let r = run_bounded(&mut cmd);
        (r, started.elapsed())
    }

    /// The toolchain is installed and its files are the ones the manifest's archives hold.
    #[track_caller]
    fn installed_intact(&self) {
        let dir = self.sb.toolchain(&format!("stable-{HOST}"));
        assert_eq!(std::fs::read(dir.join("bin/rustc")).unwrap(), crate::support::dist::script("rustc"));
        let r = run(self.sb.tcup("http://127.0.0.1:9").args(["toolchain", "verify", "stable"]));
        r.ok();
    }
}

#[test]
fn a_stalled_first_server_costs_one_stall_then_the_good_one_serves() {
    let c = case();
    let stalled = Server::http(c.good.root());
    stalled.fault("*", Fault::Hold(Duration::from_mins(2)));
    let (r, took) = c.install(&format!("{},{}", stalled.url, c.good.url));
    let r = r.ok();
    eprintln!("stalled,good: {:.1} s\n{}", took.as_secs_f64(), r.stderr);
    c.installed_intact();
    // Only the first request meets the stall; every later file asks the good server first.
    let stalls = r.stderr.matches("stalled on").count();
    assert_eq!(stalls, 1, "{}", r.stderr);
    assert!(r.stderr.contains(&format!("trying rustls via 127.0.0.1:{}", c.good.port)), "{}", r.stderr);
    assert_eq!(stalled.log().len(), 1, "the stalled server is asked once: {:?}", stalled.log());
    assert!(c.good.hits(&c.rustc) >= 1);
}

#[test]
fn a_refusing_first_server_is_skipped_at_once() {
    let c = case();
    let bad = refusing();
    let (r, took) = c.install(&format!("{bad},{}", c.good.url));
    let r = r.ok();
    eprintln!("refusing,good: {:.1} s\n{}", took.as_secs_f64(), r.stderr);
    c.installed_intact();
    let port = bad.rsplit(':').next().unwrap();
    let lines: Vec<&str> = r.stderr.lines().filter(|l| l.contains(&format!("127.0.0.1:{port} failed"))).collect();
    assert_eq!(lines.len(), 1, "one warning for the refusing server, then it is not tried first: {}", r.stderr);
    assert!(lines[0].starts_with("warning: ") && lines[0].contains("trying"), "{}", lines[0]);
}

#[test]
fn a_mirror_without_the_files_falls_through_quietly() {
    let c = case();
    let empty = Server::http(c.empty.path());
    let (r, _) = c.install(&format!("{},{}", empty.url, c.good.url));
    let r = r.ok();
    c.installed_intact();
    assert!(!r.stderr.contains(&format!("via 127.0.0.1:{}", empty.port)), "a 404 moves on without a warning: {}", r.stderr);
    // A 404 does not demote: every file is asked of the first server first.
    assert_eq!(empty.hits(&c.rustc), 1, "{:?}", empty.log());
    assert_eq!(c.good.hits(&c.rustc), 1);
}

#[test]
fn every_server_failing_is_one_error_and_nothing_installed() {
    let c = case();
    let (a, b) = (refusing(), refusing());
    let (r, _) = c.install(&format!("{a},{b}"));
    let r = r.fails(1, &[&format!("{b}/dist/channel-rust-stable.toml.sha256 failed"), "Connection refused"]);
    assert_eq!(r.stderr.lines().filter(|l| l.starts_with("error:")).count(), 1, "{}", r.stderr);
    assert!(c.sb.toolchains().is_empty());
}

#[test]
fn a_bad_server_list_is_refused_naming_the_variable() {
    let c = case();
    for bad in ["ftp://mirror.example", "http://a.example,http://a.example", "http://a.example,"] {
        let r = run(c.sb.tcup("http://127.0.0.1:9").args(["install", "stable"]).env("TCUP_DIST_SERVERS", bad));
        r.fails(2, &[&format!("TCUP_DIST_SERVERS=\"{bad}\"")]);
    }
    assert!(c.sb.toolchains().is_empty());
}

#[test]
fn an_archive_stalling_mid_body_resumes_on_the_next_server_at_the_same_offset() {
    let c = case();
    let first = Server::http(c.good.root());
    first.fault(&c.rustc, Fault::StallAfter(20_000));
    let (r, _) = c.install(&format!("{},{}", first.url, c.good.url));
    let r = r.ok();
    c.installed_intact();
    let resumed: Vec<_> = c.good.log().into_iter().filter(|l| l.path == c.rustc).collect();
    assert_eq!(resumed.len(), 1, "{resumed:?}\n{}", r.stderr);
    let range = resumed[0].range.clone().expect("the next server is asked from the offset reached");
    let from: u64 = range.trim_start_matches("bytes=").trim_end_matches('-').parse().unwrap();
    assert!(from > 0 && from <= 20_000, "{range}");
}

#[test]
fn doctor_lists_each_servers_health() {
    let c = case();
    let bad = refusing();
    let r = run(c.sb.tcup("http://127.0.0.1:9").args(["doctor"]).env("TCUP_DIST_SERVERS", format!("{bad},{}", c.good.url)));
    let r = r.ok();
    let blocks: Vec<&str> = r.stdout.split("dist server: ").skip(1).collect();
    assert_eq!(blocks.len(), 2, "{}", r.stdout);
    assert!(blocks[0].starts_with(&bad) && blocks[0].lines().filter(|l| l.contains(" failed ")).count() == 3, "{}", r.stdout);
    assert!(blocks[1].starts_with(&c.good.url) && blocks[1].lines().filter(|l| l.contains(" ok ")).count() == 3, "{}", r.stdout);
}

#[test]
fn a_mirror_without_the_chosen_format_serves_another_the_manifest_lists() {
    let c = case();
    // A mirror that kept only the .tar.gz of rustc (the manifest lists .tar.xz too).
    std::fs::remove_file(c.good.root().join(c.rustc.trim_start_matches('/'))).unwrap();
    let mut cmd = c.sb.tcup(&c.good.url);
    cmd.args(["install", "stable", "--profile", "minimal"]).env("TCUP_ARCHIVE_FORMAT", "xz");
    let r = run(&mut cmd).ok();
    assert!(r.stderr.contains(&format!("rustc-{HOST} is not on the dist server as .tar.xz; trying .tar.gz")), "{}", r.stderr);
    c.installed_intact();
    assert_eq!(c.good.hits(&c.rustc.replace(".tar.xz", ".tar.gz")), 1);
}
