//! `rust-toolchain.lock`: the exact, signed toolchain bytes a project builds with (docs/design.md
//! lock-1; docs/lock.md for users; its JSON Schema is docs/schema/rust-toolchain.lock.json).
//!
//! A toolchain file names a moving target (`stable`, `1.97`, `nightly`). The lock beside it
//! records what that resolved to when `tcup lock` ran: the release (`version`, `date`), the dated
//! channel manifest's path on the dist server (which never changes there) and its SHA-256, who
//! signed it, and for each host triple locked every archive the toolchain file's profile,
//! components and targets select, with its path relative to the dist server and its SHA-256 in
//! each format the manifest offers (the manifest gives no sizes, so neither does the lock).
//! Paths are relative, so any byte-faithful copy of the dist server serves a lock.
//!
//! ```toml
//! version = 1
//!
//! [toolchain]
//! channel = "stable"
//! profile = "minimal"
//! components = ["clippy"]
//! targets = []
//!
//! [release]
//! version = "1.95.0"
//! date = "2026-04-16"
//! manifest = "dist/2026-04-16/channel-rust-stable.toml"
//! manifest-sha256 = "…"
//! signer = "…40 hex digits…"   # or "unsigned"
//!
//! [[host]]
//! triple = "x86_64-unknown-linux-gnu"
//!
//! [[host.archive]]
//! component = "cargo"
//! target = "x86_64-unknown-linux-gnu"
//! gz = { path = "dist/2026-04-16/cargo-1.95.0-x86_64-unknown-linux-gnu.tar.gz", sha256 = "…" }
//! xz = { path = "dist/2026-04-16/cargo-1.95.0-x86_64-unknown-linux-gnu.tar.xz", sha256 = "…" }
//! ```
//!
//! [`Lock::render`] writes hosts by triple and archives by component and target, so a change is
//! a readable diff. A pure module: reading the file is the caller's job.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde::Deserialize;

use crate::dist::manifest::{Archive, Compression};
use crate::dist::name::{self, Channel, ToolchainName};
use crate::dist::select::Selected;
use crate::dist::server::UPSTREAM;
use crate::dist::toolchain_file::ToolchainFile;

/// The lock's file name, beside the toolchain file.
pub const FILE_NAME: &str = "rust-toolchain.lock";
/// The `version` this tcup writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// The profile a lock records when the toolchain file names none: rustup's default profile, not
/// the machine's `settings.toml` (a lock must select the same archives on every machine).
pub const DEFAULT_PROFILE: &str = "default";
/// `signer` of a lock whose manifest carried no verified signature.
pub const UNSIGNED: &str = "unsigned";

/// A parsed `rust-toolchain.lock`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    /// The file format's version: [`FORMAT_VERSION`].
    pub version: u32,
    /// What the toolchain file asked for when the lock was written.
    pub toolchain: Inputs,
    /// What that resolved to.
    pub release: Release,
    /// The archives, per host triple locked (`[[host]]`), sorted by triple.
    #[serde(default, rename = "host")]
    pub hosts: Vec<HostLock>,
}

/// The toolchain file's request, as the lock saw it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inputs {
    /// `channel` as the toolchain file writes it (`stable`, `1.95`, `nightly-2026-05-20`).
    pub channel: String,
    /// `profile`, or [`DEFAULT_PROFILE`] when the file names none.
    pub profile: String,
    /// `components`, sorted, without repeats.
    #[serde(default)]
    pub components: Vec<String>,
    /// `targets`, sorted, without repeats.
    #[serde(default)]
    pub targets: Vec<String>,
}

/// The release a lock pins.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Release {
    /// rustc's version as the manifest's `[pkg.rust]` gives it: `1.95.0`, `1.97.0-nightly`.
    pub version: String,
    /// The manifest's `date`, `YYYY-MM-DD`.
    pub date: String,
    /// The dated manifest's path on the dist server ([`dated_manifest_path`]).
    pub manifest: String,
    /// Its SHA-256, lower-case hex.
    pub manifest_sha256: String,
    /// The signing key's fingerprint (upper-case hex), or [`UNSIGNED`].
    pub signer: String,
}

/// The archives locked for one host triple.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostLock {
    /// The host triple the toolchain runs on.
    pub triple: String,
    /// Every archive the request selects for it (`[[host.archive]]`), sorted by component and
    /// target.
    #[serde(default, rename = "archive")]
    pub archives: Vec<LockedArchive>,
}

/// One component's archive, in each format the manifest offers.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockedArchive {
    /// The manifest's package name (`rustc`, `rust-std`, `clippy-preview`).
    pub component: String,
    /// The target triple, or `*` for a target-independent package.
    pub target: String,
    /// The `.tar.gz`.
    pub gz: Option<Pinned>,
    /// The `.tar.xz`.
    pub xz: Option<Pinned>,
    /// The `.tar.zst` (mirrors only; upstream publishes none).
    pub zst: Option<Pinned>,
}

/// One file on the dist server and its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pinned {
    /// Path relative to the dist server (`dist/2026-04-16/…`).
    pub path: String,
    /// SHA-256, lower-case hex.
    pub sha256: String,
}

impl LockedArchive {
    /// The pin for `compression`, when the manifest offered that format.
    pub fn pin(&self, compression: Compression) -> Option<&Pinned> {
        match compression {
            Compression::Gz => self.gz.as_ref(),
            Compression::Xz => self.xz.as_ref(),
            Compression::Zst => self.zst.as_ref(),
        }
    }

    fn formats(&self) -> impl Iterator<Item = (&'static str, &Pinned)> {
        [("gz", &self.gz), ("xz", &self.xz), ("zst", &self.zst)].into_iter().filter_map(|(k, p)| p.as_ref().map(|p| (k, p)))
    }
}

impl HostLock {
    /// The archive locked for `pkg` built for `target` (`*` for none).
    pub fn archive(&self, pkg: &str, target: &str) -> Option<&LockedArchive> {
        self.archives.iter().find(|a| a.component == pkg && a.target == target)
    }
}

/// The path of a manifest or archive URL relative to the dist server: what follows
/// `https://static.rust-lang.org/`. `None` for a URL elsewhere (a manifest a `tcup mirror pack`
/// tree rewrote, or one naming another host).
pub fn relative_path(url: &str) -> Option<&str> {
    url.strip_prefix(UPSTREAM)?.strip_prefix('/')
}

/// The dated manifest's path on the dist server for `channel` resolved to `version` on `date`:
/// `dist/<date>/channel-rust-<stable|beta|nightly>.toml`, or for a version channel
/// `dist/<date>/channel-rust-<version>.toml` with the full version (the dist server keeps no
/// dated `X.Y` file).
pub fn dated_manifest_path(channel: &Channel, version: &str, date: &str) -> String {
    let file = match channel {
        Channel::Version(_) => version,
        moving => moving.as_str(),
    };
    format!("dist/{date}/channel-rust-{file}.toml")
}

/// The name a locked release installs under (without host): the version for `stable` and
/// version channels (`1.95.0`), `<channel>-<date>` for `beta` and `nightly`, so it never moves
/// and `cargo +<name>` names it.
pub fn locked_name(channel: &ToolchainName, version: &str, date: &str) -> ToolchainName {
    match channel.channel {
        Channel::Beta | Channel::Nightly => ToolchainName { channel: channel.channel.clone(), date: Some(date.to_owned()), host: None },
        Channel::Stable | Channel::Version(_) => ToolchainName { channel: Channel::Version(version.to_owned()), date: None, host: None },
    }
}

impl Inputs {
    /// What `file` asks for, as a lock records it; `None` for a toolchain file that names a path.
    pub fn of(file: &ToolchainFile) -> Option<Inputs> {
        let sorted = |v: &[String]| v.iter().cloned().collect::<BTreeSet<_>>().into_iter().collect();
        Some(Inputs {
            channel: file.channel.clone()?,
            profile: file.profile.clone().unwrap_or_else(|| DEFAULT_PROFILE.to_owned()),
            components: sorted(&file.components),
            targets: sorted(&file.targets),
        })
    }

    /// How `now` (the toolchain file today) differs from these, one phrase per difference
    /// ("channel 'beta', locked 'stable'", "component 'rust-src' added"); empty when they agree.
    pub fn drift(&self, now: &Inputs) -> Vec<String> {
        let mut out = Vec::new();
        if now.channel != self.channel {
            out.push(format!("channel '{}', locked '{}'", now.channel, self.channel));
        }
        if now.profile != self.profile {
            out.push(format!("profile '{}', locked '{}'", now.profile, self.profile));
        }
        for (what, locked, wanted) in [("component", &self.components, &now.components), ("target", &self.targets, &now.targets)] {
            out.extend(wanted.iter().filter(|w| !locked.contains(w)).map(|w| format!("{what} '{w}' added")));
            out.extend(locked.iter().filter(|l| !wanted.contains(l)).map(|l| format!("{what} '{l}' removed")));
        }
        out
    }
}

/// An archive an install would fetch that the lock does not pin, or pins with other bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}; refusing it (the lock pins every archive)")]
pub struct Unpinned(pub String);

impl Lock {
    /// Parses a lock's text. Wording without the file name, which the caller adds.
    ///
    /// # Errors
    /// Invalid TOML, a `version` other than [`FORMAT_VERSION`] (checked first), a missing or
    /// unknown key, a hash that is not 64 hex digits, a path that is not under `dist/` or holds
    /// `..`, a date or host that is not one.
    pub fn parse(text: &str) -> Result<Lock, String> {
        let lock: Lock = versioned(text)?.try_into().map_err(|e: toml::de::Error| e.message().to_owned())?;
        lock.check()?;
        Ok(lock)
    }

    /// What a proxy needs of this lock ([`LockHead`]).
    pub fn head(&self) -> LockHead {
        LockHead {
            toolchain: self.toolchain.clone(),
            release: self.release.clone(),
            hosts: self.hosts.iter().map(|h| h.triple.clone()).collect(),
        }
    }

    fn check(&self) -> Result<(), String> {
        check_release(&self.release)?;
        for h in &self.hosts {
            if !name::is_triple(&h.triple) {
                return Err(format!("host '{}' is not a target triple", h.triple));
            }
            for a in &h.archives {
                if a.formats().next().is_none() {
                    return Err(format!("archive {} for {} names no format (gz, xz or zst)", a.component, a.target));
                }
                a.formats().try_for_each(|(_, p)| check_pin(p))?;
            }
        }
        Ok(())
    }

    /// The name the locked release installs under, without host ([`locked_name`]).
    ///
    /// # Errors
    /// The lock's channel is not an official toolchain name.
    pub fn name(&self) -> Result<ToolchainName, String> {
        name_of(&self.toolchain, &self.release)
    }

    /// The archives locked for `triple`.
    pub fn host(&self, triple: &str) -> Option<&HostLock> {
        self.hosts.iter().find(|h| h.triple == triple)
    }

    /// Checks that every component of `selected` (for `host`, formats as chosen) is pinned in
    /// this lock with the same path and SHA-256 in each format it may be fetched in, and that
    /// the selection and the lock name the same components.
    ///
    /// # Errors
    /// [`Unpinned`], naming the component and what differs.
    pub fn check_selection(&self, host: &str, selected: &[Selected]) -> Result<(), Unpinned> {
        let locked = self.host(host).ok_or_else(|| Unpinned(format!("the lock has no archives for host {host}")))?;
        for s in selected {
            let name = s.name();
            let pins = locked.archive(&s.pkg, &s.target).ok_or_else(|| Unpinned(format!("{name} is not in the lock")))?;
            for a in std::iter::once(&s.archive).chain(&s.archive.other_formats) {
                check_archive(&name, pins, a)?;
            }
        }
        if let Some(extra) = locked.archives.iter().find(|a| !selected.iter().any(|s| s.pkg == a.component && s.target == a.target)) {
            return Err(Unpinned(format!("the lock names {} for {}, which the request does not select", extra.component, extra.target)));
        }
        Ok(())
    }

    /// The lock as `tcup lock` writes it: keys in a fixed order, hosts sorted by triple, archives
    /// by component then target, formats gz, xz, zst.
    pub fn render(&self) -> String {
        let q = |s: &str| toml::Value::String(s.to_owned()).to_string();
        let list = |v: &[String]| format!("[{}]", v.iter().map(|s| q(s)).collect::<Vec<_>>().join(", "));
        let t = &self.toolchain;
        let r = &self.release;
        let mut out = format!(
            "# The release the toolchain file beside this lock resolves to, pinned by SHA-256. Written by `tcup lock`:\n\
             # refresh it with `tcup lock`, move to the channel's newest release with `tcup lock --upgrade`.\n\
             version = {FORMAT_VERSION}\n\n[toolchain]\nchannel = {}\nprofile = {}\ncomponents = {}\ntargets = {}\n\n\
             [release]\nversion = {}\ndate = {}\nmanifest = {}\nmanifest-sha256 = {}\nsigner = {}\n",
            q(&t.channel),
            q(&t.profile),
            list(&t.components),
            list(&t.targets),
            q(&r.version),
            q(&r.date),
            q(&r.manifest),
            q(&r.manifest_sha256),
            q(&r.signer),
        );
        let mut hosts: Vec<&HostLock> = self.hosts.iter().collect();
        hosts.sort_by(|a, b| a.triple.cmp(&b.triple));
        for h in hosts {
            let _ = writeln!(out, "\n[[host]]\ntriple = {}", q(&h.triple));
            let mut archives: Vec<&LockedArchive> = h.archives.iter().collect();
            archives.sort_by(|a, b| (&a.component, &a.target).cmp(&(&b.component, &b.target)));
            for a in archives {
                let _ = writeln!(out, "\n[[host.archive]]\ncomponent = {}\ntarget = {}", q(&a.component), q(&a.target));
                for (key, p) in a.formats() {
                    let _ = writeln!(out, "{key} = {{ path = {}, sha256 = {} }}", q(&p.path), q(&p.sha256));
                }
            }
        }
        out
    }
}

/// A lock's head: the request, the release and the host triples, without the archives — what
/// the resolver needs on every proxy call (docs/design.md lock-2). [`LockHead::parse`] reads the
/// TOML before the first `[[host]]` table and only the `triple` line of each host, so a proxy does
/// not pay for parsing every archive pin; an install reads the whole lock ([`Lock::parse`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockHead {
    /// As [`Lock::toolchain`].
    pub toolchain: Inputs,
    /// As [`Lock::release`].
    pub release: Release,
    /// The triples of [`Lock::hosts`], in the file's order.
    pub hosts: Vec<String>,
}

/// The keys before the first `[[host]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HeadDoc {
    #[allow(dead_code, reason = "checked by `versioned` before deserializing")]
    version: u32,
    toolchain: Inputs,
    release: Release,
}

impl LockHead {
    /// Parses a lock's head. A file laid out otherwise than [`Lock::render`] writes it (a hand
    /// edit) is read whole instead, so any valid lock gives its head, and errors are
    /// [`Lock::parse`]'s.
    ///
    /// # Errors
    /// As [`Lock::parse`] for the head; archives are checked only by [`Lock::parse`].
    pub fn parse(text: &str) -> Result<LockHead, String> {
        let fast = || -> Option<LockHead> {
            let (head, rest) = text.find("\n[[host]]\n").map_or((text, ""), |i| text.split_at(i + 1));
            let doc: HeadDoc = versioned(head).ok()?.try_into().ok()?;
            check_release(&doc.release).ok()?;
            let hosts = host_triples(rest)?;
            Some(LockHead { toolchain: doc.toolchain, release: doc.release, hosts })
        };
        match fast() {
            Some(head) => Ok(head),
            None => Lock::parse(text).map(|l| l.head()),
        }
    }

    /// The name the locked release installs under, without host ([`locked_name`]).
    ///
    /// # Errors
    /// The lock's channel is not an official toolchain name.
    pub fn name(&self) -> Result<ToolchainName, String> {
        name_of(&self.toolchain, &self.release)
    }

    /// Whether the lock has archives for `triple`.
    pub fn has_host(&self, triple: &str) -> bool {
        self.hosts.iter().any(|h| h == triple)
    }
}

/// The `triple` of each `[[host]]` table in `rest` (the lock from its first `[[host]]` line), as
/// [`Lock::render`] writes them: `triple = "…"` the first line after the header. `None` for any
/// other layout.
fn host_triples(rest: &str) -> Option<Vec<String>> {
    let mut lines = rest.lines();
    let mut hosts = Vec::new();
    while let Some(line) = lines.next() {
        if line == "[[host]]" {
            let table: toml::Table = lines.next()?.parse().ok()?;
            let triple = table.get("triple")?.as_str()?;
            hosts.push(name::is_triple(triple).then(|| triple.to_owned())?);
        } else if line.starts_with('[') && line != "[[host.archive]]" {
            return None;
        }
    }
    Some(hosts)
}

/// A lock's TOML table once its `version` is this tcup's (checked before anything else, so a
/// newer format gets a version error, not a confusing key error).
fn versioned(text: &str) -> Result<toml::Table, String> {
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| format!("not TOML: {}", e.message()))?;
    match table.get("version").and_then(toml::Value::as_integer) {
        Some(v) if v == i64::from(FORMAT_VERSION) => Ok(table),
        Some(v) => Err(format!("lock file version {v}; this tcup reads version {FORMAT_VERSION} (a newer tcup wrote it?)")),
        None => Err("no `version` key (a rust-toolchain.lock starts with `version = 1`)".into()),
    }
}

/// The release's date, signer and manifest pin are what they say.
fn check_release(r: &Release) -> Result<(), String> {
    if !name::is_date(&r.date) {
        return Err(format!("release date '{}' is not YYYY-MM-DD", r.date));
    }
    if r.signer != UNSIGNED && !(r.signer.len() >= 16 && r.signer.bytes().all(|b| b.is_ascii_hexdigit())) {
        return Err(format!("signer '{}' is neither a key fingerprint (hex) nor '{UNSIGNED}'", r.signer));
    }
    check_pin(&Pinned { path: r.manifest.clone(), sha256: r.manifest_sha256.clone() })
}

/// The locked name for a lock's request and release ([`locked_name`]).
fn name_of(toolchain: &Inputs, release: &Release) -> Result<ToolchainName, String> {
    let channel: ToolchainName = toolchain.channel.parse().map_err(|e: name::NameError| e.why)?;
    Ok(locked_name(&channel, &release.version, &release.date))
}

/// A pinned file: a lower-case SHA-256 and a relative path under `dist/` without `..`, so
/// joining it to a dist server names a file on that server.
fn check_pin(p: &Pinned) -> Result<(), String> {
    if !(p.sha256.len() == 64 && p.sha256.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))) {
        return Err(format!("sha256 '{}' of {} is not 64 lower-case hex digits", p.sha256, p.path));
    }
    let segments_ok = p.path.split('/').all(|s| !s.is_empty() && s != "." && s != "..");
    if !p.path.starts_with("dist/") || !segments_ok || p.path.contains(['\\', '?', '#', ':']) {
        return Err(format!("path '{}' is not a plain path under dist/ on the dist server", p.path));
    }
    Ok(())
}

/// `archive` (one format of component `name`) against its pins.
fn check_archive(name: &str, pins: &LockedArchive, archive: &Archive) -> Result<(), Unpinned> {
    let ext = archive.compression.extension();
    let pin = pins.pin(archive.compression).ok_or_else(|| Unpinned(format!("{name} as .tar.{ext} is not in the lock")))?;
    if relative_path(&archive.url) != Some(pin.path.as_str()) {
        return Err(Unpinned(format!("{name} is at {}, the lock pins {}", archive.url, pin.path)));
    }
    if archive.hash != pin.sha256 {
        return Err(Unpinned(format!("{name} (.tar.{ext}) has SHA-256 {}, the lock pins {}", archive.hash, pin.sha256)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Lock {
        let pin = |p: &str, c: char| Some(Pinned { path: format!("dist/2026-04-16/{p}"), sha256: c.to_string().repeat(64) });
        Lock {
            version: 1,
            toolchain: Inputs { channel: "stable".into(), profile: "minimal".into(), components: vec!["clippy".into()], targets: vec![] },
            release: Release {
                version: "1.95.0".into(),
                date: "2026-04-16".into(),
                manifest: "dist/2026-04-16/channel-rust-stable.toml".into(),
                manifest_sha256: "0".repeat(64),
                signer: UNSIGNED.into(),
            },
            hosts: vec![
                HostLock {
                    triple: "x86_64-unknown-linux-gnu".into(),
                    archives: vec![
                        LockedArchive {
                            component: "rustc".into(),
                            target: "x86_64-unknown-linux-gnu".into(),
                            gz: pin("rustc.tar.gz", 'a'),
                            xz: pin("rustc.tar.xz", 'b'),
                            zst: None,
                        },
                        LockedArchive {
                            component: "cargo".into(),
                            target: "x86_64-unknown-linux-gnu".into(),
                            gz: pin("cargo.tar.gz", 'c'),
                            xz: None,
                            zst: None,
                        },
                    ],
                },
                HostLock { triple: "aarch64-unknown-linux-gnu".into(), archives: vec![] },
            ],
        }
    }

    #[test]
    fn render_then_parse_gives_the_lock_back_in_a_stable_order() {
        let lock = sample();
        let text = lock.render();
        let back = Lock::parse(&text).unwrap();
        assert_eq!(back.toolchain, lock.toolchain);
        assert_eq!(back.release, lock.release);
        assert_eq!(
            back.hosts.iter().map(|h| h.triple.as_str()).collect::<Vec<_>>(),
            ["aarch64-unknown-linux-gnu", "x86_64-unknown-linux-gnu"]
        );
        assert_eq!(back.hosts[1].archives.iter().map(|a| a.component.as_str()).collect::<Vec<_>>(), ["cargo", "rustc"]);
        // Rendering the parsed lock again changes nothing: a refresh with nothing new is no diff.
        assert_eq!(back.render(), text);
        assert!(text.contains("\n[[host.archive]]\ncomponent = \"rustc\"\ntarget = \"x86_64-unknown-linux-gnu\"\ngz = { path = \"dist/2026-04-16/rustc.tar.gz\", sha256 = \"aaaa"), "{text}");
    }

    #[test]
    fn the_head_is_the_whole_locks_head_however_the_file_is_laid_out() {
        let lock = sample();
        let text = lock.render();
        assert_eq!(LockHead::parse(&text).unwrap(), Lock::parse(&text).unwrap().head());
        assert_eq!(LockHead::parse(&text).unwrap().hosts, ["aarch64-unknown-linux-gnu", "x86_64-unknown-linux-gnu"]);
        // Hand-edited: the triple after an archive-less host's comment; still the same head.
        let edited = text.replace("[[host]]\ntriple = \"aarch64", "[[host]]\n# CI\ntriple = \"aarch64");
        assert_eq!(LockHead::parse(&edited).unwrap().hosts, ["aarch64-unknown-linux-gnu", "x86_64-unknown-linux-gnu"]);
        // Errors are the whole parse's.
        let bad = text.replace("version = 1\n", "version = 2\n");
        assert_eq!(LockHead::parse(&bad).unwrap_err(), Lock::parse(&bad).unwrap_err());
        assert!(LockHead::parse(&text.replace("triple = \"aarch64-unknown-linux-gnu\"", "triple = \"Bad\"")).is_err());
    }

    #[test]
    fn bad_locks_are_refused_saying_what_is_wrong() {
        let text = sample().render();
        let cases = [
            (text.replace("version = 1\n", "version = 2\n"), "lock file version 2; this tcup reads version 1"),
            (text.replace("version = 1\n", ""), "no `version` key"),
            (
                text.replace("dist/2026-04-16/rustc.tar.gz", "dist/../etc/passwd"),
                "path 'dist/../etc/passwd' is not a plain path under dist/",
            ),
            (text.replace("dist/2026-04-16/cargo.tar.gz", "/dist/x"), "is not a plain path"),
            (text.replace(&"c".repeat(64), &"C".repeat(64)), "is not 64 lower-case hex digits"),
            (text.replace("signer = \"unsigned\"", "signer = \"me\""), "signer 'me' is neither"),
            (text.replace("[release]\n", "[release]\nextra = 1\n"), "unknown field `extra`"),
            (text.replace("date = \"2026-04-16\"", "date = \"soon\""), "release date 'soon'"),
        ];
        for (bad, why) in cases {
            let e = Lock::parse(&bad).unwrap_err();
            assert!(e.contains(why), "{e} lacks {why}");
        }
    }

    #[test]
    fn locked_names_never_move() {
        let n = |c: &str| c.parse::<ToolchainName>().unwrap();
        assert_eq!(locked_name(&n("stable"), "1.95.0", "2026-04-16").to_string(), "1.95.0");
        assert_eq!(locked_name(&n("1.95"), "1.95.1", "2026-05-01").to_string(), "1.95.1");
        assert_eq!(locked_name(&n("nightly"), "1.97.0-nightly", "2026-05-20").to_string(), "nightly-2026-05-20");
        assert_eq!(locked_name(&n("beta"), "1.96.0-beta.3", "2026-05-02").to_string(), "beta-2026-05-02");
        assert_eq!(locked_name(&n("nightly-2026-05-20"), "1.97.0-nightly", "2026-05-20").to_string(), "nightly-2026-05-20");
        assert_eq!(dated_manifest_path(&Channel::Stable, "1.95.0", "2026-04-16"), "dist/2026-04-16/channel-rust-stable.toml");
        assert_eq!(
            dated_manifest_path(&Channel::Version("1.95".into()), "1.95.1", "2026-05-01"),
            "dist/2026-05-01/channel-rust-1.95.1.toml"
        );
        assert_eq!(dated_manifest_path(&Channel::Nightly, "1.97.0-nightly", "2026-05-20"), "dist/2026-05-20/channel-rust-nightly.toml");
    }

    #[test]
    fn drift_names_each_difference() {
        let locked = sample().toolchain;
        assert!(locked.drift(&locked).is_empty());
        let file = ToolchainFile {
            channel: Some("beta".into()),
            components: vec!["rust-src".into(), "clippy".into(), "clippy".into()],
            ..ToolchainFile::default()
        };
        let now = Inputs::of(&file).unwrap();
        assert_eq!(now.components, ["clippy", "rust-src"]);
        assert_eq!(
            locked.drift(&now),
            ["channel 'beta', locked 'stable'", "profile 'default', locked 'minimal'", "component 'rust-src' added"]
        );
        assert_eq!(Inputs::of(&ToolchainFile { path: Some("/opt/rust".into()), ..ToolchainFile::default() }), None);
    }

    #[test]
    fn a_selection_must_match_its_pins() {
        let lock = sample();
        let host = "x86_64-unknown-linux-gnu";
        let archive = |file: &str, c: char, compression| Archive {
            url: format!("{UPSTREAM}/dist/2026-04-16/{file}"),
            hash: c.to_string().repeat(64),
            compression,
            other_formats: vec![],
        };
        let sel = |pkg: &str, a: Archive| Selected { pkg: pkg.into(), target: host.into(), is_extension: false, archive: a };
        let mut rustc = archive("rustc.tar.xz", 'b', Compression::Xz);
        rustc.other_formats.push(archive("rustc.tar.gz", 'a', Compression::Gz));
        let good = vec![sel("rustc", rustc.clone()), sel("cargo", archive("cargo.tar.gz", 'c', Compression::Gz))];
        lock.check_selection(host, &good).unwrap();
        let mut tampered = good.clone();
        tampered[0].archive.other_formats[0].hash = "d".repeat(64);
        let e = lock.check_selection(host, &tampered).unwrap_err().to_string();
        assert!(e.starts_with(&format!("rustc-{host} (.tar.gz) has SHA-256 dddd")), "{e}");
        let e = lock.check_selection(host, &good[..1]).unwrap_err().to_string();
        assert_eq!(
            e,
            format!("the lock names cargo for {host}, which the request does not select; refusing it (the lock pins every archive)")
        );
        let e = lock.check_selection("aarch64-unknown-linux-musl", &good).unwrap_err().to_string();
        assert!(e.starts_with("the lock has no archives for host aarch64-unknown-linux-musl"), "{e}");
        let mut moved = good;
        moved[1].archive.url = format!("{UPSTREAM}/dist/2026-04-17/cargo.tar.gz");
        assert!(lock.check_selection(host, &moved).unwrap_err().to_string().contains("the lock pins dist/2026-04-16/cargo.tar.gz"));
    }
}
