//! One writer at a time per `RUSTUP_HOME` (docs/design.md home-6): an exclusive advisory lock on
//! `RUSTUP_HOME/tcup.lock`, held for the whole operation and released when the process ends,
//! however it ends.

use std::path::Path;

/// Holds the lock until dropped.
#[derive(Debug)]
pub struct HomeLock {
    _file: std::fs::File,
}

impl HomeLock {
    /// Takes the lock, calling `waiting` once if another process holds it, then blocking.
    ///
    /// # Errors
    /// The lock file cannot be created or locked.
    pub fn acquire(rustup_home: &Path, waiting: impl FnOnce()) -> std::io::Result<HomeLock> {
        fs_err::create_dir_all(rustup_home)?;
        let path = rustup_home.join("tcup.lock");
        let file = fs_err::OpenOptions::new().create(true).truncate(false).write(true).open(&path)?.into_parts().0;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                waiting();
                file.lock().map_err(|e| std::io::Error::new(e.kind(), format!("locking {}: {e}", path.display())))?;
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(std::io::Error::new(e.kind(), format!("locking {}: {e}", path.display())));
            }
        }
        Ok(HomeLock { _file: file })
    }
}
