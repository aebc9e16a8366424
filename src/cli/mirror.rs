//! `tcup mirror pack` and `tcup mirror sync`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::ops::mirror::pack::{self, PackOptions};
use crate::progress::Reporter;

#[derive(Debug, Subcommand)]
pub(super) enum MirrorCommand {
    /// Turn an installed toolchain into a dist server directory (rust-installer tarballs and a channel manifest).
    Pack(PackArgs),
    /// Copy channels from the dist server (RUSTUP_DIST_SERVER) into a directory, byte for byte and
    /// incrementally: serve it as RUSTUP_DIST_SERVER (and with --self as TCUP_UPDATE_ROOT).
    Sync(super::mirror_sync::SyncArgs),
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
    /// Sign each manifest written (`.asc` beside it) with this ASCII-armoured, unprotected
    /// OpenPGP secret key (`gpg --armor --export-secret-keys KEY` of a key without a passphrase).
    #[arg(long, value_name = "FILE")]
    sign_key: Option<PathBuf>,
}

pub(super) fn run(cmd: MirrorCommand, env: &crate::env::Env, reporter: &Reporter) -> anyhow::Result<()> {
    let args = match cmd {
        MirrorCommand::Pack(args) => args,
        MirrorCommand::Sync(args) => return super::mirror_sync::run(args, env, reporter),
    };
    let sign_key = args.sign_key.as_deref().map(pack::load_sign_key).transpose()?;
    let opts = PackOptions {
        formats: pack::parse_formats(&args.formats)?,
        toolchain: args.toolchain,
        out: args.out,
        profile: args.profile,
        channel: args.channel,
        sign_key,
    };
    let report = pack::pack(&opts, reporter)?;
    if let Some(key_id) = &report.signed_with {
        reporter.info(&format!("signed {} manifests with key {key_id}", report.manifests.len()));
    }
    reporter.info(&format!(
        "packed {} components of channel '{}' into {} ({})",
        report.components.len(),
        report.channel,
        opts.out.display(),
        report.manifests.join(", ")
    ));
    Ok(())
}
