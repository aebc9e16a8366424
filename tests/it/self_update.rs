//! `tcup self update` against an update root on loopback: the installed tcup and its hard-linked
//! proxies are replaced by the published build; an up-to-date install says so; a checksum
//! mismatch is refused with the old binary intact; `TCUP_UPDATE_ROOT` wins over
//! `RUSTUP_UPDATE_ROOT`, which is honoured alone; a missing, bad or foreign `tcup-init.asc` is
//! refused (issue 17), the release key being a throwaway GnuPG key given in `TCUP_UPDATE_KEYS`.

use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Command;

use crate::support::dist::sha;
use crate::support::server::Server;
use crate::support::sign::{Algo, Gpg};
use crate::support::{HOST, Run, Sandbox, run};

const RELEASE: &str = "tcup Release (test) <release@tcup.test>";

/// A throwaway release key (GnuPG, in its own temporary directory).
struct Release {
    gpg: Gpg,
    public: String,
    // Dropped last: the agent is stopped before its home is removed.
    _dir: tempfile::TempDir,
}

fn release() -> Release {
    let dir = tempfile::tempdir().unwrap();
    let gpg = Gpg::new(dir.path());
    gpg.gen_key(RELEASE, Algo::Ed25519);
    let public = gpg.export_public(RELEASE, &dir.path().join("release.asc")).display().to_string();
    Release { gpg, public, _dir: dir }
}

impl Release {
    /// Signs the `tcup-init` published under `root` (writes `tcup-init.asc`).
    fn sign(&self, root: &Path) {
        self.gpg.sign(RELEASE, &published(root));
    }
}

/// `dist/<triple>/tcup-init` under `root`.
fn published(root: &Path) -> std::path::PathBuf {
    root.join("dist").join(tcup::ops::tcup::update_root::published_triple(HOST)).join("tcup-init")
}

/// A sandbox with tcup installed by `tcup init` (no toolchain, no PATH edits).
fn installed() -> Sandbox {
    let sb = Sandbox::new();
    sb.run("http://127.0.0.1:9", &["init", "-y", "--default-toolchain", "none", "--no-modify-path"]).ok();
    sb
}

/// Publishes `bin` as `dist/<triple>/tcup-init` with `sha` in its `.sha256`.
fn publish(root: &Path, bin: &[u8], sha: &str) {
    let dir = root.join("dist").join(tcup::ops::tcup::update_root::published_triple(HOST));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("tcup-init"), bin).unwrap();
    std::fs::write(dir.join("tcup-init.sha256"), format!("{sha}  tcup-init\n")).unwrap();
}

/// A different but working tcup: the binary under test with bytes appended (ELF ignores them).
fn newer_build() -> Vec<u8> {
    let mut bin = std::fs::read(env!("CARGO_BIN_EXE_tcup")).unwrap();
    bin.extend_from_slice(b"\0tcup self-update test build\0");
    bin
}

/// The installed `CARGO_HOME/bin/tcup self update` with the given update-root variables.
fn self_update(sb: &Sandbox, vars: &[(&str, &str)]) -> Run {
    installed_tcup(sb, &["self", "update"], vars)
}

/// The installed `CARGO_HOME/bin/tcup ARGS` in a cleared environment plus `vars`.
fn installed_tcup(sb: &Sandbox, args: &[&str], vars: &[(&str, &str)]) -> Run {
    let mut c = Command::new(sb.cargo_home.join("bin/tcup"));
    c.args(args)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", sb.dir.path())
        .env("RUSTUP_HOME", &sb.rustup_home)
        .env("CARGO_HOME", &sb.cargo_home)
        .envs(vars.iter().copied());
    run(&mut c)
}

fn bytes(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap()
}

#[test]
fn self_update_replaces_tcup_and_its_proxies_then_is_up_to_date() {
    let sb = installed();
    let bin = sb.cargo_home.join("bin");
    let root = tempfile::tempdir().unwrap();
    let new = newer_build();
    publish(root.path(), &new, &sha(&new));
    let rel = release();
    rel.sign(root.path());
    let server = Server::http(root.path());

    // RUSTUP_UPDATE_ROOT alone is honoured (rustup's meaning: the root above dist/).
    let r = self_update(&sb, &[("RUSTUP_UPDATE_ROOT", &server.url), ("TCUP_UPDATE_KEYS", &rel.public)]).ok();
    assert!(r.stderr.contains(&format!("tcup-init is signed by {RELEASE}")), "{}", r.stderr);
    assert!(r.stderr.contains(&format!("updated tcup and its proxies in {}", bin.display())), "{}", r.stderr);
    assert!(bytes(&bin.join("tcup")) == new, "tcup was not replaced by the published build");
    // The proxies were links to the proxy program, which this update root does not publish: an
    // old proxy program beside the new tcup could answer differently, so they run tcup now.
    assert!(links_to(&bin, "tcup"), "the proxies do not run the new tcup");
    assert!(!bin.join("tcup-proxy").exists(), "the old proxy program was left");
    assert!(!bin.join(".tcup.new").exists());
    // The new binary works as a proxy too.
    let v = run(Command::new(bin.join("tcup")).arg("--version")).ok();
    assert!(v.stdout.starts_with("tcup "), "{}", v.stdout);

    // TCUP_UPDATE_ROOT wins over a RUSTUP_UPDATE_ROOT that leads nowhere.
    let r = self_update(
        &sb,
        &[("TCUP_UPDATE_ROOT", &server.url), ("RUSTUP_UPDATE_ROOT", "http://127.0.0.1:9"), ("TCUP_UPDATE_KEYS", &rel.public)],
    )
    .ok();
    assert!(r.stderr.contains("tcup is up to date"), "{}", r.stderr);
    assert!(bytes(&bin.join("tcup")) == new);
}

/// Publishes `bin` as `dist/<triple>/tcup-proxy` with its `.sha256`, signed by `rel`.
fn publish_proxy_program(root: &Path, bin: &[u8], rel: &Release) {
    let dir = root.join("dist").join(tcup::ops::tcup::update_root::published_triple(HOST));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("tcup-proxy"), bin).unwrap();
    std::fs::write(dir.join("tcup-proxy.sha256"), format!("{}  tcup-proxy\n", sha(bin))).unwrap();
    rel.gpg.sign(RELEASE, &dir.join("tcup-proxy"));
}

/// Whether the proxies are hard links of `bin/<name>`.
fn links_to(bin: &Path, name: &str) -> bool {
    let ino = std::fs::metadata(bin.join(name)).unwrap().ino();
    ["cargo", "rustc", "rustdoc", "rust-analyzer"].iter().all(|p| std::fs::symlink_metadata(bin.join(p)).unwrap().ino() == ino)
}

#[test]
fn self_update_installs_the_published_proxy_program_and_moves_the_proxies_onto_it() {
    let sb = installed();
    let bin = sb.cargo_home.join("bin");
    assert!(links_to(&bin, "tcup-proxy"), "tcup init links the proxies to the proxy program beside it");
    // An install from before the proxy program: every proxy a hard link of tcup.
    std::fs::remove_file(bin.join("tcup-proxy")).unwrap();
    for p in tcup::ops::active::run_tool::PROXIES {
        std::fs::remove_file(bin.join(p)).unwrap();
        std::fs::hard_link(bin.join("tcup"), bin.join(p)).unwrap();
    }
    let root = tempfile::tempdir().unwrap();
    let tcup_now = bytes(&bin.join("tcup"));
    publish(root.path(), &tcup_now, &sha(&tcup_now));
    let rel = release();
    rel.sign(root.path());
    let mut program = bytes(Path::new(env!("CARGO_BIN_EXE_tcup-proxy")));
    program.extend_from_slice(b"\0tcup self-update test build\0");
    publish_proxy_program(root.path(), &program, &rel);
    let server = Server::http(root.path());
    let vars = [("TCUP_UPDATE_ROOT", server.url.as_str()), ("TCUP_UPDATE_KEYS", rel.public.as_str())];

    // tcup itself is the published build; the proxy program is new.
    let r = self_update(&sb, &vars).ok();
    assert!(r.stderr.contains(&format!("tcup-proxy is signed by {RELEASE}")), "{}", r.stderr);
    assert!(bytes(&bin.join("tcup-proxy")) == program, "tcup-proxy is not the published build");
    assert!(links_to(&bin, "tcup-proxy"), "the proxies still run tcup");
    assert!(!bin.join(".tcup-proxy.new").exists() && !bin.join(".rustc.new").exists());
    // Nor any other temporary file (the links are placed through `.<name>.<pid>.new`).
    let left: Vec<String> = std::fs::read_dir(&bin)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') && Path::new(n).extension().is_some_and(|e| e == "new"))
        .collect();
    assert!(left.is_empty(), "temporary files left in bin: {left:?}");
    // The new proxy program runs tools (here: says, through tcup, that none is chosen).
    run(Command::new(bin.join("rustc")).env_clear().env("RUSTUP_HOME", &sb.rustup_home).env("CARGO_HOME", &sb.cargo_home).arg("-V"))
        .fails(1, &["tcup could not choose a version of rustc to run"]);
    assert!(self_update(&sb, &vars).ok().stderr.contains("tcup is up to date"));

    // A proxy program without a valid signature is refused and nothing changes.
    let mut other = program.clone();
    other.push(0);
    publish_proxy_program(root.path(), &other, &rel);
    let asc = root.path().join("dist").join(tcup::ops::tcup::update_root::published_triple(HOST)).join("tcup-proxy.asc");
    std::fs::remove_file(&asc).unwrap();
    self_update(&sb, &vars).fails(1, &["tcup-proxy.asc is not on the update root", "only a tcup-proxy signed by a tcup release key"]);
    assert!(bytes(&bin.join("tcup-proxy")) == program && links_to(&bin, "tcup-proxy"));
    assert_eq!(server.hits("/tcup-proxy"), 1, "the unsigned proxy program was downloaded: {:?}", server.log());

    // A signed proxy program of another version, with a new tcup: tcup is updated, the proxy
    // program refused with a warning, and the proxies run the new tcup.
    let new = newer_build();
    publish(root.path(), &new, &sha(&new));
    rel.sign(root.path());
    let wrong = b"#!/bin/sh\necho tcup-proxy 0.0.1\n".to_vec();
    publish_proxy_program(root.path(), &wrong, &rel);
    let r = self_update(&sb, &vars).ok();
    assert!(r.stderr.contains("warning: tcup was updated but its proxy program was not"), "{}", r.stderr);
    assert!(r.stderr.contains("is tcup-proxy 0.0.1, not tcup-proxy"), "{}", r.stderr);
    assert!(bytes(&bin.join("tcup")) == new && links_to(&bin, "tcup") && !bin.join("tcup-proxy").exists());
    assert!(!bin.join(".tcup-proxy.new").exists());
}

#[test]
fn self_update_refuses_a_checksum_mismatch_and_keeps_the_old_binary() {
    let sb = installed();
    let bin = sb.cargo_home.join("bin");
    let before = bytes(&bin.join("tcup"));
    let proxy_before = bytes(&bin.join("cargo"));
    let root = tempfile::tempdir().unwrap();
    publish(root.path(), &newer_build(), &sha(b"something else"));
    let rel = release();
    rel.sign(root.path());
    let server = Server::http(root.path());

    self_update(&sb, &[("TCUP_UPDATE_ROOT", &server.url), ("TCUP_UPDATE_KEYS", &rel.public)])
        .fails(1, &["checksum mismatch", "tcup-init", &sha(b"something else")]);
    assert!(bytes(&bin.join("tcup")) == before, "the old tcup was changed");
    assert!(bytes(&bin.join("cargo")) == proxy_before, "a proxy was changed");
    assert!(!bin.join(".tcup.new").exists(), "the rejected download was left behind");
}

#[test]
fn self_update_refuses_a_build_that_does_not_run() {
    let sb = installed();
    let bin = sb.cargo_home.join("bin");
    let before = bytes(&bin.join("tcup"));
    let root = tempfile::tempdir().unwrap();
    let junk = b"#!/bin/sh\nexit 3\n".to_vec();
    publish(root.path(), &junk, &sha(&junk));
    let rel = release();
    rel.sign(root.path());
    let server = Server::http(root.path());

    self_update(&sb, &[("TCUP_UPDATE_ROOT", &server.url), ("TCUP_UPDATE_KEYS", &rel.public)]).fails(1, &["does not run on this machine"]);
    assert!(bytes(&bin.join("tcup")) == before);
    assert!(!bin.join(".tcup.new").exists());
}

#[test]
fn self_update_without_an_install_or_with_a_bad_root_says_why() {
    let sb = Sandbox::new();
    run(sb.tcup("http://127.0.0.1:9").args(["self", "update"]).env("TCUP_UPDATE_ROOT", "http://127.0.0.1:9"))
        .fails(1, &["tcup is not installed in"]);
    run(sb.tcup("http://127.0.0.1:9").args(["self", "update"]).env("RUSTUP_UPDATE_ROOT", "ftp://x")).fails(2, &["RUSTUP_UPDATE_ROOT"]);
}

#[test]
fn check_reports_a_tcup_update_with_rustups_exit_status() {
    let sb = installed();
    let root = tempfile::tempdir().unwrap();
    let new = newer_build();
    publish(root.path(), &new, &sha(&new));
    let rel = release();
    rel.sign(root.path());
    let server = Server::http(root.path());
    let vars = [("TCUP_UPDATE_ROOT", server.url.as_str()), ("RUSTUP_DIST_SERVER", "http://127.0.0.1:9"), ("TCUP_UPDATE_KEYS", &rel.public)];
    let version = env!("CARGO_PKG_VERSION");

    let r = installed_tcup(&sb, &["check"], &vars);
    assert_eq!(r.code, 100, "an update is available: exit 100, as `rustup check`\n{r:?}");
    assert_eq!(r.stdout, format!("tcup - update available: {version} -> the build published in {}/\n", server.url));
    let r = installed_tcup(&sb, &["check", "--no-self-update"], &vars).ok();
    assert_eq!(r.stdout, "");

    self_update(&sb, &vars).ok();
    let r = installed_tcup(&sb, &["check"], &vars).ok();
    assert_eq!(r.stdout, format!("tcup - up to date: {version}\n"));

    // An update root that cannot be reached is a warning: the toolchains were still checked.
    let r =
        installed_tcup(&sb, &["check"], &[("TCUP_UPDATE_ROOT", "http://127.0.0.1:9"), ("RUSTUP_DIST_SERVER", "http://127.0.0.1:9")]).ok();
    assert_eq!(r.stdout, "");
    assert_eq!(r.stderr, "warning: could not check for a tcup update (`tcup --verbose check` says why)\n");
    let r = installed_tcup(
        &sb,
        &["--verbose", "check"],
        &[("TCUP_UPDATE_ROOT", "http://127.0.0.1:9"), ("RUSTUP_DIST_SERVER", "http://127.0.0.1:9")],
    )
    .ok();
    assert!(r.stderr.contains("http://127.0.0.1:9/dist/") && r.stderr.to_lowercase().contains("refused"), "{}", r.stderr);
}

/// Issue 17: a binary tcup will execute is never accepted on a checksum alone.
#[test]
fn self_update_refuses_a_missing_bad_or_foreign_signature_and_keeps_the_old_binary() {
    let sb = installed();
    let bin = sb.cargo_home.join("bin");
    let before = bytes(&bin.join("tcup"));
    let proxy_before = bytes(&bin.join("cargo"));
    let root = tempfile::tempdir().unwrap();
    let new = newer_build();
    publish(root.path(), &new, &sha(&new));
    let rel = release();
    let server = Server::http(root.path());
    let asc = std::path::PathBuf::from(format!("{}.asc", published(root.path()).display()));
    let key_id = rel.gpg.fingerprint(RELEASE)[24..].to_owned();
    let vars = [("TCUP_UPDATE_ROOT", server.url.as_str()), ("TCUP_UPDATE_KEYS", rel.public.as_str())];
    let unchanged = |what: &str| {
        assert!(bytes(&bin.join("tcup")) == before, "{what}: the old tcup was changed");
        assert!(bytes(&bin.join("cargo")) == proxy_before, "{what}: a proxy was changed");
        assert!(!bin.join(".tcup.new").exists(), "{what}: the rejected download was left behind");
    };
    // Missing: refused before the binary is downloaded, under either policy.
    for policy in ["auto", "require"] {
        let mut v = vars.to_vec();
        v.push(("TCUP_SIGNATURE_POLICY", policy));
        self_update(&sb, &v).fails(1, &["tcup-init.asc is not on the update root", &format!("keys trusted: {key_id} (")]);
        unchanged("missing");
    }
    assert_eq!(server.hits("/tcup-init"), 0, "the unsigned binary was not downloaded: {:?}", server.log());
    // Garbage.
    std::fs::write(&asc, "-----BEGIN PGP SIGNATURE-----\n\nbm90IGEgc2lnbmF0dXJl\n-----END PGP SIGNATURE-----\n").unwrap();
    self_update(&sb, &vars).fails(1, &["tcup-init.asc is not a valid OpenPGP signature"]);
    unchanged("garbage");
    // Foreign: a good signature by a key tcup was not given.
    let other = release();
    other.sign(root.path());
    let foreign = other.gpg.fingerprint(RELEASE)[24..].to_owned();
    self_update(&sb, &vars).fails(1, &[&format!("signed by key {foreign}, which tcup does not trust")]);
    unchanged("foreign");
    // The release key's signature of another build.
    let elsewhere = root.path().join("other-build");
    std::fs::write(&elsewhere, b"another build").unwrap();
    std::fs::copy(rel.gpg.sign(RELEASE, &elsewhere), &asc).unwrap();
    self_update(&sb, &vars).fails(1, &["tcup-init.asc does not match", &format!("trusted key {key_id}")]);
    unchanged("another build's signature");
    // Signed by the release key but without TCUP_UPDATE_KEYS: no key of this build trusts it.
    rel.sign(root.path());
    self_update(&sb, &[("TCUP_UPDATE_ROOT", &server.url)]).fails(1, &["which tcup does not trust", "keys trusted: none"]);
    unchanged("no update keys");
    self_update(&sb, &vars).ok();
    assert!(bytes(&bin.join("tcup")) == new);
}

/// Issue 17: `tcup init` checks its own signature when the update root answers and warns, never
/// fails, when it cannot; a bad signature of the very build it is refuses the install.
#[test]
fn init_checks_its_own_signature_and_only_warns_when_it_cannot() {
    let root = tempfile::tempdir().unwrap();
    let me = bytes(Path::new(env!("CARGO_BIN_EXE_tcup")));
    publish(root.path(), &me, &sha(&me));
    let rel = release();
    rel.sign(root.path());
    let server = Server::http(root.path());
    let init = |sb: &Sandbox, vars: &[(&str, &str)]| {
        run(sb
            .tcup(crate::support::OFFLINE)
            .args(["init", "-y", "--default-toolchain", "none", "--no-modify-path"])
            .envs(vars.iter().copied()))
    };
    // Signed by a trusted release key: said so, installed.
    let sb = Sandbox::new();
    let r = init(&sb, &[("TCUP_UPDATE_ROOT", &server.url), ("TCUP_UPDATE_KEYS", &rel.public)]).ok();
    assert!(r.stderr.contains(&format!("this tcup-init is signed by {RELEASE}")), "{}", r.stderr);
    assert!(sb.cargo_home.join("bin/tcup").is_file());
    // Unreachable: one warning, installed anyway.
    let sb = Sandbox::new();
    let r = init(&sb, &[("TCUP_UPDATE_ROOT", crate::support::OFFLINE)]).ok();
    assert!(r.stderr.contains("warning: could not check this tcup-init's signature"), "{}", r.stderr);
    assert!(sb.cargo_home.join("bin/tcup").is_file());
    // The published build is this one and its signature is bad: refused, nothing installed.
    std::fs::write(format!("{}.asc", published(root.path()).display()), "not a signature").unwrap();
    let sb = Sandbox::new();
    init(&sb, &[("TCUP_UPDATE_ROOT", &server.url), ("TCUP_UPDATE_KEYS", &rel.public)])
        .fails(1, &["tcup-init.asc is not a valid OpenPGP signature"]);
    assert!(!sb.cargo_home.join("bin/tcup").exists(), "nothing installed");
    // Another build is published (a newer release): its signature says nothing about this one.
    let other = newer_build();
    publish(root.path(), &other, &sha(&other));
    rel.sign(root.path());
    let sb = Sandbox::new();
    let r = init(&sb, &[("TCUP_UPDATE_ROOT", &server.url), ("TCUP_UPDATE_KEYS", &rel.public)]).ok();
    assert!(r.stderr.contains("warning: this tcup-init is not the build the update root publishes"), "{}", r.stderr);
}

/// Issue 28.9: a `.tcup.new` link planted in `CARGO_HOME/bin` (by whoever can write there) never
/// receives the download: a refused update writes nothing there, and an accepted one unlinks the
/// link and creates its own file.
#[test]
fn a_planted_tcup_new_link_never_receives_the_download() {
    let sb = installed();
    let bin = sb.cargo_home.join("bin");
    let before = bytes(&bin.join("tcup"));
    let victim_dir = sb.dir.path().join("victim");
    std::fs::create_dir_all(&victim_dir).unwrap();
    let victim = victim_dir.join("precious");
    std::fs::write(&victim, b"the victim's own bytes\n").unwrap();
    std::os::unix::fs::symlink(&victim, bin.join(".tcup.new")).unwrap();
    let root = tempfile::tempdir().unwrap();
    let new = newer_build();
    publish(root.path(), &new, &sha(&new));
    let rel = release();
    // Signed by a key tcup was not given: refused after the download.
    let other = release();
    other.sign(root.path());
    let server = Server::http(root.path());
    let vars = [("TCUP_UPDATE_ROOT", server.url.as_str()), ("TCUP_UPDATE_KEYS", rel.public.as_str())];
    self_update(&sb, &vars).fails(1, &["which tcup does not trust"]);
    assert_eq!(server.hits("/tcup-init"), 1, "the refusal came after the download: {:?}", server.log());
    assert_eq!(bytes(&victim), b"the victim's own bytes\n", "the victim received the refused download");
    assert!(bytes(&bin.join("tcup")) == before, "the old tcup was changed");
    // Accepted: the planted link is replaced, not written through.
    rel.sign(root.path());
    self_update(&sb, &vars).ok();
    assert_eq!(bytes(&victim), b"the victim's own bytes\n", "the victim received the accepted download");
    assert!(bytes(&bin.join("tcup")) == new);
    assert!(std::fs::symlink_metadata(bin.join(".tcup.new")).is_err(), "nothing is left at .tcup.new");
}
