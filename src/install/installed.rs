//! What an installed toolchain holds, read from rustup's receipts (so a toolchain rustup
//! installed reads the same as one tcup installed): the components from
//! `lib/rustlib/multirust-config.toml` (`[[components]] pkg, target, is_extension`; no `target`
//! means `*`), each with its `manifest-<name>` lines, and the channel manifest it came from
//! (`multirust-channel-manifest.toml`).

use std::path::Path;

use anyhow::Context as _;
use serde::Deserialize;

/// One installed component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstalledComponent {
    /// Package name as recorded (`rustc`, `rustfmt-preview`).
    pub pkg: String,
    /// Target triple or `*`.
    pub target: String,
    /// Whether it was added beyond the profile.
    pub is_extension: bool,
    /// Its `file:`/`dir:` lines (`manifest-<name>`).
    pub lines: Vec<String>,
}

impl InstalledComponent {
    /// rustup's installed name: `<pkg>-<target>`, or `<pkg>` for `*`.
    pub fn name(&self) -> String {
        if self.target == "*" { self.pkg.clone() } else { format!("{}-{}", self.pkg, self.target) }
    }
}

#[derive(Deserialize)]
struct Config {
    #[serde(default)]
    components: Vec<ConfigComponent>,
}

#[derive(Deserialize)]
struct ConfigComponent {
    pkg: String,
    target: Option<String>,
    #[serde(default)]
    is_extension: bool,
}

/// Reads the components of the toolchain at `root`, in the recorded order.
///
/// # Errors
/// `multirust-config.toml` or a `manifest-<name>` is missing or unreadable (named in the error):
/// the directory is not a toolchain installed from a dist server (a linked toolchain, say).
pub fn components(root: &Path) -> anyhow::Result<Vec<InstalledComponent>> {
    let rustlib = root.join("lib/rustlib");
    let path = rustlib.join("multirust-config.toml");
    let text = fs_err::read_to_string(&path).with_context(|| format!("{} has no component receipts", root.display()))?;
    let config: Config = toml::from_str(&text).map_err(|e| anyhow::anyhow!("{} is not valid: {}", path.display(), e.message()))?;
    config
        .components
        .into_iter()
        .map(|c| {
            let mut comp = InstalledComponent {
                pkg: c.pkg,
                target: c.target.unwrap_or_else(|| "*".into()),
                is_extension: c.is_extension,
                lines: Vec::new(),
            };
            let receipt = rustlib.join(format!("manifest-{}", comp.name()));
            let text = fs_err::read_to_string(&receipt)?;
            comp.lines = text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect();
            Ok(comp)
        })
        .collect()
}

/// The channel manifest text the toolchain at `root` was installed from.
///
/// # Errors
/// The file is missing or unreadable (named in the error).
pub fn manifest_text(root: &Path) -> anyhow::Result<String> {
    let path = root.join("lib/rustlib/multirust-channel-manifest.toml");
    Ok(fs_err::read_to_string(&path)?)
}
