//! Nightly backtracking, as rustup does it: an undated `nightly` whose newest manifest lacks a
//! requested component or target (miri, rls, a tier-2 standard library often miss a night) is
//! installed from the newest dated nightly that has all of them, within `RUSTUP_BACKTRACK_LIMIT`
//! days before the newest (default 21).
//!
//! The dated manifests (`dist/<date>/channel-rust-nightly.toml`) are fetched concurrently, each
//! checked like any manifest (its `.sha256`, its signature under the policy, bound to its date:
//! [`crate::dist::binding`]); a date the server does not have is skipped, any other failure —
//! a bad signature above all — stops the install. The toolchain keeps its undated name
//! (`nightly-<host>`), and one line says which date was chosen and why. Only a fresh install
//! backtracks: an installed nightly is updated by [`crate::ops::toolchain::update`], which never goes below
//! the installed date without `--allow-downgrade` ([`crate::dist::binding::downgrade`]).

use anyhow::Context as _;

use crate::dist::name::{Channel, ToolchainName};
use crate::dist::select::{self, Request, SelectError, Selection};
use crate::download::{DownloadError, Downloader};
use crate::env::Env;
use crate::env::calendar::{date, days};
use crate::fetch::manifest::{VerifiedManifest, fetch_manifest};
use crate::progress::Reporter;

/// Whether a failed selection from `name`'s newest manifest is one backtracking may cure: an
/// undated nightly that lacks a requested component or target (unavailable upstream, or not
/// packed into a `tcup mirror pack` mirror on that date).
pub fn applies(name: &ToolchainName, err: &SelectError) -> bool {
    name.channel == Channel::Nightly
        && name.date.is_none()
        && matches!(err, SelectError::UnknownComponent { .. } | SelectError::UnknownTarget { .. } | SelectError::NotInMirror { .. })
}

/// Finds the newest nightly before `newest` (the undated manifest, which failed with `missing`)
/// whose manifest satisfies `req`, looking back at most `env.backtrack_limit` days. Returns it
/// with its selection.
///
/// # Errors
/// No date in the limit has what `req` asks for (the error names what the newest lacked and the
/// limit); a dated manifest failed for a reason other than "not there" (a bad signature, a
/// manifest bound to another date).
pub fn walk(
    env: &Env,
    downloader: &Downloader,
    newest: &VerifiedManifest,
    missing: &SelectError,
    req: &Request<'_>,
    reporter: &Reporter,
) -> anyhow::Result<(VerifiedManifest, Selection)> {
    let limit = env.backtrack_limit;
    let from =
        days(&newest.manifest.date).with_context(|| format!("the nightly manifest's date {:?} is not YYYY-MM-DD", newest.manifest.date))?;
    let dates: Vec<String> = (1..=i64::try_from(limit).unwrap_or(i64::MAX)).map(|back| date(from - back)).collect();
    reporter.info(&format!("nightly {} lacks what was asked for ({missing}); looking back up to {limit} days", newest.manifest.date));
    let fetched: Vec<anyhow::Result<Option<VerifiedManifest>>> = std::thread::scope(|s| {
        let handles: Vec<_> = dates.iter().map(|d| s.spawn(move || dated(env, downloader, d, reporter))).collect();
        handles.into_iter().map(|h| h.join().expect("manifest threads do not panic")).collect()
    });
    for (d, got) in dates.iter().zip(fetched) {
        let Some(manifest) = got? else { continue };
        if let Ok(selection) = select::select(&manifest.manifest, req) {
            reporter.info(&format!("installing nightly {d}, the newest nightly that has every component and target asked for"));
            return Ok((manifest, selection));
        }
    }
    anyhow::bail!(
        "no nightly of the {limit} days before {} has what was asked for: {missing} (RUSTUP_BACKTRACK_LIMIT={limit}; a dated nightly can be named, e.g. nightly-{})",
        newest.manifest.date,
        dates.last().map_or("YYYY-MM-DD", String::as_str)
    )
}

/// The verified manifest of `nightly-<date>`, or `None` when the dist server does not have it.
fn dated(env: &Env, downloader: &Downloader, day: &str, reporter: &Reporter) -> anyhow::Result<Option<VerifiedManifest>> {
    let name: ToolchainName = format!("nightly-{day}").parse()?;
    let url = name.manifest_url(&env.dist_server);
    match fetch_manifest(env, downloader, &url, &name.to_string(), reporter) {
        Ok(m) => Ok(Some(m)),
        Err(e) if e.chain().any(|c| c.downcast_ref::<DownloadError>().is_some_and(DownloadError::is_not_found)) => Ok(None),
        Err(e) => Err(e.context(format!("checking nightly {day} while looking back"))),
    }
}
