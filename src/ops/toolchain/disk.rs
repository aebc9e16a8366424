//! What each installed toolchain costs on disk and when it was last used, for `toolchain list
//! --format json` and `toolchain gc` (docs/design.md install-16). Bytes are file lengths, each
//! inode once: toolchains share identical components as hard links (docs/design.md fetch-7), so
//! a toolchain's `bytes` includes what it shares (`shared_bytes`, also held by another link), and
//! removing it frees only the bytes whose every link goes with it ([`Survey::freed`]).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::dist::name::LocalName;
use crate::home::Home;
use crate::sys::tree::{self, Inode};

/// A toolchain's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Footprint {
    /// Bytes of its files, each inode once.
    pub bytes: u64,
    /// Of these, the bytes of files with hard links outside it (another toolchain's): removing
    /// this toolchain alone does not free them.
    pub shared_bytes: u64,
}

/// One tree's files: `(device, inode)` → the inode and its links in the tree ([`tree::inodes`]).
type Files = HashMap<(u64, u64), (Inode, u64)>;

/// The files of the installed (not linked) toolchains, by inode.
#[derive(Debug, Default)]
pub struct Survey {
    trees: BTreeMap<LocalName, Files>,
}

/// Walks every toolchain of `names` that is installed in `home` (a linked one is not: its files
/// are not the home's).
pub fn survey(home: &Home, names: &[LocalName]) -> Survey {
    let trees = names.iter().filter(|n| !home.is_linked(n)).map(|n| (n.clone(), tree::inodes(home.toolchain(n).root()))).collect();
    Survey { trees }
}

impl Survey {
    /// `name`'s size; `None` when it was not surveyed (linked, or not installed).
    pub fn footprint(&self, name: &LocalName) -> Option<Footprint> {
        let files = self.trees.get(name)?;
        let bytes = files.values().map(|(i, _)| i.len).sum();
        let shared_bytes = files.values().filter(|(i, here)| i.nlink > *here).map(|(i, _)| i.len).sum();
        Some(Footprint { bytes, shared_bytes })
    }

    /// The bytes removing every toolchain of `removed` frees: each file whose links are all in
    /// them, once.
    pub fn freed(&self, removed: &BTreeSet<LocalName>) -> u64 {
        let mut links = Files::new();
        for files in removed.iter().filter_map(|n| self.trees.get(n)) {
            for (id, (inode, here)) in files {
                links.entry(*id).or_insert((*inode, 0)).1 += here;
            }
        }
        links.values().filter(|(i, n)| *n >= i.nlink).map(|(i, _)| i.len).sum()
    }
}

/// When a toolchain was last used, and how that is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastUse {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// `true`: a proxy recorded it ([`crate::home::usage`]); `false`: no record, so the day its
    /// directory last changed (installed or updated) stands in.
    pub recorded: bool,
}

/// `name`'s last use: its record, else its directory's modification day (UTC); `None` when
/// neither can be read.
pub fn last_use(home: &Home, name: &LocalName) -> Option<LastUse> {
    if let Some(day) = home.usage().last_use(name) {
        return Some(LastUse { day, recorded: true });
    }
    let modified = fs_err::symlink_metadata(home.toolchain(name).root()).ok()?.modified().ok()?;
    Some(LastUse { day: day_of(modified), recorded: false })
}

/// The UTC day (`YYYY-MM-DD`) of `time` (1970-01-01 for anything earlier).
pub fn day_of(time: std::time::SystemTime) -> String {
    let secs = time.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    crate::env::calendar::date(i64::try_from(secs / 86_400).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> LocalName {
        LocalName::parse(s).unwrap()
    }

    #[test]
    fn shared_bytes_are_freed_only_with_their_last_user() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path());
        let (a, b, c) = (name("stable-x"), name("beta-x"), name("stage1"));
        for n in [&a, &b] {
            fs_err::create_dir_all(home.toolchain(n).root().join("lib")).unwrap();
        }
        fs_err::write(home.toolchain(&a).root().join("lib/own"), [1u8; 300]).unwrap();
        fs_err::write(home.toolchain(&a).root().join("lib/shared"), [2u8; 1000]).unwrap();
        fs_err::hard_link(home.toolchain(&a).root().join("lib/shared"), home.toolchain(&b).root().join("lib/shared")).unwrap();
        crate::sys::fs::symlink(dir.path(), home.toolchains_dir().join(c.as_str())).unwrap();
        let s = survey(&home, &home.toolchains());
        assert_eq!(s.footprint(&a), Some(Footprint { bytes: 1300, shared_bytes: 1000 }));
        assert_eq!(s.footprint(&b), Some(Footprint { bytes: 1000, shared_bytes: 1000 }));
        assert_eq!(s.footprint(&c), None, "linked: not surveyed");
        assert_eq!(s.freed(&BTreeSet::from([a.clone()])), 300);
        assert_eq!(s.freed(&BTreeSet::from([b.clone()])), 0);
        assert_eq!(s.freed(&BTreeSet::from([a.clone(), b.clone()])), 1300, "the shared file once");
    }

    #[test]
    fn a_record_wins_over_the_directory_time() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path());
        let tc = name("stable-x86_64-unknown-linux-gnu");
        assert_eq!(last_use(&home, &tc), None);
        fs_err::create_dir_all(home.toolchain(&tc).root()).unwrap();
        let then = std::time::UNIX_EPOCH + std::time::Duration::from_secs(20_000 * 86_400 + 5);
        crate::sys::fs::test_set_dir_modified(home.toolchain(&tc).root(), then).unwrap();
        assert_eq!(last_use(&home, &tc), Some(LastUse { day: "2024-10-04".into(), recorded: false }));
        home.usage().note_toolchain(&tc, "2026-12-07").unwrap();
        assert_eq!(last_use(&home, &tc), Some(LastUse { day: "2026-12-07".into(), recorded: true }));
    }
}
