//! tcup on a terminal (issue 12): what a user sees in tmux at 80 columns and on a pseudo-terminal.
//! tmux is the terminal emulator that decides what stays on screen; `script` gives the raw byte
//! stream, where every drawn line is measured against the width.

use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::server::Fault;
use crate::support::{HOST, Sandbox, Scenario, Served, served};

/// A synthetic dist server whose rustc archive arrives slowly enough for bars to be drawn.
pub fn slow_dist() -> Served {
    let server = served(Scenario::stable());
    server.fault(&server.archive("rustc", "xz"), Fault::Drip(32 * 1024, Duration::from_millis(40)));
    server
}

fn sandbox_vars(sb: &Sandbox, dist: &str) -> Vec<(String, String)> {
    vec![
        ("PATH".into(), std::env::var("PATH").unwrap_or_default()),
        ("HOME".into(), sb.dir.path().display().to_string()),
        ("RUSTUP_HOME".into(), sb.rustup_home.display().to_string()),
        ("CARGO_HOME".into(), sb.cargo_home.display().to_string()),
        ("RUSTUP_DIST_SERVER".into(), dist.into()),
        ("TERM".into(), "xterm".into()),
        ("TCUP_TODAY".into(), crate::support::TODAY.into()),
    ]
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Runs `tcup ARGS` in a tmux pane of `width`×24 after two earlier lines, and returns everything
/// the pane holds at the end (scrollback included), trailing blank lines dropped.
pub fn in_tmux(sb: &Sandbox, dist: &str, width: u16, args: &[&str], extra: &[(&str, &str)]) -> String {
    let socket = sb.dir.path().join("tmux.sock");
    let tmux = |args: &[&str]| {
        let mut c = Command::new("tmux");
        c.arg("-S").arg(&socket).args(args).env_clear();
        for (k, v) in sandbox_vars(sb, dist).into_iter().chain(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))) {
            c.env(k, v);
        }
        let out = c.stdin(Stdio::null()).output().expect("tmux runs (.ci/run installs it)");
        assert!(out.status.success(), "tmux {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let cmd = format!(
        "echo 'earlier line 1'; echo 'earlier line 2'; {} {}; echo EXIT=$?; sleep 600",
        env!("CARGO_BIN_EXE_tcup"),
        args.iter().map(|a| shell_quote(a)).collect::<Vec<_>>().join(" ")
    );
    let w = width.to_string();
    tmux(&["-f", "/dev/null", "new-session", "-d", "-x", &w, "-y", "24", "sh", "-c", &cmd]);
    tmux(&["set-option", "-g", "history-limit", "5000"]);
    let mut screen = String::new();
    for _ in 0..1200 {
        screen = tmux(&["capture-pane", "-p", "-S", "-"]);
        if screen.lines().any(|l| l.starts_with("EXIT=")) {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    tmux(&["kill-server"]);
    assert!(screen.lines().any(|l| l.starts_with("EXIT=")), "tcup did not finish in tmux:\n{screen}");
    screen.trim_end().to_owned()
}

/// Runs `tcup ARGS` on a pseudo-terminal of `width` columns; returns the raw bytes written.
pub fn on_pty(sb: &Sandbox, dist: &str, width: u16, args: &[&str], extra: &[(&str, &str)]) -> String {
    let cmd = format!(
        "stty cols {width} rows 24; exec {} {}",
        env!("CARGO_BIN_EXE_tcup"),
        args.iter().map(|a| shell_quote(a)).collect::<Vec<_>>().join(" ")
    );
    let mut c = Command::new("script");
    c.args(["-qec", &cmd, "/dev/null"]).env_clear();
    for (k, v) in sandbox_vars(sb, dist).into_iter().chain(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))) {
        c.env(k, v);
    }
    let out = c.stdin(Stdio::null()).output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Every piece of text between line breaks and carriage returns, escape sequences removed.
fn drawn_segments(raw: &str) -> Vec<String> {
    let mut plain = String::new();
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ params final-byte.
            if chars.peek() == Some(&'[') {
                chars.next();
                for d in chars.by_ref() {
                    if ('@'..='~').contains(&d) {
                        break;
                    }
                }
            }
            plain.push('\n');
            continue;
        }
        plain.push(if c == '\r' { '\n' } else { c });
    }
    plain.split('\n').map(str::to_owned).collect()
}

fn exit_line(screen: &str) -> &str {
    screen.lines().find(|l| l.starts_with("EXIT=")).unwrap()
}

#[test]
fn nothing_is_drawn_before_there_is_work() {
    let sb = Sandbox::new();
    for args in [&["toolchain", "list"][..], &["doctor", "host"], &["install", "stabel"]] {
        let raw = on_pty(&sb, "http://127.0.0.1:9", 80, args, &[]);
        assert!(!raw.contains("total") && !raw.contains("[="), "{args:?} drew a bar: {raw:?}");
    }
}

#[test]
fn install_on_80_columns_fits_and_leaves_a_record() {
    let server = slow_dist();
    let sb = Sandbox::new();
    let screen = in_tmux(&sb, &server.url, 80, &["toolchain", "install", "stable"], &[]);
    assert_eq!(exit_line(&screen), "EXIT=0", "{screen}");
    let lines: Vec<&str> = screen.lines().collect();
    // Lines above tcup's output survive, and so do tcup's own.
    assert!(lines.contains(&"earlier line 1") && lines.contains(&"earlier line 2"), "{screen}");
    assert!(lines.iter().any(|l| l.starts_with("info: syncing channel updates")), "{screen}");
    // One line per finished component, as in a log; no bar left, the final message last.
    for pkg in ["rustc", "cargo", "rust-std", "rust-docs", "rustfmt-preview", "clippy-preview"] {
        let start = format!("info: installed {pkg}-{HOST} (");
        assert_eq!(lines.iter().filter(|l| l.starts_with(&start)).count(), 1, "{pkg}:\n{screen}");
    }
    assert!(!screen.contains("total") && !screen.contains("[="), "bars left behind:\n{screen}");
    let exit = lines.iter().position(|l| l.starts_with("EXIT=")).unwrap();
    assert!(lines[exit - 1].contains("installed (6 components)"), "{screen}");
}

#[test]
fn bars_fit_the_width_and_names_align() {
    let server = slow_dist();
    for (width, extra) in [(80u16, &[("NO_COLOR", "1")][..]), (120, &[("RUSTUP_TERM_WIDTH", "60"), ("NO_COLOR", "1")])] {
        let sb = Sandbox::new();
        let raw = on_pty(&sb, &server.url, width, &["toolchain", "install", "stable"], extra);
        let limit = extra.iter().find(|(k, _)| *k == "RUSTUP_TERM_WIDTH").map_or(usize::from(width), |(_, w)| w.parse().unwrap());
        let segments = drawn_segments(&raw);
        let bars: Vec<&String> = segments.iter().filter(|s| s.contains(" [")).collect();
        assert!(bars.iter().any(|s| s.trim_start().starts_with("total [")), "a total bar was drawn: {raw:?}");
        assert!(bars.iter().any(|s| s.trim_start().starts_with("rustc [")), "rustc's bar, without the host: {raw:?}");
        // Messages are printed above the bars and may wrap; what is redrawn must not.
        for s in segments.iter().filter(|s| !s.starts_with("info: ")) {
            // indicatif pads each line with spaces to exactly the width and lets the terminal move
            // to the next line, so a segment holds whole lines of `limit` columns: the text of each
            // must leave the last column free (text that reaches it is a line that wrapped).
            let chars: Vec<char> = s.chars().collect();
            for line in chars.chunks(limit) {
                let text: String = line.iter().collect();
                assert!(text.trim_end().chars().count() < limit, "a line wider than {limit} columns: {s:?}");
            }
        }
        // Aligned: every bar opens its `[` in the same column.
        let columns: std::collections::BTreeSet<usize> = bars.iter().map(|s| s.find(" [").unwrap()).collect();
        assert_eq!(columns.len(), 1, "bars start in columns {columns:?}: {bars:?}");
    }
}

#[test]
fn colour_follows_rustup_term_color_and_no_color() {
    let sb = Sandbox::new();
    let missing = format!("file://{}", sb.dir.path().join("no-mirror").display());
    let red = "\u{1b}[1;31merror:";
    let run = |extra: &[(&str, &str)]| on_pty(&sb, &missing, 80, &["toolchain", "install", "stable"], extra);
    assert!(run(&[]).contains(red), "auto on a terminal colours");
    assert!(!run(&[("NO_COLOR", "1")]).contains('\u{1b}'), "NO_COLOR");
    assert!(!run(&[("RUSTUP_TERM_COLOR", "never")]).contains('\u{1b}'), "never");
    let piped = Command::new(env!("CARGO_BIN_EXE_tcup"))
        .args(["toolchain", "install", "stable"])
        .env_clear()
        .envs(sandbox_vars(&sb, &missing))
        .env("RUSTUP_TERM_COLOR", "always")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&piped.stderr).contains(red), "always, even into a pipe");
    let bad = Command::new(env!("CARGO_BIN_EXE_tcup")).args(["toolchain", "list"]).env("RUSTUP_TERM_COLOR", "yes").output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("RUSTUP_TERM_COLOR=\"yes\""));
}

#[test]
fn mirror_pack_and_the_run_check_show_progress() {
    let server = slow_dist();
    let sb = Sandbox::new();
    let raw = on_pty(&sb, &server.url, 80, &["toolchain", "install", "stable", "--profile", "minimal"], &[("NO_COLOR", "1")]);
    assert!(raw.contains("checking that the installed rustc runs"), "run check: {raw:?}");
    let tc = sb.toolchain(&format!("stable-{HOST}"));
    let out = sb.dir.path().join("mirror");
    let raw = on_pty(
        &sb,
        &server.url,
        80,
        &["mirror", "pack", "--toolchain", tc.to_str().unwrap(), "--out", out.to_str().unwrap()],
        &[("NO_COLOR", "1")],
    );
    let segments = drawn_segments(&raw);
    assert!(segments.iter().any(|s| s.trim_start().starts_with("rustc [")), "a bar while packing rustc: {raw:?}");
    assert!(segments.iter().any(|s| s.starts_with(&format!("info: packed rustc-{HOST} (xz "))), "{raw:?}");
}
