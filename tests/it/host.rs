//! Host detection over fake roots built from real Debian ELF files (`tests/fixtures/host/`), one
//! per system in the issue's table, through `tcup doctor host --root DIR --machine NAME`; and the
//! diagnoses of an installed program that does not run, with real files.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tcup::host::elf::ElfFacts;
use tcup::host::run_check::{RunFailure, run_version};

use crate::support::{Sandbox, Scenario, run, served};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/host").join(name)).unwrap()
}

/// `data` with its `PT_INTERP` string replaced by `new` (no longer than the old one; NUL-padded).
fn with_interp(mut data: Vec<u8>, new: &str) -> Vec<u8> {
    let old = ElfFacts::parse(&data).unwrap().interp.unwrap();
    assert!(new.len() <= old.len(), "{new} longer than {old}");
    let at = data.windows(old.len()).position(|w| w == old.as_bytes()).unwrap();
    data[at..at + old.len()].fill(0);
    data[at..at + new.len()].copy_from_slice(new.as_bytes());
    assert_eq!(ElfFacts::parse(&data).unwrap().interp.as_deref(), Some(new));
    data
}

/// Debian's armhf dash turned into a Raspbian-style ARMv6 file: `Tag_CPU_name` "7-A" → "6KZ",
/// `Tag_CPU_arch` 10 (v7) → 7 (v6KZ). Hard-float flags and loader stay as they are.
fn armv6_hard_float() -> Vec<u8> {
    let mut data = fixture("dash-armhf");
    let pattern = [0x05, b'7', b'-', b'A', 0x00, 0x06, 0x0a];
    let at = data.windows(pattern.len()).position(|w| w == pattern).unwrap();
    data[at..at + pattern.len()].copy_from_slice(&[0x05, b'6', b'K', b'Z', 0x00, 0x06, 0x07]);
    assert_eq!(ElfFacts::parse(&data).unwrap().arm_cpu_arch, Some(7));
    data
}

const PI_ZERO: &str = "processor\t: 0\nmodel name\t: ARMv6-compatible processor rev 7 (v6l)\nBogoMIPS\t: 697.95\nFeatures\t: half thumb fastmult vfp edsp java tls \nCPU implementer\t: 0x41\nCPU architecture: 7\nCPU variant\t: 0x0\nCPU part\t: 0xb76\nHardware\t: BCM2835\n";
const PI4_ARM64: &str = "processor\t: 0\nBogoMIPS\t: 108.00\nFeatures\t: fp asimd evtstrm crc32 cpuid\nCPU implementer\t: 0x41\nCPU architecture: 8\nCPU part\t: 0xd08\nHardware\t: BCM2835\nModel\t: Raspberry Pi 4 Model B Rev 1.4\n";
const ARMV7_NEON: &str = "processor\t: 0\nmodel name\t: ARMv7 Processor rev 2 (v7l)\nFeatures\t: half thumb fastmult vfp edsp thumbee neon vfpv3 tls vfpd32\nCPU architecture: 7\nHardware\t: Generic AM33XX (Flattened Device Tree)\n";
const ARMV7_NO_NEON: &str = "processor\t: 0\nmodel name\t: ARMv7 Processor rev 0 (v7l)\nFeatures\t: half thumb fastmult vfp edsp vfpv3 vfpv3d16 tls\nCPU architecture: 7\nHardware\t: NVIDIA Tegra SoC (Flattened Device Tree)\n";
const ARM1176_QEMU: &str = "processor\t: 0\nmodel name\t: ARMv6-compatible processor rev 7 (v6l)\nFeatures\t: half thumb fastmult vfp edsp java tls \nCPU architecture: 7\nHardware\t: ARM-Versatile (Device Tree Support)\n";
const X86: &str = "processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: fpu vme de pse tsc msr pae sse sse2 lm\n";

/// A fake system: `/bin/sh`, loader files, `proc/cpuinfo`, other files.
struct Root {
    sh: Option<Vec<u8>>,
    loaders: &'static [&'static str],
    cpuinfo: Option<&'static str>,
    extra: &'static [&'static str],
}

fn lay_out(root: &Root) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let put = |rel: &str, data: &[u8]| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
    };
    if let Some(sh) = &root.sh {
        put("bin/sh", sh);
    }
    for l in root.loaders {
        put(l.trim_start_matches('/'), b"");
    }
    if let Some(c) = root.cpuinfo {
        put("proc/cpuinfo", c.as_bytes());
    }
    for e in root.extra {
        put(e.trim_start_matches('/'), b"");
    }
    dir
}

/// Runs `tcup doctor host` on the fake root; returns (exit code, stdout).
fn doctor(root: &Root, machine: &str) -> (i32, String) {
    let dir = lay_out(root);
    let sb = Sandbox::new();
    let r = run(sb.tcup("http://127.0.0.1:9").args(["doctor", "host", "--root", dir.path().to_str().unwrap(), "--machine", machine]));
    (r.code, r.stdout)
}

#[track_caller]
fn expect(root: &Root, machine: &str, first_line: &str, evidence: &[&str]) -> String {
    let (code, out) = doctor(root, machine);
    assert_eq!(out.lines().next().unwrap_or(""), first_line, "full output:\n{out}");
    assert_eq!(code, i32::from(first_line.starts_with("refused")), "exit code; output:\n{out}");
    for e in evidence {
        assert!(out.contains(e), "evidence lacks {e:?}:\n{out}");
    }
    out
}

#[test]
fn host_table_arm() {
    // 1. Raspberry Pi Zero/1, Raspbian: ARMv6 hard-float userland, ARMv6 CPU ("CPU architecture: 7" is a lie).
    let raspbian = || Some(armv6_hard_float());
    expect(
        &Root { sh: raspbian(), loaders: &["/lib/ld-linux-armhf.so.3"], cpuinfo: Some(PI_ZERO), extra: &[] },
        "armv6l",
        "arm-unknown-linux-gnueabihf",
        &["Tag_CPU_arch: 7 (ARMv6KZ)", "NEON/ASIMD no", "float ABI: hard-float (EABI version 5)"],
    );
    // 2. Pi 4 with 32-bit Raspberry Pi OS on a 64-bit kernel: armv7 host, plus the arm target and the note.
    let out = expect(
        &Root { sh: raspbian(), loaders: &["/lib/ld-linux-armhf.so.3"], cpuinfo: Some(PI4_ARM64), extra: &[] },
        "aarch64",
        "armv7-unknown-linux-gnueabihf",
        &[
            "also installs target: arm-unknown-linux-gnueabihf",
            "programs built by default will not run on ARMv6 boards",
            "--target arm-unknown-linux-gnueabihf",
        ],
    );
    assert!(out.contains("ELF32 ARM"), "{out}");
    // 3. Pi 4 with 64-bit OS.
    expect(
        &Root { sh: Some(fixture("dash-arm64")), loaders: &[], cpuinfo: Some(PI4_ARM64), extra: &[] },
        "aarch64",
        "aarch64-unknown-linux-gnu",
        &["ELF64 AArch64"],
    );
    // 4. Debian armhf on an ARMv7 kernel with NEON.
    expect(
        &Root { sh: Some(fixture("dash-armhf")), loaders: &[], cpuinfo: Some(ARMV7_NEON), extra: &[] },
        "armv7l",
        "armv7-unknown-linux-gnueabihf",
        &["Tag_CPU_arch: 10 (ARMv7)"],
    );
    // 5. ARMv7 CPU without NEON.
    expect(
        &Root { sh: Some(fixture("dash-armhf")), loaders: &[], cpuinfo: Some(ARMV7_NO_NEON), extra: &[] },
        "armv7l",
        "arm-unknown-linux-gnueabihf",
        &["NEON/ASIMD no"],
    );
    // 6. Debian armel (soft-float) on ARMv6.
    expect(
        &Root { sh: Some(fixture("dash-armel")), loaders: &["/lib/ld-linux.so.3"], cpuinfo: Some(PI_ZERO), extra: &[] },
        "armv6l",
        "arm-unknown-linux-gnueabi",
        &["float ABI: soft-float", "interpreter=/lib/ld-linux.so.3"],
    );
    // 13. qemu-user -cpu arm1176 with a Raspbian root.
    expect(&Root { sh: raspbian(), loaders: &[], cpuinfo: Some(ARM1176_QEMU), extra: &[] }, "armv6l", "arm-unknown-linux-gnueabihf", &[]);
}

#[test]
fn host_table_musl_x86_android() {
    // 7. Alpine aarch64.
    let alpine_arm64 = with_interp(fixture("dash-arm64"), "/lib/ld-musl-aarch64.so.1");
    expect(
        &Root { sh: Some(alpine_arm64), loaders: &["/lib/ld-musl-aarch64.so.1"], cpuinfo: Some(PI4_ARM64), extra: &[] },
        "aarch64",
        "aarch64-unknown-linux-musl",
        &["libc: musl"],
    );
    // 8. Alpine armv7 container on aarch64: no host toolchain exists.
    let alpine_v7 = with_interp(fixture("dash-armhf"), "/lib/ld-musl-armhf.so.1");
    expect(
        &Root { sh: Some(alpine_v7), loaders: &["/lib/ld-musl-armhf.so.1"], cpuinfo: Some(PI4_ARM64), extra: &[] },
        "aarch64",
        "refused: no Rust host toolchain exists for armv7-unknown-linux-musleabihf (the channel manifest has no available rustc for it); use a glibc-based image (e.g. Debian) on this board, or install an aarch64 or x86_64 toolchain elsewhere and cross-compile for this target",
        &[],
    );
    // 9. i386 Debian container on x86_64.
    expect(
        &Root { sh: Some(fixture("dash-i386")), loaders: &["/lib/ld-linux.so.2"], cpuinfo: Some(X86), extra: &[] },
        "x86_64",
        "i686-unknown-linux-gnu",
        &["ELF32 i386", "machine: x86_64"],
    );
    // 10. Alpine x86_64.
    let alpine = with_interp(fixture("dash-amd64"), "/lib/ld-musl-x86_64.so.1");
    expect(
        &Root { sh: Some(alpine), loaders: &["/lib/ld-musl-x86_64.so.1"], cpuinfo: Some(X86), extra: &[] },
        "x86_64",
        "x86_64-unknown-linux-musl",
        &[],
    );
    // 11. Distroless musl: no /bin/sh, no ldd, only the loader.
    expect(
        &Root { sh: None, loaders: &["/lib/ld-musl-x86_64.so.1"], cpuinfo: Some(X86), extra: &[] },
        "x86_64",
        "x86_64-unknown-linux-musl",
        &["decided from the loaders present", "loader present: /lib/ld-musl-x86_64.so.1"],
    );
    // 12. Termux / Android.
    let (code, out) = doctor(
        &Root { sh: Some(fixture("dash-arm64")), loaders: &[], cpuinfo: Some(PI4_ARM64), extra: &["/system/bin/linker64"] },
        "aarch64",
    );
    assert_eq!(code, 1);
    assert!(out.starts_with("refused: ") && out.contains("pkg install rust"), "{out}");
}

#[test]
fn host_table_no_proc() {
    // 14. No /proc mounted (docker build): the userland read directly decides.
    expect(
        &Root { sh: Some(fixture("dash-i386")), loaders: &[], cpuinfo: None, extra: &[] },
        "x86_64",
        "i686-unknown-linux-gnu",
        &["cpu: unknown (/proc/cpuinfo not readable)"],
    );
    expect(
        &Root { sh: Some(fixture("dash-armhf")), loaders: &[], cpuinfo: None, extra: &[] },
        "aarch64",
        "armv7-unknown-linux-gnueabihf",
        &["the userland's Tag_CPU_arch decides"],
    );
}

/// `data` (a little-endian ELF32 file) with `pad` zero bytes inserted before its non-loaded
/// sections and section header table, which move to the end, as in a large static busybox.
fn with_sections_after(mut data: Vec<u8>, pad: usize) -> Vec<u8> {
    let u16_at = |d: &[u8], at: usize| usize::from(u16::from_le_bytes([d[at], d[at + 1]]));
    let u32_at = |d: &[u8], at: usize| u32::from_le_bytes(d[at..at + 4].try_into().unwrap()) as usize;
    let (shoff, shentsize, shnum) = (u32_at(&data, 0x20), u16_at(&data, 0x2e), u16_at(&data, 0x30));
    let table = data[shoff..shoff + shentsize * shnum].to_vec();
    data.resize(data.len() + pad, 0);
    let mut moved = table.clone();
    for i in 0..shnum {
        let h = i * shentsize;
        let (kind, flags, offset, size) =
            (u32_at(&table, h + 4), u32_at(&table, h + 8), u32_at(&table, h + 0x10), u32_at(&table, h + 0x14));
        if kind != 8 && flags & 2 == 0 && size > 0 {
            // SHT_NOBITS has no bytes; SHF_ALLOC sections stay where the program headers map them.
            let new = u32::try_from(data.len()).unwrap();
            let bytes = data[offset..offset + size].to_vec();
            data.extend_from_slice(&bytes);
            moved[h + 0x10..h + 0x14].copy_from_slice(&new.to_le_bytes());
        }
    }
    let new_shoff = u32::try_from(data.len()).unwrap();
    data.extend_from_slice(&moved);
    data[0x20..0x24].copy_from_slice(&new_shoff.to_le_bytes());
    data
}

#[test]
fn attributes_are_read_from_a_large_userland_file() {
    // A 10 MiB static /bin/sh keeps `.ARM.attributes` and its section headers near the end of the
    // file: Tag_CPU_arch must still be read there (it decides armv7 when /proc is not mounted).
    let big = with_sections_after(fixture("dash-armhf"), 10 << 20);
    assert!(big.len() > 10 << 20);
    assert_eq!(ElfFacts::parse(&big).unwrap().arm_cpu_arch, Some(10));
    expect(
        &Root { sh: Some(big), loaders: &[], cpuinfo: None, extra: &[] },
        "aarch64",
        "armv7-unknown-linux-gnueabihf",
        &["ARMv7 with NEON: true (no cpuinfo; the userland's Tag_CPU_arch decides)"],
    );
}

fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let p = dir.join(name);
    std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

#[test]
fn diagnoses_a_missing_loader_with_a_real_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let rustc = dir.path().join("rustc");
    std::fs::write(&rustc, with_interp(fixture("dash-amd64"), "/lib64/ld-tcup-missing.so.2")).unwrap();
    std::fs::set_permissions(&rustc, std::fs::Permissions::from_mode(0o755)).unwrap();
    let err = run_version(&rustc, Duration::from_secs(10), "x86_64-unknown-linux-gnu").unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{} cannot start: it needs /lib64/ld-tcup-missing.so.2, which this system does not have; install the libraries that provide it or use host x86_64-unknown-linux-gnu",
            rustc.display()
        )
    );
}

#[test]
fn diagnoses_a_foreign_armhf_binary() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let rustc = dir.path().join("rustc");
    std::fs::write(&rustc, fixture("dash-armhf")).unwrap();
    std::fs::set_permissions(&rustc, std::fs::Permissions::from_mode(0o755)).unwrap();
    let err = run_version(&rustc, Duration::from_secs(10), "x86_64-unknown-linux-gnu").unwrap_err();
    // With qemu-user registered in binfmt_misc the kernel hands the file to qemu and the armhf
    // loader is what is missing; without it the kernel refuses the format. Either way the message says which.
    let qemu = arm_binfmt_handler();
    let expected = if qemu {
        RunFailure::MissingLoader {
            program: rustc.display().to_string(),
            interp: "/lib/ld-linux-armhf.so.3".into(),
            hint: " (32-bit hard-float glibc loader); install the 32-bit hard-float glibc libraries".into(),
            suggest: "x86_64-unknown-linux-gnu".into(),
        }
    } else {
        RunFailure::ExecFormat {
            program: rustc.display().to_string(),
            built_for: "ELF32 ARM".into(),
            suggest: "x86_64-unknown-linux-gnu".into(),
        }
    };
    assert_eq!(err, expected, "{err}");
    assert!(err.to_string().contains("use host x86_64-unknown-linux-gnu"));
}

#[test]
fn diagnoses_illegal_instruction_and_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let sigill = script(dir.path(), "rustc-sigill", "kill -ILL $$");
    let err = run_version(&sigill, Duration::from_secs(10), "arm-unknown-linux-gnueabihf").unwrap_err();
    assert!(
        err.to_string()
            .contains("killed by an illegal instruction: this CPU lacks features the build needs; use host arm-unknown-linux-gnueabihf"),
        "{err}"
    );
    let hang = script(dir.path(), "rustc-hang", "sleep 30");
    let started = Instant::now();
    let err = run_version(&hang, Duration::from_secs(1), "armv7-unknown-linux-gnueabihf").unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5), "bounded by the limit");
    assert!(err.to_string().contains("gave no answer within 1 s") && err.to_string().contains("sysctl abi.cp15_barrier=2"), "{err}");
    let ok = script(dir.path(), "rustc-ok", "echo 'rustc 1.95.0 (test)'");
    assert_eq!(run_version(&ok, Duration::from_secs(10), "x").unwrap(), "rustc 1.95.0 (test)");
}

/// A synthetic release for aarch64 whose rustc is a real AArch64 ELF file.
fn aarch64_release() -> Scenario {
    Scenario::stable().host("aarch64-unknown-linux-gnu").edit(|dist| dist.comp_mut("rustc").files[0].1 = fixture("dash-arm64"))
}

#[test]
fn explicit_host_that_cannot_run_here_warns_and_diagnoses() {
    let server = served(aarch64_release());
    let sb = Sandbox::new();
    let r = sb.run(&server.url, &["install", "stable", "--profile", "minimal", "--host", "aarch64-unknown-linux-gnu"]).ok();
    assert!(r.stderr.contains("installing for host aarch64-unknown-linux-gnu as asked, but this system looks like"), "{}", r.stderr);
    assert!(r.stderr.contains("the toolchain is installed, but its compiler does not run here:"), "{}", r.stderr);
    assert!(sb.toolchain("stable-aarch64-unknown-linux-gnu").join("bin/rustc").is_file(), "the install stands");
}

#[test]
fn issue19_force_non_host_is_accepted_and_the_warning_stays() {
    // rustup's scripts pass --force-non-host; tcup installs a non-host toolchain without it, so the
    // flag changes nothing but must not be an error.
    let server = served(aarch64_release());
    let sb = Sandbox::new();
    let r =
        sb.run(&server.url, &["toolchain", "install", "--force-non-host", "--profile", "minimal", "stable-aarch64-unknown-linux-gnu"]).ok();
    assert!(r.stderr.contains("installing for host aarch64-unknown-linux-gnu as asked, but this system looks like"), "{}", r.stderr);
    assert!(sb.toolchain("stable-aarch64-unknown-linux-gnu").join("bin/rustc").is_file(), "installed");
}

#[test]
fn issue19_no_toolchain_for_the_host_is_one_line_naming_the_triple_and_the_server() {
    // The real dist server has no rustc for 32-bit ARM hosts at all here: the refusal must say
    // which server, since another (a mirror, the public one) may have it.
    let server = served(Scenario::stable().host("x86_64-unknown-linux-gnu"));
    let sb = Sandbox::new();
    let r = sb.run(&server.url, &["toolchain", "install", "stable", "--host", "armv7-unknown-linux-gnueabihf"]).fails(1, &[]);
    let errors: Vec<&str> = r.stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{}", r.stderr);
    assert!(errors[0].contains("armv7-unknown-linux-gnueabihf") && errors[0].contains(&server.url), "{}", r.stderr);
    assert!(sb.toolchains().is_empty(), "nothing installed: {:?}", sb.toolchains());
}

#[test]
fn raspbian_on_a_pi4_gets_armv7_plus_the_armv6_target_and_one_note() {
    use crate::support::dist::Comp;
    let system =
        lay_out(&Root { sh: Some(armv6_hard_float()), loaders: &["/lib/ld-linux-armhf.so.3"], cpuinfo: Some(PI4_ARM64), extra: &[] });
    let mut v6 = Comp::new("rust-std", "arm-unknown-linux-gnueabihf");
    v6.files = vec![("lib/rustlib/arm-unknown-linux-gnueabihf/lib/libstd.rlib".into(), b"std v6".to_vec(), 0o644)];
    let server = served(Scenario::stable().host("armv7-unknown-linux-gnueabihf").edit(|dist| dist.comps.push(v6)));
    let sb = Sandbox::new();
    let r = run(sb
        .tcup(&server.url)
        .args(["install", "stable", "--profile", "minimal"])
        .env("TCUP_HOST_ROOT", system.path())
        .env("TCUP_HOST_MACHINE", "aarch64"))
    .ok();
    assert_eq!(r.stderr.matches("programs built by default will not run on ARMv6 boards").count(), 1, "{}", r.stderr);
    let tc = sb.toolchain("stable-armv7-unknown-linux-gnueabihf");
    assert!(tc.join("lib/rustlib/arm-unknown-linux-gnueabihf/lib/libstd.rlib").is_file());
    assert!(tc.join("lib/rustlib/armv7-unknown-linux-gnueabihf/lib/libstd.rlib").is_file());
    // And where no toolchain exists, the install is refused before anything is downloaded.
    let alpine = lay_out(&Root {
        sh: Some(with_interp(fixture("dash-armhf"), "/lib/ld-musl-armhf.so.1")),
        loaders: &[],
        cpuinfo: Some(PI4_ARM64),
        extra: &[],
    });
    let before = server.log().len();
    let sb2 = Sandbox::new();
    run(sb2.tcup(&server.url).args(["install", "stable"]).env("TCUP_HOST_ROOT", alpine.path()).env("TCUP_HOST_MACHINE", "aarch64"))
        .fails(1, &["cannot install a Rust toolchain here (detected armv7-unknown-linux-musleabihf)", "tcup doctor host"]);
    assert_eq!(server.log().len(), before, "nothing fetched");
    assert!(sb2.toolchains().is_empty());
}

/// Whether an enabled binfmt_misc handler takes 32-bit little-endian ARM ELF executables (under
/// any name: Debian's `qemu-arm`, or one a script registered for a while).
fn arm_binfmt_handler() -> bool {
    let Ok(entries) = std::fs::read_dir("/proc/sys/fs/binfmt_misc") else { return false };
    entries.filter_map(Result::ok).filter(|e| !matches!(e.file_name().to_str(), Some("register" | "status"))).any(|e| {
        let text = std::fs::read_to_string(e.path()).unwrap_or_default();
        text.lines().next() == Some("enabled") && text.lines().any(|l| l.starts_with("magic 7f454c4601010100000000000000000002002800"))
    })
}

/// `tcup doctor host` explains the choice `toolchain install` makes: with `TCUP_HOST_ROOT` and
/// `TCUP_HOST_MACHINE` set it reads that root, not `/` (it once had its own default of `/`).
#[test]
fn doctor_host_follows_tcup_host_root_and_machine() {
    let dir =
        lay_out(&Root { sh: Some(fixture("dash-arm64")), loaders: &["/lib/ld-linux-aarch64.so.1"], cpuinfo: Some(PI4_ARM64), extra: &[] });
    let sb = Sandbox::new();
    let doctor = |args: &[&str]| {
        run(sb.tcup("http://127.0.0.1:9").env("TCUP_HOST_ROOT", dir.path()).env("TCUP_HOST_MACHINE", "aarch64").args(args)).ok().stdout
    };
    let out = doctor(&["doctor", "host"]);
    assert_eq!(out.lines().next(), Some("aarch64-unknown-linux-gnu"), "{out}");
    // --root still asks about another system.
    let here = doctor(&["doctor", "host", "--root", "/", "--machine", "x86_64"]);
    assert_eq!(here.lines().next(), Some(crate::support::HOST), "{here}");
}
