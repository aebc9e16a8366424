//! A dist server for tests: HTTP or HTTPS on 127.0.0.1, serving a directory with `Range`,
//! `ETag` and `If-Range`, plus faults chosen per path, per User-Agent substring, for the first N
//! matching requests. Every request is logged (path, User-Agent, Range). Plain `std::net` +
//! rustls, so faults (stalls, drips, resets, wrong lengths, statuses) are exact.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What to do for a request instead of (or before) serving the file.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Answer with this status and an empty body.
    Status(u16),
    /// Answer with this status, these headers and an empty body.
    StatusWith(u16, Vec<(String, String)>),
    /// Send the headers and this many bytes, then hold the connection open (up to 120 s).
    StallAfter(usize),
    /// Send nothing for this long, then serve normally (a buffering proxy; 120 s = forever).
    Hold(Duration),
    /// Send the headers, then `chunk` bytes every `every`.
    Drip(usize, Duration),
    /// Send the headers and this many bytes, then reset the connection (RST).
    Reset(usize),
    /// Send the full Content-Length but only this many bytes, then close.
    Truncate(usize),
    /// Serve these bytes instead of the file.
    Body(Vec<u8>),
    /// Redirect (302) to this location.
    Redirect(String),
    /// Answer range requests with 416.
    RangeNotSatisfiable,
    /// Send the headers, then for each step its bytes followed by its pause; then the rest at
    /// full speed (stall, recover, stall again …).
    Steps(Vec<(usize, Duration)>),
}

/// A fault with the requests it applies to.
#[derive(Clone, Debug)]
pub struct Rule {
    /// The fault.
    pub fault: Fault,
    /// Only requests whose User-Agent contains this (e.g. `(curl)`).
    pub user_agent: Option<String>,
    /// Only the first this-many matching requests (`None`: all).
    pub times: Option<usize>,
}

/// One logged request.
#[derive(Clone, Debug)]
pub struct Logged {
    /// Request path.
    pub path: String,
    /// User-Agent header.
    pub user_agent: String,
    /// Range header.
    pub range: Option<String>,
    /// Every request header, names lower-cased.
    pub headers: HashMap<String, String>,
    /// The paths this server was still answering when the request arrived, each with the bytes
    /// of its body not yet sent when known (a [`Fault::Drip`] counts them).
    pub while_serving: Vec<(String, Option<usize>)>,
}

struct State {
    root: PathBuf,
    rules: Mutex<HashMap<String, Vec<(Rule, usize)>>>,
    log: Mutex<Vec<Logged>>,
    /// Requests being answered now: an id, the path, the body bytes not yet sent when known.
    serving: Mutex<Vec<(u64, String, Option<usize>)>>,
    next_id: std::sync::atomic::AtomicU64,
}

/// One request on [`State::serving`], taken off when its answer is done.
struct Serving<'a>(&'a State, u64);

impl Serving<'_> {
    fn left(&self, bytes: usize) {
        if let Some(e) = self.0.serving.lock().unwrap().iter_mut().find(|e| e.0 == self.1) {
            e.2 = Some(bytes);
        }
    }
}

impl Drop for Serving<'_> {
    fn drop(&mut self) {
        self.0.serving.lock().unwrap().retain(|e| e.0 != self.1);
    }
}

/// A running server; it lives until the test process ends.
pub struct Server {
    /// `http://127.0.0.1:PORT` or `https://localhost:PORT`.
    pub url: String,
    /// The port.
    pub port: u16,
    state: Arc<State>,
}

/// A test certificate authority and a server certificate it signed for localhost/127.0.0.1.
#[derive(Clone)]
pub struct TestCa {
    /// PEM of the CA certificate (for `SSL_CERT_FILE`).
    pub ca_pem: String,
    server: Arc<rustls::ServerConfig>,
}

impl TestCa {
    /// Generates a fresh CA and server certificate.
    pub fn new() -> TestCa {
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params.distinguished_name.push(rcgen::DnType::CommonName, "tcup test CA");
        let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
        let key = rcgen::KeyPair::generate().unwrap();
        let params = rcgen::CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
        let cert = params.signed_by(&key, &ca).unwrap();
        let chain = vec![cert.der().clone()];
        let key_der = rustls::pki_types::PrivateKeyDer::try_from(key.serialize_der()).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let server = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(chain, key_der)
            .unwrap();
        TestCa { ca_pem: ca.pem(), server: Arc::new(server) }
    }

    /// Writes the CA certificate to `dir/ca.pem` and returns the path.
    pub fn write_pem(&self, dir: &Path) -> PathBuf {
        let p = dir.join("ca.pem");
        std::fs::write(&p, &self.ca_pem).unwrap();
        p
    }
}

impl Server {
    /// Serves `root` over plain HTTP.
    pub fn http(root: &Path) -> Server {
        Server::start(root, None)
    }

    /// Serves `root` over HTTPS with a certificate from `ca`.
    pub fn https(root: &Path, ca: &TestCa) -> Server {
        Server::start(root, Some(ca.server.clone()))
    }

    fn start(root: &Path, tls: Option<Arc<rustls::ServerConfig>>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let url = match tls {
            Some(_) => format!("https://localhost:{}", addr.port()),
            None => format!("http://127.0.0.1:{}", addr.port()),
        };
        let state = Arc::new(State {
            root: root.to_owned(),
            rules: Mutex::default(),
            log: Mutex::default(),
            serving: Mutex::default(),
            next_id: std::sync::atomic::AtomicU64::default(),
        });
        let st = state.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { continue };
                let st = st.clone();
                let tls = tls.clone();
                std::thread::spawn(move || {
                    let _ = conn.set_read_timeout(Some(Duration::from_secs(30)));
                    let raw = conn.try_clone().unwrap();
                    match tls {
                        Some(cfg) => {
                            let Ok(sc) = rustls::ServerConnection::new(cfg) else { return };
                            let mut stream = rustls::StreamOwned::new(sc, conn);
                            handle(&st, &mut stream, &raw);
                        }
                        None => handle(&st, &mut { conn }, &raw),
                    }
                });
            }
        });
        Server { url, port: addr.port(), state }
    }

    /// Applies `fault` to every request for `path` (e.g. `/dist/channel-rust-stable.toml`; `*`:
    /// every path without rules of its own), replacing the rules it had.
    pub fn fault(&self, path: &str, fault: Fault) {
        self.state.rules.lock().unwrap().remove(path);
        self.rule(path, Rule { fault, user_agent: None, times: None });
    }

    /// Adds a rule for `path`; the first matching rule with uses left applies.
    pub fn rule(&self, path: &str, rule: Rule) {
        self.state.rules.lock().unwrap().entry(path.to_owned()).or_default().push((rule, 0));
    }

    /// The directory this server serves.
    pub fn root(&self) -> &Path {
        &self.state.root
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        self.state.rules.lock().unwrap().clear();
    }

    /// The requests served so far.
    pub fn log(&self) -> Vec<Logged> {
        self.state.log.lock().unwrap().clone()
    }

    /// The archive paths (those with `.tar.` in them) requested since log entry `from`, sorted.
    pub fn archives_since(&self, from: usize) -> Vec<String> {
        let mut v: Vec<String> = self.log()[from..].iter().map(|l| l.path.clone()).filter(|p| p.contains(".tar.")).collect();
        v.sort();
        v
    }

    /// How many requests asked for a path ending with `suffix`.
    pub fn hits(&self, suffix: &str) -> usize {
        self.log().iter().filter(|l| l.path.ends_with(suffix)).count()
    }
}

/// The `ETag` the server gives a file's bytes.
pub fn etag(data: &[u8]) -> String {
    format!("\"{}\"", &crate::support::dist::sha(data)[..16])
}

/// Reads the request line and headers: (path, lower-cased header map).
fn read_request<S: Read>(stream: &mut S) -> Option<(String, HashMap<String, String>)> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let target = line.split_whitespace().nth(1).unwrap_or("/");
    // Absolute form (`GET http://host:port/path`, as a forward proxy passes it on): the path.
    let path = match target.strip_prefix("http://") {
        Some(rest) => rest.find('/').map_or("/", |i| &rest[i..]).to_owned(),
        None => target.to_owned(),
    };
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    Some((path, headers))
}

/// The first rule for `path` (else for `*`, every path) matching `user_agent` with uses left;
/// counts the use.
fn pick_fault(st: &State, path: &str, user_agent: &str) -> Option<Fault> {
    let mut rules = st.rules.lock().unwrap();
    let key = if rules.contains_key(path) { path } else { "*" };
    let (rule, used) = rules
        .get_mut(key)?
        .iter_mut()
        .find(|(r, used)| r.user_agent.as_ref().is_none_or(|ua| user_agent.contains(ua.as_str())) && r.times.is_none_or(|t| *used < t))?;
    *used += 1;
    Some(rule.fault.clone())
}

/// Logs a request and puts it on [`State::serving`] until the returned guard is dropped.
fn arrived<'a>(st: &'a State, path: &str, user_agent: &str, range: Option<&String>, headers: &HashMap<String, String>) -> Serving<'a> {
    let id = st.next_id.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let while_serving = {
        let mut serving = st.serving.lock().unwrap();
        let now = serving.iter().map(|(_, p, left)| (p.clone(), *left)).collect();
        serving.push((id, path.to_owned(), None));
        now
    };
    st.log.lock().unwrap().push(Logged {
        path: path.to_owned(),
        user_agent: user_agent.to_owned(),
        range: range.cloned(),
        headers: headers.clone(),
        while_serving,
    });
    Serving(st, id)
}

fn handle<S: Read + Write>(st: &State, stream: &mut S, raw: &TcpStream) {
    // One request per connection (we answer `Connection: close`).
    let Some((path, headers)) = read_request(stream) else { return };
    let user_agent = headers.get("user-agent").cloned().unwrap_or_default();
    let range = headers.get("range").cloned();
    let serving = arrived(st, &path, &user_agent, range.as_ref(), &headers);
    let fault = pick_fault(st, &path, &user_agent);
    let file = std::fs::read(st.root.join(path.trim_start_matches('/'))).ok();
    let respond = |stream: &mut S, status: u16, extra: &[(String, String)], body: &[u8], len: usize| {
        let mut head = format!("HTTP/1.1 {status} X\r\nContent-Length: {len}\r\nConnection: close\r\n");
        for (k, v) in extra {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(body)).and_then(|()| stream.flush())
    };
    match fault {
        Some(Fault::Status(s)) => {
            let _ = respond(stream, s, &[], b"", 0);
            return;
        }
        Some(Fault::StatusWith(s, h)) => {
            let _ = respond(stream, s, &h, b"", 0);
            return;
        }
        Some(Fault::Redirect(to)) => {
            let _ = respond(stream, 302, &[("Location".into(), to)], b"", 0);
            return;
        }
        Some(Fault::Body(b)) => {
            let _ = respond(stream, 200, &[], &b, b.len());
            return;
        }
        Some(Fault::Hold(d)) => std::thread::sleep(d),
        Some(Fault::RangeNotSatisfiable) if range.is_some() => {
            let _ = respond(stream, 416, &[], b"", 0);
            return;
        }
        _ => {}
    }
    let Some(data) = file else {
        let _ = respond(stream, 404, &[], b"", 0);
        return;
    };
    // Range: bytes=N- → 206 with the rest, unless If-Range names another version.
    let tag = etag(&data);
    let from = range
        .as_deref()
        .and_then(|r| r.strip_prefix("bytes="))
        .and_then(|r| r.strip_suffix('-'))
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|_| headers.get("if-range").is_none_or(|v| *v == tag));
    let (status, body, mut extra) = match from {
        Some(n) if n >= data.len() => {
            let _ = respond(stream, 416, &[], b"", 0);
            return;
        }
        Some(n) => (206, &data[n..], vec![("Content-Range".to_owned(), format!("bytes {n}-{}/{}", data.len() - 1, data.len()))]),
        None => (200, &data[..], Vec::new()),
    };
    extra.push(("ETag".into(), tag));
    let partial = |n: usize| &body[..n.min(body.len())];
    let result = match fault {
        Some(Fault::StallAfter(n)) => {
            respond(stream, status, &extra, partial(n), body.len()).map(|()| std::thread::sleep(Duration::from_mins(2)))
        }
        Some(Fault::Truncate(n)) => respond(stream, status, &extra, partial(n), body.len()),
        Some(Fault::Reset(n)) => {
            let r = respond(stream, status, &extra, partial(n), body.len());
            let _ = socket2::SockRef::from(raw).set_linger(Some(Duration::ZERO));
            let _ = raw.shutdown(std::net::Shutdown::Both);
            r
        }
        Some(Fault::Steps(steps)) => respond(stream, status, &extra, b"", body.len()).and_then(|()| {
            let mut rest = body;
            for (n, pause) in steps {
                let (now, later) = rest.split_at(n.min(rest.len()));
                stream.write_all(now)?;
                stream.flush()?;
                std::thread::sleep(pause);
                rest = later;
            }
            stream.write_all(rest).and_then(|()| stream.flush())
        }),
        Some(Fault::Drip(chunk, every)) => respond(stream, status, &extra, b"", body.len()).and_then(|()| {
            let mut left = body.len();
            for piece in body.chunks(chunk) {
                serving.left(left);
                stream.write_all(piece)?;
                stream.flush()?;
                left -= piece.len();
                serving.left(left);
                std::thread::sleep(every);
            }
            Ok(())
        }),
        _ => respond(stream, status, &extra, body, body.len()),
    };
    let _ = result;
}

/// A forward proxy for tests: `CONNECT host:port` tunnels (for https URLs) and absolute-form
/// requests (for http URLs). It logs each request line's target with the client's User-Agent.
pub struct Proxy {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    log: Arc<Mutex<Vec<(String, String)>>>,
}

impl Proxy {
    /// Starts the proxy.
    pub fn start() -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let log: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
        let l = log.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(client) = conn else { continue };
                let l = l.clone();
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(client.try_clone().unwrap());
                    let mut first = String::new();
                    if reader.read_line(&mut first).is_err() {
                        return;
                    }
                    let mut head = first.clone();
                    let mut ua = String::new();
                    loop {
                        let mut h = String::new();
                        if reader.read_line(&mut h).unwrap_or(0) == 0 {
                            return;
                        }
                        if h.to_ascii_lowercase().starts_with("user-agent:") {
                            h[11..].trim().clone_into(&mut ua);
                        }
                        head.push_str(&h);
                        if h == "\r\n" {
                            break;
                        }
                    }
                    let mut parts = first.split_whitespace();
                    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("").to_owned());
                    l.lock().unwrap().push((format!("{method} {target}"), ua));
                    let mut client = client;
                    let upstream = if method == "CONNECT" {
                        let Ok(up) = TcpStream::connect(&target) else { return };
                        let _ = client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
                        up
                    } else {
                        let authority = target.trim_start_matches("http://").split('/').next().unwrap_or("").to_owned();
                        let Ok(mut up) = TcpStream::connect(&authority) else { return };
                        let _ = up.write_all(head.as_bytes());
                        up
                    };
                    let buffered = reader.buffer().to_vec();
                    let mut up_w = upstream.try_clone().unwrap();
                    let _ = up_w.write_all(&buffered);
                    let mut client_r = client.try_clone().unwrap();
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut client_r, &mut up_w);
                    });
                    let mut up_r = upstream;
                    let _ = std::io::copy(&mut up_r, &mut client);
                });
            }
        });
        Proxy { url, log }
    }

    /// The requests seen: (`METHOD target`, User-Agent).
    pub fn log(&self) -> Vec<(String, String)> {
        self.log.lock().unwrap().clone()
    }
}
