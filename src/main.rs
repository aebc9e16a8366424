//! The `tcup` binary: all behaviour lives in the library; this only hands over the process.

/// Static musl release builds: musl's malloc is slow under many threads (docs/design.md release-3).
#[cfg(target_env = "musl")]
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    #[cfg(target_env = "musl")]
    return_memory_promptly();
    std::process::exit(tcup::cli::main());
}

/// mimalloc v3 (the `mimalloc` crate's default) keeps freed pages for a second and commits its
/// arenas eagerly, which took a default-profile install to 113 MiB of peak RSS against 53 MiB
/// with glibc's malloc; purging at once and committing on demand brings it to about 65 MiB at the
/// same speed (docs/design.md release-3). The option numbers are `mi_option_arena_eager_commit` (4) and
/// `mi_option_purge_delay` (15) of v3's `mimalloc.h`; the Rust bindings only list v2's.
#[cfg(target_env = "musl")]
#[allow(unsafe_code)]
fn return_memory_promptly() {
    unsafe extern "C" {
        fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
    }
    const ARENA_EAGER_COMMIT: std::ffi::c_int = 4;
    const PURGE_DELAY: std::ffi::c_int = 15;
    // SAFETY: mi_option_set stores one integer in mimalloc's option table (thread-safe, valid at
    // any time; these two options are read on each arena commit and purge).
    unsafe {
        mi_option_set(ARENA_EAGER_COMMIT, 0);
        mi_option_set(PURGE_DELAY, 0);
    }
}
