//! The staging area: a toolchain is assembled under `RUSTUP_HOME/tmp/tcup-stage-*/` and becomes
//! visible in `toolchains/` by one rename, only after every component verified and unpacked
//! (docs/design.md install-5). A replaced toolchain is swapped with [`crate::sys::swap::exchange`], so
//! `toolchains/<name>` is the old tree or the new one, never a mix (on Windows briefly neither,
//! repaired by the next start: [`clear_stale`]).
//!
//! A staging directory is removed when dropped. One left by a killed process is removed by the
//! next tcup that takes the home's lock ([`clear_stale`]).

use std::path::{Path, PathBuf};

use crate::home::Home;

/// Prefix of staging directories under `RUSTUP_HOME/tmp/`.
const PREFIX: &str = "tcup-stage-";

/// A staging directory, removed on drop.
#[derive(Debug)]
pub struct Staging {
    dir: tempfile::TempDir,
}

impl Staging {
    /// Creates a fresh staging directory in `RUSTUP_HOME/tmp/`.
    ///
    /// # Errors
    /// The directory cannot be created.
    pub fn new(home: &Home) -> std::io::Result<Staging> {
        let tmp = home.tmp();
        fs_err::create_dir_all(&tmp)?;
        let dir = tempfile::Builder::new().prefix(PREFIX).tempdir_in(&tmp)?;
        fs_err::create_dir(dir.path().join("tree"))?;
        Ok(Staging { dir })
    }

    /// The toolchain tree being assembled.
    pub fn tree(&self) -> PathBuf {
        self.dir.path().join("tree")
    }

    /// A scratch directory for unpacking one archive.
    pub fn unpack_dir(&self, component: &str) -> PathBuf {
        self.dir.path().join("unpack").join(component)
    }

    /// Moves the tree to `dest` atomically. An existing `dest` is exchanged with the new tree and
    /// then removed with the staging directory.
    ///
    /// # Errors
    /// The rename failed; `dest` is unchanged.
    pub fn commit(self, dest: &Path) -> std::io::Result<()> {
        let tree = self.tree();
        if let Some(parent) = dest.parent() {
            fs_err::create_dir_all(parent)?;
        }
        if dest.symlink_metadata().is_ok() {
            crate::sys::swap::exchange(&tree, dest)?;
        } else {
            fs_err::rename(&tree, dest)?;
        }
        Ok(())
    }
}

/// Removes staging directories left by interrupted runs, first finishing a swap one was killed in
/// ([`crate::sys::swap::recover`]: on Windows `toolchains/<name>` is briefly absent during a
/// swap, and the old tree is moved back). Call only while holding the home lock. Returns how
/// many were removed.
///
/// # Errors
/// `tmp/` cannot be listed, an interrupted swap cannot be finished (then nothing of it is
/// removed), or a stale directory cannot be removed.
pub fn clear_stale(home: &Home) -> std::io::Result<usize> {
    let tmp = home.tmp();
    let Ok(entries) = fs_err::read_dir(&tmp) else { return Ok(0) };
    let mut n = 0;
    for entry in entries {
        let entry = entry?;
        if entry.file_name().to_string_lossy().starts_with(PREFIX) {
            crate::sys::swap::recover(&entry.path().join("tree"))?;
            fs_err::remove_dir_all(entry.path())?;
            n += 1;
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_creates_then_exchanges() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path());
        let dest = dir.path().join("toolchains/t");
        let s = Staging::new(&home).unwrap();
        fs_err::write(s.tree().join("a"), "old").unwrap();
        s.commit(&dest).unwrap();
        assert_eq!(fs_err::read_to_string(dest.join("a")).unwrap(), "old");
        let s = Staging::new(&home).unwrap();
        fs_err::write(s.tree().join("b"), "new").unwrap();
        s.commit(&dest).unwrap();
        assert!(!dest.join("a").exists());
        assert_eq!(fs_err::read_to_string(dest.join("b")).unwrap(), "new");
        // The old tree went away with the staging directory.
        assert_eq!(fs_err::read_dir(home.tmp()).unwrap().count(), 0);
    }

    #[test]
    fn stale_staging_is_cleared() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path());
        let s = Staging::new(&home).unwrap();
        fs_err::write(s.tree().join("x"), "half").unwrap();
        std::mem::forget(s); // as if the process had been killed
        fs_err::create_dir_all(home.tmp().join("unrelated")).unwrap();
        assert_eq!(clear_stale(&home).unwrap(), 1);
        assert!(home.tmp().join("unrelated").exists());
    }
}
