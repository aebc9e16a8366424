//! The channel manifest, version 2: the TOML file `dist/channel-rust-<channel>.toml` that lists
//! every package of a release, per target, with archive URLs and SHA-256 hashes.
//!
//! Format: as published on static.rust-lang.org and read by rustup's `src/dist/manifest.rs`:
//! `manifest-version = "2"`, `date`, `[pkg.<name>] version`, `[pkg.<name>.target.<triple>]` with
//! `available`, `url`/`hash` (`.tar.gz`), `xz_url`/`xz_hash`, optionally `zst_url`/`zst_hash`,
//! `components`/`extensions` lists of `{ pkg, target, is_extension }`; `[renames.<old>] to`;
//! `[profiles] <name> = [<package>…]`. The target `*` means "any target" (e.g. `rust-src`).

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::dist::component::Target;

/// A manifest that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// Not TOML, or not the shape of a v2 manifest.
    #[error("the channel manifest is not valid: {0}")]
    Malformed(String),
    /// Another `manifest-version` than "2".
    #[error("the channel manifest has manifest-version = {0:?}; tcup reads version \"2\"")]
    Version(String),
}

/// A parsed v2 channel manifest.
#[derive(Debug, Clone, Deserialize)]
pub struct Manifest {
    /// Always "2" once parsed.
    #[serde(rename = "manifest-version")]
    pub manifest_version: String,
    /// Release date `YYYY-MM-DD`.
    pub date: String,
    /// Packages by name (`rustc`, `rust-std`, `clippy-preview`, …).
    pub pkg: BTreeMap<String, Package>,
    /// Old component name → current name (`rustfmt` → `rustfmt-preview`).
    #[serde(default)]
    pub renames: BTreeMap<String, Rename>,
    /// Profile name → package names.
    #[serde(default)]
    pub profiles: BTreeMap<String, Vec<String>>,
    /// True when the manifest starts with [`MIRROR_MARK`]: a mirror made by `tcup mirror pack`,
    /// whose unavailable entries are ones it did not pack (not failed builds).
    #[serde(skip)]
    pub mirror: bool,
}

/// The first line `tcup mirror pack` writes into the manifests it publishes (a TOML comment, so
/// rustup reads the file unchanged).
pub const MIRROR_MARK: &str = "# Published by `tcup mirror pack`: packages it did not pack are marked unavailable.\n";

/// One package across targets.
#[derive(Debug, Clone, Deserialize)]
pub struct Package {
    /// e.g. `1.95.0 (59807616e 2026-04-14)`.
    #[serde(default)]
    pub version: String,
    /// Target triple (or `*`) → build of this package for it.
    #[serde(default)]
    pub target: BTreeMap<String, TargetedPackage>,
}

/// One package built for one target.
#[derive(Debug, Clone, Deserialize)]
pub struct TargetedPackage {
    /// False when the build failed for this release (common on nightly).
    pub available: bool,
    /// `.tar.gz` archive URL.
    pub url: Option<String>,
    /// SHA-256 of the `.tar.gz`, lowercase hex.
    pub hash: Option<String>,
    /// `.tar.xz` archive URL.
    pub xz_url: Option<String>,
    /// SHA-256 of the `.tar.xz`.
    pub xz_hash: Option<String>,
    /// `.tar.zst` archive URL (not published upstream today; mirrors may offer it).
    pub zst_url: Option<String>,
    /// SHA-256 of the `.tar.zst`.
    pub zst_hash: Option<String>,
    /// Components that make up this package (only the combined `rust` package has them).
    #[serde(default)]
    pub components: Vec<ComponentRef>,
    /// Optional components that may be added to it.
    #[serde(default)]
    pub extensions: Vec<ComponentRef>,
}

/// A `{ pkg, target }` pair inside a `components`/`extensions` list.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct ComponentRef {
    /// Package name.
    pub pkg: String,
    /// Target triple or `*`.
    pub target: String,
    /// Whether it is an extension.
    #[serde(default)]
    pub is_extension: bool,
}

/// `[renames.<old>] to = "<new>"`.
#[derive(Debug, Clone, Deserialize)]
pub struct Rename {
    /// The current package name.
    pub to: String,
}

/// Archive compression, in tcup's order of preference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// `.tar.xz` (smallest; what upstream and rustup prefer).
    Xz,
    /// `.tar.zst`.
    Zst,
    /// `.tar.gz`.
    Gz,
}

impl Compression {
    /// The file name's last extension: `gz`, `xz` or `zst`.
    pub fn extension(self) -> &'static str {
        match self {
            Compression::Gz => "gz",
            Compression::Xz => "xz",
            Compression::Zst => "zst",
        }
    }
}

/// One archive to fetch: URL as written in the manifest and its expected SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Archive {
    /// URL as in the manifest (before rewriting onto the dist server).
    pub url: String,
    /// Expected SHA-256, lowercase hex.
    pub hash: String,
    /// How it is compressed.
    pub compression: Compression,
    /// The same archive in the entry's other formats, in the order to try when this one is not
    /// on the dist server (a mirror may keep only some formats: rustup fetches only xz).
    pub other_formats: Vec<Archive>,
}

impl TargetedPackage {
    /// The archive to download: `.tar.xz` when offered, else `.tar.zst`, else `.tar.gz`.
    /// `None` when the entry names no archive with a hash.
    pub fn preferred_archive(&self) -> Option<Archive> {
        self.archive_in_order(&[Compression::Xz, Compression::Zst, Compression::Gz])
    }

    /// The archive in the first format of `order` this entry offers, with the others it offers
    /// (in `order`) as its [`Archive::other_formats`].
    pub fn archive_in_order(&self, order: &[Compression]) -> Option<Archive> {
        let mut offered = order.iter().filter_map(|c| self.archive(*c));
        let mut first = offered.next()?;
        first.other_formats = offered.collect();
        Some(first)
    }

    /// The archive in format `compression`, when this entry offers it (URL and hash; no other
    /// formats).
    pub fn archive(&self, compression: Compression) -> Option<Archive> {
        let (url, hash) = match compression {
            Compression::Xz => (&self.xz_url, &self.xz_hash),
            Compression::Zst => (&self.zst_url, &self.zst_hash),
            Compression::Gz => (&self.url, &self.hash),
        };
        Some(Archive { url: url.clone()?, hash: hash.clone()?.to_ascii_lowercase(), compression, other_formats: Vec::new() })
    }
}

impl Manifest {
    /// Parses manifest text. Checks `manifest-version` before anything else, so a v1 or future
    /// manifest gets a version error rather than a confusing missing-field one.
    ///
    /// # Errors
    /// [`ManifestError::Malformed`] for invalid TOML or a wrong shape; [`ManifestError::Version`]
    /// for any version but "2".
    pub fn parse(text: &str) -> Result<Manifest, ManifestError> {
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| ManifestError::Malformed(e.message().to_owned()))?;
        match table.get("manifest-version") {
            Some(toml::Value::String(v)) if v == "2" => {}
            Some(other) => return Err(ManifestError::Version(other.as_str().map_or_else(|| other.to_string(), str::to_owned))),
            None => return Err(ManifestError::Malformed("missing manifest-version".into())),
        }
        let mut m: Manifest = table.try_into().map_err(|e: toml::de::Error| ManifestError::Malformed(e.message().to_owned()))?;
        m.mirror = text.starts_with(MIRROR_MARK);
        m.check_hashes()?;
        Ok(m)
    }

    /// Every archive hash must be a SHA-256 (64 hex digits): the hash names the archive's file in
    /// `RUSTUP_HOME/downloads/`, so anything else (`../x`) would name a path outside it.
    fn check_hashes(&self) -> Result<(), ManifestError> {
        for (name, p) in &self.pkg {
            for (target, tp) in &p.target {
                for (key, hash) in [("hash", &tp.hash), ("xz_hash", &tp.xz_hash), ("zst_hash", &tp.zst_hash)] {
                    if let Some(h) = hash
                        && !(h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
                    {
                        return Err(ManifestError::Malformed(format!(
                            "pkg.{name}.target.{target}.{key} = {h:?} is not a SHA-256 (64 hex digits)"
                        )));
                    }
                }
            }
        }
        Ok(())
    }

    /// Only the `[renames.<old>]` tables of a manifest's text, for a caller that needs nothing
    /// else (a proxy checking a toolchain file's components on every call): those tables are cut
    /// out and parsed on their own, since parsing a whole ~1 MB manifest costs about 30 ms. A
    /// text that mentions `renames` other than in such headers is parsed whole.
    ///
    /// # Errors
    /// The tables (or the whole text) are not valid TOML of this shape.
    pub fn renames_in(text: &str) -> Result<BTreeMap<String, Rename>, ManifestError> {
        #[derive(Deserialize)]
        struct Only {
            #[serde(default)]
            renames: BTreeMap<String, Rename>,
        }
        let mut snippet = String::new();
        let mut inside = false;
        for line in text.lines() {
            let t = line.trim_start();
            if t.starts_with('[') {
                inside = t.starts_with("[renames.");
            }
            if inside {
                snippet.push_str(line);
                snippet.push('\n');
            }
        }
        let elsewhere = text.matches("renames").count() > snippet.matches("renames").count();
        let source = if elsewhere { text } else { &snippet };
        toml::from_str::<Only>(source).map(|o| o.renames).map_err(|e| ManifestError::Malformed(e.message().to_owned()))
    }

    /// The current name of a package: follows `renames` (`rustfmt` → `rustfmt-preview`).
    pub fn rename<'a>(&'a self, name: &'a str) -> &'a str {
        self.renames.get(name).map_or(name, |r| r.to.as_str())
    }

    /// The build of `pkg` for `target`, falling back to the `*` (any target) build.
    /// Returns the target key actually used (`target` or `*`) with the entry.
    pub fn target_of(&self, pkg: &str, target: &str) -> Option<(&str, &TargetedPackage)> {
        let p = self.pkg.get(pkg)?;
        p.target.get_key_value(target).or_else(|| p.target.get_key_value(Target::Any.as_key())).map(|(k, v)| (k.as_str(), v))
    }

    /// Every archive SHA-256 (`.tar.gz`, `.tar.xz`, `.tar.zst`; lower-case hex) the manifest gives
    /// for `pkg` built for `target` (or for any target, `*`): the bytes any of which installs that
    /// component. Empty when the manifest has no such build.
    pub fn archive_hashes(&self, pkg: &str, target: &str) -> Vec<String> {
        self.target_of(pkg, target)
            .map(|(_, tp)| [&tp.hash, &tp.xz_hash, &tp.zst_hash].into_iter().flatten().map(|h| h.to_ascii_lowercase()).collect())
            .unwrap_or_default()
    }

    /// The release version, from the `rust` package: `1.95.0` out of `1.95.0 (59807616e 2026-04-14)`.
    pub fn rust_version(&self) -> Option<&str> {
        self.pkg.get("rust")?.version.split_whitespace().next()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"
manifest-version = "2"
date = "2026-04-16"

[pkg.rustc]
version = "1.95.0 (59807616e 2026-04-14)"
[pkg.rustc.target.x86_64-unknown-linux-gnu]
available = true
url = "https://static.rust-lang.org/dist/2026-04-16/rustc-1.95.0-x86_64-unknown-linux-gnu.tar.gz"
hash = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
xz_url = "https://static.rust-lang.org/dist/2026-04-16/rustc-1.95.0-x86_64-unknown-linux-gnu.tar.xz"
xz_hash = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
[pkg.rustc.target.aarch64-unknown-linux-gnu]
available = false

[pkg.rust-src]
version = "1.95.0"
[pkg.rust-src.target."*"]
available = true
url = "https://static.rust-lang.org/dist/2026-04-16/rust-src-1.95.0.tar.gz"
hash = "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

[renames.rustfmt]
to = "rustfmt-preview"

[profiles]
minimal = ["rustc"]
"#;

    #[test]
    fn renames_are_read_alone_as_the_whole_parse_reads_them() {
        let whole = Manifest::parse(SMALL).unwrap().renames;
        let alone = Manifest::renames_in(SMALL).unwrap();
        assert!(!alone.is_empty());
        assert_eq!(alone.iter().map(|(k, v)| (k, &v.to)).collect::<Vec<_>>(), whole.iter().map(|(k, v)| (k, &v.to)).collect::<Vec<_>>());
        let inline = "manifest-version = \"2\"\nrenames = { clippy = { to = \"clippy-preview\" } }\n";
        assert_eq!(Manifest::renames_in(inline).unwrap()["clippy"].to, "clippy-preview");
        assert!(Manifest::renames_in("[renames.x]\nto = \n").is_err());
    }

    #[test]
    fn parses_a_small_manifest() {
        let m = Manifest::parse(SMALL).unwrap();
        assert_eq!(m.date, "2026-04-16");
        let (key, rustc) = m.target_of("rustc", "x86_64-unknown-linux-gnu").unwrap();
        assert_eq!(key, "x86_64-unknown-linux-gnu");
        let a = rustc.preferred_archive().unwrap();
        assert_eq!((a.compression, a.hash.as_str()), (Compression::Xz, "b".repeat(64).as_str()));
        assert!(!m.target_of("rustc", "aarch64-unknown-linux-gnu").unwrap().1.available);
        let (key, src) = m.target_of("rust-src", "x86_64-unknown-linux-gnu").unwrap();
        assert_eq!(key, "*");
        assert_eq!(src.preferred_archive().unwrap().compression, Compression::Gz);
        assert_eq!(m.rename("rustfmt"), "rustfmt-preview");
        assert_eq!(m.rename("cargo"), "cargo");
    }

    #[test]
    fn other_versions_and_bad_toml_are_clear_errors() {
        let v1 = SMALL.replace("manifest-version = \"2\"", "manifest-version = \"1\"");
        assert_eq!(
            Manifest::parse(&v1).unwrap_err().to_string(),
            "the channel manifest has manifest-version = \"1\"; tcup reads version \"2\""
        );
        let err = Manifest::parse("manifest-version = \"2\"\n[pkg\n").unwrap_err();
        assert!(matches!(err, ManifestError::Malformed(_)), "{err}");
        let err = Manifest::parse("date = \"x\"").unwrap_err();
        assert!(err.to_string().contains("missing manifest-version"), "{err}");
        let err = Manifest::parse("manifest-version = \"2\"\ndate = 3\n[pkg]\n").unwrap_err();
        assert!(matches!(err, ManifestError::Malformed(_)), "{err}");
        // A hash names a file in downloads/: a path in its place is refused, naming the key.
        let escape = SMALL.replace(&"c".repeat(64), "../../../../tmp/x");
        assert_eq!(
            Manifest::parse(&escape).unwrap_err().to_string(),
            "the channel manifest is not valid: pkg.rust-src.target.*.hash = \"../../../../tmp/x\" is not a SHA-256 (64 hex digits)"
        );
    }
}
