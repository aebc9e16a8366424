//! Identical toolchains share components (issue 20): `stable` and `1.95.0` published from the
//! same archives. The second install downloads no archive and its files are the first one's
//! inodes; uninstalling either leaves the other whole; a change to a shared file shows in
//! `toolchain verify` of both; a damaged donor is not used.

use std::os::unix::fs::MetadataExt;

use crate::support::{HOST, Sandbox, Scenario, served};

/// One release published as both `stable` and `1.95.0` (the same archives, hash for hash).
fn two_channels() -> Scenario {
    Scenario::channels(&["stable", "1.95.0"])
}

fn ino(path: &std::path::Path) -> u64 {
    std::fs::metadata(path).unwrap().ino()
}

#[test]
fn a_second_toolchain_from_the_same_archives_downloads_nothing_and_shares_inodes() {
    let server = served(two_channels());
    let sb = Sandbox::new();
    let url = &server.url;
    sb.run(url, &["toolchain", "install", "stable", "--profile", "minimal"]).ok();
    let before = server.log().len();
    let r = sb.run(url, &["-v", "toolchain", "install", "1.95.0", "--profile", "minimal"]).ok();
    assert_eq!(server.archives_since(before), Vec::<String>::new(), "no archive downloaded:\n{}", r.stderr);
    assert!(r.stderr.contains(&format!("info: linked 3 components from stable-{HOST} (same archives)\n")), "{}", r.stderr);
    assert!(r.stderr.contains(&format!("hard-linked from stable-{HOST}: rustc-{HOST}, cargo-{HOST}, rust-std-{HOST}")), "{}", r.stderr);
    let (stable, pinned) = (sb.toolchain(&format!("stable-{HOST}")), sb.toolchain(&format!("1.95.0-{HOST}")));
    assert_eq!(ino(&stable.join("bin/rustc")), ino(&pinned.join("bin/rustc")), "one file, two names");
    // The receipts are the new toolchain's own: rustup's component list and tcup's record.
    let components = std::fs::read_to_string(pinned.join("lib/rustlib/components")).unwrap();
    assert!(components.lines().any(|l| l == format!("rustc-{HOST}")), "{components}");
    for tc in ["stable", "1.95.0"] {
        let v = sb.run(url, &["toolchain", "verify", tc]).ok();
        assert!(v.stdout.contains("every file as installed"), "{tc}: {}", v.stdout);
    }
    let list = sb.run(url, &["toolchain", "list", "-v"]).ok().stdout;
    let line = list.lines().find(|l| l.starts_with("1.95.0-")).unwrap_or_default();
    assert!(line.ends_with(&format!("(shares cargo-{HOST}, rust-std-{HOST}, rustc-{HOST} with stable-{HOST})")), "{list}");

    // Uninstalling one unlinks only its names.
    sb.run(url, &["toolchain", "uninstall", "stable"]).ok();
    assert!(!stable.exists());
    let v = sb.run(url, &["toolchain", "verify", "1.95.0"]).ok();
    assert!(v.stdout.contains("every file as installed"), "{}", v.stdout);
    let out = crate::support::run(std::process::Command::new(pinned.join("bin/rustc")).arg("--version")).ok();
    assert!(out.stdout.contains("1.95.0"), "{}", out.stdout);
}

#[test]
fn a_change_to_a_shared_file_shows_in_both_and_a_damaged_donor_is_not_used() {
    let server = served(two_channels());
    let url = &server.url;
    let sb = Sandbox::new();
    sb.run(url, &["toolchain", "install", "stable", "--profile", "minimal"]).ok();
    sb.run(url, &["toolchain", "install", "1.95.0", "--profile", "minimal"]).ok();
    let rustc = sb.toolchain(&format!("stable-{HOST}")).join("bin/rustc");
    let mut data = std::fs::read(&rustc).unwrap();
    data.push(b'#');
    // Written in place (the same inode), as an editor that truncates and rewrites would.
    std::fs::write(&rustc, &data).unwrap();
    for tc in ["stable", "1.95.0"] {
        let v = sb.run(url, &["toolchain", "verify", tc]);
        assert_eq!(v.code, 1, "{tc}: {v:?}");
        assert!(v.stdout.contains("bin/rustc"), "{tc} names the changed file: {}", v.stdout);
    }

    // A third home-mate from a damaged donor downloads instead of linking the damage.
    let sb2 = Sandbox::new();
    sb2.run(url, &["toolchain", "install", "stable", "--profile", "minimal"]).ok();
    let donor = sb2.toolchain(&format!("stable-{HOST}")).join("bin/rustc");
    std::fs::write(&donor, b"damaged").unwrap();
    let before = server.log().len();
    let r = sb2.run(url, &["toolchain", "install", "1.95.0", "--profile", "minimal"]).ok();
    assert!(server.archives_since(before).iter().any(|p| p.contains("rustc-")), "rustc downloaded again:\n{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("info: linked 2 components from stable-{HOST} (same archives)")),
        "cargo and rust-std are intact:\n{}",
        r.stderr
    );
    assert_ne!(ino(&donor), ino(&sb2.toolchain(&format!("1.95.0-{HOST}")).join("bin/rustc")));
}
