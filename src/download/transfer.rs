//! One download across backends: the thin driver that runs the [`Schedule`] state machine with
//! real threads, channels and the clock.
//!
//! Each attempt runs a backend on its own thread and sends what arrives (status and headers, body
//! chunks, the end or an error) over one bounded channel to the reader. The reader feeds those
//! events and the time to the schedule and carries out its decisions:
//! - **stall**: no body byte for `TCUP_STALL_TIMEOUT`, or less than `TCUP_LOW_SPEED_LIMIT`
//!   bytes/s averaged over a window of that length → the next backend starts *beside* the stalled
//!   attempt (resuming at the current offset with `Range`); with every backend in use, a new
//!   connection of the same one while it has retries left. Whichever delivers the next byte wins
//!   and every other attempt is abandoned; a stalled attempt that recovers keeps the lead and its
//!   hedges are abandoned. Each attempt knows its own offset, so bytes are never spliced.
//! - **hard deadline**: an attempt that goes `RUSTUP_DOWNLOAD_TIMEOUT` without a window at the
//!   low-speed limit (before its first byte: without any answer) is abandoned — slow bytes do not
//!   renew it. With nothing else running, the next backend starts, or a new connection while
//!   retries remain, else the download fails naming every connection tried.
//! - **failure**: [`super::policy::decide`] says retry (after a delay), fall back, or fail;
//! - **redirects**: at most 10, relative ones resolved, https→http refused.
//! - **several dist servers** (`TCUP_DIST_SERVERS`): a file on a configured dist server is tried
//!   on each of them as one more source (docs/design.md download-13); the schedule's demotions reorder
//!   the downloader's servers for every later transfer.
//!
//! **The bound.** A download ends — complete or with a clear error — unless the server keeps
//! delivering at least `TCUP_LOW_SPEED_LIMIT` bytes/s: every attempt lives at most
//! `RUSTUP_DOWNLOAD_TIMEOUT` past its last good stall window, and there are at most
//! `servers × backends × (1 + RUSTUP_MAX_RETRIES)` attempts (plus redirects), with retry delays
//! capped at 30 s each. No server behaviour extends that.
//!
//! An abandoned attempt has a cancel flag set and the schedule forgets its id: its sink refuses
//! further bytes and anything already queued is dropped, so it can never write into the result.
//! A backend blocked inside a syscall just stays blocked on a detached thread, which does not keep
//! the process from exiting.

use std::collections::HashMap;
use std::io::{self, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, sync_channel};
use std::time::{Duration, Instant};

use url::Url;

use super::http_proxy::proxy_for;
use super::policy::Kind;
use super::schedule::{Config, Decision, Input, Schedule, Start};
use super::{AttemptError, Body, DownloadError, Downloader, Head, Request, Sink};
use crate::progress::Reporter;

/// Chunks buffered between an attempt's thread and the reader.
const CHANNEL_CHUNKS: usize = 4;

enum Ev {
    Head(Head),
    Data(Vec<u8>),
    End,
    Error(AttemptError),
}

struct Msg {
    id: u64,
    ev: Ev,
}

struct ChannelSink {
    id: u64,
    tx: SyncSender<Msg>,
    cancel: Arc<AtomicBool>,
}

impl Sink for ChannelSink {
    fn head(&mut self, head: Head) -> bool {
        !self.cancel.load(Ordering::Relaxed) && self.tx.send(Msg { id: self.id, ev: Ev::Head(head) }).is_ok()
    }
    fn data(&mut self, chunk: &[u8]) -> bool {
        // Never hold bytes back: what arrived before a stall must reach the reader, so the next
        // attempt resumes after it and progress stays true.
        !self.cancel.load(Ordering::Relaxed) && self.tx.send(Msg { id: self.id, ev: Ev::Data(chunk.to_vec()) }).is_ok()
    }
}

enum Out {
    Head(Head, u64),
    Data(Vec<u8>),
    End,
}

struct Transfer<'a> {
    dl: &'a Downloader,
    reporter: &'a Reporter,
    url: Url,
    /// The file on each server tried, in the schedule's server order, with the downloader's
    /// index of that server (`None`: the URL is on no configured server).
    sources: Vec<(Option<usize>, Url, bool)>,
    schedule: Schedule,
    clock: Instant,
    tx: SyncSender<Msg>,
    rx: Receiver<Msg>,
    cancels: HashMap<u64, Arc<AtomicBool>>,
    /// Each attempt's dist server (index into `sources`).
    servers: HashMap<u64, usize>,
    /// The configured servers whose bytes were delivered ([`Body::from`]).
    from: super::Delivered,
    chunk: Vec<u8>,
    chunk_pos: usize,
    finished: bool,
    /// The error the transfer failed with, returned again to a reader that reads on.
    failed: Option<DownloadError>,
    /// Messages taken ahead of a due timer since the schedule last ticked.
    drained: usize,
}

/// Opens the file at `sources` (one http(s) URL per dist server, in the order to try, with the
/// downloader's index of the server and whether it was demoted; at least one) at `offset`: returns once an attempt answered with a usable status.
pub(super) fn open<'a>(
    dl: &'a Downloader,
    sources: Vec<(Option<usize>, Url, bool)>,
    offset: u64,
    if_range: Option<&str>,
    reporter: &'a Reporter,
) -> Result<Body<'a>, DownloadError> {
    let url = sources[0].1.clone();
    // Checked before this call too (Downloader::open_avoiding): the driver is where sockets open.
    if dl.offline {
        return Err(DownloadError::Offline { url: url.to_string() });
    }
    let (tx, rx) = sync_channel(CHANNEL_CHUNKS);
    let cfg = Config {
        stall: dl.limits.stall,
        low_speed: dl.limits.low_speed,
        hard: dl.limits.hard,
        retries: dl.retries,
        names: dl.backends.iter().map(|b| b.name()).collect(),
        order: dl.order_for(&url),
        servers: sources.iter().map(|(_, u, _)| server_label(u)).collect(),
        demoted: sources.iter().map(|(.., d)| *d).collect(),
    };
    let urls = sources.iter().map(|(_, u, _)| u.clone()).collect();
    let (schedule, first) = Schedule::new(cfg, urls, offset, if_range.map(str::to_owned), Box::new(rand::random::<f64>));
    let mut t = Transfer {
        dl,
        reporter,
        url,
        sources,
        schedule,
        clock: Instant::now(),
        tx,
        rx,
        cancels: HashMap::new(),
        servers: HashMap::new(),
        from: super::Delivered::default(),
        chunk: Vec::new(),
        chunk_pos: 0,
        finished: false,
        failed: None,
        drained: 0,
    };
    t.apply(first, None)?; // starting the first attempt: no output yet
    let Out::Head(head, start) = t.next()? else { unreachable!("the head comes first") };
    let from = t.from.clone();
    Ok(Body { len: head.len, validator: head.validator, start, body: Box::new(t), from })
}

/// How a dist server is named in messages: `host[:port]`.
fn server_label(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_owned(),
        (None, _) => url.path().to_owned(),
    }
}

impl Transfer<'_> {
    fn now(&self) -> Duration {
        self.clock.elapsed()
    }

    fn spawn(&mut self, s: Start) {
        let cancel = Arc::new(AtomicBool::new(false));
        self.cancels.insert(s.id, cancel.clone());
        self.servers.insert(s.id, s.server);
        let req = Request { proxy: proxy_for(&s.url, &self.dl.proxies), url: s.url, offset: s.offset, if_range: s.if_range };
        let b = self.dl.backends[s.backend].clone();
        let (id, tx) = (s.id, self.tx.clone());
        let spawned = std::thread::Builder::new().name(format!("tcup-{}", b.name())).spawn(move || {
            let mut sink = ChannelSink { id, tx: tx.clone(), cancel: cancel.clone() };
            let ev = match b.fetch(&req, &mut sink) {
                Ok(()) => Ev::End,
                Err(e) => Ev::Error(e),
            };
            if !cancel.load(Ordering::Relaxed) {
                let _ = tx.send(Msg { id, ev });
            }
        });
        if let Err(e) = spawned {
            let e = AttemptError { kind: Kind::Other, message: format!("cannot start a thread: {e}") };
            let _ = self.tx.try_send(Msg { id, ev: Ev::Error(e) });
        }
    }

    /// Carries out `decisions`; `data` is the chunk the decisions answer, if any.
    fn apply(&mut self, decisions: Vec<Decision>, mut data: Option<Vec<u8>>) -> Result<Option<Out>, DownloadError> {
        let mut out = None;
        for d in decisions {
            match d {
                Decision::Start(s) => self.spawn(s),
                Decision::Abandon(id) => {
                    self.servers.remove(&id);
                    if let Some(c) = self.cancels.remove(&id) {
                        c.store(true, Ordering::Relaxed);
                    }
                }
                Decision::Deliver { skip } => {
                    let mut bytes = data.take().expect("a chunk to deliver");
                    bytes.drain(..skip);
                    out = Some(Out::Data(bytes));
                }
                Decision::Head { head, start } => out = Some(Out::Head(head, start)),
                Decision::Finish => out = Some(Out::End),
                Decision::Fail(e) => {
                    self.failed = Some(e.clone());
                    return Err(e);
                }
                Decision::Prefer { server, backend } => self.dl.remember(&self.sources[server].1, backend),
                Decision::Demote(server) => {
                    if let Some(id) = self.sources[server].0 {
                        self.dl.demote(id);
                    }
                }
                Decision::Warn(m) => self.reporter.warn(&m),
                Decision::Info(m) => self.reporter.info(&m),
                Decision::Verbose(m) => self.reporter.verbose(&m),
                Decision::Retry { message, warn } => self.reporter.retry(&message, warn),
                Decision::Fallback(m) => self.reporter.fallback(&m),
            }
        }
        Ok(out)
    }

    /// Drives attempts until something for the reader happens.
    fn next(&mut self) -> Result<Out, DownloadError> {
        loop {
            let now = self.now();
            let Some(wake) = self.schedule.next_wake() else {
                // Only a finished or failed transfer has no timer; `read` stops at the first.
                return Err(self.failed.clone().unwrap_or_else(|| DownloadError::Failed {
                    url: self.url.to_string(),
                    backend: "tcup",
                    message: "read after the end".into(),
                    kind: Kind::Other,
                }));
            };
            if wake <= now {
                // What arrived while nobody read (a body opened ahead, a busy decoder) counts
                // before a timer: those bytes were delivered in time. At most a channel's worth
                // of them, then the timer: a reader that always finds the channel full must not
                // keep the schedule from ever closing a window.
                if self.drained < CHANNEL_CHUNKS
                    && let Ok(msg) = self.rx.try_recv()
                {
                    self.drained += 1;
                    if let Some(out) = self.on_message(msg)? {
                        return Ok(out);
                    }
                    continue;
                }
                self.drained = 0;
                let ds = self.schedule.tick(now);
                if let Some(out) = self.apply(ds, None)? {
                    return Ok(out);
                }
                continue;
            }
            match self.rx.recv_timeout(wake.saturating_sub(now).min(Duration::from_hours(1))) {
                Ok(msg) => {
                    if let Some(out) = self.on_message(msg)? {
                        return Ok(out);
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => unreachable!("the transfer holds a sender"),
            }
        }
    }

    /// Feeds one attempt's event to the schedule and carries out what it decides.
    fn on_message(&mut self, Msg { id, ev }: Msg) -> Result<Option<Out>, DownloadError> {
        let now = self.now();
        let (input, data) = match ev {
            Ev::Head(h) => (Input::Head(h), None),
            Ev::Data(d) => (Input::Data(d.len()), Some(d)),
            Ev::End => (Input::End, None),
            Ev::Error(e) => (Input::Error(e), None),
        };
        let ds = self.schedule.on(id, input, now);
        let out = self.apply(ds, data)?;
        if let Some(Out::Data(_)) = out
            && let Some(server) = self.servers.get(&id).and_then(|&s| self.sources[s].0)
        {
            self.from.add(server);
        }
        Ok(out)
    }
}

impl Read for Transfer<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.chunk_pos < self.chunk.len() {
                let n = buf.len().min(self.chunk.len() - self.chunk_pos);
                buf[..n].copy_from_slice(&self.chunk[self.chunk_pos..self.chunk_pos + n]);
                self.chunk_pos += n;
                return Ok(n);
            }
            if self.finished {
                return Ok(0);
            }
            match self.next() {
                Ok(Out::Data(d)) => {
                    self.chunk = d;
                    self.chunk_pos = 0;
                }
                Ok(Out::Head(..)) => {}
                Ok(Out::End) => self.finished = true,
                Err(e) => return Err(io::Error::other(e)),
            }
        }
    }
}

impl Drop for Transfer<'_> {
    fn drop(&mut self) {
        for c in self.cancels.values() {
            c.store(true, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::time::{Duration, Instant};

    use crate::download::Downloader;
    use crate::env::{BackendKind, DownloadConfig, Limits, Proxies};
    use crate::progress::Reporter;

    /// A reader slower than the server (a busy decoder) finds the channel full at every read;
    /// the schedule must still close its stall windows meanwhile. Otherwise the first timer after
    /// that — here when the reader catches up with a server that pauses 200 ms between its 2 MiB
    /// pieces — finds no good window for longer than the hard deadline and abandons a download
    /// that never stopped delivering.
    #[test]
    fn a_reader_slower_than_the_server_outlives_the_hard_deadline() {
        const PIECE: usize = 2 << 20;
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let (mut conn, _) = listener.accept().unwrap();
            let mut request = [0u8; 4096];
            let _ = conn.read(&mut request).unwrap();
            let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", 4 * PIECE);
            conn.write_all(head.as_bytes()).unwrap();
            for _ in 0..4 {
                if conn.write_all(&vec![7u8; PIECE]).is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        });
        let url: url::Url = format!("http://127.0.0.1:{port}/f").parse().unwrap();
        let limits =
            Limits { connect: Duration::from_secs(5), stall: Duration::from_millis(300), low_speed: 10, hard: Duration::from_secs(1) };
        let config = DownloadConfig {
            servers: vec![url.clone()],
            backends: vec![BackendKind::Curl],
            limits,
            max_retries: 0,
            proxies: Proxies::default(),
            ca_file: None,
            ca_dir: None,
            offline: false,
        };
        let downloader = Downloader::new(&config).unwrap();
        let reporter = Reporter::quiet();
        let mut body = downloader.open(&url, 0, None, &reporter).unwrap().body;
        // 16 KiB every 10 ms for 1.5 s (the channel stays full), then as fast as it comes.
        let (start, mut got, mut buf) = (Instant::now(), 0, vec![0u8; 16 * 1024]);
        loop {
            match body.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) => panic!("after {got} bytes and {:?}: {e}", start.elapsed()),
            }
            if start.elapsed() < limits.hard * 3 / 2 {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        assert_eq!(got, 4 * PIECE);
    }
}
