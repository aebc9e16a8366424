//! Host triple detection: which per-architecture toolchain this system can run.
//!
//! A pure decision ([`decide::decide`]) over facts gathered at the edge ([`probe::probe`]): the
//! kernel's machine name, the userland's own ELF files ([`elf`]), the loaders present and
//! `/proc/cpuinfo`. [`run_check`] diagnoses an installed compiler that does not run. This is the
//! only layer besides `cli/` allowed platform-specific code.

pub mod decide;
pub mod elf;
pub mod probe;
pub mod run_check;

pub use decide::{Decision, Report};

/// Detects the host of the system below `root` (normally `/`), `machine` overriding `uname -m`.
pub fn detect(root: &std::path::Path, machine: Option<&str>) -> Report {
    decide::decide(&probe::probe(root, machine))
}
