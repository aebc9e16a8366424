//! The one check every path `tcup mirror sync` and `tcup mirror pack` write (or remove) below
//! `--out` passes: the parts of a relative path come from the manifest (its `date`, its archive
//! URLs, the `rust` package's version), which a hostile dist server or a tampered toolchain
//! chooses, so a path is joined to `--out` only when every segment is a plain name (not empty,
//! not `.` or `..`, no `\` and no NUL) and it is relative: nothing can climb out of `--out`.
//! And a manifest's `date` must be `YYYY-MM-DD` before it names a directory (issue 28.4).

use std::path::{Path, PathBuf};

/// A path that would leave `--out`, or a manifest date that is not a date.
#[derive(Debug, thiserror::Error)]
pub enum OutsideOut {
    /// `rel` is absolute or has a segment that is not a plain name.
    #[error("refusing to write {rel:?} below {out}: expected a relative path of plain names (no '..', '.', empty or absolute parts)")]
    NotPlain {
        /// The relative path asked for.
        rel: String,
        /// `--out`.
        out: String,
    },
    /// The manifest's `date` is not `YYYY-MM-DD`.
    #[error("{source_name} has date = {date:?}; expected a release date YYYY-MM-DD (it names the directory dist/<date>/)")]
    BadDate {
        /// The manifest's URL or file (for the message).
        source_name: String,
        /// The date as the manifest gives it.
        date: String,
    },
}

/// `out/rel`, when `rel` is a relative path of plain segments separated by `/`.
///
/// # Errors
/// [`OutsideOut::NotPlain`] naming `rel` and `out`.
pub fn below(out: &Path, rel: &str) -> Result<PathBuf, OutsideOut> {
    let plain = |s: &str| !s.is_empty() && s != "." && s != ".." && !s.contains(['\\', '\0']);
    if rel.split('/').all(plain) {
        Ok(out.join(rel))
    } else {
        Err(OutsideOut::NotPlain { rel: rel.to_owned(), out: out.display().to_string() })
    }
}

/// Checks a manifest's `date` (from `source_name`, a URL or file shown in the message).
///
/// # Errors
/// [`OutsideOut::BadDate`] naming the source, the date and the expected shape.
pub fn check_date(date: &str, source_name: &str) -> Result<(), OutsideOut> {
    if crate::dist::name::is_date(date) {
        Ok(())
    } else {
        Err(OutsideOut::BadDate { source_name: source_name.to_owned(), date: date.to_owned() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_paths_are_below_out() {
        let out = Path::new("/srv/mirror");
        assert_eq!(below(out, "dist/2026-04-16/channel-rust-stable.toml").unwrap(), out.join("dist/2026-04-16/channel-rust-stable.toml"));
        for bad in
            ["dist/../../victim/x", "/etc/passwd", "dist//x", "dist/./x", "..", "", "dist/a\\..\\b", "dist/channel-rust-../../x.toml"]
        {
            let e = below(out, bad).unwrap_err().to_string();
            assert!(e.contains(&format!("{bad:?}")) && e.contains("/srv/mirror"), "{bad}: {e}");
        }
    }

    #[test]
    fn dates_are_dates() {
        check_date("2026-04-16", "m").unwrap();
        let e = check_date("../../victim", "http://127.0.0.1:1/dist/channel-rust-stable.toml").unwrap_err().to_string();
        assert!(e.contains("\"../../victim\"") && e.contains("YYYY-MM-DD") && e.contains("channel-rust-stable.toml"), "{e}");
        assert!(check_date("2026-4-16", "m").is_err() && check_date("2026-04-16/..", "m").is_err());
    }
}
