//! Trust: which OpenPGP keys vouch for channel manifests and tcup's own releases, and the pure
//! checks over them (docs/design.md trust-1).
//!
//! tcup verifies every archive against the channel manifest's SHA-256 and the manifest against
//! its `.sha256`, but both come from the same server: whoever controls a mirror, a cache or a
//! TLS-intercepting proxy could rewrite all three. A detached OpenPGP signature over the
//! manifest's exact bytes, by a key tcup carries, closes the chain. This layer only decides; the
//! fetching is in `ops::signature` and `ops::self_update`; tcup's own file (signature policy,
//! downgrade protection) is `home::tcup_file`.
//!
//! - [`keys`]: the pinned Rust release key, tcup's release keys, keys from files;
//! - [`verify`]: a detached signature over exact bytes;
//! - [`validity`]: whether the key could make it then (revocation, expiry, key flags);
//! - [`policy`]: `auto`/`require` and downgrade protection as one pure decision;
//! - [`sign`]: making detached signatures (`tcup mirror pack --sign-key`).

pub mod keys;
pub mod policy;
pub mod sign;
pub mod validity;
pub mod verify;

pub use keys::{KeyError, Keyring};
pub use verify::{BadSignature, Signer};
