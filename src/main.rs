//! The `tcup` binary: all behaviour lives in the library; this only hands over the process.

/// Static musl release builds: musl's malloc is slow under many threads (docs/design.md 9.3).
#[cfg(target_env = "musl")]
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(tcup::cli::main());
}
