//! Operations: what tcup's commands do, in terms of `dist/`, `install/` and `download/`.
//! Each takes an [`crate::env::Env`], a downloader and a reporter; none reads the process
//! environment or prints directly.

pub mod archive;
pub mod auto_install;
pub mod backtrack;
pub mod change;
pub mod components;
pub mod doctor;
pub mod host_choice;
pub mod init;
pub mod install;
pub mod mirror;
pub mod open_ahead;
pub mod path_edit;
pub mod proxy_program;
pub mod resolve;
pub mod rustup_name;
pub mod self_update;
pub mod session;
pub mod share;
pub mod signature;
pub mod tool_proxy;
pub mod toolchains;
pub mod update;
pub mod verify;
