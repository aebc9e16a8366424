//! The `tcup-proxy` binary: the small program the proxies in `CARGO_HOME/bin` link to
//! ([`tcup::cli::proxy`]). It runs no download code, so it keeps the system allocator and
//! leaves libcurl and OpenSSL out (below).

fn main() {
    std::process::exit(tcup::cli::proxy::main());
}

/// Stands in for libcurl's `curl_global_init` in this program only. The `curl` crate registers a
/// constructor (`curl::INIT_CTOR`, in `.init_array`) that calls it before `main` in every binary
/// that links the crate — and this one does, through the library — which would pull in all of
/// libcurl and initialise OpenSSL (and, in dynamically linked builds, map and relocate libssl and
/// libcrypto) on every `rustc` call, for nothing: this program never downloads; what would, it
/// hands to `tcup` (curl-rust issue #601 asks for a way to turn the constructor off). With this
/// definition the linker resolves the constructor's call here and never loads libcurl's object
/// that defines the real function. Returns `CURLE_OK` (0), which the constructor asserts.
///
/// Optimised builds only: their link-time optimisation drops the library's unused code before
/// the linker runs. A debug build links the library's code units whole, which loads that object
/// anyway (two definitions: a link error), so there the real function runs and the proxy works
/// the same, only slower to start. Should an optimised build ever need libcurl here, the link
/// fails loudly at this symbol rather than the proxy silently downloading without libcurl.
#[cfg(not(debug_assertions))]
#[allow(unsafe_code, reason = "a C symbol definition; it touches no memory")]
#[unsafe(no_mangle)]
pub extern "C" fn curl_global_init(_flags: std::ffi::c_long) -> std::ffi::c_int {
    0
}
