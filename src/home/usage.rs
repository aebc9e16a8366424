//! When each toolchain last ran, and which projects chose one (docs/design.md home-11): the
//! proxies write these records so that `tcup toolchain gc` can tell a toolchain nobody uses from
//! one a project still needs. They live beside rustup's layout, never inside a toolchain's tree
//! (a toolchain's files are checked against its records, and its directory is swapped whole):
//!
//! ```text
//! RUSTUP_HOME/tcup-usage/
//!   toolchains/<toolchain>      "YYYY-MM-DD\n": the day (UTC, `TCUP_TODAY` in tests) it last ran
//!   projects/<16 hex digits>    "YYYY-MM-DD\n<toolchain>\n<path>\n": a toolchain file that chose
//!                               <toolchain> that day; the name is FNV-1a 64 of <path>
//! ```
//!
//! A proxy runs once per crate of a build, so a record is read first (one small file) and written
//! only when its day is not today: at most one write per toolchain and per project file a day.
//! Writes are plain (no temporary file, no fsync): concurrent proxies write identical bytes, and a
//! record torn by a crash reads as no record, which only makes `gc` fall back to the install
//! time. Every failure is ignored (a read-only home, a full disk): recording never fails a tool.

use std::io;
use std::path::{Path, PathBuf};

use crate::dist::name::LocalName;

/// `RUSTUP_HOME/tcup-usage/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Usage {
    dir: PathBuf,
}

/// A known project: a toolchain file (or the lock beside it) that chose a toolchain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// The toolchain file (`rust-toolchain.toml` or `rust-toolchain`), absolute, as the resolver
    /// found it.
    pub file: PathBuf,
    /// The toolchain it chose then.
    pub toolchain: String,
    /// The day (`YYYY-MM-DD`) it last chose it.
    pub day: String,
    /// The record itself (for [`Usage::forget_project`]).
    pub record: PathBuf,
}

impl Usage {
    pub(super) fn new(dir: PathBuf) -> Usage {
        Usage { dir }
    }

    /// The directory itself (for messages).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn toolchain_record(&self, name: &LocalName) -> PathBuf {
        self.dir.join("toolchains").join(name)
    }

    fn project_record(&self, file: &Path) -> PathBuf {
        self.dir.join("projects").join(format!("{:016x}", fnv1a(file.as_os_str().as_encoded_bytes())))
    }

    /// The day (`YYYY-MM-DD`) `name` last ran through a proxy, `None` without a valid record.
    pub fn last_use(&self, name: &LocalName) -> Option<String> {
        first_line_day(&self.toolchain_record(name))
    }

    /// Whether `name`'s record already says `today` (`YYYY-MM-DD`): one small read.
    pub fn toolchain_is_today(&self, name: &LocalName, today: &str) -> bool {
        first_line_day(&self.toolchain_record(name)).is_some_and(|d| d == today)
    }

    /// Whether the record of the toolchain file `file` already says `today`: one small read.
    pub fn project_is_today(&self, file: &Path, today: &str) -> bool {
        first_line_day(&self.project_record(file)).is_some_and(|d| d == today)
    }

    /// Records that `name` ran on `today` (`YYYY-MM-DD`).
    ///
    /// # Errors
    /// The record cannot be written (the caller ignores it: a read-only home is fine).
    pub fn note_toolchain(&self, name: &LocalName, today: &str) -> io::Result<()> {
        write_small(&self.toolchain_record(name), &format!("{today}\n"))
    }

    /// Records that the toolchain file `file` (absolute) chose `toolchain` on `today`. A path
    /// that is not UTF-8 or holds a line break is not recorded (`Ok`): the record is lines.
    ///
    /// # Errors
    /// The record cannot be written (the caller ignores it).
    pub fn note_project(&self, file: &Path, toolchain: &LocalName, today: &str) -> io::Result<()> {
        let Some(path) = file.to_str().filter(|p| !p.contains(['\n', '\r'])) else { return Ok(()) };
        write_small(&self.project_record(file), &format!("{today}\n{toolchain}\n{path}\n"))
    }

    /// Every known project with a readable record, sorted by file.
    pub fn projects(&self) -> Vec<Project> {
        let Ok(entries) = fs_err::read_dir(self.dir.join("projects")) else { return Vec::new() };
        let mut projects: Vec<Project> = entries
            .filter_map(Result::ok)
            .filter_map(|e| {
                let text = fs_err::read_to_string(e.path()).ok()?;
                let mut lines = text.lines();
                let (day, toolchain, file) = (lines.next()?, lines.next()?, lines.next()?);
                crate::env::calendar::days(day)?;
                Some(Project { file: PathBuf::from(file), toolchain: toolchain.to_owned(), day: day.to_owned(), record: e.path() })
            })
            .collect();
        projects.sort_by(|a, b| a.file.cmp(&b.file));
        projects
    }

    /// Removes a project's record (its file is gone).
    ///
    /// # Errors
    /// It exists and cannot be removed.
    pub fn forget_project(&self, project: &Project) -> io::Result<()> {
        remove_if_there(&project.record)
    }

    /// Removes `name`'s record (it was uninstalled: a new install counts from its own time).
    ///
    /// # Errors
    /// It exists and cannot be removed.
    pub fn forget_toolchain(&self, name: &LocalName) -> io::Result<()> {
        remove_if_there(&self.toolchain_record(name))
    }
}

fn remove_if_there(path: &Path) -> io::Result<()> {
    match fs_err::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// The valid `YYYY-MM-DD` first line of the small file at `path`.
fn first_line_day(path: &Path) -> Option<String> {
    let mut buf = [0u8; 10];
    let mut file = std::fs::File::options().read(true).open(path).ok()?;
    io::Read::read_exact(&mut file, &mut buf).ok()?;
    let day = std::str::from_utf8(&buf).ok()?;
    crate::env::calendar::days(day).map(|_| day.to_owned())
}

/// Writes `text` to `path`, creating its directory when it is missing.
fn write_small(path: &Path, text: &str) -> io::Result<()> {
    match fs_err::write(path, text) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            fs_err::create_dir_all(path.parent().unwrap_or(path))?;
            fs_err::write(path, text)
        }
        other => other,
    }
}

/// FNV-1a, 64 bits: a stable file name for a path (std's hasher may change between releases).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> LocalName {
        LocalName::parse(s).unwrap()
    }

    #[test]
    fn records_round_trip_and_a_torn_one_is_no_record() {
        let dir = tempfile::tempdir().unwrap();
        let usage = Usage::new(dir.path().join("tcup-usage"));
        let tc = name("stable-x86_64-unknown-linux-gnu");
        assert_eq!(usage.last_use(&tc), None);
        assert!(!usage.toolchain_is_today(&tc, "2026-12-07"));
        usage.note_toolchain(&tc, "2026-12-07").unwrap();
        assert_eq!(fs_err::read_to_string(dir.path().join("tcup-usage/toolchains").join(tc.as_str())).unwrap(), "2026-12-07\n");
        assert!(usage.toolchain_is_today(&tc, "2026-12-07") && !usage.toolchain_is_today(&tc, "2026-12-08"));
        assert_eq!(usage.last_use(&tc).as_deref(), Some("2026-12-07"));
        for torn in ["", "2026-1", "garbage!!!\n"] {
            fs_err::write(dir.path().join("tcup-usage/toolchains").join(tc.as_str()), torn).unwrap();
            assert_eq!(usage.last_use(&tc), None, "{torn:?}");
        }
        usage.forget_toolchain(&tc).unwrap();
        usage.forget_toolchain(&tc).unwrap();
        assert_eq!(usage.last_use(&tc), None);
    }

    #[test]
    fn projects_are_one_record_per_file() {
        let dir = tempfile::tempdir().unwrap();
        let usage = Usage::new(dir.path().join("tcup-usage"));
        let (a, b) = (Path::new("/p/a/rust-toolchain.toml"), Path::new("/p/b/rust-toolchain"));
        usage.note_project(a, &name("nightly-x86_64-unknown-linux-gnu"), "2026-12-06").unwrap();
        usage.note_project(a, &name("beta-x86_64-unknown-linux-gnu"), "2026-12-07").unwrap();
        usage.note_project(b, &name("stable-x86_64-unknown-linux-gnu"), "2026-12-07").unwrap();
        usage.note_project(Path::new("/p/c\n/rust-toolchain"), &name("stable-x86_64-unknown-linux-gnu"), "2026-12-07").unwrap();
        assert!(usage.project_is_today(a, "2026-12-07") && !usage.project_is_today(b, "2026-12-08"));
        let projects = usage.projects();
        let summary: Vec<(&Path, &str, &str)> = projects.iter().map(|p| (p.file.as_path(), p.toolchain.as_str(), p.day.as_str())).collect();
        assert_eq!(summary, [(a, "beta-x86_64-unknown-linux-gnu", "2026-12-07"), (b, "stable-x86_64-unknown-linux-gnu", "2026-12-07")]);
        usage.forget_project(&projects[0]).unwrap();
        assert_eq!(usage.projects().len(), 1);
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325, "FNV-1a's offset basis");
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c, "FNV-1a 64 of \"a\"");
    }
}
