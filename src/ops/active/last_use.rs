//! What a proxy records before it runs a tool (docs/design.md active-9): the day the toolchain
//! ran, and the toolchain file that chose it (a known project), so that `tcup toolchain gc`
//! ([`crate::ops::toolchain::gc`]) keeps what is used and what a project still names. The
//! records and their format are [`crate::home::usage`]'s.
//!
//! Cost: one small read per record when it already says today (every run after the day's first),
//! one small write otherwise; `ci/bench-proxy.sh` measures it. A toolchain chosen by path, or
//! linked (a custom name, or a link in `toolchains/`), is not recorded: `gc` never removes those.

use crate::env::Env;
use crate::home::Home;
use crate::ops::active::resolve::{Active, Reason, Toolchain};

/// Records that `active` runs today (`env.today`); every failure is ignored (a read-only home
/// must not stop a build).
pub fn note(env: &Env, active: &Active) {
    let Toolchain::Named(name) = &active.toolchain else { return };
    if name.channel_name().is_none() {
        return;
    }
    let home = Home::new(&env.rustup_home);
    let usage = home.usage();
    let file = match &active.reason {
        Reason::File(f) => Some(f).filter(|f| !usage.project_is_today(f, &env.today)),
        _ => None,
    };
    let toolchain = !usage.toolchain_is_today(name, &env.today);
    if (file.is_none() && !toolchain) || home.is_linked(name) {
        return;
    }
    if let Some(f) = file {
        let _ = usage.note_project(f, name, &env.today);
    }
    if toolchain {
        let _ = usage.note_toolchain(name, &env.today);
    }
}
