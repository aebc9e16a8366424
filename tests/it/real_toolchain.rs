//! The main job on real input: the toolchain running these tests is packed with `mirror pack`
//! (minimal profile), served on loopback, installed by tcup into a fresh home, and the installed
//! `rustc` compiles and runs hello world.

use std::process::Command;

use crate::support::server::Server;
use crate::support::{HOST, Sandbox, run};

#[test]
fn real_toolchain_round_trip() {
    let sysroot = run(Command::new("rustc").args(["--print", "sysroot"])).ok().stdout.trim().to_owned();
    let version = run(Command::new("rustc").arg("--version")).ok().stdout.trim().to_owned();
    let mirror = tempfile::tempdir().unwrap();
    let sb = Sandbox::new();
    let packed = sb
        .run(
            "http://unused.invalid",
            &[
                "mirror",
                "pack",
                "--toolchain",
                &sysroot,
                "--out",
                mirror.path().to_str().unwrap(),
                "--formats",
                "gz",
                "--profile",
                "minimal",
            ],
        )
        .ok();
    assert!(packed.stderr.contains("packed rustc-"), "{}", packed.stderr);
    let server = Server::http(mirror.path());
    sb.run(&server.url, &["toolchain", "install", "stable", "--profile", "minimal"]).ok();
    let rustc = sb.toolchain(&format!("stable-{HOST}")).join("bin/rustc");
    let installed = run(Command::new(&rustc).arg("--version")).ok();
    assert_eq!(installed.stdout.trim(), version);
    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("hello.rs"), "fn main() { println!(\"Hello, world!\"); }\n").unwrap();
    run(Command::new(&rustc).current_dir(work.path()).args(["hello.rs", "-o", "hello"])).ok();
    let hello = run(&mut Command::new(work.path().join("hello"))).ok();
    assert_eq!(hello.stdout, "Hello, world!\n");
}
