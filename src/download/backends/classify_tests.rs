//! The classifiers against the real errors each library produces: a loopback server misbehaves
//! in one way per row, each backend fetches from it, and the attempt's [`Kind`] must match.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use super::make;
use crate::download::{Head, Kind, Request, Sink};
use crate::env::Env;

pub(super) struct Null;
impl Sink for Null {
    fn head(&mut self, _: Head) -> bool {
        true
    }
    fn data(&mut self, _: &[u8]) -> bool {
        true
    }
}

/// What the server does with each connection.
#[derive(Clone, Copy, Debug)]
pub(super) enum Misbehave {
    /// Nothing listens on the port.
    Refused,
    /// Read the request, then reset (RST) without answering.
    ResetBeforeAnswer,
    /// Read the request, then close cleanly without answering.
    EofBeforeAnswer,
    /// Answer Content-Length 1000 with 10 bytes, then close.
    Truncated,
    /// Answer Content-Length 100000 with 10 bytes, then reset.
    ResetMidBody,
    /// TLS with a certificate from a CA the client does not trust.
    UnknownCa,
    /// Answer a TLS ClientHello with plain HTTP.
    NotTls,
    /// TLS, headers and 10 of 1000 bytes, then a TCP close without close_notify.
    TlsCutShort,
}

/// The server's TLS configuration and its self-signed certificate's PEM (one per test process).
pub(super) fn tls() -> &'static (Arc<rustls::ServerConfig>, String) {
    static TLS: std::sync::OnceLock<(Arc<rustls::ServerConfig>, String)> = std::sync::OnceLock::new();
    TLS.get_or_init(tls_config)
}

fn tls_config() -> (Arc<rustls::ServerConfig>, String) {
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap().self_signed(&key).unwrap();
    let pem = cert.pem();
    let key = rustls::pki_types::PrivateKeyDer::try_from(key.serialize_der()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone()], key)
        .unwrap();
    (Arc::new(cfg), pem)
}

fn read_request(s: &mut impl Read) {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") && s.read(&mut byte).unwrap_or(0) == 1 {
        buf.push(byte[0]);
    }
}

fn reset(s: &TcpStream) {
    let _ = socket2::SockRef::from(s).set_linger(Some(Duration::ZERO));
}

/// Serves one misbehaviour on 127.0.0.1; returns the URL.
pub(super) fn serve(m: Misbehave) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let is_tls = matches!(m, Misbehave::UnknownCa | Misbehave::NotTls | Misbehave::TlsCutShort);
    let url = format!("{}://localhost:{port}/f", if is_tls { "https" } else { "http" });
    if matches!(m, Misbehave::Refused) {
        return url;
    }
    let cfg = tls().0.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut s) = conn else { continue };
            let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
            match m {
                Misbehave::Refused => {}
                Misbehave::ResetBeforeAnswer => {
                    read_request(&mut s);
                    reset(&s);
                }
                Misbehave::EofBeforeAnswer => read_request(&mut s),
                Misbehave::Truncated => {
                    read_request(&mut s);
                    let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789");
                }
                Misbehave::ResetMidBody => {
                    read_request(&mut s);
                    let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n0123456789");
                    std::thread::sleep(Duration::from_millis(100));
                    reset(&s);
                }
                Misbehave::NotTls => {
                    let mut buf = [0u8; 512];
                    let _ = s.read(&mut buf);
                    let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
                }
                Misbehave::UnknownCa | Misbehave::TlsCutShort => {
                    let conn = rustls::ServerConnection::new(cfg.clone()).unwrap();
                    let mut tls = rustls::StreamOwned::new(conn, s.try_clone().unwrap());
                    read_request(&mut tls);
                    let _ = tls.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789");
                    let _ = tls.flush();
                    std::thread::sleep(Duration::from_millis(100));
                    let _ = s.shutdown(std::net::Shutdown::Both);
                }
            }
        }
    });
    url
}

/// An `Env` trusting `ca` (a PEM file) when given, else the system's roots.
fn env(ca: Option<&std::path::Path>) -> Env {
    let mut vars = vec![(crate::sys::HOME_VAR.to_owned(), crate::sys::test_abs("/nonexistent"))];
    if let Some(ca) = ca {
        vars.push(("SSL_CERT_FILE".to_owned(), ca.display().to_string()));
    }
    Env::from_vars(vars, false).unwrap()
}

#[test]
fn each_backend_classifies_real_errors() {
    // (misbehaviour, whether the client trusts the server's certificate, kind for rustls, curl, native-tls)
    let table = [
        (Misbehave::Refused, false, [Kind::Connect; 3]),
        (Misbehave::ResetBeforeAnswer, false, [Kind::Reset; 3]),
        (Misbehave::EofBeforeAnswer, false, [Kind::Reset; 3]),
        (Misbehave::Truncated, false, [Kind::Truncated; 3]),
        (Misbehave::ResetMidBody, false, [Kind::Reset; 3]),
        (Misbehave::UnknownCa, false, [Kind::Certificate; 3]),
        (Misbehave::NotTls, false, [Kind::Tls; 3]),
        // rustls names the missing close_notify; OpenSSL through curl reports a receive error, and
        // through native-tls hyper just sees the body end early: all three are retried.
        (Misbehave::TlsCutShort, true, [Kind::TlsEof, Kind::Reset, Kind::Truncated]),
    ];
    let dir = tempfile::tempdir().unwrap();
    let pem = dir.path().join("ca.pem");
    fs_err::write(&pem, &tls().1).unwrap();
    let mut wrong = Vec::new();
    for (m, trusted, wants) in table {
        let url = serve(m);
        let env = env(trusted.then_some(pem.as_path()));
        for (name, want) in crate::env::BackendKind::ALL.into_iter().zip(wants) {
            let resolver = Arc::new(crate::download::dns::Resolver::system(env.download.limits.connect));
            let backend = make(name, &env.download, &resolver).unwrap();
            let req = Request { url: url::Url::parse(&url).unwrap(), offset: 0, if_range: None, proxy: None };
            let got = backend.fetch(&req, &mut Null);
            eprintln!("{m:?} {name}: {got:?}");
            match got {
                Err(e) if e.kind == want => {}
                other => wrong.push(format!("{m:?} with {name}: want {want:?}, got {other:?}")),
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
