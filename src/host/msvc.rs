//! Is there a linker for an `-msvc` host? A `*-pc-windows-msvc` toolchain installs and runs
//! without Visual Studio, but `cargo build` then fails at the first link with "linker `link.exe`
//! not found". rustup-init checks before installing (`do_msvc_check` in rust-lang/rustup's
//! `src/cli/self_update/windows.rs`, which asks the `cc` crate for `cl.exe`) and explains the
//! Visual C++ prerequisites; tcup does the same in `tcup-init`'s plan: a warning with the two ways
//! out (install the C++ build tools, or take the GNU host), never a refusal.
//!
//! Found when any of these answers (the probe is `probe_windows::msvc_facts`):
//! - `vswhere.exe` (under `%ProgramFiles(x86)%\Microsoft Visual Studio\Installer`, installed with
//!   every Visual Studio 2017 or later) names an installation with the host's VC tools component
//!   ([`vswhere_component`]);
//! - a `link.exe` on `PATH` that is not Git's or MSYS2's coreutils `link` (`…\usr\bin\link.exe`,
//!   the one that makes rustc's link step fail with "extra operand");
//! - `VCINSTALLDIR` is set (a Developer Command Prompt).
//!
//! `RUSTUP_INIT_SKIP_MSVC_CHECK` (any value) skips the check, as in rustup.

use std::path::PathBuf;

/// What `vswhere.exe` said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VsWhere {
    /// No `vswhere.exe` (at this path; `None` when neither `ProgramFiles(x86)` nor `ProgramFiles`
    /// is set): no Visual Studio 2017 or later was ever installed.
    Missing(Option<PathBuf>),
    /// It ran (this path) and no installation has the component.
    NotFound(PathBuf),
    /// An installation with the component, at this directory.
    Found(PathBuf),
    /// It did not run or gave no answer in time (why).
    Failed(String),
}

/// The facts, as captured on Windows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MsvcFacts {
    /// `RUSTUP_INIT_SKIP_MSVC_CHECK` is set.
    pub skip: bool,
    /// `vswhere.exe`'s answer.
    pub vswhere: VsWhere,
    /// Every `link.exe` on `PATH`, in `PATH` order.
    pub link_on_path: Vec<PathBuf>,
    /// `VCINSTALLDIR`, when set and not empty.
    pub vcinstalldir: Option<String>,
}

/// The Visual Studio component that holds the linker and libraries for `host`'s architecture:
/// `Microsoft.VisualStudio.Component.VC.Tools.ARM64` for `aarch64`, else
/// `Microsoft.VisualStudio.Component.VC.Tools.x86.x64` (the one rustup's installer adds).
pub fn vswhere_component(host: &str) -> &'static str {
    if host.starts_with("aarch64-") {
        "Microsoft.VisualStudio.Component.VC.Tools.ARM64"
    } else {
        "Microsoft.VisualStudio.Component.VC.Tools.x86.x64"
    }
}

/// The GNU-ABI host that runs where `host` (an `-msvc` one) does and needs no Visual Studio:
/// `x86_64-pc-windows-gnu`, `i686-pc-windows-gnu`, `aarch64-pc-windows-gnullvm`.
pub fn gnu_alternative(host: &str) -> String {
    let arch = host.split('-').next().unwrap_or("x86_64");
    if arch == "aarch64" { "aarch64-pc-windows-gnullvm".to_owned() } else { format!("{arch}-pc-windows-gnu") }
}

/// Whether the facts show a usable MSVC linker, and which fact says so (for `--verbose`).
pub fn found(facts: &MsvcFacts) -> Option<String> {
    if let VsWhere::Found(dir) = &facts.vswhere {
        return Some(format!("Visual Studio with the C++ build tools at {} (vswhere.exe)", dir.display()));
    }
    if let Some(link) = facts.link_on_path.iter().find(|l| !is_coreutils_link(l)) {
        return Some(format!("{} (PATH)", link.display()));
    }
    facts.vcinstalldir.as_ref().map(|d| format!("VCINSTALLDIR={d}"))
}

/// The warning for installing `host` with these facts; `None` when `host` is not `-msvc`, a
/// linker is there, or the check is skipped. Several lines: what is missing and what was looked
/// at, how to install the build tools, and the GNU host that needs none.
pub fn warning(host: &str, facts: &MsvcFacts) -> Option<String> {
    if !host.ends_with("-pc-windows-msvc") || facts.skip || found(facts).is_some() {
        return None;
    }
    let vswhere = match &facts.vswhere {
        VsWhere::Missing(Some(p)) => format!("no {}", p.display()),
        VsWhere::Missing(None) => "no vswhere.exe (ProgramFiles(x86) is not set)".to_owned(),
        VsWhere::NotFound(_) => format!("vswhere.exe knows no installation with {}", vswhere_component(host)),
        VsWhere::Failed(why) => format!("vswhere.exe failed: {why}"),
        VsWhere::Found(_) => unreachable!("found() answered"),
    };
    let path = match facts.link_on_path.as_slice() {
        [] => "no link.exe on PATH".to_owned(),
        links => format!(
            "only Git's/MSYS2's coreutils link.exe on PATH ({}), which is not a linker",
            links.iter().map(|l| l.display().to_string()).collect::<Vec<_>>().join(", ")
        ),
    };
    let gnu = gnu_alternative(host);
    Some(format!(
        "host {host} links with Microsoft's linker (link.exe) and the Windows SDK's libraries, and this system does not seem to have them ({vswhere}; {path}; VCINSTALLDIR not set).\n\
         \x20 The toolchain installs either way, but `cargo build` fails at the first link until they are there. Either:\n\
         \x20 - install Visual Studio 2017 or later, or its Build Tools, with the \"Desktop development with C++\" workload (and the English language pack on a non-English system): https://visualstudio.microsoft.com/downloads/ (see https://rust-lang.github.io/rustup/installation/windows-msvc.html); or\n\
         \x20 - use the GNU host, which needs no Visual Studio: --default-host {gnu}."
    ))
}

/// Git for Windows and MSYS2 put coreutils' `link` (make a hard link) in `…\usr\bin`; rustc
/// finding that one first is a well-known "linker `link.exe` failed: extra operand" failure.
fn is_coreutils_link(path: &std::path::Path) -> bool {
    let lower = path.to_string_lossy().replace('/', "\\").to_ascii_lowercase();
    lower.ends_with("\\usr\\bin\\link.exe")
}

#[cfg(test)]
mod tests {
    use super::*;

    const VSWHERE: &str = r"C:\Program Files (x86)\Microsoft Visual Studio\Installer\vswhere.exe";

    fn nothing() -> MsvcFacts {
        MsvcFacts { skip: false, vswhere: VsWhere::Missing(Some(VSWHERE.into())), link_on_path: Vec::new(), vcinstalldir: None }
    }

    /// A fresh Windows 11 with Git for Windows: no Visual Studio installer, Git's `usr\bin` on
    /// PATH (Git's installer offers that as "use Git and optional Unix tools").
    #[test]
    fn a_fresh_windows_gets_the_warning_with_both_ways_out() {
        let mut facts = nothing();
        facts.link_on_path = vec![r"C:\Program Files\Git\usr\bin\link.exe".into()];
        let w = warning("x86_64-pc-windows-msvc", &facts).expect("no linker: a warning");
        assert!(w.starts_with("host x86_64-pc-windows-msvc links with Microsoft's linker (link.exe)"), "{w}");
        assert!(w.contains(&format!("no {VSWHERE}")), "{w}");
        assert!(w.contains(r"only Git's/MSYS2's coreutils link.exe on PATH (C:\Program Files\Git\usr\bin\link.exe)"), "{w}");
        assert!(w.contains("\"Desktop development with C++\""), "{w}");
        assert!(w.contains("--default-host x86_64-pc-windows-gnu"), "{w}");
        assert_eq!(w.lines().count(), 4, "{w}");
    }

    #[test]
    fn any_one_sign_of_a_linker_is_enough() {
        let x64 = "x86_64-pc-windows-msvc";
        let mut f = nothing();
        f.vswhere = VsWhere::Found(r"C:\Program Files\Microsoft Visual Studio\2022\BuildTools".into());
        assert_eq!(warning(x64, &f), None);
        assert!(found(&f).unwrap().ends_with(r"2022\BuildTools (vswhere.exe)"));
        let mut f = nothing();
        f.link_on_path = vec![
            r"C:\msys64\usr\bin\link.exe".into(),
            r"C:\Program Files\Microsoft Visual Studio\2022\Community\VC\Tools\MSVC\14.44.35207\bin\Hostx64\x64\link.exe".into(),
        ];
        assert_eq!(warning(x64, &f), None);
        let mut f = nothing();
        f.vcinstalldir = Some(r"C:\Program Files\Microsoft Visual Studio\2022\Community\VC\".into());
        assert_eq!(warning(x64, &f), None);
        let mut f = nothing();
        f.skip = true;
        assert_eq!(warning(x64, &f), None, "RUSTUP_INIT_SKIP_MSVC_CHECK");
    }

    #[test]
    fn only_msvc_hosts_are_checked_and_each_gets_its_gnu_alternative() {
        assert_eq!(warning("x86_64-pc-windows-gnu", &nothing()), None);
        assert_eq!(warning("x86_64-unknown-linux-gnu", &nothing()), None);
        let mut f = nothing();
        f.vswhere = VsWhere::NotFound(VSWHERE.into());
        let arm = warning("aarch64-pc-windows-msvc", &f).unwrap();
        assert!(arm.contains("vswhere.exe knows no installation with Microsoft.VisualStudio.Component.VC.Tools.ARM64"), "{arm}");
        assert!(arm.contains("--default-host aarch64-pc-windows-gnullvm"), "{arm}");
        assert!(warning("i686-pc-windows-msvc", &f).unwrap().contains("--default-host i686-pc-windows-gnu"));
        assert_eq!(vswhere_component("i686-pc-windows-msvc"), "Microsoft.VisualStudio.Component.VC.Tools.x86.x64");
    }
}
