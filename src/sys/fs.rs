//! File-system facts and calls whose shape differs between platforms: symbolic links, Unix
//! permission bits, a file's change stamp, and paths made of raw bytes (a tar header's). The
//! layers above call these without knowing which platform they run on; a Windows or macOS port
//! answers here (NTFS has no mode bits and needs a privilege for symbolic links).

use std::fs::{Metadata, Permissions};
use std::io;
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

/// Creates a symbolic link at `link` pointing to `target` (relative targets resolve from the
/// link's directory).
///
/// # Errors
/// As the system call; the error names `link` (fs_err).
pub fn symlink(target: impl AsRef<Path>, link: impl AsRef<Path>) -> io::Result<()> {
    fs_err::os::unix::fs::symlink(target.as_ref(), link.as_ref())
}

/// Creates the file `path` exclusively (`O_CREAT | O_EXCL`: an existing file or a link planted
/// there is an error, never followed) for writing, with mode bits `mode` less the umask.
///
/// # Errors
/// As `open`; the error names `path`.
pub fn create_new(path: &Path, mode: u32) -> io::Result<fs_err::File> {
    use fs_err::os::unix::fs::OpenOptionsExt as _;
    fs_err::OpenOptions::new().write(true).create_new(true).mode(mode).open(path)
}

/// Permissions with the Unix mode bits `mode` (e.g. `0o755`).
pub fn permissions(mode: u32) -> Permissions {
    Permissions::from_mode(mode)
}

/// Sets `path`'s Unix mode bits to `mode`.
///
/// # Errors
/// As `chmod`; the error names `path`.
pub fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    fs_err::set_permissions(path, permissions(mode))
}

/// The Unix mode bits (type bits included, as `st_mode`) of a file's metadata.
pub fn mode(meta: &Metadata) -> u32 {
    meta.permissions().mode()
}

/// What changes when a file is rewritten in place, for trusting a file seen before without
/// reading it: modification time in nanoseconds since the epoch, and the inode.
pub fn stamp(meta: &Metadata) -> (i128, u64) {
    (i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()), meta.ino())
}

/// A path from raw bytes, as tar headers carry them (Unix paths are bytes).
pub fn path_from_bytes(bytes: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt as _;
    PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
}

/// Whether the file `meta` describes is owned by root or by this process's effective user and
/// writable by no one else (no group or other write bit): no one but root and this user can
/// change its bytes later. Decides whether a toolchain store's file may be hard-linked
/// (docs/store.md).
pub fn only_root_or_me_can_write(meta: &Metadata) -> bool {
    let owner = meta.uid();
    (owner == 0 || owner == rustix::process::geteuid().as_raw()) && mode(meta) & 0o022 == 0
}
