//! Which components to install: a profile, plus components and targets the user asked for,
//! resolved against one channel manifest for one host triple.
//!
//! Rules (rustup's, with tcup's warnings):
//! - a profile package with no build at all for the host (e.g. `rust-mingw` on Linux) does not
//!   apply to this platform and is skipped quietly; one whose build is marked unavailable (a
//!   failed nightly build) is skipped with a warning;
//! - an explicitly requested component (`-c`, renames honoured) or target (`-t`, adds `rust-std`
//!   for it) that does not exist or is unavailable is an error listing what does exist;
//! - the host itself must have an available `rustc`, or there is no toolchain for it.

use crate::dist::component::Target;
use crate::dist::manifest::{Archive, Manifest};

/// What the user asked for.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// Host triple the toolchain runs on.
    pub host: &'a str,
    /// `minimal`, `default` or `complete` (or any profile the manifest defines); empty for none
    /// (only the requested components and targets, as when changing an installed toolchain).
    pub profile: &'a str,
    /// Extra component names as typed (`rustfmt`, `rust-src`, …).
    pub components: &'a [String],
    /// Extra target triples whose standard library to add.
    pub targets: &'a [String],
}

/// One component to install.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selected {
    /// Package name in the manifest (`rustc`, `clippy-preview`).
    pub pkg: String,
    /// Target triple, or `*` for target-independent packages.
    pub target: String,
    /// True for components beyond the profile.
    pub is_extension: bool,
    /// The archive to fetch.
    pub archive: Archive,
}

impl Selected {
    /// rustup's installed name: `<pkg>-<target>`, or `<pkg>` for a `*` package. This is the name in
    /// `lib/rustlib/components` and in `manifest-<name>`.
    pub fn name(&self) -> String {
        Target::from_key(&self.target).name_with(&self.pkg)
    }
}

/// The components chosen, in install order, and warnings for the user.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Components, deduplicated, profile ones first.
    pub components: Vec<Selected>,
    /// Things skipped that the user should know about.
    pub warnings: Vec<String>,
}

/// A request the manifest cannot satisfy.
#[derive(Debug, thiserror::Error)]
pub enum SelectError {
    /// The manifest has no such profile.
    #[error("unknown profile '{profile}'{}", listing(profile, known, "profiles"))]
    UnknownProfile {
        /// As requested.
        profile: String,
        /// Profiles the manifest defines.
        known: Vec<String>,
    },
    /// No available `rustc` for the host.
    #[error("this release has no Rust toolchain for host {host} (no available rustc package for it)")]
    NoHost {
        /// Host triple.
        host: String,
    },
    /// A requested component does not exist for the host.
    #[error("component '{name}' is not available for {host} in this release{}", listing(name, available, "components"))]
    UnknownComponent {
        /// As requested.
        name: String,
        /// Host triple.
        host: String,
        /// What exists for the host.
        available: Vec<String>,
    },
    /// A requested target has no standard library in this release.
    #[error("target '{target}' has no available rust-std in this release{}", listing_among(target, listed, available, "targets"))]
    UnknownTarget {
        /// As requested.
        target: String,
        /// Targets with an available rust-std.
        available: Vec<String>,
        /// Every target the manifest lists for rust-std (suggestions come from these).
        listed: Vec<String>,
    },
    /// A component or target the channel has, but this dist server does not hold (a mirror made
    /// by `tcup mirror pack` marks what it did not pack as unavailable).
    #[error("{what} '{name}' is not in this mirror; it holds {}", held.join(", "))]
    NotInMirror {
        /// `component` or `target`.
        what: &'static str,
        /// As requested.
        name: String,
        /// What the mirror holds of that kind.
        held: Vec<String>,
    },
    /// An available entry with no archive URL/hash.
    #[error("the manifest lists {pkg} for {target} as available but gives no archive URL with a hash")]
    NoArchive {
        /// Package.
        pkg: String,
        /// Target key.
        target: String,
    },
}

/// The profiles every channel defines (rustup's); `--profile` is checked against them before
/// anything is downloaded, and against the manifest's own list after.
pub const PROFILES: [&str; 3] = ["minimal", "default", "complete"];

/// Checks a `--profile` value before any download.
///
/// # Errors
/// [`SelectError::UnknownProfile`], with a suggestion when the name is close to a known one.
pub fn check_profile(profile: &str) -> Result<(), SelectError> {
    if PROFILES.contains(&profile) {
        return Ok(());
    }
    Err(SelectError::UnknownProfile { profile: profile.to_owned(), known: PROFILES.iter().map(|p| (*p).to_owned()).collect() })
}

impl SelectError {
    /// True when the user asked for something that does not exist (exit 2), rather than the
    /// release or server lacking what it should have (exit 1).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            SelectError::UnknownProfile { .. }
                | SelectError::UnknownComponent { .. }
                | SelectError::UnknownTarget { .. }
                | SelectError::NotInMirror { .. }
        )
    }
}

crate::error::exit_code!(SelectError, |e| if e.is_usage() { crate::error::EXIT_USAGE } else { crate::error::EXIT_FAILURE });

/// The closest of `known` to `typed`, when close enough to be a typo.
pub fn suggest<'a>(typed: &str, known: &'a [String]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(typed, k), k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k.as_str())
}

/// `; did you mean 'x'? available <kind>: a, b, c`, short enough for one screen: up to 16 names
/// are listed, beyond that the 6 closest to `typed` and how many more there are.
fn listing(typed: &str, known: &[String], kind: &str) -> String {
    listing_among(typed, known, known, kind)
}

/// [`listing`] of `known`, suggesting from `listed` (a mirror lists more than it holds).
fn listing_among(typed: &str, listed: &[String], known: &[String], kind: &str) -> String {
    let hint = suggest(typed, listed).map_or_else(|| ";".to_owned(), |s| format!("; did you mean '{s}'?"));
    if known.len() <= 16 {
        return format!("{hint} available {kind}: {}", known.join(", "));
    }
    let mut close: Vec<&String> = known.iter().collect();
    close.sort_by(|a, b| strsim::jaro_winkler(typed, b).total_cmp(&strsim::jaro_winkler(typed, a)));
    let shown: Vec<&str> = close.iter().take(6).map(|s| s.as_str()).collect();
    format!("{hint} closest of {} available {kind}: {}", known.len(), shown.join(", "))
}

/// Resolves `req` against `manifest`.
///
/// # Errors
/// See [`SelectError`].
pub fn select(manifest: &Manifest, req: &Request<'_>) -> Result<Selection, SelectError> {
    if !manifest.target_of("rustc", req.host).is_some_and(|(t, p)| t == req.host && p.available) {
        return Err(SelectError::NoHost { host: req.host.to_owned() });
    }
    let no_profile = Vec::new();
    let profile = if req.profile.is_empty() { Some(&no_profile) } else { manifest.profiles.get(req.profile) };
    let profile = profile.ok_or_else(|| SelectError::UnknownProfile {
        profile: req.profile.to_owned(),
        known: manifest.profiles.keys().cloned().collect(),
    })?;
    let mut sel = Selection::default();
    for pkg in profile {
        match manifest.target_of(pkg, req.host) {
            None => {}
            Some((_, tp)) if !tp.available => {
                sel.warnings.push(format!(
                    "skipping component '{pkg}' of profile '{}': it is not available for {} in this release",
                    req.profile, req.host
                ));
            }
            Some((target, tp)) => push(&mut sel, pkg, target, false, tp.preferred_archive())?,
        }
    }
    for name in req.components {
        let pkg = manifest.rename(name);
        match manifest.target_of(pkg, req.host) {
            Some((target, tp)) if tp.available => push(&mut sel, pkg, target, true, tp.preferred_archive())?,
            Some(_) if manifest.mirror => {
                let held = available_components(manifest, req.host);
                return Err(SelectError::NotInMirror { what: "component", name: name.clone(), held });
            }
            _ => {
                return Err(SelectError::UnknownComponent {
                    name: name.clone(),
                    host: req.host.to_owned(),
                    available: available_components(manifest, req.host),
                });
            }
        }
    }
    for target in req.targets {
        match manifest.pkg.get("rust-std").and_then(|p| p.target.get(target.as_str())) {
            Some(tp) if tp.available => push(&mut sel, "rust-std", target, true, tp.preferred_archive())?,
            listed => {
                let available: Vec<String> = manifest
                    .pkg
                    .get("rust-std")
                    .map(|p| p.target.iter().filter(|(_, tp)| tp.available).map(|(t, _)| t.clone()).collect())
                    .unwrap_or_default();
                if listed.is_some() && manifest.mirror {
                    return Err(SelectError::NotInMirror { what: "target", name: target.clone(), held: available });
                }
                let listed = manifest.pkg.get("rust-std").map(|p| p.target.keys().cloned().collect()).unwrap_or_default();
                return Err(SelectError::UnknownTarget { target: target.clone(), available, listed });
            }
        }
    }
    Ok(sel)
}

fn push(sel: &mut Selection, pkg: &str, target: &str, is_extension: bool, archive: Option<Archive>) -> Result<(), SelectError> {
    if sel.components.iter().any(|c| c.pkg == pkg && c.target == target) {
        return Ok(());
    }
    let archive = archive.ok_or_else(|| SelectError::NoArchive { pkg: pkg.to_owned(), target: target.to_owned() })?;
    sel.components.push(Selected { pkg: pkg.to_owned(), target: target.to_owned(), is_extension, archive });
    Ok(())
}

/// Names of the components that can be installed for `host`: the packages listed by the host's
/// `rust` package (components and extensions) whose build is available, under their user-facing
/// names (`rustfmt` rather than `rustfmt-preview`).
pub fn available_components(manifest: &Manifest, host: &str) -> Vec<String> {
    let Some(rust) = manifest.pkg.get("rust").and_then(|p| p.target.get(host)) else {
        return Vec::new();
    };
    let mut names: Vec<String> = rust
        .components
        .iter()
        .chain(&rust.extensions)
        .filter(|c| Target::from_key(&c.target).matches(host))
        .filter(|c| manifest.target_of(&c.pkg, &c.target).is_some_and(|(_, tp)| tp.available))
        .map(|c| manifest.renames.iter().find(|(_, r)| r.to == c.pkg).map_or_else(|| c.pkg.clone(), |(old, _)| old.clone()))
        .collect();
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOST: &str = "x86_64-unknown-linux-gnu";

    fn real() -> Manifest {
        Manifest::parse(include_str!("../../tests/fixtures/channel-rust-1.95.0.toml")).unwrap()
    }

    fn names(sel: &Selection) -> Vec<String> {
        sel.components.iter().map(Selected::name).collect()
    }

    fn req<'a>(profile: &'a str, components: &'a [String], targets: &'a [String]) -> Request<'a> {
        Request { host: HOST, profile, components, targets }
    }

    #[test]
    fn real_manifest_has_many_targets() {
        let m = real();
        assert_eq!(m.manifest_version, "2");
        assert!(m.pkg["rust-std"].target.len() >= 100, "{}", m.pkg["rust-std"].target.len());
        assert_eq!(m.rust_version(), Some("1.95.0"));
    }

    #[test]
    fn profiles_on_the_real_manifest() {
        let m = real();
        let sel = select(&m, &req("minimal", &[], &[])).unwrap();
        // rust-mingw has no Linux build: skipped quietly.
        assert_eq!(names(&sel), ["rustc-x86_64-unknown-linux-gnu", "cargo-x86_64-unknown-linux-gnu", "rust-std-x86_64-unknown-linux-gnu"]);
        assert!(sel.warnings.is_empty(), "{:?}", sel.warnings);
        assert!(sel.components[0].archive.url.ends_with("rustc-1.95.0-x86_64-unknown-linux-gnu.tar.xz"));
        let sel = select(&m, &req("default", &[], &[])).unwrap();
        assert_eq!(sel.components.len(), 6);
        assert!(names(&sel).contains(&"clippy-preview-x86_64-unknown-linux-gnu".to_owned()));
    }

    #[test]
    fn components_and_targets_are_added_with_renames() {
        let m = real();
        let comps = ["rustfmt".to_owned(), "rust-src".to_owned()];
        let targets = ["aarch64-unknown-linux-musl".to_owned()];
        let sel = select(&m, &req("minimal", &comps, &targets)).unwrap();
        let n = names(&sel);
        assert_eq!(&n[3..], ["rustfmt-preview-x86_64-unknown-linux-gnu", "rust-src", "rust-std-aarch64-unknown-linux-musl"]);
        assert!(sel.components[3..].iter().all(|c| c.is_extension));
    }

    #[test]
    fn unknown_requests_list_what_exists() {
        let m = real();
        let err = select(&m, &req("minimal", &["rustfmtt".to_owned()], &[])).unwrap_err().to_string();
        assert!(err.contains("component 'rustfmtt' is not available for x86_64-unknown-linux-gnu"), "{err}");
        assert!(err.contains("did you mean 'rustfmt'?"), "{err}");
        assert!(err.ends_with("available components: cargo, clippy, llvm-bitcode-linker, llvm-tools, rust-analysis, rust-analyzer, rust-docs, rust-src, rust-std, rustc, rustc-dev, rustc-docs, rustfmt"), "{err}");
        let err = select(&m, &req("minimal", &[], &["aarch64-unknown-linux-gnux".to_owned()])).unwrap_err().to_string();
        assert!(err.contains("target 'aarch64-unknown-linux-gnux'") && err.contains("did you mean 'aarch64-unknown-linux-gnu'?"), "{err}");
        // 100+ targets: the closest few and a count, not every one on one line.
        assert!(err.contains("closest of ") && err.len() < 400, "{} characters: {err}", err.len());
        let err = select(&m, &req("minimul", &[], &[])).unwrap_err().to_string();
        assert_eq!(err, "unknown profile 'minimul'; did you mean 'minimal'? available profiles: complete, default, minimal");
        assert!(check_profile("minimul").unwrap_err().is_usage() && check_profile("complete").is_ok());
        let host = Request { host: "armv7-unknown-linux-musleabihf", ..req("minimal", &[], &[]) };
        assert!(matches!(select(&m, &host), Err(SelectError::NoHost { .. })));
    }

    #[test]
    fn a_mirror_says_what_it_lacks() {
        let mut m = real();
        m.mirror = true;
        for (t, tp) in &mut m.pkg.get_mut("rust-std").unwrap().target {
            tp.available = t == HOST;
        }
        let err = select(&m, &req("minimal", &[], &["aarch64-unknown-linux-gnu".to_owned()])).unwrap_err();
        assert_eq!(err.to_string(), format!("target 'aarch64-unknown-linux-gnu' is not in this mirror; it holds {HOST}"));
        assert!(err.is_usage());
        // A typo is suggested the listed name, even one the mirror lacks.
        let err = select(&m, &req("minimal", &[], &["aarch64-unknown-linux-gnx".to_owned()])).unwrap_err().to_string();
        assert!(err.contains("did you mean 'aarch64-unknown-linux-gnu'?"), "{err}");
    }

    #[test]
    fn unavailable_profile_components_warn() {
        let mut m = real();
        m.pkg.get_mut("clippy-preview").unwrap().target.get_mut(HOST).unwrap().available = false;
        let sel = select(&m, &req("default", &[], &[])).unwrap();
        assert_eq!(sel.components.len(), 5);
        assert_eq!(sel.warnings.len(), 1);
        assert!(sel.warnings[0].contains("clippy-preview"), "{:?}", sel.warnings);
    }
}
