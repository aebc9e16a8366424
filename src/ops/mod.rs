//! Operations: what tcup's commands do, one folder per question — [`active`] (which toolchain is
//! active and why, installing it on first use, running a tool), [`toolchain`] (install, update,
//! components, verify, uninstall, list), [`tcup`] (tcup itself: init, self update, the proxy
//! program, PATH) and [`mirror`] (pack and sync a dist server tree). Each takes an
//! [`crate::env::Env`], a downloader and a reporter; none reads the process environment or prints
//! directly. Manifests and archives come through [`crate::fetch`].

pub mod active;
pub mod mirror;
pub mod tcup;
pub mod toolchain;

pub use crate::download::Downloader;

/// The downloader of every command that downloads: the backends, limits, retries and proxies that
/// `env.download` names (`--backends`, `TCUP_BACKENDS`, `RUSTUP_USE_CURL`, …).
///
/// # Errors
/// As [`Downloader::new`]: an `SSL_CERT_FILE` that cannot be read or holds no certificate.
pub fn downloader(env: &crate::env::Env) -> Result<Downloader, crate::download::DownloadError> {
    Downloader::new(&env.download)
}
