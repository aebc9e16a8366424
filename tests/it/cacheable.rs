//! tcup's requests are cacheable by a shared cache (issue 18, installer/nginx/dist-cache.conf):
//! a loopback dist server records every request header of an install, with each backend,
//! directly and through an HTTP proxy (where libcurl once added `Pragma: no-cache`), including a
//! resumed archive. No request may tell a cache to bypass or revalidate (`Cache-Control`,
//! `Pragma`), carry credentials that make a response private (`Authorization`, `Cookie`), or
//! vary the cache key (a query string).

use crate::support::dist::sha;
use crate::support::server::{Logged, Proxy, etag};
use crate::support::{HOST, Sandbox, Scenario, run, served};

/// Headers after which a shared cache would not serve (or not store) the answer.
const UNCACHEABLE: &[&str] =
    &["cache-control", "pragma", "authorization", "cookie", "if-none-match", "if-modified-since", "if-match", "if-unmodified-since"];

/// Installs stable (minimal) with `backend` from a fresh server, rustc's archive resumed from a
/// partial download; returns every request the server saw.
fn install_requests(backend: &str, via_proxy: bool) -> (Vec<Logged>, String) {
    let server = served(Scenario::stable());
    let rustc = server.archive_bytes("rustc", "xz");
    let sb = Sandbox::new();
    let downloads = sb.rustup_home.join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    std::fs::write(downloads.join(format!("{}.partial", sha(&rustc))), &rustc[..1000]).unwrap();
    std::fs::write(downloads.join(format!("{}.partial.validator", sha(&rustc))), etag(&rustc)).unwrap();
    let proxy = via_proxy.then(Proxy::start);
    let mut cmd = sb.tcup(&server.url);
    cmd.args(["install", "stable", "--profile", "minimal"]).env("TCUP_BACKENDS", backend).env("TCUP_ARCHIVE_FORMAT", "xz");
    if let Some(p) = &proxy {
        cmd.env("http_proxy", &p.url);
    }
    run(&mut cmd).ok();
    assert!(sb.toolchain(&format!("stable-{HOST}")).join("bin/rustc").is_file());
    if let Some(p) = &proxy {
        assert!(
            p.log().iter().any(|(line, _)| line.starts_with(&format!("GET {}/dist/", server.url))),
            "{backend}: went through the proxy"
        );
    }
    (server.log(), server.archive("rustc", "xz"))
}

fn every_request_is_cacheable(backend: &str) {
    for via_proxy in [false, true] {
        let (log, rustc) = install_requests(backend, via_proxy);
        let how = if via_proxy { "through a proxy" } else { "direct" };
        assert!(log.iter().any(|l| l.path.ends_with("channel-rust-stable.toml")), "{backend} {how}: {log:?}");
        for l in &log {
            let mut names: Vec<&str> = l.headers.keys().map(String::as_str).collect();
            names.sort_unstable();
            eprintln!("{backend} {how}: {} sends {}", l.path, names.join(", "));
            for h in UNCACHEABLE {
                assert!(!l.headers.contains_key(*h), "{backend} {how}: {} sends {h}: {:?}", l.path, l.headers);
            }
            assert!(!l.path.contains('?'), "{backend} {how}: a query string splits the cache key: {}", l.path);
        }
        let resumed: Vec<_> = log.iter().filter(|l| l.path == rustc).collect();
        assert_eq!(resumed.len(), 1, "{backend} {how}: {resumed:?}");
        assert_eq!(resumed[0].range.as_deref(), Some("bytes=1000-"), "{backend} {how}: a plain byte range a cache can cut");
    }
}

#[test]
fn requests_are_cacheable_rustls() {
    every_request_is_cacheable("rustls");
}
#[test]
fn requests_are_cacheable_curl() {
    every_request_is_cacheable("curl");
}
#[test]
fn requests_are_cacheable_native_tls() {
    every_request_is_cacheable("native-tls");
}
