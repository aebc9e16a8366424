//! tcup's integration tests: one binary (as rustup's `test_bonanza`), talking to real servers on
//! loopback, the real `tcup` binary, the machine's rustup, and the machine's real toolchain.

mod cli;
mod install;
mod interop;
mod real_toolchain;
mod unsafe_archives;

mod support;
