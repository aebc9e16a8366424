//! How close real archives come to the bound on unverified bytes (docs/design.md install-4,
//! [`tcup::install::bound`]); run by `ci/unpack-ratios.sh`, which downloads the archives.
//!
//! - `unpack_ratios list MANIFEST TARGET` prints, for each package of the manifest's `complete`
//!   profile available for TARGET (or `*`), one line per format offered: `pkg format url`.
//! - `unpack_ratios measure FORMAT NAME SCRATCH` reads one compressed archive from stdin,
//!   unpacks it with the real unpacker under the default bound into a fresh directory below
//!   SCRATCH (removed afterwards), and prints one tab-separated line: name, format, compressed
//!   bytes, unpacked bytes, entries, the highest ratio of decompressed to compressed bytes at
//!   any read once 1 MiB was received, the final ratio, and the least room left under the bound
//!   at any check (MiB). An archive the bound refuses prints `REFUSED` and the error.

use std::cell::Cell;
use std::io::{self, Read};
use std::path::Path;

use tcup::dist::manifest::{Compression, Manifest};
use tcup::install::bound::Received;
use tcup::install::unpack::{self, PoolOptions};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["list", manifest, target] => list(Path::new(manifest), target),
        ["measure", format, name, scratch] => measure(format, name, Path::new(scratch)),
        _ => {
            eprintln!("usage: unpack_ratios list MANIFEST TARGET | measure gz|xz|zst NAME SCRATCH");
            std::process::exit(2);
        }
    }
}

fn list(manifest: &Path, target: &str) {
    let m = Manifest::parse(&fs_err::read_to_string(manifest).unwrap()).unwrap();
    for pkg in m.profiles.get("complete").expect("a complete profile") {
        let Some((_, t)) = m.target_of(pkg, target) else { continue };
        if !t.available {
            continue;
        }
        for c in [Compression::Xz, Compression::Gz, Compression::Zst] {
            if let Some(a) = t.archive(c) {
                println!("{pkg} {} {}", c.extension(), a.url);
            }
        }
    }
}

/// The decompressed stream, counted: the highest decompressed ÷ compressed ratio at any read
/// once at least 1 MiB of compressed bytes was received.
struct Ratio<'a, R> {
    inner: R,
    received: &'a Received,
    out: u64,
    highest: &'a Cell<f64>,
}

impl<R: Read> Read for Ratio<'_, R> {
    #[allow(clippy::cast_precision_loss)]
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.out += n as u64;
        let received = self.received.get();
        if received >= 1 << 20 {
            self.highest.set(self.highest.get().max(self.out as f64 / received as f64));
        }
        Ok(n)
    }
}

#[allow(clippy::cast_precision_loss)]
fn measure(format: &str, name: &str, scratch: &Path) {
    let compression = match format {
        "xz" => Compression::Xz,
        "gz" => Compression::Gz,
        "zst" => Compression::Zst,
        other => panic!("unknown format {other}"),
    };
    let dest = scratch.join(format!("{name}.{format}"));
    let _ = fs_err::remove_dir_all(&dest);
    fs_err::create_dir_all(&dest).unwrap();
    let received = Received::default();
    let highest = Cell::new(0.0);
    let stdin = io::stdin().lock();
    let decoded = unpack::decoder(received.count(stdin), compression).unwrap();
    let stream = Ratio { inner: decoded, received: &received, out: 0, highest: &highest };
    let result = unpack::unpack(stream, &received, &dest, PoolOptions { threads: 8, budget: 2 << 20 });
    fs_err::remove_dir_all(&dest).unwrap();
    let compressed = received.get();
    match result {
        Ok(u) => {
            let m = u.measured;
            println!(
                "{name}\t{format}\t{compressed}\t{}\t{}\t{:.1}\t{:.1}\t{:.0}",
                m.unpacked,
                m.entries,
                highest.get(),
                m.unpacked as f64 / compressed as f64,
                m.margin as f64 / f64::from(1 << 20)
            );
        }
        Err(e) => println!("{name}\t{format}\t{compressed}\tREFUSED\t{e}"),
    }
}
