//! How many large-dictionary xz decoders run at once. The dist server's `.tar.xz` archives are
//! LZMA2 with a 128 MiB dictionary (`xz -lvv`: "Memory needed: 129 MiB" per decoder), so two
//! components decoding at once took a default-profile install to 305 MiB; gz and zst decoders
//! need a few MiB and are never held back.
//!
//! The dictionary size is read from the stream itself, before the decoder starts: the xz stream
//! header (12 bytes, `.xz` file format 1.2.0 §2.1.1) is followed by the first block header
//! (§3.1), whose first filter is LZMA2 (ID 0x21) with a one-byte property encoding the
//! dictionary size (`(2 | (p & 1)) << (p / 2 + 11)`). A stream whose dictionary is above
//! [`LARGE_DICTIONARY`] needs a slot of the [`Gate`]; anything else, or a header that cannot be
//! read, decodes at once (the decoder then reports a corrupt header itself).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

/// Dictionaries up to this size (bytes) decode without a slot: xz's own presets up to `-6` use
/// at most 8 MiB.
pub const LARGE_DICTIONARY: u64 = 16 << 20;

/// The dictionary size (bytes) of the first block of the xz stream that starts with `head`, when
/// `head` holds the stream header and the first block header with an LZMA2 filter first.
pub fn dictionary_size(head: &[u8]) -> Option<u64> {
    let stream = head.get(..12)?;
    if stream[..6] != [0xfd, b'7', b'z', b'X', b'Z', 0] {
        return None;
    }
    let block = head.get(12..)?;
    let header_len = (usize::from(*block.first()?) + 1) * 4;
    let block = block.get(..header_len)?;
    let flags = block[1];
    let mut at = 2;
    for present in [flags & 0x40 != 0, flags & 0x80 != 0] {
        if present {
            at += varint_len(block.get(at..)?)?;
        }
    }
    let (id, props_len) = (*block.get(at)?, *block.get(at + 1)?);
    if id != 0x21 || props_len != 1 {
        return None;
    }
    let p = *block.get(at + 2)?;
    (p <= 40).then(|| if p == 40 { u64::from(u32::MAX) } else { (2 | (u64::from(p) & 1)) << (p / 2 + 11) })
}

/// Bytes taken by a multibyte integer (`.xz` §1.2): 7 bits a byte, the high bit says more follow.
fn varint_len(b: &[u8]) -> Option<usize> {
    b.iter().take(9).position(|x| x & 0x80 == 0).map(|i| i + 1)
}

/// Slots for large decoders.
#[derive(Debug)]
pub struct Gate {
    free: Mutex<usize>,
    freed: Condvar,
}

/// A held slot, given back when dropped.
#[derive(Debug)]
pub struct Slot<'a> {
    gate: &'a Gate,
}

impl Gate {
    /// A gate with `slots` slots (at least 1).
    pub fn new(slots: usize) -> Gate {
        Gate { free: Mutex::new(slots.max(1)), freed: Condvar::new() }
    }

    /// A slot if one is free now.
    pub fn try_take(&self) -> Option<Slot<'_>> {
        let mut free = self.free.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        (*free > 0).then(|| {
            *free -= 1;
            Slot { gate: self }
        })
    }

    /// Waits for a slot; `None` once `cancel` is set (another component failed).
    pub fn take(&self, cancel: &AtomicBool) -> Option<Slot<'_>> {
        let mut free = self.free.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        while *free == 0 {
            if cancel.load(Ordering::Relaxed) {
                return None;
            }
            free = self.freed.wait_timeout(free, Duration::from_millis(100)).unwrap_or_else(std::sync::PoisonError::into_inner).0;
        }
        *free -= 1;
        Some(Slot { gate: self })
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        *self.gate.free.lock().unwrap_or_else(std::sync::PoisonError::into_inner) += 1;
        self.gate.freed.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The start of a real `xz -9` stream (as the dist server's archives are made) and of an
    /// `xz -1` one, made with liblzma here.
    fn head(preset: u32) -> Vec<u8> {
        let mut enc = liblzma::write::XzEncoder::new(Vec::new(), preset);
        std::io::Write::write_all(&mut enc, b"tcup").unwrap();
        enc.finish().unwrap()
    }

    #[test]
    fn reads_the_dictionary_size_of_real_streams() {
        assert_eq!(dictionary_size(&head(9)), Some(64 << 20));
        assert_eq!(dictionary_size(&head(1)), Some(1 << 20));
        assert_eq!(dictionary_size(b"\x1f\x8b not xz"), None);
        assert_eq!(dictionary_size(&head(9)[..14]), None, "too short to tell");
    }

    #[test]
    fn a_slot_is_given_back_on_drop_and_waiters_stop_on_cancel() {
        let gate = Gate::new(1);
        let held = gate.try_take().unwrap();
        assert!(gate.try_take().is_none());
        let cancel = AtomicBool::new(true);
        assert!(gate.take(&cancel).is_none(), "a cancelled wait ends");
        drop(held);
        assert!(gate.take(&AtomicBool::new(false)).is_some());
    }
}
