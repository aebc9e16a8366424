//! Why an installed program did not run, in words that say what to do: the diagnoses of
//! [`super::run_check`] (Linux, macOS) and [`super::run_check_windows`] (Windows), one type for
//! both so every caller prints them the same way.

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
    /// A DLL it needs is missing (Windows: exit code `STATUS_DLL_NOT_FOUND`).
    #[error(
        "{program} cannot start: a DLL it needs is missing (0xC0000135 STATUS_DLL_NOT_FOUND): an -msvc toolchain needs the Microsoft Visual C++ Redistributable (vcruntime140.dll), a -gnu one the mingw runtime DLLs (libgcc_s_seh-1.dll, libwinpthread-1.dll) beside it or on PATH; install what it needs or use host {suggest}"
    )]
    MissingDll {
        /// The program.
        program: String,
        /// The host to use instead.
        suggest: String,
    },
    /// SIGILL, or on Windows `STATUS_ILLEGAL_INSTRUCTION`.
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
