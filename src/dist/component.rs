//! A component as manifests and receipts name it: a package built for a target, where the target
//! is one triple or any ([`Target::Any`], the `*` key: `rust-src`, `rust-docs-json`). The `*` key
//! is read and written here and nowhere else.

use std::fmt;

/// The target key of a package built once for every target.
const ANY_KEY: &str = "*";

/// The target a component is built for: one triple, or any (`*` in manifests and receipts:
/// `rust-src`, `rust-docs-json`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    /// `*`: the same build for every target.
    Any,
    /// A target triple.
    Triple(String),
}

impl Target {
    /// From a manifest's or receipt's target key (`*` or a triple).
    pub fn from_key(key: &str) -> Target {
        if Target::is_any_key(key) { Target::Any } else { Target::Triple(key.to_owned()) }
    }

    /// Whether the manifest or receipt key `key` is the any-target `*`.
    pub fn is_any_key(key: &str) -> bool {
        key == ANY_KEY
    }

    /// The key as manifests and receipts write it: `*` or the triple.
    pub fn as_key(&self) -> &str {
        match self {
            Target::Any => ANY_KEY,
            Target::Triple(t) => t,
        }
    }

    /// Whether a build for this target serves `host`: it is built for `host`, or for any target.
    pub fn matches(&self, host: &str) -> bool {
        match self {
            Target::Any => true,
            Target::Triple(t) => t == host,
        }
    }

    /// rustup's name for package `pkg` built for this target: `<pkg>-<target>`, or `<pkg>` for any
    /// target (`rustc-x86_64-unknown-linux-gnu`, `rust-src`).
    pub fn name_with(&self, pkg: &str) -> String {
        match self {
            Target::Any => pkg.to_owned(),
            Target::Triple(t) => format!("{pkg}-{t}"),
        }
    }

    /// Whether `name` is rustup's name for package `pkg` built for this target
    /// ([`Target::name_with`]).
    pub fn names(&self, name: &str, pkg: &str) -> bool {
        match self {
            Target::Any => name == pkg,
            Target::Triple(t) => name.strip_prefix(pkg).and_then(|r| r.strip_prefix('-')) == Some(t.as_str()),
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_key())
    }
}

/// A component: a manifest package built for a target.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ComponentId {
    /// Package name as recorded (`rustc`, `rustfmt-preview`).
    pub pkg: String,
    /// What it is built for.
    pub target: Target,
}

impl ComponentId {
    /// A component of `pkg` for the target key `target` (`*` or a triple).
    pub fn new(pkg: &str, target: &str) -> ComponentId {
        ComponentId { pkg: pkg.to_owned(), target: Target::from_key(target) }
    }

    /// rustup's installed name: `<pkg>-<target>`, or `<pkg>` for any target.
    pub fn name(&self) -> String {
        self.target.name_with(&self.pkg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_any_target_is_the_star_key() {
        assert_eq!(Target::from_key("*"), Target::Any);
        assert_eq!(Target::Any.as_key(), "*");
        assert_eq!(Target::from_key("x86_64-unknown-linux-gnu"), Target::Triple("x86_64-unknown-linux-gnu".into()));
        assert_eq!(Target::Triple("aarch64-apple-darwin".into()).to_string(), "aarch64-apple-darwin");
    }

    #[test]
    fn matches_the_host_or_any() {
        let host = "x86_64-unknown-linux-gnu";
        assert!(Target::Any.matches(host));
        assert!(Target::from_key(host).matches(host));
        assert!(!Target::from_key("aarch64-unknown-linux-gnu").matches(host));
    }

    #[test]
    fn names_as_rustup_does() {
        let gnu = Target::from_key("x86_64-unknown-linux-gnu");
        assert_eq!(gnu.name_with("rustc"), "rustc-x86_64-unknown-linux-gnu");
        assert_eq!(Target::Any.name_with("rust-src"), "rust-src");
        assert_eq!(ComponentId::new("rust-src", "*").name(), "rust-src");
        assert!(gnu.names("rustc-x86_64-unknown-linux-gnu", "rustc"));
        assert!(!gnu.names("rustc-dev-x86_64-unknown-linux-gnu", "rustc"));
        assert!(!gnu.names("rustc", "rustc"));
        assert!(Target::Any.names("rust-src", "rust-src"));
        assert!(!Target::Any.names("rust-src-x86_64-unknown-linux-gnu", "rust-src"));
    }
}
