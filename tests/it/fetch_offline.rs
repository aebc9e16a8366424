//! `tcup fetch` and `--offline` / `TCUP_OFFLINE=1` (issue 31; docs/offline.md): fetch puts the
//! verified manifest and archives into `downloads/` and installs nothing; an offline install
//! reads only them (or a `file://` dist server), sends no request at all, names each missing
//! archive with the command that fetches it, and checks what it reads as any install does.

use std::path::{Path, PathBuf};

use crate::support::dist::sha;
use crate::support::{HOST, OFFLINE, Run, Sandbox, Scenario, Served, list, run, served};

const MINIMAL: [&str; 3] = ["stable", "--profile", "minimal"];

/// `tcup ARGS` against `dist` with `extra` variables, in `cwd` when given.
fn tcup(sb: &Sandbox, dist: &str, cwd: Option<&Path>, extra: &[(&str, &str)], args: &[&str]) -> Run {
    let mut c = sb.tcup(dist);
    if let Some(d) = cwd {
        c.current_dir(d);
    }
    for (k, v) in extra {
        c.env(k, v);
    }
    run(c.args(args))
}

/// The SHA-256s of `pkg`'s archives the server holds, in any format.
fn hashes_of(server: &Served, pkg: &str) -> Vec<String> {
    ["gz", "xz", "zst"]
        .iter()
        .filter(|ext| server.root().join(server.archive(pkg, ext).trim_start_matches('/')).is_file())
        .map(|ext| sha(&server.archive_bytes(pkg, ext)))
        .collect()
}

/// The archive files (64 hex digits) in `downloads/`.
fn archives_in(sb: &Sandbox) -> Vec<String> {
    list(&sb.rustup_home.join("downloads")).into_iter().filter(|n| n.len() == 64).collect()
}

fn stored(sb: &Sandbox, rel: &str) -> PathBuf {
    sb.rustup_home.join("downloads/manifests").join(rel)
}

fn rustc_version(sb: &Sandbox, toolchain: &str) -> String {
    run(std::process::Command::new(sb.toolchain(toolchain).join("bin/rustc")).arg("--version")).ok().stdout
}

#[test]
fn fetch_then_an_offline_install_with_the_server_stopped_runs_rustc() {
    let server = served(Scenario::stable());
    let sb = Sandbox::new();
    let r = tcup(&sb, &server.url, None, &[], &[&["fetch"][..], &MINIMAL].concat()).ok();
    assert!(r.stderr.contains("fetched 3 archives ("), "{}", r.stderr);
    assert!(r.stderr.contains(&format!("into {}", sb.rustup_home.join("downloads").display())), "{}", r.stderr);
    assert!(sb.toolchains().is_empty(), "fetch installs nothing");
    assert_eq!(archives_in(&sb).len(), 3, "rustc, rust-std and cargo, each under its SHA-256");
    let manifest = stored(&sb, "dist/channel-rust-stable.toml");
    assert_eq!(std::fs::read(&manifest).unwrap(), std::fs::read(server.root().join("dist/channel-rust-stable.toml")).unwrap());
    let sums = std::fs::read_to_string(stored(&sb, "dist/channel-rust-stable.toml.sha256")).unwrap();
    assert!(sums.starts_with(&sha(&std::fs::read(&manifest).unwrap())), "{sums}");

    // Again: nothing downloaded but the manifest's files.
    let before = server.log().len();
    let again = tcup(&sb, &server.url, None, &[], &[&["fetch"][..], &MINIMAL].concat()).ok();
    assert!(
        again.stderr.contains("fetched 0 archives (0.0 MiB, 0 bytes)") && again.stderr.contains("; 3 already in downloads/"),
        "{}",
        again.stderr
    );
    assert_eq!(server.archives_since(before), Vec::<String>::new());
    // A damaged one is fetched again, the others kept.
    let damaged = archives_in(&sb)[0].clone();
    std::fs::write(sb.rustup_home.join("downloads").join(&damaged), b"damaged").unwrap();
    let third = tcup(&sb, &server.url, None, &[], &[&["fetch"][..], &MINIMAL].concat()).ok();
    assert!(third.stderr.contains("does not have its SHA-256 any more; downloading it again"), "{}", third.stderr);
    assert!(third.stderr.contains("fetched 1 archive (") && third.stderr.contains("; 2 already in downloads/"), "{}", third.stderr);
    assert_eq!(sha(&std::fs::read(sb.rustup_home.join("downloads").join(&damaged)).unwrap()), damaged);

    drop(server);
    let installed = tcup(&sb, OFFLINE, None, &[], &[&["--offline", "toolchain", "install"][..], &MINIMAL].concat()).ok();
    assert!(installed.stderr.contains(&format!("toolchain 'stable-{HOST}' installed")), "{}", installed.stderr);
    assert_eq!(rustc_version(&sb, &format!("stable-{HOST}")), "rustc 1.95.0 (synthetic)\n");
    assert!(archives_in(&sb).is_empty(), "an install removes the archives it installed, fetched or not (as rustup)");
    assert!(manifest.is_file(), "the stored manifest stays for the next offline install");
}

#[test]
fn an_offline_install_lacking_an_archive_names_it_and_the_fetch_command_and_installs_nothing() {
    let server = served(Scenario::stable());
    let sb = Sandbox::new();
    tcup(&sb, &server.url, None, &[], &[&["fetch"][..], &MINIMAL].concat()).ok();
    let downloads = sb.rustup_home.join("downloads");
    for h in hashes_of(&server, "cargo").iter().chain(&hashes_of(&server, "rust-std")) {
        let _ = std::fs::remove_file(downloads.join(h));
    }
    assert_eq!(archives_in(&sb).len(), 1, "rustc's is left");
    let before = server.log().len();
    let r = tcup(&sb, &server.url, None, &[("TCUP_OFFLINE", "1")], &[&["toolchain", "install"][..], &MINIMAL].concat());
    r.fails(
        1,
        &[
            &format!("offline: 2 archives are not in {}: ", downloads.display()),
            &format!("cargo-{HOST} (cargo-1.95.0-{HOST}.tar."),
            &format!("rust-std-{HOST} (rust-std-1.95.0-{HOST}.tar."),
            "`tcup fetch stable --profile minimal` fetches them (run it online)",
        ],
    );
    assert_eq!(server.log().len(), before, "no request");
    assert!(sb.toolchains().is_empty() && sb.tmp_entries().is_empty(), "nothing installed, nothing staged");
    assert_eq!(archives_in(&sb).len(), 1, "what was there stays");
}

#[test]
fn offline_sends_no_request_even_where_it_fails() {
    let server = served(Scenario::stable());
    let sb = Sandbox::new();
    let off = [("TCUP_OFFLINE", "1")];
    let install = tcup(&sb, &server.url, None, &off, &[&["toolchain", "install"][..], &MINIMAL].concat());
    let stored = stored(&sb, "dist/channel-rust-stable.toml");
    install.fails(
        1,
        &[
            &format!("offline: no channel manifest for 'stable' was stored by `tcup fetch` (no {})", stored.display()),
            "run `tcup fetch stable --profile minimal` while online",
        ],
    );
    let fetch = tcup(&sb, &server.url, None, &off, &[&["fetch"][..], &MINIMAL].concat());
    fetch.fails(1, &["not downloaded, tcup is offline (--offline or TCUP_OFFLINE=1 allows only file:// URLs)"]);
    tcup(&sb, &server.url, None, &off, &["check", "--no-self-update"]).ok();
    let doctor = tcup(&sb, &server.url, None, &off, &["doctor"]);
    assert_ne!(doctor.code, 0, "{doctor:?}");
    assert!(server.log().is_empty(), "TCUP_OFFLINE=1 sent: {:?}", server.log().iter().map(|l| &l.path).collect::<Vec<_>>());
    assert!(sb.toolchains().is_empty());
    let bad = tcup(&sb, &server.url, None, &[("TCUP_OFFLINE", "yes")], &["fetch", "stable"]);
    bad.fails(2, &["TCUP_OFFLINE=\"yes\"", "0 or 1"]);
}

#[test]
fn fetch_follows_the_lock_and_the_offline_install_checks_against_it() {
    let server = served(Scenario::stable());
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(project.join("rust-toolchain.toml"), "[toolchain]\nchannel = \"stable\"\nprofile = \"minimal\"\n").unwrap();
    tcup(&Sandbox::new(), &server.url, Some(&project), &[], &["lock"]).ok();
    let lock = std::fs::read_to_string(project.join("rust-toolchain.lock")).unwrap();
    let rel = lock.lines().find_map(|l| l.strip_prefix("manifest = \"")).unwrap().trim_end_matches('"').to_owned();

    let sb = Sandbox::new();
    let r = tcup(&sb, &server.url, Some(&project), &[], &["fetch"]).ok();
    assert!(r.stderr.contains(&format!("fetching '1.95.0-{HOST}'")), "{}", r.stderr);
    assert!(stored(&sb, &rel).is_file(), "the lock's dated manifest is stored at its path");
    let before = server.log().len();
    let off = [("TCUP_OFFLINE", "1")];
    // The rustc proxy installs the locked toolchain on first use, offline.
    let ran = crate::lock_install::rustc_in(&sb, &server.url, &project, &off);
    assert_eq!(ran.code, 0, "{ran:?}");
    assert_eq!(ran.stdout, "rustc 1.95.0 (synthetic)\n");
    assert_eq!(server.log().len(), before, "no request");
    assert_eq!(sb.toolchains(), [format!("1.95.0-{HOST}")]);

    // A stored manifest that is not the locked one (its .sha256 made to match) is refused.
    tcup(&sb, &server.url, Some(&project), &[], &["fetch"]).ok();
    let text = std::fs::read_to_string(stored(&sb, &rel)).unwrap() + "\n# changed\n";
    std::fs::write(stored(&sb, &rel), &text).unwrap();
    std::fs::write(stored(&sb, &format!("{rel}.sha256")), format!("{}  x\n", sha(text.as_bytes()))).unwrap();
    std::fs::remove_dir_all(sb.toolchain(&format!("1.95.0-{HOST}"))).unwrap();
    let before = server.log().len();
    let refused = tcup(&sb, &server.url, Some(&project), &off, &["toolchain", "install"]);
    refused.fails(1, &["checksum mismatch", "locks is not on the dist server as locked"]);
    assert_eq!(server.log().len(), before, "no request");
    assert!(sb.toolchains().is_empty());
}

#[test]
fn a_tampered_download_or_manifest_is_refused_offline() {
    let server = served(Scenario::stable());
    let sb = Sandbox::new();
    tcup(&sb, &server.url, None, &[], &[&["fetch"][..], &MINIMAL].concat()).ok();
    let downloads = sb.rustup_home.join("downloads");
    let rustc = hashes_of(&server, "rustc").into_iter().find(|h| downloads.join(h).is_file()).unwrap();
    std::fs::write(downloads.join(&rustc), b"not rustc").unwrap();
    let install = [&["--offline", "toolchain", "install"][..], &MINIMAL].concat();
    let r = tcup(&sb, OFFLINE, None, &[], &install);
    r.fails(1, &["is corrupt; downloading it again", "not downloaded, tcup is offline"]);
    assert!(sb.toolchains().is_empty() && sb.tmp_entries().is_empty());
    assert!(!downloads.join(&rustc).exists(), "the corrupt file is deleted");

    tcup(&sb, &server.url, None, &[], &[&["fetch"][..], &MINIMAL].concat()).ok();
    let manifest = stored(&sb, "dist/channel-rust-stable.toml");
    let text = std::fs::read_to_string(&manifest).unwrap().replace("1.95.0", "1.95.9");
    std::fs::write(&manifest, text).unwrap();
    tcup(&sb, OFFLINE, None, &[], &install)
        .fails(1, &["checksum mismatch for file://", "no usable channel manifest for toolchain 'stable'"]);
    assert!(sb.toolchains().is_empty());
}

#[test]
fn an_offline_update_takes_the_release_fetch_stored() {
    let server = served(Scenario::stable());
    let sb = Sandbox::new();
    tcup(&sb, &server.url, None, &[], &[&["toolchain", "install"][..], &MINIMAL].concat()).ok();
    crate::lock_install::publish_newer_stable(server.root());
    tcup(&sb, &server.url, None, &[], &[&["fetch"][..], &MINIMAL].concat()).ok();
    let new_dir = server.root().join("dist/2026-05-28");
    let rustc: Vec<String> = list(&new_dir)
        .iter()
        .filter(|n| n.starts_with("rustc-") && !n.ends_with(".sha256"))
        .map(|n| sha(&std::fs::read(new_dir.join(n)).unwrap()))
        .collect();
    let downloads = sb.rustup_home.join("downloads");
    let fetched: Vec<String> = rustc.iter().filter(|h| downloads.join(h).is_file()).cloned().collect();
    assert_eq!(fetched.len(), 1, "the new rustc is in downloads/");
    let before = server.log().len();

    std::fs::rename(downloads.join(&fetched[0]), sb.dir.path().join("rustc")).unwrap();
    let toolchain = format!("stable-{HOST}");
    let lacking = tcup(&sb, &server.url, None, &[("TCUP_OFFLINE", "1")], &["update", "--no-self-update"]);
    lacking.fails(
        1,
        &[
            &format!("offline: 1 archive is not in {}: rustc-{HOST} (rustc-", downloads.display()),
            &format!("`tcup fetch {toolchain} --profile minimal -c rustc"),
        ],
    );
    assert_eq!(rustc_version(&sb, &toolchain), "rustc 1.95.0 (synthetic)\n", "unchanged");

    std::fs::rename(sb.dir.path().join("rustc"), downloads.join(&fetched[0])).unwrap();
    let r = tcup(&sb, &server.url, None, &[("TCUP_OFFLINE", "1")], &["update", "--no-self-update"]).ok();
    assert!(r.stdout.contains(&format!("{toolchain} updated - rustc 1.96.0")), "{r:?}");
    assert_eq!(rustc_version(&sb, &toolchain), "rustc 1.96.0 (synthetic)\n");
    assert_eq!(server.log().len(), before, "no request");
}
