//! How a failure becomes an exit code and one line on stderr.
//!
//! Exit codes (docs/design.md tcup-2): 0 success, 1 the operation failed (network,
//! verification, install), 2 usage or configuration error (bad flag, bad environment value, bad
//! toolchain name). Errors travel as `anyhow::Error` chains built from each module's `thiserror`
//! enums; [`exit_code`] walks the chain for the first error that says it is the user's to fix, and
//! [`one_line`] prints the chain on one line (never a backtrace, even with `RUST_BACKTRACE=1`: an
//! expected failure is not a crash).
//!
//! An error's exit code travels with its type, and this module names none of them (it imports
//! nothing above it). A type that decides its exit code says so beside its definition with
//! `exit_code!`:
//!
//! ```text
//! crate::error::exit_code!(EnvError, |_| crate::error::EXIT_USAGE);
//! crate::error::exit_code!(SelectError, |e| if e.is_usage() { EXIT_USAGE } else { EXIT_FAILURE });
//! ```
//!
//! The macro does two things: it implements [`Exit`] for the type, and it registers a lookup, a
//! `fn(&dyn Error) -> Option<i32>` that downcasts to the type, in a link-time collection (the
//! `inventory` crate: each registration is a static the program's start-up links into one list).
//! [`exit_code`] tries every registered lookup on every error in the chain, so a chain that
//! passes through any module finds its code without a list kept here. A type cannot decide its
//! code without being registered: [`Exit`] requires the hidden supertrait
//! `__private::Registered`, which only the macro implements, so a hand-written `impl Exit` does
//! not compile.

use std::error::Error;
use std::fmt::Write as _;

/// Exit code for a failed operation (network, verification, install).
pub const EXIT_FAILURE: i32 = 1;
/// Exit code for a usage or configuration error.
pub const EXIT_USAGE: i32 = 2;
/// Exit code of `tcup check` when an update is available (rustup 1.29's `rustup check`, after
/// DNF's convention).
pub const EXIT_UPDATES_AVAILABLE: i32 = 100;

/// An error type that decides the exit code of the failures it describes. Implemented only
/// through `exit_code!`, which also registers the type with
/// [`exit_code`] (see the module doc). An `impl` written by hand, which [`exit_code`] would never
/// find, does not compile:
///
/// ```compile_fail,E0277
/// #[derive(Debug)]
/// struct Unlisted;
/// impl std::fmt::Display for Unlisted {
///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
///         f.write_str("unlisted")
///     }
/// }
/// impl std::error::Error for Unlisted {}
/// impl tcup::error::Exit for Unlisted {
///     fn exit_code(&self) -> i32 {
///         tcup::error::EXIT_USAGE
///     }
/// }
/// ```
pub trait Exit: __private::Registered + Error + 'static {
    /// The exit code: [`EXIT_USAGE`] for what the user must fix in what they asked for,
    /// [`EXIT_FAILURE`] for an operation that failed.
    fn exit_code(&self) -> i32;
}

/// What `exit_code!` expands to; not to be named anywhere else.
#[doc(hidden)]
pub mod __private {
    pub use inventory;

    /// Implemented by `exit_code!` alone, beside the registration
    /// of the type's [`Lookup`]: the supertrait that makes a hand-written `impl Exit` fail to
    /// compile.
    pub trait Registered {}

    /// One registered error type: its exit code when the error is of that type.
    pub struct Lookup(pub fn(&(dyn std::error::Error + 'static)) -> Option<i32>);

    inventory::collect!(Lookup);
}

/// `exit_code!(Type, |e: &Type| -> i32 { … })`: `Type` decides the exit code of its failures
/// (implements [`Exit`] with the given function) and is registered with [`exit_code`], which
/// finds it anywhere in an error chain. Invoke it once per type, beside the type, outside any
/// function.
macro_rules! register_exit_code {
    ($ty:ty, $code:expr) => {
        impl $crate::error::Exit for $ty {
            fn exit_code(&self) -> i32 {
                let code: fn(&Self) -> i32 = $code;
                code(self)
            }
        }
        impl $crate::error::__private::Registered for $ty {}
        $crate::error::__private::inventory::submit! {
            $crate::error::__private::Lookup(|e| e.downcast_ref::<$ty>().map($crate::error::Exit::exit_code))
        }
    };
}
pub(crate) use register_exit_code as exit_code;

/// A mistake in what the user asked for (an argument or option value). Exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

exit_code!(UsageError, |_| EXIT_USAGE);

/// The code that `e` itself decides, when its type is registered ([`Exit`]).
fn decided(e: &(dyn Error + 'static)) -> Option<i32> {
    inventory::iter::<__private::Lookup>.into_iter().find_map(|lookup| (lookup.0)(e))
}

/// The exit code for `err`: the code of the first error in its chain that decides one
/// ([`Exit`]) and says it is the user's to fix, else 1.
pub fn exit_code(err: &anyhow::Error) -> i32 {
    err.chain().filter_map(decided).find(|c| *c != EXIT_FAILURE).unwrap_or(EXIT_FAILURE)
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
