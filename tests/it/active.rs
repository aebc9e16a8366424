//! Which toolchain is active (docs/design.md active-1) and the commands around it: toolchain files
//! found walking up, auto-install through the proxies, overrides, default, uninstall, show, which,
//! run, `RUSTUP_TOOLCHAIN` as a path, the legacy `rust-toolchain` file, completions. Proxies are
//! the real `tcup` binary linked as `rustc`/`cargo`, started from real shells where it matters.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{HOST, Run, Sandbox, Scenario, run, served};

/// Links the proxies into the sandbox's `CARGO_HOME/bin`, as `tcup-init` does.
fn proxies(sb: &Sandbox) -> PathBuf {
    let bin = sb.cargo_home.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for tool in ["rustc", "cargo", "cargo-clippy", "rustfmt"] {
        let link = bin.join(tool);
        if !link.exists() {
            std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_tcup-proxy"), &link).unwrap();
        }
    }
    bin
}

/// A proxy run from `cwd` with an explicit `RUSTUP_AUTO_INSTALL`.
fn proxy(sb: &Sandbox, dist: &str, cwd: &Path, auto: &str, tool: &str, args: &[&str]) -> Run {
    let mut c = sb.tcup(dist);
    c.env("RUSTUP_AUTO_INSTALL", auto);
    run(Command::new(proxies(sb).join(tool)).env_clear_keep(&c).current_dir(cwd).args(args))
}

/// `tcup ARGS` from `cwd`.
fn tcup_in(sb: &Sandbox, dist: &str, cwd: &Path, args: &[&str]) -> Run {
    run(sb.tcup(dist).current_dir(cwd).env("RUSTUP_AUTO_INSTALL", "0").args(args))
}

trait KeepEnv {
    fn env_clear_keep(&mut self, from: &Command) -> &mut Command;
}

impl KeepEnv for Command {
    /// Clears the environment, then copies `from`'s explicit variables.
    fn env_clear_keep(&mut self, from: &Command) -> &mut Command {
        self.env_clear();
        for (k, v) in from.get_envs() {
            if let Some(v) = v {
                self.env(k, v);
            }
        }
        self
    }
}

fn components(sb: &Sandbox, tc: &str) -> Vec<String> {
    let text = std::fs::read_to_string(sb.toolchain(tc).join("lib/rustlib/components")).unwrap_or_default();
    let mut v: Vec<String> = text.lines().map(str::to_owned).collect();
    v.sort();
    v
}

fn project() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let deep = root.join("crate/src/bin");
    std::fs::create_dir_all(&deep).unwrap();
    (dir, root, deep)
}

#[test]
fn toolchain_file_in_a_parent_directory_selects_and_auto_installs_the_pinned_toolchain() {
    let server = served(Scenario::channel("1.95.0"));
    let sb = Sandbox::new();
    let (_p, proj, deep) = project();
    let file = proj.join("rust-toolchain.toml");
    std::fs::write(&file, "[toolchain]\nchannel = \"1.95.0\"\ncomponents = [\"rustfmt\"]\nprofile = \"minimal\"\n").unwrap();
    let tc = format!("1.95.0-{HOST}");
    // Auto-install off: nothing is installed and the message says what to run.
    let off = proxy(&sb, &server.url, &deep, "0", "rustc", &["-V"]).fails(
        1,
        &[
            &format!("toolchain '{tc}' is not installed: the toolchain file at '{}' specifies an uninstalled toolchain", file.display()),
            &format!("help: run `tcup toolchain install {tc} --profile minimal -c rustfmt` to install it"),
        ],
    );
    assert!(off.stdout.is_empty());
    assert!(sb.toolchains().is_empty());
    // `tcup set auto-install disable` does the same when the variable is not set.
    sb.run(&server.url, &["set", "auto-install", "disable"]).ok();
    let mut c = sb.tcup(&server.url);
    run(Command::new(proxies(&sb).join("rustc")).env_clear_keep(&c).current_dir(&deep).arg("-V")).fails(1, &["is not installed"]);
    sb.run(&server.url, &["set", "auto-install", "enable"]).ok();
    // From a real shell, the proxy on PATH installs the pinned toolchain with its components, then runs.
    c.current_dir(&deep).env("PATH", format!("{}:{}", proxies(&sb).display(), std::env::var("PATH").unwrap()));
    let out = run(Command::new("sh").env_clear_keep(&c).current_dir(&deep).args(["-c", "rustc -V && cargo -V"])).ok();
    assert_eq!(out.stdout, "rustc 1.95.0 (synthetic)\ncargo 1.95.0 (synthetic)\n");
    assert!(
        out.stderr.contains(&format!("installing toolchain '{tc}' because the toolchain file at '{}' requires it", file.display())),
        "{}",
        out.stderr
    );
    assert_eq!(sb.toolchains(), std::slice::from_ref(&tc));
    let mut want = vec![format!("cargo-{HOST}"), format!("rust-std-{HOST}"), format!("rustc-{HOST}"), format!("rustfmt-preview-{HOST}")];
    assert_eq!(components(&sb, &tc), want);
    // The file asks for one more component: it is added, nothing installed is dropped.
    std::fs::write(&file, "[toolchain]\nchannel = \"1.95.0\"\ncomponents = [\"rustfmt\", \"clippy\"]\n").unwrap();
    proxy(&sb, &server.url, &deep, "1", "cargo", &["-V"]).ok();
    want.push(format!("clippy-preview-{HOST}"));
    want.sort();
    assert_eq!(components(&sb, &tc), want);
    // Off again, a missing target is named with the command that adds it; nothing changes.
    std::fs::write(&file, "[toolchain]\nchannel = \"1.95.0\"\ntargets = [\"aarch64-unknown-linux-gnu\"]\n").unwrap();
    if HOST != "aarch64-unknown-linux-gnu" {
        proxy(&sb, &server.url, &deep, "0", "rustc", &["-V"]).fails(
            1,
            &[&format!(
                "toolchain '{tc}' lacks targets aarch64-unknown-linux-gnu that the toolchain file at '{}' requires\nhelp: run `tcup target add aarch64-unknown-linux-gnu --toolchain {tc}`",
                file.display()
            )],
        );
        assert_eq!(components(&sb, &tc), want);
    }
    // tcup show agrees with the proxy.
    let show = tcup_in(&sb, &server.url, &deep, &["show", "active-toolchain"]).ok();
    assert_eq!(show.stdout, format!("{tc} (overridden by '{}')\n", file.display()));
}

#[test]
fn a_broken_toolchain_file_is_named() {
    let sb = Sandbox::new();
    let (_p, proj, deep) = project();
    std::fs::write(proj.join("rust-toolchain.toml"), "[toolchain]\nchannel = \"stable\"\npath = \"/opt/rust\"\n").unwrap();
    proxy(&sb, "http://127.0.0.1:9", &deep, "1", "rustc", &["-V"]).fails(
        2,
        &[&format!(
            "could not parse override file: '{}': cannot specify both channel (stable) and path (/opt/rust) simultaneously",
            proj.join("rust-toolchain.toml").display()
        )],
    );
}

#[test]
fn legacy_file_rustup_toolchain_path_and_plus_names() {
    let server = served(Scenario::stable());
    let sb = Sandbox::new();
    sb.run(&server.url, &["toolchain", "install", "stable", "--profile", "minimal"]).ok();
    let tc = format!("stable-{HOST}");
    let (_p, proj, deep) = project();
    // A custom toolchain directory, used by path.
    let custom = proj.join("my-rust");
    std::fs::create_dir_all(custom.join("bin")).unwrap();
    std::fs::create_dir_all(custom.join("lib")).unwrap();
    std::fs::write(custom.join("bin/rustc"), "#!/bin/sh\necho \"custom rustc $RUSTUP_TOOLCHAIN\"\n").unwrap();
    std::fs::set_permissions(custom.join("bin/rustc"), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    // Legacy one-line file: a channel name.
    std::fs::write(proj.join("rust-toolchain"), "stable\n").unwrap();
    let show = tcup_in(&sb, &server.url, &deep, &["show", "active-toolchain"]).ok();
    assert_eq!(show.stdout, format!("{tc} (overridden by '{}')\n", proj.join("rust-toolchain").display()));
    assert_eq!(proxy(&sb, &server.url, &deep, "0", "rustc", &["-V"]).ok().stdout, "rustc 1.95.0 (synthetic)\n");
    // RUSTUP_TOOLCHAIN as an absolute path wins over the file.
    let mut c = sb.tcup(&server.url);
    c.env("RUSTUP_AUTO_INSTALL", "0").env("RUSTUP_TOOLCHAIN", &custom);
    let out = run(Command::new(proxies(&sb).join("rustc")).env_clear_keep(&c).current_dir(&deep).arg("-V")).ok();
    assert_eq!(out.stdout, format!("custom rustc {}\n", custom.display()));
    let show = run(c.current_dir(&deep).args(["show", "active-toolchain"])).ok();
    assert_eq!(show.stdout, format!("{} (overridden by environment variable RUSTUP_TOOLCHAIN)\n", custom.display()));
    // A path without bin/ and a relative path are named.
    let mut c = sb.tcup(&server.url);
    c.env("RUSTUP_AUTO_INSTALL", "0").env("RUSTUP_TOOLCHAIN", proj.join("nowhere"));
    run(Command::new(proxies(&sb).join("rustc")).env_clear_keep(&c).current_dir(&deep)).fails(
        1,
        &[&format!(
            "invalid toolchain: the path '{}' has no bin/ directory (set by the RUSTUP_TOOLCHAIN environment variable)",
            proj.join("nowhere").display()
        )],
    );
    // `+toolchain` wins over everything; a nonsense name gets a useful answer.
    let plus = proxy(&sb, &server.url, &deep, "0", "rustc", &["+nonsense", "-V"]);
    plus.fails(
        1,
        &["toolchain 'nonsense', named by the +toolchain on the command line, is not installed, and 'nonsense' is not a valid toolchain name", &format!("installed toolchains: {tc}")],
    );
    proxy(&sb, &server.url, &deep, "0", "rustc", &["+nightly", "-V"])
        .fails(1, &[&format!("help: run `tcup toolchain install nightly-{HOST}` to install it")]);
    // The missing-tool hint names the command that adds it.
    proxy(&sb, &server.url, &deep, "0", "cargo-clippy", &[])
        .fails(1, &[&format!("'cargo-clippy' is not installed for the toolchain '{tc}'.\nhelp: run `tcup component add clippy --toolchain {tc}` to install it")]);
}

#[test]
fn a_bad_download_variable_does_not_stop_an_installed_toolchain() {
    let server = served(Scenario::stable());
    let sb = Sandbox::new();
    sb.run(&server.url, &["toolchain", "install", "stable", "--profile", "minimal"]).ok();
    let (_p, _proj, deep) = project();
    let mut c = sb.tcup(&server.url);
    c.env("RUSTUP_AUTO_INSTALL", "1").env("RUSTUP_USE_CURL", "true");
    let out = run(Command::new(proxies(&sb).join("cargo")).env_clear_keep(&c).current_dir(&deep).arg("build")).ok();
    assert_eq!(out.stdout, "cargo 1.95.0 (synthetic)\n");
    assert!(
        out.stderr.contains("warning: environment variable RUSTUP_USE_CURL=\"true\" is not valid: expected 0 or 1; ignored"),
        "{}",
        out.stderr
    );
    // But it stops an install, naming the variable.
    run(Command::new(proxies(&sb).join("cargo")).env_clear_keep(&c).current_dir(&deep).arg("+beta"))
        .fails(2, &["RUSTUP_USE_CURL=\"true\" is not valid", &format!("fix it before tcup installs toolchain 'beta-{HOST}'")]);
    // A variable the proxy itself needs is still an error.
    c.env("RUSTUP_AUTO_INSTALL", "yes");
    run(Command::new(proxies(&sb).join("cargo")).env_clear_keep(&c).current_dir(&deep)).fails(2, &["RUSTUP_AUTO_INSTALL=\"yes\""]);
}

#[test]
fn default_uninstall_show_which_run() {
    let server = served(Scenario::stable());
    let sb = Sandbox::new();
    let (_p, _proj, deep) = project();
    let tc = format!("stable-{HOST}");
    let url = &server.url;
    tcup_in(&sb, url, &deep, &["default"]).fails(1, &["no default toolchain is configured"]);
    proxy(&sb, url, &deep, "0", "rustc", &["-V"])
        .fails(1, &["tcup could not choose a version of rustc to run", "help: run 'tcup default stable'"]);
    // `default` installs what it names, even with auto-install off (that is a proxy's setting).
    tcup_in(&sb, url, &deep, &["default", "stable"]).ok();
    assert!(sb.toolchain(&tc).join("bin/rustc").is_file());
    assert_eq!(tcup_in(&sb, url, &deep, &["default"]).ok().stdout, format!("{tc} (default)\n"));
    assert_eq!(tcup_in(&sb, url, &deep, &["show", "active-toolchain"]).ok().stdout, format!("{tc} (default)\n"));
    let verbose = tcup_in(&sb, url, &deep, &["show", "active-toolchain", "-v"]).ok();
    assert_eq!(
        verbose.stdout,
        format!(
            "{tc}\nactive because: it's the default toolchain\ncompiler: rustc 1.95.0 (synthetic)\npath: {}\n",
            sb.toolchain(&tc).display()
        )
    );
    assert_eq!(tcup_in(&sb, url, &deep, &["show", "home"]).ok().stdout, format!("{}\n", sb.rustup_home.display()));
    assert_eq!(tcup_in(&sb, url, &deep, &["show", "profile"]).ok().stdout, "default\n");
    let show = tcup_in(&sb, url, &deep, &["show"]).ok();
    assert!(show.stdout.contains(&format!("installed toolchains\n--------------------\n{tc} (active, default)\n")), "{}", show.stdout);
    assert!(
        show.stdout.contains(&format!("active because: it's the default toolchain\ninstalled targets:\n  {HOST}\n")),
        "{}",
        show.stdout
    );
    assert_eq!(tcup_in(&sb, url, &deep, &["which", "cargo"]).ok().stdout, format!("{}\n", sb.toolchain(&tc).join("bin/cargo").display()));
    tcup_in(&sb, url, &deep, &["which", "rust-analyzer"]).fails(1, &["tcup component add rust-analyzer"]);
    let ran = tcup_in(&sb, url, &deep, &["run", "stable", "sh", "-c", "rustc -V; echo $RUSTUP_TOOLCHAIN"]).ok();
    assert_eq!(ran.stdout, format!("rustc 1.95.0 (synthetic)\n{tc}\n"));
    tcup_in(&sb, url, &deep, &["run", "beta", "rustc"])
        .fails(1, &[&format!("help: run `tcup toolchain install beta-{HOST}` to install it")]);
    tcup_in(&sb, url, &deep, &["set", "profile", "minimal"]).ok();
    assert_eq!(tcup_in(&sb, url, &deep, &["show", "profile"]).ok().stdout, "minimal\n");
    tcup_in(&sb, url, &deep, &["set", "profile", "huge"]).fails(2, &["huge"]);
    // Uninstall: the toolchain and its update hash go; the default setting stays, as in rustup.
    let un = tcup_in(&sb, url, &deep, &["uninstall", "stable"]).ok();
    assert!(
        un.stderr.contains("warning: removing the default toolchain") && un.stderr.contains(&format!("info: toolchain {tc} uninstalled")),
        "{}",
        un.stderr
    );
    assert!(sb.toolchains().is_empty() && !sb.rustup_home.join("update-hashes").join(&tc).exists());
    assert_eq!(sb.tmp_entries(), Vec::<String>::new());
    assert!(
        tcup_in(&sb, url, &deep, &["toolchain", "uninstall", "stable"]).ok().stderr.contains("info: no toolchain installed for 'stable'")
    );
    assert_eq!(tcup_in(&sb, url, &deep, &["toolchain", "list"]).ok().stdout, "no installed toolchains\n");
    tcup_in(&sb, url, &deep, &["default", "none"]).ok();
    tcup_in(&sb, url, &deep, &["default"]).fails(1, &["no default toolchain is configured"]);
    // `override set` installs what it names too, and the override is what is active below it.
    tcup_in(&sb, url, &deep, &["override", "set", "stable"]).ok();
    assert!(sb.toolchain(&tc).join("bin/rustc").is_file());
    let deeper = deep.join("x");
    std::fs::create_dir_all(&deeper).unwrap();
    assert_eq!(
        tcup_in(&sb, url, &deeper, &["show", "active-toolchain"]).ok().stdout,
        format!("{tc} (directory override for '{}')\n", deep.display())
    );
    assert_eq!(proxy(&sb, url, &deeper, "0", "rustc", &["-V"]).ok().stdout, "rustc 1.95.0 (synthetic)\n");
    // `run --install` installs first; plain `run` never does.
    tcup_in(&sb, url, &deep, &["uninstall", "stable"]).ok();
    tcup_in(&sb, url, &deep, &["run", "stable", "rustc", "-V"]).fails(1, &["is not installed"]);
    let ran = tcup_in(&sb, url, &deep, &["run", "--install", "stable", "rustc", "-V"]).ok();
    assert_eq!(ran.stdout, "rustc 1.95.0 (synthetic)\n");
    assert!(ran.stderr.contains(&format!("info: installing toolchain '{tc}'\n")), "{}", ran.stderr);
}

#[test]
fn link_and_list_verbose() {
    let sb = Sandbox::new();
    let (_p, proj, deep) = project();
    let build = proj.join("stage1");
    for d in ["bin", "lib"] {
        std::fs::create_dir_all(build.join(d)).unwrap();
    }
    let url = "http://127.0.0.1:9";
    tcup_in(&sb, url, &deep, &["toolchain", "link", "stable", build.to_str().unwrap()])
        .fails(2, &["invalid custom toolchain name 'stable'"]);
    tcup_in(&sb, url, &deep, &["toolchain", "link", "stage1", build.to_str().unwrap()]).ok();
    tcup_in(&sb, url, &deep, &["default", "stage1"]).ok();
    assert_eq!(
        tcup_in(&sb, url, &deep, &["toolchain", "list", "-v"]).ok().stdout,
        format!("stage1 (active, default) {}\n", build.display())
    );
    proxy(&sb, url, &deep, "1", "rustc", &[]).fails(1, &["'rustc' is not installed for the custom toolchain 'stage1'"]);
    // A toolchain file naming a toolchain that is neither linked nor a channel: the file is named.
    let file = proj.join("rust-toolchain.toml");
    std::fs::write(&file, "[toolchain]\nchannel = \"mybuild\"\n").unwrap();
    proxy(&sb, url, &deep, "1", "rustc", &[]).fails(
        1,
        &[
            &format!("toolchain 'mybuild', named by the toolchain file at '{}', is not installed", file.display()),
            "help: installed toolchains: stage1",
        ],
    );
    std::fs::remove_file(&file).unwrap();
    tcup_in(&sb, url, &deep, &["toolchain", "uninstall", "stage1"]).ok();
    assert!(build.join("bin").is_dir(), "uninstalling a link keeps the linked directory");
}

#[test]
fn completions_for_real_shells() {
    let sb = Sandbox::new();
    let bash = sb.run("http://127.0.0.1:9", &["completions", "bash"]).ok();
    let script = sb.dir.path().join("tcup.bash");
    std::fs::write(&script, &bash.stdout).unwrap();
    let complete = "complete -p tcup && COMP_WORDS=(tcup overr) COMP_CWORD=1 && _tcup tcup overr tcup && echo \"${COMPREPLY[@]}\"";
    let loaded = run(Command::new("bash").arg("-c").arg(format!(". {} && {complete}", script.display()))).ok();
    assert!(loaded.stdout.ends_with("\noverride\n"), "{loaded:?}");
    // zsh and fish parse theirs (`.ci/run` installs both).
    for (shell, check) in [("zsh", "zsh -n"), ("fish", "fish --no-execute")] {
        let out = sb.run("http://127.0.0.1:9", &["completions", shell]).ok();
        let file = sb.dir.path().join(format!("tcup.{shell}"));
        std::fs::write(&file, &out.stdout).unwrap();
        run(Command::new("sh").arg("-c").arg(format!("{check} {}", file.display()))).ok();
        assert!(out.stdout.contains("override"), "{shell}: {}", out.stdout);
    }
    let fish =
        run(Command::new("fish").arg("-c").arg(format!("source {}; complete -C 'tcup overr'", sb.dir.path().join("tcup.fish").display())))
            .ok();
    assert!(fish.stdout.starts_with("override"), "{fish:?}");
    for shell in ["elvish", "powershell"] {
        let out = sb.run("http://127.0.0.1:9", &["completions", shell]).ok();
        assert!(out.stdout.contains("override") && out.stdout.contains("toolchain"), "{shell}: {}", out.stdout);
    }
    let cargo = sb.run("http://127.0.0.1:9", &["completions", "bash", "cargo"]).ok();
    assert!(cargo.stdout.contains("source \"$(rustc --print sysroot)\"/etc/bash_completion.d/cargo"), "{}", cargo.stdout);
    sb.run("http://127.0.0.1:9", &["completions", "fish", "cargo"]).fails(1, &["cargo does not currently support completions for fish"]);
}

fn rustup(sb: &Sandbox, dist: &str, cwd: &Path, args: &[&str]) -> Run {
    let bin = crate::support::rustup();
    let mut c = sb.tcup(dist);
    c.env("RUSTUP_AUTO_INSTALL", "0").env("RUST_BACKTRACE", "0");
    run(Command::new(bin).env_clear_keep(&c).current_dir(cwd).args(args))
}

#[test]
fn rustup_and_tcup_share_default_and_overrides() {
    let server = served(Scenario::stable());
    let url = &server.url;
    let sb = Sandbox::new();
    let tc = format!("stable-{HOST}");
    let (_p, proj, deep) = project();
    let other = proj.join("other");
    std::fs::create_dir_all(&other).unwrap();
    sb.run(url, &["toolchain", "install", "stable", "--profile", "minimal"]).ok();
    tcup_in(&sb, url, &deep, &["default", "none"]).ok();
    tcup_in(&sb, url, &deep, &["default", "stable"]).ok();
    assert_eq!(rustup(&sb, url, &deep, &["default"]).ok().stdout, format!("{tc} (default)\n"));
    // tcup sets an override; rustup sees it, with the same reason, from a subdirectory.
    let set = tcup_in(&sb, url, &proj, &["override", "set", "stable"]).ok();
    assert!(set.stderr.contains(&format!("info: override toolchain for {} set to {tc}", proj.display())), "{}", set.stderr);
    let ours = tcup_in(&sb, url, &deep, &["show", "active-toolchain"]).ok().stdout;
    assert_eq!(ours, format!("{tc} (directory override for '{}')\n", proj.display()));
    assert_eq!(rustup(&sb, url, &deep, &["show", "active-toolchain"]).ok().stdout, ours);
    assert_eq!(rustup(&sb, url, &deep, &["show"]).ok().stdout, tcup_in(&sb, url, &deep, &["show"]).ok().stdout);
    assert_eq!(
        rustup(&sb, url, &deep, &["toolchain", "list", "-v"]).ok().stdout,
        tcup_in(&sb, url, &deep, &["toolchain", "list", "-v"]).ok().stdout
    );
    assert_eq!(rustup(&sb, url, &deep, &["override", "list"]).ok().stdout, tcup_in(&sb, url, &deep, &["override", "list"]).ok().stdout);
    // rustup sets one elsewhere and changes the default; tcup reads both.
    rustup(&sb, url, &other, &["override", "set", &tc]).ok();
    assert_eq!(
        tcup_in(&sb, url, &other, &["show", "active-toolchain"]).ok().stdout,
        format!("{tc} (directory override for '{}')\n", other.display())
    );
    rustup(&sb, url, &deep, &["default", "none"]).ok();
    tcup_in(&sb, url, &deep, &["default"]).fails(1, &["no default toolchain is configured"]);
    rustup(&sb, url, &deep, &["set", "auto-install", "disable"]).ok();
    let mut c = sb.tcup(url);
    c.env_remove("RUSTUP_AUTO_INSTALL");
    run(Command::new(proxies(&sb).join("rustc")).env_clear_keep(&c).current_dir(&deep).arg("+beta")).fails(1, &["is not installed"]);
    // Unset with tcup; rustup agrees there is none left for that directory.
    tcup_in(&sb, url, &proj, &["override", "unset"]).ok();
    let none = tcup_in(&sb, url, &proj, &["override", "unset"]).ok();
    assert!(none.stderr.contains(&format!("info: no override toolchain for '{}'", proj.display())), "{}", none.stderr);
    let list = rustup(&sb, url, &deep, &["override", "list"]).ok().stdout;
    assert!(!list.contains(&format!("{}  ", proj.display())) && list.contains(other.to_str().unwrap()), "{list}");
    std::fs::remove_dir_all(&other).unwrap();
    let gone = tcup_in(&sb, url, &deep, &["override", "list"]).ok();
    assert_eq!(gone.stdout, rustup(&sb, url, &deep, &["override", "list"]).ok().stdout);
    assert!(gone.stdout.contains(" (not a directory)") && gone.stderr.contains("tcup override unset --nonexistent"), "{gone:?}");
    tcup_in(&sb, url, &deep, &["override", "unset", "--nonexistent"]).ok();
    assert_eq!(rustup(&sb, url, &deep, &["override", "list"]).ok().stdout, "no overrides\n");
    let settings = std::fs::read_to_string(sb.rustup_home.join("settings.toml")).unwrap();
    assert!(settings.contains("version = \"12\""), "{settings}");
}
