//! `tcup toolchain uninstall`: removing an installed (or linked) toolchain.
//!
//! Uninstall is atomic: the toolchain directory is renamed into a staging directory under
//! `RUSTUP_HOME/tmp/` (one rename, under the home lock) and deleted from there, so a crash leaves
//! the toolchain or nothing, and a half-deleted tree is never visible in `toolchains/`. Like
//! rustup, uninstalling the default toolchain does not change `default_toolchain`.

use anyhow::Context as _;

use crate::dist::name::LocalName;
use crate::home::Home;
use crate::install::staging::Staging;

/// Removes `toolchains/<name>` (a directory, or the link of a linked toolchain) and its
/// `update-hashes/<name>`. Returns false when no such toolchain is installed.
///
/// # Errors
/// The lock, the rename or the deletion failed (the error names the path).
pub fn uninstall(home: &Home, name: &LocalName) -> anyhow::Result<bool> {
    let dir = home.toolchain(name);
    let dest = dir.root();
    if dest.symlink_metadata().is_err() {
        return Ok(false);
    }
    let _lock = home.lock(|| {}).with_context(|| format!("locking {}", home.root().display()))?;
    if home.is_linked(name) {
        fs_err::remove_file(dest)?;
    } else {
        let trash = Staging::new(home).with_context(|| format!("creating a directory in {}", home.tmp().display()))?;
        let target = trash.tree().with_file_name("uninstalled");
        fs_err::rename(dest, &target)?;
        // Dropping `trash` deletes the tree; do it now so errors are seen.
        fs_err::remove_dir_all(&target)?;
    }
    home.remove_update_hash(name)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::toolchain::link::link;

    fn name(s: &str) -> LocalName {
        LocalName::parse(s).unwrap()
    }

    #[test]
    fn link_then_uninstall_keeps_the_linked_tree() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path());
        let build = tempfile::tempdir().unwrap();
        fs_err::create_dir_all(build.path().join("bin")).unwrap();
        fs_err::create_dir_all(build.path().join("lib")).unwrap();
        assert!(link(&home, "stable", build.path()).unwrap_err().to_string().contains("invalid custom toolchain name 'stable'"));
        assert!(link(&home, "x", dir.path()).unwrap_err().to_string().contains("not a directory"));
        link(&home, "stage1", build.path()).unwrap();
        assert!(home.toolchain(&name("stage1")).tool("x").parent().unwrap().is_dir());
        assert!(uninstall(&home, &name("stage1")).unwrap());
        assert!(build.path().join("bin").is_dir(), "the linked build itself stays");
        assert!(!uninstall(&home, &name("stage1")).unwrap());
    }

    #[test]
    fn uninstall_removes_the_tree_and_its_hash() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path());
        let tc = name("stable-x");
        fs_err::create_dir_all(home.toolchain(&tc).root().join("bin")).unwrap();
        home.set_update_hash(&tc, "abc").unwrap();
        assert!(uninstall(&home, &tc).unwrap());
        assert!(!home.toolchain(&tc).is_dir());
        assert_eq!(home.update_hash(&tc), None);
        assert_eq!(fs_err::read_dir(home.tmp()).unwrap().count(), 0, "nothing left in tmp");
    }
}
