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
//! - Where the journaled records not yet replayed sit in the log is kept in memory as *runs*:
//!   records that follow each other in one log file (which is what journaled records do: while
//!   journaling is on every write is journaled) are one run of a few dozen bytes, whatever
//!   their number. So a long outage costs memory per log file, not per write: ten million
//!   degraded writes hold one run. The replay reads the records back from the files
//!   ([`FileStore::journaled`]), walking frames from the run's start.
//! - [`FileStore::stop_journaling`] appends a [`RecordKind::JournalEnd`] record and empties the
//!   queue: the caller says everything journaled so far was replayed.
//! - Opening a directory rebuilds the queue from the journaled records after the last journal
//!   end, so a crash mid-outage or mid-replay loses nothing the replay still owes.
//! - Compaction goes on while journaling (so a long outage does not stop the store from
//!   folding its log into snapshots): the snapshot takes in the journaled writes' effects as
//!   it takes in any write's, and the log files that still hold journaled records waiting for
//!   replay are *kept* instead of deleted (from the oldest such generation on). Opening a
//!   directory scans those kept logs, older than the snapshot, for journal records only (their
//!   effects are in the snapshot), so the queue survives a restart. Once the journal ends or
//!   its records are replayed, the next compaction (or open) deletes them.
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
    pub(crate) entries: JournalRuns,
}

/// Journaled records that follow each other in one log file: `count` frames from
/// `first_offset`, numbered from `first_seq`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Run {
    generation: u64,
    first_seq: u64,
    first_offset: u64,
    count: u64,
    /// Where the frame after the run's last one starts.
    next_offset: u64,
    /// When the run's first record was written, once known (a partly replayed run learns
    /// it again from the file, see [`JournalRuns::oldest_ms`]).
    first_at_ms: Option<i64>,
}

impl Run {
    fn last_seq(&self) -> u64 {
        self.first_seq + self.count - 1
    }

    /// The log generation the run is in.
    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }

    /// The sequence number of its first record.
    pub(crate) fn first_seq(&self) -> u64 {
        self.first_seq
    }

    /// When its first record was written, if known.
    pub(crate) fn first_at_ms(&self) -> Option<i64> {
        self.first_at_ms
    }

    /// The run cut to its first record.
    pub(crate) fn only_first(&self) -> Run {
        Run { count: 1, ..*self }
    }
}

/// The queue of journaled records as runs (see the module docs): memory per log file, not
/// per record.
#[derive(Debug, Default)]
pub(crate) struct JournalRuns {
    runs: VecDeque<Run>,
    len: u64,
}

impl JournalRuns {
    /// Adds the record at `r`, extending the last run when it follows it.
    pub(crate) fn push_back(&mut self, r: JournalRef) {
        let frame_end = r.offset + (FRAME_HEADER_LEN as u64) + u64::from(r.len);
        self.len += 1;
        if let Some(last) = self.runs.back_mut()
            && last.generation == r.generation
            && last.first_seq + last.count == r.seq
            && last.next_offset == r.offset
        {
            last.count += 1;
            last.next_offset = frame_end;
            return;
        }
        self.runs.push_back(Run {
            generation: r.generation,
            first_seq: r.seq,
            first_offset: r.offset,
            count: 1,
            next_offset: frame_end,
            first_at_ms: Some(r.at_ms),
        });
    }

    /// Forgets every record (the journal ended).
    pub(crate) fn clear(&mut self) {
        self.runs.clear();
        self.len = 0;
    }

    /// Records waiting.
    pub(crate) fn len(&self) -> usize {
        usize::try_from(self.len).unwrap_or(usize::MAX)
    }

    /// True when no record waits.
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// How many runs there are (for tests of the memory bound).
    pub(crate) fn runs(&self) -> usize {
        self.runs.len()
    }

    /// The runs holding the first `max` records, and the sequence number of the last of them.
    pub(crate) fn front(&self, max: usize) -> (Vec<Run>, Option<u64>) {
        let mut left = max as u64;
        let mut out = Vec::new();
        let mut last = None;
        for run in &self.runs {
            if left == 0 {
                break;
            }
            let take = run.count.min(left);
            left -= take;
            last = Some(run.first_seq + take - 1);
            out.push(Run {
                count: take,
                ..*run
            });
        }
        (out, last)
    }

    /// Sets the first run's time, read from the file by the caller.
    pub(crate) fn learn_oldest_ms(&mut self, generation: u64, first_seq: u64, at_ms: i64) {
        if let Some(front) = self.runs.front_mut()
            && front.generation == generation
            && front.first_seq == first_seq
        {
            front.first_at_ms = Some(at_ms);
        }
    }

    /// The first run, for [`read_first`].
    pub(crate) fn first_run(&self) -> Option<Run> {
        self.runs.front().copied()
    }

    /// Drops the records up to and including `seq`; returns how many. A run dropped in part
    /// is walked in its file (frame headers only) to find where its rest starts; the caller
    /// made sure those records were written out.
    pub(crate) fn pop_through(&mut self, dir: &Path, seq: u64) -> Result<usize> {
        let mut dropped = 0u64;
        while let Some(front) = self.runs.front().copied() {
            if front.first_seq > seq {
                break;
            }
            if front.last_seq() <= seq {
                self.runs.pop_front();
                dropped += front.count;
                continue;
            }
            let skip = seq - front.first_seq + 1;
            let offset = match skip_frames(dir, &front, skip) {
                Ok(offset) => offset,
                Err(e) => {
                    self.len -= dropped;
                    return Err(e);
                }
            };
            if let Some(run) = self.runs.front_mut() {
                run.first_seq += skip;
                run.first_offset = offset;
                run.count -= skip;
                run.first_at_ms = None;
            }
            dropped += skip;
            break;
        }
        self.len -= dropped;
        Ok(usize::try_from(dropped).unwrap_or(usize::MAX))
    }
}

fn open_log(dir: &Path, generation: u64) -> Result<(std::path::PathBuf, File)> {
    let path = files::log_path(dir, generation);
    let file = File::open(&path).map_err(|e| crate::lock::io_error(e, "open", &path))?;
    Ok((path, file))
}

fn damaged(path: &Path, seq: u64, offset: u64, why: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::Corrupt,
        format!(
            "journaled record {seq} in {} at byte {offset} cannot be read back: {why}",
            path.display()
        ),
    )
}

/// The payload length of the frame at `offset`, its header checked.
fn frame_len(file: &File, path: &Path, seq: u64, offset: u64) -> Result<usize> {
    let mut header = [0u8; FRAME_HEADER_LEN];
    file.read_exact_at(&mut header, offset)
        .map_err(|e| crate::lock::io_error(e, "read", path))?;
    match format::check_frame_header(&header, u64::MAX) {
        format::FrameCheck::Frame { payload_len } => Ok(payload_len),
        _ => Err(damaged(path, seq, offset, "bad frame header")),
    }
}

/// Where the frame `skip` frames after the start of `run` begins.
fn skip_frames(dir: &Path, run: &Run, skip: u64) -> Result<u64> {
    let (path, file) = open_log(dir, run.generation)?;
    let mut offset = run.first_offset;
    for i in 0..skip {
        let len = frame_len(&file, &path, run.first_seq + i, offset)?;
        offset += (FRAME_HEADER_LEN + len) as u64;
    }
    Ok(offset)
}

/// Reads back the records of `runs` (as [`JournalRuns::front`] cut them), oldest first. The
/// caller made sure they were written out (not only buffered).
pub(crate) fn read_runs(dir: &Path, runs: &[Run]) -> Result<Vec<JournaledWrite>> {
    let mut out = Vec::new();
    let mut frame = Vec::new();
    for run in runs {
        let (path, file) = open_log(dir, run.generation)?;
        let mut offset = run.first_offset;
        for i in 0..run.count {
            let seq = run.first_seq + i;
            let len = frame_len(&file, &path, seq, offset)?;
            frame.resize(FRAME_HEADER_LEN + len, 0);
            file.read_exact_at(&mut frame, offset)
                .map_err(|e| crate::lock::io_error(e, "read", &path))?;
            let (header, payload) = frame.split_at(FRAME_HEADER_LEN);
            if !format::check_payload(header, payload) {
                return Err(damaged(&path, seq, offset, "checksum mismatch"));
            }
            let record = format::decode_log_record(payload, FORMAT_VERSION)
                .map_err(|why| damaged(&path, seq, offset, why))?;
            if record.seq != seq || record.kind != RecordKind::Journaled {
                return Err(damaged(
                    &path,
                    seq,
                    offset,
                    format!("found record {} of kind {:?}", record.seq, record.kind),
                ));
            }
            out.push(JournaledWrite {
                seq,
                at_ms: record.now_ms,
                effects: record.effects,
            });
            offset += (FRAME_HEADER_LEN + len) as u64;
        }
    }
    Ok(out)
}

impl JournalRuns {
    /// The oldest log generation a waiting record is in: compaction and recovery keep the
    /// logs from there on.
    pub(crate) fn oldest_generation(&self) -> Option<u64> {
        self.runs.front().map(|r| r.generation)
    }
}

/// Scans a log older than the snapshot for journal records only (journaled records and
/// journal ends), without applying anything: the snapshot holds their effects.
pub(crate) fn scan_kept_log(path: &Path, generation: u64, journal: &mut JournalRuns) -> Result<()> {
    use crate::reader::{FrameReader, Next};
    let corrupt = |why: String| {
        Error::new(
            ErrorKind::Corrupt,
            format!(
                "log file {} kept for its journal records cannot be read: {why}",
                path.display()
            ),
        )
    };
    let mut reader = FrameReader::open(path)?;
    let Some(header) = reader.header()? else {
        return Ok(());
    };
    let header = format::FileHeader::decode(&header, format::LOG_MAGIC)
        .map_err(|e| corrupt(format!("bad header: {e:?}")))?;
    loop {
        let offset = match reader.next()? {
            Next::Frame(offset) => offset,
            Next::End => return Ok(()),
            Next::Torn { at, .. } => return Err(corrupt(format!("torn record at byte {at}"))),
            Next::Damaged(at, why) => return Err(corrupt(format!("byte {at}: {why}"))),
        };
        let payload_len = reader.payload().len();
        let record = format::decode_log_record(reader.payload(), header.version)
            .map_err(|why| corrupt(format!("byte {offset}: {why}")))?;
        match record.kind {
            RecordKind::Write => {}
            RecordKind::Journaled => journal.push_back(JournalRef {
                seq: record.seq,
                at_ms: record.now_ms,
                generation,
                offset,
                len: payload_len as u32,
            }),
            RecordKind::JournalEnd => journal.clear(),
        }
    }
}
