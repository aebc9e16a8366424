//! The platform reads behind host detection, all relative to a root directory (`/`, or the
//! `--root` of `tcup doctor host`, which is how tests lay out fake systems): the userland's ELF
//! files, the loaders present, `proc/cpuinfo`, Android's linker; plus `uname -m` from the kernel
//! unless overridden. The file is read directly (never `/proc/self/exe`: tcup itself may be a
//! static musl build that says nothing about the userland).

use std::path::Path;

use super::decide::Input;
use super::elf::ElfFacts;

/// Userland files tried in order; the first readable ELF file wins.
const USERLAND: &[&str] = &["bin/sh", "usr/bin/env", "bin/busybox", "bin/dash", "bin/bash", "usr/bin/sh"];

/// Loader files probed (also used when no userland ELF file exists, as in distroless images).
const LOADERS: &[&str] = &[
    "lib/ld-musl-x86_64.so.1",
    "lib/ld-musl-aarch64.so.1",
    "lib/ld-musl-armhf.so.1",
    "lib/ld-musl-arm.so.1",
    "lib/ld-musl-i386.so.1",
    "lib64/ld-linux-x86-64.so.2",
    "lib/ld-linux-aarch64.so.1",
    "lib/ld-linux-armhf.so.3",
    "lib/ld-linux.so.3",
    "lib/ld-linux.so.2",
];

/// `uname -m`: the running kernel's machine name.
#[cfg(unix)]
fn kernel_machine() -> String {
    rustix::system::uname().machine().to_string_lossy().into_owned()
}

/// No Linux kernel runs this process (Windows reading a Linux root such as a WSL distribution's or
/// an unpacked image's): only `--machine` could say; the root's own files decide.
#[cfg(not(unix))]
fn kernel_machine() -> String {
    "unknown (not a Linux kernel)".to_owned()
}

/// Reads the system below `root`. `machine` overrides `uname -m`.
pub fn probe(root: &Path, machine: Option<&str>) -> Input {
    let machine = machine.map_or_else(kernel_machine, str::to_owned);
    let userland = USERLAND.iter().find_map(|rel| {
        let path = root.join(rel);
        let file = fs_err::File::open(path).ok()?;
        ElfFacts::read(file).ok().map(|f| (format!("/{rel}"), f))
    });
    let loaders = LOADERS.iter().filter(|rel| root.join(rel).exists()).map(|rel| format!("/{rel}")).collect();
    let cpuinfo = fs_err::read_to_string(root.join("proc/cpuinfo")).ok().filter(|s| !s.is_empty());
    let android =
        ["system/bin/linker64", "system/bin/linker"].iter().find(|rel| root.join(rel).exists()).map(|rel| format!("/{rel} exists"));
    Input { machine, userland, loaders, cpuinfo, android }
}
