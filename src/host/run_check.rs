//! Does an installed program really run here? Runs `<program> --version` with a time limit and,
//! when it fails, says exactly why instead of the shell's "not found":
//! - exec fails with ENOENT though the file exists → its `PT_INTERP` loader is missing;
//! - exec format error → built for another architecture than this kernel runs (on macOS, EBADARCH:
//!   an x86_64 build on Apple Silicon without Rosetta 2);
//! - killed by SIGILL → the CPU lacks instructions the build needs;
//! - on Windows, which has neither signals nor an ELF loader, the NTSTATUS exit codes a user meets
//!   (a missing DLL, an illegal instruction, a crash) and `ERROR_BAD_EXE_FORMAT`
//!   ([`super::run_check_windows`]);
//! - no answer within the limit → on an arm64 kernel running an ARMv6 build this is the CP15
//!   barrier emulation (rust-lang/rustup#4189, rust-lang/rust#60605).
//!
//! Used wherever tcup runs a program it installed.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use super::elf::{ElfFacts, machine_name};
use super::run_check_windows;
pub use super::run_failure::RunFailure;

/// Runs `program --version` with `limit`; returns its first stdout line. `suggest` is the host to
/// recommend in the diagnosis (normally the detected one).
///
/// # Errors
/// [`RunFailure`] with the diagnosis.
pub fn run_version(program: &Path, limit: Duration, suggest: &str) -> Result<String, RunFailure> {
    let name = program.display().to_string();
    let child = match Command::new(program).arg("--version").stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn() {
        Ok(c) => c,
        Err(e) => return Err(diagnose_spawn(program, &e, suggest)),
    };
    match wait_bounded(child, limit) {
        Waited::Exited(status, out, _) if status.success() => Ok(out.lines().next().unwrap_or("").to_owned()),
        Waited::Exited(status, _, err) => {
            #[cfg(unix)]
            let signal = std::os::unix::process::ExitStatusExt::signal(&status);
            #[cfg(not(unix))]
            let signal = None;
            Err(diagnose_exit(&name, status.code(), signal, &status.to_string(), err.lines().next().unwrap_or("(no output)"), suggest))
        }
        Waited::TimedOut => Err(RunFailure::Timeout { program: name, secs: limit.as_secs() }),
        Waited::Failed(detail) => Err(RunFailure::Other { program: name, detail }),
    }
}

/// How a program run with [`wait_bounded`] ended.
#[derive(Debug)]
pub enum Waited {
    /// It ended: its status, stdout and stderr (lossily UTF-8).
    Exited(ExitStatus, String, String),
    /// It was still running at the limit, and was killed.
    TimedOut,
    /// Waiting failed (why).
    Failed(String),
}

/// Waits for `child` at most `limit` (polling every 20 ms), killing it at the limit; then reads its
/// piped stdout and stderr. For programs that print a line or two (the pipes are read after exit).
pub fn wait_bounded(mut child: Child, limit: Duration) -> Waited {
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if started.elapsed() >= limit => {
                let _ = child.kill();
                let _ = child.wait();
                return Waited::TimedOut;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Waited::Failed(e.to_string()),
        }
    };
    let read = |pipe: Option<&mut dyn Read>| {
        let mut bytes = Vec::new();
        if let Some(p) = pipe {
            let _ = p.read_to_end(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    };
    let out = read(child.stdout.as_mut().map(|s| s as &mut dyn Read));
    let err = read(child.stderr.as_mut().map(|s| s as &mut dyn Read));
    Waited::Exited(status, out, err)
}

/// The diagnosis for a program that ran and failed: `signal` (Unix), else `code` read as a Windows
/// NTSTATUS where it is one ([`run_check_windows::exit_failure`]; exit codes on Unix are below
/// 256 and never are), else the status (`status`, as `ExitStatus` displays it) and the first line
/// of stderr. Pure.
pub fn diagnose_exit(program: &str, code: Option<i32>, signal: Option<i32>, status: &str, stderr_line: &str, suggest: &str) -> RunFailure {
    let program = program.to_owned();
    match (signal, code) {
        (Some(4), _) => RunFailure::IllegalInstruction { program, suggest: suggest.to_owned() },
        (Some(sig), _) => RunFailure::Other { program, detail: format!("killed by signal {sig}") },
        (None, code) => code
            .and_then(|c| run_check_windows::exit_failure(&program, c, suggest))
            .unwrap_or_else(|| RunFailure::Other { program, detail: format!("{status}: {stderr_line}") }),
    }
}

/// macOS's `EBADARCH` (sys/errno.h): "Bad CPU type in executable".
const EBADARCH: i32 = 86;

/// Diagnoses a failure to start `program` (from `spawn` or `exec`): missing loader, exec format
/// error, or the plain error. On Windows the PE header names the machine instead of the ELF one;
/// on macOS (Mach-O, no `PT_INTERP`) only EBADARCH is diagnosed.
pub fn diagnose_spawn(program: &Path, e: &std::io::Error, suggest: &str) -> RunFailure {
    let name = program.display().to_string();
    let other = || RunFailure::Other { program: name.clone(), detail: e.to_string() };
    if cfg!(windows) {
        let mut head = Vec::new();
        if let Ok(f) = fs_err::File::open(program) {
            let _ = f.take(run_check_windows::PE_HEAD as u64).read_to_end(&mut head);
        }
        return e.raw_os_error().and_then(|raw| run_check_windows::spawn_failure(&name, raw, &head, suggest)).unwrap_or_else(other);
    }
    if cfg!(target_os = "macos") {
        return e.raw_os_error().and_then(|raw| macos_spawn_failure(&name, raw, suggest)).unwrap_or_else(other);
    }
    let facts = fs_err::File::open(program).ok().and_then(|f| ElfFacts::read(f).ok());
    match (e.raw_os_error(), facts) {
        (Some(2), Some(f)) if program.exists() => match f.interp {
            Some(interp) if !Path::new(&interp).exists() => {
                let hint = match loader_kind(&interp) {
                    Some(kind) => format!(" ({kind} loader); install the {kind} libraries"),
                    None => "; install the libraries that provide it".to_owned(),
                };
                RunFailure::MissingLoader { program: name, interp, hint, suggest: suggest.to_owned() }
            }
            _ => other(),
        },
        (Some(8), Some(f)) => RunFailure::ExecFormat {
            program: name.clone(),
            built_for: format!("ELF{} {}", f.class, machine_name(f.machine)),
            suggest: suggest.to_owned(),
        },
        _ => other(),
    }
}

/// The diagnosis for `exec` failing with `raw` on macOS; `None` unless it is EBADARCH. Pure.
pub fn macos_spawn_failure(program: &str, raw: i32, suggest: &str) -> Option<RunFailure> {
    (raw == EBADARCH).then(|| RunFailure::ExecFormat {
        program: program.to_owned(),
        built_for: "a CPU type this Mac cannot run (EBADARCH; an x86_64 build on Apple Silicon needs Rosetta 2: `softwareupdate --install-rosetta`)".to_owned(),
        suggest: suggest.to_owned(),
    })
}

/// What a loader path is, in words; `None` for a loader tcup does not know.
pub fn loader_kind(interp: &str) -> Option<&'static str> {
    let file = interp.rsplit('/').next().unwrap_or(interp);
    Some(match file {
        "ld-linux-armhf.so.3" => "32-bit hard-float glibc",
        "ld-linux.so.3" => "32-bit soft-float ARM glibc",
        "ld-linux.so.2" => "32-bit x86 glibc",
        "ld-linux-x86-64.so.2" => "64-bit x86 glibc",
        "ld-linux-aarch64.so.1" => "64-bit ARM glibc",
        f if f.starts_with("ld-musl-") => "musl",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_signals_and_windows_exit_codes_are_told_apart() {
        let sigill = diagnose_exit("rustc", None, Some(4), "signal: 4 (SIGILL)", "", "armv7-unknown-linux-gnueabihf");
        assert!(matches!(sigill, RunFailure::IllegalInstruction { .. }));
        assert_eq!(diagnose_exit("rustc", None, Some(9), "", "", "h").to_string(), "rustc --version failed: killed by signal 9");
        let dll =
            diagnose_exit("rustc.exe", Some(0xC000_0135u32.cast_signed()), None, "exit code: 0xc0000135", "", "x86_64-pc-windows-msvc");
        assert!(matches!(dll, RunFailure::MissingDll { .. }), "{dll}");
        let plain = diagnose_exit("rustc", Some(1), None, "exit status: 1", "error: bad option", "h");
        assert_eq!(plain.to_string(), "rustc --version failed: exit status: 1: error: bad option");
    }

    #[test]
    fn macos_bad_cpu_type_points_at_rosetta() {
        let f = macos_spawn_failure("/Users/a/.rustup/toolchains/x/bin/rustc", 86, "aarch64-apple-darwin").unwrap().to_string();
        assert!(f.contains("softwareupdate --install-rosetta") && f.ends_with("use host aarch64-apple-darwin"), "{f}");
        assert_eq!(macos_spawn_failure("rustc", 2, "h"), None);
    }

    /// On Windows (and under wine) an NTSTATUS exit code arrives through `ExitStatus::code()` as
    /// the diagnosis expects it: `cmd /c exit -1073741515` ends with 0xC0000135.
    #[cfg(windows)]
    #[test]
    fn an_ntstatus_exit_code_arrives_as_windows_gives_it() {
        let child = Command::new("cmd").args(["/c", "exit", "-1073741515"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let Waited::Exited(status, _, _) = wait_bounded(child, Duration::from_mins(1)) else { panic!("cmd did not end") };
        let f = diagnose_exit("cmd", status.code(), None, &status.to_string(), "", "x86_64-pc-windows-msvc");
        assert!(matches!(f, RunFailure::MissingDll { .. }), "{status}: {f}");
    }

    #[cfg(unix)]
    #[test]
    fn a_timeout_stays_a_timeout() {
        let child = Command::new("sleep").arg("5").stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let started = Instant::now();
        assert!(matches!(wait_bounded(child, Duration::from_millis(100)), Waited::TimedOut));
        assert!(started.elapsed() < Duration::from_secs(3));
    }
}
