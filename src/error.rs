//! How a failure becomes an exit code and one line on stderr.
//!
//! Exit codes (docs/design.md, after S15): 0 success, 1 the operation failed (network,
//! verification, install), 2 usage or configuration error (bad flag, bad environment value, bad
//! toolchain name). Errors travel as `anyhow::Error` chains built from each module's `thiserror`
//! enums. An error type whose failures
//! are the user's to fix implements [`Exit`] and says its own exit code; this module only walks
//! the chain for the first such error ([`exit_code`]), and prints the chain on one line (never a
//! backtrace, even with `RUST_BACKTRACE=1`: an expected failure is not a crash).

use std::fmt::Write as _;

/// Exit code for a failed operation (network, verification, install).
pub const EXIT_FAILURE: i32 = 1;
/// Exit code for a usage or configuration error.
pub const EXIT_USAGE: i32 = 2;
/// Exit code of `tcup check` when an update is available (rustup 1.29's `rustup check`, after
/// DNF's convention).
pub const EXIT_UPDATES_AVAILABLE: i32 = 100;

/// An error type that decides the exit code of the failures it describes.
pub trait Exit: std::error::Error + 'static {
    /// The exit code: [`EXIT_USAGE`] for what the user must fix in what they asked for,
    /// [`EXIT_FAILURE`] for an operation that failed.
    fn exit_code(&self) -> i32;
}

/// A mistake in what the user asked for (an argument or option value). Exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

impl Exit for UsageError {
    fn exit_code(&self) -> i32 {
        EXIT_USAGE
    }
}

/// The error types that implement [`Exit`], as a lookup from a `dyn Error` in a chain.
fn as_exit<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a dyn Exit> {
    fn find<'a, T: Exit>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a dyn Exit> {
        e.downcast_ref::<T>().map(|t| t as &dyn Exit)
    }
    find::<UsageError>(e)
        .or_else(|| find::<crate::env::EnvError>(e))
        .or_else(|| find::<crate::dist::name::NameError>(e))
        .or_else(|| find::<crate::dist::select::SelectError>(e))
        .or_else(|| find::<crate::trust::KeyError>(e))
        .or_else(|| find::<crate::trust::sign::SignKeyError>(e))
}

/// The exit code for `err`: the code of the first error in its chain that decides one
/// ([`Exit`]) and says it is the user's to fix, else 1.
pub fn exit_code(err: &anyhow::Error) -> i32 {
    err.chain().filter_map(as_exit).map(Exit::exit_code).find(|c| *c != EXIT_FAILURE).unwrap_or(EXIT_FAILURE)
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
