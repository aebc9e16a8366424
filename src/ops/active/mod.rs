//! Which toolchain is active, and why (rustup's order: `+toolchain`, `RUSTUP_TOOLCHAIN`, directory
//! override, toolchain file, default); installing it on first use; running one of its tools. The
//! proxies, `show`, `which`, `run`, `default` and `override` all ask here, so they cannot disagree.

pub mod auto_install;
pub mod context;
pub mod host_choice;
pub mod installed;
pub mod last_use;
pub mod locked;
pub mod resolve;
pub mod run_tool;
pub mod settings;
