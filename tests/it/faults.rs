//! The download layer against a fault-injecting server, for each of the three backends alone
//! (`TCUP_BACKENDS=<one>`), then across backends: hedged fallback, all backends stalled, the
//! buffering proxy, a CONNECT proxy. Every case asserts what the user sees (exit code, message,
//! files) and that it came in bounded time, with small timeouts set through the variables.

use std::time::{Duration, Instant};

use crate::support::dist::sha;
use crate::support::server::{Fault, Proxy, Rule, Server, TestCa, etag};
use crate::support::{HOST, Run, Sandbox, Scenario, Served, run, served};

#[path = "faults_dns.rs"]
mod dns;

struct Case {
    server: Served,
    sb: Sandbox,
    /// Path of rustc's `.tar.xz` on the server (~300 KB of incompressible data).
    rustc: String,
    /// Its bytes.
    rustc_bytes: Vec<u8>,
    ca: Option<(TestCa, std::path::PathBuf)>,
}

fn case(https: bool) -> Case {
    let sb = Sandbox::new();
    let ca = https.then(|| {
        let ca = TestCa::new();
        let pem = ca.write_pem(sb.dir.path());
        (ca, pem)
    });
    let server = served(match &ca {
        Some((ca, _)) => Scenario::stable().https(ca),
        None => Scenario::stable(),
    });
    let (rustc, rustc_bytes) = (server.archive("rustc", "xz"), server.archive_bytes("rustc", "xz"));
    Case { server, sb, rustc, rustc_bytes, ca }
}

impl Case {
    fn once(&self, fault: Fault) {
        self.server.rule(&self.rustc, Rule { fault, user_agent: None, times: Some(1) });
    }

    /// `tcup install stable --profile minimal` with `backends`, stall 2 s, hard deadline 8 s.
    fn install(&self, backends: &str, env: &[(&str, &str)]) -> (Run, Duration) {
        let mut cmd = self.sb.tcup(&self.server.url);
        cmd.args(["install", "stable", "--profile", "minimal"])
            .env("TCUP_BACKENDS", backends)
            .env("TCUP_STALL_TIMEOUT", "2")
            .env("RUSTUP_DOWNLOAD_TIMEOUT", "8")
            .env("TCUP_CONNECT_TIMEOUT", "5");
        if let Some((_, pem)) = &self.ca {
            cmd.env("SSL_CERT_FILE", pem);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let started = Instant::now();
        let r = run_bounded(&mut cmd);
        (r, started.elapsed())
    }

    #[track_caller]
    fn installed(&self) {
        assert!(self.sb.toolchain(&format!("stable-{HOST}")).join("bin/rustc").is_file(), "toolchain installed");
    }

    #[track_caller]
    fn nothing_installed(&self) {
        assert!(self.sb.toolchains().is_empty(), "nothing installed: {:?}", self.sb.toolchains());
    }

    fn rustc_requests(&self) -> Vec<crate::support::server::Logged> {
        self.server.log().into_iter().filter(|l| l.path == self.rustc).collect()
    }
}

/// The bound every run here must respect: a hang is a failure, not a stuck test. This is no
/// timing claim (the scheduler's table tests check the timers with a fake clock), only the end
/// of waiting.
const HANG: Duration = Duration::from_mins(2);

/// Runs `cmd`, killing it and failing the test if it is still running after [`HANG`].
pub(crate) fn run_bounded(cmd: &mut std::process::Command) -> Run {
    use std::io::Read;
    let mut child = cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap();
    let pipe = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = r.read_to_string(&mut s);
            s
        })
    };
    let out = pipe(Box::new(child.stdout.take().unwrap()));
    let err = pipe(Box::new(child.stderr.take().unwrap()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > HANG {
            let _ = child.kill();
            let _ = child.wait();
            panic!("still running after {HANG:?}: the download has no bound\nstderr:\n{}", err.join().unwrap());
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Run { code: status.code().unwrap_or(-1), stdout: out.join().unwrap(), stderr: err.join().unwrap() }
}

fn stall_before_headers(b: &str) {
    let c = case(false);
    c.once(Fault::Hold(Duration::from_mins(2)));
    let (r, _) = c.install(b, &[]);
    let r = r.ok();
    assert!(r.stderr.contains(&format!("{b} stalled on")) && r.stderr.contains("opening a new connection"), "{}", r.stderr);
    c.installed();
}

fn stall_mid_body(b: &str) {
    let c = case(false);
    c.once(Fault::StallAfter(20_000));
    let (r, _) = c.install(b, &[]);
    r.ok();
    let reqs = c.rustc_requests();
    assert_eq!(reqs.len(), 2, "{reqs:?}");
    let range = reqs[1].range.clone().expect("the second request resumes with Range");
    let from: u64 = range.trim_start_matches("bytes=").trim_end_matches('-').parse().unwrap();
    assert!(from > 0 && from <= 20_000, "{range}");
    c.installed();
}

fn drip_below_low_speed(b: &str) {
    let c = case(false);
    c.once(Fault::Drip(1, Duration::from_millis(300)));
    let (r, _) = c.install(b, &[]);
    let r = r.ok();
    assert!(r.stderr.contains("below 10 bytes/s"), "{}", r.stderr);
    c.installed();
}

fn reset_mid_body(b: &str) {
    let c = case(false);
    c.once(Fault::Reset(50_000));
    let (r, _) = c.install(b, &[]);
    let r = r.ok();
    assert!(r.stderr.contains("; retry 1 of 3 in "), "{}", r.stderr);
    assert!(c.rustc_requests().iter().any(|l| l.range.is_some()), "resumed with a range: {:?}", c.rustc_requests());
    c.installed();
}

fn truncated_body(b: &str) {
    let c = case(false);
    c.once(Fault::Truncate(50_000));
    let (r, _) = c.install(b, &[]);
    let r = r.ok();
    assert!(r.stderr.contains("; retry 1 of 3 in "), "{}", r.stderr);
    c.installed();
}

fn status_500_then_ok(b: &str) {
    let c = case(false);
    c.once(Fault::Status(500));
    let (r, _) = c.install(b, &[]);
    let r = r.ok();
    assert!(r.stderr.contains(&format!("{b}: ")) && r.stderr.contains("failed (HTTP 500); retry 1 of 3 in"), "{}", r.stderr);
    assert_eq!(c.rustc_requests().len(), 2);
}

fn status_503_retry_after(b: &str) {
    let c = case(false);
    c.once(Fault::StatusWith(503, vec![("Retry-After".into(), "1".into())]));
    let (r, t) = c.install(b, &[]);
    let r = r.ok();
    assert!(r.stderr.contains("failed (HTTP 503); retry 1 of 3 in 1 s"), "{}", r.stderr);
    assert!(t >= Duration::from_secs(1), "Retry-After honoured: {t:?}");
}

fn not_found(b: &str) {
    let c = case(false);
    // Not there in any format the manifest lists (a 404 for one format tries the next).
    let gz = c.rustc.replace(".tar.xz", ".tar.gz");
    c.server.fault(&c.rustc, Fault::Status(404));
    c.server.fault(&gz, Fault::Status(404));
    let (r, _) = c.install(b, &[]);
    let r = r.fails(1, &["is not on this dist server (HTTP 404)"]);
    assert!(r.stderr.contains(&format!("{} is not on this dist server", gz.trim_start_matches('/'))), "{}", r.stderr);
    assert_eq!(c.rustc_requests().len(), 1, "404 is final: no retry, no fallback");
    assert_eq!(c.server.hits(&gz), 1, "the other format, once");
    c.nothing_installed();
}

fn range_416_on_resume(b: &str) {
    let c = case(false);
    let downloads = c.sb.rustup_home.join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let hash = sha(&c.rustc_bytes);
    std::fs::write(downloads.join(format!("{hash}.partial")), &c.rustc_bytes[..1000]).unwrap();
    std::fs::write(downloads.join(format!("{hash}.partial.validator")), etag(&c.rustc_bytes)).unwrap();
    c.once(Fault::RangeNotSatisfiable);
    let (r, _) = c.install(b, &[]);
    let r = r.ok();
    assert!(r.stderr.contains("cannot resume at byte 1000 (HTTP 416); downloading it from the start"), "{}", r.stderr);
    c.installed();
}

fn resume_a_partial_download(b: &str) {
    let c = case(false);
    let downloads = c.sb.rustup_home.join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let hash = sha(&c.rustc_bytes);
    std::fs::write(downloads.join(format!("{hash}.partial")), &c.rustc_bytes[..100_000]).unwrap();
    std::fs::write(downloads.join(format!("{hash}.partial.validator")), etag(&c.rustc_bytes)).unwrap();
    let (r, _) = c.install(b, &[]);
    let r = r.ok();
    assert!(r.stderr.contains("at byte 100000"), "{}", r.stderr);
    let reqs = c.rustc_requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].range.as_deref(), Some("bytes=100000-"));
    c.installed();
}

fn wrong_bytes(b: &str) {
    let c = case(false);
    let mut bad = c.rustc_bytes.clone();
    bad[150_000] ^= 0xff;
    c.server.fault(&c.rustc, Fault::Body(bad.clone()));
    let (r, _) = c.install(b, &[]);
    r.fails(1, &["checksum mismatch for", &format!("expected sha256 {}", sha(&c.rustc_bytes)), &format!("got {}", sha(&bad))]);
    let reqs = c.rustc_requests();
    assert_eq!(reqs.len(), 1, "wrong bytes are not asked again of the server that sent them: {reqs:?}");
    assert!(reqs[0].user_agent.contains(&format!("({b})")), "{reqs:?}");
    c.nothing_installed();
}

fn redirect_loop(b: &str) {
    let c = case(false);
    c.server.fault(&c.rustc, Fault::Redirect(c.rustc.clone()));
    let (r, _) = c.install(b, &[]);
    r.fails(1, &["more than 10 redirects"]);
    c.nothing_installed();
}

fn https_to_http_redirect(b: &str) {
    let c = case(true);
    let plain = Server::http(tempfile::tempdir().unwrap().path());
    c.server.fault(&c.rustc, Fault::Redirect(format!("{}{}", plain.url, c.rustc)));
    let (r, _) = c.install(b, &[]);
    r.fails(1, &["refusing redirect from https to insecure http://127.0.0.1:"]);
    assert_eq!(plain.log().len(), 0, "the insecure URL was never fetched");
    c.nothing_installed();
}

fn untrusted_certificate(b: &str) {
    let c = case(true);
    // Another CA than the server's, passed explicitly to the backend (issue 11, defect 7).
    let other = tempfile::tempdir().unwrap();
    let pem = TestCa::new().write_pem(other.path());
    let (r, _) = c.install(b, &[("SSL_CERT_FILE", pem.to_str().unwrap())]);
    let r = r.fails(1, &[&format!("failed ({b})")]);
    assert!(r.stderr.to_lowercase().contains("cert") || r.stderr.contains("UnknownIssuer"), "{}", r.stderr);
    assert!(!r.stderr.contains("falling back"), "only {b} is configured: {}", r.stderr);
    c.nothing_installed();
    // SSL_CERT_FILE pointing at nothing: a configuration error naming it, before any download.
    let none = c.sb.dir.path().join("no-such-ca.pem");
    let (r, _) = c.install(b, &[("SSL_CERT_FILE", none.to_str().unwrap())]);
    r.fails(2, &["SSL_CERT_FILE", "no-such-ca.pem", "an existing PEM file"]);
    assert_eq!(c.rustc_requests().len(), 0);
    // A file without a certificate: one error naming it, before any download.
    let junk = c.sb.dir.path().join("junk.pem");
    std::fs::write(&junk, "not a certificate\n").unwrap();
    let (r, _) = c.install(b, &[("SSL_CERT_FILE", junk.to_str().unwrap())]);
    let r = r.fails(1, &[&format!("SSL_CERT_FILE {} holds no PEM certificate", junk.display())]);
    assert_eq!(r.stderr.lines().filter(|l| l.starts_with("error:")).count(), 1, "{}", r.stderr);
    assert!(c.server.log().iter().all(|l| !l.path.contains("channel-rust")), "nothing fetched");
    // The same with the test CA in SSL_CERT_FILE (the case's default): success.
    c.install(b, &[]).0.ok();
    c.installed();
}

macro_rules! per_backend {
    ($($module:ident => $name:literal),*) => {$(
        mod $module {
            #[test] fn stall_before_headers() { super::stall_before_headers($name) }
            #[test] fn stall_mid_body() { super::stall_mid_body($name) }
            #[test] fn drip_below_low_speed() { super::drip_below_low_speed($name) }
            #[test] fn reset_mid_body() { super::reset_mid_body($name) }
            #[test] fn truncated_body() { super::truncated_body($name) }
            #[test] fn status_500_then_ok() { super::status_500_then_ok($name) }
            #[test] fn status_503_retry_after() { super::status_503_retry_after($name) }
            #[test] fn not_found() { super::not_found($name) }
            #[test] fn range_416_on_resume() { super::range_416_on_resume($name) }
            #[test] fn resume_a_partial_download() { super::resume_a_partial_download($name) }
            #[test] fn wrong_bytes() { super::wrong_bytes($name) }
            #[test] fn redirect_loop() { super::redirect_loop($name) }
            #[test] fn https_to_http_redirect() { super::https_to_http_redirect($name) }
            #[test] fn untrusted_certificate() { super::untrusted_certificate($name) }
        }
    )*};
}

per_backend!(rustls => "rustls", curl => "curl", native_tls => "native-tls");

#[test]
fn one_backend_stalls_forever_the_next_one_completes() {
    // The seed's case (rust-lang/rustup#3122, #4189): one HTTP stack hangs, another works.
    let c = case(false);
    c.server.rule(&c.rustc, Rule { fault: Fault::Hold(Duration::from_mins(2)), user_agent: Some("(rustls)".into()), times: None });
    let (r, _) = c.install("rustls,curl,native-tls", &[]);
    let r = r.ok();
    assert!(r.stderr.contains("rustls stalled on") && r.stderr.contains("trying curl"), "says so: {}", r.stderr);
    assert!(r.stderr.contains("curl delivered") && r.stderr.contains("abandoning rustls"), "{}", r.stderr);
    c.installed();
}

#[test]
fn every_backend_stalls_then_a_clear_error() {
    let c = case(false);
    c.server.fault(&c.rustc, Fault::Hold(Duration::from_mins(2)));
    let (r, t) = c.install("rustls,curl,native-tls", &[("TCUP_STALL_TIMEOUT", "1"), ("RUSTUP_DOWNLOAD_TIMEOUT", "4")]);
    let r = r.fails(
        1,
        &["all backends stalled (rustls: nothing received for 4 s; curl: nothing received for 4 s; native-tls: nothing received for 4 s"],
    );
    assert!(t >= Duration::from_secs(4), "not before the hard deadline: {t:?}");
    // Every connection is named: the three backends, then new connections while retries remain.
    let tried = c.rustc_requests().len();
    assert_eq!(r.stderr.matches("nothing received for 4 s").count(), 2 * tried, "each in a warning and in the error:\n{}", r.stderr);
    assert!((3..=3 + 3).contains(&tried), "{tried} connections");
    c.nothing_installed();
}

#[test]
fn buffering_proxy_holding_headers_is_not_killed_early() {
    let c = case(false);
    c.server.fault(&c.rustc, Fault::Hold(Duration::from_secs(10)));
    let (r, t) = c.install("rustls,curl,native-tls", &[("TCUP_STALL_TIMEOUT", "2"), ("RUSTUP_DOWNLOAD_TIMEOUT", "30")]);
    r.ok();
    assert!(t >= Duration::from_secs(10), "{t:?}");
    c.installed();
}

#[test]
fn a_connect_proxy_sees_every_backend() {
    let c = case(true);
    let proxy = Proxy::start();
    for b in ["rustls", "curl", "native-tls"] {
        let before = proxy.log().len();
        let sb = Sandbox::new();
        let mut cmd = sb.tcup(&c.server.url);
        cmd.args(["install", "stable", "--profile", "minimal"])
            .env("TCUP_BACKENDS", b)
            .env("SSL_CERT_FILE", &c.ca.as_ref().unwrap().1)
            .env("HTTPS_PROXY", &proxy.url);
        run(&mut cmd).ok();
        let seen: Vec<_> = proxy.log()[before..].to_vec();
        assert!(seen.iter().any(|(line, _)| *line == format!("CONNECT localhost:{}", c.server.port)), "{b}: {seen:?}");
    }
}

/// Issue 11, defect 1: the winner stalls, a hedge starts at the old offset with its headers held,
/// the winner recovers and keeps delivering (slowly) while the hedge answers. Before the fix the
/// hedge was crowned and its bytes spliced at the new offset (checksum mismatch).
#[test]
fn stall_then_recover_with_a_slow_hedge_never_splices() {
    let c = case(false);
    let mut steps = vec![(64 * 1024, Duration::from_secs(3))];
    steps.extend(std::iter::repeat_n((4096, Duration::from_millis(100)), 60));
    c.server.rule(&c.rustc, Rule { fault: Fault::Steps(steps), user_agent: Some("(rustls)".into()), times: Some(1) });
    c.server.rule(&c.rustc, Rule { fault: Fault::Hold(Duration::from_secs(5)), user_agent: Some("(curl)".into()), times: None });
    let (r, _) = c.install("rustls,curl", &[("TCUP_STALL_TIMEOUT", "1"), ("RUSTUP_DOWNLOAD_TIMEOUT", "30")]);
    let r = r.ok();
    assert!(r.stderr.contains("rustls stalled on") && r.stderr.contains("trying curl from byte 65536"), "{}", r.stderr);
    assert!(r.stderr.contains("rustls recovered on") && r.stderr.contains("abandoning curl"), "{}", r.stderr);
    assert!(!r.stderr.contains("checksum mismatch"), "no splice: {}", r.stderr);
    let reqs = c.rustc_requests();
    assert_eq!(reqs.iter().filter(|l| l.user_agent.contains("(rustls)")).count(), 1, "no second download: {reqs:?}");
    assert!(reqs.iter().filter(|l| l.user_agent.contains("(curl)")).all(|l| l.range.as_deref() == Some("bytes=65536-")), "{reqs:?}");
    c.installed();
}

/// Issue 11, defect 3: stall, recover, stall again: the second stall is hedged too.
#[test]
fn stall_recover_stall_hedges_again() {
    let c = case(false);
    let steps = vec![(20_000, Duration::from_millis(2500)), (20_000, Duration::from_secs(100))];
    c.server.rule(&c.rustc, Rule { fault: Fault::Steps(steps), user_agent: Some("(rustls)".into()), times: Some(1) });
    c.server.rule(&c.rustc, Rule { fault: Fault::Hold(Duration::from_mins(2)), user_agent: Some("(curl)".into()), times: None });
    let (r, _) = c.install("rustls,curl,native-tls", &[("TCUP_STALL_TIMEOUT", "1"), ("RUSTUP_DOWNLOAD_TIMEOUT", "30")]);
    let r = r.ok();
    assert!(r.stderr.contains("rustls recovered on") && r.stderr.contains("abandoning curl"), "{}", r.stderr);
    assert!(r.stderr.contains("trying native-tls from byte 40000"), "{}", r.stderr);
    let native: Vec<_> = c.rustc_requests().into_iter().filter(|l| l.user_agent.contains("(native-tls)")).collect();
    assert_eq!(native.len(), 1, "{native:?}");
    assert_eq!(native[0].range.as_deref(), Some("bytes=40000-"));
    c.installed();
}

/// Issue 11, defect 2: a drip below the low-speed limit on every connection ends with a clear
/// error, for each backend alone and for the default list; nothing is installed.
fn drip_forever_ends(backends: &str) {
    let c = case(false);
    c.server.fault(&c.rustc, Fault::Drip(2, Duration::from_secs(1)));
    let env = [("TCUP_STALL_TIMEOUT", "1"), ("RUSTUP_DOWNLOAD_TIMEOUT", "3"), ("RUSTUP_MAX_RETRIES", "1")];
    let (r, _) = c.install(backends, &env);
    r.fails(1, &["all backends stalled (", "below 10 bytes/s for 3 s"]);
    let n = backends.split(',').count();
    let tried = c.rustc_requests().len();
    assert!(tried <= 2 * n, "at most 1 + RUSTUP_MAX_RETRIES connections per backend: {tried}");
    c.nothing_installed();
}

#[test]
fn drip_forever_ends_rustls() {
    drip_forever_ends("rustls");
}
#[test]
fn drip_forever_ends_curl() {
    drip_forever_ends("curl");
}
#[test]
fn drip_forever_ends_native_tls() {
    drip_forever_ends("native-tls");
}
#[test]
fn drip_forever_ends_default_list() {
    drip_forever_ends("rustls,curl,native-tls");
}

/// Issue 11, defect 4: RUSTUP_DOWNLOAD_TIMEOUT ≤ TCUP_STALL_TIMEOUT still falls back.
#[test]
fn hard_deadline_below_stall_timeout_still_falls_back() {
    let c = case(false);
    c.server.rule(&c.rustc, Rule { fault: Fault::Hold(Duration::from_mins(2)), user_agent: Some("(rustls)".into()), times: None });
    let (r, _) = c.install("rustls,curl", &[("TCUP_STALL_TIMEOUT", "30"), ("RUSTUP_DOWNLOAD_TIMEOUT", "2")]);
    let r = r.ok();
    assert!(r.stderr.contains("abandoning rustls for") && r.stderr.contains("nothing received for 2 s; trying curl"), "{}", r.stderr);
    c.installed();
}

/// Issue 11, defect 5: a 416 to an in-run resume starts over instead of failing.
#[test]
fn range_416_in_run_starts_over() {
    let c = case(false);
    c.once(Fault::Reset(50_000));
    c.server.rule(&c.rustc, Rule { fault: Fault::RangeNotSatisfiable, user_agent: None, times: None });
    let (r, _) = c.install("curl", &[]);
    let r = r.ok();
    assert!(r.stderr.contains("cannot resume at byte") && r.stderr.contains("(HTTP 416); reading it from byte 0"), "{}", r.stderr);
    c.installed();
}

/// Issue 11, defect 9: a refused connection is about the server: one clear error, no retries,
/// no fallback.
#[test]
fn connection_refused_fails_fast_with_one_line() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://127.0.0.1:{}", closed.local_addr().unwrap().port());
    drop(closed);
    let sb = Sandbox::new();
    let mut cmd = sb.tcup(&url);
    cmd.args(["install", "stable"]).env("TCUP_BACKENDS", "rustls,curl,native-tls");
    let r = run_bounded(&mut cmd).fails(1, &["failed (rustls)"]);
    assert!(r.stderr.to_lowercase().contains("refused"), "{}", r.stderr);
    assert!(!r.stderr.contains("retry") && !r.stderr.contains("falling back"), "{}", r.stderr);
    assert_eq!(r.stderr.lines().filter(|l| l.starts_with("error")).count(), 1, "{}", r.stderr);
}

/// Issue 11, defect 6: huge timeouts are configuration errors naming the variable, not panics.
#[test]
fn huge_timeouts_are_usage_errors() {
    let sb = Sandbox::new();
    for (var, value) in [("TCUP_STALL_TIMEOUT", "1e19"), ("TCUP_STALL_TIMEOUT", "1e30"), ("RUSTUP_DOWNLOAD_TIMEOUT", "1e19")] {
        let mut cmd = sb.tcup("http://127.0.0.1:9");
        cmd.args(["install", "stable"]).env(var, value);
        run_bounded(&mut cmd).fails(2, &[var, value]);
    }
}

/// The fault matrix for the default backend list (each backend alone is covered by the
/// `per_backend!` tests above): every fault on the first backend only, and on every connection.
/// Each cell must end (bounded by [`HANG`]) either installed, or with exit 1, exactly one
/// `error:` line, no panic, and nothing installed. `ci/fault-matrix.sh` prints the table.
#[test]
fn fault_matrix_default_list() {
    let hold = Fault::Hold(Duration::from_mins(2));
    let faults: Vec<(&str, Fault)> = vec![
        ("hold", hold),
        ("stall-after-20k", Fault::StallAfter(20_000)),
        ("drip", Fault::Drip(2, Duration::from_secs(1))),
        ("reset-50k", Fault::Reset(50_000)),
        ("truncate-50k", Fault::Truncate(50_000)),
        ("status-500", Fault::Status(500)),
        ("status-503-retry-after", Fault::StatusWith(503, vec![("Retry-After".into(), "1".into())])),
        ("status-404", Fault::Status(404)),
        ("wrong-bytes", Fault::Body(b"not the archive".to_vec())),
        ("redirect-loop", Fault::Redirect(String::new())),
        ("range-416", Fault::RangeNotSatisfiable),
        ("stall-recover-stall", Fault::Steps(vec![(20_000, Duration::from_millis(2500)), (20_000, Duration::from_secs(100))])),
    ];
    let cells: Vec<_> = faults.into_iter().flat_map(|(name, f)| [(name, f.clone(), true), (name, f, false)]).collect();
    let rows: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = cells
            .into_iter()
            .map(|(name, fault, first_only)| {
                s.spawn(move || {
                    let c = case(false);
                    let fault = match fault {
                        Fault::Redirect(_) => Fault::Redirect(c.rustc.clone()),
                        f => f,
                    };
                    let user_agent = first_only.then(|| "(rustls)".to_owned());
                    c.server.rule(&c.rustc, Rule { fault, user_agent, times: None });
                    let env = [("TCUP_STALL_TIMEOUT", "1"), ("RUSTUP_DOWNLOAD_TIMEOUT", "4"), ("RUSTUP_MAX_RETRIES", "1")];
                    let (r, t) = c.install("rustls,curl,native-tls", &env);
                    let mode = if first_only { "rustls faulted" } else { "all faulted" };
                    assert!(!r.stderr.contains("panicked"), "{name}, {mode}: {}", r.stderr);
                    let last = r.stderr.lines().last().unwrap_or("").to_owned();
                    match r.code {
                        0 => c.installed(),
                        1 => {
                            let errors = r.stderr.lines().filter(|l| l.starts_with("error:")).count();
                            assert_eq!(errors, 1, "{name}, {mode}: one error line\n{}", r.stderr);
                            c.nothing_installed();
                        }
                        code => panic!("{name}, {mode}: exit {code}\n{}", r.stderr),
                    }
                    format!("{name:<24} {mode:<15} exit {} {:>5.1} s  {last}", r.code, t.as_secs_f64())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for row in rows {
        eprintln!("{row}");
    }
}

/// Issue 11, defect 1 as reported: `tcup doctor download` through the same race must report the
/// file's exact length and SHA-256 (it reported more bytes, a wrong hash, and exit 0).
#[test]
fn doctor_download_through_a_recovering_stall_reports_the_exact_file() {
    let c = case(false);
    let mut steps = vec![(64 * 1024, Duration::from_secs(3))];
    steps.extend(std::iter::repeat_n((4096, Duration::from_millis(100)), 60));
    c.server.rule(&c.rustc, Rule { fault: Fault::Steps(steps), user_agent: Some("(rustls)".into()), times: Some(1) });
    c.server.rule(&c.rustc, Rule { fault: Fault::Hold(Duration::from_secs(5)), user_agent: Some("(curl)".into()), times: None });
    let mut cmd = c.sb.tcup(&c.server.url);
    cmd.args(["doctor", "download", &format!("{}{}", c.server.url, c.rustc)])
        .env("TCUP_BACKENDS", "rustls,curl")
        .env("TCUP_STALL_TIMEOUT", "1")
        .env("RUSTUP_DOWNLOAD_TIMEOUT", "30");
    let r = run_bounded(&mut cmd).ok();
    let want = format!("{} bytes in ", c.rustc_bytes.len());
    assert!(r.stdout.starts_with(&want), "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.trim_end().ends_with(&format!("sha256 {}", sha(&c.rustc_bytes))), "{}", r.stdout);
}
