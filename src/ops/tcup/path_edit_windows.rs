//! `CARGO_HOME\bin` in the user's `Path` on Windows (`HKEY_CURRENT_USER\Environment`), as
//! rustup-init's `do_add_to_path`/`do_remove_from_path` (`src/cli/self_update/windows.rs`) put it
//! there and take it out, with tcup's exactness: the value is edited as the UTF-16 units the
//! registry holds (any length, unpaired surrogates and all), the entry is prepended once and
//! found again as Windows compares paths (case-insensitively), and removing takes out exactly
//! that entry and one `;` beside it, leaving every other unit — `%USERPROFILE%`, empty entries,
//! `;;` — as it was. The value keeps its type (`REG_EXPAND_SZ` stays expandable; a new value is
//! `REG_EXPAND_SZ`); one that is not a string is left alone, as rustup does. The edit is recorded
//! in `RUSTUP_HOME/tcup-path-edits.toml` (beside the start-up file edits), so `self uninstall`
//! removes only an entry tcup added, and deletes the value again when tcup created it.
//!
//! The deciding functions ([`add_entry`], [`remove_entry`], [`same_entry`]) are pure and tested
//! on every system; the registry is reached through [`UserPathStore`] (`sys::registry` on Windows).

use std::io;
use std::path::{Path, PathBuf};

use super::path_record::{PathChange, RegistryEdit, read_record, write_record};
use crate::sys::registry::{self, Kind, UserPath};

const SEMICOLON: u16 = b';' as u16;

/// Where the user's `Path` lives: the registry ([`Registry`]), or a value in tests.
pub trait UserPathStore {
    /// The value as stored.
    ///
    /// # Errors
    /// It cannot be read.
    fn get(&self) -> io::Result<UserPath>;
    /// Writes the value (`None`: deletes it) and tells running programs.
    ///
    /// # Errors
    /// It cannot be written.
    fn set(&mut self, value: Option<(&[u16], Kind)>) -> io::Result<()>;
}

/// The real `HKCU\Environment\Path` ([`crate::sys::registry`]; `Unsupported` off Windows).
#[derive(Debug, Clone, Copy, Default)]
pub struct Registry;

impl UserPathStore for Registry {
    fn get(&self) -> io::Result<UserPath> {
        registry::user_path()
    }

    fn set(&mut self, value: Option<(&[u16], Kind)>) -> io::Result<()> {
        registry::set_user_path(value)
    }
}

/// `path` with `entry` prepended (`entry;path`, or `entry` alone for an empty `path`), or `None`
/// when an entry of `path` already names the same directory ([`same_entry`]).
pub fn add_entry(path: &[u16], entry: &[u16]) -> Option<Vec<u16>> {
    if path.split(|&u| u == SEMICOLON).any(|e| same_entry(e, entry)) {
        return None;
    }
    let mut out = entry.to_vec();
    if !path.is_empty() {
        out.push(SEMICOLON);
        out.extend_from_slice(path);
    }
    Some(out)
}

/// `path` without its entry `entry` and one `;` beside it (the one after it, else the one before),
/// or `None` when no entry of `path` is the same ([`same_entry`]). An entry equal unit for unit is
/// preferred to one that differs in case. Every other unit is kept.
pub fn remove_entry(path: &[u16], entry: &[u16]) -> Option<Vec<u16>> {
    let mut spans = Vec::new();
    let mut start = 0;
    for part in path.split(|&u| u == SEMICOLON) {
        spans.push((start, start + part.len()));
        start += part.len() + 1;
    }
    let exact = spans.iter().find(|&&(a, b)| &path[a..b] == entry);
    let &(a, b) = exact.or_else(|| spans.iter().find(|&&(a, b)| same_entry(&path[a..b], entry)))?;
    let (cut_from, cut_to) = if b < path.len() {
        (a, b + 1)
    } else if a > 0 {
        (a - 1, b)
    } else {
        (a, b)
    };
    let mut out = path[..cut_from].to_vec();
    out.extend_from_slice(&path[cut_to..]);
    Some(out)
}

/// Whether two `Path` entries name the same directory as Windows compares them: case-insensitively
/// (each UTF-16 unit upper-cased when it maps to one unit, as the NT upcase table does), ignoring
/// surrounding double quotes and one trailing `\` or `/`. `%VARIABLES%` are not expanded (rustup
/// does not either).
pub fn same_entry(a: &[u16], b: &[u16]) -> bool {
    let (a, b) = (normalise(a), normalise(b));
    a.len() == b.len() && a.iter().zip(b).all(|(&x, &y)| upcase(x) == upcase(y))
}

fn normalise(mut e: &[u16]) -> &[u16] {
    let quote = u16::from(b'"');
    if e.len() >= 2 && e[0] == quote && e[e.len() - 1] == quote {
        e = &e[1..e.len() - 1];
    }
    match e.split_last() {
        Some((&last, rest)) if (last == u16::from(b'\\') || last == u16::from(b'/')) && !rest.is_empty() => rest,
        _ => e,
    }
}

fn upcase(u: u16) -> u16 {
    let Some(c) = char::from_u32(u32::from(u)) else { return u }; // half of a surrogate pair
    let mut up = c.to_uppercase();
    match (up.next(), up.next()) {
        (Some(x), None) => u16::try_from(u32::from(x)).unwrap_or(u),
        _ => u,
    }
}

/// Prepends `bin` (the absolute `CARGO_HOME\bin`) to the user's `Path` in `store` once, keeping
/// the value's type (a new value is `REG_EXPAND_SZ`), and records the edit in `rustup_home`.
/// Returns the change: [`PathChange::UserPath`], [`PathChange::UserPathNotText`] when the value is
/// not a string (left alone), or nothing when an entry already names `bin`.
///
/// # Errors
/// The registry or the record cannot be read or written.
pub fn add(store: &mut dyn UserPathStore, bin: &Path, rustup_home: &Path) -> io::Result<Option<PathChange>> {
    let entry = registry::wide(bin);
    let (old, kind, created) = match store.get()? {
        UserPath::Missing => (Vec::new(), Kind::ExpandSz, true),
        UserPath::Text { value, kind } => (value, kind, false),
        UserPath::NotText { reg_type } => return Ok(Some(PathChange::UserPathNotText(reg_type))),
    };
    let Some(new) = add_entry(&old, &entry) else { return Ok(None) };
    // Recorded first: a crash between the two leaves a record whose undo finds nothing to remove.
    let mut record = read_record(rustup_home);
    record.registry = Some(RegistryEdit { entry: String::from_utf16_lossy(&entry), created });
    write_record(rustup_home, &record)?;
    store.set(Some((&new, kind)))?;
    Ok(Some(PathChange::UserPath(bin.to_path_buf())))
}

/// Takes the recorded entry out of the user's `Path` in `store` (see [`remove_entry`]); deletes
/// the value when tcup created it and nothing else is left. Returns the change, or nothing when
/// the entry is no longer there or the value is not a string.
///
/// # Errors
/// The registry cannot be read or written.
pub fn remove(store: &mut dyn UserPathStore, edit: &RegistryEdit) -> io::Result<Option<PathChange>> {
    let UserPath::Text { value, kind } = store.get()? else { return Ok(None) };
    let entry: Vec<u16> = edit.entry.encode_utf16().collect();
    let Some(new) = remove_entry(&value, &entry) else { return Ok(None) };
    if new.is_empty() && edit.created {
        store.set(None)?;
    } else {
        store.set(Some((&new, kind)))?;
    }
    Ok(Some(PathChange::UserPath(PathBuf::from(&edit.entry))))
}

#[cfg(test)]
#[path = "path_edit_windows_tests.rs"]
mod tests;
