//! The host decision: a pure function from what the system shows to a host triple, with the
//! evidence for each step, so `tcup doctor host` can explain a surprising choice.
//!
//! Rules (why: rustup trusts `uname -m`, which names the kernel or emulator, not the userland):
//! - the userland (an ELF file such as `/bin/sh`, else the loaders present) decides class,
//!   architecture, ARM float ABI and libc (`PT_INTERP` `ld-musl-*` → musl, else glibc);
//! - on 32-bit hard-float ARM the CPU decides between `armv7` and `arm` (ARMv6): `armv7` needs an
//!   ARMv7-or-later CPU (kernel machine `armv7l`/`armv8l`/`aarch64`) with NEON (`neon`/`asimd` in
//!   `/proc/cpuinfo` `Features`); cpuinfo's "CPU architecture" line is never trusted (a Pi Zero
//!   says 7). Without `/proc` (e.g. `docker build`) the userland's `Tag_CPU_arch` decides;
//! - an ARMv6 userland under an ARMv7-capable CPU gets the `armv7` host (its binaries avoid the CP15
//!   barriers that arm64 kernels trap and emulate: rust-lang/rustup#4189, rust-lang/rust#60605)
//!   plus the `arm-unknown-linux-gnueabihf` target and a note;
//! - Android (Termux) is refused with a pointer to `pkg install rust`; a triple with no Rust host
//!   toolchain is refused naming it.

use super::elf::{EM_386, EM_AARCH64, EM_ARM, EM_LOONGARCH, EM_PPC64, EM_RISCV, EM_S390, EM_X86_64, ElfFacts, FloatAbi};

/// What the system shows; everything optional except the machine name.
#[derive(Debug, Clone, Default)]
pub struct Input {
    /// `uname -m` (kernel machine): `x86_64`, `aarch64`, `armv7l`, `armv6l`, `i686`, …
    pub machine: String,
    /// The userland ELF file read, with the path it came from.
    pub userland: Option<(String, ElfFacts)>,
    /// Loader files that exist (`/lib/ld-musl-x86_64.so.1`, …).
    pub loaders: Vec<String>,
    /// `/proc/cpuinfo` text, when readable.
    pub cpuinfo: Option<String>,
    /// Signs of Android (`/system/bin/linker64` …), with what was found.
    pub android: Option<String>,
}

/// The outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Install for `triple`.
    Host {
        /// Host triple.
        triple: String,
        /// Extra targets to install with it.
        targets: Vec<String>,
        /// Notes for the user.
        notes: Vec<String>,
    },
    /// No Rust toolchain can be installed here.
    Refused {
        /// The triple the system corresponds to (or a description).
        detected: String,
        /// Why, and what to do instead.
        why: String,
    },
}

/// A decision and the evidence for it, one line per signal (`signal: value (source)`).
#[derive(Debug, Clone)]
pub struct Report {
    /// The decision.
    pub decision: Decision,
    /// Evidence lines.
    pub evidence: Vec<String>,
}

/// Host triples for which the 1.95.0 channel manifest has an available `rustc` on Linux. Used by
/// `tcup doctor host`, which works offline; an install checks the manifest it downloads instead.
pub const LINUX_HOSTS: &[&str] = &[
    "aarch64-unknown-linux-gnu",
    "aarch64-unknown-linux-musl",
    "arm-unknown-linux-gnueabi",
    "arm-unknown-linux-gnueabihf",
    "armv7-unknown-linux-gnueabihf",
    "i686-unknown-linux-gnu",
    "loongarch64-unknown-linux-gnu",
    "loongarch64-unknown-linux-musl",
    "powerpc-unknown-linux-gnu",
    "powerpc64-unknown-linux-gnu",
    "powerpc64-unknown-linux-musl",
    "powerpc64le-unknown-linux-gnu",
    "powerpc64le-unknown-linux-musl",
    "riscv64gc-unknown-linux-gnu",
    "s390x-unknown-linux-gnu",
    "x86_64-unknown-linux-gnu",
    "x86_64-unknown-linux-musl",
];

/// The note printed when an ARMv6 userland gets the armv7 host.
pub const ARMV6_NOTE: &str = "this userland is ARMv6 (e.g. Raspberry Pi OS 32-bit): tcup installs the armv7 host toolchain, \
which runs correctly on this CPU, but programs built by default will not run on ARMv6 boards (Pi Zero/1); \
build them with --target arm-unknown-linux-gnueabihf";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Libc {
    Gnu,
    Musl,
}

/// Decides the host. Pure: the same input always gives the same report.
pub fn decide(input: &Input) -> Report {
    let mut ev = vec![format!("machine: {} (uname -m: the kernel's, not necessarily the userland's)", input.machine)];
    if let Some(found) = &input.android {
        ev.push(format!("android: {found}"));
        let why = "Android (Termux) is not a Linux host rustup toolchains run on; install Rust with `pkg install rust` instead".to_owned();
        return Report { decision: Decision::Refused { detected: "aarch64-linux-android".into(), why }, evidence: ev };
    }
    let cpu_features = input.cpuinfo.as_deref().map(features);
    match (&input.cpuinfo, &cpu_features) {
        (Some(text), Some(f)) => {
            let neon = f.iter().any(|x| x == "neon" || x == "asimd");
            let model = field(text, "model name").or_else(|| field(text, "Hardware")).unwrap_or("unknown model");
            // NEON decides only between ARM builds: not a fact worth showing elsewhere.
            let arm = input.machine.starts_with("arm")
                || input.machine.starts_with("aarch64")
                || input.userland.as_ref().is_some_and(|(_, u)| matches!(u.machine, EM_ARM | EM_AARCH64));
            if arm {
                ev.push(format!(
                    "cpu: {model}, NEON/ASIMD {} (/proc/cpuinfo; its \"CPU architecture\" line is not trusted)",
                    if neon { "yes" } else { "no" }
                ));
            } else {
                ev.push(format!("cpu: {model} (/proc/cpuinfo)"));
            }
        }
        _ => ev.push("cpu: unknown (/proc/cpuinfo not readable)".into()),
    }
    for l in &input.loaders {
        ev.push(format!("loader present: {l}"));
    }
    let (arch, libc) = match &input.userland {
        Some((path, f)) => {
            ev.push(format!(
                "userland: ELF{} {} e_flags={:#x} interpreter={} ({path})",
                f.class,
                super::elf::machine_name(f.machine),
                f.flags,
                f.interp.as_deref().unwrap_or("none (static)")
            ));
            if let Some(a) = f.arm_cpu_arch {
                ev.push(format!("userland Tag_CPU_arch: {a} ({}) ({path})", arm_arch_name(a)));
            }
            // A static userland file (no loader) leaves the libc to the loaders present.
            let musl = f.interp.as_deref().map_or_else(|| input.loaders.iter().any(|l| l.contains("ld-musl")), |i| i.contains("ld-musl"));
            let libc = if musl { Libc::Musl } else { Libc::Gnu };
            (from_elf(f, input, cpu_features.as_deref(), &mut ev), libc)
        }
        None => {
            if let Some((arch, libc)) = from_loaders(&input.loaders) {
                ev.push("userland: no ELF file found; decided from the loaders present".into());
                (Arch::Known(arch.to_owned()), libc)
            } else {
                ev.push("userland: nothing found; falling back to the machine name".into());
                (from_machine(&input.machine), Libc::Gnu)
            }
        }
    };
    let (arch, extra, notes) = match arch {
        Arch::Known(a) => (a, Vec::new(), Vec::new()),
        Arch::ArmV7OverV6 => ("armv7".to_owned(), vec!["arm-unknown-linux-gnueabihf".to_owned()], vec![ARMV6_NOTE.to_owned()]),
        Arch::Unsupported(what) => {
            return Report {
                decision: Decision::Refused { detected: what.clone(), why: format!("no Rust toolchain runs on {what}") },
                evidence: ev,
            };
        }
    };
    let triple = triple(&arch, libc);
    ev.push(format!("libc: {}", if libc == Libc::Musl { "musl" } else { "glibc" }));
    let decision = if LINUX_HOSTS.contains(&triple.as_str()) {
        Decision::Host { triple, targets: extra, notes }
    } else {
        let why =
            format!("no Rust host toolchain exists for {triple} (the channel manifest has no available rustc for it){}", advice(&triple));
        Decision::Refused { detected: triple, why }
    };
    Report { decision, evidence: ev }
}

enum Arch {
    /// The triple's first part plus ABI suffix handled by `triple`.
    Known(String),
    /// armv7 host for an ARMv6 userland on an ARMv7+ CPU.
    ArmV7OverV6,
    Unsupported(String),
}

fn from_elf(f: &ElfFacts, input: &Input, cpu: Option<&[String]>, ev: &mut Vec<String>) -> Arch {
    match (f.machine, f.class) {
        (EM_X86_64, 64) => Arch::Known("x86_64".into()),
        (EM_X86_64, _) => Arch::Unsupported("an x32 userland (x86_64 with 32-bit pointers)".into()),
        (EM_386, _) => Arch::Known("i686".into()),
        (EM_AARCH64, 64) => Arch::Known("aarch64".into()),
        (EM_RISCV, 64) => Arch::Known("riscv64gc".into()),
        (EM_PPC64, 64) => Arch::Known(
            if f.flags & 0x3 == 2 || f.interp.as_deref().is_some_and(|i| i.contains("le")) { "powerpc64le" } else { "powerpc64" }.into(),
        ),
        (EM_S390, 64) => Arch::Known("s390x".into()),
        (EM_LOONGARCH, 64) => Arch::Known("loongarch64".into()),
        (EM_ARM, 32) => arm(f, input, cpu, ev),
        (m, c) => Arch::Unsupported(format!("an ELF{c} {} userland", super::elf::machine_name(m))),
    }
}

fn arm(f: &ElfFacts, input: &Input, cpu: Option<&[String]>, ev: &mut Vec<String>) -> Arch {
    let abi = f.float_abi();
    ev.push(format!(
        "float ABI: {} (EABI version {})",
        match abi {
            Some(FloatAbi::Hard) => "hard-float",
            Some(FloatAbi::Soft) => "soft-float",
            None => "unknown",
        },
        f.arm_eabi_version().unwrap_or(0)
    ));
    if abi != Some(FloatAbi::Hard) {
        return Arch::Known("arm-soft".into());
    }
    let kernel_v7 = matches!(input.machine.as_str(), "armv7l" | "armv8l" | "aarch64" | "arm64");
    let userland_v7 = f.arm_cpu_arch.is_some_and(|a| a >= 10);
    let cpu_v7_neon = if let Some(features) = cpu {
        let neon = features.iter().any(|x| x == "neon" || x == "asimd");
        ev.push(format!(
            "ARMv7 with NEON: {} (kernel machine {}, NEON {})",
            kernel_v7 && neon,
            input.machine,
            if neon { "yes" } else { "no" }
        ));
        kernel_v7 && neon
    } else {
        ev.push(format!("ARMv7 with NEON: {userland_v7} (no cpuinfo; the userland's Tag_CPU_arch decides)"));
        userland_v7
    };
    match (cpu_v7_neon, userland_v7 || f.arm_cpu_arch.is_none()) {
        (true, true) => Arch::Known("armv7".into()),
        (true, false) => Arch::ArmV7OverV6,
        (false, _) => Arch::Known("arm".into()),
    }
}

fn from_loaders(loaders: &[String]) -> Option<(&'static str, Libc)> {
    const TABLE: &[(&str, &str, Libc)] = &[
        ("ld-musl-x86_64.so.1", "x86_64", Libc::Musl),
        ("ld-musl-aarch64.so.1", "aarch64", Libc::Musl),
        ("ld-musl-armhf.so.1", "arm", Libc::Musl),
        ("ld-musl-arm.so.1", "arm-soft", Libc::Musl),
        ("ld-musl-i386.so.1", "i686", Libc::Musl),
        ("ld-linux-x86-64.so.2", "x86_64", Libc::Gnu),
        ("ld-linux-aarch64.so.1", "aarch64", Libc::Gnu),
        ("ld-linux-armhf.so.3", "arm", Libc::Gnu),
        ("ld-linux.so.3", "arm-soft", Libc::Gnu),
        ("ld-linux.so.2", "i686", Libc::Gnu),
    ];
    TABLE.iter().find(|(name, _, _)| loaders.iter().any(|l| l.ends_with(name))).map(|(_, arch, libc)| (*arch, *libc))
}

fn from_machine(machine: &str) -> Arch {
    match machine {
        "x86_64" | "amd64" => Arch::Known("x86_64".into()),
        "aarch64" | "arm64" => Arch::Known("aarch64".into()),
        "i386" | "i486" | "i586" | "i686" => Arch::Known("i686".into()),
        "armv7l" | "armv8l" => Arch::Known("armv7".into()),
        "armv6l" => Arch::Known("arm".into()),
        other => Arch::Unsupported(format!("machine '{other}'")),
    }
}

fn triple(arch: &str, libc: Libc) -> String {
    let (arch, abi_gnu, abi_musl) = match arch {
        "arm" => ("arm", "gnueabihf", "musleabihf"),
        "arm-soft" => ("arm", "gnueabi", "musleabi"),
        "armv7" => ("armv7", "gnueabihf", "musleabihf"),
        other => (other, "gnu", "musl"),
    };
    format!("{arch}-unknown-linux-{}", if libc == Libc::Musl { abi_musl } else { abi_gnu })
}

fn advice(triple: &str) -> &'static str {
    if triple.contains("musleabi") {
        "; use a glibc-based image (e.g. Debian) on this board, or install an aarch64 or x86_64 toolchain elsewhere and cross-compile for this target"
    } else {
        "; install a toolchain on a supported host and cross-compile for this target"
    }
}

/// The value of the first `key : value` line of `/proc/cpuinfo` with this key.
fn field<'a>(cpuinfo: &'a str, key: &str) -> Option<&'a str> {
    cpuinfo.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        (k.trim() == key).then(|| v.trim())
    })
}

/// The `Features` flags of `/proc/cpuinfo` (first `Features` or `flags` line).
pub fn features(cpuinfo: &str) -> Vec<String> {
    cpuinfo
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            matches!(k.trim(), "Features" | "flags").then(|| v.split_whitespace().map(str::to_owned).collect())
        })
        .unwrap_or_default()
}

fn arm_arch_name(tag: u64) -> &'static str {
    match tag {
        0 => "pre-v4",
        1 => "ARMv4",
        2 => "ARMv4T",
        3 => "ARMv5T",
        4 => "ARMv5TE",
        5 => "ARMv5TEJ",
        6 => "ARMv6",
        7 => "ARMv6KZ",
        8 => "ARMv6T2",
        9 => "ARMv6K",
        10 => "ARMv7",
        11 => "ARMv6-M",
        12 => "ARMv6S-M",
        13 => "ARMv7E-M",
        14 => "ARMv8-A",
        _ => "later",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn triple_of(input: &Input) -> String {
        match decide(input).decision {
            Decision::Host { triple, .. } => triple,
            Decision::Refused { detected, .. } => format!("refused {detected}"),
        }
    }

    #[test]
    fn cpuinfo_features_ignore_the_cpu_architecture_line() {
        let pi_zero = "model name\t: ARMv6-compatible processor rev 7 (v6l)\nFeatures\t: half thumb fastmult vfp edsp java tls\nCPU architecture: 7\n";
        assert_eq!(features(pi_zero), ["half", "thumb", "fastmult", "vfp", "edsp", "java", "tls"]);
        assert_eq!(field(pi_zero, "CPU architecture"), Some("7"));
        assert!(features("processor : 0\n").is_empty());
    }

    #[test]
    fn without_a_userland_the_loaders_then_the_machine_decide() {
        let loaders =
            |l: &[&str]| Input { machine: "aarch64".into(), loaders: l.iter().map(|s| (*s).to_owned()).collect(), ..Input::default() };
        assert_eq!(triple_of(&loaders(&["/lib/ld-musl-aarch64.so.1"])), "aarch64-unknown-linux-musl");
        assert_eq!(triple_of(&loaders(&["/lib/ld-linux-armhf.so.3"])), "arm-unknown-linux-gnueabihf");
        assert_eq!(triple_of(&loaders(&["/lib/ld-linux.so.2"])), "i686-unknown-linux-gnu");
        assert_eq!(triple_of(&loaders(&[])), "aarch64-unknown-linux-gnu");
        assert_eq!(triple_of(&Input { machine: "sparc64".into(), ..Input::default() }), "refused machine 'sparc64'");
    }

    #[test]
    fn synthetic_elf_facts() {
        let input = |facts: ElfFacts, machine: &str, cpuinfo: Option<&str>| Input {
            machine: machine.into(),
            userland: Some(("/bin/sh".into(), facts)),
            cpuinfo: cpuinfo.map(str::to_owned),
            ..Input::default()
        };
        let x32 = ElfFacts { class: 32, machine: EM_X86_64, ..ElfFacts::default() };
        assert!(triple_of(&input(x32, "x86_64", None)).starts_with("refused an x32 userland"));
        // Hard-float known only from Tag_ABI_VFP_args (no e_flags float bits, old toolchains).
        let vfp = ElfFacts {
            class: 32,
            machine: EM_ARM,
            flags: 0x0500_0000,
            arm_vfp_args: Some(1),
            arm_cpu_arch: Some(10),
            ..ElfFacts::default()
        };
        assert_eq!(triple_of(&input(vfp.clone(), "armv7l", Some("Features : neon"))), "armv7-unknown-linux-gnueabihf");
        // NEON is shown where it decides something (ARM), not on x86.
        assert!(decide(&input(vfp, "armv7l", Some("Features : neon"))).evidence.iter().any(|l| l.contains("NEON/ASIMD yes")));
        let amd64 = ElfFacts { class: 64, machine: EM_X86_64, ..ElfFacts::default() };
        let ev = decide(&input(amd64, "x86_64", Some("model name : AMD EPYC\nflags : sse2\n"))).evidence;
        assert!(ev.iter().any(|l| l == "cpu: AMD EPYC (/proc/cpuinfo)") && !ev.iter().any(|l| l.contains("NEON")), "{ev:?}");
        let rv = ElfFacts { class: 64, machine: EM_RISCV, interp: Some("/lib/ld-linux-riscv64-lp64d.so.1".into()), ..ElfFacts::default() };
        assert_eq!(triple_of(&input(rv, "riscv64", None)), "riscv64gc-unknown-linux-gnu");
        let musl_static = ElfFacts { class: 64, machine: EM_X86_64, interp: None, ..ElfFacts::default() };
        let mut i = input(musl_static, "x86_64", None);
        i.loaders = vec!["/lib/ld-musl-x86_64.so.1".into()];
        assert_eq!(triple_of(&i), "x86_64-unknown-linux-musl", "a static busybox in an Alpine root");
    }
}
