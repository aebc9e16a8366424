//! `tcup doctor`: which backends reach the dist server (a table) and whether its channel
//! manifests are signed, by whom; `tcup doctor host`: the host triple tcup would choose, then the
//! evidence for it.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use serde::Serialize;

use super::output::{self, Document};

use crate::env::{Env, redact};
use crate::ops::tcup::doctor::{self, Decision};

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
            let read = doctor::check_file(env);
            let signatures = if read.is_ok() { Some(signatures(env, reporter)?) } else { None };
            let doc = DoctorDoc {
                dist_server: redact::url(&env.dist_server),
                local: true,
                backends: Vec::new(),
                servers: Vec::new(),
                probe_file: read.as_ref().ok().map(|bytes| ProbeFile { path: doctor::PROBE_PATH, bytes: *bytes }),
                signatures,
                probes: Vec::new(),
            };
            output::print(env, &doc);
            read.map_err(|e| anyhow::anyhow!("the dist server's {} cannot be read: {e}", doctor::PROBE_PATH))?;
            doc.signature_error()
        }
        None => {
            let servers = doctor::probe_servers(env);
            let reachable = servers.iter().flat_map(|(_, p)| p).any(|p| p.error.is_none());
            let signatures = if reachable { Some(signatures(env, reporter)?) } else { None };
            let first = servers.first().map(|(_, p)| p.iter().map(ProbeDoc::of).collect()).unwrap_or_default();
            let doc = DoctorDoc {
                dist_server: redact::url(&env.dist_server),
                local: false,
                backends: first,
                servers: servers
                    .iter()
                    .map(|(u, p)| ServerDoc { dist_server: redact::url(u), backends: p.iter().map(ProbeDoc::of).collect() })
                    .collect(),
                probe_file: None,
                signatures,
                probes: servers,
            };
            output::print(env, &doc);
            if !reachable {
                anyhow::bail!("no backend could fetch from {}", redact::url(&env.dist_server));
            }
            doc.signature_error()
        }
    }
}

/// Whether the dist server's channel manifests are signed, and by whom (judged by
/// `dist/channel-rust-stable.toml`); a signature that does not verify fails the doctor (exit 1)
/// after the report is printed.
fn signatures(env: &Env, reporter: &crate::progress::Reporter) -> anyhow::Result<SignaturesDoc> {
    let s = doctor::signatures(env, reporter)?;
    Ok(SignaturesDoc { state: s.state, signer: s.signer, policy: s.policy, error: s.error })
}

/// `doctor`'s line on signatures.
#[derive(Serialize)]
struct SignaturesDoc {
    /// `signed`, `unsigned` (no `.asc`) or `bad` (a signature that does not verify).
    state: &'static str,
    /// Who signed the probed manifest, when `signed`.
    signer: Option<String>,
    /// The signature policy in force (`auto` or `require`).
    policy: &'static str,
    /// Why the signature does not verify, when `bad`.
    error: Option<String>,
}

impl SignaturesDoc {
    fn line(&self) -> String {
        match (self.state, &self.signer) {
            ("signed", Some(s)) => format!("channel manifests: signed by {s} (policy {})", self.policy),
            ("unsigned", _) => format!("channel manifests: not signed (no {}.asc; policy {})", doctor::PROBE_PATH, self.policy),
            _ => format!("channel manifests: the signature does not verify (policy {})", self.policy),
        }
    }
}

/// `doctor`: which download backends reach the dist server.
#[derive(Serialize)]
struct DoctorDoc {
    dist_server: String,
    /// A `file://` dist server: no backend is involved.
    local: bool,
    /// One probe per backend on the first dist server, in the configured order (empty when `local`).
    backends: Vec<ProbeDoc>,
    /// Every http(s) dist server (`TCUP_DIST_SERVERS`) with its probes, in the configured order.
    servers: Vec<ServerDoc>,
    /// For a local dist server: the probe file and its size, when readable.
    probe_file: Option<ProbeFile>,
    /// Whether the dist server signs its channel manifests (`null` when it could not be reached).
    signatures: Option<SignaturesDoc>,
    #[serde(skip)]
    probes: Vec<(url::Url, Vec<doctor::Probe>)>,
}

/// One dist server's health: a probe per backend.
#[derive(Serialize)]
struct ServerDoc {
    dist_server: String,
    backends: Vec<ProbeDoc>,
}

impl DoctorDoc {
    /// The error for a signature that does not verify, once the report is out.
    fn signature_error(&self) -> anyhow::Result<()> {
        match self.signatures.as_ref().and_then(|s| s.error.as_ref()) {
            Some(e) => Err(anyhow::anyhow!("{e}")),
            None => Ok(()),
        }
    }
}

#[derive(Serialize)]
struct ProbeFile {
    path: &'static str,
    bytes: u64,
}

#[derive(Serialize)]
struct ProbeDoc {
    backend: &'static str,
    ok: bool,
    /// Seconds until the status and headers arrived.
    first_byte_seconds: Option<f64>,
    /// Seconds until the last byte.
    total_seconds: Option<f64>,
    bytes: u64,
    error: Option<String>,
}

impl ProbeDoc {
    fn of(p: &doctor::Probe) -> ProbeDoc {
        ProbeDoc {
            backend: p.backend,
            ok: p.error.is_none(),
            first_byte_seconds: p.first_byte.map(|d| d.as_secs_f64()),
            total_seconds: p.total.map(|d| d.as_secs_f64()),
            bytes: p.bytes,
            error: p.error.clone(),
        }
    }
}

impl Document for DoctorDoc {
    fn text(&self) -> String {
        let mut out = if self.local {
            let mut out = format!("dist server: {} (local files: no download backend is involved)\n", self.dist_server);
            if let Some(f) = &self.probe_file {
                let _ = writeln!(out, "{}: readable, {} bytes", f.path, f.bytes);
            }
            out
        } else {
            let mut out = String::new();
            for (server, probes) in &self.probes {
                let _ = write!(out, "dist server: {server}\n{}", doctor::table(probes));
            }
            out
        };
        if let Some(s) = &self.signatures {
            let _ = writeln!(out, "{}", s.line());
        }
        out
    }
}

/// `doctor host`: the host triple tcup would choose here, and the evidence.
#[derive(Serialize)]
struct HostDoc {
    /// The chosen host triple (`null` when refused).
    host: Option<String>,
    /// Targets installed with it (e.g. the 32-bit standard library beside a 64-bit kernel's).
    also_installs_targets: Vec<String>,
    notes: Vec<String>,
    /// When no Rust toolchain can be installed here: what was detected and why not.
    refused: Option<Refused>,
    /// One line per signal: `signal: value (source)`.
    evidence: Vec<String>,
}

#[derive(Serialize)]
struct Refused {
    detected: String,
    why: String,
}

impl Document for HostDoc {
    fn text(&self) -> String {
        let mut out = String::new();
        if let Some(h) = &self.host {
            let _ = writeln!(out, "{h}");
        }
        for t in &self.also_installs_targets {
            let _ = writeln!(out, "  also installs target: {t}");
        }
        for n in &self.notes {
            let _ = writeln!(out, "  note: {n}");
        }
        if let Some(r) = &self.refused {
            let _ = writeln!(out, "refused: {}", r.why);
        }
        for line in &self.evidence {
            let _ = writeln!(out, "  {line}");
        }
        out
    }
}

/// The same decision `toolchain install` makes (`TCUP_HOST_ROOT`, `TCUP_HOST_MACHINE`), unless
/// `--root`/`--machine` ask about another system.
fn host_report(args: &HostArgs, env: &Env) -> anyhow::Result<()> {
    let report = doctor::host(env, args.root.as_deref(), args.machine.as_deref());
    let doc = match &report.decision {
        Decision::Host { triple, targets, notes } => HostDoc {
            host: Some(triple.clone()),
            also_installs_targets: targets.clone(),
            notes: notes.clone(),
            refused: None,
            evidence: report.evidence.clone(),
        },
        Decision::Refused { detected, why } => HostDoc {
            host: None,
            also_installs_targets: Vec::new(),
            notes: Vec::new(),
            refused: Some(Refused { detected: detected.clone(), why: why.clone() }),
            evidence: report.evidence.clone(),
        },
    };
    output::print(env, &doc);
    match report.decision {
        Decision::Host { .. } => Ok(()),
        Decision::Refused { detected, why } => Err(anyhow::anyhow!("cannot install a Rust toolchain here (detected {detected}): {why}")),
    }
}
