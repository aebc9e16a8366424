//! Paths handed to the Windows API directly (not through `std::fs`, which does this itself):
//! a path longer than `MAX_PATH` (260 UTF-16 units) reaches the file system only in the verbatim
//! form `\\?\C:\…` (or `\\?\UNC\server\share\…`), which Windows does not parse again, so it must
//! be absolute with `\` separators and no `.` or `..`. Toolchain trees nest deep (`rust-docs`'
//! HTML under `share\doc\rust\html\…`) and homes sit under `C:\Users\<name>\`, so tcup meets
//! such paths. Source: Microsoft's "Maximum Path Length Limitation" and "Naming Files, Paths,
//! and Namespaces".

use std::path::{Component, Path, PathBuf, Prefix};

/// `path` in the verbatim form when it is absolute (`C:\a` → `\\?\C:\a`, `\\srv\sh\a` →
/// `\\?\UNC\srv\sh\a`), `/` turned into `\`, `.` dropped and `..` applied; a relative path, or
/// one already verbatim, is returned unchanged.
pub fn verbatim(path: &Path) -> PathBuf {
    let mut parts = path.components();
    let Some(Component::Prefix(prefix)) = parts.next() else { return path.to_owned() };
    let mut out = match prefix.kind() {
        Prefix::Disk(d) => format!(r"\\?\{}:", char::from(d)),
        Prefix::UNC(server, share) => format!(r"\\?\UNC\{}\{}", server.to_string_lossy(), share.to_string_lossy()),
        _ => return path.to_owned(),
    };
    let mut names: Vec<&std::ffi::OsStr> = Vec::new();
    for c in parts {
        match c {
            Component::Normal(n) => names.push(n),
            Component::ParentDir => {
                names.pop();
            }
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
        }
    }
    for n in names {
        out.push('\\');
        out.push_str(&n.to_string_lossy());
    }
    if out.ends_with(':') {
        out.push('\\');
    }
    PathBuf::from(out)
}

/// [`verbatim`] as a NUL-terminated UTF-16 string for a `W` function of the Windows API.
#[cfg(windows)]
pub fn wide(path: &Path) -> Vec<u16> {
    use std::os::windows::ffi::OsStrExt as _;
    verbatim(path).as_os_str().encode_wide().chain(std::iter::once(0)).collect()
}

#[cfg(all(test, windows))]
mod tests {
    use super::*;

    #[test]
    fn absolute_paths_become_verbatim_and_relative_ones_stay() {
        assert_eq!(verbatim(Path::new(r"C:\Users\a/b\.\c\..\d")), PathBuf::from(r"\\?\C:\Users\a\b\d"));
        assert_eq!(verbatim(Path::new(r"\\srv\share\x")), PathBuf::from(r"\\?\UNC\srv\share\x"));
        assert_eq!(verbatim(Path::new(r"\\?\C:\already")), PathBuf::from(r"\\?\C:\already"));
        assert_eq!(verbatim(Path::new(r"rel\x")), PathBuf::from(r"rel\x"));
        assert_eq!(verbatim(Path::new(r"C:\")), PathBuf::from(r"\\?\C:\"));
    }
}
