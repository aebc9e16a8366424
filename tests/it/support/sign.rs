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

    /// `gpg ARGS` with the clock frozen at `at` (`--faked-system-time 20200101T000000!`, UTC)
    /// when given: how a test makes keys that expired in the past and signatures "made" then.
    fn run_at(&self, at: Option<&str>, args: &[&str]) -> Vec<u8> {
        let faked = at.map(|t| format!("{t}!"));
        let mut all: Vec<&str> = faked.as_deref().map(|t| vec!["--faked-system-time", t]).unwrap_or_default();
        all.extend_from_slice(args);
        self.run(&all)
    }

    /// `gpg --edit-key FPR` driven by `commands` on its command fd (one answer a line), at `at`.
    fn edit_at(&self, at: Option<&str>, fingerprint: &str, commands: &str) {
        use std::io::Write;
        let mut c = self.cmd();
        if let Some(t) = at {
            c.args(["--faked-system-time", &format!("{t}!")]);
        }
        let mut child = c
            .args(["--expert", "--command-fd", "0", "--status-fd", "2", "--edit-key", fingerprint])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(commands.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "gpg --edit-key {fingerprint} <<{commands:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// `gpg --quick-gen-key USER ALGO USAGE EXPIRE` at `at` (`20190101T000000`; `None`: now):
    /// e.g. an `ed25519` primary key that may only `cert`, to which signing subkeys are added.
    pub fn gen_key_with(&self, user: &str, algo: &str, usage: &str, expire: &str, at: Option<&str>) -> String {
        self.run_at(at, &["--quick-gen-key", user, algo, usage, expire]);
        self.fingerprint(user)
    }

    /// `gpg --quick-add-key FPR ALGO USAGE EXPIRE` at `at`; the new subkey's fingerprint.
    pub fn add_subkey(&self, fingerprint: &str, algo: &str, usage: &str, expire: &str, at: Option<&str>) -> String {
        self.run_at(at, &["--quick-add-key", fingerprint, algo, usage, expire]);
        self.subkeys(fingerprint).pop().unwrap()
    }

    /// When the key or subkey `fingerprint` expires (Unix seconds, as GnuPG computed it from
    /// its newest self-signature), `None` when never. GnuPG reads a date such as `2020-01-01`
    /// as noon UTC.
    pub fn expiry(&self, fingerprint: &str) -> Option<u64> {
        let out = String::from_utf8(self.run(&["--with-colons", "--with-subkey-fingerprints", "--list-keys", fingerprint])).unwrap();
        let mut last_expiry = None;
        for line in out.lines() {
            let fields: Vec<&str> = line.split(':').collect();
            match fields[0] {
                "pub" | "sub" => last_expiry = fields[6].parse().ok(),
                "fpr" if fields[9] == fingerprint => return last_expiry,
                _ => {}
            }
        }
        panic!("no key {fingerprint} in {out}")
    }

    /// The subkeys' fingerprints, oldest first.
    pub fn subkeys(&self, fingerprint: &str) -> Vec<String> {
        let out = String::from_utf8(self.run(&["--with-colons", "--with-subkey-fingerprints", "--list-keys", fingerprint])).unwrap();
        let mut subs = Vec::new();
        let mut in_sub = false;
        for line in out.lines() {
            if line.starts_with("sub:") {
                in_sub = true;
            } else if line.starts_with("fpr:") && in_sub {
                subs.push(line.split(':').nth(9).unwrap().to_owned());
                in_sub = false;
            }
        }
        subs
    }

    /// `gpg --quick-set-expire FPR EXPIRE [SUBKEY-FPR]` at `at`: a new self-signature (or subkey
    /// binding) with that expiry (`2020-01-01`, `never`).
    pub fn set_expire(&self, fingerprint: &str, expire: &str, subkey: Option<&str>, at: Option<&str>) {
        let mut args = vec!["--quick-set-expire", fingerprint, expire];
        args.extend(subkey);
        self.run_at(at, &args);
    }

    /// Revokes subkey number `index` (1 = the first) of `fingerprint` at `at`, with GnuPG's
    /// subkey-revocation menu `reason` (0 no reason, 1 compromised, 2 superseded, 3 no longer
    /// used) and `text` as the description.
    pub fn revoke_subkey(&self, fingerprint: &str, index: usize, reason: u8, text: &str, at: Option<&str>) {
        // The description is read up to an empty line.
        let description = if text.is_empty() { "\n".to_owned() } else { format!("{text}\n\n") };
        self.edit_at(at, fingerprint, &format!("key {index}\nrevkey\ny\n{reason}\n{description}y\nsave\n"));
    }

    /// Revokes the primary key with the revocation certificate GnuPG made with it
    /// (`openpgp-revocs.d/FPR.rev`, "no reason specified"), imported.
    pub fn revoke_key(&self, fingerprint: &str) {
        let cert = std::fs::read_to_string(self.home.join(format!("openpgp-revocs.d/{fingerprint}.rev"))).unwrap();
        let path = self.home.join("revocation.asc");
        std::fs::write(&path, cert.replace(":-----BEGIN PGP PUBLIC KEY BLOCK-----", "-----BEGIN PGP PUBLIC KEY BLOCK-----")).unwrap();
        self.run(&["--import", path.to_str().unwrap()]);
    }

    /// Turns subkey number `index` (1 = the first) of `fingerprint`, an RSA signing subkey, into
    /// an encryption-only one (`change-usage`: sign off, encrypt on; a new binding signature).
    pub fn make_subkey_encrypt_only(&self, fingerprint: &str, index: usize) {
        self.edit_at(None, fingerprint, &format!("key {index}\nchange-usage\nS\nE\nQ\nsave\n"));
    }

    /// `gpg --armor --detach-sign` of `file` by `user` with the clock at `at`, to `<file>.asc`.
    pub fn sign_at(&self, user: &str, file: &Path, at: Option<&str>) -> PathBuf {
        let asc = PathBuf::from(format!("{}.asc", file.display()));
        let out = asc.to_str().unwrap();
        self.run_at(at, &["--yes", "--armor", "--local-user", user, "--output", out, "--detach-sign", file.to_str().unwrap()]);
        asc
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
