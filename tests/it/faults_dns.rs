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

/// A test-owned resolv.conf naming a nameserver that never answers.
struct Blackhole {
    ns: UdpSocket,
    ip: String,
    conf: std::path::PathBuf,
}

impl Blackhole {
    fn new(sb: &Sandbox) -> Blackhole {
        let ns = blackhole();
        let ip = ns.local_addr().unwrap().ip().to_string();
        let conf = sb.dir.path().join("resolv.conf");
        std::fs::write(&conf, format!("nameserver {ip}\noptions timeout:30 attempts:5\n")).unwrap();
        Blackhole { ns, ip, conf }
    }

    /// `tcup install stable --profile minimal` in `sb`'s environment, in a private mount
    /// namespace where this resolv.conf is `/etc/resolv.conf`.
    fn install(&self, sb: &Sandbox) -> std::process::Command {
        let unshare = on_path("unshare", "the DNS cells run tcup in a private mount namespace");
        let mut cmd = sb.command(&unshare);
        cmd.args(["-m", "--", "sh", "-ec", r#"mount --bind "$0" /etc/resolv.conf; exec "$@""#])
            .arg(&self.conf)
            .arg(env!("CARGO_BIN_EXE_tcup"))
            .args(["install", "stable", "--profile", "minimal"])
            .env("RUSTUP_DIST_SERVER", NAMED)
            .env("RUST_BACKTRACE", "1")
            .env("TCUP_CONNECT_TIMEOUT", CONNECT_TIMEOUT.to_string());
        cmd
    }

    /// Whether the resolver asked this nameserver (so the bind mount took effect).
    fn was_asked(&self) -> bool {
        self.ns.set_nonblocking(true).unwrap();
        let mut buf = [0u8; 512];
        self.ns.recv_from(&mut buf).is_ok()
    }
}

/// The dist server by a name only the blackholed nameserver could resolve.
const NAMED: &str = "http://dist.tcup-test.invalid:8080";

fn dns_blackhole(backends: Option<&str>) {
    let machine_conf = std::fs::read("/etc/resolv.conf").ok();
    let sb = Sandbox::new();
    let hole = Blackhole::new(&sb);
    let mut cmd = hole.install(&sb);
    if let Some(b) = backends {
        cmd.env("TCUP_BACKENDS", b);
    }
    let started = Instant::now();
    let r = run_bounded(&mut cmd);
    let t = started.elapsed();
    let name = backends.unwrap_or("default list");
    let r = r.fails(1, &[&format!(
        "cannot resolve dist.tcup-test.invalid: no answer within {CONNECT_TIMEOUT} s (TCUP_CONNECT_TIMEOUT); nameservers in /etc/resolv.conf: {}",
        hole.ip
    )]);
    assert_eq!(r.stderr.lines().filter(|l| l.starts_with("error")).count(), 1, "{name}: one error line\n{}", r.stderr);
    assert!(!r.stderr.contains("retry") && !r.stderr.contains("falling back") && !r.stderr.contains("stalled"), "{name}: {}", r.stderr);
    assert!(sb.toolchains().is_empty(), "nothing installed");
    assert!(hole.was_asked(), "{name}: the resolver asked {}", hole.ip);
    assert_eq!(std::fs::read("/etc/resolv.conf").ok(), machine_conf, "the machine's resolv.conf is untouched");
    // Goal: at most 2 × TCUP_CONNECT_TIMEOUT; measured, not asserted (ci/fault-matrix.sh prints it).
    let lines = r.stderr.lines().count();
    eprintln!("dns-blackhole {name:<15} exit {} {:>5.1} s  {lines} line(s) (goal <= {} s)", r.code, t.as_secs_f64(), 2 * CONNECT_TIMEOUT);
}

/// `TCUP_DIST_SERVERS=<a name that does not resolve>,<a good server>`: the name costs one
/// connect timeout, once for the run, and the install completes from the good server.
#[test]
fn dns_blackhole_then_a_good_server() {
    let c = super::case(false);
    let hole = Blackhole::new(&c.sb);
    let mut cmd = hole.install(&c.sb);
    cmd.env("TCUP_DIST_SERVERS", format!("{NAMED},{}", c.server.url));
    let started = Instant::now();
    let r = run_bounded(&mut cmd).ok();
    let t = started.elapsed();
    c.installed();
    assert!(hole.was_asked());
    let mentions = r.stderr.matches("cannot resolve dist.tcup-test.invalid").count();
    assert!(mentions <= 1, "the failure is final for the run, said once at most:\n{}", r.stderr);
    let lines = r.stderr.lines().count();
    eprintln!(
        "dns-blackhole {:<15} exit {} {:>5.1} s  {lines} line(s), installed from the good server",
        "first of two",
        r.code,
        t.as_secs_f64()
    );
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
