//! One answer to "which host is this toolchain for?" (docs/design.md host-5), for every command
//! that installs, completes or shows a toolchain name: install, update, `init`, `default`,
//! `override set`, the proxies' auto-install, `show` and `check`.
//!
//! In rustup's order:
//!
//! | source | example | wins when |
//! |---|---|---|
//! | the name's own triple | `stable-i686-unknown-linux-gnu` | always (a `--host` that says otherwise is exit 2, naming both) |
//! | `--host` | `tcup toolchain install stable --host i686-unknown-linux-gnu` | the name has no triple |
//! | the settings' default host | `tcup set default-host …`, `default_host_tuple` / `default_host_triple` | neither of the above |
//! | detection ([`crate::host::detect`]) | the userland's ELF files | nothing above |
//!
//! Before this module the host was decided in five places, and an install ignored `set
//! default-host`: `tcup toolchain install stable` installed `stable-x86_64-…` where the settings
//! said i686, so `tcup default stable` then named a toolchain that was not there.

use crate::error::UsageError;
use crate::host::{Decision, Report};
use crate::ops::active::resolve::LazyHost;

/// Host detection for this system as the environment describes it (`TCUP_HOST_ROOT`,
/// `TCUP_HOST_MACHINE`): the one input every install, `doctor host` and the default host share.
pub fn detect_host(env: &crate::env::Env) -> crate::host::Report {
    crate::host::detect(&env.host_root, env.host_machine.as_deref())
}

/// Where the chosen host came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The toolchain name's own triple.
    Name,
    /// `--host` (`--default-host` for `init`).
    Flag,
    /// `settings.toml`'s default host.
    Settings,
    /// Host detection.
    Detected,
}

/// The host for one toolchain and why.
#[derive(Debug, Clone)]
pub struct HostChoice {
    /// Where it came from.
    pub source: Source,
    /// The triple, with detection's extra targets and notes when detected; a refusal when
    /// detection decided and no Rust toolchain exists for this system.
    pub decision: Decision,
}

/// Chooses the host from the name's triple, `--host`, the settings' default host and, only when
/// none of these gives one, `detect` (called at most once).
///
/// # Errors
/// A [`UsageError`] when the name's triple and `--host` disagree, naming both.
pub fn choose(
    name: Option<&str>,
    flag: Option<&str>,
    settings: Option<&str>,
    detect: impl FnOnce() -> Report,
) -> Result<HostChoice, UsageError> {
    let given = |source, triple: &str| HostChoice {
        source,
        decision: Decision::Host { triple: triple.to_owned(), targets: Vec::new(), notes: Vec::new() },
    };
    match (name, flag, settings) {
        (Some(n), Some(f), _) if n != f => {
            Err(UsageError(format!("the toolchain name names host {n} but --host says {f}; give one of them, or the same triple")))
        }
        (Some(n), _, _) => Ok(given(Source::Name, n)),
        (None, Some(f), _) => Ok(given(Source::Flag, f)),
        (None, None, Some(s)) => Ok(given(Source::Settings, s)),
        (None, None, None) => Ok(HostChoice { source: Source::Detected, decision: detect().decision }),
    }
}

impl HostChoice {
    /// The triple to name a toolchain with; where detection refuses, the detected machine's
    /// triple, so names stay complete in messages ("toolchain
    /// 'stable-armv7-unknown-linux-musleabihf' is not installed").
    pub fn triple_for_names(&self) -> &str {
        match &self.decision {
            Decision::Host { triple, .. } => triple,
            Decision::Refused { detected, .. } => detected,
        }
    }

    /// The triple to install for, with the targets detection adds and its notes for the user.
    ///
    /// # Errors
    /// Detection decided and refused: no Rust toolchain exists for this system (the message says
    /// why and points at `tcup doctor host`).
    pub fn for_install(self) -> anyhow::Result<(String, Vec<String>, Vec<String>)> {
        match self.decision {
            Decision::Host { triple, targets, notes } => Ok((triple, targets, notes)),
            Decision::Refused { detected, why } => Err(anyhow::anyhow!(
                "cannot install a Rust toolchain here (detected {detected}): {why}; `tcup doctor host` shows the evidence"
            )),
        }
    }
}

/// The host that completes names without one, for the resolver: the settings' default host, else
/// detection, run only when a name needs it (a proxy whose toolchain is named in full reads no
/// ELF file).
pub fn default_for_names(settings: Option<String>, detect: impl Fn() -> Report + 'static) -> LazyHost<'static> {
    match settings {
        Some(h) => LazyHost::fixed(&h),
        None => LazyHost::new(move || choose(None, None, None, &detect).map(|c| c.triple_for_names().to_owned()).unwrap_or_default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detected(triple: &str) -> Report {
        Report {
            decision: Decision::Host { triple: triple.into(), targets: vec!["extra".into()], notes: Vec::new() },
            evidence: Vec::new(),
        }
    }

    fn refused() -> Report {
        Report { decision: Decision::Refused { detected: "armv7-unknown-linux-musleabihf".into(), why: "no".into() }, evidence: Vec::new() }
    }

    const I686: &str = "i686-unknown-linux-gnu";
    const X64: &str = "x86_64-unknown-linux-gnu";
    const MUSL: &str = "x86_64-unknown-linux-musl";

    #[test]
    fn name_then_flag_then_settings_then_detection() {
        let never = || -> Report { panic!("detection must not run when a host is given") };
        let c = choose(Some(I686), None, Some(MUSL), never).unwrap();
        assert_eq!((c.source, c.triple_for_names()), (Source::Name, I686));
        let c = choose(Some(I686), Some(I686), Some(MUSL), never).unwrap();
        assert_eq!((c.source, c.triple_for_names()), (Source::Name, I686));
        let c = choose(None, Some(I686), Some(MUSL), never).unwrap();
        assert_eq!((c.source, c.triple_for_names()), (Source::Flag, I686));
        let c = choose(None, None, Some(MUSL), never).unwrap();
        assert_eq!((c.source, c.triple_for_names()), (Source::Settings, MUSL));
        assert_eq!(c.for_install().unwrap(), (MUSL.to_owned(), Vec::new(), Vec::new()));
        let c = choose(None, None, None, || detected(X64)).unwrap();
        assert_eq!((c.source, c.triple_for_names()), (Source::Detected, X64));
        assert_eq!(c.for_install().unwrap().1, vec!["extra".to_owned()]);
    }

    #[test]
    fn a_name_and_a_flag_that_disagree_are_a_usage_error_naming_both() {
        let err = choose(Some(I686), Some(X64), None, || detected(X64)).unwrap_err();
        assert!(err.0.contains(I686) && err.0.contains(X64), "{err}");
    }

    #[test]
    fn a_refusal_names_the_machine_for_names_and_fails_an_install() {
        let c = choose(None, None, None, refused).unwrap();
        assert_eq!(c.triple_for_names(), "armv7-unknown-linux-musleabihf");
        let err = c.for_install().unwrap_err().to_string();
        assert!(err.contains("cannot install a Rust toolchain here") && err.contains("doctor host"), "{err}");
        assert_eq!(default_for_names(None, refused).get(), "armv7-unknown-linux-musleabihf");
        assert_eq!(default_for_names(Some(MUSL.into()), || panic!("not detected")).get(), MUSL);
    }
}
