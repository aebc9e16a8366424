//! Issue 27 part C: rustup 1.29.1's command line as CI actions and setup scripts type it
//! (docs/rustup-compat.md, "The command line"). dtolnay/rust-toolchain's and
//! actions-rust-lang/setup-rust-toolchain's sequences run as typed; `toolchain install` without a
//! name installs the active toolchain whatever chose it; `--no-update`, `--default`,
//! `--override`, `--no-self-update`, `--force`; `tcup +TOOLCHAIN <command>`; rustup's aliases;
//! `target add all`; `set auto-self-update` and what `check` and `update` then do about tcup
//! (update roots on loopback or a dead port); `self uninstall` keeping what tcup did not install;
//! and `RUSTUP_TOOLCHAIN_SOURCE` as both proxies set it, in rustup 1.29.1's words.

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::support::dist::sha;
use crate::support::server::Server;
use crate::support::{HOST, OFFLINE, Run, Sandbox, Scenario, run, rustup_1_29_1, served};

/// The standard target other than the host that `Dist::standard` offers a `rust-std` for.
fn other_target() -> &'static str {
    if HOST == "aarch64-unknown-linux-gnu" { "x86_64-unknown-linux-musl" } else { "aarch64-unknown-linux-gnu" }
}

/// stable and beta, served from one directory on loopback.
fn stable_and_beta() -> Scenario {
    Scenario::channels(&["stable", "beta"])
}

fn stable() -> String {
    format!("stable-{HOST}")
}

fn beta() -> String {
    format!("beta-{HOST}")
}

/// `tcup ARGS` in `cwd` against `dist`, auto-install off.
fn tcup_in(sb: &Sandbox, dist: &str, cwd: &Path, args: &[&str]) -> Run {
    run(sb.tcup(dist).current_dir(cwd).env("RUSTUP_AUTO_INSTALL", "0").args(args))
}

/// Sorted lines of the toolchain's `lib/rustlib/components`.
fn components(sb: &Sandbox, tc: &str) -> Vec<String> {
    let text = std::fs::read_to_string(sb.toolchain(tc).join("lib/rustlib/components")).unwrap_or_default();
    let mut v: Vec<String> = text.lines().map(str::to_owned).collect();
    v.sort();
    v
}

fn settings(sb: &Sandbox) -> String {
    std::fs::read_to_string(sb.rustup_home.join("settings.toml")).unwrap_or_default()
}

/// A canonical project directory.
fn project() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    (dir, root)
}

/// Every path below `dir` with its length, mode and content hash: what an adversary's command
/// must leave as it was.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (u64, u32, String)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let m = std::fs::symlink_metadata(&p).unwrap();
            let content = if m.is_file() { sha(&std::fs::read(&p).unwrap()) } else { String::new() };
            out.insert(p.clone(), (m.len(), m.mode(), content));
            if m.is_dir() {
                stack.push(p);
            }
        }
    }
    out
}

#[test]
fn dtolnay_rust_toolchain_sequence_runs_as_typed() {
    let server = served(stable_and_beta());
    let sb = Sandbox::new();
    let (_p, cwd) = project();
    let t = other_target();
    let r = tcup_in(
        &sb,
        &server.url,
        &cwd,
        &[
            "toolchain",
            "install",
            "stable",
            "--target",
            t,
            "--component",
            "clippy",
            "--profile",
            "minimal",
            "--allow-downgrade",
            "--no-self-update",
        ],
    )
    .ok();
    assert!(r.stderr.contains(&format!("toolchain '{}' installed", stable())), "{}", r.stderr);
    let comps = components(&sb, &stable());
    assert!(comps.contains(&format!("clippy-preview-{HOST}")) && comps.contains(&format!("rust-std-{t}")), "{comps:?}");
    assert!(!comps.iter().any(|c| c.starts_with("rust-docs")), "minimal profile: {comps:?}");
    tcup_in(&sb, &server.url, &cwd, &["default", "stable"]).ok();
    assert!(settings(&sb).contains(&format!("default_toolchain = \"{}\"", stable())), "{}", settings(&sb));
    // `rustc +stable --version --verbose` through the proxy program.
    let bin = sb.cargo_home.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_tcup-proxy"), bin.join("rustc")).unwrap();
    let r = run(sb.command(bin.join("rustc")).current_dir(&cwd).args(["+stable", "--version", "--verbose"])).ok();
    assert_eq!(r.stdout.trim(), "rustc 1.95.0 (synthetic)");
    // `rustup --version`.
    let r = tcup_in(&sb, &server.url, &cwd, &["--version"]).ok();
    assert!(r.stdout.starts_with("tcup "), "{}", r.stdout);
}

#[test]
fn setup_rust_toolchain_with_a_toolchain_file_installs_it_without_a_name() {
    let server = served(stable_and_beta());
    let sb = Sandbox::new();
    let (_p, root) = project();
    let t = other_target();
    std::fs::write(
        root.join("rust-toolchain.toml"),
        format!("[toolchain]\nchannel = \"stable\"\ncomponents = [\"rustfmt\"]\ntargets = [\"{t}\"]\nprofile = \"minimal\"\n"),
    )
    .unwrap();
    let deep = root.join("src/bin");
    std::fs::create_dir_all(&deep).unwrap();
    // `rustup show active-toolchain || rustup toolchain install`.
    tcup_in(&sb, &server.url, &deep, &["show", "active-toolchain"]);
    let r = tcup_in(&sb, &server.url, &deep, &["toolchain", "install"]).ok();
    let file = root.join("rust-toolchain.toml");
    assert!(
        r.stderr.contains(&format!("installing toolchain '{}' because the toolchain file at '{}' requires it", stable(), file.display())),
        "{}",
        r.stderr
    );
    let comps = components(&sb, &stable());
    assert!(comps.contains(&format!("rustfmt-preview-{HOST}")) && comps.contains(&format!("rust-std-{t}")), "{comps:?}");
    assert!(!comps.iter().any(|c| c.starts_with("rust-docs") || c.starts_with("clippy")), "the file's minimal profile: {comps:?}");
    // Then `rustup component add …` and `rustup target add …` on the active toolchain.
    tcup_in(&sb, &server.url, &deep, &["component", "add", "clippy"]).ok();
    assert!(components(&sb, &stable()).contains(&format!("clippy-preview-{HOST}")));
    tcup_in(&sb, &server.url, &deep, &["target", "add", t]).ok();
    // Again: nothing to do, and it says why the toolchain is active; `install` is the same.
    let r = tcup_in(&sb, &server.url, &deep, &["install"]).ok();
    assert!(r.stderr.contains(&format!("toolchain '{}' is installed (overridden by '{}')", stable(), file.display())), "{}", r.stderr);
    assert_eq!(sb.toolchains(), [stable()]);
}

#[test]
fn install_without_a_name_follows_plus_override_and_default_and_says_when_nothing_is_active() {
    let server = served(stable_and_beta());
    let sb = Sandbox::new();
    let (_p, cwd) = project();
    // Nothing active: exit 1, rustup's message, nothing installed.
    tcup_in(&sb, &server.url, &cwd, &["toolchain", "install"]).fails(1, &["tcup could not choose a version of rustc to run"]);
    tcup_in(&sb, &server.url, &cwd, &["install"]).fails(1, &["no default is configured"]);
    assert!(sb.toolchains().is_empty());
    // The default chooses.
    std::fs::create_dir_all(&sb.rustup_home).unwrap();
    std::fs::write(sb.rustup_home.join("settings.toml"), "version = \"12\"\ndefault_toolchain = \"stable\"\n\n[overrides]\n").unwrap();
    let r = tcup_in(&sb, &server.url, &cwd, &["toolchain", "install", "--profile", "minimal"]).ok();
    assert!(
        r.stderr.contains(&format!("installing toolchain '{}' because the default toolchain in settings.toml requires it", stable())),
        "{}",
        r.stderr
    );
    assert_eq!(sb.toolchains(), [stable()]);
    // A directory override chooses (over the default); written as rustup writes it, so beta is
    // not installed yet.
    let text = settings(&sb).replace("[overrides]", &format!("[overrides]\n\"{}\" = \"beta\"", cwd.display()));
    std::fs::write(sb.rustup_home.join("settings.toml"), text).unwrap();
    let r = tcup_in(&sb, &server.url, &cwd, &["install", "--profile", "minimal", "-c", "rust-src"]).ok();
    assert!(
        r.stderr.contains(&format!("installing toolchain '{}' because the directory override for '{}'", beta(), cwd.display())),
        "{}",
        r.stderr
    );
    assert!(components(&sb, &beta()).contains(&"rust-src".to_owned()), "{:?}", components(&sb, &beta()));
    // `+TOOLCHAIN` chooses over everything: `tcup +stable toolchain install -c clippy` adds to stable.
    tcup_in(&sb, &server.url, &cwd, &["+stable", "toolchain", "install", "-c", "clippy"]).ok();
    assert!(components(&sb, &stable()).contains(&format!("clippy-preview-{HOST}")));
    assert!(!components(&sb, &beta()).iter().any(|c| c.starts_with("clippy")), "{:?}", components(&sb, &beta()));
}

#[test]
fn install_two_with_default_and_override_flags_then_override_set() {
    let server = served(stable_and_beta());
    let sb = Sandbox::new();
    let (_p, cwd) = project();
    let args = ["toolchain", "install", "stable", "beta", "--component", "rustfmt", "--profile", "minimal", "--no-self-update", "--force"];
    tcup_in(&sb, &server.url, &cwd, &args).ok();
    assert_eq!(sb.toolchains(), [beta(), stable()]);
    tcup_in(&sb, &server.url, &cwd, &["override", "set", "beta"]).ok();
    assert!(settings(&sb).contains(&format!("\"{}\" = \"{}\"", cwd.display(), beta())), "{}", settings(&sb));
    // --default and --override write what `tcup default` and `tcup override set` write.
    let (_q, other) = project();
    let r = tcup_in(&sb, &server.url, &other, &["install", "stable", "--default", "--override"]).ok();
    assert!(r.stderr.contains(&format!("default toolchain set to {}", stable())), "{}", r.stderr);
    let text = settings(&sb);
    assert!(text.contains(&format!("default_toolchain = \"{}\"", stable())), "{text}");
    assert!(text.contains(&format!("\"{}\" = \"{}\"", other.display(), stable())), "{text}");
    let r = tcup_in(&sb, &server.url, &other, &["show", "active-toolchain"]).ok();
    assert!(r.stdout.starts_with(&stable()), "{}", r.stdout);
}

#[test]
fn no_update_keeps_the_installed_release_and_adds_only_what_is_asked() {
    let mut server = served(Scenario::stable());
    let sb = Sandbox::new();
    let (_p, cwd) = project();
    tcup_in(&sb, &server.url, &cwd, &["toolchain", "install", "stable", "--profile", "minimal"]).ok();
    let rustc = sb.toolchain(&stable()).join("bin/rustc");
    let before = std::fs::read(&rustc).unwrap();
    // The server publishes a changed rustc.
    server.dist.comp_mut("rustc").files[0].1 = b"#!/bin/sh\necho rustc new\n".to_vec();
    server.dist.write(server.root());
    let r = tcup_in(&sb, &server.url, &cwd, &["toolchain", "install", "stable", "--no-update", "-c", "clippy"]).ok();
    assert!(r.stderr.contains("kept at its installed release (--no-update)"), "{}", r.stderr);
    assert_eq!(std::fs::read(&rustc).unwrap(), before, "--no-update left rustc at its release");
    assert!(components(&sb, &stable()).contains(&format!("clippy-preview-{HOST}")));
    // Without it, install updates.
    tcup_in(&sb, &server.url, &cwd, &["toolchain", "install", "stable"]).ok();
    assert_eq!(std::fs::read(&rustc).unwrap(), b"#!/bin/sh\necho rustc new\n");
}

#[test]
fn plus_toolchain_applies_to_any_command() {
    let server = served(stable_and_beta());
    let sb = Sandbox::new();
    let (_p, cwd) = project();
    tcup_in(&sb, &server.url, &cwd, &["toolchain", "install", "stable", "--profile", "minimal"]).ok();
    // No default: without +stable the command has no toolchain.
    tcup_in(&sb, &server.url, &cwd, &["default", "none"]).ok();
    tcup_in(&sb, &server.url, &cwd, &["component", "add", "rustfmt"]).fails(2, &["no toolchain given and no default toolchain is set"]);
    tcup_in(&sb, &server.url, &cwd, &["+stable", "component", "add", "rustfmt"]).ok();
    assert!(components(&sb, &stable()).contains(&format!("rustfmt-preview-{HOST}")));
    let r = tcup_in(&sb, &server.url, &cwd, &["+stable", "show", "active-toolchain"]).ok();
    assert!(r.stdout.contains("overridden by +toolchain on the command line"), "{}", r.stdout);
    // `rustup +nightly component add miri` with nightly not installed: exit 1, named.
    tcup_in(&sb, &server.url, &cwd, &["+nightly", "component", "add", "miri"])
        .fails(1, &[&format!("toolchain 'nightly-{HOST}' is not installed")]);
    // A name that is no toolchain name is a usage error, and nothing is touched.
    let before = snapshot(&sb.rustup_home);
    tcup_in(&sb, &server.url, &cwd, &["+../../x", "component", "add", "rustfmt"]).fails(2, &["invalid value '../../x' for '+TOOLCHAIN'"]);
    assert_eq!(snapshot(&sb.rustup_home), before);
}

#[test]
fn rustups_aliases_do_what_their_commands_do() {
    let server = served(stable_and_beta());
    let sb = Sandbox::new();
    let (_p, cwd) = project();
    let t = other_target();
    let tc = stable();
    let has = |sb: &Sandbox, c: &str| components(sb, &tc).iter().any(|x| x.starts_with(c));
    // toolchain add = toolchain install.
    tcup_in(&sb, &server.url, &cwd, &["toolchain", "add", "stable", "--profile", "minimal"]).ok();
    assert_eq!(sb.toolchains(), std::slice::from_ref(&tc));
    for alias in ["rm", "uninstall", "delete", "del", "remove"] {
        tcup_in(&sb, &server.url, &cwd, &["component", "add", "clippy", "--toolchain", "stable"]).ok();
        assert!(has(&sb, "clippy-preview"));
        tcup_in(&sb, &server.url, &cwd, &["component", alias, "clippy", "--toolchain", "stable"]).ok();
        assert!(!has(&sb, "clippy-preview"), "component {alias}");
        // target install = target add.
        tcup_in(&sb, &server.url, &cwd, &["target", "install", t, "--toolchain", "stable"]).ok();
        assert!(has(&sb, &format!("rust-std-{t}")));
        tcup_in(&sb, &server.url, &cwd, &["target", alias, t, "--toolchain", "stable"]).ok();
        assert!(!has(&sb, &format!("rust-std-{t}")), "target {alias}");
    }
    for (i, alias) in [
        ["toolchain", "rm"],
        ["toolchain", "delete"],
        ["toolchain", "del"],
        ["toolchain", "remove"],
        ["rm", ""],
        ["remove", ""],
        ["delete", ""],
        ["del", ""],
    ]
    .iter()
    .enumerate()
    {
        tcup_in(&sb, &server.url, &cwd, &["install", "stable", "--profile", "minimal"]).ok();
        let args: Vec<&str> = alias.iter().copied().filter(|a| !a.is_empty()).chain(["stable"]).collect();
        let r = tcup_in(&sb, &server.url, &cwd, &args).ok();
        assert!(r.stderr.contains(&format!("toolchain {tc} uninstalled")), "{i}: {args:?}: {}", r.stderr);
        assert!(sb.toolchains().is_empty(), "{args:?}");
    }
    // up / upgrade = update.
    tcup_in(&sb, &server.url, &cwd, &["install", "stable", "--profile", "minimal"]).ok();
    for alias in ["up", "upgrade"] {
        let r = tcup_in(&sb, &server.url, &cwd, &[alias, "--no-self-update"]).ok();
        assert!(r.stdout.contains(&format!("{tc} unchanged")) || r.stderr.contains(&format!("{tc} unchanged")), "{alias}: {r:?}");
    }
    // self up = self update: here tcup is not installed in CARGO_HOME/bin, and it says so.
    let r = tcup_in(&sb, &server.url, &cwd, &["self", "up"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains(&format!("tcup is not installed in {}", sb.cargo_home.join("bin").display())), "{}", r.stderr);
}

#[test]
fn target_add_all_adds_every_target_of_the_release() {
    let server = served(stable_and_beta());
    let sb = Sandbox::new();
    let (_p, cwd) = project();
    tcup_in(&sb, &server.url, &cwd, &["toolchain", "install", "stable", "--profile", "minimal"]).ok();
    tcup_in(&sb, &server.url, &cwd, &["+stable", "target", "add", "all"]).ok();
    let comps = components(&sb, &stable());
    assert!(comps.contains(&format!("rust-std-{}", other_target())) && comps.contains(&format!("rust-std-{HOST}")), "{comps:?}");
    let r = tcup_in(&sb, &server.url, &cwd, &["+stable", "target", "add", "all"]).ok();
    assert!(r.stderr.contains(&format!("every target of '{}' is installed", stable())), "{}", r.stderr);
}

#[test]
fn set_auto_self_update_is_stored_as_rustup_stores_it() {
    let sb = Sandbox::new();
    for (args, word) in [
        (&["set", "auto-self-update", "disable"][..], "disable"),
        (&["set", "auto-self-update", "check-only"][..], "check-only"),
        (&["set", "auto-self-update"][..], "enable"),
    ] {
        let r = sb.run(OFFLINE, args).ok();
        assert!(r.stderr.contains(&format!("auto-self-update mode set to {word}")), "{}", r.stderr);
        assert!(settings(&sb).contains(&format!("auto_self_update = \"{word}\"")), "{}", settings(&sb));
        // rustup 1.29.1 reads the file tcup wrote and writes the same key.
        let r = run(sb.command(rustup_1_29_1()).env("RUSTUP_AUTO_INSTALL", "0").args(["set", "auto-install", "enable"])).ok();
        assert!(!r.stderr.contains("could not parse"), "{}", r.stderr);
        assert!(settings(&sb).contains(&format!("auto_self_update = \"{word}\"")), "{}", settings(&sb));
    }
    run(sb.command(rustup_1_29_1()).args(["set", "auto-self-update", "check-only"])).ok();
    sb.run(OFFLINE, &["check"]).ok();
    // A word rustup does not know: exit 2 on the command line and in the file.
    let before = settings(&sb);
    sb.run(OFFLINE, &["set", "auto-self-update", "sometimes"]).fails(2, &["invalid value 'sometimes'"]);
    assert_eq!(settings(&sb), before);
    std::fs::write(sb.rustup_home.join("settings.toml"), "version = \"12\"\nauto_self_update = \"always\"\n").unwrap();
    sb.run(OFFLINE, &["check"]).fails(2, &["`auto_self_update` must be \"enable\", \"disable\" or \"check-only\""]);
}

/// A sandbox with tcup installed in `CARGO_HOME/bin` by `tcup init`, and an update root on
/// loopback that publishes another (unsigned) build.
fn installed_with_a_newer_build() -> (Sandbox, tempfile::TempDir, Server) {
    let sb = Sandbox::new();
    sb.run(OFFLINE, &["init", "-y", "--default-toolchain", "none", "--no-modify-path", "--no-man"]).ok();
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("dist").join(tcup::ops::tcup::update_root::published_triple(HOST));
    std::fs::create_dir_all(&dir).unwrap();
    let bin = b"#!/bin/sh\necho 'tcup 99.0.0'\n";
    std::fs::write(dir.join("tcup-init"), bin).unwrap();
    std::fs::write(dir.join("tcup-init.sha256"), format!("{}  tcup-init\n", sha(bin))).unwrap();
    let server = Server::http(root.path());
    (sb, root, server)
}

#[test]
fn check_and_update_follow_auto_self_update_and_never_replace_tcup_unsigned() {
    let (sb, _root, server) = installed_with_a_newer_build();
    let tcup = sb.cargo_home.join("bin/tcup");
    let before = snapshot(&sb.cargo_home);
    let with_root = |args: &[&str]| run(sb.command(&tcup).env("TCUP_UPDATE_ROOT", &server.url).args(args));
    // Unset = check-only: check reports it (exit 100), update says so and replaces nothing.
    let r = with_root(&["check"]);
    assert_eq!(r.code, 100, "{r:?}");
    assert!(r.stdout.contains("tcup - update available"), "{}", r.stdout);
    let r = with_root(&["update"]).ok();
    assert!(r.stderr.contains("tcup - update available") && r.stderr.contains("`tcup self update` installs it"), "{}", r.stderr);
    assert_eq!(snapshot(&sb.cargo_home), before);
    // --no-self-update: not even a look.
    let seen = server.log().len();
    with_root(&["update", "--no-self-update"]).ok();
    assert_eq!(server.log().len(), seen, "no request to the update root");
    // disable: neither looks.
    with_root(&["set", "auto-self-update", "disable"]).ok();
    let r = with_root(&["check"]).ok();
    assert!(!r.stdout.contains("tcup -"), "{}", r.stdout);
    with_root(&["update"]).ok();
    assert_eq!(server.log().len(), seen, "no request to the update root");
    // enable: update runs self update, which refuses a build without a signature.
    with_root(&["set", "auto-self-update", "enable"]).ok();
    let r = with_root(&["update"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("tcup-init.asc"), "{}", r.stderr);
    assert_eq!(snapshot(&sb.cargo_home), before, "tcup and its proxies unchanged");
    // A dead update root under check-only is a warning, not a failure.
    with_root(&["set", "auto-self-update", "check-only"]).ok();
    let r = run(sb.command(&tcup).env("TCUP_UPDATE_ROOT", "http://127.0.0.1:9").arg("update")).ok();
    assert!(r.stderr.contains("could not check for a tcup update"), "{}", r.stderr);
}

#[test]
fn self_uninstall_keeps_what_tcup_did_not_install() {
    let sb = Sandbox::new();
    let home = sb.dir.path();
    std::fs::write(home.join(".profile"), "export EDITOR=vi\n").unwrap();
    let victim = home.join("victim");
    std::fs::create_dir_all(victim.join("d")).unwrap();
    std::fs::write(victim.join("d/f"), "keep").unwrap();
    run(sb.command(env!("CARGO_BIN_EXE_tcup")).args(["init", "-y", "--default-toolchain", "none", "--no-man"]).env("SHELL", "/bin/sh"))
        .ok();
    let bin = sb.cargo_home.join("bin");
    // What `cargo install` put there, a real rustup, and a cargo registry cache.
    std::fs::write(bin.join("cargo-nextest"), "#!/bin/sh\n").unwrap();
    std::fs::write(bin.join("rustup"), "a real rustup").unwrap();
    std::fs::create_dir_all(sb.cargo_home.join("registry/cache")).unwrap();
    let victim_before = snapshot(&victim);
    let profile_before = std::fs::read_to_string(home.join(".profile")).unwrap();
    assert_ne!(profile_before, "export EDITOR=vi\n", "init added its line");
    let r = run(sb.command(bin.join("tcup")).args(["self", "uninstall", "--yes", "--no-modify-path"])).ok();
    assert!(r.stderr.contains(&format!("kept cargo-nextest, rustup in {}: tcup did not install them", bin.display())), "{}", r.stderr);
    assert_eq!(support_list(&bin), ["cargo-nextest", "rustup"]);
    assert_eq!(std::fs::read_to_string(bin.join("rustup")).unwrap(), "a real rustup");
    assert!(sb.cargo_home.join("registry/cache").is_dir() && !sb.cargo_home.join("env").exists());
    assert!(!sb.rustup_home.exists());
    assert_eq!(std::fs::read_to_string(home.join(".profile")).unwrap(), profile_before, "--no-modify-path left it");
    assert_eq!(snapshot(&victim), victim_before);
}

#[test]
fn self_uninstall_removes_a_rustup_that_is_a_link_of_tcup() {
    let sb = Sandbox::new();
    sb.run(OFFLINE, &["init", "-y", "--default-toolchain", "none", "--no-modify-path", "--no-man"]).ok();
    let bin = sb.cargo_home.join("bin");
    std::fs::hard_link(bin.join("tcup"), bin.join("rustup")).unwrap();
    let r = run(sb.command(bin.join("tcup")).args(["self", "uninstall", "-y"])).ok();
    assert!(!r.stderr.contains("kept"), "{}", r.stderr);
    assert!(!sb.cargo_home.exists() && !sb.rustup_home.exists());
}

fn support_list(dir: &Path) -> Vec<String> {
    crate::support::list(dir)
}

/// A linked toolchain `mytc` (and `other`, the same directory) whose `rustc` prints
/// `RUSTUP_TOOLCHAIN_SOURCE`, and `CARGO_HOME/bin/rustc` linked to `program`.
fn source_probe(sb: &Sandbox, program: &str) -> PathBuf {
    let tc = sb.dir.path().join("tc");
    std::fs::create_dir_all(tc.join("bin")).unwrap();
    std::fs::create_dir_all(tc.join("lib")).unwrap();
    let script = tc.join("bin/rustc");
    std::fs::write(&script, "#!/bin/sh\necho \"src=${RUSTUP_TOOLCHAIN_SOURCE-unset} tc=$RUSTUP_TOOLCHAIN\"\n").unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    for name in ["mytc", "other"] {
        sb.run(OFFLINE, &["toolchain", "link", name, &tc.display().to_string()]).ok();
    }
    sb.run(OFFLINE, &["default", "mytc"]).ok();
    let bin = sb.cargo_home.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let _ = std::fs::remove_file(bin.join("rustc"));
    std::os::unix::fs::symlink(program, bin.join("rustc")).unwrap();
    bin.join("rustc")
}

/// What rustup 1.29.1's proxies set (checked by running it the same way: its binary linked as
/// `rustc` over the same linked toolchains), for each reason, through `program`.
fn sources_through(program: &str) -> Vec<(String, String)> {
    let sb = Sandbox::new();
    let rustc = source_probe(&sb, program);
    let (_p, proj) = project();
    let (_q, filed) = project();
    sb.run(OFFLINE, &["override", "set", "other", "--path", &proj.display().to_string()]).ok();
    std::fs::write(filed.join("rust-toolchain.toml"), "[toolchain]\nchannel = \"other\"\n").unwrap();
    let probe = |cwd: &Path, args: &[&str], env: &[(&str, &str)]| {
        let mut c = sb.command(&rustc);
        c.current_dir(cwd).args(args).env("RUSTUP_TOOLCHAIN_SOURCE", "bogus");
        for (k, v) in env {
            c.env(k, v);
        }
        run(&mut c).ok().stdout.trim().to_owned()
    };
    let home = sb.dir.path().to_path_buf();
    vec![
        ("default".into(), probe(&home, &[], &[])),
        ("cli".into(), probe(&home, &["+other"], &[])),
        ("env".into(), probe(&home, &[], &[("RUSTUP_TOOLCHAIN", "other")])),
        ("path-override".into(), probe(&proj, &[], &[])),
        ("toolchain-file".into(), probe(&filed, &[], &[])),
    ]
}

#[test]
fn both_proxies_set_rustup_toolchain_source_as_rustup_1_29_1_does() {
    let expected = |src: &str| format!("src={src} tc={}", if src == "default" { "mytc" } else { "other" });
    for program in [env!("CARGO_BIN_EXE_tcup-proxy"), env!("CARGO_BIN_EXE_tcup")] {
        for (src, got) in sources_through(program) {
            assert_eq!(got, expected(&src), "{program}");
        }
    }
    // rustup 1.29.1 itself, linked as rustc over the same kind of home, says the same.
    for (src, got) in sources_through(&rustup_1_29_1().display().to_string()) {
        assert_eq!(got, expected(&src), "rustup 1.29.1");
    }
    // `tcup run` sets none, as `rustup run` does not.
    let sb = Sandbox::new();
    source_probe(&sb, env!("CARGO_BIN_EXE_tcup-proxy"));
    let r = sb.run(OFFLINE, &["run", "mytc", "rustc"]).ok();
    assert_eq!(r.stdout.trim(), "src=unset tc=mytc");
}

#[test]
fn compatibility_flags_stay_out_of_the_help_and_the_help_fits_80_columns() {
    let sb = Sandbox::new();
    for args in [&["--help"][..], &["toolchain", "install", "--help"], &["update", "--help"], &["self", "uninstall", "--help"]] {
        let r = run(sb.command(env!("CARGO_BIN_EXE_tcup")).args(args).env("COLUMNS", "80")).ok();
        assert!(!r.stdout.contains("--no-self-update") || args[0] == "update", "{args:?}: {}", r.stdout);
        assert!(!r.stdout.contains("--force "), "{args:?}: {}", r.stdout);
        for line in r.stdout.lines() {
            assert!(line.chars().count() <= 80, "{args:?}: {line:?} is wider than 80 columns");
        }
    }
    let r = run(sb.command(env!("CARGO_BIN_EXE_tcup")).args(["--help"]).env("COLUMNS", "80")).ok();
    assert!(r.stdout.contains("tcup +TOOLCHAIN <COMMAND>"), "{}", r.stdout);
    // The global options' section is laid out for 80 columns, so clap does not wrap it again.
    assert!(
        r.stdout.contains(
            "  -v, --verbose          Also print what tcup decided and why (backends,\n                         URLs, reused downloads)"
        ),
        "{}",
        r.stdout
    );
    // Each accepted compatibility flag still parses (exit 0 with --help after it).
    for args in [
        &["toolchain", "install", "--no-self-update", "--force", "--help"][..],
        &["update", "--force", "--force-non-host", "--help"],
        &["self", "uninstall", "--no-modify-path", "--yes", "--help"],
    ] {
        run(sb.command(env!("CARGO_BIN_EXE_tcup")).args(args)).ok();
    }
}
