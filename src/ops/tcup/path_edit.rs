//! Putting `CARGO_HOME/bin` on PATH the way rustup-init does, and taking it off again exactly.
//!
//! On Windows the user's `Path` in the registry gets the entry ([`super::path_edit_windows`]); no
//! start-up file is touched. Elsewhere `CARGO_HOME/env` (POSIX sh) and `CARGO_HOME/env.fish`
//! prepend `CARGO_HOME/bin` to PATH only when it is not there yet, so sourcing them twice is
//! harmless, and one source line is appended to each start-up file [`profile_targets`] picks —
//! never twice. Every edit is recorded in `RUSTUP_HOME/tcup-path-edits.toml` (file, exact text
//! appended, whether tcup created the file; the registry entry and whether the value was new), so
//! `tcup self uninstall` restores each file byte for byte and takes exactly that entry out of
//! `Path`.

use std::path::{Path, PathBuf};

use super::path_edit_windows::{self, UserPathStore};
pub use super::path_record::PathChange;
use super::path_record::{Edit, read_record, record_path, write_record};
use crate::sys::atomic_write;
use crate::sys::path_setup::PathSetup;

/// The sh snippet written to `CARGO_HOME/env`.
pub fn env_sh(cargo_bin: &Path) -> String {
    let bin = cargo_bin.display();
    format!(
        "#!/bin/sh\n# tcup shell setup: add the Rust tools to PATH once.\ncase \":${{PATH}}:\" in\n    *:\"{bin}\":*)\n        ;;\n    *)\n        export PATH=\"{bin}:$PATH\"\n        ;;\nesac\n"
    )
}

/// The fish snippet written to `CARGO_HOME/env.fish`.
pub fn env_fish(cargo_bin: &Path) -> String {
    let bin = cargo_bin.display();
    format!(
        "# tcup shell setup: add the Rust tools to PATH once.\nif not contains \"{bin}\" $PATH\n    set -gx PATH \"{bin}\" $PATH\nend\n"
    )
}

/// Writes `CARGO_HOME/env` and `CARGO_HOME/env.fish` (also with `--no-modify-path`, so users can
/// source them themselves).
///
/// # Errors
/// A file cannot be written.
pub fn write_env_scripts(cargo_home: &Path) -> std::io::Result<()> {
    let bin = cargo_home.join("bin");
    fs_err::create_dir_all(cargo_home)?;
    atomic_write::write(&cargo_home.join("env"), env_sh(&bin))?;
    atomic_write::write(&cargo_home.join("env.fish"), env_fish(&bin))
}

/// Where to look for start-up files and which shell the user runs.
#[derive(Debug, Clone)]
pub struct Shells {
    /// `HOME`.
    pub home: PathBuf,
    /// `ZDOTDIR`, else `HOME`.
    pub zdotdir: PathBuf,
    /// Basename of `SHELL` (`bash`, `zsh`, `fish`, …).
    pub shell: String,
}

/// Which line a start-up file gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line {
    /// `. "CARGO_HOME/env"` (sh, bash, zsh).
    Sh,
    /// `source "CARGO_HOME/env.fish"`.
    Fish,
}

/// The start-up files that get a source line, in order: a pure decision over the shells, the
/// system's rules (`setup`) and which paths exist (`exists`, asked of files and of fish's
/// directory). As rustup 1.29's `src/cli/self_update/shell.rs`:
///
/// | file | written when |
/// |---|---|
/// | `~/.profile` | always (POSIX; login bash reads it when it has no `.bash_profile`/`.bash_login`) |
/// | `~/.bash_profile`, `~/.bash_login` | it exists (creating one would hide `.profile` from login bash) |
/// | `~/.bashrc` | it exists; on Linux also when bash is the shell (terminals start non-login bash, which reads only `.bashrc`); never created on macOS, whose Terminal starts login shells |
/// | `.zshenv` | macOS: always (zsh is the login shell since 10.15 and always at `/bin/zsh`; rustup writes it whenever zsh is on PATH); elsewhere when zsh is the shell or a `.zshenv` exists. The first existing of `$ZDOTDIR/.zshenv`, `~/.zshenv`, else `$ZDOTDIR/.zshenv` (rustup's order: zsh may set `ZDOTDIR` in `~/.zshenv`) |
/// | `~/.config/fish/conf.d/tcup.fish` | fish is the shell or `~/.config/fish` exists |
///
/// `setup` is [`PathSetup::UserRegistry`] only on Windows, where no file is written: the list is
/// empty.
pub fn profile_targets(shells: &Shells, setup: PathSetup, exists: &dyn Fn(&Path) -> bool) -> Vec<(PathBuf, Line)> {
    let macos = match setup {
        PathSetup::UserRegistry => return Vec::new(),
        PathSetup::MacosProfiles => true,
        PathSetup::UnixProfiles => false,
    };
    let home = &shells.home;
    let mut targets = vec![(home.join(".profile"), Line::Sh)];
    for name in [".bash_profile", ".bash_login", ".bashrc"] {
        let p = home.join(name);
        if exists(&p) || (name == ".bashrc" && !macos && shells.shell == "bash") {
            targets.push((p, Line::Sh));
        }
    }
    let mut zshenvs = vec![shells.zdotdir.join(".zshenv"), home.join(".zshenv")];
    zshenvs.dedup();
    let existing = zshenvs.iter().find(|p| exists(p));
    if macos || shells.shell == "zsh" || existing.is_some() {
        targets.push((existing.unwrap_or(&zshenvs[0]).clone(), Line::Sh));
    }
    let fish_dir = home.join(".config/fish");
    if exists(&fish_dir) || shells.shell == "fish" {
        targets.push((fish_dir.join("conf.d/tcup.fish"), Line::Fish));
    }
    targets
}

/// How tcup-init's plan names the PATH step on this system.
pub fn plan_label() -> &'static str {
    match crate::sys::path_setup::current() {
        PathSetup::UserRegistry => "add CARGO_HOME\\bin to the user's Path",
        PathSetup::MacosProfiles | PathSetup::UnixProfiles => "modify PATH in shell start-up files",
    }
}

/// Puts `CARGO_HOME/bin` on PATH by the system's mechanism (`setup`): the user's `Path` in the
/// registry (`store`), or `CARGO_HOME/env` and `env.fish` plus a source line in each file
/// [`profile_targets`] picks. Returns what changed now (nothing when all was in place).
///
/// # Errors
/// A file or the registry cannot be read or written (named in the error).
pub fn add_to_path(
    cargo_home: &Path,
    rustup_home: &Path,
    shells: &Shells,
    setup: PathSetup,
    store: &mut dyn UserPathStore,
) -> std::io::Result<Vec<PathChange>> {
    if setup == PathSetup::UserRegistry {
        return path_edit_windows::add(store, &cargo_home.join("bin"), rustup_home).map(|c| c.into_iter().collect());
    }
    Ok(add(cargo_home, rustup_home, shells, setup)?.into_iter().map(PathChange::Profile).collect())
}

/// Writes `CARGO_HOME/env` and `env.fish`, then appends the source line to the start-up files
/// [`profile_targets`] picks (see the module documentation). Returns the files edited now.
///
/// # Errors
/// A file cannot be read or written (named in the error).
pub fn add(cargo_home: &Path, rustup_home: &Path, shells: &Shells, setup: PathSetup) -> std::io::Result<Vec<PathBuf>> {
    write_env_scripts(cargo_home)?;
    let sh_line = format!(". \"{}\"", cargo_home.join("env").display());
    let fish_line = format!("source \"{}\"", cargo_home.join("env.fish").display());
    let targets = profile_targets(shells, setup, &|p: &Path| p.exists());
    let targets = targets.into_iter().map(|(file, line)| (file, if line == Line::Sh { &sh_line } else { &fish_line }));
    let mut record = read_record(rustup_home);
    let mut edited = Vec::new();
    for (file, line) in targets {
        let existing = match fs_err::read_to_string(&file) {
            Ok(t) => Some(t),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(e),
        };
        if existing.as_deref().is_some_and(|t| t.lines().any(|l| l.trim() == line)) {
            continue;
        }
        let prefix = match existing.as_deref() {
            Some(t) if !t.is_empty() && !t.ends_with('\n') => "\n",
            _ => "",
        };
        let appended = format!("{prefix}{line}\n");
        if let Some(parent) = file.parent() {
            fs_err::create_dir_all(parent)?;
        }
        let mut f = fs_err::OpenOptions::new().create(true).append(true).open(&file)?;
        std::io::Write::write_all(&mut f, appended.as_bytes())?;
        record.edits.push(Edit { file: file.clone(), appended, created: existing.is_none() });
        edited.push(file);
    }
    write_record(rustup_home, &record)?;
    Ok(edited)
}

/// Reverses every recorded edit (see [`remove`]) and takes the recorded entry out of the user's
/// `Path` in the registry (`store`, asked only when an entry was recorded, so only on Windows).
/// Returns what was restored.
///
/// # Errors
/// A file or the registry cannot be read or written.
pub fn remove_from_path(rustup_home: &Path, store: &mut dyn UserPathStore) -> std::io::Result<Vec<PathChange>> {
    let mut restored = Vec::new();
    if let Some(edit) = read_record(rustup_home).registry {
        restored.extend(path_edit_windows::remove(store, &edit)?);
    }
    restored.extend(remove(rustup_home)?.into_iter().map(PathChange::Profile));
    Ok(restored)
}

/// Reverses every recorded edit of a start-up file: files tcup created are removed, appended text
/// is cut off again (or, if the user edited after it, the line alone is removed), then drops the
/// record. Returns the files restored.
///
/// # Errors
/// A file cannot be read or written.
pub fn remove(rustup_home: &Path) -> std::io::Result<Vec<PathBuf>> {
    let record = read_record(rustup_home);
    let mut restored = Vec::new();
    for edit in record.edits.iter().rev() {
        let Ok(text) = fs_err::read_to_string(&edit.file) else { continue };
        let new = if let Some(before) = text.strip_suffix(&edit.appended) {
            before.to_owned()
        } else {
            let line = edit.appended.trim();
            text.lines().filter(|l| l.trim() != line).fold(String::new(), |mut acc, l| {
                acc.push_str(l);
                acc.push('\n');
                acc
            })
        };
        if edit.created && new.is_empty() {
            fs_err::remove_file(&edit.file)?;
        } else {
            // Replaced whole, so a crash leaves the old profile; a profile that is a link (into a
            // dotfiles repository) stays one: the file it names is replaced, keeping its mode.
            let real = fs_err::canonicalize(&edit.file)?;
            let mode = crate::sys::fs::mode(&fs_err::metadata(&real)?) & 0o7777;
            atomic_write::write_with(&real, Some(mode), |out| out.write_all(new.as_bytes()))?;
        }
        restored.push(edit.file.clone());
    }
    let _ = fs_err::remove_file(record_path(rustup_home));
    Ok(restored)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_are_idempotent_and_reversible_byte_for_byte() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        fs_err::create_dir_all(home.join(".config/fish")).unwrap();
        fs_err::write(home.join(".profile"), "export A=1").unwrap(); // no trailing newline
        fs_err::write(home.join(".bashrc"), "alias ll='ls -l'\n").unwrap();
        let shells = Shells { home: home.clone(), zdotdir: home.clone(), shell: "zsh".into() };
        let (cargo, rustup) = (dir.path().join("cargo"), dir.path().join("rustup"));
        let edited = add(&cargo, &rustup, &shells, PathSetup::UnixProfiles).unwrap();
        assert_eq!(edited.len(), 4, "{edited:?}"); // .profile, .bashrc, .zshenv, fish conf.d
        let profile = fs_err::read_to_string(home.join(".profile")).unwrap();
        assert_eq!(profile, format!("export A=1\n. \"{}\"\n", cargo.join("env").display()));
        assert!(add(&cargo, &rustup, &shells, PathSetup::UnixProfiles).unwrap().is_empty(), "never twice");
        assert_eq!(fs_err::read_to_string(home.join(".profile")).unwrap(), profile);
        let restored = remove(&rustup).unwrap();
        assert_eq!(restored.len(), 4);
        assert_eq!(fs_err::read_to_string(home.join(".profile")).unwrap(), "export A=1");
        assert_eq!(fs_err::read_to_string(home.join(".bashrc")).unwrap(), "alias ll='ls -l'\n");
        assert!(!home.join(".zshenv").exists() && !home.join(".config/fish/conf.d/tcup.fish").exists(), "created files removed");
    }

    /// `profile_targets` over a fake home: `files` are the paths that exist, relative to it.
    fn targets(setup: PathSetup, shell: &str, zdotdir: Option<&str>, files: &[&str]) -> Vec<(String, Line)> {
        let home = PathBuf::from("/home/ada");
        let shells = Shells { home: home.clone(), zdotdir: zdotdir.map_or_else(|| home.clone(), |z| home.join(z)), shell: shell.into() };
        let existing: Vec<PathBuf> = files.iter().map(|f| home.join(f)).collect();
        let got = profile_targets(&shells, setup, &|p: &Path| existing.iter().any(|e| e == p));
        // Components joined with `/`, so the expectations read the same on every system.
        let rel = |p: &Path| p.strip_prefix(&home).unwrap().iter().map(|c| c.to_string_lossy().into_owned()).collect::<Vec<_>>().join("/");
        got.into_iter().map(|(p, l)| (rel(&p), l)).collect()
    }

    fn names(t: &[(String, Line)]) -> Vec<&str> {
        t.iter().map(|(p, _)| p.as_str()).collect()
    }

    #[test]
    fn macos_writes_zshenv_always_and_never_creates_bash_files() {
        use PathSetup::MacosProfiles as Mac;
        // A new Mac: zsh is the shell, no start-up file exists yet.
        assert_eq!(names(&targets(Mac, "zsh", None, &[])), [".profile", ".zshenv"]);
        // zsh's file is written even when the user runs bash (zsh is always at /bin/zsh, as
        // rustup writes it whenever zsh is on PATH); login bash reads .bash_profile, else .profile.
        assert_eq!(names(&targets(Mac, "bash", None, &[])), [".profile", ".zshenv"]);
        assert_eq!(names(&targets(Mac, "bash", None, &[".bash_profile"])), [".profile", ".bash_profile", ".zshenv"]);
        assert_eq!(names(&targets(Mac, "bash", None, &[".bash_login", ".bashrc"])), [".profile", ".bash_login", ".bashrc", ".zshenv"]);
        // ZDOTDIR honoured; a ~/.zshenv that exists wins over a $ZDOTDIR/.zshenv that does not.
        assert_eq!(names(&targets(Mac, "zsh", Some(".config/zsh"), &[])), [".profile", ".config/zsh/.zshenv"]);
        assert_eq!(names(&targets(Mac, "zsh", Some(".config/zsh"), &[".zshenv"])), [".profile", ".zshenv"]);
        assert_eq!(
            names(&targets(Mac, "zsh", Some(".config/zsh"), &[".zshenv", ".config/zsh/.zshenv"])),
            [".profile", ".config/zsh/.zshenv"]
        );
        // fish's conf.d with the fish line.
        let t = targets(Mac, "fish", None, &[]);
        assert_eq!(names(&t), [".profile", ".zshenv", ".config/fish/conf.d/tcup.fish"]);
        assert_eq!(t.last().unwrap().1, Line::Fish);
    }

    #[test]
    fn linux_keeps_its_rules_and_windows_writes_no_file() {
        use PathSetup::UnixProfiles as Linux;
        assert_eq!(names(&targets(Linux, "bash", None, &[])), [".profile", ".bashrc"]);
        assert_eq!(names(&targets(Linux, "sh", None, &[])), [".profile"]);
        assert_eq!(names(&targets(Linux, "zsh", None, &[".bash_profile"])), [".profile", ".bash_profile", ".zshenv"]);
        assert_eq!(
            names(&targets(Linux, "dash", Some("z"), &[".zshenv", ".config/fish"])),
            [".profile", ".zshenv", ".config/fish/conf.d/tcup.fish"]
        );
        assert!(targets(PathSetup::UserRegistry, "bash", None, &[".profile", ".bashrc"]).is_empty());
    }

    // The env script is POSIX sh, for Unix shells; Windows' PATH is the registry's (path_edit_windows).
    #[cfg(unix)]
    #[test]
    fn env_script_prepends_once() {
        let s = env_sh(Path::new("/opt/cargo/bin"));
        let out = std::process::Command::new("sh").arg("-c").arg(format!("PATH=/usr/bin:/bin; {s}\n{s}\necho \"$PATH\"")).output().unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "/opt/cargo/bin:/usr/bin:/bin");
    }
}
