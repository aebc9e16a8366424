//! `RUSTUP_HOME/settings.toml` in rustup's format (version "12"), read and written so that rustup
//! and tcup share one home: whatever `tcup default`, `tcup override set` or `tcup set` write,
//! rustup 1.29 reads, and the other way round.
//!
//! The file, as rustup writes it:
//! ```toml
//! version = "12"
//! default_host_triple = "x86_64-unknown-linux-gnu"   # rustup 1.29.1 writes `default_host_tuple`
//! default_toolchain = "stable-x86_64-unknown-linux-gnu"   # rustup's next release: "stable"
//! profile = "default"
//! auto_install = "enable"            # or "disable"
//! auto_self_update = "check-only"    # or "enable", "disable" (tcup's default: check-only)
//!
//! [overrides]
//! "/home/me/project" = "nightly-x86_64-unknown-linux-gnu"   # canonical directory = toolchain
//! ```
//! Edits go through `toml_edit`, so keys tcup does not know (and comments) survive, and land with
//! a write to a temporary file and a rename: a crash leaves the old file or the new one. This is
//! the only module that reads or writes the file.
//!
//! **The default host's two keys** (docs/rustup-compat.md). rustup 1.28.2 and 1.29.0 read and
//! write `default_host_triple`; rustup 1.29.1 (rust-lang/rustup#4852) writes `default_host_tuple`,
//! reads `default_host_triple` as an alias, and refuses a file that has both ("could not parse
//! settings file"). So tcup reads either (the tuple wins if a file has both) and writes the one
//! the file already has ([`set_default_host`]): a file with `default_host_tuple` keeps it (and
//! loses a stray `default_host_triple`), any other file gets `default_host_triple`, which every
//! rustup in use reads. rustup 1.29.0 ignores `default_host_tuple`: a home shared with it after
//! rustup 1.29.1 wrote the file falls back to detection there, which is rustup 1.29.0's own
//! behaviour.
//!
//! `default_toolchain` and override values may be unqualified (`stable`, rustup's next release,
//! rust-lang/rustup#4947 and #5044); the resolver completes them with the default host at each
//! use ([`crate::ops::active::resolve`]), so this module keeps them as written.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use toml_edit::{DocumentMut, Item, Table, value};

use crate::error::UsageError;

/// The settings format version tcup reads and writes (rustup 1.29's).
pub const VERSION: &str = "12";

/// What `settings.toml` says. Missing file: everything `None`, no overrides.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// `default_toolchain`: a toolchain directory name or a linked (custom) name.
    pub default_toolchain: Option<String>,
    /// `default_host_tuple` (rustup 1.29.1), else `default_host_triple`.
    pub default_host: Option<String>,
    /// `profile`: `minimal`, `default` or `complete`.
    pub profile: Option<String>,
    /// `auto_install`: `Some(false)` for `"disable"`, `Some(true)` for `"enable"`.
    pub auto_install: Option<bool>,
    /// `auto_self_update`: what `tcup update` and `tcup check` do about tcup itself
    /// ([`crate::ops::tcup::self_update::mode`] decides when it is absent).
    pub auto_self_update: Option<AutoSelfUpdate>,
    /// `[overrides]`: canonical directory (as written) → toolchain name.
    pub overrides: BTreeMap<String, String>,
}

impl Settings {
    /// The profile an install uses when the command line and the toolchain file name none:
    /// `profile`, else `default` (rustup's).
    pub fn profile(&self) -> &str {
        self.profile.as_deref().unwrap_or("default")
    }
}

/// `auto_self_update` in `settings.toml`, rustup's three words (`rustup set auto-self-update`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AutoSelfUpdate {
    /// `"enable"`: `tcup update` also runs `tcup self update`.
    Enable,
    /// `"disable"`: neither `tcup update` nor `tcup check` looks at the update root.
    Disable,
    /// `"check-only"`: `tcup update` and `tcup check` say when a new tcup is published.
    CheckOnly,
}

impl AutoSelfUpdate {
    /// The word as `settings.toml` stores it.
    pub fn word(self) -> &'static str {
        match self {
            AutoSelfUpdate::Enable => "enable",
            AutoSelfUpdate::Disable => "disable",
            AutoSelfUpdate::CheckOnly => "check-only",
        }
    }

    /// The mode for a word of `settings.toml` or the command line; `None` for any other word.
    pub fn from_word(word: &str) -> Option<AutoSelfUpdate> {
        [AutoSelfUpdate::Enable, AutoSelfUpdate::Disable, AutoSelfUpdate::CheckOnly].into_iter().find(|m| m.word() == word)
    }
}

/// The path of the settings file in `rustup_home`.
pub fn path(rustup_home: &Path) -> PathBuf {
    super::Home::new(rustup_home).settings_file()
}

/// Reads `settings.toml`.
///
/// # Errors
/// A [`UsageError`] naming the file when it is not valid TOML, has a version other than "12",
/// or a key with the wrong type; an I/O error other than "not found".
pub fn load(rustup_home: &Path) -> anyhow::Result<Settings> {
    let Some(doc) = read(rustup_home)? else { return Ok(Settings::default()) };
    let file = path(rustup_home);
    let bad = |key: &str, expected: &str| UsageError(format!("{}: `{key}` must be {expected}", file.display()));
    let string = |key: &str| -> anyhow::Result<Option<String>> {
        match doc.get(key) {
            None => Ok(None),
            Some(item) => Ok(Some(item.as_str().ok_or_else(|| bad(key, "a string"))?.to_owned())),
        }
    };
    let auto_install = match string("auto_install")?.as_deref() {
        None => None,
        Some("enable") => Some(true),
        Some("disable") => Some(false),
        Some(_) => return Err(bad("auto_install", "\"enable\" or \"disable\"").into()),
    };
    let auto_self_update = match string("auto_self_update")? {
        None => None,
        Some(w) => Some(AutoSelfUpdate::from_word(&w).ok_or_else(|| bad("auto_self_update", "\"enable\", \"disable\" or \"check-only\""))?),
    };
    let mut overrides = BTreeMap::new();
    if let Some(item) = doc.get("overrides") {
        let table = item.as_table_like().ok_or_else(|| bad("overrides", "a table"))?;
        for (dir, tc) in table.iter() {
            let tc = tc.as_str().ok_or_else(|| bad(&format!("overrides.\"{dir}\""), "a toolchain name"))?;
            overrides.insert(dir.to_owned(), tc.to_owned());
        }
    }
    let mut default_host = None;
    for key in HOST_KEYS.iter().rev() {
        let Some(h) = string(key)?.filter(|s| !s.is_empty()) else { continue };
        if !crate::dist::name::is_triple(&h) {
            return Err(bad(key, "a host triple like x86_64-unknown-linux-gnu").into());
        }
        default_host = Some(h);
    }
    Ok(Settings {
        default_toolchain: string("default_toolchain")?.filter(|s| !s.is_empty()),
        default_host,
        profile: string("profile")?,
        auto_install,
        auto_self_update,
        overrides,
    })
}

fn read(rustup_home: &Path) -> anyhow::Result<Option<DocumentMut>> {
    let file = path(rustup_home);
    let text = match fs_err::read_to_string(&file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let doc: DocumentMut =
        text.parse().map_err(|e: toml_edit::TomlError| UsageError(format!("{} is not valid TOML: {}", file.display(), e.message())))?;
    match doc.get("version").map(|v| v.as_str()) {
        None | Some(Some(VERSION)) => Ok(Some(doc)),
        Some(found) => Err(UsageError(format!(
            "{} has settings version {}; tcup reads rustup's version \"{VERSION}\"",
            file.display(),
            found.map_or_else(|| "(not a string)".to_owned(), |v| format!("\"{v}\""))
        ))
        .into()),
    }
}

/// Applies `change` to `settings.toml` (created as rustup creates it when missing) and writes it
/// atomically.
///
/// # Errors
/// As [`load`]; the file or its temporary sibling cannot be written.
pub fn edit(rustup_home: &Path, change: impl FnOnce(&mut DocumentMut)) -> anyhow::Result<()> {
    let mut doc = read(rustup_home)?.unwrap_or_default();
    if doc.get("version").is_none() {
        doc.insert("version", value(VERSION));
    }
    if doc.get("overrides").is_none() {
        doc.insert("overrides", Item::Table(Table::new()));
    }
    change(&mut doc);
    fs_err::create_dir_all(rustup_home)?;
    crate::sys::atomic_write::write(&path(rustup_home), doc.to_string())?;
    Ok(())
}

/// Sets (`Some`) or removes (`None`) a top-level string setting such as `default_toolchain`.
///
/// # Errors
/// As [`edit`].
pub fn set(rustup_home: &Path, key: &str, to: Option<&str>) -> anyhow::Result<()> {
    edit(rustup_home, |doc| match to {
        Some(v) => {
            doc.insert(key, value(v));
        }
        None => {
            doc.remove(key);
        }
    })
}

/// The keys that hold the default host, the one rustup 1.29.1 writes first.
pub const HOST_KEYS: [&str; 2] = ["default_host_tuple", "default_host_triple"];

/// Sets the default host triple under the key the file already uses: `default_host_tuple` where
/// the file has it (a `default_host_triple` beside it, which rustup 1.29.1 refuses, is removed),
/// else `default_host_triple`, which rustup 1.28.2, 1.29.0 and 1.29.1 all read. Never both.
///
/// # Errors
/// As [`edit`].
pub fn set_default_host(rustup_home: &Path, triple: &str) -> anyhow::Result<()> {
    edit(rustup_home, |doc| {
        if doc.contains_key(HOST_KEYS[0]) {
            doc.insert(HOST_KEYS[0], value(triple));
            doc.remove(HOST_KEYS[1]);
        } else {
            doc.insert(HOST_KEYS[1], value(triple));
        }
    })
}

/// Sets `default_toolchain` to `toolchain` when no default is set (the first install does this, as
/// rustup's does). Returns whether it set it.
///
/// # Errors
/// As [`edit`].
pub fn set_default_if_unset(rustup_home: &Path, toolchain: &str) -> anyhow::Result<bool> {
    if load(rustup_home)?.default_toolchain.is_some() {
        return Ok(false);
    }
    set(rustup_home, "default_toolchain", Some(toolchain))?;
    Ok(true)
}

/// Sets (`Some`) or removes (`None`) the override for the directory key `dir` (already
/// canonical). Returns whether an override was there before.
///
/// # Errors
/// As [`edit`].
pub fn set_override(rustup_home: &Path, dir: &str, to: Option<&str>) -> anyhow::Result<bool> {
    let mut had = false;
    edit(rustup_home, |doc| {
        if !doc["overrides"].is_table_like() {
            doc.insert("overrides", Item::Table(Table::new()));
        }
        let table = doc["overrides"].as_table_like_mut().expect("made a table above");
        had = table.get(dir).is_some();
        match to {
            Some(tc) => {
                table.insert(dir, value(tc));
            }
            None => {
                table.remove(dir);
            }
        }
    })?;
    Ok(had)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_rustup_writes_and_keeps_unknown_keys() {
        let home = tempfile::tempdir().unwrap();
        let text = "version = \"12\"\ndefault_host_triple = \"x86_64-unknown-linux-gnu\"\ndefault_toolchain = \"mytc\"\n\
                    profile = \"minimal\"\nauto_install = \"disable\"\nfuture_key = 3\n\n[overrides]\n\"/tmp/p\" = \"mytc\"\n";
        fs_err::write(path(home.path()), text).unwrap();
        let s = load(home.path()).unwrap();
        assert_eq!(s.default_toolchain.as_deref(), Some("mytc"));
        assert_eq!(s.profile.as_deref(), Some("minimal"));
        assert_eq!(s.profile(), "minimal");
        assert_eq!(s.auto_install, Some(false));
        assert_eq!(s.overrides.get("/tmp/p").map(String::as_str), Some("mytc"));
        assert!(set_override(home.path(), "/tmp/p", None).unwrap());
        set(home.path(), "default_toolchain", None).unwrap();
        let after = fs_err::read_to_string(path(home.path())).unwrap();
        assert!(after.contains("future_key = 3") && after.contains("profile = \"minimal\""), "{after}");
        assert!(!after.contains("mytc"), "{after}");
    }

    #[test]
    fn the_profile_is_default_unless_set() {
        let home = tempfile::tempdir().unwrap();
        assert_eq!(load(home.path()).unwrap().profile(), "default");
        set(home.path(), "profile", Some("complete")).unwrap();
        assert_eq!(load(home.path()).unwrap().profile(), "complete");
    }

    #[test]
    fn default_is_set_once_and_comments_and_other_settings_survive() {
        let home = tempfile::tempdir().unwrap();
        fs_err::write(path(home.path()), "# mine\nversion = \"12\"\nprofile = \"minimal\"\nfuture = 1\n").unwrap();
        assert!(set_default_if_unset(home.path(), "stable-x86_64-unknown-linux-gnu").unwrap());
        assert!(!set_default_if_unset(home.path(), "nightly-x86_64-unknown-linux-gnu").unwrap());
        let text = fs_err::read_to_string(path(home.path())).unwrap();
        assert!(text.starts_with("# mine\nversion = \"12\"\nprofile = \"minimal\"\nfuture = 1\n"), "{text}");
        assert_eq!(load(home.path()).unwrap().default_toolchain.as_deref(), Some("stable-x86_64-unknown-linux-gnu"));
    }

    #[test]
    fn the_default_host_is_read_from_either_key_and_written_under_the_one_the_file_has() {
        let home = tempfile::tempdir().unwrap();
        let host = |h: &Path| load(h).unwrap().default_host;
        // rustup 1.29.1's key; the tuple wins over the alias when a file has both.
        fs_err::write(path(home.path()), "version = \"12\"\ndefault_host_tuple = \"x86_64-unknown-linux-musl\"\n").unwrap();
        assert_eq!(host(home.path()).as_deref(), Some("x86_64-unknown-linux-musl"));
        fs_err::write(
            path(home.path()),
            "version = \"12\"\ndefault_host_triple = \"i686-unknown-linux-gnu\"\ndefault_host_tuple = \"x86_64-unknown-linux-musl\"\n",
        )
        .unwrap();
        assert_eq!(host(home.path()).as_deref(), Some("x86_64-unknown-linux-musl"));
        // A file with the tuple keeps it, and a stray alias (which rustup 1.29.1 refuses) goes.
        set_default_host(home.path(), "aarch64-unknown-linux-gnu").unwrap();
        assert_eq!(
            fs_err::read_to_string(path(home.path())).unwrap(),
            "version = \"12\"\ndefault_host_tuple = \"aarch64-unknown-linux-gnu\"\n\n[overrides]\n"
        );
        // A file with the alias, or with neither key, gets the alias every rustup reads.
        fs_err::write(path(home.path()), "version = \"12\"\ndefault_host_triple = \"i686-unknown-linux-gnu\"\n").unwrap();
        set_default_host(home.path(), "x86_64-unknown-linux-gnu").unwrap();
        assert_eq!(
            fs_err::read_to_string(path(home.path())).unwrap(),
            "version = \"12\"\ndefault_host_triple = \"x86_64-unknown-linux-gnu\"\n\n[overrides]\n"
        );
        let fresh = tempfile::tempdir().unwrap();
        set_default_host(fresh.path(), "x86_64-unknown-linux-gnu").unwrap();
        assert_eq!(host(fresh.path()).as_deref(), Some("x86_64-unknown-linux-gnu"));
        assert!(!fs_err::read_to_string(path(fresh.path())).unwrap().contains("tuple"));
    }

    #[test]
    fn creates_the_file_as_rustup_does() {
        let home = tempfile::tempdir().unwrap();
        set_override(home.path(), "/a b/c", Some("stable-x86_64-unknown-linux-gnu")).unwrap();
        let text = fs_err::read_to_string(path(home.path())).unwrap();
        assert_eq!(text, "version = \"12\"\n\n[overrides]\n\"/a b/c\" = \"stable-x86_64-unknown-linux-gnu\"\n");
    }

    #[test]
    fn broken_or_newer_files_are_named_and_left_alone() {
        let home = tempfile::tempdir().unwrap();
        for text in [
            "version = [",
            "version = \"13\"\n",
            "version = \"12\"\nprofile = 1\n",
            "default_host_triple = \"../x\"\n",
            "default_host_tuple = 1\n",
        ] {
            fs_err::write(path(home.path()), text).unwrap();
            let err = load(home.path()).and_then(|_| set(home.path(), "profile", Some("minimal"))).unwrap_err();
            assert!(err.to_string().contains("settings.toml"), "{err}");
            assert_eq!(fs_err::read_to_string(path(home.path())).unwrap(), text);
        }
    }
}
