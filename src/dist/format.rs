//! Which archive format to download when a component offers several (`.tar.gz`, `.tar.xz`,
//! `.tar.zst`): the one that finishes first end to end on the link in use.
//!
//! Download and decode overlap (the archive is unpacked as it arrives), so an archive takes about
//! `max(compressed size / link rate, unpacked size / decode rate)`. xz is the smallest but decodes
//! slowest; gz is larger but decodes several times faster (numbers in docs/design.md
//! fetch-2). gz therefore wins once the link can deliver gz bytes faster than xz can be decoded:
//! `link rate ≥ (gz size / unpacked size) × xz decode rate`, which is [`GZ_MIN_RATE`] here.
//!
//! The link rate is measured by the download itself: the channel manifest's body (about 1 MB
//! upstream), timed over the second half of what arrives after the first read
//! ([`crate::download::BodyTiming`]). The wait for the first byte is left out (connection set-up,
//! TLS and the server's or a CDN's time to answer measure latency: on the default dist server the
//! 755 kB manifest's first byte took 0.06–0.16 s and the rest 2 ms, which the old measure, request
//! to last byte, read as 11–15 MB/s on a link that delivers 200 MB/s), and so is the ramp of TCP's
//! slow start. A sample that still reads slow is checked on the archives' own path before xz is
//! chosen (`ops::install`: the first 4 MiB of the largest `.tar.gz`). A sample smaller than
//! [`MIN_SAMPLE`] says too little, so it counts as slow. Every error of measurement makes a link
//! look slower, so a mistake picks xz: rustup's choice, never worse than today.
//! `file://` mirrors count as fast. zst, which upstream does not publish but mirrors may, is
//! nearly as small as xz and decodes faster than gz: taken first on a fast link, second on a slow one.

use std::time::Duration;

use url::Url;

use crate::dist::manifest::{Compression, Manifest};
use crate::dist::select::Selection;
use crate::env::ArchiveFormat;

/// Link rate (bytes/s) from which `.tar.gz` is preferred to `.tar.xz`: gz's size ratio on real
/// toolchain archives (≈ 0.39 of the unpacked bytes) × xz's decode rate here (≈ 70 MB/s of
/// unpacked bytes per core), rounded down.
pub const GZ_MIN_RATE: f64 = 25e6;

/// Smallest sample (bytes in its timed half, [`crate::download::BodyTiming`]) trusted as a
/// measure of the link.
pub const MIN_SAMPLE: u64 = 128 * 1024;

/// One timed download: how many bytes, how long from the first byte to the last.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinkSample {
    /// Bytes received.
    pub bytes: u64,
    /// From the first byte to the last.
    pub elapsed: Duration,
}

impl LinkSample {
    /// Bytes per second, when the sample is large enough to mean something.
    pub fn rate(&self) -> Option<f64> {
        #[allow(clippy::cast_precision_loss, reason = "a rate needs no more than 52 bits")]
        (self.bytes >= MIN_SAMPLE).then(|| self.bytes as f64 / self.elapsed.as_secs_f64().max(1e-6))
    }
}

/// The formats to try for every component, best first, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// Order of preference.
    pub order: [Compression; 3],
    /// One line for `--verbose`: the rule that decided.
    pub why: String,
}

/// Decides the order of preference from `TCUP_ARCHIVE_FORMAT`, the dist server and the manifest
/// fetch's timing.
pub fn choose(forced: ArchiveFormat, dist_server: &Url, sample: Option<LinkSample>) -> Choice {
    use Compression::{Gz, Xz, Zst};
    let fast = [Zst, Gz, Xz];
    let slow = [Xz, Zst, Gz];
    let put_first = |c: Compression, why: &str| {
        let mut order = [c, Xz, Zst];
        let rest: Vec<_> = slow.into_iter().filter(|o| *o != c).collect();
        order[1..].copy_from_slice(&rest);
        Choice { order, why: why.to_owned() }
    };
    match forced {
        ArchiveFormat::Gz => return put_first(Gz, "TCUP_ARCHIVE_FORMAT=gz"),
        ArchiveFormat::Xz => return put_first(Xz, "TCUP_ARCHIVE_FORMAT=xz"),
        ArchiveFormat::Zst => return put_first(Zst, "TCUP_ARCHIVE_FORMAT=zst"),
        ArchiveFormat::Auto => {}
    }
    if dist_server.scheme() == "file" {
        return Choice { order: fast, why: "a file:// mirror counts as a fast link".to_owned() };
    }
    match sample.and_then(|s| s.rate()) {
        Some(rate) if rate >= GZ_MIN_RATE => Choice {
            order: fast,
            why: format!("the link was sampled at {:.0} MB/s, faster than xz decodes (≥ {:.0} MB/s)", rate / 1e6, GZ_MIN_RATE / 1e6),
        },
        Some(rate) => Choice {
            order: slow,
            why: format!("the link was sampled at {:.1} MB/s, slower than xz decodes (< {:.0} MB/s)", rate / 1e6, GZ_MIN_RATE / 1e6),
        },
        None => Choice { order: slow, why: "the manifest was too small to measure the link".to_owned() },
    }
}

/// Whether `sample` decides against gz on its own evidence (an automatic choice, an http(s) dist
/// server, a sample large enough and slower than [`GZ_MIN_RATE`]): then a second sample is worth
/// its cost (see `ops::install`).
pub fn worth_a_second_sample(forced: ArchiveFormat, dist_server: &Url, sample: LinkSample) -> bool {
    forced == ArchiveFormat::Auto && dist_server.scheme() != "file" && sample.rate().is_some_and(|r| r < GZ_MIN_RATE)
}

/// Replaces each selected component's archive by the first format in `choice.order` that its
/// manifest entry offers. Returns the names of components that do not offer the first format.
pub fn apply(selection: &mut Selection, manifest: &Manifest, choice: &Choice) -> Vec<String> {
    let mut lacking = Vec::new();
    for c in &mut selection.components {
        let Some(tp) = manifest.pkg.get(&c.pkg).and_then(|p| p.target.get(&c.target)) else { continue };
        if tp.archive(choice.order[0]).is_none() {
            lacking.push(c.name());
        }
        if let Some(a) = tp.archive_in_order(&choice.order) {
            c.archive = a;
        }
    }
    lacking
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::manifest::Compression::{Gz, Xz, Zst};
    use crate::dist::select::{Request, select};

    fn http() -> Url {
        Url::parse("https://static.rust-lang.org").unwrap()
    }

    #[allow(clippy::unnecessary_wraps, reason = "matches choose()'s parameter")]
    fn sample(bytes: u64, ms: u64) -> Option<LinkSample> {
        Some(LinkSample { bytes, elapsed: Duration::from_millis(ms) })
    }

    #[test]
    fn forced_formats_come_first() {
        assert_eq!(choose(ArchiveFormat::Gz, &http(), None).order, [Gz, Xz, Zst]);
        assert_eq!(choose(ArchiveFormat::Xz, &http(), sample(1 << 30, 1)).order, [Xz, Zst, Gz]);
        assert_eq!(choose(ArchiveFormat::Zst, &http(), None).order, [Zst, Xz, Gz]);
    }

    #[test]
    fn automatic_choice_follows_the_link() {
        let file = Url::parse("file:///srv/mirror").unwrap();
        assert_eq!(choose(ArchiveFormat::Auto, &file, None).order[..2], [Zst, Gz]);
        // 1 MB in 10 ms = 100 MB/s: gz.
        let c = choose(ArchiveFormat::Auto, &http(), sample(1_000_000, 10));
        assert_eq!(c.order[..2], [Zst, Gz], "{}", c.why);
        // 1 MB in 200 ms = 5 MB/s: xz.
        let c = choose(ArchiveFormat::Auto, &http(), sample(1_000_000, 200));
        assert_eq!(c.order[0], Xz, "{}", c.why);
        assert!(c.why.contains("5.0 MB/s"), "{}", c.why);
        // 10 KB in a microsecond proves nothing: xz.
        let c = choose(ArchiveFormat::Auto, &http(), sample(10_000, 0));
        assert_eq!(c.order[0], Xz);
        assert!(c.why.contains("too small"), "{}", c.why);
        assert_eq!(choose(ArchiveFormat::Auto, &http(), None).order[0], Xz);
    }

    #[test]
    fn apply_picks_per_component_what_is_offered() {
        let m = Manifest::parse(include_str!("../../tests/fixtures/channel-rust-1.95.0.toml")).unwrap();
        let host = "x86_64-unknown-linux-gnu";
        let mut sel = select(&m, &Request { host, profile: "minimal", components: &[], targets: &[] }).unwrap();
        assert!(sel.components.iter().all(|c| c.archive.compression == Xz));
        let lacking = apply(&mut sel, &m, &choose(ArchiveFormat::Gz, &http(), None));
        assert!(lacking.is_empty(), "{lacking:?}");
        for c in &sel.components {
            assert_eq!(c.archive.compression, Gz);
            assert!(c.archive.url.ends_with(".tar.gz"), "{}", c.archive.url);
            assert_eq!(c.archive.hash, m.pkg[&c.pkg].target[&c.target].hash.as_deref().unwrap());
        }
        // zst is not published upstream: every component falls back, in the forced order, to xz.
        let lacking = apply(&mut sel, &m, &choose(ArchiveFormat::Zst, &http(), None));
        assert_eq!(lacking.len(), sel.components.len());
        assert!(sel.components.iter().all(|c| c.archive.compression == Xz));
    }
}
