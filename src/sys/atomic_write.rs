//! The one small-file writer: a file whose previous content must survive a crash is replaced,
//! never rewritten in place. The new content goes to a temporary file in the same directory
//! (`.<name>.<pid>.new`, created exclusively, so a link planted there is never written through),
//! is flushed to disk, and is renamed over the file; the directory is then flushed too where the
//! file system allows ([`write`], [`write_with`]; [`replace_with`] places links without either
//! flush). A reader sees the old file or the new one, never a half-written one; on
//! failure the temporary file is removed and the old file is left as it was. Errors name the path
//! (`fs_err`).
//!
//! Used by the home (`settings.toml`, `tcup.toml`, the per-file records, the update hashes) and by
//! what lives outside it: the programs and links in `CARGO_HOME/bin` ([`replace_with`]), the shell
//! profiles and `env` scripts, `tcup mirror --out` files.

use std::io;
use std::path::{Path, PathBuf};

/// Replaces `path` with `contents`.
///
/// # Errors
/// The temporary file cannot be written or renamed (the path is named); `path` is unchanged.
pub fn write(path: &Path, contents: impl AsRef<[u8]>) -> io::Result<()> {
    write_with(path, None, |out| out.write_all(contents.as_ref()))
}

/// Replaces `path` with what `fill` writes (buffered), the new file getting `mode` (exactly, not
/// masked by the umask) when given.
///
/// # Errors
/// `fill` failed, or the temporary file cannot be written or renamed (the path is named); `path`
/// is unchanged.
pub fn write_with(path: &Path, mode: Option<u32>, fill: impl FnOnce(&mut dyn io::Write) -> io::Result<()>) -> io::Result<()> {
    replace_with(path, |tmp| {
        let created = fs_err::OpenOptions::new().write(true).create_new(true).open(tmp)?;
        let mut out = io::BufWriter::with_capacity(64 * 1024, created);
        fill(&mut out)?;
        let written = out.into_inner().map_err(io::IntoInnerError::into_error)?;
        if let Some(mode) = mode {
            crate::sys::fs::set_file_mode(&written, mode)?;
        }
        written.sync_all()
    })?;
    if let Some(dir) = path.parent() {
        // Durability of the rename itself; a directory that cannot be opened or flushed (some
        // file systems) costs only that, the file is in place.
        let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
        let _ = fs_err::File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(())
}

/// Replaces `path` with a file `make` creates at the temporary path it is given (nothing is
/// there): a hard link, a symbolic link or a copy of another file. `make` must not follow a link
/// at that path (a planted one makes it fail, as `hard_link` and `symlink` do). The directory is
/// not flushed: links are placed by the dozen (the proxies), and one is made again by the next
/// `tcup-init` or `self update`.
///
/// # Errors
/// `make` failed or the rename did (the path is named); `path` is unchanged.
pub fn replace_with(path: &Path, make: impl FnOnce(&Path) -> io::Result<()>) -> io::Result<()> {
    let tmp = temp_path(path)?;
    match fs_err::remove_file(&tmp) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    make(&tmp).and_then(|()| rename_over(&tmp, path)).inspect_err(|_| {
        let _ = fs_err::remove_file(&tmp);
    })
}

/// Renames `tmp` over `path` (same directory). On Windows a program that is running (a proxy, `tcup.exe` during
/// `self update`) cannot be replaced or deleted, but it can be renamed: when the rename is
/// refused, `path` is first moved aside to `.<name>.<pid>.<n>.old` and `tmp` renamed into the
/// freed name; the old program keeps running from its new name. Every such file of `path` that
/// is no longer running is removed after each replacement, so they last only until the next one.
///
/// # Errors
/// The rename failed (both paths named); `path` is unchanged.
pub fn rename_over(tmp: &Path, path: &Path) -> io::Result<()> {
    #[cfg(windows)]
    {
        match fs_err::rename(tmp, path) {
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied && path.is_file() => {
                let aside = set_aside_path(path)?;
                fs_err::rename(path, &aside)?;
                fs_err::rename(tmp, path).inspect_err(|_| {
                    let _ = fs_err::rename(&aside, path);
                })?;
            }
            r => r?,
        }
        remove_set_aside(path);
        Ok(())
    }
    #[cfg(not(windows))]
    fs_err::rename(tmp, path)
}

/// A free `.<name>.<pid>.<n>.old` beside `path`.
#[cfg(windows)]
fn set_aside_path(path: &Path) -> io::Result<PathBuf> {
    let name = path.file_name().ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, format!("{} names no file", path.display())))?;
    (0..1000)
        .map(|n| path.with_file_name(format!(".{}.{}.{n}.old", name.to_string_lossy(), std::process::id())))
        .find(|p| std::fs::symlink_metadata(p).is_err())
        .ok_or_else(|| io::Error::new(io::ErrorKind::AlreadyExists, format!("no free name beside {} to move it aside", path.display())))
}

/// Removes the set-aside copies of `path` that are no longer running (the others stay).
#[cfg(windows)]
fn remove_set_aside(path: &Path) {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else { return };
    let prefix = format!(".{}.", name.to_string_lossy());
    let Ok(entries) = fs_err::read_dir(dir) else { return };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with(&prefix) && path.extension().is_some_and(|e| e == "old") {
            let _ = fs_err::remove_file(path);
        }
    }
}

/// `.<name>.<pid>.new` beside `path`: hidden, and per process, so two writers never share one.
fn temp_path(path: &Path) -> io::Result<PathBuf> {
    let name = path.file_name().ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, format!("{} names no file", path.display())))?;
    Ok(path.with_file_name(format!(".{}.{}.new", name.to_string_lossy(), std::process::id())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            fs_err::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    #[test]
    fn replaces_the_content_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("small.toml");
        write(&file, "one\n").unwrap();
        assert_eq!(fs_err::read_to_string(&file).unwrap(), "one\n");
        write(&file, "two\n").unwrap();
        assert_eq!(fs_err::read_to_string(&file).unwrap(), "two\n");
        assert_eq!(entries(dir.path()), ["small.toml"]);
    }

    #[cfg(unix)]
    #[test]
    fn sets_the_mode_exactly() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("tool");
        write_with(&file, Some(0o755), |out| out.write_all(b"#!/bin/sh\n")).unwrap();
        assert_eq!(fs_err::metadata(&file).unwrap().permissions().mode() & 0o777, 0o755);
    }

    #[test]
    fn a_failed_fill_leaves_the_old_content_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("record");
        write(&file, "old").unwrap();
        let err = write_with(&file, None, |out| {
            out.write_all(b"half")?;
            Err(io::Error::other("disk full"))
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "disk full");
        assert_eq!(fs_err::read_to_string(&file).unwrap(), "old");
        assert_eq!(entries(dir.path()), ["record"]);
    }

    #[test]
    fn an_unwritable_place_fails_naming_the_path() {
        let dir = tempfile::tempdir().unwrap();
        // A parent that is a file cannot hold the temporary file, even for root.
        let parent = dir.path().join("not-a-dir");
        fs_err::write(&parent, "old").unwrap();
        let err = write(&parent.join("x"), "new").unwrap_err();
        assert!(err.to_string().contains(&parent.display().to_string()), "{err}");
        assert_eq!(fs_err::read_to_string(&parent).unwrap(), "old");
        assert_eq!(entries(dir.path()), ["not-a-dir"]);
    }

    #[test]
    fn a_failed_rename_leaves_the_old_file_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        // A non-empty directory where the file goes: the rename fails, as it would for any
        // reason, after the temporary file is written.
        let file = dir.path().join("occupied");
        fs_err::create_dir_all(file.join("inside")).unwrap();
        let err = write(&file, "new").unwrap_err();
        assert!(err.to_string().contains("occupied"), "{err}");
        assert!(file.join("inside").is_dir());
        assert_eq!(entries(dir.path()), ["occupied"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_planted_link_at_the_temporary_path_is_not_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("profile");
        let victim = dir.path().join("victim");
        fs_err::write(&victim, "secret").unwrap();
        std::os::unix::fs::symlink(&victim, temp_path(&file).unwrap()).unwrap();
        write(&file, "new").unwrap();
        assert_eq!(fs_err::read_to_string(&victim).unwrap(), "secret");
        assert_eq!(fs_err::read_to_string(&file).unwrap(), "new");
        assert_eq!(entries(dir.path()), ["profile", "victim"]);
    }

    #[test]
    fn replace_with_places_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("tcup");
        fs_err::write(&target, "binary").unwrap();
        let link = dir.path().join("rustc");
        fs_err::write(&link, "old").unwrap();
        replace_with(&link, |tmp| fs_err::hard_link(&target, tmp)).unwrap();
        assert!(crate::sys::identity::same_file(&link, &target));
        assert_eq!(entries(dir.path()), ["rustc", "tcup"]);
    }
}
