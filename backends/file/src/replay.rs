//! Loading one data file into the engine: the snapshot's keys, or a log's records.
//!
//! Opening a large store is decoding (reading, two checksums and a bincode decode per frame)
//! plus applying (hash inserts into the engine); a profile of a 1M-record log put about 40% of
//! the time in decoding, 60% in applying. So they run on separate threads: a decoder reads the
//! file and sends batches of decoded frames through bounded channels, and the engine applies
//! them as they arrive. The file is streamed, never held whole in memory, and the channels'
//! bounds keep at most a few batches in flight.
//!
//! A log is applied by two threads (the calling one and a helper), each owning the records
//! whose keys hash to its half: a key's records stay in log order on one thread, and records
//! on different keys commute, so the result is the serial one. A record that spans both
//! halves (a `RENAME` across them, a multi-key batch) or names no key (`FLUSHDB`) is applied
//! alone by the decoder once both appliers have drained, and a log full of those switches to
//! one applier. A snapshot's entries go to one loader (the engine loads a snapshot under one
//! lock).
//!
//! At 5M records the decoder is the critical path, and most of its time is the allocator:
//! each decoded record owns its command, key and value (three or four allocations). Freed by
//! the appliers, those allocations went back to the decoder's glibc arena from other threads,
//! through its locked slow paths; so the appliers hand each applied batch back and the
//! decoder frees it itself (about 17% less CPU for a 5M-record log).
//!
//! Every rule about what the bytes mean (sequence numbers, end markers, torn tails) is applied
//! on the decoder thread, in file order; the applier only applies. While a large file loads,
//! progress is reported through `tracing` (an `info` event every couple of seconds).

use std::path::Path;
use std::sync::Barrier;
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};
use std::time::{Duration, Instant};

use staunch_core::{Command, Error, ErrorKind, Result};
use staunch_memory::Engine;
use staunch_memory::engine::persist::SnapshotEntry;

use crate::format::{self, FRAME_HEADER_LEN, FileHeader, HeaderError, LOG_MAGIC, RecordKind};
use crate::format::{SNAPSHOT_MAGIC, SnapshotFrame};
use crate::journal::JournalRef;
use crate::options::OpenReport;
use crate::reader::{FrameReader, Next};

/// Frames per batch sent from the decoder to the applier.
const BATCH: usize = 512;
/// Batches in flight between the two threads.
const IN_FLIGHT: usize = 8;
/// See `decode_log`: past one record in this many applied alone, replay goes serial.
const SERIAL_AFTER: u64 = 64;
/// How often a long load reports its progress.
const PROGRESS_EVERY: Duration = Duration::from_secs(2);

/// How reading one log ended.
pub(crate) enum LogEnd {
    /// Read to the end of its records (zeros may follow: free space).
    Clean,
    /// Torn at this offset; `bytes` non-zero bytes from there on.
    Torn { at: u64, bytes: u64 },
    /// Damaged at this offset.
    Damaged(u64, String),
}

/// One log's outcome.
pub(crate) struct Scan {
    pub(crate) end: LogEnd,
    /// The file's length.
    pub(crate) file_len: u64,
    /// The end of its last valid record.
    pub(crate) records_end: u64,
    pub(crate) last_seq: u64,
    /// The format version in the file's header (0 when the header did not verify).
    pub(crate) version: u32,
}

/// One decoded log record, as the applier needs it.
struct Decoded {
    offset: u64,
    now_ms: i64,
    effects: Vec<Command>,
}

/// Reads the log at `path` (generation `generation`, continuing record `base_seq`) and replays
/// its records into `engine`; journaled records are queued on `journal`.
pub(crate) fn replay_log(
    path: &Path,
    generation: u64,
    base_seq: u64,
    engine: &Engine,
    report: &mut OpenReport,
    journal: &mut crate::journal::JournalRuns,
) -> Result<Scan> {
    let mut reader = FrameReader::open(path)?;
    let mut scan = Scan {
        end: LogEnd::Clean,
        file_len: reader.len(),
        records_end: 0,
        last_seq: base_seq,
        version: 0,
    };
    if let Some(end) = check_log_header(&mut reader, path, generation, base_seq, &mut scan)? {
        scan.end = end;
        return Ok(scan);
    }
    let (to_first, first) = sync_channel(IN_FLIGHT);
    let (to_second, second) = sync_channel(IN_FLIGHT);
    // Applied batches go back to the decoder, which frees them (and reuses their vectors):
    // memory freed by the thread that allocated it stays in that thread's allocator caches,
    // where frees from another thread made the decoder's allocator the bottleneck of a large
    // replay (see the module docs).
    let (give_back, returned) = channel();
    let barrier = Barrier::new(3);
    let len = reader.len();
    let (decoded, applied) = std::thread::scope(|scope| {
        let decoder = std::thread::Builder::new()
            .name("staunch-file-decode".into())
            .spawn_scoped(scope, || {
                let appliers = Appliers {
                    senders: [to_first, to_second],
                    returned,
                    barrier: &barrier,
                    engine,
                    path,
                };
                decode_log(&mut reader, generation, appliers, scan, journal)
            })
            .map_err(|e| thread_error(&e))?;
        let helper = std::thread::Builder::new()
            .name("staunch-file-apply".into())
            .spawn_scoped(scope, || {
                apply_log(path, engine, second, &give_back.clone(), &barrier, None)
            })
            .map_err(|e| thread_error(&e))?;
        let mut progress = Progress::new(path, "replaying the log", len);
        let applied = apply_log(
            path,
            engine,
            first,
            &give_back,
            &barrier,
            Some(&mut progress),
        );
        let helped = helper.join().map_err(|_| panicked("applying the log"))?;
        let decoded = decoder.join().map_err(|_| panicked("decoding the log"))?;
        Ok::<_, Error>((decoded, applied + helped))
    })?;
    let (scan, records, errors) = decoded?;
    report.records_replayed += records;
    report.replay_errors += applied + errors;
    Ok(scan)
}

/// Verifies a log's header; `Some(end)` when the file ends (or is damaged) right there.
fn check_log_header(
    reader: &mut FrameReader,
    path: &Path,
    generation: u64,
    base_seq: u64,
    scan: &mut Scan,
) -> Result<Option<LogEnd>> {
    let Some(header) = reader.header()? else {
        // Shorter than a header: the process died while creating this file.
        return Ok(Some(LogEnd::Torn {
            at: 0,
            bytes: scan.file_len,
        }));
    };
    Ok(match FileHeader::decode(&header, LOG_MAGIC) {
        Ok(h) if h.generation != generation => Some(LogEnd::Damaged(
            0,
            format!(
                "its header says generation {}, its name {generation}",
                h.generation
            ),
        )),
        Ok(h) if h.seq != base_seq => Some(LogEnd::Damaged(
            0,
            format!(
                "it continues after record {}, but the history before it ends at record \
                 {base_seq} (a log file is missing or foreign)",
                h.seq
            ),
        )),
        Ok(h) => {
            scan.version = h.version;
            scan.records_end = format::HEADER_LEN as u64;
            None
        }
        Err(HeaderError::Newer(version)) => return Err(newer(path, version)),
        Err(HeaderError::Short) => Some(LogEnd::Torn {
            at: 0,
            bytes: scan.file_len,
        }),
        Err(HeaderError::Damaged(reason)) => Some(LogEnd::Damaged(0, reason)),
    })
}

/// What the decoder sends an applier.
enum ToApplier {
    /// Records to apply, in order.
    Batch(Vec<Decoded>),
    /// Finish everything sent before, then meet the decoder at the barrier.
    Barrier,
}

/// The decoder's side of the two appliers (see [`partition`]).
struct Appliers<'a> {
    senders: [SyncSender<ToApplier>; 2],
    /// Batches the appliers are done with.
    returned: Receiver<Vec<Decoded>>,
    barrier: &'a Barrier,
    engine: &'a Engine,
    path: &'a Path,
}

impl Appliers<'_> {
    /// An empty batch: one the appliers gave back (its records freed here), or a new one.
    fn empty_batch(&self) -> Vec<Decoded> {
        match self.returned.try_recv() {
            Ok(mut batch) => {
                batch.clear();
                batch
            }
            Err(_) => Vec::with_capacity(BATCH),
        }
    }

    /// Sends `batch` to applier `to`; false if it is gone (it only goes when it panicked, and
    /// the join reports that).
    fn send(&self, to: usize, batch: Vec<Decoded>) -> bool {
        batch.is_empty() || self.senders[to].send(ToApplier::Batch(batch)).is_ok()
    }

    /// Applies `record` on this thread after both appliers finished everything before it; they
    /// wait for more until the decoder sends it. Returns the replay errors.
    fn apply_alone(&self, pending: &mut [Vec<Decoded>; 2], record: &Decoded) -> Option<u64> {
        for (to, pending) in pending.iter_mut().enumerate() {
            let batch = std::mem::take(pending);
            if !self.send(to, batch) || self.senders[to].send(ToApplier::Barrier).is_err() {
                return None;
            }
        }
        self.barrier.wait();
        Some(apply_record(self.path, self.engine, record))
    }
}

/// Which applier a record goes to: records whose keys all fall in the same half (by a hash
/// of the key) go to that half's applier, so every key's records are applied by one thread in
/// log order, and records on different keys commute. `None` for a record whose keys span
/// both halves, or that names no key (`FLUSHDB`): it is applied alone, after both appliers
/// drained (see [`Appliers::apply_alone`]).
fn partition(effects: &[Command]) -> Option<usize> {
    let mut half = None;
    for effect in effects {
        let keys = effect.keys();
        if keys.is_empty() {
            return None;
        }
        for key in keys {
            let h = (crc32fast::hash(key) & 1) as usize;
            match half {
                None => half = Some(h),
                Some(other) if other != h => return None,
                Some(_) => {}
            }
        }
    }
    half
}

/// The decoder thread of a log: frames to records, in order, checked, sent to the appliers;
/// returns the scan, how many records it read and the replay errors of the records it applied
/// itself.
fn decode_log(
    reader: &mut FrameReader,
    generation: u64,
    appliers: Appliers<'_>,
    mut scan: Scan,
    journal: &mut crate::journal::JournalRuns,
) -> Result<(Scan, u64, u64)> {
    let mut pending: [Vec<Decoded>; 2] = [Vec::with_capacity(BATCH), Vec::with_capacity(BATCH)];
    let mut records = 0u64;
    let mut errors = 0u64;
    let mut alone = 0u64;
    // Once more than one record in SERIAL_AFTER must be applied alone, each costs a meeting of
    // three threads: cheaper then to send everything to one applier, in order.
    let mut serial = false;
    let end = loop {
        let offset = match reader.next()? {
            Next::Frame(offset) => offset,
            Next::End => break LogEnd::Clean,
            Next::Torn { at, bytes } => break LogEnd::Torn { at, bytes },
            Next::Damaged(offset, reason) => break LogEnd::Damaged(offset, reason),
        };
        let record = match format::decode_log_record(reader.payload(), scan.version) {
            Ok(record) => record,
            Err(reason) => break LogEnd::Damaged(offset, reason),
        };
        let due = scan.last_seq.wrapping_add(1);
        if record.seq != due {
            break LogEnd::Damaged(
                offset,
                format!("record number {} where {due} was due", record.seq),
            );
        }
        let payload_len = reader.payload().len();
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
        scan.last_seq = record.seq;
        scan.records_end = offset + (FRAME_HEADER_LEN + payload_len) as u64;
        records += 1;
        if record.effects.is_empty() {
            continue;
        }
        let decoded = Decoded {
            offset,
            now_ms: record.now_ms,
            effects: record.effects,
        };
        let to = if serial {
            0
        } else {
            match partition(&decoded.effects) {
                Some(half) => half,
                None => {
                    let Some(failed) = appliers.apply_alone(&mut pending, &decoded) else {
                        break LogEnd::Clean;
                    };
                    errors += failed;
                    alone += 1;
                    serial = alone * SERIAL_AFTER > records && records > SERIAL_AFTER;
                    if serial {
                        // The second applier drained at the barrier; from here on the first
                        // applies everything.
                        tracing::debug!(
                            "staunch-file: many records span keys; replaying the rest on one thread"
                        );
                    }
                    continue;
                }
            }
        };
        pending[to].push(decoded);
        if pending[to].len() == BATCH {
            let full = std::mem::replace(&mut pending[to], appliers.empty_batch());
            if !appliers.send(to, full) {
                break LogEnd::Clean;
            }
        }
    };
    for (to, batch) in pending.into_iter().enumerate() {
        let _ = appliers.send(to, batch);
    }
    scan.end = end;
    Ok((scan, records, errors))
}

/// Replays one record's effects at its recorded time; returns how many failed (each is also a
/// warning).
fn apply_record(path: &Path, engine: &Engine, record: &Decoded) -> u64 {
    let mut errors = 0;
    for effect in &record.effects {
        if let Err(e) = engine.replay(record.now_ms, effect) {
            errors += 1;
            tracing::warn!(
                file = %path.display(),
                offset = record.offset,
                "staunch-file: replaying {} failed: {e}",
                effect.name()
            );
        }
    }
    errors
}

/// An applier: replays what the decoder sends, in order, meeting it at each barrier; returns
/// how many effects failed. The one given `progress` reports it.
fn apply_log(
    path: &Path,
    engine: &Engine,
    batches: Receiver<ToApplier>,
    give_back: &Sender<Vec<Decoded>>,
    barrier: &Barrier,
    mut progress: Option<&mut Progress<'_>>,
) -> u64 {
    let mut errors = 0;
    for message in batches {
        let batch = match message {
            ToApplier::Batch(batch) => batch,
            ToApplier::Barrier => {
                barrier.wait();
                continue;
            }
        };
        for record in &batch {
            errors += apply_record(path, engine, record);
        }
        if let (Some(progress), Some(last)) = (progress.as_deref_mut(), batch.last()) {
            progress.at(last.offset, batch.len());
        }
        // Once the decoder is gone (the log ended) the batch is simply freed here.
        let _ = give_back.send(batch);
    }
    errors
}

/// A snapshot as read.
pub(crate) struct Snapshot {
    pub(crate) generation: u64,
    pub(crate) last_seq: u64,
    pub(crate) bytes: u64,
    /// Keys loaded into the engine.
    pub(crate) keys: u64,
}

/// Where reading a snapshot stopped short of its end marker, and why.
struct Damage {
    offset: u64,
    reason: String,
}

/// Reads the snapshot at `path` and loads it into `engine` (replacing its keyspace). Without
/// `repair`, damage is an error; with it, the entries before the damage are kept, and the
/// damage is returned as `(offset, reason)` for the caller to set aside.
pub(crate) fn load_snapshot(
    path: &Path,
    engine: &Engine,
) -> Result<(Snapshot, Option<(u64, String)>)> {
    let mut reader = FrameReader::open(path)?;
    let bytes = reader.len();
    let header = match reader.header()? {
        Some(header) => FileHeader::decode(&header, SNAPSHOT_MAGIC),
        None => Err(HeaderError::Short),
    };
    let header = match header {
        Ok(header) => header,
        Err(HeaderError::Newer(version)) => return Err(newer(path, version)),
        Err(HeaderError::Short) => return Err(bad_snapshot_header(path, "it is too short")),
        Err(HeaderError::Damaged(reason)) => return Err(bad_snapshot_header(path, &reason)),
    };
    let (sender, receiver) = sync_channel::<Vec<(u64, SnapshotEntry)>>(IN_FLIGHT);
    let (damage, keys) = std::thread::scope(|scope| {
        let decoder = std::thread::Builder::new()
            .name("staunch-file-decode".into())
            .spawn_scoped(scope, || decode_snapshot(&mut reader, bytes, sender))
            .map_err(|e| thread_error(&e))?;
        let mut progress = Progress::new(path, "loading the snapshot", bytes);
        let entries = receiver.into_iter().flat_map(|batch| {
            if let Some((offset, _)) = batch.last() {
                progress.at(*offset, batch.len());
            }
            batch.into_iter().map(|(_, entry)| entry)
        });
        let keys = engine.load(entries) as u64;
        let damage = decoder
            .join()
            .map_err(|_| panicked("decoding the snapshot"))?;
        Ok::<_, Error>((damage, keys))
    })?;
    let snapshot = Snapshot {
        generation: header.generation,
        last_seq: header.seq,
        bytes,
        keys,
    };
    Ok((snapshot, damage?.map(|d| (d.offset, d.reason))))
}

/// The decoder thread of a snapshot: sends its entries in batches; returns where it stopped
/// short of a valid end marker, if it did.
fn decode_snapshot(
    reader: &mut FrameReader,
    bytes: u64,
    sender: SyncSender<Vec<(u64, SnapshotEntry)>>,
) -> Result<Option<Damage>> {
    let mut batch = Vec::with_capacity(BATCH);
    let mut count = 0u64;
    let damage = loop {
        let offset = match reader.next()? {
            Next::Frame(offset) => offset,
            Next::End => break (bytes, "it ends without its end marker".to_owned()),
            Next::Torn { at, .. } => break (at, "it ends inside an entry".to_owned()),
            Next::Damaged(offset, reason) => break (offset, reason),
        };
        match format::decode_snapshot_frame(reader.payload()) {
            Ok(SnapshotFrame::Entry(entry)) => {
                count += 1;
                batch.push((offset, entry));
                if batch.len() == BATCH {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                    if sender.send(full).is_err() {
                        break (offset, "the loader stopped".to_owned());
                    }
                }
            }
            Ok(SnapshotFrame::End { entries }) => {
                let end = offset + (reader.payload().len() + FRAME_HEADER_LEN) as u64;
                if entries != count {
                    break (
                        offset,
                        format!("its end marker counts {entries} keys, {count} came before"),
                    );
                }
                if end != bytes {
                    break (end, "bytes follow its end marker".to_owned());
                }
                if !batch.is_empty() {
                    let _ = sender.send(batch);
                }
                return Ok(None);
            }
            Err(reason) => break (offset, reason),
        }
    };
    if !batch.is_empty() {
        let _ = sender.send(batch);
    }
    Ok(Some(Damage {
        offset: damage.0,
        reason: damage.1,
    }))
}

/// Reports a long load's progress through `tracing`, at most every [`PROGRESS_EVERY`].
struct Progress<'a> {
    path: &'a Path,
    what: &'static str,
    len: u64,
    started: Instant,
    last: Instant,
    frames: u64,
}

impl<'a> Progress<'a> {
    fn new(path: &'a Path, what: &'static str, len: u64) -> Self {
        let now = Instant::now();
        Progress {
            path,
            what,
            len,
            started: now,
            last: now,
            frames: 0,
        }
    }

    /// `frames` more were applied, the last of them at byte `offset`.
    fn at(&mut self, offset: u64, frames: usize) {
        self.frames += frames as u64;
        if self.last.elapsed() < PROGRESS_EVERY {
            return;
        }
        self.last = Instant::now();
        let percent = if self.len > 0 {
            offset as f64 * 100.0 / self.len as f64
        } else {
            0.0
        };
        tracing::info!(
            file = %self.path.display(),
            frames = self.frames,
            bytes = offset,
            of_bytes = self.len,
            elapsed = ?self.started.elapsed(),
            "staunch-file: {} ({percent:.0}%)",
            self.what
        );
    }
}

pub(crate) fn newer(path: &Path, version: u32) -> Error {
    Error::new(
        ErrorKind::InvalidInput,
        format!(
            "{} was written in format version {version}, newer than this build of staunch \
             understands (up to version {}); open it with a newer staunch",
            path.display(),
            format::FORMAT_VERSION
        ),
    )
}

fn bad_snapshot_header(path: &Path, reason: &str) -> Error {
    Error::new(
        ErrorKind::Corrupt,
        format!(
            "snapshot {} is damaged at byte offset 0 (its header: {reason}). Repair cannot \
             help: the header says which logs continue it",
            path.display()
        ),
    )
}

fn thread_error(e: &std::io::Error) -> Error {
    Error::new(
        ErrorKind::Io,
        format!("cannot start a thread to read the store: {e}"),
    )
}

fn panicked(what: &str) -> Error {
    Error::new(ErrorKind::Internal, format!("{what} panicked"))
}
