//! `tcup override set|unset|list`: directory overrides in `settings.toml` `[overrides]`, keyed by
//! canonical directory as rustup keys them, so rustup sees tcup's overrides and the other way
//! round.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::Subcommand;
use serde::Serialize;

use super::output::{self, Document, ToolchainRef};

use crate::env::Env;
use crate::ops::active::context::Session;
use crate::ops::active::resolve::{self, Active, Reason};
use crate::ops::active::settings::{self, override_key as key};
use crate::progress::Reporter;

#[derive(Debug, Subcommand)]
pub(super) enum OverrideCommand {
    /// List directory overrides.
    List,
    /// Use TOOLCHAIN in the current directory (or --path) and below; installs it when missing.
    #[command(visible_alias = "add")]
    Set {
        /// Toolchain name (stable, 1.95.0, a linked name) or absolute path.
        #[arg(value_parser = crate::dist::name::parse_arg)]
        toolchain: String,
        /// The directory instead of the current one.
        #[arg(long, value_name = "PATH")]
        path: Option<PathBuf>,
    },
    /// Remove the override of the current directory (or --path).
    #[command(visible_alias = "remove")]
    Unset {
        /// The directory instead of the current one.
        #[arg(long, value_name = "PATH", conflicts_with = "nonexistent")]
        path: Option<PathBuf>,
        /// Remove the overrides of every directory that no longer exists.
        #[arg(long)]
        nonexistent: bool,
    },
}

pub(super) fn run(cmd: &OverrideCommand, env: &Env, reporter: &Reporter) -> anyhow::Result<()> {
    let here = Session::load(env)?;
    match cmd {
        OverrideCommand::List => {
            let overrides: Vec<OverrideDoc> = here
                .settings
                .overrides
                .iter()
                .map(|(dir, tc)| OverrideDoc {
                    path: PathBuf::from(dir),
                    exists: Path::new(dir).is_dir(),
                    toolchain: ToolchainRef::named(tc),
                })
                .collect();
            let any_gone = overrides.iter().any(|o| !o.exists);
            output::print(env, &ListDoc { overrides });
            if any_gone {
                reporter.info("you may remove overrides for non-existent directories with\n`tcup override unset --nonexistent`");
            }
        }
        OverrideCommand::Set { toolchain, path } => {
            let dir = key(path.as_deref().unwrap_or(&here.cwd))?;
            let tc = resolve::toolchain(toolchain, &here.host, &Reason::CommandLine)?;
            let active = Active::plain(tc, Reason::CommandLine);
            here.install(env, &active, reporter)?;
            settings::set_override(env, &dir, Some(&active.toolchain.to_string()))?;
            reporter.info(&format!("override toolchain for {dir} set to {}", active.toolchain));
        }
        OverrideCommand::Unset { nonexistent: true, .. } => {
            let gone: Vec<&String> = here.settings.overrides.keys().filter(|d| !Path::new(d).is_dir()).collect();
            if gone.is_empty() {
                reporter.info("no nonexistent paths detected");
            }
            for dir in gone {
                settings::set_override(env, dir, None)?;
                reporter.info(&format!("override toolchain for '{dir}' removed"));
            }
        }
        OverrideCommand::Unset { path, .. } => {
            let dir = key(path.as_deref().unwrap_or(&here.cwd))?;
            if settings::set_override(env, &dir, None)? {
                reporter.info(&format!("override toolchain for '{dir}' removed"));
            } else {
                reporter.info(&format!("no override toolchain for '{dir}'"));
                if path.is_none() {
                    reporter.info("you may use `--path <path>` option to remove override toolchain for a specific path");
                }
            }
        }
    }
    Ok(())
}

/// `override list`: every directory override in `settings.toml`.
#[derive(Serialize)]
struct ListDoc {
    overrides: Vec<OverrideDoc>,
}

#[derive(Serialize)]
struct OverrideDoc {
    /// The directory (canonical, as `settings.toml` keys it).
    path: PathBuf,
    /// Whether the directory still exists.
    exists: bool,
    toolchain: ToolchainRef,
}

impl Document for ListDoc {
    /// rustup's table; a blank line after it when a directory is gone (the hint follows on stderr).
    fn text(&self) -> String {
        if self.overrides.is_empty() {
            return "no overrides\n".into();
        }
        let mut out = String::new();
        for o in &self.overrides {
            let dir = o.path.display();
            let shown = if o.exists { dir.to_string() } else { format!("{dir} (not a directory)") };
            let _ = writeln!(out, "{shown:<40}\t{:<20}", o.toolchain.name);
        }
        if self.overrides.iter().any(|o| !o.exists) {
            out.push('\n');
        }
        out
    }
}
