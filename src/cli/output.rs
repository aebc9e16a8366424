//! One value, two renderings: each command that reports state builds one serde value (a
//! [`Document`]) and this module prints it as rustup's text or, with `--format json` /
//! `TCUP_FORMAT=json`, as one JSON document with `"format_version": 1` first (docs/json.md, a
//! schema per document in docs/schema/). Commands never choose between the two themselves.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::env::{Env, OutputFormat, redact};
use crate::ops::active::resolve::{Reason, Toolchain};
use crate::progress::events::FORMAT_VERSION;

/// A command's result, printable both ways.
pub(super) trait Document: Serialize {
    /// The text tcup prints for it (rustup's, byte for byte), every line ending in `\n`.
    fn text(&self) -> String;
}

#[derive(Serialize)]
struct Versioned<'a, D: Serialize> {
    format_version: u32,
    #[serde(flatten)]
    doc: &'a D,
}

/// Prints `doc` on stdout in `env.format`, any URL's user info masked ([`redact::text`]).
pub(super) fn print(env: &Env, doc: &impl Document) {
    match env.format {
        // Documents name dist servers and proxies: their credentials are masked (issue 28.8).
        OutputFormat::Text => print!("{}", redact::text(&doc.text())),
        OutputFormat::Json => {
            let json = serde_json::to_string_pretty(&Versioned { format_version: FORMAT_VERSION, doc }).expect("documents serialise");
            println!("{}", redact::text(&json));
        }
    }
}

/// A toolchain as JSON documents name it: the full name as `show` prints it, with the parts
/// of an official name as extra fields (`null` for a linked or path toolchain).
#[derive(Debug, Clone, Serialize)]
pub(super) struct ToolchainRef {
    /// `stable-x86_64-unknown-linux-gnu`, a linked name, or an absolute path.
    pub name: String,
    /// `stable`, `beta`, `nightly` or a version (`1.95.0`).
    pub channel: Option<String>,
    /// The archive date (`YYYY-MM-DD`) the name pins.
    pub date: Option<String>,
    /// Host triple.
    pub host: Option<String>,
}

impl ToolchainRef {
    /// The parts of `name` (official names only carry channel, date and host).
    pub fn named(name: &str) -> ToolchainRef {
        let parsed = name.parse::<crate::dist::name::ToolchainName>().ok().filter(|n| n.host.is_some());
        ToolchainRef {
            name: name.to_owned(),
            channel: parsed.as_ref().map(|n| n.channel.to_string()),
            date: parsed.as_ref().and_then(|n| n.date.clone()),
            host: parsed.and_then(|n| n.host),
        }
    }

    /// A resolved toolchain (a path toolchain has no channel).
    pub fn of(t: &Toolchain) -> ToolchainRef {
        match t {
            Toolchain::Named(n) => ToolchainRef::named(n.as_str()),
            Toolchain::Path(p) => ToolchainRef { name: p.display().to_string(), channel: None, date: None, host: None },
        }
    }
}

/// Why a toolchain is active, as JSON: the kind, the file or directory behind it, and rustup's
/// wording.
#[derive(Debug, Clone, Serialize)]
pub(super) struct ReasonDoc {
    /// `command_line`, `environment`, `directory_override`, `toolchain_file` or `default`.
    pub kind: &'static str,
    /// The override's directory or the toolchain file (absolute), when there is one.
    pub path: Option<PathBuf>,
    /// rustup's "active because: …" text.
    pub because: String,
}

impl ReasonDoc {
    pub fn of(r: &Reason) -> ReasonDoc {
        let (kind, path) = match r {
            Reason::CommandLine => ("command_line", None),
            Reason::Environment => ("environment", None),
            Reason::Directory(d) => ("directory_override", Some(d.clone())),
            Reason::File(f) => ("toolchain_file", Some(f.clone())),
            Reason::Default => ("default", None),
        };
        ReasonDoc { kind, path, because: r.because() }
    }
}

/// `path` made absolute against the current directory (JSON paths are absolute).
pub(super) fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Pre-scans arguments for `--format json` / `--format=json` (and `TCUP_FORMAT=json`), so that
/// a command line clap refuses still gets its error as JSON when JSON was asked for.
pub(super) fn wants_json(args: &[std::ffi::OsString]) -> bool {
    let mut asked = std::env::var("TCUP_FORMAT").is_ok_and(|v| v == "json");
    let mut it = args.iter().map(|a| a.to_string_lossy());
    while let Some(a) = it.next() {
        if a == "--" {
            break;
        }
        if a == "--format" {
            asked = it.next().is_some_and(|v| v == "json");
        } else if let Some(v) = a.strip_prefix("--format=") {
            asked = v == "json";
        }
    }
    asked
}

/// The error object printed on stderr in JSON mode.
pub(super) fn error_line(message: &str, exit_code: i32) -> String {
    crate::progress::events::error_object(message, exit_code)
}
