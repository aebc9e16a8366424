//! The user's `Path` in the Windows registry (`HKEY_CURRENT_USER\Environment`, value `Path`):
//! where rustup-init puts `CARGO_HOME\bin` on Windows, and so where tcup-init does. Only the
//! registry calls live here (read the whole value, write it keeping its type, tell running
//! programs); deciding the new value is a pure function in `ops/tcup/path_edit_windows.rs`.
//!
//! Read as rustup's `src/cli/self_update/windows.rs` does (`get_windows_path_var`,
//! `_apply_new_path`), with two differences: the type is kept (`REG_SZ` stays `REG_SZ`; a new value
//! is `REG_EXPAND_SZ`, rustup issue #261), and the value is read whole whatever its length (rustup
//! once cut it at 1024 characters by going through `setx`). On other systems there is no registry:
//! every function answers `Unsupported`.

use std::io;
use std::path::Path;

/// How a registry string value is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `REG_SZ`: taken as it is.
    Sz,
    /// `REG_EXPAND_SZ`: `%NAME%` is expanded when a program's environment is built.
    ExpandSz,
}

/// The user's `Path` as the registry holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserPath {
    /// No `Path` value under `HKCU\Environment`.
    Missing,
    /// A string: its UTF-16 units without the terminating NULs (any length), and its type.
    Text {
        /// The UTF-16 units, `;`-separated entries.
        value: Vec<u16>,
        /// `REG_SZ` or `REG_EXPAND_SZ`.
        kind: Kind,
    },
    /// A value of another type (`REG_BINARY`, `REG_MULTI_SZ`, …: the registry type number), which
    /// tcup leaves alone as rustup does.
    NotText {
        /// The registry type (`REG_*`).
        reg_type: u32,
    },
}

/// `path` as UTF-16 units, as the registry stores it (exact on Windows; on other systems through
/// UTF-8, for the pure functions' tests).
pub fn wide(path: &Path) -> Vec<u16> {
    #[cfg(windows)]
    {
        use std::os::windows::ffi::OsStrExt;
        path.as_os_str().encode_wide().collect()
    }
    #[cfg(not(windows))]
    {
        path.to_string_lossy().encode_utf16().collect()
    }
}

/// Reads the user's `Path` (`RegQueryValueExW` on `HKCU\Environment`, created if missing, as
/// rustup does), whole.
///
/// # Errors
/// The key cannot be opened or read (the Win32 error); `Unsupported` on other systems.
pub fn user_path() -> io::Result<UserPath> {
    imp::user_path()
}

/// Writes the user's `Path` as `value` with `kind` (`RegSetValueExW`), or deletes the value for
/// `None`, then tells running programs (Explorer, new terminals) with `WM_SETTINGCHANGE`
/// "Environment" (`SendMessageTimeoutW`, `HWND_BROADCAST`, `SMTO_ABORTIFHUNG`, 5000 ms: a hung
/// window does not hold tcup up).
///
/// # Errors
/// The key cannot be opened or written (the Win32 error); `Unsupported` on other systems.
pub fn set_user_path(value: Option<(&[u16], Kind)>) -> io::Result<()> {
    imp::set_user_path(value)?;
    imp::broadcast_environment_change();
    Ok(())
}

#[cfg(not(windows))]
mod imp {
    use super::{Kind, UserPath};
    use std::io;

    fn unsupported() -> io::Error {
        io::Error::new(io::ErrorKind::Unsupported, "the Windows registry exists only on Windows")
    }

    pub(super) fn user_path() -> io::Result<UserPath> {
        Err(unsupported())
    }

    pub(super) fn set_user_path(_value: Option<(&[u16], Kind)>) -> io::Result<()> {
        Err(unsupported())
    }

    pub(super) fn broadcast_environment_change() {}
}

#[cfg(windows)]
#[allow(unsafe_code, reason = "registry and window-message calls with owned NUL-terminated UTF-16 strings and sized buffers")]
mod imp {
    use super::{Kind, UserPath};
    use std::io;
    use std::ptr;
    use windows_sys::Win32::Foundation::{ERROR_FILE_NOT_FOUND, ERROR_MORE_DATA, ERROR_SUCCESS, WIN32_ERROR};
    use windows_sys::Win32::System::Registry::{
        HKEY, HKEY_CURRENT_USER, KEY_READ, KEY_WRITE, REG_EXPAND_SZ, REG_OPTION_NON_VOLATILE, REG_SZ, RegCloseKey, RegCreateKeyExW,
        RegDeleteValueW, RegQueryValueExW, RegSetValueExW,
    };
    use windows_sys::Win32::UI::WindowsAndMessaging::{HWND_BROADCAST, SMTO_ABORTIFHUNG, SendMessageTimeoutW, WM_SETTINGCHANGE};

    /// A NUL-terminated UTF-16 string.
    fn w(s: &str) -> Vec<u16> {
        s.encode_utf16().chain([0]).collect()
    }

    fn check(code: WIN32_ERROR, what: &str) -> io::Result<()> {
        if code == ERROR_SUCCESS {
            return Ok(());
        }
        #[allow(clippy::cast_possible_wrap)]
        let e = io::Error::from_raw_os_error(code as i32);
        Err(io::Error::new(e.kind(), format!("{what} HKEY_CURRENT_USER\\Environment: {e}")))
    }

    /// `HKCU\Environment`, open for reading and writing; closed on drop.
    struct Environment(HKEY);

    impl Environment {
        fn open() -> io::Result<Self> {
            let mut key: HKEY = ptr::null_mut();
            let name = w("Environment");
            // SAFETY: `name` is NUL-terminated and outlives the call; `key` is a valid out pointer.
            let code = unsafe {
                RegCreateKeyExW(
                    HKEY_CURRENT_USER,
                    name.as_ptr(),
                    0,
                    ptr::null(),
                    REG_OPTION_NON_VOLATILE,
                    KEY_READ | KEY_WRITE,
                    ptr::null(),
                    &raw mut key,
                    ptr::null_mut(),
                )
            };
            check(code, "opening")?;
            Ok(Self(key))
        }
    }

    impl Drop for Environment {
        fn drop(&mut self) {
            // SAFETY: the key was opened by `open` and is closed once.
            unsafe { RegCloseKey(self.0) };
        }
    }

    pub(super) fn user_path() -> io::Result<UserPath> {
        let env = Environment::open()?;
        let name = w("Path");
        // Asked for its size first, then read; grown and asked again if it grew in between.
        let mut buf: Vec<u16> = Vec::new();
        loop {
            let mut reg_type = 0u32;
            #[allow(clippy::cast_possible_truncation)]
            let mut bytes = (buf.len() * 2) as u32;
            let data = if buf.is_empty() { ptr::null_mut() } else { buf.as_mut_ptr().cast::<u8>() };
            // SAFETY: `data` is null or points at `bytes` writable bytes; the other pointers are valid.
            let code = unsafe { RegQueryValueExW(env.0, name.as_ptr(), ptr::null(), &raw mut reg_type, data, &raw mut bytes) };
            if code == ERROR_FILE_NOT_FOUND {
                return Ok(UserPath::Missing);
            }
            let need = (bytes as usize).div_ceil(2);
            if code == ERROR_MORE_DATA || (code == ERROR_SUCCESS && data.is_null() && need > 0) {
                buf = vec![0; need.max(buf.len() + 1)];
                continue;
            }
            check(code, "reading Path in")?;
            let kind = match reg_type {
                REG_SZ => Kind::Sz,
                REG_EXPAND_SZ => Kind::ExpandSz,
                other => return Ok(UserPath::NotText { reg_type: other }),
            };
            buf.truncate(if data.is_null() { 0 } else { need });
            while buf.last() == Some(&0) {
                buf.pop();
            }
            return Ok(UserPath::Text { value: buf, kind });
        }
    }

    pub(super) fn set_user_path(value: Option<(&[u16], Kind)>) -> io::Result<()> {
        let env = Environment::open()?;
        let name = w("Path");
        let Some((value, kind)) = value else {
            // SAFETY: `name` is NUL-terminated.
            let code = unsafe { RegDeleteValueW(env.0, name.as_ptr()) };
            return if code == ERROR_FILE_NOT_FOUND { Ok(()) } else { check(code, "deleting Path in") };
        };
        let data: Vec<u16> = value.iter().copied().chain([0]).collect();
        let reg_type = match kind {
            Kind::Sz => REG_SZ,
            Kind::ExpandSz => REG_EXPAND_SZ,
        };
        let bytes = u32::try_from(data.len() * 2)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "the new Path is longer than the registry can hold"))?;
        // SAFETY: `data` holds `bytes` bytes and outlives the call; `name` is NUL-terminated.
        let code = unsafe { RegSetValueExW(env.0, name.as_ptr(), 0, reg_type, data.as_ptr().cast::<u8>(), bytes) };
        check(code, "writing Path in")
    }

    pub(super) fn broadcast_environment_change() {
        let what = w("Environment");
        // SAFETY: `what` is NUL-terminated and outlives the call (SendMessageTimeoutW returns only
        // once every window answered or the time ran out); the result pointer may be null.
        unsafe {
            SendMessageTimeoutW(HWND_BROADCAST, WM_SETTINGCHANGE, 0, what.as_ptr() as isize, SMTO_ABORTIFHUNG, 5000, ptr::null_mut());
        }
    }
}

/// On Windows (or under wine, in its prefix): the real `HKCU\Environment\Path`, put back as it
/// was afterwards, as rustup's `RegistryGuard` does.
#[cfg(all(test, windows))]
mod tests {
    use super::*;

    struct Restore(UserPath);

    impl Drop for Restore {
        fn drop(&mut self) {
            let _ = match &self.0 {
                UserPath::Text { value, kind } => set_user_path(Some((value, *kind))),
                _ => set_user_path(None),
            };
        }
    }

    #[test]
    fn a_long_value_keeps_its_type_and_every_unit_and_can_be_deleted() {
        let before = user_path().unwrap();
        if matches!(before, UserPath::NotText { .. }) {
            return; // cannot be put back by this module: leave it alone
        }
        let _restore = Restore(before);
        let long: String = (0..120).fold(String::from(r"%USERPROFILE%\bin;;"), |acc, i| acc + &format!(r"C:\Tools\Vendor {i:03}\bin;"));
        let long: Vec<u16> = long.encode_utf16().chain([0xD800]).collect();
        assert!(long.len() > 2048);
        for kind in [Kind::Sz, Kind::ExpandSz] {
            set_user_path(Some((&long, kind))).unwrap();
            assert_eq!(user_path().unwrap(), UserPath::Text { value: long.clone(), kind });
        }
        set_user_path(Some((&[], Kind::ExpandSz))).unwrap();
        assert_eq!(user_path().unwrap(), UserPath::Text { value: Vec::new(), kind: Kind::ExpandSz });
        set_user_path(None).unwrap();
        assert_eq!(user_path().unwrap(), UserPath::Missing);
    }
}
