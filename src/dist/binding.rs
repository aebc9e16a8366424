//! A channel manifest is bound to the name asked for (docs/design.md trust-4,
//! docs/threat-model.md "A signed manifest is bound to the name asked for").
//!
//! A signature proves that the Rust project signed a manifest, not which release it is: every
//! manifest ever signed (releases with known CVEs included) verifies forever. So a mirror could
//! serve nightly's signed manifest as `stable`, an old signed 1.90.0 as `1.95.0`, or move an
//! installed `stable` back by replaying last year's. The pure checks here close that, under every
//! signature policy:
//!
//! | asked for | the manifest must carry |
//! |---|---|
//! | a dated name or path (`nightly-2026-05-20`, `dist/2026-05-20/…`) | `date = "2026-05-20"` |
//! | `1.95.0`, `1.96.0-beta.3` | `[pkg.rust] version` `1.95.0 …` / `1.96.0-beta.3 …` exactly |
//! | `1.95` | a stable `1.95.Z` |
//! | `stable` / `beta` / `nightly` | a version without suffix / with `-beta[.N]` / with `-nightly` |
//!
//! [`downgrade`] says when a manifest is older than the one a toolchain was installed from
//! (refused by `update` and `install` unless `--allow-downgrade`; reported by `check`), and
//! [`stale`] when an undated channel's manifest is older than the channel's cadence allows (a
//! frozen mirror: warned, not refused).

use crate::dist::manifest::Manifest;
use crate::dist::name::{Channel, ToolchainName};
use crate::env::calendar::days;

/// Why a manifest does not belong to the name it was fetched for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{url} is not the manifest of '{name}': {why}; refusing it (a mirror replaying another release's manifest)")]
pub struct Unbound {
    /// The manifest's URL.
    pub url: String,
    /// The toolchain name asked for, without host.
    pub name: String,
    /// What differs, e.g. "it is dated 2026-01-01, not 2026-05-20".
    pub why: String,
}

/// Checks that `manifest`, fetched from `url` for `name`, is that name's release (see the module
/// documentation for the table).
///
/// # Errors
/// [`Unbound`], saying what the manifest carries and what the name asks for.
pub fn check(name: &ToolchainName, manifest: &Manifest, url: &str) -> Result<(), Unbound> {
    let unbound = |why: String| Unbound { url: url.to_owned(), name: ToolchainName { host: None, ..name.clone() }.to_string(), why };
    if let Some(date) = &name.date
        && manifest.date != *date
    {
        return Err(unbound(format!("it is dated {}, not {date}", manifest.date)));
    }
    let Some(version) = manifest.rust_version() else {
        return Err(unbound("it has no [pkg.rust] version".into()));
    };
    let (release, suffix) = version.split_once('-').map_or((version, ""), |(r, s)| (r, s));
    let ok = match &name.channel {
        Channel::Stable => suffix.is_empty(),
        Channel::Beta => suffix == "beta" || suffix.starts_with("beta."),
        Channel::Nightly => suffix == "nightly",
        Channel::Version(v) if v.contains('-') || v.matches('.').count() == 2 => version == v,
        Channel::Version(v) => suffix.is_empty() && release.strip_prefix(v.as_str()).is_some_and(|rest| rest.starts_with('.')),
    };
    if ok {
        Ok(())
    } else {
        let channel = name.channel.as_str();
        Err(unbound(format!("it is rust {version}, not a {channel} release")))
    }
}

/// A release as a manifest describes it: its `date` and its rust version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `[pkg.rust] version`'s first word (`1.95.0`), or `?` when absent.
    pub version: String,
}

impl Release {
    /// The release `manifest` describes.
    pub fn of(manifest: &Manifest) -> Release {
        Release { date: manifest.date.clone(), version: manifest.rust_version().unwrap_or("?").to_owned() }
    }
}

impl std::fmt::Display for Release {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.version, self.date)
    }
}

/// An offered manifest older than the installed one: a downgrade.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the dist server offers {offered}, older than the installed {installed} of '{toolchain}'; refusing (`--allow-downgrade` installs it)"
)]
pub struct Downgrade {
    /// The toolchain (directory name).
    pub toolchain: String,
    /// What it was installed from.
    pub installed: Release,
    /// What the dist server offers now.
    pub offered: Release,
}

/// `Some` when `offered` is dated before `installed` (dates compare as `YYYY-MM-DD` text).
pub fn downgrade(toolchain: &str, installed: &Manifest, offered: &Manifest) -> Option<Downgrade> {
    (offered.date < installed.date).then(|| Downgrade {
        toolchain: toolchain.to_owned(),
        installed: Release::of(installed),
        offered: Release::of(offered),
    })
}

/// Days a channel's manifest may be old before it looks frozen: nightly 3 (published daily),
/// beta 14 (about weekly), stable 56 (every six weeks, plus patch releases). Dated and versioned
/// names never change, so they have none.
fn cadence_days(name: &ToolchainName) -> Option<i64> {
    if name.date.is_some() {
        return None;
    }
    match name.channel {
        Channel::Nightly => Some(3),
        Channel::Beta => Some(14),
        Channel::Stable => Some(56),
        Channel::Version(_) => None,
    }
}

/// A warning when `manifest`, the current manifest of the undated channel `name`, is older than
/// the channel's cadence allows on `today` (`YYYY-MM-DD`): the dist server may be a frozen mirror
/// (it can serve only releases the Rust project signed, but not the newest, security fixes
/// included).
pub fn stale(name: &ToolchainName, manifest: &Manifest, today: &str) -> Option<String> {
    let limit = cadence_days(name)?;
    let age = days(today)? - days(&manifest.date)?;
    (age > limit).then(|| {
        format!(
            "the dist server's {} manifest is dated {}, {age} days ago (a new one is due every {limit} days at most): it may be a frozen mirror serving an old release",
            name.channel.as_str(),
            manifest.date
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(date: &str, version: &str) -> Manifest {
        Manifest::parse(&format!(
            "manifest-version = \"2\"\ndate = \"{date}\"\n[pkg.rust]\nversion = \"{version} (abcdef123 {date})\"\n[pkg.rust.target.x86_64-unknown-linux-gnu]\navailable = false\n"
        ))
        .unwrap()
    }

    fn name(s: &str) -> ToolchainName {
        s.parse().unwrap()
    }

    #[test]
    fn each_name_accepts_its_own_release_and_refuses_another() {
        let stable = manifest("2026-04-16", "1.95.0");
        let beta = manifest("2026-04-20", "1.96.0-beta.3");
        let nightly = manifest("2026-05-20", "1.97.0-nightly");
        let old = manifest("2026-01-01", "1.90.0");
        for (n, good, bad) in [
            ("stable", &stable, &nightly),
            ("stable", &old, &beta),
            ("beta", &beta, &stable),
            ("nightly", &nightly, &beta),
            ("1.95.0", &stable, &old),
            ("1.95", &stable, &old),
            ("1.96.0-beta.3", &beta, &stable),
            ("nightly-2026-05-20", &nightly, &manifest("2026-05-19", "1.97.0-nightly")),
            ("stable-2026-04-16", &stable, &manifest("2026-04-15", "1.95.0")),
        ] {
            assert_eq!(check(&name(n), good, "u"), Ok(()), "{n}");
            let err = check(&name(n), bad, "http://m/x.toml").unwrap_err().to_string();
            assert!(err.contains("http://m/x.toml") && err.contains(&format!("'{n}'")) && err.contains("refusing"), "{err}");
        }
        // 1.95 is not 1.9 or 1.950.
        assert!(check(&name("1.9"), &stable, "u").is_err());
        assert!(check(&name("1.95"), &manifest("2026-04-16", "1.950.0"), "u").is_err());
        let dated = check(&name("nightly-2026-05-20"), &manifest("2026-05-19", "1.97.0-nightly"), "u").unwrap_err();
        assert!(dated.why.contains("dated 2026-05-19, not 2026-05-20"), "{dated}");
    }

    #[test]
    fn an_older_manifest_is_a_downgrade_and_its_message_names_both() {
        let installed = manifest("2026-04-16", "1.95.0");
        let older = manifest("2026-01-01", "1.90.0");
        assert_eq!(downgrade("stable-x", &installed, &installed), None);
        assert_eq!(downgrade("stable-x", &older, &installed), None);
        let d = downgrade("stable-x", &installed, &older).unwrap().to_string();
        assert_eq!(
            d,
            "the dist server offers 1.90.0 (2026-01-01), older than the installed 1.95.0 (2026-04-16) of 'stable-x'; refusing (`--allow-downgrade` installs it)"
        );
    }

    #[test]
    fn a_channel_older_than_its_cadence_is_stale() {
        let nightly = manifest("2026-05-20", "1.97.0-nightly");
        assert_eq!(stale(&name("nightly"), &nightly, "2026-05-23"), None);
        assert!(stale(&name("nightly"), &nightly, "2026-05-24").unwrap().contains("4 days ago"));
        assert_eq!(stale(&name("nightly-2026-05-20"), &nightly, "2027-01-01"), None);
        let stable = manifest("2026-04-16", "1.95.0");
        assert_eq!(stale(&name("stable"), &stable, "2026-06-11"), None);
        assert!(stale(&name("stable"), &stable, "2026-06-12").is_some());
        assert_eq!(stale(&name("1.95.0"), &stable, "2030-01-01"), None);
        assert!(stale(&name("beta"), &manifest("2026-04-01", "1.96.0-beta.1"), "2026-04-16").is_some());
    }
}
