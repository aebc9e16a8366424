//! Path safety for archive entries: what a component tarball may and may not write.
//!
//! An archive comes from the network; its bytes are verified against the manifest's hash, but the
//! manifest's hash only proves the archive is the one the dist server published. A mirror can be
//! hostile, so tcup refuses, naming the entry:
//! - absolute paths and any `..` component;
//! - symbolic links whose target is absolute or resolves (lexically) outside the link's component
//!   (`<top>/<component>/`), and hard links whose target is outside it;
//! - any entry whose parent path passes through a symbolic link from the same archive (this makes
//!   the lexical check exact: no write can be redirected through a link);
//! - device nodes, FIFOs and every other special entry type.

use std::path::{Component, Path, PathBuf};

pub use crate::sys::beneath::Node;

/// An entry tcup will not unpack. The install fails and nothing leaves the staging directory.
#[derive(Debug, thiserror::Error)]
#[error("archive entry '{entry}' is refused: {why}")]
pub struct UnsafeEntry {
    /// The entry's path as stored in the archive.
    pub entry: String,
    /// Which rule it breaks.
    pub why: String,
}

/// The kinds of entry tcup unpacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Regular file.
    File,
    /// Directory.
    Dir,
    /// Symbolic link.
    Symlink,
    /// Hard link to an earlier entry.
    HardLink,
}

/// Checks a relative path made only of normal components (a leading `./` is allowed) and returns
/// it without `.` components.
///
/// # Errors
/// The path is empty, absolute, or contains `..`.
pub fn relative_path(path: &Path) -> Result<PathBuf, &'static str> {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            Component::ParentDir => return Err("its path contains '..'"),
            Component::RootDir | Component::Prefix(_) => return Err("its path is absolute"),
        }
    }
    if out.as_os_str().is_empty() { Err("its path is empty") } else { Ok(out) }
}

/// The directory a link must stay inside: `<top>/<component>` for entries below a component, the
/// top directory for entries directly in it.
fn link_root(path: &Path) -> PathBuf {
    let parts: Vec<_> = path.components().collect();
    parts[..parts.len().saturating_sub(1).min(2)].iter().collect()
}

/// Resolves `target` relative to `base` lexically; `None` when it climbs above the root.
fn resolve(base: &Path, target: &Path) -> Option<PathBuf> {
    let mut out: Vec<_> = base.components().collect();
    for c in target.components() {
        match c {
            Component::Normal(_) => out.push(c),
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop()?;
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out.iter().collect())
}

/// Checks one entry. `path` is the entry's (already [`relative_path`]-checked) path; `link` the
/// link target for links; `symlinks` the symlinks unpacked so far from the same archive.
///
/// # Errors
/// [`UnsafeEntry`] naming the entry and the rule.
pub fn check_entry(path: &Path, kind: Kind, link: Option<&Path>, symlinks: &[PathBuf]) -> Result<(), UnsafeEntry> {
    let refuse = |why: String| Err(UnsafeEntry { entry: path.display().to_string(), why });
    // Most archives hold no symbolic link, and this runs for every entry: skip the ancestors.
    if !symlinks.is_empty()
        && let Some(via) = path.ancestors().skip(1).find(|a| symlinks.iter().any(|s| s == a))
    {
        return refuse(format!("it would be written through the symbolic link '{}'", via.display()));
    }
    match (kind, link) {
        (Kind::Symlink, Some(target)) => {
            let root = link_root(path);
            let parent = path.parent().unwrap_or(Path::new(""));
            // `/etc/shadow` has no drive on Windows but is as absolute there (as in resolve_in_tree).
            if target.has_root() || target.is_absolute() {
                return refuse(format!("symbolic link to the absolute path '{}'", target.display()));
            }
            match resolve(parent, target) {
                Some(r) if r.starts_with(&root) && r != root => Ok(()),
                _ => refuse(format!("symbolic link to '{}' points outside its component '{}'", target.display(), root.display())),
            }
        }
        (Kind::HardLink, Some(target)) => {
            let root = link_root(path);
            match relative_path(target) {
                Ok(t) if t.starts_with(&root) && t != root && !symlinks.iter().any(|s| t.starts_with(s)) => Ok(()),
                _ => refuse(format!("hard link to '{}' points outside its component '{}'", target.display(), root.display())),
            }
        }
        (Kind::Symlink | Kind::HardLink, None) => refuse("link without a target".into()),
        (Kind::File | Kind::Dir, _) => Ok(()),
    }
}

/// Most links one target may pass through before it is refused (the kernel's own limit is 40).
const MAX_HOPS: usize = 40;

/// Follows the symbolic link at `link` (relative to a tree's root) to `target` as the kernel
/// would, through the links already in the tree, and returns where it lands (relative to the
/// root; empty for the root itself). `probe` says what the tree holds at a path whose every
/// component is a real directory (it never follows a link itself: [`crate::sys::beneath::Dir::node`]).
///
/// Checking the target as text is not enough: with `a/b/up -> ../..` in the tree, a second link
/// `a/b/x -> up/../../..` stays inside as text but climbs three levels above `a` when followed.
///
/// # Errors
/// Why the link is refused: its target (or a link it passes through) is absolute, climbs above
/// the root, passes through more than 40 links, or climbs out of a path that does not exist yet
/// (a link placed there later could redirect it), or the tree cannot be read.
pub fn resolve_in_tree(link: &Path, target: &Path, mut probe: impl FnMut(&Path) -> std::io::Result<Node>) -> Result<PathBuf, String> {
    let mut at: PathBuf = link.parent().unwrap_or(Path::new("")).to_owned();
    let mut pending: std::collections::VecDeque<std::ffi::OsString> = std::collections::VecDeque::new();
    let push_front = |pending: &mut std::collections::VecDeque<_>, t: &Path| -> Result<(), String> {
        if t.has_root() {
            return Err(format!("it leads to the absolute path '{}'", t.display()));
        }
        for c in t.components().rev() {
            pending.push_front(c.as_os_str().to_owned());
        }
        Ok(())
    };
    push_front(&mut pending, target)?;
    let (mut hops, mut missing): (usize, Option<PathBuf>) = (0, None);
    while let Some(c) = pending.pop_front() {
        match c.to_str() {
            Some(".") => {}
            Some("..") => {
                if let Some(m) = &missing {
                    return Err(format!("it climbs back out of '{}', which does not exist in the toolchain", m.display()));
                }
                if !at.pop() {
                    return Err("it leads out of the toolchain directory".into());
                }
            }
            _ => {
                at.push(&c);
                if missing.is_some() {
                    continue;
                }
                match probe(&at).map_err(|e| format!("'{}' cannot be checked: {e}", at.display()))? {
                    Node::Dir => {}
                    Node::Missing | Node::File => missing = Some(at.clone()),
                    Node::Link(next) => {
                        hops += 1;
                        if hops > MAX_HOPS {
                            return Err(format!("it passes through more than {MAX_HOPS} links"));
                        }
                        at.pop();
                        push_front(&mut pending, &next).map_err(|why| format!("through the link '{}', {why}", at.join(&c).display()))?;
                    }
                }
            }
        }
    }
    Ok(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(path: &str, kind: Kind, link: Option<&str>) -> Result<(), String> {
        check_entry(Path::new(path), kind, link.map(Path::new), &[PathBuf::from("top/c/link")]).map_err(|e| e.to_string())
    }

    #[test]
    fn paths_must_be_relative_without_parent_components() {
        assert_eq!(relative_path(Path::new("./top/c/bin/x")).unwrap(), PathBuf::from("top/c/bin/x"));
        assert_eq!(relative_path(Path::new("/etc/passwd")).unwrap_err(), "its path is absolute");
        assert_eq!(relative_path(Path::new("top/../../x")).unwrap_err(), "its path contains '..'");
        assert_eq!(relative_path(Path::new("./")).unwrap_err(), "its path is empty");
    }

    #[test]
    fn links_stay_inside_their_component() {
        assert!(check("top/c/lib/libfoo.so", Kind::Symlink, Some("libfoo.so.1")).is_ok());
        assert!(check("top/c/bin/tool", Kind::Symlink, Some("../lib/tool")).is_ok());
        assert!(check("top/c/bin/tool", Kind::HardLink, Some("top/c/lib/tool")).is_ok());
        let e = check("top/c/bin/tool", Kind::Symlink, Some("../../other/x")).unwrap_err();
        let component = Path::new("top").join("c"); // as the system writes paths: `top\c` on Windows
        assert_eq!(
            e,
            format!(
                "archive entry 'top/c/bin/tool' is refused: symbolic link to '../../other/x' points outside its component '{}'",
                component.display()
            )
        );
        assert!(check("top/c/x", Kind::Symlink, Some("/etc/shadow")).unwrap_err().contains("absolute path '/etc/shadow'"));
        assert!(check("top/c/x", Kind::Symlink, Some("..")).is_err(), "the component root itself is outside");
        assert!(check("top/c/x", Kind::HardLink, Some("top/d/y")).is_err());
        assert!(check("top/c/x", Kind::HardLink, Some("/etc/passwd")).is_err());
        assert!(check("top/c/x", Kind::HardLink, Some("top/c/../../x")).is_err());
    }

    /// A tree of directories and links, as `resolve_in_tree` probes it.
    fn probe(tree: &[(&str, Option<&str>)]) -> impl FnMut(&Path) -> std::io::Result<Node> {
        let tree: Vec<(PathBuf, Option<PathBuf>)> = tree.iter().map(|(p, l)| (PathBuf::from(p), l.map(PathBuf::from))).collect();
        move |p: &Path| {
            Ok(match tree.iter().find(|(q, _)| q == p) {
                None => Node::Missing,
                Some((_, None)) => Node::Dir,
                Some((_, Some(l))) => Node::Link(l.clone()),
            })
        }
    }

    #[test]
    fn links_are_resolved_through_the_links_already_in_the_tree() {
        let tree = [("a", None), ("a/b", None), ("a/b/c", None), ("a/b/c/up", Some("../..")), ("lib", None), ("lib/x", Some("/victim"))];
        let resolve = |link: &str, target: &str| resolve_in_tree(Path::new(link), Path::new(target), probe(&tree));
        assert_eq!(resolve("a/b/c/l", "../f").unwrap(), PathBuf::from("a/b/f"));
        assert_eq!(resolve("a/b/c/l", "up/lib").unwrap(), PathBuf::from("a/lib"));
        assert_eq!(resolve("a/l", "..").unwrap(), PathBuf::new(), "the root itself is inside");
        // As text a/b/c/up/../../.. is 'a'; followed, up is 'a', and three levels above it is outside.
        assert_eq!(resolve("a/b/c/l", "up/../../..").unwrap_err(), "it leads out of the toolchain directory");
        let through = Path::new("lib").join("x"); // `lib\x` on Windows
        assert_eq!(
            resolve("a/l", "../lib/x/y").unwrap_err(),
            format!("through the link '{}', it leads to the absolute path '/victim'", through.display())
        );
        assert_eq!(resolve("a/l", "/etc").unwrap_err(), "it leads to the absolute path '/etc'");
        let new = Path::new("a").join("new");
        assert_eq!(
            resolve("a/l", "new/../../..").unwrap_err(),
            format!("it climbs back out of '{}', which does not exist in the toolchain", new.display())
        );
        assert_eq!(resolve("a/l", "new/deeper").unwrap(), PathBuf::from("a/new/deeper"), "a dangling link inside is fine");
        let looping = [("a", Some("b")), ("b", Some("a"))];
        let e = resolve_in_tree(Path::new("x"), Path::new("a"), probe(&looping)).unwrap_err();
        assert_eq!(e, "it passes through more than 40 links");
    }

    #[test]
    fn nothing_is_written_through_a_symlink() {
        let e = check("top/c/link/passwd", Kind::File, None).unwrap_err();
        assert!(e.contains("through the symbolic link 'top/c/link'"), "{e}");
        assert!(check("top/c/linkx/passwd", Kind::File, None).is_ok());
        assert!(check("top/c/y", Kind::HardLink, Some("top/c/link/z")).is_err());
    }
}
