//! Table tests of the scheduler with a fake clock: each case feeds events and times and compares
//! the decisions, rendered one per line (prefixes of the expected lines must match).

use std::time::Duration;

use url::Url;

use super::{Config, Decision, Input, Schedule};
use crate::download::policy::Kind;
use crate::download::{AttemptError, Head};

const NAMES: [&str; 3] = ["rustls", "curl", "native-tls"];

struct Clock {
    s: Schedule,
    now: Duration,
}

fn cfg(backends: usize, stall: u64, hard: u64, retries: u32) -> Config {
    Config {
        stall: Duration::from_secs(stall),
        low_speed: 10,
        hard: Duration::from_secs(hard),
        retries,
        names: NAMES.to_vec(),
        order: (0..backends).collect(),
        servers: vec!["dist.test".into()],
        demoted: vec![false],
    }
}

/// `cfg` with the file on `servers` dist servers: `a.test`, `b.test`, … (`/f.tar.xz` on the first,
/// `/m1/f.tar.xz` on the second, and so on, so a rendered start shows its server).
fn multi(servers: usize, backends: usize, stall: u64, hard: u64, retries: u32) -> (Config, Vec<Url>) {
    let mut c = cfg(backends, stall, hard, retries);
    c.demoted = vec![false; servers];
    c.servers = (0..servers).map(|i| format!("{}.test", char::from(b'a' + u8::try_from(i).unwrap()))).collect();
    let urls = (0..servers)
        .map(|i| {
            let prefix = if i == 0 { String::new() } else { format!("/m{i}") };
            Url::parse(&format!("https://{}{prefix}/f.tar.xz", c.servers[i])).unwrap()
        })
        .collect();
    (c, urls)
}

fn url() -> Url {
    Url::parse("https://dist.test/f.tar.xz").unwrap()
}

fn render(d: &Decision) -> Option<String> {
    Some(match d {
        Decision::Start(s) => {
            let ir = s.if_range.as_deref().map(|v| format!(" if-range {v}")).unwrap_or_default();
            format!("start #{} {} {} @{}{ir}", s.id, NAMES[s.backend], s.url.path(), s.offset)
        }
        Decision::Abandon(id) => format!("abandon #{id}"),
        Decision::Deliver { skip } => format!("deliver skip {skip}"),
        Decision::Head { head, start } => format!("head {} start {start}", head.status),
        Decision::Finish => "finish".into(),
        Decision::Fail(e) => format!("fail: {e}"),
        Decision::Prefer { backend, .. } => format!("prefer {}", NAMES[*backend]),
        Decision::Demote(s) => format!("demote {s}"),
        Decision::Warn(m) | Decision::Fallback(m) | Decision::Retry { message: m, warn: true } => format!("warn: {m}"),
        Decision::Info(m) | Decision::Retry { message: m, warn: false } => format!("info: {m}"),
        Decision::Verbose(_) => return None,
    })
}

#[track_caller]
fn check(got: &[Decision], want: &[&str]) {
    let got: Vec<String> = got.iter().filter_map(render).collect();
    assert_eq!(got.len(), want.len(), "got {got:#?}\nwant {want:#?}");
    for (g, w) in got.iter().zip(want) {
        assert!(g.starts_with(w), "got {got:#?}\nwant {want:#?}");
    }
}

impl Clock {
    #[track_caller]
    fn new(cfg: Config, offset: u64, want: &[&str]) -> Clock {
        Clock::on(cfg, vec![url()], offset, want)
    }
    #[track_caller]
    fn on(cfg: Config, urls: Vec<Url>, offset: u64, want: &[&str]) -> Clock {
        let (s, d) = Schedule::new(cfg, urls, offset, None, Box::new(|| 0.0));
        check(&d, want);
        Clock { s, now: Duration::ZERO }
    }
    /// Moves the clock to `t` seconds, ticking at every timer on the way; the decisions of all ticks.
    fn to(&mut self, t: f64) -> Vec<Decision> {
        let target = Duration::from_secs_f64(t);
        let mut out = Vec::new();
        while let Some(w) = self.s.next_wake().filter(|w| *w <= target) {
            self.now = w.max(self.now);
            out.extend(self.s.tick(self.now));
        }
        self.now = target;
        out
    }
    #[track_caller]
    fn at(&mut self, t: f64, want: &[&str]) {
        let d = self.to(t);
        check(&d, want);
    }
    #[track_caller]
    fn ev(&mut self, t: f64, id: u64, input: Input, want: &[&str]) {
        let mut d = self.to(t);
        d.extend(self.s.on(id, input, self.now));
        check(&d, want);
    }
}

fn head(status: u16) -> Input {
    Input::Head(Head { status, len: Some(1000), validator: Some("\"v1\"".into()), ..Head::default() })
}

fn err(kind: Kind, message: &str) -> Input {
    Input::Error(AttemptError { kind, message: message.into() })
}

#[test]
fn plain_download() {
    let mut c = Clock::new(cfg(3, 2, 10, 3), 0, &["start #0 rustls /f.tar.xz @0"]);
    c.ev(0.1, 0, head(200), &["head 200 start 0"]);
    c.ev(0.2, 0, Input::Data(600), &["deliver skip 0"]);
    c.ev(0.3, 0, Input::Data(400), &["deliver skip 0"]);
    c.ev(0.4, 0, Input::End, &["abandon #0", "finish"]);
    assert_eq!(c.s.next_wake(), None);
}

#[test]
fn stall_then_hedge_wins() {
    let mut c = Clock::new(cfg(3, 2, 10, 3), 0, &["start #0"]);
    c.ev(0.1, 0, head(200), &["head 200"]);
    c.ev(0.2, 0, Input::Data(100), &["deliver skip 0"]);
    c.at(
        2.2,
        &[
            "warn: rustls stalled on https://dist.test/f.tar.xz (no data for 2 s); trying curl from byte 100",
            "start #1 curl /f.tar.xz @100 if-range \"v1\"",
        ],
    );
    c.ev(2.5, 1, head(206), &[]);
    c.ev(
        2.6,
        1,
        Input::Data(900),
        &[
            "warn: curl overtook rustls at byte 100 of https://dist.test/f.tar.xz; abandoning rustls",
            "abandon #0",
            "prefer curl",
            "deliver skip 0",
        ],
    );
    c.ev(2.7, 0, Input::Data(900), &[]); // the abandoned attempt's late bytes go nowhere
    c.ev(2.8, 1, Input::End, &["abandon #1", "finish"]);
}

/// Defect 1: the winner stalls, a slow hedge starts at the old offset, the winner recovers.
#[test]
fn stall_recover_with_slow_hedge_never_splices() {
    let mut c = Clock::new(cfg(3, 2, 30, 3), 0, &["start #0"]);
    c.ev(0.0, 0, head(200), &["head 200"]);
    c.ev(0.1, 0, Input::Data(64), &["deliver skip 0"]);
    c.at(2.1, &["warn: rustls stalled", "start #1 curl /f.tar.xz @64"]);
    // The winner comes back and keeps delivering: its bytes are past pos, it stays the winner.
    c.ev(3.0, 0, Input::Data(100), &["deliver skip 0"]);
    // The slow hedge answers now, at its old offset 64: its bytes are behind pos 164.
    c.ev(3.5, 1, head(206), &[]);
    c.ev(3.6, 1, Input::Data(50), &[]);
    // Part past pos would be delivered from the right index, never appended whole.
    c.ev(3.7, 1, Input::Data(120), &["warn: curl overtook rustls at byte 164", "abandon #0", "prefer curl", "deliver skip 50"]);
}

#[test]
fn recovered_winner_abandons_its_hedge() {
    let mut c = Clock::new(cfg(3, 2, 30, 3), 0, &["start #0"]);
    c.ev(0.0, 0, head(200), &["head 200"]);
    c.ev(0.1, 0, Input::Data(64), &["deliver skip 0"]);
    c.at(2.1, &["warn: rustls stalled", "start #1 curl /f.tar.xz @64"]);
    c.ev(2.5, 0, Input::Data(100), &["deliver skip 0"]);
    c.at(4.1, &["warn: rustls recovered on https://dist.test/f.tar.xz (100 bytes in 2 s); abandoning curl", "abandon #1"]);
    c.ev(4.2, 1, head(206), &[]); // late answer of the abandoned hedge: ignored
}

/// Defect 3: a second stall after recovery is watched and hedged again.
#[test]
fn stall_recover_stall_hedges_twice() {
    let mut c = Clock::new(cfg(3, 2, 30, 3), 0, &["start #0"]);
    c.ev(0.0, 0, head(200), &["head 200"]);
    c.ev(0.1, 0, Input::Data(64), &["deliver skip 0"]);
    c.at(2.1, &["warn: rustls stalled", "start #1 curl /f.tar.xz @64"]);
    c.ev(2.5, 0, Input::Data(100), &["deliver skip 0"]);
    c.at(4.1, &["warn: rustls recovered", "abandon #1"]);
    c.at(
        4.6,
        &[
            "warn: rustls stalled on https://dist.test/f.tar.xz (no data for 2 s); trying native-tls from byte 164",
            "start #2 native-tls /f.tar.xz @164",
        ],
    );
    c.ev(4.7, 2, head(206), &[]);
    c.ev(4.8, 2, Input::Data(836), &["warn: native-tls overtook rustls at byte 164", "abandon #0", "prefer native-tls", "deliver skip 0"]);
    c.ev(4.9, 2, Input::End, &["abandon #2", "finish"]);
}

#[test]
fn two_hedges_racing_the_last_one_wins() {
    let mut c = Clock::new(cfg(3, 1, 30, 3), 0, &["start #0"]);
    c.at(
        1.0,
        &["warn: rustls stalled on https://dist.test/f.tar.xz (no data for 1 s); trying curl from byte 0", "start #1 curl /f.tar.xz @0"],
    );
    c.at(2.0, &["warn: curl stalled", "start #2 native-tls"]);
    c.at(
        3.0,
        &[
            "warn: native-tls stalled on https://dist.test/f.tar.xz (no data for 1 s); opening a new connection from byte 0",
            "start #3 native-tls",
        ],
    );
    c.ev(3.5, 2, head(200), &["head 200 start 0"]);
    c.ev(
        3.6,
        2,
        Input::Data(10),
        &[
            "warn: native-tls delivered https://dist.test/f.tar.xz first; abandoning rustls",
            "abandon #0",
            "warn: native-tls delivered https://dist.test/f.tar.xz first; abandoning curl",
            "abandon #1",
            "warn: native-tls delivered https://dist.test/f.tar.xz first; abandoning the earlier native-tls connection",
            "abandon #3",
            "prefer native-tls",
            "deliver skip 0",
        ],
    );
}

/// Defect 2: a drip below the low-speed limit ends in bounded time, with new connections
/// while retries remain, then a clear failure.
#[test]
fn drip_ends_in_bounded_time() {
    let mut c = Clock::new(cfg(1, 2, 6, 1), 0, &["start #0"]);
    c.ev(0.0, 0, head(200), &["head 200"]);
    let mut t = 0.0;
    let mut delivered = 0;
    let mut log = Vec::new();
    // 5 bytes a second on whatever connection is live, forever.
    while c.s.next_wake().is_some() && t < 1000.0 {
        t += 0.2;
        let mut d = c.to(t);
        let ids: Vec<u64> = c.s.live.iter().map(|a| a.id).collect();
        for id in ids {
            if c.s.live[0].next.is_none() {
                d.extend(c.s.on(id, head(206), c.now));
            }
            d.extend(c.s.on(id, Input::Data(1), c.now));
        }
        delivered += d.iter().filter(|d| matches!(d, Decision::Deliver { .. })).count();
        log.extend(d.iter().filter_map(render));
    }
    let fail = log.last().unwrap();
    assert!(
        fail.starts_with("fail: downloading https://dist.test/f.tar.xz failed: all backends stalled (rustls: below 10 bytes/s for 6 s"),
        "{log:#?}"
    );
    assert!(log.iter().any(|l| l.contains("opening a new connection")), "{log:#?}");
    // Bound: (1 + retries) attempts, each at most hard past its start (no good window ever).
    assert!(t <= 2.0 * 6.0 + 2.0, "ended at {t} s: {log:#?}");
    assert!(delivered > 0);
}

/// Defect 4: a hard deadline shorter than the stall timeout still falls back.
#[test]
fn hard_deadline_below_stall_still_falls_back() {
    let mut c = Clock::new(cfg(3, 30, 5, 3), 0, &["start #0"]);
    c.at(
        5.0,
        &["abandon #0", "warn: abandoning rustls for https://dist.test/f.tar.xz: nothing received for 5 s; trying curl", "start #1 curl"],
    );
    c.at(10.0, &["abandon #1", "warn: abandoning curl", "start #2 native-tls"]);
    c.at(15.0, &[
        "abandon #2",
        "warn: abandoning native-tls",
        "fail: downloading https://dist.test/f.tar.xz failed: all backends stalled (rustls: nothing received for 5 s; curl: nothing received for 5 s; native-tls: nothing received for 5 s)",
    ]);
}

#[test]
fn every_backend_stalls_lists_every_connection() {
    let mut c = Clock::new(cfg(2, 1, 4, 3), 0, &["start #0"]);
    c.at(1.0, &["warn: rustls stalled", "start #1 curl"]);
    c.at(2.0, &["warn: curl stalled on https://dist.test/f.tar.xz (no data for 1 s); opening a new connection", "start #2 curl"]);
    c.at(3.0, &["warn: curl stalled", "start #3 curl"]);
    c.at(4.0, &["abandon #0", "warn: abandoning rustls", "warn: curl stalled", "start #4 curl"]);
    let end = c.to(20.0);
    let last = render(end.last().unwrap()).unwrap();
    assert!(last.contains("all backends stalled (rustls: nothing received for 4 s; curl: nothing received for 4 s; curl: "), "{last}");
    assert_eq!(last.matches("curl:").count(), 4, "{last}");
}

#[test]
fn a_200_to_a_hedge_range_request_skips_to_the_position() {
    let mut c = Clock::new(cfg(2, 2, 30, 3), 0, &["start #0"]);
    c.ev(0.0, 0, head(200), &["head 200"]);
    c.ev(0.1, 0, Input::Data(300), &["deliver skip 0"]);
    c.at(2.1, &["warn: rustls stalled", "start #1 curl /f.tar.xz @300"]);
    c.ev(2.2, 1, head(200), &[]); // the range was ignored: its bytes start at 0
    c.ev(2.3, 1, Input::Data(200), &[]);
    c.ev(2.4, 1, Input::Data(200), &["warn: curl overtook rustls at byte 300", "abandon #0", "prefer curl", "deliver skip 100"]);
}

#[test]
fn a_200_to_the_callers_range_starts_at_zero() {
    let mut c = Clock::new(cfg(1, 2, 30, 3), 500, &["start #0 rustls /f.tar.xz @500"]);
    c.ev(0.1, 0, head(200), &["head 200 start 0"]);
    c.ev(0.2, 0, Input::Data(10), &["deliver skip 0"]);
    assert_eq!(c.s.pos(), 10);
}

/// Defect 5: a 416 to an in-run resume starts over from byte 0, dropping what was delivered.
#[test]
fn in_run_416_starts_over_from_zero() {
    let mut c = Clock::new(cfg(1, 2, 30, 3), 0, &["start #0"]);
    c.ev(0.0, 0, head(200), &["head 200"]);
    c.ev(0.1, 0, Input::Data(400), &["deliver skip 0"]);
    c.ev(
        0.2,
        0,
        err(Kind::Reset, "connection reset"),
        &["abandon #0", "info: rustls: https://dist.test/f.tar.xz failed (connection reset); retry 1 of 3 in 0.5 s"],
    );
    c.at(0.7, &["start #1 rustls /f.tar.xz @400 if-range \"v1\""]);
    c.ev(
        0.8,
        1,
        head(416),
        &["info: rustls: https://dist.test/f.tar.xz cannot resume at byte 400 (HTTP 416)", "abandon #1", "start #2 rustls /f.tar.xz @0"],
    );
    c.ev(0.9, 2, head(200), &[]);
    c.ev(1.0, 2, Input::Data(500), &["deliver skip 400"]);
    c.ev(1.1, 2, Input::End, &["abandon #2", "finish"]);
}

#[test]
fn a_416_to_the_callers_offset_is_returned() {
    let mut c = Clock::new(cfg(3, 2, 30, 3), 1000, &["start #0 rustls /f.tar.xz @1000"]);
    c.ev(0.1, 0, head(416), &["abandon #0", "fail: downloading https://dist.test/f.tar.xz failed (rustls): HTTP 416"]);
}

#[test]
fn redirect_during_a_hedge_keeps_the_offset() {
    let mut c = Clock::new(cfg(2, 2, 30, 3), 0, &["start #0"]);
    c.ev(0.0, 0, head(200), &["head 200"]);
    c.ev(0.1, 0, Input::Data(70), &["deliver skip 0"]);
    c.at(2.1, &["warn: rustls stalled", "start #1 curl /f.tar.xz @70"]);
    let moved = Head { status: 302, location: Some("/mirror/f.tar.xz".into()), ..Head::default() };
    c.ev(2.2, 1, Input::Head(moved), &["abandon #1", "start #2 curl /mirror/f.tar.xz @70"]);
    c.ev(2.3, 2, head(206), &[]);
    c.ev(2.4, 2, Input::Data(930), &["warn: curl overtook rustls at byte 70", "abandon #0", "prefer curl", "deliver skip 0"]);
}

#[test]
fn retries_are_deterministic_and_honour_retry_after() {
    let mut c = Clock::new(cfg(1, 2, 30, 2), 0, &["start #0"]);
    let busy = Head { status: 503, retry_after: Some(Duration::from_secs(3)), ..Head::default() };
    c.ev(0.1, 0, Input::Head(busy), &["abandon #0", "info: rustls: https://dist.test/f.tar.xz failed (HTTP 503); retry 1 of 2 in 3 s"]);
    c.at(3.0, &[]);
    c.at(3.1, &["start #1 rustls /f.tar.xz @0"]);
    c.ev(
        3.2,
        1,
        err(Kind::Reset, "reset"),
        &["abandon #1", "info: rustls: https://dist.test/f.tar.xz failed (reset); retry 2 of 2 in 2 s"],
    );
    c.at(5.2, &["start #2"]);
    c.ev(5.3, 2, err(Kind::Reset, "reset"), &["abandon #2", "fail: downloading https://dist.test/f.tar.xz failed (rustls): reset"]);
}

/// Defect 9: a refused connection is about the server, not the HTTP stack: no fallback.
#[test]
fn connection_refused_fails_at_once() {
    let mut c = Clock::new(cfg(3, 2, 30, 3), 0, &["start #0"]);
    c.ev(
        0.1,
        0,
        err(Kind::Connect, "connection refused"),
        &["abandon #0", "fail: downloading https://dist.test/f.tar.xz failed (rustls): connection refused"],
    );
}

#[test]
fn not_found_is_final() {
    let mut c = Clock::new(cfg(3, 2, 30, 3), 0, &["start #0"]);
    c.ev(0.1, 0, head(404), &["abandon #0", "fail: https://dist.test/f.tar.xz is not on this dist server (HTTP 404)"]);
}

#[test]
fn certificate_errors_fall_back() {
    let mut c = Clock::new(cfg(2, 2, 30, 3), 0, &["start #0"]);
    c.ev(
        0.1,
        0,
        err(Kind::Certificate, "unknown issuer"),
        &["abandon #0", "warn: rustls failed for https://dist.test/f.tar.xz (unknown issuer); falling back to curl", "start #1 curl"],
    );
    c.ev(
        0.2,
        1,
        err(Kind::Certificate, "unable to get local issuer"),
        &["abandon #1", "fail: downloading https://dist.test/f.tar.xz failed (curl): unable to get local issuer"],
    );
}

#[test]
fn a_body_ending_before_the_position_is_truncated() {
    let mut c = Clock::new(cfg(1, 2, 30, 3), 0, &["start #0"]);
    c.ev(0.0, 0, head(200), &["head 200"]);
    c.ev(0.1, 0, Input::Data(300), &["deliver skip 0"]);
    c.at(2.1, &["warn: rustls stalled", "start #1 rustls /f.tar.xz @300"]);
    c.ev(2.2, 1, head(200), &[]);
    c.ev(2.3, 1, Input::Data(100), &[]);
    c.ev(
        2.4,
        1,
        Input::End,
        &["abandon #1", "info: rustls: https://dist.test/f.tar.xz failed (the body ended at byte 100, before byte 300); retry"],
    );
}

#[test]
fn huge_limits_do_not_overflow() {
    let mut cfg = cfg(1, 2, 30, 3);
    cfg.stall = Duration::MAX;
    cfg.hard = Duration::MAX;
    let mut c = Clock::new(cfg, 0, &["start #0"]);
    assert_eq!(c.s.next_wake(), Some(Duration::MAX));
    c.ev(1.0, 0, head(200), &["head 200"]);
}

#[test]
fn a_hedge_stalling_behind_a_leader_gets_no_hedge() {
    let mut c = Clock::new(cfg(3, 2, 30, 3), 0, &["start #0"]);
    c.ev(0.0, 0, head(200), &["head 200"]);
    c.ev(0.1, 0, Input::Data(64), &["deliver skip 0"]);
    c.at(2.1, &["warn: rustls stalled", "start #1 curl /f.tar.xz @64"]);
    c.at(4.1, &[]); // curl silent for 2 s: it is only a hedge, native-tls stays unused
    c.ev(4.2, 0, Input::Data(100), &["deliver skip 0"]);
    c.at(6.1, &["warn: rustls recovered", "abandon #1"]);
}

// Several dist servers (TCUP_DIST_SERVERS, docs/design.md download-13).

#[test]
fn a_refusing_server_is_skipped_at_once() {
    let (cfg, urls) = multi(2, 3, 2, 30, 3);
    let mut c = Clock::on(cfg, urls, 0, &["start #0 rustls /f.tar.xz @0"]);
    c.ev(
        0.1,
        0,
        err(Kind::Connect, "connection refused"),
        &[
            "abandon #0",
            "demote 0",
            "warn: rustls via a.test failed for https://a.test/f.tar.xz (connection refused); trying rustls via b.test",
            "start #1 rustls /m1/f.tar.xz @0",
        ],
    );
    c.ev(0.2, 1, head(200), &["head 200 start 0"]);
    c.ev(0.3, 1, Input::Data(1000), &["deliver skip 0"]);
    c.ev(0.4, 1, Input::End, &["abandon #1", "finish"]);
}

#[test]
fn not_found_moves_on_without_demoting() {
    let (cfg, urls) = multi(2, 3, 2, 30, 3);
    let mut c = Clock::on(cfg, urls, 0, &["start #0"]);
    c.ev(0.1, 0, head(404), &["abandon #0", "start #1 rustls /m1/f.tar.xz"]);
    // Not on the second either: the error names the server that answered last.
    c.ev(0.2, 1, head(404), &["abandon #1", "fail: https://b.test/m1/f.tar.xz is not on this dist server (HTTP 404)"]);
}

#[test]
fn a_stalled_server_is_hedged_on_the_next_server_first() {
    let (cfg, urls) = multi(2, 3, 2, 30, 3);
    let mut c = Clock::on(cfg, urls, 0, &["start #0"]);
    c.ev(0.1, 0, head(200), &["head 200"]);
    c.ev(0.2, 0, Input::Data(100), &["deliver skip 0"]);
    c.at(
        2.2,
        &[
            "demote 0",
            "warn: rustls via a.test stalled on https://a.test/f.tar.xz (no data for 2 s); trying rustls via b.test from byte 100",
            "start #1 rustls /m1/f.tar.xz @100",
        ],
    );
    c.ev(2.3, 1, head(206), &[]);
    // The hedge delivers from the position: nothing before it, nothing spliced.
    c.ev(
        2.4,
        1,
        Input::Data(900),
        &["warn: rustls via b.test overtook rustls via a.test at byte 100", "abandon #0", "prefer rustls", "deliver skip 0"],
    );
    c.ev(2.5, 1, Input::End, &["abandon #1", "finish"]);
}

#[test]
fn a_server_failing_5xx_moves_to_the_next_server_after_its_retries() {
    let (cfg, urls) = multi(2, 2, 2, 30, 1);
    let mut c = Clock::on(cfg, urls, 0, &["start #0"]);
    c.ev(0.1, 0, head(503), &["abandon #0", "info: rustls via a.test: https://a.test/f.tar.xz failed (HTTP 503); retry 1 of 1 in 0.5 s"]);
    c.at(0.6, &["start #1 rustls /f.tar.xz"]);
    c.ev(
        0.7,
        1,
        head(503),
        &[
            "abandon #1",
            "demote 0",
            "warn: rustls via a.test failed for https://a.test/f.tar.xz (HTTP 503); falling back to rustls via b.test",
            "start #2 rustls /m1/f.tar.xz",
        ],
    );
}

#[test]
fn a_certificate_failure_tries_the_next_backend_on_the_same_server() {
    let (cfg, urls) = multi(2, 2, 2, 30, 3);
    let mut c = Clock::on(cfg, urls, 0, &["start #0"]);
    c.ev(0.1, 0, err(Kind::Certificate, "unknown issuer"), &["abandon #0", "warn: rustls via a.test failed", "start #1 curl /f.tar.xz"]);
    c.ev(0.2, 1, err(Kind::Certificate, "unknown issuer"), &["abandon #1", "warn: curl via a.test failed", "start #2 rustls /m1/f.tar.xz"]);
}

#[test]
fn every_server_refusing_fails_with_the_last_answer() {
    let (cfg, urls) = multi(3, 1, 2, 30, 3);
    let mut c = Clock::on(cfg, urls, 0, &["start #0"]);
    c.ev(0.1, 0, err(Kind::Connect, "refused"), &["abandon #0", "demote 0", "warn:", "start #1 rustls /m1/f.tar.xz"]);
    c.ev(0.2, 1, err(Kind::Connect, "refused"), &["abandon #1", "demote 1", "warn:", "start #2 rustls /m2/f.tar.xz"]);
    c.ev(
        0.3,
        2,
        err(Kind::Connect, "refused"),
        &["abandon #2", "demote 2", "fail: downloading https://c.test/m2/f.tar.xz failed (rustls): refused"],
    );
}
