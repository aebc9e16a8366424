//! `tcup toolchain install --from DIR` when DIR holds a channel manifest (`channel-rust-*.toml`)
//! beside the component tarballs: a normal install ([`super::install`]) with DIR as a `file://`
//! dist server, so the manifest goes through every check a downloaded one does (its `.sha256`
//! when DIR has one, its `.asc` through the trust policy, its binding to the name) and every
//! archive is selected by profile, `-c` and `-t` and must have the manifest's SHA-256.
//!
//! DIR is flat (the files as downloaded, side by side), while a dist server keeps archives under
//! `dist/<date>/`. So the install reads a dist tree of symbolic links to DIR's files, made in a
//! directory under `RUSTUP_HOME/tmp/` named after DIR and removed when the install ends (two
//! installs from one DIR at once share it, and one may fail): the manifest at the
//! path the toolchain's name asks for, and each archive the manifest names that DIR holds at the
//! manifest's own path. Without a `.sha256` in DIR, one is written there from the manifest's
//! bytes, which then rest on the signature alone.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::dist::manifest::Manifest;
use crate::dist::name::{Channel, ToolchainName};
use crate::dist::server::UPSTREAM;
use crate::env::Env;
use crate::error::UsageError;
use crate::home::Home;
use crate::ops::toolchain::install::{self, InstallOptions, Outcome};
use crate::progress::Reporter;

/// What a manifest selects from (`--profile`, `-c`, `-t`, `--allow-downgrade`).
#[derive(Debug, Clone, Default)]
pub struct DistOptions {
    /// Profile: `minimal`, `default`, `complete`.
    pub profile: String,
    /// Extra components (`-c`).
    pub components: Vec<String>,
    /// Extra targets (`-t`).
    pub targets: Vec<String>,
    /// `--allow-downgrade`.
    pub allow_downgrade: bool,
}

/// Who asks for the install, besides what it selects.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// `--name`, when given; else the release's name from the manifest.
    pub name: Option<&'a ToolchainName>,
    /// `--host`, when given.
    pub host: Option<&'a str>,
    /// Host detection, to explain a compiler that does not run here.
    pub detected: &'a crate::host::Report,
}

/// The one `channel-rust-*.toml` in `dir`, if any.
///
/// # Errors
/// `dir` cannot be read; [`UsageError`] when it holds more than one manifest.
pub fn manifest_in(dir: &Path) -> anyhow::Result<Option<PathBuf>> {
    let mut found = Vec::new();
    for entry in fs_err::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name.starts_with("channel-rust-") && Path::new(&name).extension().is_some_and(|e| e == "toml") {
            found.push(name);
        }
    }
    found.sort();
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(dir.join(one))),
        many => Err(UsageError(format!("{} holds several channel manifests ({}): keep one", dir.display(), many.join(", "))).into()),
    }
}

/// Installs with `manifest` (in `opts`' DIR) as described in the module documentation.
///
/// # Errors
/// The manifest cannot be read or parsed, names no release, or a `--name` it does not fit;
/// everything [`install::install`] returns (a refused signature, a tarball whose SHA-256 is not
/// the manifest's, a missing tarball).
pub fn install(env: &Env, opts: &Request<'_>, dist: &DistOptions, manifest: &Path, reporter: &Reporter) -> anyhow::Result<Outcome> {
    let dir = manifest.parent().expect("a file in DIR");
    let text = fs_err::read_to_string(manifest)?;
    // Read before it is verified only to learn which release it claims to be; the install
    // verifies these bytes and binds them to the name chosen here.
    let parsed = Manifest::parse(&text).with_context(|| format!("reading {}", manifest.display()))?;
    let name = match opts.name {
        Some(n) => n.clone(),
        None => name_of(&parsed).with_context(|| format!("{} names no rust release", manifest.display()))?,
    };
    let tree = Tree::new(&Home::new(&env.rustup_home), dir)?;
    link_tree(&tree.0, dir, manifest, &name, &parsed)?;
    let server = url::Url::from_directory_path(&tree.0).expect("RUSTUP_HOME is absolute");
    let mut download = env.download.clone();
    download.servers = vec![server.clone()];
    let env = Env { dist_server: server, download, ..env.clone() };
    let downloader = crate::ops::downloader(&env)?;
    let install_opts = InstallOptions {
        name: ToolchainName { host: opts.host.map(str::to_owned).or_else(|| name.host.clone()), ..name },
        profile: dist.profile.clone(),
        components: dist.components.clone(),
        targets: dist.targets.clone(),
        host: None,
        allow_downgrade: dist.allow_downgrade,
        detected: opts.detected.clone(),
        lock: None,
    };
    reporter.info(&format!("installing from {} with its channel manifest", dir.display()));
    install::install(&env, &install_opts, &downloader, reporter).with_context(|| format!("installing from {}", dir.display()))
}

/// The dist tree of links for one DIR: `RUSTUP_HOME/tmp/tcup-from-<16 hex digits of the SHA-256
/// of DIR's canonical path>`, the same for every install from that DIR, so the trust policy's
/// memory of a dist server that signed (docs/design.md trust) holds for DIR too. Made afresh,
/// removed on drop.
struct Tree(PathBuf);

impl Tree {
    fn new(home: &Home, dir: &Path) -> anyhow::Result<Tree> {
        let canonical = fs_err::canonicalize(dir)?;
        let digest = crate::download::hashing::sha256_hex(canonical.as_os_str().as_encoded_bytes());
        let path = home.tmp().join(format!("tcup-from-{}", &digest[..16]));
        if path.symlink_metadata().is_ok() {
            fs_err::remove_dir_all(&path)?;
        }
        fs_err::create_dir_all(&path)?;
        Ok(Tree(path))
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = fs_err::remove_dir_all(&self.0);
    }
}

/// rustup's name for the release `manifest` describes: its version when stable
/// (`1.99.1`), else `beta-<date>` or `nightly-<date>`.
fn name_of(manifest: &Manifest) -> Option<ToolchainName> {
    let version = manifest.rust_version()?;
    let date = Some(manifest.date.clone());
    let (channel, date) = match version.split_once('-') {
        None => (Channel::Version(version.to_owned()), None),
        Some((_, "nightly")) => (Channel::Nightly, date),
        Some((_, _beta)) => (Channel::Beta, date),
    };
    Some(ToolchainName { channel, date, host: None })
}

/// Fills `tree` with links to DIR's files at the paths a dist server has them: the manifest (and
/// its `.sha256` and `.asc`) where `name` looks for it, each archive `parsed` names where its URL
/// puts it.
fn link_tree(tree: &Path, dir: &Path, manifest: &Path, name: &ToolchainName, parsed: &Manifest) -> anyhow::Result<()> {
    let link = |from: &Path, rel: &str| -> anyhow::Result<()> {
        let at = tree.join(rel);
        fs_err::create_dir_all(at.parent().expect("below the tree"))?;
        crate::sys::fs::file_link(from, &at).with_context(|| format!("linking {} at {}", from.display(), at.display()))
    };
    let rel = ToolchainName { host: None, ..name.clone() }.manifest_path();
    link(manifest, &rel)?;
    let sha = PathBuf::from(format!("{}.sha256", manifest.display()));
    if sha.is_file() {
        link(&sha, &format!("{rel}.sha256"))?;
    } else {
        let bytes = fs_err::read(manifest)?;
        fs_err::write(tree.join(format!("{rel}.sha256")), format!("{}\n", crate::download::hashing::sha256_hex(&bytes)))?;
    }
    let asc = PathBuf::from(format!("{}.asc", manifest.display()));
    if asc.is_file() {
        link(&asc, &format!("{rel}.asc"))?;
    }
    let urls = parsed.pkg.values().flat_map(|p| p.target.values()).flat_map(|t| [&t.url, &t.xz_url, &t.zst_url].into_iter().flatten());
    for url in urls {
        let Some(path) = url.strip_prefix(UPSTREAM).and_then(|p| p.strip_prefix('/')) else { continue };
        let Some(file) = path.rsplit('/').next() else { continue };
        let held = dir.join(file);
        if !file.is_empty() && !path.split('/').any(|s| s == ".." || s == ".") && held.is_file() && !tree.join(path).exists() {
            link(&held, path)?;
        }
    }
    Ok(())
}
