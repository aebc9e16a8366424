//! `tcup mirror sync`: a faithful, incremental copy of what a selection needs from one upstream
//! dist server (`RUSTUP_DIST_SERVER`), so an organisation's static tier (nginx, an object store,
//! a generic remote) serves exactly the default dist server's layout and rustup and tcup install
//! from it unchanged, with upstream signatures still valid (docs/design.md mirror-4).
//!
//! Below `--out` it writes, byte for byte as served upstream:
//! - `dist/channel-rust-<C>.toml` with its `.sha256` and `.asc`, and the dated copy
//!   `dist/<date>/channel-rust-<C>.toml` (+ `.sha256`, `.asc`);
//! - every archive the selection needs (`--host`, `--target`, `--profile`, `--formats`) at the
//!   path its manifest URL names (`dist/<date>/<name>.tar.{xz,gz,zst}`);
//! - with `--self`, the update root's `dist/<triple>/tcup-init` (+ `.sha256`, `.asc`).
//!
//! Order of work, which keeps the previous tree serving whatever happens: take the tree's lock;
//! fetch every channel's `.sha256`, then its manifest (skipped when the tree's copy already has
//! that hash), checked against the `.sha256`, its signature under the trust policy and its binding
//! to the channel's name, as every command checks a manifest ([`crate::fetch::manifest`]); fetch every missing archive, hashed as it streams into
//! `.tcup-sync/partial/` and renamed into place only once it matched ([`super::sync_fetch`]);
//! only then publish the manifests, each by rename ([`super::sync_publish`]); `--prune` last.

use std::path::PathBuf;
use std::time::Instant;

use super::sync_fetch::{self, Got, Job};
use super::sync_publish::{self, Publication};
use super::sync_tree::{Tree, archive_rel, rel_of_manifest};
use crate::dist::manifest::{Compression, Manifest};
use crate::dist::name::ToolchainName;
use crate::dist::select::{self, Request};
use crate::dist::server;
use crate::download::Downloader;
use crate::download::hashing::sha256_hex;
use crate::env::Env;
use crate::error::UsageError;
use crate::fetch::manifest::{VerifiedManifest, fetch_manifest_held, fetch_sha256_file, parse_sha256};
use crate::fetch::signature;
use crate::progress::Reporter;
use anyhow::Context as _;

/// Largest `.sha256` accepted (bytes).
const SHA_LIMIT: u64 = 4096;

/// What to sync.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// The tree to write (the mirror's document root).
    pub out: PathBuf,
    /// Channels (`stable`, `beta`, `nightly`, `1.95.0`, `nightly-2026-05-20`); no host part.
    pub channels: Vec<ToolchainName>,
    /// Host triples whose toolchains the tree must hold.
    pub hosts: Vec<String>,
    /// Extra targets whose standard library (`rust-std`) the tree must hold.
    pub targets: Vec<String>,
    /// Profile whose components are copied for each host (`minimal`, `default`, `complete`).
    pub profile: String,
    /// Archive formats to copy; `None`: every format the manifest lists for a component.
    pub formats: Option<Vec<Compression>>,
    /// Remove archives no kept manifest names, and dated manifests beyond `keep`.
    pub prune: bool,
    /// Dated releases kept per channel by `prune` (at least 1: the current one).
    pub keep: usize,
    /// Also mirror the update root's `tcup-init` for each host (`--self`).
    pub self_update: bool,
}

/// What a sync did, for the summary line and tests.
#[derive(Debug, Clone, Default)]
pub struct SyncReport {
    /// Archives the selection needs.
    pub archives: usize,
    /// Of those, downloaded this run.
    pub fetched: usize,
    /// Archive bytes downloaded this run.
    pub archive_bytes: u64,
    /// Bytes of manifests, `.sha256` and `.asc` files (and `tcup-init`) downloaded this run.
    pub other_bytes: u64,
    /// Files written or replaced in the tree (archives, manifests and their companions).
    pub files_written: usize,
    /// One entry per channel whose manifest changed: `stable 1.95.0 (2026-04-16)`.
    pub new: Vec<String>,
    /// Files `--prune` removed.
    pub pruned: usize,
    /// Wall time (seconds).
    pub seconds: f64,
}

/// One channel's manifest, checked, as it will be published.
pub(super) struct Upstream {
    /// The channel as asked (`stable`, `nightly-2026-05-20`).
    pub name: ToolchainName,
    /// Parsed.
    pub manifest: Manifest,
    /// The manifest at its own path and, for an undated channel, its dated copy.
    pub publications: Vec<Publication>,
    /// Whether the tree already published these exact bytes at the channel's path.
    pub unchanged: bool,
}

/// Runs a sync (see the module documentation).
///
/// # Errors
/// A usage error (unknown profile, host or target for a channel; exit 2); a download, checksum
/// or signature failure naming the URL; a tree that cannot be written, naming the path. The tree's
/// published manifests are unchanged by any failure before publication.
pub fn sync(env: &Env, opts: &SyncOptions, downloader: &Downloader, reporter: &Reporter) -> anyhow::Result<SyncReport> {
    let started = Instant::now();
    let tree = Tree::open(&opts.out)?;
    let _lock = tree.lock(|| reporter.info(&format!("waiting for another tcup mirror sync of {}", opts.out.display())))?;
    tree.clear_tmp()?;
    let mut report = SyncReport::default();
    let mut upstreams = Vec::with_capacity(opts.channels.len());
    for name in &opts.channels {
        let up = fetch_channel(env, &tree, name, downloader, reporter, &mut report)
            .with_context(|| format!("no usable channel manifest for '{name}' on {}", env.dist_server))?;
        upstreams.push(up);
    }
    let jobs = plan(env, opts, &upstreams, reporter)?;
    report.archives = jobs.len();
    reporter.set_left_behind(Some(format!("partial downloads in {}", tree.partial_dir().display())));
    let got = sync_fetch::fetch_all(env, &tree, &jobs, &opts.hosts.join(","), downloader, reporter);
    reporter.set_left_behind(None);
    for g in got? {
        if let Got::Downloaded(bytes) = g {
            report.fetched += 1;
            report.archive_bytes += bytes;
            report.files_written += 1;
        }
    }
    reporter.finish();
    if opts.self_update {
        let s = super::sync_self::sync_self(env, &tree, &opts.hosts, downloader, reporter)?;
        report.other_bytes += s.bytes;
        report.files_written += s.written;
    }
    for up in &upstreams {
        let old = tree.published_date(&up.publications[0].rel);
        for p in up.publications.iter().rev() {
            report.files_written += sync_publish::publish(&tree, p)?;
        }
        if !up.unchanged {
            let version = up.manifest.rust_version().map_or_else(String::new, |v| format!(" {v}"));
            let was = old.filter(|d| *d != up.manifest.date).map_or_else(String::new, |d| format!(", was {d}"));
            report.new.push(format!("{}{version} ({}{was})", up.name, up.manifest.date));
        }
    }
    tree.forget_partials()?;
    if opts.prune {
        report.pruned = sync_publish::prune(&tree, opts.keep, reporter)?;
    }
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Fetches one channel's `.sha256`, then its manifest (unless the tree's copy has that hash) and
/// checks it as every command does ([`fetch_manifest_held`]: the hash, the signature, the binding
/// to the name), and works out what to publish.
fn fetch_channel(
    env: &Env,
    tree: &Tree,
    name: &ToolchainName,
    downloader: &Downloader,
    reporter: &Reporter,
    report: &mut SyncReport,
) -> anyhow::Result<Upstream> {
    let url = name.manifest_url(&env.dist_server);
    let rel = rel_of_manifest(name);
    let sha = fetch_sha256_file(downloader, &url, reporter)?;
    report.other_bytes += sha.bytes.len() as u64;
    // The `.sha256` is the conditional request: when the tree already holds bytes with that hash,
    // the manifest itself is not downloaded again (the download layer sends no If-None-Match).
    let held = tree.read(&rel).filter(|b| sha256_hex(b) == sha.hash);
    let unchanged = held.is_some();
    if unchanged {
        reporter.verbose(&format!("{url} is unchanged (sha256 {})", sha.hash));
    }
    // Checked as install checks it: the hash, the signature, the binding to the name (a mirror
    // must not publish a replayed manifest under another name).
    let channel = ToolchainName { host: None, ..name.clone() }.to_string();
    let VerifiedManifest { text, manifest, asc, .. } =
        fetch_manifest_held(env, downloader, &url, &channel, sha.hash.clone(), held, reporter)?;
    if !unchanged {
        report.other_bytes += text.len() as u64;
    }
    report.other_bytes += asc.as_ref().map_or(0, |a| a.len() as u64);
    // The date names the dated copy's directory: nothing else may reach a path.
    super::out_path::check_date(&manifest.date, url.as_str())?;
    let main = Publication { rel, bytes: text.into_bytes(), sha_file: sha.bytes, asc };
    let mut publications = vec![main];
    if name.date.is_none() {
        let dated = ToolchainName { date: Some(manifest.date.clone()), ..name.clone() };
        if let Some(p) = dated_copy(env, &dated, &publications[0], &sha.hash, downloader, reporter, report)? {
            publications.push(p);
        }
    }
    Ok(Upstream { name: name.clone(), manifest, publications, unchanged })
}

/// The dated copy `dist/<date>/channel-rust-<C>.toml` of `main`: the same bytes (its `.sha256`
/// must name the same hash), with the `.sha256` and `.asc` upstream serves at the dated path.
/// Where upstream has no dated copy, the tree gets one made of `main`'s three files (the same
/// release, the same bytes, so the same signature). Where upstream's dated copy differs (caught
/// mid-publication), none is published this run.
fn dated_copy(
    env: &Env,
    dated: &ToolchainName,
    main: &Publication,
    expected: &str,
    downloader: &Downloader,
    reporter: &Reporter,
    report: &mut SyncReport,
) -> anyhow::Result<Option<Publication>> {
    let url = dated.manifest_url(&env.dist_server);
    let rel = rel_of_manifest(dated);
    let sha_url = server::sha256_url(&url);
    let sha_file = match downloader.get_bytes(&sha_url, SHA_LIMIT, reporter) {
        Ok(s) => s,
        Err(e) if signature::absent(&e) => {
            reporter.verbose(&format!("{url} is not on the dist server; the tree's dated copy is {}", main.rel));
            return Ok(Some(Publication { rel, ..main.clone() }));
        }
        Err(e) => return Err(e.into()),
    };
    report.other_bytes += sha_file.len() as u64;
    if parse_sha256(&sha_file).as_deref() != Some(expected) {
        reporter.warn(&format!("{sha_url} names other bytes than {}: the dated copy is not published this run", main.rel));
        return Ok(None);
    }
    // Same bytes, so the channel's verified signature vouches for them too; the dated path's
    // own `.asc` is kept when upstream has one and it verifies.
    let asc = if main.asc.is_some() {
        let asc_url = signature::asc_url(&url);
        match downloader.get_bytes(&asc_url, crate::trust::verify::ASC_LIMIT, reporter) {
            Ok(a) => {
                report.other_bytes += a.len() as u64;
                let keyring = crate::trust::Keyring::for_manifests(&env.trusted_keys)?;
                crate::trust::verify::verify_detached(&keyring, &main.bytes, &a, asc_url.as_str(), url.as_str())?;
                Some(a)
            }
            Err(e) if signature::absent(&e) => main.asc.clone(),
            Err(e) => return Err(e.into()),
        }
    } else {
        None
    };
    Ok(Some(Publication { rel, bytes: main.bytes.clone(), sha_file, asc }))
}

/// Every archive the selection needs, once each, in a stable order.
fn plan(env: &Env, opts: &SyncOptions, upstreams: &[Upstream], reporter: &Reporter) -> anyhow::Result<Vec<Job>> {
    let mut jobs: Vec<Job> = Vec::new();
    let mut left_out: Vec<&str> = Vec::new();
    for up in upstreams {
        for host in &opts.hosts {
            let req = Request { host, profile: &opts.profile, components: &[], targets: &opts.targets };
            let selection = select::select(&up.manifest, &req).with_context(|| format!("channel '{}' for host {host}", up.name))?;
            for w in &selection.warnings {
                reporter.warn(&format!("{} for {host}: {w}", up.name));
            }
            for c in &selection.components {
                let tp = &up.manifest.pkg[&c.pkg].target[&c.target];
                let formats = opts.formats.clone().unwrap_or_else(|| vec![Compression::Xz, Compression::Zst, Compression::Gz]);
                for f in [Compression::Xz, Compression::Zst, Compression::Gz] {
                    if !formats.contains(&f) && tp.archive(f).is_some() && !left_out.contains(&f.extension()) {
                        left_out.push(f.extension());
                    }
                }
                for archive in formats.iter().filter_map(|f| tp.archive(*f)) {
                    let rel = archive_rel(&archive.url).with_context(|| format!("channel '{}', component {}", up.name, c.name()))?;
                    if let Some(j) = jobs.iter().find(|j| j.rel == rel) {
                        if j.hash != archive.hash {
                            anyhow::bail!(
                                "two manifests name {rel} with different SHA-256s ({} and {}): the dist server is inconsistent",
                                j.hash,
                                archive.hash
                            );
                        }
                        continue;
                    }
                    let url = server::rewrite(&archive.url, &env.dist_server)
                        .with_context(|| format!("the manifest's URL for {} is invalid: {}", c.name(), archive.url))?;
                    jobs.push(Job { rel, url, hash: archive.hash });
                }
            }
        }
    }
    if !left_out.is_empty() {
        // tcup chooses the format per link (gz on a fast one) and falls back to another format
        // the manifest lists when its choice is not there (one extra request per component).
        reporter.info(&format!(
            "the tree leaves out the {} archives the manifests list: tcup clients fall back to a format it holds, one extra request per component (rustup fetches xz)",
            left_out.join(", ")
        ));
    }
    Ok(jobs)
}

/// The hosts a sync copies when `--host` names none: this machine's, as `toolchain install`
/// detects it ([`crate::ops::active::host_choice::detect_host`]).
///
/// # Errors
/// Detection refuses (no Rust host toolchain exists for this machine): [`UsageError`] asking for
/// `--host`.
pub fn default_hosts(env: &Env) -> Result<Vec<String>, UsageError> {
    match crate::ops::active::host_choice::detect_host(env).decision {
        crate::host::Decision::Host { triple, .. } => Ok(vec![triple]),
        crate::host::Decision::Refused { detected, why } => {
            Err(UsageError(format!("this machine ({detected}) has no Rust host toolchain ({why}); pass --host")))
        }
    }
}

/// Parses `--channel` values: toolchain names without a host.
///
/// # Errors
/// [`UsageError`] naming the value.
pub fn parse_channels(values: &[String]) -> Result<Vec<ToolchainName>, UsageError> {
    values
        .iter()
        .map(|v| {
            let n: ToolchainName = v.parse().map_err(|e: crate::dist::name::NameError| UsageError(format!("--channel {v}: {e}")))?;
            if n.host.is_some() {
                return Err(UsageError(format!("--channel {v}: give the channel without a host triple (use --host for hosts)")));
            }
            Ok(n)
        })
        .collect()
}

/// The summary line: `synced stable, beta into DIR in 3.1 s: 24 archives (12 new, 180.3 MiB
/// downloaded; 12 already there), 10 files written, 2.1 KiB of manifests; new: stable 1.95.0 (2026-04-16)`.
pub fn summary(opts: &SyncOptions, r: &SyncReport) -> String {
    let channels: Vec<String> = opts.channels.iter().map(ToString::to_string).collect();
    let new = if r.new.is_empty() { "nothing new upstream".to_owned() } else { format!("new: {}", r.new.join(", ")) };
    let pruned = if opts.prune { format!(", {} pruned", r.pruned) } else { String::new() };
    format!(
        "synced {} into {} in {:.1} s: {} archives ({} fetched, {} downloaded; {} already there), {} files written{pruned}, {} of manifests and signatures; {new}",
        channels.join(", "),
        opts.out.display(),
        r.seconds,
        r.archives,
        r.fetched,
        size(r.archive_bytes),
        r.archives - r.fetched,
        r.files_written,
        size(r.other_bytes),
    )
}

/// `12 B`, `3.4 KiB`, `180.3 MiB`.
fn size(bytes: u64) -> String {
    #[allow(clippy::cast_precision_loss)]
    let b = bytes as f64;
    if bytes < 1024 {
        format!("{bytes} B")
    } else if bytes < 1024 * 1024 {
        format!("{:.1} KiB", b / 1024.0)
    } else {
        format!("{:.1} MiB", b / (1024.0 * 1024.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_parse_without_hosts() {
        let c = parse_channels(&["stable".into(), "nightly-2026-05-20".into(), "1.95.0".into()]).unwrap();
        assert_eq!(rel_of_manifest(&c[0]), "dist/channel-rust-stable.toml");
        assert_eq!(rel_of_manifest(&c[1]), "dist/2026-05-20/channel-rust-nightly.toml");
        assert_eq!(rel_of_manifest(&c[2]), "dist/channel-rust-1.95.0.toml");
        let e = parse_channels(&["stable-x86_64-unknown-linux-gnu".into()]).unwrap_err().to_string();
        assert!(e.contains("without a host triple"), "{e}");
        assert!(parse_channels(&["stabel".into()]).unwrap_err().to_string().starts_with("--channel stabel: invalid toolchain name"));
        assert_eq!(parse_sha256(format!("{}  x.toml\n", "A".repeat(64)).as_bytes()), Some("a".repeat(64)));
        assert_eq!(parse_sha256(b"nope"), None);
        assert_eq!(size(10), "10 B");
        assert_eq!(size(3 * 1024 * 1024 + 300 * 1024), "3.3 MiB");
    }
}
