//! tcup's own file in `RUSTUP_HOME`: `tcup.toml`, holding what rustup must not touch
//! (docs/design.md home-10).
//!
//! rustup rewrites `settings.toml` from its own model and drops keys it does not know (checked
//! with `rustup set profile` on rustup 1.29), so tcup's trust state lives in a file rustup never
//! opens:
//! ```toml
//! signature-policy = "require"          # `tcup set signature-policy`; TCUP_SIGNATURE_POLICY wins
//!
//! [signed-channels]                     # downgrade protection: a channel seen signed stays signed
//! stable = { signer = "85AB96E6FA1BE5FE", server = "https://static.rust-lang.org" }
//!
//! [signed-servers]                      # … and so does every name from a server seen signing
//! "https://static.rust-lang.org" = { signer = "85AB96E6FA1BE5FE", channel = "stable" }
//! ```
//! Written whole to a temporary file and renamed, so a reader sees the old file or the new one.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::env::SignaturePolicy;

/// The file name under `RUSTUP_HOME`.
pub const FILE: &str = "tcup.toml";

/// `RUSTUP_HOME/tcup.toml`, read (or empty when absent) and editable.
#[derive(Debug)]
pub struct TcupFile {
    path: PathBuf,
    doc: toml_edit::DocumentMut,
}

impl TcupFile {
    /// Reads `home/tcup.toml`; an absent file is an empty one.
    ///
    /// # Errors
    /// The file cannot be read or is not TOML (the error names it).
    pub fn read(home: &Path) -> anyhow::Result<TcupFile> {
        let path = home.join(FILE);
        let text = match fs_err::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(e.into()),
        };
        let doc = text.parse().with_context(|| format!("{} is not valid TOML", path.display()))?;
        Ok(TcupFile { path, doc })
    }

    /// The stored `signature-policy`, if set.
    ///
    /// # Errors
    /// A value other than `auto` or `require` (naming the file).
    pub fn policy(&self) -> anyhow::Result<Option<SignaturePolicy>> {
        match self.doc.get("signature-policy").map(|v| v.as_str()) {
            None => Ok(None),
            Some(Some("auto")) => Ok(Some(SignaturePolicy::Auto)),
            Some(Some("require")) => Ok(Some(SignaturePolicy::Require)),
            Some(_) => anyhow::bail!("{}: signature-policy must be \"auto\" or \"require\"", self.path.display()),
        }
    }

    /// Sets `signature-policy`.
    pub fn set_policy(&mut self, policy: SignaturePolicy) {
        self.doc["signature-policy"] = toml_edit::value(policy.word());
    }

    /// The key ID that signed `channel`'s manifest when this home last verified one.
    pub fn signed_channel(&self, channel: &str) -> Option<String> {
        let entry = self.doc.get("signed-channels")?.get(channel)?;
        Some(entry.get("signer").and_then(|s| s.as_str()).unwrap_or("unknown").to_owned())
    }

    /// The key ID that signed a manifest from the dist server `server` (its URL as configured)
    /// when this home last verified one, for any toolchain name: from `[signed-servers]`, or a
    /// `[signed-channels]` entry that names the server (recorded before the per-server table).
    pub fn signed_server(&self, server: &str) -> Option<String> {
        let signer = |entry: &toml_edit::Item| entry.get("signer").and_then(|s| s.as_str()).unwrap_or("unknown").to_owned();
        if let Some(entry) = self.doc.get("signed-servers").and_then(|t| t.get(server)) {
            return Some(signer(entry));
        }
        let channels = self.doc.get("signed-channels")?.as_table_like()?;
        channels.iter().find(|(_, e)| e.get("server").and_then(|s| s.as_str()) == Some(server)).map(|(_, e)| signer(e))
    }

    /// Records that `channel`'s manifest from `server` verified, signed by `signer` (a key ID):
    /// under the channel and under the server. Returns whether the file changed.
    pub fn record_signed(&mut self, channel: &str, signer: &str, server: &str) -> bool {
        let mut changed = false;
        if self.signed_channel(channel).as_deref() != Some(signer) {
            let mut entry = toml_edit::InlineTable::new();
            entry.insert("signer", signer.into());
            entry.insert("server", server.into());
            self.insert("signed-channels", channel, entry);
            changed = true;
        }
        let recorded = self.doc.get("signed-servers").and_then(|t| t.get(server)).and_then(|e| e.get("signer")).and_then(|s| s.as_str());
        if recorded != Some(signer) {
            let mut entry = toml_edit::InlineTable::new();
            entry.insert("signer", signer.into());
            entry.insert("channel", channel.into());
            self.insert("signed-servers", server, entry);
            changed = true;
        }
        changed
    }

    fn insert(&mut self, table: &str, key: &str, entry: toml_edit::InlineTable) {
        if !self.doc.contains_table(table) {
            self.doc[table] = toml_edit::table();
        }
        self.doc[table][key] = toml_edit::value(entry);
    }

    /// Writes the file atomically ([`crate::sys::atomic_write`]).
    ///
    /// # Errors
    /// The home cannot be written (the error names the path).
    pub fn save(&self) -> anyhow::Result<()> {
        let dir = self.path.parent().expect("a file in RUSTUP_HOME");
        fs_err::create_dir_all(dir)?;
        crate::sys::atomic_write::write(&self.path, self.doc.to_string())?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_and_signed_channels_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let mut f = TcupFile::read(dir.path()).unwrap();
        assert_eq!(f.policy().unwrap(), None);
        assert_eq!(f.signed_channel("stable"), None);
        f.set_policy(SignaturePolicy::Require);
        assert!(f.record_signed("stable", "85AB96E6FA1BE5FE", "https://static.rust-lang.org"));
        assert!(!f.record_signed("stable", "85AB96E6FA1BE5FE", "https://static.rust-lang.org"), "same signer and server: unchanged");
        assert!(f.record_signed("stable", "85AB96E6FA1BE5FE", "http://mirror"), "a new server is recorded");
        f.save().unwrap();
        let text = fs_err::read_to_string(dir.path().join(FILE)).unwrap();
        assert!(text.contains("signature-policy = \"require\""), "{text}");
        let again = TcupFile::read(dir.path()).unwrap();
        assert_eq!(again.policy().unwrap(), Some(SignaturePolicy::Require));
        assert_eq!(again.signed_channel("stable").as_deref(), Some("85AB96E6FA1BE5FE"));
        assert_eq!(again.signed_channel("beta"), None);
        assert_eq!(again.signed_server("https://static.rust-lang.org").as_deref(), Some("85AB96E6FA1BE5FE"));
        assert_eq!(again.signed_server("http://mirror").as_deref(), Some("85AB96E6FA1BE5FE"));
        assert_eq!(again.signed_server("http://elsewhere"), None);
        fs_err::write(dir.path().join(FILE), "signature-policy = \"off\"\n").unwrap();
        let e = TcupFile::read(dir.path()).unwrap().policy().unwrap_err().to_string();
        assert!(e.contains("tcup.toml: signature-policy must be"), "{e}");
    }
}
