//! The platform layer (docs/design.md, layers): the system calls whose shape differs between
//! platforms live here, behind functions the layers above call without knowing which platform
//! they run on. Today: reaching files beneath a directory without following links ([`beneath`]),
//! whether two paths are one file ([`identity`]), and replacing a small file atomically
//! ([`atomic_write`]).

pub mod atomic_write;
pub mod beneath;
pub mod identity;
