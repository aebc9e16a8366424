//! `rustls` and `native-tls`: reqwest's blocking client with one TLS stack or the other. Trusted
//! roots from `SSL_CERT_FILE`/`SSL_CERT_DIR` are passed to the client explicitly.

use std::io::Read;
use std::sync::Arc;

use reqwest::header::{ETAG, IF_RANGE, LAST_MODIFIED, LOCATION, RANGE, RETRY_AFTER};

use super::{chain, retry_after};
use crate::download::dns::{ForReqwest, Resolver};
use crate::download::http_proxy::proxy_for;
use crate::download::{AttemptError, Backend, DownloadError, Head, Kind, Request, Sink, user_agent};
use crate::env::DownloadConfig;

/// Which TLS stack.
#[derive(Debug, Clone, Copy)]
pub(super) enum Tls {
    /// rustls with the system's roots (rustls-native-certs).
    Rustls,
    /// native-tls: OpenSSL on Linux, Schannel on Windows, Security.framework on macOS.
    Native,
}

pub(super) struct Reqwest {
    name: &'static str,
    client: reqwest::blocking::Client,
    resolver: Arc<Resolver>,
}

impl Reqwest {
    pub(super) fn new(tls: Tls, config: &DownloadConfig, resolver: Arc<Resolver>) -> Result<Reqwest, DownloadError> {
        let name = match tls {
            Tls::Rustls => "rustls",
            Tls::Native => "native-tls",
        };
        let proxies = config.proxies.clone();
        let proxy = reqwest::Proxy::custom(move |url| proxy_for(url, &proxies));
        let builder = reqwest::blocking::Client::builder()
            .user_agent(user_agent(name))
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(config.limits.connect)
            .timeout(None::<std::time::Duration>)
            .min_tls_version(reqwest::tls::Version::TLS_1_2)
            .no_proxy()
            .proxy(proxy)
            .dns_resolver(Arc::new(ForReqwest(resolver.clone())))
            // HTTP/1.1, so concurrent downloads get a connection each: over HTTP/2 the pool
            // multiplexed every archive on one TCP connection, decrypted and de-framed on one
            // runtime thread (docs/design.md download-15).
            .http1_only();
        let mut builder = match tls {
            Tls::Rustls => builder.use_rustls_tls(),
            Tls::Native => builder.use_native_tls(),
        };
        if let Some(roots) = explicit_roots(config).map_err(|message| DownloadError::Init { backend: name, message })? {
            // Only these roots: the libraries must not read SSL_CERT_FILE/SSL_CERT_DIR themselves.
            builder = builder.tls_built_in_root_certs(false);
            for root in roots {
                builder = builder.add_root_certificate(root);
            }
        }
        let client = builder.build().map_err(|e| DownloadError::Init { backend: name, message: chain(&e) })?;
        Ok(Reqwest { name, client, resolver })
    }
}

impl Backend for Reqwest {
    fn name(&self) -> &'static str {
        self.name
    }

    fn fetch(&self, req: &Request, sink: &mut dyn Sink) -> Result<(), AttemptError> {
        super::http_only(&req.url)?;
        // Resolved here, on the attempt's thread, with the deadline (download/dns.rs); the
        // client's resolver then answers from the cache.
        self.resolver.lookup_for(&req.url, req.proxy.as_deref())?;
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
fn explicit_roots(config: &DownloadConfig) -> Result<Option<Vec<reqwest::Certificate>>, String> {
    if config.ca_file.is_none() && config.ca_dir.is_none() {
        return Ok(None);
    }
    let mut roots = Vec::new();
    if let Some(file) = &config.ca_file {
        let pem = fs_err::read(file).map_err(|e| format!("SSL_CERT_FILE: {e}"))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| format!("SSL_CERT_FILE {}: {}", file.display(), chain(&e)))?;
        if certs.is_empty() {
            return Err(format!("SSL_CERT_FILE {} holds no PEM certificate", file.display()));
        }
        roots.extend(certs);
    }
    if let Some(dir) = &config.ca_dir {
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

/// Classifies a reqwest error from the typed errors it wraps (rustls, hyper, `io::Error`), then
/// reqwest's own flags; native-tls errors carry no public kind, so they alone are recognised by
/// their text: two phrases of OpenSSL's reason strings, schannel-rs's "unexpected EOF during
/// handshake", and Schannel's codes
/// ([`super::schannel_codes`], whose name and meaning are added to the message).
fn classify(e: &reqwest::Error) -> AttemptError {
    let mut message = chain(e);
    let schannel = super::schannel_codes::classify(&message);
    if let Some((_, Some((name, what)))) = schannel {
        message = format!("{message} ({name}: {what})");
    }
    let kind = typed_kind(e).or(schannel.map(|(kind, _)| kind)).unwrap_or_else(|| {
        let lower = message.to_lowercase();
        if lower.contains("certificate verify failed") {
            Kind::Certificate
        } else if lower.contains("ssl routines") || lower.contains("unexpected eof during handshake") {
            // OpenSSL's reason strings; schannel-rs's words for a peer that is not TLS.
            Kind::Tls
        } else if e.is_timeout() {
            Kind::Timeout
        } else if e.is_connect() {
            Kind::Connect
        } else if e.is_body() || e.is_decode() {
            Kind::Truncated
        } else {
            Kind::Other
        }
    });
    AttemptError { kind, message }
}

/// The kind the first typed error in `e`'s source chain gives, if any.
fn typed_kind(e: &(dyn std::error::Error + 'static)) -> Option<Kind> {
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = src {
        if let Some(tls) = s.downcast_ref::<rustls::Error>() {
            return Some(rustls_kind(tls));
        }
        if let Some(mut io) = s.downcast_ref::<std::io::Error>() {
            // io::Error::source skips the error it wraps, and reqwest wraps io::Errors in
            // io::Errors: look inside, down to a rustls error or the innermost io::Error.
            loop {
                let inner = io.get_ref();
                if let Some(tls) = inner.and_then(|i| i.downcast_ref::<rustls::Error>()) {
                    return Some(rustls_kind(tls));
                }
                if let Some(k) = io_error_kind(io) {
                    return Some(k);
                }
                match inner.and_then(|i| i.downcast_ref::<std::io::Error>()) {
                    Some(next) => io = next,
                    None => break,
                }
            }
        }
        if let Some(h) = s.downcast_ref::<hyper::Error>() {
            if h.is_timeout() {
                return Some(Kind::Timeout);
            }
            if h.is_incomplete_message() || h.is_closed() || h.is_canceled() {
                // Closed before the answer was complete: the connection, not the stack.
                return Some(Kind::Reset);
            }
        }
        src = s.source();
    }
    None
}

fn rustls_kind(e: &rustls::Error) -> Kind {
    match e {
        rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented => Kind::Certificate,
        _ => Kind::Tls,
    }
}

/// The kind an `io::Error` gives, `None` when its kind says nothing about the transfer.
fn io_error_kind(io: &std::io::Error) -> Option<Kind> {
    use std::io::ErrorKind as K;
    Some(match io.kind() {
        K::ConnectionRefused | K::HostUnreachable | K::NetworkUnreachable | K::AddrNotAvailable => Kind::Connect,
        K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::NotConnected => Kind::Reset,
        K::TimedOut => Kind::Timeout,
        // rustls reports a TCP close without close_notify this way.
        K::UnexpectedEof if io.to_string().contains("close_notify") => Kind::TlsEof,
        K::UnexpectedEof => Kind::Truncated,
        _ => return None,
    })
}

/// Classifies an error reading the body (reqwest hands it over as an `io::Error`).
fn classify_io(e: &std::io::Error) -> AttemptError {
    let message = chain(e);
    let kind = typed_kind(e).unwrap_or_else(|| match e.get_ref().and_then(|i| i.downcast_ref::<reqwest::Error>()) {
        Some(r) => classify(r).kind,
        None => Kind::Other,
    });
    AttemptError { kind, message }
}
