//! Name resolution, once per run and bounded (issue 18): each host a download connects to is
//! resolved by tcup itself, before any backend opens a connection, and the addresses are handed
//! to every backend (libcurl through `CURLOPT_RESOLVE`, reqwest through a
//! [`reqwest::dns::Resolve`] that answers from this cache). Without it, a resolver that never
//! answers (`options timeout:30 attempts:5`) held curl in a synchronous `getaddrinfo` for about
//! 150 s per attempt — its connect timeout cannot interrupt that — while reqwest timed out after
//! `TCUP_CONNECT_TIMEOUT` and retried: 389 s and 13 lines for one unreachable name.
//!
//! - **Bounded**: the C library's `getaddrinfo` (through [`std::net::ToSocketAddrs`], so
//!   `/etc/hosts`, `/etc/nsswitch.conf` and `/etc/resolv.conf` keep their meaning) runs on a worker
//!   thread; callers wait for it at most `TCUP_CONNECT_TIMEOUT` from the moment the first of them
//!   asked. A worker still blocked after that is left behind (it cannot write into anything that
//!   matters: its late answer is ignored) and does not keep the process from exiting.
//! - **Once per run, failures included**: the answer or the failure is kept per host name for the
//!   [`Resolver`]'s life (one per [`super::Downloader`], i.e. one per command). Concurrent
//!   downloads from the same host wait on the same lookup.
//! - **Final**: a timeout or a failure is [`Kind::Connect`](super::Kind::Connect) — about the
//!   server, not the HTTP stack — so the policy fails that server at once, with one message naming
//!   the host, the timeout and the nameservers `/etc/resolv.conf` lists.
//! - **Proxies**: with an HTTP(S) proxy configured for a URL, tcup resolves the *proxy's* host (what
//!   it connects to) and leaves the dist server's name to the proxy, as curl and browsers do; the
//!   proxy may be the only machine that can resolve it.
//! - An IP-address host is used as it is.

use std::collections::HashMap;
use std::net::{IpAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use url::Url;

/// Where the C library's resolver reads its nameservers (named in errors).
pub const RESOLV_CONF: &str = "/etc/resolv.conf";

/// A lookup function: host name → addresses (the system's `getaddrinfo` unless a test injects one).
pub type LookupFn = dyn Fn(&str) -> std::io::Result<Vec<IpAddr>> + Send + Sync;

/// Why a host has no addresses for this run. Its `Display` is one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// No answer within the deadline.
    #[error("cannot resolve {host}: no answer within {} (TCUP_CONNECT_TIMEOUT); {}", secs(*.timeout), .nameservers)]
    Timeout {
        /// The host name.
        host: String,
        /// The deadline it missed.
        timeout: Duration,
        /// The nameservers the resolver was asking, as [`RESOLV_CONF`] lists them, e.g.
        /// `nameservers in /etc/resolv.conf: 10.0.0.2` (read when the lookup failed).
        nameservers: String,
    },
    /// The resolver answered with an error, or with no address.
    #[error("cannot resolve {host}: {message}; {}", .nameservers)]
    Failed {
        /// The host name.
        host: String,
        /// The C library's message (e.g. `Name or service not known`).
        message: String,
        /// As for [`ResolveError::Timeout`].
        nameservers: String,
    },
}

fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 { format!("{s:.0} s") } else { format!("{s:.1} s") }
}

/// `nameservers in PATH: A, B`, or why there are none, for an error message.
fn nameservers_clause(path: &Path) -> String {
    match fs_err::read_to_string(path) {
        Err(_) => format!("{} cannot be read", path.display()),
        Ok(text) => match parse_nameservers(&text) {
            v if v.is_empty() => format!("{} lists no nameserver", path.display()),
            v => format!("nameservers in {}: {}", path.display(), v.join(", ")),
        },
    }
}

/// The `nameserver` addresses in a resolv.conf text, in order.
pub fn parse_nameservers(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            (words.next() == Some("nameserver")).then(|| words.next()).flatten().map(str::to_owned)
        })
        .collect()
}

type Answer = Result<Arc<[IpAddr]>, ResolveError>;

enum State {
    Pending { since: Instant },
    Done(Answer),
}

struct Entry {
    state: Mutex<State>,
    ready: Condvar,
}

/// The per-run cache of resolved hosts, shared by every backend of one [`super::Downloader`].
pub struct Resolver {
    timeout: Duration,
    resolv_conf: PathBuf,
    lookup: Arc<LookupFn>,
    hosts: Mutex<HashMap<String, Arc<Entry>>>,
}

impl std::fmt::Debug for Resolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resolver").field("timeout", &self.timeout).finish_non_exhaustive()
    }
}

/// The system's `getaddrinfo` through the standard library (the port is irrelevant to it).
fn system_lookup(host: &str) -> std::io::Result<Vec<IpAddr>> {
    let mut ips: Vec<IpAddr> = Vec::new();
    for addr in (host, 0).to_socket_addrs()? {
        if !ips.contains(&addr.ip()) {
            ips.push(addr.ip());
        }
    }
    Ok(ips)
}

impl Resolver {
    /// The system resolver with a deadline of `timeout` (`TCUP_CONNECT_TIMEOUT`) per host.
    pub fn system(timeout: Duration) -> Resolver {
        Resolver::with_lookup(timeout, PathBuf::from(RESOLV_CONF), Arc::new(system_lookup))
    }

    /// A resolver using `lookup` instead of the system's, naming the nameservers of `resolv_conf`
    /// in errors (for tests).
    pub fn with_lookup(timeout: Duration, resolv_conf: PathBuf, lookup: Arc<LookupFn>) -> Resolver {
        Resolver { timeout, resolv_conf, lookup, hosts: Mutex::default() }
    }

    /// The addresses of `host` (a name, or an IP address, bracketed or not, returned as it is),
    /// blocking at most the deadline counted from the first request for this host in this run.
    ///
    /// # Errors
    /// [`ResolveError`] when the lookup failed, found no address, or missed the deadline; the
    /// same error again, at once, for every later request for `host`.
    pub fn lookup(&self, host: &str) -> Answer {
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = bare.parse::<IpAddr>() {
            return Ok(Arc::from([ip]));
        }
        let key = bare.to_ascii_lowercase();
        let (entry, first) = {
            let mut hosts = self.hosts.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(e) = hosts.get(&key) {
                (e.clone(), false)
            } else {
                let e = Arc::new(Entry { state: Mutex::new(State::Pending { since: Instant::now() }), ready: Condvar::new() });
                hosts.insert(key.clone(), e.clone());
                (e, true)
            }
        };
        if first {
            self.start_worker(&key, &entry);
        }
        let mut state = entry.state.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            let since = match &*state {
                State::Done(answer) => return answer.clone(),
                State::Pending { since } => *since,
            };
            let left = self.timeout.saturating_sub(since.elapsed());
            if left.is_zero() {
                let e = ResolveError::Timeout { host: key, timeout: self.timeout, nameservers: nameservers_clause(&self.resolv_conf) };
                *state = State::Done(Err(e.clone()));
                entry.ready.notify_all();
                return Err(e);
            }
            state = entry.ready.wait_timeout(state, left).unwrap_or_else(PoisonError::into_inner).0;
        }
    }

    /// The addresses of what a request for `url` connects to: the proxy's host when `proxy` is
    /// set, else the URL's host. Returns that host name too.
    ///
    /// # Errors
    /// As [`Resolver::lookup`].
    pub fn lookup_for(&self, url: &Url, proxy: Option<&str>) -> Result<(String, Arc<[IpAddr]>), ResolveError> {
        let host = connect_host(url, proxy);
        let ips = self.lookup(&host)?;
        Ok((host, ips))
    }

    fn start_worker(&self, key: &str, entry: &Arc<Entry>) {
        let (lookup, entry2, host) = (self.lookup.clone(), entry.clone(), key.to_owned());
        let resolv_conf = self.resolv_conf.clone();
        let spawned = std::thread::Builder::new().name("tcup-resolve".into()).spawn(move || {
            let answer = match lookup(&host) {
                Ok(ips) if !ips.is_empty() => Ok(Arc::from(ips)),
                Ok(_) => Err("no address".to_owned()),
                Err(e) => Err(e.to_string()),
            };
            let answer = answer.map_err(|message| ResolveError::Failed { host, message, nameservers: nameservers_clause(&resolv_conf) });
            let mut state = entry2.state.lock().unwrap_or_else(PoisonError::into_inner);
            // A late answer after the deadline changes nothing: the run keeps the failure.
            if matches!(*state, State::Pending { .. }) {
                *state = State::Done(answer);
                entry2.ready.notify_all();
            }
        });
        if let Err(e) = spawned {
            let failed = ResolveError::Failed {
                host: key.to_owned(),
                message: format!("cannot start a thread: {e}"),
                nameservers: nameservers_clause(&self.resolv_conf),
            };
            *entry.state.lock().unwrap_or_else(PoisonError::into_inner) = State::Done(Err(failed));
        }
    }
}

/// The host a request for `url` opens its connection to: the proxy's when `proxy` is set.
pub fn connect_host(url: &Url, proxy: Option<&str>) -> String {
    let from_proxy = proxy.and_then(|p| Url::parse(p).ok()).and_then(|p| p.host_str().map(str::to_owned));
    from_proxy.unwrap_or_else(|| url.host_str().unwrap_or_default().to_owned())
}

impl From<ResolveError> for super::AttemptError {
    /// A name that does not resolve is about the server: [`super::Kind::Connect`], final.
    fn from(e: ResolveError) -> super::AttemptError {
        super::AttemptError { kind: super::Kind::Connect, message: e.to_string() }
    }
}

/// A [`reqwest::dns::Resolve`] answering from a [`Resolver`]. The reqwest backends look the
/// host up before sending (on the attempt's own thread), so this only reads the cache and never
/// blocks reqwest's runtime.
pub struct ForReqwest(pub Arc<Resolver>);

impl reqwest::dns::Resolve for ForReqwest {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let answer = self.0.lookup(name.as_str());
        Box::pin(async move {
            match answer {
                Ok(ips) => {
                    let addrs: Vec<std::net::SocketAddr> = ips.iter().map(|ip| std::net::SocketAddr::new(*ip, 0)).collect();
                    Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
                }
                Err(e) => Err(Box::new(e) as Box<dyn std::error::Error + Send + Sync>),
            }
        })
    }
}

#[cfg(test)]
#[path = "dns_tests.rs"]
mod tests;
