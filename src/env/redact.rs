//! Credentials never reach output. A dist server, update root or proxy URL may carry user info
//! (`http://user:secret@mirror/`, `socks5://user:secret@proxy:1080`), and tcup prints URLs in
//! errors, warnings, JSON events and documents, and `tcup doctor`. This is the one redaction:
//! the user info of a URL becomes `***` (`http://***@mirror/`), in a [`Url`] ([`url`]), in any
//! text ([`text`]: every `scheme://user@host` in it), or in an environment value ([`value`]:
//! also `user:secret@proxy:3128` without a scheme, which the proxy variables accept). It lives in
//! `env/`, the lowest layer, so every layer that prints can use it; the reporter (`progress`),
//! the documents (`cli/output.rs`) and [`super::EnvError`] apply it to everything they print
//! (issue 28.8).

use std::borrow::Cow;

use url::Url;

/// What replaces the user info (name and password alike).
pub const MASK: &str = "***";

/// `u` as text with its user info replaced by [`MASK`] (unchanged without user info).
pub fn url(u: &Url) -> String {
    if u.username().is_empty() && u.password().is_none() {
        return u.to_string();
    }
    text(u.as_str()).into_owned()
}

/// `s` with the user info of every `scheme://user[:password]@host` in it replaced by [`MASK`].
/// The authority ends at `/`, `?`, `#`, white space, a quote or a closing bracket, so a URL inside
/// a sentence, a JSON string or `(…)` is found; text without `://` is returned as it is.
pub fn text(s: &str) -> Cow<'_, str> {
    if !s.contains("://") {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let end = tail.find(|c: char| matches!(c, '/' | '?' | '#' | '"' | '\'' | '`' | ')' | ']' | '>' | ',') || c.is_whitespace());
        let authority = &tail[..end.unwrap_or(tail.len())];
        match authority.rfind('@') {
            Some(at) => {
                out.push_str(MASK);
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &tail[authority.len()..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// An environment variable's value as printed: [`text`], and a value without a scheme whose
/// first part is `user info@` (a proxy variable's `user:secret@proxy:3128`) masked as well.
pub fn value(v: &str) -> Cow<'_, str> {
    if v.contains("://") {
        return text(v);
    }
    let authority = &v[..v.find('/').unwrap_or(v.len())];
    match authority.rfind('@') {
        Some(at) => Cow::Owned(format!("{MASK}{}", &v[at..])),
        None => Cow::Borrowed(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_info_becomes_the_mask() {
        let u = Url::parse("http://user:secret@127.0.0.1:8080/dist").unwrap();
        assert_eq!(url(&u), "http://***@127.0.0.1:8080/dist");
        assert_eq!(url(&Url::parse("https://static.rust-lang.org").unwrap()), "https://static.rust-lang.org/");
        assert_eq!(url(&Url::parse("http://token@mirror/x").unwrap()), "http://***@mirror/x");
    }

    #[test]
    fn every_url_in_a_text() {
        let t = "could not download http://u:secret@a:1/dist/x.toml (via socks5://p:secret@proxy:1080): \"https://k:secret@b\", ok";
        assert_eq!(text(t), "could not download http://***@a:1/dist/x.toml (via socks5://***@proxy:1080): \"https://***@b\", ok");
        assert!(matches!(text("no urls, mail rust-key@rust-lang.org"), Cow::Borrowed(_)));
        assert_eq!(text("https://static.rust-lang.org/dist/a@b.tar.xz"), "https://static.rust-lang.org/dist/a@b.tar.xz");
        assert_eq!(text("http://a:b@c@host/"), "http://***@host/", "the last @ ends the user info");
        assert_eq!(text("ends with http://u:secret@host"), "ends with http://***@host");
    }

    #[test]
    fn environment_values() {
        assert_eq!(value("socks5://user:secret@proxy:1080"), "socks5://***@proxy:1080");
        assert_eq!(value("user:secret@proxy:3128"), "***@proxy:3128");
        assert_eq!(value("proxy.local:3128"), "proxy.local:3128");
        assert_eq!(value("12x"), "12x");
    }
}
