//! One installed toolchain's directory and its receipts, typed: rustup's (so rustup reads what
//! tcup installs, and tcup what rustup installs) and tcup's own per-file record
//! ([`super::file_record`]).
//!
//! rustup's receipts, in `lib/rustlib/` (rustup's `src/dist/component/components.rs` and
//! `src/dist/prefix.rs` are the model):
//! - `components`: installed component names, one per line (`rustc-x86_64-unknown-linux-gnu`,
//!   `rust-src`);
//! - `manifest-<component>`: the component's [`ComponentPart`]s, `file:<path>` / `dir:<path>`
//!   lines (its `manifest.in`);
//! - `multirust-config.toml`: `config_version = "1"` and `[[components]] pkg/target/is_extension`
//!   (`target = "*"` for a target-independent component, as rustup 1.29 writes it and requires:
//!   without the key it refuses the whole file, "missing field `target`"; a file without it is
//!   still read);
//! - `multirust-channel-manifest.toml`: the channel manifest it was installed from;
//! - `rust-installer-version`: `3`.

use std::fmt::Write as _;
use std::io::{self, Write as _};
use std::path::{Component, Path, PathBuf};

use anyhow::Context as _;
use serde::Deserialize;

use super::file_record::{self, FileRecord};
pub use crate::dist::component::{ComponentId, Target};

/// Whether a receipt line names a file or a whole directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartKind {
    /// `file:<path>`: one file (or link).
    File,
    /// `dir:<path>`: a directory and everything below it.
    Dir,
}

/// One line of a component's `manifest-<component>` receipt (and of its archive's
/// `manifest.in`): a path relative to the toolchain root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentPart {
    /// File or directory.
    pub kind: PartKind,
    /// Relative to the toolchain root.
    pub path: PathBuf,
}

impl ComponentPart {
    /// Parses `file:<path>` / `dir:<path>`; `None` for any other line.
    pub fn decode(line: &str) -> Option<ComponentPart> {
        let (kind, path) = match line.split_once(':')? {
            ("file", p) => (PartKind::File, p),
            ("dir", p) => (PartKind::Dir, p),
            _ => return None,
        };
        Some(ComponentPart { kind, path: PathBuf::from(path) })
    }

    /// The line as receipts and `manifest.in` write it.
    pub fn encode(&self) -> String {
        let kind = match self.kind {
            PartKind::File => "file",
            PartKind::Dir => "dir",
        };
        format!("{kind}:{}", self.path.display())
    }

    /// Whether the file `rel` (relative to the toolchain root) belongs to this part: it is the
    /// file, or lies below the directory.
    pub fn covers(&self, rel: &Path) -> bool {
        match self.kind {
            PartKind::File => rel == self.path,
            PartKind::Dir => rel.starts_with(&self.path) && rel != self.path,
        }
    }
}

/// One installed component as its receipts describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstalledComponent {
    /// Package and target.
    pub id: ComponentId,
    /// Whether it was added beyond the profile.
    pub is_extension: bool,
    /// Its files and directories.
    pub parts: Vec<ComponentPart>,
}

impl InstalledComponent {
    /// rustup's installed name (see [`ComponentId::name`]).
    pub fn name(&self) -> String {
        self.id.name()
    }
}

/// What is written for one component when a toolchain is committed: rustup's receipts and
/// tcup's per-file record.
#[derive(Debug, Clone)]
pub struct Receipt {
    /// The component.
    pub component: InstalledComponent,
    /// Every regular file with its CRC32, paths relative to the toolchain root (tcup's record).
    /// Empty when unknown.
    pub files: Vec<FileRecord>,
    /// SHA-256 of the archive the component came from.
    pub archive_hash: String,
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

/// A toolchain's directory: one under `toolchains/`, a staging tree being assembled, or a
/// directory given by path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolchainDir {
    root: PathBuf,
}

impl ToolchainDir {
    /// The toolchain tree at `root`.
    pub fn at(root: PathBuf) -> ToolchainDir {
        ToolchainDir { root }
    }

    /// Its root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether it exists as a directory (or a link to one).
    pub fn is_dir(&self) -> bool {
        self.root.is_dir()
    }

    /// `bin/<tool>` (`bin\\<tool>.exe` on Windows).
    pub fn tool(&self, tool: &str) -> PathBuf {
        self.root.join("bin").join(crate::sys::exe(tool))
    }

    /// `lib/rustlib/`, where the receipts are.
    pub fn rustlib(&self) -> PathBuf {
        self.root.join("lib").join("rustlib")
    }

    /// `lib/rustlib/multirust-config.toml`.
    pub fn config_file(&self) -> PathBuf {
        self.rustlib().join("multirust-config.toml")
    }

    /// `lib/rustlib/multirust-channel-manifest.toml`.
    pub fn channel_manifest_file(&self) -> PathBuf {
        self.rustlib().join("multirust-channel-manifest.toml")
    }

    /// `lib/rustlib/multirust-channel-manifest.toml.asc`: the detached signature the manifest
    /// was verified with (tcup only; rustup ignores the file).
    pub fn channel_manifest_signature_file(&self) -> PathBuf {
        self.rustlib().join(SIGNATURE_FILE_NAME)
    }

    /// `lib/rustlib/tcup-receipt`.
    pub fn record_file(&self) -> PathBuf {
        self.rustlib().join(file_record::FILE_NAME)
    }

    /// Whether it was installed from a dist server (it has rustup's component receipts); a
    /// linked toolchain has none.
    pub fn has_receipts(&self) -> bool {
        self.config_file().is_file()
    }

    /// The installed component names (`lib/rustlib/components`); empty when there is none.
    pub fn component_names(&self) -> Vec<String> {
        fs_err::read_to_string(self.rustlib().join("components"))
            .map(|t| t.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect())
            .unwrap_or_default()
    }

    /// The components recorded in `multirust-config.toml`, in order, without their parts.
    ///
    /// # Errors
    /// The file is missing or not valid (named in the error): the directory is not a toolchain
    /// installed from a dist server (a linked toolchain, say).
    pub fn component_ids(&self) -> anyhow::Result<Vec<(ComponentId, bool)>> {
        let path = self.config_file();
        let text = fs_err::read_to_string(&path).with_context(|| format!("{} has no component receipts", self.root.display()))?;
        let config: Config = toml::from_str(&text).map_err(|e| anyhow::anyhow!("{} is not valid: {}", path.display(), e.message()))?;
        Ok(config
            .components
            .into_iter()
            .map(|c| (ComponentId { pkg: c.pkg, target: c.target.map_or(Target::Any, |t| Target::from_key(&t)) }, c.is_extension))
            .collect())
    }

    /// The parts of the component installed as `name` (`manifest-<name>`).
    ///
    /// # Errors
    /// The receipt is missing or unreadable (named in the error).
    pub fn parts(&self, name: &str) -> io::Result<Vec<ComponentPart>> {
        let text = fs_err::read_to_string(self.rustlib().join(format!("manifest-{name}")))?;
        Ok(text.lines().map(str::trim).filter_map(ComponentPart::decode).collect())
    }

    /// The components with their parts (`manifest-<component>`), in the recorded order.
    ///
    /// # Errors
    /// As [`ToolchainDir::component_ids`]; a `manifest-<component>` is missing or unreadable.
    pub fn components(&self) -> anyhow::Result<Vec<InstalledComponent>> {
        self.component_ids()?
            .into_iter()
            .map(|(id, is_extension)| Ok(InstalledComponent { parts: self.parts(&id.name())?, id, is_extension }))
            .collect()
    }

    /// The channel manifest text the toolchain was installed from.
    ///
    /// # Errors
    /// The file is missing or unreadable (named in the error).
    pub fn manifest_text(&self) -> anyhow::Result<String> {
        Ok(fs_err::read_to_string(self.channel_manifest_file())?)
    }

    /// Writes every receipt, rustup's and tcup's, into this (staging) tree.
    ///
    /// # Errors
    /// A file cannot be written.
    pub fn write_receipts(&self, receipts: &[Receipt], manifest_text: &str) -> io::Result<()> {
        self.write_receipts_without_manifest(receipts)?;
        fs_err::write(self.channel_manifest_file(), manifest_text)
    }

    /// Writes every receipt, rustup's and tcup's, but no channel manifest: a toolchain installed
    /// from loose tarballs (`lib/rustlib/components`, `manifest-<component>`,
    /// `rust-installer-version`, `multirust-config.toml` and tcup's record).
    ///
    /// # Errors
    /// A file cannot be written.
    pub fn write_receipts_without_manifest(&self, receipts: &[Receipt]) -> io::Result<()> {
        let rustlib = self.rustlib();
        fs_err::create_dir_all(&rustlib)?;
        let mut components = String::new();
        let mut config = String::from("config_version = \"1\"\n");
        for r in receipts {
            let c = &r.component;
            let name = c.name();
            components.push_str(&name);
            components.push('\n');
            // Streamed, like tcup-receipt: rust-docs alone lists some 30 000 files.
            let mut out = io::BufWriter::with_capacity(64 * 1024, fs_err::File::create(rustlib.join(format!("manifest-{name}")))?);
            for part in &c.parts {
                writeln!(out, "{}", part.encode())?;
            }
            out.flush()?;
            let _ = write!(config, "\n[[components]]\npkg = {}\ntarget = {}\n", toml_str(&c.id.pkg), toml_str(c.id.target.as_key()));
            let _ = writeln!(config, "is_extension = {}", c.is_extension);
        }
        fs_err::write(rustlib.join("components"), components)?;
        fs_err::write(self.config_file(), config)?;
        fs_err::write(rustlib.join("rust-installer-version"), "3")?;
        self.write_record(receipts)
    }

    /// Writes tcup's per-file record alone (atomically), e.g. for a toolchain rustup installed.
    ///
    /// # Errors
    /// The file cannot be written.
    pub fn write_record(&self, receipts: &[Receipt]) -> io::Result<()> {
        file_record::write(&self.record_file(), receipts.iter().map(|r| (r.component.name(), r.archive_hash.as_str(), r.files.as_slice())))
    }

    /// tcup's per-file record: component name → its files. `Ok(None)` when there is none (a
    /// toolchain installed by rustup or by an older tcup).
    ///
    /// # Errors
    /// The file exists but cannot be read or is not in its format (named in the error).
    pub fn read_record(&self) -> io::Result<Option<std::collections::BTreeMap<String, file_record::Recorded>>> {
        file_record::read(&self.record_file())
    }
}

/// The file in `lib/rustlib/` that says which components came from a toolchain store
/// ([`super::store`]).
pub const ORIGIN_FILE: &str = "tcup-store-origin";

/// The stored signature's file name in `lib/rustlib/`.
pub const SIGNATURE_FILE_NAME: &str = "multirust-channel-manifest.toml.asc";

/// Whether `rel` (relative to a toolchain root) is one of the bookkeeping files rustup and tcup
/// keep in `lib/rustlib/`, which no component owns.
pub fn is_bookkeeping(rel: &Path) -> bool {
    let mut parts = rel.components();
    let (Some(Component::Normal(a)), Some(Component::Normal(b)), Some(Component::Normal(name)), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let name = name.to_string_lossy();
    a == "lib"
        && b == "rustlib"
        && (matches!(
            &*name,
            "components" | "multirust-channel-manifest.toml" | SIGNATURE_FILE_NAME | "multirust-config.toml" | "rust-installer-version"
        ) || name.starts_with("manifest-")
            || name.starts_with(file_record::FILE_NAME)
            || name == ORIGIN_FILE)
}

fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn component(pkg: &str, target: &str) -> InstalledComponent {
        InstalledComponent {
            id: ComponentId::new(pkg, target),
            is_extension: pkg == "rust-src",
            parts: vec![
                ComponentPart { kind: PartKind::File, path: "bin/a b".into() },
                ComponentPart { kind: PartKind::Dir, path: "share/doc".into() },
            ],
        }
    }

    #[test]
    fn receipts_round_trip_in_rustups_format() {
        let dir = tempfile::tempdir().unwrap();
        let tc = ToolchainDir::at(dir.path().to_path_buf());
        assert!(!tc.has_receipts());
        let receipts: Vec<Receipt> = [component("rustc", "x86_64-unknown-linux-gnu"), component("rust-src", "*")]
            .into_iter()
            .map(|component| Receipt { component, files: Vec::new(), archive_hash: "ab".repeat(32) })
            .collect();
        tc.write_receipts(&receipts, "manifest-version = \"2\"\n").unwrap();
        let config = fs_err::read_to_string(tc.config_file()).unwrap();
        assert_eq!(
            config,
            "config_version = \"1\"\n\n[[components]]\npkg = \"rustc\"\ntarget = \"x86_64-unknown-linux-gnu\"\nis_extension = false\n\n\
             [[components]]\npkg = \"rust-src\"\ntarget = \"*\"\nis_extension = true\n"
        );
        assert_eq!(
            fs_err::read_to_string(tc.rustlib().join("manifest-rustc-x86_64-unknown-linux-gnu")).unwrap(),
            "file:bin/a b\ndir:share/doc\n"
        );
        assert_eq!(tc.component_names(), ["rustc-x86_64-unknown-linux-gnu", "rust-src"]);
        let back = tc.components().unwrap();
        assert_eq!(back, [component("rustc", "x86_64-unknown-linux-gnu"), component("rust-src", "*")]);
        assert_eq!(back[1].id.target, Target::Any);
        assert_eq!(tc.manifest_text().unwrap(), "manifest-version = \"2\"\n");
        assert!(tc.has_receipts());
        assert!(tc.read_record().unwrap().unwrap().contains_key("rust-src"));
    }

    #[test]
    fn parts_decode_encode_and_cover() {
        let dir = ComponentPart::decode("dir:share/doc").unwrap();
        assert_eq!(dir.encode(), "dir:share/doc");
        assert!(dir.covers(Path::new("share/doc/x.html")) && !dir.covers(Path::new("share/doc")));
        let file = ComponentPart::decode("file:bin/rustc").unwrap();
        assert!(file.covers(Path::new("bin/rustc")) && !file.covers(Path::new("bin/rustc2")));
        assert_eq!(ComponentPart::decode("link:x"), None);
    }

    #[test]
    fn bookkeeping_files() {
        assert!(is_bookkeeping(Path::new("lib/rustlib/manifest-rustc-x")));
        assert!(is_bookkeeping(Path::new("lib/rustlib/tcup-receipt")));
        assert!(!is_bookkeeping(Path::new("lib/rustlib/x86_64-unknown-linux-gnu/lib/libstd.rlib")));
    }
}
