//! Does a host the user asked for run on the system detection found? Decides whether
//! `toolchain install --host …` (or a name's triple, or `--default-host`) deserves the "the
//! toolchain may not run here" warning.
//!
//! | detected | also runs |
//! |---|---|
//! | `A-pc-windows-msvc` | `A-pc-windows-gnu`, `A-pc-windows-gnullvm` (the same machine, another ABI: rustup's `-gnu` when asked) |
//! | `x86_64-pc-windows-*` | `i686-pc-windows-*` (WOW64) |
//! | `aarch64-pc-windows-*` | `i686-` and `x86_64-pc-windows-*` (Windows 11's x86 and x64 emulation) |
//! | `aarch64-apple-darwin` | `x86_64-apple-darwin` (Rosetta 2) |
//! | anything else | itself only (on Linux a 32-bit host needs 32-bit libraries that may be absent) |

/// Whether `requested` runs where detection found `detected`. Pure.
pub fn runs_here(requested: &str, detected: &str) -> bool {
    if requested == detected {
        return true;
    }
    let split = |t: &str| t.split_once('-').map(|(arch, rest)| (arch.to_owned(), rest.to_owned()));
    let (Some((want, want_rest)), Some((have, have_rest))) = (split(requested), split(detected)) else {
        return false;
    };
    let windows_abi = |rest: &str| matches!(rest, "pc-windows-msvc" | "pc-windows-gnu" | "pc-windows-gnullvm");
    if windows_abi(&want_rest) && windows_abi(&have_rest) {
        return match have.as_str() {
            "aarch64" => matches!(want.as_str(), "aarch64" | "x86_64" | "i686"),
            "x86_64" => matches!(want.as_str(), "x86_64" | "i686"),
            other => want == other,
        };
    }
    want_rest == "apple-darwin" && have_rest == "apple-darwin" && have == "aarch64" && want == "x86_64"
}

#[cfg(test)]
mod tests {
    use super::runs_here;

    #[test]
    fn the_gnu_abi_runs_where_msvc_does() {
        assert!(runs_here("x86_64-pc-windows-gnu", "x86_64-pc-windows-msvc"));
        assert!(runs_here("x86_64-pc-windows-gnullvm", "x86_64-pc-windows-msvc"));
        assert!(runs_here("aarch64-pc-windows-gnullvm", "aarch64-pc-windows-msvc"));
        assert!(runs_here("i686-pc-windows-gnu", "i686-pc-windows-msvc"));
    }

    #[test]
    fn emulation_and_wow64_run_the_smaller_or_older_machine() {
        assert!(runs_here("i686-pc-windows-msvc", "x86_64-pc-windows-msvc"));
        assert!(runs_here("x86_64-pc-windows-msvc", "aarch64-pc-windows-msvc"));
        assert!(runs_here("x86_64-apple-darwin", "aarch64-apple-darwin"));
        assert!(!runs_here("aarch64-pc-windows-msvc", "x86_64-pc-windows-msvc"));
        assert!(!runs_here("x86_64-pc-windows-msvc", "i686-pc-windows-msvc"));
        assert!(!runs_here("aarch64-apple-darwin", "x86_64-apple-darwin"));
    }

    #[test]
    fn other_systems_and_linux_accept_only_themselves() {
        assert!(runs_here("x86_64-unknown-linux-gnu", "x86_64-unknown-linux-gnu"));
        assert!(!runs_here("i686-unknown-linux-gnu", "x86_64-unknown-linux-gnu"));
        assert!(!runs_here("x86_64-pc-windows-gnu", "x86_64-unknown-linux-gnu"));
        assert!(!runs_here("x86_64-unknown-linux-gnu", "x86_64-pc-windows-msvc"));
        assert!(!runs_here("x86_64-apple-darwin", "aarch64-pc-windows-msvc"));
        assert!(!runs_here("nonsense", "x86_64-pc-windows-msvc"));
    }
}
