//! A verified channel manifest in, staged components out: the layer between the operations
//! (`ops/`) and the machinery below (`download/` moves bytes, `trust/` judges signatures,
//! `install/` unpacks, `home/` keeps records). [`signature`] fetches and judges a manifest's
//! signature; [`archive`] streams one component's archive into a staged tree; [`pool`] runs the
//! workers; [`share`] takes identical components from installed toolchains and toolchain stores
//! instead ([`store`] checks what a store gave); [`to_downloads`] only fills the download cache
//! (`tcup fetch`); [`loose`] stages a local rust-installer tarball that no manifest vouches for
//! (rustup #955).

pub mod archive;
pub mod bad_bytes;
pub mod format_choice;
pub mod loose;
pub mod manifest;
pub mod open_ahead;
pub mod pool;
pub mod share;
pub mod signature;
pub mod store;
pub mod to_downloads;
