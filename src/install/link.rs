//! Copies an installed component into a staging tree by hard links, so an update or a component
//! change rebuilds the toolchain beside the old one without copying or downloading what did not
//! change (docs/design.md install-5 and install-9). Directories are created, regular files hard-linked
//! (copied where the file system refuses links), symbolic links re-created.
//!
//! From a toolchain store (docs/store.md), which belongs to someone else, a file is hard-linked
//! only when no one but root and this user can change its bytes later
//! ([`crate::sys::fs::only_root_or_me_can_write`]); otherwise it is reflinked where the file
//! system can ([`crate::sys::reflink`]), else copied. Either way the caller checks what landed.

use std::io;
use std::path::{Path, PathBuf};

use crate::home::toolchain::ComponentPart;
use crate::install::safety::{self, Node};
use crate::sys::beneath::Dir;

/// Links every path of a component's `file:`/`dir:` `parts` from `old_root` into `new_root`.
/// Neither tree's links are followed on the way ([`crate::sys::beneath`]), so a link planted in
/// the installed toolchain cannot bring an outside file in or send a file out; every link
/// re-created is then followed through the new tree ([`safety::resolve_in_tree`]).
///
/// # Errors
/// A listed path is missing in `old_root`, or already exists in `new_root` (two components
/// claiming one path), a path passes through a link, a link re-created leads out of the
/// toolchain, or a file system call fails; each names the path.
pub fn link_component(old_root: &Path, new_root: &Path, parts: &[ComponentPart]) -> io::Result<()> {
    walk_parts(old_root, new_root, parts, From::Installed).map(drop)
}

/// How the regular files of a component from a toolchain store arrived.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Arrived {
    /// Hard-linked (one inode with the store's file).
    pub linked: usize,
    /// Reflinked (`FICLONE`: shared blocks, copied on write).
    pub cloned: usize,
    /// Copied byte for byte.
    pub copied: usize,
}

/// Like [`link_component`], from a toolchain store's toolchain at `store_root`: each regular
/// file is hard-linked when its inode is owned by root or this user and writable by no one else
/// and the link succeeds (same file system; Linux's `fs.protected_hardlinks` refuses a user a
/// link to root's file), else reflinked where the file system can, else copied; a reflink or copy
/// gets the file's permission bits less group and other write. Counts what arrived how.
///
/// # Errors
/// As [`link_component`]; a file cannot be read or written.
pub fn place_from_store(store_root: &Path, new_root: &Path, parts: &[ComponentPart]) -> io::Result<Arrived> {
    walk_parts(store_root, new_root, parts, From::Store)
}

/// Moves a component's `parts` from the tree at `from_root` into the tree at `to_root` (same
/// file system; a `dir:` part moves whole), creating parent directories, replacing nothing.
///
/// # Errors
/// A part is missing, exists in `to_root`, or lies behind a link; each names the path.
pub fn move_parts(from_root: &Path, to_root: &Path, parts: &[ComponentPart]) -> io::Result<()> {
    let (from, to) = (Dir::open(from_root)?, Dir::open(to_root)?);
    for part in parts {
        if let Some(parent) = part.path.parent() {
            to.create_dir_all(parent)?;
        }
        to.rename_from(&part.path, &from, &part.path)?;
    }
    Ok(())
}

/// Where files come from: this home's installed tree, or a toolchain store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum From {
    Installed,
    Store,
}

/// One pass over a component's parts.
struct Walk {
    from: From,
    /// Symbolic links re-created, with their targets, checked once every part is in.
    links: Vec<(PathBuf, PathBuf)>,
    arrived: Arrived,
}

fn walk_parts(old_root: &Path, new_root: &Path, parts: &[ComponentPart], from: From) -> io::Result<Arrived> {
    let (old, new) = (Dir::open(old_root)?, Dir::open(new_root)?);
    let mut walk = Walk { from, links: Vec::new(), arrived: Arrived::default() };
    for part in parts {
        if let Some(parent) = part.path.parent() {
            new.create_dir_all(parent)?;
        }
        link_path(&old, &new, &part.path, &part.path, &mut walk)?;
    }
    for (path, target) in walk.links {
        safety::resolve_in_tree(&path, &target, |p| new.node(p)).map_err(|why| {
            io::Error::other(format!(
                "the installed symbolic link '{}' -> '{}' is refused: {why}",
                old_root.join(&path).display(),
                target.display()
            ))
        })?;
    }
    Ok(walk.arrived)
}

/// Links `rel` (relative to the directories `old` and `new`, `full` relative to the trees' roots);
/// a directory's entries are linked relative to the directory opened once on each side.
fn link_path(old: &Dir, new: &Dir, rel: &Path, full: &Path, walk: &mut Walk) -> io::Result<()> {
    match old.node(rel)? {
        Node::Missing => Err(io::Error::new(io::ErrorKind::NotFound, format!("'{}' is missing", old.path().join(rel).display()))),
        Node::Dir => {
            new.create_dir(rel)?;
            let (old_dir, new_dir) = (old.open_dir(rel)?, new.open_dir(rel)?);
            for name in old_dir.entries(Path::new(""))? {
                link_path(&old_dir, &new_dir, Path::new(&name), &full.join(&name), walk)?;
            }
            new_dir.set_dir_mode(Path::new(""), old_dir.dir_mode(Path::new(""))?)
        }
        Node::Link(target) => {
            new.symlink(&target, rel)?;
            walk.links.push((full.to_owned(), target));
            Ok(())
        }
        Node::File if walk.from == From::Store => from_store(old, new, rel, &mut walk.arrived),
        Node::File => match new.hard_link(rel, old, rel) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
            Err(e) if crate::sys::beneath::link_refused(&e).is_some() => Err(e),
            Err(_) => copy(old, new, rel),
        },
    }
}

/// One regular file from a store: a hard link when no one else can change it, else a reflink,
/// else a copy. The link is made first and its inode judged on the new name (one `lstat`, no
/// open: a FIFO planted in the store is linked, then refused by the caller's check, never opened);
/// a link that may not stay is removed again.
fn from_store(old: &Dir, new: &Dir, rel: &Path, arrived: &mut Arrived) -> io::Result<()> {
    match new.hard_link(rel, old, rel) {
        Ok(()) => {
            let meta = fs_err::symlink_metadata(new.path().join(rel))?;
            if !meta.is_file() || crate::sys::fs::only_root_or_me_can_write(&meta) {
                arrived.linked += 1;
                return Ok(());
            }
            new.remove_file(rel)?;
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Err(e),
        Err(_) => {}
    }
    let mut from = old.open_file(rel)?;
    let meta = from.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::other(format!("'{}' is not a regular file", old.path().join(rel).display())));
    }
    let mut to = new.create_file(rel, crate::sys::fs::mode(&meta) & 0o755)?;
    if crate::sys::reflink::clone_file(from.file(), to.file()).is_ok() {
        arrived.cloned += 1;
    } else {
        io::copy(&mut from, &mut to)?;
        arrived.copied += 1;
    }
    Ok(())
}

/// Copies a file where the file system refuses a hard link, keeping its permission bits.
fn copy(old: &Dir, new: &Dir, rel: &Path) -> io::Result<()> {
    let mut from = old.open_file(rel)?;
    let mode = crate::sys::fs::mode(&from.metadata()?);
    let mut to = new.create_file(rel, mode)?;
    io::copy(&mut from, &mut to).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_hard_linked_and_dirs_walked() {
        let dir = tempfile::tempdir().unwrap();
        let (old, new) = (dir.path().join("old"), dir.path().join("new"));
        fs_err::create_dir_all(old.join("bin")).unwrap();
        fs_err::create_dir_all(old.join("share/doc/sub")).unwrap();
        fs_err::write(old.join("bin/tool"), "x").unwrap();
        fs_err::write(old.join("share/doc/sub/a.html"), "a").unwrap();
        // A symbolic link in the walked dir (making one needs a privilege on Windows).
        #[cfg(unix)]
        crate::sys::fs::symlink(std::path::Path::new("sub/a.html"), old.join("share/doc/link")).unwrap();
        fs_err::create_dir(&new).unwrap();
        let part = |l: &str| ComponentPart::decode(l).unwrap();
        link_component(&old, &new, &[part("file:bin/tool"), part("dir:share/doc")]).unwrap();
        let ino = |p: &Path| crate::sys::identity::followed(p).unwrap().1;
        assert_eq!(ino(&old.join("bin/tool")), ino(&new.join("bin/tool")));
        assert_eq!(fs_err::read_to_string(new.join("share/doc/sub/a.html")).unwrap(), "a");
        #[cfg(unix)]
        assert_eq!(fs_err::read_to_string(new.join("share/doc/link")).unwrap(), "a");
        let e = link_component(&old, &new, &[part("file:bin/tool")]).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
    }

    // Planting the symbolic links needs a privilege on Windows (and wine 8 only pretends to).
    #[cfg(unix)]
    #[test]
    fn planted_links_are_neither_followed_nor_carried_out() {
        let dir = tempfile::tempdir().unwrap();
        let (old, new, victim) = (dir.path().join("old"), dir.path().join("new"), dir.path().join("victim"));
        fs_err::create_dir_all(old.join("share")).unwrap();
        fs_err::create_dir_all(&victim).unwrap();
        fs_err::write(victim.join("secret"), "s").unwrap();
        fs_err::create_dir(&new).unwrap();
        // A link in the installed tree where a listed path's parent should be: nothing comes in.
        crate::sys::fs::symlink(&victim, old.join("lib")).unwrap();
        let part = |l: &str| ComponentPart::decode(l).unwrap();
        let e = link_component(&old, &new, &[part("file:lib/secret")]).unwrap_err();
        assert!(e.to_string().contains("never follows links"), "{e}");
        assert!(!new.join("lib/secret").exists());
        // A link inside a dir: part that leads out is refused once re-created.
        crate::sys::fs::symlink(std::path::Path::new("../../victim"), old.join("share/out")).unwrap();
        let e = link_component(&old, &new, &[part("dir:share")]).unwrap_err();
        assert!(e.to_string().contains("share/out' -> '../../victim' is refused: it leads out of the toolchain directory"), "{e}");
        assert_eq!(fs_err::read_to_string(victim.join("secret")).unwrap(), "s");
    }
}
