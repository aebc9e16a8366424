//! SHA-256 computed while bytes stream past (docs/design.md install-1): the archive is hashed by the
//! same read that feeds the decompressor, so verifying costs no second pass over the file.

use std::io::{self, Read};

use sha2::{Digest, Sha256};

/// Bytes that are not the ones the manifest promised. Never retried on another host: another
/// server will not fix bad bytes.
#[derive(Debug, thiserror::Error)]
#[error("checksum mismatch for {url}: expected sha256 {expected}, got {actual}")]
pub struct Mismatch {
    /// What was fetched.
    pub url: String,
    /// SHA-256 from the manifest (or `.sha256` file), hex.
    pub expected: String,
    /// SHA-256 of the bytes received, hex.
    pub actual: String,
}

/// A reader that hashes and counts every byte read through it.
pub struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
}

impl<R: Read> HashingReader<R> {
    /// Wraps `inner`.
    pub fn new(inner: R) -> Self {
        HashingReader { inner, hasher: Sha256::new(), bytes: 0 }
    }

    /// Reads `inner` to its end (bytes a decompressor left unread still count), then returns the
    /// SHA-256 as lowercase hex and the number of bytes hashed.
    ///
    /// # Errors
    /// Reading the rest of `inner` failed.
    pub fn finish(mut self) -> io::Result<(String, u64)> {
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            match self.read(&mut buf) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok((hex::encode(self.hasher.finalize()), self.bytes))
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

/// SHA-256 of the file at `path` as lowercase hex, read in a stream.
///
/// # Errors
/// The file cannot be opened or read.
pub fn sha256_file(path: &std::path::Path) -> io::Result<String> {
    HashingReader::new(fs_err::File::open(path)?).finish().map(|(hash, _)| hash)
}

/// SHA-256 of `bytes` as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_what_the_consumer_read_and_the_rest() {
        let data = b"hello world, this is a stream";
        let mut r = HashingReader::new(&data[..]);
        let mut first = [0u8; 5];
        r.read_exact(&mut first).unwrap();
        let (hash, n) = r.finish().unwrap();
        assert_eq!(n, data.len() as u64);
        assert_eq!(hash, sha256_hex(data));
        assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }
}
