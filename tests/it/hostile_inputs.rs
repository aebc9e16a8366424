//! Issue 28, items 4, 5, 8 and 9: each test builds the hostile input itself (a dist server on
//! loopback whose manifest date climbs out of `--out`, a cloned project whose toolchain file
//! points into itself, credentials in the dist server and proxy variables, a redirect to
//! `file://`, a planted `.tcup.new` link, a held home lock) and asserts what the user sees: the
//! exit code, the message, and the files around the home unchanged.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use crate::support::dist::{DATE, Dist};
use crate::support::server::Server;
use crate::support::{HOST, Sandbox, Scenario, run, served};

/// Every file below `dir` (relative path → bytes; a link as `-> target`), to compare a victim
/// directory before and after.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(dir).unwrap().to_path_buf();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            if meta.is_symlink() {
                out.insert(rel, format!("-> {}", std::fs::read_link(&p).unwrap().display()).into_bytes());
            } else if meta.is_dir() {
                out.insert(rel, b"<dir>".to_vec());
                todo.push(p);
            } else {
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// A victim directory `name` beside the sandbox's homes, holding a file per name in `files`.
fn victim(sb: &Sandbox, name: &str, files: &[&str]) -> (PathBuf, BTreeMap<PathBuf, Vec<u8>>) {
    let dir = sb.dir.path().join(name);
    std::fs::create_dir_all(&dir).unwrap();
    for f in files {
        std::fs::write(dir.join(f), format!("the victim's own {f}\n")).unwrap();
    }
    let before = snapshot(&dir);
    (dir, before)
}

/// The standard release with `date = "<date>"` in its manifest (archives still at the real
/// dated paths), served from `root`.
fn release_dated(root: &Path, date: &str) {
    let d = Dist::standard(HOST);
    let text = d.write(root).replace(&format!("date = \"{DATE}\""), &format!("date = \"{date}\""));
    d.write_manifest(root, &text);
}

// Issue 28.4: `mirror sync` and `mirror pack` write only under --out.

#[test]
fn mirror_sync_refuses_a_manifest_date_that_leaves_out() {
    let root = tempfile::tempdir().unwrap();
    // Served one level down: the fixture writes its dated manifest at dist/../../victim, which
    // must stay inside this test's temporary directory.
    let tree = root.path().join("served");
    std::fs::create_dir_all(&tree).unwrap();
    release_dated(&tree, "../../victim");
    let server = Server::http(&tree);
    let sb = Sandbox::new();
    // What the date names from --out: the stale-.asc clean-up would delete the first file.
    let (victim, before) = victim(&sb, "victim", &["channel-rust-stable.toml.asc", "channel-rust-stable.toml"]);
    let out = sb.dir.path().join("out");
    let r = run(sb.tcup(&server.url).args(["mirror", "sync", "--out"]).arg(&out).args(["--host", HOST, "--profile", "minimal"]));
    r.fails(1, &["has date = \"../../victim\"; expected a release date YYYY-MM-DD", "channel-rust-stable.toml"]);
    assert_eq!(snapshot(&victim), before, "the victim directory beside --out is unchanged");
    assert!(!out.join("dist").exists(), "nothing was published: {:?}", snapshot(&out));
    assert!(server.log().iter().all(|l| !l.path.contains("victim")), "the date was never requested as a path");
}

#[test]
fn mirror_pack_refuses_an_installed_manifest_date_that_leaves_out() {
    let server = served(Scenario::stable());
    let sb = Sandbox::new();
    sb.run(&server.url, &["toolchain", "install", "stable", "--profile", "minimal"]).ok();
    let tc = sb.toolchain(&format!("stable-{HOST}"));
    // A tampered toolchain: its installed manifest's date climbs out of --out.
    let file = tc.join("lib/rustlib/multirust-channel-manifest.toml");
    let text = std::fs::read_to_string(&file).unwrap().replace(&format!("date = \"{DATE}\""), "date = \"../../victim\"");
    std::fs::write(&file, text).unwrap();
    let (victim, before) = victim(&sb, "victim", &["channel-rust-stable.toml", "channel-rust-stable.toml.asc"]);
    let out = sb.dir.path().join("out");
    let r = run(sb.tcup(&server.url).args(["mirror", "pack", "--toolchain"]).arg(&tc).arg("--out").arg(&out));
    r.fails(1, &["has date = \"../../victim\"; expected a release date YYYY-MM-DD", "multirust-channel-manifest.toml"]);
    assert_eq!(snapshot(&victim), before, "the victim directory beside --out is unchanged");
    assert!(!out.exists() || snapshot(&out).is_empty(), "nothing was packed: {:?}", snapshot(&out));
}

// Issue 28.5: a cloned repository cannot run its own binary.

/// A project with `.evil/bin/cargo`, a script that leaves `marker` when it runs.
fn evil_project(sb: &Sandbox) -> (PathBuf, PathBuf) {
    let proj = std::fs::canonicalize(sb.dir.path()).unwrap().join("cloned");
    let bin = proj.join(".evil/bin");
    std::fs::create_dir_all(&bin).unwrap();
    let marker = sb.dir.path().join("marker");
    std::fs::write(bin.join("cargo"), format!("#!/bin/sh\ntouch '{}'\necho evil cargo\n", marker.display())).unwrap();
    std::fs::set_permissions(bin.join("cargo"), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::create_dir_all(proj.join(".evil/lib")).unwrap();
    (proj, marker)
}

/// The proxies linked into `CARGO_HOME/bin`, as `tcup-init` does.
fn proxy_bin(sb: &Sandbox) -> PathBuf {
    let bin = sb.cargo_home.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for tool in ["cargo", "rustc"] {
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_tcup-proxy"), bin.join(tool)).unwrap();
    }
    bin
}

#[test]
fn a_relative_toolchain_path_is_refused_and_the_repository_binary_never_runs() {
    let sb = Sandbox::new();
    let bin = proxy_bin(&sb);
    let (proj, marker) = evil_project(&sb);
    let file = proj.join("rust-toolchain.toml");
    // rustup 1.29's two wordings: "invalid" for one segment, "relative" otherwise.
    for (rel, word) in [(".evil", "invalid"), ("./.evil", "relative")] {
        std::fs::write(&file, format!("[toolchain]\npath = \"{rel}\"\n")).unwrap();
        let wanted = format!("could not parse override file: '{}': {word} path toolchain '{rel}'", file.display());
        run(sb.command(bin.join("cargo")).current_dir(&proj).arg("--version")).fails(2, &[&wanted]);
        assert!(!marker.exists(), "the repository's .evil/bin/cargo ran");
        run(sb.tcup(crate::support::OFFLINE).current_dir(&proj).args(["show", "active-toolchain"])).fails(2, &[&wanted]);
        assert!(!marker.exists(), "the repository's .evil/bin/cargo ran");
    }
    // rustup refuses it too, with the same words.
    let r = run(crate::support::rustup_cmd(&crate::support::rustup(), &sb, crate::support::OFFLINE)
        .current_dir(&proj)
        .args(["show", "active-toolchain"]));
    assert!(r.code == 1 && r.stderr.contains("relative path toolchain './.evil'"), "{}", r.stderr);
    // An absolute path is rustup's documented behaviour and still works (which also shows the
    // marker would have caught a run).
    std::fs::write(&file, format!("[toolchain]\npath = \"{}\"\n", proj.join(".evil").display())).unwrap();
    let r = run(sb.command(bin.join("cargo")).current_dir(&proj).arg("--version")).ok();
    assert_eq!(r.stdout, "evil cargo\n");
    assert!(marker.exists());
}

// Issue 28.8: secrets stay out of output.

/// Asserts that `secret` appears nowhere in `r`'s output and the mask `***` does.
#[track_caller]
fn masked(what: &str, r: &crate::support::Run) {
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(!all.contains("secret"), "{what}: the password is printed:\n{all}");
    assert!(all.contains("***@"), "{what}: no masked URL in the output:\n{all}");
}

#[test]
fn credentials_in_the_dist_server_and_proxies_are_masked_everywhere() {
    // A dist server that has nothing: every install fails naming the manifest's URL.
    let empty = tempfile::tempdir().unwrap();
    let server = Server::http(empty.path());
    let dist = format!("http://user:secret@127.0.0.1:{}", server.port);
    let sb = Sandbox::new();
    let r = sb.run(&dist, &["toolchain", "install", "stable"]);
    assert_eq!(r.code, 1, "{r:?}");
    masked("install error", &r);
    let r = sb.run(&dist, &["--format", "json", "toolchain", "install", "stable"]);
    assert_eq!(r.code, 1, "{r:?}");
    masked("install error, --format json", &r);
    for args in [&["doctor"][..], &["--format", "json", "doctor"]] {
        let r = sb.run(&dist, args);
        masked(&format!("tcup {args:?}"), &r);
    }
    // A proxy with credentials where nothing listens: the failure names it masked.
    let r = run(sb.tcup(&server.url).env("http_proxy", "http://user:secret@127.0.0.1:9").args(["toolchain", "install", "stable"]));
    assert_eq!(r.code, 1, "{r:?}");
    assert!(!format!("{}{}", r.stdout, r.stderr).contains("secret"), "{r:?}");
    // A rejected proxy value: the configuration error, in text and JSON, and a proxy call's warning.
    let socks = "socks5://user:secret@127.0.0.1:1080";
    let r = run(sb.tcup(&server.url).env("all_proxy", socks).args(["toolchain", "install", "stable"]));
    let r = r.fails(2, &["environment variable all_proxy=\"socks5://***@127.0.0.1:1080\" is not valid"]);
    masked("rejected proxy", &r);
    let r = run(sb.tcup(&server.url).env("all_proxy", socks).args(["--format", "json", "toolchain", "install", "stable"]));
    assert_eq!(r.code, 2, "{r:?}");
    masked("rejected proxy, --format json", &r);
    let bin = proxy_bin(&sb);
    let r = run(sb.command(bin.join("cargo")).env("all_proxy", socks).arg("--version"));
    assert!(r.stderr.contains("warning: environment variable all_proxy="), "{r:?}");
    masked("a proxy call's warning", &r);
    let r = run(sb.tcup(&server.url).env("all_proxy", "user:secret@proxy:x").args(["toolchain", "install", "stable"]));
    r.fails(2, &["all_proxy=\"***@proxy:x\""]);
}

// Issue 28.9: an http server cannot redirect a backend to a local file.

#[test]
fn a_redirect_to_a_local_file_is_refused_by_every_backend() {
    let server = served(Scenario::stable());
    let rustc = server.archive("rustc", "xz");
    server.fault(&rustc, crate::support::server::Fault::Redirect("file:///etc/passwd".into()));
    for backend in ["curl", "rustls", "native-tls"] {
        let sb = Sandbox::new();
        let r = sb.run(&server.url, &["--backends", backend, "toolchain", "install", "stable", "--profile", "minimal"]);
        let r = r.fails(
            1,
            &[&format!("refusing redirect from {}{rustc} to file:///etc/passwd: only http:// and https:// are followed", server.url)],
        );
        assert!(!r.stderr.contains("checksum mismatch") && !r.stderr.contains("root:"), "{backend}: the file was read:\n{}", r.stderr);
        assert!(sb.toolchains().is_empty(), "{backend}: nothing installed");
    }
}

// Issue 28.9: `tcup set` and `tcup check` rewrite home files only under the home's writer lock.

#[test]
fn set_and_check_wait_for_the_home_lock() {
    use std::io::Read as _;
    let sb = Sandbox::new();
    std::fs::create_dir_all(&sb.rustup_home).unwrap();
    // Another writer: this test holds RUSTUP_HOME/tcup.lock as an install would.
    let holder = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(sb.rustup_home.join("tcup.lock")).unwrap();
    holder.lock().unwrap();
    let toml = sb.rustup_home.join("tcup.toml");
    for args in [&["set", "signature-policy", "require"][..], &["check"]] {
        let before = std::fs::read(&toml).ok();
        let mut child = sb
            .tcup(crate::support::OFFLINE)
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1500));
        assert!(child.try_wait().unwrap().is_none(), "tcup {args:?} did not wait for the lock");
        assert_eq!(std::fs::read(&toml).ok(), before, "tcup {args:?} wrote tcup.toml while another writer held the lock");
        // Released: it goes on.
        holder.unlock().unwrap();
        let status = child.wait().unwrap();
        let mut stderr = String::new();
        child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
        assert!(stderr.contains("waiting for another tcup to finish with this RUSTUP_HOME"), "{args:?}: {stderr}");
        assert!(status.success(), "{args:?}: {status}\n{stderr}");
        holder.lock().unwrap();
    }
    assert_eq!(std::fs::read_to_string(&toml).unwrap(), "signature-policy = \"require\"\n");
}
