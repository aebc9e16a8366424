//! What happens to bytes that failed their check — a checksum mismatch against the manifest, or
//! an archive that crossed the bound on unverified bytes ([`crate::install::bound`]) — for every
//! archive tcup fetches (an install's components, `tcup mirror sync`'s archives).
//!
//! Such bytes are never asked again of the dist servers that sent them: another request to the
//! same server will not fix them (docs/design.md fetch-6; uv's retry policy says the same). Their
//! partial file and its validator are deleted, so no later run resumes them. With several dist
//! servers (`TCUP_DIST_SERVERS`) the archive is fetched again from scratch from one that did not
//! send them, after a warning; with one, or once every server that serves the URL has failed,
//! the error stands.

use std::path::Path;

use url::Url;

use crate::download::{Delivered, Downloader};
use crate::progress::Reporter;

/// The dist servers (indexes into the configured list) whose bytes of one archive failed.
#[derive(Debug, Default)]
pub struct BadBytes {
    failed: Vec<usize>,
}

impl BadBytes {
    /// The servers not to ask again ([`Downloader::open_avoiding`]).
    pub fn avoid(&self) -> &[usize] {
        &self.failed
    }

    /// Bytes of `url` that came from the servers in `from` failed with `err`. Deletes the partial
    /// download (`partial`: the data file and its validator file) and adds those servers to the
    /// failed ones. `Ok` (after a warning) when `url` is served by a configured dist server not yet
    /// failed, to fetch it again from there.
    ///
    /// # Errors
    /// `err` itself: no other server serves `url`, or `from` names no server that had not already
    /// failed (another try would ask the same places).
    pub fn refuse(
        &mut self,
        err: anyhow::Error,
        from: &Delivered,
        url: &Url,
        partial: (&Path, &Path),
        downloader: &Downloader,
        reporter: &Reporter,
    ) -> anyhow::Result<()> {
        let _ = fs_err::remove_file(partial.0);
        let _ = fs_err::remove_file(partial.1);
        let before = self.failed.len();
        for s in from.servers() {
            if !self.failed.contains(&s) {
                self.failed.push(s);
            }
        }
        if self.failed.len() == before || !downloader.serves_elsewhere(url, &self.failed) {
            return Err(err);
        }
        reporter.warn(&format!("{}; trying another dist server", crate::error::one_line(&err)));
        Ok(())
    }
}
