//! tcup: a rustup-style installer for Rust toolchains.
//!
//! The crate is layered as `docs/architecture.md` describes, one direction of dependency:
//! [`cli`] turns arguments into calls to [`ops`]; `ops` drives [`dist`] (what to install),
//! [`install`] (how bytes become a toolchain on disk) and [`download`] (how bytes arrive);
//! [`home`] is the only owner of `RUSTUP_HOME`'s paths and files; everything takes its
//! environment from one [`env::Env`] value.

pub mod cli;
pub mod dist;
pub mod download;
pub mod env;
pub mod error;
pub mod fetch;
pub mod home;
pub mod host;
pub mod install;
pub mod ops;
pub mod progress;
pub mod sys;
pub mod trust;

/// tcup's version, as sent in the User-Agent and printed by `tcup --version`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The host triple this tcup binary was built for (its own `TARGET`; set by `build.rs`). Not the
/// host it installs for: that is [`host::detect`]'s decision, from the userland's own files.
pub const BUILD_TRIPLE: &str = env!("TCUP_BUILD_TRIPLE");

#[cfg(test)]
mod tests {
    use crate::error::{EXIT_FAILURE, EXIT_USAGE, exit_code};

    /// Each error type that decides its exit code (`error::exit_code!`), found under two layers
    /// of context as `cli` receives it. Here, above every layer, because `error` names none of them.
    #[test]
    fn each_error_type_keeps_its_exit_code_through_an_anyhow_chain() {
        fn through_chain(e: impl std::error::Error + Send + Sync + 'static) -> i32 {
            exit_code(&anyhow::Error::new(e).context("inner step").context("outer step"))
        }
        let env = crate::env::EnvError { var: "RUSTUP_MAX_RETRIES".into(), value: "many".into(), expected: "a number" };
        assert_eq!(through_chain(env), EXIT_USAGE);
        assert_eq!(through_chain(crate::error::UsageError("bad flag".into())), EXIT_USAGE);
        assert_eq!(through_chain(crate::dist::name::NameError { name: "stable/x".into(), why: "no slashes" }), EXIT_USAGE);
        let profile = crate::dist::select::check_profile("minimum").unwrap_err();
        assert_eq!(through_chain(profile), EXIT_USAGE);
        let no_archive = crate::dist::select::SelectError::NoArchive { pkg: "rustc".into(), target: "x86_64-unknown-linux-gnu".into() };
        assert_eq!(through_chain(no_archive), EXIT_FAILURE);
        assert_eq!(through_chain(crate::trust::KeyError::NoKey { origin: "keys.asc".into() }), EXIT_USAGE);
        let sign = crate::trust::sign::SignKeyError { path: "secret.asc".into(), why: "no secret key".into() };
        assert_eq!(through_chain(sign), EXIT_USAGE);
        assert_eq!(through_chain(std::io::Error::other("connection reset")), EXIT_FAILURE);
    }
}
