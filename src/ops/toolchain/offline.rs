//! Installing with no network (`--offline`, `TCUP_OFFLINE=1`; docs/offline.md): the decisions an
//! install makes differently when the downloader refuses every URL but `file://`
//! ([`crate::download::DownloadError::Offline`]).
//!
//! - **The manifest** comes from what `tcup fetch` stored for the name
//!   (`downloads/manifests/<its path on the dist server>`, [`crate::home::downloads`]), read as a
//!   `file://` dist server through the same checks as any manifest: its `.sha256` (or the lock's
//!   SHA-256), its signature, its binding to the name. Without a stored one, a `file://` dist
//!   server is read instead; else the install stops before anything is read ([`NotFetched`]).
//! - **The archives** come from `downloads/` (re-hashed as they unpack, as always), from an
//!   identical component of an installed toolchain (fetch-7), or from a `file://` dist server.
//!   Each component takes a format `downloads/` holds ([`prefer_downloaded`]). With an http(s) dist
//!   server, a component found nowhere stops the install before staging anything, naming every
//!   such archive and the `tcup fetch` command that would fetch it ([`Missing`];
//!   [`crate::ops::toolchain::install::fetch_command`]).
//!
//! Online, every function here leaves the install as it was.

use url::Url;

use crate::dist::select::{Selected, Selection};
use crate::env::Env;
use crate::home::{Downloads, Home};

/// Offline, no manifest was stored for the name and the dist server is not `file://`. Exit 1.
#[derive(Debug, thiserror::Error)]
#[error(
    "offline: no channel manifest for '{name}' was stored by `tcup fetch` (no {path}); run `{command}` while online, or use a file:// dist server"
)]
pub struct NotFetched {
    /// The toolchain name asked for.
    pub name: String,
    /// The stored manifest's path that does not exist.
    pub path: String,
    /// The `tcup fetch` command that stores it.
    pub command: String,
}

crate::error::exit_code!(NotFetched, |_| crate::error::EXIT_FAILURE);

/// Offline, archives that are neither in `downloads/` nor shared from an installed toolchain,
/// with an http(s) dist server. Exit 1; nothing was installed.
#[derive(Debug, thiserror::Error)]
#[error(
    "offline: {} not in {dir}: {}; `{command}` fetches {} (run it online)",
    if archives.len() == 1 { "1 archive is".to_owned() } else { format!("{} archives are", archives.len()) },
    archives.join(", "),
    if archives.len() == 1 { "it" } else { "them" }
)]
pub struct Missing {
    /// `downloads/`.
    pub dir: String,
    /// Each missing archive: `<component> (<file name>, sha256 <hash>)`.
    pub archives: Vec<String>,
    /// The `tcup fetch` command that fetches them.
    pub command: String,
}

crate::error::exit_code!(Missing, |_| crate::error::EXIT_FAILURE);

/// The URL to read the channel manifest at `rel` (its path on the dist server, `dist/…`) from
/// for the toolchain `name`: online, on the dist server; offline, `tcup fetch`'s stored copy when there is one,
/// else a `file://` dist server's.
///
/// # Errors
/// [`NotFetched`] (with `command`, the `tcup fetch` that stores it): offline, nothing stored, and
/// the dist server is not `file://`.
pub fn manifest_url(env: &Env, rel: &str, name: &str, command: impl FnOnce() -> String) -> Result<Url, NotFetched> {
    if !env.download.offline {
        return Ok(crate::dist::server::join(&env.dist_server, rel));
    }
    let store = Home::new(&env.rustup_home).downloads().manifests();
    let stored = store.join(rel);
    if stored.is_file() {
        let base = Url::from_directory_path(&store).expect("RUSTUP_HOME is absolute");
        return Ok(crate::dist::server::join(&base, rel));
    }
    if env.dist_server.scheme() == "file" {
        return Ok(crate::dist::server::join(&env.dist_server, rel));
    }
    Err(NotFetched { name: name.to_owned(), path: stored.display().to_string(), command: command() })
}

/// Offline, each component's archive becomes one of its formats that `downloads` holds, when
/// its chosen one is not there (the format `tcup fetch` chose on a faster or slower link).
pub fn prefer_downloaded(env: &Env, selection: &mut Selection, downloads: &Downloads) {
    if !env.download.offline {
        return;
    }
    for c in &mut selection.components {
        if downloads.archive(&c.archive.hash).verified.is_file() {
            continue;
        }
        let Some(i) = c.archive.other_formats.iter().position(|a| downloads.archive(&a.hash).verified.is_file()) else { continue };
        let mut chosen = c.archive.other_formats.remove(i);
        let mut rest = std::mem::take(&mut c.archive.other_formats);
        rest.insert(0, crate::dist::manifest::Archive { other_formats: Vec::new(), ..c.archive.clone() });
        chosen.other_formats = rest;
        c.archive = chosen;
    }
}

/// Offline with an http(s) dist server: every component of `to_fetch` (what is left after
/// sharing) must have its archive in `downloads`.
///
/// # Errors
/// [`Missing`], naming each absent archive and `command`, the `tcup fetch` that fetches them.
pub fn check_present(env: &Env, to_fetch: &[Selected], downloads: &Downloads, command: impl FnOnce() -> String) -> Result<(), Missing> {
    if !env.download.offline || env.dist_server.scheme() == "file" {
        return Ok(());
    }
    let archives: Vec<String> = to_fetch
        .iter()
        .filter(|c| !downloads.archive(&c.archive.hash).verified.is_file())
        .map(|c| {
            let file = c.archive.url.rsplit('/').next().unwrap_or(&c.archive.url);
            format!("{} ({file}, sha256 {})", c.name(), c.archive.hash)
        })
        .collect();
    if archives.is_empty() {
        return Ok(());
    }
    Err(Missing { dir: downloads.dir().display().to_string(), archives, command: command() })
}

/// The `tcup fetch` command that fetches `missing` for the installed toolchain `toolchain`
/// (`<channel>-<host>`, a change of it: `update`, `component add`): `--profile minimal` and each
/// component, a standard library for another target as `-t`.
pub fn fetch_command_for(toolchain: &str, missing: &[Selected]) -> String {
    let host = toolchain.parse::<crate::dist::name::ToolchainName>().ok().and_then(|n| n.host).unwrap_or_default();
    let mut cmd = format!("tcup fetch {toolchain} --profile minimal");
    for c in missing {
        let arg = match (c.pkg.as_str(), c.target.as_str()) {
            (pkg, t) if t == host || t == "*" => format!(" -c {pkg}"),
            ("rust-std", t) => format!(" -t {t}"),
            (pkg, t) => format!(" -c {pkg}-{t}"),
        };
        cmd += &arg;
    }
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::manifest::{Archive, Compression};

    #[test]
    fn a_downloaded_format_is_preferred_offline_and_missing_ones_are_each_named() {
        let tmp = tempfile::tempdir().unwrap();
        let vars =
            [(crate::sys::HOME_VAR, tmp.path().to_str().unwrap()), ("TCUP_OFFLINE", "1"), ("RUSTUP_DIST_SERVER", "http://127.0.0.1:9")];
        let env = Env::from_vars(vars.map(|(k, v)| (k.to_owned(), v.to_owned())), false).unwrap();
        let downloads = Home::new(&env.rustup_home).downloads();
        downloads.create().unwrap();
        let archive = |c: Compression, h: &str| Archive {
            url: format!("https://x/dist/a.tar.{}", c.extension()),
            hash: h.repeat(64),
            compression: c,
            other_formats: Vec::new(),
        };
        let xz = archive(Compression::Xz, "a");
        let gz = archive(Compression::Gz, "b");
        fs_err::write(downloads.archive(&gz.hash).verified, b"").unwrap();
        let comp = |a: &Archive, others: Vec<Archive>| Selected {
            pkg: "rustc".into(),
            target: "x86_64-unknown-linux-gnu".into(),
            is_extension: false,
            archive: Archive { other_formats: others, ..a.clone() },
        };
        let mut sel = Selection { components: vec![comp(&xz, vec![gz.clone()])], warnings: Vec::new() };
        prefer_downloaded(&env, &mut sel, &downloads);
        assert_eq!(sel.components[0].archive.hash, gz.hash);
        assert_eq!(sel.components[0].archive.other_formats.iter().map(|a| &a.hash).collect::<Vec<_>>(), [&xz.hash]);
        check_present(&env, &sel.components, &downloads, || unreachable!()).unwrap();
        let lacking = vec![comp(&xz, Vec::new()), Selected { pkg: "cargo".into(), ..comp(&archive(Compression::Xz, "c"), Vec::new()) }];
        let err = check_present(&env, &lacking, &downloads, || "tcup fetch stable --profile minimal".into()).unwrap_err().to_string();
        assert!(err.starts_with("offline: 2 archives are not in "), "{err}");
        assert!(err.contains(&format!("rustc-x86_64-unknown-linux-gnu (a.tar.xz, sha256 {})", "a".repeat(64))), "{err}");
        assert!(err.contains("cargo-x86_64-unknown-linux-gnu (a.tar.xz, sha256 "), "{err}");
        assert!(err.ends_with("; `tcup fetch stable --profile minimal` fetches them (run it online)"), "{err}");
        let std_for = |t: &str| Selected { pkg: "rust-std".into(), target: t.into(), ..comp(&xz, Vec::new()) };
        let src = Selected { pkg: "rust-src".into(), target: "*".into(), ..comp(&xz, Vec::new()) };
        assert_eq!(
            fetch_command_for("stable-x86_64-unknown-linux-gnu", &[comp(&xz, Vec::new()), std_for("wasm32-unknown-unknown"), src]),
            "tcup fetch stable-x86_64-unknown-linux-gnu --profile minimal -c rustc -t wasm32-unknown-unknown -c rust-src"
        );
    }
}
