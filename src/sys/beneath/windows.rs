//! [`Dir`] on Windows: the directory's path, and every path beneath it checked component by
//! component before the call, a reparse point (symbolic link, junction, mount point) refused.
//! The leaf is opened with `FILE_FLAG_OPEN_REPARSE_POINT`, so a link raced in after the check is
//! opened itself, never followed; a rename never replaces (`MoveFileExW` without
//! `MOVEFILE_REPLACE_EXISTING`). NTFS has no mode bits: the mode arguments are accepted and
//! ignored, and a directory's mode reads as `0o755`.

use std::ffi::OsString;
use std::fs::Metadata;
use std::io;
use std::os::windows::fs::{MetadataExt as _, OpenOptionsExt as _};
use std::path::{Component, Path, PathBuf};

use windows_sys::Win32::Storage::FileSystem::{FILE_ATTRIBUTE_REPARSE_POINT, FILE_FLAG_OPEN_REPARSE_POINT, MoveFileExW};

use super::paths::{LinkRefused, Node, check_relative, split};

/// A directory that every path is resolved beneath, never following links.
#[derive(Debug)]
pub struct Dir {
    path: PathBuf,
}

/// Whether `meta` (not followed) is a link of any kind.
fn is_reparse(meta: &Metadata) -> bool {
    meta.file_type().is_symlink() || meta.file_attributes() & FILE_ATTRIBUTE_REPARSE_POINT != 0
}

impl Dir {
    /// Opens the directory at `path` as a root; its last component must not be a link.
    ///
    /// # Errors
    /// It does not exist, is not a directory, or is a link (`LinkRefused`).
    pub fn open(path: &Path) -> io::Result<Dir> {
        let meta = std::fs::symlink_metadata(path).map_err(|e| error(&e, "open the directory", path))?;
        if is_reparse(&meta) {
            return Err(io::Error::other(LinkRefused { path: path.to_owned() }));
        }
        if !meta.is_dir() {
            return Err(error(&io::Error::from(io::ErrorKind::NotADirectory), "open the directory", path));
        }
        Ok(Dir { path: path.to_owned() })
    }

    /// As [`Dir::open`] (Windows has one walk).
    #[doc(hidden)]
    pub fn open_step_by_step(path: &Path) -> io::Result<Dir> {
        Self::open(path)
    }

    /// The path this directory was opened at (for messages).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Opens the existing directory `rel` beneath this one (`rel` may be empty: this directory).
    ///
    /// # Errors
    /// `InvalidInput`, `LinkRefused`, `NotFound`, `NotADirectory`; each names the path.
    pub fn open_dir(&self, rel: &Path) -> io::Result<Dir> {
        let full = self.checked(rel, true, "open the directory")?;
        Dir::open(&full)
    }

    /// Creates `rel` and its missing parents beneath this directory, never through a link; an
    /// existing directory is fine.
    ///
    /// # Errors
    /// As [`Dir::open_dir`]; a non-directory in the way.
    pub fn create_dir_all(&self, rel: &Path) -> io::Result<()> {
        check_relative(rel)?;
        let mut walked = PathBuf::new();
        for c in rel.components() {
            let Component::Normal(name) = c else { continue };
            walked.push(name);
            let full = self.path.join(&walked);
            match std::fs::symlink_metadata(&full) {
                Ok(m) if is_reparse(&m) => return Err(io::Error::other(LinkRefused { path: full })),
                Ok(m) if m.is_dir() => {}
                Ok(_) => return Err(error(&io::Error::from(io::ErrorKind::NotADirectory), "create the directory", &full)),
                Err(e) if e.kind() == io::ErrorKind::NotFound => match std::fs::create_dir(&full) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                    Err(e) => return Err(error(&e, "create the directory", &full)),
                },
                Err(e) => return Err(error(&e, "create the directory", &full)),
            }
        }
        // Whatever is there now must be a directory, not a link someone raced in.
        self.checked(rel, true, "create the directory").map(drop)
    }

    /// Creates the directory `rel`; its parent must exist.
    ///
    /// # Errors
    /// `AlreadyExists` when something is at `rel`; a link on the way (`LinkRefused`).
    pub fn create_dir(&self, rel: &Path) -> io::Result<()> {
        let full = self.checked(rel, false, "create the directory")?;
        std::fs::create_dir(&full).map_err(|e| error(&e, "create the directory", &full))
    }

    /// The names in the directory `rel`, in the order the file system gives.
    ///
    /// # Errors
    /// As [`Dir::open_dir`], or the directory cannot be read.
    pub fn entries(&self, rel: &Path) -> io::Result<Vec<OsString>> {
        let full = self.checked(rel, true, "list")?;
        fs_err::read_dir(&full)?.map(|e| e.map(|e| e.file_name())).collect()
    }

    /// `0o755` for an existing directory `rel` (NTFS has no mode bits).
    ///
    /// # Errors
    /// As [`Dir::open_dir`].
    pub fn dir_mode(&self, rel: &Path) -> io::Result<u32> {
        self.open_dir(rel).map(|_| 0o755)
    }

    /// Nothing to set on NTFS; checks that `rel` is a directory beneath this one.
    ///
    /// # Errors
    /// As [`Dir::open_dir`].
    pub fn set_dir_mode(&self, rel: &Path, _mode: u32) -> io::Result<()> {
        self.open_dir(rel).map(drop)
    }

    /// Creates (or truncates) the regular file `rel` for writing.
    ///
    /// # Errors
    /// As [`Dir::open_dir`]; a link at `rel` itself is `LinkRefused` too.
    pub fn create_file(&self, rel: &Path, _mode: u32) -> io::Result<fs_err::File> {
        let full = self.checked(rel, true, "create the file")?;
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .custom_flags(FILE_FLAG_OPEN_REPARSE_POINT)
            .open(&full)
            .map_err(|e| error(&e, "create the file", &full))?;
        Ok(fs_err::File::from_parts(file, full))
    }

    /// Opens the regular file `rel` for reading.
    ///
    /// # Errors
    /// As [`Dir::create_file`].
    pub fn open_file(&self, rel: &Path) -> io::Result<fs_err::File> {
        let full = self.checked(rel, true, "open the file")?;
        let file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(FILE_FLAG_OPEN_REPARSE_POINT)
            .open(&full)
            .map_err(|e| error(&e, "open the file", &full))?;
        Ok(fs_err::File::from_parts(file, full))
    }

    /// What is at `rel`, without following a link there or on the way.
    ///
    /// # Errors
    /// A link on the way (`LinkRefused`) or another error than "not found".
    pub fn node(&self, rel: &Path) -> io::Result<Node> {
        let full = match self.checked(rel, false, "look at") {
            Ok(full) => full,
            Err(e) if matches!(e.kind(), io::ErrorKind::NotFound | io::ErrorKind::NotADirectory) => return Ok(Node::Missing),
            Err(e) => return Err(e),
        };
        match std::fs::symlink_metadata(&full) {
            Ok(m) if is_reparse(&m) => Ok(Node::Link(std::fs::read_link(&full).map_err(|e| error(&e, "read the link", &full))?)),
            Ok(m) if m.is_dir() => Ok(Node::Dir),
            Ok(_) => Ok(Node::File),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Node::Missing),
            Err(e) => Err(error(&e, "look at", &full)),
        }
    }

    /// Creates the symbolic link `rel` pointing at `target` (stored as given): a directory link
    /// when `target`, taken from `rel`'s directory, is a directory. Windows allows this only
    /// with Developer Mode or the `SeCreateSymbolicLinkPrivilege`.
    ///
    /// # Errors
    /// As [`Dir::open_dir`] for the parent; `AlreadyExists`; the privilege is missing.
    pub fn symlink(&self, target: &Path, rel: &Path) -> io::Result<()> {
        let full = self.checked(rel, false, "create the symbolic link")?;
        let resolved = full.parent().unwrap_or(&self.path).join(target);
        let made = if resolved.is_dir() {
            std::os::windows::fs::symlink_dir(target, &full)
        } else {
            std::os::windows::fs::symlink_file(target, &full)
        };
        made.map_err(|e| error(&e, "create the symbolic link", &full))
    }

    /// Creates `rel` as a hard link to the file `from` beneath `src`.
    ///
    /// # Errors
    /// A link on either path's way, a missing source, something already at `rel`.
    pub fn hard_link(&self, rel: &Path, src: &Dir, from: &Path) -> io::Result<()> {
        let source = src.checked(from, false, "hard-link from")?;
        let full = self.checked(rel, false, "create the hard link")?;
        std::fs::hard_link(&source, &full).map_err(|e| error(&e, "create the hard link", &full))
    }

    /// Moves `from` beneath `src` to `rel` beneath this directory, never replacing anything at
    /// `rel` (`MoveFileExW` without `MOVEFILE_REPLACE_EXISTING`).
    ///
    /// # Errors
    /// `AlreadyExists` when `rel` exists; a link on either path's way (`LinkRefused`); `NotFound`.
    pub fn rename_from(&self, rel: &Path, src: &Dir, from: &Path) -> io::Result<()> {
        let source = src.checked(from, false, "move")?;
        let full = self.checked(rel, false, "move into")?;
        let (a, b) = (crate::sys::long_path::wide(&source), crate::sys::long_path::wide(&full));
        // SAFETY: both are NUL-terminated UTF-16 strings that outlive the call.
        #[allow(unsafe_code, reason = "a Windows API call with two owned NUL-terminated strings")]
        let moved = unsafe { MoveFileExW(a.as_ptr(), b.as_ptr(), 0) };
        if moved == 0 { Err(error(&io::Error::last_os_error(), "move into", &full)) } else { Ok(()) }
    }

    /// Removes the file or link `rel` (never what a link points at).
    ///
    /// # Errors
    /// A link on the way, `NotFound`, or a directory at `rel`.
    pub fn remove_file(&self, rel: &Path) -> io::Result<()> {
        let full = self.checked(rel, false, "remove")?;
        fs_err::remove_file(&full)
    }

    /// The full path of `rel` after checking that no component of it (the last one too when
    /// `leaf`) is a link. A missing component ends the check: the call that follows fails or
    /// creates it. `InvalidInput` for a path that is not relative and normal.
    fn checked(&self, rel: &Path, leaf: bool, what: &str) -> io::Result<PathBuf> {
        check_relative(rel)?;
        let names: Vec<_> = rel.components().filter_map(|c| if let Component::Normal(n) = c { Some(n) } else { None }).collect();
        let upto = if leaf { names.len() } else { names.len().saturating_sub(1) };
        if !leaf && !names.is_empty() {
            split(rel)?;
        }
        let mut full = self.path.clone();
        for (i, name) in names.iter().enumerate() {
            full.push(name);
            if i >= upto {
                continue;
            }
            match std::fs::symlink_metadata(&full) {
                Ok(m) if is_reparse(&m) => return Err(io::Error::other(LinkRefused { path: full })),
                Ok(m) if !m.is_dir() && i + 1 < names.len() => {
                    return Err(error(&io::Error::from(io::ErrorKind::NotADirectory), what, &full));
                }
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    return if i + 1 == names.len() { Ok(self.path.join(rel)) } else { Err(error(&e, what, &full)) };
                }
                Err(e) => return Err(error(&e, what, &full)),
            }
        }
        Ok(full)
    }
}

/// The error for `what` at `path`, keeping its kind and naming the path.
fn error(e: &io::Error, what: &str, path: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("failed to {what} '{}': {e}", path.display()))
}
