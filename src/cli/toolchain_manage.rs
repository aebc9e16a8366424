//! `tcup toolchain list [-v] | uninstall | link` and `tcup uninstall`, with rustup's output.

use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use super::output::{self, Document, ToolchainRef};

use crate::env::{Env, OutputFormat};
use crate::ops::active::context::Session;
use crate::ops::active::resolve::{self, Active};
use crate::ops::toolchain::{list, uninstall};
use crate::progress::Reporter;

#[derive(Debug, Args)]
pub(super) struct UninstallArgs {
    /// Toolchains to remove (stable, 1.95.0, nightly-2026-05-20, a linked name …).
    #[arg(required = true, value_name = "TOOLCHAIN", value_parser = crate::dist::name::parse_arg)]
    names: Vec<String>,
}

#[derive(Debug, Args)]
pub(super) struct LinkArgs {
    /// Name for the toolchain (not a channel name such as stable).
    #[arg(value_parser = crate::dist::name::parse_arg)]
    name: String,
    /// The toolchain directory (with bin/ and lib/), e.g. a rustc build's stage1.
    path: PathBuf,
}

/// An installed toolchain as `toolchain list` and `show` report it.
#[derive(Debug, Serialize)]
pub(super) struct Entry {
    #[serde(flatten)]
    toolchain: ToolchainRef,
    /// Whether it is the active toolchain here.
    active: bool,
    /// Whether it is `settings.toml`'s default toolchain.
    default: bool,
    /// Its directory (canonical: a linked toolchain's target).
    path: PathBuf,
    /// With `-v`: components whose files are hard links shared with another toolchain (`null`
    /// without `-v`: finding them reads every toolchain's receipts).
    shares: Option<Vec<Shared>>,
    /// Components taken from a toolchain store, each with the store toolchain's directory
    /// (docs/store.md); empty when none.
    from_store: Vec<FromStore>,
    #[serde(skip)]
    verbose: bool,
}

impl Entry {
    /// rustup's line: `name`, marked `(active, default)`, `(active)` or `(default)`, and with
    /// `verbose` its path.
    pub(super) fn line(&self) -> String {
        let marks = match (self.active, self.default) {
            (true, true) => " (active, default)",
            (true, false) => " (active)",
            (false, true) => " (default)",
            (false, false) => "",
        };
        let path = if self.verbose {
            format!(" {}{}", self.path.display(), shares_text(self.shares.as_deref().unwrap_or_default()))
        } else {
            String::new()
        };
        format!("{}{marks}{path}\n", self.toolchain.name)
    }
}

/// A component whose files are one inode in this toolchain and `toolchain`.
#[derive(Debug, Serialize)]
pub(super) struct Shared {
    component: String,
    toolchain: String,
}

/// A component taken from a toolchain store.
#[derive(Debug, Serialize)]
pub(super) struct FromStore {
    component: String,
    /// The store toolchain's directory it came from.
    path: PathBuf,
}

/// Every installed toolchain, in `toolchains/` order.
pub(super) fn entries(env: &Env, here: &Session, active: Option<&Active>, verbose: bool) -> Vec<Entry> {
    list::installed(env, here, active, verbose)
        .into_iter()
        .map(|t| Entry {
            toolchain: ToolchainRef::named(t.name.as_str()),
            active: t.active,
            default: t.default,
            path: t.path,
            shares: t.shares.map(|s| s.into_iter().map(|(component, other)| Shared { component, toolchain: other.to_string() }).collect()),
            from_store: t.from_store.into_iter().map(|(component, path)| FromStore { component, path }).collect(),
            verbose,
        })
        .collect()
}

/// ` (shares rustc, cargo with 1.95.0-x86_64-unknown-linux-gnu)` when another toolchain holds some
/// of this one's files; empty otherwise, so the line is rustup's when nothing is shared.
fn shares_text(shares: &[Shared]) -> String {
    let others: std::collections::BTreeSet<&str> = shares.iter().map(|s| s.toolchain.as_str()).collect();
    let parts: Vec<String> = others
        .into_iter()
        .map(|o| {
            let comps: Vec<&str> = shares.iter().filter(|s| s.toolchain == o).map(|s| s.component.as_str()).collect();
            format!("{} with {o}", comps.join(", "))
        })
        .collect();
    if parts.is_empty() { String::new() } else { format!(" (shares {})", parts.join("; ")) }
}

/// A `toolchain list` entry: [`Entry`], and in JSON its use and size (docs/disk.md).
#[derive(Debug, Serialize)]
struct Listed {
    #[serde(flatten)]
    entry: Entry,
    /// The day a proxy last ran it (`null`: no record, or linked).
    last_used: Option<String>,
    /// Bytes of its files, each inode once (`null` for a linked toolchain).
    bytes: Option<u64>,
    /// Of these, bytes with hard links outside it (another toolchain's).
    shared_bytes: Option<u64>,
}

/// `toolchain list [-v]`.
#[derive(Debug, Serialize)]
struct List {
    toolchains: Vec<Listed>,
}

impl Document for List {
    fn text(&self) -> String {
        if self.toolchains.is_empty() {
            return "no installed toolchains\n".into();
        }
        self.toolchains.iter().map(|l| l.entry.line()).collect()
    }
}

pub(super) fn list(env: &Env, verbose: bool) -> anyhow::Result<()> {
    let here = Session::load(env)?;
    // A broken toolchain file must not hide the list; it only loses the "active" mark.
    let active = resolve::active(&here.ctx(env), None).ok().flatten();
    let entries = entries(env, &here, active.as_ref(), verbose);
    // Sizes walk every toolchain's files: only JSON, which carries them, pays for that.
    let usage = if env.format == OutputFormat::Json { list::usage(env) } else { std::collections::BTreeMap::new() };
    let toolchains = entries
        .into_iter()
        .map(|entry| {
            let u = usage.get(entry.toolchain.name.as_str());
            Listed {
                last_used: u.and_then(|u| u.last_used.clone()),
                bytes: u.and_then(|u| u.footprint).map(|f| f.bytes),
                shared_bytes: u.and_then(|u| u.footprint).map(|f| f.shared_bytes),
                entry,
            }
        })
        .collect();
    output::print(env, &List { toolchains });
    Ok(())
}

pub(super) fn uninstall(args: &UninstallArgs, env: &Env, reporter: &Reporter) -> anyhow::Result<()> {
    uninstall::uninstall_named(env, &args.names, reporter)
}

pub(super) fn link(args: &LinkArgs, env: &Env, reporter: &Reporter) -> anyhow::Result<()> {
    let target = crate::ops::toolchain::link::link(&env.rustup_home, &args.name, &args.path)?;
    reporter.info(&format!("toolchain '{}' linked to {}", args.name, target.display()));
    Ok(())
}
