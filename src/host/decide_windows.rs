//! The host decision on Windows: a pure function from what Windows reports to a host triple, with
//! the evidence, so `tcup doctor host` explains it as it does on Linux.
//!
//! Rules, as rustup (`TargetTuple::from_host` in rust-lang/rustup's `src/dist/mod.rs`):
//!
//! | signal (first that answers wins) | value | host |
//! |---|---|---|
//! | `--machine` / `TCUP_HOST_MACHINE` | `AMD64`/`x86_64`, `ARM64`/`aarch64`, `x86`/`i686` | `x86_64`/`aarch64`/`i686-pc-windows-msvc` |
//! | `IsWow64Process2`'s native machine | `0x8664` / `0xAA64` / `0x14c` | `x86_64`/`aarch64`/`i686-pc-windows-msvc` |
//! | `PROCESSOR_ARCHITEW6432`, then `PROCESSOR_ARCHITECTURE` | `AMD64` / `ARM64` / `x86` | as above |
//! | tcup's own build | `x86_64` / `aarch64` / `x86` | as above |
//!
//! Why the *native* machine: an x64 tcup emulated on ARM64 Windows must still install the
//! `aarch64` toolchain (which runs natively, without the emulator's cost), and a 32-bit tcup on
//! 64-bit Windows (WOW64) the `x86_64` one. `IsWow64Process2` exists from Windows 10 1511 on;
//! before that the environment speaks: WOW64 sets `PROCESSOR_ARCHITEW6432` to the native
//! architecture in 32-bit processes, and `PROCESSOR_ARCHITECTURE` names the process's own.
//!
//! The ABI is `msvc`, rustup's default; `-gnu` (or `-gnullvm`) only when asked with `--host`,
//! `--default-host` or `tcup set default-host` ([`super::runs_here`] accepts those as running here).

use super::decide::{Decision, Report};

/// `IMAGE_FILE_MACHINE_AMD64` (winnt.h).
pub const IMAGE_FILE_MACHINE_AMD64: u16 = 0x8664;
/// `IMAGE_FILE_MACHINE_ARM64` (winnt.h).
pub const IMAGE_FILE_MACHINE_ARM64: u16 = 0xAA64;
/// `IMAGE_FILE_MACHINE_I386` (winnt.h).
pub const IMAGE_FILE_MACHINE_I386: u16 = 0x014C;
/// `IMAGE_FILE_MACHINE_UNKNOWN`: what `IsWow64Process2` gives as the process machine for a
/// process that is not under WOW64 (native, or x64 emulated on ARM64).
pub const IMAGE_FILE_MACHINE_UNKNOWN: u16 = 0;

/// Windows host triples for which the 1.95.0 channel manifest has a `rustc`.
pub const WINDOWS_HOSTS: &[&str] = &[
    "aarch64-pc-windows-gnullvm",
    "aarch64-pc-windows-msvc",
    "i686-pc-windows-gnu",
    "i686-pc-windows-msvc",
    "x86_64-pc-windows-gnu",
    "x86_64-pc-windows-gnullvm",
    "x86_64-pc-windows-msvc",
];

/// What Windows reports, as captured by `probe_windows::probe` (or written by a test).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WindowsInput {
    /// `--machine` / `TCUP_HOST_MACHINE`, which wins over everything.
    pub machine_override: Option<String>,
    /// `IsWow64Process2(GetCurrentProcess())`: `(process machine, native machine)`, both
    /// `IMAGE_FILE_MACHINE_*`; `None` where the function is missing (before Windows 10 1511) or
    /// failed.
    pub wow64: Option<(u16, u16)>,
    /// `PROCESSOR_ARCHITEW6432` (set only in a WOW64 process: the native architecture).
    pub architew6432: Option<String>,
    /// `PROCESSOR_ARCHITECTURE` (the process's own architecture: `AMD64`, `x86`, `ARM64`).
    pub architecture: Option<String>,
    /// The architecture tcup was built for (`std::env::consts::ARCH`): the last resort.
    pub build_arch: String,
}

/// Decides the Windows host. Pure: the same input always gives the same report.
pub fn decide(input: &WindowsInput) -> Report {
    let mut ev = Vec::new();
    if let Some((process, native)) = input.wow64 {
        ev.push(format!("native machine: {native:#06x} {} (IsWow64Process2)", machine_name(native)));
        ev.push(match process {
            IMAGE_FILE_MACHINE_UNKNOWN => "process machine: none: tcup is not a WOW64 process (IsWow64Process2)".to_owned(),
            p => format!("process machine: {p:#06x} {}: tcup runs under WOW64 (IsWow64Process2)", machine_name(p)),
        });
    } else {
        ev.push("native machine: unknown: IsWow64Process2 is missing (Windows before 10 version 1511) or failed".to_owned());
    }
    for (name, value) in [("PROCESSOR_ARCHITEW6432", &input.architew6432), ("PROCESSOR_ARCHITECTURE", &input.architecture)] {
        ev.push(format!("{name}: {} (environment)", value.as_deref().unwrap_or("unset")));
    }
    let from_env = |v: &Option<String>| v.as_deref().and_then(arch_from_name);
    let (arch, by) = if let Some(m) = &input.machine_override {
        (arch_from_name(m).ok_or_else(|| format!("machine '{m}'")), "--machine / TCUP_HOST_MACHINE")
    } else if let Some((_, native)) = input.wow64 {
        (arch_from_machine(native).ok_or_else(|| format!("native machine {native:#06x}")), "the native machine (IsWow64Process2)")
    } else if let Some(a) = from_env(&input.architew6432) {
        (Ok(a), "PROCESSOR_ARCHITEW6432")
    } else if let Some(a) = from_env(&input.architecture) {
        (Ok(a), "PROCESSOR_ARCHITECTURE")
    } else {
        ev.push(format!("build: {} (tcup's own build)", input.build_arch));
        (arch_from_name(&input.build_arch).ok_or_else(|| format!("build architecture '{}'", input.build_arch)), "tcup's own build")
    };
    ev.push(format!("decided by: {by}"));
    let decision = match arch {
        Ok(arch) => {
            ev.push("ABI: msvc (rustup's default on Windows; -gnu only when asked, e.g. --default-host x86_64-pc-windows-gnu)".to_owned());
            Decision::Host { triple: format!("{arch}-pc-windows-msvc"), targets: Vec::new(), notes: Vec::new() }
        }
        Err(what) => Decision::Refused {
            why: format!("no Rust host toolchain exists for Windows on {what} (there are x86_64, aarch64 and i686 ones)"),
            detected: what,
        },
    };
    Report { decision, evidence: ev }
}

/// The triple's architecture for an `IMAGE_FILE_MACHINE_*` value; `None` for others.
pub fn arch_from_machine(machine: u16) -> Option<&'static str> {
    match machine {
        IMAGE_FILE_MACHINE_AMD64 => Some("x86_64"),
        IMAGE_FILE_MACHINE_ARM64 => Some("aarch64"),
        IMAGE_FILE_MACHINE_I386 => Some("i686"),
        _ => None,
    }
}

/// The winnt.h name of an `IMAGE_FILE_MACHINE_*` value, for messages.
pub fn machine_name(machine: u16) -> &'static str {
    match machine {
        IMAGE_FILE_MACHINE_AMD64 => "AMD64",
        IMAGE_FILE_MACHINE_ARM64 => "ARM64",
        IMAGE_FILE_MACHINE_I386 => "I386",
        0x01C4 => "ARMNT",
        0x0200 => "IA64",
        0xA641 => "ARM64EC",
        _ => "unknown",
    }
}

/// The triple's architecture for a `PROCESSOR_ARCHITECTURE`-style name (`AMD64`, `EM64T`, `ARM64`,
/// `x86`, any case) or a Rust one (`x86_64`, `aarch64`, `x86`, `i686`); `None` for others (`IA64`).
pub fn arch_from_name(name: &str) -> Option<&'static str> {
    match name.trim().to_ascii_lowercase().as_str() {
        "amd64" | "em64t" | "x86_64" | "x64" => Some("x86_64"),
        "arm64" | "aarch64" => Some("aarch64"),
        "x86" | "i386" | "i486" | "i586" | "i686" => Some("i686"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn triple(input: &WindowsInput) -> String {
        match decide(input).decision {
            Decision::Host { triple, .. } => triple,
            Decision::Refused { detected, .. } => format!("refused {detected}"),
        }
    }

    fn input(wow64: Option<(u16, u16)>, w6432: Option<&str>, arch: Option<&str>) -> WindowsInput {
        WindowsInput {
            machine_override: None,
            wow64,
            architew6432: w6432.map(str::to_owned),
            architecture: arch.map(str::to_owned),
            build_arch: "x86_64".to_owned(),
        }
    }

    /// Captured under wine 8.0 (x86_64) on this machine by a mingw-built probe printing
    /// `IsWow64Process2(GetCurrentProcess(), &p, &n)` and the two variables: `process=0x0
    /// native=0x8664`, `PROCESSOR_ARCHITECTURE=AMD64`, `PROCESSOR_ARCHITEW6432` unset.
    #[test]
    fn x64_tcup_on_x64_windows_as_captured_under_wine() {
        let wine = input(Some((0, 0x8664)), None, Some("AMD64"));
        assert_eq!(triple(&wine), "x86_64-pc-windows-msvc");
        let ev = decide(&wine).evidence;
        assert_eq!(ev[0], "native machine: 0x8664 AMD64 (IsWow64Process2)");
        assert_eq!(ev[1], "process machine: none: tcup is not a WOW64 process (IsWow64Process2)");
        assert!(ev.contains(&"PROCESSOR_ARCHITECTURE: AMD64 (environment)".to_owned()), "{ev:?}");
        assert!(ev.contains(&"decided by: the native machine (IsWow64Process2)".to_owned()), "{ev:?}");
    }

    /// The emulated and WOW64 cases as Microsoft documents them (IsWow64Process2: the process
    /// machine is `IMAGE_FILE_MACHINE_UNKNOWN` unless under WOW64; x64 emulation on ARM64 is not
    /// WOW64 and its `PROCESSOR_ARCHITECTURE` is the emulated `AMD64`; a 32-bit process on x64 gets
    /// `x86` and `PROCESSOR_ARCHITEW6432=AMD64`).
    #[test]
    fn the_native_machine_decides_not_the_process() {
        assert_eq!(triple(&input(Some((0, 0xAA64)), None, Some("AMD64"))), "aarch64-pc-windows-msvc", "x64 tcup emulated on ARM64");
        assert_eq!(triple(&input(Some((0x014C, 0xAA64)), Some("ARM64"), Some("x86"))), "aarch64-pc-windows-msvc", "x86 tcup on ARM64");
        assert_eq!(triple(&input(Some((0x014C, 0x8664)), Some("AMD64"), Some("x86"))), "x86_64-pc-windows-msvc", "32-bit tcup, WOW64");
        assert_eq!(triple(&input(Some((0, 0x014C)), None, Some("x86"))), "i686-pc-windows-msvc", "32-bit Windows");
        let ev = decide(&input(Some((0x014C, 0x8664)), Some("AMD64"), Some("x86"))).evidence;
        assert!(ev.contains(&"process machine: 0x014c I386: tcup runs under WOW64 (IsWow64Process2)".to_owned()), "{ev:?}");
    }

    #[test]
    fn without_iswow64process2_the_environment_then_the_build_decide() {
        assert_eq!(triple(&input(None, Some("AMD64"), Some("x86"))), "x86_64-pc-windows-msvc", "WOW64 on Windows 8.1");
        assert_eq!(triple(&input(None, None, Some("x86"))), "i686-pc-windows-msvc");
        assert_eq!(triple(&input(None, None, Some("amd64"))), "x86_64-pc-windows-msvc", "any case");
        let mut nothing = input(None, None, None);
        assert_eq!(triple(&nothing), "x86_64-pc-windows-msvc");
        assert!(decide(&nothing).evidence.contains(&"decided by: tcup's own build".to_owned()));
        nothing.build_arch = "aarch64".into();
        assert_eq!(triple(&nothing), "aarch64-pc-windows-msvc");
        assert_eq!(triple(&input(None, None, Some("IA64"))), "x86_64-pc-windows-msvc", "IA64 is no answer: the build decides");
    }

    #[test]
    fn an_override_wins_and_unknown_machines_are_refused_naming_them() {
        let mut i = input(Some((0, 0x8664)), None, Some("AMD64"));
        i.machine_override = Some("ARM64".into());
        assert_eq!(triple(&i), "aarch64-pc-windows-msvc");
        i.machine_override = Some("ia64".into());
        assert_eq!(triple(&i), "refused machine 'ia64'");
        let armnt = decide(&input(Some((0, 0x01C4)), None, None));
        let Decision::Refused { detected, why } = armnt.decision else { panic!("ARMNT has no Rust host toolchain") };
        assert_eq!(detected, "native machine 0x01c4");
        assert!(why.contains("x86_64, aarch64 and i686"), "{why}");
        assert!(armnt.evidence[0].contains("ARMNT"), "{:?}", armnt.evidence);
    }

    #[test]
    fn every_decided_triple_has_a_rust_host_toolchain() {
        for m in [IMAGE_FILE_MACHINE_AMD64, IMAGE_FILE_MACHINE_ARM64, IMAGE_FILE_MACHINE_I386] {
            assert!(WINDOWS_HOSTS.contains(&triple(&input(Some((0, m)), None, None)).as_str()));
        }
    }
}
