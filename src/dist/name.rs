//! Toolchain names, parsed as rustup parses them, and the channel manifest URL each one names.
//!
//! Grammar (rustup's "partial toolchain descriptor"):
//! `<channel>[-<YYYY-MM-DD>][-<host triple>]` where channel is `stable`, `beta`, `nightly`, or a
//! version `MAJOR.MINOR[.PATCH][-beta[.N]]`. The manifest lives at
//! `<dist>/dist/channel-rust-<channel>.toml`, or `<dist>/dist/<date>/channel-rust-<channel>.toml`
//! for a dated name.
//!
//! Every name a user gives for a toolchain — an argument, `+toolchain`, `RUSTUP_TOOLCHAIN`, a
//! setting, an override, a `rust-toolchain` file, a `toolchain link` name — is checked by
//! [`check`] before anything else looks at it, and a directory under `toolchains/` is named only
//! by a [`LocalName`], so no path is ever joined from a raw string (an empty name once deleted
//! every toolchain).

use std::fmt;
use std::str::FromStr;

use url::Url;

/// A toolchain name that [`check`] refuses or that does not follow the grammar. Exit code 2.
#[derive(Debug, thiserror::Error)]
pub struct NameError {
    /// The name as given.
    pub name: String,
    /// What is wrong with it.
    pub why: &'static str,
}

// A bad name is the user's to fix: exit 2.
crate::error::exit_code!(NameError, |_| crate::error::EXIT_USAGE);

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid toolchain name '{}': {}", self.name, self.why)?;
        if check(&self.name).is_ok() && !self.name.contains('/') {
            // It passed the checks every name passes, so the channel grammar refused it.
            f.write_str(
                " (expected <channel>[-<date>][-<host>], e.g. stable, 1.95.0, nightly-2026-05-20, stable-x86_64-unknown-linux-gnu)",
            )?;
        }
        Ok(())
    }
}

/// A release channel: one of the three that move, or a version that does not.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Channel {
    /// `stable`.
    Stable,
    /// `beta`.
    Beta,
    /// `nightly`.
    Nightly,
    /// A version, `MAJOR.MINOR[.PATCH][-beta[.N]]`: `1.95`, `1.95.0`, `1.96.0-beta.3`.
    Version(String),
}

impl Channel {
    /// The channel as written in names and manifest file names.
    pub fn as_str(&self) -> &str {
        match self {
            Channel::Stable => "stable",
            Channel::Beta => "beta",
            Channel::Nightly => "nightly",
            Channel::Version(v) => v,
        }
    }

    /// Whether it moves (`stable`, `beta`, `nightly`): a new release replaces what it names.
    pub fn moves(&self) -> bool {
        !matches!(self, Channel::Version(_))
    }

    fn named(s: &str) -> Option<Channel> {
        match s {
            "stable" => Some(Channel::Stable),
            "beta" => Some(Channel::Beta),
            "nightly" => Some(Channel::Nightly),
            _ => None,
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A parsed toolchain name, e.g. `nightly-2026-05-20-aarch64-unknown-linux-gnu`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolchainName {
    /// `stable`, `beta`, `nightly`, or a version such as `1.95.0` / `1.95` / `1.96.0-beta.3`.
    pub channel: Channel,
    /// Archive date `YYYY-MM-DD`, when the name pins one.
    pub date: Option<String>,
    /// Host triple, when the name carries one.
    pub host: Option<String>,
}

impl ToolchainName {
    /// The channel manifest URL on `dist_server` (no trailing slash needed), e.g.
    /// `https://static.rust-lang.org/dist/2026-05-20/channel-rust-nightly.toml`.
    pub fn manifest_url(&self, dist_server: &Url) -> Url {
        crate::dist::server::join(dist_server, &self.manifest_path())
    }

    /// The channel manifest's path on a dist server: `dist/channel-rust-<channel>.toml`, or
    /// `dist/<date>/channel-rust-<channel>.toml` for a dated name.
    pub fn manifest_path(&self) -> String {
        match &self.date {
            Some(date) => format!("dist/{date}/channel-rust-{}.toml", self.channel),
            None => format!("dist/channel-rust-{}.toml", self.channel),
        }
    }

    /// The directory name under `toolchains/` for this name installed for `host` (a triple as
    /// [`is_triple`] accepts): `<channel>[-<date>]-<host>`, rustup's spelling.
    pub fn dir_name(&self, host: &str) -> LocalName {
        debug_assert!(is_triple(host), "host {host:?} was validated where it came from");
        LocalName(match &self.date {
            Some(date) => format!("{}-{date}-{host}", self.channel),
            None => format!("{}-{host}", self.channel),
        })
    }

    /// Whether this is a bare channel (`stable`, `beta`, `nightly`: no date, no version), the
    /// toolchains `tcup update` with no name moves forward.
    pub fn is_moving_channel(&self) -> bool {
        self.channel.moves() && self.date.is_none()
    }
}

/// The name of one toolchain directory under `RUSTUP_HOME/toolchains/`: an official toolchain's
/// full name (`stable-x86_64-unknown-linux-gnu`) or a linked (custom) name (`stage1`). Always
/// passes [`check`] and holds no `/`, so joining it to `toolchains/` names one entry inside it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalName(String);

impl LocalName {
    /// A directory name as given by the user or read from `toolchains/`.
    ///
    /// # Errors
    /// [`NameError`] when [`check`] refuses it or it contains `/`.
    pub fn parse(name: &str) -> Result<LocalName, NameError> {
        check(name)?;
        if name.contains('/') {
            return Err(NameError { name: name.to_owned(), why: "a toolchain name cannot contain '/'" });
        }
        Ok(LocalName(name.to_owned()))
    }

    /// The name as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The official toolchain this names (`None` for a custom name).
    pub fn channel_name(&self) -> Option<ToolchainName> {
        self.0.parse().ok()
    }
}

impl fmt::Display for LocalName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<std::path::Path> for LocalName {
    fn as_ref(&self) -> &std::path::Path {
        std::path::Path::new(&self.0)
    }
}

/// The checks every toolchain name a user gives passes before it is used, whatever its source:
/// not empty, no white space or control characters, not `.` or `..`, no leading `-` (it would
/// read as an option). A `/` is left to the caller: it makes the name a path, which is allowed
/// where a path toolchain is (`RUSTUP_TOOLCHAIN=/opt/rust`); there only control characters and
/// `.`/`..` components are refused.
///
/// # Errors
/// [`NameError`] naming the value and what is wrong with it.
pub fn check(name: &str) -> Result<(), NameError> {
    let err = |why| Err(NameError { name: name.to_owned(), why });
    if name.is_empty() {
        return err("the name is empty");
    }
    if name.chars().any(char::is_control) {
        return err("it contains a control character");
    }
    if name.starts_with('/') {
        if name.split('/').any(|part| part == "." || part == "..") {
            return err("a toolchain path cannot contain '.' or '..'");
        }
        return Ok(());
    }
    if name.chars().any(char::is_whitespace) {
        return err("it contains white space");
    }
    if name.starts_with('-') {
        return err("it starts with '-'");
    }
    if name.split('/').any(|part| part == "." || part == "..") {
        return err("'.' and '..' are not toolchain names");
    }
    Ok(())
}

/// [`check`] as a clap value parser, so a bad name on the command line is refused before any
/// command runs, in clap's words: `invalid value '' for '<TOOLCHAIN>': …`.
///
/// # Errors
/// As [`check`].
pub fn parse_arg(name: &str) -> Result<String, NameError> {
    check(name).map(|()| name.to_owned())
}

impl fmt::Display for ToolchainName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.channel.as_str())?;
        if let Some(d) = &self.date {
            write!(f, "-{d}")?;
        }
        if let Some(h) = &self.host {
            write!(f, "-{h}")?;
        }
        Ok(())
    }
}

impl FromStr for ToolchainName {
    type Err = NameError;

    fn from_str(name: &str) -> Result<Self, NameError> {
        let err = |why| NameError { name: name.to_owned(), why };
        let (channel, rest) =
            split_channel(name).ok_or_else(|| err("it does not start with stable, beta, nightly or a version like 1.95.0"))?;
        let rest = match rest {
            "" => None,
            r => Some(r.strip_prefix('-').ok_or_else(|| err("the channel must be followed by '-'"))?),
        };
        let (date, host) = match rest {
            None => (None, None),
            Some(r) if is_date(r.get(..10).unwrap_or("")) && (r.len() == 10 || r.as_bytes()[10] == b'-') => {
                (Some(r[..10].to_owned()), r.get(11..))
            }
            Some(r) => (None, Some(r)),
        };
        if let Some(h) = host
            && !is_triple(h)
        {
            return Err(err("the host part is not a target triple like x86_64-unknown-linux-gnu"));
        }
        let channel = Channel::named(channel).unwrap_or_else(|| Channel::Version(channel.to_owned()));
        Ok(ToolchainName { channel, date, host: host.map(str::to_owned) })
    }
}

/// Splits off the channel: a named channel or a version `N.N[.N][-beta[.N]]`.
fn split_channel(s: &str) -> Option<(&str, &str)> {
    for named in ["stable", "beta", "nightly"] {
        if let Some(rest) = s.strip_prefix(named)
            && (rest.is_empty() || rest.starts_with('-'))
        {
            return Some((named, rest));
        }
    }
    let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
    let mut end = 0;
    for part in 0..3 {
        let n = digits(&s[end..]);
        if n == 0 {
            return None;
        }
        end += n;
        let more = part < 2 && s[end..].starts_with('.') && digits(&s[end + 1..]) > 0;
        if !more {
            if part == 0 {
                return None;
            }
            break;
        }
        end += 1;
    }
    if s[end..].starts_with("-beta") {
        end += "-beta".len();
        if s[end..].starts_with('.') && digits(&s[end + 1..]) > 0 {
            end += 1 + digits(&s[end + 1..]);
        }
    }
    let rest = &s[end..];
    (rest.is_empty() || rest.starts_with('-')).then(|| (&s[..end], rest))
}

/// Whether `s` is a release date `YYYY-MM-DD` (digits only; what dated names, dist paths and
/// manifests' `date` hold).
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10 && b[4] == b'-' && b[7] == b'-' && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// A target triple: 2 to 4 non-empty parts of `[a-z0-9_.]`, separated by '-'.
pub fn is_triple(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    (2..=4).contains(&parts.len())
        && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_' || c == b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> (String, Option<String>, Option<String>) {
        let n: ToolchainName = s.parse().unwrap();
        assert_eq!(n.to_string(), s, "round trip");
        (n.channel.to_string(), n.date, n.host)
    }

    #[allow(clippy::unnecessary_wraps)]
    fn own(s: &str) -> Option<String> {
        Some(s.to_owned())
    }

    #[test]
    fn rustup_names_parse() {
        assert_eq!(parse("stable"), ("stable".into(), None, None));
        assert_eq!(parse("beta"), ("beta".into(), None, None));
        assert_eq!(parse("1.95"), ("1.95".into(), None, None));
        assert_eq!(parse("1.95.0"), ("1.95.0".into(), None, None));
        assert_eq!(parse("1.96.0-beta.3"), ("1.96.0-beta.3".into(), None, None));
        assert_eq!(parse("nightly-2026-05-20"), ("nightly".into(), own("2026-05-20"), None));
        assert_eq!(parse("stable-x86_64-unknown-linux-gnu"), ("stable".into(), None, own("x86_64-unknown-linux-gnu")));
        assert_eq!(parse("1.95.0-aarch64-unknown-linux-musl"), ("1.95.0".into(), None, own("aarch64-unknown-linux-musl")));
        assert_eq!(
            parse("nightly-2026-05-20-arm-unknown-linux-gnueabihf"),
            ("nightly".into(), own("2026-05-20"), own("arm-unknown-linux-gnueabihf"))
        );
    }

    #[test]
    fn channels_know_whether_they_move() {
        let channel = |s: &str| s.parse::<ToolchainName>().unwrap().channel;
        assert_eq!(channel("stable-x86_64-unknown-linux-gnu"), Channel::Stable);
        assert_eq!(channel("nightly-2026-05-20"), Channel::Nightly);
        assert_eq!(channel("1.96.0-beta.3"), Channel::Version("1.96.0-beta.3".into()));
        assert!(channel("beta").moves() && !channel("1.95").moves());
        assert!(!"nightly-2026-05-20".parse::<ToolchainName>().unwrap().is_moving_channel(), "a dated nightly stays");
    }

    #[test]
    fn bad_names_are_errors() {
        for bad in
            ["", "stabel", "1", "1.x", "stable-", "stable_x86", "nightly-2026-05-20-", "stable-X86_64-Unknown", "1.95.0.1", "-stable"]
        {
            let err = bad.parse::<ToolchainName>().unwrap_err();
            assert!(err.to_string().contains(&format!("'{bad}'")), "{err}");
        }
    }

    #[test]
    fn manifest_urls() {
        let dist = Url::parse("https://static.rust-lang.org").unwrap();
        let url = |s: &str| s.parse::<ToolchainName>().unwrap().manifest_url(&dist).to_string();
        assert_eq!(url("stable"), "https://static.rust-lang.org/dist/channel-rust-stable.toml");
        assert_eq!(url("1.95.0-x86_64-unknown-linux-gnu"), "https://static.rust-lang.org/dist/channel-rust-1.95.0.toml");
        assert_eq!(url("nightly-2026-05-20"), "https://static.rust-lang.org/dist/2026-05-20/channel-rust-nightly.toml");
        let mirror = Url::parse("http://127.0.0.1:9/m").unwrap();
        assert_eq!(url_on(&mirror, "beta"), "http://127.0.0.1:9/m/dist/channel-rust-beta.toml");
    }

    fn url_on(dist: &Url, s: &str) -> String {
        s.parse::<ToolchainName>().unwrap().manifest_url(dist).to_string()
    }

    #[test]
    fn dir_names_follow_rustup() {
        let n: ToolchainName = "nightly-2026-05-20".parse().unwrap();
        assert_eq!(n.dir_name("x86_64-unknown-linux-gnu").as_str(), "nightly-2026-05-20-x86_64-unknown-linux-gnu");
        let n: ToolchainName = "stable".parse().unwrap();
        assert_eq!(n.dir_name("i686-unknown-linux-gnu").as_str(), "stable-i686-unknown-linux-gnu");
    }
}
