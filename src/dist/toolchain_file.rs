//! The project toolchain file, `rust-toolchain.toml` or `rust-toolchain`, parsed as rustup 1.29
//! parses it. A pure parser: finding the file (walking up from the current directory) is
//! `ops::resolve`'s job.
//!
//! ```toml
//! [toolchain]
//! channel = "1.95.0"            # or path = "/opt/my-rust" (not both)
//! components = ["rustfmt", "clippy"]
//! targets = ["wasm32-unknown-unknown"]
//! profile = "minimal"
//! ```
//! The legacy form is a `rust-toolchain` file (no extension) holding one line, the channel.
//! A `rust-toolchain` file that is valid TOML is read as TOML. Unknown keys are ignored (rustup
//! does too, so newer files keep working).
//!
//! `path` must be absolute, as rustup requires ("invalid path toolchain '.evil'", "relative path
//! toolchain './.evil'", its two wordings, kept): a relative
//! path would name a directory inside the project, so a cloned repository could make every
//! `cargo` run its own `.evil/bin/cargo` (issue 28.5). An absolute path is rustup's documented
//! behaviour and is kept.

use std::path::{Path, PathBuf};

/// What a toolchain file asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ToolchainFile {
    /// `channel`: a toolchain name (`stable`, `1.95.0`, `nightly-2026-05-20`, a linked name).
    pub channel: Option<String>,
    /// `path`: a toolchain directory, always absolute (a relative one is refused).
    pub path: Option<PathBuf>,
    /// `components`, as the user writes them (`rustfmt`, `rust-src`).
    pub components: Vec<String>,
    /// `targets`: target triples whose standard library the project needs.
    pub targets: Vec<String>,
    /// `profile`, used when the toolchain has to be installed.
    pub profile: Option<String>,
}

/// Parses the text of the toolchain file at `file` (its name decides whether the legacy one-line
/// form is allowed). Errors are rustup's wording without the file name, which the caller adds.
///
/// # Errors
/// Empty file, invalid TOML, no `[toolchain]` table, neither or both of `channel` and `path`, a
/// relative `path`, a key of the wrong type, or a legacy file of more than one line.
pub fn parse(file: &Path, text: &str) -> Result<ToolchainFile, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(
            "empty toolchain override file detected. Please remove it, or else specify the desired toolchain properties in the file".into(),
        );
    }
    let legacy_allowed = file.extension().is_none();
    let table: toml::Table = match trimmed.parse::<toml::Table>() {
        Ok(t) => t,
        Err(_) if legacy_allowed && !trimmed.contains('\n') => {
            return Ok(ToolchainFile { channel: Some(trimmed.to_owned()), ..ToolchainFile::default() });
        }
        Err(e) => return Err(format!("error parsing override file: {}", e.message())),
    };
    let Some(section) = table.get("toolchain") else {
        return Err("error parsing override file: missing field `toolchain`".into());
    };
    let section = section.as_table().ok_or("error parsing override file: `toolchain` must be a table")?;
    let string = |key: &str| -> Result<Option<String>, String> {
        match section.get(key) {
            None => Ok(None),
            Some(v) => {
                v.as_str().map(|s| Some(s.to_owned())).ok_or_else(|| format!("error parsing override file: `{key}` must be a string"))
            }
        }
    };
    let list = |key: &str| -> Result<Vec<String>, String> {
        let Some(v) = section.get(key) else { return Ok(Vec::new()) };
        let bad = || format!("error parsing override file: `{key}` must be a list of strings");
        v.as_array().ok_or_else(bad)?.iter().map(|x| x.as_str().map(str::to_owned).ok_or_else(bad)).collect()
    };
    let path = string("path")?.map(PathBuf::from);
    if let Some(p) = path.as_ref().filter(|p| !p.is_absolute()) {
        // rustup 1.29's wording (it says "invalid" for one segment, "relative" otherwise), then why.
        let word = if p.components().count() == 1 { "invalid" } else { "relative" };
        return Err(format!(
            "{word} path toolchain '{}': a toolchain file's path must be absolute (a relative one would run the project's own binaries)",
            p.display()
        ));
    }
    let spec = ToolchainFile {
        channel: string("channel")?,
        path,
        components: list("components")?,
        targets: list("targets")?,
        profile: string("profile")?,
    };
    match (&spec.channel, &spec.path) {
        (None, None) => Err("missing toolchain properties in toolchain override file".into()),
        (Some(c), Some(p)) => Err(format!("cannot specify both channel ({c}) and path ({}) simultaneously", p.display())),
        _ => Ok(spec),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys::test_abs as abs;

    fn toml(text: &str) -> Result<ToolchainFile, String> {
        parse(Path::new("/p/rust-toolchain.toml"), text)
    }

    #[test]
    fn full_file() {
        let f = toml(
            "[toolchain]\nchannel = \"1.95.0\"\ncomponents = [\"rustfmt\", \"clippy\"]\ntargets = [\"wasm32-unknown-unknown\"]\nprofile = \"minimal\"\nfuture = 1\n",
        )
        .unwrap();
        assert_eq!(f.channel.as_deref(), Some("1.95.0"));
        assert_eq!(f.components, ["rustfmt", "clippy"]);
        assert_eq!(f.targets, ["wasm32-unknown-unknown"]);
        assert_eq!(f.profile.as_deref(), Some("minimal"));
    }

    #[test]
    fn a_path_must_be_absolute() {
        // rustup 1.29's two wordings.
        for (rel, word) in [(".evil", "invalid"), ("tc", "invalid"), ("./tc", "relative"), ("../tc", "relative"), ("tc/bin/..", "relative")]
        {
            let e = toml(&format!("[toolchain]\npath = \"{rel}\"\n")).unwrap_err();
            assert!(e.starts_with(&format!("{word} path toolchain '{rel}': a toolchain file's path must be absolute")), "{e}");
        }
        let tc = abs("/opt/tc"); // a TOML literal string below: Windows' backslashes are no escapes
        assert_eq!(toml(&format!("[toolchain]\npath = '{tc}'\n")).unwrap().path, Some(PathBuf::from(tc)));
    }

    #[test]
    fn legacy_one_line_only_without_extension() {
        let legacy = parse(Path::new("/p/rust-toolchain"), "nightly-2026-05-20\n").unwrap();
        assert_eq!(legacy.channel.as_deref(), Some("nightly-2026-05-20"));
        let as_toml = parse(Path::new("/p/rust-toolchain"), "[toolchain]\nchannel = \"beta\"\n").unwrap();
        assert_eq!(as_toml.channel.as_deref(), Some("beta"));
        assert!(parse(Path::new("/p/rust-toolchain"), "stable\nbeta\n").unwrap_err().contains("error parsing override file"));
        assert!(toml("stable").unwrap_err().contains("error parsing override file"));
    }

    #[test]
    fn rustups_errors() {
        assert!(toml("").unwrap_err().starts_with("empty toolchain override file detected"));
        assert_eq!(toml("[toolchain]\n").unwrap_err(), "missing toolchain properties in toolchain override file");
        assert_eq!(toml("x = 1").unwrap_err(), "error parsing override file: missing field `toolchain`");
        let x = abs("/x");
        assert_eq!(
            toml(&format!("[toolchain]\nchannel = \"a\"\npath = '{x}'\n")).unwrap_err(),
            format!("cannot specify both channel (a) and path ({x}) simultaneously")
        );
        assert!(toml("[toolchain]\ncomponents = \"rustfmt\"\n").unwrap_err().contains("`components` must be a list"));
    }
}
