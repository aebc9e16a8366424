//! Swapping two paths in one step: how a changed toolchain replaces the installed one, so a crash
//! leaves the old tree or the new one, never neither (docs/design.md install-5). Linux has
//! `renameat2(RENAME_EXCHANGE)`; macOS would use `renamex_np(RENAME_SWAP)`; elsewhere, and where
//! the kernel or file system lacks it, two renames with a short window in which `dest` is absent.

use std::io;
use std::path::Path;

/// Swaps `new` and `dest` (both must exist): afterwards `dest` holds what `new` held and `new`
/// what `dest` held.
///
/// # Errors
/// The exchange (naming both paths), or a rename of the fallback (naming its path).
pub fn exchange(new: &Path, dest: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, new, CWD, dest, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(()),
        Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {
            let old = new.with_extension("old");
            fs_err::rename(dest, &old)?;
            fs_err::rename(new, dest)?;
            fs_err::rename(&old, new)
        }
        Err(e) => Err(io::Error::new(io::Error::from(e).kind(), format!("exchanging {} with {}: {e}", new.display(), dest.display()))),
    }
}
