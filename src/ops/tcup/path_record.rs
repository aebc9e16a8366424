//! `RUSTUP_HOME/tcup-path-edits.toml`: every change tcup made to put `CARGO_HOME/bin` on PATH —
//! text appended to start-up files ([`super::path_edit`]), the entry put into the Windows user
//! `Path` ([`super::path_edit_windows`]) — kept so `tcup self uninstall` undoes exactly those and
//! nothing else. One file for both, so an uninstall reads one record whatever the system.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::sys::atomic_write;

/// One edit to a start-up file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edit {
    /// The file.
    pub file: PathBuf,
    /// The exact text appended.
    pub appended: String,
    /// Whether tcup created the file.
    pub created: bool,
}

/// `RUSTUP_HOME/tcup-path-edits.toml`: every PATH edit tcup made, for exact undo.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Record {
    /// Text appended to start-up files, in order.
    #[serde(default)]
    pub(super) edits: Vec<Edit>,
    /// The entry put into the user's `Path` in the Windows registry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) registry: Option<RegistryEdit>,
}

/// One change to how the user finds `CARGO_HOME/bin`, for the messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathChange {
    /// A start-up file got the source line (adding) or was restored (removing).
    Profile(PathBuf),
    /// The user's `Path` in `HKCU\Environment` got this entry, or lost it again.
    UserPath(PathBuf),
    /// The user's `Path` is not a string value (its registry type): left alone, as rustup does.
    UserPathNotText(u32),
}

/// The recorded registry edit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryEdit {
    /// The entry prepended: the absolute `CARGO_HOME\bin` (a non-Unicode path is recorded with
    /// U+FFFD in place of the unpaired units, and is then not found again).
    pub entry: String,
    /// Whether tcup created the `Path` value (it did not exist): deleted again when the entry was
    /// all it held.
    pub created: bool,
}

/// `RUSTUP_HOME/tcup-path-edits.toml`.
pub(super) fn record_path(rustup_home: &Path) -> PathBuf {
    rustup_home.join("tcup-path-edits.toml")
}

/// The record, or an empty one when there is none (or it cannot be read: nothing to undo).
pub(super) fn read_record(rustup_home: &Path) -> Record {
    fs_err::read_to_string(record_path(rustup_home)).ok().and_then(|t| toml::from_str(&t).ok()).unwrap_or_default()
}

/// Writes the record (atomically).
///
/// # Errors
/// It cannot be written.
pub(super) fn write_record(rustup_home: &Path, record: &Record) -> std::io::Result<()> {
    fs_err::create_dir_all(rustup_home)?;
    let text = toml::to_string(record).map_err(std::io::Error::other)?;
    atomic_write::write(&record_path(rustup_home), text)
}
