//! [`FileOptions`], [`FsyncPolicy`] and what opening a store reports ([`OpenReport`]).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use staunch_core::{Clock, SystemClock};

pub use staunch_core::FsyncPolicy;

/// How a [`FileStore`](crate::FileStore) is opened.
///
/// ```
/// use staunch_file::{FileOptions, FsyncPolicy};
///
/// let options = FileOptions::new()
///     .fsync(FsyncPolicy::Always)
///     .compact_ratio(4.0)
///     .repair(false);
/// # let _ = options;
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct FileOptions {
    /// When the log is forced to disk (default [`FsyncPolicy::EverySec`]).
    pub fsync: FsyncPolicy,
    /// Compact when the log is larger than this multiple of the last snapshot (default 2.0) ...
    pub compact_ratio: f64,
    /// ... and larger than this many bytes (default 64 MiB, as Redis's
    /// `auto-aof-rewrite-min-size`).
    pub compact_min_bytes: u64,
    /// Whether compaction runs by itself (default true). [`FileStore::compact`] works either
    /// way.
    ///
    /// [`FileStore::compact`]: crate::FileStore::compact
    pub auto_compact: bool,
    /// Open a damaged store anyway, keeping the valid prefix of its history and setting the
    /// damaged bytes aside (default false: damage is an `ErrorKind::Corrupt` error).
    pub repair: bool,
    /// Where "now" comes from (default: the system clock). Tests inject a `ManualClock`.
    pub clock: Arc<dyn Clock>,
    /// How often expired keys are reclaimed in the background (default 100 ms). Expired keys
    /// are invisible regardless.
    pub purge_interval: Duration,
    /// The background fsync period of [`FsyncPolicy::EverySec`] (default 1 s). Under `No` the
    /// same period bounds how long an unacknowledged buffered write waits to be written.
    pub sync_interval: Duration,
    /// The largest write accepted, in bytes of its log record (its values, members, fields
    /// and keys together; a batch counts as one). Default 512 MiB, Redis's largest bulk
    /// string (`proto-max-bulk-len`); at most 1 GiB minus a little, the log's frame limit. A
    /// larger write is refused up front with `ErrorKind::InvalidInput`: it is never applied,
    /// so it neither shows in reads nor stops the log.
    pub max_write_bytes: u64,
}

/// The default of [`FileOptions::max_write_bytes`]: 512 MiB, as Redis.
pub const DEFAULT_MAX_WRITE_BYTES: u64 = 512 << 20;

impl Default for FileOptions {
    fn default() -> Self {
        FileOptions {
            fsync: FsyncPolicy::default(),
            compact_ratio: 2.0,
            compact_min_bytes: 64 << 20,
            auto_compact: true,
            repair: false,
            clock: Arc::new(SystemClock),
            purge_interval: Duration::from_millis(100),
            sync_interval: Duration::from_secs(1),
            max_write_bytes: DEFAULT_MAX_WRITE_BYTES,
        }
    }
}

impl FileOptions {
    /// The defaults (see each field).
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the fsync policy.
    pub fn fsync(mut self, policy: FsyncPolicy) -> Self {
        self.fsync = policy;
        self
    }

    /// Sets the log-to-snapshot size ratio that triggers compaction (values below 1 act as 1).
    pub fn compact_ratio(mut self, ratio: f64) -> Self {
        self.compact_ratio = ratio;
        self
    }

    /// Sets the log size below which compaction never runs by itself.
    pub fn compact_min_bytes(mut self, bytes: u64) -> Self {
        self.compact_min_bytes = bytes;
        self
    }

    /// Turns automatic compaction on or off.
    pub fn auto_compact(mut self, on: bool) -> Self {
        self.auto_compact = on;
        self
    }

    /// Opens damaged stores by keeping their valid prefix (see [`FileOptions::repair`]).
    pub fn repair(mut self, on: bool) -> Self {
        self.repair = on;
        self
    }

    /// Uses `clock` for expiry and for the times recorded in the log.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Sets the purge interval.
    pub fn purge_interval(mut self, interval: Duration) -> Self {
        self.purge_interval = interval;
        self
    }

    /// Sets the background fsync period of `EverySec`.
    pub fn sync_interval(mut self, interval: Duration) -> Self {
        self.sync_interval = interval;
        self
    }

    /// Sets [`FileOptions::max_write_bytes`] (capped at the log's frame limit).
    pub fn max_write_bytes(mut self, bytes: u64) -> Self {
        self.max_write_bytes = bytes;
        self
    }

    /// [`FileOptions::max_write_bytes`] as it applies: within the log's frame limit, less
    /// room for the record's own fields.
    pub(crate) fn write_limit(&self) -> u64 {
        self.max_write_bytes
            .min(u64::from(crate::format::MAX_FRAME) - 4096)
    }

    /// The log size that triggers compaction, given the last snapshot's size.
    pub(crate) fn compact_threshold(&self, snapshot_bytes: u64) -> u64 {
        let ratio = if self.compact_ratio.is_finite() {
            self.compact_ratio.max(1.0)
        } else {
            f64::MAX
        };
        let by_ratio = (snapshot_bytes as f64 * ratio).min(u64::MAX as f64) as u64;
        by_ratio.max(self.compact_min_bytes)
    }
}

/// What opening a store found and did.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct OpenReport {
    /// Keys loaded from the snapshot.
    pub snapshot_keys: u64,
    /// Log records replayed on top of it.
    pub records_replayed: u64,
    /// Replayed commands that failed (zero unless the log and the engine disagree; each is
    /// also a `tracing` warning).
    pub replay_errors: u64,
    /// Bytes of a torn last record cut from the end of the log (a crash during a write). The
    /// zeros after the last record, the space a log is sized ahead by, are not counted.
    pub torn_bytes_truncated: u64,
    /// Bytes dropped by `repair` (damaged records and everything after them).
    pub repaired_bytes_dropped: u64,
    /// Where repair put the bytes it dropped, so nothing is destroyed.
    pub set_aside: Vec<PathBuf>,
    /// Log files read.
    pub log_files: u64,
    /// Time the whole open took.
    pub duration: Duration,
}

/// What one compaction did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CompactionReport {
    /// Keys written to the new snapshot.
    pub keys: u64,
    /// Size of the new snapshot in bytes.
    pub snapshot_bytes: u64,
    /// Log bytes the compaction made unnecessary (removed).
    pub log_bytes_removed: u64,
    /// Time it took.
    pub duration: Duration,
    /// Always false now: compaction no longer waits for a journal (the logs holding journaled
    /// records waiting for replay are kept instead, see [`FileStore::start_journaling`]). Kept
    /// so code reading it still compiles.
    ///
    /// [`FileStore::start_journaling`]: crate::FileStore::start_journaling
    pub deferred_for_journal: bool,
}

/// Counters of a store's log since it was opened (see [`FileStore::log_stats`]).
///
/// `records / fsyncs` under [`FsyncPolicy::Always`] is group commit made visible: how many
/// writes shared each fsync.
///
/// [`FileStore::log_stats`]: crate::FileStore::log_stats
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LogStats {
    /// Log records appended (one per write command).
    pub records: u64,
    /// fsyncs of the log (by any policy, including close and compaction).
    pub fsyncs: u64,
    /// Size of the current log file, including records not yet written.
    pub log_bytes: u64,
    /// The current log generation (it grows by one with each compaction).
    pub generation: u64,
}
