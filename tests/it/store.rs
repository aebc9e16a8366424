//! A shared read-only toolchain store (issue 31, docs/store.md): a second home installs from the
//! first home's toolchains (`TCUP_TOOLCHAIN_STORE`) with no archive downloaded, sharing inodes
//! when no one else can write the store's files and copying when others can; a store toolchain
//! with a changed file is not used; the store is never written; `toolchain verify --adopt` gives a
//! toolchain rustup installed tcup's record after comparing it with the archives, and refuses a
//! changed one.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::support::{HOST, Run, Sandbox, Scenario, run, rustup, rustup_cmd, served};

fn meta(path: &Path) -> std::fs::Metadata {
    std::fs::symlink_metadata(path).unwrap()
}

/// `tcup ARGS` in `sb` against `url`, with `store` as `TCUP_TOOLCHAIN_STORE`.
fn with_store(sb: &Sandbox, url: &str, store: &Path, args: &[&str]) -> Run {
    run(sb.tcup(url).env("TCUP_TOOLCHAIN_STORE", store).args(args))
}

/// Every regular file below `dir`, with its inode, length, mode and modification time: what
/// "the store was not written" compares.
fn snapshot(dir: &Path) -> Vec<(PathBuf, u64, u64, u32, i64)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let m = meta(&p);
            if m.is_dir() {
                stack.push(p);
            } else {
                out.push((p, m.ino(), m.len(), m.mode(), m.mtime()));
            }
        }
    }
    out.sort();
    out
}

fn stable() -> String {
    format!("stable-{HOST}")
}

#[test]
fn a_second_home_installs_from_the_first_homes_toolchains_without_downloading_and_shares_inodes() {
    let server = served(Scenario::stable());
    let url = &server.url;
    let (first, second) = (Sandbox::new(), Sandbox::new());
    first.run(url, &["toolchain", "install", "stable", "--profile", "minimal"]).ok();
    let store = first.rustup_home.join("toolchains");
    let before_store = snapshot(&store);
    let before = server.log().len();
    let r = with_store(&second, url, &store, &["-v", "toolchain", "install", "stable", "--profile", "minimal"]).ok();
    assert_eq!(server.archives_since(before), Vec::<String>::new(), "no archive downloaded:\n{}", r.stderr);
    let from = store.join(stable());
    assert!(r.stderr.contains(&format!("info: took 3 components from the store toolchain {}\n", from.display())), "{}", r.stderr);
    assert!(r.stderr.contains(" hard-linked, 0 reflinked, 0 copied; every one checked (length, CRC-32)"), "{}", r.stderr);
    let mine = second.toolchain(&stable());
    assert_eq!(meta(&from.join("bin/rustc")).ino(), meta(&mine.join("bin/rustc")).ino(), "one inode in the store and the home");
    let out = run(std::process::Command::new(mine.join("bin/rustc")).arg("--version")).ok();
    assert!(out.stdout.contains("1.95.0"), "{}", out.stdout);
    second.run(url, &["toolchain", "verify", "stable"]).ok();

    // list names what came from the store, per component.
    let list = second.run(url, &["--format", "json", "toolchain", "list"]).ok().stdout;
    let doc: serde_json::Value = serde_json::from_str(&list).unwrap();
    let from_store = &doc["toolchains"][0]["from_store"];
    let names: Vec<&str> = from_store.as_array().unwrap().iter().map(|e| e["component"].as_str().unwrap()).collect();
    assert_eq!(names, [format!("rustc-{HOST}"), format!("cargo-{HOST}"), format!("rust-std-{HOST}")], "{list}");
    assert_eq!(from_store[0]["path"].as_str().unwrap(), from.to_str().unwrap(), "{list}");
    let first_list = first.run(url, &["--format", "json", "toolchain", "list"]).ok().stdout;
    let first_doc: serde_json::Value = serde_json::from_str(&first_list).unwrap();
    assert_eq!(first_doc["toolchains"][0]["from_store"], serde_json::json!([]), "{first_list}");

    // The store was not written; removing the second home's toolchain leaves it whole.
    second.run(url, &["toolchain", "uninstall", "stable"]).ok();
    assert_eq!(snapshot(&store), before_store, "the store is read, never written");
    first.run(url, &["toolchain", "verify", "stable"]).ok();
}

#[test]
fn a_store_toolchain_with_a_changed_file_is_not_used_and_that_component_is_downloaded() {
    let server = served(Scenario::stable());
    let url = &server.url;
    let (first, second) = (Sandbox::new(), Sandbox::new());
    first.run(url, &["toolchain", "install", "stable", "--profile", "minimal"]).ok();
    let store = first.rustup_home.join("toolchains");
    // Same length, other bytes: only the CRC-32 tells.
    let rustc = store.join(stable()).join("bin/rustc");
    let mut data = std::fs::read(&rustc).unwrap();
    let last = data.len() - 2;
    data[last] ^= 0x20;
    std::fs::write(&rustc, &data).unwrap();
    let before = server.log().len();
    let r = with_store(&second, url, &store, &["toolchain", "install", "stable", "--profile", "minimal"]).ok();
    assert_eq!(server.archives_since(before).len(), 1, "rustc alone downloaded:\n{}", r.stderr);
    assert!(server.archives_since(before)[0].contains("rustc-"), "{:?}", server.archives_since(before));
    assert!(
        r.stderr.contains(&format!(
            "warning: not using rustc-{HOST} from {} (store): 1 changed and 0 missing files against the store's record (first: bin/rustc); downloading it",
            store.join(stable()).display()
        )),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("info: took 2 components from the store toolchain"), "{}", r.stderr);
    let mine = second.toolchain(&stable()).join("bin/rustc");
    assert_ne!(meta(&mine).ino(), meta(&rustc).ino());
    assert_ne!(std::fs::read(&mine).unwrap(), data, "the damage is not carried over");
    second.run(url, &["toolchain", "verify", "stable"]).ok();
    assert_eq!(std::fs::read(&rustc).unwrap(), data, "the store is not repaired either: tcup never writes it");
}

#[test]
fn a_store_whose_files_others_can_write_is_copied_not_linked() {
    let server = served(Scenario::stable());
    let url = &server.url;
    let (first, second) = (Sandbox::new(), Sandbox::new());
    first.run(url, &["toolchain", "install", "stable", "--profile", "minimal"]).ok();
    let store = first.rustup_home.join("toolchains");
    for (path, ..) in snapshot(&store.join(stable())) {
        let mode = meta(&path).mode() & 0o777;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode | 0o022)).unwrap();
    }
    let before = server.log().len();
    let r = with_store(&second, url, &store, &["toolchain", "install", "stable", "--profile", "minimal"]).ok();
    assert_eq!(server.archives_since(before), Vec::<String>::new(), "no archive downloaded:\n{}", r.stderr);
    assert!(r.stderr.contains("files: 0 hard-linked, "), "nothing shared with a file others can write:\n{}", r.stderr);
    for (path, ino, ..) in snapshot(&second.toolchain(&stable())) {
        let rel = path.strip_prefix(second.toolchain(&stable())).unwrap();
        if let Ok(theirs) = std::fs::symlink_metadata(store.join(stable()).join(rel)) {
            assert_ne!(theirs.ino(), ino, "{} is a copy", rel.display());
        }
        assert_eq!(meta(&path).mode() & 0o022, 0, "{} is writable by its owner only", rel.display());
    }
    second.run(url, &["toolchain", "verify", "stable"]).ok();
}

#[test]
fn verify_adopt_records_a_toolchain_rustup_installed_after_comparing_it_and_refuses_a_changed_one() {
    let server = served(Scenario::stable());
    let url = &server.url;
    let sb = Sandbox::new();
    run(rustup_cmd(&rustup(), &sb, url).args(["toolchain", "install", "stable", "--profile", "minimal", "--no-self-update"])).ok();
    let tc = sb.toolchain(&stable());
    let record = tc.join("lib/rustlib/tcup-receipt");
    assert!(!record.exists());

    // A changed file: refused, named, nothing written.
    let cargo = tc.join("bin/cargo");
    let original = std::fs::read(&cargo).unwrap();
    std::fs::write(&cargo, b"not cargo").unwrap();
    let before = server.log().len();
    let r = sb.run(url, &["toolchain", "verify", "--adopt", "stable"]);
    let r = r.fails(1, &[&format!("cargo-{HOST}: changed {}", cargo.display()), "nothing recorded"]);
    assert!(!record.exists(), "no record written:\n{}", r.stderr);
    assert_eq!(server.archives_since(before).len(), 3, "every archive downloaded again: {:?}", server.archives_since(before));
    std::fs::write(&cargo, &original).unwrap();
    std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).unwrap();

    let r = sb.run(url, &["toolchain", "verify", "--adopt", "stable"]).ok();
    assert!(r.stderr.contains(&format!("info: recorded '{}': 3 components, every file as in its archive (", stable())), "{}", r.stderr);
    assert!(record.is_file());
    sb.run(url, &["toolchain", "verify", "stable"]).ok();
    assert!(sb.tmp_entries().is_empty(), "{:?}", sb.tmp_entries());

    // Now it serves as a store.
    let other = Sandbox::new();
    let before = server.log().len();
    with_store(&other, url, &sb.rustup_home.join("toolchains"), &["toolchain", "install", "stable", "--profile", "minimal"]).ok();
    assert_eq!(server.archives_since(before), Vec::<String>::new());
    assert_eq!(meta(&tc.join("bin/rustc")).ino(), meta(&other.toolchain(&stable()).join("bin/rustc")).ino());
}
