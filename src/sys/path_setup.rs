//! Which mechanism puts `CARGO_HOME/bin` on PATH on this system, as rustup-init chooses it: the
//! user's `Path` in the registry on Windows (`sys::registry`), shell start-up files elsewhere, with
//! macOS's own rules for which files (zsh is its login shell and is always at `/bin/zsh`; Terminal
//! starts login shells). The answer is a value, so the choice of files is a pure function tested on
//! Linux for every system.

/// How PATH is set up for the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathSetup {
    /// Windows: `HKEY_CURRENT_USER\Environment\Path`.
    UserRegistry,
    /// macOS: shell start-up files, by macOS's rules.
    MacosProfiles,
    /// Linux and other Unix systems: shell start-up files.
    UnixProfiles,
}

/// The mechanism of the system tcup was built for.
pub const fn current() -> PathSetup {
    if cfg!(windows) {
        PathSetup::UserRegistry
    } else if cfg!(target_os = "macos") {
        PathSetup::MacosProfiles
    } else {
        PathSetup::UnixProfiles
    }
}
