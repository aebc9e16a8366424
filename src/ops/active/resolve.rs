//! The one answer to "which toolchain is active?" (docs/design.md active-1), used by the proxies,
//! `tcup show`, `tcup which`, `tcup run` and `tcup default`, so they can never disagree.
//!
//! Order (rustup 1.29's):
//! 1. `+toolchain` as the first argument of a proxy (or `--toolchain` / `run`'s argument);
//! 2. `RUSTUP_TOOLCHAIN`: a toolchain name, or an absolute path to a toolchain directory;
//! 3. walking up from the current directory, at each directory first a directory override
//!    (`settings.toml` `[overrides]`, keyed by canonical path), then a toolchain file
//!    (`rust-toolchain`, then `rust-toolchain.toml`; with both, `rust-toolchain` wins and a
//!    warning says so, as in rustup);
//! 4. `default_toolchain` in `settings.toml`.
//!
//! The answer carries *why* ([`Reason`]) so every message can name the file or setting that
//! chose the toolchain. Names are completed with the default host (`1.95.0` →
//! `1.95.0-x86_64-unknown-linux-gnu`); a name that is not a channel name is a linked (custom)
//! toolchain's name.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::dist::name::{self, LocalName, ToolchainName};
use crate::dist::toolchain_file;
use crate::error::UsageError;
use crate::home::Home;
use crate::home::settings::Settings;
use crate::ops::active::locked::{self, LockState, Locked};

/// What chose the active toolchain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// `+toolchain` on the command line (or `--toolchain`, `tcup run T`).
    CommandLine,
    /// `RUSTUP_TOOLCHAIN`.
    Environment,
    /// A directory override for this directory (canonical path).
    Directory(PathBuf),
    /// A `rust-toolchain` / `rust-toolchain.toml` file.
    File(PathBuf),
    /// `default_toolchain` in `settings.toml`.
    Default,
}

impl Reason {
    /// rustup's wording after the name in `show active-toolchain`: `stable-… (default)`.
    pub fn short(&self) -> String {
        match self {
            Reason::Default => "default".into(),
            other => other.because(),
        }
    }

    /// rustup's "active because: …" wording.
    pub fn because(&self) -> String {
        match self {
            Reason::CommandLine => "overridden by +toolchain on the command line".into(),
            Reason::Environment => "overridden by environment variable RUSTUP_TOOLCHAIN".into(),
            Reason::Directory(d) => format!("directory override for '{}'", d.display()),
            Reason::File(f) => format!("overridden by '{}'", f.display()),
            Reason::Default => "it's the default toolchain".into(),
        }
    }

    /// `RUSTUP_TOOLCHAIN_SOURCE`, which a proxy sets for the tool it runs (cargo reads it to say
    /// where the toolchain came from): rustup 1.29's words `cli`, `env`, `path-override`,
    /// `toolchain-file` and `default` (checked against rustup 1.29.1's proxies; its `rustup run`
    /// sets none, and neither does `tcup run`).
    pub fn toolchain_source(&self) -> &'static str {
        match self {
            Reason::CommandLine => "cli",
            Reason::Environment => "env",
            Reason::Directory(_) => "path-override",
            Reason::File(_) => "toolchain-file",
            Reason::Default => "default",
        }
    }

    /// Who asked for it, for errors: "the toolchain file at '/p/rust-toolchain.toml'".
    pub fn source(&self) -> String {
        match self {
            Reason::CommandLine => "the +toolchain on the command line".into(),
            Reason::Environment => "the RUSTUP_TOOLCHAIN environment variable".into(),
            Reason::Directory(d) => format!("the directory override for '{}'", d.display()),
            Reason::File(f) => format!("the toolchain file at '{}'", f.display()),
            Reason::Default => "the default toolchain in settings.toml".into(),
        }
    }
}

/// A toolchain as chosen: a name under `toolchains/`, or a directory given by path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Toolchain {
    /// A directory name under `RUSTUP_HOME/toolchains` (`stable-x86_64-unknown-linux-gnu`, or a
    /// linked name).
    Named(LocalName),
    /// A toolchain directory given by absolute path (`RUSTUP_TOOLCHAIN=/opt/rust`, `path = …`).
    Path(PathBuf),
}

impl fmt::Display for Toolchain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Toolchain::Named(n) => f.write_str(n.as_str()),
            Toolchain::Path(p) => write!(f, "{}", p.display()),
        }
    }
}

impl Toolchain {
    /// The channel name, when this is an official toolchain (not linked, not a path).
    pub fn channel_name(&self) -> Option<ToolchainName> {
        match self {
            Toolchain::Named(n) => n.channel_name(),
            Toolchain::Path(_) => None,
        }
    }
}

/// The active toolchain, why, and what the toolchain file asks of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Active {
    /// The toolchain.
    pub toolchain: Toolchain,
    /// What chose it.
    pub reason: Reason,
    /// Components the toolchain file requires (as written: `rustfmt`, `rust-src`).
    pub components: Vec<String>,
    /// Targets the toolchain file requires.
    pub targets: Vec<String>,
    /// The profile the toolchain file asks for, for installing.
    pub profile: Option<String>,
    /// Things the user should know (two toolchain files in one directory, a lock that drifted).
    pub warnings: Vec<String>,
    /// The `rust-toolchain.lock` beside the toolchain file that chose it, if any
    /// ([`locked`]): when it applies, `toolchain` is the locked release.
    pub lock: Option<Locked>,
}

impl Active {
    /// A toolchain chosen by `reason` alone, with no toolchain file asking for more.
    pub fn plain(toolchain: Toolchain, reason: Reason) -> Active {
        Active { toolchain, reason, components: Vec::new(), targets: Vec::new(), profile: None, warnings: Vec::new(), lock: None }
    }
}

/// The host for names without one, worked out only when a name needs it: host detection reads
/// the userland's files, and a proxy whose toolchain is named in full (as `tcup default` and
/// `tcup override set` write it) never needs it.
pub struct LazyHost<'a> {
    cell: std::cell::OnceCell<String>,
    compute: Box<dyn Fn() -> String + 'a>,
}

impl<'a> LazyHost<'a> {
    /// A host computed by `compute` on first use.
    pub fn new(compute: impl Fn() -> String + 'a) -> LazyHost<'a> {
        LazyHost { cell: std::cell::OnceCell::new(), compute: Box::new(compute) }
    }

    /// A host known already.
    pub fn fixed(host: &str) -> LazyHost<'a> {
        let cell = std::cell::OnceCell::new();
        let _ = cell.set(host.to_owned());
        LazyHost { cell, compute: Box::new(String::new) }
    }

    /// The host triple.
    pub fn get(&self) -> &str {
        self.cell.get_or_init(|| (self.compute)())
    }
}

/// What the answer depends on besides the command line.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    /// `RUSTUP_HOME`.
    pub rustup_home: &'a Path,
    /// `RUSTUP_TOOLCHAIN`.
    pub env_toolchain: Option<&'a str>,
    /// `tcup +TOOLCHAIN <command>` ([`crate::env::Env::plus_toolchain`]): a `+toolchain` for
    /// every question the command asks, as the `plus` argument of [`active`] is for one.
    pub plus: Option<&'a str>,
    /// `settings.toml`.
    pub settings: &'a Settings,
    /// The current directory.
    pub cwd: &'a Path,
    /// Host for names without one: `default_host_triple`, else the detected host.
    pub default_host: &'a LazyHost<'a>,
    /// `TCUP_LOCKED=1` / `--locked`: a toolchain file's lock must exist and match it
    /// ([`locked::beside`]).
    pub locked: bool,
}

/// Finds the active toolchain; `plus` is a `+toolchain` / `--toolchain` value. `Ok(None)`: nothing
/// anywhere chose one (no default set).
///
/// # Errors
/// A [`UsageError`] naming the file when a toolchain file cannot be read or parsed, or naming the
/// source of a relative path given as a toolchain.
pub fn active(ctx: &Context<'_>, plus: Option<&str>) -> anyhow::Result<Option<Active>> {
    let simple = |name: &str, reason: Reason| -> anyhow::Result<Option<Active>> {
        Ok(Some(Active::plain(toolchain(name, ctx.default_host, &reason)?, reason)))
    };
    if let Some(name) = plus.or(ctx.plus) {
        return simple(name, Reason::CommandLine);
    }
    if let Some(name) = ctx.env_toolchain {
        return simple(name, Reason::Environment);
    }
    let cwd = fs_err::canonicalize(ctx.cwd).unwrap_or_else(|_| ctx.cwd.to_path_buf());
    let mut dir = Some(cwd.as_path());
    while let Some(d) = dir {
        if let Some(name) = ctx.settings.overrides.get(d.to_string_lossy().as_ref()) {
            return simple(name, Reason::Directory(d.to_path_buf()));
        }
        if let Some(found) = from_file(d, ctx)? {
            return Ok(Some(found));
        }
        dir = d.parent();
    }
    match &ctx.settings.default_toolchain {
        Some(name) => simple(name, Reason::Default),
        None => Ok(None),
    }
}

/// A toolchain file as found: where, what it says, and what the user should know (two files in
/// one directory).
#[derive(Debug, Clone)]
pub struct FoundFile {
    /// `rust-toolchain` or `rust-toolchain.toml`.
    pub path: PathBuf,
    /// Parsed.
    pub spec: toolchain_file::ToolchainFile,
    /// Warnings to show.
    pub warnings: Vec<String>,
}

/// The toolchain file nearest `cwd` (it, then each parent), ignoring directory overrides: the file
/// `tcup lock` locks. `Ok(None)` when there is none.
///
/// # Errors
/// As [`toolchain_file_in`].
pub fn nearest_toolchain_file(cwd: &Path) -> anyhow::Result<Option<FoundFile>> {
    let cwd = fs_err::canonicalize(cwd).unwrap_or_else(|_| cwd.to_path_buf());
    for d in cwd.ancestors() {
        if let Some(found) = toolchain_file_in(d)? {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

/// The toolchain file in `dir`, if there is one: `rust-toolchain`, then `rust-toolchain.toml`
/// (with both, `rust-toolchain` wins and a warning says so, as in rustup).
///
/// # Errors
/// A [`UsageError`] naming the file when it cannot be read or parsed (rustup's wording).
pub fn toolchain_file_in(dir: &Path) -> anyhow::Result<Option<FoundFile>> {
    let legacy = dir.join("rust-toolchain");
    let toml = dir.join("rust-toolchain.toml");
    let mut warnings = Vec::new();
    let file = match (legacy.is_file(), toml.is_file()) {
        (true, true) => {
            warnings.push(format!("both {} and {} exist; using contents of {}", legacy.display(), toml.display(), legacy.display()));
            legacy
        }
        (true, false) => legacy,
        (false, true) => toml,
        (false, false) => return Ok(None),
    };
    let bad = |why: String| UsageError(format!("could not parse override file: '{}': {why}", file.display()));
    let text = fs_err::read_to_string(&file).map_err(|e| bad(e.to_string()))?;
    let spec = toolchain_file::parse(&file, &text).map_err(bad)?;
    Ok(Some(FoundFile { path: file, spec, warnings }))
}

/// The toolchain file in `dir`, if there is one, as the active toolchain: the locked release
/// when a lock beside it applies ([`locked::beside`]).
fn from_file(dir: &Path, ctx: &Context<'_>) -> anyhow::Result<Option<Active>> {
    let Some(FoundFile { path, spec, mut warnings }) = toolchain_file_in(dir)? else { return Ok(None) };
    let lock = locked::beside(&path, &spec, || ctx.default_host.get().to_owned(), ctx.locked, &mut warnings)?;
    let reason = Reason::File(path);
    let locked_name = lock.as_ref().map(Locked::name).transpose()?.flatten();
    let toolchain = match (&spec.channel, &spec.path, locked_name) {
        (_, _, Some(name)) => Toolchain::Named(name.dir_name(name.host.as_deref().unwrap_or_else(|| ctx.default_host.get()))),
        (Some(channel), _, None) => toolchain(channel, ctx.default_host, &reason)?,
        (None, Some(path), None) => Toolchain::Path(path.clone()),
        (None, None, None) => unreachable!("toolchain_file::parse requires channel or path"),
    };
    let profile = match &lock {
        Some(l) if !matches!(l.state, LockState::Drifted(_)) => Some(l.head.toolchain.profile.clone()),
        _ => spec.profile,
    };
    Ok(Some(Active { toolchain, reason, components: spec.components, targets: spec.targets, profile, warnings, lock }))
}

/// A toolchain as written by the user, completed: a channel name gets the default host; an
/// absolute path is a path toolchain; anything else without `/` is a linked toolchain's name.
/// Every name from every source passes [`name::check`] here first.
///
/// # Errors
/// A [`UsageError`] naming the value and `reason`'s source: a name [`name::check`] refuses (empty,
/// white space, `.`/`..`, a leading `-`), or a relative path (a `/` in a name that is not
/// absolute).
pub fn toolchain(name: &str, default_host: &LazyHost<'_>, reason: &Reason) -> anyhow::Result<Toolchain> {
    name::check(name).map_err(|e| UsageError(format!("{e} (from {})", reason.source())))?;
    if name.contains('/') {
        if Path::new(name).is_absolute() {
            return Ok(Toolchain::Path(PathBuf::from(name)));
        }
        return Err(UsageError(format!("relative path toolchain '{name}' (from {}); use an absolute path", reason.source())).into());
    }
    Ok(Toolchain::Named(match name.parse::<ToolchainName>() {
        Ok(n) => match n.host.as_deref() {
            Some(h) => n.dir_name(h),
            None => n.dir_name(default_host.get()),
        },
        Err(_) => LocalName::parse(name)?,
    }))
}

/// Where an active toolchain lives, if it is installed: `toolchains/<name>` (a directory or a
/// link to one), or the path itself when it has a `bin/` directory.
pub fn locate(rustup_home: &Path, toolchain: &Toolchain) -> Option<PathBuf> {
    match toolchain {
        Toolchain::Named(n) => Some(Home::new(rustup_home).toolchain(n).root().to_path_buf()).filter(|d| d.is_dir()),
        Toolchain::Path(p) => Some(p.clone()).filter(|p| p.join("bin").is_dir()),
    }
}

/// Nothing chose a toolchain: no `+toolchain`, variable, override, file or default. Exit code 1.
#[derive(Debug, thiserror::Error)]
#[error(
    "tcup could not choose a version of {tool} to run, because one wasn't specified explicitly, and no default is configured.\nhelp: run 'tcup default stable' to download the latest stable release of Rust and set it as your default toolchain."
)]
pub struct NoToolchain {
    /// The tool asked for (`rustc`, `cargo`), or `rustc` for commands that need any toolchain.
    pub tool: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOST: &str = "x86_64-unknown-linux-gnu";

    fn ctx<'a>(host: &'a LazyHost<'a>, home: &'a Path, settings: &'a Settings, cwd: &'a Path, env: Option<&'a str>) -> Context<'a> {
        Context { rustup_home: home, env_toolchain: env, plus: None, settings, cwd, default_host: host, locked: false }
    }

    #[test]
    fn order_is_plus_env_override_file_default() {
        let host = LazyHost::fixed(HOST);
        let tmp = tempfile::tempdir().unwrap();
        let root = fs_err::canonicalize(tmp.path()).unwrap();
        let deep = root.join("a/b/c");
        fs_err::create_dir_all(&deep).unwrap();
        fs_err::write(root.join("a/rust-toolchain.toml"), "[toolchain]\nchannel = \"1.95.0\"\ncomponents = [\"rustfmt\"]\n").unwrap();
        let mut settings = Settings { default_toolchain: Some("stable".into()), ..Settings::default() };
        let name = |a: Option<Active>| a.map(|a| (a.toolchain.to_string(), a.reason));
        let file = Reason::File(root.join("a/rust-toolchain.toml"));
        assert_eq!(
            name(active(&ctx(&host, &root, &settings, &root, None), None).unwrap()),
            Some((format!("stable-{HOST}"), Reason::Default))
        );
        let from_file = active(&ctx(&host, &root, &settings, &deep, None), None).unwrap().unwrap();
        assert_eq!((from_file.toolchain.to_string(), from_file.reason.clone()), (format!("1.95.0-{HOST}"), file.clone()));
        assert_eq!(from_file.components, ["rustfmt"]);
        // An override on a nearer directory wins over the file further up; one further up loses.
        settings.overrides.insert(root.to_string_lossy().into_owned(), "beta".into());
        assert_eq!(name(active(&ctx(&host, &root, &settings, &deep, None), None).unwrap()).unwrap().1, file);
        settings.overrides.insert(root.join("a/b").to_string_lossy().into_owned(), "nightly".into());
        assert_eq!(
            name(active(&ctx(&host, &root, &settings, &deep, None), None).unwrap()),
            Some((format!("nightly-{HOST}"), Reason::Directory(root.join("a/b"))))
        );
        let opt = crate::sys::test_abs("/opt/rust");
        assert_eq!(name(active(&ctx(&host, &root, &settings, &deep, Some(&opt)), None).unwrap()), Some((opt.clone(), Reason::Environment)));
        assert_eq!(
            name(active(&ctx(&host, &root, &settings, &deep, Some("beta")), Some("mytc")).unwrap()),
            Some(("mytc".into(), Reason::CommandLine))
        );
    }

    #[test]
    fn errors_name_the_file_or_setting() {
        let host = LazyHost::fixed(HOST);
        let tmp = tempfile::tempdir().unwrap();
        let root = fs_err::canonicalize(tmp.path()).unwrap();
        fs_err::write(root.join("rust-toolchain.toml"), "[toolchain]\n").unwrap();
        let settings = Settings::default();
        let err = active(&ctx(&host, &root, &settings, &root, None), None).unwrap_err().to_string();
        assert_eq!(
            err,
            format!(
                "could not parse override file: '{}': missing toolchain properties in toolchain override file",
                root.join("rust-toolchain.toml").display()
            )
        );
        let err = active(&ctx(&host, &root, &settings, &root, Some("rel/tc")), None).unwrap_err().to_string();
        assert!(err.contains("relative path toolchain 'rel/tc' (from the RUSTUP_TOOLCHAIN environment variable)"), "{err}");
    }

    #[test]
    fn both_files_warn_and_legacy_wins() {
        let host = LazyHost::fixed(HOST);
        let tmp = tempfile::tempdir().unwrap();
        let root = fs_err::canonicalize(tmp.path()).unwrap();
        fs_err::write(root.join("rust-toolchain"), "nightly-2026-05-20\n").unwrap();
        fs_err::write(root.join("rust-toolchain.toml"), "[toolchain]\nchannel = \"beta\"\n").unwrap();
        let a = active(&ctx(&host, &root, &Settings::default(), &root, None), None).unwrap().unwrap();
        assert_eq!(a.toolchain, Toolchain::Named(LocalName::parse(&format!("nightly-2026-05-20-{HOST}")).unwrap()));
        assert!(a.warnings[0].starts_with("both "), "{:?}", a.warnings);
    }
}
