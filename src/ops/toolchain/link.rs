//! `tcup toolchain link NAME PATH`: a local build (a rust-lang/rust stage directory with `bin/`
//! and `lib/`) under a custom name in `toolchains/`, as rustup makes it: a symbolic link to the
//! build's canonical path (a directory junction on Windows, as rustup's). tcup never writes into a linked toolchain, and uninstalling it removes
//! only the link.

use std::path::{Path, PathBuf};

use crate::dist::name::{LocalName, ToolchainName};
use crate::error::UsageError;
use crate::home::Home;

/// Links the toolchain directory `path` as `toolchains/<name>` (a symbolic link to its canonical
/// path, as rustup makes it), replacing an earlier link of that name.
///
/// # Errors
/// A [`UsageError`] when `name` is a channel name (`stable`, `1.95.0`: reserved for installs) or
/// contains `/`, or when `path` is not a directory with `bin/` and `lib/`; I/O errors.
pub fn link(rustup_home: &Path, name: &str, path: &Path) -> anyhow::Result<PathBuf> {
    let home = Home::new(rustup_home);
    let custom = LocalName::parse(name).map_err(|e| UsageError(format!("invalid custom toolchain name '{name}': {}", e.why)))?;
    if name.parse::<ToolchainName>().is_ok() {
        return Err(UsageError(format!(
            "invalid custom toolchain name '{name}': a linked toolchain needs a name that is not a channel name like stable or 1.95.0"
        ))
        .into());
    }
    for sub in ["bin", "lib"] {
        if !path.join(sub).is_dir() {
            return Err(UsageError(format!("not a directory: '{}' (a toolchain has bin/ and lib/)", path.join(sub).display())).into());
        }
    }
    let target = fs_err::canonicalize(path)?;
    fs_err::create_dir_all(home.toolchains_dir())?;
    let dest = home.toolchain(&custom).root().to_path_buf();
    match dest.symlink_metadata() {
        Ok(m) if m.file_type().is_symlink() => crate::sys::fs::remove_dir_link(&dest)?,
        Ok(_) => return Err(UsageError(format!("'{name}' is an installed toolchain, not a link; uninstall it first")).into()),
        Err(_) => {}
    }
    crate::sys::fs::dir_link(&target, &dest)?;
    Ok(target)
}
