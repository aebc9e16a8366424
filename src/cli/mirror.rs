//! `tcup mirror pack`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::ops::mirror::{self, PackOptions};
use crate::progress::Reporter;

#[derive(Debug, Subcommand)]
pub(super) enum MirrorCommand {
    /// Turn an installed toolchain into a dist server directory (rust-installer tarballs and a channel manifest).
    Pack(PackArgs),
}

#[derive(Debug, Args)]
pub(super) struct PackArgs {
    /// The installed toolchain directory, e.g. "$(rustc --print sysroot)".
    #[arg(long, value_name = "DIR")]
    toolchain: PathBuf,
    /// Output directory: serve it as `RUSTUP_DIST_SERVER`.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Archive formats, comma-separated: xz, gz, zst.
    #[arg(long, default_value = "xz,gz", value_name = "LIST")]
    formats: String,
    /// Pack only the components of this profile (minimal, default, complete).
    #[arg(long)]
    profile: Option<String>,
    /// Publish under this channel name (default: from the toolchain directory name).
    #[arg(long)]
    channel: Option<String>,
}

pub(super) fn run(cmd: MirrorCommand, reporter: &Reporter) -> anyhow::Result<()> {
    let MirrorCommand::Pack(args) = cmd;
    let opts = PackOptions {
        formats: mirror::parse_formats(&args.formats)?,
        toolchain: args.toolchain,
        out: args.out,
        profile: args.profile,
        channel: args.channel,
    };
    let report = mirror::pack(&opts, reporter)?;
    reporter.info(&format!(
        "packed {} components of channel '{}' into {} ({})",
        report.components.len(),
        report.channel,
        opts.out.display(),
        report.manifests.join(", ")
    ));
    Ok(())
}
