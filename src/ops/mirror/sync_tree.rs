//! The layout of a tree `tcup mirror sync` writes, as one type, so no other code joins its paths:
//! the published files below the root (`dist/…`, exactly the dist server's layout) and the sync's
//! own state below `.tcup-sync/`, which is never part of what is served:
//! - `.tcup-sync/tcup.lock`: one sync per tree at a time (an advisory lock held for the run);
//! - `.tcup-sync/tmp/`: manifests and `tcup-init` being written, renamed into place when whole;
//! - `.tcup-sync/partial/<sha256>` (+ `.validator`): archives arriving, resumed by a later run;
//! - `.tcup-sync/verified`: the ledger of archives already verified (see [`Ledger`]).
//!
//! Every file below `.tcup-sync/` lives on the tree's file system, so each rename into place is
//! atomic. Where a channel's manifest and a manifest's archive URL land below the root:
//! [`rel_of_manifest`] and [`archive_rel`].

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::out_path::{self, OutsideOut};
use crate::dist::name::ToolchainName;
use crate::dist::server;
use crate::home::HomeLock;

/// The name of the state directory below the root.
pub const STATE_DIR: &str = ".tcup-sync";

/// `dist/channel-rust-<C>.toml` or `dist/<date>/channel-rust-<C>.toml`.
pub fn rel_of_manifest(name: &ToolchainName) -> String {
    match &name.date {
        Some(d) => format!("dist/{d}/channel-rust-{}.toml", name.channel),
        None => format!("dist/channel-rust-{}.toml", name.channel),
    }
}

/// The path below the tree an archive URL names: `https://static.rust-lang.org/dist/…` →
/// `dist/…`. Refuses URLs elsewhere and paths that are not plain relative segments.
///
/// # Errors
/// An error naming the URL.
pub fn archive_rel(url: &str) -> anyhow::Result<String> {
    let Some(rest) = url.strip_prefix(server::UPSTREAM).and_then(|r| r.strip_prefix('/')) else {
        anyhow::bail!(
            "the manifest names {url}, which is not on {}: tcup mirror sync copies only the dist server's paths",
            server::UPSTREAM
        );
    };
    let plain = |s: &str| !s.is_empty() && s != "." && s != ".." && !s.starts_with('.') && !s.contains(['\\', '%', '?', '#']);
    if !rest.starts_with("dist/") || !rest.split('/').all(plain) {
        anyhow::bail!("the manifest names {url}, whose path is not a plain file below dist/");
    }
    Ok(rest.to_owned())
}

/// A mirror tree.
#[derive(Debug)]
pub struct Tree {
    root: PathBuf,
    state: PathBuf,
}

impl Tree {
    /// Opens (creating) the tree at `root` and its state directories.
    ///
    /// # Errors
    /// A directory cannot be created (named).
    pub fn open(root: &Path) -> std::io::Result<Tree> {
        let state = root.join(STATE_DIR);
        for d in [state.join("tmp"), state.join("partial")] {
            fs_err::create_dir_all(d)?;
        }
        Ok(Tree { root: root.to_owned(), state })
    }

    /// Takes the tree's lock, calling `waiting` once when another sync holds it.
    ///
    /// # Errors
    /// The lock file cannot be created or locked.
    pub fn lock(&self, waiting: impl FnOnce()) -> std::io::Result<HomeLock> {
        HomeLock::acquire(&self.state, waiting)
    }

    /// `root/rel` (`rel` such as `dist/2026-04-16/x.tar.xz`), checked by
    /// [`out_path::below`] to stay below the root: every path the sync writes, reads or removes
    /// comes from here.
    ///
    /// # Errors
    /// `rel` is absolute or has a segment that is not a plain name (named).
    pub fn path(&self, rel: &str) -> Result<PathBuf, OutsideOut> {
        out_path::below(&self.root, rel)
    }

    /// The bytes of `rel`, when it is there (and below the root).
    pub fn read(&self, rel: &str) -> Option<Vec<u8>> {
        fs_err::read(self.path(rel).ok()?).ok()
    }

    /// The `date = "…"` of the manifest published at `rel`, when there is one.
    pub fn published_date(&self, rel: &str) -> Option<String> {
        let text = String::from_utf8(self.read(rel)?).ok()?;
        text.lines().find_map(|l| l.strip_prefix("date = \"")?.strip_suffix('"').map(str::to_owned))
    }

    /// Where archives arrive.
    pub fn partial_dir(&self) -> PathBuf {
        self.state.join("partial")
    }

    /// The partial file of the archive with SHA-256 `hash` (lower-case hex, checked by the
    /// manifest parser) and its validator file (`ETag` or `Last-Modified`, for `If-Range`).
    pub fn partial(&self, hash: &str) -> (PathBuf, PathBuf) {
        let dir = self.partial_dir();
        (dir.join(hash), dir.join(format!("{hash}.validator")))
    }

    /// A new temporary file beside the tree's files, removed when dropped unless persisted.
    /// Mode 0644 less the umask, as any published file (a web server runs as another user).
    ///
    /// # Errors
    /// It cannot be created.
    pub fn temp_file(&self) -> std::io::Result<tempfile::NamedTempFile> {
        crate::sys::fs::tempfile_builder(0o644).prefix("new-").tempfile_in(self.state.join("tmp"))
    }

    /// Removes what an interrupted run left in `tmp/` (never anything published).
    ///
    /// # Errors
    /// A file cannot be removed (named).
    pub fn clear_tmp(&self) -> std::io::Result<()> {
        clear(&self.state.join("tmp"))
    }

    /// Removes every partial download: called once a run fetched all it needed, so what is left
    /// belongs to releases no longer wanted.
    ///
    /// # Errors
    /// A file cannot be removed (named).
    pub fn forget_partials(&self) -> std::io::Result<()> {
        clear(&self.partial_dir())
    }

    fn ledger_file(&self) -> PathBuf {
        self.state.join("verified")
    }
}

fn clear(dir: &Path) -> std::io::Result<()> {
    for e in fs_err::read_dir(dir)? {
        let p = e?.path();
        if p.is_dir() { fs_err::remove_dir_all(&p)? } else { fs_err::remove_file(&p)? }
    }
    Ok(())
}

/// What the ledger knows of one archive: its SHA-256 when it was verified and the file's size,
/// modification time and inode then.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    hash: String,
    size: u64,
    mtime_ns: i128,
    ino: u64,
}

impl Seen {
    fn of(hash: &str, meta: &std::fs::Metadata) -> Seen {
        let (mtime_ns, ino) = crate::sys::fs::stamp(meta);
        Seen { hash: hash.to_owned(), size: meta.len(), mtime_ns, ino }
    }
}

/// The archives of the tree already verified, so a sync with nothing new reads no archive: an
/// archive is trusted without being hashed again when the ledger recorded the manifest's SHA-256
/// for it and the file still has the size, modification time and inode it had then. Anything
/// else (no record, another hash, a touched or replaced file) is hashed again before it is
/// trusted. Format: one line per archive, `<sha256> <size> <mtime ns> <inode> <path>`, sorted
/// by path, written by rename. Deleting the file makes the next sync hash every archive once.
#[derive(Debug)]
pub struct Ledger {
    file: PathBuf,
    seen: Mutex<BTreeMap<String, Seen>>,
}

impl Ledger {
    /// The tree's ledger (empty when there is none or it is unreadable: it only saves work).
    pub fn load(tree: &Tree) -> Ledger {
        let file = tree.ledger_file();
        let text = fs_err::read_to_string(&file).unwrap_or_default();
        let mut seen = BTreeMap::new();
        for line in text.lines() {
            let f: Vec<&str> = line.splitn(5, ' ').collect();
            if let [hash, size, mtime, ino, rel] = f[..]
                && let (Ok(size), Ok(mtime_ns), Ok(ino)) = (size.parse(), mtime.parse(), ino.parse())
            {
                seen.insert(rel.to_owned(), Seen { hash: hash.to_owned(), size, mtime_ns, ino });
            }
        }
        Ledger { file, seen: Mutex::new(seen) }
    }

    /// Whether `rel`, with metadata `meta`, is the verified archive with SHA-256 `hash`.
    pub fn trusts(&self, rel: &str, hash: &str, meta: &std::fs::Metadata) -> bool {
        self.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(rel) == Some(&Seen::of(hash, meta))
    }

    /// Records that `rel` (now with metadata `meta`) was verified to have SHA-256 `hash`.
    pub fn record(&self, rel: &str, hash: &str, meta: &std::fs::Metadata) {
        self.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(rel.to_owned(), Seen::of(hash, meta));
    }

    /// Drops the record of `rel` (pruned).
    pub fn forget(&self, rel: &str) {
        self.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(rel);
    }

    /// Writes the ledger (by rename).
    ///
    /// # Errors
    /// It cannot be written.
    pub fn save(&self, tree: &Tree) -> std::io::Result<()> {
        let mut out = String::new();
        for (rel, s) in self.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner).iter() {
            let _ = writeln!(out, "{} {} {} {} {rel}", s.hash, s.size, s.mtime_ns, s.ino);
        }
        let mut tmp = tree.temp_file()?;
        tmp.write_all(out.as_bytes())?;
        tmp.persist(&self.file)
            .map_err(|e| std::io::Error::new(e.error.kind(), format!("writing {}: {}", self.file.display(), e.error)))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_paths_stay_below_dist() {
        let ok = archive_rel("https://static.rust-lang.org/dist/2026-04-16/rustc-1.95.0-x86_64-unknown-linux-gnu.tar.xz").unwrap();
        assert_eq!(ok, "dist/2026-04-16/rustc-1.95.0-x86_64-unknown-linux-gnu.tar.xz");
        for bad in [
            "https://static.rust-lang.org/dist/../etc/passwd",
            "https://static.rust-lang.org/dist//x.tar.gz",
            "https://static.rust-lang.org/other/x.tar.gz",
            "https://static.rust-lang.org/dist/.tcup-sync/verified",
            "https://static.rust-lang.org/dist/a%2F..%2Fb",
            "https://static.rust-lang.org.evil/dist/x.tar.gz",
            "https://example.org/dist/x.tar.gz",
        ] {
            assert!(archive_rel(bad).is_err(), "{bad}");
        }
        assert!(archive_rel("https://example.org/dist/x.tar.gz").unwrap_err().to_string().contains("https://example.org/dist/x.tar.gz"));
    }

    #[test]
    fn the_ledger_trusts_only_an_untouched_file() {
        let dir = tempfile::tempdir().unwrap();
        let tree = Tree::open(dir.path()).unwrap();
        let file = tree.path("dist/a.tar.xz").unwrap();
        fs_err::create_dir_all(file.parent().unwrap()).unwrap();
        fs_err::write(&file, b"archive").unwrap();
        let ledger = Ledger::load(&tree);
        let meta = fs_err::metadata(&file).unwrap();
        assert!(!ledger.trusts("dist/a.tar.xz", "h", &meta));
        ledger.record("dist/a.tar.xz", "h", &meta);
        ledger.save(&tree).unwrap();
        let again = Ledger::load(&tree);
        assert!(again.trusts("dist/a.tar.xz", "h", &meta));
        assert!(!again.trusts("dist/a.tar.xz", "other", &meta));
        // Rewritten with the same length: another mtime (set explicitly; the clock may not tick).
        let f = fs_err::File::options().write(true).open(&file).unwrap();
        f.set_modified(std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(7)).unwrap();
        assert!(!again.trusts("dist/a.tar.xz", "h", &fs_err::metadata(&file).unwrap()));
        assert_eq!(tree.published_date("dist/none.toml"), None);
        fs_err::write(tree.path("dist/m.toml").unwrap(), "manifest-version = \"2\"\ndate = \"2026-04-16\"\n").unwrap();
        assert_eq!(tree.published_date("dist/m.toml").as_deref(), Some("2026-04-16"));
    }
}
