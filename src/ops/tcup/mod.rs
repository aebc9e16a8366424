//! tcup itself: installing it into `CARGO_HOME/bin` (`tcup-init`) and removing it, replacing it
//! from the update root (`self update`), the proxy program its tools are links to, PATH editing in
//! shell profiles, the `rustup` name, and `doctor`'s reachability check.

pub mod doctor;
pub mod init;
pub mod path_edit;
pub mod proxy_program;
pub mod rustup_name;
pub mod self_update;
pub mod update_root;
