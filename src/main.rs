//! The `tcup` binary: all behaviour lives in the library; this only hands over the process.
fn main() {
    std::process::exit(tcup::cli::main());
}
