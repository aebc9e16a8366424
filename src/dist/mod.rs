//! What to install: toolchain names, the dist server's URLs, the channel manifest (v2) and the
//! choice of components from it. Pure data and decisions; no I/O beyond what callers hand in.

pub mod binding;
pub mod component;
pub mod format;
pub mod lock;
pub mod manifest;
pub mod name;
pub mod select;
pub mod server;
pub mod toolchain_file;
