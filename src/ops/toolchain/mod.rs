//! Toolchains in `RUSTUP_HOME/toolchains/`: install one from a channel manifest, update it, change
//! its components and targets, verify and repair it, uninstall or link one. Every change to an
//! installed toolchain goes through [`rebuild`] (a new tree beside the old one, swapped in).

pub mod backtrack;
pub mod components;
pub mod docs;
pub mod install;
pub mod link;
pub mod list;
pub mod lock;
pub mod rebuild;
pub mod uninstall;
pub mod update;
pub mod verify;
