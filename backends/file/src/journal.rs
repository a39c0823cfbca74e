//! Journaling: the log doubling as the replay journal of a `Failover`.
//!
//! A `Failover` with a file store as its local store must remember every write it made while
//! Redis was away, to replay it into Redis later. It could keep a second log for that (and
//! once did), but then every degraded write was appended twice. Instead the store's own log
//! *is* the journal: while journaling is on, the engine records each write's effects in
//! replayable form (`Command::resolve_effects`: a pop as the removal of what it took) and the
//! log marks those records [`RecordKind::Journaled`]. One append, one `write(2)`, one fsync
//! policy serve both purposes.
//!
//! # Rules
//!
//! - The journaled records not yet replayed are also kept in memory, in order: the replay
//!   reads them from there ([`FileStore::journaled`]).
//! - [`FileStore::stop_journaling`] appends a [`RecordKind::JournalEnd`] record and empties the
//!   queue: the caller says everything journaled so far was replayed.
//! - Opening a directory rebuilds the queue from the journaled records after the last journal
//!   end, so a crash mid-outage or mid-replay loses nothing the replay still owes.
//! - Compaction would fold journaled records into the snapshot and lose them as a journal, so
//!   it waits while journaling is on or records wait for replay; the log grows meanwhile, by
//!   what a separate journal would have held.
//!
//! [`RecordKind::Journaled`]: crate::format::RecordKind::Journaled
//! [`RecordKind::JournalEnd`]: crate::format::RecordKind::JournalEnd
//! [`FileStore::journaled`]: crate::FileStore::journaled
//! [`FileStore::stop_journaling`]: crate::FileStore::stop_journaling

use std::collections::VecDeque;

use staunch_core::Command;

/// One write made while the store journaled, as the replay applies it.
#[derive(Debug, Clone, PartialEq)]
pub struct JournaledWrite {
    /// The log record's sequence number: strictly increasing, never reused in a directory.
    pub seq: u64,
    /// When the write ran, in Unix milliseconds.
    pub at_ms: i64,
    /// What it did, with absolute expiries: apply these together, in one atomic step.
    pub effects: Vec<Command>,
}

/// The journaled records waiting for replay, and whether journaling is on.
#[derive(Debug, Default)]
pub(crate) struct JournalQueue {
    pub(crate) on: bool,
    pub(crate) entries: VecDeque<JournaledWrite>,
}

impl JournalQueue {
    /// True while compaction must wait (see the module docs).
    pub(crate) fn holds_compaction(&self) -> bool {
        self.on || !self.entries.is_empty()
    }
}
