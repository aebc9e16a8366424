//! Host triple detection: which per-architecture toolchain this system can run.
//!
//! A pure decision over facts gathered at the edge, one pair per system:
//! - Linux: [`decide::decide`] over [`probe::probe`]: the kernel's machine name, the userland's own
//!   ELF files ([`elf`]), the loaders present and `/proc/cpuinfo`;
//! - Windows: [`decide_windows::decide`] over `probe_windows::probe` (`IsWow64Process2`, the
//!   `PROCESSOR_ARCHITECTURE` variables);
//! - macOS: [`decide_macos::decide`] over `probe_macos::probe` (`uname -m`, the Rosetta sysctls).
//!
//! All three give the same [`Report`] (decision plus `signal: value (source)` evidence lines), so
//! `tcup doctor host` explains any of them. [`run_check`] diagnoses an installed compiler that does
//! not run, [`runs_here`] says which requested hosts run where detection found another, and
//! [`msvc`] warns when an `-msvc` host has no linker. This is the only layer besides `sys/` and
//! `cli/` allowed platform-specific code, and the platform is chosen here, in [`detect`].

pub mod decide;
pub mod decide_macos;
pub mod decide_windows;
pub mod elf;
pub mod msvc;
pub mod probe;
#[cfg(target_os = "macos")]
pub mod probe_macos;
#[cfg(windows)]
pub mod probe_windows;
pub mod run_check;
pub mod run_check_windows;
pub mod run_failure;
pub mod runs_here;

pub use decide::{Decision, Report};
pub use runs_here::runs_here;

/// Detects the host. `root` is the system's root directory: normally `/` (the default of
/// `TCUP_HOST_ROOT`), meaning this system, which on Windows and macOS is asked through their own
/// APIs; any other directory is a Linux root laid out there (a test's fake system, an unpacked
/// container image, a WSL distribution), read as on Linux. `machine` overrides `uname -m` on
/// Linux and the native machine on Windows and macOS (`AMD64`/`x86_64`, `ARM64`/`arm64`/`aarch64`,
/// `x86`).
pub fn detect(root: &std::path::Path, machine: Option<&str>) -> Report {
    #[cfg(windows)]
    if root == std::path::Path::new("/") {
        return decide_windows::decide(&probe_windows::probe(machine));
    }
    #[cfg(target_os = "macos")]
    if root == std::path::Path::new("/") {
        return decide_macos::decide(&probe_macos::probe(machine));
    }
    decide::decide(&probe::probe(root, machine))
}

/// The warning `tcup-init` shows when `host` is an `-msvc` one and no MSVC linker is found
/// ([`msvc::warning`] over `probe_windows::msvc_facts`); always `None` off Windows.
pub fn msvc_linker_warning(host: &str) -> Option<String> {
    #[cfg(windows)]
    if host.ends_with("-pc-windows-msvc") {
        return msvc::warning(host, &probe_windows::msvc_facts(host));
    }
    let _ = host;
    None
}
