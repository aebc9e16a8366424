//! Toolchains in `RUSTUP_HOME/toolchains/`: install one from a channel manifest, update it, change
//! its components and targets, verify and repair it, adopt one rustup installed ([`adopt`]),
//! uninstall or link one; fetch one into the download cache ([`fetch`]) and install with no
//! network ([`offline`]); install from loose tarballs ([`loose`], [`loose_dist`]); remove the
//! unused ones ([`gc`]) and say what each costs on disk ([`disk`]). Every change to an
//! installed toolchain goes through [`rebuild`] (a new tree beside the old one, swapped in).

pub mod adopt;
pub mod backtrack;
pub mod components;
pub mod disk;
pub mod docs;
pub mod fetch;
pub mod gc;
pub mod install;
pub mod link;
pub mod list;
pub mod lock;
pub mod loose;
pub mod loose_dist;
pub mod offline;
pub mod rebuild;
pub mod uninstall;
pub mod update;
pub mod verify;
