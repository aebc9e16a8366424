//! Putting `CARGO_HOME/bin` on PATH the way rustup-init does, and taking it off again exactly.
//!
//! `CARGO_HOME/env` (POSIX sh) and `CARGO_HOME/env.fish` prepend `CARGO_HOME/bin` to PATH only when
//! it is not there yet, so sourcing them twice is harmless. One source line is appended to each
//! shell start-up file that exists or that the user's shell reads: `.profile`, `.bashrc`,
//! `.bash_profile`, `$ZDOTDIR/.zshenv` (zsh), `~/.config/fish/conf.d/tcup.fish` (fish) — never
//! twice. Every edit is recorded in `RUSTUP_HOME/tcup-path-edits.toml` (file, exact text appended,
//! whether tcup created the file), so `tcup self uninstall` restores each file byte for byte.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::sys::atomic_write;

/// One edit to a start-up file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edit {
    /// The file.
    pub file: PathBuf,
    /// The exact text appended.
    pub appended: String,
    /// Whether tcup created the file.
    pub created: bool,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Record {
    #[serde(default)]
    edits: Vec<Edit>,
}

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

/// Writes `CARGO_HOME/env` and `env.fish`, then appends the source line to the start-up files
/// (see the module documentation). Returns the files edited now.
///
/// # Errors
/// A file cannot be read or written (named in the error).
pub fn add(cargo_home: &Path, rustup_home: &Path, shells: &Shells) -> std::io::Result<Vec<PathBuf>> {
    write_env_scripts(cargo_home)?;
    let sh_line = format!(". \"{}\"", cargo_home.join("env").display());
    let fish_line = format!("source \"{}\"", cargo_home.join("env.fish").display());
    let mut targets: Vec<(PathBuf, &str)> = Vec::new();
    let home = &shells.home;
    for name in [".profile", ".bashrc", ".bash_profile"] {
        let p = home.join(name);
        if p.exists() || (name == ".profile") || (name == ".bashrc" && shells.shell == "bash") {
            targets.push((p, &sh_line));
        }
    }
    let zshenv = shells.zdotdir.join(".zshenv");
    if zshenv.exists() || shells.shell == "zsh" {
        targets.push((zshenv, &sh_line));
    }
    let fish_dir = home.join(".config/fish");
    if fish_dir.is_dir() || shells.shell == "fish" {
        targets.push((fish_dir.join("conf.d/tcup.fish"), &fish_line));
    }
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

/// Reverses every recorded edit: files tcup created are removed, appended text is cut off again
/// (or, if the user edited after it, the line alone is removed). Returns the files restored.
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

fn record_path(rustup_home: &Path) -> PathBuf {
    rustup_home.join("tcup-path-edits.toml")
}

fn read_record(rustup_home: &Path) -> Record {
    fs_err::read_to_string(record_path(rustup_home)).ok().and_then(|t| toml::from_str(&t).ok()).unwrap_or_default()
}

fn write_record(rustup_home: &Path, record: &Record) -> std::io::Result<()> {
    fs_err::create_dir_all(rustup_home)?;
    let text = toml::to_string(record).map_err(std::io::Error::other)?;
    atomic_write::write(&record_path(rustup_home), text)
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
        let edited = add(&cargo, &rustup, &shells).unwrap();
        assert_eq!(edited.len(), 4, "{edited:?}"); // .profile, .bashrc, .zshenv, fish conf.d
        let profile = fs_err::read_to_string(home.join(".profile")).unwrap();
        assert_eq!(profile, format!("export A=1\n. \"{}\"\n", cargo.join("env").display()));
        assert!(add(&cargo, &rustup, &shells).unwrap().is_empty(), "never twice");
        assert_eq!(fs_err::read_to_string(home.join(".profile")).unwrap(), profile);
        let restored = remove(&rustup).unwrap();
        assert_eq!(restored.len(), 4);
        assert_eq!(fs_err::read_to_string(home.join(".profile")).unwrap(), "export A=1");
        assert_eq!(fs_err::read_to_string(home.join(".bashrc")).unwrap(), "alias ll='ls -l'\n");
        assert!(!home.join(".zshenv").exists() && !home.join(".config/fish/conf.d/tcup.fish").exists(), "created files removed");
    }

    #[test]
    fn env_script_prepends_once() {
        let s = env_sh(Path::new("/opt/cargo/bin"));
        let out = std::process::Command::new("sh").arg("-c").arg(format!("PATH=/usr/bin:/bin; {s}\n{s}\necho \"$PATH\"")).output().unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "/opt/cargo/bin:/usr/bin:/bin");
    }
}
