//! Issue 10: the archive format tcup downloads (forced with `TCUP_ARCHIVE_FORMAT`, or chosen by
//! the link's measured speed) and the writer pool's failure path (a write error in one writer
//! thread stops the install with nothing committed).

use std::time::Duration;

use crate::support::dist::Dist;
use crate::support::server::{Fault, Server};
use crate::support::{HOST, Sandbox, Scenario, list, served};

fn rustc_hits(server: &Server, ext: &str) -> usize {
    server.hits(&format!("rustc-1.95.0-{HOST}.tar.{ext}"))
}

#[test]
fn forced_format_is_used_where_offered() {
    let server = served(Scenario::stable());
    let sb = Sandbox::new();
    let run = crate::support::run(
        sb.tcup(&server.url).args(["-v", "toolchain", "install", "stable", "--profile", "minimal"]).env("TCUP_ARCHIVE_FORMAT", "gz"),
    )
    .ok();
    assert!(run.stderr.contains("archive formats in order of preference gz, xz, zst: TCUP_ARCHIVE_FORMAT=gz"), "{}", run.stderr);
    // rustc offers xz and gz, cargo zst and gz: both come as gz.
    assert_eq!((rustc_hits(&server, "gz"), rustc_hits(&server, "xz")), (1, 0));
    assert_eq!((server.hits(".tar.zst"), server.hits(".tar.xz")), (0, 0));
    assert!(sb.toolchain(&format!("stable-{HOST}")).join("bin/rustc").is_file());

    // xz where offered; cargo has no xz, so it comes in the next format of the forced order (zst),
    // and the user is told.
    let sb = Sandbox::new();
    let before = server.hits(".tar.zst");
    let run = crate::support::run(
        sb.tcup(&server.url).args(["toolchain", "install", "stable", "--profile", "minimal"]).env("TCUP_ARCHIVE_FORMAT", "xz"),
    )
    .ok();
    assert!(run.stderr.contains(&format!("not offered in the forced format; using another: cargo-{HOST}")), "{}", run.stderr);
    assert_eq!(rustc_hits(&server, "xz"), 1);
    assert_eq!(server.hits(".tar.zst"), before + 1);

    let run = crate::support::run(sb.tcup(&server.url).args(["toolchain", "install", "stable"]).env("TCUP_ARCHIVE_FORMAT", "bzip2"));
    run.fails(2, &["TCUP_ARCHIVE_FORMAT=\"bzip2\"", "gz, xz, zst or auto"]);
}

#[test]
fn automatic_format_follows_the_measured_link() {
    // 4 MB of manifest over loopback arrives far faster than xz decodes: gz.
    let server = served(Scenario::stable().padded(4 << 20));
    let sb = Sandbox::new();
    let run = sb.run(&server.url, &["-v", "toolchain", "install", "stable", "--profile", "minimal"]).ok();
    assert!(run.stderr.contains("faster than xz decodes"), "{}", run.stderr);
    assert_eq!((rustc_hits(&server, "gz"), rustc_hits(&server, "xz")), (1, 0));
    // cargo offers zst, which beats gz when offered.
    assert_eq!(server.hits(".tar.zst"), 1);

    // A slow link (the manifest and the archives dripping): a_slow_manifest_sample_is_checked_on_the_archives_path.

    // A server (or CDN) slow to answer but fast once the body flows: the wait for the first byte
    // is latency, not the link, so gz still.
    let server = served(Scenario::stable().padded(4 << 20));
    server.fault("/dist/channel-rust-stable.toml", Fault::Hold(Duration::from_millis(1500)));
    let sb = Sandbox::new();
    let run = sb.run(&server.url, &["-v", "toolchain", "install", "stable", "--profile", "minimal"]).ok();
    assert!(run.stderr.contains("faster than xz decodes"), "{}", run.stderr);
    assert_eq!((rustc_hits(&server, "gz"), rustc_hits(&server, "xz")), (1, 0));

    // A small manifest proves nothing about the link: xz, as rustup.
    let server = served(Scenario::stable());
    let run = Sandbox::new().run(&server.url, &["-v", "toolchain", "install", "stable", "--profile", "minimal"]).ok();
    assert!(run.stderr.contains("too small to measure the link"), "{}", run.stderr);
    assert_eq!((rustc_hits(&server, "gz"), rustc_hits(&server, "xz")), (0, 1));

    // A file:// mirror is fast.
    let root = tempfile::tempdir().unwrap();
    Dist::standard(HOST).write(root.path());
    let run = Sandbox::new().run(&format!("file://{}", root.path().display()), &["-v", "install", "stable", "--profile", "minimal"]).ok();
    assert!(run.stderr.contains("a file:// mirror counts as a fast link"), "{}", run.stderr);
    assert!(run.stderr.contains(&format!("rustc-1.95.0-{HOST}.tar.gz")), "{}", run.stderr);
}

#[test]
fn a_write_error_in_a_writer_thread_stops_the_install_with_nothing_committed() {
    // rust-docs holds many small files and one of 2 MiB (zeros: a tiny archive). The install runs
    // with a file-size limit of 512 KiB (1024 blocks; 1 MiB where sh counts KiB) and SIGXFSZ
    // ignored, so writing the big file fails with EFBIG in the writer thread that has it, as a
    // full disk would.
    let server = served(Scenario::stable().edit(|dist| {
        let mut files: Vec<(String, Vec<u8>)> = (0..400).map(|i| (format!("page{i}.html"), format!("<p>{i}</p>").into_bytes())).collect();
        files.insert(200, ("search-index.js".into(), vec![0u8; 2 << 20]));
        dist.comp_mut("rust-docs").dirs = vec![("share/doc/rust/html".into(), files)];
    }));
    let sb = Sandbox::new();
    let cmd = sb.tcup(&server.url);
    let tcup = cmd.get_program().to_owned();
    let mut sh = std::process::Command::new("/bin/sh");
    sh.env_clear()
        .envs(cmd.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .env("RUSTUP_IO_THREADS", "4")
        .args(["-c", "trap '' XFSZ; ulimit -f 1024; exec \"$0\" \"$@\""]);
    sh.arg(tcup).args(["toolchain", "install", "stable"]);
    let run = crate::support::run(&mut sh);
    run.fails(1, &["component rust-docs", "search-index.js", "File too large"]);
    assert_eq!(sb.toolchains(), Vec::<String>::new(), "nothing committed");
    assert_eq!(sb.tmp_entries(), Vec::<String>::new(), "staging removed");
    assert!(!list(&sb.rustup_home.join("update-hashes")).iter().any(|n| n.starts_with("stable")));
    // Without the limit the same release installs.
    sb.run(&server.url, &["toolchain", "install", "stable"]).ok();
    let big = sb.toolchain(&format!("stable-{HOST}")).join("share/doc/rust/html/search-index.js");
    assert_eq!(std::fs::metadata(big).unwrap().len(), 2 << 20);
}

/// Large-dictionary xz archives decode one at a time (`TCUP_XZ_DECODERS`, default 1), and one
/// waiting for a decoder still downloads, into the download cache, instead of holding its
/// connection idle; with two decoders allowed, none waits. Both installs are whole.
#[test]
fn a_slow_manifest_sample_is_checked_on_the_archives_path() {
    // rustc's archive big enough to time (1.5 MB of noise); a 4 MB manifest.
    let noisy =
        |dist: &mut Dist| dist.comp_mut("rustc").files.push(("lib/rustc-noise.so".into(), crate::support::dist::noise(1_500_000), 0o644));
    let server = served(Scenario::stable().edit(noisy).padded(4 << 20));
    let drip = || Fault::Drip(256 * 1024, Duration::from_millis(60));
    let rustc_gz = format!("/dist/{DATE}/rustc-1.95.0-{HOST}.tar.gz", DATE = dist_date(&server.manifest));

    // The manifest drips (a cold connection, a CDN fetching it) but the archives come fast: the
    // first MiBs of rustc's .tar.gz say so, and gz is chosen.
    server.fault("/dist/channel-rust-stable.toml", drip());
    let run = Sandbox::new().run(&server.url, &["-v", "toolchain", "install", "stable", "--profile", "minimal"]).ok();
    assert!(run.stderr.contains(&format!("; the first MiBs of {}{rustc_gz}: ", server.url)), "{}", run.stderr);
    assert!(run.stderr.contains("faster than xz decodes"), "{}", run.stderr);
    assert_eq!((rustc_hits(&server, "gz"), rustc_hits(&server, "xz")), (2, 0), "the probe, then the download");

    // A slow link reads slow twice: xz (a fresh server on the same tree, its log empty).
    let server = Server::http(server.root());
    server.fault("/dist/channel-rust-stable.toml", drip());
    server.fault(&rustc_gz, drip());
    let run = Sandbox::new().run(&server.url, &["-v", "toolchain", "install", "stable", "--profile", "minimal"]).ok();
    assert!(run.stderr.contains("slower than xz decodes"), "{}", run.stderr);
    assert_eq!((rustc_hits(&server, "gz"), rustc_hits(&server, "xz")), (1, 1), "the probe, then the download");
}

/// The date directory of the manifest's archive URLs.
fn dist_date(manifest: &str) -> String {
    let url = manifest.lines().find_map(|l| l.strip_prefix("url = \"")).unwrap();
    url.split("/dist/").nth(1).unwrap().split('/').next().unwrap().to_owned()
}

#[test]
fn large_xz_archives_decode_one_at_a_time_and_the_rest_download_meanwhile() {
    use crate::support::dist::Extra;
    let server = served(Scenario::stable().edit(|dist| {
        // rustc's archive holds about 300 kB of noise already; cargo gets 150 kB, so both take a
        // while to trickle in (below).
        dist.comp_mut("cargo").files.push(("lib/cargo-noise.so".into(), crate::support::dist::noise(150_000), 0o644));
        for comp in ["rustc", "cargo"] {
            dist.comp_mut(comp).extra = Extra::XzLarge;
        }
    }));
    for (decoders, waits) in [("1", 1), ("2", 0)] {
        // Both archives trickle in (32 KiB every 100 ms: about 1 s and 0.5 s), so the decoder that
        // starts first is still busy when the other archive's first bytes arrive.
        for comp in ["rustc", "cargo"] {
            server.fault(&server.archive(comp, "xz"), Fault::Drip(32 * 1024, Duration::from_millis(100)));
        }
        let sb = Sandbox::new();
        let r = crate::support::run(
            sb.tcup(&server.url)
                .args(["-v", "toolchain", "install", "stable", "--profile", "minimal"])
                .env("TCUP_ARCHIVE_FORMAT", "xz")
                .env("RUSTUP_CONCURRENT_DOWNLOADS", "3")
                .env("TCUP_LOW_SPEED_LIMIT", "1")
                .env("TCUP_XZ_DECODERS", decoders),
        )
        .ok();
        let waited = r.stderr.lines().filter(|l| l.contains("downloaded; it unpacks when an xz decoder is free")).count();
        assert_eq!(waited, waits, "TCUP_XZ_DECODERS={decoders}:\n{}", r.stderr);
        let v = sb.run(&server.url, &["toolchain", "verify", "stable"]).ok();
        assert!(v.stdout.contains("every file as installed"), "{}", v.stdout);
        assert!(list(&sb.rustup_home.join("downloads")).is_empty(), "the cached archive is removed once installed");
        assert_eq!(server.hits(".tar.xz") % 2, 0, "each xz archive downloaded once per install");
        server.clear_faults();
    }
}
