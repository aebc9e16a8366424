//! Files beneath a root directory, reached without following any symbolic link.
//!
//! Why: an archive comes from a mirror, and a link it (or an earlier component) placed in a tree
//! must never redirect a later write, rename or hard link outside that tree (docs/design.md
//! decision 19). Path-based calls (`create_dir_all`, `rename`, `open`) follow links in every
//! intermediate component, so every file tcup places goes through a [`Dir`] instead:
//!
//! - A [`Dir`] is an open directory. Every path given to it is relative, made of normal
//!   components only (`..`, `/` and empty paths are refused with `InvalidInput`).
//! - On Unix ([`unix`]) it is a directory file descriptor and every call an `*at` system call
//!   that never follows a link (`openat2` with links refused on Linux).
//! - On Windows ([`windows`]) it is the directory's path: each component is looked at without
//!   following it (a reparse point — symbolic link, junction, mount point — is refused), the leaf
//!   is opened with `FILE_FLAG_OPEN_REPARSE_POINT`, and renames never replace
//!   (`MoveFileExW` without `MOVEFILE_REPLACE_EXISTING`). Unlike the descriptor walk this leaves a
//!   window between the check and the call in which another process of the same user could plant
//!   a junction; tcup's own trees are under the home lock, so only such a process could race it.
//!
//! A link met on the way is the error [`LinkRefused`] (inside an `io::Error`, see
//! [`link_refused`]), naming the full path. (`NtCreateFile` relative to a directory handle with
//! `OBJ_DONT_REPARSE` would close the Windows window; it is not used yet.)

mod paths;
#[cfg(unix)]
pub mod unix;
#[cfg(unix)]
pub use unix::Dir;
#[cfg(windows)]
pub mod windows;
pub use paths::{LinkRefused, Node, link_refused};
#[cfg(windows)]
pub use windows::Dir;
