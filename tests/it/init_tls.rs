//! Issue 28.7, the bootstrap never downgrades TLS: `installer/init.sh` against hostile update roots
//! it builds itself on loopback — an HTTPS server whose certificate nobody trusts, an https→http
//! redirect to a second server with a binary of its own, a tampered `tcup-init` — with curl, GNU
//! wget and busybox wget. Each asserts what the user sees (exit code, message) and that nothing
//! ran or was installed: no home, the victim directory beside the homes unchanged (the hostile
//! binary writes into it when run), init.sh's temporary directory gone. docs/threat-model.md.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::init::{VERSION, busybox_path, dev_init, init, rustc_through_proxy, update_root};
use crate::support::dist::sha;
use crate::support::server::{Fault, Server, TestCa};
use crate::support::{HOST, Run, Sandbox, Scenario, on_path, run};

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            if e.file_type().unwrap().is_dir() {
                todo.push(e.path());
            } else {
                files.insert(e.path(), std::fs::read(e.path()).unwrap());
            }
        }
    }
    files
}

/// A sandbox with a victim directory beside its homes and a `TMPDIR` of its own.
struct Scene {
    sb: Sandbox,
    victim: PathBuf,
    tmp: PathBuf,
    before: BTreeMap<PathBuf, Vec<u8>>,
}

impl Scene {
    fn new() -> Scene {
        let sb = Sandbox::new();
        let victim = sb.dir.path().join("victim");
        let tmp = sb.dir.path().join("tmp");
        std::fs::create_dir_all(victim.join("projects")).unwrap();
        std::fs::create_dir_all(&tmp).unwrap();
        std::fs::write(victim.join("projects/notes.txt"), "the user's files\n").unwrap();
        let before = snapshot(&victim);
        Scene { sb, victim, tmp, before }
    }

    /// A "tcup-init" that, when run, writes into the victim directory.
    fn hostile_binary(&self) -> Vec<u8> {
        format!("#!/bin/sh\necho ran >>'{}/ran'\n", self.victim.display()).into_bytes()
    }

    /// `cmd` with this scene's `TMPDIR` and, when given, `pem` as the CA that curl, openssl (busybox
    /// wget's verifier) and GNU wget (through a `WGETRC`) trust.
    fn env<'c>(&self, cmd: &'c mut Command, pem: Option<&Path>) -> &'c mut Command {
        cmd.env("TMPDIR", &self.tmp);
        if let Some(pem) = pem {
            let wgetrc = self.sb.dir.path().join("wgetrc");
            std::fs::write(&wgetrc, format!("ca_certificate = {}\n", pem.display())).unwrap();
            cmd.env("SSL_CERT_FILE", pem).env("WGETRC", wgetrc);
        }
        cmd
    }

    /// Nothing ran (the victim directory is as it was), nothing was installed, nothing left in `TMPDIR`.
    #[track_caller]
    fn nothing_ran_or_installed(&self, r: &Run) {
        assert_eq!(snapshot(&self.victim), self.before, "the victim directory changed: {}", r.stderr);
        assert!(!self.sb.cargo_home.exists() && !self.sb.rustup_home.exists(), "something was installed: {}", r.stderr);
        assert!(std::fs::read_dir(&self.tmp).unwrap().next().is_none(), "init.sh left files in TMPDIR");
    }
}

/// A PATH of busybox's applets (curl, wget and openssl taken out), with busybox's `wget` when
/// `busybox_wget`, and these programs of the machine linked in.
fn tools_path(dir: &Path, busybox_wget: bool, real: &[&str]) -> String {
    let path = busybox_path(dir, false);
    for tool in ["curl", "openssl"].into_iter().chain((!busybox_wget).then_some("wget")) {
        let _ = std::fs::remove_file(Path::new(&path).join(tool));
    }
    for tool in real {
        let _ = std::fs::remove_file(Path::new(&path).join(tool));
        std::os::unix::fs::symlink(on_path(tool, "init.sh's downloaders and verifiers are tested"), Path::new(&path).join(tool)).unwrap();
    }
    path
}

fn dash() -> String {
    on_path("dash", "init.sh runs under dash").display().to_string()
}

/// Copies the published builds of [`VERSION`] under `root` to `archive/<version>/`, whose hashes
/// no init.sh carries.
fn publish_other_version(root: &Path, version: &str) {
    let from = root.join("archive").join(VERSION).join(HOST);
    let to = root.join("archive").join(version).join(HOST);
    std::fs::create_dir_all(&to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

const ARGS: &[&str] = &["-y", "--no-modify-path", "--profile", "minimal"];

#[test]
fn issue28_an_untrusted_certificate_is_final_and_wget_never_runs() {
    let ca = TestCa::new();
    let server = update_root(Scenario::stable().https(&ca));
    // The published init.sh (its release's hashes) and the repository's (none): curl's TLS failure
    // is final for both; a fake wget first on PATH records being called.
    for (what, script) in
        [("published", init as fn(&[&str], &Sandbox, &Server, Option<&str>, &[&str]) -> Command), ("development", dev_init)]
    {
        let scene = Scene::new();
        let fake = scene.sb.dir.path().join("fake-bin");
        std::fs::create_dir_all(&fake).unwrap();
        let called = scene.sb.dir.path().join("wget-was-called");
        std::fs::write(fake.join("wget"), format!("#!/bin/sh\necho \"$@\" >>'{}'\nexit 1\n", called.display())).unwrap();
        std::fs::set_permissions(fake.join("wget"), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        let path = format!("{}:{}", fake.display(), std::env::var("PATH").unwrap_or_default());
        let mut cmd = script(&["dash"], &scene.sb, &server, Some(&path), ARGS);
        // The system's CAs only, which never signed the test server's certificate.
        let r = run(scene.env(&mut cmd, None)).fails(
            1,
            &[
                &format!("error: the TLS certificate or handshake of {}/", server.url),
                "could not be verified (curl exit 60); a TLS failure is final: no other downloader is tried",
            ],
        );
        assert!(!called.exists(), "{what}: wget was run after curl's TLS failure: {}", r.stderr);
        assert!(!r.stderr.contains("trying wget"), "{what}: {}", r.stderr);
        scene.nothing_ran_or_installed(&r);
    }
}

#[test]
fn issue28_a_redirect_from_https_to_http_is_refused_with_every_downloader() {
    let ca = TestCa::new();
    let server = update_root(Scenario::stable().https(&ca));
    let pem = ca.write_pem(server.root());
    // The second server, plain http, would serve a binary of its own with a matching .sha256.
    let evil_root = tempfile::tempdir().unwrap();
    let http = Server::http(evil_root.path());
    for (name, label, busybox_wget, real) in [
        ("curl", "curl", false, &["curl"][..]),
        ("gnu-wget", "GNU wget", false, &["wget"][..]),
        ("busybox-wget", "busybox wget with openssl", true, &["openssl"][..]),
    ] {
        let scene = Scene::new();
        let evil = scene.hostile_binary();
        let dir = evil_root.path().join("dist").join(HOST);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("tcup-init"), &evil).unwrap();
        std::fs::write(dir.join("tcup-init.sha256"), format!("{}  tcup-init\n", sha(&evil))).unwrap();
        for file in ["tcup-init", "tcup-init.sha256"] {
            server.fault(&format!("/dist/{HOST}/{file}"), Fault::Redirect(format!("{}/dist/{HOST}/{file}", http.url)));
        }
        let path = tools_path(&scene.sb.dir.path().join(name), busybox_wget, real);
        let hits = http.log().len();
        let mut cmd = dev_init(&[&dash()], &scene.sb, &server, Some(&path), ARGS);
        let r = run(scene.env(&mut cmd, Some(&pem)));
        let from = format!("{}/dist/{HOST}/tcup-init", server.url);
        let expected = if name == "curl" {
            format!("error: refused {from}: it redirects to a URL that is not https (curl exit 1)")
        } else {
            format!("error: refused the redirect from {from} to {}/dist/{HOST}/tcup-init: it is not https", http.url)
        };
        let r = r.fails(1, &[&expected]);
        scene.nothing_ran_or_installed(&r);
        // curl and GNU wget never ask the http server; busybox wget cannot be stopped from following,
        // so what it fetched is thrown away unrun.
        if name != "busybox-wget" {
            assert_eq!(http.log().len(), hits, "{label} followed the redirect to http: {:?}", http.log());
        }
    }
    // The optional proxy program too: a refusal is not an absent file, and tcup-init does not run.
    server.clear_faults();
    server.fault(&format!("/dist/{HOST}/tcup-proxy"), Fault::Redirect(format!("{}/dist/{HOST}/tcup-proxy", http.url)));
    let scene = Scene::new();
    let mut cmd = dev_init(&["dash"], &scene.sb, &server, None, ARGS);
    let r = run(scene.env(&mut cmd, Some(&pem))).fails(
        1,
        &[&format!("error: refused {}/dist/{HOST}/tcup-proxy: it redirects to a URL that is not https (curl exit 1)", server.url)],
    );
    assert!(!r.stderr.contains("warning: could not download tcup-proxy"), "{}", r.stderr);
    scene.nothing_ran_or_installed(&r);
}

#[test]
fn issue28_a_tampered_tcup_init_is_refused_whichever_downloader() {
    // Over plain http on purpose: the hash the published init.sh carries decides, not the connection.
    let server = update_root(Scenario::stable());
    let carried = sha(&std::fs::read(env!("CARGO_BIN_EXE_tcup")).unwrap());
    for (name, label, busybox_wget, real) in [
        ("curl", "curl", false, &["curl"][..]),
        ("gnu-wget", "GNU wget", false, &["wget"][..]),
        ("busybox-wget", "busybox wget without openssl", true, &[][..]),
    ] {
        let scene = Scene::new();
        let evil = scene.hostile_binary();
        // The attacker replaces the binary at the release's path, with a .sha256 to match.
        let dir = server.root().join("archive").join(VERSION).join(HOST);
        std::fs::write(dir.join("tcup-init"), &evil).unwrap();
        std::fs::write(dir.join("tcup-init.sha256"), format!("{}  tcup-init\n", sha(&evil))).unwrap();
        let path = tools_path(&scene.sb.dir.path().join(name), busybox_wget, real);
        let mut cmd = init(&[&dash()], &scene.sb, &server, Some(&path), ARGS);
        let r = run(scene.env(&mut cmd, None)).fails(
            1,
            &[&format!(
                "error: checksum mismatch for {}/archive/{VERSION}/{HOST}/tcup-init: expected {carried} (carried by this init.sh for tcup {VERSION}), got {}; nothing was installed",
                server.url,
                sha(&evil)
            )],
        );
        assert!(r.stderr.contains(&format!("downloading tcup-init for {HOST}")), "{label}: {}", r.stderr);
        scene.nothing_ran_or_installed(&r);
    }
}

#[test]
fn issue28_busybox_wget_without_openssl_is_refused_for_what_no_hash_covers() {
    let ca = TestCa::new();
    let server = update_root(Scenario::stable().https(&ca));
    let pem = ca.write_pem(server.root());
    publish_other_version(server.root(), "0.0.9");
    // The development copy (no hashes at all) under dash and busybox ash, and the published one
    // asked for a version whose hash it does not carry.
    for (name, shell, script, version) in [
        ("dev-dash", "dash", dev_init as fn(&[&str], &Sandbox, &Server, Option<&str>, &[&str]) -> Command, None),
        ("dev-ash", "ash", dev_init, None),
        ("other-version", "dash", init, Some("0.0.9")),
    ] {
        let scene = Scene::new();
        let path = tools_path(&scene.sb.dir.path().join(name), true, &[]);
        let shell = if shell == "ash" { format!("{path}/sh") } else { dash() };
        let mut cmd = script(&[&shell], &scene.sb, &server, Some(&path), ARGS);
        if let Some(v) = version {
            cmd.env("TCUP_VERSION", v);
        }
        let r = run(scene.env(&mut cmd, Some(&pem)))
            .fails(1, &["busybox wget verifies TLS certificates only through openssl, which is not on PATH", "install curl (or openssl)"]);
        let note = match version {
            Some(v) => format!("this init.sh carries hashes for tcup {VERSION}, not {v}: trusting only a verified https connection"),
            None => "this init.sh carries no release hashes (a development copy): trusting only a verified https connection".to_owned(),
        };
        assert!(r.stderr.contains(&note), "{name}: {}", r.stderr);
        scene.nothing_ran_or_installed(&r);
    }
    assert!(server.log().iter().all(|l| !l.path.contains("/tcup-")), "nothing was downloaded: {:?}", server.log());
}

#[test]
fn issue28_what_no_hash_covers_installs_over_verified_https() {
    let ca = TestCa::new();
    let server = update_root(Scenario::stable().https(&ca));
    let pem = ca.write_pem(server.root());
    publish_other_version(server.root(), "0.0.9");
    // curl: the published init.sh, another version (rustup-init's RUSTUP_VERSION).
    let scene = Scene::new();
    let mut cmd = init(&["dash"], &scene.sb, &server, None, ARGS);
    let r = run(scene.env(&mut cmd, Some(&pem)).env("TCUP_VERSION", "0.0.9")).ok();
    assert!(r.stderr.contains(&format!("carries hashes for tcup {VERSION}, not 0.0.9")), "{}", r.stderr);
    rustc_through_proxy(&scene.sb);
    assert_eq!(server.hits(&format!("/archive/0.0.9/{HOST}/tcup-init.sha256")), 1, "{:?}", server.log());
    // GNU wget: the development copy, whose tcup-init redirects (relative, https to https) to the
    // versioned path: followed one checked hop at a time.
    server.fault(&format!("/dist/{HOST}/tcup-init"), Fault::Redirect(format!("/archive/0.0.9/{HOST}/tcup-init")));
    let scene = Scene::new();
    let path = tools_path(&scene.sb.dir.path().join("gnu-wget"), false, &["wget"]);
    let mut cmd = dev_init(&[&dash()], &scene.sb, &server, Some(&path), ARGS);
    let r = run(scene.env(&mut cmd, Some(&pem))).ok();
    assert!(r.stderr.contains("a development copy"), "{}", r.stderr);
    rustc_through_proxy(&scene.sb);
    assert!(server.log().iter().any(|l| l.path == format!("/archive/0.0.9/{HOST}/tcup-init") && l.user_agent.starts_with("Wget")));
    // Without a carried hash the .sha256 still guards against a truncated or corrupt download.
    std::fs::write(server.root().join("dist").join(HOST).join("tcup-init.sha256"), format!("{}  tcup-init\n", "0".repeat(64))).unwrap();
    server.clear_faults();
    let scene = Scene::new();
    let mut cmd = dev_init(&["dash"], &scene.sb, &server, None, ARGS);
    let r = run(scene.env(&mut cmd, Some(&pem))).fails(
        1,
        &[&format!(
            "checksum mismatch for {}/dist/{HOST}/tcup-init: expected {} (its .sha256, over verified TLS)",
            server.url,
            "0".repeat(64)
        )],
    );
    scene.nothing_ran_or_installed(&r);
}
