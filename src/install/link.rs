//! Copies an installed component into a staging tree by hard links, so an update or a component
//! change rebuilds the toolchain beside the old one without copying or downloading what did not
//! change (docs/design.md S5 and S11). Directories are created, regular files hard-linked
//! (copied where the file system refuses links), symbolic links re-created.

use std::io;
use std::path::Path;

use crate::home::toolchain::ComponentPart;

/// Links every path of a component's `file:`/`dir:` `parts` from `old_root` into `new_root`.
///
/// # Errors
/// A listed path is missing in `old_root`, or already exists in `new_root` (two components
/// claiming one path), or a file system call fails; each names the path.
pub fn link_component(old_root: &Path, new_root: &Path, parts: &[ComponentPart]) -> io::Result<()> {
    for part in parts {
        link_path(&old_root.join(&part.path), &new_root.join(&part.path))?;
    }
    Ok(())
}

fn link_path(src: &Path, dst: &Path) -> io::Result<()> {
    let meta = fs_err::symlink_metadata(src)?;
    if let Some(parent) = dst.parent() {
        fs_err::create_dir_all(parent)?;
    }
    if meta.is_dir() {
        fs_err::create_dir(dst)?;
        for entry in fs_err::read_dir(src)? {
            let entry = entry?;
            link_path(&entry.path(), &dst.join(entry.file_name()))?;
        }
        fs_err::set_permissions(dst, meta.permissions())
    } else if meta.is_symlink() {
        fs_err::os::unix::fs::symlink(fs_err::read_link(src)?, dst)
    } else {
        match fs_err::hard_link(src, dst) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
            Err(_) => fs_err::copy(src, dst).map(drop),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    #[test]
    fn files_are_hard_linked_and_dirs_walked() {
        let dir = tempfile::tempdir().unwrap();
        let (old, new) = (dir.path().join("old"), dir.path().join("new"));
        fs_err::create_dir_all(old.join("bin")).unwrap();
        fs_err::create_dir_all(old.join("share/doc/sub")).unwrap();
        fs_err::write(old.join("bin/tool"), "x").unwrap();
        fs_err::write(old.join("share/doc/sub/a.html"), "a").unwrap();
        fs_err::os::unix::fs::symlink("sub/a.html", old.join("share/doc/link")).unwrap();
        fs_err::create_dir(&new).unwrap();
        let part = |l: &str| ComponentPart::decode(l).unwrap();
        link_component(&old, &new, &[part("file:bin/tool"), part("dir:share/doc")]).unwrap();
        let ino = |p: &Path| fs_err::metadata(p).unwrap().ino();
        assert_eq!(ino(&old.join("bin/tool")), ino(&new.join("bin/tool")));
        assert_eq!(fs_err::read_to_string(new.join("share/doc/link")).unwrap(), "a");
        let e = link_component(&old, &new, &[part("file:bin/tool")]).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
    }
}
