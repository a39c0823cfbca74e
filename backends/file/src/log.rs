//! The append-only log: the engine's [`WriteLog`], with group commit.
//!
//! # How a write becomes durable
//!
//! 1. Under the engine's write lock, [`Log::append`] encodes the write's effects as one framed
//!    record into an in-memory buffer and hands back its sequence number (the ticket). This is
//!    only an encode and a `memcpy`: the engine lock is never held across I/O.
//! 2. After the lock is released, [`Log::wait_durable`] makes the record as durable as the
//!    policy promises, and only then is the write acknowledged:
//!    - `EverySec` / `No`: the caller writes whatever is buffered (its own record and any
//!      others') to the file with one `pwrite(2)`, so a killed process loses nothing
//!      acknowledged. `EverySec`'s committer thread fsyncs once a second.
//!    - `Always`: one commit at a time writes everything buffered with one `pwrite(2)` and
//!      calls `fdatasync` once; while that runs, more writers append and wait, and the next
//!      commit makes them all durable together. That is group commit: sixteen concurrent
//!      writers share fsyncs instead of queueing for sixteen of them. On a multi-threaded
//!      runtime a waiting writer leads the commit itself (see [`Log::lead_commits`]); on a
//!      current-thread runtime, which cannot block, the committer thread (see `tasks`) does.
//!
//! # A pre-sized file
//!
//! `fdatasync` must also commit a file's new size, and on ext4 and most other filesystems
//! that is a journal commit on top of the data write: an append-only file that grows with
//! every record pays it on every commit. So the log file is sized ahead of its records
//! ([`SEGMENT_STEP`] at a time, with `set_len`): records are written *into* the file at its
//! logical end, which the log tracks itself, and the size changes once per step rather
//! than once per commit. Everything after the logical end is zero. Recovery reads a zero
//! tail as free space, not as a torn record (see `reader`); a clean close and a rotation
//! cut the file back to its logical end.
//!
//! Records reach the file in sequence order (the buffer is taken and written under one
//! mutex), so "record n is durable" implies "every record before n is": the log on disk is
//! always a prefix of the acknowledged history plus, at most, a torn tail.
//!
//! # Failure
//!
//! If a record cannot be written or synced (disk full, I/O error), the write that needed it
//! fails and the log enters a failed state: every later write is refused with an
//! `ErrorKind::Io` error naming the cause. The engine had already applied that write in
//! memory, so until the store is reopened reads may show changes the disk does not have;
//! reopening recovers exactly what reached the log. A failed fsync is never retried (after
//! one, the kernel may have dropped the dirty pages, so a later "successful" fsync proves
//! nothing).
//!
//! # Rotation
//!
//! Compaction calls [`Log::rotate`] while the engine's read lock is held (no write can be
//! applied or logged meanwhile): the current file is written out and fsynced, a new
//! generation is created, and its header records the sequence number the snapshot ends at.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use parking_lot::Mutex;
use staunch_core::{Command, Error, ErrorKind, Result};
use staunch_memory::WriteLog;
use tokio::sync::{Notify, watch};

/// How far ahead of its records the log file is sized (see the module docs).
pub(crate) const SEGMENT_STEP: u64 = 4 << 20;

use crate::commit::{CommitSignal, can_block_in_place};
use crate::files;
use crate::format::{self, FORMAT_VERSION, FileHeader, HEADER_LEN, LOG_MAGIC, RecordKind};
use crate::journal::{JournalQueue, JournalRef, JournalRuns, JournaledWrite};
use crate::options::{FsyncPolicy, LogStats};

/// Sequence numbers written and made durable, and whether the log has failed.
#[derive(Debug, Clone, Copy, Default)]
struct Progress {
    written: u64,
    durable: u64,
    failed: bool,
}

/// What `append` touches under the engine lock.
#[derive(Debug)]
struct Pending {
    /// Encoded frames not yet written.
    buf: Vec<u8>,
    /// Generation of the active file (as `Active::generation`, readable under this lock).
    generation: u64,
    /// Sequence number of the last appended record.
    last_seq: u64,
    /// Number of records in `buf`.
    records: u64,
    /// Size of the active log file once `buf` is written.
    log_bytes: u64,
    /// Log size at which compaction is asked for (`u64::MAX`: never).
    compact_at: u64,
    /// Whether compaction was already asked for on this generation.
    compact_signalled: bool,
}

/// The file being appended to.
#[derive(Debug)]
struct Active {
    file: File,
    /// A second handle to the same file, so an fsync can run without holding the mutex (and
    /// without blocking writers that only need `write(2)`).
    sync: Arc<File>,
    generation: u64,
    path: PathBuf,
    /// The buffer swapped out of `Pending` for writing, kept to reuse its allocation.
    spare: Vec<u8>,
    /// The logical end: where the next record goes. Everything after it is zero.
    end: u64,
    /// The file's length (the logical end plus the space sized ahead).
    allocated: u64,
}

impl Active {
    /// Writes `spare` at the logical end with one `pwrite(2)`, first sizing the file ahead if
    /// the records would reach past it.
    fn write_spare(&mut self) -> std::io::Result<()> {
        let end = self.end + self.spare.len() as u64;
        if end > self.allocated {
            let to = (end / SEGMENT_STEP + 1) * SEGMENT_STEP;
            self.file.set_len(to)?;
            self.allocated = to;
        }
        self.file.write_all_at(&self.spare, self.end)?;
        // A file with no name left (its directory was deleted) takes writes that no open can
        // ever find: refuse to acknowledge them. One `statx` per write, next to the `pwrite`.
        if files::link_count(&self.file)? == 0 {
            return Err(std::io::Error::other(
                "the log file was deleted while the store was open (was the data directory \
                 removed?); writes made now could never be recovered",
            ));
        }
        self.end = end;
        Ok(())
    }

    /// Cuts the space sized ahead off (on close and rotation), so a finished file is exactly
    /// its records; true if the size changed. The caller fsyncs afterwards.
    fn trim(&mut self) -> std::io::Result<bool> {
        if self.allocated <= self.end {
            return Ok(false);
        }
        self.file.set_len(self.end)?;
        self.allocated = self.end;
        Ok(true)
    }
}

/// The log of one open store. See the module docs.
#[derive(Debug)]
pub(crate) struct Log {
    dir: PathBuf,
    /// Device and inode of `dir` at open: a directory deleted or replaced since is noticed at
    /// the next fsync (see [`Log::check_dir`]).
    dir_id: Option<(u64, u64)>,
    policy: FsyncPolicy,
    pending: Mutex<Pending>,
    active: Mutex<Active>,
    progress: watch::Sender<Progress>,
    /// `Always`: a writer waits for an fsync (see `tasks::committer`).
    pub(crate) commit: CommitSignal,
    /// The log outgrew the compaction threshold.
    pub(crate) compact_wanted: Notify,
    failed: AtomicBool,
    /// A writer leads a commit (see [`Log::lead_commits`]).
    leading: AtomicBool,
    /// fsyncs of the log so far (for [`Log::stats`]).
    fsyncs: AtomicU64,
    /// Records appended since open.
    appended: AtomicU64,
    failure: Mutex<Option<String>>,
    closed: AtomicBool,
    /// Journaled records waiting for replay (see `journal`). Never locked inside `pending`.
    pub(crate) journal: Mutex<JournalQueue>,
}

/// Where a recovered log ends, to continue appending there.
#[derive(Debug)]
pub(crate) struct LogTail {
    /// Open for writing (not in append mode: records go at `len`, inside the file).
    pub(crate) file: File,
    pub(crate) path: PathBuf,
    pub(crate) generation: u64,
    pub(crate) last_seq: u64,
    /// The logical end: the end of the last valid record.
    pub(crate) len: u64,
    /// The file's length; everything from `len` to here is zero.
    pub(crate) allocated: u64,
}

impl Log {
    /// A log appending to `tail`, which recovery left positioned at the end of valid data.
    pub(crate) fn new(
        dir: &Path,
        policy: FsyncPolicy,
        tail: LogTail,
        compact_at: u64,
        journal: JournalRuns,
    ) -> Result<Log> {
        let sync = tail
            .file
            .try_clone()
            .map_err(|e| crate::lock::io_error(e, "reopen", &tail.path))?;
        let (progress, _) = watch::channel(Progress {
            written: tail.last_seq,
            durable: tail.last_seq,
            failed: false,
        });
        Ok(Log {
            dir: dir.to_path_buf(),
            dir_id: files::dir_identity(dir).ok(),
            policy,
            pending: Mutex::new(Pending {
                buf: Vec::with_capacity(64 << 10),
                generation: tail.generation,
                last_seq: tail.last_seq,
                records: 0,
                log_bytes: tail.len,
                compact_at,
                compact_signalled: false,
            }),
            active: Mutex::new(Active {
                file: tail.file,
                sync: Arc::new(sync),
                generation: tail.generation,
                path: tail.path,
                spare: Vec::with_capacity(64 << 10),
                end: tail.len,
                allocated: tail.allocated.max(tail.len),
            }),
            progress,
            commit: CommitSignal::default(),
            compact_wanted: Notify::new(),
            failed: AtomicBool::new(false),
            leading: AtomicBool::new(false),
            fsyncs: AtomicU64::new(0),
            appended: AtomicU64::new(0),
            failure: Mutex::new(None),
            closed: AtomicBool::new(false),
            journal: Mutex::new(JournalQueue {
                on: false,
                entries: journal,
            }),
        })
    }

    /// True once a write to the log has failed (see the module docs).
    pub(crate) fn has_failed(&self) -> bool {
        self.failed.load(Ordering::Acquire)
    }

    /// The error every write gets once the log has failed.
    pub(crate) fn failure(&self) -> Error {
        let cause = self
            .failure
            .lock()
            .clone()
            .unwrap_or_else(|| "the log failed".to_owned());
        Error::new(
            ErrorKind::Io,
            format!(
                "the file store at {} refuses writes: {cause}. Data in memory may be ahead of \
                 the disk; reopen the store to recover what reached the log",
                self.dir.display()
            ),
        )
    }

    /// Enters the failed state because `what` failed with `cause`; returns the error to report.
    fn fail(&self, what: &str, cause: impl std::fmt::Display) -> Error {
        let message = format!("{what} failed: {cause}");
        tracing::error!(dir = %self.dir.display(), "staunch-file log failure: {message}");
        {
            let mut failure = self.failure.lock();
            if failure.is_none() {
                *failure = Some(message);
            }
        }
        self.failed.store(true, Ordering::Release);
        self.progress.send_modify(|p| p.failed = true);
        self.failure()
    }

    /// Enters the failed state because the committer thread could not be started.
    pub(crate) fn fail_to_start(&self, cause: &std::io::Error) {
        let _ = self.fail("starting the log's committer thread", cause);
    }

    fn closed_error(&self) -> Error {
        Error::new(
            ErrorKind::Unavailable,
            format!("the file store at {} is closed", self.dir.display()),
        )
    }

    /// Takes the buffered records and writes them to the active file (whose mutex the caller
    /// holds); returns the sequence number now written and how many records that was. `close` also marks the log closed,
    /// under the same lock `append` checks it under, so no record can slip in afterwards.
    fn write_out(&self, active: &mut Active, close: bool) -> Result<(u64, u64)> {
        let (upto, records) = {
            let mut pending = self.pending.lock();
            std::mem::swap(&mut pending.buf, &mut active.spare);
            if close {
                self.closed.store(true, Ordering::Release);
            }
            (pending.last_seq, std::mem::take(&mut pending.records))
        };
        if !active.spare.is_empty() {
            let written = active.write_spare();
            active.spare.clear();
            if let Err(e) = written {
                let what = format!("writing to {}", active.path.display());
                return Err(self.fail(&what, e));
            }
        }
        self.progress
            .send_if_modified(|p| bump(&mut p.written, upto));
        Ok((upto, records))
    }

    /// Fails the log when the data directory is no longer the one it was opened in (deleted,
    /// or renamed away and replaced by another): records synced now would not be found by the
    /// next open of that path, so they must not be acknowledged. Checked at every fsync (each
    /// group commit under `Always`, each tick under `EverySec`, close and rotation); a
    /// deleted log file is also caught at every write (see `Active::write_spare`).
    fn check_dir(&self) -> Result<()> {
        let Some(id) = self.dir_id else {
            return Ok(());
        };
        match files::dir_identity(&self.dir) {
            Ok(now) if now == id => Ok(()),
            Ok(_) => Err(self.fail(
                "checking the data directory",
                "it was replaced by another directory while the store was open",
            )),
            Err(e) => Err(self.fail(
                "checking the data directory",
                format!("it is gone ({e}); was it deleted while the store was open?"),
            )),
        }
    }

    /// fsyncs `file` and records that everything up to `upto` is durable.
    fn sync(&self, file: &File, upto: u64) -> Result<()> {
        if self.progress.borrow().durable >= upto {
            return Ok(());
        }
        self.check_dir()?;
        if let Err(e) = file.sync_data() {
            return Err(self.fail("fsync of the log", e));
        }
        self.fsyncs.fetch_add(1, Ordering::Relaxed);
        self.progress
            .send_if_modified(|p| bump(&mut p.durable, upto));
        Ok(())
    }

    /// fsyncs `file` even when everything up to `upto` is durable already (after a trim, the
    /// new size must reach the disk too).
    fn sync_always(&self, file: &File, upto: u64) -> Result<()> {
        self.check_dir()?;
        if let Err(e) = file.sync_data() {
            return Err(self.fail("fsync of the log", e));
        }
        self.fsyncs.fetch_add(1, Ordering::Relaxed);
        self.progress
            .send_if_modified(|p| bump(&mut p.durable, upto));
        Ok(())
    }

    /// Writes everything buffered to the file and, when `sync`, fsyncs it. Safe to call from
    /// any thread at any time; a no-op once the log is closed, an error once it failed.
    /// Returns how many records it wrote.
    pub(crate) fn flush(&self, sync: bool) -> Result<u64> {
        if self.has_failed() {
            return Err(self.failure());
        }
        let (sync_file, upto, records) = {
            let mut guard = self.active.lock();
            if self.is_closed() {
                return Ok(0);
            }
            let (upto, records) = self.write_out(&mut guard, false)?;
            (guard.sync.clone(), upto, records)
        };
        // The fsync runs on the second handle without the mutex: writers that only need
        // `write(2)` are not held up by it.
        if sync {
            self.sync(&sync_file, upto)?;
        }
        Ok(records)
    }

    /// Counters since open.
    pub(crate) fn stats(&self) -> LogStats {
        LogStats {
            records: self.appended.load(Ordering::Relaxed),
            fsyncs: self.fsyncs.load(Ordering::Relaxed),
            log_bytes: self.log_bytes(),
            generation: self.generation(),
        }
    }

    /// Records appended but not yet handed to a flush.
    pub(crate) fn buffered_records(&self) -> u64 {
        self.pending.lock().records
    }

    /// Ends the log: writes and fsyncs what is buffered (under every policy), then refuses
    /// further writes. Idempotent.
    pub(crate) fn close(&self) -> Result<()> {
        if self.has_failed() {
            self.closed.store(true, Ordering::Release);
            return Err(self.failure());
        }
        let mut guard = self.active.lock();
        if self.is_closed() {
            return Ok(());
        }
        let (upto, _) = self.write_out(&mut guard, true)?;
        let file = guard.sync.clone();
        match guard.trim() {
            Ok(true) => self.sync_always(&file, upto),
            Ok(false) => self.sync(&file, upto),
            Err(e) => Err(self.fail(&format!("trimming {}", guard.path.display()), e)),
        }
    }

    /// True once [`Log::close`] ran.
    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// The generation being appended to.
    pub(crate) fn generation(&self) -> u64 {
        self.active.lock().generation
    }

    /// Sets the log size that asks for compaction (`u64::MAX`: never).
    pub(crate) fn set_compact_threshold(&self, bytes: u64) {
        let mut pending = self.pending.lock();
        pending.compact_at = bytes;
        pending.compact_signalled = false;
    }

    /// Current size of the active log, including buffered records.
    pub(crate) fn log_bytes(&self) -> u64 {
        self.pending.lock().log_bytes
    }

    /// Switches to log generation `generation`; returns the sequence number of the last record
    /// in the old generation. Must be called while no write can be appended (under the
    /// engine's read lock; see [`staunch_memory::Engine::snapshot_with`]).
    pub(crate) fn rotate(&self, generation: u64) -> Result<u64> {
        if self.has_failed() {
            return Err(self.failure());
        }
        let mut guard = self.active.lock();
        if self.closed.load(Ordering::Acquire) {
            return Err(self.closed_error());
        }
        let (upto, _) = self.write_out(&mut guard, false)?;
        let file = guard.sync.clone();
        match guard.trim() {
            Ok(true) => self.sync_always(&file, upto)?,
            Ok(false) => self.sync(&file, upto)?,
            Err(e) => return Err(self.fail(&format!("trimming {}", guard.path.display()), e)),
        }
        // The old generation is complete and durable; from here on a failure only means the
        // old file stays active.
        let path = files::log_path(&self.dir, generation);
        let header = FileHeader {
            magic: LOG_MAGIC,
            version: FORMAT_VERSION,
            generation,
            seq: upto,
        }
        .encode();
        let created = files::create_log(&self.dir, &path, &header, SEGMENT_STEP).and_then(|file| {
            let sync = file
                .try_clone()
                .map_err(|e| crate::lock::io_error(e, "reopen", &path))?;
            Ok((file, sync))
        });
        let (file, sync) = match created {
            Ok(pair) => pair,
            Err(e) => {
                // A half-made newer generation would be replayed after records that go on
                // being appended to the old one; it must not survive.
                if files::remove_if_exists(&path).is_err() {
                    return Err(self.fail(&format!("removing {}", path.display()), &e));
                }
                return Err(e);
            }
        };
        guard.file = file;
        guard.sync = Arc::new(sync);
        guard.generation = generation;
        guard.path = path;
        guard.end = HEADER_LEN as u64;
        guard.allocated = SEGMENT_STEP;
        let mut pending = self.pending.lock();
        pending.log_bytes = HEADER_LEN as u64;
        pending.generation = generation;
        pending.compact_signalled = false;
        Ok(upto)
    }
}

/// Raises `slot` to `to`; true if it changed.
fn bump(slot: &mut u64, to: u64) -> bool {
    if to > *slot {
        *slot = to;
        true
    } else {
        false
    }
}

impl Log {
    /// Buffers one record of `kind`; returns where it goes (its sequence number, file and
    /// offset).
    fn push(&self, now_ms: i64, effects: &[Command], kind: RecordKind) -> Result<JournalRef> {
        if self.has_failed() {
            return Err(self.failure());
        }
        let mut pending = self.pending.lock();
        if self.is_closed() {
            return Err(self.closed_error());
        }
        let seq = pending.last_seq + 1;
        let offset = pending.log_bytes;
        match format::push_log_record(&mut pending.buf, seq, now_ms, effects, kind) {
            Ok(len) => {
                let at = JournalRef {
                    seq,
                    at_ms: now_ms,
                    generation: pending.generation,
                    offset,
                    len: (len - format::FRAME_HEADER_LEN) as u32,
                };
                pending.last_seq = seq;
                pending.records += 1;
                self.appended.fetch_add(1, Ordering::Relaxed);
                pending.log_bytes += len as u64;
                if pending.log_bytes >= pending.compact_at && !pending.compact_signalled {
                    pending.compact_signalled = true;
                    self.compact_wanted.notify_one();
                }
                Ok(at)
            }
            Err(cause) => {
                drop(pending);
                Err(self.fail("logging a write", cause))
            }
        }
    }

    /// Makes record `ticket` durable under `Always` on a multi-threaded runtime, leader and
    /// followers: the first writer that finds no commit running leads one on its own thread
    /// (in `block_in_place`, so the runtime moves its other tasks elsewhere): one `pwrite` of
    /// everything buffered, one `fdatasync`. Writers arriving meanwhile append and wait; when
    /// the leader steps down, one of those whose records are still not durable leads the next
    /// commit, which carries all of them. So a lone writer commits with no thread hand-off at
    /// all (a wake-up of another thread is what a busy machine makes slowest), and many
    /// writers share each fsync (group commit) without a thread in between.
    async fn lead_commits(&self, ticket: u64) -> Result<()> {
        let mut progress = self.progress.subscribe();
        loop {
            {
                let p = progress.borrow_and_update();
                if p.durable >= ticket {
                    return Ok(());
                }
                if p.failed {
                    return Err(self.failure());
                }
            }
            // While closing, `close` makes everything durable itself; wait for it.
            if !self.is_closed()
                && self
                    .leading
                    .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
                    .is_ok()
            {
                let result = tokio::task::block_in_place(|| self.flush(true));
                self.leading.store(false, Ordering::Release);
                // Wakes the writers waiting on this commit (`send_modify` always notifies),
                // so one whose record it missed can lead the next.
                self.progress.send_modify(|_| {});
                result?;
                continue;
            }
            if progress.changed().await.is_err() {
                return Err(self.failure());
            }
        }
    }

    /// Copies of up to `max` journaled records waiting for replay, read back from the files
    /// (written out first if they are still buffered).
    pub(crate) fn journaled(&self, max: usize) -> Result<Vec<JournaledWrite>> {
        let (runs, last) = self.journal.lock().entries.front(max);
        let Some(last) = last else {
            return Ok(Vec::new());
        };
        self.written_through(last)?;
        crate::journal::read_runs(&self.dir, &runs)
    }

    /// Makes sure record `seq` is in the file (not only buffered), so it can be read back.
    fn written_through(&self, seq: u64) -> Result<()> {
        if self.progress.borrow().written < seq {
            self.flush(false)?;
        }
        Ok(())
    }

    /// Drops the journaled records up to and including `seq` from the queue; returns how
    /// many. A run dropped in part is walked in its file to find where its rest starts; if
    /// that read fails the records stay queued (offered again, which the replay's watermark
    /// makes harmless) and the error is logged.
    pub(crate) fn forget_journaled_through(&self, seq: u64) -> usize {
        let result = self
            .written_through(seq)
            .and_then(|()| self.journal.lock().entries.pop_through(&self.dir, seq));
        result.unwrap_or_else(|e| {
            tracing::error!(dir = %self.dir.display(), error = %e, "staunch-file: could not drop replayed journal records; they stay queued");
            0
        })
    }

    /// When the oldest journaled record waiting for replay was written (Unix ms). After part
    /// of a run was replayed this reads one frame (and remembers what it read).
    pub(crate) fn journaled_oldest_ms(&self) -> Option<i64> {
        let first = {
            let journal = self.journal.lock();
            let first = journal.entries.first_run()?;
            if let Some(at_ms) = first.first_at_ms() {
                return Some(at_ms);
            }
            first.only_first()
        };
        self.written_through(first.first_seq()).ok()?;
        let at_ms = crate::journal::read_runs(&self.dir, &[first])
            .ok()?
            .first()?
            .at_ms;
        self.journal
            .lock()
            .entries
            .learn_oldest_ms(first.generation(), first.first_seq(), at_ms);
        Some(at_ms)
    }

    /// The oldest log generation holding a journaled record that waits for replay.
    pub(crate) fn journal_oldest_generation(&self) -> Option<u64> {
        self.journal.lock().entries.oldest_generation()
    }
}

#[async_trait::async_trait]
impl WriteLog for Log {
    fn append(&self, now_ms: i64, effects: Vec<Command>, journaled: bool) -> Result<u64> {
        if !journaled {
            return Ok(self.push(now_ms, &effects, RecordKind::Write)?.seq);
        }
        let at = self.push(now_ms, &effects, RecordKind::Journaled)?;
        self.journal.lock().entries.push_back(at);
        Ok(at.seq)
    }

    fn journaling_changed(&self, now_ms: i64, on: bool) -> Result<Option<u64>> {
        let mut journal = self.journal.lock();
        if on {
            journal.on = true;
            return Ok(None);
        }
        let was_on = std::mem::replace(&mut journal.on, false);
        if !was_on && journal.entries.is_empty() {
            return Ok(None);
        }
        let ticket = self.push(now_ms, &[], RecordKind::JournalEnd)?.seq;
        journal.entries.clear();
        Ok(Some(ticket))
    }

    async fn wait_durable(&self, ticket: u64) -> Result<()> {
        match self.policy {
            FsyncPolicy::Always => {
                if self.progress.borrow().durable >= ticket {
                    return Ok(());
                }
                if can_block_in_place() {
                    return self.lead_commits(ticket).await;
                }
                let mut progress = self.progress.subscribe();
                self.commit.request();
                let reached = progress
                    .wait_for(|p| p.durable >= ticket || p.failed)
                    .await
                    .map(|p| p.durable >= ticket);
                match reached {
                    Ok(true) => Ok(()),
                    _ => Err(self.failure()),
                }
            }
            _ => {
                if self.progress.borrow().written >= ticket {
                    return Ok(());
                }
                self.flush(false)?;
                if self.progress.borrow().written >= ticket {
                    Ok(())
                } else if self.is_closed() {
                    Err(self.closed_error())
                } else {
                    Err(self.failure())
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn command() -> Command {
        Command::IncrBy {
            key: "k".into(),
            delta: 1,
        }
    }

    /// A log whose file cannot be written (opened read-only) fails the write that needed it
    /// and refuses every later one, naming the cause.
    #[tokio::test]
    async fn a_failed_write_fails_the_log_for_good() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = files::log_path(dir.path(), 1);
        std::fs::write(&path, b"").expect("create");
        let read_only = File::open(&path).expect("open read-only");
        for policy in [FsyncPolicy::EverySec, FsyncPolicy::No] {
            let tail = LogTail {
                file: read_only.try_clone().expect("clone"),
                path: path.clone(),
                generation: 1,
                last_seq: 0,
                len: 0,
                allocated: 0,
            };
            let log =
                Log::new(dir.path(), policy, tail, u64::MAX, Default::default()).expect("log");
            let ticket = log
                .append(0, vec![command()], false)
                .expect("append only buffers");
            let err = log.wait_durable(ticket).await.expect_err("the write fails");
            assert_eq!(err.kind(), ErrorKind::Io);
            assert!(err.message().contains("refuses writes"), "{err}");
            assert!(log.has_failed());
            let again = log.append(0, vec![command()], false).expect_err("refused");
            assert!(again.message().contains("writing to"), "{again}");
        }
    }

    #[tokio::test]
    async fn closing_writes_out_and_refuses_appends() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = files::log_path(dir.path(), 1);
        let file = files::create_with_header(dir.path(), &path, &[0u8; HEADER_LEN]).expect("file");
        let tail = LogTail {
            file,
            path: path.clone(),
            generation: 1,
            last_seq: 0,
            len: HEADER_LEN as u64,
            allocated: HEADER_LEN as u64,
        };
        let log = Log::new(
            dir.path(),
            FsyncPolicy::Always,
            tail,
            u64::MAX,
            Default::default(),
        )
        .expect("log");
        log.append(0, vec![command()], false).expect("append");
        // Appending only buffers: nothing reached the file yet.
        assert_eq!(
            std::fs::metadata(&path).expect("stat").len(),
            HEADER_LEN as u64
        );
        log.close().expect("close");
        assert_eq!(
            std::fs::metadata(&path).expect("stat").len(),
            log.log_bytes()
        );
        let err = log.append(0, vec![command()], false).expect_err("closed");
        assert_eq!(err.kind(), ErrorKind::Unavailable);
    }
}
