//! `settings.toml` shared with every rustup in use (docs/design.md home-5, docs/rustup-compat.md):
//! rustup 1.29.0 and 1.29.1 read every file tcup writes, tcup reads every file each of them
//! writes, and a home touched by tcup never becomes one that rustup 1.29.1 refuses ("could not
//! parse settings file": `default_host_triple` and `default_host_tuple` together). And one host
//! for a toolchain (docs/design.md host-5): `set default-host` decides what `install`, `default` and the
//! proxies use.

use std::path::Path;
use std::process::Command;

use crate::support::{HOST, OFFLINE, Run, Sandbox, Scenario, run, rustups, served};

const MUSL: &str = "x86_64-unknown-linux-musl";
const I686: &str = "i686-unknown-linux-gnu";

/// rustup `bin` on `sb`'s homes, offline, with auto-install off.
fn rustup(bin: &Path, sb: &Sandbox, args: &[&str]) -> Run {
    run(sb.command(bin).env("RUSTUP_AUTO_INSTALL", "0").env("RUST_BACKTRACE", "0").args(args))
}

fn settings(sb: &Sandbox) -> String {
    std::fs::read_to_string(sb.rustup_home.join("settings.toml")).unwrap()
}

/// The `Default host:` line of `show`.
fn default_host(out: &Run) -> String {
    out.stdout.lines().find_map(|l| l.strip_prefix("Default host: ")).unwrap_or_else(|| panic!("no default host in {out:?}")).to_owned()
}

#[test]
fn each_rustup_reads_the_default_host_tcup_writes_and_tcup_reads_each_rustups() {
    for (version, bin) in rustups() {
        let sb = Sandbox::new();
        // rustup writes its key; tcup reads it.
        rustup(&bin, &sb, &["set", "default-host", MUSL]).ok();
        let key = if version == "1.29.0" { "default_host_triple" } else { "default_host_tuple" };
        assert!(settings(&sb).contains(&format!("{key} = \"{MUSL}\"")), "rustup {version} wrote:\n{}", settings(&sb));
        assert_eq!(default_host(&sb.run(OFFLINE, &["show"]).ok()), MUSL, "tcup reading rustup {version}'s file");
        // tcup writes the key the file has, never both.
        sb.run(OFFLINE, &["set", "default-host", I686]).ok();
        let text = settings(&sb);
        assert!(text.contains(&format!("{key} = \"{I686}\"")), "after rustup {version}:\n{text}");
        assert_eq!(text.matches("default_host_").count(), 1, "after rustup {version}:\n{text}");
        // Both rustups read that file; each sees the host where its version reads the key
        // (rustup 1.29.0 does not know `default_host_tuple` and falls back to detection).
        for (reader, rbin) in rustups() {
            let shown = default_host(&rustup(&rbin, &sb, &["show"]).ok());
            if reader == "1.29.0" && key == "default_host_tuple" {
                assert_eq!(shown, HOST, "rustup 1.29.0 on {text}");
            } else {
                assert_eq!(shown, I686, "rustup {reader} on the file tcup wrote after rustup {version}:\n{text}");
            }
        }
        assert_eq!(default_host(&sb.run(OFFLINE, &["show"]).ok()), I686);
    }
}

#[test]
fn a_fresh_home_gets_the_key_every_rustup_reads_and_a_broken_one_is_mended() {
    let sb = Sandbox::new();
    sb.run(OFFLINE, &["set", "default-host", MUSL]).ok();
    assert_eq!(settings(&sb), format!("version = \"12\"\ndefault_host_triple = \"{MUSL}\"\n\n[overrides]\n"));
    for (version, bin) in rustups() {
        assert_eq!(default_host(&rustup(&bin, &sb, &["show"]).ok()), MUSL, "rustup {version}");
    }
    // A file with both keys (the one older tcup wrote after rustup 1.29.1): rustup 1.29.1 refuses
    // it; tcup reads the tuple, and its next write leaves the tuple alone.
    std::fs::write(
        sb.rustup_home.join("settings.toml"),
        format!("version = \"12\"\ndefault_host_triple = \"{I686}\"\ndefault_host_tuple = \"{MUSL}\"\n"),
    )
    .unwrap();
    let (_, r1291) = &rustups()[1];
    rustup(r1291, &sb, &["show"]).fails(1, &["could not parse settings file"]);
    assert_eq!(default_host(&sb.run(OFFLINE, &["show"]).ok()), MUSL);
    sb.run(OFFLINE, &["set", "default-host", MUSL]).ok();
    assert_eq!(settings(&sb), format!("version = \"12\"\ndefault_host_tuple = \"{MUSL}\"\n\n[overrides]\n"));
    assert_eq!(default_host(&rustup(r1291, &sb, &["show"]).ok()), MUSL);
}

#[test]
fn other_settings_and_unknown_keys_survive_a_tcup_write() {
    let sb = Sandbox::new();
    std::fs::create_dir_all(&sb.rustup_home).unwrap();
    let before = format!(
        "version = \"12\"\ndefault_host_tuple = \"{HOST}\"\nauto_self_update = \"disable\"\nrelease_hint = \"1.99.0\"\nfuture = [1, 2]\n\n[overrides]\n"
    );
    std::fs::write(sb.rustup_home.join("settings.toml"), &before).unwrap();
    sb.run(OFFLINE, &["set", "profile", "minimal"]).ok();
    let after = settings(&sb);
    for kept in ["auto_self_update = \"disable\"", "release_hint = \"1.99.0\"", "future = [1, 2]", "default_host_tuple"] {
        assert!(after.contains(kept), "{kept} lost:\n{after}");
    }
    for (version, bin) in rustups() {
        assert!(rustup(&bin, &sb, &["show", "profile"]).ok().stdout.contains("minimal"), "rustup {version}");
    }
}

#[test]
fn unqualified_names_in_settings_resolve_against_the_default_host_of_either_key() {
    // rustup's next release stores `default_toolchain = "stable"` and unqualified overrides.
    let server = served(Scenario::stable().host(I686));
    for key in ["default_host_triple", "default_host_tuple"] {
        let sb = Sandbox::new();
        sb.run(&server.url, &["toolchain", "install", &format!("stable-{I686}"), "--profile", "minimal"]).ok();
        let proj = tempfile::tempdir().unwrap();
        let proj = std::fs::canonicalize(proj.path()).unwrap();
        std::fs::write(
            sb.rustup_home.join("settings.toml"),
            format!(
                "version = \"12\"\n{key} = \"{I686}\"\ndefault_toolchain = \"stable\"\n\n[overrides]\n{:?} = \"stable\"\n",
                proj.display().to_string()
            ),
        )
        .unwrap();
        let tc = format!("stable-{I686}");
        let shown = run(sb.tcup(OFFLINE).args(["show", "active-toolchain"])).ok();
        assert_eq!(shown.stdout, format!("{tc} (default)\n"), "{key}");
        let here = run(sb.tcup(OFFLINE).current_dir(&proj).args(["show", "active-toolchain"])).ok();
        assert_eq!(here.stdout, format!("{tc} (directory override for '{}')\n", proj.display()), "{key}");
        assert_eq!(run(sb.tcup(OFFLINE).args(["default"])).ok().stdout, format!("{tc} (default)\n"), "{key}");
    }
}

#[test]
fn install_default_and_the_proxies_follow_set_default_host() {
    // The case of issue 27 item 3: `set default-host i686…`, then `toolchain install stable`
    // installs `stable-i686-…` (as rustup does), `default stable` names it, and a proxy runs it
    // without installing a second toolchain.
    let server = served(Scenario::stable().host(I686));
    let sb = Sandbox::new();
    sb.run(&server.url, &["set", "default-host", I686]).ok();
    let out = sb.run(&server.url, &["toolchain", "install", "stable", "--profile", "minimal"]).ok();
    let tc = format!("stable-{I686}");
    assert!(out.stderr.contains(&format!("toolchain '{tc}' installed")), "{}", out.stderr);
    assert!(!out.stderr.contains("may not run here"), "a host the settings chose is not a surprise:\n{}", out.stderr);
    assert_eq!(sb.toolchains(), vec![tc.clone()]);
    let set = sb.run(&server.url, &["default", "stable"]).ok();
    assert!(set.stderr.contains(&format!("default toolchain set to {tc}")), "{}", set.stderr);
    let manifests = server.hits("channel-rust-stable.toml");
    let bin = sb.cargo_home.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_tcup-proxy"), bin.join("rustc")).unwrap();
    let ran = run(Command::new(bin.join("rustc"))
        .env_clear()
        .envs(sb.tcup(&server.url).get_envs().filter_map(|(k, v)| Some((k, v?))))
        .arg("--version"));
    assert_eq!(ran.ok().stdout, "rustc 1.95.0 (synthetic)\n");
    assert_eq!(sb.toolchains(), vec![tc.clone()], "the proxy installed a second toolchain");
    assert_eq!(server.hits("channel-rust-stable.toml"), manifests, "the proxy fetched a manifest");
    // `install` again is an update of the same toolchain, and `--host` or a full name still win.
    sb.run(&server.url, &["toolchain", "install", "stable"]).ok();
    assert_eq!(sb.toolchains(), vec![tc.clone()]);
    sb.run(&server.url, &["toolchain", "install", &format!("stable-{I686}"), "--host", MUSL]).fails(2, &[I686, MUSL]);
    assert_eq!(sb.toolchains(), vec![tc]);
}
