//! What this process was started as, for cli/: its arguments, the program name `argv[0]` gives,
//! and how programs and the home directory are named on this system.
//!
//! The system-specific parts live in sys/ (Windows passes a proxy's `argv[0]` on through
//! `TCUP_ARGV0`, adds `.exe`, and names the home `USERPROFILE`); cli/ reads them here, beside the
//! environment variables, without reaching down into sys/ (docs/architecture.md, layers).

pub use crate::sys::process::args_os;
pub use crate::sys::{HOME_VAR, exe, program_name};
