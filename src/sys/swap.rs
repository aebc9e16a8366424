//! Swapping two directory trees in one step: how a changed toolchain replaces the installed one,
//! so a crash leaves the old tree or the new one, never neither and never a mix (docs/design.md
//! install-5).
//!
//! - Linux: `renameat2(RENAME_EXCHANGE)`; macOS: `renameatx_np(RENAME_SWAP)` (both through
//!   rustix's `renameat_with`): one system call, nothing to recover.
//! - Windows, and a Unix kernel or file system without the exchange: three renames (`dest` to
//!   `<new>.old`, `new` to `dest`, `<new>.old` to `new`) behind a journal, `<new>.swap`, that
//!   names `dest` and is flushed before the first rename. Between the first two renames `dest` is
//!   absent; a process killed there leaves the journal, and [`recover`] — run by the next tcup
//!   under the home lock before it clears stale staging directories — moves the old tree back.
//!   Killed after the second rename, `dest` already holds the new tree and stays.

use std::io;
use std::path::{Path, PathBuf};

/// Swaps `new` and `dest` (both must exist): afterwards `dest` holds what `new` held and `new`
/// what `dest` held.
///
/// # Errors
/// The exchange (naming both paths), or a rename of the fallback (naming its path).
pub fn exchange(new: &Path, dest: &Path) -> io::Result<()> {
    match imp::exchange(new, dest) {
        Some(r) => r,
        None => exchange_by_renames(new, dest),
    }
}

/// What [`recover`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recovered {
    /// No interrupted swap.
    Nothing,
    /// `dest` was absent: the old tree was moved back there.
    OldRestored(PathBuf),
    /// `dest` already held the new tree: it stays.
    NewKept(PathBuf),
}

/// Finishes a swap of `new` that a killed process left (its journal `<new>.swap` exists): puts
/// the old tree back at the journal's `dest` when `dest` is absent, then removes the journal.
/// Call only under the home lock, before `new`'s directory is removed.
///
/// # Errors
/// The journal cannot be read or the rename back fails (both named); nothing is removed then.
pub fn recover(new: &Path) -> io::Result<Recovered> {
    let journal = journal_path(new);
    let dest = match fs_err::read_to_string(&journal) {
        Ok(text) => PathBuf::from(text.trim_end_matches('\n')),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Recovered::Nothing),
        Err(e) => return Err(e),
    };
    let old = old_path(new);
    let found = if std::fs::symlink_metadata(&dest).is_err() && std::fs::symlink_metadata(&old).is_ok() {
        fs_err::rename(&old, &dest)?;
        Recovered::OldRestored(dest)
    } else {
        Recovered::NewKept(dest)
    };
    fs_err::remove_file(&journal)?;
    Ok(found)
}

/// The three renames behind a journal (the module's doc).
///
/// # Errors
/// The journal or a rename failed (the path is named). A failure of the second rename moves the
/// old tree back; a failure of the third leaves `dest` new and the old tree at `<new>.old`.
pub fn exchange_by_renames(new: &Path, dest: &Path) -> io::Result<()> {
    let (journal, old) = (journal_path(new), old_path(new));
    let mut text =
        dest.to_str().ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, format!("'{}' is not UTF-8", dest.display())))?.to_owned();
    text.push('\n');
    crate::sys::atomic_write::write(&journal, text)?;
    fs_err::rename(dest, &old)?;
    if let Err(e) = fs_err::rename(new, dest) {
        fs_err::rename(&old, dest)?;
        let _ = fs_err::remove_file(&journal);
        return Err(e);
    }
    fs_err::rename(&old, new)?;
    fs_err::remove_file(&journal)
}

/// `<new>.swap`: the journal naming `dest`.
fn journal_path(new: &Path) -> PathBuf {
    new.with_extension("swap")
}

/// `<new>.old`: where `dest`'s tree waits between the renames.
fn old_path(new: &Path) -> PathBuf {
    new.with_extension("old")
}

#[cfg(unix)]
mod imp {
    use std::io;
    use std::path::Path;

    /// The exchange in one system call; `None` where the kernel or file system lacks it.
    pub fn exchange(new: &Path, dest: &Path) -> Option<io::Result<()>> {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        use rustix::io::Errno;
        match renameat_with(CWD, new, CWD, dest, RenameFlags::EXCHANGE) {
            Ok(()) => Some(Ok(())),
            Err(Errno::INVAL | Errno::NOSYS | Errno::NOTSUP) => None,
            Err(e) => {
                Some(Err(io::Error::new(io::Error::from(e).kind(), format!("exchanging {} with {}: {e}", new.display(), dest.display()))))
            }
        }
    }
}

#[cfg(windows)]
mod imp {
    use std::io;
    use std::path::Path;

    /// Windows has no exchange of two directories.
    pub fn exchange(_new: &Path, _dest: &Path) -> Option<io::Result<()>> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trees() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let t = tempfile::tempdir().unwrap();
        let (new, dest) = (t.path().join("stage/tree"), t.path().join("toolchains/x"));
        fs_err::create_dir_all(&new).unwrap();
        fs_err::create_dir_all(&dest).unwrap();
        fs_err::write(new.join("v"), "new").unwrap();
        fs_err::write(dest.join("v"), "old").unwrap();
        (t, new, dest)
    }

    fn read(p: &Path) -> String {
        fs_err::read_to_string(p.join("v")).unwrap()
    }

    #[test]
    fn both_ways_swap_the_trees() {
        let (_t, new, dest) = trees();
        exchange(&new, &dest).unwrap();
        assert_eq!((read(&dest), read(&new)), ("new".into(), "old".into()));
        exchange_by_renames(&new, &dest).unwrap();
        assert_eq!((read(&dest), read(&new)), ("old".into(), "new".into()));
        assert!(!journal_path(&new).exists() && !old_path(&new).exists());
        assert_eq!(recover(&new).unwrap(), Recovered::Nothing);
    }

    #[test]
    fn killed_after_the_first_rename_the_old_tree_comes_back() {
        let (_t, new, dest) = trees();
        // The state a kill between the first and second rename leaves.
        crate::sys::atomic_write::write(&journal_path(&new), format!("{}\n", dest.display())).unwrap();
        fs_err::rename(&dest, old_path(&new)).unwrap();
        assert!(!dest.exists());
        assert_eq!(recover(&new).unwrap(), Recovered::OldRestored(dest.clone()));
        assert_eq!(read(&dest), "old");
        assert!(!journal_path(&new).exists());
    }

    #[test]
    fn killed_after_the_second_rename_the_new_tree_stays() {
        let (_t, new, dest) = trees();
        crate::sys::atomic_write::write(&journal_path(&new), format!("{}\n", dest.display())).unwrap();
        fs_err::rename(&dest, old_path(&new)).unwrap();
        fs_err::rename(&new, &dest).unwrap();
        assert_eq!(recover(&new).unwrap(), Recovered::NewKept(dest.clone()));
        assert_eq!(read(&dest), "new");
        assert!(!journal_path(&new).exists());
    }
}
