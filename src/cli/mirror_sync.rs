//! `tcup mirror sync`: its arguments, checked, turned into [`SyncOptions`], and the summary line.

use std::path::PathBuf;

use clap::Args;

use crate::dist::name::is_triple;
use crate::env::Env;
use crate::error::UsageError;
use crate::ops::mirror::sync::{self, SyncOptions};
use crate::progress::Reporter;

#[derive(Debug, Args)]
pub(super) struct SyncArgs {
    /// The mirror's directory (created if missing): serve it as RUSTUP_DIST_SERVER.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// A channel to copy: stable, beta, nightly, a version (1.95.0) or a dated name
    /// (nightly-2026-05-20). Repeat for several. Default: stable.
    #[arg(long = "channel", value_name = "CHANNEL")]
    channels: Vec<String>,
    /// A host triple whose toolchains to copy. Repeat for several. Default: this machine's.
    #[arg(long = "host", value_name = "TRIPLE")]
    hosts: Vec<String>,
    /// An extra target whose standard library to copy for every host. Repeat for several.
    #[arg(long = "target", value_name = "TRIPLE")]
    targets: Vec<String>,
    /// The profile whose components to copy: minimal, default, complete.
    #[arg(long, default_value = "default")]
    profile: String,
    /// Archive formats to copy, comma-separated (xz, gz, zst). Default: every format the manifest
    /// lists (rustup fetches xz; tcup may pick gz).
    #[arg(long, value_name = "LIST")]
    formats: Option<String>,
    /// Remove archives no kept manifest names, and dated manifests beyond --keep.
    #[arg(long)]
    prune: bool,
    /// With --prune: dated releases to keep per channel (the newest; at least 1).
    #[arg(long, value_name = "N", requires = "prune", value_parser = clap::value_parser!(u32).range(1..))]
    keep: Option<u32>,
    /// Also copy tcup's own update root (dist/<host>/tcup-init, .sha256, .asc from TCUP_UPDATE_ROOT).
    #[arg(long = "self")]
    self_update: bool,
}

pub(super) fn run(args: SyncArgs, env: &Env, reporter: &Reporter) -> anyhow::Result<()> {
    let opts = options(args, env)?;
    let downloader = crate::ops::downloader(env)?;
    reporter.info(&format!("syncing {} from {} into {}", names(&opts), env.dist_server, opts.out.display()));
    let report = sync::sync(env, &opts, &downloader, reporter)?;
    reporter.info(&sync::summary(&opts, &report));
    Ok(())
}

fn names(opts: &SyncOptions) -> String {
    let channels: Vec<String> = opts.channels.iter().map(ToString::to_string).collect();
    format!("{} for {}", channels.join(", "), opts.hosts.join(", "))
}

/// Checks the arguments (exit 2 naming the bad value) and fills in the defaults.
fn options(args: SyncArgs, env: &Env) -> anyhow::Result<SyncOptions> {
    // One upstream: with an organisation's mirror first in TCUP_DIST_SERVERS, a sync meant to
    // feed that mirror would read from it.
    if env.download.servers.len() > 1 {
        return Err(UsageError(format!(
            "tcup mirror sync copies from one upstream, but TCUP_DIST_SERVERS lists {}: unset it and set RUSTUP_DIST_SERVER",
            env.download.servers.len()
        ))
        .into());
    }
    let channels = if args.channels.is_empty() { vec!["stable".to_owned()] } else { args.channels };
    let channels = sync::parse_channels(&channels)?;
    crate::dist::select::check_profile(&args.profile)?;
    for (flag, t) in args.hosts.iter().map(|h| ("--host", h)).chain(args.targets.iter().map(|t| ("--target", t))) {
        if !is_triple(t) {
            return Err(UsageError(format!("{flag} {t}: not a target triple (e.g. x86_64-unknown-linux-gnu)")).into());
        }
    }
    let hosts = if args.hosts.is_empty() { sync::default_hosts(env)? } else { args.hosts };
    let formats = args.formats.as_deref().map(crate::ops::mirror::pack::parse_formats).transpose()?;
    Ok(SyncOptions {
        out: args.out,
        channels,
        hosts,
        targets: args.targets,
        profile: args.profile,
        formats,
        prune: args.prune,
        keep: args.keep.map_or(1, |k| k as usize),
        self_update: args.self_update,
    })
}
