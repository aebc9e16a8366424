//! Files beneath a root directory, reached without following any symbolic link.
//!
//! Why: an archive comes from a mirror, and a link it (or an earlier component) placed in a tree
//! must never redirect a later write, rename or hard link outside that tree (docs/design.md
//! decision 19). Path-based calls (`create_dir_all`, `rename`, `open`) follow links in every
//! intermediate component, so every file tcup places goes through a [`Dir`] instead:
//!
//! - A [`Dir`] is an open directory. Every path given to it is relative, made of normal
//!   components only (`..`, `/` and empty paths are refused with `InvalidInput`).
//! - On Unix ([`unix`]) it is a directory file descriptor and every call an `*at` system call
//!   that never follows a link (`openat2` with links refused on Linux).
//! - On Windows ([`windows`]) it is the directory's path: each component is looked at without
//!   following it (a reparse point — symbolic link, junction, mount point — is refused), the leaf
//!   is opened with `FILE_FLAG_OPEN_REPARSE_POINT`, and renames never replace
//!   (`MoveFileExW` without `MOVEFILE_REPLACE_EXISTING`). Unlike the descriptor walk this leaves a
//!   window between the check and the call in which another process of the same user could plant
//!   a junction; tcup's own trees are under the home lock, so only such a process could race it.
//!
//! A link met on the way is the error [`LinkRefused`] (inside an `io::Error`, see
//! [`link_refused`]), naming the full path. (`NtCreateFile` relative to a directory handle with
//! `OBJ_DONT_REPARSE` would close the Windows window; it is not used yet.)

use std::ffi::OsStr;
use std::io;
use std::path::{Component, Path, PathBuf};

#[cfg(unix)]
pub mod unix;
#[cfg(unix)]
pub use unix::Dir;
#[cfg(windows)]
pub mod windows;
#[cfg(windows)]
pub use windows::Dir;

/// A path under a [`Dir`] crossed a symbolic link (or was one where a file or directory was
/// expected); nothing was created, moved or removed.
#[derive(Debug, Clone, thiserror::Error)]
#[error("'{}' passes through or is a symbolic link, and tcup never follows links when it places files", path.display())]
pub struct LinkRefused {
    /// The full path (the root's path joined with the relative path asked for).
    pub path: PathBuf,
}

/// The [`LinkRefused`] inside `e`, if the error is one.
pub fn link_refused(e: &io::Error) -> Option<&LinkRefused> {
    e.get_ref().and_then(|inner| inner.downcast_ref::<LinkRefused>())
}

/// What is at a path, without following a link there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// Nothing.
    Missing,
    /// A directory.
    Dir,
    /// A regular file or anything else that is neither a directory nor a link.
    File,
    /// A symbolic link, with its target as stored.
    Link(PathBuf),
}

/// Refuses anything but normal components (a `.` is tolerated).
fn check_relative(rel: &Path) -> io::Result<()> {
    if rel.components().all(|c| matches!(c, Component::Normal(_) | Component::CurDir)) {
        Ok(())
    } else {
        Err(io::Error::new(io::ErrorKind::InvalidInput, format!("'{}' is not a relative path of normal components", rel.display())))
    }
}

/// A path's parent (possibly empty) and last component.
fn split(rel: &Path) -> io::Result<(&Path, &OsStr)> {
    match (rel.parent(), rel.file_name()) {
        (Some(parent), Some(name)) => Ok((parent, name)),
        _ => Err(io::Error::new(io::ErrorKind::InvalidInput, format!("'{}' names no file", rel.display()))),
    }
}
