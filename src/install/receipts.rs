//! rustup-compatible receipts (DESIGN.md decision 1), so rustup can read what tcup installs:
//!
//! - `toolchains/<tc>/lib/rustlib/components`: installed component names, one per line;
//! - `…/manifest-<component>`: the component's `file:`/`dir:` lines (its `manifest.in`);
//! - `…/multirust-channel-manifest.toml`: the channel manifest it was installed from;
//! - `…/multirust-config.toml`: `config_version = "1"` and `[[components]] pkg/target/is_extension`
//!   (no `target` key for target-independent components, as rustup writes them);
//! - `…/rust-installer-version`: `3`;
//! - `update-hashes/<tc>`: the manifest's SHA-256 hex, which rustup compares with the dist server's
//!   `.sha256` to report a toolchain "unchanged" without downloading anything;
//! - `settings.toml`: `version = "12"`, `default_toolchain`.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

/// One installed component, for the receipts.
#[derive(Debug, Clone)]
pub struct Receipt {
    /// rustup's installed name (`rustc-x86_64-unknown-linux-gnu`, `rust-src`).
    pub name: String,
    /// Package name in the manifest.
    pub pkg: String,
    /// Target triple or `*`.
    pub target: String,
    /// Whether it was added beyond the profile.
    pub is_extension: bool,
    /// `file:`/`dir:` lines.
    pub lines: Vec<String>,
    /// Every regular file with its CRC32, paths relative to the toolchain root (tcup's own
    /// receipt, `lib/rustlib/tcup-receipt`, see [`super::verify`]). Empty when unknown.
    pub files: Vec<super::unpack::FileRecord>,
    /// SHA-256 of the archive the component came from.
    pub archive_hash: String,
}

/// Writes the `lib/rustlib` receipts into the toolchain tree `tree`.
///
/// # Errors
/// A file cannot be written.
pub fn write_toolchain(tree: &Path, receipts: &[Receipt], manifest_text: &str) -> std::io::Result<()> {
    let rustlib = tree.join("lib/rustlib");
    fs_err::create_dir_all(&rustlib)?;
    let mut components = String::new();
    let mut config = String::from("config_version = \"1\"\n");
    for r in receipts {
        components.push_str(&r.name);
        components.push('\n');
        // Streamed, like tcup-receipt: rust-docs alone lists some 30 000 files.
        let mut out = std::io::BufWriter::with_capacity(64 * 1024, fs_err::File::create(rustlib.join(format!("manifest-{}", r.name)))?);
        for line in &r.lines {
            writeln!(out, "{line}")?;
        }
        out.flush()?;
        let _ = write!(config, "\n[[components]]\npkg = {}\n", toml_str(&r.pkg));
        if r.target != "*" {
            let _ = writeln!(config, "target = {}", toml_str(&r.target));
        }
        let _ = writeln!(config, "is_extension = {}", r.is_extension);
    }
    fs_err::write(rustlib.join("components"), components)?;
    fs_err::write(rustlib.join("multirust-config.toml"), config)?;
    fs_err::write(rustlib.join("multirust-channel-manifest.toml"), manifest_text)?;
    fs_err::write(rustlib.join("rust-installer-version"), "3")?;
    super::verify::write_receipt(tree, receipts)
}

fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

/// Records the manifest hash a toolchain was installed from (`update-hashes/<toolchain>`).
///
/// # Errors
/// The file cannot be written.
pub fn write_update_hash(rustup_home: &Path, toolchain: &str, hash: &str) -> std::io::Result<()> {
    let dir = rustup_home.join("update-hashes");
    fs_err::create_dir_all(&dir)?;
    fs_err::write(dir.join(toolchain), hash)
}

/// The recorded manifest hash of `toolchain`, if any.
pub fn read_update_hash(rustup_home: &Path, toolchain: &str) -> Option<String> {
    fs_err::read_to_string(rustup_home.join("update-hashes").join(toolchain)).ok().map(|s| s.trim().to_owned())
}

/// Sets `default_toolchain` in `settings.toml` when none is set, keeping every other setting.
/// Returns whether it set it.
///
/// # Errors
/// `settings.toml` exists but is not valid TOML (named in the error), or cannot be written.
pub fn set_default_if_unset(rustup_home: &Path, toolchain: &str) -> anyhow::Result<bool> {
    if setting(rustup_home, "default_toolchain").is_some_and(|s| !s.is_empty()) {
        return Ok(false);
    }
    set_setting(rustup_home, "default_toolchain", toolchain)?;
    Ok(true)
}

/// Sets `key` to `value` in `settings.toml` (creating it with `version = "12"`), keeping every
/// other setting. rustup's keys: `default_toolchain`, `default_host_triple`, `profile`.
///
/// # Errors
/// `settings.toml` exists but is not valid TOML (named in the error), or cannot be written.
pub fn set_setting(rustup_home: &Path, key: &str, value: &str) -> anyhow::Result<()> {
    let path = rustup_home.join("settings.toml");
    let mut settings: toml::Table = match fs_err::read_to_string(&path) {
        Ok(text) => text.parse().map_err(|e: toml::de::Error| anyhow::anyhow!("{} is not valid TOML: {}", path.display(), e.message()))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => toml::Table::new(),
        Err(e) => return Err(e.into()),
    };
    settings.entry("version").or_insert_with(|| "12".into());
    settings.insert(key.into(), value.into());
    fs_err::create_dir_all(rustup_home)?;
    let tmp = path.with_extension("toml.tmp");
    fs_err::write(&tmp, toml::to_string(&settings)?)?;
    fs_err::rename(&tmp, &path)?;
    Ok(())
}

/// A string setting from `settings.toml`, if set.
pub fn setting(rustup_home: &Path, key: &str) -> Option<String> {
    let text = fs_err::read_to_string(rustup_home.join("settings.toml")).ok()?;
    let table: toml::Table = text.parse().ok()?;
    table.get(key)?.as_str().map(str::to_owned)
}

/// The default toolchain from `settings.toml`, if set.
pub fn default_toolchain(rustup_home: &Path) -> Option<String> {
    setting(rustup_home, "default_toolchain")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_set_once_and_other_settings_survive() {
        let home = tempfile::tempdir().unwrap();
        fs_err::write(home.path().join("settings.toml"), "version = \"12\"\nprofile = \"minimal\"\n").unwrap();
        assert!(set_default_if_unset(home.path(), "stable-x86_64-unknown-linux-gnu").unwrap());
        assert!(!set_default_if_unset(home.path(), "nightly-x86_64-unknown-linux-gnu").unwrap());
        let text = fs_err::read_to_string(home.path().join("settings.toml")).unwrap();
        assert!(text.contains("profile = \"minimal\""), "{text}");
        assert_eq!(default_toolchain(home.path()).as_deref(), Some("stable-x86_64-unknown-linux-gnu"));
    }

    #[test]
    fn broken_settings_are_named() {
        let home = tempfile::tempdir().unwrap();
        fs_err::write(home.path().join("settings.toml"), "version = [").unwrap();
        let err = set_default_if_unset(home.path(), "stable").unwrap_err().to_string();
        assert!(err.contains("settings.toml is not valid TOML"), "{err}");
        assert_eq!(fs_err::read_to_string(home.path().join("settings.toml")).unwrap(), "version = [");
    }
}
