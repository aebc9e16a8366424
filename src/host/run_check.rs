//! Does an installed program really run here? Runs `<program> --version` with a time limit and,
//! when it fails, says exactly why instead of the shell's "not found":
//! - exec fails with ENOENT though the file exists → its `PT_INTERP` loader is missing;
//! - exec format error → built for another architecture than this kernel runs;
//! - killed by SIGILL → the CPU lacks instructions the build needs;
//! - no answer within the limit → on an arm64 kernel running an ARMv6 build this is the CP15
//!   barrier emulation (rust-lang/rustup#4189, rust-lang/rust#60605).
//!
//! Used wherever tcup runs a program it installed.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::elf::{ElfFacts, machine_name};

/// Why an installed program did not run. The message says what to do.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RunFailure {
    /// The program's loader is absent.
    #[error("{program} cannot start: it needs {interp}, which this system does not have{hint} or use host {suggest}")]
    MissingLoader {
        /// The program.
        program: String,
        /// Its `PT_INTERP`.
        interp: String,
        /// What that loader is and what to install, e.g.
        /// ` (32-bit hard-float glibc loader); install the 32-bit hard-float glibc libraries`.
        hint: String,
        /// The host to use instead.
        suggest: String,
    },
    /// Wrong architecture for this kernel.
    #[error("{program} cannot start: exec format error: it is built for {built_for}, which this kernel cannot run; use host {suggest}")]
    ExecFormat {
        /// The program.
        program: String,
        /// Its ELF machine.
        built_for: String,
        /// The host to use instead.
        suggest: String,
    },
    /// SIGILL.
    #[error("{program} was killed by an illegal instruction: this CPU lacks features the build needs; use host {suggest}")]
    IllegalInstruction {
        /// The program.
        program: String,
        /// The host to use instead.
        suggest: String,
    },
    /// No answer within the limit.
    #[error(
        "{program} gave no answer within {secs} s; if this is an ARMv6 build on an arm64 kernel, the kernel is emulating CP15 barrier instructions (rust-lang/rustup#4189): use the armv7 host (--default-host armv7-unknown-linux-gnueabihf) or run `sysctl abi.cp15_barrier=2`"
    )]
    Timeout {
        /// The program.
        program: String,
        /// The limit.
        secs: u64,
    },
    /// Any other failure: exit status and the first line of its stderr.
    #[error("{program} --version failed: {detail}")]
    Other {
        /// The program.
        program: String,
        /// What happened.
        detail: String,
    },
}

/// Runs `program --version` with `limit`; returns its first stdout line. `suggest` is the host to
/// recommend in the diagnosis (normally the detected one).
///
/// # Errors
/// [`RunFailure`] with the diagnosis.
pub fn run_version(program: &Path, limit: Duration, suggest: &str) -> Result<String, RunFailure> {
    let name = program.display().to_string();
    let mut child = match Command::new(program).arg("--version").stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()
    {
        Ok(c) => c,
        Err(e) => return Err(diagnose_spawn(program, &e, suggest)),
    };
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if started.elapsed() >= limit => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(RunFailure::Timeout { program: name, secs: limit.as_secs() });
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(RunFailure::Other { program: name, detail: e.to_string() }),
        }
    };
    let mut out = String::new();
    let mut err = String::new();
    if let Some(mut s) = child.stdout.take() {
        let _ = s.read_to_string(&mut out);
    }
    if let Some(mut s) = child.stderr.take() {
        let _ = s.read_to_string(&mut err);
    }
    match (status.success(), signal(status)) {
        (true, _) => Ok(out.lines().next().unwrap_or("").to_owned()),
        (false, Some(4)) => Err(RunFailure::IllegalInstruction { program: name, suggest: suggest.to_owned() }),
        (false, Some(sig)) => Err(RunFailure::Other { program: name, detail: format!("killed by signal {sig}") }),
        (false, None) => {
            Err(RunFailure::Other { program: name, detail: format!("{status}: {}", err.lines().next().unwrap_or("(no output)")) })
        }
    }
}

/// Diagnoses a failure to start `program` (from `spawn` or `exec`): missing loader, exec format
/// error, or the plain error.
pub fn diagnose_spawn(program: &Path, e: &std::io::Error, suggest: &str) -> RunFailure {
    let name = program.display().to_string();
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
            _ => RunFailure::Other { program: name, detail: e.to_string() },
        },
        (Some(8), Some(f)) => RunFailure::ExecFormat {
            program: name,
            built_for: format!("ELF{} {}", f.class, machine_name(f.machine)),
            suggest: suggest.to_owned(),
        },
        _ => RunFailure::Other { program: name, detail: e.to_string() },
    }
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

/// The signal that ended the process (Unix; Windows has none).
fn signal(status: std::process::ExitStatus) -> Option<i32> {
    #[cfg(unix)]
    {
        std::os::unix::process::ExitStatusExt::signal(&status)
    }
    #[cfg(not(unix))]
    {
        let _ = status;
        None
    }
}
