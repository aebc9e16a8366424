//! `tcup fetch [TOOLCHAIN] [--profile P] [-c C] [-t T] [--host T]`: its arguments turned into
//! one call to [`crate::ops::toolchain::fetch`], and the lines it prints (docs/offline.md).

use clap::Args;

use crate::dist::name::ToolchainName;
use crate::env::Env;
use crate::ops::toolchain::fetch::{self, Additions, Fetched};
use crate::ops::toolchain::install::InstallOptions;
use crate::progress::Reporter;

#[derive(Debug, Args)]
#[command(after_help = "\
Discussion:
    Downloads and verifies the channel manifest (its .sha256, signature and
    name) and every archive an install of the toolchain would download, into
    RUSTUP_HOME/downloads/ (rustup's layout: archives named by SHA-256), and
    installs nothing. The manifest is kept in downloads/manifests/, where
    `tcup --offline toolchain install` (or TCUP_OFFLINE=1) finds it. Without
    a name: the active toolchain, with what its toolchain file asks for, or
    what its rust-toolchain.lock pins. See docs/offline.md.")]
pub(super) struct FetchArgs {
    /// Toolchain name (stable, beta, nightly, 1.95.0, nightly-2026-05-20, optionally -<host>);
    /// without one, the active toolchain
    #[arg(value_name = "TOOLCHAIN", value_parser = crate::dist::name::parse_arg)]
    name: Option<String>,
    /// Profile: minimal, default or complete (default: the toolchain file's, else settings.toml's)
    #[arg(long)]
    profile: Option<String>,
    /// Also fetch a component (e.g. rustfmt, rust-src, clippy); repeatable
    #[arg(short, long = "component", value_name = "COMPONENT", value_delimiter = ',')]
    components: Vec<String>,
    /// Also fetch the standard library for a target triple; repeatable
    #[arg(short, long = "target", value_name = "TARGET", value_delimiter = ',')]
    targets: Vec<String>,
    /// Fetch for this host triple instead of the detected one
    #[arg(long, value_name = "TRIPLE")]
    host: Option<String>,
}

pub(super) fn run(args: FetchArgs, env: &Env, reporter: &Reporter) -> anyhow::Result<()> {
    super::toolchain::check_profile_and_host(args.profile.as_deref(), args.host.as_deref())?;
    let opts = if let Some(name) = &args.name {
        InstallOptions {
            name: name.parse::<ToolchainName>()?,
            profile: crate::ops::toolchain::install::profile_for(env, args.profile.as_deref())?,
            components: args.components.clone(),
            targets: args.targets.clone(),
            host: args.host.clone(),
            allow_downgrade: false,
            detected: crate::ops::active::host_choice::detect_host(env),
            lock: None,
        }
    } else {
        let add = Additions {
            profile: args.profile.clone(),
            components: args.components.clone(),
            targets: args.targets.clone(),
            host: args.host.clone(),
        };
        fetch::active_options(env, &add, reporter)?
    };
    let downloader = crate::ops::downloader(env)?;
    let fetched = fetch::fetch(env, &opts, &downloader, reporter)?;
    print(&fetched, reporter);
    let install =
        args.name.map_or_else(|| "tcup --offline toolchain install (here)".to_owned(), |n| format!("tcup --offline toolchain install {n}"));
    reporter.info(&format!("install it with no network: {install}"));
    Ok(())
}

/// `fetched N archives (X MiB) into DIR; M already in downloads/`, then where the manifest is.
fn print(f: &Fetched, reporter: &Reporter) {
    let (count, bytes) = f.downloaded();
    #[allow(clippy::cast_precision_loss)]
    let mib = bytes as f64 / (1024.0 * 1024.0);
    let already = match f.already() {
        0 => String::new(),
        n => format!("; {n} already in downloads/"),
    };
    let s = if count == 1 { "" } else { "s" };
    reporter.info(&format!("fetched {count} archive{s} ({mib:.1} MiB, {bytes} bytes) into {}{already}", f.downloads.display()));
    reporter.info(&format!("channel manifest for '{}' stored in {}", f.toolchain, f.manifest.display()));
}
