//! The macOS reads behind host detection: `uname -m` and two sysctls. Only reads; the decision is
//! [`super::decide_macos`], tested on Linux from captured values.
#![allow(unsafe_code)]

use super::decide_macos::MacInput;

/// What macOS reports about this process and machine. `machine` is `--machine` /
/// `TCUP_HOST_MACHINE`.
pub fn probe(machine: Option<&str>) -> MacInput {
    MacInput {
        machine_override: machine.map(str::to_owned),
        machine: rustix::system::uname().machine().to_string_lossy().into_owned(),
        proc_translated: sysctl_int(c"sysctl.proc_translated"),
        optional_arm64: sysctl_int(c"hw.optional.arm64"),
    }
}

/// An integer sysctl by name (`sysctlbyname(3)`); `None` when the name does not exist here.
fn sysctl_int(name: &std::ffi::CStr) -> Option<i32> {
    let mut value: libc::c_int = 0;
    let mut size = std::mem::size_of::<libc::c_int>();
    // SAFETY: a NUL-terminated name; `value` and `size` are live and `size` is `value`'s size;
    // no new value is written (null pointer, length 0).
    let rc = unsafe { libc::sysctlbyname(name.as_ptr(), (&raw mut value).cast(), &raw mut size, std::ptr::null_mut(), 0) };
    (rc == 0 && size == std::mem::size_of::<libc::c_int>()).then_some(value)
}
