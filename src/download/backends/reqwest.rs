//! `rustls` and `native-tls`: reqwest's blocking client with one TLS stack or the other. Trusted
//! roots from `SSL_CERT_FILE`/`SSL_CERT_DIR` are passed to the client explicitly.

use std::io::Read;

use reqwest::header::{ETAG, IF_RANGE, LAST_MODIFIED, LOCATION, RANGE, RETRY_AFTER};

use super::{chain, retry_after};
use crate::download::proxy::proxy_for;
use crate::download::{AttemptError, Backend, DownloadError, Head, Kind, Request, Sink, user_agent};
use crate::env::Env;

/// Which TLS stack.
#[derive(Debug, Clone, Copy)]
pub(super) enum Tls {
    /// rustls with the system's roots (rustls-native-certs).
    Rustls,
    /// native-tls (OpenSSL on Linux).
    Native,
}

pub(super) struct Reqwest {
    name: &'static str,
    client: reqwest::blocking::Client,
}

impl Reqwest {
    pub(super) fn new(tls: Tls, env: &Env) -> Result<Reqwest, DownloadError> {
        let name = match tls {
            Tls::Rustls => "rustls",
            Tls::Native => "native-tls",
        };
        let proxies = env.proxies.clone();
        let proxy = reqwest::Proxy::custom(move |url| proxy_for(url, &proxies));
        let builder = reqwest::blocking::Client::builder()
            .user_agent(user_agent(name))
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(env.limits.connect)
            .timeout(None::<std::time::Duration>)
            .min_tls_version(reqwest::tls::Version::TLS_1_2)
            .no_proxy()
            .proxy(proxy);
        let mut builder = match tls {
            Tls::Rustls => builder.use_rustls_tls(),
            Tls::Native => builder.use_native_tls(),
        };
        if let Some(roots) = explicit_roots(env).map_err(|message| DownloadError::Init { backend: name, message })? {
            // Only these roots: the libraries must not read SSL_CERT_FILE/SSL_CERT_DIR themselves.
            builder = builder.tls_built_in_root_certs(false);
            for root in roots {
                builder = builder.add_root_certificate(root);
            }
        }
        let client = builder.build().map_err(|e| DownloadError::Init { backend: name, message: chain(&e) })?;
        Ok(Reqwest { name, client })
    }
}

impl Backend for Reqwest {
    fn name(&self) -> &'static str {
        self.name
    }

    fn fetch(&self, req: &Request, sink: &mut dyn Sink) -> Result<(), AttemptError> {
        let mut rb = self.client.get(req.url.clone());
        if req.offset > 0 {
            rb = rb.header(RANGE, format!("bytes={}-", req.offset));
            if let Some(v) = &req.if_range {
                rb = rb.header(IF_RANGE, v.as_str());
            }
        }
        let mut resp = rb.send().map_err(|e| classify(&e))?;
        let header = |name| resp.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let head = Head {
            status: resp.status().as_u16(),
            len: resp.content_length(),
            validator: header(ETAG).or_else(|| header(LAST_MODIFIED)),
            retry_after: retry_after(header(RETRY_AFTER).as_deref()),
            location: header(LOCATION),
        };
        let ok = resp.status().is_success();
        if !sink.head(head) {
            return Err(aborted());
        }
        if !ok {
            return Ok(());
        }
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = match resp.read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(classify_io(&e)),
            };
            if !sink.data(&buf[..n]) {
                return Err(aborted());
            }
        }
    }
}

/// The trusted roots from `SSL_CERT_FILE` and `SSL_CERT_DIR` (as checked by `env.rs`), or `None`
/// when neither is set (the system's roots). Files in the directory that hold no PEM certificate
/// (the hash links' targets do) are skipped, as OpenSSL does.
fn explicit_roots(env: &Env) -> Result<Option<Vec<reqwest::Certificate>>, String> {
    if env.ca_file.is_none() && env.ca_dir.is_none() {
        return Ok(None);
    }
    let mut roots = Vec::new();
    if let Some(file) = &env.ca_file {
        let pem = fs_err::read(file).map_err(|e| format!("SSL_CERT_FILE: {e}"))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| format!("SSL_CERT_FILE {}: {}", file.display(), chain(&e)))?;
        if certs.is_empty() {
            return Err(format!("SSL_CERT_FILE {} holds no PEM certificate", file.display()));
        }
        roots.extend(certs);
    }
    if let Some(dir) = &env.ca_dir {
        let entries = fs_err::read_dir(dir).map_err(|e| format!("SSL_CERT_DIR: {e}"))?;
        for entry in entries.flatten() {
            if let Ok(pem) = fs_err::read(entry.path()) {
                roots.extend(reqwest::Certificate::from_pem_bundle(&pem).unwrap_or_default());
            }
        }
    }
    Ok(Some(roots))
}

fn aborted() -> AttemptError {
    AttemptError { kind: Kind::Other, message: "abandoned".into() }
}

/// Classifies a reqwest error by its kind and the errors it wraps.
fn classify(e: &reqwest::Error) -> AttemptError {
    let message = chain(e);
    let lower = message.to_lowercase();
    let kind = if lower.contains("certificate")
        || lower.contains("unknownissuer")
        || lower.contains("self signed")
        || lower.contains("self-signed")
    {
        Kind::Certificate
    } else if e.is_timeout() {
        Kind::Timeout
    } else if let Some(k) = io_kind(e) {
        k
    } else if lower.contains("tls") || lower.contains("handshake") || lower.contains("ssl") {
        Kind::Tls
    } else if e.is_connect() {
        Kind::Connect
    } else if e.is_body() || e.is_decode() || lower.contains("end of file") || lower.contains("incomplete") {
        Kind::Truncated
    } else if e.is_request() && lower.contains("connection closed") {
        Kind::Reset
    } else {
        Kind::Other
    };
    AttemptError { kind, message }
}

fn io_kind(e: &(dyn std::error::Error + 'static)) -> Option<Kind> {
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = src {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            return Some(io_error_kind(io));
        }
        src = s.source();
    }
    None
}

fn io_error_kind(io: &std::io::Error) -> Kind {
    use std::io::ErrorKind as K;
    match io.kind() {
        K::ConnectionRefused | K::HostUnreachable | K::NetworkUnreachable | K::AddrNotAvailable => Kind::Connect,
        K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::NotConnected => Kind::Reset,
        K::TimedOut => Kind::Timeout,
        K::UnexpectedEof => Kind::Truncated,
        _ => {
            let text = io.to_string().to_lowercase();
            if text.contains("close_notify") || text.contains("tls") {
                Kind::TlsEof
            } else if text.contains("end of file") || text.contains("incomplete") || text.contains("closed before") {
                Kind::Truncated
            } else {
                Kind::Other
            }
        }
    }
}

fn classify_io(e: &std::io::Error) -> AttemptError {
    let message = chain(e);
    let kind = match io_kind(e) {
        Some(Kind::Other) | None => {
            let lower = message.to_lowercase();
            if lower.contains("end of file") || lower.contains("incomplete") || lower.contains("message length") {
                Kind::Truncated
            } else if lower.contains("reset") || lower.contains("closed") {
                Kind::Reset
            } else {
                Kind::Other
            }
        }
        Some(k) => k,
    };
    AttemptError { kind, message }
}
