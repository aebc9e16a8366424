//! `tcup toolchain gc`: removing the toolchains nobody uses (docs/design.md install-17). Disks
//! fill with old toolchains (rustup issue 4548; CI runners, small machines); proto, elan, mise
//! and ghcup each have a command for it.
//!
//! [`plan`] decides, and changes nothing: a toolchain goes when it has not been used for
//! `older_than_days` days (its last-use record, [`crate::home::usage`], else the day its directory
//! last changed) and nothing protects it. Protected, whatever its age: the default toolchain, a
//! directory override's, the one active here, one a known project's toolchain file still names
//! (the file is resolved again, with the lock beside it, as the proxies would), a linked one.
//! Partial downloads in `downloads/` and anything in `tmp/` not modified for as many days are
//! stale (complete archives and manifests `tcup fetch` stored stay). [`apply`] removes what
//! the plan says, each toolchain through [`uninstall_named`] (whole, or not at all), skipping one
//! that ran since the plan was made, then the stale files under the home lock.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::dist::name::LocalName;
use crate::env::Env;
use crate::env::calendar::days;
use crate::home::Home;
use crate::home::settings::Settings;
use crate::home::usage::Project;
use crate::ops::active::context::Session;
use crate::ops::active::resolve::{self, Active, Context, Reason, Toolchain};
use crate::ops::toolchain::disk::{self, Footprint, LastUse, Survey};
use crate::ops::toolchain::uninstall::uninstall_named;
use crate::progress::Reporter;

/// Why a toolchain stays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keep {
    /// `settings.toml`'s `default_toolchain`.
    Default,
    /// A directory override (the directory).
    Override(PathBuf),
    /// A known project's toolchain file (or its lock) names it (the file).
    Project(PathBuf),
    /// It is active here (`+toolchain`, `RUSTUP_TOOLCHAIN`, or the current directory's file).
    Active(Reason),
    /// A linked toolchain: its files are not the home's.
    Linked,
    /// Used within the last `older_than_days` days.
    Recent,
}

/// One installed toolchain, judged.
#[derive(Debug, Clone)]
pub struct Judged {
    /// Its name in `toolchains/`.
    pub name: LocalName,
    /// When it was last used (`None` for a linked toolchain or an unreadable directory).
    pub last_use: Option<LastUse>,
    /// Whole days from `last_use` to today.
    pub days_unused: Option<i64>,
    /// Its size (`None` for a linked toolchain).
    pub footprint: Option<Footprint>,
    /// Why it stays; `None`: it goes.
    pub keep: Option<Keep>,
}

/// A stale file or directory in `downloads/` or `tmp/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    /// Its path.
    pub path: PathBuf,
    /// Its bytes (each inode once).
    pub bytes: u64,
}

/// What `gc` would do.
#[derive(Debug)]
pub struct Plan {
    /// The age limit, days.
    pub older_than_days: u32,
    /// Today (`YYYY-MM-DD`: `TCUP_TODAY`, else the clock).
    pub today: String,
    /// Every toolchain in `toolchains/` order.
    pub toolchains: Vec<Judged>,
    /// Bytes the toolchains that go free together (a file shared with one that stays is not freed).
    pub toolchain_bytes: u64,
    /// Stale files.
    pub stale: Vec<Stale>,
    /// Known projects whose toolchain file is gone: their records are dropped.
    pub gone_projects: Vec<Project>,
    survey: Survey,
}

impl Plan {
    /// The toolchains that go.
    pub fn removals(&self) -> impl Iterator<Item = &Judged> {
        self.toolchains.iter().filter(|j| j.keep.is_none())
    }

    /// Whether there is nothing to remove.
    pub fn is_empty(&self) -> bool {
        self.removals().next().is_none() && self.stale.is_empty()
    }

    /// Bytes the plan frees: the toolchains' and the stale files'.
    pub fn bytes_freed(&self) -> u64 {
        self.toolchain_bytes + self.stale.iter().map(|s| s.bytes).sum::<u64>()
    }
}

/// Decides what goes; changes nothing.
///
/// # Errors
/// `settings.toml` is not valid (named); `TCUP_TODAY`/the clock gives no date.
pub fn plan(env: &Env, older_than_days: u32) -> anyhow::Result<Plan> {
    let here = Session::load(env)?;
    let home = Home::new(&env.rustup_home);
    let today = days(&env.today).ok_or_else(|| anyhow::anyhow!("today ({}) is not a date", env.today))?;
    let limit = i64::from(older_than_days);
    let (protected, gone_projects) = protected(env, &here, &home);
    let names = home.toolchains();
    let survey = disk::survey(&home, &names);
    let toolchains: Vec<Judged> = names
        .into_iter()
        .map(|name| {
            let last_use = if home.is_linked(&name) { None } else { disk::last_use(&home, &name) };
            let days_unused = last_use.as_ref().and_then(|l| days(&l.day)).map(|d| today - d);
            let keep = if home.is_linked(&name) {
                Some(Keep::Linked)
            } else if let Some(k) = protected.get(&name) {
                Some(k.clone())
            } else {
                (days_unused.is_none_or(|d| d < limit)).then_some(Keep::Recent)
            };
            Judged { footprint: survey.footprint(&name), name, last_use, days_unused, keep }
        })
        .collect();
    let removed: BTreeSet<LocalName> = toolchains.iter().filter(|j| j.keep.is_none()).map(|j| j.name.clone()).collect();
    // In downloads/ only partial downloads: complete archives and `downloads/manifests/` are what
    // `tcup fetch` keeps for an offline install (docs/design.md fetch-9).
    let partial =
        |p: &Path| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.ends_with(".partial") || n.ends_with(".partial.validator"));
    let mut stale: Vec<Stale> = stale_in(home.downloads().dir(), today, limit).into_iter().filter(|s| partial(&s.path)).collect();
    stale.extend(stale_in(&home.tmp(), today, limit));
    Ok(Plan {
        older_than_days,
        today: env.today.clone(),
        toolchain_bytes: survey.freed(&removed),
        toolchains,
        stale,
        gone_projects,
        survey,
    })
}

/// The protected toolchains with the first reason each has (default, override, project, active),
/// and the known projects whose file is gone.
fn protected(env: &Env, here: &Session, home: &Home) -> (BTreeMap<LocalName, Keep>, Vec<Project>) {
    let mut keep: BTreeMap<LocalName, Keep> = BTreeMap::new();
    let mut add = |t: Option<Toolchain>, why: Keep| {
        if let Some(Toolchain::Named(n)) = t {
            keep.entry(n).or_insert(why);
        }
    };
    if let Some(d) = &here.settings.default_toolchain {
        add(resolve::toolchain(d, &here.host, &Reason::Default).ok(), Keep::Default);
    }
    for (dir, name) in &here.settings.overrides {
        let reason = Reason::Directory(PathBuf::from(dir));
        add(resolve::toolchain(name, &here.host, &reason).ok(), Keep::Override(PathBuf::from(dir)));
    }
    let mut gone = Vec::new();
    for project in home.usage().projects() {
        if !project.file.is_file() {
            gone.push(project);
            continue;
        }
        for t in project_toolchains(env, here, &project) {
            add(Some(t), Keep::Project(project.file.clone()));
        }
    }
    if let Ok(Some(active)) = resolve::active(&here.ctx(env), None) {
        add(Some(active.toolchain), Keep::Active(active.reason));
    }
    (keep, gone)
}

/// What the toolchain file of `project` names today, resolved as a proxy in its directory would
/// (overrides and the default aside): the toolchain, and the lock's release beside it even when
/// the file drifted from it. A file that no longer parses keeps what it chose last.
fn project_toolchains(env: &Env, here: &Session, project: &Project) -> Vec<Toolchain> {
    let recorded = || LocalName::parse(&project.toolchain).ok().map(Toolchain::Named).into_iter().collect();
    let Some(dir) = project.file.parent() else { return recorded() };
    let bare = Settings::default();
    let ctx = Context {
        rustup_home: &env.rustup_home,
        env_toolchain: None,
        plus: None,
        settings: &bare,
        cwd: dir,
        default_host: &here.host,
        locked: false,
    };
    let Ok(Some(Active { toolchain, reason: Reason::File(_), lock, .. })) = resolve::active(&ctx, None) else { return recorded() };
    let mut found = vec![toolchain];
    if let Some(l) = lock
        && let Ok(name) = l.head.name()
    {
        found.push(Toolchain::Named(name.dir_name(name.host.as_deref().unwrap_or(&l.host))));
    }
    found
}

/// The entries of `dir` not modified for `limit` days before `today` (days since the epoch).
fn stale_in(dir: &Path, today: i64, limit: i64) -> Vec<Stale> {
    let Ok(entries) = fs_err::read_dir(dir) else { return Vec::new() };
    let mut stale: Vec<Stale> = entries
        .filter_map(Result::ok)
        .filter(|e| {
            let modified = e.path().symlink_metadata().and_then(|m| m.modified()).ok();
            modified.and_then(|m| days(&disk::day_of(m))).is_some_and(|d| today - d >= limit)
        })
        .map(|e| Stale { bytes: crate::sys::tree::bytes(&e.path()), path: e.path() })
        .collect();
    stale.sort_by(|a, b| a.path.cmp(&b.path));
    stale
}

/// What [`apply`] did.
#[derive(Debug, Clone, Default)]
pub struct Done {
    /// Toolchains removed.
    pub removed: Vec<LocalName>,
    /// Toolchains the plan removed that ran since it was made: kept.
    pub ran_since: Vec<LocalName>,
    /// Bytes freed (toolchains and stale files).
    pub bytes_freed: u64,
}

/// Removes what `plan` says: each toolchain whole ([`uninstall_named`], which reports each), but
/// not one used since the plan; then the records of projects that are gone; then, under the home
/// lock (which also clears staging directories left by interrupted runs), the stale files.
///
/// # Errors
/// An uninstall failed (those before it stay removed); the lock; a stale file cannot be removed.
pub fn apply(env: &Env, plan: &Plan, reporter: &Reporter) -> anyhow::Result<Done> {
    let home = Home::new(&env.rustup_home);
    let limit = i64::from(plan.older_than_days);
    let today = days(&plan.today).unwrap_or_default();
    let (removed, ran_since): (Vec<LocalName>, Vec<LocalName>) = plan.removals().map(|j| j.name.clone()).partition(|n| {
        let used = home.usage().last_use(n).and_then(|d| days(&d));
        used.is_none_or(|d| today - d >= limit)
    });
    let names: Vec<String> = removed.iter().map(ToString::to_string).collect();
    if !names.is_empty() {
        uninstall_named(env, &names, reporter)?;
    }
    for project in &plan.gone_projects {
        let _ = home.usage().forget_project(project);
    }
    let _lock = crate::ops::toolchain::install::lock_home(&home, reporter)?;
    let mut stale_bytes = 0;
    for s in &plan.stale {
        let gone = if s.path.symlink_metadata().is_ok_and(|m| m.is_dir()) {
            fs_err::remove_dir_all(&s.path)
        } else {
            fs_err::remove_file(&s.path)
        };
        match gone {
            Ok(()) => stale_bytes += s.bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    let toolchain_bytes = if ran_since.is_empty() { plan.toolchain_bytes } else { plan.survey.freed(&removed.iter().cloned().collect()) };
    Ok(Done { removed, ran_since, bytes_freed: toolchain_bytes + stale_bytes })
}
