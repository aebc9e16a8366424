//! The main job on real input: the toolchain running these tests is packed with `mirror pack`
//! (minimal profile, once per test run), served on loopback, and installed by tcup into fresh
//! homes — directly, and through `init.sh` + `tcup-init` with the proxies — where the installed
//! compiler builds and runs hello world.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::support::server::Server;
use crate::support::{HOST, Sandbox, run};

/// This machine's toolchain packed as a dist tree (gz, minimal profile), with `tcup-init` published.
fn real_mirror() -> &'static Path {
    static MIRROR: OnceLock<PathBuf> = OnceLock::new();
    MIRROR.get_or_init(|| {
        let sysroot = run(Command::new("rustc").args(["--print", "sysroot"])).ok().stdout.trim().to_owned();
        // Not a kept temporary directory (339 MB left in /tmp by every run): one directory under
        // cargo's target tmp, replaced by each run.
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("real-mirror");
        assert!(dir.starts_with(env!("CARGO_TARGET_TMPDIR")) && dir.ends_with("real-mirror"), "{}", dir.display());
        if dir.exists() {
            std::fs::remove_dir_all(&dir).unwrap();
        }
        std::fs::create_dir_all(&dir).unwrap();
        let sb = Sandbox::new();
        let packed = sb
            .run(
                "http://unused.invalid",
                &["mirror", "pack", "--toolchain", &sysroot, "--out", dir.to_str().unwrap(), "--formats", "gz", "--profile", "minimal"],
            )
            .ok();
        assert!(packed.stderr.contains("packed rustc-"), "{}", packed.stderr);
        crate::init::publish_tcup_init(&dir);
        dir
    })
}

fn version() -> String {
    run(Command::new("rustc").arg("--version")).ok().stdout.trim().to_owned()
}

#[test]
fn real_toolchain_round_trip() {
    let server = Server::http(real_mirror());
    let sb = Sandbox::new();
    sb.run(&server.url, &["toolchain", "install", "stable", "--profile", "minimal"]).ok();
    let rustc = sb.toolchain(&format!("stable-{HOST}")).join("bin/rustc");
    let installed = run(Command::new(&rustc).arg("--version")).ok();
    assert_eq!(installed.stdout.trim(), version());
    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("hello.rs"), "fn main() { println!(\"Hello, world!\"); }\n").unwrap();
    run(Command::new(&rustc).current_dir(work.path()).args(["hello.rs", "-o", "hello"])).ok();
    let hello = run(&mut Command::new(work.path().join("hello"))).ok();
    assert_eq!(hello.stdout, "Hello, world!\n");
}

#[test]
fn real_toolchain_through_init_sh_and_the_cargo_proxy() {
    let server = Server::http(real_mirror());
    let sb = Sandbox::new();
    let init = run(&mut crate::init::init(&["sh"], &sb, &server, None, &["-y", "--no-modify-path", "--profile", "minimal"])).ok();
    assert!(init.stderr.contains("Rust is installed"), "{}", init.stderr);
    // A user's shell after `. "$CARGO_HOME/env"`: only the proxies on PATH, not this machine's rustup.
    let path = format!("{}:/usr/bin:/bin", sb.cargo_home.join("bin").display());
    let cargo = |args: &[&str], dir: &Path| {
        run(Command::new(sb.cargo_home.join("bin/cargo"))
            .args(args)
            .current_dir(dir)
            .env_clear()
            .env("RUSTUP_DIST_SERVER", crate::support::OFFLINE)
            .env("RUSTUP_UPDATE_ROOT", crate::support::OFFLINE)
            .env("PATH", &path)
            .env("HOME", sb.dir.path())
            .env("RUSTUP_HOME", &sb.rustup_home)
            .env("CARGO_HOME", &sb.cargo_home))
    };
    let work = tempfile::tempdir().unwrap();
    cargo(&["new", "--vcs", "none", "--quiet", "hello"], work.path()).ok();
    let r = cargo(&["run", "--quiet"], &work.path().join("hello")).ok();
    assert_eq!(r.stdout, "Hello, world!\n");
    let v = cargo(&["--version"], work.path()).ok();
    assert!(v.stdout.starts_with("cargo 1."), "{}", v.stdout);
}
