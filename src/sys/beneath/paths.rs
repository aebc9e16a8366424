//! What the [`Dir`](super::Dir) of every system shares: the refusal of a link ([`LinkRefused`]), what
//! is at a path ([`Node`]), and the checks on the relative paths a `Dir` is given.

use std::ffi::OsStr;
use std::io;
use std::path::{Component, Path, PathBuf};

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
pub(super) fn check_relative(rel: &Path) -> io::Result<()> {
    if rel.components().all(|c| matches!(c, Component::Normal(_) | Component::CurDir)) {
        Ok(())
    } else {
        Err(io::Error::new(io::ErrorKind::InvalidInput, format!("'{}' is not a relative path of normal components", rel.display())))
    }
}

/// A path's parent (possibly empty) and last component.
pub(super) fn split(rel: &Path) -> io::Result<(&Path, &OsStr)> {
    match (rel.parent(), rel.file_name()) {
        (Some(parent), Some(name)) => Ok((parent, name)),
        _ => Err(io::Error::new(io::ErrorKind::InvalidInput, format!("'{}' names no file", rel.display()))),
    }
}
