//! How a failure becomes an exit code and one line on stderr.
//!
//! DESIGN.md: exit 0 success, 1 the operation failed (network, verification, install), 2 usage or
//! configuration error (bad flag, bad environment value, bad toolchain name). Errors travel as
//! `anyhow::Error` chains built from each module's `thiserror` enums; this module decides the exit
//! code by looking for a usage-kind error anywhere in the chain, and prints the chain on one line
//! (never a backtrace, even with `RUST_BACKTRACE=1`: an expected failure is not a crash).

use std::fmt::Write as _;

/// Exit code for a failed operation (network, verification, install).
pub const EXIT_FAILURE: i32 = 1;
/// Exit code for a usage or configuration error.
pub const EXIT_USAGE: i32 = 2;
/// Exit code of `tcup check` when an update is available (rustup 1.29's `rustup check`, after
/// DNF's convention).
pub const EXIT_UPDATES_AVAILABLE: i32 = 100;

/// A mistake in what the user asked for (an argument or option value). Exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// The exit code for `err`: 2 when any error in its chain is a usage or configuration error, else 1.
pub fn exit_code(err: &anyhow::Error) -> i32 {
    let usage = err.chain().any(|e| {
        e.is::<UsageError>()
            || e.is::<crate::env::EnvError>()
            || e.is::<crate::dist::name::NameError>()
            || e.downcast_ref::<crate::dist::select::SelectError>().is_some_and(crate::dist::select::SelectError::is_usage)
    });
    if usage { EXIT_USAGE } else { EXIT_FAILURE }
}

/// `err` and its causes on one line: `outer: cause: root cause`.
pub fn one_line(err: &anyhow::Error) -> String {
    let mut out = String::new();
    for (i, e) in err.chain().enumerate() {
        let text = e.to_string();
        // thiserror messages often already end with their source's text; do not repeat it.
        if i > 0 && out.ends_with(&text) {
            continue;
        }
        if i > 0 {
            out.push_str(": ");
        }
        let _ = write!(out, "{text}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_anywhere_in_the_chain_is_exit_2() {
        let err = anyhow::Error::new(UsageError("bad flag".into())).context("while parsing");
        assert_eq!(exit_code(&err), EXIT_USAGE);
        assert_eq!(one_line(&err), "while parsing: bad flag");
        let io = anyhow::Error::new(std::io::Error::other("connection reset")).context("downloading rustc");
        assert_eq!(exit_code(&io), EXIT_FAILURE);
    }
}
