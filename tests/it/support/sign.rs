//! Throwaway OpenPGP keys made by the machine's GnuPG at run time, inside the test's own
//! temporary directory (`GNUPGHOME`), and detached signatures made with them: a signed mirror
//! is signed the way an operator would sign it. The agent is stopped when the value drops.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A private GnuPG home.
pub struct Gpg {
    /// `GNUPGHOME` (inside a test's temporary directory).
    pub home: PathBuf,
}

/// What GnuPG makes with `--quick-gen-key USER ALGO`.
#[derive(Clone, Copy, Debug)]
pub enum Algo {
    /// GnuPG 2.2's default (`default`: RSA 3072, primary key signs).
    Default,
    /// `future-default`: Ed25519 primary (signs) + Curve25519 encryption subkey.
    Ed25519,
}

impl Gpg {
    /// A new GnuPG home at `dir/gnupg`; a missing `gpg` fails the test (the trust tests cannot mean
    /// anything without keys).
    pub fn new(dir: &Path) -> Gpg {
        crate::support::on_path("gpg", "signed-mirror tests need GnuPG to make throwaway keys (apt-get install gnupg)");
        let home = dir.join("gnupg");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::set_permissions(&home, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
        Gpg { home }
    }

    fn cmd(&self) -> Command {
        let mut c = Command::new("gpg");
        c.env("GNUPGHOME", &self.home).args(["--batch", "--quiet", "--no-tty", "--pinentry-mode", "loopback", "--passphrase", ""]);
        c
    }

    fn run(&self, args: &[&str]) -> Vec<u8> {
        let out = self.cmd().args(args).output().unwrap();
        assert!(out.status.success(), "gpg {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    }

    /// Makes a key for `user` (`Name <mail>`) with no passphrase and no expiry.
    pub fn gen_key(&self, user: &str, algo: Algo) {
        let a = match algo {
            Algo::Default => "default",
            Algo::Ed25519 => "future-default",
        };
        self.run(&["--quick-gen-key", user, a, "default", "never"]);
    }

    /// `gpg --armor --export USER` written to `path`.
    pub fn export_public(&self, user: &str, path: &Path) -> PathBuf {
        std::fs::write(path, self.run(&["--armor", "--export", user])).unwrap();
        path.to_owned()
    }

    /// `gpg --armor --export-secret-keys USER` written to `path`.
    pub fn export_secret(&self, user: &str, path: &Path) -> PathBuf {
        std::fs::write(path, self.run(&["--armor", "--export-secret-keys", user])).unwrap();
        path.to_owned()
    }

    /// The primary key's fingerprint (40 hex digits, upper case).
    pub fn fingerprint(&self, user: &str) -> String {
        let out = String::from_utf8(self.run(&["--with-colons", "--fingerprint", user])).unwrap();
        out.lines().find(|l| l.starts_with("fpr:")).unwrap().split(':').nth(9).unwrap().to_owned()
    }

    /// `gpg --armor --detach-sign` of `file` by `user`, written to `<file>.asc`.
    pub fn sign(&self, user: &str, file: &Path) -> PathBuf {
        let asc = PathBuf::from(format!("{}.asc", file.display()));
        self.run(&["--yes", "--armor", "--local-user", user, "--output", asc.to_str().unwrap(), "--detach-sign", file.to_str().unwrap()]);
        asc
    }

    /// `gpg --verify ASC FILE` succeeds (GnuPG agrees the signature is good).
    pub fn verifies(&self, asc: &Path, file: &Path) -> bool {
        self.cmd().args(["--verify", asc.to_str().unwrap(), file.to_str().unwrap()]).output().unwrap().status.success()
    }
}

impl Drop for Gpg {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf").env("GNUPGHOME", &self.home).args(["--kill", "all"]).output();
    }
}
