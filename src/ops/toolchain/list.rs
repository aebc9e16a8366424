//! The installed toolchains as `toolchain list` and `show` report them, in `toolchains/` order:
//! each with whether it is the active toolchain here and the default, its directory, and (when
//! asked: it reads every toolchain's receipts) the components whose files it shares, as hard
//! links, with another toolchain; (for JSON) when each last ran and its size ([`usage`]); and which
//! components came from a toolchain store (docs/store.md).

use std::path::PathBuf;

use crate::dist::name::LocalName;
use crate::env::Env;
use crate::home::Home;
use crate::ops::active::context::Session;
use crate::ops::active::resolve::{self, Active, Reason, Toolchain};

/// One installed toolchain.
#[derive(Debug, Clone)]
pub struct Installed {
    /// Its directory name in `toolchains/`.
    pub name: LocalName,
    /// Whether it is the active toolchain here.
    pub active: bool,
    /// Whether it is `settings.toml`'s default toolchain.
    pub default: bool,
    /// Its directory (canonical: a linked toolchain's target).
    pub path: PathBuf,
    /// With `shares`: (component, other toolchain) for each component whose files are one inode
    /// in this toolchain and the other.
    pub shares: Option<Vec<(String, LocalName)>>,
    /// `(component, store toolchain directory)` for each component taken from a toolchain store
    /// (`lib/rustlib/tcup-store-origin`); empty when none (or unreadable).
    pub from_store: Vec<(String, PathBuf)>,
}

/// Every installed toolchain, marked against `active` and the default of `here`'s settings;
/// with `shares`, what each shares with the others.
pub fn installed(env: &Env, here: &Session, active: Option<&Active>, shares: bool) -> Vec<Installed> {
    let default = here.settings.default_toolchain.as_deref().and_then(|d| resolve::toolchain(d, &here.host, &Reason::Default).ok());
    let home = Home::new(&env.rustup_home);
    let mut sharing = if shares { crate::fetch::share::sharing(&home) } else { std::collections::BTreeMap::new() };
    home.toolchains()
        .into_iter()
        .map(|n| {
            let this = Some(Toolchain::Named(n.clone()));
            let path = home.toolchain(&n).root().to_path_buf();
            Installed {
                active: active.map(|a| a.toolchain.clone()) == this,
                default: default == this,
                path: fs_err::canonicalize(&path).unwrap_or(path),
                shares: shares.then(|| sharing.remove(&n).unwrap_or_default()),
                from_store: crate::home::store::read_origin(&home.toolchain(&n)).unwrap_or_default(),
                name: n,
            }
        })
        .collect()
}

/// One installed toolchain's use and size, for `toolchain list --format json`.
#[derive(Debug, Clone, Default)]
pub struct Usage {
    /// The day a proxy last ran it (`YYYY-MM-DD`; `None`: no record).
    pub last_used: Option<String>,
    /// Its size (`None` for a linked toolchain).
    pub footprint: Option<crate::ops::toolchain::disk::Footprint>,
}

/// Every installed toolchain's [`Usage`], by name: reads each last-use record and walks every
/// installed toolchain's files ([`crate::ops::toolchain::disk`]).
pub fn usage(env: &Env) -> std::collections::BTreeMap<String, Usage> {
    let home = Home::new(&env.rustup_home);
    let names = home.toolchains();
    let survey = crate::ops::toolchain::disk::survey(&home, &names);
    names
        .iter()
        .map(|n| {
            let last_used = if home.is_linked(n) { None } else { home.usage().last_use(n) };
            (n.to_string(), Usage { last_used, footprint: survey.footprint(n) })
        })
        .collect()
}
