//! The one place where tcup reads its environment.
//!
//! Every environment variable tcup honours is read here, once, into an [`Env`] value that is
//! passed down to the code that needs it (docs/design.md tcup-1: no library code calls
//! `std::env::var`). A variable that is set to a value tcup cannot use is an [`EnvError`] naming
//! the variable, the value and what was expected; it is never silently ignored.
//! rustup's variables keep rustup's meaning; tcup's own knobs start with `TCUP_`.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::PathBuf;

use url::Url;

pub mod calendar;
mod download;
pub mod program;
pub mod redact;
mod value;

use download::download_config;
pub use download::{BackendKind, DEFAULT_DIST_SERVER, DownloadConfig, Limits, Proxies, parse_backends};
pub use value::{EnvError, MAX_SECONDS};
use value::{one_of, parse_dist_server, whole};

/// The update root used when neither `TCUP_UPDATE_ROOT` nor `RUSTUP_UPDATE_ROOT` is set (the
/// default of `installer/init.sh`).
pub const DEFAULT_UPDATE_ROOT: &str = "https://static.tcup.rs";

/// When progress bars are drawn: rustup's `RUSTUP_TERM_PROGRESS_WHEN` (`auto`, `always`, `never`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressWhen {
    /// Bars when stderr is a terminal, plain lines otherwise.
    Auto,
    /// Bars even when stderr is not a terminal.
    Always,
    /// Never bars; plain lines.
    Never,
}

/// Whether to colour output: rustup's `RUSTUP_TERM_COLOR` (`auto`, `always`, `never`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorWhen {
    /// Colour when stderr is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`.
    Auto,
    /// Always colour (wins over `NO_COLOR`, as in rustup).
    Always,
    /// Never colour.
    Never,
}

/// Everything tcup takes from its process environment.
// Each bool is one variable's on/off meaning.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone)]
pub struct Env {
    /// `RUSTUP_HOME`, default `$HOME/.rustup`: toolchains, settings, downloads, tmp.
    pub rustup_home: PathBuf,
    /// `CARGO_HOME`, default `$HOME/.cargo`: proxies and `bin/`.
    pub cargo_home: PathBuf,
    /// The first dist server (`TCUP_DIST_SERVERS`' first entry, else `RUSTUP_DIST_SERVER`):
    /// scheme `https`, `http` or `file`; no trailing slash. Callers build URLs on it; the
    /// downloader tries the same path on every server of `download.servers`.
    pub dist_server: Url,
    /// `TCUP_UPDATE_ROOT`, else `RUSTUP_UPDATE_ROOT` (rustup's name for the same root), else
    /// [`DEFAULT_UPDATE_ROOT`]: where `dist/<triple>/tcup-init` lives. `https`, `http` or `file`.
    pub update_root: Url,
    /// `RUSTUP_CONCURRENT_DOWNLOADS`: how many components download and unpack at once (≥ 1);
    /// `None` lets tcup choose.
    pub concurrent_downloads: Option<usize>,
    /// `RUSTUP_TERM_PROGRESS_WHEN`.
    pub progress_when: ProgressWhen,
    /// Whether standard error is a terminal (decides bars vs. plain lines under `auto`).
    pub stderr_is_terminal: bool,
    /// `RUSTUP_TERM_WIDTH`: columns progress lines must fit in, instead of the terminal's width.
    pub term_width: Option<u16>,
    /// `RUSTUP_TERM_COLOR`.
    pub term_color: ColorWhen,
    /// `NO_COLOR` is set (to anything non-empty) or `TERM=dumb`: no colour under `auto`.
    pub no_color: bool,
    /// `TCUP_HOST_ROOT`: the root whose userland host detection reads (default `/`; set it when
    /// preparing a chroot or image for another system).
    pub host_root: PathBuf,
    /// `TCUP_HOST_MACHINE`: replaces `uname -m` in host detection.
    pub host_machine: Option<String>,
    /// What downloads take from the environment ([`DownloadConfig`]).
    pub download: DownloadConfig,
    /// `RUSTUP_TOOLCHAIN`: the toolchain proxies run when no `+toolchain` is given.
    pub toolchain: Option<String>,
    /// `tcup +TOOLCHAIN <command>`: the toolchain the command line names before the subcommand
    /// (not an environment variable: set by the command line, `None` from [`Env::from_vars`]).
    /// It wins over `RUSTUP_TOOLCHAIN`, as rustup's `+toolchain` does.
    pub plus_toolchain: Option<String>,
    /// `RUST_RECURSION_COUNT` (rustup's name; default 0): how many proxies are running above this
    /// one, each having set it one higher for the tool it ran.
    pub recursion_count: u32,
    /// `RUSTUP_AUTO_INSTALL` (`0` or `1`): whether a proxy installs a missing active toolchain;
    /// `None` leaves it to `settings.toml`'s `auto_install` (default: install).
    pub auto_install: Option<bool>,
    /// `TCUP_INIT_YES=1`: answer yes to `tcup-init`'s questions (unattended container builds).
    pub init_yes: bool,
    /// `TCUP_LOCKED=1` (or `tcup toolchain install --locked`): a toolchain file whose
    /// `rust-toolchain.lock` is missing, does not match it, or lacks this host is an error (exit 1)
    /// instead of a warning (docs/design.md lock-3).
    pub locked: bool,
    /// `HOME`.
    pub home: PathBuf,
    /// `ZDOTDIR`, else `HOME`: where zsh reads `.zshenv`.
    pub zdotdir: PathBuf,
    /// Basename of `SHELL` (`bash`, `zsh`, `fish`, … or empty).
    pub shell: String,
    /// `RUSTUP_IO_THREADS`: writer threads per archive being unpacked (≥ 1); `None` lets tcup choose.
    pub io_threads: Option<usize>,
    /// `RUSTUP_UNPACK_RAM`: bytes of file contents the whole install may hold in memory while
    /// unpacking (≥ 1 MiB); `None` lets tcup choose.
    pub unpack_ram: Option<usize>,
    /// `TCUP_ARCHIVE_FORMAT`: which archive format to download (default `auto`).
    pub archive_format: ArchiveFormat,
    /// `TCUP_XZ_DECODERS` (≥ 1): how many `.tar.xz` archives with a large dictionary (the dist
    /// server's need about 129 MiB each) may decode at once; `None` lets tcup choose (one).
    /// Archives waiting for a decoder still download, into the download cache.
    pub xz_decoders: Option<usize>,
    /// `TCUP_SIGNATURE_POLICY` (`auto` or `require`); `None` leaves it to `RUSTUP_HOME/tcup.toml`
    /// (`tcup set signature-policy`), default `auto`.
    pub signature_policy: Option<SignaturePolicy>,
    /// `TCUP_TRUSTED_KEYS=FILE[:FILE…]`: armoured OpenPGP public keys trusted for channel
    /// manifests besides the Rust release key. Each must be an existing file.
    pub trusted_keys: Vec<PathBuf>,
    /// `TCUP_UPDATE_KEYS=FILE[:FILE…]`: armoured OpenPGP public keys trusted for `tcup-init`
    /// releases besides `installer/release-keys.asc`. Each must be an existing file.
    pub update_keys: Vec<PathBuf>,
    /// `TCUP_FORMAT` (`text` or `json`, default `text`): how results are printed; the global
    /// `--format` option replaces it (docs/json.md).
    pub format: OutputFormat,
    /// `RUSTUP_BACKTRACK_LIMIT` (default 21): how many days before the newest nightly an
    /// install looks for one that has every component and target asked for, as rustup does.
    pub backtrack_limit: usize,
    /// Today, `YYYY-MM-DD` (UTC): `TCUP_TODAY`, else the system clock. What a channel
    /// manifest's age is measured against (a frozen mirror's warning, docs/threat-model.md).
    pub today: String,
    /// `TCUP_TOOLCHAIN_STORE` (a path list, as `PATH`): directories of installed toolchains
    /// (another home's `toolchains/`, an image's `/opt/rust/toolchains`) that installs take
    /// identical components from and never write (docs/store.md). Absolute paths; empty parts
    /// are skipped; a directory that does not exist is passed over when used.
    pub toolchain_store: Vec<PathBuf>,
}

/// What a channel manifest without a signature gets (docs/design.md trust-5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignaturePolicy {
    /// Installs with a warning, unless this home verified a signed manifest for the channel before.
    Auto,
    /// Refused.
    Require,
}

impl SignaturePolicy {
    /// `auto` or `require`.
    pub fn word(self) -> &'static str {
        match self {
            SignaturePolicy::Auto => "auto",
            SignaturePolicy::Require => "require",
        }
    }
}

/// How results are printed: rustup's text, or JSON (one document for a query, JSON Lines events
/// for an install), as docs/json.md describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// Text for people, as rustup prints it.
    Text,
    /// JSON for programs.
    Json,
}

/// `TCUP_ARCHIVE_FORMAT`: `gz`, `xz` or `zst` use that format wherever a component offers it;
/// `auto` (the default) chooses by the link's measured speed (docs/design.md fetch-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveFormat {
    /// Choose by measurement.
    Auto,
    /// `.tar.gz`.
    Gz,
    /// `.tar.xz`.
    Xz,
    /// `.tar.zst`.
    Zst,
}

impl Env {
    /// Reads the real process environment. A variable tcup reads whose value is not UTF-8 is an
    /// error naming it (it is never silently dropped).
    pub fn from_process() -> Result<Env, EnvError> {
        let mut vars = Vec::new();
        for (k, v) in std::env::vars_os() {
            let Ok(k) = k.into_string() else { continue };
            match v.into_string() {
                Ok(v) => vars.push((k, v)),
                Err(v) => {
                    if let Some(var) = READ_AS_UTF8.iter().find(|n| **n == k || (n.ends_with('_') && k.starts_with(**n))) {
                        let var: std::borrow::Cow<'static, str> = if var.ends_with('_') { k.clone().into() } else { (*var).into() };
                        return Err(EnvError { var, value: v.to_string_lossy().into_owned(), expected: "valid UTF-8" });
                    }
                }
            }
        }
        Env::from_vars(vars, std::io::stderr().is_terminal())
    }

    /// Builds an `Env` from explicit variables (tests use this; so does [`Env::from_process`]).
    /// `HOME` is used for the default homes.
    pub fn from_vars(vars: impl IntoIterator<Item = (String, String)>, stderr_is_terminal: bool) -> Result<Env, EnvError> {
        let vars: HashMap<String, String> = vars.into_iter().collect();
        let get = |name: &str| vars.get(name).filter(|v| !v.is_empty()).cloned();
        let home_var = crate::sys::HOME_VAR;
        let home = get(home_var).map_or_else(|| PathBuf::from("/"), PathBuf::from);
        for (var, expected) in [
            ("RUSTUP_HOME", "an absolute path (for RUSTUP_HOME, default $HOME/.rustup), or RUSTUP_HOME set"),
            ("CARGO_HOME", "an absolute path (for CARGO_HOME, default $HOME/.cargo), or CARGO_HOME set"),
        ] {
            if get(var).is_none() && !get(home_var).is_some_and(|h| PathBuf::from(h).is_absolute()) {
                let value = vars.get(home_var).cloned().unwrap_or_default();
                return Err(EnvError { var: home_var.into(), value, expected });
            }
        }
        let dir = |var: &'static str, default: &str| -> Result<PathBuf, EnvError> {
            match get(var) {
                None => Ok(home.join(default)),
                Some(v) if PathBuf::from(&v).is_absolute() => Ok(PathBuf::from(v)),
                Some(v) => Err(EnvError { var: var.into(), value: v, expected: "an absolute path" }),
            }
        };
        let download = download_config(&get)?;
        Ok(Env {
            rustup_home: dir("RUSTUP_HOME", ".rustup")?,
            cargo_home: dir("CARGO_HOME", ".cargo")?,
            dist_server: download.servers[0].clone(),
            update_root: update_root(&get)?,
            concurrent_downloads: whole(&get, "RUSTUP_CONCURRENT_DOWNLOADS", 1, "a whole number ≥ 1")?,
            progress_when: one_of(
                &get,
                "RUSTUP_TERM_PROGRESS_WHEN",
                ProgressWhen::Auto,
                &[("auto", ProgressWhen::Auto), ("always", ProgressWhen::Always), ("never", ProgressWhen::Never)],
                "auto, always or never",
            )?,
            stderr_is_terminal,
            term_width: term_width(&get)?,
            term_color: term_color(&get)?,
            no_color: get("NO_COLOR").is_some() || get("TERM").as_deref() == Some("dumb"),
            host_root: host_root(&get)?,
            host_machine: get("TCUP_HOST_MACHINE"),
            download,
            toolchain: get("RUSTUP_TOOLCHAIN"),
            plus_toolchain: None,
            recursion_count: recursion_count(&get)?,
            auto_install: one_of(&get, "RUSTUP_AUTO_INSTALL", None, &[("0", Some(false)), ("1", Some(true))], "0 or 1")?,
            init_yes: one_of(&get, "TCUP_INIT_YES", false, &[("0", false), ("1", true)], "0 or 1")?,
            locked: one_of(&get, "TCUP_LOCKED", false, &[("0", false), ("1", true)], "0 or 1")?,
            zdotdir: get("ZDOTDIR").map_or_else(|| home.clone(), PathBuf::from),
            shell: get("SHELL").map(|s| s.rsplit('/').next().unwrap_or("").to_owned()).unwrap_or_default(),
            io_threads: whole(&get, "RUSTUP_IO_THREADS", 1, "a whole number ≥ 1")?,
            unpack_ram: whole(&get, "RUSTUP_UNPACK_RAM", 1 << 20, "a number of bytes ≥ 1048576 (1 MiB)")?,
            xz_decoders: whole(&get, "TCUP_XZ_DECODERS", 1, "a whole number ≥ 1")?,
            archive_format: one_of(
                &get,
                "TCUP_ARCHIVE_FORMAT",
                ArchiveFormat::Auto,
                &[("auto", ArchiveFormat::Auto), ("gz", ArchiveFormat::Gz), ("xz", ArchiveFormat::Xz), ("zst", ArchiveFormat::Zst)],
                "gz, xz, zst or auto",
            )?,
            signature_policy: one_of(
                &get,
                "TCUP_SIGNATURE_POLICY",
                None,
                &[("auto", Some(SignaturePolicy::Auto)), ("require", Some(SignaturePolicy::Require))],
                "auto or require",
            )?,
            trusted_keys: key_files(&get, "TCUP_TRUSTED_KEYS")?,
            update_keys: key_files(&get, "TCUP_UPDATE_KEYS")?,
            format: output_format(&get)?,
            backtrack_limit: whole(&get, "RUSTUP_BACKTRACK_LIMIT", 0, "a whole number of days")?.unwrap_or(21),
            today: today(&get)?,
            toolchain_store: toolchain_store(&get)?,
            home,
        })
    }
}

/// `RUSTUP_TERM_COLOR`: `auto` (default), `always` or `never`.
fn term_color(get: &impl Fn(&str) -> Option<String>) -> Result<ColorWhen, EnvError> {
    let whens = [("auto", ColorWhen::Auto), ("always", ColorWhen::Always), ("never", ColorWhen::Never)];
    one_of(get, "RUSTUP_TERM_COLOR", ColorWhen::Auto, &whens, "auto, always or never")
}

/// `RUSTUP_TERM_WIDTH`: columns, at least 20.
fn term_width(get: &impl Fn(&str) -> Option<String>) -> Result<Option<u16>, EnvError> {
    get("RUSTUP_TERM_WIDTH")
        .map(|v| match v.parse::<u16>() {
            Ok(n) if n >= 20 => Ok(n),
            _ => Err(EnvError { var: "RUSTUP_TERM_WIDTH".into(), value: v, expected: "a number of columns ≥ 20" }),
        })
        .transpose()
}

/// `TCUP_HOST_ROOT`: the root whose files host detection reads (default `/`), an existing directory.
fn host_root(get: &impl Fn(&str) -> Option<String>) -> Result<PathBuf, EnvError> {
    match get("TCUP_HOST_ROOT") {
        None => Ok(PathBuf::from("/")),
        Some(v) if PathBuf::from(&v).is_dir() => Ok(PathBuf::from(v)),
        Some(v) => Err(EnvError { var: "TCUP_HOST_ROOT".into(), value: v, expected: "an existing directory" }),
    }
}

/// `RUST_RECURSION_COUNT`: how many proxies deep this process runs (0 when unset).
fn recursion_count(get: &impl Fn(&str) -> Option<String>) -> Result<u32, EnvError> {
    get("RUST_RECURSION_COUNT")
        .map(|v| v.parse::<u32>().map_err(|_| EnvError { var: "RUST_RECURSION_COUNT".into(), value: v, expected: "a whole number ≥ 0" }))
        .transpose()
        .map(Option::unwrap_or_default)
}

/// `TCUP_TODAY` (`YYYY-MM-DD`), else today's date (UTC) from the system clock.
fn today(get: &impl Fn(&str) -> Option<String>) -> Result<String, EnvError> {
    match get("TCUP_TODAY") {
        None => Ok(calendar::today()),
        Some(v) if calendar::days(&v).is_some() => Ok(v),
        Some(v) => Err(EnvError { var: "TCUP_TODAY".into(), value: v, expected: "a date YYYY-MM-DD" }),
    }
}

/// `FILE[:FILE…]` of existing files (`TCUP_TRUSTED_KEYS`, `TCUP_UPDATE_KEYS`), a path list
/// parsed as `PATH` is (`;` between files on Windows, where `:` follows a drive); empty parts are
/// skipped.
fn key_files(get: &impl Fn(&str) -> Option<String>, var: &'static str) -> Result<Vec<PathBuf>, EnvError> {
    let Some(v) = get(var) else { return Ok(Vec::new()) };
    let files: Vec<PathBuf> = std::env::split_paths(&v).filter(|p| !p.as_os_str().is_empty()).collect();
    if files.is_empty() || files.iter().any(|f| !f.is_file()) {
        return Err(EnvError {
            var: var.into(),
            value: v,
            expected: if cfg!(windows) {
                "a list of existing armoured OpenPGP public key files, separated by ';'"
            } else {
                "a list of existing armoured OpenPGP public key files, separated by ':'"
            },
        });
    }
    Ok(files)
}

/// `TCUP_TOOLCHAIN_STORE`: a path list parsed as `PATH` is; every part absolute, empty parts skipped.
fn toolchain_store(get: &impl Fn(&str) -> Option<String>) -> Result<Vec<PathBuf>, EnvError> {
    let Some(v) = get("TCUP_TOOLCHAIN_STORE") else { return Ok(Vec::new()) };
    let dirs: Vec<PathBuf> = std::env::split_paths(&v).filter(|p| !p.as_os_str().is_empty()).collect();
    if dirs.iter().any(|d| !d.is_absolute()) {
        let expected =
            if cfg!(windows) { "absolute directory paths separated by ';'" } else { "absolute directory paths separated by ':'" };
        return Err(EnvError { var: "TCUP_TOOLCHAIN_STORE".into(), value: v, expected });
    }
    Ok(dirs)
}

/// `TCUP_FORMAT`: `text` (default) or `json`.
fn output_format(get: &impl Fn(&str) -> Option<String>) -> Result<OutputFormat, EnvError> {
    one_of(get, "TCUP_FORMAT", OutputFormat::Text, &[("text", OutputFormat::Text), ("json", OutputFormat::Json)], "text or json")
}

/// The variables a proxy needs to find and run a toolchain. A bad value of any other variable
/// (download settings, tcup-init's) must not stop a proxy (see [`Env::for_proxy`]).
pub const PROXY_VARS: &[&str] = &[
    "HOME",
    "USERPROFILE",
    "RUSTUP_HOME",
    "CARGO_HOME",
    "RUSTUP_TOOLCHAIN",
    "RUSTUP_AUTO_INSTALL",
    "TCUP_LOCKED",
    // A bad value set aside would mean online: a proxy that may install must refuse it.
    "TCUP_OFFLINE",
    "TCUP_HOST_ROOT",
    "TCUP_HOST_MACHINE",
    "RUST_RECURSION_COUNT",
];

impl Env {
    /// The environment for a proxy: like [`Env::from_vars`], but a bad value of a variable the
    /// proxy does not need (anything but [`PROXY_VARS`]: download settings and the like) is set
    /// aside (its default is used) and returned beside the `Env`, so the proxy can warn and still
    /// run an installed toolchain, and refuse to download.
    ///
    /// # Errors
    /// A bad value of a variable a proxy needs (`RUSTUP_HOME`, `RUSTUP_AUTO_INSTALL`, …).
    pub fn for_proxy(vars: impl IntoIterator<Item = (String, String)>, stderr_is_terminal: bool) -> Result<(Env, Vec<EnvError>), EnvError> {
        let mut vars: Vec<(String, String)> = vars.into_iter().collect();
        let mut set_aside = Vec::new();
        loop {
            match Env::from_vars(vars.clone(), stderr_is_terminal) {
                Ok(env) => return Ok((env, set_aside)),
                Err(e) if !PROXY_VARS.contains(&e.var.as_ref()) && vars.iter().any(|(k, _)| *k == e.var) => {
                    vars.retain(|(k, _)| *k != e.var);
                    set_aside.push(e);
                }
                Err(e) => return Err(e),
            }
        }
    }
}

/// Variables tcup reads whose values must be UTF-8 (a trailing `_` is a prefix).
const READ_AS_UTF8: &[&str] = &[
    "RUSTUP_",
    "RUST_RECURSION_COUNT",
    "TCUP_",
    "CARGO_HOME",
    "HOME",
    "USERPROFILE",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "ZDOTDIR",
    "SHELL",
    "http_proxy",
    "HTTP_PROXY",
    "https_proxy",
    "HTTPS_PROXY",
    "all_proxy",
    "ALL_PROXY",
    "no_proxy",
    "NO_PROXY",
];

/// `TCUP_UPDATE_ROOT` > `RUSTUP_UPDATE_ROOT` > [`DEFAULT_UPDATE_ROOT`], checked like the dist server.
fn update_root(get: &impl Fn(&str) -> Option<String>) -> Result<Url, EnvError> {
    let (var, value) = match (get("TCUP_UPDATE_ROOT"), get("RUSTUP_UPDATE_ROOT")) {
        (Some(v), _) => ("TCUP_UPDATE_ROOT", v),
        (None, Some(v)) => ("RUSTUP_UPDATE_ROOT", v),
        (None, None) => ("TCUP_UPDATE_ROOT", DEFAULT_UPDATE_ROOT.to_owned()),
    };
    parse_dist_server(&value).map_err(|e| EnvError { var: var.into(), ..e })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::sys::{HOME_VAR, test_abs as abs};

    /// `Env` from `pairs`, with the home variable (`HOME`, `USERPROFILE` on Windows) at
    /// `/home/u` (`C:\home\u`) unless `pairs` sets it.
    fn env(pairs: &[(&str, &str)]) -> Result<Env, EnvError> {
        let home = (!pairs.iter().any(|(k, _)| *k == HOME_VAR)).then(|| (HOME_VAR.to_owned(), abs("/home/u")));
        Env::from_vars(pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).chain(home), false)
    }

    /// Issue 11, defects 6 and 7: huge timeouts, certificate paths to nothing, no HOME.
    #[test]
    fn timeouts_certificates_and_home_are_checked() {
        for var in ["TCUP_STALL_TIMEOUT", "RUSTUP_DOWNLOAD_TIMEOUT", "TCUP_CONNECT_TIMEOUT"] {
            for v in ["1e19", "1e30", "1000001", "inf", "NaN", "0"] {
                let e = env(&[(var, v)]).unwrap_err();
                assert_eq!(e.var, var, "{v}");
                assert!(e.to_string().contains("at most 1000000"), "{e}");
            }
        }
        assert_eq!(env(&[("RUSTUP_DOWNLOAD_TIMEOUT", "1000000")]).unwrap().download.limits.hard, Duration::from_secs(1_000_000));
        let e = env(&[("SSL_CERT_FILE", "/nonexistent/ca.pem")]).unwrap_err();
        assert_eq!((e.var.as_ref(), e.value.as_str()), ("SSL_CERT_FILE", "/nonexistent/ca.pem"));
        assert_eq!(env(&[("SSL_CERT_DIR", "/nonexistent/certs")]).unwrap_err().var, "SSL_CERT_DIR");
        assert_eq!(env(&[("SSL_CERT_FILE", "/")]).unwrap_err().var, "SSL_CERT_FILE", "a directory is not a file");
        let dir = tempfile::tempdir().unwrap();
        let pem = dir.path().join("ca.pem");
        fs_err::write(&pem, "").unwrap();
        let e = env(&[("SSL_CERT_FILE", pem.to_str().unwrap()), ("SSL_CERT_DIR", dir.path().to_str().unwrap())]).unwrap();
        assert_eq!((e.download.ca_file, e.download.ca_dir), (Some(pem), Some(dir.path().to_owned())));
        let none = Env::from_vars(Vec::new(), false).unwrap_err();
        assert_eq!(none.var, HOME_VAR);
        assert!(none.to_string().contains("RUSTUP_HOME"), "{none}");
        assert_eq!(env(&[(HOME_VAR, "relative")]).unwrap_err().var, HOME_VAR);
        let both = [("RUSTUP_HOME", "/r"), ("CARGO_HOME", "/c")].map(|(k, v)| (k.to_owned(), abs(v)));
        assert_eq!(Env::from_vars(both, false).unwrap().rustup_home, PathBuf::from(abs("/r")), "HOME is not needed then");
    }

    #[test]
    fn defaults_follow_rustup() {
        let e = env(&[(HOME_VAR, &abs("/home/u"))]).unwrap();
        assert_eq!(e.rustup_home, PathBuf::from(abs("/home/u/.rustup")));
        assert_eq!(e.cargo_home, PathBuf::from(abs("/home/u/.cargo")));
        assert_eq!(e.dist_server.as_str(), "https://static.rust-lang.org/");
        assert_eq!(e.progress_when, ProgressWhen::Auto);
        assert_eq!(e.concurrent_downloads, None);
    }

    #[test]
    fn update_root_tcup_wins_over_rustup() {
        assert_eq!(env(&[]).unwrap().update_root.as_str(), "https://static.tcup.rs/");
        assert_eq!(env(&[("RUSTUP_UPDATE_ROOT", "http://127.0.0.1:9/r/")]).unwrap().update_root.as_str(), "http://127.0.0.1:9/r");
        let both = env(&[("RUSTUP_UPDATE_ROOT", "http://a/"), ("TCUP_UPDATE_ROOT", "https://b")]).unwrap();
        assert_eq!(both.update_root.as_str(), "https://b/");
        let bad = env(&[("RUSTUP_UPDATE_ROOT", "ftp://x")]).unwrap_err();
        assert_eq!(bad.var, "RUSTUP_UPDATE_ROOT");
    }

    #[test]
    fn bad_values_name_the_variable() {
        let err = env(&[("RUSTUP_CONCURRENT_DOWNLOADS", "0")]).unwrap_err();
        assert_eq!(err.var, "RUSTUP_CONCURRENT_DOWNLOADS");
        assert!(err.to_string().contains("RUSTUP_CONCURRENT_DOWNLOADS=\"0\""), "{err}");
        assert_eq!(env(&[("RUSTUP_DIST_SERVER", "ftp://x")]).unwrap_err().var, "RUSTUP_DIST_SERVER");
        assert_eq!(env(&[("RUSTUP_HOME", "relative/dir")]).unwrap_err().var, "RUSTUP_HOME");
        assert_eq!(env(&[("RUSTUP_TERM_PROGRESS_WHEN", "sometimes")]).unwrap_err().var, "RUSTUP_TERM_PROGRESS_WHEN");
        assert_eq!(env(&[("RUSTUP_TERM_COLOR", "yes")]).unwrap_err().var, "RUSTUP_TERM_COLOR");
        assert_eq!(env(&[("RUSTUP_TERM_WIDTH", "wide")]).unwrap_err().var, "RUSTUP_TERM_WIDTH");
        assert_eq!(env(&[("RUSTUP_TERM_WIDTH", "60")]).unwrap().term_width, Some(60));
        assert!(env(&[("NO_COLOR", "1")]).unwrap().no_color);
    }

    #[test]
    fn backend_order_follows_rustup_then_tcup() {
        assert_eq!(env(&[]).unwrap().download.backends.iter().map(|b| b.name()).collect::<Vec<_>>(), ["rustls", "curl", "native-tls"]);
        assert_eq!(
            env(&[("RUSTUP_USE_CURL", "1")]).unwrap().download.backends.iter().map(|b| b.name()).collect::<Vec<_>>(),
            ["curl", "rustls", "native-tls"]
        );
        assert_eq!(
            env(&[("RUSTUP_USE_RUSTLS", "0")]).unwrap().download.backends.iter().map(|b| b.name()).collect::<Vec<_>>(),
            ["native-tls", "rustls", "curl"]
        );
        assert_eq!(
            env(&[("RUSTUP_USE_RUSTLS", "1"), ("RUSTUP_USE_CURL", "0")])
                .unwrap()
                .download
                .backends
                .iter()
                .map(|b| b.name())
                .collect::<Vec<_>>(),
            ["rustls", "curl", "native-tls"]
        );
        let exact = env(&[("TCUP_BACKENDS", "curl,native-tls"), ("RUSTUP_USE_RUSTLS", "1")]).unwrap();
        assert_eq!(exact.download.backends, [BackendKind::Curl, BackendKind::NativeTls], "TCUP_BACKENDS wins over the RUSTUP_ variables");
        for bad in ["", "curl,wget", "curl,curl", ","] {
            let e = parse_backends(bad, "TCUP_BACKENDS").unwrap_err();
            assert!(e.to_string().contains("rustls, curl, native-tls"), "{e}");
        }
        assert_eq!(env(&[("RUSTUP_USE_CURL", "yes")]).unwrap_err().var, "RUSTUP_USE_CURL");
    }

    #[test]
    fn limits_and_proxies() {
        let e = env(&[
            ("TCUP_STALL_TIMEOUT", "2"),
            ("RUSTUP_DOWNLOAD_TIMEOUT", "0.5"),
            ("https_proxy", "proxy.local:3128"),
            ("NO_PROXY", "localhost"),
        ])
        .unwrap();
        assert_eq!(e.download.limits.stall, Duration::from_secs(2));
        assert_eq!(e.download.limits.hard, Duration::from_millis(500));
        assert_eq!(e.download.limits.connect, Duration::from_secs(30));
        assert_eq!(e.download.proxies.https.as_deref(), Some("http://proxy.local:3128"));
        assert_eq!(e.download.proxies.no_proxy.as_deref(), Some("localhost"));
        assert_eq!(env(&[("TCUP_STALL_TIMEOUT", "-1")]).unwrap_err().var, "TCUP_STALL_TIMEOUT");
        assert_eq!(env(&[("TCUP_CONNECT_TIMEOUT", "soon")]).unwrap_err().var, "TCUP_CONNECT_TIMEOUT");
        assert_eq!(env(&[("HTTP_PROXY", "ftp://x")]).unwrap_err().var, "HTTP_PROXY");
        assert_eq!(env(&[("RUSTUP_MAX_RETRIES", "many")]).unwrap_err().var, "RUSTUP_MAX_RETRIES");
    }

    #[test]
    fn a_proxy_sets_bad_download_variables_aside() {
        let vars = |pairs: &[(&str, &str)]| {
            pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).chain([(HOME_VAR.to_owned(), abs("/home/u"))]).collect::<Vec<_>>()
        };
        let (e, aside) =
            Env::for_proxy(vars(&[("RUSTUP_USE_CURL", "true"), ("HTTP_PROXY", "ftp://x"), ("RUSTUP_TOOLCHAIN", "stable")]), false).unwrap();
        assert_eq!(e.toolchain.as_deref(), Some("stable"));
        assert_eq!(aside.iter().map(|a| a.var.as_ref()).collect::<Vec<_>>(), ["RUSTUP_USE_CURL", "HTTP_PROXY"]);
        assert_eq!(Env::for_proxy(vars(&[("RUSTUP_AUTO_INSTALL", "no")]), false).unwrap_err().var, "RUSTUP_AUTO_INSTALL");
        assert_eq!(env(&[("RUSTUP_AUTO_INSTALL", "0")]).unwrap().auto_install, Some(false));
        assert_eq!(Env::for_proxy(vars(&[("TCUP_OFFLINE", "yes")]), false).unwrap_err().var, "TCUP_OFFLINE", "never online by mistake");
    }

    #[test]
    fn the_toolchain_store_is_a_list_of_absolute_paths() {
        assert!(env(&[]).unwrap().toolchain_store.is_empty());
        let sep = if cfg!(windows) { ';' } else { ':' }; // as PATH
        let two = env(&[("TCUP_TOOLCHAIN_STORE", &format!("{}{sep}{sep}{}", abs("/opt/rust/toolchains"), abs("/mnt/store")))]).unwrap();
        assert_eq!(two.toolchain_store, [PathBuf::from(abs("/opt/rust/toolchains")), PathBuf::from(abs("/mnt/store"))]);
        assert_eq!(env(&[("TCUP_TOOLCHAIN_STORE", &format!("{}{sep}rel", abs("/a")))]).unwrap_err().var, "TCUP_TOOLCHAIN_STORE");
    }

    #[test]
    fn offline_is_zero_or_one() {
        assert!(!env(&[]).unwrap().download.offline);
        assert!(env(&[("TCUP_OFFLINE", "1")]).unwrap().download.offline);
        assert!(!env(&[("TCUP_OFFLINE", "0")]).unwrap().download.offline);
        let e = env(&[("TCUP_OFFLINE", "true")]).unwrap_err();
        assert_eq!((e.var.as_ref(), e.expected), ("TCUP_OFFLINE", "0 or 1"));
    }

    #[test]
    fn dist_server_trailing_slash_is_dropped() {
        let e = env(&[("RUSTUP_DIST_SERVER", "http://127.0.0.1:8080/mirror/")]).unwrap();
        assert_eq!(e.dist_server.as_str(), "http://127.0.0.1:8080/mirror");
    }

    #[test]
    fn unpack_knobs_and_archive_format() {
        let e = env(&[]).unwrap();
        assert_eq!((e.io_threads, e.unpack_ram, e.archive_format), (None, None, ArchiveFormat::Auto));
        let e = env(&[("RUSTUP_IO_THREADS", "3"), ("RUSTUP_UNPACK_RAM", "2097152"), ("TCUP_ARCHIVE_FORMAT", "gz")]).unwrap();
        assert_eq!((e.io_threads, e.unpack_ram, e.archive_format), (Some(3), Some(2_097_152), ArchiveFormat::Gz));
        assert_eq!(env(&[("TCUP_ARCHIVE_FORMAT", "zst")]).unwrap().archive_format, ArchiveFormat::Zst);
        assert_eq!((e.signature_policy, e.trusted_keys.len()), (None, 0));
        let dir = tempfile::tempdir().unwrap();
        let keys = [dir.path().join("a.asc"), dir.path().join("b.asc")];
        for k in &keys {
            fs_err::write(k, "").unwrap();
        }
        let list = std::env::join_paths(&keys).unwrap().into_string().unwrap(); // `C:\…\a.asc;C:\…\b.asc` on Windows
        assert_eq!(env(&[("TCUP_TRUSTED_KEYS", &list)]).unwrap().trusted_keys, keys);
        assert_eq!(env(&[("TCUP_SIGNATURE_POLICY", "require")]).unwrap().signature_policy, Some(SignaturePolicy::Require));
        for (var, bad) in [
            ("RUSTUP_IO_THREADS", "0"),
            ("RUSTUP_UNPACK_RAM", "1000"),
            ("TCUP_ARCHIVE_FORMAT", "bz2"),
            ("TCUP_SIGNATURE_POLICY", "off"),
            ("TCUP_TRUSTED_KEYS", "/nonexistent/key.asc"),
            ("TCUP_UPDATE_KEYS", ":"),
        ] {
            let err = env(&[(var, bad)]).unwrap_err();
            assert_eq!(err.var, var);
            assert!(err.to_string().contains(&format!("{var}=\"{bad}\"")), "{err}");
        }
    }
}
