//! The host decision on macOS: a pure function from what the kernel reports to a host triple, with
//! the evidence, so `tcup doctor host` explains it as it does on Linux.
//!
//! | signal (first that answers wins) | value | host |
//! |---|---|---|
//! | `--machine` / `TCUP_HOST_MACHINE` | `arm64`/`aarch64`, `x86_64` | `aarch64`/`x86_64-apple-darwin` |
//! | sysctl `sysctl.proc_translated` | `1`: tcup runs under Rosetta 2, so the Mac is Apple Silicon | `aarch64-apple-darwin` |
//! | sysctl `hw.optional.arm64` | `1`: the CPU is Apple Silicon | `aarch64-apple-darwin` |
//! | `uname -m` | `arm64` / `x86_64` | `aarch64`/`x86_64-apple-darwin` |
//!
//! Why not `uname -m` alone: an x86_64 tcup under Rosetta reads `x86_64` there, and would install
//! a toolchain that runs emulated and builds for Intel by default. rustup checks
//! `sysctl.proc_translated` for the same reason (`TargetTuple::is_host_emulated` in
//! rust-lang/rustup's `src/dist/mod.rs`). Both sysctls are missing on older Intel Macs, which is
//! an answer too (not Apple Silicon).

use super::decide::{Decision, Report};

/// macOS host triples for which the 1.95.0 channel manifest has a `rustc`.
pub const MACOS_HOSTS: &[&str] = &["aarch64-apple-darwin", "x86_64-apple-darwin"];

/// What macOS reports, as captured by `probe_macos::probe` (or written by a test).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MacInput {
    /// `--machine` / `TCUP_HOST_MACHINE`, which wins over everything.
    pub machine_override: Option<String>,
    /// `uname -m`: `arm64` natively on Apple Silicon, `x86_64` on Intel and under Rosetta.
    pub machine: String,
    /// `sysctlbyname("sysctl.proc_translated")`: 1 under Rosetta, 0 native; `None` when the
    /// name does not exist (Intel Macs before macOS 11).
    pub proc_translated: Option<i32>,
    /// `sysctlbyname("hw.optional.arm64")`: 1 on Apple Silicon; `None` when missing.
    pub optional_arm64: Option<i32>,
}

/// Decides the macOS host. Pure: the same input always gives the same report.
pub fn decide(input: &MacInput) -> Report {
    let shown = |v: Option<i32>| v.map_or_else(|| "missing".to_owned(), |v| v.to_string());
    let mut ev = vec![
        format!("machine: {} (uname -m: the process's, x86_64 under Rosetta)", input.machine),
        format!("sysctl.proc_translated: {} (sysctl; 1 = tcup runs under Rosetta 2)", shown(input.proc_translated)),
        format!("hw.optional.arm64: {} (sysctl; 1 = Apple Silicon)", shown(input.optional_arm64)),
    ];
    let (arch, by) = if let Some(m) = &input.machine_override {
        (arch_from_name(m).ok_or_else(|| format!("machine '{m}'")), "--machine / TCUP_HOST_MACHINE")
    } else if input.proc_translated == Some(1) {
        (Ok("aarch64"), "sysctl.proc_translated: tcup is an x86_64 build under Rosetta 2 on Apple Silicon")
    } else if input.optional_arm64 == Some(1) {
        (Ok("aarch64"), "hw.optional.arm64")
    } else {
        (arch_from_name(&input.machine).ok_or_else(|| format!("machine '{}'", input.machine)), "uname -m")
    };
    ev.push(format!("decided by: {by}"));
    let decision = match arch {
        Ok(arch) => Decision::Host { triple: format!("{arch}-apple-darwin"), targets: Vec::new(), notes: Vec::new() },
        Err(what) => Decision::Refused {
            why: format!("no Rust host toolchain exists for macOS on {what} (there are aarch64 and x86_64 ones)"),
            detected: what,
        },
    };
    Report { decision, evidence: ev }
}

/// The triple's architecture for a machine name (`arm64`, `aarch64`, `x86_64`); `None` for others
/// (`i386`, `Power Macintosh`).
pub fn arch_from_name(name: &str) -> Option<&'static str> {
    match name.trim().to_ascii_lowercase().as_str() {
        "arm64" | "arm64e" | "aarch64" => Some("aarch64"),
        "x86_64" | "x86_64h" | "amd64" => Some("x86_64"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn triple(input: &MacInput) -> String {
        match decide(input).decision {
            Decision::Host { triple, .. } => triple,
            Decision::Refused { detected, .. } => format!("refused {detected}"),
        }
    }

    fn mac(machine: &str, translated: Option<i32>, arm64: Option<i32>) -> MacInput {
        MacInput { machine_override: None, machine: machine.into(), proc_translated: translated, optional_arm64: arm64 }
    }

    /// Values as Apple documents them ("About the Rosetta translation environment":
    /// `sysctl.proc_translated` is 1 in a translated process, 0 in a native one, and the call
    /// fails with ENOENT where Rosetta does not exist) and as `uname -m` / `sysctl
    /// hw.optional.arm64` print them on an M1 (`arm64`, 1), under Rosetta (`x86_64`, 1) and on
    /// an Intel Mac with macOS 13 (`x86_64`, 0) or 10.15 (`x86_64`, missing).
    #[test]
    fn apple_silicon_wins_even_under_rosetta() {
        assert_eq!(triple(&mac("arm64", Some(0), Some(1))), "aarch64-apple-darwin", "native on an M1");
        let rosetta = mac("x86_64", Some(1), Some(1));
        assert_eq!(triple(&rosetta), "aarch64-apple-darwin", "x86_64 tcup under Rosetta");
        let ev = decide(&rosetta).evidence;
        assert!(ev.contains(&"sysctl.proc_translated: 1 (sysctl; 1 = tcup runs under Rosetta 2)".to_owned()), "{ev:?}");
        assert!(ev.iter().any(|l| l.starts_with("decided by: sysctl.proc_translated")), "{ev:?}");
        assert_eq!(triple(&mac("x86_64", Some(1), None)), "aarch64-apple-darwin", "translated alone is enough");
        assert_eq!(triple(&mac("x86_64", None, Some(1))), "aarch64-apple-darwin", "arm64 alone is enough");
    }

    #[test]
    fn intel_macs_get_x86_64() {
        assert_eq!(triple(&mac("x86_64", Some(0), Some(0))), "x86_64-apple-darwin", "macOS 13 on Intel");
        let old = mac("x86_64", None, None);
        assert_eq!(triple(&old), "x86_64-apple-darwin", "macOS 10.15: neither sysctl exists");
        assert!(decide(&old).evidence.contains(&"hw.optional.arm64: missing (sysctl; 1 = Apple Silicon)".to_owned()));
        assert!(decide(&old).evidence.contains(&"decided by: uname -m".to_owned()));
    }

    #[test]
    fn an_override_wins_and_other_machines_are_refused() {
        let mut i = mac("x86_64", Some(1), Some(1));
        i.machine_override = Some("x86_64".into());
        assert_eq!(triple(&i), "x86_64-apple-darwin");
        assert_eq!(triple(&mac("i386", None, None)), "refused machine 'i386'");
        for t in [triple(&mac("arm64", None, None)), triple(&mac("x86_64", None, None))] {
            assert!(MACOS_HOSTS.contains(&t.as_str()), "{t}");
        }
    }
}
