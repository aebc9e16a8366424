//! The one way a test stands up a synthetic dist server: [`served`] writes the release a
//! [`Scenario`] describes ([`Dist::standard`], on the channels and for the host asked, changed as
//! the test needs) into a fresh temporary directory and serves it on loopback.
//!
//! ```ignore
//! let server = served(Scenario::stable());
//! let server = served(Scenario::channels(&["stable", "beta"]));
//! let server = served(Scenario::stable().host(I686).padded(4 << 20));
//! let server = served(Scenario::channel("nightly").lacking("clippy-preview").also_dated("2026-04-14"));
//! ```

use std::ops::Deref;
use std::path::Path;

use super::HOST;
use super::dist::{DATE, Dist, sha};
use super::server::{Server, TestCa};

/// What a test's dist server holds. Start from [`Scenario::stable`], [`Scenario::channel`] or
/// [`Scenario::channels`]; every other method changes one thing and may come in any order.
#[must_use]
pub struct Scenario {
    host: String,
    channels: Vec<String>,
    edits: Vec<Box<dyn FnOnce(&mut Dist)>>,
    lacking: Vec<String>,
    dated: Vec<String>,
    pad: usize,
    tls: Option<TestCa>,
}

impl Scenario {
    /// The standard release for [`HOST`] on `stable`, over plain HTTP.
    pub fn stable() -> Scenario {
        Scenario::channels(&["stable"])
    }

    /// The standard release for [`HOST`] on `channel` alone (`nightly`, `1.95.0`, …).
    pub fn channel(channel: &str) -> Scenario {
        Scenario::channels(&[channel])
    }

    /// The same release (the same archives, hash for hash) published on each of `channels`.
    pub fn channels(channels: &[&str]) -> Scenario {
        Scenario {
            host: HOST.to_owned(),
            channels: channels.iter().map(|&c| c.to_owned()).collect(),
            edits: Vec::new(),
            lacking: Vec::new(),
            dated: Vec::new(),
            pad: 0,
            tls: None,
        }
    }

    /// The release built for `triple` instead of [`HOST`] (its components and the `rust`
    /// package name that host).
    pub fn host(mut self, triple: &str) -> Scenario {
        triple.clone_into(&mut self.host);
        self
    }

    /// Changes the release before it is written: extra components, targets or files, an
    /// unavailable package, another archive format. Edits run in the order given.
    pub fn edit(mut self, edit: impl FnOnce(&mut Dist) + 'static) -> Scenario {
        self.edits.push(Box::new(edit));
        self
    }

    /// Each channel's manifest padded with comment lines to about `bytes` more (a real manifest
    /// is about 1 MB, and tcup times the manifest's download to measure the link).
    pub fn padded(mut self, bytes: usize) -> Scenario {
        self.pad = bytes;
        self
    }

    /// The newest manifest marks `pkg` (for the host, or `*`) unavailable; its archive stays on
    /// the server, where an older dated manifest ([`Scenario::also_dated`]) still names it.
    pub fn lacking(mut self, pkg: &str) -> Scenario {
        self.lacking.push(pkg.to_owned());
        self
    }

    /// The complete release's manifest also published as of `date` (`YYYY-MM-DD`) at
    /// `dist/<date>/channel-rust-<channel>.toml` with its `.sha256`, as the dist server keeps
    /// every past nightly; its archives are the same.
    pub fn also_dated(mut self, date: &str) -> Scenario {
        self.dated.push(date.to_owned());
        self
    }

    /// Served over HTTPS with a certificate from `ca` (the test gives the CA to tcup in
    /// `SSL_CERT_FILE`, or leaves it out to see the refusal).
    pub fn https(mut self, ca: &TestCa) -> Scenario {
        self.tls = Some(ca.clone());
        self
    }
}

/// A running dist server with the tree it serves. It dereferences to its [`Server`] (`url`,
/// `fault`, `hits`, `log`, `root()`), and owns the temporary directory, which lives as long as
/// the value does.
pub struct Served {
    /// The server.
    pub server: Server,
    /// The complete release as written for the first channel (before [`Scenario::lacking`];
    /// archive paths: [`Served::archive`]).
    pub dist: Dist,
    /// The first channel's newest manifest as served (padding included).
    pub manifest: String,
    /// Owns the served directory.
    pub dir: tempfile::TempDir,
}

impl Deref for Served {
    type Target = Server;

    fn deref(&self) -> &Server {
        &self.server
    }
}

impl Served {
    /// The server path of `pkg`'s archive for the host (or `*`) in format `ext` (`gz`, `xz`,
    /// `zst`): `/dist/2026-04-16/rustc-1.95.0-<host>.tar.xz`.
    pub fn archive(&self, pkg: &str, ext: &str) -> String {
        format!("/{}.tar.{ext}", self.dist.comp(pkg).rel())
    }

    /// The bytes of [`Served::archive`] as the server holds them.
    pub fn archive_bytes(&self, pkg: &str, ext: &str) -> Vec<u8> {
        std::fs::read(self.root().join(self.archive(pkg, ext).trim_start_matches('/'))).unwrap()
    }
}

/// Writes `scenario`'s release into a new temporary directory and serves it.
pub fn served(scenario: Scenario) -> Served {
    let dir = tempfile::tempdir().unwrap();
    let mut base = Dist::standard(&scenario.host);
    for edit in scenario.edits {
        edit(&mut base);
    }
    let line = "# padding, as a real manifest is large enough to time its download\n";
    let padding = line.repeat(scenario.pad / line.len());
    let mut first = None;
    for channel in &scenario.channels {
        let mut dist = base.clone();
        channel.clone_into(&mut dist.channel);
        let complete = dist.write(dir.path());
        for date in &scenario.dated {
            let older = complete.replace(&format!("date = \"{DATE}\""), &format!("date = \"{date}\""));
            write_dated(dir.path(), date, channel, &older);
        }
        let mut newest = dist.clone();
        for pkg in &scenario.lacking {
            newest.comp_mut(pkg).available = false;
        }
        let mut manifest = if scenario.lacking.is_empty() { complete } else { newest.write(dir.path()) };
        if !padding.is_empty() {
            manifest.push_str(&padding);
            dist.write_manifest(dir.path(), &manifest);
        }
        first.get_or_insert((dist, manifest));
    }
    let (dist, manifest) = first.expect("a scenario names at least one channel");
    let server = match &scenario.tls {
        Some(ca) => Server::https(dir.path(), ca),
        None => Server::http(dir.path()),
    };
    Served { server, dist, manifest, dir }
}

/// Writes `text` as `dist/<date>/channel-rust-<channel>.toml` with a matching `.sha256`.
fn write_dated(root: &Path, date: &str, channel: &str, text: &str) {
    let dir = root.join("dist").join(date);
    let name = format!("channel-rust-{channel}.toml");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(&name), text).unwrap();
    std::fs::write(dir.join(format!("{name}.sha256")), format!("{}  {name}\n", sha(text.as_bytes()))).unwrap();
}
