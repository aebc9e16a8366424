//! Which archive format to fetch (`.tar.xz`, `.tar.zst` or `.tar.gz`) for this link, decided by
//! [`crate::dist::format`] from how fast the manifest arrived, with a second sample on the
//! archives' own path when the first reads slow.

use url::Url;

use crate::dist::format::{self, LinkSample};
use crate::dist::manifest::Compression;
use crate::dist::select::{Selected, Selection};
use crate::dist::server;
use crate::download::Downloader;
use crate::env::Env;
use crate::fetch::manifest::VerifiedManifest;
use crate::progress::Reporter;

/// Sets each component's archive format (docs/design.md fetch-2) and says why.
///
/// A manifest sample that reads slow is checked on the archives' own path: the first
/// [`PROBE_BYTES`] of the largest component's `.tar.gz` are read and timed, and the faster of
/// the two samples decides. A cold connection, TCP's slow start over 0.75 MB, or a CDN that
/// fetches the small, often-changing manifest itself can make the manifest read a fast link as
/// slow (on the default dist server through this machine's gateway every other run read about
/// 2.5 MB/s, and a second fetch of the manifest 15–23 MB/s, while the archives arrive at about
/// 200 MB/s); a slow link reads slow twice. On a slow link that costs 4 MiB more.
pub fn choose_format(env: &Env, downloader: &Downloader, verified: &VerifiedManifest, selection: &mut Selection, reporter: &Reporter) {
    let mut sample = verified.link;
    // Offline there is no link to sample (and the downloader would refuse the request).
    if !env.download.offline
        && format::worth_a_second_sample(env.archive_format, &env.dist_server, sample)
        && let Some((url, probe)) = probe_link(env, downloader, verified, selection, reporter)
    {
        let mbps = |s: LinkSample| s.rate().map_or_else(|| "too little to tell".to_owned(), |r| format!("{:.1} MB/s", r / 1e6));
        reporter.verbose(&format!("the manifest arrived at {}; the first MiBs of {url}: {}", mbps(sample), mbps(probe)));
        if probe.rate() > sample.rate() {
            sample = probe;
        }
    }
    let choice = format::choose(env.archive_format, &env.dist_server, Some(sample));
    let lacking = format::apply(selection, &verified.manifest, &choice);
    let order: Vec<&str> = choice.order.iter().map(|c| c.extension()).collect();
    reporter.verbose(&format!("archive formats in order of preference {}: {}", order.join(", "), choice.why));
    if env.archive_format != crate::env::ArchiveFormat::Auto && !lacking.is_empty() {
        reporter.warn(&format!(
            "{} not offered in the forced format; using another: {}",
            if lacking.len() == 1 { "one component is" } else { "some components are" },
            lacking.join(", ")
        ));
    }
}

/// Bytes of the largest archive [`choose_format`] reads to check a slow manifest sample.
pub const PROBE_BYTES: u64 = 4 << 20;

/// Times the first [`PROBE_BYTES`] of the `.tar.gz` of `rustc` (the largest component), or of the
/// first component offering one; its URL and the sample, or `None` when none offers gz or the
/// read fails.
fn probe_link(
    env: &Env,
    downloader: &Downloader,
    verified: &VerifiedManifest,
    selection: &Selection,
    reporter: &Reporter,
) -> Option<(Url, LinkSample)> {
    let gz =
        |c: &Selected| verified.manifest.pkg.get(&c.pkg).and_then(|p| p.target.get(&c.target)).and_then(|t| t.archive(Compression::Gz));
    let archive =
        selection.components.iter().find(|c| c.pkg == "rustc").and_then(gz).or_else(|| selection.components.iter().find_map(gz))?;
    let url = server::rewrite(&archive.url, &env.dist_server).ok()?;
    let timing = downloader.sample(&url, PROBE_BYTES, reporter).ok()?;
    Some((url, LinkSample { bytes: timing.bytes, elapsed: timing.elapsed }))
}
