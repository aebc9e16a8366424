//! Removing files that cannot go while this process runs: what `tcup self uninstall` needs on
//! Windows, where the running `tcup.exe` — and every hard link to it, which is every proxy when no
//! `tcup-proxy.exe` was installed — cannot be deleted (`ERROR_ACCESS_DENIED`: the image is mapped).
//!
//! As rustup's self uninstall on Windows (`src/cli/self_update/windows.rs`,
//! `delete_rustup_and_cargo_home`): a copy of this program in the temporary directory, opened with
//! `FILE_FLAG_DELETE_ON_CLOSE` and that handle inherited, is started as a helper; it waits for
//! this process to exit (a handle to it, inherited, so no process id can be reused meanwhile;
//! bounded by [`WAIT_FOR_EXIT`]), removes the files and then the directories left empty, and
//! exits, whereupon Windows deletes the copy itself. On Unix a running program can be unlinked,
//! so nothing is ever deferred and [`remove_after_exit`] is not reached.

use std::ffi::OsString;
use std::io;
use std::path::PathBuf;
use std::time::Duration;

/// Set in the helper's environment: the value of the inherited handle to the process it waits for.
const HELPER_VAR: &str = "TCUP_REMOVE_AFTER_EXIT";

/// How long the helper waits for tcup to exit before removing what it can anyway.
pub const WAIT_FOR_EXIT: Duration = Duration::from_mins(1);

/// Whether a file that cannot be removed because it is running can be handed to
/// [`remove_after_exit`] (Windows).
pub const DEFERS: bool = cfg!(windows);

/// Hands `files` (then `dirs`, each removed only when empty, in order) to a helper that removes
/// them once this process has exited. Returns when the helper has started.
///
/// # Errors
/// The helper cannot be copied, opened or started (the path is named); nothing is removed then.
pub fn remove_after_exit(files: &[PathBuf], dirs: &[PathBuf]) -> io::Result<()> {
    let mut args: Vec<OsString> = Vec::with_capacity(files.len() + dirs.len());
    args.extend(files.iter().map(|f| tagged('f', f)));
    args.extend(dirs.iter().map(|d| tagged('d', d)));
    imp::spawn_helper(&args)
}

/// When this process is the helper [`remove_after_exit`] started (Windows, `TCUP_REMOVE_AFTER_EXIT`
/// set: read here rather than in env/, since no other code runs in the helper): waits, removes,
/// and returns the exit code (0, or 1 when something could not be removed). `None` for any other
/// process, and always on Unix. Called first thing in `main`.
pub fn run_if_helper() -> Option<i32> {
    if !DEFERS {
        return None;
    }
    let handle = std::env::var(HELPER_VAR).ok()?;
    imp::wait_for(&handle);
    let mut failed = false;
    for arg in std::env::args_os().skip(1) {
        let Some((kind, path)) = untagged(&arg) else {
            failed = true;
            continue;
        };
        failed |= match kind {
            'f' => remove_file_retrying(&path).is_err(),
            _ => std::fs::remove_dir(&path).is_err() && path.exists(),
        };
    }
    Some(i32::from(failed))
}

/// `kind` then `path`, as one argument.
fn tagged(kind: char, path: &std::path::Path) -> OsString {
    let mut arg = OsString::from(kind.to_string());
    arg.push(path.as_os_str());
    arg
}

/// The kind (`f`, `d`) and path of a [`tagged`] argument.
fn untagged(arg: &std::ffi::OsStr) -> Option<(char, PathBuf)> {
    let text = arg.to_str()?;
    let kind = text.chars().next().filter(|k| matches!(k, 'f' | 'd'))?;
    Some((kind, PathBuf::from(&text[1..])))
}

/// Removes `path`, retrying for up to two seconds while it is still in use (Windows unmaps an
/// exited process's image a moment after its handle is signalled).
fn remove_file_retrying(path: &std::path::Path) -> io::Result<()> {
    let mut tries = 0;
    loop {
        match fs_err::remove_file(path) {
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied && tries < 40 => {
                tries += 1;
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            other => return other,
        }
    }
}

#[cfg(not(windows))]
mod imp {
    use std::ffi::OsString;
    use std::io;

    pub fn spawn_helper(_args: &[OsString]) -> io::Result<()> {
        Err(io::Error::new(io::ErrorKind::Unsupported, "removing files after exit is only needed on Windows"))
    }

    pub fn wait_for(_handle: &str) {}
}

#[cfg(windows)]
mod imp {
    use std::ffi::OsString;
    use std::io;
    use std::os::windows::fs::OpenOptionsExt;
    use std::os::windows::io::AsRawHandle;
    use std::process::{Command, Stdio};

    use windows_sys::Win32::Foundation::{DUPLICATE_SAME_ACCESS, DuplicateHandle, HANDLE, HANDLE_FLAG_INHERIT, SetHandleInformation, TRUE};
    use windows_sys::Win32::Storage::FileSystem::{DELETE, FILE_FLAG_DELETE_ON_CLOSE, FILE_SHARE_DELETE, FILE_SHARE_READ};
    use windows_sys::Win32::System::Threading::{GetCurrentProcess, WaitForSingleObject};

    use super::{HELPER_VAR, WAIT_FOR_EXIT};

    pub fn spawn_helper(args: &[OsString]) -> io::Result<()> {
        let me = std::env::current_exe()?;
        let helper = std::env::temp_dir().join(format!("tcup-uninstall-{}.exe", std::process::id()));
        fs_err::copy(&me, &helper)?;
        // Deleted when its last handle closes: this one, inherited by the helper, closes when the
        // helper exits. Opened for DELETE only, sharing read, so Windows can still load it.
        let open = std::fs::OpenOptions::new()
            .access_mode(DELETE)
            .share_mode(FILE_SHARE_READ | FILE_SHARE_DELETE)
            .custom_flags(FILE_FLAG_DELETE_ON_CLOSE)
            .open(&helper);
        let copy = match open {
            Ok(f) => f,
            Err(e) => {
                let _ = fs_err::remove_file(&helper);
                return Err(io::Error::new(e.kind(), format!("failed to open {}: {e}", helper.display())));
            }
        };
        let me_handle = inheritable_self()?;
        // SAFETY: `copy`'s handle is open for the duration of the call.
        #[allow(unsafe_code, reason = "marking a handle inheritable")]
        let inheritable = unsafe { SetHandleInformation(copy.as_raw_handle() as HANDLE, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT) };
        if inheritable == 0 {
            return Err(io::Error::last_os_error());
        }
        Command::new(&helper)
            .args(args)
            .env(HELPER_VAR, (me_handle as usize).to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| io::Error::new(e.kind(), format!("failed to start {}: {e}", helper.display())))?;
        // This process's handles close at its exit; the helper holds its own copies.
        std::mem::forget(copy);
        Ok(())
    }

    /// An inheritable handle to this process (with the access of the pseudo handle, which
    /// includes `SYNCHRONIZE`).
    fn inheritable_self() -> io::Result<HANDLE> {
        let mut handle: HANDLE = std::ptr::null_mut();
        // SAFETY: duplicates the current process's pseudo handle into this process.
        #[allow(unsafe_code, reason = "duplicating this process's handle")]
        let ok = unsafe {
            let me = GetCurrentProcess();
            DuplicateHandle(me, me, me, &raw mut handle, 0, TRUE, DUPLICATE_SAME_ACCESS)
        };
        if ok == 0 { Err(io::Error::last_os_error()) } else { Ok(handle) }
    }

    pub fn wait_for(handle: &str) {
        let Ok(value) = handle.parse::<usize>() else { return };
        let millis = u32::try_from(WAIT_FOR_EXIT.as_millis()).unwrap_or(u32::MAX);
        // SAFETY: the handle was inherited from the process that started this one; an invalid
        // value makes the wait fail at once, and removal then goes on as best it can.
        #[allow(unsafe_code, reason = "waiting on an inherited process handle")]
        unsafe {
            WaitForSingleObject(value as HANDLE, millis);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_carry_kind_and_path() {
        let path = PathBuf::from("C:\\Users\\me\\.cargo\\bin\\rustc.exe");
        assert_eq!(untagged(&tagged('f', &path)), Some(('f', path.clone())));
        assert_eq!(untagged(&tagged('d', &path)), Some(('d', path)));
        assert_eq!(untagged(std::ffi::OsStr::new("xC:\\a")), None);
        assert_eq!(untagged(std::ffi::OsStr::new("")), None);
    }

    #[test]
    fn a_missing_file_counts_as_removed() {
        let dir = tempfile::tempdir().unwrap();
        assert!(remove_file_retrying(&dir.path().join("gone")).is_ok());
        let f = dir.path().join("here");
        fs_err::write(&f, "x").unwrap();
        remove_file_retrying(&f).unwrap();
        assert!(!f.exists());
    }
}
