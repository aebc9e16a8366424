//! The files of a directory tree by identity: `tcup toolchain gc` and `toolchain list` count a
//! toolchain's bytes with each inode once, and tell bytes shared through hard links (with another
//! toolchain, docs/design.md fetch-7) from bytes only this tree holds. Link counts and inode numbers
//! are the platform's ([`crate::sys::identity::with_links`]: `st_nlink` and the inode on Unix,
//! `nNumberOfLinks` and the NTFS file id on Windows).

use std::path::Path;

/// One file (anything but a directory: regular files and symbolic links alike) of a tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inode {
    /// `(device, inode)`.
    pub id: (u64, u64),
    /// Its length in bytes (a symbolic link's: its target's length).
    pub len: u64,
    /// Hard links to it on the whole file system.
    pub nlink: u64,
}

/// Every file under `root` (not following symbolic links, `root` itself included if it is a
/// link), with the number of its links found in this tree: an inode whose links are all here
/// has `links == nlink`. Entries that vanish or cannot be read are skipped (a size is an estimate,
/// never a reason to fail).
pub fn inodes(root: &Path) -> std::collections::HashMap<(u64, u64), (Inode, u64)> {
    let mut found = std::collections::HashMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(path) = stack.pop() {
        let Ok(meta) = std::fs::symlink_metadata(&path) else { continue };
        if meta.is_dir() {
            if let Ok(entries) = fs_err::read_dir(&path) {
                stack.extend(entries.filter_map(Result::ok).map(|e| e.path()));
            }
            continue;
        }
        let Some((id, nlink)) = crate::sys::identity::with_links(&path) else { continue };
        let inode = Inode { id, len: meta.len(), nlink };
        found.entry(inode.id).or_insert((inode, 0)).1 += 1;
    }
    found
}

/// The bytes under `root`, each inode once (0 when it does not exist).
pub fn bytes(root: &Path) -> u64 {
    inodes(root).values().map(|(i, _)| i.len).sum()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn hard_links_count_once_and_links_are_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("t");
        fs_err::create_dir_all(root.join("a/b")).unwrap();
        fs_err::write(root.join("a/one"), [0u8; 100]).unwrap();
        fs_err::hard_link(root.join("a/one"), root.join("a/b/same")).unwrap();
        fs_err::write(dir.path().join("outside"), [0u8; 7]).unwrap();
        fs_err::hard_link(dir.path().join("outside"), root.join("shared")).unwrap();
        crate::sys::fs::symlink(dir.path(), root.join("up")).unwrap();
        let found = inodes(&root);
        assert_eq!(found.len(), 3, "one, shared, and the link itself: {found:?}");
        let one = found.values().find(|(i, _)| i.len == 100).unwrap();
        assert_eq!((one.0.nlink, one.1), (2, 2), "both links are in the tree");
        let shared = found.values().find(|(i, _)| i.len == 7).unwrap();
        assert_eq!((shared.0.nlink, shared.1), (2, 1), "the other link is outside");
        assert_eq!(bytes(&root), 107 + dir.path().as_os_str().len() as u64);
        assert_eq!(bytes(&dir.path().join("none")), 0);
    }
}
