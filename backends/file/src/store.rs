//! [`FileStore`]: the memory engine as a [`Store`], made durable by the log.
//!
//! The store adds no command semantics of its own: every command runs in
//! [`staunch_memory::Engine`], which reports each successful write to the store's log (see
//! `log`) under its lock and waits for the log before answering. What this file adds is the
//! life cycle: lock the directory, recover, start the background tasks, refuse writes once the
//! log has failed, close.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use staunch_core::{
    Call, Capabilities, Command, Error, ErrorKind, Eviction, Execution, Name, Persistence,
    PubSubReach, Reply, Result, Store, Subscription,
};
use staunch_memory::{Engine, WriteLog};

use crate::compact::Compactor;
use crate::journal::JournaledWrite;
use crate::lock::{DirLock, io_error};
use crate::log::Log;
use crate::options::{CompactionReport, FileOptions, LogStats, OpenReport};
use crate::recovery;
use crate::tasks::Background;

/// A durable store with Redis semantics in a local directory. Clones share the same store.
///
/// ```no_run
/// use staunch_core::prelude::*;
/// use staunch_file::{FileOptions, FileStore, FsyncPolicy};
///
/// # async fn demo() -> staunch_core::Result<()> {
/// let store = FileStore::open_with("data/app", FileOptions::new().fsync(FsyncPolicy::Always)).await?;
/// println!("opened in {:?}", store.open_report().duration);
/// store.set("greeting", "hello").await?;
/// store.close().await?;
/// # Ok(()) }
/// ```
///
/// # Behavior
/// - Every command behaves as on the memory backend (they share the engine).
/// - A write is acknowledged only after its record reached the log as the
///   [`FsyncPolicy`](crate::FsyncPolicy) promises; killing the process never loses an
///   acknowledged write, under any policy.
/// - If the log cannot be written, that write fails with `ErrorKind::Io` and so does every
///   later write; reads keep working. The failed write *was* applied in memory, so reads may
///   show it until the store is reopened (which recovers exactly what the log holds).
/// - After [`FileStore::close`], every call fails with `ErrorKind::Unavailable`.
/// - A batch is applied atomically in memory and logged as one record, so after a crash
///   either all of its writes are there or none are.
#[derive(Clone, Debug)]
pub struct FileStore {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    dir: PathBuf,
    engine: Engine,
    log: Arc<Log>,
    compactor: Arc<Compactor>,
    report: OpenReport,
    background: tokio::sync::Mutex<Background>,
    /// [`FileOptions::write_limit`].
    write_limit: u64,
}

impl FileStore {
    /// Opens (creating if needed) the store in `dir` with the default options.
    pub async fn open(dir: impl AsRef<Path>) -> Result<FileStore> {
        FileStore::open_with(dir, FileOptions::default()).await
    }

    /// Opens (creating if needed) the store in `dir`.
    ///
    /// # Errors
    /// - `Locked` when another process, or another open store in this process, holds `dir`.
    /// - `Corrupt` when the data is damaged other than by a torn last write, naming the file
    ///   and byte offset (unless [`FileOptions::repair`] is set).
    /// - `InvalidInput` when a file was written by a newer format version.
    /// - `Io` when the directory cannot be created, read or written.
    pub async fn open_with(dir: impl AsRef<Path>, options: FileOptions) -> Result<FileStore> {
        let dir = dir.as_ref().to_path_buf();
        tokio::task::spawn_blocking(move || FileStore::open_blocking(dir, options))
            .await
            .map_err(|e| {
                Error::new(
                    ErrorKind::Internal,
                    format!("opening the file store panicked: {e}"),
                )
            })?
    }

    fn open_blocking(dir: PathBuf, options: FileOptions) -> Result<FileStore> {
        let started = Instant::now();
        std::fs::create_dir_all(&dir).map_err(|e| io_error(e, "create", &dir))?;
        let lock = DirLock::acquire(&dir)?;
        let engine = Engine::new(options.clock.clone());
        let recovered = recovery::recover(&dir, &engine, &options)?;
        let log = Arc::new(Log::new(
            &dir,
            options.fsync,
            recovered.tail,
            u64::MAX,
            recovered.journal,
        )?);
        engine.set_write_log(Some(log.clone() as Arc<dyn WriteLog>));
        let compactor = Arc::new(Compactor::new(
            &dir,
            engine.clone(),
            log.clone(),
            options.clone(),
            lock,
        ));
        let mut report = recovered.report;
        if report.repaired_bytes_dropped > 0 {
            // Leave a clean directory behind: a new snapshot of what was kept and a fresh log,
            // so the next open does not meet the damage again.
            compactor.compact()?;
        } else {
            compactor.arm(recovered.snapshot_bytes);
        }
        let background = Background::start(
            engine.clone(),
            log.clone(),
            compactor.clone(),
            options.fsync,
            options.sync_interval,
            options.purge_interval,
        );
        report.duration = started.elapsed();
        Ok(FileStore {
            inner: Arc::new(Inner {
                dir,
                engine,
                log,
                compactor,
                report,
                background: tokio::sync::Mutex::new(background),
                write_limit: options.write_limit(),
            }),
        })
    }

    /// What opening found and did: records replayed, torn bytes cut, bytes repair dropped,
    /// the time it took.
    pub fn open_report(&self) -> &OpenReport {
        &self.inner.report
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }

    /// Writes a snapshot of the live data and starts a new log, now (it also happens by itself
    /// when the log outgrows [`FileOptions::compact_ratio`] times the last snapshot).
    pub async fn compact(&self) -> Result<CompactionReport> {
        self.check_open()?;
        let compactor = self.inner.compactor.clone();
        tokio::task::spawn_blocking(move || compactor.compact())
            .await
            .map_err(|e| Error::new(ErrorKind::Internal, format!("compaction panicked: {e}")))?
    }

    /// Size of the current log file in bytes (including writes not yet flushed).
    pub fn log_bytes(&self) -> u64 {
        self.inner.log.log_bytes()
    }

    /// Counters of the log since open: records, fsyncs (their ratio shows group commit at
    /// work), size, generation.
    pub fn log_stats(&self) -> LogStats {
        self.inner.log.stats()
    }

    /// Stops the background tasks, writes and fsyncs everything, and releases the directory
    /// lock, so the directory can be opened again (here or by another process). Every handle
    /// of this store fails afterwards. Idempotent.
    pub async fn close(&self) -> Result<()> {
        self.inner.background.lock().await.stop().await;
        let log = self.inner.log.clone();
        let result = tokio::task::spawn_blocking(move || log.close())
            .await
            .map_err(|e| Error::new(ErrorKind::Internal, format!("closing panicked: {e}")))?;
        let compactor = self.inner.compactor.clone();
        tokio::task::spawn_blocking(move || compactor.release_lock())
            .await
            .map_err(|e| Error::new(ErrorKind::Internal, format!("closing panicked: {e}")))?;
        result
    }

    /// Starts journaling (see the crate's `journal` module): from now on every write is
    /// recorded in replayable form and queued for [`FileStore::journaled`], until
    /// [`FileStore::stop_journaling`]. This is how `staunch::failover::Failover` keeps the
    /// writes of an outage with one log append each.
    ///
    /// # Behavior
    ///
    /// - Writes that run after this returns are journaled; none that ran before.
    /// - Compaction goes on meanwhile; the log files holding journaled writes that wait for
    ///   replay are kept until they are replayed or the journal ends.
    pub fn start_journaling(&self) -> Result<()> {
        self.check_open()?;
        self.inner.engine.start_journaling()
    }

    /// Stops journaling and ends the journal: a journal-end record is logged (durable as the
    /// fsync policy promises when this returns) and the queue is emptied, so a later open does
    /// not offer those writes for replay again. Call it once everything journaled was
    /// replayed.
    pub async fn stop_journaling(&self) -> Result<()> {
        self.check_open()?;
        self.inner.engine.stop_journaling().await
    }

    /// True while journaling is on.
    pub fn is_journaling(&self) -> bool {
        self.inner.log.journal.lock().on
    }

    /// Copies of up to `max` journaled writes waiting for replay, oldest first. After an
    /// open, the writes journaled before a crash (since the last journal end) are here.
    ///
    /// The writes are read back from the log files (only their positions are kept in
    /// memory), so this can fail with an I/O or `Corrupt` error.
    pub fn journaled(&self, max: usize) -> Result<Vec<JournaledWrite>> {
        self.check_open()?;
        self.inner.log.journaled(max)
    }

    /// How many journaled writes wait for replay.
    pub fn journaled_len(&self) -> usize {
        self.inner.log.journal.lock().entries.len()
    }

    /// When the oldest journaled write waiting for replay ran (Unix ms).
    pub fn journaled_oldest_ms(&self) -> Option<i64> {
        self.inner.log.journaled_oldest_ms()
    }

    /// Drops the journaled writes up to and including `seq` from the queue (they were
    /// replayed); returns how many. Nothing is written: until [`FileStore::stop_journaling`]
    /// a crash offers them again, and the replay's own bookkeeping skips them.
    pub fn forget_journaled_through(&self, seq: u64) -> usize {
        self.inner.log.forget_journaled_through(seq)
    }

    /// How many runs of adjacent log records the journal queue holds: what it costs in
    /// memory, whatever the number of writes (see the crate's `journal` module).
    #[doc(hidden)]
    pub fn journaled_runs(&self) -> usize {
        self.inner.log.journal.lock().entries.runs()
    }

    async fn execute_owned(&self, command: Command) -> Result<Reply> {
        self.check_writable(&command)?;
        self.check_size(std::iter::once(&command))?;
        let reply = self.inner.engine.execute(command).await;
        // Most commands finish without ever waiting (reads, and writes under `everysec`/`no`),
        // so a tight loop of them would never yield and could starve the compactor and the
        // purger on the same runtime; spend tokio's cooperative budget like I/O does.
        tokio::task::coop::consume_budget().await;
        reply
    }

    fn check_open(&self) -> Result<()> {
        if self.inner.log.is_closed() {
            return Err(Error::new(
                ErrorKind::Unavailable,
                format!("the file store at {} is closed", self.inner.dir.display()),
            ));
        }
        Ok(())
    }

    /// Refuses a write up front once the log has failed, so the engine does not apply it.
    fn check_writable(&self, command: &Command) -> Result<()> {
        self.check_open()?;
        if command.is_write() && self.inner.log.has_failed() {
            return Err(self.inner.log.failure());
        }
        Ok(())
    }

    /// Refuses writes larger than [`FileOptions::max_write_bytes`] before the engine applies
    /// them: a record too large for the log would otherwise fail the log after the change
    /// was made in memory.
    fn check_size<'a>(&self, commands: impl IntoIterator<Item = &'a Command>) -> Result<()> {
        let mut total: u64 = 0;
        for command in commands.into_iter().filter(|c| c.is_write()) {
            total = total.saturating_add(crate::format::encoded_len(command) as u64);
        }
        if total > self.inner.write_limit {
            return Err(Error::invalid(format!(
                "the write is {total} bytes, more than the file store's limit of {} bytes \
                 (FileOptions::max_write_bytes); nothing was written",
                self.inner.write_limit
            )));
        }
        Ok(())
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        // The last handle is gone: write out and fsync what is buffered (acknowledged writes
        // are already in the file; this covers writes whose caller stopped waiting).
        if let Err(e) = self.log.close() {
            tracing::warn!(dir = %self.dir.display(), "staunch-file: closing the log failed: {e}");
        }
        // Release the directory now rather than when the background tasks notice they were
        // stopped, so the directory can be reopened as soon as the last handle is gone. A
        // compaction still running finishes first; none can start (the log is closed).
        self.compactor.release_lock();
    }
}

#[async_trait]
impl Store for FileStore {
    /// A borrowed read (`GET`, `HGET`, `SISMEMBER`, `ZSCORE`) is answered at once, as on the
    /// memory store: it logs nothing and waits for nothing. Everything else takes the owned
    /// path, where a write waits for its log record to be as durable as the policy promises.
    /// (The engine declines borrowed writes when a log is installed.) Reads answered this way
    /// spend no cooperative budget: a loop of nothing but reads makes no work for the
    /// compactor, and expired keys it meets are dropped as it reads them.
    fn call(&self, call: Call<'_>) -> Execution<'_> {
        if let Call::Borrowed(command) = &call
            && !self.inner.log.is_closed()
            && let Some(reply) = self.inner.engine.execute_ref(command)
        {
            return Execution::ready(reply);
        }
        Execution::pending(self.execute_owned(call.into_owned()))
    }

    async fn batch(&self, commands: Vec<Command>, _atomic: bool) -> Result<Vec<Result<Reply>>> {
        for command in &commands {
            self.check_writable(command)?;
        }
        self.check_size(&commands)?;
        let replies = self.inner.engine.batch(commands).await;
        tokio::task::coop::consume_budget().await;
        replies
    }

    async fn subscribe(&self, channels: Vec<Name>, patterns: Vec<Name>) -> Result<Subscription> {
        self.check_open()?;
        Ok(self.inner.engine.subscribe(channels, patterns))
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::new(Persistence::Local, PubSubReach::Process, Eviction::None)
    }
}
