//! File identity: whether two paths are the same file (device and inode on Unix; the NTFS file
//! id is where a Windows port would answer). The proxies, `--as-rustup` and `self uninstall` ask
//! it to tell tcup's own links from a program someone else put beside them.

use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// `(device, inode)` of the file `meta` describes.
pub fn of(meta: &std::fs::Metadata) -> (u64, u64) {
    (meta.dev(), meta.ino())
}

/// `(device, inode)` of the file at `path`, not following a final symbolic link; `None` when
/// nothing is there.
pub fn file_id(path: &Path) -> Option<(u64, u64)> {
    std::fs::symlink_metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// Whether `a` and `b` are the same file, following symbolic links (a hard link of `b`, or a
/// symbolic link that resolves to it); `false` when either is missing.
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => (x.dev(), x.ino()) == (y.dev(), y.ino()),
        _ => false,
    }
}
