//! A pool of writer threads for one archive: the thread that decodes the tar stream hands each
//! regular file to the pool, and the pool creates, writes, and closes it.
//!
//! Why: on this kind of machine creating a file is latency-bound (`openat(O_CREAT)` ≈ 0.66 ms,
//! everything else ≈ 0.02 ms, see docs/design.md install-6), so one writer caps an archive like
//! rust-docs (≈ 52,000 files) at ≈ 35 s while the decoder idles. Several writers overlap those waits.
//!
//! Rules the pool keeps:
//! - **Memory is bounded.** Every queued byte (plus a fixed cost per file) is charged to a budget
//!   before it is queued and released once written; the decoder waits when the budget is spent.
//!   Files larger than one chunk are streamed to their writer chunk by chunk under the same budget.
//! - **The first error wins and stops everything.** A failed open/write records the error (naming
//!   the path), wakes the decoder, and the other writers skip what is still queued.
//! - **Nothing follows a symlink.** Files are created beneath the unpack directory's descriptor
//!   with links refused in every component ([`crate::sys::beneath::Dir::create_file`]: one
//!   `openat2` per file, no walk of ancestors), and the decoder calls [`Pool::barrier`] before it
//!   creates a link or reuses a path, so the pool never races with it.
//! - **CRC-32** (crc32fast) of every file is computed by its writer as the bytes are written and
//!   returned as [`FileRecord`]s in archive order.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::sync::{Condvar, Mutex};

use crate::sys::beneath::Dir;

/// Bytes charged to the budget for each queued file besides its contents (paths, job, open file).
const PER_FILE_COST: usize = 512;

pub use crate::home::file_record::FileRecord;

/// How many writers and how much memory one archive's pool may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolOptions {
    /// Writer threads (≥ 1).
    pub threads: usize,
    /// Bytes of file contents that may be queued or in flight at once (≥ 64 KiB).
    pub budget: usize,
}

impl PoolOptions {
    /// Size of one streamed chunk of a large file: a quarter of the budget, at most 1 MiB.
    pub fn chunk(&self) -> usize {
        (self.budget / 4).clamp(16 * 1024, 1024 * 1024)
    }
}

/// A file's contents: all of it, or chunks that arrive over a channel.
pub enum Body {
    /// The whole file.
    Whole(Vec<u8>),
    /// Chunks, in order, ending when the sender is dropped.
    Stream(Receiver<Vec<u8>>),
}

struct Job {
    seq: usize,
    rel: PathBuf,
    mode: u32,
    body: Body,
    cost: usize,
}

/// What the writers share with the decoder.
struct Shared<'r> {
    /// The directory every file is created beneath.
    root: &'r Dir,
    state: Mutex<State>,
    /// Signalled whenever budget is released, a job finishes, or an error is recorded.
    changed: Condvar,
    jobs: Mutex<Receiver<Job>>,
    budget: usize,
}

#[derive(Default)]
struct State {
    used: usize,
    pending: usize,
    error: Option<io::Error>,
    records: Vec<(usize, FileRecord)>,
}

/// The decoder's handle on a running pool; created inside a [`std::thread::scope`].
pub struct Pool<'a> {
    shared: &'a Shared<'a>,
    tx: Option<Sender<Job>>,
    seq: usize,
    /// Whether a path may have been recorded twice: only after a [`Pool::barrier`] or a hard link.
    reused: bool,
}

/// Runs `body` with a pool of writers creating files beneath `root`, then waits for every writer and returns `body`'s value and
/// the file records in archive order. An error recorded by a writer wins over `body`'s result
/// (the decoder usually stops *because* of it).
///
/// # Errors
/// The first write error (with its path), else `body`'s error.
pub fn with_pool<T, E: From<io::Error>>(
    opts: PoolOptions,
    root: &Dir,
    body: impl FnOnce(&mut Pool<'_>) -> Result<T, E>,
) -> Result<(T, Vec<FileRecord>), E> {
    let (tx, rx) = mpsc::channel();
    let shared = Shared { root, state: Mutex::new(State::default()), changed: Condvar::new(), jobs: Mutex::new(rx), budget: opts.budget };
    let result = std::thread::scope(|s| {
        for _ in 0..opts.threads.max(1) {
            s.spawn(|| writer(&shared));
        }
        let mut pool = Pool { shared: &shared, tx: Some(tx), seq: 0, reused: false };
        let result = body(&mut pool);
        pool.tx = None; // writers leave once the queue is empty
        (result, pool.reused)
    });
    let (result, reused) = result;
    let state = shared.state.into_inner().expect("no writer panics holding the lock");
    if let Some(e) = state.error {
        return Err(e.into());
    }
    let value = result?;
    let mut records = state.records;
    records.sort_unstable_by_key(|(seq, _)| *seq);
    if !reused {
        return Ok((value, records.into_iter().map(|(_, r)| r).collect()));
    }
    // A path written twice (possible only after a barrier) keeps its last contents. Found through
    // indices sorted by path, not a set of cloned paths: rust-docs has some 30 000 files, and
    // copies of their paths would add megabytes to the install's peak memory. Sorted by bytes:
    // the decoder's paths are normalised (safety::relative_path), so equal bytes are equal paths,
    // and comparing components cost the end of a rust-docs unpack 0.15 s.
    let mut by_path: Vec<usize> = (0..records.len()).collect();
    by_path.sort_unstable_by(|&a, &b| records[a].1.path.as_os_str().cmp(records[b].1.path.as_os_str()).then(a.cmp(&b)));
    let mut keep = vec![true; records.len()];
    for pair in by_path.windows(2) {
        if records[pair[0]].1.path.as_os_str() == records[pair[1]].1.path.as_os_str() {
            keep[pair[0]] = false;
        }
    }
    drop(by_path);
    let out: Vec<FileRecord> = records.into_iter().zip(keep).filter_map(|((_, r), keep)| keep.then_some(r)).collect();
    Ok((value, out))
}

impl Pool<'_> {
    /// Queues a whole file at `rel` (relative to the pool's root). Waits for budget first.
    ///
    /// # Errors
    /// A writer has failed (its error, which [`with_pool`] also returns).
    pub fn write(&mut self, rel: PathBuf, mode: u32, data: Vec<u8>) -> io::Result<()> {
        let cost = data.len() + PER_FILE_COST;
        self.acquire(cost)?;
        self.send(rel, mode, Body::Whole(data), cost)
    }

    /// Queues a file whose contents follow in chunks: returns the sender to pass each chunk to
    /// [`Pool::chunk`]. Dropping the sender ends the file.
    ///
    /// # Errors
    /// A writer has failed.
    pub fn stream(&mut self, rel: PathBuf, mode: u32) -> io::Result<SyncSender<Vec<u8>>> {
        self.acquire(PER_FILE_COST)?;
        let (tx, rx) = mpsc::sync_channel(2);
        self.send(rel, mode, Body::Stream(rx), PER_FILE_COST)?;
        Ok(tx)
    }

    /// Sends one chunk of a streamed file, charged to the budget until written.
    ///
    /// # Errors
    /// A writer has failed (the file's writer gave up, or another one did).
    pub fn chunk(&mut self, to: &SyncSender<Vec<u8>>, data: Vec<u8>) -> io::Result<()> {
        self.acquire(data.len())?;
        let n = data.len();
        if to.send(data).is_err() {
            self.release(n);
            return Err(failed());
        }
        Ok(())
    }

    /// Waits until every queued file is written and closed. Files queued after it may reuse a
    /// path already recorded: [`with_pool`] then keeps the last record of each path.
    ///
    /// # Errors
    /// A writer has failed.
    pub fn barrier(&mut self) -> io::Result<()> {
        self.reused = true;
        let mut st = self.shared.state.lock().expect("lock");
        while st.pending > 0 && st.error.is_none() {
            st = self.shared.changed.wait(st).expect("lock");
        }
        match &st.error {
            Some(_) => Err(failed()),
            None => Ok(()),
        }
    }

    /// The record of a file already written (after a [`Pool::barrier`]), for hard links.
    pub fn record(&self, rel: &Path) -> Option<FileRecord> {
        let st = self.shared.state.lock().expect("lock");
        st.records.iter().rev().find(|(_, r)| r.path == rel).map(|(_, r)| r.clone())
    }

    /// Adds a record for a file the decoder wrote itself (a hard link).
    pub fn add_record(&mut self, record: FileRecord) {
        self.reused = true;
        self.seq += 1;
        self.shared.state.lock().expect("lock").records.push((self.seq, record));
    }

    fn send(&mut self, rel: PathBuf, mode: u32, body: Body, cost: usize) -> io::Result<()> {
        self.seq += 1;
        self.shared.state.lock().expect("lock").pending += 1;
        let job = Job { seq: self.seq, rel, mode, body, cost };
        self.tx.as_ref().expect("pool open").send(job).map_err(|_| failed())
    }

    /// Waits until `n` more bytes fit in the budget (or nothing else is in flight).
    fn acquire(&self, n: usize) -> io::Result<()> {
        let mut st = self.shared.state.lock().expect("lock");
        while st.error.is_none() && st.used > 0 && st.used + n > self.shared.budget {
            st = self.shared.changed.wait(st).expect("lock");
        }
        if st.error.is_some() {
            return Err(failed());
        }
        st.used += n;
        Ok(())
    }

    fn release(&self, n: usize) {
        self.shared.state.lock().expect("lock").used -= n;
        self.shared.changed.notify_all();
    }
}

/// The decoder's error when a writer failed; [`with_pool`] returns the writer's own error instead.
fn failed() -> io::Error {
    io::Error::other("a writer failed")
}

/// One writer thread: takes jobs until the queue closes; after any failure it only drains.
fn writer(shared: &Shared<'_>) {
    loop {
        let job = shared.jobs.lock().expect("lock").recv();
        let Ok(job) = job else { return };
        let failed = shared.state.lock().expect("lock").error.is_some();
        let (seq, rel, cost) = (job.seq, job.rel.clone(), job.cost);
        let result = if failed { Ok((0, 0)) } else { write_job(shared, job) };
        let mut st = shared.state.lock().expect("lock");
        st.used -= cost;
        st.pending -= 1;
        match result {
            Ok((len, crc32)) if !failed => st.records.push((seq, FileRecord { path: rel, len, crc32 })),
            Ok(_) => {}
            Err(e) => {
                st.error.get_or_insert(e);
            }
        }
        drop(st);
        shared.changed.notify_all();
    }
}

/// Creates, writes and closes one file; returns its length and CRC-32. The mode is applied at
/// creation (less the umask), as `tar` does; a link in any component of the path, the last
/// included, is refused.
fn write_job(shared: &Shared<'_>, job: Job) -> io::Result<(u64, u32)> {
    let mut file = shared.root.create_file(&job.rel, job.mode)?;
    let mut crc = crc32fast::Hasher::new();
    let mut len = 0u64;
    match job.body {
        Body::Whole(data) => {
            crc.update(&data);
            len = data.len() as u64;
            file.write_all(&data)?;
        }
        Body::Stream(rx) => {
            for chunk in rx {
                let n = chunk.len();
                crc.update(&chunk);
                len += n as u64;
                let written = file.write_all(&chunk);
                shared.state.lock().expect("lock").used -= n;
                shared.changed.notify_all();
                written?;
            }
        }
    }
    Ok((len, crc.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_written_twice_keeps_only_its_last_record_in_archive_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = Dir::open(dir.path()).unwrap();
        let put = |pool: &mut Pool<'_>, name: &str, data: &[u8]| pool.write(PathBuf::from(name), 0o644, data.to_vec());
        let ((), records) = with_pool(PoolOptions { threads: 4, budget: 1 << 20 }, &root, |pool| -> io::Result<()> {
            put(pool, "a", b"aaa")?;
            put(pool, "b", b"bbb")?;
            put(pool, "c", b"ccc")?;
            pool.barrier()?;
            put(pool, "b", b"second")?;
            put(pool, "d", b"d")
        })
        .unwrap();
        let got: Vec<(&str, u64)> = records.iter().map(|r| (r.path.to_str().unwrap(), r.len)).collect();
        assert_eq!(got, [("a", 3), ("c", 3), ("b", 6), ("d", 1)]);
        assert_eq!(records[2].crc32, crc32fast::hash(b"second"));
        assert_eq!(fs_err::read(dir.path().join("b")).unwrap(), b"second");
    }
}
