//! File identity: whether two paths are the same file. On Unix that is `(device, inode)`; on
//! Windows `(volume serial number, file index)` from `GetFileInformationByHandle` (the NTFS file
//! id, which hard links share). The proxies, `--as-rustup` and `self uninstall` ask it to tell
//! tcup's own links from a program someone else put beside them; the toolchain store and
//! `toolchain list` ask it to count shared files once.

use std::path::Path;

/// `(device, inode)` (Unix) or `(volume serial, file index)` (Windows) of the file at `path`, not
/// following a final symbolic link; `None` when nothing is there or it cannot be opened.
pub fn file_id(path: &Path) -> Option<(u64, u64)> {
    imp::id(path, false).map(|(id, _)| id)
}

/// As [`file_id`], following links: the identity of the file a link resolves to.
pub fn followed(path: &Path) -> Option<(u64, u64)> {
    imp::id(path, true).map(|(id, _)| id)
}

/// The identity and the number of hard links of the file at `path` (not followed), for counting
/// a tree's bytes once per file ([`crate::sys::tree`]).
pub fn with_links(path: &Path) -> Option<((u64, u64), u64)> {
    imp::id(path, false)
}

/// Whether `a` and `b` are the same file, following symbolic links (a hard link of `b`, or a
/// symbolic link that resolves to it); `false` when either is missing.
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (followed(a), followed(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

#[cfg(unix)]
mod imp {
    use std::os::unix::fs::MetadataExt as _;
    use std::path::Path;

    pub fn id(path: &Path, follow: bool) -> Option<((u64, u64), u64)> {
        let meta = if follow { std::fs::metadata(path) } else { std::fs::symlink_metadata(path) }.ok()?;
        Some(((meta.dev(), meta.ino()), meta.nlink()))
    }
}

#[cfg(windows)]
mod imp {
    use std::os::windows::fs::OpenOptionsExt as _;
    use std::os::windows::io::AsRawHandle as _;
    use std::path::Path;

    use windows_sys::Win32::Storage::FileSystem::{
        BY_HANDLE_FILE_INFORMATION, FILE_FLAG_BACKUP_SEMANTICS, FILE_FLAG_OPEN_REPARSE_POINT, FILE_SHARE_DELETE, FILE_SHARE_READ,
        FILE_SHARE_WRITE, GetFileInformationByHandle,
    };

    pub fn id(path: &Path, follow: bool) -> Option<((u64, u64), u64)> {
        // No access rights asked: only the attributes are read, so a file another process has
        // open (a running program) can still be looked at. BACKUP_SEMANTICS opens directories.
        let flags = FILE_FLAG_BACKUP_SEMANTICS | if follow { 0 } else { FILE_FLAG_OPEN_REPARSE_POINT };
        let file = std::fs::OpenOptions::new()
            .access_mode(0)
            .share_mode(FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE)
            .custom_flags(flags)
            .open(path)
            .ok()?;
        // SAFETY: a zeroed plain-data struct the call fills; the handle is open for the call.
        #[allow(unsafe_code, reason = "a Windows API call filling a plain-data struct")]
        let info = unsafe {
            let mut info: BY_HANDLE_FILE_INFORMATION = std::mem::zeroed();
            (GetFileInformationByHandle(file.as_raw_handle(), &raw mut info) != 0).then_some(info)?
        };
        let index = (u64::from(info.nFileIndexHigh) << 32) | u64::from(info.nFileIndexLow);
        Some(((u64::from(info.dwVolumeSerialNumber), index), u64::from(info.nNumberOfLinks)))
    }
}
