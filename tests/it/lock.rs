//! Issue 30: `tcup lock` writes `rust-toolchain.lock` from a project's toolchain file against a
//! loopback dist server: the served manifest's and archives' hashes, a second host, keeping the
//! locked release until `--upgrade`, `--check` without network, a server without the dated
//! manifest, a signed server's fingerprint, and the lock valid against its JSON Schema.

use std::path::PathBuf;

use tcup::dist::lock::Lock;

use crate::support::dist::{Comp, Dist, script, sha};
use crate::support::sign::Algo;
use crate::support::{HOST, Run, Sandbox, Scenario, Served, run, served};

/// A second host the test release also carries rustc, cargo and rust-std for.
const OTHER: &str = "riscv64gc-unknown-linux-gnu";

const MINIMAL_CLIPPY: &str = "[toolchain]\nchannel = \"stable\"\nprofile = \"minimal\"\ncomponents = [\"clippy\"]\n";

/// A project directory with a toolchain file in a sandbox, and the server it locks against.
struct Project {
    s: Served,
    sb: Sandbox,
    dir: PathBuf,
}

impl Project {
    fn new(s: Served, toolchain_toml: &str) -> Project {
        let sb = Sandbox::new();
        let dir = sb.dir.path().join("project");
        std::fs::create_dir(&dir).unwrap();
        let dir = dir.canonicalize().unwrap();
        let p = Project { s, sb, dir };
        p.file(toolchain_toml);
        p
    }

    /// Rewrites `rust-toolchain.toml`.
    fn file(&self, text: &str) {
        std::fs::write(self.dir.join("rust-toolchain.toml"), text).unwrap();
    }

    /// `tcup lock ARGS` in the project directory.
    fn lock(&self, args: &[&str]) -> Run {
        run(self.sb.tcup(&self.s.url).current_dir(&self.dir).arg("lock").args(args))
    }

    fn lock_path(&self) -> PathBuf {
        self.dir.join("rust-toolchain.lock")
    }

    /// The lock's text and parsed value.
    fn read(&self) -> (String, Lock) {
        let text = std::fs::read_to_string(self.lock_path()).unwrap();
        let lock = Lock::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        (text, lock)
    }

    /// The served bytes' SHA-256 at `path` (relative to the server's root).
    fn served_sha(&self, path: &str) -> String {
        sha(&std::fs::read(self.s.root().join(path)).unwrap())
    }
}

/// Adds rustc, cargo and rust-std for [`OTHER`] to the release.
fn with_other_host(d: &mut Dist) {
    for pkg in ["rustc", "cargo", "rust-std"] {
        let mut c = Comp::new(pkg, OTHER);
        c.files = vec![(format!("bin/{pkg}-{OTHER}"), script(pkg), 0o755)];
        d.comps.push(c);
    }
}

#[test]
fn lock_pins_the_served_release_and_a_second_run_changes_nothing() {
    let p = Project::new(served(Scenario::stable()), MINIMAL_CLIPPY);
    let r = p.lock(&[]).ok();
    let lock_path = p.lock_path();
    assert!(r.stderr.contains("info: locked 'stable' to 1.95.0 (2026-04-16): 1 host, 4 archives\n"), "{}", r.stderr);
    assert!(r.stderr.contains(&format!("info: wrote {}\n", lock_path.display())), "{}", r.stderr);
    let (text, lock) = p.read();
    assert_eq!(lock.toolchain.channel, "stable");
    assert_eq!((lock.toolchain.profile.as_str(), lock.toolchain.components.as_slice()), ("minimal", &["clippy".to_owned()][..]));
    assert_eq!(lock.release.version, "1.95.0");
    assert_eq!(lock.release.manifest, "dist/2026-04-16/channel-rust-stable.toml");
    assert_eq!(lock.release.manifest_sha256, sha(p.s.manifest.as_bytes()));
    assert_eq!(lock.release.signer, "unsigned");
    assert_eq!(lock.hosts.len(), 1);
    let host = lock.host(HOST).unwrap();
    let names: Vec<&str> = host.archives.iter().map(|a| a.component.as_str()).collect();
    assert_eq!(names, ["cargo", "clippy-preview", "rust-std", "rustc"]);
    // Every format the manifest offers, each with the server's bytes' hash.
    for (pkg, formats) in [("rustc", &["gz", "xz"][..]), ("cargo", &["gz", "zst"]), ("clippy-preview", &["gz"]), ("rust-std", &["gz"])] {
        let a = host.archive(pkg, HOST).unwrap();
        let pinned: Vec<&str> =
            [("gz", &a.gz), ("xz", &a.xz), ("zst", &a.zst)].iter().filter(|(_, p)| p.is_some()).map(|(k, _)| *k).collect();
        assert_eq!(pinned, formats, "{pkg}");
        for ext in formats {
            let pin = [("gz", &a.gz), ("xz", &a.xz), ("zst", &a.zst)].into_iter().find(|(k, _)| k == ext).unwrap().1.as_ref().unwrap();
            assert_eq!(format!("/{}", pin.path), p.s.archive(pkg, ext));
            assert_eq!(pin.sha256, sha(&p.s.archive_bytes(pkg, ext)), "{pkg} .tar.{ext}");
        }
    }
    // The lock as JSON is what its schema describes.
    let json = serde_json::to_string(&toml::from_str::<toml::Value>(&text).unwrap()).unwrap();
    crate::json::valid("rust-toolchain.lock", &json);
    // Again: the same bytes, not rewritten, and no archive was ever downloaded.
    let modified = std::fs::metadata(&lock_path).unwrap().modified().unwrap();
    let r = p.lock(&[]).ok();
    assert_eq!(r.stderr.lines().last().unwrap(), format!("info: {} is up to date", lock_path.display()), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&lock_path).unwrap(), text);
    assert_eq!(std::fs::metadata(&lock_path).unwrap().modified().unwrap(), modified);
    assert!(p.s.archives_since(0).is_empty(), "{:?}", p.s.archives_since(0));
}

#[test]
fn check_compares_the_lock_with_the_toolchain_file_offline() {
    let p = Project::new(served(Scenario::stable()), MINIMAL_CLIPPY);
    let toml = p.dir.join("rust-toolchain.toml");
    let r = p.lock(&["--check"]).fails(1, &[&format!("error: {} has no rust-toolchain.lock beside it; run `tcup lock`", toml.display())]);
    assert!(r.stdout.is_empty());
    p.lock(&[]).ok();
    let requests = p.s.log().len();
    let r = p.lock(&["--check"]).ok();
    assert!(r.stderr.contains(&format!("info: {} matches {}", p.lock_path().display(), toml.display())), "{}", r.stderr);
    p.file("[toolchain]\nchannel = \"stable\"\nprofile = \"minimal\"\ncomponents = [\"clippy\", \"rust-src\"]\n");
    p.lock(&["--check"]).fails(
        1,
        &[&format!("{} does not match {}: component 'rust-src' added; run `tcup lock`", p.lock_path().display(), toml.display())],
    );
    p.file("[toolchain]\nchannel = \"beta\"\n");
    p.lock(&["--check"]).fails(1, &["channel 'beta', locked 'stable', profile 'default', locked 'minimal', component 'clippy' removed"]);
    assert_eq!(p.s.log().len(), requests, "--check made no request");
    p.lock(&["--check", "--upgrade"]).fails(2, &["cannot be used with"]);
    let help = p.lock(&["--help"]).ok().stdout;
    for line in ["Usage: tcup lock [OPTIONS]", "--host <TRIPLE>", "--upgrade", "--check", "Exit status of --check:"] {
        assert!(help.contains(line), "{help}");
    }
    assert!(!help.contains("--backends"), "global options are listed once, in tcup --help:\n{help}");
}

#[test]
fn host_adds_a_second_hosts_archives_and_a_refresh_keeps_it() {
    let p = Project::new(served(Scenario::stable().edit(with_other_host)), "[toolchain]\nchannel = \"stable\"\nprofile = \"minimal\"\n");
    let r = p.lock(&["--host", OTHER]).ok();
    assert!(r.stderr.contains("info: locked 'stable' to 1.95.0 (2026-04-16): 2 hosts, 6 archives"), "{}", r.stderr);
    let (text, lock) = p.read();
    let mut triples = vec![HOST, OTHER];
    triples.sort_unstable();
    assert_eq!(lock.hosts.iter().map(|h| h.triple.as_str()).collect::<Vec<_>>(), triples);
    let other = lock.host(OTHER).unwrap();
    for pkg in ["rustc", "cargo", "rust-std"] {
        let a = other.archive(pkg, OTHER).unwrap_or_else(|| panic!("{pkg} for {OTHER} not locked:\n{text}"));
        let gz = a.gz.as_ref().unwrap();
        assert_eq!(gz.path, format!("dist/2026-04-16/{pkg}-1.95.0-{OTHER}.tar.gz"));
        assert_eq!(gz.sha256, p.served_sha(&gz.path));
    }
    // A refresh without --host keeps the second host: nothing changes.
    let r = p.lock(&[]).ok();
    assert!(r.stderr.contains("is up to date"), "{}", r.stderr);
    // A component the release lacks for one host is refused naming that host; the lock stays.
    p.file("[toolchain]\nchannel = \"stable\"\nprofile = \"minimal\"\ncomponents = [\"clippy\"]\n");
    p.lock(&[]).fails(2, &[&format!("locking host {OTHER}: component 'clippy' is not available for {OTHER}")]);
    assert_eq!(p.read().0, text);
    p.lock(&["--host", "not a triple"]).fails(2, &["--host not a triple: not a target triple"]);
}

#[test]
fn a_plain_lock_keeps_the_locked_release_and_upgrade_moves_on() {
    let p = Project::new(served(Scenario::stable()), "[toolchain]\nchannel = \"stable\"\nprofile = \"minimal\"\n");
    p.lock(&[]).ok();
    let (_, old) = p.read();
    // The server's stable moves to 1.95.1 of 2026-04-17 (the same archives).
    let newer = p.s.manifest.replace("date = \"2026-04-16\"", "date = \"2026-04-17\"").replace("1.95.0 (synthetic", "1.95.1 (synthetic");
    p.s.dist.write_manifest(p.s.root(), &newer);
    // A component added: the archives are selected again from the locked release.
    p.file("[toolchain]\nchannel = \"stable\"\nprofile = \"minimal\"\ncomponents = [\"rust-src\"]\n");
    let before = p.s.log().len();
    let r = p.lock(&[]).ok();
    assert!(r.stderr.contains("info: locked 'stable' to 1.95.0 (2026-04-16): 1 host, 4 archives"), "{}", r.stderr);
    let asked: Vec<String> = p.s.log()[before..].iter().map(|l| l.path.clone()).collect();
    assert!(asked.contains(&"/dist/2026-04-16/channel-rust-stable.toml".to_owned()), "{asked:?}");
    assert!(!asked.iter().any(|a| a.starts_with("/dist/channel-rust-stable.toml")), "the moving manifest was not read: {asked:?}");
    let (_, kept) = p.read();
    assert_eq!(kept.release, old.release);
    assert!(kept.host(HOST).unwrap().archive("rust-src", "*").is_some());
    let r = p.lock(&["--upgrade"]).ok();
    assert!(r.stderr.contains("info: locked 'stable' to 1.95.1 (2026-04-17): 1 host, 4 archives"), "{}", r.stderr);
    let (_, upgraded) = p.read();
    assert_eq!(upgraded.release.manifest, "dist/2026-04-17/channel-rust-stable.toml");
    assert_eq!(upgraded.release.manifest_sha256, sha(newer.as_bytes()));
    assert_eq!(p.lock(&[]).ok().stderr.lines().last().unwrap(), format!("info: {} is up to date", p.lock_path().display()));
}

#[test]
fn a_server_without_the_dated_manifest_is_refused() {
    let p = Project::new(served(Scenario::stable()), MINIMAL_CLIPPY);
    let dated = p.s.root().join("dist/2026-04-16/channel-rust-stable.toml.sha256");
    std::fs::write(&dated, format!("{}  channel-rust-stable.toml\n", "0".repeat(64))).unwrap();
    let why = "a lock needs the manifest at its dated path (dist/2026-04-16/channel-rust-stable.toml); \
               the dist server keeps every release there, a `tcup mirror pack` tree keeps only some";
    p.lock(&[]).fails(1, &[&format!("/dist/2026-04-16/channel-rust-stable.toml has SHA-256 {}", "0".repeat(64)), why]);
    std::fs::remove_file(&dated).unwrap();
    p.lock(&[]).fails(1, &["/dist/2026-04-16/channel-rust-stable.toml.sha256 is not on this dist server (HTTP 404): a lock needs", why]);
    assert!(!p.lock_path().exists());
}

#[test]
fn a_signed_release_records_its_signers_fingerprint() {
    let signed = crate::trust::Signed::new(Algo::Ed25519);
    let sb = Sandbox::new();
    let dir = sb.dir.path().canonicalize().unwrap();
    std::fs::write(dir.join("rust-toolchain"), "stable\n").unwrap();
    run(signed.tcup(&sb).current_dir(&dir).arg("lock")).ok();
    let lock = Lock::parse(&std::fs::read_to_string(dir.join("rust-toolchain.lock")).unwrap()).unwrap();
    assert_eq!(lock.release.signer, signed.gpg.fingerprint(crate::trust::OPERATOR));
    assert_eq!(lock.toolchain.profile, "default", "a file naming no profile locks rustup's default");
    assert_eq!(lock.host(HOST).unwrap().archives.len(), 6);
}

#[test]
fn what_cannot_be_locked_is_refused_saying_why() {
    let p = Project::new(served(Scenario::stable()), "[toolchain]\npath = \"/opt/rust\"\n");
    let toml = p.dir.join("rust-toolchain.toml");
    p.lock(&[]).fails(2, &[&format!("{} names a path toolchain; only official channels", toml.display())]);
    p.file("[toolchain]\nchannel = \"my-build\"\n");
    p.lock(&[]).fails(2, &["names 'my-build', which is not an official channel; only official channels"]);
    p.file(MINIMAL_CLIPPY);
    std::fs::write(p.lock_path(), "version = 1\n").unwrap();
    p.lock(&[]).fails(1, &[&format!("{}: missing field", p.lock_path().display())]);
    std::fs::remove_file(toml).unwrap();
    std::fs::remove_file(p.lock_path()).unwrap();
    p.lock(&[]).fails(2, &[&format!("no rust-toolchain.toml or rust-toolchain in {} or its parents", p.dir.display())]);
}

#[test]
fn version_and_nightly_channels_lock_their_dated_manifests() {
    // A version channel's dated manifest is named by the full version (`1.95` → `1.95.0`).
    let p = Project::new(served(Scenario::channels(&["1.95", "1.95.0"])), "[toolchain]\nchannel = \"1.95\"\nprofile = \"minimal\"\n");
    p.lock(&[]).ok();
    let (_, lock) = p.read();
    assert_eq!((lock.toolchain.channel.as_str(), lock.release.version.as_str()), ("1.95", "1.95.0"));
    assert_eq!(lock.release.manifest, "dist/2026-04-16/channel-rust-1.95.0.toml");
    assert_eq!(lock.release.manifest_sha256, p.served_sha(&lock.release.manifest));
    let p = Project::new(served(Scenario::channel("nightly")), "[toolchain]\nchannel = \"nightly\"\nprofile = \"minimal\"\n");
    let r = p.lock(&[]).ok();
    assert!(r.stderr.contains("info: locked 'nightly' to 1.95.0-nightly (2026-04-16): 1 host, 3 archives"), "{}", r.stderr);
    assert_eq!(p.read().1.release.manifest, "dist/2026-04-16/channel-rust-nightly.toml");
}

#[test]
fn an_archive_off_the_dist_server_cannot_be_locked() {
    let p = Project::new(served(Scenario::stable()), MINIMAL_CLIPPY);
    let url = format!("https://static.rust-lang.org{}", p.s.archive("clippy-preview", "gz"));
    p.s.dist.write_manifest(p.s.root(), &p.s.manifest.replace(&url, "https://elsewhere.test/clippy.tar.gz"));
    p.lock(&[]).fails(
        1,
        &[&format!(
            "clippy-preview-{HOST} of {HOST} is at https://elsewhere.test/clippy.tar.gz, not under https://static.rust-lang.org: \
         a lock pins paths on the dist server"
        )],
    );
    assert!(!p.lock_path().exists());
}
