//! `tcup-init` (and `tcup init`): install tcup itself into `CARGO_HOME/bin`, link the proxies,
//! install the default toolchain, put `CARGO_HOME/bin` on PATH; and `tcup self uninstall`, which
//! reverses all of it. Behaves like rustup-init, including its flags, so scripts and Dockerfiles
//! written for rustup work with tcup.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::dist::name::ToolchainName;
use crate::download::Downloader;
use crate::env::Env;
use crate::home::{Home, settings};
pub use crate::host::{Decision, Report, msvc_linker_warning};
use crate::ops::tcup::path_edit::{self, PathChange, Shells};
use crate::ops::tcup::path_edit_windows::Registry;
use crate::ops::toolchain::install::{InstallOptions, Outcome};
use crate::progress::Reporter;

/// What to set up.
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// Toolchain to install and make the default; `None` for `--default-toolchain none`.
    pub toolchain: Option<ToolchainName>,
    /// Profile.
    pub profile: String,
    /// Extra components.
    pub components: Vec<String>,
    /// Extra targets.
    pub targets: Vec<String>,
    /// `--default-host`.
    pub host: Option<String>,
    /// Edit shell start-up files.
    pub modify_path: bool,
    /// Make the installed toolchain the default even if one is set.
    pub update_default: bool,
    /// `--as-rustup`: link `CARGO_HOME/bin/rustup` to tcup ([`crate::ops::tcup::rustup_name`]).
    pub as_rustup: bool,
}

/// What was done, for the closing message.
#[derive(Debug, Clone, Default)]
pub struct InitReport {
    /// The toolchain installed (directory name).
    pub toolchain: Option<String>,
    /// The total length of its files (bytes).
    pub toolchain_bytes: u64,
    /// What was changed to put `CARGO_HOME/bin` on PATH (start-up files, or the user's `Path` in
    /// the Windows registry).
    pub edited: Vec<PathChange>,
    /// The sh script that puts `CARGO_HOME/bin` on PATH in the current shell (`CARGO_HOME/env`);
    /// `None` on Windows, where a new terminal reads the user's `Path`.
    pub env_script: Option<PathBuf>,
}

/// Installs tcup from `self_exe` and sets everything up. See the module documentation.
///
/// # Errors
/// Any step failed; the error names the file or URL.
pub fn self_install(env: &Env, opts: &InitOptions, self_exe: &Path, detected: &Report, reporter: &Reporter) -> anyhow::Result<InitReport> {
    let bin = env.cargo_home.join("bin");
    fs_err::create_dir_all(&bin)?;
    crate::ops::tcup::proxy_program::copy_into_place(self_exe, &bin.join(crate::sys::exe("tcup")))?;
    let runs = crate::ops::tcup::proxy_program::install(&bin, self_exe, reporter)?;
    reporter.info(&format!("installed tcup and its proxies in {}", bin.display()));
    reporter.verbose(&format!("the proxies are links to {}", runs.display()));
    if opts.as_rustup {
        crate::ops::tcup::rustup_name::link(&bin, reporter)?;
    }
    let host = match (&opts.host, &detected.decision) {
        (Some(h), _) | (None, Decision::Host { triple: h, .. }) => Some(h.clone()),
        (None, Decision::Refused { .. }) => None,
    };
    if let Some(h) = &host {
        settings::set_default_host(&env.rustup_home, h)?;
    }
    let mut report = InitReport::default();
    if let Some(name) = &opts.toolchain {
        let downloader = Downloader::new(&env.download)?;
        let install = InstallOptions {
            name: name.clone(),
            profile: opts.profile.clone(),
            components: opts.components.clone(),
            targets: opts.targets.clone(),
            host: opts.host.clone(),
            allow_downgrade: false,
            detected: detected.clone(),
            lock: None,
        };
        // The receipts' lengths, not a walk of 50 000 files (0.2 s on a fresh ext4).
        let (tc, bytes) = match crate::ops::toolchain::install::install(env, &install, &downloader, reporter)? {
            Outcome::Installed { toolchain, bytes: Some(bytes), .. } => (toolchain, bytes),
            Outcome::Installed { toolchain, bytes: None, .. } | Outcome::Unchanged { toolchain } => {
                let bytes = dir_size(Home::new(&env.rustup_home).toolchain(&toolchain).root());
                (toolchain, bytes)
            }
        };
        let current = settings::load(&env.rustup_home)?.default_toolchain;
        if current.as_deref() != Some(tc.as_str()) && (opts.update_default || current.is_none()) {
            settings::set(&env.rustup_home, "default_toolchain", Some(tc.as_str()))?;
            reporter.info(&format!("default toolchain set to '{tc}'"));
        }
        report.toolchain_bytes = bytes;
        report.toolchain = Some(tc.to_string());
    }
    let setup = crate::sys::path_setup::current();
    if opts.modify_path {
        let shells = Shells { home: env.home.clone(), zdotdir: env.zdotdir.clone(), shell: env.shell.clone() };
        report.edited = path_edit::add_to_path(&env.cargo_home, &env.rustup_home, &shells, setup, &mut Registry)?;
    } else if setup != crate::sys::path_setup::PathSetup::UserRegistry {
        // The env scripts are still written: `. "$CARGO_HOME/env"` works for those who want it.
        path_edit::write_env_scripts(&env.cargo_home)?;
    }
    if setup != crate::sys::path_setup::PathSetup::UserRegistry {
        report.env_script = Some(env.cargo_home.join("env"));
    }
    // Leave nothing behind in a container image.
    let home = Home::new(&env.rustup_home);
    for d in [home.downloads().dir().to_path_buf(), home.tmp()] {
        if d.exists() {
            fs_err::remove_dir_all(&d)?;
        }
    }
    Ok(report)
}

/// What `tcup self uninstall` did.
#[derive(Debug, Clone, Default)]
pub struct Uninstalled {
    /// Start-up files whose PATH lines were taken out again, and the entry taken out of the
    /// user's `Path` on Windows.
    pub restored: Vec<PathChange>,
    /// Files in `CARGO_HOME/bin` that tcup did not install (`cargo install`'s programs, a real
    /// rustup), left in place; `CARGO_HOME` is then kept too.
    pub kept: Vec<PathBuf>,
    /// Files in use that a helper removes once tcup has exited (Windows: the running `tcup.exe`
    /// and its hard links), with the directories left empty; empty on Unix.
    pub after_exit: Vec<PathBuf>,
}

/// Removes what `self_install` did: the PATH edits (restoring the files) unless `modify_path`
/// is false, RUSTUP_HOME, and in CARGO_HOME only what tcup put there: `bin/tcup`,
/// `bin/tcup-proxy`, each proxy and `bin/rustup` that is a link to one of them (the same file,
/// by device and inode, or a symbolic link named after it), the `env` scripts and tcup's man
/// pages. Whatever else `bin/` holds (`cargo install`'s programs, a real rustup) stays, and
/// CARGO_HOME with it; directories left empty are removed.
///
/// # Errors
/// A file cannot be restored or removed (the path is named).
pub fn self_uninstall(env: &Env, modify_path: bool) -> anyhow::Result<Uninstalled> {
    let restored = if modify_path { path_edit::remove_from_path(&env.rustup_home, &mut Registry)? } else { Vec::new() };
    if env.rustup_home.exists() {
        fs_err::remove_dir_all(&env.rustup_home).with_context(|| format!("removing {}", env.rustup_home.display()))?;
    }
    let bin = env.cargo_home.join("bin");
    let ours = [bin.join(crate::sys::exe("tcup")), bin.join(crate::sys::exe(crate::ops::tcup::proxy_program::PROGRAM))];
    let ids: Vec<(u64, u64)> = ours.iter().filter_map(|p| crate::sys::identity::file_id(p)).collect();
    let names = crate::ops::active::run_tool::PROXIES.iter().copied().chain([crate::ops::tcup::rustup_name::NAME]);
    let mut running = Vec::new();
    for link in names.map(|n| bin.join(crate::sys::exe(n))) {
        if is_link_to(&link, &ids) {
            remove_unless_running(&link, &mut running)?;
        }
    }
    for f in ours.iter().chain(&[env.cargo_home.join("env"), env.cargo_home.join("env.fish")]) {
        if f.symlink_metadata().is_ok() {
            remove_unless_running(f, &mut running)?;
        }
    }
    let man = env.cargo_home.join("share/man/man1");
    for page in fs_err::read_dir(&man).into_iter().flatten().flatten().map(|e| e.path()) {
        let name = page.file_name().unwrap_or_default().to_string_lossy().into_owned();
        if name.starts_with("tcup") && name.ends_with(".1") {
            fs_err::remove_file(&page)?;
        }
    }
    let mut kept: Vec<PathBuf> =
        fs_err::read_dir(&bin).into_iter().flatten().flatten().map(|e| e.path()).filter(|p| !running.contains(p)).collect();
    kept.sort();
    // Only empty directories go: a failure here means something else lives there.
    let dirs = [man.clone(), env.cargo_home.join("share/man"), env.cargo_home.join("share"), bin, env.cargo_home.clone()];
    for d in &dirs {
        let _ = fs_err::remove_dir(d);
    }
    if !running.is_empty() {
        crate::sys::after_exit::remove_after_exit(&running, &dirs)
            .with_context(|| format!("handing {} files in use to a helper that removes them after tcup exits", running.len()))?;
    }
    Ok(Uninstalled { restored, kept, after_exit: running })
}

/// Removes `file`, or, where a running program cannot be removed (Windows: the running
/// `tcup.exe` and every hard link to it), adds it to `running` for
/// [`crate::sys::after_exit::remove_after_exit`].
fn remove_unless_running(file: &Path, running: &mut Vec<PathBuf>) -> std::io::Result<()> {
    match fs_err::remove_file(file) {
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied && crate::sys::after_exit::DEFERS => {
            running.push(file.to_owned());
            Ok(())
        }
        other => other,
    }
}

/// Whether `tcup-init` installs tcup's man pages unless told not to: where the system has `man`
/// (not on Windows).
pub fn man_pages_by_default() -> bool {
    crate::sys::MAN_PAGES
}

/// When this process is the helper `self uninstall` started on Windows to remove the running
/// `tcup.exe` and its links once tcup has exited: does that and returns the exit code; `None`
/// otherwise (and always on Unix). `main` asks first.
pub fn uninstall_helper() -> Option<i32> {
    crate::sys::after_exit::run_if_helper()
}

/// Whether `link` is one of the files `ids` names (a hard link), or a symbolic link to a file
/// beside it named `tcup` or `tcup-proxy` (what [`crate::ops::tcup::proxy_program`] makes where hard
/// links fail).
fn is_link_to(link: &Path, ids: &[(u64, u64)]) -> bool {
    if let Ok(to) = fs_err::read_link(link) {
        let ours = [crate::sys::exe("tcup"), crate::sys::exe(crate::ops::tcup::proxy_program::PROGRAM)];
        return ours.iter().any(|name| to.as_path() == Path::new(name));
    }
    crate::sys::identity::file_id(link).is_some_and(|id| ids.contains(&id))
}

/// Total size of the files below `dir` (bytes).
pub fn dir_size(dir: &Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs_err::read_dir(&d) else { continue };
        for e in entries.flatten() {
            match e.file_type() {
                Ok(t) if t.is_dir() => stack.push(e.path()),
                Ok(_) => total += e.metadata().map_or(0, |m| m.len()),
                Err(_) => {}
            }
        }
    }
    total
}
