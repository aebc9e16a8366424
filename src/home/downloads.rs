//! The download cache, `RUSTUP_HOME/downloads/` (rustup's layout): each archive named by the
//! SHA-256 its channel manifest gives, so any archive found there is identified by content and is
//! re-verified as it is read.
//!
//! ```text
//! downloads/<sha256>                     verified, complete
//! downloads/<sha256>.partial             arriving (or left by an interrupted run)
//! downloads/<sha256>.partial.validator   the server's ETag or Last-Modified for that partial,
//!                                        so a resume asks `If-Range` with it
//! ```
//! What to do with these files (resume, replay, re-verify) is [`crate::fetch::archive`]'s business;
//! this module only names them.

use std::io;
use std::path::{Path, PathBuf};

/// `downloads/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Downloads {
    dir: PathBuf,
}

/// The three files one archive may have in the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedArchive {
    /// `<sha256>`: the complete archive, verified when it was written.
    pub verified: PathBuf,
    /// `<sha256>.partial`: the bytes received so far.
    pub partial: PathBuf,
    /// `<sha256>.partial.validator`: the validator of the partial's response.
    pub validator: PathBuf,
}

impl Downloads {
    pub(super) fn new(dir: PathBuf) -> Downloads {
        Downloads { dir }
    }

    /// The directory itself (for messages).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The cache files of the archive with SHA-256 `sha256` (64 hex digits, as the manifest
    /// gives it).
    pub fn archive(&self, sha256: &str) -> CachedArchive {
        debug_assert!(sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit()), "{sha256:?} is a SHA-256");
        CachedArchive {
            verified: self.dir.join(sha256),
            partial: self.dir.join(format!("{sha256}.partial")),
            validator: self.dir.join(format!("{sha256}.partial.validator")),
        }
    }

    /// Creates the directory.
    ///
    /// # Errors
    /// It cannot be created.
    pub fn create(&self) -> io::Result<()> {
        fs_err::create_dir_all(&self.dir)
    }

    /// Drops the verified archive `sha256` once it is installed (best effort: a leftover file is
    /// only disk space, and is re-verified before any use).
    pub fn forget(&self, sha256: &str) {
        let _ = fs_err::remove_file(self.archive(sha256).verified);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_rustups_layout() {
        let d = Downloads::new(PathBuf::from("/h/downloads"));
        let sha = "ab".repeat(32);
        let a = d.archive(&sha);
        assert_eq!(a.verified, Path::new("/h/downloads").join(&sha));
        assert_eq!(a.partial, Path::new("/h/downloads").join(format!("{sha}.partial")));
        assert_eq!(a.validator, Path::new("/h/downloads").join(format!("{sha}.partial.validator")));
    }
}
