//! Compaction: write the live data as a new snapshot and start the log afresh.
//!
//! # Steps, and why a crash at any of them is harmless
//!
//! 1. Under the engine's read lock, copy every live key and rotate the log to generation
//!    `g+1`, whose header says it follows record `s`, the last one the copy includes. The old
//!    log is written out and fsynced first, and the new file and its directory entry are
//!    fsynced before any record goes into it.
//!    *Crash now:* the old snapshot, logs up to `g` and an empty or growing `g+1` are a
//!    complete history; recovery replays them all.
//! 2. Write the copy to `data.snapshot.tmp` (header: generation `g+1`, last record `s`), fsync.
//!    *Crash now:* the temp file is ignored and removed at open.
//! 3. Rename it over `data.snapshot`, fsync the directory. This is the commit point.
//!    *Crash now:* the new snapshot plus log `g+1` are the history; logs before `g+1` are
//!    leftovers that recovery removes.
//! 4. Delete the logs before `g+1`, except those that still hold journaled records waiting
//!    for replay (from the oldest such generation on; see `journal`).
//!
//! Writers wait only during step 1 (a copy of the key structure, which shares the values'
//! bytes, and one fsync); steps 2 to 4 run beside them.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use parking_lot::Mutex;
use staunch_core::Result;
use staunch_memory::Engine;
use staunch_memory::engine::persist::SnapshotEntry;

use crate::files::{self, SNAPSHOT, SNAPSHOT_TMP};
use crate::format::{self, FORMAT_VERSION, FileHeader, SNAPSHOT_MAGIC, SnapshotFrame};
use crate::lock::{DirLock, io_error};
use crate::log::Log;
use crate::options::{CompactionReport, FileOptions};

/// Runs compactions of one store, one at a time.
#[derive(Debug)]
pub(crate) struct Compactor {
    dir: PathBuf,
    engine: Engine,
    log: Arc<Log>,
    options: FileOptions,
    running: Mutex<()>,
    /// The directory lock lives here, with the one piece of work that can outlast the store's
    /// handles (a compaction on a blocking thread), so it is released only after that work.
    lock: Mutex<Option<DirLock>>,
}

impl Compactor {
    pub(crate) fn new(
        dir: &Path,
        engine: Engine,
        log: Arc<Log>,
        options: FileOptions,
        lock: DirLock,
    ) -> Self {
        Compactor {
            dir: dir.to_path_buf(),
            engine,
            log,
            options,
            running: Mutex::new(()),
            lock: Mutex::new(Some(lock)),
        }
    }

    /// Waits for a running compaction to finish and releases the directory lock.
    pub(crate) fn release_lock(&self) {
        let _no_compaction = self.running.lock();
        self.lock.lock().take();
    }

    /// Sets the log's compaction threshold from the size of the snapshot it follows.
    pub(crate) fn arm(&self, snapshot_bytes: u64) {
        let threshold = if self.options.auto_compact {
            self.options.compact_threshold(snapshot_bytes)
        } else {
            u64::MAX
        };
        self.log.set_compact_threshold(threshold);
    }

    /// Compacts now (blocking; run it off the async threads). See the module docs.
    pub(crate) fn compact(&self) -> Result<CompactionReport> {
        let _one_at_a_time = self.running.lock();
        let started = Instant::now();
        let old_generation = self.log.generation();
        let generation = old_generation.saturating_add(1);
        let (entries, rotated) = self.engine.snapshot_with(|| self.log.rotate(generation));
        let last_seq = rotated?;
        let keys = entries.len() as u64;
        let snapshot_bytes = write_snapshot(&self.dir, generation, last_seq, entries)?;
        // Logs holding journaled records that wait for replay stay (see `journal`): the
        // snapshot has their effects, the replay still needs them as records.
        let keep_from = self.log.journal_oldest_generation().unwrap_or(generation);
        let mut log_bytes_removed = 0;
        for old in files::list_logs(&self.dir)?
            .into_iter()
            .filter(|g| *g < generation.min(keep_from))
        {
            let path = files::log_path(&self.dir, old);
            log_bytes_removed += std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            files::remove_if_exists(&path)?;
        }
        files::sync_dir(&self.dir)?;
        self.arm(snapshot_bytes);
        let report = CompactionReport {
            keys,
            snapshot_bytes,
            log_bytes_removed,
            duration: started.elapsed(),
            deferred_for_journal: false,
        };
        tracing::debug!(dir = %self.dir.display(), ?report, "staunch-file: compacted");
        Ok(report)
    }

    /// The log this compactor rotates.
    pub(crate) fn log(&self) -> &Arc<Log> {
        &self.log
    }
}

/// Writes `entries` as the snapshot of `generation` (steps 2 and 3); returns its size.
pub(crate) fn write_snapshot(
    dir: &Path,
    generation: u64,
    last_seq: u64,
    entries: Vec<SnapshotEntry>,
) -> Result<u64> {
    let tmp = dir.join(SNAPSHOT_TMP);
    let file = File::create(&tmp).map_err(|e| io_error(e, "create", &tmp))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let header = FileHeader {
        magic: SNAPSHOT_MAGIC,
        version: FORMAT_VERSION,
        generation,
        seq: last_seq,
    }
    .encode();
    let write_err = |e: std::io::Error| io_error(e, "write", &tmp);
    out.write_all(&header).map_err(write_err)?;
    let mut bytes = header.len() as u64;
    let mut frame = Vec::with_capacity(4096);
    let count = entries.len() as u64;
    let frames = entries
        .into_iter()
        .map(SnapshotFrame::Entry)
        .chain(std::iter::once(SnapshotFrame::End { entries: count }));
    for item in frames {
        frame.clear();
        format::push_snapshot_frame(&mut frame, &item)
            .map_err(|e| staunch_core::Error::new(staunch_core::ErrorKind::Internal, e))?;
        out.write_all(&frame).map_err(write_err)?;
        bytes += frame.len() as u64;
    }
    let file = out
        .into_inner()
        .map_err(|e| io_error(e.into_error(), "write", &tmp))?;
    file.sync_all().map_err(|e| io_error(e, "fsync", &tmp))?;
    drop(file);
    let target = dir.join(SNAPSHOT);
    std::fs::rename(&tmp, &target).map_err(|e| io_error(e, "rename into place", &tmp))?;
    files::sync_dir(dir)?;
    Ok(bytes)
}
