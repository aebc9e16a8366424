//! What a Windows program's failure to run means, for [`super::run_check`]. Windows has no signals
//! and no ELF loader: a program that cannot load a DLL or executes an instruction the CPU lacks is
//! started, then ends with an NTSTATUS as its exit code; a file for another machine fails
//! `CreateProcess` with `ERROR_BAD_EXE_FORMAT`. Pure (codes and bytes in, diagnosis out), so it is
//! tested on Linux; compiled on every system.
//!
//! | exit code (NTSTATUS, ntstatus.h) | what the user is told |
//! |---|---|
//! | `0xC0000135` `STATUS_DLL_NOT_FOUND` | a DLL is missing: the Visual C++ runtime for `-msvc`, the mingw runtime for `-gnu` |
//! | `0xC000007B` `STATUS_INVALID_IMAGE_FORMAT` | a DLL found first on `PATH` is for another architecture |
//! | `0xC000001D` `STATUS_ILLEGAL_INSTRUCTION` | the CPU lacks instructions the build needs |
//! | `0xC0000005` `STATUS_ACCESS_VIOLATION` | it crashed |
//!
//! | `CreateProcess` error (winerror.h) | what the user is told |
//! |---|---|
//! | 193 `ERROR_BAD_EXE_FORMAT`, 216 `ERROR_EXE_MACHINE_TYPE_MISMATCH` | built for another machine (the PE header's, when readable) |

use super::run_failure::RunFailure;

/// `STATUS_DLL_NOT_FOUND`.
pub const STATUS_DLL_NOT_FOUND: u32 = 0xC000_0135;
/// `STATUS_INVALID_IMAGE_FORMAT`.
pub const STATUS_INVALID_IMAGE_FORMAT: u32 = 0xC000_007B;
/// `STATUS_ILLEGAL_INSTRUCTION`.
pub const STATUS_ILLEGAL_INSTRUCTION: u32 = 0xC000_001D;
/// `STATUS_ACCESS_VIOLATION`.
pub const STATUS_ACCESS_VIOLATION: u32 = 0xC000_0005;
/// `ERROR_BAD_EXE_FORMAT`: "%1 is not a valid Win32 application".
pub const ERROR_BAD_EXE_FORMAT: i32 = 193;
/// `ERROR_EXE_MACHINE_TYPE_MISMATCH`.
pub const ERROR_EXE_MACHINE_TYPE_MISMATCH: i32 = 216;

/// The diagnosis for a program that ended with exit code `code` when that code is an NTSTATUS
/// this table knows; `None` for ordinary exit codes (which are the program's own business).
/// `code` is `ExitStatus::code()`: the 32-bit exit code read as signed.
pub fn exit_failure(program: &str, code: i32, suggest: &str) -> Option<RunFailure> {
    let program = program.to_owned();
    let suggest = suggest.to_owned();
    Some(match code.cast_unsigned() {
        STATUS_DLL_NOT_FOUND => RunFailure::MissingDll { program, suggest },
        STATUS_ILLEGAL_INSTRUCTION => RunFailure::IllegalInstruction { program, suggest },
        STATUS_INVALID_IMAGE_FORMAT => RunFailure::Other {
            program,
            detail: "a DLL it loads is built for another architecture (0xC000007B STATUS_INVALID_IMAGE_FORMAT): a 32-bit and a 64-bit copy of one DLL are mixed up on PATH".to_owned(),
        },
        STATUS_ACCESS_VIOLATION => RunFailure::Other {
            program,
            detail: "it crashed with an access violation (0xC0000005 STATUS_ACCESS_VIOLATION)".to_owned(),
        },
        _ => return None,
    })
}

/// The diagnosis for `CreateProcess` failing with `raw` (`io::Error::raw_os_error`), given the
/// first bytes of the program's file (for its PE machine); `None` when `raw` is not one of the
/// codes above.
pub fn spawn_failure(program: &str, raw: i32, head: &[u8], suggest: &str) -> Option<RunFailure> {
    if raw != ERROR_BAD_EXE_FORMAT && raw != ERROR_EXE_MACHINE_TYPE_MISMATCH {
        return None;
    }
    let built_for = match pe_machine(head) {
        Some(m) => format!("PE {} ({m:#06x})", super::decide_windows::machine_name(m)),
        None => "something other than a Windows program of this machine (no PE header)".to_owned(),
    };
    Some(RunFailure::ExecFormat { program: program.to_owned(), built_for, suggest: suggest.to_owned() })
}

/// How many bytes [`pe_machine`] needs from the start of a file, at most.
pub const PE_HEAD: usize = 4096;

/// The COFF `Machine` of a PE file (`IMAGE_FILE_MACHINE_*`) from its first bytes: the `MZ` header's
/// `e_lfanew` (offset 0x3C) points to `PE\0\0`, followed by the machine (little-endian u16).
pub fn pe_machine(head: &[u8]) -> Option<u16> {
    if head.get(..2)? != b"MZ" {
        return None;
    }
    let at = usize::try_from(u32::from_le_bytes(head.get(0x3C..0x40)?.try_into().ok()?)).ok()?;
    if head.get(at..at + 4)? != b"PE\0\0" {
        return None;
    }
    Some(u16::from_le_bytes(head.get(at + 4..at + 6)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The exit codes as `ExitStatus::code()` gives them on Windows (the u32 read as i32), e.g.
    /// -1073741515 for a rustc.exe whose vcruntime140.dll is missing.
    #[test]
    fn ntstatus_exit_codes_say_what_happened() {
        let missing = exit_failure(r"C:\t\rustc.exe", -1_073_741_515, "x86_64-pc-windows-msvc").unwrap();
        assert_eq!(missing, RunFailure::MissingDll { program: r"C:\t\rustc.exe".into(), suggest: "x86_64-pc-windows-msvc".into() });
        let text = missing.to_string();
        assert!(text.contains("0xC0000135") && text.contains("Visual C++") && text.contains("mingw"), "{text}");
        assert!(matches!(exit_failure("rustc", 0xC000_001Du32.cast_signed(), "h"), Some(RunFailure::IllegalInstruction { .. })));
        let av = exit_failure("rustc", 0xC000_0005u32.cast_signed(), "h").unwrap().to_string();
        assert_eq!(av, "rustc --version failed: it crashed with an access violation (0xC0000005 STATUS_ACCESS_VIOLATION)");
        assert!(exit_failure("rustc", 0xC000_007Bu32.cast_signed(), "h").unwrap().to_string().contains("another architecture"));
        assert_eq!(exit_failure("rustc", 1, "h"), None, "an ordinary exit code");
        assert_eq!(exit_failure("rustc", 101, "h"), None);
    }

    /// Laid out as the header of an `.exe` built here by `x86_64-w64-mingw32-gcc` (`e_lfanew`
    /// 0x80, `PE\0\0`, machine 0x8664), with the machine then set to ARM64.
    #[test]
    fn bad_exe_format_names_the_pe_machine() {
        let mut head = vec![0u8; 0x90];
        head[..2].copy_from_slice(b"MZ");
        head[0x3C] = 0x80;
        head[0x80..0x84].copy_from_slice(b"PE\0\0");
        head[0x84..0x86].copy_from_slice(&0x8664u16.to_le_bytes());
        assert_eq!(pe_machine(&head), Some(0x8664));
        head[0x84..0x86].copy_from_slice(&0xAA64u16.to_le_bytes());
        assert_eq!(pe_machine(&head), Some(0xAA64));
        let f = spawn_failure("rustc.exe", ERROR_BAD_EXE_FORMAT, &head, "x86_64-pc-windows-msvc").unwrap().to_string();
        assert_eq!(
            f,
            "rustc.exe cannot start: exec format error: it is built for PE ARM64 (0xaa64), which this kernel cannot run; use host x86_64-pc-windows-msvc"
        );
        let elf = b"\x7fELF\x02\x01\x01";
        assert!(spawn_failure("rustc.exe", ERROR_BAD_EXE_FORMAT, elf, "h").unwrap().to_string().contains("no PE header"));
        assert_eq!(spawn_failure("rustc.exe", 2, &head, "h"), None, "ERROR_FILE_NOT_FOUND is not diagnosed here");
        assert_eq!(pe_machine(&head[..0x84]), None, "truncated");
    }
}
