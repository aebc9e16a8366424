//! Hostile links (issue 28.1, docs/design.md install-3): an archive from an unsigned `file://`
//! mirror, under the default `auto` policy, cannot create, move or delete anything outside its
//! toolchain directory, and no link is followed while files are placed. Each test builds the
//! hostile archive itself, keeps a "victim" directory beside the home (a 0600 secret, a
//! subdirectory), and asserts exit 1, a message naming the entry, the victim byte for byte
//! unchanged and `toolchains/` unchanged.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use crate::support::dist::{Dist, Entry};
use crate::support::{HOST, Sandbox};

/// Every entry below `dir`: relative path → kind, mode and contents (or link target).
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries {
            let p = e.unwrap().path();
            let m = std::fs::symlink_metadata(&p).unwrap();
            let what = if m.is_symlink() {
                format!("link {}", std::fs::read_link(&p).unwrap().display())
            } else if m.is_dir() {
                stack.push(p.clone());
                format!("dir {:o}", m.permissions().mode())
            } else {
                format!("file {:o} {:?}", m.permissions().mode(), std::fs::read(&p).unwrap())
            };
            out.insert(p.strip_prefix(dir).unwrap().to_owned(), what);
        }
    }
    out
}

/// A sandbox with a victim directory beside its home and a mirror directory for the test.
struct Scene {
    sb: Sandbox,
    victim: PathBuf,
    mirror: PathBuf,
}

impl Scene {
    fn new() -> Scene {
        let sb = Sandbox::new();
        let victim = sb.dir.path().join("victim");
        std::fs::create_dir_all(victim.join("sub")).unwrap();
        std::fs::write(victim.join("secret"), "the victim's secret\n").unwrap();
        std::fs::set_permissions(victim.join("secret"), std::fs::Permissions::from_mode(0o600)).unwrap();
        std::fs::write(victim.join("sub/kept"), "kept\n").unwrap();
        let mirror = sb.dir.path().join("mirror");
        Scene { sb, victim, mirror }
    }

    fn url(&self) -> String {
        format!("file://{}", self.mirror.display())
    }

    /// Serves `dist` from the `file://` mirror, runs `tcup ARGS`, and asserts exit 1 with every
    /// needle in the output, the victim and `toolchains/` as they were.
    fn refused(&self, dist: &Dist, args: &[&str], needles: &[&str]) -> String {
        let _ = std::fs::remove_dir_all(&self.mirror);
        dist.write(&self.mirror);
        let (victim, toolchains) = (snapshot(&self.victim), snapshot(&self.sb.rustup_home.join("toolchains")));
        let run = self.sb.run(&self.url(), args).fails(1, needles);
        assert_eq!(snapshot(&self.victim), victim, "the victim directory changed");
        assert_eq!(snapshot(&self.sb.rustup_home.join("toolchains")), toolchains, "toolchains/ changed");
        assert!(self.sb.tmp_entries().is_empty(), "staging left behind: {:?}", self.sb.tmp_entries());
        run.stderr
    }
}

/// The standard release with `evil` appended to the cargo archive (`{top}` and `{comp}` filled in).
fn with_cargo_entries(evil: &[Entry]) -> Dist {
    let mut dist = Dist::standard(HOST);
    let cargo = dist.comp_mut("cargo");
    let (top, comp) = (cargo.base(), cargo.name());
    let fill = |s: &str| s.replace("{top}", &top).replace("{comp}", &comp);
    cargo.evil = evil.iter().map(|e| e.map_paths(fill)).collect();
    cargo.extra = crate::support::dist::Extra::None;
    dist
}

fn manifest_in(lines: &str) -> Entry {
    Entry::File("{top}/{comp}/manifest.in".into(), lines.as_bytes().to_vec(), 0o644)
}

/// (a) `etc/a/b/c/up -> ../../..` lands on `etc`; `etc/pwned -> a/b/c/up/../../../../victim`
/// stays inside as text but, followed, climbs from `etc` four levels: out of the home, to the
/// victim. Placing follows it through the link already in the tree and refuses it.
#[test]
fn a_link_through_an_ancestor_link_is_resolved_not_read_as_text() {
    let scene = Scene::new();
    let dist = with_cargo_entries(&[
        Entry::Dir("{top}/{comp}/etc/a/b/c/".into()),
        Entry::Symlink("{top}/{comp}/etc/a/b/c/up".into(), "../../..".into()),
        Entry::Symlink("{top}/{comp}/etc/pwned".into(), "a/b/c/up/../../../../victim".into()),
        manifest_in("file:bin/cargo\ndir:etc\n"),
    ]);
    scene.refused(
        &dist,
        &["install", "stable", "--profile", "minimal"],
        &["installs the symbolic link 'etc/pwned' -> 'a/b/c/up/../../../../victim', which is refused: it leads out of the toolchain directory"],
    );
}

/// (b) Component A (cargo) places a link to the victim and component B (rustc) lists a file
/// below it: whichever is placed first, the install fails naming `lib/x`, and nothing is
/// written through the link.
#[test]
fn a_component_cannot_write_through_another_components_link() {
    let scene = Scene::new();
    let mut dist = with_cargo_entries(&[
        Entry::Dir("{top}/{comp}/lib/".into()),
        Entry::Symlink("{top}/{comp}/lib/x".into(), "../../../../victim".into()),
        manifest_in("file:bin/cargo\nfile:lib/x\n"),
    ]);
    let rustc = dist.comp_mut("rustc");
    rustc.files.push(("lib/x/evil".into(), b"#!/bin/sh\necho pwned\n".to_vec(), 0o755));
    scene.refused(&dist, &["install", "stable", "--profile", "minimal"], &["lib/x"]);
}

/// (b, deterministic) An installed component holds the link `lib/x -> ../bin` (inside the
/// toolchain, so it installs); `component add rustfmt` with `file:lib/x/evil` in its
/// `manifest.in` is refused by placing, which follows no link in the tree: nothing lands in `bin/`.
#[test]
fn a_later_component_cannot_write_through_an_installed_link() {
    let scene = Scene::new();
    let mut dist = with_cargo_entries(&[
        Entry::Dir("{top}/{comp}/lib/".into()),
        Entry::Symlink("{top}/{comp}/lib/x".into(), "../bin".into()),
        manifest_in("file:bin/cargo\nfile:lib/x\n"),
    ]);
    // rustfmt (not in the minimal profile) lists a file below cargo's link.
    let fmt = dist.comp_mut("rustfmt-preview");
    fmt.files.push(("lib/x/evil".into(), b"#!/bin/sh\necho pwned\n".to_vec(), 0o755));
    dist.write(&scene.mirror);
    scene.sb.run(&scene.url(), &["install", "stable", "--profile", "minimal"]).ok();
    let toolchain = scene.sb.toolchain(&format!("stable-{HOST}"));
    assert_eq!(std::fs::read_link(toolchain.join("lib/x")).unwrap(), Path::new("../bin"));
    let stderr = scene.refused(&dist, &["component", "add", "rustfmt"], &["installs 'lib/x/evil', which is refused", "symbolic link"]);
    assert!(stderr.contains(&format!("rustfmt-preview-{HOST}")), "{stderr}");
    assert!(!toolchain.join("bin/evil").exists());
}

/// (c) `lib/steal` in the unpack directory leads (through `up`) eight levels above `lib`: to
/// the victim beside the home. `manifest.in` lists `lib/steal/secret`: moving it would pull the
/// victim's 0600 file into the toolchain. Placing refuses the link in the source path.
#[test]
fn a_listed_path_through_a_link_cannot_move_an_outside_file_in() {
    let scene = Scene::new();
    let dist = with_cargo_entries(&[
        Entry::Dir("{top}/{comp}/lib/a/b/c/d/e/f/g/".into()),
        Entry::Symlink("{top}/{comp}/lib/a/b/c/d/e/f/g/up".into(), "../../../../../../..".into()),
        Entry::Symlink("{top}/{comp}/lib/steal".into(), "a/b/c/d/e/f/g/up/../../../../../../../../victim".into()),
        manifest_in("file:bin/cargo\nfile:lib/steal/secret\n"),
    ]);
    scene.refused(
        &dist,
        &["install", "stable", "--profile", "minimal"],
        &["installs 'lib/steal/secret', which is refused", "lib/steal/secret' passes through or is a symbolic link"],
    );
}

/// (c, the link itself) `file:lib/steal` where `lib/steal` leads to the victim's secret: the
/// link is moved as a link (never its target) and then refused as leading outside.
#[test]
fn a_listed_link_to_an_outside_file_is_refused() {
    let scene = Scene::new();
    let dist = with_cargo_entries(&[
        Entry::Dir("{top}/{comp}/lib/a/b/c/".into()),
        Entry::Symlink("{top}/{comp}/lib/a/b/c/up".into(), "../../..".into()),
        Entry::Symlink("{top}/{comp}/lib/steal".into(), "a/b/c/up/../../../../victim/secret".into()),
        manifest_in("file:bin/cargo\nfile:lib/a/b/c/up\nfile:lib/steal\n"),
    ]);
    scene.refused(
        &dist,
        &["install", "stable", "--profile", "minimal"],
        &["installs the symbolic link 'lib/steal'", "leads out of the toolchain"],
    );
}

/// (d) A file entry through a symbolic link entry of the same archive (the link leads to the
/// victim from the unpack directory): refused by name, nothing written.
#[test]
fn a_file_entry_through_a_link_entry_of_the_same_archive() {
    let scene = Scene::new();
    let dist = with_cargo_entries(&[
        Entry::Dir("{top}/{comp}/lib/a/b/c/d/e/f/g/".into()),
        Entry::Symlink("{top}/{comp}/lib/a/b/c/d/e/f/g/up".into(), "../../../../../../..".into()),
        Entry::Symlink("{top}/{comp}/lib/out".into(), "a/b/c/d/e/f/g/up/../../../../../../../../victim".into()),
        Entry::File("{top}/{comp}/lib/out/pwned".into(), b"pwned".to_vec(), 0o755),
        Entry::Dir("{top}/{comp}/lib/out/sub/".into()),
        Entry::HardLink("{top}/{comp}/lib/out/secret2".into(), "{top}/{comp}/bin/cargo".into()),
    ]);
    scene.refused(
        &dist,
        &["install", "stable", "--profile", "minimal"],
        &["archive entry '", "lib/out/pwned' is refused: it would be written through the symbolic link"],
    );
}

/// (e) `toolchain verify` reports a planted link that leads out of the toolchain (exit 1, named),
/// and calls the same toolchain intact once it is gone.
#[test]
fn verify_reports_a_link_that_leads_outside() {
    let scene = Scene::new();
    Dist::standard(HOST).write(&scene.mirror);
    scene.sb.run(&scene.url(), &["install", "stable", "--profile", "minimal"]).ok();
    let toolchain = scene.sb.toolchain(&format!("stable-{HOST}"));
    std::fs::create_dir_all(toolchain.join("lib/deep/er")).unwrap();
    std::os::unix::fs::symlink("../..", toolchain.join("lib/deep/er/up")).unwrap();
    std::os::unix::fs::symlink("deep/er/up/../../../../victim", toolchain.join("lib/planted")).unwrap();
    let run = scene.sb.run(&scene.url(), &["toolchain", "verify", "stable"]).fails(1, &["does not match what was installed"]);
    assert!(run.stdout.contains("(link): leads outside lib/planted\n"), "{}", run.stdout);
    assert!(
        run.stderr.contains("the symbolic link 'lib/planted' -> 'deep/er/up/../../../../victim' leads out of the toolchain"),
        "{}",
        run.stderr
    );
    assert!(!run.stdout.contains("lib/deep/er/up"), "a link inside is not reported: {}", run.stdout);
    std::fs::remove_file(toolchain.join("lib/planted")).unwrap();
    std::fs::remove_dir_all(toolchain.join("lib/deep")).unwrap();
    scene.sb.run(&scene.url(), &["toolchain", "verify", "stable"]).ok();
}
