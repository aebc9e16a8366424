//! Running another program in place of this one: what the proxies (`cargo`, `rustc`, … in
//! `CARGO_HOME/bin`) and `tcup run` do once they know which program to run. On Unix the process
//! image is replaced (`execvp`), so signals, the exit status and the process id are the tool's own
//! and nothing of tcup stays in memory. A Windows port has no `exec`: it would spawn the program,
//! forward Ctrl-C, wait, and exit with its code.

use std::ffi::OsStr;
use std::io;
use std::os::unix::process::CommandExt as _;
use std::process::Command;

/// Replaces this process with `cmd`. Returns only when that fails, with the reason.
pub fn exec(cmd: &mut Command) -> io::Error {
    cmd.exec()
}

/// [`exec`] with `argv0` as the program's `argv[0]` (the name it was called by: how tcup, handed
/// a proxy's call, knows which tool was asked for).
pub fn exec_as(cmd: &mut Command, argv0: &OsStr) -> io::Error {
    cmd.arg0(argv0).exec()
}
