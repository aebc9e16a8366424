//! Hostile archives (docs/design.md install-3): each is refused with an error naming the entry,
//! nothing is written outside the staging directory, and no toolchain appears.

use crate::support::dist::{Comp, Entry, Extra};
use crate::support::{HOST, Sandbox, Scenario, served};

/// Installs a minimal toolchain whose cargo archive also carries `evil` (paths may use `{top}`,
/// `{comp}` and `{outside}`); asserts the refusal and that no `pwned*` file exists anywhere in the sandbox.
fn refused(evil: &[Entry], needle: &str) {
    let sb = Sandbox::new();
    let outside = sb.dir.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    let cargo = Comp::new("cargo", HOST);
    let (top, comp) = (cargo.base(), cargo.name());
    let fill = |s: &str| s.replace("{top}", &top).replace("{comp}", &comp).replace("{outside}", &outside.display().to_string());
    let evil: Vec<Entry> = evil.iter().map(|e| e.map_paths(fill)).collect();
    let server = served(Scenario::stable().edit(move |dist| {
        let cargo = dist.comp_mut("cargo");
        cargo.evil = evil;
        cargo.extra = Extra::None;
    }));
    let needle = fill(needle);
    sb.run(&server.url, &["install", "stable", "--profile", "minimal"]).fails(1, &["is refused", &needle]);
    assert!(sb.toolchains().is_empty(), "no toolchain: {:?}", sb.toolchains());
    assert!(sb.tmp_entries().is_empty(), "staging removed: {:?}", sb.tmp_entries());
    let mut stack = vec![sb.dir.path().to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            assert!(!e.file_name().to_string_lossy().starts_with("pwned"), "written outside staging: {}", e.path().display());
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            }
        }
    }
}

#[test]
fn absolute_path() {
    refused(
        &[Entry::File("{outside}/pwned".into(), b"x".to_vec(), 0o644)],
        "archive entry '{outside}/pwned' is refused: its path is absolute",
    );
}

#[test]
fn parent_components() {
    refused(
        &[Entry::File("{top}/../../../../pwned".into(), b"x".to_vec(), 0o644)],
        "archive entry '{top}/../../../../pwned' is refused: its path contains '..'",
    );
}

#[test]
fn symlink_out_of_the_component() {
    refused(
        &[Entry::Symlink("{top}/{comp}/bin/pwned".into(), "../../../../../outside".into())],
        "symbolic link to '../../../../../outside' points outside its component",
    );
    refused(&[Entry::Symlink("{top}/{comp}/bin/pwned".into(), "/etc/passwd".into())], "symbolic link to the absolute path '/etc/passwd'");
}

#[test]
fn write_through_a_symlink() {
    refused(
        &[Entry::Symlink("{top}/{comp}/link".into(), "bin".into()), Entry::File("{top}/{comp}/link/pwned".into(), b"x".to_vec(), 0o644)],
        "archive entry '{top}/{comp}/link/pwned' is refused: it would be written through the symbolic link '{top}/{comp}/link'",
    );
}

#[test]
fn hard_link_out_of_the_component() {
    refused(
        &[Entry::HardLink("{top}/{comp}/bin/pwned".into(), "/etc/passwd".into())],
        "hard link to '/etc/passwd' points outside its component",
    );
    refused(
        &[Entry::HardLink("{top}/{comp}/bin/pwned".into(), "{top}/components".into())],
        "hard link to '{top}/components' points outside its component '{top}/{comp}'",
    );
}

#[test]
fn fifo_and_device_nodes() {
    refused(&[Entry::Fifo("{top}/{comp}/bin/pwned".into())], "archive entry '{top}/{comp}/bin/pwned' is refused: unsupported entry type");
}
