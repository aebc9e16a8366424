//! How much an archive may unpack before its hash is known (docs/design.md install-4).
//!
//! tcup unpacks while it downloads: the SHA-256 the manifest vouches for is known only at the
//! end. So a mirror that swaps an archive reaches the decompressor and the tar parser with bytes
//! nobody verified, and without a bound a few MB of zeros become gigabytes on disk, or a tar
//! header that declares a 1.5 GiB long name becomes 1.5 GiB of memory. [`Bound`] caps what those
//! bytes can cost, and the unpacker ([`super::unpack`]) stops the moment one cap is crossed:
//!
//! | what | cap | checked |
//! | --- | --- | --- |
//! | bytes unpacked: every entry's contents, plus anything after the tar's end | 64 × the compressed bytes received so far + 64 MiB | before each piece is read or written: a file's contents by the piece the writer pool takes (at most 1 MiB; a small file whole, by its declared size), any other entry's by its declared size at its header |
//! | entries (every tar header, metadata headers included) | 1,000,000 | at each header |
//! | a metadata header (GNU long name `L`, long link `K`, PAX `x` and `g`), held in memory | 64 KiB | at its header, before it is read |
//!
//! A file is charged piece by piece, not by its declared size at its header, because real
//! archives put large files early: nightly's llvm-tools `.tar.xz` declares a 198.5 MiB
//! `libLLVM.so` after 1.5 MiB received (7.7 MiB unpacked), which a check of declared sizes at
//! the header refuses (64 × 1.5 MiB + 64 MiB = 160 MiB). Charged as it is decoded, the same
//! file is far inside: it compresses about 5×. Either way no byte past the bound is written.
//!
//! Real archives stay well inside (`ci/unpack-ratios.sh` streams every complete-profile archive
//! of stable, beta and nightly through this same code): rust-docs unpacks 47× its xz size at
//! most once 1 MiB was received (31× over the whole archive), with about 129,000 entries; real
//! long names are a few hundred bytes.
//!
//! "Received" counts the compressed bytes the decompressor has read ([`Received::count`] wraps
//! the stream *under* the decompressor), so a decoder's read-ahead only ever counts in the
//! archive's favour by one buffer, which the 64 MiB allowance dwarfs.

use std::cell::Cell;
use std::io::{self, Read};

/// The caps on an archive whose hash is not yet known. [`Bound::default`] is the one every
/// install uses; tests of the unpacker use smaller ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bound {
    /// Unpacked bytes allowed per compressed byte received.
    pub ratio: u64,
    /// Unpacked bytes allowed besides (bytes).
    pub allowance: u64,
    /// Tar headers allowed.
    pub entries: u64,
    /// Largest metadata header (GNU long name/link, PAX) read into memory (bytes).
    pub header: u64,
}

impl Default for Bound {
    /// 64 × received + 64 MiB, 1,000,000 entries, 64 KiB headers.
    fn default() -> Self {
        Bound { ratio: 64, allowance: 64 << 20, entries: 1_000_000, header: 64 << 10 }
    }
}

impl Bound {
    /// Bytes that may be unpacked once `received` compressed bytes were read.
    pub fn allowed(&self, received: u64) -> u64 {
        received.saturating_mul(self.ratio).saturating_add(self.allowance)
    }
}

/// A cap crossed: the archive is refused before its hash is known. Never retried from the server
/// that sent it (`ops::archive`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Crossed {
    /// The next entry (or the bytes after the tar's end) would unpack more than
    /// [`Bound::allowed`].
    #[error(
        "unpacked {} ({unpacked} bytes) from {} ({received} bytes) received, and {what} {}: more than {}× + {} before its hash was known; refusing",
        size(*unpacked), size(*received), size(*next), bound.ratio, size(bound.allowance)
    )]
    Bytes {
        /// Bytes unpacked before the refused entry (all written, or skipped).
        unpacked: u64,
        /// Compressed bytes received when it was refused.
        received: u64,
        /// What came next: `the entry 'path' declares`, or `the stream goes on past the tar's end by`.
        what: String,
        /// Its size (bytes).
        next: u64,
        /// The caps.
        bound: Bound,
    },
    /// More than [`Bound::entries`] tar headers.
    #[error("more than {} entries before its hash was known; refusing", bound.entries)]
    Entries {
        /// The caps.
        bound: Bound,
    },
    /// A metadata header larger than [`Bound::header`].
    #[error("a {kind} header of {} ({size} bytes) is larger than the {} cap for headers held in memory; refusing", self::size(*size), self::size(bound.header))]
    Header {
        /// `GNU long name`, `GNU long link`, `PAX` or `PAX global`.
        kind: &'static str,
        /// Its declared size (bytes).
        size: u64,
        /// The caps.
        bound: Bound,
    },
}

/// The compressed bytes of one archive read so far, and the [`Bound`] they allow. The counter is
/// fed by [`Received::count`]'s reader and read by the unpacker on the same thread.
#[derive(Debug, Default)]
pub struct Received {
    bytes: Cell<u64>,
    bound: Bound,
}

impl Received {
    /// A counter at 0 under `bound`.
    pub fn new(bound: Bound) -> Self {
        Received { bytes: Cell::new(0), bound }
    }

    /// Wraps the compressed stream: every byte read through it counts.
    pub fn count<R: Read>(&self, inner: R) -> Counted<'_, R> {
        Counted { inner, received: self }
    }

    /// Compressed bytes read so far.
    pub fn get(&self) -> u64 {
        self.bytes.get()
    }

    /// The caps.
    pub fn bound(&self) -> Bound {
        self.bound
    }
}

/// A reader that adds every byte read to a [`Received`].
pub struct Counted<'a, R> {
    inner: R,
    received: &'a Received,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.received.bytes.set(self.received.bytes.get() + n as u64);
        Ok(n)
    }
}

/// What the unpacker has let through so far, checked against the [`Bound`] at every header.
#[derive(Debug)]
pub struct Tally<'a> {
    received: &'a Received,
    /// Declared sizes of every entry let through (bytes).
    unpacked: u64,
    /// Tar headers let through.
    entries: u64,
    /// The least room left under [`Bound::allowed`] at any check (bytes).
    margin: u64,
}

/// What one archive's unpack let through: how close it came to its [`Bound`]
/// (`ci/unpack-ratios.sh` prints it for the dist server's archives).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measured {
    /// Declared sizes of every entry, plus the bytes after the tar's end.
    pub unpacked: u64,
    /// Tar headers, metadata headers included.
    pub entries: u64,
    /// The least room left under [`Bound::allowed`] at any check (bytes): the bound would have
    /// refused the archive had its allowance been this much smaller.
    pub margin: u64,
}

impl<'a> Tally<'a> {
    /// Nothing let through yet.
    pub fn new(received: &'a Received) -> Self {
        Tally { received, unpacked: 0, entries: 0, margin: u64::MAX }
    }

    /// The totals and the least room left, so far.
    pub fn measured(&self) -> Measured {
        Measured { unpacked: self.unpacked, entries: self.entries, margin: self.margin }
    }

    /// Lets one more tar header through and charges `size` bytes for it now (its declared size;
    /// 0 for a regular file, whose contents are charged by [`Tally::charge`] as they are read).
    /// `path` names it in the error.
    ///
    /// # Errors
    /// [`Crossed::Entries`] past [`Bound::entries`]; [`Crossed::Bytes`] when the unpacked bytes
    /// plus `size` would exceed [`Bound::allowed`] for the bytes received so far.
    pub fn entry(&mut self, path: &dyn std::fmt::Display, size: u64) -> Result<(), Crossed> {
        let bound = self.received.bound;
        if self.entries >= bound.entries {
            return Err(Crossed::Entries { bound });
        }
        self.charge(|| format!("the entry '{path}' declares"), size)?;
        self.entries += 1;
        Ok(())
    }

    /// Lets `n` more bytes through that are not an entry's (the stream after the tar's end).
    ///
    /// # Errors
    /// [`Crossed::Bytes`] as for [`Tally::entry`].
    pub fn trailing(&mut self, n: u64) -> Result<(), Crossed> {
        self.charge(|| "the stream goes on past the tar's end by".to_owned(), n)
    }

    /// Charges `n` more bytes before they are read or written; `what` says what they are in the
    /// error (`the entry 'p' declares`, `the entry 'p' goes on by`).
    ///
    /// # Errors
    /// [`Crossed::Bytes`] as for [`Tally::entry`].
    pub fn charge(&mut self, what: impl FnOnce() -> String, n: u64) -> Result<(), Crossed> {
        let bound = self.received.bound;
        let received = self.received.get();
        let Some(margin) = bound.allowed(received).checked_sub(self.unpacked.saturating_add(n)) else {
            return Err(Crossed::Bytes { unpacked: self.unpacked, received, what: what(), next: n, bound });
        };
        self.margin = self.margin.min(margin);
        self.unpacked += n;
        Ok(())
    }

    /// The caps.
    pub fn bound(&self) -> Bound {
        self.received.bound
    }

    /// Bytes let through so far (declared sizes).
    pub fn unpacked(&self) -> u64 {
        self.unpacked
    }

    /// Tar headers let through so far.
    pub fn entries(&self) -> u64 {
        self.entries
    }
}

/// `12 B`, `3.4 KiB`, `180.3 MiB`, `1.5 GiB`.
pub fn size(bytes: u64) -> String {
    #[allow(clippy::cast_precision_loss)]
    let b = bytes as f64;
    match bytes {
        0..1024 => format!("{bytes} B"),
        1024..0x10_0000 => format!("{:.1} KiB", b / 1024.0),
        0x10_0000..0x4000_0000 => format!("{:.1} MiB", b / f64::from(1 << 20)),
        _ => format!("{:.1} GiB", b / f64::from(1 << 30)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_bound_is_64_times_received_plus_64_mib() {
        let b = Bound::default();
        assert_eq!(b.allowed(0), 64 << 20);
        assert_eq!(b.allowed(1 << 20), 128 << 20);
        assert_eq!(b.allowed(u64::MAX), u64::MAX);
        assert_eq!((b.entries, b.header), (1_000_000, 65_536));
    }

    #[test]
    fn an_entry_is_refused_before_it_would_cross_the_bound() {
        let received = Received::new(Bound { ratio: 2, allowance: 100, entries: 3, header: 10 });
        let mut r = received.count(&[0u8; 50][..]);
        let mut tally = Tally::new(&received);
        tally.entry(&"a", 100).unwrap(); // 100 ≤ 0 × 2 + 100
        let err = tally.entry(&"b", 1).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unpacked 100 B (100 bytes) from 0 B (0 bytes) received, and the entry 'b' declares 1 B: more than 2× + 100 B before its hash was known; refusing"
        );
        io::copy(&mut r, &mut io::sink()).unwrap();
        assert_eq!(received.get(), 50);
        tally.entry(&"b", 100).unwrap(); // 200 ≤ 50 × 2 + 100
        assert!(matches!(tally.trailing(1), Err(Crossed::Bytes { unpacked: 200, received: 50, next: 1, .. })));
        tally.entry(&"c", 0).unwrap();
        assert_eq!(tally.entry(&"d", 0).unwrap_err().to_string(), "more than 3 entries before its hash was known; refusing");
        assert_eq!((tally.unpacked(), tally.entries()), (200, 3));
        assert_eq!(tally.measured(), Measured { unpacked: 200, entries: 3, margin: 0 });
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(size(1023), "1023 B");
        assert_eq!(size(3 * 1024 + 400), "3.4 KiB");
        assert_eq!(size(64 << 20), "64.0 MiB");
        assert_eq!(size(3 << 29), "1.5 GiB");
    }
}
