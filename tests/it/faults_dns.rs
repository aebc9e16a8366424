//! The DNS-blackhole cells of the fault matrix (issue 18): the only dist server is a name, and
//! the resolver never answers (`options timeout:30 attempts:5`, as in a container whose
//! nameserver drops queries). Each backend alone and the default list must end with one error
//! line naming the host, the timeout and the nameserver, with no retry and no fallback.
//!
//! The machine's `/etc/resolv.conf` is never touched: the `tcup` child runs in a private mount
//! namespace (`unshare -m`) where the test's own resolv.conf is bind-mounted over it, pointing at
//! a UDP socket on 127.77.0.x:53 the test opens and never answers. This needs root (CI runs as
//! root on this machine); without it the test fails, saying so.

use std::net::UdpSocket;
use std::time::Instant;

use super::run_bounded;
use crate::support::{Sandbox, on_path};

/// `TCUP_CONNECT_TIMEOUT` in these cells, in seconds (the issue's case).
const CONNECT_TIMEOUT: u64 = 5;

/// A UDP socket on a free 127.77.0.x:53 that receives and never answers.
fn blackhole() -> UdpSocket {
    (1..=254)
        .find_map(|x| UdpSocket::bind(("127.77.0.".to_owned() + &x.to_string(), 53)).ok())
        .expect("cannot bind UDP 127.77.0.x:53 for the blackhole nameserver (the test needs root)")
}

fn dns_blackhole(backends: Option<&str>) {
    let unshare = on_path("unshare", "the DNS cells run tcup in a private mount namespace");
    let machine_conf = std::fs::read("/etc/resolv.conf").ok();
    let ns = blackhole();
    let ns_ip = ns.local_addr().unwrap().ip().to_string();
    let sb = Sandbox::new();
    let conf = sb.dir.path().join("resolv.conf");
    std::fs::write(&conf, format!("nameserver {ns_ip}\noptions timeout:30 attempts:5\n")).unwrap();
    let mut cmd = sb.command(&unshare);
    cmd.args(["-m", "--", "sh", "-ec", r#"mount --bind "$0" /etc/resolv.conf; exec "$@""#])
        .arg(&conf)
        .arg(env!("CARGO_BIN_EXE_tcup"))
        .args(["install", "stable", "--profile", "minimal"])
        .env("RUSTUP_DIST_SERVER", "http://dist.tcup-test.invalid:8080")
        .env("RUST_BACKTRACE", "1")
        .env("TCUP_CONNECT_TIMEOUT", CONNECT_TIMEOUT.to_string());
    if let Some(b) = backends {
        cmd.env("TCUP_BACKENDS", b);
    }
    let started = Instant::now();
    let r = run_bounded(&mut cmd);
    let t = started.elapsed();
    let name = backends.unwrap_or("default list");
    let r = r.fails(1, &[&format!(
        "cannot resolve dist.tcup-test.invalid: no answer within {CONNECT_TIMEOUT} s (TCUP_CONNECT_TIMEOUT); nameservers in /etc/resolv.conf: {ns_ip}"
    )]);
    assert_eq!(r.stderr.lines().filter(|l| l.starts_with("error")).count(), 1, "{name}: one error line\n{}", r.stderr);
    assert!(!r.stderr.contains("retry") && !r.stderr.contains("falling back") && !r.stderr.contains("stalled"), "{name}: {}", r.stderr);
    assert!(sb.toolchains().is_empty(), "nothing installed");
    // The query reached the test's nameserver (so the bind mount took effect), which dropped it.
    ns.set_nonblocking(true).unwrap();
    let mut buf = [0u8; 512];
    assert!(ns.recv_from(&mut buf).is_ok(), "{name}: the resolver asked {ns_ip}");
    assert_eq!(std::fs::read("/etc/resolv.conf").ok(), machine_conf, "the machine's resolv.conf is untouched");
    // Goal: at most 2 × TCUP_CONNECT_TIMEOUT; measured, not asserted (ci/fault-matrix.sh prints it).
    let lines = r.stderr.lines().count();
    eprintln!("dns-blackhole {name:<15} exit {} {:>5.1} s  {lines} line(s) (goal <= {} s)", r.code, t.as_secs_f64(), 2 * CONNECT_TIMEOUT);
}

#[test]
fn dns_blackhole_rustls() {
    dns_blackhole(Some("rustls"));
}
#[test]
fn dns_blackhole_curl() {
    dns_blackhole(Some("curl"));
}
#[test]
fn dns_blackhole_native_tls() {
    dns_blackhole(Some("native-tls"));
}
#[test]
fn dns_blackhole_default_list() {
    dns_blackhole(None);
}
