//! File-system facts and calls whose shape differs between platforms: symbolic links, Unix
//! permission bits, a file's change stamp, and paths made of raw bytes (a tar header's). The
//! layers above call these without knowing which platform they run on.
//!
//! On Windows NTFS has no mode bits: modes are accepted and ignored when files are made, and a
//! file's mode reads as `0o100644` (`0o100444` when read-only; `0o040755` for a directory), the
//! same for every file, so comparisons of two files' executable bits agree. A symbolic link needs
//! Developer Mode or a privilege there; hard links are what tcup places.

use std::fs::Metadata;
use std::io;
use std::path::{Path, PathBuf};

/// Creates a symbolic link at `link` pointing to `target` (relative targets resolve from the
/// link's directory). On Windows a directory link when that resolves to a directory.
///
/// # Errors
/// As the system call; the error names `link` (fs_err).
pub fn symlink(target: impl AsRef<Path>, link: impl AsRef<Path>) -> io::Result<()> {
    imp::symlink(target.as_ref(), link.as_ref())
}

/// Links the directory `link` to the directory `target` (an absolute path), as `toolchain link`
/// does: a symbolic link on Unix; a directory junction on Windows, which any user may create
/// (a symbolic link there needs Developer Mode or an administrator), as rustup does.
/// [`std::fs::FileType::is_symlink`] is true for both.
///
/// # Errors
/// As the system call; the error names `link`.
pub fn dir_link(target: &Path, link: &Path) -> io::Result<()> {
    imp::dir_link(target, link)
}

/// Removes a link made by [`dir_link`] (or any symbolic link to a directory), never what it
/// points to: `unlink` on Unix, `RemoveDirectoryW` on Windows.
///
/// # Errors
/// As the system call; the error names `link`.
pub fn remove_dir_link(link: &Path) -> io::Result<()> {
    if cfg!(windows) { fs_err::remove_dir(link) } else { fs_err::remove_file(link) }
}

/// Places the file `target` at `link` without copying where the system allows: a symbolic link
/// on Unix; on Windows a hard link (symbolic links need a privilege there), else a copy.
///
/// # Errors
/// As the system calls; the error names `link`.
pub fn file_link(target: &Path, link: &Path) -> io::Result<()> {
    if cfg!(windows) { fs_err::hard_link(target, link).or_else(|_| fs_err::copy(target, link).map(drop)) } else { symlink(target, link) }
}

/// Sets the modification time of the directory `dir`, for tests: Windows opens a directory only
/// with `FILE_FLAG_BACKUP_SEMANTICS` and sets its times only with `FILE_WRITE_ATTRIBUTES`.
#[cfg(test)]
pub fn test_set_dir_modified(dir: &Path, time: std::time::SystemTime) -> io::Result<()> {
    let mut open = std::fs::File::options();
    open.read(true);
    #[cfg(windows)]
    {
        use std::os::windows::fs::OpenOptionsExt as _;
        use windows_sys::Win32::Storage::FileSystem::{FILE_FLAG_BACKUP_SEMANTICS, FILE_WRITE_ATTRIBUTES};
        open.custom_flags(FILE_FLAG_BACKUP_SEMANTICS).access_mode(FILE_WRITE_ATTRIBUTES);
    }
    open.open(dir)?.set_modified(time)
}

/// Creates the file `path` exclusively (`O_CREAT | O_EXCL`, `CREATE_NEW`: an existing file or a
/// link planted there is an error, never followed) for writing, with mode bits `mode` less the
/// umask (Unix).
///
/// # Errors
/// As `open`; the error names `path`.
pub fn create_new(path: &Path, mode: u32) -> io::Result<fs_err::File> {
    let mut options = fs_err::OpenOptions::new();
    options.write(true).create_new(true);
    imp::set_open_mode(&mut options, mode);
    options.open(path)
}

/// A temporary-file builder whose files get mode bits `mode` less the umask (Unix; Windows
/// files get the directory's inherited access rules).
pub fn tempfile_builder<'a>(mode: u32) -> tempfile::Builder<'a, 'a> {
    let mut builder = tempfile::Builder::new();
    imp::set_builder_mode(&mut builder, mode);
    builder
}

/// Sets `path`'s Unix mode bits to `mode` (nothing on Windows).
///
/// # Errors
/// As `chmod`; the error names `path`.
pub fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    imp::set_mode(path, mode)
}

/// Sets the open `file`'s Unix mode bits to `mode` exactly (nothing on Windows).
///
/// # Errors
/// As `fchmod`.
pub fn set_file_mode(file: &fs_err::File, mode: u32) -> io::Result<()> {
    imp::set_file_mode(file, mode)
}

/// The Unix mode bits (type bits included, as `st_mode`) of a file's metadata; on Windows the
/// fixed values of the module's doc.
pub fn mode(meta: &Metadata) -> u32 {
    imp::mode(meta)
}

/// What changes when a file is rewritten in place, for trusting a file seen before without
/// reading it: modification time in nanoseconds since the epoch, and the inode (Unix) or the
/// creation time (Windows: a file replaced by a rename is a new file with a new one).
pub fn stamp(meta: &Metadata) -> (i128, u64) {
    imp::stamp(meta)
}

/// A path from raw bytes, as tar headers carry them: bytes on Unix; UTF-8 on Windows, where
/// tar's own reader requires it too (an invalid sequence becomes U+FFFD).
pub fn path_from_bytes(bytes: &[u8]) -> PathBuf {
    imp::path_from_bytes(bytes)
}

/// Whether the file `meta` describes is owned by root or by this process's effective user and
/// writable by no one else (no group or other write bit): no one but root and this user can
/// change its bytes later. Decides whether a toolchain store's file may be hard-linked
/// (docs/store.md). Always `false` on Windows, where that is a question of the file's access
/// control list, not read here: store files are cloned or copied instead.
pub fn only_root_or_me_can_write(meta: &Metadata) -> bool {
    imp::only_root_or_me_can_write(meta)
}

#[cfg(unix)]
mod imp {
    use std::fs::Metadata;
    use std::io;
    use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
    use std::path::{Path, PathBuf};

    pub fn symlink(target: &Path, link: &Path) -> io::Result<()> {
        fs_err::os::unix::fs::symlink(target, link)
    }

    pub fn dir_link(target: &Path, link: &Path) -> io::Result<()> {
        symlink(target, link)
    }

    pub fn set_open_mode(options: &mut fs_err::OpenOptions, mode: u32) {
        use fs_err::os::unix::fs::OpenOptionsExt as _;
        options.mode(mode);
    }

    pub fn set_builder_mode(builder: &mut tempfile::Builder<'_, '_>, mode: u32) {
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }

    pub fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
        fs_err::set_permissions(path, std::fs::Permissions::from_mode(mode))
    }

    pub fn set_file_mode(file: &fs_err::File, mode: u32) -> io::Result<()> {
        file.set_permissions(std::fs::Permissions::from_mode(mode))
    }

    pub fn mode(meta: &Metadata) -> u32 {
        meta.permissions().mode()
    }

    pub fn stamp(meta: &Metadata) -> (i128, u64) {
        (i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()), meta.ino())
    }

    pub fn path_from_bytes(bytes: &[u8]) -> PathBuf {
        use std::os::unix::ffi::OsStrExt as _;
        PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
    }

    pub fn only_root_or_me_can_write(meta: &Metadata) -> bool {
        let owner = meta.uid();
        (owner == 0 || owner == rustix::process::geteuid().as_raw()) && mode(meta) & 0o022 == 0
    }
}

#[cfg(windows)]
mod imp {
    use std::fs::Metadata;
    use std::io;
    use std::os::windows::fs::MetadataExt as _;
    use std::path::{Path, PathBuf};

    pub fn symlink(target: &Path, link: &Path) -> io::Result<()> {
        let resolved = link.parent().unwrap_or(Path::new(".")).join(target);
        let made = if resolved.is_dir() {
            std::os::windows::fs::symlink_dir(target, link)
        } else {
            std::os::windows::fs::symlink_file(target, link)
        };
        made.map_err(|e| io::Error::new(e.kind(), format!("failed to create the symbolic link '{}': {e}", link.display())))
    }

    pub fn dir_link(target: &Path, link: &Path) -> io::Result<()> {
        junction::create(target, link)
            .map_err(|e| io::Error::new(e.kind(), format!("failed to create the directory junction '{}': {e}", link.display())))
    }

    pub fn set_open_mode(_options: &mut fs_err::OpenOptions, _mode: u32) {}

    pub fn set_builder_mode(_builder: &mut tempfile::Builder<'_, '_>, _mode: u32) {}

    pub fn set_mode(path: &Path, _mode: u32) -> io::Result<()> {
        fs_err::symlink_metadata(path).map(drop)
    }

    #[allow(clippy::unnecessary_wraps, reason = "the shape of the Unix body, which can fail")]
    pub fn set_file_mode(_file: &fs_err::File, _mode: u32) -> io::Result<()> {
        Ok(())
    }

    pub fn mode(meta: &Metadata) -> u32 {
        match (meta.is_dir(), meta.permissions().readonly()) {
            (true, _) => 0o040_755,
            (false, true) => 0o100_444,
            (false, false) => 0o100_644,
        }
    }

    pub fn stamp(meta: &Metadata) -> (i128, u64) {
        (i128::from(meta.last_write_time()) * 100, meta.creation_time())
    }

    pub fn path_from_bytes(bytes: &[u8]) -> PathBuf {
        PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
    }

    pub fn only_root_or_me_can_write(_meta: &Metadata) -> bool {
        false
    }
}
