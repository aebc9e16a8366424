//! Mirrors: a dist server tree an organisation serves itself, for rustup and tcup alike.
//! - `tcup mirror pack` ([`pack`]; [`tarball`] writes the archives): an installed toolchain turned
//!   back into a dist server directory, its manifest re-hashed and optionally signed by the operator.
//! - `tcup mirror sync` ([`sync`], which drives the rest): a faithful, incremental copy of what a
//!   selection needs from the upstream dist server, byte for byte — [`sync_tree`] is the tree's
//!   layout and lock, [`sync_fetch`] streams the archives in, [`sync_publish`] renames manifests
//!   into place and prunes, [`sync_self`] copies the update root's `tcup-init` (`--self`).
//!
//! Every path either writes below `--out` passes [`out_path`].

mod out_path;
pub mod pack;
pub mod sync;
mod sync_fetch;
mod sync_publish;
mod sync_self;
mod sync_tree;
mod tarball;
