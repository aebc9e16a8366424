//! Toolchains as a set: uninstall one, link a local build under a name, list them. Installing and
//! updating live in `ops::install`.
//!
//! Uninstall is atomic: the toolchain directory is renamed into a staging directory under
//! `RUSTUP_HOME/tmp/` (one rename, under the home lock) and deleted from there, so a crash leaves
//! the toolchain or nothing, and a half-deleted tree is never visible in `toolchains/`. Like
//! rustup, uninstalling the default toolchain does not change `default_toolchain`.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::dist::name::{LocalName, ToolchainName};
use crate::error::UsageError;
use crate::install::lock::HomeLock;
use crate::install::staging::Staging;

/// Removes `toolchains/<name>` (a directory, or the link of a linked toolchain) and its
/// `update-hashes/<name>`. Returns false when no such toolchain is installed.
///
/// # Errors
/// The lock, the rename or the deletion failed (the error names the path).
pub fn uninstall(rustup_home: &Path, name: &LocalName) -> anyhow::Result<bool> {
    let dest = rustup_home.join("toolchains").join(name);
    if dest.symlink_metadata().is_err() {
        return Ok(false);
    }
    let _lock = HomeLock::acquire(rustup_home, || {}).with_context(|| format!("locking {}", rustup_home.display()))?;
    if dest.symlink_metadata()?.file_type().is_symlink() {
        fs_err::remove_file(&dest)?;
    } else {
        let trash = Staging::new(rustup_home).with_context(|| format!("creating a directory in {}", rustup_home.join("tmp").display()))?;
        let target = trash.tree().with_file_name("uninstalled");
        fs_err::rename(&dest, &target)?;
        // Dropping `trash` deletes the tree; do it now so errors are seen.
        fs_err::remove_dir_all(&target)?;
    }
    let hash = rustup_home.join("update-hashes").join(name);
    if hash.exists() {
        fs_err::remove_file(&hash)?;
    }
    Ok(true)
}

/// Links the toolchain directory `path` as `toolchains/<name>` (a symbolic link to its canonical
/// path, as rustup makes it), replacing an earlier link of that name.
///
/// # Errors
/// A [`UsageError`] when `name` is a channel name (`stable`, `1.95.0`: reserved for installs) or
/// contains `/`, or when `path` is not a directory with `bin/` and `lib/`; I/O errors.
pub fn link(rustup_home: &Path, name: &str, path: &Path) -> anyhow::Result<PathBuf> {
    let custom = LocalName::parse(name).map_err(|e| UsageError(format!("invalid custom toolchain name '{name}': {}", e.why)))?;
    if name.parse::<ToolchainName>().is_ok() {
        return Err(UsageError(format!(
            "invalid custom toolchain name '{name}': a linked toolchain needs a name that is not a channel name like stable or 1.95.0"
        ))
        .into());
    }
    for sub in ["bin", "lib"] {
        if !path.join(sub).is_dir() {
            return Err(UsageError(format!("not a directory: '{}' (a toolchain has bin/ and lib/)", path.join(sub).display())).into());
        }
    }
    let target = fs_err::canonicalize(path)?;
    let toolchains = rustup_home.join("toolchains");
    fs_err::create_dir_all(&toolchains)?;
    let dest = toolchains.join(&custom);
    match dest.symlink_metadata() {
        Ok(m) if m.file_type().is_symlink() => fs_err::remove_file(&dest)?,
        Ok(_) => return Err(UsageError(format!("'{name}' is an installed toolchain, not a link; uninstall it first")).into()),
        Err(_) => {}
    }
    fs_err::os::unix::fs::symlink(&target, &dest)?;
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_then_uninstall_keeps_the_linked_tree() {
        let home = tempfile::tempdir().unwrap();
        let build = tempfile::tempdir().unwrap();
        fs_err::create_dir_all(build.path().join("bin")).unwrap();
        fs_err::create_dir_all(build.path().join("lib")).unwrap();
        assert!(link(home.path(), "stable", build.path()).unwrap_err().to_string().contains("invalid custom toolchain name 'stable'"));
        assert!(link(home.path(), "x", home.path()).unwrap_err().to_string().contains("not a directory"));
        link(home.path(), "stage1", build.path()).unwrap();
        assert!(home.path().join("toolchains/stage1/bin").is_dir());
        assert!(uninstall(home.path(), &LocalName::parse("stage1").unwrap()).unwrap());
        assert!(build.path().join("bin").is_dir(), "the linked build itself stays");
        assert!(!uninstall(home.path(), &LocalName::parse("stage1").unwrap()).unwrap());
    }

    #[test]
    fn uninstall_removes_the_tree_and_its_hash() {
        let home = tempfile::tempdir().unwrap();
        let tc = home.path().join("toolchains/stable-x/bin");
        fs_err::create_dir_all(&tc).unwrap();
        fs_err::create_dir_all(home.path().join("update-hashes")).unwrap();
        fs_err::write(home.path().join("update-hashes/stable-x"), "abc").unwrap();
        assert!(uninstall(home.path(), &LocalName::parse("stable-x").unwrap()).unwrap());
        assert!(!home.path().join("toolchains/stable-x").exists());
        assert!(!home.path().join("update-hashes/stable-x").exists());
        assert_eq!(fs_err::read_dir(home.path().join("tmp")).unwrap().count(), 0, "nothing left in tmp");
    }
}
