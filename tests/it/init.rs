//! First run: `installer/init.sh` end to end under dash, busybox ash and bash, against a test
//! server that serves `tcup-init` (the binary under test) and the init.sh `ci/publish-init-sh.sh`
//! writes for it (carrying its hashes) with a synthetic toolchain; checksum refusal, curl → wget
//! fallback, no curl at all, no TTY; PATH edits and `tcup self uninstall`; the Dockerfiles' RUN
//! lines as shell. What vouches for a download without a carried hash is in `init_tls`.

use std::path::Path;
use std::process::Command;

use crate::support::dist::sha;
use crate::support::server::{Fault, Rule, Server};
use crate::support::{HOST, Run, Sandbox, Scenario, Served, run, served};

/// The version the published init.sh carries hashes for (tcup's own).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// An update root serving `scenario`'s release, `tcup-init` published as [`publish_tcup_init`]
/// does.
pub fn update_root(scenario: Scenario) -> Served {
    let server = served(scenario);
    publish_tcup_init(server.root());
    server
}

/// Publishes the tcup binary under test as `tcup-init` and the proxy program as `tcup-proxy`, each
/// with its `.sha256`, under `<root>/dist/<host>/` and `<root>/archive/<VERSION>/<host>/` (as
/// `ci/release.sh` lays them out), then `<root>/init.sh` carrying their hashes (written by
/// `ci/publish-init-sh.sh`, as the release does).
pub fn publish_tcup_init(root: &Path) {
    for dir in [root.join("dist").join(HOST), root.join("archive").join(VERSION).join(HOST)] {
        std::fs::create_dir_all(&dir).unwrap();
        for (name, from) in [("tcup-init", env!("CARGO_BIN_EXE_tcup")), ("tcup-proxy", env!("CARGO_BIN_EXE_tcup-proxy"))] {
            let bin = std::fs::read(from).unwrap();
            std::fs::write(dir.join(name), &bin).unwrap();
            std::fs::write(dir.join(format!("{name}.sha256")), format!("{}  {name}\n", sha(&bin))).unwrap();
        }
    }
    publish_init_sh(root);
}

/// Writes `<root>/init.sh` carrying the hashes of what `<root>/archive/<VERSION>/` holds now.
pub fn publish_init_sh(root: &Path) {
    let r = run(Command::new("bash").arg(manifest_dir().join("ci/publish-init-sh.sh")).arg(root).arg(VERSION)).ok();
    assert!(r.stdout.contains(&format!("carries tcup {VERSION}'s hashes")), "{}", r.stdout);
}

/// Whether every proxy in the sandbox's `CARGO_HOME/bin` is a hard link of `bin/<name>`.
fn proxies_link_to(sb: &Sandbox, name: &str) -> bool {
    use std::os::unix::fs::MetadataExt;
    let bin = sb.cargo_home.join("bin");
    let ino = std::fs::metadata(bin.join(name)).unwrap().ino();
    tcup::ops::active::run_tool::PROXIES.iter().all(|p| std::fs::symlink_metadata(bin.join(p)).is_ok_and(|m| m.ino() == ino))
}

/// `SHELL <server root>/init.sh ARGS` (the published init.sh, carrying the hashes) in the sandbox,
/// against `server`, stdin closed.
pub fn init(shell: &[&str], sb: &Sandbox, server: &Server, path: Option<&str>, args: &[&str]) -> Command {
    init_script(&server.root().join("init.sh"), shell, sb, server, path, args)
}

/// `SHELL installer/init.sh ARGS`: the repository's copy, which carries no hashes.
pub fn dev_init(shell: &[&str], sb: &Sandbox, server: &Server, path: Option<&str>, args: &[&str]) -> Command {
    init_script(&manifest_dir().join("installer/init.sh"), shell, sb, server, path, args)
}

fn init_script(script: &Path, shell: &[&str], sb: &Sandbox, server: &Server, path: Option<&str>, args: &[&str]) -> Command {
    let mut c = sb.command(shell[0]);
    c.args(&shell[1..])
        .arg(script)
        .args(args)
        .env("PATH", path.map_or_else(|| std::env::var("PATH").unwrap_or_default(), str::to_owned))
        .env("TCUP_UPDATE_ROOT", &server.url)
        .env("RUSTUP_DIST_SERVER", &server.url)
        .stdin(std::process::Stdio::null());
    c
}

/// A directory of busybox applets (an Alpine-like PATH), optionally with the real curl.
pub fn busybox_path(dir: &Path, with_curl: bool) -> String {
    let bb = crate::support::on_path("busybox", "init.sh runs under busybox ash with busybox's tools");
    let bin = dir.join("bb");
    std::fs::create_dir_all(&bin).unwrap();
    run(Command::new(&bb).arg("--install").arg("-s").arg(&bin)).ok();
    let _ = std::fs::remove_file(bin.join("curl"));
    if with_curl {
        std::os::unix::fs::symlink("/usr/bin/curl", bin.join("curl")).unwrap();
    }
    bin.display().to_string()
}

/// Runs the sandbox's `rustc` proxy and asserts it reached the synthetic toolchain.
#[track_caller]
pub fn rustc_through_proxy(sb: &Sandbox) -> Run {
    let r = run(sb.command(sb.cargo_home.join("bin/rustc")).arg("--version").env("PATH", "/usr/bin:/bin")).ok();
    assert_eq!(r.stdout.trim(), "rustc 1.95.0 (synthetic)");
    r
}

fn installs_under(shell: &[&str], path: Option<&str>) {
    let server = update_root(Scenario::stable());
    let sb = Sandbox::new();
    let r = run(&mut init(shell, &sb, &server, path, &["-y", "--no-modify-path", "--profile", "minimal"])).ok();
    assert!(r.stderr.contains(&format!("downloading tcup-init for {HOST}")), "{}", r.stderr);
    assert!(proxies_link_to(&sb, "tcup-proxy"), "the proxies are links to the proxy program init.sh fetched");
    assert_eq!(std::fs::read(sb.cargo_home.join("bin/tcup-proxy")).unwrap(), std::fs::read(env!("CARGO_BIN_EXE_tcup-proxy")).unwrap());
    rustc_through_proxy(&sb);
    assert!(!sb.dir.path().join(".profile").exists(), "--no-modify-path edits nothing");
    assert!(sb.cargo_home.join("env").is_file(), "the env script is still there to source");
    assert!(!sb.rustup_home.join("downloads").exists() && !sb.rustup_home.join("tmp").exists(), "nothing left behind");
    assert!(r.stderr.contains("MiB on disk"), "sizes printed: {}", r.stderr);
    // The carried hashes decide: the release's own paths, and no .sha256 asked for.
    let paths: Vec<String> = server.log().iter().filter(|l| !l.user_agent.starts_with("tcup/")).map(|l| l.path.clone()).collect();
    let release = format!("/archive/{VERSION}/{HOST}");
    assert!(paths.iter().any(|p| *p == format!("{release}/tcup-init")), "{paths:?}");
    assert!(paths.iter().all(|p| p.starts_with(&release) && !p.ends_with(".sha256")), "{paths:?}");
}

#[test]
fn init_sh_under_dash() {
    installs_under(&["dash"], None);
}

#[test]
fn init_sh_under_bash() {
    installs_under(&["bash"], None);
}

#[test]
fn init_sh_under_busybox_ash_with_busybox_tools() {
    let dir = tempfile::tempdir().unwrap();
    let path = busybox_path(dir.path(), true);
    installs_under(&[&format!("{path}/sh")], Some(&path));
}

#[test]
fn issue19_a_glibc_system_with_debians_musl_package_gets_the_gnu_build() {
    // Debian's `musl` package (for musl-gcc) puts /lib/ld-musl-<arch>.so.1 beside glibc. init.sh
    // took any such loader for a musl userland and fetched the musl build, which the update root
    // here does not have; /bin/sh's own loader must decide.
    let musl_loader = std::fs::read_dir("/lib").unwrap().flatten().any(|e| e.file_name().to_string_lossy().starts_with("ld-musl-"));
    assert!(musl_loader, "ci/test.sh installs Debian's musl package, which provides /lib/ld-musl-*.so.1");
    installs_under(&["dash"], None);
}

#[test]
fn an_update_root_without_the_proxy_program_links_the_proxies_to_tcup() {
    // A release without the proxy program: its init.sh carries no hash for one.
    let server = update_root(Scenario::stable());
    for f in ["tcup-proxy", "tcup-proxy.sha256"] {
        std::fs::remove_file(server.root().join("archive").join(VERSION).join(HOST).join(f)).unwrap();
    }
    publish_init_sh(server.root());
    let sb = Sandbox::new();
    let r = run(&mut init(&["dash"], &sb, &server, None, &["-y", "--no-modify-path", "--profile", "minimal"])).ok();
    assert!(!r.stderr.contains("tcup-proxy"), "an absent proxy program is not worth a message: {}", r.stderr);
    assert!(!sb.cargo_home.join("bin/tcup-proxy").exists());
    assert!(proxies_link_to(&sb, "tcup"), "the proxies are links to tcup");
    rustc_through_proxy(&sb);

    // Its hash is carried but the program cannot be downloaded: a warning, and tcup runs.
    let server = update_root(Scenario::stable());
    server.fault(&format!("/archive/{VERSION}/{HOST}/tcup-proxy"), Fault::Status(404));
    let sb = Sandbox::new();
    let r = run(&mut init(&["dash"], &sb, &server, None, &["-y", "--no-modify-path", "--profile", "minimal"])).ok();
    assert!(r.stderr.contains("warning: could not download tcup-proxy; the proxies will run tcup itself"), "{}", r.stderr);
    assert!(proxies_link_to(&sb, "tcup"));
    rustc_through_proxy(&sb);
}

#[test]
fn a_bad_proxy_program_is_refused_and_nothing_installed() {
    let server = update_root(Scenario::stable());
    let dir = server.root().join("archive").join(VERSION).join(HOST);
    std::fs::write(dir.join("tcup-proxy"), b"#!/bin/sh\nexit 0\n").unwrap();
    std::fs::write(dir.join("tcup-proxy.sha256"), format!("{}  tcup-proxy\n", sha(b"#!/bin/sh\nexit 0\n"))).unwrap();
    let sb = Sandbox::new();
    let r = run(&mut init(&["dash"], &sb, &server, None, &["-y"]));
    let carried = sha(&std::fs::read(env!("CARGO_BIN_EXE_tcup-proxy")).unwrap());
    r.fails(1, &["checksum mismatch for", "tcup-proxy", &format!("expected {carried}"), "nothing was installed"]);
    assert!(!sb.cargo_home.exists() && !sb.rustup_home.exists());
}

#[test]
fn curl_stalling_falls_back_to_wget() {
    let server = update_root(Scenario::stable());
    server.rule(
        &format!("/archive/{VERSION}/{HOST}/tcup-init"),
        Rule { fault: Fault::Hold(std::time::Duration::from_mins(2)), user_agent: Some("curl/".into()), times: None },
    );
    let sb = Sandbox::new();
    let started = std::time::Instant::now();
    let r =
        run(init(&["dash"], &sb, &server, None, &["-y", "--no-modify-path", "--profile", "minimal"]).env("TCUP_INIT_STALL_SECONDS", "1"))
            .ok();
    assert!(r.stderr.contains("curl could not download") && r.stderr.contains("trying wget"), "{}", r.stderr);
    assert!(started.elapsed() < std::time::Duration::from_secs(30), "{:?}", started.elapsed());
    rustc_through_proxy(&sb);
    let agents: Vec<String> = server.log().iter().filter(|l| l.path.ends_with("/tcup-init")).map(|l| l.user_agent.clone()).collect();
    assert!(agents.iter().any(|a| a.starts_with("Wget")), "{agents:?}");
}

#[test]
fn issue19_curl_failing_without_wget_says_that_curl_failed() {
    // A 404 from the update root on a system with curl and no wget (a Debian image) used to end in
    // "neither curl nor wget works here", as if no downloader existed.
    let server = update_root(Scenario::stable());
    server.fault(&format!("/archive/{VERSION}/{HOST}/tcup-init"), Fault::Status(404));
    let sb = Sandbox::new();
    let path = busybox_path(sb.dir.path(), true);
    std::fs::remove_file(sb.dir.path().join("bb/wget")).unwrap();
    // dash, not busybox sh: busybox's shell finds its own wget applet whatever PATH says.
    let dash = crate::support::on_path("dash", "init.sh runs under dash");
    let r = run(&mut init(&[dash.to_str().unwrap()], &sb, &server, Some(&path), &["-y"])).fails(1, &[]);
    let url = format!("{}/archive/{VERSION}/{HOST}/tcup-init", server.url);
    assert!(r.stderr.contains(&format!("error: curl could not download {url} (and wget, to try next, is not installed)")), "{}", r.stderr);
    assert!(!r.stderr.contains("trying wget") && !r.stderr.contains("neither"), "{}", r.stderr);
    assert!(!sb.cargo_home.join("bin/tcup").exists(), "nothing installed");
}

#[test]
fn without_curl_wget_is_used() {
    let dir = tempfile::tempdir().unwrap();
    let path = busybox_path(dir.path(), false);
    let server = update_root(Scenario::stable());
    let sb = Sandbox::new();
    // dash by absolute path: the PATH given to it has busybox's applets and no curl.
    let dash = ["/usr/bin/dash", "/bin/dash"].into_iter().find(|p| Path::new(p).exists()).expect("dash is installed");
    let r = run(&mut init(&[dash], &sb, &server, Some(&path), &["-y", "--no-modify-path", "--profile", "minimal"])).ok();
    assert!(!r.stderr.contains("curl"), "curl was never tried: {}", r.stderr);
    rustc_through_proxy(&sb);
    assert!(server.log().iter().filter(|l| l.path.ends_with("/tcup-init")).all(|l| !l.user_agent.contains("curl")));
}

#[test]
fn without_a_tty_and_without_y_it_says_to_use_y() {
    let server = update_root(Scenario::stable());
    let sb = Sandbox::new();
    // setsid: no controlling terminal, so /dev/tty cannot be opened either.
    let mut cmd = init(&["setsid", "-w", "dash"], &sb, &server, None, &["--profile", "minimal"]);
    let r = run(&mut cmd);
    r.fails(1, &["no terminal to ask questions on; run with -y"]);
    assert!(!sb.cargo_home.exists());
    // TCUP_INIT_YES=1 is the same as -y.
    run(init(&["setsid", "-w", "dash"], &sb, &server, None, &["--profile", "minimal", "--no-modify-path"]).env("TCUP_INIT_YES", "1")).ok();
    rustc_through_proxy(&sb);
}

#[test]
fn path_edits_are_idempotent_and_uninstall_restores_them() {
    let server = update_root(Scenario::stable());
    let sb = Sandbox::new();
    let home = sb.dir.path();
    std::fs::write(home.join(".profile"), "export EDITOR=vi\n").unwrap();
    std::fs::write(home.join(".bashrc"), "alias ll='ls -l'").unwrap();
    for _ in 0..2 {
        run(init(&["bash"], &sb, &server, None, &["-y", "--profile", "minimal"]).env("SHELL", "/bin/bash")).ok();
    }
    let line = format!(". \"{}\"", sb.cargo_home.join("env").display());
    for f in [".profile", ".bashrc"] {
        let text = std::fs::read_to_string(home.join(f)).unwrap();
        assert_eq!(text.lines().filter(|l| *l == line).count(), 1, "{f}: {text}");
    }
    // The line works: a login shell finds rustc on PATH.
    let r = run(sb.command("sh").arg("-c").arg(format!("{line}; rustc --version")).env("PATH", "/usr/bin:/bin")).ok();
    assert_eq!(r.stdout.trim(), "rustc 1.95.0 (synthetic)");
    let r = run(sb.command(sb.cargo_home.join("bin/tcup")).args(["self", "uninstall", "-y"]).env("HOME", home)).ok();
    assert!(r.stderr.contains("tcup is uninstalled"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(home.join(".profile")).unwrap(), "export EDITOR=vi\n");
    assert_eq!(std::fs::read_to_string(home.join(".bashrc")).unwrap(), "alias ll='ls -l'");
    assert!(!sb.cargo_home.exists() && !sb.rustup_home.exists());
}

#[test]
fn a_missing_tool_names_the_component() {
    let server = update_root(Scenario::stable());
    let sb = Sandbox::new();
    run(&mut init(&["dash"], &sb, &server, None, &["-y", "--no-modify-path", "--profile", "minimal"])).ok();
    let r = run(&mut sb.command(sb.cargo_home.join("bin/rustfmt")));
    r.fails(
        1,
        &[&format!(
            "'rustfmt' is not installed for the toolchain 'stable-{HOST}'.\nhelp: run `tcup component add rustfmt --toolchain stable-{HOST}` to install it"
        )],
    );
    // +toolchain and RUSTUP_TOOLCHAIN pick the toolchain; an unknown one is named.
    let r = run(sb.command(sb.cargo_home.join("bin/rustc")).args(["+nightly", "--version"]).env("RUSTUP_AUTO_INSTALL", "0"));
    r.fails(1, &[&format!("toolchain 'nightly-{HOST}' is not installed: the +toolchain on the command line specifies an uninstalled toolchain\nhelp: run `tcup toolchain install nightly-{HOST}` to install it")]);
    let ok = run(sb.command(sb.cargo_home.join("bin/rustc")).args(["+stable", "--version"])).ok();
    assert_eq!(ok.stdout.trim(), "rustc 1.95.0 (synthetic)");
}

#[test]
fn dockerfile_run_lines_work_as_shell() {
    for file in ["Dockerfile.debian", "Dockerfile.alpine"] {
        let text = std::fs::read_to_string(manifest_dir().join("installer/docker").join(file)).unwrap();
        // The update root is a build argument (TCUP_UPDATE_ROOT, which init.sh reads too) whose
        // default is the real one; the RUN line takes it from the environment, as docker does.
        assert!(text.contains("\nARG TCUP_UPDATE_ROOT=https://static.tcup.rs\n"), "{file} has no TCUP_UPDATE_ROOT build argument");
        let line = text
            .lines()
            .find(|l| l.starts_with("RUN") && l.contains("init.sh"))
            .unwrap_or_else(|| panic!("{file} has no init.sh RUN line"));
        assert!(line.contains("\"$TCUP_UPDATE_ROOT/init.sh\""), "{file}: {line}");
        let server = update_root(Scenario::stable());
        let sb = Sandbox::new();
        let shell = line.trim_start_matches("RUN ").replace("https://static.tcup.rs", &server.url).replace("'=https'", "'=http,https'");
        let r = run(sb.command("sh").arg("-c").arg(&shell).env("TCUP_UPDATE_ROOT", &server.url).env("RUSTUP_DIST_SERVER", &server.url));
        let r = r.ok();
        assert!(r.stderr.contains("Rust is installed"), "{file}: {}", r.stderr);
        let check = text.lines().find(|l| l.contains("rustc --version")).unwrap().trim_start_matches("RUN ");
        let path = format!("{}:{}", sb.cargo_home.join("bin").display(), std::env::var("PATH").unwrap_or_default());
        let out = run(sb.command("sh").arg("-c").arg(check).env("PATH", path)).ok();
        assert!(out.stdout.contains("rustc 1.95.0 (synthetic)"), "{file}: {}", out.stdout);
    }
}

/// Runs `tcup-init ARGS` on a pseudo-terminal (util-linux `script`), typing `input`.
fn on_a_terminal(sb: &Sandbox, server: &Server, args: &str, input: &str) -> Run {
    let bin = sb.dir.path().join("tcup-init");
    std::fs::copy(env!("CARGO_BIN_EXE_tcup"), &bin).unwrap();
    let mut cmd = sb.command("script");
    cmd.args(["-qec", &format!("{} {args}", bin.display()), "/dev/null"])
        .env("RUSTUP_DIST_SERVER", &server.url)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    // On a terminal, stdout and stderr both arrive on script's stdout.
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into(),
        stderr: String::from_utf8_lossy(&out.stdout).into(),
    }
}

#[test]
fn interactive_plan_cancel_and_customise() {
    let server = update_root(Scenario::stable());
    let sb = Sandbox::new();
    let r = on_a_terminal(&sb, &server, "--profile minimal", "3\n").ok();
    assert!(r.stdout.contains("default toolchain:") && r.stdout.contains("3) Cancel installation"), "{}", r.stdout);
    assert!(r.stdout.contains("installation cancelled"), "{}", r.stdout);
    assert!(!sb.cargo_home.exists(), "cancel installs nothing");
    // Customise: another host, no toolchain, minimal, no PATH change, no man pages; then proceed.
    let r = on_a_terminal(&sb, &server, "", "2\nx86_64-unknown-linux-musl\nnone\nminimal\nn\nn\n1\n").ok();
    assert!(
        r.stdout.lines().any(|l| l.starts_with("  host triple: ") && l.trim_end().ends_with(" x86_64-unknown-linux-musl")),
        "{}",
        r.stdout
    );
    let settings = std::fs::read_to_string(sb.rustup_home.join("settings.toml")).unwrap();
    assert!(settings.contains("\"x86_64-unknown-linux-musl\""), "the customised host is the default host: {settings}");
    assert!(r.stdout.lines().any(|l| l.starts_with("  man pages in: ") && l.trim_end().ends_with(" no")), "{}", r.stdout);
    assert!(!sb.cargo_home.join("share/man").exists(), "no man pages as answered");
    assert!(r.stdout.lines().any(|l| l.starts_with("  default toolchain: ") && l.trim_end().ends_with(" none")), "{}", r.stdout);
    assert!(sb.cargo_home.join("bin/tcup").is_file() && sb.cargo_home.join("bin/cargo").exists());
    assert!(!sb.rustup_home.join("toolchains").exists(), "no toolchain with --default-toolchain none");
    assert!(!sb.dir.path().join(".profile").exists(), "PATH left alone as answered");
}

#[test]
fn a_typo_at_a_prompt_asks_again_and_the_plan_lines_up() {
    let server = update_root(Scenario::stable());
    let sb = Sandbox::new();
    let r = on_a_terminal(&sb, &server, "", "4\n2\nNot A Host\n\nstabel\nnone\nminimul\nminimal\nmaybe\nn\nn\n3\n").ok();
    let out = r.stdout.replace('\r', "");
    assert!(out.contains("'4' is not one of the choices: type 1, 2 or 3"), "{out}");
    assert!(out.contains("'Not A Host' is not a host triple like x86_64-pc-windows-gnu; please try again"), "{out}");
    assert!(out.contains("invalid toolchain name 'stabel'") && out.contains("; please try again"), "{out}");
    assert!(out.contains("unknown profile 'minimul'; did you mean 'minimal'?"), "{out}");
    assert!(out.contains("'maybe' is not an answer: type y or n"), "{out}");
    // The answers that were accepted are in the plan shown again, values in one column.
    let plan: Vec<&str> = out.lines().skip_while(|l| !l.contains("profile:")).collect();
    assert!(plan.iter().any(|l| l.ends_with(" minimal")), "{out}");
    let rows: Vec<&str> = out.lines().take_while(|l| !l.starts_with("1) ")).filter(|l| l.starts_with("  ") && l.contains(':')).collect();
    let columns: std::collections::BTreeSet<usize> =
        rows.iter().map(|l| l.chars().count() - l.split(": ").nth(1).unwrap().trim_start().chars().count()).collect();
    assert_eq!(rows.len(), 7, "{out}");
    assert_eq!(columns.len(), 1, "values start in one column: {rows:#?}");
    assert!(!sb.cargo_home.exists(), "cancelled in the end");
}

#[test]
fn insecure_root_and_unverifiable_downloads_are_refused() {
    let server = update_root(Scenario::stable());
    let sb = Sandbox::new();
    // A development init.sh carries no hashes: a plain-http update root is refused, and the switch
    // that once allowed it is gone.
    let r = run(dev_init(&["dash"], &sb, &server, None, &["-y"]).env("TCUP_INIT_ALLOW_HTTP", "1"));
    r.fails(1, &[&format!("TCUP_UPDATE_ROOT={} is not https: only the release whose hashes an init.sh carries may come over http (this one carries none)", server.url), "warning: TCUP_INIT_ALLOW_HTTP is no longer read"]);
    // The published one too, for a version whose hash it does not carry.
    run(init(&["dash"], &sb, &server, None, &["-y"]).env("TCUP_VERSION", "0.0.1")).fails(
        1,
        &[&format!("is not https: only the release whose hashes an init.sh carries may come over http (this one carries {VERSION})")],
    );
    assert!(server.log().iter().all(|l| !l.path.contains("tcup-")), "nothing was downloaded: {:?}", server.log());
    // A PATH with busybox's applets but no SHA-256 tool at all: refused, whatever the environment says.
    let dir = tempfile::tempdir().unwrap();
    let path = busybox_path(dir.path(), true);
    for tool in ["sha256sum", "shasum", "openssl"] {
        let _ = std::fs::remove_file(Path::new(&path).join(tool));
    }
    let dash = ["/usr/bin/dash", "/bin/dash"].into_iter().find(|p| Path::new(p).exists()).unwrap();
    let r = run(
        init(&[dash], &sb, &server, Some(&path), &["-y", "--no-modify-path", "--profile", "minimal"]).env("TCUP_INIT_SKIP_VERIFY", "1")
    );
    r.fails(1, &["cannot verify tcup-init: no sha256sum, shasum or openssl here", "warning: TCUP_INIT_SKIP_VERIFY is no longer read"]);
    assert!(!sb.cargo_home.exists() && !sb.rustup_home.exists());
    // With a SHA-256 tool: installed, and RUSTUP_TOOLCHAIN picks the proxies' toolchain.
    run(&mut init(&["dash"], &sb, &server, None, &["-y", "--no-modify-path", "--profile", "minimal"])).ok();
    rustc_through_proxy(&sb);
    let r =
        run(sb.command(sb.cargo_home.join("bin/rustc")).arg("--version").env("RUSTUP_TOOLCHAIN", "beta").env("RUSTUP_AUTO_INSTALL", "0"));
    r.fails(1, &[&format!("toolchain 'beta-{HOST}' is not installed: the RUSTUP_TOOLCHAIN environment variable")]);
}

/// A directory holding a fake `uname` (`-s` Darwin, `-m` CPU) and `sysctl` (answering
/// `sysctl.proc_translated` with `translated`, or failing as on a Mac where the key is absent),
/// put first on PATH: init.sh's view of a Mac.
fn fake_mac(dir: &Path, cpu: &str, translated: Option<&str>) -> String {
    use std::os::unix::fs::PermissionsExt;
    let bin = dir.join("fake-mac");
    std::fs::create_dir_all(&bin).unwrap();
    let sysctl = translated.map_or_else(|| "exit 1".to_owned(), |t| format!("[ \"$2\" = sysctl.proc_translated ] && echo {t}"));
    for (name, body) in [("uname", format!("case \"$1\" in -s) echo Darwin ;; -m) echo {cpu} ;; esac")), ("sysctl", sysctl)] {
        std::fs::write(bin.join(name), format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(bin.join(name), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default())
}

#[test]
fn issue32_a_mac_without_a_published_build_is_told_so_and_nothing_is_downloaded() {
    let server = update_root(Scenario::stable());
    let sb = Sandbox::new();
    // Apple Silicon, Intel, and an x86_64 shell under Rosetta 2 (arm64 is the machine's build).
    for (cpu, translated, triple) in [
        ("arm64", Some("0"), "aarch64-apple-darwin"),
        ("x86_64", None, "x86_64-apple-darwin"),
        ("x86_64", Some("1"), "aarch64-apple-darwin"),
    ] {
        let path = fake_mac(sb.dir.path(), cpu, translated);
        let r = run(&mut init(&["dash"], &sb, &server, Some(&path), &["-y"]));
        r.fails(
            1,
            &[&format!(
                "tcup-init.sh: error: tcup {VERSION} has no build for {triple} (this init.sh carries no hash for one): this release was published without macOS builds"
            )],
        );
    }
    assert!(server.log().iter().all(|l| !l.path.contains("archive")), "nothing downloaded");
    assert!(!sb.cargo_home.exists());
}

#[test]
fn issue32_a_mac_gets_its_darwin_build_checked_and_run_with_the_arguments() {
    // A release carrying a darwin build (a script standing in for the binary, which cannot be built
    // here): init.sh fetches the machine's build, checks the carried hash and runs it.
    let server = update_root(Scenario::stable());
    let dir = server.root().join("archive").join(VERSION).join("aarch64-apple-darwin");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("tcup-init"), "#!/bin/sh\necho \"darwin tcup-init ran with: $*\"\n").unwrap();
    publish_init_sh(server.root());
    let sb = Sandbox::new();
    let path = fake_mac(sb.dir.path(), "x86_64", Some("1"));
    let r = run(&mut init(&["dash"], &sb, &server, Some(&path), &["-y", "--profile", "minimal"])).ok();
    assert!(r.stderr.contains("downloading tcup-init for aarch64-apple-darwin"), "{}", r.stderr);
    assert_eq!(r.stdout.trim(), "darwin tcup-init ran with: -y --profile minimal");
    // Bytes other than the carried hash's are refused, and nothing runs.
    std::fs::write(dir.join("tcup-init"), "#!/bin/sh\necho tampered\n").unwrap();
    let r = run(&mut init(&["dash"], &sb, &server, Some(&path), &["-y"]));
    let r = r.fails(1, &["checksum mismatch for", "nothing was installed"]);
    assert!(!r.stdout.contains("tampered"));
}
