//! Moves one unpacked component into the toolchain tree, exactly as its `manifest.in` lists.
//!
//! rust-installer v3: `<top>/components` names the components in the archive; a component's
//! directory holds `manifest.in` with `file:<path>` and `dir:<path>` lines, paths relative to the
//! toolchain root. Only listed paths are installed; they are renamed (same file system, no copy)
//! from the unpack directory into the tree being assembled in staging.
//!
//! One namespace, no links followed (docs/design.md install-3): the tree is shared by every
//! component, so a link one component placed must not redirect another's files. Every move goes
//! through [`crate::sys::beneath::Dir`], which refuses a link in any component of the source or
//! the destination path, and refuses to replace anything. Every symbolic link a component
//! installs is then followed through the links already in the tree
//! ([`safety::resolve_in_tree`]) and refused if it leads out of the toolchain.

use crate::home::toolchain::{ComponentPart, PartKind};
use std::io::Read as _;
use std::path::{Path, PathBuf};

use crate::install::safety::{self, Node};
use crate::install::unpack::Unpacked;
use crate::sys::beneath::{self, Dir};

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
    /// A listed path passes through a symbolic link, in the unpacked archive or in the tree
    /// (one an earlier component placed); nothing was moved.
    #[error("component '{component}' installs '{path}', which is refused: {link}")]
    ThroughLink {
        /// Component.
        component: String,
        /// The listed path.
        path: String,
        /// The refusal, naming the full path.
        link: beneath::LinkRefused,
    },
    /// A symbolic link the component installs leads out of the toolchain when followed through
    /// the links already in it.
    #[error("component '{component}' installs the symbolic link '{path}' -> '{}', which is refused: {why}", target.display())]
    LinkOutside {
        /// Component.
        component: String,
        /// The link, relative to the toolchain root.
        path: String,
        /// Its target as stored.
        target: PathBuf,
        /// Where following it goes wrong.
        why: String,
    },
    /// File system failure.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl PlaceError {
    /// `e` as [`PlaceError::ThroughLink`] when it is a link refusal, else as [`PlaceError::Io`].
    fn from_io(e: std::io::Error, component: &str, path: &Path) -> Self {
        match beneath::link_refused(&e) {
            Some(r) => PlaceError::ThroughLink { component: component.to_owned(), path: path.display().to_string(), link: r.clone() },
            None => PlaceError::Io(e),
        }
    }
}

/// Places component `name` (or its `short` name, as the archive may use either, like rustup
/// accepts) from `unpacked` into `tree`. Returns the `manifest.in` parts, which become rustup's
/// `lib/rustlib/manifest-<name>` receipt.
///
/// # Errors
/// See [`PlaceError`]. On error, what was already moved stays in `tree`, which is inside the
/// staging area and removed with it.
pub fn place(unpacked: &Unpacked, name: &str, short: &str, tree: &Path) -> Result<Vec<ComponentPart>, PlaceError> {
    let top = Dir::open(&unpacked.top)?;
    match read(&top, "rust-installer-version") {
        Ok(v) if v.trim() == "3" => {}
        Ok(v) => return Err(PlaceError::InstallerVersion(v.trim().to_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e.into()),
    }
    let listed = read(&top, "components")?;
    let found: Vec<String> = listed.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect();
    let dir_name = [name, short]
        .into_iter()
        .find(|n| found.iter().any(|f| f == n))
        .ok_or_else(|| PlaceError::MissingComponent { wanted: name.to_owned(), found: found.clone() })?;
    let src = top.open_dir(Path::new(dir_name))?;
    let manifest_in = read(&src, "manifest.in")?;
    let tree = Dir::open(tree)?;
    let mut lines = Vec::new();
    for line in manifest_in.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let bad = |why| PlaceError::BadLine { component: name.to_owned(), line: line.to_owned(), why };
        let part = ComponentPart::decode(line).ok_or_else(|| bad("expected file:<path> or dir:<path>"))?;
        let is_dir = part.kind == PartKind::Dir;
        let rel = safety::relative_path(&part.path).map_err(bad)?;
        let through = |e| PlaceError::from_io(e, name, &rel);
        match src.node(&rel).map_err(through)? {
            Node::Missing => return Err(PlaceError::MissingPath { component: name.to_owned(), path: rel.display().to_string() }),
            Node::Dir if !is_dir => return Err(bad("it names a directory, not a file")),
            Node::File | Node::Link(_) if is_dir => return Err(bad("it names a file, not a directory")),
            _ => {}
        }
        if let Some(parent) = rel.parent() {
            tree.create_dir_all(parent).map_err(through)?;
        }
        match tree.rename_from(&rel, &src, &rel) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(PlaceError::Conflict { component: name.to_owned(), path: rel.display().to_string() });
            }
            Err(e) => return Err(through(e)),
        }
        lines.push(ComponentPart { kind: part.kind, path: rel });
    }
    check_links(unpacked, dir_name, name, &lines, &tree)?;
    Ok(lines)
}

/// Follows every symbolic link the component installed (those of `unpacked` below
/// `<top>/<dir_name>/` that a placed part covers) through the tree as it is now.
fn check_links(unpacked: &Unpacked, dir_name: &str, name: &str, placed: &[ComponentPart], tree: &Dir) -> Result<(), PlaceError> {
    if unpacked.symlinks.is_empty() {
        return Ok(());
    }
    let top = unpacked.top.file_name().map_or(Path::new(""), Path::new);
    let prefix = top.join(dir_name);
    for link in &unpacked.symlinks {
        let Ok(rel) = link.strip_prefix(&prefix) else { continue };
        if !placed.iter().any(|p| p.covers(rel)) {
            continue;
        }
        let Node::Link(target) = tree.node(rel).map_err(|e| PlaceError::from_io(e, name, rel))? else { continue };
        safety::resolve_in_tree(rel, &target, |p| tree.node(p)).map_err(|why| PlaceError::LinkOutside {
            component: name.to_owned(),
            path: rel.display().to_string(),
            target: target.clone(),
            why,
        })?;
    }
    Ok(())
}

/// The text file `rel` beneath `dir`, never through a link.
fn read(dir: &Dir, rel: &str) -> std::io::Result<String> {
    let mut s = String::new();
    dir.open_file(Path::new(rel))?.read_to_string(&mut s)?;
    Ok(s)
}
