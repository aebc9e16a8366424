//! tcup: a rustup-style installer for Rust toolchains.
//!
//! The crate is layered as `docs/design.md` (16.2) describes, one direction of dependency:
//! [`cli`] turns arguments into calls to [`ops`]; `ops` drives [`dist`] (what to install),
//! [`install`] (how bytes become a toolchain on disk) and [`download`] (how bytes arrive);
//! [`home`] is the only owner of `RUSTUP_HOME`'s paths and files; everything takes its
//! environment from one [`env::Env`] value.

pub mod cli;
pub mod dist;
pub mod download;
pub mod env;
pub mod error;
pub mod fetch;
pub mod home;
pub mod host;
pub mod install;
pub mod ops;
pub mod progress;
pub mod sys;
pub mod trust;

/// tcup's version, as sent in the User-Agent and printed by `tcup --version`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The host triple this tcup binary was built for (its own `TARGET`; set by `build.rs`). Not the
/// host it installs for: that is [`host::detect`]'s decision, from the userland's own files.
pub const BUILD_TRIPLE: &str = env!("TCUP_BUILD_TRIPLE");
