//! Running another program in place of this one: what the proxies (`cargo`, `rustc`, … in
//! `CARGO_HOME/bin`) and `tcup run` do once they know which program to run, and the name a
//! program was called by.
//!
//! On Unix the process image is replaced (`execvp`), so signals, the exit status and the process
//! id are the tool's own and nothing of tcup stays in memory. Windows has no `exec`: the program
//! is spawned with the same console, standard handles and environment, this process waits for it
//! and exits with its exit code (all 32 bits, an `NTSTATUS` crash code included). Ctrl-C and
//! Ctrl-Break reach every process attached to the console, the tool included, so this one only
//! has to survive them while it waits: a console control handler that reports them handled (a
//! handler, not `SetConsoleCtrlHandler(NULL, TRUE)`, whose "ignore" the child would inherit).
//! rustup does the same (`src/command.rs`, `ctrlc_handler`).

use std::ffi::{OsStr, OsString};
use std::io;
use std::process::Command;

/// Where [`exec_as`] passes the name on Windows, whose command line cannot carry an `argv[0]`
/// other than the program's path. Read back by [`args_os`], removed from every program
/// [`exec`] runs.
const ARGV0_VAR: &str = "TCUP_ARGV0";

/// Replaces this process with `cmd` (Windows: runs it and exits with its code). Returns only
/// when it could not start, with the reason.
pub fn exec(cmd: &mut Command) -> io::Error {
    cmd.env_remove(ARGV0_VAR);
    imp::exec(cmd)
}

/// [`exec`] with `argv0` as the program's `argv[0]` (the name it was called by: how tcup, handed
/// a proxy's call, knows which tool was asked for).
pub fn exec_as(cmd: &mut Command, argv0: &OsStr) -> io::Error {
    imp::exec_as(cmd, argv0)
}

/// This process's arguments, `argv[0]` first: as the system gives them, except on Windows when a
/// proxy handed its call over with [`exec_as`], whose name then stands first.
pub fn args_os() -> Vec<OsString> {
    let mut args: Vec<OsString> = std::env::args_os().collect();
    if cfg!(windows)
        && let Some(name) = std::env::var_os(ARGV0_VAR)
        && let Some(first) = args.first_mut()
    {
        *first = name;
    }
    args
}

#[cfg(unix)]
mod imp {
    use std::ffi::OsStr;
    use std::io;
    use std::os::unix::process::CommandExt as _;
    use std::process::Command;

    pub fn exec(cmd: &mut Command) -> io::Error {
        cmd.exec()
    }

    pub fn exec_as(cmd: &mut Command, argv0: &OsStr) -> io::Error {
        cmd.env_remove(super::ARGV0_VAR).arg0(argv0).exec()
    }
}

#[cfg(windows)]
mod imp {
    use std::ffi::OsStr;
    use std::io;
    use std::process::Command;

    use windows_sys::Win32::Foundation::TRUE;
    use windows_sys::Win32::System::Console::SetConsoleCtrlHandler;
    use windows_sys::core::BOOL;

    /// Reports every console control event handled: the child, on the same console, gets it too
    /// and decides; this process waits for the child's exit code.
    #[allow(unsafe_code, reason = "the signature the Windows API calls back")]
    unsafe extern "system" fn handled(_event: u32) -> BOOL {
        TRUE
    }

    pub fn exec(cmd: &mut Command) -> io::Error {
        let mut child = match cmd.spawn() {
            Ok(child) => child,
            Err(e) => return e,
        };
        // SAFETY: registers a handler function that touches nothing.
        #[allow(unsafe_code, reason = "registering a console control handler")]
        unsafe {
            SetConsoleCtrlHandler(Some(handled), TRUE);
        }
        match child.wait() {
            Ok(status) => std::process::exit(status.code().unwrap_or(1)),
            Err(e) => e,
        }
    }

    pub fn exec_as(cmd: &mut Command, argv0: &OsStr) -> io::Error {
        exec(cmd.env(super::ARGV0_VAR, argv0))
    }
}
