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
//! - Where the journaled records not yet replayed sit in the log is kept in memory, in order
//!   (about 40 bytes each, not the writes themselves: a long outage must not hold every write
//!   in memory twice); the replay reads them back from the files ([`FileStore::journaled`]).
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
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;

use staunch_core::{Command, Error, ErrorKind, Result};

use crate::files;
use crate::format::{self, FORMAT_VERSION, FRAME_HEADER_LEN, RecordKind};

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

/// Where one journaled record sits in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct JournalRef {
    pub(crate) seq: u64,
    pub(crate) at_ms: i64,
    pub(crate) generation: u64,
    /// Offset of the frame (its header) in the log file of `generation`.
    pub(crate) offset: u64,
    /// Length of the frame's payload.
    pub(crate) len: u32,
}

/// The journaled records waiting for replay, and whether journaling is on.
#[derive(Debug, Default)]
pub(crate) struct JournalQueue {
    pub(crate) on: bool,
    pub(crate) entries: VecDeque<JournalRef>,
}

/// Reads the journaled records `refs` back from the log files in `dir`. The caller made sure
/// they were written out (not only buffered).
pub(crate) fn read_back(dir: &Path, refs: &[JournalRef]) -> Result<Vec<JournaledWrite>> {
    let mut open: Option<(u64, File)> = None;
    let mut out = Vec::with_capacity(refs.len());
    let mut frame = Vec::new();
    for r in refs {
        let path = files::log_path(dir, r.generation);
        if open.as_ref().is_none_or(|(g, _)| *g != r.generation) {
            let file = File::open(&path).map_err(|e| crate::lock::io_error(e, "open", &path))?;
            open = Some((r.generation, file));
        }
        let Some((_, file)) = open.as_ref() else {
            continue;
        };
        frame.resize(FRAME_HEADER_LEN + r.len as usize, 0);
        file.read_exact_at(&mut frame, r.offset)
            .map_err(|e| crate::lock::io_error(e, "read", &path))?;
        let damaged = |why: String| {
            Error::new(
                ErrorKind::Corrupt,
                format!(
                    "journaled record {} in {} at byte {} cannot be read back: {why}",
                    r.seq,
                    path.display(),
                    r.offset
                ),
            )
        };
        let (header, payload) = frame.split_at(FRAME_HEADER_LEN);
        if !format::check_payload(header, payload) {
            return Err(damaged("checksum mismatch".into()));
        }
        let record = format::decode_log_record(payload, FORMAT_VERSION).map_err(damaged)?;
        if record.seq != r.seq || record.kind != RecordKind::Journaled {
            return Err(damaged(format!(
                "found record {} of kind {:?}",
                record.seq, record.kind
            )));
        }
        out.push(JournaledWrite {
            seq: r.seq,
            at_ms: r.at_ms,
            effects: record.effects,
        });
    }
    Ok(out)
}

impl JournalQueue {
    /// True while compaction must wait (see the module docs).
    pub(crate) fn holds_compaction(&self) -> bool {
        self.on || !self.entries.is_empty()
    }
}
