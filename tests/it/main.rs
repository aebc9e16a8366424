//! tcup's integration tests: one binary (as rustup's `test_bonanza`), talking to real servers on
//! loopback, the real `tcup` binary, the machine's rustup, and the machine's real toolchain.

// They drive Unix programs (sh, rustup, the machine's toolchain, fake ELF systems): on Windows
// the unit tests and ci/windows.sh (under wine) cover tcup instead.
#![cfg(unix)]
// Tests use std::fs directly (fs_err is for library code) and build fixtures with format!.
#![allow(clippy::disallowed_methods, clippy::format_push_string, clippy::type_complexity)]

mod active;
mod backends;
mod backtrack;
mod cacheable;
mod cli;
mod dist_servers;
mod faults;
mod fetch_offline;
mod format_and_writers;
mod gc;
mod host;
mod hostile_inputs;
mod hostile_links;
pub mod init;
mod init_tls;
mod install;
mod interop;
mod json;
mod lock;
mod lock_install;
mod loose_tarballs;
mod messages;
mod mirror_sync;
mod names;
mod proxy_program;
mod real_toolchain;
mod recursion;
mod rustup_cli;
mod rustup_docs;
mod rustup_name;
mod rustup_settings;
mod self_update;
mod share;
mod store;
mod terminal;
mod trust;
mod trust_binding;
mod trust_keys;
mod trust_mirror;
mod unsafe_archives;
mod unverified_bytes;
mod update;

mod support;
