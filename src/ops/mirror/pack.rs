//! `tcup mirror pack`: turn an installed toolchain back into a dist server directory, to replicate
//! exactly the toolchain you have onto air-gapped machines and container builds.
//!
//! Input: any toolchain directory with `lib/rustlib/multirust-channel-manifest.toml`,
//! `components` and `manifest-<component>` receipts (rustup and tcup both leave them).
//! Output, below `--out`:
//! - `dist/<date>/<archive>.tar.{xz,gz,zst}` (+ `.sha256`) for each installed component, at the path
//!   its manifest URL names, so the manifest's upstream URLs resolve on the mirror once rewritten;
//! - the channel manifest, unchanged except the hashes of the repacked archives (and, for a format
//!   not produced, that format's URL and hash removed; `zst_url`/`zst_hash` added when produced),
//!   as `dist/channel-rust-<channel>.toml`, `dist/<date>/channel-rust-<channel>.toml`, and for a
//!   named channel also `dist/channel-rust-<version>.toml` and `dist/channel-rust-<major.minor>.toml`,
//!   each with a `.sha256` in the `sha256sum` format (`<hex>  <file name>`), and with
//!   `--sign-key` a detached signature `.asc` by the operator's key (docs/design.md mirror-3): the
//!   repacked manifest's hashes differ from upstream, so only its operator can vouch for it.
//!
//! `tcup mirror sync` ([`super::sync`]) copies a dist server faithfully instead: upstream's own
//! manifests, signatures and archives, byte for byte.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use super::{out_path, tarball};
use crate::dist::manifest::{Compression, MIRROR_MARK, Manifest};
use crate::dist::name::ToolchainName;
use crate::dist::server::UPSTREAM;
use crate::download::hashing::sha256_hex;
use crate::error::UsageError;
use crate::home::toolchain::ToolchainDir;
use crate::progress::Reporter;
use crate::sys::atomic_write;

/// What to pack.
#[derive(Debug, Clone)]
pub struct PackOptions {
    /// The installed toolchain directory (e.g. `rustc --print sysroot`).
    pub toolchain: PathBuf,
    /// Output directory (the dist server root).
    pub out: PathBuf,
    /// Formats to write; at least one.
    pub formats: Vec<Compression>,
    /// Pack only the components of this profile (default: every installed component).
    pub profile: Option<String>,
    /// Channel name to publish under (default: from the toolchain directory's name).
    pub channel: Option<String>,
    /// Sign every manifest written with this key (`--sign-key`, loaded before anything is packed).
    pub sign_key: Option<crate::trust::sign::SigningKey>,
}

/// One packed component.
#[derive(Debug, Clone)]
pub struct Packed {
    /// Installed component name.
    pub name: String,
    /// Archive sizes, one per format (bytes).
    pub bytes: Vec<u64>,
}

/// What was written.
#[derive(Debug, Clone)]
pub struct PackReport {
    /// Channel published.
    pub channel: String,
    /// The manifest files written (relative to `out`).
    pub manifests: Vec<String>,
    /// Components packed.
    pub components: Vec<Packed>,
    /// The key id of the signing key (`--sign-key`), when the manifests were signed.
    pub signed_with: Option<String>,
}

/// Loads `--sign-key`'s file: an ASCII-armoured, unprotected OpenPGP secret key.
///
/// # Errors
/// The file cannot be read or holds no usable signing key (exit code 2).
pub fn load_sign_key(path: &Path) -> Result<crate::trust::sign::SigningKey, crate::trust::sign::SignKeyError> {
    crate::trust::sign::SigningKey::load(path)
}

/// Parses `--formats`: a comma-separated list of `xz`, `gz`, `zst`.
///
/// # Errors
/// An unknown or empty format list ([`UsageError`]).
pub fn parse_formats(s: &str) -> Result<Vec<Compression>, UsageError> {
    let mut out = Vec::new();
    for f in s.split(',').map(str::trim) {
        let c = match f {
            "xz" => Compression::Xz,
            "gz" => Compression::Gz,
            "zst" => Compression::Zst,
            _ => return Err(UsageError(format!("unknown archive format '{f}' in --formats {s}: expected a list of xz, gz, zst"))),
        };
        if !out.contains(&c) {
            out.push(c);
        }
    }
    Ok(out)
}

/// Packs the toolchain. See the module documentation.
///
/// # Errors
/// The directory is not an installed toolchain, a receipt names a missing file, or the output
/// cannot be written; each error names the path.
pub fn pack(opts: &PackOptions, reporter: &Reporter) -> anyhow::Result<PackReport> {
    let tc = ToolchainDir::at(opts.toolchain.clone());
    let manifest_path = tc.channel_manifest_file();
    let text = fs_err::read_to_string(&manifest_path)
        .with_context(|| format!("{} is not an installed toolchain (no channel manifest in lib/rustlib)", opts.toolchain.display()))?;
    let manifest = Manifest::parse(&text).with_context(|| format!("reading {}", manifest_path.display()))?;
    // The date names directories below --out (as the version names files): see out_path.
    out_path::check_date(&manifest.date, &manifest_path.display().to_string())?;
    let channel = match &opts.channel {
        Some(c) => c.clone(),
        None => channel_of(&opts.toolchain)?,
    };
    let installed = tc.component_names();
    let todo = to_pack(opts, &manifest, &installed)?;
    let mut doc: toml_edit::DocumentMut = text.parse().with_context(|| format!("reading {}", manifest_path.display()))?;
    let threads = std::thread::available_parallelism().map_or(2, |n| u32::try_from(n.get()).unwrap_or(2));
    let host = todo.iter().find(|c| c.pkg == "rustc").map(|c| c.target.clone()).unwrap_or_default();
    reporter.plan(&host, &todo.iter().map(|c| c.name.to_owned()).collect::<Vec<_>>());
    let mut components = Vec::with_capacity(todo.len());
    for c in &todo {
        let entry = &mut doc["pkg"][&c.pkg]["target"][&c.target];
        components.push(pack_component(opts, &tc, &manifest, c, entry, threads, reporter)?);
    }
    reporter.finish();
    if components.is_empty() {
        anyhow::bail!("nothing to pack: no installed component of {} matches", opts.toolchain.display());
    }
    let packed: Vec<(&str, &str)> = todo.iter().map(|c| (c.pkg.as_str(), c.target.as_str())).collect();
    mark_unpacked(&mut doc, &packed);
    let manifests = write_manifests(opts, &channel, &manifest, &format!("{MIRROR_MARK}{doc}"))?;
    let signed_with = opts.sign_key.as_ref().map(|key| crate::trust::keys::key_id_of(&key.fingerprint()).to_owned());
    Ok(PackReport { channel, manifests, components, signed_with })
}

/// One installed component to pack, with the manifest package and target it was installed from.
struct ToPack<'a> {
    /// Installed component name (`rustc-x86_64-unknown-linux-gnu`, `rust-src`).
    name: &'a str,
    /// Manifest package (`rustc`).
    pkg: String,
    /// Manifest target key (`x86_64-unknown-linux-gnu`, `*`).
    target: String,
}

/// The installed components to pack: all of them, or those of `--profile`.
///
/// # Errors
/// An unknown profile ([`UsageError`]), or an installed component the manifest does not name.
fn to_pack<'a>(opts: &PackOptions, manifest: &Manifest, installed: &'a [String]) -> anyhow::Result<Vec<ToPack<'a>>> {
    let keep: Option<&Vec<String>> = match &opts.profile {
        None => None,
        Some(p) => Some(manifest.profiles.get(p).ok_or_else(|| UsageError(format!("unknown profile '{p}' for --profile")))?),
    };
    let mut todo = Vec::new();
    for name in installed {
        let (pkg, target) = identify(manifest, name)
            .with_context(|| format!("component '{name}' of {} is not in its channel manifest", opts.toolchain.display()))?;
        if keep.is_none_or(|k| k.iter().any(|p| p == &pkg)) {
            todo.push(ToPack { name, pkg, target });
        }
    }
    Ok(todo)
}

/// Packs one component into `dist/<date>/<archive>.tar.<ext>` below `--out`, one per format, at
/// the path its manifest URL names, and points its manifest `entry` at them ([`record`]).
fn pack_component(
    opts: &PackOptions,
    tc: &ToolchainDir,
    manifest: &Manifest,
    c: &ToPack<'_>,
    entry: &mut toml_edit::Item,
    threads: u32,
    reporter: &Reporter,
) -> anyhow::Result<Packed> {
    let name = c.name;
    let tp = &manifest.pkg[&c.pkg].target[&c.target];
    let url = tp.url.as_deref().or(tp.xz_url.as_deref()).with_context(|| format!("the manifest gives no URL for {name}"))?;
    let rel = url
        .strip_prefix(UPSTREAM)
        .map_or_else(|| format!("dist/{}/{}", manifest.date, base_name(url)), |r| r.trim_start_matches('/').to_owned());
    let rel = rel.trim_end_matches(".tar.gz").trim_end_matches(".tar.xz").to_owned();
    let top = base_name(&rel).to_owned();
    let stem = out_path::below(&opts.out, &rel)?;
    fs_err::create_dir_all(stem.parent().expect("has a parent"))?;
    let parts = tc.parts(name)?;
    let meter = reporter.meter(name, Some(tarball::input_size(&opts.toolchain, &parts)), "packed");
    let progress = |n: u64| meter.add(n);
    let spec = tarball::Spec { tree: &opts.toolchain, top: &top, component: name, parts: &parts, progress: &progress };
    let written = tarball::write(&spec, &stem, &opts.formats, threads)
        .inspect_err(|_| meter.failed())
        .with_context(|| format!("packing component {name}"))?;
    record(entry, &rel, &written, &opts.formats)?;
    let sizes: Vec<String> = written.iter().map(|w| format!("{} {}", tarball::ext(w.compression), mib(w.bytes))).collect();
    meter.done_with(&format!("packed {name} ({}; {:.1} s)", sizes.join(", "), meter.seconds()));
    Ok(Packed { name: name.to_owned(), bytes: written.iter().map(|w| w.bytes).collect() })
}

/// Writes each archive's `.sha256` beside it and points the manifest `entry` at the archives
/// written (`rel` is their path without `.tar.<ext>`): each format's URL and hash, and the URL
/// and hash of a format not produced removed.
fn record(entry: &mut toml_edit::Item, rel: &str, written: &[tarball::Written], formats: &[Compression]) -> anyhow::Result<()> {
    for w in written {
        let file = w.path.file_name().expect("has a name").to_string_lossy().into_owned();
        atomic_write::write(&w.path.with_file_name(format!("{file}.sha256")), format!("{}  {file}\n", w.hash))?;
        let url = format!("{UPSTREAM}/{rel}.tar.{}", tarball::ext(w.compression));
        let (url_key, hash_key) = keys(w.compression);
        entry[url_key] = toml_edit::value(url);
        entry[hash_key] = toml_edit::value(w.hash.clone());
    }
    for c in [Compression::Xz, Compression::Zst] {
        if !formats.contains(&c)
            && let Some(t) = entry.as_table_like_mut()
        {
            t.remove(keys(c).0);
            t.remove(keys(c).1);
        }
    }
    Ok(())
}

/// Writes the repacked manifest `text` at each of its names for `channel` ([`manifest_names`]),
/// each with its `.sha256` and, with `--sign-key`, its `.asc`; returns the names written.
fn write_manifests(opts: &PackOptions, channel: &str, manifest: &Manifest, text: &str) -> anyhow::Result<Vec<String>> {
    let mut written = Vec::new();
    for rel in manifest_names(channel, manifest) {
        let path = out_path::below(&opts.out, &rel)?;
        write_with_sha(&path, text)?;
        let asc = path.with_file_name(format!("{}.asc", base_name(&rel)));
        match &opts.sign_key {
            Some(key) => atomic_write::write(&asc, key.sign(text.as_bytes())?)?,
            // A signature left from an earlier pack would not match the new manifest.
            None => {
                let _ = fs_err::remove_file(&asc);
            }
        }
        written.push(rel);
    }
    Ok(written)
}

/// `12.3 MiB`.
fn mib(bytes: u64) -> String {
    #[allow(clippy::cast_precision_loss)]
    let m = bytes as f64 / (1024.0 * 1024.0);
    format!("{m:.1} MiB")
}

/// Marks every package build the mirror does not hold as unavailable and drops its URLs, so a
/// request for it fails at selection ("not in this mirror") instead of as a 404 mid-install. The
/// combined `rust` package is left alone: rustup reads its component lists.
fn mark_unpacked(doc: &mut toml_edit::DocumentMut, packed: &[(&str, &str)]) {
    let Some(pkgs) = doc.get_mut("pkg").and_then(toml_edit::Item::as_table_like_mut) else { return };
    for (pkg, item) in pkgs.iter_mut() {
        if pkg == "rust" {
            continue;
        }
        let Some(targets) = item.get_mut("target").and_then(toml_edit::Item::as_table_like_mut) else { continue };
        for (target, entry) in targets.iter_mut() {
            if packed.contains(&(pkg.get(), target.get())) {
                continue;
            }
            if let Some(t) = entry.as_table_like_mut() {
                t.insert("available", toml_edit::value(false));
                for key in ["url", "hash", "xz_url", "xz_hash", "zst_url", "zst_hash"] {
                    t.remove(key);
                }
            }
        }
    }
}

/// The manifest keys of a format's URL and hash.
fn keys(c: Compression) -> (&'static str, &'static str) {
    match c {
        Compression::Gz => ("url", "hash"),
        Compression::Xz => ("xz_url", "xz_hash"),
        Compression::Zst => ("zst_url", "zst_hash"),
    }
}

fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The channel of an installed toolchain, from its directory name (`stable-x86_64-…` → `stable`).
fn channel_of(toolchain: &Path) -> anyhow::Result<String> {
    let dir = toolchain.canonicalize().unwrap_or_else(|_| toolchain.to_owned());
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let parsed: ToolchainName = name
        .parse()
        .map_err(|_| UsageError(format!("cannot tell the channel from the directory name '{name}'; pass --channel (e.g. stable)")))?;
    Ok(parsed.channel.to_string())
}

/// Finds the manifest package and target key for an installed component name.
fn identify(manifest: &Manifest, name: &str) -> Option<(String, String)> {
    manifest.pkg.iter().find_map(|(pkg, p)| {
        p.target.keys().find(|t| crate::dist::component::Target::from_key(t).names(name, pkg)).map(|t| (pkg.clone(), t.clone()))
    })
}

/// Where the manifest is published for `channel`.
fn manifest_names(channel: &str, manifest: &Manifest) -> Vec<String> {
    let mut names = vec![format!("dist/channel-rust-{channel}.toml"), format!("dist/{}/channel-rust-{channel}.toml", manifest.date)];
    if channel.parse::<ToolchainName>().is_ok_and(|n| n.channel.moves())
        && let Some(v) = manifest.rust_version()
    {
        names.push(format!("dist/channel-rust-{v}.toml"));
        let parts: Vec<&str> = v.split('.').collect();
        if parts.len() == 3 && !v.contains('-') {
            names.push(format!("dist/channel-rust-{}.{}.toml", parts[0], parts[1]));
        }
    }
    names
}

fn write_with_sha(path: &Path, text: &str) -> anyhow::Result<()> {
    fs_err::create_dir_all(path.parent().expect("has a parent"))?;
    atomic_write::write(path, text)?;
    let file = path.file_name().expect("has a name").to_string_lossy();
    atomic_write::write(&path.with_file_name(format!("{file}.sha256")), format!("{}  {file}\n", sha256_hex(text.as_bytes())))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse() {
        assert_eq!(parse_formats("xz,gz").unwrap(), [Compression::Xz, Compression::Gz]);
        assert_eq!(parse_formats("gz").unwrap(), [Compression::Gz]);
        assert!(parse_formats("xz,bz2").unwrap_err().to_string().contains("'bz2'"));
        assert!(parse_formats("").is_err());
    }

    #[test]
    fn components_are_identified_in_the_real_manifest() {
        let m = Manifest::parse(include_str!("../../../tests/fixtures/channel-rust-1.95.0.toml")).unwrap();
        assert_eq!(identify(&m, "rustc-x86_64-unknown-linux-gnu"), Some(("rustc".into(), "x86_64-unknown-linux-gnu".into())));
        assert_eq!(
            identify(&m, "clippy-preview-x86_64-unknown-linux-gnu"),
            Some(("clippy-preview".into(), "x86_64-unknown-linux-gnu".into()))
        );
        assert_eq!(identify(&m, "rust-src"), Some(("rust-src".into(), "*".into())));
        assert_eq!(identify(&m, "rust-std-wasm32-unknown-unknown"), Some(("rust-std".into(), "wasm32-unknown-unknown".into())));
        assert_eq!(identify(&m, "nonsense"), None);
        let names = manifest_names("stable", &m);
        assert_eq!(
            names,
            [
                "dist/channel-rust-stable.toml",
                "dist/2026-04-16/channel-rust-stable.toml",
                "dist/channel-rust-1.95.0.toml",
                "dist/channel-rust-1.95.toml"
            ]
        );
    }
}
