//! Shared test support: a sandboxed home, running the `tcup` binary, a loopback dist server, and
//! synthetic dist trees ([`served`] puts the two together for a [`Scenario`]).

#![allow(dead_code)]

pub mod dist;
pub mod served;
pub mod server;
pub mod sign;

pub use served::{Scenario, Served, served};

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The host triple tcup installs for by default (what it was built for).
pub const HOST: &str = tcup::BUILD_TRIPLE;

/// A fresh `HOME` with `RUSTUP_HOME` and `CARGO_HOME` inside.
pub struct Sandbox {
    /// Owns the directory.
    pub dir: tempfile::TempDir,
    /// `RUSTUP_HOME`.
    pub rustup_home: PathBuf,
    /// `CARGO_HOME`.
    pub cargo_home: PathBuf,
}

/// A finished command.
#[derive(Debug)]
pub struct Run {
    /// Exit code (-1 when killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    fn from(out: &Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into(),
            stderr: String::from_utf8_lossy(&out.stderr).into(),
        }
    }

    /// Asserts success, showing the output otherwise.
    #[track_caller]
    pub fn ok(self) -> Run {
        assert_eq!(self.code, 0, "expected success\nstdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        self
    }

    /// Asserts exit code `code` and that stderr contains every one of `needles`.
    #[track_caller]
    pub fn fails(self, code: i32, needles: &[&str]) -> Run {
        assert_eq!(self.code, code, "unexpected exit code\nstdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        for n in needles {
            assert!(self.stderr.contains(n), "stderr lacks {n:?}:\n{}", self.stderr);
        }
        assert!(
            !self.stderr.contains("stack backtrace") && !self.stderr.contains("panicked"),
            "no backtrace or panic expected:\n{}",
            self.stderr
        );
        self
    }
}

/// `text` (a command's output) as a transcript to compare whole: what differs between runs and
/// machines replaced by placeholders — the dist server's URL `dist` (its port) by `<dist>`, the
/// sandbox's directory (temporary paths) by `<home>`, the host triple by `<host>`.
pub fn transcript(text: &str, sb: &Sandbox, dist: &str) -> String {
    text.replace(dist, "<dist>").replace(&sb.dir.path().display().to_string(), "<home>").replace(HOST, "<host>")
}

impl Sandbox {
    /// A new empty sandbox.
    pub fn new() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let rustup_home = dir.path().join("rustup");
        let cargo_home = dir.path().join("cargo");
        Sandbox { dir, rustup_home, cargo_home }
    }

    /// `program` with a cleared environment that points at this sandbox's homes and, for the dist
    /// server and the update root, at [`OFFLINE`] (nothing listens there, so no command can reach
    /// the internet, even through a proxy's auto-install); `PATH` is the test's own. A later
    /// `.env(…)` replaces any of these.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut c = Command::new(program);
        c.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("RUSTUP_HOME", &self.rustup_home)
            .env("CARGO_HOME", &self.cargo_home)
            .env("RUSTUP_DIST_SERVER", OFFLINE)
            .env("RUSTUP_UPDATE_ROOT", OFFLINE)
            .env("TCUP_TODAY", TODAY);
        c
    }

    /// `tcup` in [`Sandbox::command`]'s environment against `dist` (`RUST_BACKTRACE=1` set, as on
    /// the machines).
    pub fn tcup(&self, dist: &str) -> Command {
        let mut c = self.command(env!("CARGO_BIN_EXE_tcup"));
        c.env("RUSTUP_DIST_SERVER", dist).env("RUST_BACKTRACE", "1");
        c
    }

    /// Runs `tcup ARGS` against `dist`.
    pub fn run(&self, dist: &str, args: &[&str]) -> Run {
        Run::from(&self.tcup(dist).args(args).output().unwrap())
    }

    /// The directory of an installed toolchain.
    pub fn toolchain(&self, name: &str) -> PathBuf {
        self.rustup_home.join("toolchains").join(name)
    }

    /// Names in `toolchains/` (empty when the directory does not exist).
    pub fn toolchains(&self) -> Vec<String> {
        list(&self.rustup_home.join("toolchains"))
    }

    /// Names in `tmp/`.
    pub fn tmp_entries(&self) -> Vec<String> {
        list(&self.rustup_home.join("tmp"))
    }
}

/// Sorted names in `dir` (empty when absent).
pub fn list(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).map(|d| d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect()).unwrap_or_default();
    v.sort();
    v
}

/// The first `name` on PATH. A missing tool fails the test that needs it, in CI and outside it
/// alike (`ci/test.sh`, the README's test command, installs every tool the tests use).
#[track_caller]
pub fn on_path(name: &str, why_needed: &str) -> PathBuf {
    let found = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()).map(|d| d.join(name)).find(|p| p.is_file());
    found.unwrap_or_else(|| panic!("no {name} on PATH ({why_needed}): run the tests with ci/test.sh, which installs it"))
}

/// Runs any command and captures it.
pub fn run(cmd: &mut Command) -> Run {
    Run::from(&cmd.output().unwrap())
}

/// A dist server and update root where nothing listens (port 9, discard): a command whose
/// environment was cleared gets these first, so a test can never reach the internet, even
/// through a proxy's auto-install. A later `.env(…)` with a test server replaces them.
pub const OFFLINE: &str = "http://127.0.0.1:9";

/// The day tcup takes as today in tests (`TCUP_TODAY`): the day after the synthetic release
/// ([`dist::DATE`]), so its manifests are current, not a frozen mirror's.
pub const TODAY: &str = "2026-04-17";

/// The machine's rustup (1.29 here), for interop checks; its absence fails the test.
pub fn rustup() -> PathBuf {
    on_path("rustup", "the interop tests run rustup 1.29 on what tcup installs")
}

/// rustup 1.29.1 (the current release), which `ci/test.sh` fetches from rustup's archive, checks
/// and names in `TCUP_TEST_RUSTUP_1_29_1`; its absence fails the test.
pub fn rustup_1_29_1() -> PathBuf {
    let cached = || PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/tcup/rustup-1.29.1/rustup");
    let path = std::env::var_os("TCUP_TEST_RUSTUP_1_29_1").map_or_else(cached, PathBuf::from);
    assert!(
        path.is_file(),
        "no rustup 1.29.1 at {} (TCUP_TEST_RUSTUP_1_29_1): run the tests with ci/test.sh, which fetches it",
        path.display()
    );
    path
}

/// Both rustups the interop tests run, with their versions: the machine's (1.29.0) and 1.29.1.
pub fn rustups() -> [(&'static str, PathBuf); 2] {
    [("1.29.0", rustup()), ("1.29.1", rustup_1_29_1())]
}

/// rustup `bin` on `sb`'s homes against `dist`, with auto-install off, in a cleared environment.
pub fn rustup_cmd(bin: &Path, sb: &Sandbox, dist: &str) -> Command {
    let mut c = Command::new(bin);
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", sb.dir.path())
        .env("RUSTUP_HOME", &sb.rustup_home)
        .env("CARGO_HOME", &sb.cargo_home)
        .env("RUSTUP_DIST_SERVER", dist)
        .env("RUSTUP_AUTO_INSTALL", "0");
    c
}
