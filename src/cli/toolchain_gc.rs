//! `tcup toolchain gc [--older-than DAYS] [--dry-run] [-y]`: what goes, what stays and why, the
//! bytes freed; on a terminal it asks first, without one (and without `-y`) it only reports and
//! exits 1 (as `self uninstall` and `init` refuse to guess). The decision is
//! [`crate::ops::toolchain::gc`]'s.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use super::output::{self, Document, ToolchainRef};

use crate::env::{Env, OutputFormat};
use crate::ops::toolchain::gc::{self, Judged, Keep, Plan};
use crate::progress::Reporter;

#[derive(Debug, Args)]
pub(super) struct GcArgs {
    /// Remove toolchains not used for this many days (a toolchain never recorded counts from
    /// the day it was installed).
    #[arg(long, value_name = "DAYS", default_value_t = 30)]
    older_than: u32,
    /// Only say what would be removed.
    #[arg(long)]
    dry_run: bool,
    /// Remove without asking.
    #[arg(short = 'y', long)]
    yes: bool,
}

/// Nothing removed: no terminal to ask on and no `-y`. Exit code 1.
#[derive(Debug, thiserror::Error)]
#[error("nothing removed: standard input is not a terminal, so tcup cannot ask; run `tcup toolchain gc -y` to remove them")]
struct NotAsked;

/// One toolchain in the document.
#[derive(Debug, Serialize)]
struct Entry {
    #[serde(flatten)]
    toolchain: ToolchainRef,
    /// `remove` or `keep`.
    action: &'static str,
    /// Why it stays (`null` when it goes).
    kept_because: Option<KeptDoc>,
    /// The day it counts as last used.
    last_used: Option<String>,
    /// `record` (a proxy ran it that day) or `installed` (no record: its directory's day).
    last_used_source: Option<&'static str>,
    days_unused: Option<i64>,
    bytes: Option<u64>,
    shared_bytes: Option<u64>,
    #[serde(skip)]
    when: String,
}

#[derive(Debug, Serialize)]
struct KeptDoc {
    /// `default`, `directory_override`, `known_project`, `active`, `linked`, `recently_used`.
    kind: &'static str,
    /// The override's directory or the project's toolchain file.
    path: Option<PathBuf>,
    /// In words.
    because: String,
}

#[derive(Debug, Serialize)]
struct StaleDoc {
    path: PathBuf,
    bytes: u64,
}

/// `toolchain gc`'s document.
#[derive(Debug, Serialize)]
struct GcDoc {
    today: String,
    older_than_days: u32,
    /// `dry_run`, `not_asked`, `cancelled`, `removed`, `nothing_to_remove`.
    outcome: &'static str,
    toolchains: Vec<Entry>,
    stale_files: Vec<StaleDoc>,
    forgotten_projects: Vec<PathBuf>,
    /// Removed and later used again before the removal: kept.
    ran_since: Vec<String>,
    /// Bytes freed (`removed`), else that would be freed.
    bytes_freed: u64,
    #[serde(skip)]
    plan_lines: bool,
}

fn kept(k: &Keep, j: &Judged) -> KeptDoc {
    let (kind, path, because) = match k {
        Keep::Default => ("default", None, "the default toolchain".to_owned()),
        Keep::Override(d) => ("directory_override", Some(d.clone()), format!("directory override for '{}'", d.display())),
        Keep::Project(f) => ("known_project", Some(f.clone()), format!("named by {}", f.display())),
        Keep::Active(r) => ("active", None, format!("active here ({})", r.because())),
        Keep::Linked => ("linked", None, "linked".to_owned()),
        Keep::Recent => ("recently_used", None, used(j)),
    };
    KeptDoc { kind, path, because }
}

/// `last used 2027-01-01 (68 days ago)`, or `no record of use; installed 2026-12-07 (93 days ago)`.
fn used(j: &Judged) -> String {
    let Some(l) = &j.last_use else { return "last use unknown".into() };
    let ago = match j.days_unused {
        Some(0) => "today".to_owned(),
        Some(1) => "1 day ago".to_owned(),
        Some(d) => format!("{d} days ago"),
        None => String::new(),
    };
    if l.recorded { format!("last used {} ({ago})", l.day) } else { format!("no record of use; installed {} ({ago})", l.day) }
}

/// `1.3 KiB`, `2.0 GiB`.
fn human(bytes: u64) -> String {
    #[allow(clippy::cast_precision_loss, reason = "a display figure")]
    let mut v = bytes as f64;
    for unit in ["B", "KiB", "MiB", "GiB"] {
        if v < 1024.0 || unit == "GiB" {
            return if unit == "B" { format!("{bytes} B") } else { format!("{v:.1} {unit}") };
        }
        v /= 1024.0;
    }
    unreachable!()
}

impl GcDoc {
    fn of(plan: &Plan, outcome: &'static str) -> GcDoc {
        let toolchains = plan
            .toolchains
            .iter()
            .map(|j| Entry {
                toolchain: ToolchainRef::named(j.name.as_str()),
                action: if j.keep.is_none() { "remove" } else { "keep" },
                kept_because: j.keep.as_ref().map(|k| kept(k, j)),
                last_used: j.last_use.as_ref().map(|l| l.day.clone()),
                last_used_source: j.last_use.as_ref().map(|l| if l.recorded { "record" } else { "installed" }),
                days_unused: j.days_unused,
                bytes: j.footprint.map(|f| f.bytes),
                shared_bytes: j.footprint.map(|f| f.shared_bytes),
                when: used(j),
            })
            .collect();
        GcDoc {
            today: plan.today.clone(),
            older_than_days: plan.older_than_days,
            outcome,
            toolchains,
            stale_files: plan.stale.iter().map(|s| StaleDoc { path: s.path.clone(), bytes: s.bytes }).collect(),
            forgotten_projects: plan.gone_projects.iter().map(|p| p.file.clone()).collect(),
            ran_since: Vec::new(),
            bytes_freed: plan.bytes_freed(),
            plan_lines: true,
        }
    }

    fn plan_text(&self) -> String {
        let mut out = String::new();
        for e in &self.toolchains {
            let size = match (e.bytes, e.shared_bytes) {
                (Some(b), Some(0)) => format!("; {}", human(b)),
                (Some(b), Some(s)) => format!("; {}, {} of it shared with other toolchains", human(b), human(s)),
                _ => String::new(),
            };
            let _ = match &e.kept_because {
                Some(k) => writeln!(out, "keep   {}: {}{size}", e.toolchain.name, k.because),
                None => writeln!(out, "remove {}: {}{size}", e.toolchain.name, e.when),
            };
        }
        for s in &self.stale_files {
            let _ = writeln!(out, "remove {}: stale, {}", s.path.display(), human(s.bytes));
        }
        for p in &self.forgotten_projects {
            let _ = writeln!(out, "forget {}: the project file is gone", p.display());
        }
        out
    }

    fn outcome_text(&self) -> String {
        let goes = self.toolchains.iter().filter(|e| e.kept_because.is_none()).count();
        let what = format!(
            "{goes} toolchain{} and {} stale file{}",
            if goes == 1 { "" } else { "s" },
            self.stale_files.len(),
            if self.stale_files.len() == 1 { "" } else { "s" }
        );
        let bytes = format!("{} bytes ({})", self.bytes_freed, human(self.bytes_freed));
        match self.outcome {
            "nothing_to_remove" => format!("nothing to remove (nothing unused for {} days)\n", self.older_than_days),
            "removed" => format!("removed {what}: {bytes} freed\n"),
            "cancelled" => "nothing removed\n".to_owned(),
            "not_asked" => format!("{what} would go: {bytes} would be freed; nothing removed\n"),
            _ => format!("{what} would go: {bytes} would be freed (dry run: nothing removed)\n"),
        }
    }
}

impl Document for GcDoc {
    fn text(&self) -> String {
        let plan = if self.plan_lines { self.plan_text() } else { String::new() };
        plan + &self.outcome_text()
    }
}

/// Asks on the terminal whether to remove what `doc` lists (shown first in text mode).
fn ask(env: &Env, doc: &GcDoc) -> anyhow::Result<bool> {
    if env.format == OutputFormat::Text {
        print!("{}", doc.plan_text());
    }
    eprint!("Remove them? (y/N) ");
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    Ok(answer.trim().eq_ignore_ascii_case("y"))
}

pub(super) fn run(args: &GcArgs, env: &Env, reporter: &Reporter) -> anyhow::Result<()> {
    let plan = gc::plan(env, args.older_than)?;
    if args.dry_run {
        output::print(env, &GcDoc::of(&plan, "dry_run"));
        return Ok(());
    }
    if plan.is_empty() {
        if !plan.gone_projects.is_empty() {
            gc::apply(env, &plan, reporter)?;
        }
        output::print(env, &GcDoc::of(&plan, "nothing_to_remove"));
        return Ok(());
    }
    let mut doc = GcDoc::of(&plan, "not_asked");
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            output::print(env, &doc);
            return Err(NotAsked.into());
        }
        if !ask(env, &doc)? {
            doc.outcome = "cancelled";
            doc.plan_lines = env.format == OutputFormat::Json;
            output::print(env, &doc);
            return Ok(());
        }
        doc.plan_lines = env.format == OutputFormat::Json;
    }
    let done = gc::apply(env, &plan, reporter)?;
    doc.outcome = "removed";
    doc.bytes_freed = done.bytes_freed;
    doc.ran_since = done.ran_since.iter().map(ToString::to_string).collect();
    for n in &done.ran_since {
        reporter.info(&format!("kept {n}: it ran while gc was deciding"));
    }
    output::print(env, &doc);
    Ok(())
}
