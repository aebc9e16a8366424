//! How verified bytes become a toolchain on disk: streaming unpack with path safety, placing
//! components by their `manifest.in`, and a staging area with an atomic commit. What the files
//! it writes are called and hold (receipts, the lock) is [`crate::home`]'s.

pub mod bound;
pub mod file_check;
pub mod link;
pub mod place;
pub mod safety;
pub mod staging;
pub mod unpack;
pub mod writer;
pub mod xz_budget;
