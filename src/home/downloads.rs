//! The download cache, `RUSTUP_HOME/downloads/` (rustup's layout): each archive named by the
//! SHA-256 its channel manifest gives, so any archive found there is identified by content and is
//! re-verified as it is read.
//!
//! ```text
//! downloads/<sha256>                     verified, complete
//! downloads/<sha256>.partial             arriving (or left by an interrupted run)
//! downloads/<sha256>.partial.validator   the server's ETag or Last-Modified for that partial,
//!                                        so a resume asks `If-Range` with it
//! downloads/manifests/dist/…             tcup's, not rustup's: the channel manifests `tcup fetch`
//!                                        verified, at their paths on the dist server
//!                                        (`dist/channel-rust-stable.toml`, a lock's
//!                                        `dist/2026-04-16/channel-rust-1.95.0.toml`), each with
//!                                        its `.sha256` and, when signed, `.asc`
//! ```
//! The `manifests/` tree is shaped like a dist server so an offline install reads it as one, as a
//! `file://` URL, through the same checks as any manifest (hash, signature, binding; docs/offline.md).
//! rustup never lists `downloads/`: it only opens `<sha256>` files it names, so the subdirectory
//! is invisible to it. Carrying `downloads/` to another machine carries both.
//! What to do with these files (resume, replay, re-verify) is [`crate::fetch::archive`]'s business;
//! this module only names and writes them.

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

    /// `downloads/manifests`: the root of the stored manifests, laid out as a dist server.
    pub fn manifests(&self) -> PathBuf {
        self.dir.join("manifests")
    }

    /// Stores a verified channel manifest at `rel` (its path on the dist server, `dist/…`,
    /// relative, without `..`) under [`Downloads::manifests`]: `text` exactly as verified, a
    /// `.sha256` naming `sha256` (`sha256sum` format), and `asc` when signed (a stale `.asc` is
    /// removed when not). Each file is replaced atomically; the `.sha256` is written last, so an
    /// interrupted store leaves a manifest whose check fails, never a wrong one that passes.
    /// Returns the manifest's path.
    ///
    /// # Errors
    /// `rel` is not a plain relative path under `dist/` (`InvalidInput`), or a file cannot be
    /// written.
    pub fn store_manifest(&self, rel: &str, text: &[u8], sha256: &str, asc: Option<&[u8]>) -> io::Result<PathBuf> {
        let plain = Path::new(rel).components().all(|c| matches!(c, std::path::Component::Normal(_)));
        if !plain || !rel.starts_with("dist/") {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("{rel:?} is not a path under dist/")));
        }
        let path = self.manifests().join(rel);
        let parent = path.parent().expect("a path under dist/ has a parent");
        fs_err::create_dir_all(parent)?;
        let file_name = path.file_name().expect("a path under dist/ names a file").to_string_lossy().into_owned();
        let sibling = |ext: &str| parent.join(format!("{file_name}.{ext}"));
        match asc {
            Some(asc) => crate::sys::atomic_write::write(&sibling("asc"), asc)?,
            None => match fs_err::remove_file(sibling("asc")) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                _ => {}
            },
        }
        crate::sys::atomic_write::write(&path, text)?;
        crate::sys::atomic_write::write(&sibling("sha256"), format!("{sha256}  {file_name}\n"))?;
        Ok(path)
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
        assert_eq!(d.manifests(), Path::new("/h/downloads/manifests"));
    }

    #[test]
    fn stored_manifests_are_a_dist_tree_and_stay_inside_it() {
        let tmp = tempfile::tempdir().unwrap();
        let d = Downloads::new(tmp.path().join("downloads"));
        let sha = "cd".repeat(32);
        let p = d.store_manifest("dist/channel-rust-stable.toml", b"m1", &sha, Some(b"sig")).unwrap();
        assert_eq!(p, d.manifests().join("dist/channel-rust-stable.toml"));
        assert_eq!(fs_err::read(&p).unwrap(), b"m1");
        let sums = d.manifests().join("dist/channel-rust-stable.toml.sha256");
        assert_eq!(fs_err::read_to_string(&sums).unwrap(), format!("{sha}  channel-rust-stable.toml\n"));
        let asc = d.manifests().join("dist/channel-rust-stable.toml.asc");
        assert_eq!(fs_err::read(&asc).unwrap(), b"sig");
        d.store_manifest("dist/channel-rust-stable.toml", b"m2", &sha, None).unwrap();
        assert!(!asc.exists(), "an unsigned manifest leaves no stale signature beside it");
        assert_eq!(fs_err::read(&p).unwrap(), b"m2");
        d.store_manifest("dist/2026-04-16/channel-rust-1.95.0.toml", b"m3", &sha, None).unwrap();
        assert!(d.manifests().join("dist/2026-04-16/channel-rust-1.95.0.toml").is_file());
        for bad in ["../x.toml", "dist/../../x.toml", "/etc/x.toml", "other/x.toml"] {
            let e = d.store_manifest(bad, b"m", &sha, None).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::InvalidInput, "{bad}");
        }
    }
}
