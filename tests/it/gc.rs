//! Last use and `tcup toolchain gc` (issue 31; docs/design.md active-9, install-16, install-17):
//! the proxies record the day a toolchain ran and the toolchain file that chose it, once a day;
//! `gc` keeps the default, an override's, a known project's, a linked and a recently used
//! toolchain and removes the rest, with the bytes freed (shared bytes once). The clock is
//! `TCUP_TODAY`: tests set the day, never sleep.

use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::support::{HOST, Run, Sandbox, Scenario, run, served};

/// `tool` run through the proxy program (or, with `tcup_itself`, tcup linked as the proxy) from
/// `cwd` on day `today`, auto-install off.
fn proxy(sb: &Sandbox, cwd: &Path, today: &str, tool: &str, args: &[&str], tcup_itself: bool) -> Run {
    let bin = sb.dir.path().join(if tcup_itself { "tcup-bin" } else { "proxy-bin" });
    std::fs::create_dir_all(&bin).unwrap();
    let link = bin.join(tool);
    if !link.exists() {
        let program = if tcup_itself { env!("CARGO_BIN_EXE_tcup") } else { env!("CARGO_BIN_EXE_tcup-proxy") };
        std::os::unix::fs::symlink(program, &link).unwrap();
    }
    run(sb.command(&link).env("RUSTUP_AUTO_INSTALL", "0").env("TCUP_TODAY", today).current_dir(cwd).args(args))
}

fn mtime(path: &Path) -> SystemTime {
    std::fs::metadata(path).unwrap().modified().unwrap()
}

fn set_mtime(path: &Path, t: SystemTime) {
    std::fs::File::options().read(true).open(path).unwrap().set_modified(t).unwrap();
}

fn usage_dir(sb: &Sandbox) -> PathBuf {
    sb.rustup_home.join("tcup-usage")
}

/// The one project record (there must be exactly one).
fn project_record(sb: &Sandbox) -> PathBuf {
    let dir = usage_dir(sb).join("projects");
    let names = crate::support::list(&dir);
    assert_eq!(names.len(), 1, "{names:?}");
    dir.join(&names[0])
}

/// The UTC day of `t`, as tcup writes days.
fn day_of(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).unwrap().as_secs();
    tcup::env::calendar::date(i64::try_from(secs / 86_400).unwrap())
}

/// Bytes under `dirs`, each inode once, links not followed: what a file system holds for them.
fn unique_bytes(dirs: &[PathBuf]) -> u64 {
    let mut seen: HashMap<(u64, u64), u64> = HashMap::new();
    let mut stack: Vec<PathBuf> = dirs.to_vec();
    while let Some(p) = stack.pop() {
        let Ok(m) = std::fs::symlink_metadata(&p) else { continue };
        if m.is_dir() {
            stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
        } else {
            seen.insert((m.dev(), m.ino()), m.len());
        }
    }
    seen.values().sum()
}

#[test]
fn proxies_record_last_use_and_the_project_once_a_day_and_never_for_a_linked_toolchain() {
    let server = served(Scenario::stable());
    let sb = Sandbox::new();
    sb.run(&server.url, &["toolchain", "install", "stable", "--profile", "minimal"]).ok();
    let project = tempfile::tempdir().unwrap();
    let project = std::fs::canonicalize(project.path()).unwrap();
    let file = project.join("rust-toolchain.toml");
    std::fs::write(&file, "[toolchain]\nchannel = \"stable\"\n").unwrap();
    let tc = format!("stable-{HOST}");
    let record = usage_dir(&sb).join("toolchains").join(&tc);

    let out = proxy(&sb, &project, "2027-01-01", "rustc", &["-V"], false).ok();
    assert_eq!(out.stdout, "rustc 1.95.0 (synthetic)\n");
    assert_eq!(std::fs::read_to_string(&record).unwrap(), "2027-01-01\n");
    let project_file = project_record(&sb);
    assert_eq!(std::fs::read_to_string(&project_file).unwrap(), format!("2027-01-01\n{tc}\n{}\n", file.display()));
    assert!(!sb.toolchain(&tc).join("tcup-usage").exists() && !sb.toolchain(&tc).join("lib/rustlib/tcup-usage").exists());

    // The same day again, through either proxy program: nothing is written.
    let old = UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    set_mtime(&record, old);
    set_mtime(&project_file, old);
    proxy(&sb, &project, "2027-01-01", "rustc", &["-V"], false).ok();
    proxy(&sb, &project, "2027-01-01", "cargo", &["-V"], true).ok();
    assert_eq!((mtime(&record), mtime(&project_file)), (old, old), "a second run the same day writes nothing");

    // The next day, tcup as the proxy writes the day once more.
    proxy(&sb, &project, "2027-01-02", "cargo", &["-V"], true).ok();
    assert_eq!(std::fs::read_to_string(&record).unwrap(), "2027-01-02\n");
    assert!(std::fs::read_to_string(&project_file).unwrap().starts_with("2027-01-02\n"));
    assert_ne!(mtime(&record), old);

    // A linked toolchain and a path toolchain are never recorded.
    sb.run(&server.url, &["toolchain", "link", "stage1", sb.toolchain(&tc).to_str().unwrap()]).ok();
    proxy(&sb, sb.dir.path(), "2027-01-03", "rustc", &["+stage1", "-V"], false).ok();
    let path_tc = sb.toolchain(&tc);
    let run_path =
        run(sb.command(sb.dir.path().join("proxy-bin/rustc")).env("RUSTUP_TOOLCHAIN", &path_tc).env("TCUP_TODAY", "2027-01-03").arg("-V"));
    assert_eq!(run_path.ok().stdout, "rustc 1.95.0 (synthetic)\n");
    assert_eq!(crate::support::list(&usage_dir(&sb).join("toolchains")), std::slice::from_ref(&tc));
    assert_eq!(std::fs::read_to_string(&record).unwrap(), "2027-01-02\n", "the path toolchain's run is not stable's");

    // A home the proxy cannot write to still runs the tool.
    std::fs::remove_dir_all(usage_dir(&sb)).unwrap();
    std::fs::write(usage_dir(&sb), "not a directory").unwrap();
    proxy(&sb, &project, "2027-01-04", "rustc", &["-V"], false).ok();
    proxy(&sb, &project, "2027-01-04", "rustc", &["-V"], true).ok();

    // Uninstalling drops the record.
    std::fs::remove_file(usage_dir(&sb)).unwrap();
    proxy(&sb, &project, "2027-01-05", "rustc", &["-V"], false).ok();
    assert!(record.is_file());
    sb.run(&server.url, &["toolchain", "uninstall", "stable"]).ok();
    assert!(!record.exists());
}

/// A home with six toolchains of one release (sharing every component's files, fetch-7) and a
/// linked one: stable the default, beta a directory override's, nightly a known project's,
/// 1.95.0 used 9 days before `GC_DAY`, nightly-2026-04-16 used 68 days before, and
/// beta-2026-04-16 never used; the last two hold a 1000-byte file hard-linked between them and
/// the last a 300-byte file of its own.
struct Home {
    server: crate::support::Served,
    sb: Sandbox,
    _project: tempfile::TempDir,
    project_file: PathBuf,
    override_dir: PathBuf,
}

const GC_DAY: &str = "2027-03-10";

fn home() -> Home {
    let server = served(Scenario::channels(&["stable", "beta", "nightly", "1.95.0"]));
    let sb = Sandbox::new();
    let names = ["stable", "beta", "nightly", "1.95.0", "nightly-2026-04-16", "beta-2026-04-16"];
    let mut args = vec!["toolchain", "install", "--profile", "minimal"];
    args.extend(names);
    sb.run(&server.url, &args).ok();
    sb.run(&server.url, &["default", "stable"]).ok();
    let project = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(project.path()).unwrap();
    let (proj, override_dir) = (root.join("proj"), root.join("overridden"));
    std::fs::create_dir_all(&proj).unwrap();
    std::fs::create_dir_all(&override_dir).unwrap();
    run(sb.tcup(&server.url).current_dir(&override_dir).args(["override", "set", "beta"])).ok();
    let project_file = proj.join("rust-toolchain.toml");
    std::fs::write(&project_file, "[toolchain]\nchannel = \"nightly\"\n").unwrap();
    proxy(&sb, &proj, "2027-01-01", "rustc", &["-V"], false).ok();
    proxy(&sb, sb.dir.path(), "2027-01-01", "rustc", &["+nightly-2026-04-16", "-V"], false).ok();
    proxy(&sb, sb.dir.path(), "2027-03-01", "rustc", &["+1.95.0", "-V"], false).ok();
    let (a, b) = (sb.toolchain(&format!("nightly-2026-04-16-{HOST}")), sb.toolchain(&format!("beta-2026-04-16-{HOST}")));
    std::fs::write(a.join("lib/extra"), [7u8; 1000]).unwrap();
    std::fs::hard_link(a.join("lib/extra"), b.join("lib/extra")).unwrap();
    std::fs::write(b.join("lib/own"), [8u8; 300]).unwrap();
    sb.run(&server.url, &["toolchain", "link", "stage1", sb.toolchain(&format!("stable-{HOST}")).to_str().unwrap()]).ok();
    Home { server, sb, _project: project, project_file, override_dir }
}

impl Home {
    fn gc(&self, args: &[&str]) -> Run {
        let mut all = vec!["toolchain", "gc"];
        all.extend(args);
        run(self.sb.tcup(&self.server.url).env("TCUP_TODAY", GC_DAY).args(&all).stdin(std::process::Stdio::null()))
    }

    fn dirs(&self) -> Vec<PathBuf> {
        ["toolchains", "downloads", "tmp"].iter().map(|d| self.sb.rustup_home.join(d)).collect()
    }
}

fn all_toolchains() -> Vec<String> {
    let mut v: Vec<String> = ["stable", "beta", "nightly", "1.95.0", "nightly-2026-04-16", "beta-2026-04-16"]
        .iter()
        .map(|n| format!("{n}-{HOST}"))
        .chain(["stage1".to_owned()])
        .collect();
    v.sort();
    v
}

#[test]
fn gc_keeps_every_protected_toolchain_and_removes_the_rest_with_the_bytes_freed() {
    let h = home();
    let sb = &h.sb;
    // Stale files: a partial download and a leftover in tmp/ (old by GC_DAY's clock).
    let partial = sb.rustup_home.join("downloads").join(format!("{}.partial", "ab".repeat(32)));
    std::fs::create_dir_all(partial.parent().unwrap()).unwrap();
    std::fs::write(&partial, [1u8; 500]).unwrap();
    // What `tcup fetch` keeps for an offline install is never stale, however old.
    let fetched = sb.rustup_home.join("downloads").join("cd".repeat(32));
    std::fs::write(&fetched, [3u8; 300]).unwrap();
    let stored = sb.rustup_home.join("downloads/manifests/dist/channel-rust-stable.toml");
    std::fs::create_dir_all(stored.parent().unwrap()).unwrap();
    std::fs::write(&stored, "manifest").unwrap();
    let leftover = sb.rustup_home.join("tmp/rustup-leftover_file");
    std::fs::create_dir_all(leftover.parent().unwrap()).unwrap();
    std::fs::write(&leftover, [2u8; 200]).unwrap();
    let installed_day = day_of(mtime(&sb.toolchain(&format!("beta-2026-04-16-{HOST}"))));
    let before = unique_bytes(&h.dirs());

    // --dry-run: what goes and why, and nothing changes.
    let dry = h.gc(&["--dry-run"]).ok();
    let line = |prefix: &str| -> String {
        dry.stdout.lines().find(|l| l.starts_with(prefix)).unwrap_or_else(|| panic!("no line {prefix:?}:\n{}", dry.stdout)).to_owned()
    };
    assert!(line(&format!("keep   stable-{HOST}: the default toolchain")).contains("shared with other toolchains"));
    line(&format!("keep   beta-{HOST}: directory override for '{}'", h.override_dir.display()));
    line(&format!("keep   nightly-{HOST}: named by {}", h.project_file.display()));
    line(&format!("keep   1.95.0-{HOST}: last used 2027-03-01 (9 days ago)"));
    line("keep   stage1: linked");
    line(&format!("remove nightly-2026-04-16-{HOST}: last used 2027-01-01 (68 days ago)"));
    let no_record = line(&format!("remove beta-2026-04-16-{HOST}: no record of use; installed {installed_day} ("));
    assert!(no_record.contains(" days ago)"), "{no_record}");
    line(&format!("remove {}: stale, 500 B", partial.display()));
    line(&format!("remove {}: stale, 200 B", leftover.display()));
    assert_eq!(sb.toolchains(), all_toolchains());
    assert!(partial.is_file() && leftover.is_file());

    // JSON: the same plan, valid against its schema; shared bytes counted once in the total.
    let json = h.gc(&["--dry-run", "--format", "json"]).ok();
    let doc = crate::json::valid("toolchain-gc", &json.stdout);
    assert_eq!(doc["outcome"], "dry_run");
    let entry = |name: &str| doc["toolchains"].as_array().unwrap().iter().find(|t| t["name"] == name).unwrap().clone();
    let (a, b) = (entry(&format!("nightly-2026-04-16-{HOST}")), entry(&format!("beta-2026-04-16-{HOST}")));
    assert_eq!((a["action"].as_str(), a["last_used_source"].as_str()), (Some("remove"), Some("record")));
    assert_eq!((b["last_used"].as_str(), b["last_used_source"].as_str()), (Some(installed_day.as_str()), Some("installed")));
    assert!(a["shared_bytes"].as_u64().unwrap() >= 1000 && b["shared_bytes"].as_u64().unwrap() >= 1000);
    assert_eq!(entry("stage1")["bytes"], serde_json::Value::Null);
    assert_eq!(entry(&format!("nightly-{HOST}"))["kept_because"]["kind"], "known_project");
    let would_free = doc["bytes_freed"].as_u64().unwrap();
    assert!(would_free < a["bytes"].as_u64().unwrap() + b["bytes"].as_u64().unwrap() + 700, "components shared with kept toolchains stay");

    // No terminal and no -y: the same report, exit 1, nothing removed.
    let refused = h.gc(&[]).fails(1, &["nothing removed: standard input is not a terminal", "tcup toolchain gc -y"]);
    assert!(refused.stdout.contains(&format!("remove nightly-2026-04-16-{HOST}")), "{}", refused.stdout);
    assert_eq!(sb.toolchains(), all_toolchains());
    assert!(partial.is_file());

    // -y: the two unused toolchains and the stale files go; the bytes line is what the disk lost.
    let done = h.gc(&["-y"]).ok();
    let mut kept = all_toolchains();
    kept.retain(|t| !t.starts_with("nightly-2026-04-16") && !t.starts_with("beta-2026-04-16"));
    assert_eq!(sb.toolchains(), kept);
    assert!(!partial.exists() && !leftover.exists());
    assert!(fetched.is_file() && stored.is_file(), "fetched archives and stored manifests stay");
    let freed = before - unique_bytes(&h.dirs());
    assert_eq!(freed, would_free, "the dry run said what the removal freed");
    assert!(freed >= 1000 + 300 + 500 + 200, "{freed}");
    let want = format!("removed 2 toolchains and 2 stale files: {freed} bytes (");
    assert!(done.stdout.contains(&want), "{want:?} in:\n{}", done.stdout);
    assert!(done.stderr.contains(&format!("toolchain nightly-2026-04-16-{HOST} uninstalled")), "{}", done.stderr);
    // Still runnable: the kept toolchains lost no shared file (run as of the days they last ran,
    // so the records stay as they were).
    for (t, day) in [("stable", "2027-01-01"), ("beta", "2027-01-01"), ("nightly", "2027-01-01"), ("1.95.0", "2027-03-01")] {
        assert_eq!(proxy(sb, sb.dir.path(), day, "rustc", &[&format!("+{t}"), "-V"], false).ok().stdout, "rustc 1.95.0 (synthetic)\n");
    }

    // Nothing left to remove: exit 0 without asking.
    let again = h.gc(&[]).ok();
    assert!(again.stdout.ends_with("nothing to remove (nothing unused for 30 days)\n"), "{}", again.stdout);

    // The project file gone: its toolchain is no longer protected, and its record is forgotten.
    std::fs::remove_file(&h.project_file).unwrap();
    let later = h.gc(&["-y", "--older-than", "60"]).ok();
    assert!(later.stdout.contains(&format!("remove nightly-{HOST}: last used 2027-01-01 (68 days ago)")), "{}", later.stdout);
    assert!(later.stdout.contains(&format!("forget {}: the project file is gone", h.project_file.display())), "{}", later.stdout);
    assert!(!sb.toolchains().contains(&format!("nightly-{HOST}")));
    assert!(crate::support::list(&sb.rustup_home.join("tcup-usage/projects")).is_empty());
}

#[test]
fn toolchain_list_json_gives_last_use_and_bytes_and_the_text_is_rustups() {
    let h = home();
    let text = run(h.sb.tcup(&h.server.url).args(["toolchain", "list"])).ok();
    assert!(!text.stdout.contains("bytes") && !text.stdout.contains("2027"), "{}", text.stdout);
    let json = run(h.sb.tcup(&h.server.url).args(["toolchain", "list", "--format", "json"])).ok();
    let doc = crate::json::valid("toolchain-list", &json.stdout);
    let entry = |name: &str| doc["toolchains"].as_array().unwrap().iter().find(|t| t["name"] == name).unwrap().clone();
    assert_eq!(entry(&format!("1.95.0-{HOST}"))["last_used"], "2027-03-01");
    assert_eq!(entry(&format!("stable-{HOST}"))["last_used"], serde_json::Value::Null);
    let a = entry(&format!("nightly-2026-04-16-{HOST}"));
    let (bytes, shared) = (a["bytes"].as_u64().unwrap(), a["shared_bytes"].as_u64().unwrap());
    assert!(bytes > shared && shared >= 1000, "{a}");
    assert_eq!(bytes, unique_bytes(&[h.sb.toolchain(&format!("nightly-2026-04-16-{HOST}"))]));
    assert_eq!(
        (entry("stage1")["bytes"].clone(), entry("stage1")["last_used"].clone()),
        (serde_json::Value::Null, serde_json::Value::Null)
    );
}

/// `tcup toolchain gc` on a pseudo-terminal (`script`), answering `answer`.
fn gc_on_terminal(h: &Home, answer: &str) -> Run {
    use std::io::Write as _;
    let cmd = format!("exec {} toolchain gc", env!("CARGO_BIN_EXE_tcup"));
    let mut c = h.sb.command(crate::support::on_path("script", "a terminal for gc's question"));
    c.env("RUSTUP_DIST_SERVER", &h.server.url).env("TCUP_TODAY", GC_DAY).args(["-qec", &cmd, "/dev/null"]);
    let mut child =
        c.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(answer.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into(),
        stderr: String::from_utf8_lossy(&out.stderr).into(),
    }
}

#[test]
fn on_a_terminal_gc_asks_and_removes_only_on_yes() {
    let h = home();
    let no = gc_on_terminal(&h, "n\n").ok();
    assert!(no.stdout.contains(&format!("remove nightly-2026-04-16-{HOST}")) && no.stdout.contains("Remove them? (y/N)"), "{}", no.stdout);
    assert!(no.stdout.contains("nothing removed"), "{}", no.stdout);
    assert_eq!(h.sb.toolchains(), all_toolchains());
    let yes = gc_on_terminal(&h, "y\n").ok();
    assert!(yes.stdout.contains("removed 2 toolchains and 0 stale files: "), "{}", yes.stdout);
    assert!(!h.sb.toolchains().contains(&format!("nightly-2026-04-16-{HOST}")));
    assert!(!h.sb.toolchains().contains(&format!("beta-2026-04-16-{HOST}")));
}
