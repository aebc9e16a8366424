//! Loose tarballs (rustup #955): `tcup toolchain install ./rust-<version>-<host>.tar.xz` and
//! `--from DIR`, with and without a channel manifest, installed with no dist server at all (the
//! sandbox's dist server is a port where nothing listens).

use std::path::{Path, PathBuf};

use crate::support::dist::{self, Dist, Entry, Extra, compress, standalone, tarball};
use crate::support::sign::{Algo, Gpg};
use crate::support::{self, HOST, OFFLINE, Run, Sandbox};

/// The packages of the standalone tarball the tests install.
const PKGS: [&str; 6] = ["rustc", "cargo", "rust-std", "rust-docs", "clippy-preview", "rust-src"];

/// Writes the standalone tarball `rust-<label>-<host>.tar.xz` of the synthetic release into the
/// sandbox, with `version_line` and `evil` entries; returns its path.
fn write_standalone(sb: &Sandbox, label: &str, version_line: &str, evil: &[Entry]) -> PathBuf {
    let tar = standalone(&Dist::standard(HOST), label, &PKGS, version_line, evil);
    let path = sb.dir.path().join(format!("rust-{label}-{HOST}.tar.xz"));
    std::fs::write(&path, compress(&tar, Extra::Xz)).unwrap();
    path
}

/// `tcup ARGS` run in the sandbox's directory, with no reachable dist server.
fn tcup_in(sb: &Sandbox, args: &[&str]) -> Run {
    support::run(sb.tcup(OFFLINE).current_dir(sb.dir.path()).args(args))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Asserts that nothing was installed and nothing was left in `tmp/`.
#[track_caller]
fn nothing_installed(sb: &Sandbox) {
    assert!(sb.toolchains().is_empty(), "{:?}", sb.toolchains());
    assert!(sb.tmp_entries().is_empty(), "{:?}", sb.tmp_entries());
}

#[test]
fn a_standalone_tarball_installs_and_its_rustc_runs() {
    let sb = Sandbox::new();
    let tarball_path = write_standalone(&sb, dist::VERSION, "1.95.0 (0123456789 2026-04-14)", &[]);
    let run = tcup_in(&sb, &["toolchain", "install", &format!("./rust-1.95.0-{HOST}.tar.xz")]).ok();
    let toolchain = format!("1.95.0-{HOST}");
    assert!(run.stderr.contains(&format!("toolchain '{toolchain}' installed (6 components)")), "{}", run.stderr);
    assert!(run.stderr.contains("their origin could not be checked"), "{}", run.stderr);
    assert_eq!(sb.toolchains(), std::slice::from_ref(&toolchain));
    assert!(sb.tmp_entries().is_empty(), "{:?}", sb.tmp_entries());
    let dir = sb.toolchain(&toolchain);
    // rustup's receipts, in the tarball's order and rustup's names.
    let names: Vec<String> = ["rustc", "cargo", "rust-std", "rust-docs", "clippy-preview"].iter().map(|p| format!("{p}-{HOST}")).collect();
    assert_eq!(read(&dir.join("lib/rustlib/components")), format!("{}\nrust-src\n", names.join("\n")));
    assert_eq!(read(&dir.join(format!("lib/rustlib/manifest-rustc-{HOST}"))).lines().next(), Some("file:bin/rustc"));
    assert_eq!(read(&dir.join(format!("lib/rustlib/manifest-rust-docs-{HOST}"))), "dir:share/doc/rust/html\n");
    assert_eq!(read(&dir.join("lib/rustlib/rust-installer-version")), "3");
    assert!(!dir.join("lib/rustlib/multirust-channel-manifest.toml").exists(), "no manifest vouched for it");
    assert!(dir.join(format!("lib/rustlib/{HOST}/lib/libstd.rlib")).is_file());
    // Its rustc runs, directly and through tcup.
    let out = support::run(std::process::Command::new(dir.join("bin/rustc")).arg("--version")).ok();
    assert_eq!(out.stdout, "rustc 1.95.0 (synthetic)\n");
    let out = tcup_in(&sb, &["run", &toolchain, "rustc", "--version"]).ok();
    assert_eq!(out.stdout, "rustc 1.95.0 (synthetic)\n");
    // tcup's per-file record, with the standalone tarball's SHA-256 as every component's archive.
    let record = read(&dir.join("lib/rustlib/tcup-receipt"));
    assert!(record.contains("bin/rustc") && record.contains(&dist::sha(&std::fs::read(&tarball_path).unwrap())), "{record}");
    // Nothing to change or update it from.
    tcup_in(&sb, &["component", "add", "rust-src", "--toolchain", &toolchain])
        .fails(1, &["installed from local tarballs and has no channel manifest", "tcup toolchain uninstall"]);
    // Listed and shown like any toolchain.
    assert!(tcup_in(&sb, &["toolchain", "list"]).ok().stdout.contains(&toolchain));
    assert!(tcup_in(&sb, &["show"]).ok().stdout.contains(&toolchain));
    let verified = tcup_in(&sb, &["toolchain", "verify", &toolchain]).ok();
    assert!(verified.stderr.contains("has no channel manifest (installed from local tarballs)"), "{}", verified.stderr);
    std::fs::write(dir.join("bin/cargo"), "changed").unwrap();
    let run = tcup_in(&sb, &["toolchain", "verify", &toolchain]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.contains("bin/cargo"), "{}", run.stdout);
    // The first toolchain installed became the default, as with a named install.
    assert!(read(&sb.rustup_home.join("settings.toml")).contains(&format!("default_toolchain = \"{toolchain}\"")));
}

#[test]
fn rustup_lists_a_toolchain_from_a_standalone_tarball_and_runs_its_rustc() {
    let sb = Sandbox::new();
    write_standalone(&sb, dist::VERSION, "1.95.0 (0123456789 2026-04-14)", &[]);
    tcup_in(&sb, &["toolchain", "install", &format!("rust-1.95.0-{HOST}.tar.xz")]).ok();
    let toolchain = format!("1.95.0-{HOST}");
    for (version, rustup) in support::rustups() {
        let list = support::run(support::rustup_cmd(&rustup, &sb, OFFLINE).args(["toolchain", "list"])).ok();
        assert!(list.stdout.lines().any(|l| l.starts_with(&toolchain)), "rustup {version}:\n{}", list.stdout);
        let out = support::run(support::rustup_cmd(&rustup, &sb, OFFLINE).args(["run", &toolchain, "rustc", "--version"])).ok();
        assert_eq!(out.stdout, "rustc 1.95.0 (synthetic)\n", "rustup {version}");
    }
}

#[test]
fn a_nightly_tarball_needs_a_name_with_its_date() {
    let sb = Sandbox::new();
    write_standalone(&sb, "nightly", "1.95.0-nightly (0123456789 2026-04-15)", &[]);
    let file = format!("./rust-nightly-{HOST}.tar.xz");
    tcup_in(&sb, &["toolchain", "install", &file]).fails(2, &["this is a nightly tarball", "--name nightly-YYYY-MM-DD"]);
    nothing_installed(&sb);
    tcup_in(&sb, &["toolchain", "install", &file, "--name", "stable"]).fails(2, &["--name stable does not name this release"]);
    nothing_installed(&sb);
    tcup_in(&sb, &["toolchain", "install", &file, "--name", "nightly-2026-04-16"]).ok();
    assert_eq!(sb.toolchains(), [format!("nightly-2026-04-16-{HOST}")]);
}

#[test]
fn a_hostile_standalone_tarball_is_refused_and_nothing_is_installed() {
    let sb = Sandbox::new();
    let top = format!("rust-1.95.0-{HOST}");
    let evil = [Entry::File(format!("{top}/../escaped"), b"x".to_vec(), 0o644)];
    write_standalone(&sb, dist::VERSION, "1.95.0 (0123456789 2026-04-14)", &evil);
    tcup_in(&sb, &["toolchain", "install", &format!("./{top}.tar.xz")]).fails(1, &["its path contains '..'", &format!("{top}.tar.xz")]);
    nothing_installed(&sb);
    assert!(!sb.dir.path().join("escaped").exists());
}

#[test]
fn from_a_directory_without_a_manifest_every_tarball_installs_with_the_origin_warning() {
    let sb = Sandbox::new();
    let d = Dist::standard(HOST);
    let dir = sb.dir.path().join("tarballs");
    std::fs::create_dir(&dir).unwrap();
    for pkg in ["rustc", "cargo", "rust-std"] {
        let c = d.comp(pkg);
        std::fs::write(dir.join(format!("{}.tar.gz", c.base())), compress(&tarball(c), Extra::None)).unwrap();
    }
    let run = tcup_in(&sb, &["toolchain", "install", "--from", "tarballs"]).ok();
    assert!(run.stderr.contains("their origin could not be checked"), "{}", run.stderr);
    let toolchain = format!("1.95.0-{HOST}");
    assert_eq!(read(&sb.toolchain(&toolchain).join("lib/rustlib/components")), format!("cargo-{HOST}\nrust-std-{HOST}\nrustc-{HOST}\n"));
    assert_eq!(tcup_in(&sb, &["run", &toolchain, "cargo", "--version"]).ok().stdout, "cargo 1.95.0 (synthetic)\n");
    // A profile selects only with a manifest.
    tcup_in(&sb, &["toolchain", "install", "./x.tar.gz", "--profile", "minimal"]).fails(2, &["a tarball is installed whole"]);
}

/// A DIR as a user downloads it: the manifest (signed by a throwaway key, whose public half is
/// returned), its `.sha256`, and every archive of the release, side by side.
fn flat_dir(sb: &Sandbox, gpg: &Gpg) -> (PathBuf, PathBuf) {
    let d = Dist::standard(HOST);
    let server = sb.dir.path().join("server");
    d.write(&server);
    let dir = sb.dir.path().join("downloaded");
    std::fs::create_dir(&dir).unwrap();
    for from in [server.join("dist"), server.join("dist").join(dist::DATE)] {
        for e in std::fs::read_dir(&from).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_file() {
                std::fs::copy(e.path(), dir.join(e.file_name())).unwrap();
            }
        }
    }
    gpg.gen_key("Mirror <mirror@example.org>", Algo::Ed25519);
    gpg.sign("Mirror <mirror@example.org>", &dir.join("channel-rust-stable.toml"));
    let public = gpg.export_public("Mirror <mirror@example.org>", &sb.dir.path().join("mirror.asc"));
    (dir, public)
}

#[test]
fn from_a_directory_with_a_signed_manifest_it_verifies_and_a_tampered_tarball_is_refused() {
    let sb = Sandbox::new();
    let gpg = Gpg::new(sb.dir.path());
    let (dir, public) = flat_dir(&sb, &gpg);
    let from = dir.to_str().unwrap();
    let toolchain = format!("1.95.0-{HOST}");
    // A tampered rustc (both formats): its hash is not the manifest's, and nothing is installed.
    let rustc = Dist::standard(HOST).comp("rustc").base();
    let mut bad = tarball(Dist::standard(HOST).comp("cargo"));
    bad.extend_from_slice(b"tampered");
    for (ext, how) in [("gz", Extra::None), ("xz", Extra::Xz)] {
        let path = dir.join(format!("{rustc}.tar.{ext}"));
        let good = std::fs::read(&path).unwrap();
        std::fs::write(&path, compress(&bad, how)).unwrap();
        std::fs::write(sb.dir.path().join(format!("good.{ext}")), good).unwrap();
    }
    let mut cmd = sb.tcup(OFFLINE);
    cmd.env("TCUP_TRUSTED_KEYS", &public).args(["toolchain", "install", "--from", from, "--profile", "minimal"]);
    support::run(&mut cmd).fails(1, &["checksum mismatch", &format!("{rustc}.tar.")]);
    nothing_installed(&sb);
    for ext in ["gz", "xz"] {
        std::fs::rename(sb.dir.path().join(format!("good.{ext}")), dir.join(format!("{rustc}.tar.{ext}"))).unwrap();
    }
    let mut cmd = sb.tcup(OFFLINE);
    cmd.env("TCUP_TRUSTED_KEYS", &public).args(["toolchain", "install", "--from", from, "--profile", "minimal"]);
    let run = support::run(&mut cmd).ok();
    assert!(!run.stderr.contains("origin could not be checked") && !run.stderr.contains("not signed"), "{}", run.stderr);
    let tc = sb.toolchain(&toolchain);
    assert!(
        tc.join("lib/rustlib/multirust-channel-manifest.toml").is_file()
            && tc.join("lib/rustlib/multirust-channel-manifest.toml.asc").is_file()
    );
    assert_eq!(read(&tc.join("lib/rustlib/components")), format!("rustc-{HOST}\ncargo-{HOST}\nrust-std-{HOST}\n"));
    assert_eq!(tcup_in(&sb, &["run", &toolchain, "rustc", "--version"]).ok().stdout, "rustc 1.95.0 (synthetic)\n");
    assert!(sb.tmp_entries().is_empty(), "{:?}", sb.tmp_entries());
    // A signature by a key nobody trusts is refused.
    let sb2 = Sandbox::new();
    support::run(sb2.tcup(OFFLINE).args(["toolchain", "install", "--from", from])).fails(1, &["channel-rust-1.95.0.toml"]);
    nothing_installed(&sb2);
}
