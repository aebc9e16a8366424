//! `RUSTUP_HOME` as a type (docs/design.md home-2): the only code that knows the home's directory
//! names and file formats, so every other module asks [`Home`] for a toolchain, a setting or a
//! cached download and never joins a path of its own.
//!
//! The layout is rustup's (docs/design.md home-1), so rustup 1.29 and tcup share one home:
//! ```text
//! RUSTUP_HOME/
//!   settings.toml                 settings (version "12"): default, profile, overrides  (settings)
//!   toolchains/<name>/            one installed toolchain, or a link to a linked one    (toolchain)
//!     lib/rustlib/components, manifest-<component>, multirust-config.toml,
//!                 multirust-channel-manifest.toml(.asc), rust-installer-version, tcup-receipt,
//!                 tcup-store-origin (components taken from a toolchain store)           (store)
//!   update-hashes/<name>          SHA-256 of the channel manifest <name> came from
//!   downloads/<sha256>[.partial[.validator]]   archives, verified or arriving           (downloads)
//!   tmp/tcup-stage-*/             toolchains being assembled                            (install::staging)
//!   tcup.lock                     one writer at a time                                  (lock)
//!   tcup.toml                     tcup's own settings: signature policy, signed channels (tcup_file)
//!   tcup-usage/                   when each toolchain last ran, which projects chose one (usage)
//! ```
//! Every toolchain directory is named by a [`LocalName`], checked where the name came from.

pub mod downloads;
pub mod file_record;
pub mod lock;
pub mod settings;
pub mod store;
pub mod tcup_file;
pub mod toolchain;
pub mod usage;

use std::io;
use std::path::{Path, PathBuf};

use crate::dist::name::LocalName;

pub use downloads::Downloads;
pub use lock::HomeLock;
pub use toolchain::ToolchainDir;
pub use usage::Usage;

/// Hex digits of the manifest's SHA-256 kept in `update-hashes/<toolchain>`: rustup's
/// `UPDATE_HASH_LEN` (`src/dist/download.rs`), so each tool sees the other's record as current.
pub const UPDATE_HASH_LEN: usize = 20;

/// One `RUSTUP_HOME` (which need not exist yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Home {
    root: PathBuf,
}

impl Home {
    /// The home at `root` (`RUSTUP_HOME`, default `~/.rustup`).
    pub fn new(root: &Path) -> Home {
        Home { root: root.to_path_buf() }
    }

    /// `RUSTUP_HOME` itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `toolchains/`, where every installed or linked toolchain has one entry.
    pub fn toolchains_dir(&self) -> PathBuf {
        self.root.join("toolchains")
    }

    /// `toolchains/<name>` (which may not exist).
    pub fn toolchain(&self, name: &LocalName) -> ToolchainDir {
        ToolchainDir::at(self.toolchains_dir().join(name))
    }

    /// Whether `toolchains/<name>` is a symbolic link (a linked toolchain, even a dangling one).
    pub fn is_linked(&self, name: &LocalName) -> bool {
        self.toolchains_dir().join(name).is_symlink()
    }

    /// Installed toolchains (directories, and links to directories, in `toolchains/` whose
    /// names pass [`LocalName::parse`]), sorted by name.
    pub fn toolchains(&self) -> Vec<LocalName> {
        let mut names: Vec<LocalName> = fs_err::read_dir(self.toolchains_dir())
            .map(|d| {
                d.filter_map(Result::ok)
                    .filter(|e| e.path().is_dir())
                    .filter_map(|e| LocalName::parse(e.file_name().to_str()?).ok())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    /// The installed toolchains `tcup update` with no name moves forward: bare channels
    /// (`stable-…`, `beta-…`, `nightly-…`) installed from a dist server (with receipts); dated
    /// and versioned ones cannot change, as in rustup.
    pub fn channel_toolchains(&self) -> Vec<LocalName> {
        self.toolchains()
            .into_iter()
            .filter(|n| n.channel_name().is_some_and(|c| c.is_moving_channel()) && self.toolchain(n).has_receipts())
            .collect()
    }

    fn update_hash_file(&self, name: &LocalName) -> PathBuf {
        self.root.join("update-hashes").join(name)
    }

    /// What `update-hashes/<name>` holds: the start of the SHA-256 (hex) of the channel manifest
    /// `name` was installed from, which rustup compares with the dist server's `.sha256`.
    pub fn update_hash(&self, name: &LocalName) -> Option<String> {
        fs_err::read_to_string(self.update_hash_file(name)).ok().map(|s| s.trim().to_ascii_lowercase())
    }

    /// Whether `name` was installed from the manifest whose SHA-256 is `sha256` (hex): its record
    /// is at least [`UPDATE_HASH_LEN`] digits and starts that hash (rustup writes 20, older tcup
    /// all 64).
    pub fn update_hash_is(&self, name: &LocalName, sha256: &str) -> bool {
        self.update_hash(name).is_some_and(|h| h.len() >= UPDATE_HASH_LEN && sha256.to_ascii_lowercase().starts_with(&h))
    }

    /// Records the manifest hash `name` was installed from, as rustup does: its first
    /// [`UPDATE_HASH_LEN`] hex digits, no newline; atomically ([`crate::sys::atomic_write`]).
    ///
    /// # Errors
    /// The file cannot be written.
    pub fn set_update_hash(&self, name: &LocalName, sha256: &str) -> io::Result<()> {
        let file = self.update_hash_file(name);
        fs_err::create_dir_all(self.root.join("update-hashes"))?;
        crate::sys::atomic_write::write(&file, sha256.get(..UPDATE_HASH_LEN).unwrap_or(sha256))
    }

    /// Removes `name`'s update hash, if there is one.
    ///
    /// # Errors
    /// It exists and cannot be removed.
    pub fn remove_update_hash(&self, name: &LocalName) -> io::Result<()> {
        match fs_err::remove_file(self.update_hash_file(name)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// `tmp/`, where toolchains are staged ([`crate::install::staging`]); same file system as
    /// `toolchains/`, so a staged tree becomes visible by one rename.
    pub fn tmp(&self) -> PathBuf {
        self.root.join("tmp")
    }

    /// The download cache, `downloads/`.
    pub fn downloads(&self) -> Downloads {
        Downloads::new(self.root.join("downloads"))
    }

    /// The last-use records, `tcup-usage/` ([`usage`]).
    pub fn usage(&self) -> Usage {
        Usage::new(self.root.join("tcup-usage"))
    }

    /// `settings.toml`.
    pub fn settings_file(&self) -> PathBuf {
        self.root.join("settings.toml")
    }

    /// Takes the home's writer lock (`tcup.lock`), calling `waiting` once if another process
    /// holds it, then blocking.
    ///
    /// # Errors
    /// The lock file cannot be created or locked.
    pub fn lock(&self, waiting: impl FnOnce()) -> io::Result<HomeLock> {
        HomeLock::acquire(&self.root, waiting)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> LocalName {
        LocalName::parse(s).unwrap()
    }

    #[test]
    fn update_hashes_are_rustups_twenty_digits_and_older_full_records_still_match() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path());
        let tc = name("stable-x86_64-unknown-linux-gnu");
        let full = "e2e01d272de12853b8a18abbbfe4ec29f2da0fee0867313b2a49d779098513e3";
        assert!(!home.update_hash_is(&tc, full), "no record");
        home.set_update_hash(&tc, full).unwrap();
        assert_eq!(fs_err::read_to_string(dir.path().join("update-hashes").join(tc.as_str())).unwrap(), &full[..20]);
        assert!(home.update_hash_is(&tc, full) && home.update_hash_is(&tc, &full.to_ascii_uppercase()));
        assert!(!home.update_hash_is(&tc, &full.replace("e2e0", "e2e1")), "another manifest");
        for (record, matches) in [(full, true), ("E2E01D272DE12853B8A1\n", true), ("e2e01d27", false), ("", false)] {
            fs_err::write(dir.path().join("update-hashes").join(tc.as_str()), record).unwrap();
            assert_eq!(home.update_hash_is(&tc, full), matches, "{record:?}");
        }
    }

    #[test]
    fn toolchains_lists_directories_and_links_and_channel_ones_need_receipts() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path());
        assert!(home.toolchains().is_empty(), "no toolchains/ yet");
        for tc in ["stable-x86_64-unknown-linux-gnu", "1.95.0-x86_64-unknown-linux-gnu", "nightly-x86_64-unknown-linux-gnu"] {
            fs_err::create_dir_all(home.toolchain(&name(tc)).root().join("bin")).unwrap();
        }
        fs_err::create_dir_all(home.toolchain(&name("stable-x86_64-unknown-linux-gnu")).rustlib()).unwrap();
        fs_err::write(home.toolchain(&name("stable-x86_64-unknown-linux-gnu")).config_file(), "config_version = \"1\"\n").unwrap();
        // A linked toolchain only on Unix: making the link needs a privilege on Windows.
        let linked = cfg!(unix).then_some("stage1");
        if let Some(l) = linked {
            crate::sys::fs::symlink(dir.path(), home.toolchains_dir().join(l)).unwrap();
        }
        fs_err::write(home.toolchains_dir().join("not-a-dir"), "").unwrap();
        let listed: Vec<String> = home.toolchains().iter().map(ToString::to_string).collect();
        let dirs = ["1.95.0-x86_64-unknown-linux-gnu", "nightly-x86_64-unknown-linux-gnu", "stable-x86_64-unknown-linux-gnu"];
        assert_eq!(listed, dirs.into_iter().chain(linked).collect::<Vec<_>>());
        assert_eq!(home.channel_toolchains(), [name("stable-x86_64-unknown-linux-gnu")], "nightly has no receipts");
        if let Some(l) = linked {
            assert!(home.is_linked(&name(l)));
        }
    }

    #[test]
    fn update_hashes_round_trip_and_removing_a_missing_one_is_fine() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path());
        let tc = name("stable-x86_64-unknown-linux-gnu");
        assert_eq!(home.update_hash(&tc), None);
        home.set_update_hash(&tc, "abc").unwrap();
        assert_eq!(home.update_hash(&tc).as_deref(), Some("abc"));
        home.remove_update_hash(&tc).unwrap();
        home.remove_update_hash(&tc).unwrap();
        assert_eq!(home.update_hash(&tc), None);
    }
}
