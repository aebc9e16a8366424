//! `curl`: libcurl through the `curl` crate (built in over OpenSSL on Linux and Schannel on
//! Windows; the system's on macOS: src/sys/tls_roots.rs). Redirects are not followed here,
//! proxies are set explicitly (never read by libcurl from the environment), and the trust store
//! is `SSL_CERT_FILE`/`SSL_CERT_DIR` when set, each in place of its system counterpart, else the
//! system's roots as [`tls_roots::curl_system_roots`] names them.

use std::cell::RefCell;
use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;

use curl::easy::{Easy, List, SslVersion};

use super::retry_after;
use crate::download::dns::Resolver;
use crate::download::{AttemptError, Backend, Head, Kind, Request, Sink, user_agent};
use crate::env::DownloadConfig;
use crate::sys::tls_roots::{self, CurlRoots};

pub(super) struct Curl {
    connect_timeout: std::time::Duration,
    roots: Roots,
    resolver: Arc<Resolver>,
}

/// The trusted roots as libcurl is given them.
enum Roots {
    /// `CURLOPT_CAINFO` and `CURLOPT_CAPATH`, each when named.
    Paths(CurlRoots),
    /// `CURLOPT_CAINFO_BLOB`: `SSL_CERT_FILE`'s and `SSL_CERT_DIR`'s certificates in one PEM
    /// text, where libcurl's TLS reads no directory (Schannel).
    Pem(Vec<u8>),
}

impl Curl {
    pub(super) fn new(config: &DownloadConfig, resolver: Arc<Resolver>) -> Curl {
        let roots = if config.ca_dir.is_some() && !tls_roots::CURL_READS_CA_DIR {
            Roots::Pem(pem_bundle(config.ca_file.as_deref(), config.ca_dir.as_deref()))
        } else {
            // Each variable stands in for its own half of the system's roots.
            let system = tls_roots::curl_system_roots();
            Roots::Paths(CurlRoots { file: config.ca_file.clone().or(system.file), dir: config.ca_dir.clone().or(system.dir) })
        };
        Curl { connect_timeout: config.limits.connect, roots, resolver }
    }

    fn configure(&self, easy: &mut Easy, req: &Request, resolved: &(String, Arc<[IpAddr]>)) -> Result<(), curl::Error> {
        easy.url(req.url.as_str())?;
        // The addresses tcup resolved (download/dns.rs): libcurl must not call getaddrinfo,
        // which no timeout of its own can interrupt.
        let entries = resolve_entries(req, &resolved.0, &resolved.1);
        if !entries.is_empty() {
            let mut list = List::new();
            for e in entries {
                list.append(&e)?;
            }
            easy.resolve(list)?;
        }
        easy.useragent(&user_agent("curl"))?;
        easy.follow_location(false)?;
        easy.signal(false)?;
        easy.buffer_size(256 * 1024)?;
        // HTTP/1.1 (libcurl is built without nghttp2): a stream of HTTP/2 frames cost more CPU
        // and wall time per archive on the default dist server (docs/design.md download-15).
        easy.http_version(curl::easy::HttpVersion::V11)?;
        easy.connect_timeout(self.connect_timeout)?;
        easy.ssl_min_max_version(SslVersion::Tlsv12, SslVersion::Default)?;
        easy.ssl_verify_peer(true)?;
        easy.ssl_verify_host(true)?;
        match &self.roots {
            Roots::Paths(paths) => {
                if let Some(f) = &paths.file {
                    easy.cainfo(f)?;
                }
                if let Some(d) = &paths.dir {
                    easy.capath(d)?;
                }
            }
            Roots::Pem(pem) => easy.ssl_cainfo_blob(pem)?,
        }
        // Schannel only (the others ignore it): a certificate whose revocation cannot be checked
        // (a private CA without a CRL, a CRL server out of reach) is accepted, a revoked one is
        // not. OpenSSL and rustls check no revocation at all.
        let mut ssl_options = curl::easy::SslOpt::new();
        ssl_options.revoke_best_effort(true);
        easy.ssl_options(&ssl_options)?;
        // An explicit empty proxy stops libcurl from reading the proxy variables itself.
        easy.proxy(req.proxy.as_deref().unwrap_or(""))?;
        if req.offset > 0 {
            easy.range(&format!("{}-", req.offset))?;
            if let Some(v) = &req.if_range {
                let mut list = List::new();
                list.append(&format!("If-Range: {v}"))?;
                easy.http_headers(list)?;
            }
        }
        Ok(())
    }
}

/// The certificates of `file` and of every file directly in `dir` as one PEM text, for
/// `CURLOPT_CAINFO_BLOB`. A file that cannot be read or holds no PEM certificate (the hash
/// links' targets do; `SSL_CERT_FILE` was checked in [`super::make_all`]) adds nothing.
fn pem_bundle(file: Option<&Path>, dir: Option<&Path>) -> Vec<u8> {
    let in_dir = dir.and_then(|d| fs_err::read_dir(d).ok()).into_iter().flatten().flatten().map(|e| e.path());
    let mut pem = Vec::new();
    for path in file.map(Path::to_path_buf).into_iter().chain(in_dir) {
        if let Ok(bytes) = fs_err::read(&path)
            && super::holds_certificate(&bytes)
        {
            pem.extend_from_slice(&bytes);
            pem.push(b'\n');
        }
    }
    pem
}

/// `CURLOPT_RESOLVE` entries (`host:port:addr[,addr…]`, IPv6 addresses bracketed) pinning
/// `host` — the proxy's when `req` goes through one — to `ips` on each port libcurl may connect
/// to: the explicit port, else the scheme's default (and, for a proxy, libcurl's own default
/// 1080). None for an IP-address host.
fn resolve_entries(req: &Request, host: &str, ips: &[IpAddr]) -> Vec<String> {
    if host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>().is_ok() || ips.is_empty() {
        return Vec::new();
    }
    let ports = match req.proxy.as_deref().map(url::Url::parse) {
        Some(Ok(p)) => match p.port() {
            Some(port) => vec![port],
            None => vec![p.port_or_known_default().unwrap_or(80), 1080],
        },
        _ => vec![req.url.port_or_known_default().unwrap_or(80)],
    };
    let addrs: Vec<String> = ips.iter().map(|ip| if ip.is_ipv6() { format!("[{ip}]") } else { ip.to_string() }).collect();
    ports.into_iter().map(|port| format!("{host}:{port}:{}", addrs.join(","))).collect()
}

/// Status and headers of the last response in `lines` (a proxy's CONNECT answer comes first).
fn parse_head(lines: &[String]) -> Head {
    let start = lines.iter().rposition(|l| l.starts_with("HTTP/")).unwrap_or(0);
    let mut head = Head::default();
    for (i, line) in lines[start..].iter().enumerate() {
        if i == 0 {
            head.status = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
            continue;
        }
        let Some((k, v)) = line.split_once(':') else { continue };
        let v = v.trim().to_owned();
        match k.trim().to_ascii_lowercase().as_str() {
            "content-length" => head.len = v.parse().ok(),
            "etag" => head.validator = Some(v),
            "last-modified" if head.validator.is_none() => head.validator = Some(v),
            "retry-after" => head.retry_after = retry_after(Some(&v)),
            "location" => head.location = Some(v),
            _ => {}
        }
    }
    head
}

impl Backend for Curl {
    fn name(&self) -> &'static str {
        "curl"
    }

    fn fetch(&self, req: &Request, sink: &mut dyn Sink) -> Result<(), AttemptError> {
        super::http_only(&req.url)?;
        let resolved = self.resolver.lookup_for(&req.url, req.proxy.as_deref())?;
        let mut easy = Easy::new();
        self.configure(&mut easy, req, &resolved).map_err(|e| classify(&e))?;
        let lines = RefCell::new(Vec::<String>::new());
        let sink = RefCell::new(sink);
        let head_sent = RefCell::new(false);
        let abandoned = RefCell::new(false);
        let send_head = || -> bool {
            if *head_sent.borrow() {
                return true;
            }
            *head_sent.borrow_mut() = true;
            let head = parse_head(&lines.borrow());
            sink.borrow_mut().head(head)
        };
        let result = {
            let mut transfer = easy.transfer();
            transfer
                .header_function(|h| {
                    let line = String::from_utf8_lossy(h).trim_end().to_owned();
                    if !line.is_empty() {
                        lines.borrow_mut().push(line);
                    }
                    true
                })
                .map_err(|e| classify(&e))?;
            transfer
                .write_function(|data| {
                    if !send_head() || !sink.borrow_mut().data(data) {
                        *abandoned.borrow_mut() = true;
                        return Ok(0);
                    }
                    Ok(data.len())
                })
                .map_err(|e| classify(&e))?;
            transfer.perform()
        };
        if *abandoned.borrow() {
            return Err(AttemptError { kind: Kind::Other, message: "abandoned".into() });
        }
        match result {
            Ok(()) => {
                if !send_head() {
                    return Err(AttemptError { kind: Kind::Other, message: "abandoned".into() });
                }
                Ok(())
            }
            Err(e) => Err(classify(&e)),
        }
    }
}

fn classify(e: &curl::Error) -> AttemptError {
    let kind = if e.is_peer_failed_verification() || e.is_ssl_cacert() || e.is_ssl_cacert_badfile() || e.is_ssl_certproblem() {
        Kind::Certificate
    } else if e.is_ssl_connect_error() {
        Kind::Tls
    } else if e.is_couldnt_connect() || e.is_couldnt_resolve_host() || e.is_couldnt_resolve_proxy() {
        Kind::Connect
    } else if e.is_operation_timedout() {
        Kind::Timeout
    } else if e.is_partial_file() {
        Kind::Truncated
    } else if e.is_recv_error() || e.is_send_error() || e.is_got_nothing() {
        Kind::Reset
    } else {
        Kind::Other
    };
    // curl's Display already carries its extra description.
    AttemptError { kind, message: e.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_head_takes_the_last_response() {
        let lines: Vec<String> = [
            "HTTP/1.1 200 Connection established",
            "HTTP/1.1 206 Partial Content",
            "Content-Length: 1234",
            "Last-Modified: Tue, 01 Apr 2025 00:00:00 GMT",
            "etag: \"abc\"",
            "Retry-After: 7",
            "Location: /elsewhere",
        ]
        .map(str::to_owned)
        .to_vec();
        let head = parse_head(&lines);
        assert_eq!(head.status, 206, "the proxy's CONNECT answer is not the response");
        assert_eq!(head.len, Some(1234));
        assert_eq!(head.validator.as_deref(), Some("\"abc\""), "the ETag wins over Last-Modified");
        assert_eq!(head.retry_after, Some(std::time::Duration::from_secs(7)));
        assert_eq!(head.location.as_deref(), Some("/elsewhere"));
        assert_eq!(parse_head(&["HTTP/2 503".to_owned()]).status, 503);
        assert_eq!(parse_head(&[]), Head::default());
    }

    #[test]
    fn roots_in_memory_are_the_only_roots() {
        // Windows' route for SSL_CERT_DIR (Schannel reads no directory), taken here through
        // Linux's OpenSSL: the server's self-signed certificate in the blob is trusted (the
        // handshake passes, then the server cuts the body short); another one is not.
        use crate::download::backends::classify_tests::{Misbehave, Null, serve, tls};
        let url = serve(Misbehave::TlsCutShort);
        let req = Request { url: url::Url::parse(&url).unwrap(), offset: 0, if_range: None, proxy: None };
        let fetch = |pem: &str| {
            let timeout = std::time::Duration::from_secs(10);
            let resolver = Arc::new(Resolver::system(timeout));
            let curl = Curl { connect_timeout: timeout, roots: Roots::Pem(pem.as_bytes().to_vec()), resolver };
            curl.fetch(&req, &mut Null).unwrap_err().kind
        };
        assert_eq!(fetch(&tls().1), Kind::Reset);
        let key = rcgen::KeyPair::generate().unwrap();
        let other = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap().self_signed(&key).unwrap();
        assert_eq!(fetch(&other.pem()), Kind::Certificate);
    }

    #[test]
    fn pem_bundle_joins_the_file_and_the_directory_certificates() {
        let cert = |n: u8| format!("-----BEGIN CERTIFICATE-----\nQ{n}==\n-----END CERTIFICATE-----\n");
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("ca.pem");
        fs_err::write(&file, cert(1)).unwrap();
        let dir = tmp.path().join("certs");
        fs_err::create_dir(&dir).unwrap();
        fs_err::write(dir.join("b.pem"), cert(2)).unwrap();
        fs_err::write(dir.join("README"), "no certificate here\n").unwrap();
        fs_err::create_dir(dir.join("sub")).unwrap();
        let pem = String::from_utf8(pem_bundle(Some(&file), Some(&dir))).unwrap();
        assert!(pem.starts_with(&cert(1)), "SSL_CERT_FILE's first: {pem}");
        assert!(pem.contains(&cert(2)) && !pem.contains("README") && !pem.contains("no certificate"), "{pem}");
        assert_eq!(pem.matches("BEGIN CERTIFICATE").count(), 2);
        assert_eq!(pem_bundle(None, Some(&dir)), format!("{}\n", cert(2)).into_bytes());
        assert!(pem_bundle(None, Some(&tmp.path().join("gone"))).is_empty());
    }

    #[test]
    fn resolve_entries_pin_what_libcurl_connects_to() {
        let req = |url: &str, proxy: Option<&str>| Request {
            url: url::Url::parse(url).unwrap(),
            offset: 0,
            if_range: None,
            proxy: proxy.map(str::to_owned),
        };
        let ips: Vec<IpAddr> = vec!["127.0.0.1".parse().unwrap(), "::1".parse().unwrap()];
        assert_eq!(
            resolve_entries(&req("https://static.rust-lang.org/x", None), "static.rust-lang.org", &ips),
            ["static.rust-lang.org:443:127.0.0.1,[::1]"]
        );
        assert_eq!(resolve_entries(&req("http://mirror:8080/x", None), "mirror", &ips[..1]), ["mirror:8080:127.0.0.1"]);
        let through = req("https://static.rust-lang.org/x", Some("http://proxy:3128"));
        assert_eq!(resolve_entries(&through, "proxy", &ips[..1]), ["proxy:3128:127.0.0.1"]);
        let no_port = req("https://static.rust-lang.org/x", Some("http://proxy"));
        assert_eq!(resolve_entries(&no_port, "proxy", &ips[..1]), ["proxy:80:127.0.0.1", "proxy:1080:127.0.0.1"]);
        assert!(resolve_entries(&req("http://127.0.0.1:9/x", None), "127.0.0.1", &ips[..1]).is_empty());
    }
}
