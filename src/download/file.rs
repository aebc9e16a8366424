//! `file://` URLs: a dist server on the local file system (an unpacked mirror, a mounted volume).
//! Errors name the path ("no such file: /srv/rust/dist/…"), and a `file://host/path` URL, which
//! names another machine, says so and shows the local spelling (`file:///path`).

use std::io::{Seek, SeekFrom};

use url::Url;

use super::{Body, DownloadError, Kind};

/// Opens the file a `file://` URL names, positioned at `offset`.
pub(super) fn open(url: &Url, offset: u64) -> Result<Body<'static>, DownloadError> {
    let fail = |message: String, kind: Kind| DownloadError::Failed { url: url.to_string(), backend: "file", message, kind };
    let path = url.to_file_path().map_err(|()| match url.host_str() {
        Some(host) => fail(
            format!("the URL names host '{host}', but file:// URLs read this machine's files: write file://{} (three slashes)", url.path()),
            Kind::Other,
        ),
        None => fail("not a local file path".to_owned(), Kind::Other),
    })?;
    match fs_err::File::open(&path) {
        Ok(mut f) => {
            let len = f.metadata().ok().map(|m| m.len().saturating_sub(offset));
            f.seek(SeekFrom::Start(offset)).map_err(|e| fail(e.to_string(), Kind::Other))?;
            Ok(Body { body: Box::new(f), len, validator: None, start: offset, from: super::Delivered::default() })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(fail(format!("no such file: {}", path.display()), Kind::Status(404))),
        Err(e) => Err(fail(e.to_string(), Kind::Other)),
    }
}
