//! The Windows reads behind host detection and the MSVC linker check: `IsWow64Process2`, two
//! environment variables, `vswhere.exe`, `PATH` and `VCINSTALLDIR`. Only reads; every decision is
//! in [`super::decide_windows`] and [`super::msvc`], tested on Linux from captured values.
#![allow(unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use windows_sys::Win32::Foundation::HANDLE;
use windows_sys::Win32::System::LibraryLoader::{GetModuleHandleW, GetProcAddress};
use windows_sys::Win32::System::Threading::GetCurrentProcess;

use super::decide_windows::WindowsInput;
use super::msvc::{MsvcFacts, VsWhere};
use super::run_check::Waited;

/// `IsWow64Process2`'s signature, as `windows_sys::Win32::System::Threading::IsWow64Process2`
/// declares it.
type IsWow64Process2 = unsafe extern "system" fn(HANDLE, *mut u16, *mut u16) -> windows_sys::core::BOOL;

/// What Windows reports about this process and machine. `machine` is `--machine` /
/// `TCUP_HOST_MACHINE`.
pub fn probe(machine: Option<&str>) -> WindowsInput {
    WindowsInput {
        machine_override: machine.map(str::to_owned),
        wow64: is_wow64_process2(),
        architew6432: std::env::var("PROCESSOR_ARCHITEW6432").ok(),
        architecture: std::env::var("PROCESSOR_ARCHITECTURE").ok(),
        build_arch: std::env::consts::ARCH.to_owned(),
    }
}

/// `(process machine, native machine)` from `IsWow64Process2(GetCurrentProcess())`, looked up with
/// `GetProcAddress` rather than imported: a tcup that imported it would not start at all on
/// Windows 10 before version 1511, where the function is missing (rustup looks it up the same
/// way), and the environment would never get to answer.
fn is_wow64_process2() -> Option<(u16, u16)> {
    let kernel32: Vec<u16> = "kernel32.dll\0".encode_utf16().collect();
    // SAFETY: a NUL-terminated UTF-16 name; kernel32 is loaded in every Windows process, and the
    // handle needs no release.
    let module = unsafe { GetModuleHandleW(kernel32.as_ptr()) };
    if module.is_null() {
        return None;
    }
    // SAFETY: a valid module handle and a NUL-terminated ANSI name.
    let found = unsafe { GetProcAddress(module, c"IsWow64Process2".as_ptr().cast()) }?;
    // SAFETY: kernel32's export of this name has exactly this signature (winbase.h).
    let is_wow64_process2 = unsafe { std::mem::transmute::<unsafe extern "system" fn() -> isize, IsWow64Process2>(found) };
    let (mut process, mut native) = (0u16, 0u16);
    // SAFETY: the current-process pseudo handle is always valid; both pointers are to live u16s.
    let ok = unsafe { is_wow64_process2(GetCurrentProcess(), &raw mut process, &raw mut native) };
    (ok != 0).then_some((process, native))
}

/// How long `vswhere.exe` may take (it reads the installer's state files; well under a second).
const VSWHERE_LIMIT: Duration = Duration::from_secs(10);

/// Where a Visual C++ linker for `host` might be: `vswhere.exe` asked for the host's VC tools
/// component ([`super::msvc::vswhere_component`]), `link.exe` on `PATH`, `VCINSTALLDIR`; plus
/// `RUSTUP_INIT_SKIP_MSVC_CHECK`.
pub fn msvc_facts(host: &str) -> MsvcFacts {
    let program_files = std::env::var_os("ProgramFiles(x86)").or_else(|| std::env::var_os("ProgramFiles"));
    let vswhere = program_files.map(|pf| Path::new(&pf).join(r"Microsoft Visual Studio\Installer\vswhere.exe"));
    MsvcFacts {
        skip: std::env::var_os("RUSTUP_INIT_SKIP_MSVC_CHECK").is_some(),
        vswhere: vswhere.map_or(VsWhere::Missing(None), |exe| run_vswhere(&exe, super::msvc::vswhere_component(host))),
        link_on_path: std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).map(|d| d.join("link.exe")).filter(|f| f.is_file()).collect())
            .unwrap_or_default(),
        vcinstalldir: std::env::var("VCINSTALLDIR").ok().filter(|v| !v.is_empty()),
    }
}

/// `vswhere.exe -latest -products * -requires <component> -property installationPath`: the
/// installation's directory, nothing when no installation has the component.
fn run_vswhere(exe: &Path, component: &str) -> VsWhere {
    if !exe.is_file() {
        return VsWhere::Missing(Some(exe.to_path_buf()));
    }
    let args = ["-latest", "-products", "*", "-requires", component, "-property", "installationPath", "-utf8"];
    let child = Command::new(exe).args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn();
    let out = match child.map(|c| super::run_check::wait_bounded(c, VSWHERE_LIMIT)) {
        Ok(Waited::Exited(_, out, _)) => out,
        Ok(Waited::TimedOut) => return VsWhere::Failed(format!("no answer within {} s", VSWHERE_LIMIT.as_secs())),
        Ok(Waited::Failed(why)) => return VsWhere::Failed(why),
        Err(e) => return VsWhere::Failed(e.to_string()),
    };
    match out.lines().map(str::trim).find(|l| !l.is_empty()) {
        Some(dir) => VsWhere::Found(PathBuf::from(dir)),
        None => VsWhere::NotFound(exe.to_path_buf()),
    }
}
