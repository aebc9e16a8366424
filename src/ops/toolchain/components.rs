//! `tcup component add|remove|list` and `tcup target add|remove|list`: change an installed
//! toolchain's components against its *own* channel manifest
//! (`lib/rustlib/multirust-channel-manifest.toml`), as rustup does, so no manifest is fetched;
//! `add` downloads only the new component, `remove` downloads nothing. Both go through
//! [`super::change`], so the toolchain is swapped whole.
//!
//! Names as rustup takes them: a package name or an old name from `[renames]` (`rustfmt` →
//! `rustfmt-preview`), optionally followed by `-<target>` (`rust-std-aarch64-unknown-linux-gnu`);
//! without a target the component is the host's (or the `*` build). A target is its `rust-std`.

use std::collections::BTreeSet;

use crate::dist::component::Target;
use crate::dist::manifest::Manifest;
use crate::dist::name::LocalName;
use crate::dist::select::Selected;
use crate::download::Downloader;
use crate::env::Env;
use crate::home::Home;
use crate::ops::toolchain::rebuild::{self, Applied, Current};
use crate::ops::toolchain::update::{Additions, wanted};
use crate::progress::Reporter;

/// Components or targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `tcup component …`: names are components.
    Component,
    /// `tcup target …`: names are target triples (their `rust-std`).
    Target,
}

/// A name the toolchain's manifest does not have (or not available, or not installed for
/// `remove`). Exit code 1, like rustup; the message lists what exists.
#[derive(Debug, thiserror::Error)]
#[error("toolchain '{toolchain}' has no {what} '{name}'{for_target}; {list_kind}: {}", known.join(", "))]
pub struct UnknownName {
    /// Toolchain directory name.
    pub toolchain: String,
    /// `component`, `target`, `installed component`, `installed target`.
    pub what: &'static str,
    /// As given.
    pub name: String,
    /// ` for target <t>` or empty.
    pub for_target: String,
    /// `available components`, `installed targets`, …
    pub list_kind: &'static str,
    /// What exists.
    pub known: Vec<String>,
}

/// One row of `component list` / `target list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// `rustfmt-x86_64-unknown-linux-gnu`, `rust-src`, or a target triple.
    pub name: String,
    /// Whether it is installed.
    pub installed: bool,
}

fn host_of(toolchain: &LocalName) -> anyhow::Result<String> {
    toolchain.channel_name().and_then(|n| n.host).ok_or_else(|| anyhow::anyhow!("toolchain '{toolchain}' names no host triple"))
}

/// The user-facing short name of a package (`rustfmt` for `rustfmt-preview`).
fn short(m: &Manifest, pkg: &str) -> String {
    m.renames.iter().find(|(_, r)| r.to == pkg).map_or_else(|| pkg.to_owned(), |(old, _)| old.clone())
}

fn display(m: &Manifest, pkg: &str, target: &Target) -> String {
    target.name_with(&short(m, pkg))
}

/// Lists what the toolchain's manifest offers for its host, sorted, marking what is installed:
/// components from the host's `rust` package (components and extensions, available builds), or
/// targets with an available `rust-std`.
///
/// # Errors
/// The toolchain is not installed or has no receipts.
pub fn list(env: &Env, toolchain: &LocalName, kind: Kind) -> anyhow::Result<Vec<Row>> {
    let current = Current::read(&Home::new(&env.rustup_home), toolchain)?;
    let m = &current.manifest.manifest;
    let host = host_of(toolchain)?;
    let installed = |pkg: &str, target: &str| current.find(m, pkg, target).is_some();
    let mut rows: Vec<Row> = match kind {
        Kind::Component => m
            .pkg
            .get("rust")
            .and_then(|p| p.target.get(&host))
            .map(|rust| {
                rust.components
                    .iter()
                    .chain(&rust.extensions)
                    .filter(|c| m.target_of(&c.pkg, &c.target).is_some_and(|(_, tp)| tp.available))
                    .map(|c| ((short(m, &c.pkg), c.target.clone()), installed(&c.pkg, &c.target)))
                    .collect::<std::collections::BTreeMap<_, _>>()
                    .into_iter()
                    // rustup's order: by short package name, then target (`rustc` before `rustc-dev`).
                    .map(|((pkg, target), installed)| Row { name: Target::from_key(&target).name_with(&pkg), installed })
                    .collect()
            })
            .unwrap_or_default(),
        Kind::Target => std_targets(m).into_iter().map(|t| Row { installed: installed("rust-std", &t), name: t }).collect(),
    };
    if kind == Kind::Target {
        rows.sort_by(|a, b| a.name.cmp(&b.name));
    }
    Ok(rows)
}

/// Finds `(pkg, target key)` for a name as the user typed it; `target` is `--target` or the host.
fn resolve(m: &Manifest, name: &str, target: &str) -> Option<(String, String)> {
    let direct = m.rename(name);
    if let Some((key, _)) = m.target_of(direct, target) {
        return Some((direct.to_owned(), key.to_owned()));
    }
    m.pkg.values().flat_map(|p| p.target.keys()).find_map(|t| {
        let prefix = name.strip_suffix(t.as_str())?.strip_suffix('-')?;
        let pkg = m.rename(prefix);
        m.pkg.get(pkg)?.target.contains_key(t).then(|| (pkg.to_owned(), t.clone()))
    })
}

/// What `add`/`remove` did.
#[derive(Debug)]
pub enum Changed {
    /// Everything asked for was already so.
    Nothing(Vec<String>),
    /// The toolchain was rebuilt.
    Applied(Applied),
}

/// One `add` or `remove`.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// Installed toolchain directory name.
    pub toolchain: &'a LocalName,
    /// Components or targets.
    pub kind: Kind,
    /// Names as typed.
    pub names: &'a [String],
    /// `--target` for components (default: the toolchain's host).
    pub target: Option<&'a str>,
    /// Add (`true`) or remove.
    pub add: bool,
}

/// Adds or removes components or targets of an installed toolchain.
///
/// # Errors
/// [`UnknownName`] (nothing changed), or the change fails (the toolchain is unchanged).
pub fn change(env: &Env, req: &Request<'_>, downloader: &Downloader, reporter: &Reporter) -> anyhow::Result<Changed> {
    let Request { toolchain, kind, names, target, add } = *req;
    let home = Home::new(&env.rustup_home);
    let _lock = crate::ops::toolchain::install::lock_home(&home, reporter)?;
    let current = Current::read(&home, toolchain)?;
    let m = &current.manifest.manifest;
    let host = host_of(toolchain)?;
    let on = target.unwrap_or(&host);
    let mut wanted_now = wanted(&current, &current.manifest, &host, &Additions::default())?;
    let mut already = Vec::new();
    for name in names {
        let (pkg, key) = match kind {
            Kind::Component => resolve(m, name, on),
            Kind::Target => Some(("rust-std".to_owned(), name.clone())),
        }
        .filter(|(p, t)| m.pkg.get(p).and_then(|p| p.target.get(t)).is_some_and(|tp| tp.available))
        .ok_or_else(|| unknown(&current, kind, name, on, add))?;
        let shown = display(m, &pkg, &Target::from_key(&key));
        let present = wanted_now.iter().position(|w| w.pkg == pkg && w.target == key);
        match (add, present) {
            (true, Some(_)) => already.push(shown),
            (true, None) => {
                let tp = &m.pkg[&pkg].target[&key];
                let archive = tp.preferred_archive().ok_or_else(|| anyhow::anyhow!("the manifest gives no archive for {shown}"))?;
                wanted_now.push(Selected { pkg, target: key, is_extension: true, archive });
            }
            (false, Some(i)) => {
                wanted_now.remove(i);
            }
            (false, None) => return Err(unknown(&current, kind, name, on, add).into()),
        }
    }
    let mut plan = rebuild::plan(&current, &current.manifest, &wanted_now, &BTreeSet::new());
    plan.check_contents = false;
    if plan.fetch.is_empty() && plan.drop.is_empty() {
        return Ok(Changed::Nothing(already));
    }
    rebuild::apply(env, &current, &current.manifest, plan, false, downloader, reporter).map(Changed::Applied)
}

fn unknown(current: &Current, kind: Kind, name: &str, on: &str, add: bool) -> UnknownName {
    let m = &current.manifest.manifest;
    let installed: Vec<String> = current
        .components
        .iter()
        .filter(|c| kind == Kind::Component || c.id.pkg == "rust-std")
        .map(|c| if kind == Kind::Target { c.id.target.to_string() } else { display(m, m.rename(&c.id.pkg), &c.id.target) })
        .collect();
    let (what, list_kind, known) = match (kind, add) {
        (Kind::Component, true) => ("component", "available components", available(current, Kind::Component)),
        (Kind::Target, true) => ("target", "available targets", available(current, Kind::Target)),
        (Kind::Component, false) => ("installed component", "installed components", installed),
        (Kind::Target, false) => ("installed target", "installed targets", installed),
    };
    let for_target = if kind == Kind::Component { format!(" for target {on}") } else { String::new() };
    UnknownName { toolchain: current.toolchain.to_string(), what, name: name.to_owned(), for_target, list_kind, known }
}

fn available(current: &Current, kind: Kind) -> Vec<String> {
    list_rows(current, kind).into_iter().map(|r| r.name).collect()
}

fn list_rows(current: &Current, kind: Kind) -> Vec<Row> {
    let m = &current.manifest.manifest;
    match kind {
        Kind::Component => host_of(&current.toolchain)
            .map(|h| crate::dist::select::available_components(m, &h).into_iter().map(|name| Row { name, installed: false }).collect())
            .unwrap_or_default(),
        Kind::Target => std_targets(m).into_iter().map(|name| Row { name, installed: false }).collect(),
    }
}

/// Targets the manifest has an available `rust-std` for: what `target add` accepts.
fn std_targets(m: &Manifest) -> Vec<String> {
    m.pkg
        .get("rust-std")
        .map(|p| p.target.iter().filter(|(t, tp)| tp.available && !Target::is_any_key(t)).map(|(t, _)| t.clone()).collect())
        .unwrap_or_default()
}
