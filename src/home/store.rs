//! Toolchain stores (`TCUP_TOOLCHAIN_STORE`, docs/store.md): directories of installed toolchains
//! that belong to someone else — another home's `toolchains/`, an image's `/opt/rust/toolchains`,
//! an NFS mount — which installs read and never write. This module knows their layout (one
//! toolchain directory per entry, rustup's receipts and tcup's record inside, as in
//! `toolchains/`) and the one file tcup keeps about them in a toolchain of its own home:
//! `lib/rustlib/tcup-store-origin`, which components came from which store toolchain.
//!
//! ```text
//! tcup-store-origin 1
//! rustc-x86_64-unknown-linux-gnu /opt/rust/toolchains/stable-x86_64-unknown-linux-gnu
//! ```
//! One line per component: its installed name, a space, the store toolchain's directory (the rest
//! of the line). rustup ignores the file; it is swapped in with the toolchain like tcup's record.

use std::io;
use std::path::{Path, PathBuf};

pub use crate::home::toolchain::ORIGIN_FILE;
use crate::home::toolchain::ToolchainDir;

const HEADER: &str = "tcup-store-origin 1";

/// One directory of `TCUP_TOOLCHAIN_STORE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Store {
    root: PathBuf,
}

impl Store {
    /// The store at `root` (which need not exist: an absent mount holds nothing).
    pub fn at(root: &Path) -> Store {
        Store { root: root.to_path_buf() }
    }

    /// The store's directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Its toolchains installed from a dist server (directories with rustup's receipts; links
    /// and other entries left out), sorted by name. Unreadable: none.
    pub fn toolchains(&self) -> Vec<ToolchainDir> {
        let mut dirs: Vec<PathBuf> = fs_err::read_dir(&self.root)
            .map(|d| d.filter_map(Result::ok).filter(|e| e.file_type().is_ok_and(|t| t.is_dir())).map(|e| e.path()).collect())
            .unwrap_or_default();
        dirs.sort();
        dirs.into_iter().map(ToolchainDir::at).filter(ToolchainDir::has_receipts).collect()
    }
}

/// Where each component of the toolchain at `dir` came from: `(component, store toolchain
/// directory)`, in file order; empty when nothing came from a store.
///
/// # Errors
/// The file exists but cannot be read or is not in the format above (named in the error).
pub fn read_origin(dir: &ToolchainDir) -> io::Result<Vec<(String, PathBuf)>> {
    let path = dir.rustlib().join(ORIGIN_FILE);
    let text = match fs_err::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let bad = |n: usize, why: &str| io::Error::new(io::ErrorKind::InvalidData, format!("{} line {n}: {why}", path.display()));
    let mut lines = text.lines().enumerate();
    if lines.next().map(|(_, l)| l) != Some(HEADER) {
        return Err(bad(1, &format!("expected '{HEADER}'")));
    }
    lines
        .map(|(i, l)| {
            let (c, p) = l.split_once(' ').ok_or_else(|| bad(i + 1, "expected 'COMPONENT PATH'"))?;
            Ok((c.to_owned(), PathBuf::from(p)))
        })
        .collect()
}

/// Writes the origin file of the (staging) toolchain at `dir`; nothing when `entries` is empty.
/// Paths with a newline are left out.
///
/// # Errors
/// The file cannot be written.
pub fn write_origin(dir: &ToolchainDir, entries: &[(String, PathBuf)]) -> io::Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let mut text = format!("{HEADER}\n");
    for (c, p) in entries {
        let Some(p) = p.to_str().filter(|p| !p.contains('\n')) else { continue };
        text.push_str(c);
        text.push(' ');
        text.push_str(p);
        text.push('\n');
    }
    crate::sys::atomic_write::write(&dir.rustlib().join(ORIGIN_FILE), text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_round_trip_and_only_toolchains_with_receipts_are_listed() {
        let tmp = tempfile::tempdir().unwrap();
        let tc = ToolchainDir::at(tmp.path().join("store/stable-x"));
        fs_err::create_dir_all(tc.rustlib()).unwrap();
        assert!(read_origin(&tc).unwrap().is_empty());
        let entries = vec![("rustc-x".to_owned(), PathBuf::from("/opt/rust/toolchains/stable x"))];
        write_origin(&tc, &entries).unwrap();
        assert_eq!(read_origin(&tc).unwrap(), entries);
        fs_err::create_dir_all(tmp.path().join("store/empty")).unwrap();
        assert!(Store::at(&tmp.path().join("store")).toolchains().is_empty(), "no receipts, no toolchain");
        fs_err::write(tc.config_file(), "config_version = \"1\"\n").unwrap();
        assert_eq!(Store::at(&tmp.path().join("store")).toolchains(), [tc]);
        assert!(Store::at(&tmp.path().join("absent")).toolchains().is_empty());
    }
}
