//! How verified bytes become a toolchain on disk: streaming unpack with path safety, placing
//! components by their `manifest.in`, a staging area with an atomic commit, rustup-compatible
//! receipts, and the lock that serialises writers of one `RUSTUP_HOME`.

pub mod installed;
pub mod link;
pub mod lock;
pub mod place;
pub mod receipts;
pub mod safety;
pub mod staging;
pub mod unpack;
pub mod verify;
pub mod writer;
