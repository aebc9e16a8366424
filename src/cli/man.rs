//! `tcup self man-pages DIR`: tcup's own man pages generated from the clap definitions (clap_mangen), so they never
//! drift from `--help`: `tcup.1` and one page per subcommand (`tcup-toolchain.1`,
//! `tcup-toolchain-install.1`, …), as git and cargo name theirs. No network. (`tcup man COMMAND`
//! shows a toolchain's page, as rustup's does: [`super::toolchain_docs`].)

use std::path::{Path, PathBuf};

use clap::{Args, CommandFactory};

use crate::progress::Reporter;

#[derive(Debug, Args)]
pub(super) struct ManArgs {
    /// Directory to write the pages into (created if missing); `man1/` is not added.
    #[arg(value_name = "DIR")]
    dir: PathBuf,
}

pub(super) fn run(args: &ManArgs, reporter: &Reporter) -> anyhow::Result<()> {
    let written = write_pages(&args.dir)?;
    reporter.info(&format!("wrote {} man pages to {}", written.len(), args.dir.display()));
    Ok(())
}

/// Writes every page into `dir`; returns the files written (`tcup.1` first).
///
/// # Errors
/// `dir` cannot be created or a page cannot be written (the error names the file).
pub(super) fn write_pages(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    fs_err::create_dir_all(dir)?;
    let mut cmd = super::Cli::command().after_help(super::GLOBAL_HELP);
    cmd.build();
    let mut out = Vec::new();
    write_tree(&cmd, "tcup", dir, &mut out)?;
    Ok(out)
}

/// The page for `cmd` (named `name`: `tcup-toolchain-install`), then its subcommands' pages.
fn write_tree(cmd: &clap::Command, name: &str, dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let mut bytes = Vec::new();
    clap_mangen::Man::new(cmd.clone()).title(name).render(&mut bytes)?;
    let file = dir.join(format!("{name}.1"));
    fs_err::write(&file, bytes)?;
    out.push(file);
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help" && !s.is_hide_set()) {
        write_tree(sub, &format!("{name}-{}", sub.get_name()), dir, out)?;
    }
    Ok(())
}
