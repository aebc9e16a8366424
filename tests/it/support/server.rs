//! A dist server for tests: HTTP or HTTPS on 127.0.0.1, serving a directory, with faults chosen
//! per path. Every request is logged (path and User-Agent) so tests can assert what was fetched.
//! Plain `std::net` + rustls, so faults (stalls, wrong lengths, statuses) are exact.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What to do for one path instead of serving the file.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Answer with this status and an empty body.
    Status(u16),
    /// Send the headers and this many bytes of the file, then hold the connection open (up to 120 s).
    StallAfter(usize),
    /// Serve these bytes instead of the file.
    Body(Vec<u8>),
}

/// One logged request.
#[derive(Clone, Debug)]
pub struct Logged {
    /// Request path.
    pub path: String,
    /// User-Agent header.
    pub user_agent: String,
}

struct State {
    root: PathBuf,
    faults: Mutex<HashMap<String, Fault>>,
    log: Mutex<Vec<Logged>>,
}

/// A running server; it lives until the test process ends.
pub struct Server {
    /// `http://127.0.0.1:PORT` or `https://localhost:PORT`.
    pub url: String,
    state: Arc<State>,
}

/// A test certificate authority and a server certificate it signed for localhost/127.0.0.1.
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
        let state = Arc::new(State { root: root.to_owned(), faults: Mutex::default(), log: Mutex::default() });
        let st = state.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { continue };
                let st = st.clone();
                let tls = tls.clone();
                std::thread::spawn(move || {
                    let _ = conn.set_read_timeout(Some(Duration::from_secs(30)));
                    match tls {
                        Some(cfg) => {
                            let Ok(sc) = rustls::ServerConnection::new(cfg) else { return };
                            let mut stream = rustls::StreamOwned::new(sc, conn);
                            handle(&st, &mut stream);
                        }
                        None => handle(&st, &mut { conn }),
                    }
                });
            }
        });
        Server { url, state }
    }

    /// Applies `fault` to requests for `path` (e.g. `/dist/channel-rust-stable.toml`).
    pub fn fault(&self, path: &str, fault: Fault) {
        self.state.faults.lock().unwrap().insert(path.to_owned(), fault);
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        self.state.faults.lock().unwrap().clear();
    }

    /// The requests served so far.
    pub fn log(&self) -> Vec<Logged> {
        self.state.log.lock().unwrap().clone()
    }

    /// How many requests asked for a path ending with `suffix`.
    pub fn hits(&self, suffix: &str) -> usize {
        self.log().iter().filter(|l| l.path.ends_with(suffix)).count()
    }
}

fn handle<S: Read + Write>(st: &State, stream: &mut S) {
    // One request per connection (we answer `Connection: close`).
    let mut reader = BufReader::new(&mut *stream);
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let mut user_agent = String::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
            break;
        }
        if let Some((k, v)) = h.split_once(':')
            && k.eq_ignore_ascii_case("user-agent")
        {
            v.trim().clone_into(&mut user_agent);
        }
    }
    drop(reader);
    st.log.lock().unwrap().push(Logged { path: path.clone(), user_agent });
    let fault = st.faults.lock().unwrap().get(&path).cloned();
    let file = || std::fs::read(st.root.join(path.trim_start_matches('/'))).ok();
    let (status, body, stall_after) = match fault {
        Some(Fault::Status(s)) => (s, Vec::new(), None),
        Some(Fault::Body(b)) => (200, b, None),
        Some(Fault::StallAfter(n)) => match file() {
            Some(b) => (200, b, Some(n)),
            None => (404, Vec::new(), None),
        },
        None => match file() {
            Some(b) => (200, b, None),
            None => (404, Vec::new(), None),
        },
    };
    let head = format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
    if stream.write_all(head.as_bytes()).is_err() {
        return;
    }
    if let Some(n) = stall_after {
        let _ = stream.write_all(&body[..n.min(body.len())]);
        let _ = stream.flush();
        std::thread::sleep(Duration::from_mins(2));
    } else {
        let _ = stream.write_all(&body);
        let _ = stream.flush();
    }
}
