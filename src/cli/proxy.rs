//! The two proxy programs: what `CARGO_HOME/bin/rustc`, `cargo`, … are links to. Both find the
//! tool with the one resolution, [`crate::ops::active::run_tool::resolve_tool`], and replace
//! themselves with it.
//!
//! [`main`] is the proxy program, `tcup-proxy`, once tcup is installed. Every `cargo build` runs
//! it once per crate, so it does only what running an installed toolchain needs — read the
//! variables, `settings.toml` and the override files, find the toolchain, `execve` the tool — in a
//! small program that links no download code: no TLS library to map and relocate, no OpenSSL
//! initialised by curl's constructor, no allocator to set up (docs/design.md active-8).
//!
//! Anything else — a bad variable, a warning, a toolchain or component to install, a refusal, a
//! tool that is missing or will not start, the recursion guard — it hands to `tcup` beside it,
//! which runs the same resolution as the proxy it has always been ([`run`]: the toolchain is
//! installed first when it is missing, auto-install) and says what it has always said. So a
//! message never depends on which program answered: the proxy program runs the tool or replaces
//! itself with tcup, and prints only when it cannot find tcup. Called by another name with
//! `--version` alone, it answers `tcup-proxy <version>`.

use std::ffi::{OsStr, OsString};
use std::io::IsTerminal;
use std::path::Path;

use crate::env::Env;
use crate::error::{EXIT_FAILURE, EXIT_USAGE, exit_code, one_line};
use crate::ops::active::context::Session;
use crate::ops::active::run_tool::{self, Install, PROXIES, Ready, Resolved};
use crate::ops::tcup::proxy_program::{self, PROGRAM};
use crate::progress::{Reporter, Verbosity};

/// The proxy program: runs the tool that `argv[0]` names from the active toolchain, or hands the
/// whole call to `tcup`; returns an exit code only when neither can be executed.
pub fn main() -> i32 {
    let mut process_args = crate::env::program::args_os().into_iter();
    let argv0 = process_args.next().unwrap_or_default();
    let args: Vec<OsString> = process_args.collect();
    let tool = crate::env::program::program_name(&argv0).and_then(|n| PROXIES.iter().find(|p| **p == n));
    if tool.is_none() && matches!(args.as_slice(), [a] if a == "--version" || a == "-V") {
        // Not called as a proxy: which program this is, for `tcup init` and `tcup self update`.
        println!("{}", proxy_program::version_line());
        return 0;
    }
    let (plus, rest) = run_tool::split_plus(args.clone());
    if let Some(resolved) = tool.and_then(|t| resolve_fast(t, plus.as_deref())) {
        // On success this does not return; on failure tcup runs the same resolution and
        // explains why the tool cannot start.
        let _ = resolved.exec(&rest);
    }
    hand_over(&argv0, &args)
}

/// The tool to execute, when nothing stands in the way; `None` hands the call to tcup.
fn resolve_fast(tool: &str, plus: Option<&str>) -> Option<Resolved> {
    let vars = std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)));
    let (env, set_aside) = Env::for_proxy(vars, std::io::stderr().is_terminal()).ok()?;
    if !set_aside.is_empty() {
        return None;
    }
    let here = Session::load(&env).ok()?;
    run_tool::resolve_tool(tool, plus, &env, &here, &Ready, std::env::var_os("PATH").as_deref()).ok().flatten()
}

/// Replaces this process with `tcup` (the file beside this program's own, after links are
/// followed), passing `argv0` on so that tcup acts as the same proxy.
fn hand_over(argv0: &OsStr, args: &[OsString]) -> i32 {
    // Without /proc (some chroots), the proxies' own directory: `CARGO_HOME/bin`.
    let cargo_bin = || {
        let home = std::env::var_os("CARGO_HOME").map(std::path::PathBuf::from);
        home.or_else(|| std::env::var_os(crate::env::program::HOME_VAR).map(|h| Path::new(&h).join(".cargo")))
            .map(|h| h.join("bin").join(crate::env::program::exe(PROGRAM)))
    };
    let Some(me) = std::env::current_exe().ok().or_else(cargo_bin) else {
        eprintln!("error: tcup-proxy cannot find its own file (/proc/self/exe) nor CARGO_HOME or HOME");
        return EXIT_FAILURE;
    };
    let tcup = match proxy_program::tcup_beside(&me) {
        Ok(tcup) => tcup,
        Err(tcup) => {
            eprintln!("error: {} is this proxy program itself, not tcup: reinstall tcup (tcup-init)", tcup.display());
            return EXIT_FAILURE;
        }
    };
    let err = proxy_program::hand_over(&tcup, argv0, args);
    eprintln!("error: tcup-proxy cannot run {}: {err}; reinstall tcup (tcup-init)", tcup.display());
    EXIT_FAILURE
}

/// tcup called as a proxy (`rustc`, `cargo`, … linked to tcup in `CARGO_HOME/bin`, or handed
/// over by the proxy program, [`main`]): runs `tool` from the active toolchain, installed first
/// when it is missing (auto-install), replacing this process; returns an exit code only when that
/// fails.
pub(super) fn run(tool: &str, args: Vec<OsString>) -> i32 {
    let vars = std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)));
    let (env, set_aside) = match Env::for_proxy(vars, std::io::stderr().is_terminal()) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let reporter = Reporter::new(&env, Verbosity::Normal);
    for e in &set_aside {
        reporter.warn(&format!("{e}; ignored, since running an installed toolchain downloads nothing"));
    }
    let (plus, args) = run_tool::split_plus(args);
    let asker = Install { set_aside: &set_aside, reporter: &reporter };
    let resolved = Session::load(&env).and_then(|here| {
        let resolved = run_tool::resolve_tool(tool, plus.as_deref(), &env, &here, &asker, std::env::var_os("PATH").as_deref())?;
        Ok((resolved.expect("tcup as a proxy resolves or fails"), here))
    });
    let (resolved, here) = match resolved {
        Ok(r) => r,
        Err(e) => {
            reporter.finish();
            eprintln!("error: {}", crate::env::redact::text(&one_line(&e)));
            return exit_code(&e);
        }
    };
    let err = resolved.exec(&args);
    eprintln!("error: {}", run_tool::start_failure(&resolved.program, &err, &here.host));
    EXIT_FAILURE
}
