//! `file://` URLs: a dist server on the local file system (an unpacked mirror, a mounted volume).

use std::io::{Seek, SeekFrom};

use url::Url;

use super::{Body, DownloadError, Kind};

/// Opens the file a `file://` URL names, positioned at `offset`.
pub(super) fn open(url: &Url, offset: u64) -> Result<Body<'static>, DownloadError> {
    let path = url.to_file_path().map_err(|()| DownloadError::Scheme { url: url.to_string() })?;
    let fail =
        |e: std::io::Error| DownloadError::Failed { url: url.to_string(), backend: "file", message: e.to_string(), kind: Kind::Other };
    match fs_err::File::open(&path) {
        Ok(mut f) => {
            let len = f.metadata().ok().map(|m| m.len().saturating_sub(offset));
            f.seek(SeekFrom::Start(offset)).map_err(fail)?;
            Ok(Body { body: Box::new(f), len, validator: None, start: offset })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(DownloadError::NotFound { url: url.to_string(), status: 0 }),
        Err(e) => Err(fail(e)),
    }
}
