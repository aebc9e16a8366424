//! URLs on the dist server.
//!
//! A channel manifest names its archives with absolute URLs on `https://static.rust-lang.org`.
//! Like rustup, tcup rewrites that prefix onto the configured dist server (`RUSTUP_DIST_SERVER`),
//! so a mirror needs only the same paths, not edited manifests.

use url::Url;

/// The upstream dist server whose URLs the manifests contain.
pub const UPSTREAM: &str = "https://static.rust-lang.org";

pub use crate::download::join;

/// The URL to fetch for a manifest's archive URL: upstream URLs are moved onto `dist_server`;
/// any other absolute URL is used as it is.
///
/// # Errors
/// The manifest's URL is not a valid absolute URL.
pub fn rewrite(manifest_url: &str, dist_server: &Url) -> Result<Url, url::ParseError> {
    match manifest_url.strip_prefix(UPSTREAM) {
        Some(rest) if rest.starts_with('/') => Ok(join(dist_server, rest)),
        _ => Url::parse(manifest_url),
    }
}

/// The `.sha256` companion of `url` (`…/channel-rust-stable.toml.sha256`).
pub fn sha256_url(url: &Url) -> Url {
    Url::parse(&format!("{url}.sha256")).expect("appending a suffix keeps a URL valid")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstream_urls_move_onto_the_mirror() {
        let mirror = Url::parse("http://127.0.0.1:8000/m").unwrap();
        let u = rewrite("https://static.rust-lang.org/dist/2026-04-16/rustc-1.95.0-x86_64-unknown-linux-gnu.tar.xz", &mirror).unwrap();
        assert_eq!(u.as_str(), "http://127.0.0.1:8000/m/dist/2026-04-16/rustc-1.95.0-x86_64-unknown-linux-gnu.tar.xz");
        let other = rewrite("https://example.org/x.tar.gz", &mirror).unwrap();
        assert_eq!(other.as_str(), "https://example.org/x.tar.gz");
        // A host that merely starts with the upstream name is not upstream.
        let lookalike = rewrite("https://static.rust-lang.org.evil/x", &mirror).unwrap();
        assert_eq!(lookalike.host_str(), Some("static.rust-lang.org.evil"));
        let file = Url::parse("file:///srv/mirror").unwrap();
        assert_eq!(rewrite("https://static.rust-lang.org/dist/a", &file).unwrap().as_str(), "file:///srv/mirror/dist/a");
    }
}
