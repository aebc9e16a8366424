//! The transfer scheduler as a pure state machine: what arrived (a head, `n` body bytes, the end,
//! an error) and the clock in, decisions out (start an attempt, abandon one, deliver bytes, say
//! something, finish, fail). It owns no thread, channel or timer, so every race the driver in
//! [`super::transfer`] can meet is a table test here with a fake clock.
//!
//! The rules (the module doc of [`super::transfer`] states them for users):
//! - **Offsets, not order, decide what is delivered.** Each attempt knows the file offset of its
//!   next byte (the offset it asked for when the server answered 206, byte 0 when it answered 200).
//!   Of a chunk, only the bytes past the current position are delivered; a chunk entirely before it
//!   is dropped. The attempt that delivers the next byte is crowned and every other is abandoned.
//!   A hedge that starts behind a recovered winner therefore can never splice old bytes at a new
//!   offset: it delivers nothing until it overtakes, and it is abandoned when the winner recovers.
//! - **Stall**: no byte for the stall timeout, or a stall window (same length) with less than the
//!   low-speed limit on average → one hedge: the next unused backend, else a new connection of
//!   the same backend while it has retries left (a hedge stalling behind a leader gets none). A
//!   stalled attempt that completes a window at the low-speed limit again has recovered: its
//!   hedges are abandoned and it is watched again.
//! - **Hard deadline**: an attempt without a good window (or, before its first byte, without any
//!   answer) for `RUSTUP_DOWNLOAD_TIMEOUT` is abandoned. Slow bytes do not renew it. When nothing
//!   is left running, the next unused backend starts; an attempt that was receiving (too slowly)
//!   gets a new connection while retries remain; otherwise the transfer fails, listing every
//!   connection tried.
//! - **Failures** go through [`policy::decide`]; a 416 to an in-run resume starts over from byte
//!   0 on the same backend (the bytes before the position are dropped, not delivered twice).
//!
//! - **Several dist servers** (`TCUP_DIST_SERVERS`, docs/design.md download-13): the same file on each
//!   server is one more source, like another backend. An attempt is a (server, backend) pair.
//!   A final answer about the server (refused, DNS, 404, other 4xx) moves to the next server at
//!   once; a stall or a deadline hedges on the next server before another backend on the same
//!   one; certificate and TLS failures try the next backend on the same server first; 5xx and 429
//!   retry on the same pair and then move to the next server. A server that stalled, refused,
//!   ran into its deadline or ran out of 5xx retries is [`Decision::Demote`]d: the downloader
//!   stops trying it first for the rest of the run. With one server nothing of this applies and
//!   every message is as it was.
//!
//! Bound: the attempts are finite (each (server, backend) pair at most `1 + RUSTUP_MAX_RETRIES`
//! times, plus redirects), and each lives at most `RUSTUP_DOWNLOAD_TIMEOUT` past its last window
//! at the low-speed limit; so a server can hold a download only by delivering at least
//! `TCUP_LOW_SPEED_LIMIT` bytes/s.

use std::fmt::Write as _;
use std::time::Duration;

use url::Url;

use super::policy::{self, Action, Kind};
use super::{AttemptError, DownloadError, Head};

/// Most redirects followed.
pub(super) const MAX_REDIRECTS: u32 = 10;

/// The limits and backends one transfer works with.
#[derive(Debug, Clone)]
pub(super) struct Config {
    /// No byte for this long (or a window this long below `low_speed`) is a stall.
    pub stall: Duration,
    /// Bytes per second.
    pub low_speed: u64,
    /// An attempt without a good window for this long is abandoned.
    pub hard: Duration,
    /// `RUSTUP_MAX_RETRIES`.
    pub retries: u32,
    /// Names of all backends, by index.
    pub names: Vec<&'static str>,
    /// Backend indices in the order to try (on every server).
    pub order: Vec<usize>,
    /// Display names (`host:port`) of the dist servers the file is tried on, in order; one entry
    /// when the URL is on no configured server or only one is configured.
    pub servers: Vec<String>,
    /// Per server: it was demoted earlier in this run (it stalled or refused). A demoted server
    /// is not hedged across backends when it stalls again, and is not asked for a file another
    /// server said it does not have.
    pub demoted: Vec<bool>,
}

/// What arrived from attempt `id`.
#[derive(Debug, Clone)]
pub(super) enum Input {
    /// Status and headers.
    Head(Head),
    /// This many body bytes (the driver keeps the bytes).
    Data(usize),
    /// The body ended cleanly.
    End,
    /// The attempt failed.
    Error(AttemptError),
}

/// A new attempt to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Start {
    /// Its id (events carry it).
    pub id: u64,
    /// Index of the dist server (into [`Config::servers`]).
    pub server: usize,
    /// Backend index.
    pub backend: usize,
    /// The URL (after redirects).
    pub url: Url,
    /// First byte asked for (`Range` when non-zero).
    pub offset: u64,
    /// `If-Range` validator to send with the range.
    pub if_range: Option<String>,
}

/// What the driver must do.
#[derive(Debug)]
pub(super) enum Decision {
    /// Run this attempt on a new thread.
    Start(Start),
    /// Stop attempt `id`: its bytes must never reach the reader.
    Abandon(u64),
    /// Of the chunk just given, deliver the bytes from index `skip` on.
    Deliver { skip: usize },
    /// The first usable head: `open` may return; the body starts at byte `start`.
    Head { head: Head, start: u64 },
    /// The body is complete.
    Finish,
    /// The transfer failed for good.
    Fail(DownloadError),
    /// Remember this backend for the host of this server's URL (it delivered after another was
    /// abandoned).
    Prefer { server: usize, backend: usize },
    /// This dist server stalled, refused, ran into its deadline or ran out of retries: do not try
    /// it first again in this run (only with several servers).
    Demote(usize),
    /// A warning for the user.
    Warn(String),
    /// An information line for the user.
    Info(String),
    /// A `--verbose` line.
    Verbose(String),
    /// The same backend tries again (a new attempt or a new connection); shown as an information
    /// line (`warn`: a warning, for a stall), or a `retry` event in JSON mode.
    Retry { message: String, warn: bool },
    /// Another backend takes over or joins (a failure or a stall); shown as a warning, or a
    /// `fallback` event in JSON mode.
    Fallback(String),
}

#[derive(Debug)]
struct Attempt {
    id: u64,
    server: usize,
    backend: usize,
    url: Url,
    redirects: u32,
    requested: u64,
    /// File offset of the next byte, known once a 2xx head arrived.
    next: Option<u64>,
    received: u64,
    last_byte: Duration,
    last_good: Duration,
    window_start: Duration,
    window_bytes: u64,
    /// Set while a stall was seen and not recovered from (hedged at most once per stall).
    stalled: bool,
}

/// The scheduler of one transfer. Times are durations since the transfer started.
pub(super) struct Schedule {
    cfg: Config,
    /// The file's URL on the first server (used in messages).
    url: Url,
    /// The file's URL on each server, by server index.
    urls: Vec<Url>,
    caller_offset: u64,
    caller_if_range: Option<String>,
    validator: Option<String>,
    pos: u64,
    live: Vec<Attempt>,
    winner: Option<u64>,
    /// Per server: how many backends of `order` were started on it (0: the server is unused).
    used: Vec<usize>,
    /// Per server and backend: attempts made.
    tries: Vec<Vec<u32>>,
    /// Per server: it gave a final answer (refused, not found…).
    dead: Vec<bool>,
    /// Retries due: (time, server, backend).
    pending: Vec<(Duration, usize, usize)>,
    history: Vec<String>,
    last_error: Option<(usize, usize, AttemptError)>,
    definitive: Option<(usize, usize, AttemptError)>,
    /// The last "not on this server" answer (404, 403, 410).
    not_found: Option<(usize, usize, AttemptError)>,
    /// The last attempt to end ran into its hard deadline.
    deadline_last: bool,
    head_sent: bool,
    done: bool,
    next_id: u64,
    jitter: Box<dyn FnMut() -> f64 + Send>,
    out: Vec<Decision>,
}

fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 { format!("{s:.0} s") } else { format!("{s:.1} s") }
}

impl Schedule {
    /// A transfer of the file at `urls` (one URL per server of `cfg.servers`, in order) from byte
    /// `offset` (with the caller's `If-Range` validator); the first attempt starts at once.
    /// `jitter` yields retry jitter in [0, 1) (tests pass a constant).
    pub(super) fn new(
        cfg: Config,
        urls: Vec<Url>,
        offset: u64,
        if_range: Option<String>,
        jitter: Box<dyn FnMut() -> f64 + Send>,
    ) -> (Schedule, Vec<Decision>) {
        assert_eq!(urls.len(), cfg.servers.len(), "one URL per server");
        let (n, m) = (cfg.names.len(), urls.len());
        let mut s = Schedule {
            cfg,
            url: urls[0].clone(),
            urls,
            caller_offset: offset,
            caller_if_range: if_range,
            validator: None,
            pos: offset,
            live: Vec::new(),
            winner: None,
            used: vec![0; m],
            tries: vec![vec![0; n]; m],
            dead: vec![false; m],
            pending: Vec::new(),
            history: Vec::new(),
            last_error: None,
            definitive: None,
            not_found: None,
            deadline_last: false,
            head_sent: false,
            done: false,
            next_id: 0,
            jitter,
            out: Vec::new(),
        };
        let (server, backend) = s.next_server().expect("at least one server");
        s.start(server, backend, Duration::ZERO);
        let out = std::mem::take(&mut s.out);
        (s, out)
    }

    /// The offset of the next byte to deliver.
    #[cfg(test)]
    pub(super) fn pos(&self) -> u64 {
        self.pos
    }

    /// When [`Schedule::tick`] must next be called, if anything is running or waiting.
    pub(super) fn next_wake(&self) -> Option<Duration> {
        let at = |base: Duration, d: Duration| base.checked_add(d).unwrap_or(Duration::MAX);
        let timers = self.live.iter().flat_map(|a| {
            let quiet = if a.stalled { Duration::MAX } else { at(a.last_byte, self.cfg.stall) };
            [at(a.last_good, self.cfg.hard), at(a.window_start, self.cfg.stall), quiet]
        });
        self.pending.iter().map(|(t, ..)| *t).chain(timers).min().filter(|_| !self.done)
    }

    /// Attempt `id` reported `input` at time `now`.
    pub(super) fn on(&mut self, id: u64, input: Input, now: Duration) -> Vec<Decision> {
        if !self.done
            && let Some(i) = self.live.iter().position(|a| a.id == id)
        {
            match input {
                Input::Head(head) => self.on_head(i, head, now),
                Input::Data(n) => self.on_data(i, n as u64, now),
                Input::End => self.on_end(i, now),
                Input::Error(e) => self.on_error(i, e, None, now),
            }
        }
        std::mem::take(&mut self.out)
    }

    /// Time passed: retries fall due, stalls and deadlines are checked.
    pub(super) fn tick(&mut self, now: Duration) -> Vec<Decision> {
        if self.done {
            return Vec::new();
        }
        let due: Vec<(usize, usize)> = self.pending.iter().filter(|(t, ..)| *t <= now).map(|(_, s, b)| (*s, *b)).collect();
        self.pending.retain(|(t, ..)| *t > now);
        for (s, b) in due {
            self.tries[s][b] += 1;
            self.start(s, b, now);
        }
        let ids: Vec<u64> = self.live.iter().map(|a| a.id).collect();
        for id in ids {
            if self.done {
                break;
            }
            if let Some(i) = self.live.iter().position(|a| a.id == id) {
                self.watch(i, now);
            }
        }
        std::mem::take(&mut self.out)
    }

    /// How an attempt is named in messages: the backend, and the server when there are several.
    fn name(&self, s: usize, b: usize) -> String {
        if self.cfg.servers.len() > 1 { format!("{} via {}", self.cfg.names[b], self.cfg.servers[s]) } else { self.cfg.names[b].to_owned() }
    }

    fn multi(&self) -> bool {
        self.cfg.servers.len() > 1
    }

    /// A first attempt of (`server`, `backend`) at the current position.
    fn start(&mut self, server: usize, backend: usize, now: Duration) {
        let url = self.urls[server].clone();
        self.start_at(server, backend, url, 0, self.pos, now);
    }

    fn start_at(&mut self, server: usize, backend: usize, url: Url, redirects: u32, offset: u64, now: Duration) {
        if redirects == 0 && self.tries[server][backend] == 0 {
            self.tries[server][backend] = 1;
        }
        let id = self.next_id;
        self.next_id += 1;
        let if_range = if offset > 0 { self.caller_if_range.clone().or_else(|| self.validator.clone()) } else { None };
        self.out.push(Decision::Verbose(format!("{}: GET {url} from byte {offset}", self.name(server, backend))));
        self.out.push(Decision::Start(Start { id, server, backend, url: url.clone(), offset, if_range }));
        self.live.push(Attempt {
            id,
            server,
            backend,
            url,
            redirects,
            requested: offset,
            next: None,
            received: 0,
            last_byte: now,
            last_good: now,
            window_start: now,
            window_bytes: 0,
            stalled: false,
        });
    }

    fn remove(&mut self, i: usize) -> Attempt {
        let a = self.live.remove(i);
        self.out.push(Decision::Abandon(a.id));
        if self.winner == Some(a.id) {
            self.winner = None;
        }
        a
    }

    /// The next backend not yet started on `server`.
    fn next_unused(&mut self, server: usize) -> Option<usize> {
        let b = self.cfg.order.get(self.used[server]).copied()?;
        self.used[server] += 1;
        Some(b)
    }

    /// The first backend on the next server not yet used (and not dead); `healthy`: not demoted.
    fn next_server_where(&mut self, healthy: bool) -> Option<(usize, usize)> {
        let s = (0..self.urls.len()).find(|&s| self.used[s] == 0 && !self.dead[s] && !(healthy && self.cfg.demoted[s]))?;
        self.next_unused(s).map(|b| (s, b))
    }

    fn next_server(&mut self) -> Option<(usize, usize)> {
        self.next_server_where(false)
    }

    /// Where to go from `server`: another server first (`server_first`), else the next backend
    /// on the same server; or the other way round. A demoted server gets no second backend.
    fn next_source(&mut self, server: usize, server_first: bool) -> Option<(usize, usize)> {
        if self.cfg.demoted[server] {
            return self.next_server();
        }
        if server_first {
            self.next_server().or_else(|| self.next_unused(server).map(|b| (server, b)))
        } else {
            self.next_unused(server).map(|b| (server, b)).or_else(|| self.next_server())
        }
    }

    fn demote(&mut self, server: usize) {
        if self.multi() {
            self.out.push(Decision::Demote(server));
        }
    }

    fn on_head(&mut self, i: usize, head: Head, now: Duration) {
        let status = head.status;
        if (300..400).contains(&status) && status != 304 {
            return self.redirect(i, head.location.as_deref(), now);
        }
        let a = &self.live[i];
        if status == 416 && a.requested > 0 && (self.head_sent || a.requested != self.caller_offset) {
            // An in-run resume refused: start over on the same backend, dropping bytes up to pos.
            let (server, backend, url, redirects) = (a.server, a.backend, a.url.clone(), a.redirects);
            self.out.push(Decision::Info(format!(
                "{}: {} cannot resume at byte {} (HTTP 416); reading it from byte 0 up to there again",
                self.name(server, backend),
                self.url,
                a.requested
            )));
            self.remove(i);
            return self.start_at(server, backend, url, redirects, 0, now);
        }
        if !(200..300).contains(&status) {
            let kind = if status == 416 { Kind::RangeNotSatisfiable } else { Kind::Status(status) };
            let e = AttemptError { kind, message: format!("HTTP {status}") };
            return self.on_error(i, e, head.retry_after, now);
        }
        let a = &mut self.live[i];
        a.next = Some(if status == 206 { a.requested } else { 0 });
        a.last_byte = now;
        a.last_good = now;
        a.window_start = now;
        a.window_bytes = 0;
        if !self.head_sent {
            self.head_sent = true;
            if status != 206 {
                // A 200 to the caller's range request: the body starts at byte 0.
                self.pos = 0;
            }
            self.validator.clone_from(&head.validator);
            self.out.push(Decision::Head { head, start: self.pos });
        }
    }

    fn redirect(&mut self, i: usize, location: Option<&str>, now: Duration) {
        let a = &self.live[i];
        let (server, backend, from, redirects) = (a.server, a.backend, a.url.clone(), a.redirects + 1);
        let fail = |message: String| AttemptError { kind: Kind::Redirect, message };
        let Some(Ok(target)) = location.map(|l| from.join(l)) else {
            return self.on_error(i, fail(format!("redirect from {from} without a valid Location")), None, now);
        };
        if !matches!(target.scheme(), "http" | "https") {
            // An http server must not make tcup read local files (file://) or speak another
            // protocol: only http and https are followed (issue 28.9).
            return self.on_error(
                i,
                fail(format!("refusing redirect from {from} to {target}: only http:// and https:// are followed")),
                None,
                now,
            );
        }
        if from.scheme() == "https" && target.scheme() != "https" {
            return self.on_error(i, fail(format!("refusing redirect from https to insecure {target}")), None, now);
        }
        if redirects > MAX_REDIRECTS {
            return self.on_error(i, fail(format!("more than {MAX_REDIRECTS} redirects (last to {target})")), None, now);
        }
        let offset = a.requested;
        self.remove(i);
        self.start_at(server, backend, target, redirects, offset, now);
    }

    fn on_data(&mut self, i: usize, n: u64, now: Duration) {
        let a = &mut self.live[i];
        a.received += n;
        a.window_bytes += n;
        a.last_byte = now;
        let next = a.next.unwrap_or(a.requested);
        let end = next + n;
        a.next = Some(end);
        if end <= self.pos {
            return; // catching up: every byte is already delivered
        }
        if next > self.pos {
            // Cannot happen (bytes past pos are always delivered): refuse rather than leave a gap.
            let e = AttemptError { kind: Kind::Other, message: format!("bytes from {next} while {} were expected", self.pos) };
            return self.on_error(i, e, None, now);
        }
        let skip = usize::try_from(self.pos - next).expect("less than the chunk");
        let id = a.id;
        if self.winner != Some(id) {
            self.crown(id);
        }
        self.pos = end;
        self.out.push(Decision::Deliver { skip });
    }

    /// Attempt `id` delivered the next byte: it wins, every other attempt is abandoned.
    fn crown(&mut self, id: u64) {
        let i = self.live.iter().position(|a| a.id == id).expect("live");
        let (server, backend) = (self.live[i].server, self.live[i].backend);
        let name = self.name(server, backend);
        let old = self.winner;
        let others: Vec<(u64, usize, usize, u64)> =
            self.live.iter().filter(|a| a.id != id).map(|a| (a.id, a.server, a.backend, a.received)).collect();
        for (other, s, b, received) in others {
            let them = if (s, b) == (server, backend) { format!("the earlier {name} connection") } else { self.name(s, b) };
            let msg = if Some(other) == old || received > 0 {
                format!("{name} overtook {them} at byte {} of {}; abandoning {them}", self.pos, self.url)
            } else {
                format!("{name} delivered {} first; abandoning {them}", self.url)
            };
            self.out.push(Decision::Warn(msg));
            self.history.push(format!("{them}: overtaken by {name} at byte {}", self.pos));
            let j = self.live.iter().position(|a| a.id == other).expect("live");
            self.remove(j);
        }
        self.winner = Some(id);
        self.pending.clear();
        if old.is_some() || backend != self.cfg.order[0] {
            self.out.push(Decision::Prefer { server, backend });
        }
    }

    fn on_end(&mut self, i: usize, now: Duration) {
        let a = &self.live[i];
        let at = a.next.unwrap_or(a.requested);
        if at < self.pos {
            let e = AttemptError { kind: Kind::Truncated, message: format!("the body ended at byte {at}, before byte {}", self.pos) };
            return self.on_error(i, e, None, now);
        }
        let id = a.id;
        if self.winner != Some(id) {
            self.crown(id);
        }
        let i = self.live.iter().position(|a| a.id == id).expect("live");
        self.remove(i);
        self.done = true;
        self.out.push(Decision::Finish);
    }

    fn on_error(&mut self, i: usize, e: AttemptError, retry_after: Option<Duration>, now: Duration) {
        let attempt = self.remove(i);
        let (s, b) = (attempt.server, attempt.backend);
        let name = self.name(s, b);
        self.history.push(format!("{name}: {}", e.message));
        let action = policy::decide(e.kind, self.tries[s][b], self.cfg.retries, retry_after, (self.jitter)());
        self.last_error = Some((s, b, e.clone()));
        self.deadline_last = false;
        match action {
            Action::Fail => {
                self.dead[s] = true;
                // A mirror that lacks a file is normal (it may carry stable only): no demotion,
                // and the move to the next server is a --verbose line, not a warning per file.
                let not_found = matches!(e.kind, Kind::Status(status) if policy::is_not_found(status));
                if !not_found {
                    self.demote(s);
                }
                // A file one server does not have is not worth a stall on a server that already
                // stalled in this run.
                if let Some((s2, b2)) = self.next_server_where(not_found) {
                    let next = self.name(s2, b2);
                    let msg = format!("{name} failed for {} ({}); trying {next}", self.url, e.message);
                    self.out.push(if not_found { Decision::Verbose(msg) } else { Decision::Fallback(msg) });
                    self.start(s2, b2, now);
                }
                if not_found {
                    self.not_found = Some((s, b, e.clone()));
                }
                self.definitive = Some((s, b, e));
            }
            Action::Retry(delay) => {
                let message = format!(
                    "{name}: {} failed ({}); retry {} of {} in {}",
                    self.url,
                    e.message,
                    self.tries[s][b],
                    self.cfg.retries,
                    secs(delay)
                );
                self.out.push(Decision::Retry { message, warn: false });
                self.pending.push((now.saturating_add(delay), s, b));
            }
            Action::FallBack => {
                // A server answering 5xx/429 after every retry is the server's fault; a TLS or
                // certificate failure is the backend's.
                let server_fault = matches!(e.kind, Kind::Status(_));
                if server_fault {
                    self.demote(s);
                }
                if let Some((s2, b2)) = self.next_source(s, server_fault) {
                    let next = self.name(s2, b2);
                    self.out.push(Decision::Fallback(format!("{name} failed for {} ({}); falling back to {next}", self.url, e.message)));
                    self.start(s2, b2, now);
                }
            }
        }
        self.check_done();
    }

    fn check_done(&mut self) {
        if self.live.is_empty() && self.pending.is_empty() && !self.done {
            self.done = true;
            let e = self.final_error();
            self.out.push(Decision::Fail(e));
        }
    }

    /// Stall and deadline checks of attempt `i`.
    fn watch(&mut self, i: usize, now: Duration) {
        let cfg = &self.cfg;
        let a = &mut self.live[i];
        if now.saturating_sub(a.last_good) >= cfg.hard {
            return self.deadline(i, now);
        }
        let window = now.saturating_sub(a.window_start);
        if window >= cfg.stall {
            // Integer arithmetic: bytes received against limit × window (in milliseconds).
            let good = a.window_bytes > 0 && u128::from(a.window_bytes) * 1000 >= u128::from(cfg.low_speed) * window.as_millis();
            let bytes = a.window_bytes;
            a.window_start = now;
            a.window_bytes = 0;
            if good {
                a.last_good = now;
                if a.stalled {
                    a.stalled = false;
                    self.recovered(i, bytes, window);
                    return;
                }
            } else if a.next.is_some() && !a.stalled && bytes > 0 {
                let why = format!("{bytes} bytes in {}, below {} bytes/s", secs(window), cfg.low_speed);
                return self.stalled(i, &why, now);
            }
        }
        let a = &self.live[i];
        let quiet = now.saturating_sub(a.last_byte);
        if !a.stalled && quiet >= self.cfg.stall {
            self.stalled(i, &format!("no data for {}", secs(quiet)), now);
        }
    }

    /// Attempt `i` is back at the low-speed limit: the hedges started for it go.
    fn recovered(&mut self, i: usize, bytes: u64, window: Duration) {
        let id = self.live[i].id;
        if self.winner != Some(id) {
            return;
        }
        let name = self.name(self.live[i].server, self.live[i].backend);
        let others: Vec<u64> = self.live.iter().filter(|a| a.id != id).map(|a| a.id).collect();
        if others.is_empty() {
            return;
        }
        let them: Vec<String> = self.live.iter().filter(|a| a.id != id).map(|a| self.name(a.server, a.backend)).collect();
        self.out.push(Decision::Warn(format!(
            "{name} recovered on {} ({bytes} bytes in {}); abandoning {}",
            self.url,
            secs(window),
            them.join(", ")
        )));
        for other in others {
            let j = self.live.iter().position(|a| a.id == other).expect("live");
            let them = self.name(self.live[j].server, self.live[j].backend);
            self.history.push(format!("{them}: abandoned when {name} recovered"));
            self.remove(j);
        }
    }

    /// Attempt `i` stalled: one hedge beside it. A hedge that stalls while another attempt
    /// leads gets none: hedges replace the leader, and the leader's own recovery must not lose
    /// to a hedge of a hedge.
    fn stalled(&mut self, i: usize, why: &str, now: Duration) {
        self.live[i].stalled = true;
        if self.winner.is_some_and(|w| w != self.live[i].id) {
            return;
        }
        let (server, backend) = (self.live[i].server, self.live[i].backend);
        let name = self.name(server, backend);
        self.demote(server);
        if let Some((s2, b2)) = self.next_source(server, true) {
            self.out.push(Decision::Fallback(format!(
                "{name} stalled on {} ({why}); trying {} from byte {} while {name} keeps going",
                self.url,
                self.name(s2, b2),
                self.pos
            )));
            self.start(s2, b2, now);
        } else if self.tries[server][backend] <= self.cfg.retries && !self.cfg.demoted[server] {
            self.tries[server][backend] += 1;
            let message = format!(
                "{name} stalled on {} ({why}); opening a new connection from byte {} while the first keeps going",
                self.url, self.pos
            );
            self.out.push(Decision::Retry { message, warn: true });
            self.start(server, backend, now);
        } else {
            self.out.push(Decision::Warn(format!(
                "{name} stalled on {} ({why}); no backend or retry left: abandoning it after {} without progress",
                self.url,
                secs(self.cfg.hard)
            )));
        }
    }

    /// Attempt `i` ran into its hard deadline.
    fn deadline(&mut self, i: usize, now: Duration) {
        let a = self.remove(i);
        let (s, b) = (a.server, a.backend);
        let name = self.name(s, b);
        let what = if a.received == 0 {
            format!("nothing received for {}", secs(self.cfg.hard))
        } else {
            format!("below {} bytes/s for {}", self.cfg.low_speed, secs(self.cfg.hard))
        };
        self.history.push(format!("{name}: {what}"));
        self.deadline_last = true;
        let mut msg = format!("abandoning {name} for {}: {what}", self.url);
        self.demote(s);
        if self.live.is_empty() && self.pending.is_empty() {
            if let Some((s2, b2)) = self.next_source(s, true) {
                let _ = write!(msg, "; trying {}", self.name(s2, b2));
                self.out.push(Decision::Fallback(msg));
                return self.start(s2, b2, now);
            }
            if a.received > 0 && self.tries[s][b] <= self.cfg.retries && !self.cfg.demoted[s] {
                self.tries[s][b] += 1;
                let _ = write!(msg, "; new connection (retry {} of {})", self.tries[s][b] - 1, self.cfg.retries);
                self.out.push(Decision::Retry { message: msg, warn: true });
                return self.start(s, b, now);
            }
        }
        self.out.push(Decision::Warn(msg));
        self.check_done();
    }

    /// The error to report: a definitive answer when every server gave one (the last); "not
    /// found" when a server said so and the others only stalled or could not be reached; "all
    /// backends stalled" with every connection tried when the last one ran into its deadline;
    /// else the last failure. The URL is the one on the server that answered.
    fn final_error(&self) -> DownloadError {
        let unreachable = |e: &AttemptError| matches!(e.kind, Kind::Connect);
        let (s, b, e) = match (&self.definitive, &self.last_error) {
            _ if self.not_found.is_some() && (self.deadline_last || self.last_error.as_ref().is_some_and(|l| unreachable(&l.2))) => {
                self.not_found.as_ref().expect("checked")
            }
            (Some(d), _) if self.dead.iter().all(|d| *d) => d,
            (_, Some(last)) if !self.deadline_last => last,
            _ => return DownloadError::AllStalled { url: self.url.to_string(), detail: self.history.join("; ") },
        };
        let url = self.urls[*s].to_string();
        match e.kind {
            Kind::Status(status) if policy::is_not_found(status) => DownloadError::NotFound { url, status },
            kind => DownloadError::Failed { url, backend: self.cfg.names[*b], message: e.message.clone(), kind },
        }
    }
}

#[cfg(test)]
#[path = "schedule_tests.rs"]
mod tests;
