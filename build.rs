//! Records the target triple tcup is built for, so the binary knows its own host triple.
fn main() {
    let target = std::env::var("TARGET").expect("cargo sets TARGET for build scripts");
    println!("cargo:rustc-env=TCUP_BUILD_TRIPLE={target}");
    println!("cargo:rerun-if-changed=build.rs");
}
