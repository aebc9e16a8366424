//! Builds synthetic dist servers on disk: a v2 channel manifest and rust-installer v3 tarballs,
//! written entry by entry so tests can also make malicious archives (absolute paths, `..`,
//! escaping links, FIFOs) that well-behaved tar writers refuse to produce.

use std::io::Write;
use std::path::Path;

use sha2::{Digest, Sha256};

/// Upstream prefix the manifest's URLs use (tcup rewrites it onto the test server).
const UPSTREAM: &str = "https://static.rust-lang.org";
/// Version of the synthetic release.
pub const VERSION: &str = "1.95.0";
/// Date of the synthetic release.
pub const DATE: &str = "2026-04-16";

/// One tar entry.
#[derive(Clone, Debug)]
pub enum Entry {
    /// Regular file with data and mode.
    File(String, Vec<u8>, u32),
    /// Directory.
    Dir(String),
    /// Symbolic link (path, target).
    Symlink(String, String),
    /// Hard link (path, target path in the archive).
    HardLink(String, String),
    /// A FIFO node.
    Fifo(String),
}

impl Entry {
    /// The same entry with its path and link target passed through `fill` (tests write
    /// templates such as `{top}/{comp}/x`).
    pub fn map_paths(&self, fill: impl Fn(&str) -> String) -> Entry {
        match self {
            Entry::File(p, d, m) => Entry::File(fill(p), d.clone(), *m),
            Entry::Dir(p) => Entry::Dir(fill(p)),
            Entry::Symlink(p, t) => Entry::Symlink(fill(p), fill(t)),
            Entry::HardLink(p, t) => Entry::HardLink(fill(p), fill(t)),
            Entry::Fifo(p) => Entry::Fifo(fill(p)),
        }
    }
}

/// Extra compressed formats a component is offered in, besides `.tar.gz`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extra {
    /// Only `.tar.gz`.
    None,
    /// Also `.tar.xz` (preferred by tcup).
    Xz,
    /// Also `.tar.xz` with a 24 MiB dictionary: large, like the dist server's (128 MiB), so its
    /// decoder needs a slot of the xz budget.
    XzLarge,
    /// Also `.tar.zst`.
    Zst,
}

/// One package for one target.
#[derive(Clone, Debug)]
pub struct Comp {
    /// Package name.
    pub pkg: String,
    /// Target triple or `*`.
    pub target: String,
    /// Installed files: (path relative to the toolchain root, contents, mode).
    pub files: Vec<(String, Vec<u8>, u32)>,
    /// Directories installed as a whole (`dir:` lines): path → files inside it.
    pub dirs: Vec<(String, Vec<(String, Vec<u8>)>)>,
    /// Extra format.
    pub extra: Extra,
    /// Raw entries appended to the archive after the normal ones (for malicious cases).
    pub evil: Vec<Entry>,
    /// Whether the build is available.
    pub available: bool,
}

impl Comp {
    /// A package with no files yet.
    pub fn new(pkg: &str, target: &str) -> Comp {
        Comp {
            pkg: pkg.into(),
            target: target.into(),
            files: Vec::new(),
            dirs: Vec::new(),
            extra: Extra::None,
            evil: Vec::new(),
            available: true,
        }
    }

    /// The installed component name (`rustc-<host>` or `rust-src`).
    pub fn name(&self) -> String {
        if self.target == "*" { self.pkg.clone() } else { format!("{}-{}", self.pkg, self.target) }
    }

    /// The archive's base name without extension.
    pub fn base(&self) -> String {
        let short = self.pkg.trim_end_matches("-preview");
        if self.target == "*" { format!("{short}-{VERSION}") } else { format!("{short}-{VERSION}-{}", self.target) }
    }

    /// The archive's path on the server without extension.
    pub fn rel(&self) -> String {
        format!("dist/{DATE}/{}", self.base())
    }
}

/// A synthetic release for one host.
#[derive(Clone, Debug)]
pub struct Dist {
    /// Host triple.
    pub host: String,
    /// Channel name.
    pub channel: String,
    /// Packages.
    pub comps: Vec<Comp>,
}

/// The shell script that stands in for a tool: prints `<tool> 1.95.0 (synthetic)`.
pub fn script(tool: &str) -> Vec<u8> {
    format!("#!/bin/sh\necho \"{tool} {VERSION} (synthetic)\"\n").into_bytes()
}

impl Dist {
    /// rustc, cargo, rust-std (host and aarch64), rust-docs, rustfmt, clippy, rust-src; rustc offered as xz.
    pub fn standard(host: &str) -> Dist {
        let mut rustc = Comp::new("rustc", host);
        rustc.files = vec![
            ("bin/rustc".into(), script("rustc"), 0o755),
            ("bin/rustdoc".into(), script("rustdoc"), 0o755),
            ("lib/librustc_driver.so".into(), noise(300_000), 0o644),
        ];
        rustc.extra = Extra::Xz;
        let mut cargo = Comp::new("cargo", host);
        cargo.files = vec![("bin/cargo".into(), script("cargo"), 0o755)];
        cargo.extra = Extra::Zst;
        let mut std = Comp::new("rust-std", host);
        std.files = vec![(format!("lib/rustlib/{host}/lib/libstd.rlib"), b"std".to_vec(), 0o644)];
        // One extra standard library, for a target other than the host.
        let other = if host == "aarch64-unknown-linux-gnu" { "x86_64-unknown-linux-musl" } else { "aarch64-unknown-linux-gnu" };
        let mut std_arm = Comp::new("rust-std", other);
        std_arm.files = vec![(format!("lib/rustlib/{other}/lib/libstd.rlib"), b"std other".to_vec(), 0o644)];
        let mut docs = Comp::new("rust-docs", host);
        docs.dirs = vec![(
            "share/doc/rust/html".into(),
            vec![("index.html".into(), b"<html>docs</html>".to_vec()), ("std/index.html".into(), b"<html>std</html>".to_vec())],
        )];
        let mut fmt = Comp::new("rustfmt-preview", host);
        fmt.files = vec![("bin/rustfmt".into(), script("rustfmt"), 0o755)];
        let mut clippy = Comp::new("clippy-preview", host);
        clippy.files = vec![("bin/cargo-clippy".into(), script("clippy"), 0o755)];
        let mut src = Comp::new("rust-src", "*");
        src.files = vec![("lib/rustlib/src/rust/library/core/src/lib.rs".into(), b"// core".to_vec(), 0o644)];
        Dist { host: host.into(), channel: "stable".into(), comps: vec![rustc, cargo, std, std_arm, docs, fmt, clippy, src] }
    }

    /// The release's version as its manifest says it, bound to the channel the way real
    /// manifests are (docs/design.md trust-4): `1.95.0`, `1.95.0-beta.1`, `1.95.0-nightly`.
    pub fn version(&self) -> String {
        match self.channel.as_str() {
            "beta" => format!("{VERSION}-beta.1"),
            "nightly" => format!("{VERSION}-nightly"),
            _ => VERSION.to_owned(),
        }
    }

    /// The component `pkg` for the host (or `*`).
    pub fn comp(&self, pkg: &str) -> &Comp {
        self.comps.iter().find(|c| c.pkg == pkg && (c.target == self.host || c.target == "*")).unwrap()
    }

    /// The component `pkg` for the host (or `*`), to change.
    pub fn comp_mut(&mut self, pkg: &str) -> &mut Comp {
        let host = self.host.clone();
        self.comps.iter_mut().find(|c| c.pkg == pkg && (c.target == host || c.target == "*")).unwrap()
    }

    /// Writes the server tree below `root`; returns the manifest text.
    pub fn write(&self, root: &Path) -> String {
        let mut m = format!("manifest-version = \"2\"\ndate = \"{DATE}\"\n");
        let mut by_pkg: Vec<&str> = Vec::new();
        for c in &self.comps {
            if !by_pkg.contains(&c.pkg.as_str()) {
                by_pkg.push(&c.pkg);
            }
        }
        for pkg in by_pkg {
            m.push_str(&format!("\n[pkg.{pkg}]\nversion = \"{} (synthetic {DATE})\"\n", self.version()));
            for c in self.comps.iter().filter(|c| c.pkg == pkg) {
                m.push_str(&format!("\n[pkg.{pkg}.target.\"{}\"]\navailable = {}\n", c.target, c.available));
                if !c.available {
                    continue;
                }
                let tar = tarball(c);
                let gz = compress(&tar, Extra::None);
                let rel = c.rel();
                write_file(&root.join(format!("{rel}.tar.gz")), &gz);
                m.push_str(&format!("url = \"{UPSTREAM}/{rel}.tar.gz\"\nhash = \"{}\"\n", sha(&gz)));
                let (key, ext) = match c.extra {
                    Extra::None => continue,
                    Extra::Xz | Extra::XzLarge => ("xz", "xz"),
                    Extra::Zst => ("zst", "zst"),
                };
                let data = compress(&tar, c.extra);
                write_file(&root.join(format!("{rel}.tar.{ext}")), &data);
                m.push_str(&format!("{key}_url = \"{UPSTREAM}/{rel}.tar.{ext}\"\n{key}_hash = \"{}\"\n", sha(&data)));
            }
        }
        // The combined `rust` package lists what exists for the host.
        m.push_str(&format!(
            "\n[pkg.rust]\nversion = \"{} (synthetic {DATE})\"\n\n[pkg.rust.target.\"{}\"]\navailable = true\n",
            self.version(),
            self.host
        ));
        for c in &self.comps {
            let ext = !matches!(c.pkg.as_str(), "rustc" | "cargo" | "rust-std" | "rust-docs") || c.target != self.host;
            let kind = if ext { "extensions" } else { "components" };
            m.push_str(&format!(
                "\n[[pkg.rust.target.\"{}\".{kind}]]\npkg = \"{}\"\ntarget = \"{}\"\nis_extension = {ext}\n",
                self.host, c.pkg, c.target
            ));
        }
        m.push_str("\n[renames.rustfmt]\nto = \"rustfmt-preview\"\n\n[renames.clippy]\nto = \"clippy-preview\"\n");
        m.push_str("\n[profiles]\nminimal = [\"rustc\", \"cargo\", \"rust-std\", \"rust-mingw\"]\n");
        m.push_str(
            "default = [\"rustc\", \"cargo\", \"rust-std\", \"rust-mingw\", \"rust-docs\", \"rustfmt-preview\", \"clippy-preview\"]\n",
        );
        m.push_str(
            "complete = [\"rustc\", \"cargo\", \"rust-std\", \"rust-docs\", \"rustfmt-preview\", \"clippy-preview\", \"rust-src\"]\n",
        );
        self.write_manifest(root, &m);
        m
    }

    /// Writes `text` as this channel's manifest with a matching `.sha256`, and again under the
    /// date it carries (`dist/<date>/channel-rust-<channel>.toml`), as the dist server keeps every
    /// release's manifest at its dated path (what a `rust-toolchain.lock` names).
    pub fn write_manifest(&self, root: &Path, text: &str) {
        let name = format!("channel-rust-{}.toml", self.channel);
        let date = text.lines().find_map(|l| l.strip_prefix("date = \"")?.strip_suffix('"')).unwrap_or(DATE);
        for dir in [root.join("dist"), root.join("dist").join(date)] {
            write_file(&dir.join(&name), text.as_bytes());
            write_file(&dir.join(format!("{name}.sha256")), format!("{}  {name}\n", sha(text.as_bytes())).as_bytes());
        }
    }
}

/// `n` incompressible, deterministic bytes (so a fault after the first KiB hits mid-archive).
pub fn noise(n: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x.to_le_bytes()[0]
        })
        .collect()
}

/// SHA-256 hex of `data`.
pub fn sha(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn write_file(path: &Path, data: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, data).unwrap();
}

/// The uncompressed rust-installer tarball of `c`.
pub fn tarball(c: &Comp) -> Vec<u8> {
    let top = c.base();
    let name = c.name();
    let mut entries = vec![
        Entry::Dir(format!("{top}/")),
        Entry::File(format!("{top}/components"), format!("{name}\n").into_bytes(), 0o644),
        Entry::File(format!("{top}/rust-installer-version"), b"3\n".to_vec(), 0o644),
        Entry::Dir(format!("{top}/{name}/")),
    ];
    let mut manifest_in = String::new();
    for (path, data, mode) in &c.files {
        manifest_in.push_str(&format!("file:{path}\n"));
        entries.push(Entry::File(format!("{top}/{name}/{path}"), data.clone(), *mode));
    }
    for (dir, files) in &c.dirs {
        manifest_in.push_str(&format!("dir:{dir}\n"));
        for (f, data) in files {
            entries.push(Entry::File(format!("{top}/{name}/{dir}/{f}"), data.clone(), 0o644));
        }
    }
    entries.push(Entry::File(format!("{top}/{name}/manifest.in"), manifest_in.into_bytes(), 0o644));
    entries.extend(c.evil.iter().cloned());
    raw_tar(&entries)
}

/// A tar stream written header by header, names copied verbatim (no path checks).
pub fn raw_tar(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::new();
    for e in entries {
        let mut h = tar::Header::new_gnu();
        let (path, data): (&str, &[u8]) = match e {
            Entry::File(p, d, mode) => {
                h.set_entry_type(tar::EntryType::Regular);
                h.set_mode(*mode);
                (p, d)
            }
            Entry::Dir(p) => {
                h.set_entry_type(tar::EntryType::Directory);
                h.set_mode(0o755);
                (p, &[])
            }
            Entry::Symlink(p, t) | Entry::HardLink(p, t) => {
                h.set_entry_type(if matches!(e, Entry::Symlink(..)) { tar::EntryType::Symlink } else { tar::EntryType::Link });
                h.set_mode(0o777);
                set_bytes(&mut h.as_old_mut().linkname, t);
                (p, &[])
            }
            Entry::Fifo(p) => {
                h.set_entry_type(tar::EntryType::Fifo);
                h.set_mode(0o644);
                (p, &[])
            }
        };
        if path.len() >= 100 {
            // GNU long name: a `././@LongLink` entry of type 'L' carrying the full name.
            let mut long = tar::Header::new_gnu();
            set_bytes(&mut long.as_old_mut().name, "././@LongLink");
            long.set_entry_type(tar::EntryType::GNULongName);
            long.set_mode(0o644);
            long.set_size(path.len() as u64 + 1);
            long.set_cksum();
            out.extend_from_slice(long.as_bytes());
            out.extend_from_slice(path.as_bytes());
            out.push(0);
            out.resize(out.len().div_ceil(512) * 512, 0);
        }
        set_bytes(&mut h.as_old_mut().name, &path[..path.len().min(99)]);
        h.set_size(data.len() as u64);
        h.set_cksum();
        out.extend_from_slice(h.as_bytes());
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.extend_from_slice(&[0u8; 1024]);
    out
}

fn set_bytes(field: &mut [u8], s: &str) {
    assert!(s.len() < field.len(), "test path too long for a plain header: {s}");
    field[..s.len()].copy_from_slice(s.as_bytes());
}

/// Compresses a tar stream as `.tar.gz` (`Extra::None`), `.tar.xz` or `.tar.zst`.
pub fn compress(tar: &[u8], how: Extra) -> Vec<u8> {
    match how {
        Extra::None => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(tar).unwrap();
            e.finish().unwrap()
        }
        Extra::Xz => {
            let mut e = liblzma::write::XzEncoder::new(Vec::new(), 1);
            e.write_all(tar).unwrap();
            e.finish().unwrap()
        }
        Extra::XzLarge => {
            let mut opts = liblzma::stream::LzmaOptions::new_preset(0).unwrap();
            opts.dict_size(24 << 20);
            let mut filters = liblzma::stream::Filters::new();
            filters.lzma2(&opts);
            let stream = liblzma::stream::Stream::new_stream_encoder(&filters, liblzma::stream::Check::Crc64).unwrap();
            let mut e = liblzma::write::XzEncoder::new_stream(Vec::new(), stream);
            e.write_all(tar).unwrap();
            e.finish().unwrap()
        }
        Extra::Zst => zstd::encode_all(tar, 1).unwrap(),
    }
}

/// rust-installer's standalone tarball of `d`'s release for its host, uncompressed, as published
/// beside the dist archives (`dist/<date>/rust-<version>-<host>.tar.xz`): one top directory
/// `rust-<label>-<host>/` holding `components` (one directory per package in `pkgs`, named as
/// rust-installer names them: `rust-std-<host>`, else the package), `rust-installer-version`,
/// `version` (`version_line`) and each component's files with its `manifest.in`; then `evil`.
pub fn standalone(d: &Dist, label: &str, pkgs: &[&str], version_line: &str, evil: &[Entry]) -> Vec<u8> {
    let top = format!("rust-{label}-{}", d.host);
    let dirs: Vec<String> = pkgs.iter().map(|p| if *p == "rust-std" { format!("rust-std-{}", d.host) } else { (*p).to_owned() }).collect();
    let mut entries = vec![
        Entry::Dir(format!("{top}/")),
        Entry::File(format!("{top}/components"), (dirs.join("\n") + "\n").into_bytes(), 0o644),
        Entry::File(format!("{top}/rust-installer-version"), b"3\n".to_vec(), 0o644),
        Entry::File(format!("{top}/version"), format!("{version_line}\n").into_bytes(), 0o644),
    ];
    for (pkg, name) in pkgs.iter().zip(&dirs) {
        // The component's own entries, moved from its archive's top directory to this one's.
        let own = tarball(d.comp(pkg));
        let mut archive = tar::Archive::new(&own[..]);
        let prefix = format!("{}/{name}/", d.comp(pkg).base());
        let src = format!("{}/{}/", d.comp(pkg).base(), d.comp(pkg).name());
        for e in archive.entries().unwrap() {
            let mut e = e.unwrap();
            let path = e.path().unwrap().to_string_lossy().into_owned();
            let Some(rest) = path.strip_prefix(&src).or_else(|| path.strip_prefix(&prefix)) else { continue };
            let mut data = Vec::new();
            std::io::Read::read_to_end(&mut e, &mut data).unwrap();
            let at = format!("{top}/{name}/{rest}");
            let mode = e.header().mode().unwrap();
            entries.push(if e.header().entry_type().is_dir() { Entry::Dir(at) } else { Entry::File(at, data, mode) });
        }
    }
    entries.extend(evil.iter().cloned());
    raw_tar(&entries)
}
