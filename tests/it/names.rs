//! Bad toolchain names, from every place a name comes from (issue 16's data-loss defect: an empty
//! name once removed the whole `toolchains/` directory). Each is refused with exit 2 naming the
//! value, and `RUSTUP_HOME` — every installed toolchain, `settings.toml`, `update-hashes/` — is
//! byte-identical afterwards.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::support::{HOST, OFFLINE, Run, Sandbox, run};

/// Every file and directory under `root` with its contents (links as their target), so a test
/// can say "nothing changed" of a whole tree.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let meta = path.symlink_metadata().unwrap();
            let rel = path.strip_prefix(root).unwrap().to_path_buf();
            if meta.file_type().is_symlink() {
                out.insert(rel, std::fs::read_link(&path).unwrap().into_os_string().into_encoded_bytes());
            } else if meta.is_dir() {
                out.insert(rel, b"<dir>".to_vec());
                todo.push(path);
            } else {
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

/// A home with `stable` and `1.95.0` installed (as directories with a `bin/rustc`), a default,
/// an update hash each, a linked build to aim `toolchain link` at, and the proxies.
fn home_with_two_toolchains() -> (Sandbox, PathBuf) {
    let sb = Sandbox::new();
    for tc in [format!("stable-{HOST}"), format!("1.95.0-{HOST}")] {
        let bin = sb.toolchain(&tc).join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::write(bin.join("rustc"), format!("#!/bin/sh\necho {tc}\n")).unwrap();
        std::fs::set_permissions(bin.join("rustc"), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        std::fs::create_dir_all(sb.rustup_home.join("update-hashes")).unwrap();
        std::fs::write(sb.rustup_home.join("update-hashes").join(&tc), "0123").unwrap();
    }
    std::fs::write(
        sb.rustup_home.join("settings.toml"),
        format!("# mine\nversion = \"12\"\ndefault_toolchain = \"stable-{HOST}\"\nprofile = \"minimal\"\n\n[overrides]\n"),
    )
    .unwrap();
    let build = sb.dir.path().join("build");
    std::fs::create_dir_all(build.join("bin")).unwrap();
    std::fs::create_dir_all(build.join("lib")).unwrap();
    let proxies = sb.cargo_home.join("bin");
    std::fs::create_dir_all(&proxies).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_tcup-proxy"), proxies.join("rustc")).unwrap();
    (sb, build)
}

#[track_caller]
fn refused(what: &str, r: Run, value: &str) {
    let r = r.fails(2, &[&format!("'{value}'")]);
    assert!(r.stderr.contains("toolchain"), "{what}: the message says it is about a toolchain name:\n{}", r.stderr);
}

#[test]
fn bad_names_on_the_command_line_change_nothing() {
    let (sb, build) = home_with_two_toolchains();
    let build = build.to_str().unwrap();
    let before = snapshot(&sb.rustup_home);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["uninstall", ""], ""),
        (vec!["toolchain", "uninstall", ""], ""),
        (vec!["toolchain", "uninstall", "."], "."),
        (vec!["toolchain", "uninstall", ".."], ".."),
        (vec!["toolchain", "uninstall", "stable", " "], " "),
        (vec!["uninstall", "--", "-rf"], "-rf"),
        (vec!["default", ""], ""),
        (vec!["default", ".."], ".."),
        (vec!["default", "sta ble"], "sta ble"),
        (vec!["override", "set", ""], ""),
        (vec!["override", "set", ".."], ".."),
        (vec!["toolchain", "link", "", build], ""),
        (vec!["toolchain", "link", "..", build], ".."),
        (vec!["toolchain", "link", "a b", build], "a b"),
        (vec!["run", "", "rustc"], ""),
        (vec!["run", "..", "rustc"], ".."),
        (vec!["which", "rustc", "--toolchain", ".."], ".."),
        (vec!["component", "list", "--toolchain", ""], ""),
        (vec!["toolchain", "verify", ".."], ".."),
        (vec!["update", ""], ""),
    ];
    for (args, value) in cases {
        let r = run(sb.tcup(OFFLINE).current_dir(sb.dir.path()).env("RUSTUP_AUTO_INSTALL", "0").args(&args));
        refused(&format!("tcup {args:?}"), r, value);
        assert_eq!(snapshot(&sb.rustup_home), before, "tcup {args:?} changed RUSTUP_HOME");
    }
    // A custom name with '/' is refused too (it is not a path where a name is asked for).
    let r = sb.run(OFFLINE, &["toolchain", "link", "a/b", build]).fails(2, &["invalid custom toolchain name 'a/b'"]);
    assert!(r.stdout.is_empty());
    assert_eq!(snapshot(&sb.rustup_home), before);
}

#[test]
fn bad_names_from_plus_environment_and_files_change_nothing() {
    let (sb, _build) = home_with_two_toolchains();
    let rustc = sb.cargo_home.join("bin/rustc");
    let proxy = |cwd: &Path, plus: Option<&str>, env_tc: Option<&str>| {
        let mut c = sb.command(&rustc);
        c.env("RUSTUP_AUTO_INSTALL", "1").current_dir(cwd);
        if let Some(p) = plus {
            c.arg(format!("+{p}"));
        }
        if let Some(t) = env_tc {
            c.env("RUSTUP_TOOLCHAIN", t);
        }
        run(c.arg("--version"))
    };
    let here = sb.dir.path();
    // The home works before: the default toolchain answers (and records today's use, which the
    // snapshot then holds: docs/design.md active-9).
    assert_eq!(proxy(here, None, None).ok().stdout.trim(), format!("stable-{HOST}"));
    let before = snapshot(&sb.rustup_home);
    for plus in ["", "..", ".", " x"] {
        refused(&format!("rustc +{plus:?}"), proxy(here, Some(plus), None), plus);
        assert_eq!(snapshot(&sb.rustup_home), before);
    }
    for value in ["..", " ", "-x"] {
        let r = proxy(here, None, Some(value));
        refused(&format!("RUSTUP_TOOLCHAIN={value:?}"), r, value);
        let r = run(sb.tcup(OFFLINE).env("RUSTUP_TOOLCHAIN", value).args(["show", "active-toolchain"]));
        let r = r.fails(2, &["RUSTUP_TOOLCHAIN"]);
        assert!(r.stderr.contains(&format!("'{value}'")), "{}", r.stderr);
        assert_eq!(snapshot(&sb.rustup_home), before);
    }
    let project = sb.dir.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    for (file, text, value) in [
        ("rust-toolchain.toml", "[toolchain]\nchannel = \"..\"\n", ".."),
        ("rust-toolchain.toml", "[toolchain]\nchannel = \"\"\n", ""),
        ("rust-toolchain", "..\n", ".."),
    ] {
        let _ = std::fs::remove_file(project.join("rust-toolchain.toml"));
        let _ = std::fs::remove_file(project.join("rust-toolchain"));
        std::fs::write(project.join(file), text).unwrap();
        let r = proxy(&project, None, None);
        let r = r.fails(2, &[file]);
        assert!(r.stderr.contains(&format!("'{value}'")) || value.is_empty(), "{file}: {}", r.stderr);
        assert_eq!(snapshot(&sb.rustup_home), before, "{file} {text:?} changed RUSTUP_HOME");
    }
}

/// `settings.toml` has one writer, which keeps what it does not change: a comment, an unknown
/// key and the order of keys survive `toolchain install`, `default`, `override set` and `update`
/// (an older second writer rewrote the file through a plain TOML table on the first install).
#[test]
fn settings_keep_comments_and_unknown_keys_through_every_writer() {
    use crate::support::dist::script;
    use crate::support::{Scenario, served};
    let mut server = served(Scenario::stable());
    let url = server.url.clone();
    let sb = Sandbox::new();
    std::fs::create_dir_all(&sb.rustup_home).unwrap();
    let settings = sb.rustup_home.join("settings.toml");
    let head = "# managed by our provisioning; do not edit by hand\nversion = \"12\"\nprofile = \"minimal\"\nfleet_id = 42\n";
    std::fs::write(&settings, head).unwrap();
    let tcup = |args: &[&str]| run(sb.tcup(&url).current_dir(sb.dir.path()).env("RUSTUP_AUTO_INSTALL", "0").args(args)).ok();
    let kept = |after: &str| {
        let text = std::fs::read_to_string(&settings).unwrap();
        assert!(text.starts_with(head), "after {after}, settings.toml lost its head:\n{text}");
        text
    };
    tcup(&["toolchain", "install", "stable"]);
    assert!(kept("toolchain install").contains(&format!("default_toolchain = \"stable-{HOST}\"")));
    tcup(&["default", "stable"]);
    kept("default");
    let project = sb.dir.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    tcup(&["override", "set", "stable", "--path", project.to_str().unwrap()]);
    assert!(kept("override set").contains("[overrides]"));
    let mut data = script("rustfmt");
    data.extend_from_slice(b"# a new release\n");
    server.dist.comp_mut("rustfmt-preview").files[0].1 = data;
    server.dist.write(server.root());
    let r = tcup(&["update"]);
    assert!(r.stdout.contains("updated"), "{}", r.stdout);
    kept("update");
}
