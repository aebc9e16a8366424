//! `tcup lock [--host T]... [--upgrade] [--check]`: its arguments turned into one call to
//! [`crate::ops::toolchain::lock`], and the lines it prints.

use clap::Args;

use crate::env::Env;
use crate::ops::toolchain::lock::{self, LockOptions};
use crate::progress::Reporter;

#[derive(Debug, Args)]
#[command(after_help = "\
Discussion:
    Pins the channel of the nearest rust-toolchain.toml (or rust-toolchain) to
    one release: the dated channel manifest's path and SHA-256, its signer,
    and the SHA-256 of every archive its profile, components and targets
    select, for each host locked. The lock is written beside the toolchain
    file as rust-toolchain.lock; tcup then installs exactly that release.

    Run again, it keeps the locked release and selects the archives again
    (for changed components, targets or hosts); --upgrade moves to the
    channel's newest release. See docs/lock.md.

Exit status of --check:
  0   The lock matches the toolchain file.
  1   It does not, or there is no lock.")]
pub(super) struct LockArgs {
    /// Also lock the toolchain for this host triple (repeat for several)
    #[arg(long = "host", value_name = "TRIPLE")]
    hosts: Vec<String>,
    /// Move to the channel's newest release instead of keeping the locked one
    #[arg(long, conflicts_with = "check")]
    upgrade: bool,
    /// Only check that the lock matches the toolchain file (no network)
    #[arg(long, conflicts_with = "hosts")]
    check: bool,
}

pub(super) fn run(args: LockArgs, env: &Env, reporter: &Reporter) -> anyhow::Result<()> {
    let dir = std::env::current_dir()?;
    if args.check {
        let (lock, file) = lock::check(&dir, reporter)?;
        reporter.info(&format!("{} matches {}", lock.display(), file.display()));
        return Ok(());
    }
    let downloader = crate::ops::downloader(env)?;
    let opts = LockOptions { dir, hosts: args.hosts, upgrade: args.upgrade };
    let locked = lock::lock(env, &opts, &downloader, reporter)?;
    if locked.written {
        reporter.info(&locked.summary());
        reporter.info(&format!("wrote {}", locked.path.display()));
    } else {
        reporter.info(&format!("{} is up to date", locked.path.display()));
    }
    Ok(())
}
