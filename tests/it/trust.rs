//! Issue 17: signed channel manifests. Loopback mirrors signed with throwaway GnuPG keys made in
//! each test's own directory; what a user sees when a signature verifies, when it does not
//! (exit 1, nothing downloaded beyond the manifest, nothing installed), and the policy.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::dist::Dist;
use crate::support::server::Server;
use crate::support::sign::{Algo, Gpg};
use crate::support::{HOST, Run, Sandbox, Scenario, Served, run, served};

pub const OPERATOR: &str = "Mirror Operator <ops@mirror.test>";
const MALLORY: &str = "Mallory <mallory@evil.test>";

/// A dist tree signed by a key of its operator, served on loopback.
pub struct Signed {
    /// The dist tree.
    pub root: tempfile::TempDir,
    /// The release in it.
    pub dist: Dist,
    /// Serving `root`.
    pub server: Server,
    /// The operator's GnuPG (declared before `keys`: its agent is stopped before the directory
    /// holding its home is removed).
    pub gpg: Gpg,
    /// Key material (GnuPG home, exported keys).
    pub keys: tempfile::TempDir,
    /// The operator's exported public key.
    pub public: PathBuf,
}

impl Signed {
    /// A standard release signed by a fresh `algo` key.
    pub fn new(algo: Algo) -> Signed {
        let Served { server, dist, dir: root, .. } = served(Scenario::stable());
        let keys = tempfile::tempdir().unwrap();
        let gpg = Gpg::new(keys.path());
        gpg.gen_key(OPERATOR, algo);
        let public = gpg.export_public(OPERATOR, &keys.path().join("operator.asc"));
        let s = Signed { root, dist, server, gpg, keys, public };
        s.gpg.sign(OPERATOR, &s.manifest());
        s
    }

    /// The channel manifest on disk.
    pub fn manifest(&self) -> PathBuf {
        self.root.path().join("dist/channel-rust-stable.toml")
    }

    /// Its `.asc`.
    pub fn asc(&self) -> PathBuf {
        self.root.path().join("dist/channel-rust-stable.toml.asc")
    }

    /// The operator key's long key ID.
    pub fn key_id(&self) -> String {
        self.gpg.fingerprint(OPERATOR)[24..].to_owned()
    }

    /// `tcup` on `sb` against this server, trusting the operator's key.
    pub fn tcup(&self, sb: &Sandbox) -> Command {
        let mut c = sb.tcup(&self.server.url);
        c.env("TCUP_TRUSTED_KEYS", &self.public);
        c
    }
}

pub fn tc() -> String {
    format!("stable-{HOST}")
}

/// Exit 1 naming each of `needles`; nothing installed and no archive requested.
#[track_caller]
fn refused(r: Run, sb: &Sandbox, server: &Server, needles: &[&str]) {
    r.fails(1, needles);
    assert!(sb.toolchains().is_empty(), "nothing installed: {:?}", sb.toolchains());
    let fetched: Vec<String> = server.log().into_iter().map(|l| l.path).filter(|p| !p.contains("/dist/channel-rust-stable.toml")).collect();
    assert!(fetched.is_empty(), "nothing downloaded beyond the manifest: {fetched:?}");
}

#[test]
fn a_signed_mirror_installs_and_the_home_remembers_it() {
    let s = Signed::new(Algo::Default);
    let sb = Sandbox::new();
    let r = run(s.tcup(&sb).args(["-v", "toolchain", "install", "stable"])).ok();
    assert!(!r.stderr.contains("warning:"), "{}", r.stderr);
    assert!(r.stderr.contains(&format!("is signed by {OPERATOR} (key {}", s.key_id())), "{}", r.stderr);
    // The verified .asc is kept beside the installed manifest, byte for byte.
    let rustlib = sb.toolchain(&tc()).join("lib/rustlib");
    assert_eq!(std::fs::read(rustlib.join("multirust-channel-manifest.toml.asc")).unwrap(), std::fs::read(s.asc()).unwrap());
    assert!(s.gpg.verifies(&rustlib.join("multirust-channel-manifest.toml.asc"), &rustlib.join("multirust-channel-manifest.toml")));
    // Downgrade protection is recorded in tcup's own file, not settings.toml.
    let state = std::fs::read_to_string(sb.rustup_home.join("tcup.toml")).unwrap();
    assert!(state.contains("[signed-channels]") && state.contains(&format!("stable = {{ signer = \"{}\"", s.key_id())), "{state}");
    assert!(!std::fs::read_to_string(sb.rustup_home.join("settings.toml")).unwrap().contains("signed"));
}

#[test]
fn an_ed25519_key_from_gnupg_defaults_works_too() {
    let s = Signed::new(Algo::Ed25519);
    let sb = Sandbox::new();
    let r = run(s.tcup(&sb).args(["toolchain", "install", "stable"])).ok();
    assert!(!r.stderr.contains("warning:"), "{}", r.stderr);
    assert!(sb.toolchain(&tc()).join("lib/rustlib/multirust-channel-manifest.toml.asc").is_file());
}

#[test]
fn a_manifest_changed_after_signing_is_refused() {
    let s = Signed::new(Algo::Ed25519);
    // The attacker swaps a hash and recomputes the .sha256; the .asc stays as it was.
    let changed = std::fs::read_to_string(s.manifest()).unwrap().replacen("version = \"1.95.0 (synthetic", "version = \"1.95.0 (evil", 1);
    s.dist.write_manifest(s.root.path(), &changed);
    let sb = Sandbox::new();
    let r = run(s.tcup(&sb).args(["toolchain", "install", "stable"]));
    let id = s.key_id();
    refused(
        r,
        &sb,
        &s.server,
        &[
            "channel-rust-stable.toml.asc does not match",
            "changed after it was signed",
            &format!("trusted key {id}"),
            "keys trusted: 85AB96E6FA1BE5FE (the Rust release key, compiled in)",
        ],
    );
}

#[test]
fn a_signature_by_an_untrusted_key_is_refused() {
    let s = Signed::new(Algo::Ed25519);
    s.gpg.gen_key(MALLORY, Algo::Ed25519);
    s.gpg.sign(MALLORY, &s.manifest());
    let mallory = s.gpg.fingerprint(MALLORY)[24..].to_owned();
    let sb = Sandbox::new();
    let r = run(s.tcup(&sb).args(["toolchain", "install", "stable"]));
    let trusted = format!("keys trusted: 85AB96E6FA1BE5FE (the Rust release key, compiled in), {} ({})", s.key_id(), s.public.display());
    refused(r, &sb, &s.server, &[&format!("is signed by key {mallory}, which tcup does not trust"), &trusted]);
    // Without TCUP_TRUSTED_KEYS the operator's own signature is untrusted too.
    s.gpg.sign(OPERATOR, &s.manifest());
    let r = sb.run(&s.server.url, &["toolchain", "install", "stable"]);
    refused(r, &sb, &s.server, &[&format!("signed by key {}, which tcup does not trust", s.key_id())]);
}

#[test]
fn the_signature_of_another_manifest_is_refused() {
    let s = Signed::new(Algo::Default);
    let other = s.keys.path().join("channel-rust-beta.toml");
    std::fs::write(&other, std::fs::read_to_string(s.manifest()).unwrap().replace("1.95.0", "1.96.0")).unwrap();
    let asc = s.gpg.sign(OPERATOR, &other);
    std::fs::copy(asc, s.asc()).unwrap();
    let sb = Sandbox::new();
    let r = run(s.tcup(&sb).args(["toolchain", "install", "stable"]));
    refused(r, &sb, &s.server, &["does not match", "is over other bytes", &s.key_id()]);
}

#[test]
fn a_garbage_signature_is_refused() {
    let s = Signed::new(Algo::Ed25519);
    let sb = Sandbox::new();
    for garbage in ["<html>404 Not Found</html>", "-----BEGIN PGP SIGNATURE-----\n\nAAAA====\n-----END PGP SIGNATURE-----\n"] {
        std::fs::write(s.asc(), garbage).unwrap();
        let r = run(s.tcup(&sb).args(["toolchain", "install", "stable"]));
        refused(r, &sb, &s.server, &["channel-rust-stable.toml.asc is not a valid OpenPGP signature", "keys trusted: 85AB96E6FA1BE5FE"]);
    }
}

#[test]
fn require_refuses_an_unsigned_manifest_and_auto_warns_once() {
    let s = Signed::new(Algo::Ed25519);
    std::fs::remove_file(s.asc()).unwrap();
    let sb = Sandbox::new();
    let r = run(s.tcup(&sb).env("TCUP_SIGNATURE_POLICY", "require").args(["toolchain", "install", "stable"]));
    refused(r, &sb, &s.server, &["channel-rust-stable.toml has no signature", "the signature policy is require"]);
    // The same through `tcup set signature-policy`, stored in tcup.toml (never settings.toml).
    run(s.tcup(&sb).args(["set", "signature-policy", "require"])).ok();
    assert!(std::fs::read_to_string(sb.rustup_home.join("tcup.toml")).unwrap().contains("signature-policy = \"require\""));
    let r = run(s.tcup(&sb).args(["toolchain", "install", "stable"]));
    refused(r, &sb, &s.server, &["the signature policy is require"]);
    // The variable wins over the file; `auto` installs with one warning naming the manifest.
    let r = run(s.tcup(&sb).env("TCUP_SIGNATURE_POLICY", "auto").args(["toolchain", "install", "stable"])).ok();
    let warnings: Vec<&str> = r.stderr.lines().filter(|l| l.starts_with("warning:")).collect();
    assert_eq!(warnings, ["warning: channel-rust-stable.toml is not signed: no .asc on the dist server"], "{}", r.stderr);
    assert_eq!(sb.toolchains(), [tc()]);
    let bad = run(s.tcup(&sb).env("TCUP_SIGNATURE_POLICY", "off").args(["toolchain", "list"]));
    bad.fails(2, &["TCUP_SIGNATURE_POLICY=\"off\"", "auto or require"]);
}

/// Serves a copy of `s`'s tree with the `.asc` removed and the manifest changed (its `.sha256`
/// recomputed): what a mirror that strips signatures serves.
fn stripped(s: &Signed) -> (tempfile::TempDir, Server) {
    let root = tempfile::tempdir().unwrap();
    let status = Command::new("cp").arg("-a").arg(format!("{}/.", s.root.path().display())).arg(root.path()).status().unwrap();
    assert!(status.success());
    std::fs::remove_file(root.path().join("dist/channel-rust-stable.toml.asc")).unwrap();
    let text = std::fs::read_to_string(s.manifest()).unwrap().replacen("(synthetic", "(stripped", 1);
    s.dist.write_manifest(root.path(), &text);
    let server = Server::http(root.path());
    (root, server)
}

fn tree(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for rel in ["bin/rustc", "lib/rustlib/multirust-channel-manifest.toml", "lib/rustlib/multirust-channel-manifest.toml.asc"] {
        out.push((rel.to_owned(), std::fs::read(root.join(rel)).unwrap()));
    }
    out
}

#[test]
fn auto_refuses_an_unsigned_manifest_once_the_home_verified_a_signed_one() {
    let s = Signed::new(Algo::Ed25519);
    let sb = Sandbox::new();
    run(s.tcup(&sb).args(["toolchain", "install", "stable"])).ok();
    let before = tree(&sb.toolchain(&tc()));
    // The same server strips the .asc after first contact…
    std::fs::remove_file(s.asc()).unwrap();
    let text = std::fs::read_to_string(s.manifest()).unwrap().replacen("(synthetic", "(unsigned", 1);
    s.dist.write_manifest(s.root.path(), &text);
    let r = run(s.tcup(&sb).args(["update", "stable"]));
    let id = s.key_id();
    r.fails(
        1,
        &[
            "has no signature",
            &format!("verified a signed manifest for channel 'stable' or from this dist server before (signed by key {id})"),
        ],
    );
    assert_eq!(tree(&sb.toolchain(&tc())), before, "the installed toolchain is unchanged");
    // …and another server (a second mirror) cannot pass an unsigned one off either.
    s.gpg.sign(OPERATOR, &s.manifest());
    let (_root, other) = stripped(&s);
    let mut c = sb.tcup(&other.url);
    c.env("TCUP_TRUSTED_KEYS", &s.public);
    run(c.args(["update", "stable"])).fails(1, &["verified a signed manifest for channel 'stable' or from this dist server before"]);
    assert_eq!(tree(&sb.toolchain(&tc())), before);
    // A fresh home has seen nothing: `auto` installs the unsigned one with a warning.
    let fresh = Sandbox::new();
    let r = run(fresh.tcup(&other.url).args(["toolchain", "install", "stable"])).ok();
    assert!(r.stderr.contains("warning: channel-rust-stable.toml is not signed"), "{}", r.stderr);
}
