//! Issue 8 (first half): `tcup update`, `tcup check`, `tcup component|target add|remove|list`,
//! `tcup toolchain verify [--repair]`, against synthetic releases on a loopback server, with the
//! machine's rustup reading the same home after each kind of change, and SIGKILL at random points.

use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Command;

use crate::support::dist::{noise, script};
use crate::support::{HOST, Run, Sandbox, Scenario, Served, run, rustup, rustup_cmd, served};

/// Publishes a new release in which rustfmt's archive differs.
fn change_rustfmt(s: &mut Served, body: &str) {
    let mut data = script("rustfmt");
    data.extend_from_slice(body.as_bytes());
    s.dist.comp_mut("rustfmt-preview").files[0].1 = data;
    s.dist.write(s.root());
}

fn tc() -> String {
    format!("stable-{HOST}")
}

fn components(sb: &Sandbox) -> Vec<String> {
    let text = std::fs::read_to_string(sb.toolchain(&tc()).join("lib/rustlib/components")).unwrap();
    let mut v: Vec<String> = text.lines().map(str::to_owned).collect();
    v.sort();
    v
}

/// rustup lists the same installed components as tcup's receipt and finds the toolchain current
/// (`unchanged`) without downloading an archive.
fn rustup_agrees(sb: &Sandbox, s: &Served) {
    let bin = rustup();
    let listed = run(rustup_cmd(&bin, sb, &s.server.url).args(["component", "list", "--installed", "--toolchain", &tc()])).ok();
    let mut a: Vec<String> = listed.stdout.lines().map(str::to_owned).collect();
    a.sort();
    // rustup prints short names (rustfmt, not rustfmt-preview); so does `tcup component list`.
    let ours = sb.run(&s.server.url, &["component", "list", "--installed"]).ok();
    let mut b: Vec<String> = ours.stdout.lines().map(str::to_owned).collect();
    b.sort();
    assert_eq!(a, b, "rustup and tcup list different components");
    assert_eq!(a.len(), components(sb).len());
    let before = s.log().len();
    // rustup reads tcup's update hash as its own: `check` finds the toolchain current without
    // fetching the manifest.
    let manifests = s.server.hits("channel-rust-stable.toml");
    let checked = run(rustup_cmd(&bin, sb, &s.server.url).args(["check", "--no-self-update"]));
    assert_eq!(checked.code, 0, "{checked:?}");
    assert!(checked.stdout.contains(&format!("{} - up to date", tc())), "{checked:?}");
    assert_eq!(s.server.hits("channel-rust-stable.toml"), manifests, "rustup check read the manifest: the hash record differs");
    let again = run(rustup_cmd(&bin, sb, &s.server.url).args(["update", "stable", "--no-self-update"])).ok();
    assert!(format!("{}{}", again.stdout, again.stderr).contains(&format!("{} unchanged", tc())), "{again:?}");
    assert!(s.archives_since(before).is_empty(), "rustup downloaded {:?}", s.archives_since(before));
}

fn verify_ok(sb: &Sandbox, s: &Served) -> Run {
    let r = sb.run(&s.server.url, &["toolchain", "verify"]).ok();
    assert!(r.stdout.contains("every file as installed"), "{r:?}");
    r
}

#[test]
fn update_of_an_unchanged_release_downloads_nothing() {
    let s = served(Scenario::stable());
    let sb = Sandbox::new();
    sb.run(&s.server.url, &["toolchain", "install", "stable", "--profile", "minimal", "-c", "rustfmt"]).ok();
    let before = s.log().len();
    let r = sb.run(&s.server.url, &["update"]).ok();
    assert_eq!(r.stdout.trim(), format!("{} unchanged - rustc 1.95.0 (synthetic 2026-04-16)", tc()));
    assert!(s.archives_since(before).is_empty(), "{:?}", s.archives_since(before));
    // `toolchain install` of an installed toolchain is an update too, and `check` agrees.
    let r = sb.run(&s.server.url, &["toolchain", "install", "stable"]).ok();
    assert!(r.stdout.contains("unchanged"), "{r:?}");
    let r = sb.run(&s.server.url, &["check"]).ok();
    assert_eq!(r.stdout.trim(), format!("{} - up to date: 1.95.0 (synthetic 2026-04-16)", tc()));
    assert!(s.archives_since(before).is_empty());
    // The recorded hash is current: `update` and `check` read only the `.sha256`, as rustup does.
    let manifests = s.server.log()[before..].iter().filter(|l| l.path.ends_with("channel-rust-stable.toml")).count();
    assert_eq!(manifests, 0, "update, install of the installed toolchain and check read no manifest: {:?}", &s.server.log()[before..]);
    assert_eq!(components(&sb).len(), 4, "the minimal profile is not widened by an update");
    rustup_agrees(&sb, &s);
}

#[test]
fn update_fetches_only_the_changed_component_and_links_the_rest() {
    let mut s = served(Scenario::stable());
    let sb = Sandbox::new();
    sb.run(&s.server.url, &["toolchain", "install", "stable", "-t", "aarch64-unknown-linux-gnu"]).ok();
    let root = sb.toolchain(&tc());
    let cargo_inode = std::fs::metadata(root.join("bin/cargo")).unwrap().ino();
    let before_comps = components(&sb);
    change_rustfmt(&mut s, "# 1.95.1\n");
    let r = sb.run(&s.server.url, &["check"]);
    assert_eq!(r.code, 100, "an update is available: exit 100, as `rustup check`\n{r:?}");
    assert!(r.stdout.contains(&format!("{} - update available", tc())), "{r:?}");
    assert!(r.stdout.contains(&format!("would download: rustfmt-preview-{HOST}; 6 unchanged")), "{r:?}");
    let before = s.log().len();
    let r = sb.run(&s.server.url, &["update", "stable"]).ok();
    assert!(r.stdout.contains("updated") && r.stdout.contains("1 components downloaded, 6 unchanged"), "{r:?}");
    assert_eq!(s.archives_since(before), [format!("/dist/2026-04-16/rustfmt-1.95.0-{HOST}.tar.gz")]);
    assert!(std::fs::read_to_string(root.join("bin/rustfmt")).unwrap().ends_with("# 1.95.1\n"));
    assert_eq!(std::fs::metadata(root.join("bin/cargo")).unwrap().ino(), cargo_inode, "cargo was hard-linked, not rewritten");
    assert_eq!(components(&sb), before_comps, "every component and target kept");
    assert!(sb.tmp_entries().iter().all(|e| !e.starts_with("tcup-stage-")), "{:?}", sb.tmp_entries());
    let manifest = std::fs::read_to_string(root.join("lib/rustlib/multirust-channel-manifest.toml")).unwrap();
    let hash = std::fs::read_to_string(sb.rustup_home.join("update-hashes").join(tc())).unwrap();
    assert_eq!(hash, crate::support::dist::sha(manifest.as_bytes())[..20]);
    verify_ok(&sb, &s);
    rustup_agrees(&sb, &s);
}

#[test]
fn component_and_target_add_remove_use_the_installed_manifest() {
    let s = served(Scenario::stable());
    let sb = Sandbox::new();
    sb.run(&s.server.url, &["toolchain", "install", "stable", "--profile", "minimal"]).ok();
    let list = sb.run(&s.server.url, &["component", "list"]).ok();
    let expected: Vec<String> = [
        format!("cargo-{HOST} (installed)"),
        format!("clippy-{HOST}"),
        "rust-docs-".to_owned() + HOST,
        "rust-src".to_owned(),
        "rust-std-aarch64-unknown-linux-gnu".to_owned(),
        format!("rust-std-{HOST} (installed)"),
        format!("rustc-{HOST} (installed)"),
        format!("rustfmt-{HOST}"),
    ]
    .into_iter()
    .collect();
    // rustup's order: short package name, then target.
    assert_eq!(list.stdout.lines().collect::<Vec<_>>(), expected);
    let before = s.log().len();
    sb.run(&s.server.url, &["component", "add", "rustfmt"]).ok();
    assert_eq!(s.archives_since(before), [format!("/dist/2026-04-16/rustfmt-1.95.0-{HOST}.tar.gz")]);
    assert!(!s.server.log()[before..].iter().any(|l| l.path.contains("channel-rust")), "no manifest is fetched");
    assert!(sb.toolchain(&tc()).join("bin/rustfmt").is_file());
    let before = s.log().len();
    sb.run(&s.server.url, &["target", "add", "aarch64-unknown-linux-gnu"]).ok();
    assert_eq!(s.archives_since(before), ["/dist/2026-04-16/rust-std-1.95.0-aarch64-unknown-linux-gnu.tar.gz"]);
    let t = sb.run(&s.server.url, &["target", "list", "--installed"]).ok();
    let mut want = vec!["aarch64-unknown-linux-gnu".to_owned(), HOST.to_owned()];
    want.sort();
    assert_eq!(t.stdout.lines().collect::<Vec<_>>(), want);
    verify_ok(&sb, &s);
    rustup_agrees(&sb, &s);
    // Already there: nothing to do.
    let r = sb.run(&s.server.url, &["component", "add", "rustfmt-preview"]).ok();
    assert!(r.stderr.contains(&format!("component 'rustfmt-{HOST}' is up to date")), "{r:?}");
    // Unknown names: exit 1, the list of what exists, nothing changed.
    let before_comps = components(&sb);
    sb.run(&s.server.url, &["component", "add", "rustfmtt"])
        .fails(1, &["has no component 'rustfmtt'", "available components: cargo, clippy"]);
    sb.run(&s.server.url, &["target", "add", "mips-unknown-nowhere"])
        .fails(1, &["has no target 'mips-unknown-nowhere'", "aarch64-unknown-linux-gnu"]);
    sb.run(&s.server.url, &["component", "remove", "clippy"])
        .fails(1, &["has no installed component 'clippy'", "installed components: rustc-"]);
    assert_eq!(components(&sb), before_comps);
    // Remove downloads nothing and the files go.
    let before = s.log().len();
    sb.run(&s.server.url, &["component", "remove", "rustfmt"]).ok();
    sb.run(&s.server.url, &["target", "remove", "aarch64-unknown-linux-gnu"]).ok();
    assert!(s.archives_since(before).is_empty());
    assert!(!sb.toolchain(&tc()).join("bin/rustfmt").exists());
    assert!(!sb.toolchain(&tc()).join("lib/rustlib/aarch64-unknown-linux-gnu").exists());
    assert_eq!(components(&sb).len(), 3);
    verify_ok(&sb, &s);
    rustup_agrees(&sb, &s);
}

#[test]
fn tcup_changes_a_toolchain_rustup_installed() {
    let bin = rustup();
    let mut s = served(Scenario::stable());
    let sb = Sandbox::new();
    run(rustup_cmd(&bin, &sb, &s.server.url).args(["toolchain", "install", "stable", "--profile", "minimal", "--no-self-update"])).ok();
    run(rustup_cmd(&bin, &sb, &s.server.url).args(["default", "stable"])).ok();
    let r = sb.run(&s.server.url, &["toolchain", "verify"]).ok();
    assert!(r.stderr.contains("has no CRC receipt"), "{r:?}");
    let before = s.log().len();
    sb.run(&s.server.url, &["component", "add", "clippy"]).ok();
    assert_eq!(s.archives_since(before), [format!("/dist/2026-04-16/clippy-1.95.0-{HOST}.tar.gz")]);
    verify_ok(&sb, &s);
    rustup_agrees(&sb, &s);
    // rustup changes it again; tcup reads what rustup wrote.
    run(rustup_cmd(&bin, &sb, &s.server.url).args(["component", "add", "rustfmt"])).ok();
    let r = sb.run(&s.server.url, &["toolchain", "verify"]).ok();
    assert!(r.stderr.contains(&format!("no current checksums for rustfmt-preview-{HOST}")), "{r:?}");
    change_rustfmt(&mut s, "# changed\n");
    let before = s.log().len();
    sb.run(&s.server.url, &["update"]).ok();
    assert_eq!(s.archives_since(before), [format!("/dist/2026-04-16/rustfmt-1.95.0-{HOST}.tar.gz")]);
    assert_eq!(components(&sb).len(), 5);
    verify_ok(&sb, &s);
    rustup_agrees(&sb, &s);
}

#[test]
fn an_explicit_profile_on_an_installed_toolchain_adds_its_components() {
    let s = served(Scenario::stable());
    let sb = Sandbox::new();
    sb.run(&s.server.url, &["toolchain", "install", "stable", "--profile", "minimal", "-t", "aarch64-unknown-linux-gnu"]).ok();
    let before = s.log().len();
    let r = sb.run(&s.server.url, &["toolchain", "install", "stable", "--profile", "default"]).ok();
    assert!(r.stdout.contains("3 components downloaded, 4 unchanged"), "{r:?}");
    let fetched: Vec<String> = s.archives_since(before).iter().map(|p| p.rsplit('/').next().unwrap().to_owned()).collect();
    assert_eq!(
        fetched,
        [format!("clippy-1.95.0-{HOST}.tar.gz"), format!("rust-docs-1.95.0-{HOST}.tar.gz"), format!("rustfmt-1.95.0-{HOST}.tar.gz")]
    );
    assert!(components(&sb).contains(&"rust-std-aarch64-unknown-linux-gnu".to_owned()), "the added target stays");
    verify_ok(&sb, &s);
    rustup_agrees(&sb, &s);
}

#[test]
fn verify_reports_by_component_and_repair_fetches_only_those() {
    let s = served(Scenario::stable());
    let sb = Sandbox::new();
    sb.run(&s.server.url, &["toolchain", "install", "stable"]).ok();
    let root = sb.toolchain(&tc());
    std::fs::write(root.join("bin/rustfmt"), "#!/bin/sh\necho evil\n").unwrap();
    std::fs::remove_file(root.join("share/doc/rust/html/std/index.html")).unwrap();
    std::fs::write(root.join("share/doc/rust/html/stray.html"), "x").unwrap();
    std::fs::write(root.join("bin/stray"), "x").unwrap();
    let r = sb.run(&s.server.url, &["toolchain", "verify"]).fails(1, &["does not match what was installed", "--repair"]);
    let mut lines: Vec<&str> = r.stdout.lines().collect();
    lines.sort_unstable();
    assert_eq!(
        lines,
        [
            "(no component): extra bin/stray".to_owned(),
            format!("rust-docs-{HOST}: extra share/doc/rust/html/stray.html"),
            format!("rust-docs-{HOST}: missing share/doc/rust/html/std/index.html"),
            format!("rustfmt-preview-{HOST}: changed bin/rustfmt"),
        ]
    );
    let before = s.log().len();
    sb.run(&s.server.url, &["toolchain", "verify", "--repair"]).ok();
    assert_eq!(
        s.archives_since(before),
        [format!("/dist/2026-04-16/rust-docs-1.95.0-{HOST}.tar.gz"), format!("/dist/2026-04-16/rustfmt-1.95.0-{HOST}.tar.gz")]
    );
    assert_eq!(std::fs::read(root.join("bin/rustfmt")).unwrap(), script("rustfmt"));
    assert!(!root.join("bin/stray").exists());
    verify_ok(&sb, &s);
    rustup_agrees(&sb, &s);
}

#[test]
fn update_repairs_a_corrupted_unchanged_component_instead_of_linking_it() {
    let mut s = served(Scenario::stable());
    let sb = Sandbox::new();
    sb.run(&s.server.url, &["toolchain", "install", "stable", "--profile", "minimal", "-c", "rustfmt"]).ok();
    let root = sb.toolchain(&tc());
    // Same length, other bytes: only the CRC32 can tell.
    let mut cargo = std::fs::read(root.join("bin/cargo")).unwrap();
    cargo[0] ^= 1;
    std::fs::write(root.join("bin/cargo"), &cargo).unwrap();
    change_rustfmt(&mut s, "# new\n");
    let before = s.log().len();
    let r = sb.run(&s.server.url, &["update"]).ok();
    assert!(r.stderr.contains(&format!("component cargo-{HOST} is damaged (1 changed, 0 missing files)")), "{r:?}");
    assert_eq!(
        s.archives_since(before),
        [format!("/dist/2026-04-16/cargo-1.95.0-{HOST}.tar.zst"), format!("/dist/2026-04-16/rustfmt-1.95.0-{HOST}.tar.gz")]
    );
    assert_eq!(std::fs::read(root.join("bin/cargo")).unwrap(), script("cargo"));
    verify_ok(&sb, &s);
}

#[test]
fn unknown_and_unavailable_names_change_nothing_on_update() {
    let mut s = served(Scenario::stable());
    let sb = Sandbox::new();
    sb.run(&s.server.url, &["toolchain", "install", "stable", "--profile", "minimal", "-c", "rustfmt"]).ok();
    sb.run(&s.server.url, &["toolchain", "install", "stable", "-c", "nope"]).fails(2, &["component 'nope' is not available"]);
    s.dist.comp_mut("rustfmt-preview").available = false;
    s.dist.write(s.root());
    let before = s.log().len();
    sb.run(&s.server.url, &["update"]).fails(1, &[&format!("component 'rustfmt-preview-{HOST}' is not available in the new release")]);
    assert!(s.archives_since(before).is_empty());
    assert!(sb.toolchain(&tc()).join("bin/rustfmt").is_file());
    sb.run(&s.server.url, &["component", "list", "--toolchain", "nightly"]).fails(1, &["is not installed"]);
}

/// Kills `tcup ARGS` with SIGKILL after `delay`, or lets it finish.
fn run_and_kill(sb: &Sandbox, dist: &str, args: &[&str], delay: std::time::Duration) {
    let mut child = sb.tcup(dist).args(args).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).spawn().unwrap();
    std::thread::sleep(delay);
    let _ = child.kill(); // SIGKILL
    let _ = child.wait();
}

/// After a kill: the toolchain is whole — all of the old state or all of the new one.
fn whole(sb: &Sandbox, s: &Served, old: &(Vec<String>, Vec<u8>), new: &(Vec<String>, Vec<u8>)) {
    verify_ok(sb, s);
    let root = sb.toolchain(&tc());
    let now = (components(sb), std::fs::read(root.join("bin/rustfmt")).unwrap_or_default());
    assert!(now == *old || now == *new, "a mix: {now:?}");
    eprintln!("after the kill: {} toolchain, staging left: {:?}", if now == *new { "new" } else { "old" }, sb.tmp_entries());
}

/// How long one uninterrupted run takes here, to spread the kills over it (not an assertion).
fn duration_of(sb: &Sandbox, dist: &str, args: &[&str]) -> std::time::Duration {
    let t = std::time::Instant::now();
    sb.run(dist, args).ok();
    t.elapsed()
}

#[test]
fn kill_at_random_points_during_update_leaves_a_whole_toolchain() {
    use rand::Rng as _;
    let mut rng = rand::rng();
    for round in 0..6 {
        let mut s = served(Scenario::stable());
        // A bigger rustfmt, so the kill can land while it streams.
        s.dist.comp_mut("rustfmt-preview").files.push(("lib/librustfmt.so".into(), noise(3_000_000), 0o644));
        s.dist.write(s.root());
        let sb = Sandbox::new();
        sb.run(&s.server.url, &["toolchain", "install", "stable", "--profile", "minimal", "-c", "rustfmt"]).ok();
        let old = (components(&sb), std::fs::read(sb.toolchain(&tc()).join("bin/rustfmt")).unwrap());
        change_rustfmt(&mut s, &format!("# round {round}\n"));
        let mut new_rustfmt = script("rustfmt");
        new_rustfmt.extend_from_slice(format!("# round {round}\n").as_bytes());
        let new = (old.0.clone(), new_rustfmt);
        // Time one full update on a copy of the home, then kill the real one somewhere inside it.
        let probe = Sandbox::new();
        copy_dir(&sb.rustup_home, &probe.rustup_home);
        let full = duration_of(&probe, &s.server.url, &["update"]);
        let delay = full.mul_f64(rng.random_range(0.0..1.0));
        // Printed so a failure can be replayed with the same delay (the harness shows it then).
        eprintln!("round {round}: SIGKILL {delay:?} into an update that takes {full:?}");
        run_and_kill(&sb, &s.server.url, &["update"], delay);
        whole(&sb, &s, &old, &new);
        sb.run(&s.server.url, &["update"]).ok();
        whole(&sb, &s, &new, &new);
        assert!(sb.tmp_entries().iter().all(|e| !e.starts_with("tcup-stage-")), "{:?}", sb.tmp_entries());
        if round == 0 {
            rustup_agrees(&sb, &s);
        }
    }
}

#[test]
fn kill_at_random_points_during_component_add_leaves_a_whole_toolchain() {
    use rand::Rng as _;
    let mut rng = rand::rng();
    let s = served(Scenario::stable());
    let mut dist = s.dist.clone();
    dist.comp_mut("rustfmt-preview").files.push(("lib/librustfmt.so".into(), noise(3_000_000), 0o644));
    dist.write(s.root());
    for round in 0..6 {
        let sb = Sandbox::new();
        sb.run(&s.server.url, &["toolchain", "install", "stable", "--profile", "minimal"]).ok();
        let old = (components(&sb), Vec::new());
        let probe = Sandbox::new();
        copy_dir(&sb.rustup_home, &probe.rustup_home);
        let full = duration_of(&probe, &s.server.url, &["component", "add", "rustfmt"]);
        let mut with = old.0.clone();
        with.push(format!("rustfmt-preview-{HOST}"));
        with.sort();
        let new = (with, script("rustfmt"));
        let delay = full.mul_f64(rng.random_range(0.0..1.0));
        eprintln!("round {round}: SIGKILL {delay:?} into a component add that takes {full:?}");
        run_and_kill(&sb, &s.server.url, &["component", "add", "rustfmt"], delay);
        whole(&sb, &s, &old, &new);
        sb.run(&s.server.url, &["component", "add", "rustfmt"]).ok();
        whole(&sb, &s, &new, &new);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    let ok = Command::new("cp").arg("-a").arg(from).arg(to).status().unwrap().success();
    assert!(ok, "cp -a {} {}", from.display(), to.display());
}

/// `component list` and `target list` without `--toolchain` act on the active toolchain, found
/// the way the proxies find it: here a `rust-toolchain.toml` in a parent directory.
#[test]
fn component_commands_follow_the_toolchain_file() {
    let s = served(Scenario::stable());
    let sb = Sandbox::new();
    run(sb.tcup(&s.server.url).args(["toolchain", "install", "stable", "--profile", "minimal"])).ok();
    let listed = run(sb.tcup(&s.server.url).args(["component", "list", "--installed"])).ok();
    assert!(listed.stdout.contains(&format!("rustc-{HOST}")), "{}", listed.stdout);
    let project = sb.dir.path().join("project");
    std::fs::create_dir_all(project.join("src")).unwrap();
    std::fs::write(project.join("rust-toolchain.toml"), "[toolchain]\nchannel = \"nightly\"\n").unwrap();
    let mut cmd = sb.tcup(&s.server.url);
    cmd.current_dir(project.join("src")).env("RUSTUP_AUTO_INSTALL", "0").args(["component", "list", "--installed"]);
    run(&mut cmd).fails(1, &[&format!("toolchain 'nightly-{HOST}' is not installed")]);
    let mut cmd = sb.tcup(&s.server.url);
    cmd.current_dir(project.join("src")).args(["target", "list", "--installed", "--toolchain", "stable"]);
    assert_eq!(run(&mut cmd).ok().stdout.trim(), HOST);
}
