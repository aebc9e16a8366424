//! `tcup completions SHELL [tcup|cargo]`: shell completion scripts. tcup's own come from its
//! clap definition (`clap_complete`); cargo's are shipped by each toolchain, so for cargo this
//! prints, as rustup does, a snippet that sources the active toolchain's completion file (bash
//! and zsh only: the toolchains ship no others).

use std::io::Write as _;

use clap::{Args, CommandFactory};
use clap_complete::Shell;

#[derive(Debug, Args)]
pub(super) struct CompletionsArgs {
    /// bash, zsh, fish, elvish or powershell.
    shell: Shell,
    /// Whose completions: tcup's own, or cargo's.
    #[arg(default_value = "tcup", value_parser = ["tcup", "cargo"])]
    command: String,
}

pub(super) fn run(args: &CompletionsArgs) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if args.command == "tcup" {
        clap_complete::generate(args.shell, &mut super::Cli::command(), "tcup", &mut out);
        return Ok(());
    }
    let snippet = match args.shell {
        Shell::Bash => "if command -v rustc >/dev/null 2>&1; then\n\tsource \"$(rustc --print sysroot)\"/etc/bash_completion.d/cargo\nfi\n",
        Shell::Zsh => {
            "#compdef cargo\nif command -v rustc >/dev/null 2>&1; then\n\tsource \"$(rustc --print sysroot)\"/share/zsh/site-functions/_cargo\nfi\n"
        }
        other => anyhow::bail!("cargo does not currently support completions for {other}"),
    };
    out.write_all(snippet.as_bytes())?;
    Ok(())
}
