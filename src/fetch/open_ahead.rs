//! Opening a component's download before a worker is free for it.
//!
//! On the default dist server an archive's first byte arrives 0.06–0.34 s after its request (the
//! CDN looks it up), and a worker used to pay that wait each time it moved on to the next
//! component: at the end of a default-profile install both workers paid it two or three times
//! (docs/design.md fetch-5). Now a worker whose archive is about to end ([`LEAD`]) opens the next archive no
//! worker has taken, on a thread of its own, and the worker that takes that archive reads a body
//! that is already flowing.
//!
//! This type only keeps the bookkeeping: which positions of the workers' order have been claimed
//! (by an opener or by the worker that took them) and what each opener produced.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

/// How long before its archive's estimated end a worker opens the next one: above the longest
/// first-byte wait measured on the default dist server (0.34 s), and short enough that a body
/// opened ahead is not left unread for long.
pub const LEAD: Duration = Duration::from_millis(500);

/// Downloads opened ahead, by position in the workers' order (`T`: what opening produced).
pub struct OpenAhead<T> {
    claimed: Vec<AtomicBool>,
    slots: Mutex<Vec<Option<T>>>,
    ready: Condvar,
}

impl<T> OpenAhead<T> {
    /// Bookkeeping for `positions` jobs, none claimed.
    pub fn new(positions: usize) -> OpenAhead<T> {
        OpenAhead {
            claimed: (0..positions).map(|_| AtomicBool::new(false)).collect(),
            slots: Mutex::new((0..positions).map(|_| None).collect()),
            ready: Condvar::new(),
        }
    }

    /// Claims the first position at or after `from` that neither a worker nor another opener has
    /// claimed. The caller must then [`OpenAhead::put`] what opening it produced, whatever happens:
    /// the worker that takes the position waits for it.
    pub fn claim_from(&self, from: usize) -> Option<usize> {
        (from..self.claimed.len()).find(|&p| !self.claimed[p].swap(true, Ordering::AcqRel))
    }

    /// Hands over what opening position `p` produced, waking its worker.
    pub fn put(&self, p: usize, opened: T) {
        self.slots.lock().expect("no panic holding the lock")[p] = Some(opened);
        self.ready.notify_all();
    }

    /// For the worker that takes position `p`: `None` when nobody opened it ahead (and now nobody
    /// will); else what was opened, once the opener is done.
    pub fn take(&self, p: usize) -> Option<T> {
        if !self.claimed.get(p)?.swap(true, Ordering::AcqRel) {
            return None;
        }
        let mut slots = self.slots.lock().expect("no panic holding the lock");
        loop {
            if let Some(opened) = slots[p].take() {
                return Some(opened);
            }
            slots = self.ready.wait(slots).expect("no panic holding the lock");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_position_is_opened_once_and_its_worker_gets_what_the_opener_produced() {
        let ahead = OpenAhead::<String>::new(4);
        assert_eq!(ahead.take(0), None, "nobody opened position 0: its worker opens it");
        assert_eq!(ahead.claim_from(0), Some(1), "0 is taken; 1 is the next to open");
        assert_eq!(ahead.claim_from(0), Some(2));
        std::thread::scope(|s| {
            s.spawn(|| {
                std::thread::sleep(Duration::from_millis(50));
                ahead.put(1, "opened 1".into());
            });
            assert_eq!(ahead.take(1).as_deref(), Some("opened 1"), "waits for the opener");
        });
        ahead.put(2, "opened 2".into());
        assert_eq!(ahead.take(2).as_deref(), Some("opened 2"));
        assert_eq!(ahead.take(3), None);
        assert_eq!(ahead.claim_from(0), None, "every position claimed");
        assert_eq!(ahead.take(9), None, "past the end");
    }
}
