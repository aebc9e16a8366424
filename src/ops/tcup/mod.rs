//! tcup itself: installing it into `CARGO_HOME/bin` (`tcup-init`) and removing it, replacing it
//! from the update root (`self update`), the proxy program its tools are links to, PATH editing in
//! shell profiles and in the Windows user `Path`, the `rustup` name, and `doctor`'s reachability check.

pub mod doctor;
pub mod init;
pub mod path_edit;
pub mod path_edit_windows;
pub mod path_record;
pub mod proxy_program;
pub mod rustup_name;
pub mod self_update;
pub mod update_root;
