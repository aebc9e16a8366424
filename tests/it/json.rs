//! `--format json` (issue 21): every query's document against its schema in docs/schema/ and
//! against what the text output says on the same home; errors as one JSON object on stderr with
//! the text's exit code; an install's JSON Lines events against a throttled loopback server and
//! a stalled backend; `tcup self man-pages` pages rendered with `man -l`.

#![allow(clippy::many_single_char_names)]

use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use crate::support::server::{Fault, Rule};
use crate::support::{HOST, Run, Sandbox, Scenario, Served, on_path, run, served};

/// The schema `docs/schema/NAME.json`.
fn schema(name: &str) -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schema").join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap_or_else(|e| panic!("{name}.json is no schema: {e}"))
}

/// `json` parsed and checked against schema `name`.
#[track_caller]
pub(crate) fn valid(name: &str, json: &str) -> Value {
    let v: Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("not JSON ({e}):\n{json}"));
    let errors: Vec<String> = schema(name).iter_errors(&v).map(|e| format!("{e} at {}", e.instance_path)).collect();
    assert!(errors.is_empty(), "{name}.json refuses the output: {errors:?}\n{json}");
    v
}

struct Home {
    server: Served,
    sb: Sandbox,
    project: tempfile::TempDir,
}

/// A home with `stable` installed (default profile) from a loopback server, and a directory
/// override on a project directory.
fn home() -> Home {
    let server = served(Scenario::stable());
    let sb = Sandbox::new();
    sb.run(&server.url, &["install", "stable"]).ok();
    let project = tempfile::tempdir_in(sb.dir.path()).unwrap();
    let dir = project.path().to_str().unwrap().to_owned();
    sb.run(&server.url, &["override", "set", "stable", "--path", &dir]).ok();
    Home { server, sb, project }
}

impl Home {
    /// `tcup ARGS` from the project directory, text then JSON: (text run, JSON run).
    fn both(&self, args: &[&str]) -> (Run, Run) {
        let go = |extra: &[&str]| {
            run(self.sb.tcup(&self.server.url).current_dir(self.project.path()).env("RUSTUP_AUTO_INSTALL", "0").args(extra).args(args))
        };
        (go(&[]), go(&["--format", "json"]))
    }

    /// The JSON document of `args` (schema `name`) and the text lines, both successful.
    fn query(&self, name: &str, args: &[&str]) -> (Value, Vec<String>) {
        let (text, json) = self.both(args);
        let (text, json) = (text.ok(), json.ok());
        // The test mirror is unsigned: the one warning that says so comes as a JSON object too.
        for line in json.stderr.lines() {
            let w = valid("warning", line);
            assert!(w["warning"]["message"].as_str().unwrap().contains("is not signed"), "only the unsigned-manifest warning: {line}");
        }
        (valid(name, &json.stdout), text.stdout.lines().map(str::to_owned).collect())
    }
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_owned()).collect()
}

#[test]
fn show_and_lists_agree_with_the_text_and_their_schemas() {
    let h = home();
    let tc = format!("stable-{HOST}");
    let (show, text) = h.query("show", &["show"]);
    assert_eq!(text[0], format!("Default host: {}", show["default_host"].as_str().unwrap()));
    assert_eq!(show["rustup_home"], h.sb.rustup_home.to_str().unwrap());
    let listed: Vec<&str> = show["installed_toolchains"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(listed, [tc.as_str()]);
    assert!(text.contains(&format!("{tc} (active, default)")), "{text:?}");
    let active = &show["active_toolchain"];
    assert_eq!(
        (active["name"].as_str(), active["channel"].as_str(), active["host"].as_str()),
        (Some(tc.as_str()), Some("stable"), Some(HOST))
    );
    assert!(text.contains(&format!("name: {tc}")));
    assert_eq!(active["reason"]["kind"], "directory_override");
    assert!(text.contains(&format!("active because: {}", active["reason"]["because"].as_str().unwrap())), "{text:?}");
    let targets = strs(&active["installed_targets"]);
    assert_eq!(targets, [HOST]);
    let after = text.iter().position(|l| l == "installed targets:").unwrap();
    assert_eq!(text[after + 1..].iter().map(|l| l.trim().to_owned()).collect::<Vec<_>>(), targets);

    let (a, text) = h.query("active-toolchain", &["show", "active-toolchain"]);
    assert_eq!(text, [format!("{tc} ({})", a["reason"]["because"].as_str().unwrap())]);
    assert_eq!(a["path"], h.sb.toolchain(&tc).to_str().unwrap());
    assert_eq!(a["compiler"], "rustc 1.95.0 (synthetic)");
    let (home, text) = h.query("home", &["show", "home"]);
    assert_eq!(text, [home["rustup_home"].as_str().unwrap()]);
    let (profile, text) = h.query("profile", &["show", "profile"]);
    assert_eq!(text, [profile["profile"].as_str().unwrap()]);

    let (list, text) = h.query("toolchain-list", &["toolchain", "list", "-v"]);
    let t = &list["toolchains"][0];
    assert_eq!((t["active"].as_bool(), t["default"].as_bool()), (Some(true), Some(true)));
    assert_eq!(text, [format!("{tc} (active, default) {}", t["path"].as_str().unwrap())]);

    for (kind, field, args) in [("component-list", "components", ["component", "list"]), ("target-list", "targets", ["target", "list"])] {
        let (doc, text) = h.query(kind, &args);
        assert_eq!(doc["toolchain"]["name"], tc.as_str());
        let rows: Vec<String> = doc[field]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| format!("{}{}", r["name"].as_str().unwrap(), if r["installed"] == true { " (installed)" } else { "" }))
            .collect();
        assert_eq!(rows, text, "{kind}");
        assert!(rows.len() > 1 && rows.iter().any(|r| !r.ends_with("(installed)")), "{rows:?}");
        let (only, text) = h.query(kind, &[args[0], args[1], "--installed"]);
        let names: Vec<&str> = only[field].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
        assert_eq!(names, text);
        assert!(only[field].as_array().unwrap().iter().all(|r| r["installed"] == true));
    }
    assert!(h.query("component-list", &["component", "list", "--installed"]).1.contains(&format!("rustfmt-{HOST}")));

    let (o, text) = h.query("override-list", &["override", "list"]);
    let dir = std::fs::canonicalize(h.project.path()).unwrap();
    assert_eq!(o["overrides"][0]["path"], dir.to_str().unwrap());
    assert_eq!((o["overrides"][0]["exists"].as_bool(), o["overrides"][0]["toolchain"]["name"].as_str()), (Some(true), Some(tc.as_str())));
    assert_eq!(text.len(), 1);
    assert!(text[0].starts_with(dir.to_str().unwrap()) && text[0].contains(&tc), "{text:?}");

    let (w, text) = h.query("which", &["which", "rustc"]);
    assert_eq!(text, [w["path"].as_str().unwrap()]);
    assert_eq!(w["path"], h.sb.toolchain(&tc).join("bin/rustc").to_str().unwrap());
    assert_eq!(w["toolchain"]["channel"], "stable");
}

#[test]
fn check_doctor_and_verify_agree_with_the_text_and_their_schemas() {
    let h = home();
    let tc = format!("stable-{HOST}");
    let (c, text) = h.query("check", &["check", "--no-self-update"]);
    let t = &c["toolchains"][0];
    assert_eq!(
        (t["name"].as_str(), t["update_available"].as_bool(), c["update_available"].as_bool()),
        (Some(tc.as_str()), Some(false), Some(false))
    );
    assert_eq!(text, [format!("{tc} - up to date: {}", t["available_version"].as_str().unwrap())]);
    assert!(c["tcup"].is_null());

    let (d, text) = h.query("doctor", &["doctor"]);
    let backends: Vec<&str> = d["backends"].as_array().unwrap().iter().map(|b| b["backend"].as_str().unwrap()).collect();
    assert_eq!(backends, ["rustls", "curl", "native-tls"]);
    assert_eq!(text[0], format!("dist server: {}", d["dist_server"].as_str().unwrap()));
    for b in d["backends"].as_array().unwrap() {
        assert_eq!(b["ok"], true, "{b}");
        let line = text.iter().find(|l| l.starts_with(b["backend"].as_str().unwrap())).unwrap();
        assert!(line.contains(" ok "), "{line}");
        assert!(b["bytes"].as_u64().unwrap() > 0 && b["total_seconds"].as_f64().unwrap() >= b["first_byte_seconds"].as_f64().unwrap());
    }

    let (host, text) = h.query("doctor-host", &["doctor", "host"]);
    assert_eq!(text[0], host["host"].as_str().unwrap());
    assert!(host["refused"].is_null());
    let evidence = strs(&host["evidence"]);
    assert!(!evidence.is_empty() && evidence.iter().all(|e| text.contains(&format!("  {e}"))), "{text:?}");

    let (v, text) = h.query("toolchain-verify", &["toolchain", "verify"]);
    assert_eq!((v["clean"].as_bool(), v["has_receipt"].as_bool()), (Some(true), Some(true)));
    assert_eq!(text, [format!("{tc}: {} components, every file as installed", v["components"].as_array().unwrap().len())]);
    // A damaged file: the same finding both ways, an absolute path in JSON, exit 1 both ways.
    std::fs::write(h.sb.toolchain(&tc).join("bin/rustfmt"), "changed").unwrap();
    let (text, json) = h.both(&["toolchain", "verify"]);
    assert_eq!((text.code, json.code), (1, 1));
    assert!(text.stdout.contains(&format!("rustfmt-preview-{HOST}: changed bin/rustfmt")), "{}", text.stdout);
    let v = valid("toolchain-verify", &json.stdout);
    let rustfmt = v["components"].as_array().unwrap().iter().find(|c| c["name"] == format!("rustfmt-preview-{HOST}")).unwrap();
    assert_eq!(strs(&rustfmt["changed"]), [h.sb.toolchain(&tc).join("bin/rustfmt").to_str().unwrap()]);
    let err = valid("error", json.stderr.trim());
    assert_eq!(err["error"]["exit_code"], 1);
    // The text's last line is the error (an info line on the manifest's signature comes before it).
    assert_eq!(format!("error: {}", err["error"]["message"].as_str().unwrap()), text.stderr.lines().last().unwrap());
}

#[test]
fn errors_are_one_json_object_with_the_texts_exit_code() {
    let sb = Sandbox::new();
    // An operation error (exit 1), a usage error clap finds (exit 2), a bad name (exit 2).
    for args in [&["component", "list", "--toolchain", "stable"][..], &["toolchain", "lisst"], &["install", "stable-"]] {
        let text = sb.run(crate::support::OFFLINE, args);
        let json = sb.run(crate::support::OFFLINE, &[&["--format", "json"], args].concat());
        assert_ne!(text.code, 0, "{args:?}");
        assert_eq!(json.code, text.code, "{args:?}: {}", json.stderr);
        assert_eq!(json.stderr.lines().count(), 1, "one line: {}", json.stderr);
        let err = valid("error", &json.stderr);
        assert_eq!(err["error"]["exit_code"], text.code);
        assert!(
            text.stderr.contains(err["error"]["message"].as_str().unwrap().lines().next().unwrap()),
            "{args:?}\n{}\n{}",
            text.stderr,
            json.stderr
        );
        assert!(!json.stderr.contains("\u{1b}["), "{}", json.stderr);
        if args[0] == "install" {
            // An install streams events: its last (here only) line is the same error.
            let last = valid("events", json.stdout.trim());
            assert_eq!((&last["event"], &last["message"]), (&Value::from("error"), &err["error"]["message"]));
        } else {
            assert!(json.stdout.is_empty(), "{}", json.stdout);
        }
    }
    // TCUP_FORMAT is read like every variable: a bad value names it, exit 2; json works too.
    let bad = run(sb.tcup(crate::support::OFFLINE).env("TCUP_FORMAT", "yaml").args(["show", "home"]));
    bad.fails(2, &["TCUP_FORMAT", "yaml", "text or json"]);
    let ok = run(sb.tcup(crate::support::OFFLINE).env("TCUP_FORMAT", "json").args(["show", "home"])).ok();
    assert_eq!(valid("home", &ok.stdout)["rustup_home"], sb.rustup_home.to_str().unwrap());
    let text = run(sb.tcup(crate::support::OFFLINE).env("TCUP_FORMAT", "json").args(["--format", "text", "show", "home"])).ok();
    assert_eq!(text.stdout, format!("{}\n", sb.rustup_home.display()), "--format wins over TCUP_FORMAT");
}

/// Every stdout line of a JSON install, each checked against events.json.
fn events(r: &Run) -> Vec<Value> {
    r.stdout.lines().map(|l| valid("events", l)).collect()
}

#[test]
fn an_install_streams_events_whose_progress_rises_to_the_size() {
    let server = served(Scenario::stable());
    let size = u64::try_from(server.archive_bytes("rustc", "xz").len()).unwrap();
    // ~300 KB at 32 KiB every 100 ms: about a second, several progress events.
    server.fault(&server.archive("rustc", "xz"), Fault::Drip(32 * 1024, Duration::from_millis(100)));
    let sb = Sandbox::new();
    let r = run(sb.tcup(&server.url).env("RUSTUP_TERM_PROGRESS_WHEN", "always").args([
        "--format",
        "json",
        "install",
        "stable",
        "--profile",
        "minimal",
    ]))
    .ok();
    assert!(r.stderr.is_empty(), "no bars, no info lines: {}", r.stderr);
    let mut ev = events(&r);
    // The unsigned test mirror's one warning (issue 17) comes first, as an event.
    assert_eq!(ev[0]["event"], "warning");
    assert!(ev[0]["message"].as_str().unwrap_or_default().contains("is not signed"), "{:?}", ev[0]);
    ev.remove(0);
    assert_eq!(ev[0]["event"], "manifest");
    assert!(strs(&ev[0]["components"]).contains(&format!("rustc-{HOST}")));
    assert_eq!(ev.last().unwrap()["event"], "done");
    let rustc = format!("rustc-{HOST}");
    let mine: Vec<&Value> = ev.iter().filter(|e| e["component"] == rustc.as_str()).collect();
    assert_eq!(mine[0]["event"], "component_start");
    assert_eq!(mine[0]["size"], size);
    let progress: Vec<u64> = mine.iter().filter(|e| e["event"] == "progress").map(|e| e["bytes"].as_u64().unwrap()).collect();
    assert!(progress.len() >= 3, "several progress events: {progress:?}");
    assert!(progress.windows(2).all(|w| w[0] <= w[1]), "rising: {progress:?}");
    assert_eq!(*progress.last().unwrap(), size, "{progress:?}");
    let done = mine.last().unwrap();
    assert_eq!((done["event"].as_str(), done["bytes"].as_u64()), (Some("component_done"), Some(size)));
    assert!(done["seconds"].as_f64().unwrap() > 0.5, "{done}");
    let finished = ev.iter().find(|e| e["event"] == "toolchain_done").unwrap();
    assert_eq!((finished["toolchain"].as_str(), finished["status"].as_str()), (Some(format!("stable-{HOST}").as_str()), Some("installed")));
    assert!(sb.toolchain(&format!("stable-{HOST}")).join("bin/rustc").is_file());
}

#[test]
fn a_stalled_backend_is_a_fallback_event_and_a_failure_an_error_event() {
    let server = served(Scenario::stable());
    let rule = Rule { fault: Fault::Hold(Duration::from_mins(2)), user_agent: Some("(rustls)".into()), times: None };
    server.rule(&server.archive("rustc", "xz"), rule);
    let sb = Sandbox::new();
    let install =
        |backends: &str| {
            run(sb
                .tcup(&server.url)
                .env("TCUP_STALL_TIMEOUT", "1")
                .env("RUSTUP_DOWNLOAD_TIMEOUT", "3")
                .env("TCUP_BACKENDS", backends)
                .args(["--format", "json", "install", "stable", "--profile", "minimal"]))
        };
    let r = install("rustls,curl").ok();
    let ev = events(&r);
    let fallback = ev.iter().find(|e| e["event"] == "fallback").unwrap_or_else(|| panic!("a fallback event:\n{}", r.stdout));
    let reason = fallback["reason"].as_str().unwrap();
    assert!(reason.contains("rustls stalled on") && reason.contains("trying curl"), "{reason}");
    assert_eq!(ev.last().unwrap()["event"], "done");
    // rustls alone: no fallback left; the stream ends with an error event, stderr has the object.
    std::fs::remove_dir_all(sb.toolchain(&format!("stable-{HOST}"))).unwrap();
    let r = install("rustls");
    assert_eq!(r.code, 1, "{}", r.stderr);
    let last = events(&r).pop().unwrap();
    assert_eq!((last["event"].as_str(), last["exit_code"].as_i64()), (Some("error"), Some(1)));
    let err = valid("error", r.stderr.trim());
    assert_eq!(err["error"]["message"], last["message"]);
    assert!(err["error"]["message"].as_str().unwrap().contains("stalled"), "{err}");
}

#[test]
fn man_pages_cover_every_subcommand_and_render() {
    let man = on_path("man", "the man pages are rendered with man -l (man-db)");
    let sb = Sandbox::new();
    let dir = sb.dir.path().join("man");
    sb.run(crate::support::OFFLINE, &["self", "man-pages", dir.to_str().unwrap()]).ok();
    let help = sb.run(crate::support::OFFLINE, &["--help"]).ok().stdout;
    // Every subcommand `tcup --help` lists has a page, and so has each of theirs.
    let commands: Vec<String> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter(|l| !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_owned)
        .collect();
    assert!(commands.len() > 15, "{commands:?}");
    for page in std::iter::once("tcup".to_owned())
        .chain(commands.iter().map(|c| format!("tcup-{c}")))
        .chain(["toolchain-install", "toolchain-list", "component-add", "override-set", "doctor-host"].iter().map(|c| format!("tcup-{c}")))
    {
        let file = dir.join(format!("{page}.1"));
        assert!(file.is_file(), "no page {}", file.display());
        let shown = run(std::process::Command::new(&man).env("MANWIDTH", "80").arg("-l").arg(&file));
        let shown = shown.ok();
        assert!(shown.stdout.contains("NAME") && shown.stdout.contains("SYNOPSIS"), "{page}:\n{}", shown.stdout);
        assert!(shown.stdout.contains(&page), "{page} names itself:\n{}", shown.stdout);
    }
}

#[test]
fn init_installs_the_man_pages_where_man_finds_them_unless_no_man() {
    let man = on_path("man", "the man pages are rendered with man -l (man-db)");
    let sb = Sandbox::new();
    let args = ["init", "-y", "--no-modify-path", "--default-toolchain", "none"];
    sb.run(crate::support::OFFLINE, &args).ok();
    let page = sb.cargo_home.join("share/man/man1/tcup-toolchain-install.1");
    assert!(page.is_file() && sb.cargo_home.join("share/man/man1/tcup.1").is_file(), "pages in CARGO_HOME/share/man/man1");
    // man-db maps CARGO_HOME/bin on PATH to CARGO_HOME/share/man: `man tcup` works after init.
    let path = format!("{}:/usr/bin:/bin", sb.cargo_home.join("bin").display());
    let found = run(sb.command(&man).env("PATH", path).args(["-w", "tcup-toolchain-install"])).ok();
    assert_eq!(found.stdout.trim(), page.to_str().unwrap());
    let other = Sandbox::new();
    other.run(crate::support::OFFLINE, &[&args[..], &["--no-man"]].concat()).ok();
    assert!(other.cargo_home.join("bin/tcup").is_file() && !other.cargo_home.join("share/man").exists(), "--no-man skips them");
}

#[test]
fn mirror_pack_streams_one_start_and_done_per_component() {
    let h = home();
    let tc = h.sb.toolchain(&format!("stable-{HOST}"));
    let out = h.sb.dir.path().join("mirror");
    let r = h.sb.run(
        &h.server.url,
        &["--format", "json", "mirror", "pack", "--toolchain", tc.to_str().unwrap(), "--out", out.to_str().unwrap(), "--formats", "gz"],
    );
    let r = r.ok();
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    let ev = events(&r);
    let planned = strs(&ev[0]["components"]);
    let done: Vec<String> =
        ev.iter().filter(|e| e["event"] == "component_done").map(|e| e["component"].as_str().unwrap().to_owned()).collect();
    let mut sorted = done.clone();
    sorted.sort();
    let mut want = planned.clone();
    want.sort();
    assert_eq!(sorted, want, "every planned component packed once");
    assert_eq!(ev.iter().filter(|e| e["event"] == "component_start").count(), planned.len());
    assert_eq!(ev.last().unwrap()["event"], "done");
    assert!(out.join("dist/channel-rust-stable.toml").is_file());
}
