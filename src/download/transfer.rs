//! One download across backends: the watchdog, hedged fallback, retries and redirects.
//!
//! Each attempt runs a backend on its own thread and sends what arrives (status and headers, body
//! chunks, the end or an error) over one bounded channel to the reader. The reader alone decides,
//! with timers that need nothing from the backend:
//! - **stall**: no body byte for the stall timeout, or less than the low-speed limit averaged over
//!   that window → the next backend starts *beside* the stalled attempt (resuming at the same
//!   offset with `Range`), which keeps running until its hard deadline. The first attempt to
//!   deliver the next byte wins; every other attempt is abandoned. A hung backend therefore costs
//!   one stall timeout, and a slow-but-legitimate buffering proxy is not killed early;
//! - **hard deadline**: an attempt that receives nothing at all for `RUSTUP_DOWNLOAD_TIMEOUT` is
//!   abandoned; when none is left, "all backends stalled";
//! - **failure**: [`policy::decide`] says retry (after a delay), fall back, or fail;
//! - **redirects**: at most 10, relative ones resolved, https→http refused.
//!
//! An abandoned attempt has a cancel flag set: its sink refuses further bytes, so it can never write
//! into the result; a backend blocked inside a syscall or a lock just stays blocked on a detached
//! thread, which does not keep the process from exiting.

use std::io::{self, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, sync_channel};
use std::time::{Duration, Instant};

use url::Url;

use super::policy::{self, Action, Kind};
use super::proxy::proxy_for;
use super::{AttemptError, Body, DownloadError, Downloader, Head, Request, Sink};
use crate::progress::Reporter;

/// Most redirects followed.
const MAX_REDIRECTS: u32 = 10;
/// Chunks buffered between an attempt's thread and the reader.
const CHANNEL_CHUNKS: usize = 16;

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

struct Attempt {
    id: u64,
    backend: usize,
    url: Url,
    redirects: u32,
    /// Bytes to drop before delivering (a 200 answer to a range request).
    skip: u64,
    head: Option<Head>,
    started: Instant,
    last_progress: Instant,
    hedged: bool,
    window_start: Instant,
    window_bytes: u64,
    cancel: Arc<AtomicBool>,
}

enum Out {
    Head,
    Data(Vec<u8>),
    End,
}

struct Transfer<'a> {
    dl: &'a Downloader,
    reporter: &'a Reporter,
    url: Url,
    if_range: Option<String>,
    pos: u64,
    tx: SyncSender<Msg>,
    rx: Receiver<Msg>,
    live: Vec<Attempt>,
    winner: Option<u64>,
    order: Vec<usize>,
    started_backends: usize,
    tries: Vec<u32>,
    pending: Vec<(Instant, usize)>,
    last_error: Option<(usize, AttemptError)>,
    stalled: Vec<String>,
    good_head: Option<Head>,
    chunk: Vec<u8>,
    chunk_pos: usize,
    finished: bool,
    next_id: u64,
}

/// Opens `url` at `offset`: returns once an attempt answered with a usable status.
pub(super) fn open<'a>(
    dl: &'a Downloader,
    url: &Url,
    offset: u64,
    if_range: Option<&str>,
    reporter: &'a Reporter,
) -> Result<Body<'a>, DownloadError> {
    let (tx, rx) = sync_channel(CHANNEL_CHUNKS);
    let mut t = Transfer {
        dl,
        reporter,
        url: url.clone(),
        if_range: if_range.map(str::to_owned),
        pos: offset,
        tx,
        rx,
        live: Vec::new(),
        winner: None,
        order: dl.order_for(url),
        started_backends: 0,
        tries: vec![0; dl.backends.len()],
        pending: Vec::new(),
        last_error: None,
        stalled: Vec::new(),
        good_head: None,
        chunk: Vec::new(),
        chunk_pos: 0,
        finished: false,
        next_id: 0,
    };
    let first = t.order[0];
    t.started_backends = 1;
    t.start(first, url.clone(), 0);
    match t.next()? {
        Out::Head => {}
        Out::Data(d) => t.chunk = d,
        Out::End => t.finished = true,
    }
    let head = t.good_head.clone().unwrap_or_default();
    // A 200 to the caller's own range request: deliver from byte 0 and say so.
    let start = if head.status == 206 { offset } else { 0 };
    if start == 0 && offset > 0 {
        t.pos = 0;
        for a in &mut t.live {
            a.skip = 0;
        }
    }
    Ok(Body { len: head.len, validator: head.validator, start, body: Box::new(t) })
}

impl Transfer<'_> {
    fn backend_name(&self, b: usize) -> &'static str {
        self.dl.backends[b].name()
    }

    fn start(&mut self, backend: usize, url: Url, redirects: u32) {
        self.tries[backend] += 1;
        let id = self.next_id;
        self.next_id += 1;
        let cancel = Arc::new(AtomicBool::new(false));
        let req = Request { proxy: proxy_for(&url, &self.dl.proxies), url: url.clone(), offset: self.pos, if_range: self.if_range.clone() };
        let now = Instant::now();
        self.live.push(Attempt {
            id,
            backend,
            url,
            redirects,
            skip: 0,
            head: None,
            started: now,
            last_progress: now,
            hedged: false,
            window_start: now,
            window_bytes: 0,
            cancel: cancel.clone(),
        });
        self.reporter.verbose(&format!("{}: GET {} from byte {}", self.backend_name(backend), req.url, req.offset));
        let b = self.dl.backends[backend].clone();
        let tx = self.tx.clone();
        let spawned = std::thread::Builder::new().name(format!("tcup-{}", b.name())).spawn(move || {
            let mut sink = ChannelSink { id, tx: tx.clone(), cancel: cancel.clone() };
            let result = b.fetch(&req, &mut sink);
            let ev = match result {
                Ok(()) => Ev::End,
                Err(e) => Ev::Error(e),
            };
            if !cancel.load(Ordering::Relaxed) {
                let _ = tx.send(Msg { id, ev });
            }
        });
        if let Err(e) = spawned {
            let _ = self
                .tx
                .try_send(Msg { id, ev: Ev::Error(AttemptError { kind: Kind::Other, message: format!("cannot start a thread: {e}") }) });
        }
    }

    fn abandon(&mut self, id: u64) {
        if let Some(i) = self.live.iter().position(|a| a.id == id) {
            let a = self.live.remove(i);
            a.cancel.store(true, Ordering::Relaxed);
        }
    }

    /// Drives attempts until something for the reader happens.
    fn next(&mut self) -> Result<Out, DownloadError> {
        loop {
            if self.live.is_empty() && self.pending.is_empty() {
                return Err(self.final_error(false));
            }
            let now = Instant::now();
            let wait = self.next_deadline(now).saturating_duration_since(now);
            match self.rx.recv_timeout(wait) {
                Ok(msg) => {
                    if let Some(out) = self.handle(msg)? {
                        return Ok(out);
                    }
                }
                Err(RecvTimeoutError::Timeout) => self.on_timers(Instant::now()),
                Err(RecvTimeoutError::Disconnected) => unreachable!("the transfer holds a sender"),
            }
        }
    }

    fn next_deadline(&self, now: Instant) -> Instant {
        let limits = &self.dl.limits;
        let mut d = now + Duration::from_hours(1);
        for (at, _) in &self.pending {
            d = d.min(*at);
        }
        for a in &self.live {
            d = d.min(a.last_progress + limits.hard);
            if !a.hedged {
                d = d.min(a.last_progress + limits.stall).min(a.window_start + limits.stall);
            }
        }
        d
    }

    fn on_timers(&mut self, now: Instant) {
        let limits = self.dl.limits;
        let due: Vec<usize> = self.pending.iter().filter(|(at, _)| *at <= now).map(|(_, b)| *b).collect();
        self.pending.retain(|(at, _)| *at > now);
        for b in due {
            let url = self.url.clone();
            self.start(b, url, 0);
        }
        let dead: Vec<(u64, usize, Duration)> = self
            .live
            .iter()
            .filter(|a| now.duration_since(a.last_progress) >= limits.hard)
            .map(|a| (a.id, a.backend, now.duration_since(a.started)))
            .collect();
        for (id, b, age) in dead {
            let name = self.backend_name(b);
            self.reporter.warn(&format!("abandoning {name} for {}: nothing received for {} s", self.url, limits.hard.as_secs_f64()));
            self.stalled.push(format!("{name} after {:.0} s", age.as_secs_f64()));
            self.abandon(id);
        }
        let mut hedge_for = Vec::new();
        for a in &mut self.live {
            if a.hedged {
                continue;
            }
            let quiet = now.duration_since(a.last_progress);
            let window = now.duration_since(a.window_start);
            // Integer arithmetic: bytes received against limit × window (in milliseconds).
            let slow = window >= limits.stall && u128::from(a.window_bytes) * 1000 < u128::from(limits.low_speed) * window.as_millis();
            if quiet >= limits.stall || (slow && a.head.is_some()) {
                a.hedged = true;
                let why = if quiet >= limits.stall {
                    format!("no data for {:.0} s", quiet.as_secs_f64())
                } else {
                    format!("{} bytes in {:.0} s, below {} bytes/s", a.window_bytes, window.as_secs_f64(), limits.low_speed)
                };
                hedge_for.push((a.backend, why));
            } else if window >= limits.stall {
                a.window_start = now;
                a.window_bytes = 0;
            }
        }
        for (b, why) in hedge_for {
            self.hedge(b, &why);
        }
    }

    /// Starts another attempt beside a stalled one: the next backend not yet used; with a single
    /// backend configured, a new connection of it while it has retries left.
    fn hedge(&mut self, stalled: usize, why: &str) {
        let name = self.backend_name(stalled);
        if self.started_backends < self.order.len() {
            let next = self.order[self.started_backends];
            self.started_backends += 1;
            self.reporter.warn(&format!(
                "{name} stalled on {} ({why}); trying {} from byte {} while {name} keeps going",
                self.url,
                self.backend_name(next),
                self.pos
            ));
            let url = self.url.clone();
            self.start(next, url, 0);
        } else if self.order.len() == 1 && self.tries[stalled] <= self.dl.retries {
            self.reporter.warn(&format!(
                "{name} stalled on {} ({why}); opening a new connection from byte {} while the first keeps going",
                self.url, self.pos
            ));
            let url = self.url.clone();
            self.start(stalled, url, 0);
        } else {
            self.reporter.warn(&format!("{name} stalled on {} ({why}); no other backend left, waiting up to its hard deadline", self.url));
        }
    }

    fn handle(&mut self, msg: Msg) -> Result<Option<Out>, DownloadError> {
        let Some(i) = self.live.iter().position(|a| a.id == msg.id) else { return Ok(None) };
        let now = Instant::now();
        match msg.ev {
            Ev::Head(head) => self.on_head(i, head, now),
            Ev::Data(mut bytes) => {
                let a = &mut self.live[i];
                a.last_progress = now;
                a.window_bytes += bytes.len() as u64;
                if a.skip > 0 {
                    let n = usize::try_from(a.skip).unwrap_or(usize::MAX).min(bytes.len());
                    a.skip -= n as u64;
                    bytes.drain(..n);
                    if bytes.is_empty() {
                        return Ok(None);
                    }
                }
                if self.winner != Some(msg.id) {
                    self.crown(i);
                }
                self.pos += bytes.len() as u64;
                Ok(Some(Out::Data(bytes)))
            }
            Ev::End => {
                if self.live[i].skip > 0 {
                    let e = AttemptError { kind: Kind::Truncated, message: "the body ended before the resume offset".into() };
                    return self.on_error(i, e, None);
                }
                if self.winner != Some(msg.id) {
                    self.crown(i);
                }
                self.finished = true;
                let all: Vec<u64> = self.live.iter().map(|a| a.id).collect();
                for id in all {
                    self.abandon(id);
                }
                Ok(Some(Out::End))
            }
            Ev::Error(e) => self.on_error(i, e, None),
        }
    }

    /// Attempt `i` delivered first: it wins, all others are abandoned.
    fn crown(&mut self, i: usize) {
        let id = self.live[i].id;
        let backend = self.live[i].backend;
        self.winner = Some(id);
        let others: Vec<(u64, usize)> = self.live.iter().filter(|a| a.id != id).map(|a| (a.id, a.backend)).collect();
        for (other, b) in others {
            if b != backend {
                self.reporter.warn(&format!(
                    "{} delivered {} first; abandoning {}",
                    self.backend_name(backend),
                    self.url,
                    self.backend_name(b)
                ));
            }
            self.abandon(other);
        }
        self.pending.clear();
        if backend != self.order[0] {
            self.dl.remember(&self.url, backend);
        }
    }

    fn on_head(&mut self, i: usize, head: Head, now: Instant) -> Result<Option<Out>, DownloadError> {
        let status = head.status;
        if (300..400).contains(&status) && status != 304 {
            return self.redirect(i, head.location.as_deref());
        }
        if !(200..300).contains(&status) {
            let kind = if status == 416 { Kind::RangeNotSatisfiable } else { Kind::Status(status) };
            let e = AttemptError { kind, message: format!("HTTP {status}") };
            return self.on_error(i, e, head.retry_after);
        }
        let a = &mut self.live[i];
        a.last_progress = now;
        a.window_start = now;
        a.window_bytes = 0;
        if status == 200 && self.pos > 0 {
            // The server ignored the range: restart cleanly by dropping what we already have.
            a.skip = self.pos;
        }
        a.head = Some(head.clone());
        if self.good_head.is_none() {
            self.good_head = Some(head);
            return Ok(Some(Out::Head));
        }
        Ok(None)
    }

    fn redirect(&mut self, i: usize, location: Option<&str>) -> Result<Option<Out>, DownloadError> {
        let a = &self.live[i];
        let (backend, from, redirects) = (a.backend, a.url.clone(), a.redirects + 1);
        let fail = |message: String| AttemptError { kind: Kind::Redirect, message };
        let Some(Ok(target)) = location.map(|l| from.join(l)) else {
            return self.on_error(i, fail(format!("redirect from {from} without a valid Location")), None);
        };
        if from.scheme() == "https" && target.scheme() != "https" {
            return self.on_error(i, fail(format!("refusing redirect from https to insecure {target}")), None);
        }
        if redirects > MAX_REDIRECTS {
            return self.on_error(i, fail(format!("more than {MAX_REDIRECTS} redirects (last to {target})")), None);
        }
        let id = self.live[i].id;
        self.abandon(id);
        self.tries[backend] -= 1; // following a redirect is not a retry
        self.start(backend, target, redirects);
        Ok(None)
    }

    #[allow(clippy::needless_pass_by_value)] // the error is stored as the last one
    fn on_error(&mut self, i: usize, e: AttemptError, retry_after: Option<Duration>) -> Result<Option<Out>, DownloadError> {
        let a = &self.live[i];
        let (id, backend) = (a.id, a.backend);
        let name = self.backend_name(backend);
        self.abandon(id);
        let action = policy::decide(e.kind, self.tries[backend], self.dl.retries, retry_after, rand::random::<f64>());
        self.last_error = Some((backend, e.clone()));
        match action {
            Action::Fail => {
                for other in self.live.iter().map(|a| a.id).collect::<Vec<_>>() {
                    self.abandon(other);
                }
                self.pending.clear();
                return Err(self.final_error(true));
            }
            Action::Retry(delay) => {
                self.reporter.info(&format!("{name}: {} failed ({}); retrying in {:.1} s", self.url, e.message, delay.as_secs_f64()));
                self.pending.push((Instant::now() + delay, backend));
            }
            Action::FallBack if self.started_backends < self.order.len() => {
                let next = self.order[self.started_backends];
                self.started_backends += 1;
                self.reporter.warn(&format!("{name} failed for {} ({}); falling back to {}", self.url, e.message, self.backend_name(next)));
                let url = self.url.clone();
                self.start(next, url, 0);
            }
            Action::FallBack => {}
        }
        Ok(None)
    }

    /// The error to report: the definitive answer when there was one, else "all backends stalled"
    /// when attempts ran into their hard deadlines, else the last failure.
    fn final_error(&self, definitive: bool) -> DownloadError {
        let url = self.url.to_string();
        if !definitive && !self.stalled.is_empty() {
            let last = self
                .last_error
                .as_ref()
                .map(|(b, e)| format!("; before that {} failed: {}", self.backend_name(*b), e.message))
                .unwrap_or_default();
            return DownloadError::AllStalled { url, detail: format!("{}{last}", self.stalled.join(", ")) };
        }
        match &self.last_error {
            Some((_, AttemptError { kind: Kind::Status(status), .. })) if policy::is_not_found(*status) => {
                DownloadError::NotFound { url, status: *status }
            }
            Some((b, e)) => DownloadError::Failed { url, backend: self.backend_name(*b), message: e.message.clone(), kind: e.kind },
            None => DownloadError::AllStalled { url, detail: self.stalled.join(", ") },
        }
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
                Ok(Out::Head) => {}
                Ok(Out::End) => self.finished = true,
                Err(e) => return Err(io::Error::other(e)),
            }
        }
    }
}

impl Drop for Transfer<'_> {
    fn drop(&mut self) {
        for a in &self.live {
            a.cancel.store(true, Ordering::Relaxed);
        }
    }
}
