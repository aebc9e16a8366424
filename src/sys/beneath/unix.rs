//! [`super::Dir`] on Unix (Linux and macOS): an open directory file descriptor, and every path
//! resolved beneath it with the `*at` system calls.
//!
//! - Directories are resolved with `openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
//!   RESOLVE_NO_MAGICLINKS)` on Linux: one system call for any depth, and the kernel refuses a link
//!   in any component. Where `openat2` is missing (Linux < 5.6, macOS) or forbidden (a container's
//!   seccomp filter answers `ENOSYS` or `EPERM`), the same walk is made one component at a time
//!   with `openat(O_NOFOLLOW | O_DIRECTORY)`; the first refusal is remembered for the process.
//! - The last component is never followed either: files are created with `O_NOFOLLOW`, and
//!   `mkdirat`, `symlinkat`, `linkat` (without `AT_SYMLINK_FOLLOW`), `renameat2`/`renameatx_np`,
//!   `unlinkat` and `statat(AT_SYMLINK_NOFOLLOW)` act on a link itself, never on its target.

use std::ffi::OsStr;
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt as _;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use rustix::fs::{AtFlags, Mode, OFlags, RenameFlags};
use rustix::io::Errno;

use super::paths::{LinkRefused, Node, check_relative, split};

/// Set once `openat2` answered `ENOSYS` or `EPERM`: every later walk goes step by step.
static NO_OPENAT2: AtomicBool = AtomicBool::new(false);

/// How a [`Dir`] walks to a directory beneath it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Walk {
    /// `openat2` unless the process learnt it is unavailable.
    Auto,
    /// Always one component at a time (the fallback; tests force it).
    StepByStep,
}

/// An open directory that every path is resolved beneath, never following links.
#[derive(Debug)]
pub struct Dir {
    fd: OwnedFd,
    path: PathBuf,
    walk: Walk,
}

impl Dir {
    /// Opens the directory at `path` as a root. `path` itself is trusted (tcup chose it: a
    /// staging directory, a toolchain); only what is beneath it is not. Its last component must
    /// not be a link.
    ///
    /// # Errors
    /// It cannot be opened, is not a directory, or is a link (`LinkRefused`).
    pub fn open(path: &Path) -> io::Result<Dir> {
        Self::open_with(path, Walk::Auto)
    }

    /// As [`Dir::open`], but every walk beneath it goes one component at a time, as where
    /// `openat2` is unavailable. For tests of the fallback.
    #[doc(hidden)]
    pub fn open_step_by_step(path: &Path) -> io::Result<Dir> {
        Self::open_with(path, Walk::StepByStep)
    }

    fn open_with(path: &Path, walk: Walk) -> io::Result<Dir> {
        let fd = rustix::fs::open(path, dir_flags(), Mode::empty()).map_err(|e| error(e, "open the directory", path))?;
        Ok(Dir { fd, path: path.to_owned(), walk })
    }

    /// The path this directory was opened at (for messages).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Opens the existing directory `rel` beneath this one (`rel` may be empty: this directory).
    ///
    /// # Errors
    /// `InvalidInput` for a path that is not relative and normal, `LinkRefused` when any
    /// component is a link, `NotFound`, `NotADirectory`, or another open error; each names the path.
    pub fn open_dir(&self, rel: &Path) -> io::Result<Dir> {
        check_relative(rel)?;
        let fd = self.walk_to(rel).and_then(At::owned).map_err(|e| error(e, "open the directory", &self.path.join(rel)))?;
        Ok(Dir { fd, path: self.path.join(rel), walk: self.walk })
    }

    /// Creates `rel` and its missing parents beneath this directory (mode 0777 less the umask),
    /// never through a link; an existing directory is fine.
    ///
    /// # Errors
    /// As [`Dir::open_dir`]; an existing non-directory in the way is `NotADirectory` or `AlreadyExists`.
    pub fn create_dir_all(&self, rel: &Path) -> io::Result<()> {
        check_relative(rel)?;
        match self.walk_to(rel) {
            Ok(_) => return Ok(()),
            Err(Errno::NOENT) => {}
            Err(e) => return Err(error(e, "create the directory", &self.path.join(rel))),
        }
        let (parent, name) = split(rel)?;
        self.create_dir_all(parent)?;
        let at = self.walk_to(parent).map_err(|e| error(e, "create the directory", &self.path.join(rel)))?;
        match rustix::fs::mkdirat(&at, name, Mode::from_raw_mode(0o777)) {
            Ok(()) | Err(Errno::EXIST) => {}
            Err(e) => return Err(error(e, "create the directory", &self.path.join(rel))),
        }
        // Whatever is there now must be a directory, not a link someone raced in.
        self.walk_to(rel).map(drop).map_err(|e| error(e, "create the directory", &self.path.join(rel)))
    }

    /// Creates the directory `rel` (mode 0777 less the umask); its parent must exist.
    ///
    /// # Errors
    /// `AlreadyExists` when something is at `rel`; a link on the way (`LinkRefused`).
    pub fn create_dir(&self, rel: &Path) -> io::Result<()> {
        check_relative(rel)?;
        let (parent, name) = split(rel)?;
        self.walk_to(parent)
            .and_then(|at| rustix::fs::mkdirat(&at, name, Mode::from_raw_mode(0o777)))
            .map_err(|e| error(e, "create the directory", &self.path.join(rel)))
    }

    /// The names in the directory `rel` (without `.` and `..`), in the order the file system gives.
    ///
    /// # Errors
    /// As [`Dir::open_dir`], or the directory cannot be read.
    pub fn entries(&self, rel: &Path) -> io::Result<Vec<std::ffi::OsString>> {
        let dir = self.open_dir(rel)?;
        let full = self.path.join(rel);
        let mut names = Vec::new();
        for entry in rustix::fs::Dir::read_from(&dir.fd).map_err(|e| error(e, "list", &full))? {
            let entry = entry.map_err(|e| error(e, "list", &full))?;
            let name = OsStr::from_bytes(entry.file_name().to_bytes());
            if name != "." && name != ".." {
                names.push(name.to_owned());
            }
        }
        Ok(names)
    }

    /// The permission bits of the directory `rel`.
    ///
    /// # Errors
    /// As [`Dir::open_dir`].
    pub fn dir_mode(&self, rel: &Path) -> io::Result<u32> {
        let dir = self.open_dir(rel)?;
        rustix::fs::fstat(&dir.fd).map(|st| mode_bits(st.st_mode)).map_err(|e| error(e, "look at", &self.path.join(rel)))
    }

    /// Sets the permission bits of the directory `rel`.
    ///
    /// # Errors
    /// As [`Dir::open_dir`], or the change is not permitted.
    pub fn set_dir_mode(&self, rel: &Path, mode: u32) -> io::Result<()> {
        let dir = self.open_dir(rel)?;
        rustix::fs::fchmod(&dir.fd, raw_mode(mode)).map_err(|e| error(e, "change the mode of", &self.path.join(rel)))
    }

    /// Creates (or truncates) the regular file `rel` for writing, with permission bits `mode`
    /// less the umask. One system call when `openat2` is available.
    ///
    /// # Errors
    /// As [`Dir::open_dir`]; a link at `rel` itself is `LinkRefused` too.
    pub fn create_file(&self, rel: &Path, mode: u32) -> io::Result<fs_err::File> {
        check_relative(rel)?;
        let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::TRUNC | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let mode = raw_mode(mode & 0o777);
        let full = self.path.join(rel);
        let fd = self.open_leaf(rel, flags, mode).map_err(|e| error(e, "create the file", &full))?;
        Ok(fs_err::File::from_parts(std::fs::File::from(fd), full))
    }

    /// Opens the regular file `rel` for reading.
    ///
    /// # Errors
    /// As [`Dir::create_file`].
    pub fn open_file(&self, rel: &Path) -> io::Result<fs_err::File> {
        check_relative(rel)?;
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let full = self.path.join(rel);
        let fd = self.open_leaf(rel, flags, Mode::empty()).map_err(|e| error(e, "open the file", &full))?;
        Ok(fs_err::File::from_parts(std::fs::File::from(fd), full))
    }

    /// What is at `rel`, without following a link there or on the way.
    ///
    /// # Errors
    /// A link on the way (`LinkRefused`) or another error than "not found".
    pub fn node(&self, rel: &Path) -> io::Result<Node> {
        check_relative(rel)?;
        let (parent, name) = split(rel)?;
        let at = match self.walk_to(parent) {
            Ok(at) => at,
            Err(Errno::NOENT | Errno::NOTDIR) => return Ok(Node::Missing),
            Err(e) => return Err(error(e, "look at", &self.path.join(rel))),
        };
        let stat = match rustix::fs::statat(&at, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(s) => s,
            Err(Errno::NOENT) => return Ok(Node::Missing),
            Err(e) => return Err(error(e, "look at", &self.path.join(rel))),
        };
        Ok(match rustix::fs::FileType::from_raw_mode(stat.st_mode) {
            rustix::fs::FileType::Directory => Node::Dir,
            rustix::fs::FileType::Symlink => {
                let target = rustix::fs::readlinkat(&at, name, Vec::new()).map_err(|e| error(e, "read the link", &self.path.join(rel)))?;
                Node::Link(PathBuf::from(OsStr::from_bytes(target.as_bytes())))
            }
            _ => Node::File,
        })
    }

    /// Creates the symbolic link `rel` pointing at `target` (stored as given, never resolved here).
    ///
    /// # Errors
    /// As [`Dir::open_dir`] for the parent; `AlreadyExists` when something is at `rel`.
    pub fn symlink(&self, target: &Path, rel: &Path) -> io::Result<()> {
        check_relative(rel)?;
        let (parent, name) = split(rel)?;
        self.walk_to(parent)
            .and_then(|at| rustix::fs::symlinkat(target, &at, name))
            .map_err(|e| error(e, "create the symbolic link", &self.path.join(rel)))
    }

    /// Creates `rel` as a hard link to the file `from` beneath `src` (the link itself if `from` is
    /// one: `AT_SYMLINK_FOLLOW` is never passed).
    ///
    /// # Errors
    /// A link on either path's way, a missing source, something already at `rel`.
    pub fn hard_link(&self, rel: &Path, src: &Dir, from: &Path) -> io::Result<()> {
        check_relative(rel)?;
        check_relative(from)?;
        let ((to_parent, to_name), (from_parent, from_name)) = (split(rel)?, split(from)?);
        let at_from = src.walk_to(from_parent).map_err(|e| error(e, "hard-link from", &src.path.join(from)))?;
        self.walk_to(to_parent)
            .and_then(|at| rustix::fs::linkat(&at_from, from_name, &at, to_name, AtFlags::empty()))
            .map_err(|e| error(e, "create the hard link", &self.path.join(rel)))
    }

    /// Moves `from` beneath `src` to `rel` beneath this directory (same file system), refusing to
    /// replace anything at `rel` (`RENAME_NOREPLACE`; where the file system lacks it, a check
    /// just before a plain rename, which is enough inside tcup's own locked staging area).
    ///
    /// # Errors
    /// `AlreadyExists` when `rel` exists; a link on either path's way (`LinkRefused`); `NotFound`.
    pub fn rename_from(&self, rel: &Path, src: &Dir, from: &Path) -> io::Result<()> {
        check_relative(rel)?;
        check_relative(from)?;
        let ((to_parent, to_name), (from_parent, from_name)) = (split(rel)?, split(from)?);
        let full = self.path.join(rel);
        let at_from = src.walk_to(from_parent).map_err(|e| error(e, "move", &src.path.join(from)))?;
        let at_to = self.walk_to(to_parent).map_err(|e| error(e, "move into", &full))?;
        match rustix::fs::renameat_with(&at_from, from_name, &at_to, to_name, RenameFlags::NOREPLACE) {
            Ok(()) => Ok(()),
            Err(Errno::INVAL | Errno::NOSYS) => {
                match rustix::fs::statat(&at_to, to_name, AtFlags::SYMLINK_NOFOLLOW) {
                    Ok(_) => return Err(error(Errno::EXIST, "move into", &full)),
                    Err(Errno::NOENT) => {}
                    Err(e) => return Err(error(e, "move into", &full)),
                }
                rustix::fs::renameat(&at_from, from_name, &at_to, to_name).map_err(|e| error(e, "move into", &full))
            }
            Err(e) => Err(error(e, "move into", &full)),
        }
    }

    /// Removes the file or link `rel` (never what a link points at).
    ///
    /// # Errors
    /// A link on the way, `NotFound`, or a directory at `rel`.
    pub fn remove_file(&self, rel: &Path) -> io::Result<()> {
        check_relative(rel)?;
        let (parent, name) = split(rel)?;
        self.walk_to(parent)
            .and_then(|at| rustix::fs::unlinkat(&at, name, AtFlags::empty()))
            .map_err(|e| error(e, "remove", &self.path.join(rel)))
    }

    /// Opens the file `rel` with `flags` (which hold `O_NOFOLLOW`): `openat2` in one call, else
    /// the parent step by step and the file relative to it.
    fn open_leaf(&self, rel: &Path, flags: OFlags, mode: Mode) -> Result<OwnedFd, Errno> {
        if let Some(r) = self.openat2(rel, flags, mode) {
            return match r {
                Err(Errno::NOTDIR) if self.has_link(rel) => Err(Errno::LOOP),
                r => r,
            };
        }
        let (parent, name) = split(rel).map_err(|_| Errno::INVAL)?;
        self.walk_to(parent).and_then(|at| rustix::fs::openat(&at, name, flags, mode))
    }

    /// `openat2` beneath this directory with links refused; `None` when it is unavailable (then
    /// the caller walks step by step).
    #[cfg(target_os = "linux")]
    fn openat2(&self, rel: &Path, flags: OFlags, mode: Mode) -> Option<Result<OwnedFd, Errno>> {
        use rustix::fs::ResolveFlags;
        if self.walk == Walk::StepByStep || NO_OPENAT2.load(Ordering::Relaxed) {
            return None;
        }
        let resolve = ResolveFlags::BENEATH | ResolveFlags::NO_SYMLINKS | ResolveFlags::NO_MAGICLINKS;
        match rustix::fs::openat2(&self.fd, rel, flags, mode, resolve) {
            Err(Errno::NOSYS | Errno::PERM) => {
                NO_OPENAT2.store(true, Ordering::Relaxed);
                None
            }
            // The kernel retries a resolution a concurrent rename raced; so does tcup, step by step.
            Err(Errno::AGAIN) => None,
            r => Some(r),
        }
    }

    /// Without `openat2` (macOS): always step by step.
    #[cfg(not(target_os = "linux"))]
    fn openat2(&self, _rel: &Path, _flags: OFlags, _mode: Mode) -> Option<Result<OwnedFd, Errno>> {
        let _ = (self.walk, &NO_OPENAT2, Ordering::Relaxed);
        None
    }

    /// Opens the directory `rel` (checked relative) beneath this one without following links.
    /// A link where a directory is expected is `ELOOP` (the kernel says `ENOTDIR` when
    /// `O_DIRECTORY` meets a link; that answer is looked into so callers can tell the two apart).
    fn walk_to(&self, rel: &Path) -> Result<At<'_>, Errno> {
        if rel.as_os_str().is_empty() {
            return Ok(At::Here(self.fd.as_fd()));
        }
        let r = match self.openat2(rel, dir_flags(), Mode::empty()) {
            Some(r) => r.map(At::Opened),
            None => self.step_by_step(rel),
        };
        match r {
            Err(Errno::NOTDIR) if self.has_link(rel) => Err(Errno::LOOP),
            r => r,
        }
    }

    /// The walk without `openat2`: one `openat(O_NOFOLLOW | O_DIRECTORY)` per component.
    fn step_by_step(&self, rel: &Path) -> Result<At<'_>, Errno> {
        let mut at = At::Here(self.fd.as_fd());
        for c in rel.components() {
            let Component::Normal(name) = c else { continue };
            at = At::Opened(rustix::fs::openat(&at, name, dir_flags(), Mode::empty())?);
        }
        Ok(at)
    }

    /// Whether a component of `rel` is a link (only asked after a walk failed with `ENOTDIR`).
    fn has_link(&self, rel: &Path) -> bool {
        let mut walked = PathBuf::new();
        for c in rel.components() {
            let Component::Normal(name) = c else { continue };
            let Ok(at) = self.step_by_step(&walked) else { return false };
            match rustix::fs::statat(&at, name, AtFlags::SYMLINK_NOFOLLOW) {
                Ok(st) if rustix::fs::FileType::from_raw_mode(st.st_mode) == rustix::fs::FileType::Symlink => return true,
                Ok(_) => walked.push(name),
                Err(_) => return false,
            }
        }
        false
    }
}

/// A directory to act in: the [`Dir`] itself (no system call, nothing to close) or one opened
/// beneath it.
enum At<'a> {
    Here(BorrowedFd<'a>),
    Opened(OwnedFd),
}

impl At<'_> {
    /// An owned descriptor (a duplicate when this is the [`Dir`] itself).
    fn owned(self) -> Result<OwnedFd, Errno> {
        match self {
            At::Here(fd) => rustix::io::fcntl_dupfd_cloexec(fd, 0),
            At::Opened(fd) => Ok(fd),
        }
    }
}

impl AsFd for At<'_> {
    fn as_fd(&self) -> BorrowedFd<'_> {
        match self {
            At::Here(fd) => fd.as_fd(),
            At::Opened(fd) => fd.as_fd(),
        }
    }
}

/// Permission bits as the system's `mode_t` (`u32` on Linux, `u16` on macOS; the bits fit both).
#[allow(clippy::useless_conversion, clippy::unnecessary_fallible_conversions, reason = "mode_t is u16 on macOS")]
fn raw_mode(bits: u32) -> Mode {
    Mode::from_raw_mode(rustix::fs::RawMode::try_from(bits & 0o7777).unwrap_or(0))
}

/// The permission bits of a `st_mode`.
#[allow(clippy::useless_conversion, reason = "mode_t is u16 on macOS")]
fn mode_bits(raw: rustix::fs::RawMode) -> u32 {
    u32::from(raw) & 0o7777
}

/// Flags for opening a directory to walk from: never a link, never a non-directory.
fn dir_flags() -> OFlags {
    OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC
}

/// The error for `what` at `path`: a link met on the way (`ELOOP` from `O_NOFOLLOW` or
/// `RESOLVE_NO_SYMLINKS`, `EXDEV` from `RESOLVE_BENEATH`) becomes [`LinkRefused`], anything else
/// keeps its kind and names the path.
fn error(e: Errno, what: &str, path: &Path) -> io::Error {
    if e == Errno::LOOP || e == Errno::XDEV {
        return io::Error::other(LinkRefused { path: path.to_owned() });
    }
    let e = io::Error::from(e);
    io::Error::new(e.kind(), format!("failed to {what} '{}': {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys::beneath::paths::link_refused;

    /// A root with `real/`, `real/file`, a link `up -> ..` and a link `inside -> real` beneath it,
    /// and a victim directory beside it.
    fn tree() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let t = tempfile::tempdir().unwrap();
        let (root, victim) = (t.path().join("root"), t.path().join("victim"));
        fs_err::create_dir_all(root.join("real")).unwrap();
        fs_err::create_dir_all(&victim).unwrap();
        fs_err::write(root.join("real/file"), "x").unwrap();
        fs_err::write(victim.join("secret"), "s").unwrap();
        fs_err::os::unix::fs::symlink("..", root.join("up")).unwrap();
        fs_err::os::unix::fs::symlink("real", root.join("inside")).unwrap();
        fs_err::os::unix::fs::symlink(&victim, root.join("real/victim")).unwrap();
        (t, root, victim)
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs_err::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    }

    fn refused(r: io::Result<impl std::fmt::Debug>) -> String {
        let e = r.unwrap_err();
        assert!(link_refused(&e).is_some(), "expected a link refusal, got {e:?}");
        e.to_string()
    }

    /// Both walks: openat2 (where the kernel has it) and the step-by-step fallback.
    fn roots(root: &Path) -> [Dir; 2] {
        [Dir::open(root).unwrap(), Dir::open_step_by_step(root).unwrap()]
    }

    #[test]
    fn creates_beneath_the_root_and_never_through_a_link_in_any_component() {
        let (_t, root, victim) = tree();
        for dir in roots(&root) {
            dir.create_dir_all(Path::new("a/b/c")).unwrap();
            dir.create_file(Path::new("a/b/c/f"), 0o755).unwrap();
            assert!(root.join("a/b/c/f").is_file());
            dir.symlink(Path::new("../f"), Path::new("a/b/l")).unwrap();
            assert_eq!(dir.node(Path::new("a/b/l")).unwrap(), Node::Link("../f".into()));
            assert_eq!(dir.node(Path::new("a/b/c")).unwrap(), Node::Dir);
            assert_eq!(dir.node(Path::new("a/nothing/x")).unwrap(), Node::Missing);
            // A link as the last component, in the middle, or first: all refused, nothing written.
            let msg = refused(dir.create_file(Path::new("real/victim"), 0o644));
            assert!(msg.contains("real/victim") && msg.contains("never follows links"), "{msg}");
            refused(dir.create_file(Path::new("real/victim/pwned"), 0o644));
            refused(dir.create_file(Path::new("up/pwned"), 0o644));
            refused(dir.create_dir_all(Path::new("up/pwned/deeper")));
            refused(dir.create_dir_all(Path::new("inside/sub")));
            refused(dir.open_file(Path::new("real/victim/secret")));
            refused(dir.node(Path::new("real/victim/secret")));
            refused(dir.symlink(Path::new("x"), Path::new("real/victim/pwned")));
            refused(dir.remove_file(Path::new("real/victim/secret")));
            refused(dir.rename_from(Path::new("stolen"), &dir, Path::new("real/victim/secret")));
            refused(dir.rename_from(Path::new("real/victim/pwned"), &dir, Path::new("real/file")));
            refused(dir.hard_link(Path::new("stolen"), &dir, Path::new("real/victim/secret")));
            for bad in ["../x", "/etc/x", "a/../../x"] {
                assert_eq!(dir.create_file(Path::new(bad), 0o644).unwrap_err().kind(), io::ErrorKind::InvalidInput);
            }
            fs_err::remove_dir_all(root.join("a")).unwrap();
        }
        assert_eq!(listing(&victim), ["secret"]);
        assert_eq!(listing(root.parent().unwrap()), ["root", "victim"]);
        assert_eq!(listing(&root), ["inside", "real", "up"]);
    }

    #[test]
    fn moves_links_and_removes_only_the_link_itself() {
        let (_t, root, victim) = tree();
        for dir in roots(&root) {
            dir.create_dir_all(Path::new("to")).unwrap();
            // A link is moved as a link; a hard link to a link links the link.
            dir.rename_from(Path::new("to/v"), &dir, Path::new("real/victim")).unwrap();
            assert_eq!(dir.node(Path::new("to/v")).unwrap(), Node::Link(victim.clone()));
            dir.hard_link(Path::new("to/h"), &dir, Path::new("to/v")).unwrap();
            assert_eq!(dir.node(Path::new("to/h")).unwrap(), Node::Link(victim.clone()));
            let e = dir.rename_from(Path::new("to/v"), &dir, Path::new("real/file")).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::AlreadyExists, "{e}");
            dir.remove_file(Path::new("to/h")).unwrap();
            dir.rename_from(Path::new("real/victim"), &dir, Path::new("to/v")).unwrap();
            fs_err::remove_dir(root.join("to")).unwrap();
        }
        assert_eq!(listing(&victim), ["secret"]);
        assert_eq!(fs_err::read_to_string(victim.join("secret")).unwrap(), "s");
    }
}
