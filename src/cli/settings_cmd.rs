//! `tcup default [TOOLCHAIN|none]` and `tcup set profile|default-host|auto-install|auto-self-update`: the
//! settings in `settings.toml` that rustup reads too; `tcup set signature-policy`, kept in
//! tcup's own `tcup.toml` (rustup would drop it from `settings.toml`).

use clap::{Args, Subcommand};

use crate::env::Env;
use crate::error::UsageError;
use crate::ops::active::context::Session;
use crate::ops::active::resolve::{self, Active, Reason, Toolchain};
use crate::ops::active::settings::{self, Setting};
use crate::progress::Reporter;

#[derive(Debug, Args)]
pub(super) struct DefaultArgs {
    /// Toolchain to make the default (installed first when missing), or `none` to unset it.
    /// Without it, prints the default.
    #[arg(value_parser = crate::dist::name::parse_arg)]
    toolchain: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(super) enum SetCommand {
    /// The profile for new installs.
    Profile {
        /// minimal, default or complete.
        #[arg(value_parser = ["minimal", "default", "complete"], default_value = "default")]
        profile: String,
    },
    /// The host triple for toolchain names without one.
    DefaultHost {
        /// e.g. x86_64-unknown-linux-musl.
        triple: String,
    },
    /// Whether proxies install a missing active toolchain (RUSTUP_AUTO_INSTALL wins over this).
    AutoInstall {
        /// enable or disable.
        #[arg(value_parser = ["enable", "disable"], default_value = "enable")]
        mode: String,
    },
    /// What `tcup update` and `tcup check` do about tcup itself: `enable` updates it,
    /// `check-only` (when unset) says when a new tcup is published, `disable` neither.
    AutoSelfUpdate {
        /// enable, disable or check-only.
        #[arg(value_parser = ["enable", "disable", "check-only"], default_value = "enable")]
        mode: String,
    },
    /// What an unsigned channel manifest gets: `auto` installs it with a warning (unless this
    /// home saw the channel signed before), `require` refuses it. Stored in RUSTUP_HOME/tcup.toml;
    /// TCUP_SIGNATURE_POLICY wins over it.
    SignaturePolicy {
        /// auto or require.
        #[arg(value_parser = ["auto", "require"])]
        policy: String,
    },
}

pub(super) fn default(args: &DefaultArgs, env: &Env, reporter: &Reporter) -> anyhow::Result<()> {
    let here = Session::load(env)?;
    match args.toolchain.as_deref() {
        None => match &here.settings.default_toolchain {
            Some(d) => println!("{} (default)", resolve::toolchain(d, &here.host, &Reason::Default)?),
            None => anyhow::bail!("no default toolchain is configured"),
        },
        Some("none") => {
            settings::set_default(env, None)?;
            reporter.info("default toolchain unset");
        }
        Some(name) => {
            let toolchain = resolve::toolchain(name, &here.host, &Reason::CommandLine)?;
            if let Toolchain::Path(p) = &toolchain {
                return Err(UsageError(format!(
                    "the default toolchain must be a name, not a path ({}); link it first with `tcup toolchain link NAME {}`",
                    p.display(),
                    p.display()
                ))
                .into());
            }
            let active = Active::plain(toolchain, Reason::CommandLine);
            here.install(env, &active, reporter)?;
            settings::set_default(env, Some(&active.toolchain.to_string()))?;
            reporter.info(&format!("default toolchain set to {}", active.toolchain));
            if let Ok(Some(now)) = resolve::active(&here.ctx(env), None)
                && now.reason != Reason::Default
                && now.toolchain != active.toolchain
            {
                reporter.info(&format!("note that the toolchain '{}' is currently in use ({})", now.toolchain, now.reason.because()));
            }
        }
    }
    Ok(())
}

pub(super) fn set(cmd: &SetCommand, env: &Env, reporter: &Reporter) -> anyhow::Result<()> {
    match cmd {
        SetCommand::Profile { profile } => {
            settings::set(env, Setting::Profile(profile), reporter)?;
            reporter.info(&format!("profile set to {profile}"));
        }
        SetCommand::DefaultHost { triple } => {
            settings::set(env, Setting::DefaultHost(triple), reporter)?;
            reporter.info(&format!("default host triple set to {triple}"));
        }
        SetCommand::AutoInstall { mode } => {
            settings::set(env, Setting::AutoInstall(mode), reporter)?;
            reporter.info(&format!("setting auto install mode to {mode}"));
        }
        SetCommand::AutoSelfUpdate { mode } => {
            settings::set(env, Setting::AutoSelfUpdate(mode), reporter)?;
            reporter.info(&format!("auto-self-update mode set to {mode}"));
        }
        SetCommand::SignaturePolicy { policy } => {
            let p = if policy == "require" { crate::env::SignaturePolicy::Require } else { crate::env::SignaturePolicy::Auto };
            settings::set(env, Setting::SignaturePolicy(p), reporter)?;
            reporter.info(&format!("signature policy set to {policy}"));
            if let Some(var) = env.signature_policy.filter(|v| *v != p) {
                reporter.warn(&format!("TCUP_SIGNATURE_POLICY={} is set and wins over this setting", var.word()));
            }
        }
    }
    Ok(())
}
