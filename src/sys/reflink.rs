//! Reflinks: a file that shares its blocks with another until either is written (copy on
//! write), made with the `FICLONE` ioctl where the file system has it (btrfs, XFS with
//! `reflink=1`, bcachefs; not ext4). An install from a toolchain store (docs/store.md) clones a
//! file it may not hard-link: as cheap as a link, and a later change of the store's file does not
//! reach the clone. A macOS port answers with `clonefile`.

use std::fs::File;
use std::io;

/// Makes `to` (an empty file opened for writing) a clone of `from`'s contents.
///
/// # Errors
/// The file system has no reflinks or the two are on different file systems (`EOPNOTSUPP`,
/// `EXDEV`, `EINVAL`): the caller copies instead.
#[cfg(target_os = "linux")]
pub fn clone_file(from: &File, to: &File) -> io::Result<()> {
    rustix::fs::ioctl_ficlone(to, from).map_err(io::Error::from)
}

/// Without `FICLONE`: always unsupported, so the caller copies.
///
/// # Errors
/// Always `Unsupported`.
#[cfg(not(target_os = "linux"))]
pub fn clone_file(_from: &File, _to: &File) -> io::Result<()> {
    Err(io::Error::new(io::ErrorKind::Unsupported, "no reflinks on this platform"))
}
