//! `tcup doctor`: which backends reach the dist server (a table) and whether its channel
//! manifests are signed, by whom; `tcup doctor host`: the host triple tcup would choose, then the
//! evidence for it.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::env::Env;
use crate::host::{self, Decision};
use crate::ops::doctor;

#[derive(Debug, Args)]
pub(super) struct DoctorArgs {
    #[command(subcommand)]
    what: Option<DoctorCommand>,
}

#[derive(Debug, Subcommand)]
pub(super) enum DoctorCommand {
    /// Show the host triple chosen for this system (first line) and the evidence for it.
    Host(HostArgs),
    /// Download URL through the normal download path (backends, watchdog, SHA-256 in the stream)
    /// into nothing, and report backend order, bytes, seconds, throughput and the SHA-256.
    Download(DownloadArgs),
}

#[derive(Debug, Args)]
pub(super) struct DownloadArgs {
    /// The URL (https, http or file).
    url: url::Url,
}

#[derive(Debug, Args)]
pub(super) struct HostArgs {
    /// Read the userland, loaders and proc/cpuinfo below DIR instead of TCUP_HOST_ROOT (default /).
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Use NAME as the kernel machine instead of TCUP_HOST_MACHINE (default: `uname -m`).
    #[arg(long, value_name = "NAME")]
    machine: Option<String>,
}

pub(super) fn run(args: DoctorArgs, env: &Env, reporter: &crate::progress::Reporter) -> anyhow::Result<()> {
    match args.what {
        Some(DoctorCommand::Host(h)) => host_report(&h, env),
        Some(DoctorCommand::Download(d)) => {
            let r = doctor::download(env, &d.url, reporter)?;
            #[allow(clippy::cast_precision_loss)]
            let mib = r.bytes as f64 / (1024.0 * 1024.0);
            println!(
                "{} bytes in {:.2} s ({:.1} MiB/s) via {}; sha256 {}",
                r.bytes,
                r.seconds,
                mib / r.seconds.max(1e-9),
                r.backends.join(","),
                r.sha256
            );
            Ok(())
        }
        None if env.dist_server.scheme() == "file" => {
            println!("dist server: {} (local files: no download backend is involved)", env.dist_server);
            let bytes =
                doctor::check_file(env).map_err(|e| anyhow::anyhow!("the dist server's {} cannot be read: {e}", doctor::PROBE_PATH))?;
            println!("{}: readable, {bytes} bytes", doctor::PROBE_PATH);
            signatures(env, reporter)
        }
        None => {
            println!("dist server: {}", env.dist_server);
            let probes = doctor::probe_backends(env);
            print!("{}", doctor::table(&probes));
            if probes.iter().all(|p| p.error.is_some()) {
                anyhow::bail!("no backend could fetch from {}", env.dist_server);
            }
            signatures(env, reporter)
        }
    }
}

/// One line: whether the dist server's channel manifests are signed, and by whom (judged by
/// `dist/channel-rust-stable.toml`); a signature that does not verify fails the doctor (exit 1).
fn signatures(env: &Env, reporter: &crate::progress::Reporter) -> anyhow::Result<()> {
    use crate::trust::policy::Evidence;
    let url = crate::dist::server::join(&env.dist_server, doctor::PROBE_PATH);
    let downloader = crate::download::Downloader::new(&env.download)?;
    let policy = crate::ops::signature::policy(env)?.word();
    match crate::ops::signature::probe(env, &downloader, &url, reporter)? {
        Evidence::Signed(s) => println!("channel manifests: signed by {s} (policy {policy})"),
        Evidence::Unsigned => println!("channel manifests: not signed (no {}.asc; policy {policy})", doctor::PROBE_PATH),
        Evidence::Bad(b) => {
            println!("channel manifests: the signature does not verify (policy {policy})");
            return Err(b.into());
        }
    }
    Ok(())
}

/// The same decision `toolchain install` makes (`TCUP_HOST_ROOT`, `TCUP_HOST_MACHINE`), unless
/// `--root`/`--machine` ask about another system.
fn host_report(args: &HostArgs, env: &Env) -> anyhow::Result<()> {
    let root = args.root.as_deref().unwrap_or(&env.host_root);
    let report = host::detect(root, args.machine.as_deref().or(env.host_machine.as_deref()));
    match &report.decision {
        Decision::Host { triple, targets, notes } => {
            println!("{triple}");
            for t in targets {
                println!("  also installs target: {t}");
            }
            for n in notes {
                println!("  note: {n}");
            }
        }
        Decision::Refused { why, .. } => println!("refused: {why}"),
    }
    for line in &report.evidence {
        println!("  {line}");
    }
    match report.decision {
        Decision::Host { .. } => Ok(()),
        Decision::Refused { detected, why } => Err(anyhow::anyhow!("cannot install a Rust toolchain here (detected {detected}): {why}")),
    }
}
