//! `tcup toolchain install` against synthetic dist servers on loopback: what lands on disk,
//! verification failures, 404s, HTTPS with a test CA, `file://`, caching and interruption.

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use crate::support::dist::{Dist, Extra, compress, sha, tarball};
use crate::support::server::{Fault, TestCa};
use crate::support::{HOST, Sandbox, Scenario, list, served};

#[test]
fn installs_default_profile_with_rustup_receipts() {
    let server = served(Scenario::stable());
    let sb = Sandbox::new();
    let run = sb.run(&server.url, &["toolchain", "install", "stable"]).ok();
    let tc = format!("stable-{HOST}");
    assert!(run.stderr.contains(&format!("toolchain '{tc}' installed (6 components)")), "{}", run.stderr);
    // Not a terminal: one plain line per component, no bar drawing.
    let plain: Vec<&str> = run.stderr.lines().filter(|l| l.starts_with("info: installed ")).collect();
    assert_eq!(plain.len(), 6, "{}", run.stderr);
    assert!(plain.iter().any(|l| l.starts_with(&format!("info: installed rustc-{HOST} (")) && l.ends_with(" s)")), "{plain:?}");
    assert!(!run.stderr.contains('\r') && !run.stderr.contains("\u{1b}["), "no terminal control codes: {:?}", run.stderr);
    let root = sb.toolchain(&tc);
    // Files from manifest.in, with their modes.
    let rustc = root.join("bin/rustc");
    assert_eq!(std::fs::metadata(&rustc).unwrap().permissions().mode() & 0o111, 0o111, "rustc is executable");
    let out = std::process::Command::new(&rustc).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "rustc 1.95.0 (synthetic)");
    assert_eq!(std::fs::read_to_string(root.join("share/doc/rust/html/std/index.html")).unwrap(), "<html>std</html>");
    assert!(!root.join("lib/rustlib/src").exists(), "rust-src is not in the default profile");
    // Only listed files: the archive's own bookkeeping is not installed.
    assert!(!root.join("manifest.in").exists() && !root.join("components").exists());
    // rustup's receipts.
    let rustlib = root.join("lib/rustlib");
    let components = std::fs::read_to_string(rustlib.join("components")).unwrap();
    let expected: Vec<String> =
        ["rustc", "cargo", "rust-std", "rust-docs", "rustfmt-preview", "clippy-preview"].iter().map(|p| format!("{p}-{HOST}")).collect();
    assert_eq!(components.lines().collect::<Vec<_>>(), expected);
    assert_eq!(std::fs::read_to_string(rustlib.join(format!("manifest-rust-docs-{HOST}"))).unwrap(), "dir:share/doc/rust/html\n");
    assert_eq!(std::fs::read_to_string(rustlib.join(format!("manifest-cargo-{HOST}"))).unwrap(), "file:bin/cargo\n");
    assert_eq!(std::fs::read_to_string(rustlib.join("rust-installer-version")).unwrap(), "3");
    let config = std::fs::read_to_string(rustlib.join("multirust-config.toml")).unwrap();
    assert!(
        config.starts_with("config_version = \"1\"")
            && config.contains(&format!("pkg = \"clippy-preview\"\ntarget = \"{HOST}\"\nis_extension = false")),
        "{config}"
    );
    let manifest = std::fs::read_to_string(rustlib.join("multirust-channel-manifest.toml")).unwrap();
    let hash = std::fs::read_to_string(sb.rustup_home.join("update-hashes").join(&tc)).unwrap();
    assert_eq!(hash, sha(manifest.as_bytes())[..20], "rustup's record: the first 20 hex digits");
    let settings = std::fs::read_to_string(sb.rustup_home.join("settings.toml")).unwrap();
    assert!(settings.contains(&format!("default_toolchain = \"{tc}\"")) && settings.contains("version = \"12\""), "{settings}");
    // Formats: xz preferred for rustc, zst for cargo, gz otherwise.
    assert_eq!(server.hits(".tar.xz"), 1);
    assert_eq!(server.hits(".tar.zst"), 1);
    assert_eq!(server.hits(&format!("rustc-1.95.0-{HOST}.tar.gz")), 0, "gz not fetched when xz is offered");
    assert!(server.log().iter().all(|l| l.user_agent.starts_with("tcup/") && l.user_agent.ends_with("(rustls)")), "{:?}", server.log());
    // Nothing left behind.
    assert_eq!(list(&sb.rustup_home.join("downloads")), Vec::<String>::new());
    assert_eq!(sb.tmp_entries(), Vec::<String>::new());
    // A second run downloads nothing but the manifest's `.sha256`, which names the installed one.
    let before = server.log().len();
    let again = sb.run(&server.url, &["toolchain", "install", "stable"]).ok();
    // rustup's summary line, on stdout: `  <toolchain> unchanged - rustc …`.
    assert!(again.stdout.contains(&format!("{tc} unchanged - rustc 1.95.0")), "{again:?}");
    let log = server.log();
    let asked: Vec<&str> = log[before..].iter().map(|l| l.path.as_str()).collect();
    assert_eq!(asked, ["/dist/channel-rust-stable.toml.sha256"], "only the .sha256");
    let quiet = sb.run(&server.url, &["--quiet", "toolchain", "install", "stable"]).ok();
    // --quiet prints only warnings, and there is none: the unchanged manifest is not read again.
    assert_eq!(quiet.stderr, "", "--quiet prints no info");
    let list = sb.run(&server.url, &["toolchain", "list"]).ok();
    assert_eq!(list.stdout.trim(), format!("{tc} (active, default)"));
}

#[test]
fn components_targets_and_profiles() {
    let server = served(Scenario::stable());
    let sb = Sandbox::new();
    sb.run(
        &server.url,
        &["install", "stable", "--profile", "minimal", "-c", "rustfmt", "-c", "rust-src", "-t", "aarch64-unknown-linux-gnu"],
    )
    .ok();
    let root = sb.toolchain(&format!("stable-{HOST}"));
    assert!(root.join("bin/rustfmt").is_file(), "rustfmt renamed to rustfmt-preview and installed");
    assert!(root.join("lib/rustlib/src/rust/library/core/src/lib.rs").is_file());
    assert!(root.join("lib/rustlib/aarch64-unknown-linux-gnu/lib/libstd.rlib").is_file());
    assert!(!root.join("share/doc").exists(), "minimal has no docs");
    let components = std::fs::read_to_string(root.join("lib/rustlib/components")).unwrap();
    assert!(components.lines().any(|l| l == "rust-src"), "{components}");
    let config = std::fs::read_to_string(root.join("lib/rustlib/multirust-config.toml")).unwrap();
    assert!(
        config.contains("pkg = \"rust-src\"\ntarget = \"*\"\nis_extension = true"),
        "target-independent: `*`, as rustup writes it\n{config}"
    );
    // Unknown component or target: a usage error (exit 2) with what exists.
    let sb2 = Sandbox::new();
    sb2.run(&server.url, &["install", "stable", "-c", "rustfmtt"])
        .fails(2, &["component 'rustfmtt' is not available", "available components: cargo, clippy,"]);
    sb2.run(&server.url, &["install", "stable", "-t", "sparc-unknown-none"])
        .fails(2, &["target 'sparc-unknown-none'", "aarch64-unknown-linux-gnu"]);
    sb2.run(&server.url, &["install", "stable", "--profile", "huge"]).fails(2, &["unknown profile 'huge'"]);
    assert!(sb2.toolchains().is_empty());
}

#[test]
fn unavailable_profile_component_is_skipped_with_a_warning() {
    let server = served(Scenario::stable().edit(|dist| dist.comp_mut("clippy-preview").available = false));
    let sb = Sandbox::new();
    let run = sb.run(&server.url, &["install", "stable"]).ok();
    assert!(run.stderr.contains("warning: skipping component 'clippy-preview' of profile 'default'"), "{}", run.stderr);
    assert!(!sb.toolchain(&format!("stable-{HOST}")).join("bin/cargo-clippy").exists());
}

#[test]
fn component_hash_mismatch_installs_nothing() {
    let server = served(Scenario::stable());
    let cargo = server.dist.comp("cargo");
    let mut tampered = tarball(cargo);
    let n = tampered.len();
    tampered[n - 2000] ^= 1;
    let bad = compress(&tampered, Extra::Zst);
    server.fault(&format!("/{}.tar.zst", cargo.rel()), Fault::Body(bad.clone()));
    let sb = Sandbox::new();
    let expected = sha(&zstd::encode_all(&tarball(cargo)[..], 1).unwrap());
    sb.run(&server.url, &["install", "stable", "--profile", "minimal"]).fails(
        1,
        &[
            "checksum mismatch for",
            &format!("{}.tar.zst", cargo.rel()),
            &format!("expected sha256 {expected}"),
            &format!("got {}", sha(&bad)),
        ],
    );
    assert!(sb.toolchains().is_empty(), "no toolchain after a mismatch");
    assert!(sb.tmp_entries().is_empty(), "staging removed: {:?}", sb.tmp_entries());
    assert!(!sb.rustup_home.join("settings.toml").exists());
}

#[test]
fn manifest_sha256_mismatch_is_refused() {
    let server = served(Scenario::stable());
    server.fault(
        "/dist/channel-rust-stable.toml.sha256",
        Fault::Body(format!("{}  channel-rust-stable.toml\n", "ab".repeat(32)).into_bytes()),
    );
    let sb = Sandbox::new();
    sb.run(&server.url, &["install", "stable"])
        .fails(1, &["checksum mismatch for", "channel-rust-stable.toml", &format!("expected sha256 {}", "ab".repeat(32))]);
    assert_eq!(server.hits(".tar.gz") + server.hits(".tar.xz"), 0, "no archive fetched");
    server.fault("/dist/channel-rust-stable.toml.sha256", Fault::Body(b"<html>oops</html>".to_vec()));
    sb.run(&server.url, &["install", "stable"]).fails(1, &["does not hold a SHA-256 hash"]);
}

#[test]
fn missing_archive_or_channel_is_not_on_this_dist_server() {
    let server = served(Scenario::stable());
    let sb = Sandbox::new();
    sb.run(&server.url, &["install", "beta"])
        .fails(1, &["toolchain 'beta'", "channel-rust-beta.toml.sha256 is not on this dist server (HTTP 404)"]);
    let std = server.dist.comp("rust-std");
    server.fault(&format!("/{}.tar.gz", std.rel()), Fault::Status(404));
    sb.run(&server.url, &["install", "stable", "--profile", "minimal"])
        .fails(1, &[&format!("component rust-std-{HOST}"), &format!("{}.tar.gz is not on this dist server (HTTP 404)", std.rel())]);
    assert!(sb.toolchains().is_empty());
    assert!(sb.tmp_entries().is_empty());
}

#[test]
fn https_with_a_test_ca_and_untrusted_certificates() {
    let ca = TestCa::new();
    let server = served(Scenario::stable().https(&ca));
    let sb = Sandbox::new();
    // Without the CA (another CA's certificate instead): refused, clearly. A path to nothing is a
    // configuration error (exit 2), tested with the download faults.
    let other = tempfile::tempdir().unwrap();
    let run = crate::support::run(
        sb.tcup(&server.url)
            .args(["install", "stable", "--profile", "minimal"])
            .env("SSL_CERT_FILE", TestCa::new().write_pem(other.path())),
    );
    let run = run.fails(1, &["channel-rust-stable.toml.sha256"]);
    assert!(run.stderr.to_lowercase().contains("certificate"), "{}", run.stderr);
    // With the CA in SSL_CERT_FILE: installed.
    let pem = ca.write_pem(sb.dir.path());
    crate::support::run(sb.tcup(&server.url).args(["install", "stable", "--profile", "minimal"]).env("SSL_CERT_FILE", &pem)).ok();
    assert!(sb.toolchain(&format!("stable-{HOST}")).join("bin/cargo").is_file());
}

#[test]
fn file_dist_server() {
    let root = tempfile::tempdir().unwrap();
    Dist::standard(HOST).write(root.path());
    let sb = Sandbox::new();
    let url = format!("file://{}", root.path().display());
    sb.run(&url, &["install", "stable", "--profile", "minimal"]).ok();
    assert!(sb.toolchain(&format!("stable-{HOST}")).join("bin/rustc").is_file());
    sb.run(&format!("file://{}/nowhere", root.path().display()), &["install", "nightly"]).fails(1, &["no such file: "]);
}

#[test]
fn verified_downloads_are_reused_and_a_corrupt_cache_is_refetched() {
    let server = served(Scenario::stable());
    let cargo = server.dist.comp("cargo");
    server.fault(&format!("/{}.tar.zst", cargo.rel()), Fault::Status(500));
    let sb = Sandbox::new();
    // One at a time, longest first (rustc, rust-std, then cargo): rustc and rust-std complete
    // before cargo fails.
    let first = crate::support::run(
        sb.tcup(&server.url)
            .args(["install", "stable", "--profile", "minimal"])
            .env("RUSTUP_CONCURRENT_DOWNLOADS", "1")
            .env("TCUP_BACKENDS", "rustls")
            .env("RUSTUP_MAX_RETRIES", "0"),
    );
    first.fails(1, &[&format!("{}.tar.zst failed (rustls): HTTP 500", cargo.rel())]);
    let rustc_hash = sha(&server.archive_bytes("rustc", "xz"));
    let std_hash = sha(&server.archive_bytes("rust-std", "gz"));
    let mut cached = vec![rustc_hash.clone(), std_hash];
    cached.sort();
    assert_eq!(list(&sb.rustup_home.join("downloads")), cached, "verified downloads stay cached under their hash");
    // Corrupt rustc's: detected by its hash and fetched again; rust-std's is reused.
    std::fs::write(sb.rustup_home.join("downloads").join(&rustc_hash), b"garbage").unwrap();
    server.clear_faults();
    let before = server.log().len();
    let run = sb.run(&server.url, &["install", "stable", "--profile", "minimal"]).ok();
    assert!(run.stderr.contains("is corrupt; downloading it again"), "{}", run.stderr);
    let mut expected = [server.archive("rustc", "xz"), server.archive("cargo", "zst")];
    expected.sort();
    assert_eq!(server.archives_since(before), expected);
    assert!(list(&sb.rustup_home.join("downloads")).is_empty(), "installed downloads are removed");
}

#[test]
fn interrupted_install_leaves_nothing_and_is_cleaned_next_time() {
    let server = served(Scenario::stable());
    server.fault(&server.archive("rustc", "xz"), Fault::StallAfter(2000));
    let sb = Sandbox::new();
    let mut child =
        sb.tcup(&server.url).args(["install", "stable", "--profile", "minimal"]).stderr(std::process::Stdio::null()).spawn().unwrap();
    let started = Instant::now();
    while server.hits(".tar.xz") == 0 || sb.tmp_entries().is_empty() {
        assert!(started.elapsed() < Duration::from_secs(20), "download never started");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(sb.toolchains().is_empty(), "no toolchain after a kill: {:?}", sb.toolchains());
    assert_eq!(sb.tmp_entries().len(), 1, "the killed run's staging is still there");
    server.clear_faults();
    sb.run(&server.url, &["install", "stable", "--profile", "minimal"]).ok();
    assert!(sb.tmp_entries().is_empty(), "stale staging cleared: {:?}", sb.tmp_entries());
    assert!(sb.toolchain(&format!("stable-{HOST}")).join("bin/rustc").is_file());
}

/// Near the end of a worker's archive the next component's download is opened
/// (`ops/open_ahead.rs`): with one worker, the request for the second archive reaches the server
/// while the first is still being sent, and the install is whole.
#[test]
fn the_next_archive_is_requested_before_the_current_one_ends() {
    // rustc's archive: 1.5 MB of noise, sent 64 KiB every 50 ms (about 1.2 s).
    let server = served(Scenario::stable().edit(|dist| {
        dist.comp_mut("rustc").files.push(("lib/rustc-noise.so".into(), crate::support::dist::noise(1_500_000), 0o644));
    }));
    let (rustc, std) = (server.archive("rustc", "gz"), server.archive("rust-std", "gz"));
    server.fault(&rustc, Fault::Drip(64 * 1024, Duration::from_millis(50)));
    let sb = Sandbox::new();
    // The minimal profile: rustc, rust-std, cargo, taken in that order (install::start_order).
    crate::support::run(sb.tcup(&server.url).env("RUSTUP_CONCURRENT_DOWNLOADS", "1").env("TCUP_ARCHIVE_FORMAT", "gz").args([
        "toolchain",
        "install",
        "stable",
        "--profile",
        "minimal",
    ]))
    .ok();
    let log = server.log();
    let asked = log.iter().find(|l| l.path == std).expect("rust-std's archive was requested");
    // Requested while rustc's archive was still being sent, bytes of it unsent (without opening
    // ahead, rust-std is asked for only once rustc's last byte was read: 0 left).
    match asked.while_serving.as_slice() {
        [(path, Some(left))] if *path == rustc => assert!(*left > 0, "all of rustc's archive was sent"),
        other => panic!("rust-std's archive was requested while the server was sending {other:?}"),
    }
    assert_eq!(server.hits(&std), 1, "and only then");
    let tc = sb.toolchain(&format!("stable-{HOST}"));
    assert_eq!(std::fs::metadata(tc.join("lib/rustc-noise.so")).unwrap().len(), 1_500_000);
    assert!(tc.join(format!("lib/rustlib/{HOST}/lib/libstd.rlib")).is_file());
    sb.run(&server.url, &["toolchain", "verify", "stable"]).ok();
}
