//! Messages and exit codes a user meets first (issue 12): usage errors before any download,
//! "did you mean", `file://` errors, what a mirror holds.

use std::process::{Command, Stdio};

use crate::support::server::{Fault, Server};
use crate::support::{HOST, Sandbox, Scenario, served, transcript};

#[test]
fn a_profile_typo_is_a_usage_error_before_any_download() {
    let server = served(Scenario::stable());
    let sb = Sandbox::new();
    let r = sb
        .run(&server.url, &["toolchain", "install", "stable", "--profile", "minimul"])
        .fails(2, &["unknown profile 'minimul'; did you mean 'minimal'?", "minimal, default, complete"]);
    assert_eq!(
        transcript(&r.stderr, &sb, &server.url),
        "error: unknown profile 'minimul'; did you mean 'minimal'? available profiles: minimal, default, complete\n"
    );
    assert!(server.log().is_empty(), "nothing downloaded: {:?}", server.log());
}

#[test]
fn component_and_target_typos_suggest_and_exit_2_before_archives() {
    let server = served(Scenario::stable());
    let sb = Sandbox::new();
    let r = sb.run(&server.url, &["install", "stable", "-c", "rustfmtt"]).fails(2, &["component 'rustfmtt'", "did you mean 'rustfmt'?"]);
    let synced = concat!(
        "info: syncing channel updates for 'stable-<host>'\n",
        "warning: channel-rust-stable.toml is not signed: no .asc on the dist server\n",
    );
    assert_eq!(
        transcript(&r.stderr, &sb, &server.url),
        format!(
            "{synced}error: <dist>/dist/channel-rust-stable.toml: component 'rustfmtt' is not available for <host> in this release; \
             did you mean 'rustfmt'? available components: cargo, clippy, rust-docs, rust-src, rust-std, rustc, rustfmt\n"
        )
    );
    let r = sb.run(&server.url, &["install", "stable", "-t", "aarch64-unknown-linux-gnux"]);
    let r = r.fails(2, &["target 'aarch64-unknown-linux-gnux'", "did you mean 'aarch64-unknown-linux-gnu'?"]);
    assert_eq!(r.stderr.lines().count(), 3, "syncing, the unsigned-manifest warning, then one error line: {}", r.stderr);
    assert!(transcript(&r.stderr, &sb, &server.url).starts_with(synced), "{}", r.stderr);
    assert_eq!(server.hits(".tar.gz") + server.hits(".tar.xz") + server.hits(".tar.zst"), 0, "no archive fetched");
}

#[test]
fn file_urls_say_no_such_file_and_what_is_wrong() {
    let sb = Sandbox::new();
    let missing = sb.dir.path().join("no-mirror");
    let url = format!("file://{}", missing.display());
    let r = sb.run(&url, &["install", "stable"]);
    let r = r.fails(1, &["no such file", &format!("{}/dist/channel-rust-stable.toml.sha256", missing.display())]);
    assert!(!r.stderr.contains("HTTP 0"), "{}", r.stderr);
    assert_eq!(
        transcript(&r.stderr, &sb, &url),
        concat!(
            "info: syncing channel updates for 'stable-<host>'\n",
            "error: no usable channel manifest for toolchain 'stable': downloading <dist>/dist/channel-rust-stable.toml.sha256 ",
            "failed (file): no such file: <home>/no-mirror/dist/channel-rust-stable.toml.sha256\n",
        )
    );
    let r = sb
        .run("file://mirror.example/srv/rust", &["install", "stable"])
        .fails(1, &["file://mirror.example/srv/rust", "names host 'mirror.example'", "file:///srv/rust"]);
    assert_eq!(
        transcript(&r.stderr, &sb, "file://mirror.example/srv/rust"),
        concat!(
            "info: syncing channel updates for 'stable-<host>'\n",
            "error: no usable channel manifest for toolchain 'stable': downloading <dist>/dist/channel-rust-stable.toml.sha256 ",
            "failed (file): the URL names host 'mirror.example', but file:// URLs read this machine's files: ",
            "write file:///srv/rust/dist/channel-rust-stable.toml.sha256 (three slashes)\n",
        )
    );
}

#[test]
fn a_mirror_advertises_only_what_it_holds() {
    let origin = served(Scenario::stable());
    let sb = Sandbox::new();
    sb.run(&origin.url, &["install", "stable", "--profile", "minimal"]).ok();
    let mirror = tempfile::tempdir().unwrap();
    let tc = sb.toolchain(&format!("stable-{HOST}"));
    let packed =
        sb.run(&origin.url, &["mirror", "pack", "--toolchain", tc.to_str().unwrap(), "--out", mirror.path().to_str().unwrap()]).ok();
    // Sizes per format, not their sum.
    let line = packed.stderr.lines().find(|l| l.starts_with(&format!("info: packed rustc-{HOST} ("))).unwrap();
    assert!(line.contains("xz ") && line.contains(", gz ") && line.contains(" MiB"), "{line}");
    let packed_mirror = Server::http(mirror.path());
    let fresh = Sandbox::new();
    fresh
        .run(&packed_mirror.url, &["install", "stable", "--profile", "minimal", "-t", "aarch64-unknown-linux-gnu"])
        .fails(2, &["target 'aarch64-unknown-linux-gnu' is not in this mirror", &format!("it holds {HOST}")]);
    fresh.run(&packed_mirror.url, &["install", "stable", "-c", "rust-docs"]).fails(2, &["component 'rust-docs' is not in this mirror"]);
    assert_eq!(packed_mirror.hits(".tar.gz") + packed_mirror.hits(".tar.xz"), 0, "failed before any archive: {:?}", packed_mirror.log());
    fresh.run(&packed_mirror.url, &["install", "stable", "--profile", "minimal"]).ok();
}

#[test]
fn ctrl_c_exits_130_says_what_is_left_and_the_next_run_cleans_up() {
    use std::io::BufRead;
    let server = served(Scenario::stable());
    // rustc arrives a KiB at a time: the install is surely mid-download when interrupted.
    server.fault(&server.archive("rustc", "xz"), Fault::Drip(1024, std::time::Duration::from_millis(100)));
    let sb = Sandbox::new();
    let mut child = sb.tcup(&server.url).args(["install", "stable"]).stderr(Stdio::piped()).spawn().unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    while !seen.contains("info: installing ") {
        assert!(stderr.read_line(&mut seen).unwrap() > 0, "tcup ended early: {seen}");
    }
    // Wait for the first finished component: the download cache and staging exist by then.
    while !seen.contains("info: installed ") {
        assert!(stderr.read_line(&mut seen).unwrap() > 0, "tcup ended early: {seen}");
    }
    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-INT", &pid]).status().unwrap().success());
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{seen}{rest}");
    let tmp = sb.rustup_home.join("tmp");
    assert!(
        rest.contains(&format!("interrupted: left a staging directory in {}", tmp.display()))
            && rest.contains("the next run resumes the downloads"),
        "{rest}"
    );
    // Components may finish between the read and the signal; then one line and nothing after.
    let last: Vec<&str> = rest.lines().filter(|l| !l.starts_with("info: installed ")).collect();
    assert_eq!(last.len(), 1, "one line: {rest}");
    assert!(rest.trim_end().ends_with(last[0]), "{rest}");
    assert!(!sb.tmp_entries().is_empty(), "staging is where the message says");
    server.clear_faults();
    let again = sb.run(&server.url, &["install", "stable"]).ok();
    assert!(
        again.stderr.contains(&format!("info: removed 1 staging directory left by an interrupted run in {}", tmp.display())),
        "{}",
        again.stderr
    );
}

#[test]
fn help_lists_global_options_once_and_names_arguments_alike() {
    let sb = Sandbox::new();
    let top = sb.run("http://127.0.0.1:9", &["--help"]).ok().stdout;
    assert_eq!(top.matches("--backends").count(), 1, "{top}");
    assert!(top.contains("Global options") && top.contains("-q, --quiet") && top.contains("-v, --verbose"), "{top}");
    for args in [&["toolchain", "install", "--help"][..], &["init", "--help"], &["mirror", "pack", "--help"], &["doctor", "--help"]] {
        let help = sb.run("http://127.0.0.1:9", args).ok().stdout;
        assert!(!help.contains("--backends") && !help.contains("--quiet") && !help.contains("--verbose"), "{args:?}:\n{help}");
    }
    for args in [&["toolchain", "install", "--help"][..], &["init", "--help"]] {
        let help = sb.run("http://127.0.0.1:9", args).ok().stdout;
        for name in ["-c, --component <COMPONENT>", "-t, --target <TARGET>", "--profile <PROFILE>"] {
            assert!(help.contains(name), "{args:?} lacks {name}:\n{help}");
        }
    }
    // Still accepted anywhere.
    sb.run("http://127.0.0.1:9", &["toolchain", "list", "-q"]).ok();
    sb.run("http://127.0.0.1:9", &["-v", "toolchain", "list"]).ok();
}

#[test]
fn doctor_labels_latency_measures_throughput_on_a_large_file_and_skips_backends_for_files() {
    let server = served(Scenario::stable());
    let sb = Sandbox::new();
    let small = sb.run(&server.url, &["doctor"]).ok().stdout;
    assert!(small.contains("(latency)") && small.contains("too small to measure throughput"), "{small}");
    assert!(!small.contains("MiB/s"), "{small}");
    // A manifest over 1 MiB (a long comment): now a rate means something.
    server.dist.write_manifest(server.root(), &format!("{}\n# {}\n", server.manifest, "x".repeat(1_200_000)));
    let large = sb.run(&server.url, &["doctor"]).ok().stdout;
    assert_eq!(large.lines().filter(|l| l.contains(" ok ") && l.contains(" MiB/s")).count(), 3, "{large}");
    assert!(!large.contains("(latency)"), "{large}");
    // file://: no backend runs; the file is checked.
    let local = sb.run(&format!("file://{}", server.root().display()), &["doctor"]).ok().stdout;
    assert!(local.contains("no download backend is involved") && local.contains("readable"), "{local}");
    assert!(!local.contains("rustls") && !local.contains("native-tls"), "{local}");
    let gone = sb.dir.path().join("gone");
    sb.run(&format!("file://{}", gone.display()), &["doctor"]).fails(1, &[&gone.display().to_string()]);
}
