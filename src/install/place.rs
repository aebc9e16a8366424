//! Moves one unpacked component into the toolchain tree, exactly as its `manifest.in` lists.
//!
//! rust-installer v3: `<top>/components` names the components in the archive; a component's
//! directory holds `manifest.in` with `file:<path>` and `dir:<path>` lines, paths relative to the
//! toolchain root. Only listed paths are installed; they are renamed (same file system, no copy)
//! from the unpack directory into the tree being assembled in staging.

use crate::home::toolchain::{ComponentPart, PartKind};
use std::path::Path;

use crate::install::safety;

/// Why a component could not be placed.
#[derive(Debug, thiserror::Error)]
pub enum PlaceError {
    /// The archive's `rust-installer-version` is not 3.
    #[error("unsupported rust-installer version {0:?} in the archive (tcup reads version 3)")]
    InstallerVersion(String),
    /// Neither the full nor the short component name is in the archive's `components`.
    #[error("the archive does not contain component '{wanted}' (it contains: {})", found.join(", "))]
    MissingComponent {
        /// The name looked for.
        wanted: String,
        /// What `components` lists.
        found: Vec<String>,
    },
    /// A `manifest.in` line is neither `file:` nor `dir:`, or its path is unsafe.
    #[error("manifest.in of component '{component}' has an invalid line '{line}': {why}")]
    BadLine {
        /// Component.
        component: String,
        /// The line.
        line: String,
        /// What is wrong.
        why: &'static str,
    },
    /// `manifest.in` lists a path the archive does not contain.
    #[error("manifest.in of component '{component}' lists '{path}', which the archive does not contain")]
    MissingPath {
        /// Component.
        component: String,
        /// The listed path.
        path: String,
    },
    /// Two components install the same path.
    #[error("component '{component}' installs '{path}', which another component already installed")]
    Conflict {
        /// Component.
        component: String,
        /// The path.
        path: String,
    },
    /// File system failure.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Places component `name` (or its `short` name, as the archive may use either, like rustup
/// accepts) from the unpacked archive at `top` into `tree`. Returns the `manifest.in` parts, which
/// become rustup's `lib/rustlib/manifest-<name>` receipt.
///
/// # Errors
/// See [`PlaceError`].
pub fn place(top: &Path, name: &str, short: &str, tree: &Path) -> Result<Vec<ComponentPart>, PlaceError> {
    match fs_err::read_to_string(top.join("rust-installer-version")) {
        Ok(v) if v.trim() == "3" => {}
        Ok(v) => return Err(PlaceError::InstallerVersion(v.trim().to_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e.into()),
    }
    let listed = fs_err::read_to_string(top.join("components"))?;
    let found: Vec<String> = listed.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect();
    let dir_name = [name, short]
        .into_iter()
        .find(|n| found.iter().any(|f| f == n))
        .ok_or_else(|| PlaceError::MissingComponent { wanted: name.to_owned(), found: found.clone() })?;
    let src_root = top.join(dir_name);
    let manifest_in = fs_err::read_to_string(src_root.join("manifest.in"))?;
    let mut lines = Vec::new();
    for line in manifest_in.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let bad = |why| PlaceError::BadLine { component: name.to_owned(), line: line.to_owned(), why };
        let part = ComponentPart::decode(line).ok_or_else(|| bad("expected file:<path> or dir:<path>"))?;
        let is_dir = part.kind == PartKind::Dir;
        let rel = safety::relative_path(&part.path).map_err(bad)?;
        let src = src_root.join(&rel);
        let dst = tree.join(&rel);
        let meta =
            src.symlink_metadata().map_err(|_| PlaceError::MissingPath { component: name.to_owned(), path: rel.display().to_string() })?;
        if is_dir != meta.is_dir() {
            return Err(bad(if is_dir { "it names a file, not a directory" } else { "it names a directory, not a file" }));
        }
        if dst.symlink_metadata().is_ok() {
            return Err(PlaceError::Conflict { component: name.to_owned(), path: rel.display().to_string() });
        }
        if let Some(parent) = dst.parent() {
            fs_err::create_dir_all(parent)?;
        }
        fs_err::rename(&src, &dst)?;
        lines.push(ComponentPart { kind: part.kind, path: rel });
    }
    Ok(lines)
}
