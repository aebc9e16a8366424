//! Issue 18: `tcup mirror sync` against loopback upstreams: two channels × two targets copied
//! byte for byte; a second sync transfers no archive byte; a new release fetches only its
//! archives and `--prune --keep` drops the old one; a sync killed mid-transfer leaves the old
//! tree consistent and the next run resumes and completes; rustup 1.29 and tcup (signature policy
//! `require`) install from the synced tree; `--self` copies a signed update root; a terminal
//! shows bars with a total.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use tcup::dist::manifest::Manifest;

use crate::support::dist::{DATE, Dist, sha};
use crate::support::server::{Fault, Server};
use crate::support::sign::{Algo, Gpg};
use crate::support::{HOST, Run, Sandbox, run, rustup, rustup_cmd};
use crate::trust::Signed;

/// The second target the mirror holds the standard library of.
fn other() -> &'static str {
    if HOST == "aarch64-unknown-linux-gnu" { "x86_64-unknown-linux-musl" } else { "aarch64-unknown-linux-gnu" }
}

/// Publishes the standard synthetic release as `channel` dated `date` under `root` (archives in
/// `dist/<date>/`, `salt` inside rustc so releases differ); returns the manifest text.
fn publish(root: &Path, channel: &str, date: &str, salt: &str) -> String {
    let scratch = tempfile::tempdir().unwrap();
    let mut d = Dist::standard(HOST);
    d.channel = channel.into();
    d.comp_mut("rustc").files.push(("share/doc/rustc/salt".into(), salt.as_bytes().to_vec(), 0o644));
    let text = d.write(scratch.path()).replace(DATE, date);
    let to = root.join("dist").join(date);
    std::fs::create_dir_all(&to).unwrap();
    for e in std::fs::read_dir(scratch.path().join("dist").join(DATE)).unwrap() {
        let e = e.unwrap();
        std::fs::rename(e.path(), to.join(e.file_name())).unwrap();
    }
    d.write_manifest(root, &text);
    text
}

/// `tcup mirror sync --out OUT --host HOST --target OTHER --profile complete ARGS` against `url`.
fn sync_cmd(sb: &Sandbox, url: &str, out: &Path, args: &[&str]) -> Command {
    let mut c = sb.tcup(url);
    c.args(["mirror", "sync", "--out"]).arg(out).args(["--host", HOST, "--target", other(), "--profile", "complete"]).args(args);
    c
}

fn sync(sb: &Sandbox, url: &str, out: &Path, args: &[&str]) -> Run {
    run(&mut sync_cmd(sb, url, out, args))
}

/// The summary line.
fn summary(r: &Run) -> String {
    r.stderr.lines().find(|l| l.contains("synced ")).unwrap_or_else(|| panic!("no summary line:\n{}", r.stderr)).to_owned()
}

/// Every channel manifest in `out` (`dist/channel-rust-*.toml` and `dist/<date>/…`).
fn manifests(out: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    let dist = out.join("dist");
    for e in std::fs::read_dir(&dist).unwrap() {
        let p = e.unwrap().path();
        let dirs = if p.is_dir() { std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()).collect() } else { vec![p] };
        v.extend(dirs.into_iter().filter(|f| {
            let n = f.file_name().unwrap().to_string_lossy();
            n.starts_with("channel-rust-") && n.ends_with(".toml")
        }));
    }
    v.sort();
    v
}

/// What is wrong with `out`: a manifest whose `.sha256` does not match, or an archive it names
/// (every one: the selection is the whole synthetic release; only the `.tar.gz` ones when
/// `gz_only`) missing or with other bytes.
fn problems_in(out: &Path, gz_only: bool) -> Vec<String> {
    let mut bad = Vec::new();
    let found = manifests(out);
    assert!(!found.is_empty(), "no manifest in {}", out.display());
    for m in found {
        let bytes = std::fs::read(&m).unwrap();
        let sha_file = std::fs::read_to_string(format!("{}.sha256", m.display())).unwrap_or_default();
        if !sha_file.starts_with(&sha(&bytes)) {
            bad.push(format!("{}: .sha256 does not match", m.display()));
        }
        let parsed = Manifest::parse(std::str::from_utf8(&bytes).unwrap()).unwrap();
        for tp in parsed.pkg.values().flat_map(|p| p.target.values()) {
            let all = [(&tp.url, &tp.hash), (&tp.xz_url, &tp.xz_hash), (&tp.zst_url, &tp.zst_hash)];
            for (url, hash) in all.into_iter().take(if gz_only { 1 } else { 3 }) {
                let (Some(url), Some(hash)) = (url, hash) else { continue };
                let rel = url.strip_prefix("https://static.rust-lang.org/").unwrap();
                match std::fs::read(out.join(rel)) {
                    Ok(data) if sha(&data) == *hash => {}
                    Ok(_) => bad.push(format!("{rel}: wrong bytes")),
                    Err(_) => bad.push(format!("{rel}: missing")),
                }
            }
        }
    }
    bad
}

fn problems(out: &Path) -> Vec<String> {
    problems_in(out, false)
}

#[test]
fn two_channels_and_two_targets_then_nothing_new_then_rustup_installs_from_the_tree() {
    let up = tempfile::tempdir().unwrap();
    let stable = publish(up.path(), "stable", "2026-04-16", "stable");
    let beta = publish(up.path(), "beta", "2026-04-20", "beta");
    let server = Server::http(up.path());
    let out = tempfile::tempdir().unwrap();
    let sb = Sandbox::new();
    let r = sync(&sb, &server.url, out.path(), &["--channel", "stable", "--channel", "beta"]).ok();
    // 8 packages each, all as .tar.gz, rustc also as .tar.xz and cargo as .tar.zst.
    let line = summary(&r);
    assert!(line.contains("20 archives (20 fetched"), "{line}");
    assert!(line.contains("new: stable 1.95.0 (2026-04-16), beta 1.95.0-beta.1 (2026-04-20)"), "{line}");
    assert!(r.stderr.contains("fetched rustc-1.95.0-"), "{}", r.stderr);
    for (channel, text, date) in [("stable", &stable, "2026-04-16"), ("beta", &beta, "2026-04-20")] {
        let name = format!("channel-rust-{channel}.toml");
        for rel in [format!("dist/{name}"), format!("dist/{date}/{name}")] {
            assert_eq!(std::fs::read_to_string(out.path().join(&rel)).unwrap(), *text, "{rel} byte for byte");
            let sha_file = std::fs::read(out.path().join(format!("{rel}.sha256"))).unwrap();
            assert_eq!(sha_file, std::fs::read(up.path().join(format!("dist/{name}.sha256"))).unwrap(), "{rel}.sha256 as served");
        }
    }
    assert_eq!(problems(out.path()), Vec::<String>::new());

    // Nothing new upstream: no archive and no manifest is downloaded again.
    let before = server.log().len();
    let r = sync(&sb, &server.url, out.path(), &["--channel", "stable", "--channel", "beta"]).ok();
    let line = summary(&r);
    assert!(line.contains("20 archives (0 fetched, 0 B downloaded; 20 already there), 0 files written"), "{line}");
    assert!(line.ends_with("nothing new upstream"), "{line}");
    assert_eq!(server.archives_since(before), Vec::<String>::new());
    let manifests_fetched: Vec<String> =
        server.log()[before..].iter().map(|l| l.path.clone()).filter(|p| Path::new(p).extension().is_some_and(|e| e == "toml")).collect();
    assert_eq!(manifests_fetched, Vec::<String>::new(), "only .sha256 and .asc are asked for");

    // rustup 1.29 installs both channels and the second target from the synced tree.
    let mirror = Server::http(out.path());
    let bin = rustup();
    let r_sb = Sandbox::new();
    for channel in ["stable", "beta"] {
        run(rustup_cmd(&bin, &r_sb, &mirror.url).args(["toolchain", "install", channel, "--profile", "minimal", "--no-self-update"])).ok();
        let v = run(rustup_cmd(&bin, &r_sb, &mirror.url).args(["run", channel, "rustc", "--version"])).ok();
        assert_eq!(v.stdout.trim(), "rustc 1.95.0 (synthetic)");
    }
    run(rustup_cmd(&bin, &r_sb, &mirror.url).args(["target", "add", other(), "--toolchain", "stable"])).ok();
    assert!(r_sb.toolchain(&format!("stable-{HOST}")).join(format!("lib/rustlib/{}/lib/libstd.rlib", other())).is_file());
    // A dated name resolves on the tree too (the dated copy).
    let t_sb = Sandbox::new();
    t_sb.run(&mirror.url, &["toolchain", "install", "stable-2026-04-16", "--profile", "minimal"]).ok();
    assert!(t_sb.toolchain(&format!("stable-2026-04-16-{HOST}")).join("bin/rustc").is_file());
}

#[test]
fn a_new_release_fetches_only_its_archives_and_prune_keeps_n() {
    let up = tempfile::tempdir().unwrap();
    publish(up.path(), "stable", "2026-04-16", "one");
    let server = Server::http(up.path());
    let out = tempfile::tempdir().unwrap();
    let sb = Sandbox::new();
    sync(&sb, &server.url, out.path(), &["--formats", "gz"]).ok();
    let before = server.log().len();
    publish(up.path(), "stable", "2026-04-17", "two");
    let r = sync(&sb, &server.url, out.path(), &["--formats", "gz"]).ok();
    assert!(r.stderr.contains("info: the tree leaves out the xz, zst archives the manifests list"), "{}", r.stderr);
    let line = summary(&r);
    assert!(line.contains("8 archives (8 fetched"), "{line}");
    assert!(line.contains("new: stable 1.95.0 (2026-04-17, was 2026-04-16)"), "{line}");
    let fetched = server.archives_since(before);
    assert_eq!(fetched.len(), 8, "{fetched:?}");
    assert!(fetched.iter().all(|p| p.starts_with("/dist/2026-04-17/") && p.ends_with(".tar.gz")), "{fetched:?}");
    // History: the old dated manifest still serves, with its archives.
    assert!(out.path().join("dist/2026-04-16/channel-rust-stable.toml").is_file());
    assert_eq!(problems_in(out.path(), true), Vec::<String>::new());
    let r = sync(&sb, &server.url, out.path(), &["--formats", "gz", "--prune", "--keep", "2"]).ok();
    assert!(summary(&r).contains(", 0 pruned"), "{}", summary(&r));
    let r = sync(&sb, &server.url, out.path(), &["--formats", "gz", "--prune", "--keep", "1"]).ok();
    // The old dated manifest, its .sha256, and its 8 archives.
    assert!(summary(&r).contains(", 10 pruned"), "{}", summary(&r));
    assert!(!out.path().join("dist/2026-04-16").exists());
    assert_eq!(problems_in(out.path(), true), Vec::<String>::new());
    assert_eq!(manifests(out.path()).len(), 2);
    // Bad arguments are usage errors naming the value.
    sync(&sb, &server.url, out.path(), &["--keep", "1"]).fails(2, &["--prune"]);
    sync(&sb, &server.url, out.path(), &["--prune", "--keep", "0"]).fails(2, &["--keep"]);
    sync(&sb, &server.url, out.path(), &["--channel", &format!("stable-{HOST}")]).fails(2, &["without a host triple"]);
    sync(&sb, &server.url, out.path(), &["--formats", "bz2"]).fails(2, &["'bz2'"]);
    let two = format!("http://127.0.0.1:9,{}", server.url);
    run(sync_cmd(&sb, &server.url, out.path(), &[]).env("TCUP_DIST_SERVERS", &two)).fails(2, &["TCUP_DIST_SERVERS lists 2"]);
}

#[test]
fn a_sync_killed_mid_transfer_leaves_the_old_tree_serving_and_the_next_run_resumes() {
    let up = tempfile::tempdir().unwrap();
    let old = publish(up.path(), "stable", "2026-04-16", "one");
    let server = Server::http(up.path());
    let out = tempfile::tempdir().unwrap();
    let sb = Sandbox::new();
    sync(&sb, &server.url, out.path(), &[]).ok();
    publish(up.path(), "stable", "2026-04-17", "two");
    let slow = format!("/dist/2026-04-17/rustc-1.95.0-{HOST}.tar.gz");
    // Several times the fetch's 64 KiB write buffer arrives, then nothing for two minutes.
    server.fault(&slow, Fault::Steps(vec![(270_000, Duration::from_mins(2))]));
    let mut child = sync_cmd(&sb, &server.url, out.path(), &[]).stderr(std::process::Stdio::null()).spawn().unwrap();
    let partial = out.path().join(".tcup-sync/partial");
    let deadline = Instant::now() + Duration::from_mins(1);
    let slow_partial = partial.join(sha(&std::fs::read(up.path().join(slow.trim_start_matches('/'))).unwrap()));
    let arrived = || std::fs::metadata(&slow_partial).is_ok_and(|m| m.len() >= 128 * 1024);
    while !arrived() {
        assert!(Instant::now() < deadline, "the slow archive never started arriving");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    // The old release is still what the tree serves, whole.
    assert_eq!(std::fs::read_to_string(out.path().join("dist/channel-rust-stable.toml")).unwrap(), old);
    assert!(!out.path().join("dist/2026-04-17/channel-rust-stable.toml").exists());
    assert!(!out.path().join(slow.trim_start_matches('/')).exists(), "a partial archive is never at its published path");
    assert_eq!(problems(out.path()), Vec::<String>::new());
    // The next run resumes the partial archive and completes.
    server.clear_faults();
    let before = server.log().len();
    let r = sync(&sb, &server.url, out.path(), &[]).ok();
    assert!(r.stderr.contains(&format!("resuming {}{slow} at byte", server.url)), "{}", r.stderr);
    assert!(server.log()[before..].iter().any(|l| l.path == slow && l.range.is_some()));
    assert!(summary(&r).contains("new: stable 1.95.0 (2026-04-17, was 2026-04-16)"), "{}", summary(&r));
    assert_ne!(std::fs::read_to_string(out.path().join("dist/channel-rust-stable.toml")).unwrap(), old);
    assert_eq!(problems(out.path()), Vec::<String>::new());
    assert_eq!(crate::support::list(&partial), Vec::<String>::new(), "nothing left in .tcup-sync/partial");
}

#[test]
fn a_synced_tree_keeps_the_signature_valid_and_tcup_installs_from_it_under_require() {
    let s = Signed::new(Algo::Default);
    let out = tempfile::tempdir().unwrap();
    let sb = Sandbox::new();
    let key = s.public.to_str().unwrap().to_owned();
    let signed = |sb: &Sandbox, url: &str| {
        let mut c = sync_cmd(sb, url, out.path(), &[]);
        c.env("TCUP_TRUSTED_KEYS", &key).env("TCUP_SIGNATURE_POLICY", "require");
        run(&mut c)
    };
    let r = signed(&sb, &s.server.url).ok();
    assert!(!r.stderr.contains("warning:"), "{}", r.stderr);
    let asc = out.path().join("dist/channel-rust-stable.toml.asc");
    assert_eq!(std::fs::read(&asc).unwrap(), std::fs::read(s.asc()).unwrap(), "the .asc as served");
    assert!(s.gpg.verifies(&asc, &out.path().join("dist/channel-rust-stable.toml")));
    let dated = out.path().join(format!("dist/{DATE}/channel-rust-stable.toml"));
    assert!(s.gpg.verifies(&PathBuf::from(format!("{}.asc", dated.display())), &dated));
    // tcup installs from the tree with signature checking required.
    let mirror = Server::http(out.path());
    let fresh = Sandbox::new();
    let r = run(fresh.tcup(&mirror.url).env("TCUP_TRUSTED_KEYS", &key).env("TCUP_SIGNATURE_POLICY", "require").args([
        "install",
        "stable",
        "--profile",
        "minimal",
    ]))
    .ok();
    assert!(!r.stderr.contains("warning:"), "{}", r.stderr);
    assert!(fresh.toolchain(&format!("stable-{HOST}")).join("bin/rustc").is_file());
    // A signature over other bytes upstream is refused, and the tree keeps what it had.
    let published = std::fs::read(out.path().join("dist/channel-rust-stable.toml")).unwrap();
    let text = std::fs::read_to_string(s.manifest()).unwrap() + "\n# changed\n";
    s.dist.write_manifest(s.root.path(), &text);
    signed(&Sandbox::new(), &s.server.url).fails(1, &["does not match"]);
    assert_eq!(std::fs::read(out.path().join("dist/channel-rust-stable.toml")).unwrap(), published);
    assert!(s.gpg.verifies(&asc, &out.path().join("dist/channel-rust-stable.toml")));
    // No signature at all under `require`: refused too.
    std::fs::remove_file(s.asc()).unwrap();
    signed(&Sandbox::new(), &s.server.url).fails(1, &["has no signature"]);
    assert_eq!(std::fs::read(out.path().join("dist/channel-rust-stable.toml")).unwrap(), published);
}

#[test]
fn self_copies_the_signed_update_root_and_refuses_an_unsigned_one() {
    const RELEASE: &str = "tcup Release (test) <release@tcup.test>";
    let keys = tempfile::tempdir().unwrap();
    let gpg = Gpg::new(keys.path());
    gpg.gen_key(RELEASE, Algo::Ed25519);
    let public = gpg.export_public(RELEASE, &keys.path().join("release.asc"));
    let up = tempfile::tempdir().unwrap();
    publish(up.path(), "stable", DATE, "one");
    let bin = up.path().join(format!("dist/{HOST}/tcup-init"));
    std::fs::create_dir_all(bin.parent().unwrap()).unwrap();
    std::fs::write(&bin, b"\x7fELF a tcup-init build").unwrap();
    std::fs::write(format!("{}.sha256", bin.display()), format!("{}  tcup-init\n", sha(b"\x7fELF a tcup-init build"))).unwrap();
    gpg.sign(RELEASE, &bin);
    let program = bin.with_file_name("tcup-proxy");
    std::fs::write(&program, b"\x7fELF a tcup-proxy build").unwrap();
    std::fs::write(format!("{}.sha256", program.display()), format!("{}  tcup-proxy\n", sha(b"\x7fELF a tcup-proxy build"))).unwrap();
    gpg.sign(RELEASE, &program);
    let server = Server::http(up.path());
    let out = tempfile::tempdir().unwrap();
    let sb = Sandbox::new();
    let with_self = |sb: &Sandbox| {
        let mut c = sync_cmd(sb, &server.url, out.path(), &["--self", "--formats", "gz"]);
        c.env("TCUP_UPDATE_ROOT", &server.url).env("TCUP_UPDATE_KEYS", &public);
        run(&mut c)
    };
    with_self(&sb).ok();
    let copied = out.path().join(format!("dist/{HOST}/tcup-init"));
    for (from, to) in [(&bin, copied.clone()), (&program, copied.with_file_name("tcup-proxy"))] {
        for suffix in ["", ".sha256", ".asc"] {
            let (a, b) = (format!("{}{suffix}", from.display()), format!("{}{suffix}", to.display()));
            assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap(), "{b} byte for byte");
        }
    }
    assert!(gpg.verifies(&PathBuf::from(format!("{}.asc", copied.display())), &copied));
    // The same tree prunes archives without touching the update root (dist/<triple>/ is no date).
    let mut c = sync_cmd(&sb, &server.url, out.path(), &["--formats", "gz", "--prune"]);
    run(&mut c).ok();
    assert!(copied.is_file());
    // An update root without signatures is refused: a binary tcup runs needs one.
    std::fs::remove_file(format!("{}.asc", program.display())).unwrap();
    with_self(&Sandbox::new()).fails(1, &["tcup-proxy.asc is not on the update root"]);
    std::fs::remove_file(format!("{}.asc", bin.display())).unwrap();
    with_self(&Sandbox::new()).fails(1, &["tcup-init.asc is not on the update root"]);
}

#[test]
fn on_a_terminal_the_sync_shows_bars_with_a_total_then_the_summary() {
    // rustc's .tar.xz drips (32 KiB every 40 ms), so its bar is drawn.
    let server = crate::terminal::slow_dist();
    let sb = Sandbox::new();
    let out = sb.dir.path().join("mirror");
    let args = ["mirror", "sync", "--out", out.to_str().unwrap(), "--host", HOST, "--profile", "minimal"];
    let raw = crate::terminal::on_pty(&sb, &server.url, 80, &args, &[("NO_COLOR", "1")]);
    assert!(raw.contains(&format!("rustc-1.95.0-{HOST}")) && raw.contains(" total ["), "a bar and the total: {raw:?}");
    assert!(raw.contains("components, "), "{raw:?}");
    assert!(raw.contains("info: synced stable into "), "{raw:?}");
    assert!(!raw.contains("panicked"), "{raw:?}");
    assert!(out.join(format!("dist/{DATE}/rustc-1.95.0-{HOST}.tar.xz")).is_file());
}

#[test]
fn with_format_json_the_sync_streams_valid_events_one_done_per_archive() {
    let up = tempfile::tempdir().unwrap();
    publish(up.path(), "stable", DATE, "one");
    let server = Server::http(up.path());
    let out = tempfile::tempdir().unwrap();
    let sb = Sandbox::new();
    let mut c = sb.tcup(&server.url);
    c.args(["--format", "json", "mirror", "sync", "--out"]).arg(out.path()).args(["--host", HOST, "--formats", "gz"]);
    let r = run(&mut c).ok();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schema/events.json");
    let schema = jsonschema::validator_for(&serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()).unwrap();
    let events: Vec<serde_json::Value> = r.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    for e in &events {
        let errors: Vec<String> = schema.iter_errors(e).map(|x| x.to_string()).collect();
        assert!(errors.is_empty(), "{e}: {errors:?}");
    }
    let planned = events.iter().find(|e| e["event"] == "manifest").unwrap()["components"].as_array().unwrap().len();
    // The default profile: rustc, cargo, rust-std, rust-docs, rustfmt, clippy, as .tar.gz.
    assert_eq!(planned, 6);
    assert_eq!(events.iter().filter(|e| e["event"] == "component_done").count(), planned);
    assert_eq!(events.last().unwrap()["event"], "done");
}

#[test]
fn a_second_sync_of_the_same_tree_waits_for_the_first() {
    let up = tempfile::tempdir().unwrap();
    publish(up.path(), "stable", DATE, "one");
    let server = Server::http(up.path());
    let slow = format!("/dist/{DATE}/rustc-1.95.0-{HOST}.tar.gz");
    server.fault(&slow, Fault::Drip(64 * 1024, Duration::from_millis(200)));
    let out = tempfile::tempdir().unwrap();
    let sb = Sandbox::new();
    let first = sync_cmd(&sb, &server.url, out.path(), &["--formats", "gz"]).stderr(std::process::Stdio::piped()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_mins(1);
    while !server.log().iter().any(|l| l.path == slow) {
        assert!(Instant::now() < deadline, "the first sync never asked for the slow archive");
        std::thread::sleep(Duration::from_millis(20));
    }
    let second = sync(&sb, &server.url, out.path(), &["--formats", "gz"]).ok();
    let first = first.wait_with_output().unwrap();
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    assert!(second.stderr.contains("waiting for another tcup mirror sync of"), "{}", second.stderr);
    // The second found the first's work done: nothing fetched twice.
    assert!(summary(&second).contains("(0 fetched"), "{}", summary(&second));
    assert_eq!(server.hits(".tar.gz"), 8, "each .tar.gz requested once");
}

/// An upstream that sends wrong bytes for an archive (issue 29: the install's handling, once):
/// the sync fails after one request for it, names the checksum mismatch and publishes nothing;
/// the wrong bytes are not kept to resume from, so the next sync (the upstream fixed) fetches
/// the archive whole, from byte 0.
#[test]
fn wrong_bytes_fail_the_sync_and_are_never_resumed() {
    let up = tempfile::tempdir().unwrap();
    let mut dist = Dist::standard(HOST);
    dist.write(up.path());
    let rel = format!("/{}.tar.gz", dist.comp_mut("cargo").rel());
    let good = std::fs::read(up.path().join(rel.trim_start_matches('/'))).unwrap();
    let mut tampered = good.clone();
    let n = tampered.len();
    tampered[n - 20] ^= 1;
    let gz = |sb: &Sandbox, url: &str, out: &Path| {
        let mut c = sb.tcup(url);
        c.args(["mirror", "sync", "--out"]).arg(out).args(["--host", HOST, "--profile", "minimal", "--formats", "gz"]);
        c
    };

    let a = Server::http(up.path());
    a.fault(&rel, Fault::Body(tampered.clone()));
    let (sb, out) = (Sandbox::new(), tempfile::tempdir().unwrap());
    let r = run(&mut gz(&sb, &a.url, out.path())).fails(1, &["checksum mismatch for", &format!("got {}", sha(&tampered))]);
    assert!(!r.stderr.contains("trying another dist server"), "{}", r.stderr);
    assert_eq!(a.hits(&rel), 1, "wrong bytes are not asked for again from the server that sent them");
    assert!(!out.path().join("dist/channel-rust-stable.toml").exists(), "nothing is published");
    assert!(!out.path().join(rel.trim_start_matches('/')).exists(), "no archive at its published path");

    let b = Server::http(up.path());
    run(&mut gz(&sb, &b.url, out.path())).ok();
    assert!(b.log().iter().filter(|l| l.path == rel).all(|l| l.range.is_none()), "the wrong bytes were resumed: {:?}", b.log());
    assert_eq!(std::fs::read(out.path().join(rel.trim_start_matches('/'))).unwrap(), good);
    let published = std::fs::read(out.path().join("dist/channel-rust-stable.toml")).unwrap();
    assert_eq!(published, std::fs::read(up.path().join("dist/channel-rust-stable.toml")).unwrap());
}
