//! Taking a component from a toolchain store (`TCUP_TOOLCHAIN_STORE`, docs/store.md): a directory
//! of toolchains someone else installed, which tcup reads and never writes.
//!
//! The store's files are checked where they land, not where they lie: the component is placed
//! into a scratch directory of its own in staging (hard links, reflinks or copies,
//! [`crate::install::link::place_from_store`]), then every recorded file there must have the
//! store's recorded length and CRC-32, every listed path must exist, and no placed file may be
//! writable by anyone but root and this user (for a hard link, that is the store's inode: checked
//! on the name tcup now holds, so a file swapped in the store between a check and the link is
//! caught). Only then do its parts move into the tree. Anything else: the scratch directory is
//! removed and the component is downloaded.

use std::path::Path;

use crate::home::toolchain::Receipt;
use crate::install::link::{self, Arrived};
use crate::install::{file_check, staging::Staging};

/// A component placed from a store.
#[derive(Debug, Clone, Copy)]
pub struct Placed {
    /// How its files arrived.
    pub arrived: Arrived,
    /// Time spent checking them (reading every byte for the CRC-32), for `--verbose`.
    pub checking: std::time::Duration,
}

/// Places the component `receipt` describes, from the store toolchain at `root`, into
/// `staging`'s tree, checked against `receipt`'s files (the store's record). `Err` says why it was
/// not used (the caller downloads it instead); nothing of it is left in the tree then.
pub fn place(root: &Path, receipt: &Receipt, staging: &Staging) -> Result<Placed, String> {
    let scratch = staging.unpack_dir(&format!("store-{}", receipt.component.name()));
    let placed = place_checked(root, &scratch, receipt).and_then(|placed| {
        link::move_parts(&scratch, &staging.tree(), &receipt.component.parts).map_err(|e| e.to_string())?;
        Ok(placed)
    });
    let _ = fs_err::remove_dir_all(&scratch);
    placed
}

/// Places the donor's parts into `scratch` and checks them there.
fn place_checked(root: &Path, scratch: &Path, receipt: &Receipt) -> Result<Placed, String> {
    let parts = &receipt.component.parts;
    fs_err::create_dir_all(scratch).map_err(|e| e.to_string())?;
    let arrived = link::place_from_store(root, scratch, parts).map_err(|e| e.to_string())?;
    let files = &receipt.files;
    let started = std::time::Instant::now();
    let damage = file_check::check(scratch, files).map_err(|e| e.to_string())?;
    if !damage.is_empty() {
        let first = damage.changed.iter().chain(&damage.missing).next().map(|p| p.display().to_string()).unwrap_or_default();
        return Err(format!(
            "{} changed and {} missing files against the store's record (first: {first})",
            damage.changed.len(),
            damage.missing.len()
        ));
    }
    let (_, missing) = file_check::listed_files(scratch, parts).map_err(|e| e.to_string())?;
    if let Some(m) = missing.first() {
        return Err(format!("'{}' is listed but missing", m.display()));
    }
    let writable = file_check::others_can_write(scratch, files).map_err(|e| e.to_string())?;
    if let Some(w) = writable.first() {
        return Err(format!("'{}' became writable by others while it was linked", w.display()));
    }
    Ok(Placed { arrived, checking: started.elapsed() })
}
