//! `tcup toolchain uninstall` (and `tcup uninstall`): removing installed (or linked) toolchains.
//!
//! Uninstall is atomic: the toolchain directory is renamed into a staging directory under
//! `RUSTUP_HOME/tmp/` (one rename, under the home lock) and deleted from there, so a crash leaves
//! the toolchain or nothing, and a half-deleted tree is never visible in `toolchains/`. Like
//! rustup, uninstalling the default toolchain does not change `default_toolchain`.

use anyhow::Context as _;

use crate::dist::name::LocalName;
use crate::env::Env;
use crate::error::UsageError;
use crate::home::Home;
use crate::install::staging::Staging;
use crate::ops::active::context::Session;
use crate::ops::active::resolve::{self, Reason, Toolchain};
use crate::progress::Reporter;

/// `tcup toolchain uninstall NAME…` (and `tcup uninstall`): each name completed with the default
/// host as a command-line name is, then uninstalled ([`uninstall`]) with a warning when it is the
/// active or the default toolchain; a name with nothing installed is said and skipped.
///
/// # Errors
/// A name that is a path ([`UsageError`]) or not a toolchain name; `settings.toml` cannot be
/// read; an uninstall failed (the names before it stay uninstalled).
pub fn uninstall_named(env: &Env, names: &[String], reporter: &Reporter) -> anyhow::Result<()> {
    let here = Session::load(env)?;
    let home = Home::new(&env.rustup_home);
    let active = resolve::active(&here.ctx(env), None).ok().flatten().map(|a| a.toolchain);
    let default = here.settings.default_toolchain.as_deref().and_then(|d| resolve::toolchain(d, &here.host, &Reason::Default).ok());
    for name in names {
        let toolchain = resolve::toolchain(name, &here.host, &Reason::CommandLine)?;
        let Toolchain::Named(full) = &toolchain else {
            return Err(UsageError(format!(
                "'{name}' is a path; only toolchains in {} can be uninstalled",
                home.toolchains_dir().display()
            ))
            .into());
        };
        if resolve::locate(&env.rustup_home, &toolchain).is_none() && !home.is_linked(full) {
            reporter.info(&format!("no toolchain installed for '{name}'"));
            continue;
        }
        if active.as_ref() == Some(&toolchain) {
            reporter.warn("removing the active toolchain; a toolchain override will be required for running Rust tools");
        }
        if default.as_ref() == Some(&toolchain) {
            reporter.warn("removing the default toolchain; proc-macros and build scripts might no longer build");
        }
        reporter.info(&format!("uninstalling toolchain {full}"));
        uninstall(&home, full)?;
        reporter.info(&format!("toolchain {full} uninstalled"));
    }
    Ok(())
}

/// Removes `toolchains/<name>` (a directory, or the link of a linked toolchain), its
/// `update-hashes/<name>` and its last-use record ([`crate::home::usage`]). Returns false when no such toolchain is installed.
///
/// # Errors
/// The lock, the rename or the deletion failed (the error names the path).
pub fn uninstall(home: &Home, name: &LocalName) -> anyhow::Result<bool> {
    let dir = home.toolchain(name);
    let dest = dir.root();
    if dest.symlink_metadata().is_err() {
        return Ok(false);
    }
    let _lock = home.lock(|| {}).with_context(|| format!("locking {}", home.root().display()))?;
    if home.is_linked(name) {
        crate::sys::fs::remove_dir_link(dest)?;
    } else {
        let trash = Staging::new(home).with_context(|| format!("creating a directory in {}", home.tmp().display()))?;
        let target = trash.tree().with_file_name("uninstalled");
        fs_err::rename(dest, &target)?;
        // Dropping `trash` deletes the tree; do it now so errors are seen.
        fs_err::remove_dir_all(&target)?;
    }
    home.remove_update_hash(name)?;
    home.usage().forget_toolchain(name)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::toolchain::link::link;

    fn name(s: &str) -> LocalName {
        LocalName::parse(s).unwrap()
    }

    #[test]
    fn link_then_uninstall_keeps_the_linked_tree() {
        let dir = tempfile::tempdir().unwrap();
        let build = tempfile::tempdir().unwrap();
        fs_err::create_dir_all(build.path().join("bin")).unwrap();
        fs_err::create_dir_all(build.path().join("lib")).unwrap();
        assert!(link(dir.path(), "stable", build.path()).unwrap_err().to_string().contains("invalid custom toolchain name 'stable'"));
        assert!(link(dir.path(), "x", dir.path()).unwrap_err().to_string().contains("not a directory"));
        // A symbolic link on Unix; on Windows a directory junction, which wine 8 cannot make
        // (ERROR_NOT_SUPPORTED), so this part runs on Unix only.
        #[cfg(unix)]
        {
            let home = Home::new(dir.path());
            link(dir.path(), "stage1", build.path()).unwrap();
            assert!(home.is_linked(&name("stage1")));
            assert!(home.toolchain(&name("stage1")).tool("x").parent().unwrap().is_dir());
            // Linking again replaces the link.
            link(dir.path(), "stage1", build.path()).unwrap();
            assert!(uninstall(&home, &name("stage1")).unwrap());
            assert!(build.path().join("bin").is_dir(), "the linked build itself stays");
            assert!(!uninstall(&home, &name("stage1")).unwrap());
        }
    }

    #[test]
    fn uninstall_removes_the_tree_and_its_hash() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path());
        let tc = name("stable-x");
        fs_err::create_dir_all(home.toolchain(&tc).root().join("bin")).unwrap();
        home.set_update_hash(&tc, "abc").unwrap();
        assert!(uninstall(&home, &tc).unwrap());
        assert!(!home.toolchain(&tc).is_dir());
        assert_eq!(home.update_hash(&tc), None);
        assert_eq!(fs_err::read_dir(home.tmp()).unwrap().count(), 0, "nothing left in tmp");
    }
}
