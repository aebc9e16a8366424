//! The resolver against injected lookups (never answering, failing, counting) and every backend
//! against a loopback server reached by a name only the injected lookup knows: a backend that
//! asked the system instead would fail to connect.

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, TcpListener};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::*;
use crate::download::backends::make;
use crate::download::{Head, Kind, Request, Sink};
use crate::env::{BackendKind, Env};

/// A lookup that counts its calls per host and answers 127.0.0.1 for `*.tcup-test.invalid`,
/// the system's answer for anything else.
fn counting() -> (Arc<LookupFn>, Arc<Mutex<Vec<String>>>) {
    let asked = Arc::new(Mutex::new(Vec::new()));
    let log = asked.clone();
    let f = move |host: &str| {
        log.lock().unwrap().push(host.to_owned());
        if host.ends_with(".tcup-test.invalid") { Ok(vec![IpAddr::V4(Ipv4Addr::LOCALHOST)]) } else { system_lookup(host) }
    };
    (Arc::new(f), asked)
}

fn resolv_conf(dir: &tempfile::TempDir, text: &str) -> PathBuf {
    let p = dir.path().join("resolv.conf");
    fs_err::write(&p, text).unwrap();
    p
}

/// Answers every request with 200 and `hello`; logs each request line with its Host header.
fn serve() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen = log.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut s) = conn else { continue };
            let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
            let mut buf = Vec::new();
            let mut byte = [0u8; 1];
            while !buf.ends_with(b"\r\n\r\n") && s.read(&mut byte).unwrap_or(0) == 1 {
                buf.push(byte[0]);
            }
            let text = String::from_utf8_lossy(&buf).into_owned();
            let line = text.lines().next().unwrap_or_default().to_owned();
            let host = text.lines().find_map(|l| l.strip_prefix("host: ").or_else(|| l.strip_prefix("Host: "))).unwrap_or_default();
            seen.lock().unwrap().push(format!("{line} @ {host}"));
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");
        }
    });
    (port, log)
}

#[derive(Default)]
struct Collect {
    status: u16,
    body: Vec<u8>,
}
impl Sink for Collect {
    fn head(&mut self, head: Head) -> bool {
        self.status = head.status;
        true
    }
    fn data(&mut self, chunk: &[u8]) -> bool {
        self.body.extend_from_slice(chunk);
        true
    }
}

/// An `Env` with `http_proxy` set to `proxy`, if given (the reqwest backends take their proxy
/// from the configuration, curl from the request; the transfer gives both the same one).
fn env(proxy: Option<&str>) -> Env {
    let mut vars = vec![(crate::sys::HOME_VAR.to_owned(), crate::sys::test_abs("/nonexistent"))];
    vars.extend(proxy.map(|p| ("http_proxy".to_owned(), p.to_owned())));
    Env::from_vars(vars, false).unwrap()
}

/// What one backend got: (status, body), or the attempt error's kind and message.
type Got = Result<(u16, Vec<u8>), String>;

/// Each backend fetches `url` (through `proxy`) with `resolver`; returns (status, body) per backend.
fn fetch_all(resolver: &Arc<Resolver>, url: &str, proxy: Option<&str>) -> Vec<(BackendKind, Got)> {
    let env = env(proxy);
    BackendKind::ALL
        .into_iter()
        .map(|kind| {
            let backend = make(kind, &env.download, resolver).unwrap();
            let req = Request { url: Url::parse(url).unwrap(), offset: 0, if_range: None, proxy: proxy.map(str::to_owned) };
            let mut sink = Collect::default();
            let got = backend.fetch(&req, &mut sink).map(|()| (sink.status, sink.body)).map_err(|e| format!("{:?}: {}", e.kind, e.message));
            (kind, got)
        })
        .collect()
}

#[test]
fn a_name_is_resolved_once_and_used_by_every_backend() {
    let (port, served) = serve();
    let dir = tempfile::tempdir().unwrap();
    let (lookup, asked) = counting();
    let resolver = Arc::new(Resolver::with_lookup(Duration::from_secs(5), resolv_conf(&dir, ""), lookup));
    // A name the system cannot resolve: only tcup's addresses can reach the server.
    for (kind, got) in fetch_all(&resolver, &format!("http://dist.tcup-test.invalid:{port}/f"), None) {
        assert_eq!(got, Ok((200, b"hello".to_vec())), "{kind}");
    }
    // And a real one, through the system's getaddrinfo.
    for (kind, got) in fetch_all(&resolver, &format!("http://localhost:{port}/f"), None) {
        assert_eq!(got, Ok((200, b"hello".to_vec())), "{kind}");
    }
    assert_eq!(*asked.lock().unwrap(), ["dist.tcup-test.invalid", "localhost"], "each host looked up once for three backends");
    let served = served.lock().unwrap().clone();
    assert_eq!(served.len(), 6, "{served:?}");
    assert!(served[..3].iter().all(|l| *l == format!("GET /f HTTP/1.1 @ dist.tcup-test.invalid:{port}")), "the name is kept: {served:?}");
}

#[test]
fn through_a_proxy_the_proxy_host_is_resolved() {
    let (port, served) = serve();
    let dir = tempfile::tempdir().unwrap();
    let (lookup, asked) = counting();
    let resolver = Arc::new(Resolver::with_lookup(Duration::from_secs(5), resolv_conf(&dir, ""), lookup));
    let proxy = format!("http://proxy.tcup-test.invalid:{port}");
    for (kind, got) in fetch_all(&resolver, "http://static.dist-only-the-proxy-knows.invalid/f", Some(&proxy)) {
        assert_eq!(got, Ok((200, b"hello".to_vec())), "{kind}");
    }
    assert_eq!(*asked.lock().unwrap(), ["proxy.tcup-test.invalid"], "the dist server's name is left to the proxy");
    let served = served.lock().unwrap().clone();
    assert_eq!(served.len(), 3, "{served:?}");
    assert!(served.iter().all(|l| l.starts_with("GET http://static.dist-only-the-proxy-knows.invalid/f HTTP/1.1")), "{served:?}");
}

#[test]
fn a_lookup_that_never_answers_fails_every_caller_at_the_deadline_once() {
    let dir = tempfile::tempdir().unwrap();
    let conf = resolv_conf(&dir, "# test\nnameserver 127.0.0.9\nnameserver ::1\noptions timeout:30 attempts:5\n");
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let never = move |_: &str| {
        counted.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(Duration::from_mins(5));
        Ok(vec![IpAddr::V4(Ipv4Addr::LOCALHOST)])
    };
    let resolver = Arc::new(Resolver::with_lookup(Duration::from_secs(1), conf.clone(), Arc::new(never)));
    let started = Instant::now();
    let waiters: Vec<_> = (0..4)
        .map(|_| {
            let r = resolver.clone();
            std::thread::spawn(move || r.lookup("Dist.Example.invalid"))
        })
        .collect();
    let answers: Vec<_> = waiters.into_iter().map(|w| w.join().unwrap()).collect();
    assert!(started.elapsed() >= Duration::from_secs(1), "waited for the deadline");
    let want = format!(
        "cannot resolve dist.example.invalid: no answer within 1 s (TCUP_CONNECT_TIMEOUT); nameservers in {}: 127.0.0.9, ::1",
        conf.display()
    );
    for a in answers {
        assert_eq!(a.unwrap_err().to_string(), want);
    }
    // Later requests in the run get the failure without a new lookup; it is final for the policy.
    let again = resolver.lookup("dist.example.invalid").unwrap_err();
    assert_eq!(calls.load(Ordering::SeqCst), 1, "one lookup for five requests");
    let attempt: crate::download::AttemptError = again.into();
    assert_eq!(attempt.kind, Kind::Connect);
    assert_eq!(crate::download::policy::decide(attempt.kind, 1, 3, None, 0.0), crate::download::policy::Action::Fail);
}

#[test]
fn a_failed_lookup_is_one_error_for_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let fail = move |_: &str| -> std::io::Result<Vec<IpAddr>> {
        counted.fetch_add(1, Ordering::SeqCst);
        Err(std::io::Error::other("failed to lookup address information: Name or service not known"))
    };
    let resolver = Arc::new(Resolver::with_lookup(Duration::from_secs(5), dir.path().join("absent"), Arc::new(fail)));
    let want = format!(
        "cannot resolve nowhere.invalid: failed to lookup address information: Name or service not known; {} cannot be read",
        dir.path().join("absent").display()
    );
    let url = Url::parse("https://nowhere.invalid/dist/channel-rust-stable.toml").unwrap();
    assert_eq!(resolver.lookup_for(&url, None).unwrap_err().to_string(), want);
    // Every backend refuses at once with the same message.
    for (kind, got) in fetch_all(&resolver, url.as_str(), None) {
        assert_eq!(got, Err(format!("Connect: {want}")), "{kind}");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    let empty = Resolver::with_lookup(Duration::from_secs(5), resolv_conf(&dir, "search example\n"), Arc::new(|_: &str| Ok(Vec::new())));
    assert_eq!(
        empty.lookup("x.invalid").unwrap_err().to_string(),
        format!("cannot resolve x.invalid: no address; {} lists no nameserver", dir.path().join("resolv.conf").display())
    );
}

#[test]
fn addresses_are_not_looked_up() {
    let dir = tempfile::tempdir().unwrap();
    let (lookup, asked) = counting();
    let resolver = Resolver::with_lookup(Duration::from_secs(5), resolv_conf(&dir, ""), lookup);
    assert_eq!(&*resolver.lookup("127.0.0.1").unwrap(), [IpAddr::V4(Ipv4Addr::LOCALHOST)]);
    assert_eq!(&*resolver.lookup("[::1]").unwrap(), ["::1".parse::<IpAddr>().unwrap()]);
    assert!(asked.lock().unwrap().is_empty());
}

#[test]
fn nameservers_of_a_resolv_conf() {
    let text =
        "# comment\nsearch corp.example\n  nameserver 10.0.0.2 # first\nnameserver\tfe80::1%eth0\noptions ndots:2\nnameserverx 1.1.1.1\n";
    assert_eq!(parse_nameservers(text), ["10.0.0.2", "fe80::1%eth0"]);
    assert!(parse_nameservers("").is_empty());
}

#[test]
fn the_connect_host_is_the_proxys() {
    let url = Url::parse("https://static.rust-lang.org/dist/x").unwrap();
    assert_eq!(connect_host(&url, None), "static.rust-lang.org");
    assert_eq!(connect_host(&url, Some("http://proxy.corp:3128")), "proxy.corp");
}
