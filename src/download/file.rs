//! `file://` URLs: a dist server on the local file system (an unpacked mirror, a mounted volume).

use url::Url;

use super::{Body, DownloadError};

/// Opens the file a `file://` URL names.
pub(super) fn open(url: &Url) -> Result<Body, DownloadError> {
    let path = url.to_file_path().map_err(|()| DownloadError::Scheme { url: url.to_string() })?;
    match fs_err::File::open(&path) {
        Ok(f) => {
            let len = f.metadata().ok().map(|m| m.len());
            Ok(Body { body: Box::new(f), len })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(DownloadError::NotFound { url: url.to_string(), status: 0 }),
        Err(e) => Err(DownloadError::Transport { url: url.to_string(), backend: "file", message: e.to_string() }),
    }
}
