//! The platform layer (docs/architecture.md): the system calls whose shape differs between
//! platforms live here, behind functions the layers above call without knowing which platform
//! they run on: reaching files beneath a directory without following links ([`beneath`]),
//! whether two paths are one file ([`identity`]), replacing a small file atomically
//! ([`atomic_write`]), swapping two trees in one step ([`swap`]), links, mode bits and change
//! stamps ([`fs`]), running a program in place of this one ([`process`]), a tree's files by
//! identity, for disk use ([`tree`]), cloning a file's blocks ([`reflink`]), and programs' file
//! names ([`exe`], [`program_name`]). Unix (Linux, macOS) and Windows each have their own body
//! of these functions; `src/host/` is the only other place that knows the system.

pub mod after_exit;
pub mod atomic_write;
pub mod beneath;
pub mod fs;
pub mod identity;
#[cfg(windows)]
pub mod long_path;
pub mod path_setup;
pub mod process;
pub mod reflink;
pub mod registry;
pub mod swap;
pub mod tls_roots;
pub mod tree;

/// The variable naming the user's home directory, under which `.rustup` and `.cargo` go by
/// default: `HOME` on Unix, `USERPROFILE` on Windows (what rustup's `home` crate reads there).
pub const HOME_VAR: &str = if cfg!(windows) { "USERPROFILE" } else { "HOME" };

/// A Unix absolute path (`/home/u`) as an absolute path on this system, for tests: itself on
/// Unix, `C:\home\u` on Windows, where an absolute path needs a drive.
#[cfg(test)]
pub fn test_abs(unix: &str) -> String {
    if cfg!(windows) { format!("C:{}", unix.replace('/', "\\")) } else { unix.to_owned() }
}

/// Whether this system reads man pages (`man` on Unix); Windows has none, so `tcup-init` installs
/// them only where this holds, as rustup-init installs none on Windows.
pub const MAN_PAGES: bool = cfg!(unix);

/// The file name of the program `name` on this system: `name` on Unix, `name.exe` on Windows
/// (`std::env::consts::EXE_SUFFIX`).
pub fn exe(name: &str) -> String {
    format!("{name}{}", std::env::consts::EXE_SUFFIX)
}

/// The program name in a file name or path as a program was called (`argv[0]`): the last
/// component, without this system's executable suffix (`C:\…\rustc.exe` and `rustc.EXE` →
/// `rustc` on Windows; Windows compares names without case). `None` when it is not UTF-8.
pub fn program_name(called_as: &std::ffi::OsStr) -> Option<&str> {
    let name = std::path::Path::new(called_as).file_name()?.to_str()?;
    let suffix = std::env::consts::EXE_SUFFIX;
    let stem = name.len().checked_sub(suffix.len()).filter(|n| *n > 0 && !suffix.is_empty());
    match stem.and_then(|n| Some((name.get(..n)?, name.get(n..)?))) {
        Some((stem, end)) if end.eq_ignore_ascii_case(suffix) => Some(stem),
        _ => Some(name),
    }
}
