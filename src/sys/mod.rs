//! The platform layer (docs/architecture.md): the system calls whose shape differs between
//! platforms live here, behind functions the layers above call without knowing which platform
//! they run on: reaching files beneath a directory without following links ([`beneath`]),
//! whether two paths are one file ([`identity`]), replacing a small file atomically
//! ([`atomic_write`]), swapping two trees in one step ([`swap`]), links, mode bits and change
//! stamps ([`fs`]), running a program in place of this one ([`process`]), a tree's files by
//! identity, for disk use ([`tree`]), cloning a file's blocks ([`reflink`]).

pub mod atomic_write;
pub mod beneath;
pub mod fs;
pub mod identity;
pub mod process;
pub mod reflink;
pub mod swap;
pub mod tree;
