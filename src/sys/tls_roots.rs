//! Where libcurl finds the system's trusted roots, which differs by system (docs/design.md
//! download-10): the `curl` backend (src/download/backends/curl.rs) asks here instead of knowing
//! which TLS library its libcurl was built with. The reqwest backends need nothing from here:
//! rustls reads the system store through `rustls-native-certs` and native-tls is the system's
//! own TLS on Windows and macOS.
//!
//! | system  | libcurl                | TLS under it    | system roots                        |
//! |---------|------------------------|-----------------|-------------------------------------|
//! | Linux   | built in (curl-sys)    | OpenSSL         | the distribution's bundle and directory, named here |
//! | Windows | built in (curl-sys)    | Schannel        | the Windows certificate store (Schannel's own)      |
//! | macOS   | the system's (`-lcurl`)| Apple's choice  | Apple's configuration of its libcurl                |
//!
//! `SSL_CERT_FILE` is `CURLOPT_CAINFO` on all three, in place of the system's bundle: on Windows
//! it is then the only trusted roots (Schannel verifies against that bundle alone, as its
//! `hExclusiveRoot`), on macOS Apple's libcurl (over LibreSSL) reads it in place of its default
//! bundle, on Linux the system's hashed directory still counts unless `SSL_CERT_DIR` names
//! another. `SSL_CERT_DIR` is `CURLOPT_CAPATH` where the TLS library reads a hashed directory
//! ([`CURL_READS_CA_DIR`]); Schannel does not (libcurl refuses the option with
//! `CURLE_NOT_BUILT_IN`), so there both variables' certificates are handed over in memory.

use std::path::{Path, PathBuf};

/// The CA bundle and hashed certificate directory libcurl must be pointed at when neither
/// `SSL_CERT_FILE` nor `SSL_CERT_DIR` is set, or `None` where libcurl's TLS finds the system's
/// roots itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CurlRoots {
    /// `CURLOPT_CAINFO`: a PEM bundle.
    pub file: Option<PathBuf>,
    /// `CURLOPT_CAPATH`: a directory of `<hash>.0` links.
    pub dir: Option<PathBuf>,
}

/// Whether libcurl on this system takes `CURLOPT_CAPATH`: OpenSSL reads a hashed directory and
/// Apple's libcurl is built over LibreSSL, which does too; Schannel (Windows) cannot.
pub const CURL_READS_CA_DIR: bool = !cfg!(windows);

/// System CA bundles on Linux, tried in order (Debian/Ubuntu/Alpine's generated bundle,
/// Fedora/RHEL, Alpine's and the BSDs' `cert.pem`, SUSE).
const LINUX_BUNDLES: &[&str] =
    &["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem", "/etc/ssl/ca-bundle.pem"];

/// The system's roots for libcurl on this system, read from the file system once per backend.
///
/// Linux: the first of [`LINUX_BUNDLES`] that is a file, and the first existing directory of
/// `openssl-probe`'s list (a static libcurl's OpenSSL would otherwise look in its build
/// prefix). Windows and macOS: none, since Schannel uses the Windows certificate store and
/// Apple's libcurl its own configuration; naming `/etc/ssl/cert.pem` there would override it.
pub fn curl_system_roots() -> CurlRoots {
    if cfg!(any(windows, target_os = "macos")) {
        return CurlRoots::default();
    }
    CurlRoots { file: first_file(LINUX_BUNDLES, Path::is_file), dir: openssl_probe::candidate_cert_dirs().next().map(PathBuf::from) }
}

/// The first of `candidates` for which `is_file` holds.
fn first_file(candidates: &[&str], is_file: impl Fn(&Path) -> bool) -> Option<PathBuf> {
    candidates.iter().map(Path::new).find(|p| is_file(p)).map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_existing_bundle_wins_in_list_order() {
        // A Fedora layout that also carries Alpine's name: Fedora's comes first in the list.
        let present = ["/etc/ssl/cert.pem", "/etc/pki/tls/certs/ca-bundle.crt"];
        let got = first_file(LINUX_BUNDLES, |p| present.iter().any(|q| Path::new(q) == p));
        assert_eq!(got.as_deref(), Some(Path::new("/etc/pki/tls/certs/ca-bundle.crt")));
        assert_eq!(first_file(LINUX_BUNDLES, |_| false), None);
    }

    #[test]
    fn linux_names_its_bundle_where_the_system_has_one() {
        let roots = curl_system_roots();
        if cfg!(target_os = "linux") {
            assert_eq!(roots.file, first_file(LINUX_BUNDLES, Path::is_file));
        } else {
            assert_eq!(roots, CurlRoots::default());
        }
    }
}
