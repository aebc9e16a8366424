//! tcup under the name `rustup` (issue 27 D, docs/rustup-compat.md): CI actions and setup scripts
//! find rustup with `command -v rustup` and read its version from `rustup --version`, so
//! `tcup-init --as-rustup` puts a hard link `CARGO_HOME/bin/rustup` → `tcup` beside the proxies,
//! and tcup called by that name is rustup's command line.
//!
//! The link never replaces a real rustup: a `rustup` in `CARGO_HOME/bin` that is not a link of
//! this `tcup` is left as it is, with a warning. `tcup self update` moves the link with `tcup`
//! (it is a hard link of it, [`crate::ops::tcup::update_root::swap_in`]); `tcup self uninstall` removes
//! it only when it is tcup's.

use std::path::{Path, PathBuf};

use crate::progress::Reporter;

/// The name scripts call.
pub const NAME: &str = "rustup";

/// The rustup release whose command line, settings and output tcup follows.
pub const FOLLOWS: &str = "1.29.1";

/// What `rustup --version` prints on stdout when tcup answers as rustup: one line whose second
/// word is a rustup version, as scripts and actions parse it: `rustup 1.29.1 (tcup 0.1.0)`.
pub fn version_line() -> String {
    format!("{NAME} {FOLLOWS} (tcup {})", crate::VERSION)
}

/// Makes `bin/rustup` a hard link of `bin/tcup` (a relative symbolic link where hard links fail),
/// by renaming a new link over it. A `bin/rustup` that is something else — a real rustup — is
/// left as it is and `Ok(None)` says so (with a warning). Returns the link's path when made.
///
/// # Errors
/// The link cannot be made or renamed into place (the path is named).
pub fn link(bin: &Path, reporter: &Reporter) -> anyhow::Result<Option<PathBuf>> {
    let tcup = bin.join(crate::sys::exe("tcup"));
    let link = bin.join(crate::sys::exe(NAME));
    if fs_err::symlink_metadata(&link).is_ok() && !crate::sys::identity::same_file(&link, &tcup) {
        reporter.warn(&format!(
            "{} is another program (a real rustup?): left as it is; tcup stays `tcup` (remove it and run `tcup-init --as-rustup` again to answer as rustup)",
            link.display()
        ));
        return Ok(None);
    }
    crate::sys::atomic_write::replace_with(&link, |tmp| {
        fs_err::hard_link(&tcup, tmp).or_else(|_| crate::sys::fs::symlink(Path::new("tcup"), tmp))
    })?;
    reporter.info(&format!("{} runs tcup as rustup", link.display()));
    Ok(Some(link))
}
