//! Resuming a download into a partial file that outlives the run (the install's download cache,
//! `tcup mirror sync`'s `.tcup-sync/partial/`): the partial file's bytes so far, its validator
//! (`ETag` or `Last-Modified`) beside it, and a `Range` + `If-Range` request for the rest
//! (RFC 9110 §14.2, §13.1.5); a changed file, a server without ranges or a 416 answer starts over
//! from byte 0 and truncates the partial file.

use std::path::Path;

use url::Url;

use super::{DownloadError, Downloader, Kind};
use crate::progress::Reporter;

/// A download into a partial file that outlives the run: the body, the offset it starts at (the
/// partial file's length when resumed, else 0), and the partial file opened to take the rest
/// (appending, or created afresh with the body's validator recorded beside it).
pub struct Resumed<'a> {
    /// The response body, from `start` on.
    pub body: super::Body<'a>,
    /// Bytes already in the partial file that the body continues.
    pub start: u64,
    /// The partial file, positioned at `start`.
    pub file: fs_err::File,
}

/// Opens `url` to continue the download in `partial`: with `Range` + `If-Range` when the partial
/// file has bytes and `validator_file` their `ETag`/`Last-Modified`; from the start when there is
/// none, the file changed, the server ignores ranges, or it answers 416.
///
/// # Errors
/// The download cannot be opened, or the partial files cannot be written.
pub fn open_partial<'a>(
    url: &Url,
    downloader: &'a Downloader,
    reporter: &'a Reporter,
    partial: &Path,
    validator_file: &Path,
) -> anyhow::Result<Resumed<'a>> {
    open_partial_avoiding(url, downloader, reporter, partial, validator_file, &[])
}

/// [`open_partial`] on the dist servers not in `avoid` ([`Downloader::open_avoiding`]).
///
/// # Errors
/// As [`open_partial`].
pub fn open_partial_avoiding<'a>(
    url: &Url,
    downloader: &'a Downloader,
    reporter: &'a Reporter,
    partial: &Path,
    validator_file: &Path,
    avoid: &[usize],
) -> anyhow::Result<Resumed<'a>> {
    let have = fs_err::metadata(partial).map_or(0, |m| m.len());
    let validator = fs_err::read_to_string(validator_file).ok().filter(|v| !v.trim().is_empty());
    let (body, start) = match (have, validator) {
        (n, Some(v)) if n > 0 => match downloader.open_avoiding(url, n, Some(v.trim()), avoid, reporter) {
            Ok(body) if body.start == n => {
                reporter.info(&format!("resuming {url} at byte {n}"));
                (body, n)
            }
            Ok(body) => {
                reporter.info(&format!("{url} changed or ignores ranges; downloading it from the start"));
                (body, 0)
            }
            Err(DownloadError::Failed { kind: Kind::RangeNotSatisfiable, .. }) => {
                reporter.info(&format!("{url} cannot resume at byte {n} (HTTP 416); downloading it from the start"));
                (downloader.open_avoiding(url, 0, None, avoid, reporter)?, 0)
            }
            Err(e) => return Err(e.into()),
        },
        _ => (downloader.open_avoiding(url, 0, None, avoid, reporter)?, 0),
    };
    let file = if start > 0 {
        fs_err::OpenOptions::new().append(true).open(partial)?
    } else {
        match &body.validator {
            Some(v) => fs_err::write(validator_file, v)?,
            None => {
                let _ = fs_err::remove_file(validator_file);
            }
        }
        fs_err::File::create(partial)?
    };
    Ok(Resumed { body, start, file })
}
