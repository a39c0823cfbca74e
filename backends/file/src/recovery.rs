//! Opening a data directory: load the snapshot, replay the logs, decide what to do with a torn
//! or damaged end.
//!
//! # The rules
//!
//! - `data.snapshot` (generation `g`, last record `s`) is the state after records `1..=s`;
//!   logs `g, g+1, ...` follow it, each header naming the record its first one follows, and
//!   record numbers run on without a gap. Older logs are leftovers of a compaction that
//!   finished (its snapshot was renamed into place before it could delete them) and are
//!   removed. A leftover `data.snapshot.tmp` is an unfinished snapshot and is removed too.
//! - Each record is replayed at the time it was written (`Engine::replay`), so relative
//!   expiries and lazily expired keys come out exactly as they did the first time.
//! - The last log may end in a **torn** record (the process died during a write): the partial
//!   record is cut off, a `tracing` warning is logged, and the open report counts the bytes.
//!   That write was never acknowledged, so nothing acknowledged is lost.
//! - Anything else is **damage**: a checksum that does not match, a record that does not
//!   decode, a number out of sequence, a missing generation, a torn record that is not at
//!   the very end. Without `repair` the open fails with `ErrorKind::Corrupt` naming the file
//!   and byte offset. With `repair` the valid prefix of the history is kept, the damaged bytes
//!   and everything after them are copied aside (`*.damaged-<ms>`) and reported, and the
//!   store opens with the state as of the last good record.
//! - A file written by a newer format is refused (`ErrorKind::InvalidInput`), repair or not.
//!   An older one is read as it is and never appended to: new records start a new generation.
//! - Journaled records after the last journal end are queued for replay again (see
//!   `journal`).

use std::collections::VecDeque;
use std::path::{Path, PathBuf};

use staunch_core::{Error, ErrorKind, Result};
use staunch_memory::Engine;
use staunch_memory::engine::persist::SnapshotEntry;

use crate::files::{self, SNAPSHOT, SNAPSHOT_TMP};
use crate::format::{
    self, FORMAT_VERSION, FileHeader, HEADER_LEN, HeaderError, LOG_MAGIC, RecordKind,
    SNAPSHOT_MAGIC, SnapshotFrame,
};
use crate::journal::JournalRef;
use crate::log::LogTail;
use crate::options::{FileOptions, OpenReport};
use crate::reader::{FrameReader, Next};

/// What recovery leaves for the store.
#[derive(Debug)]
pub(crate) struct Recovered {
    pub(crate) tail: LogTail,
    pub(crate) snapshot_bytes: u64,
    pub(crate) report: OpenReport,
    /// Journaled records not followed by a journal end, oldest first: the replay still owed.
    pub(crate) journal: VecDeque<JournalRef>,
}

/// How reading one log ended.
enum LogEnd {
    /// Read to the end.
    Clean,
    /// Torn at this offset.
    Torn(u64),
    /// Damaged at this offset.
    Damaged(u64, String),
}

/// One log's outcome.
struct Scan {
    end: LogEnd,
    file_len: u64,
    last_seq: u64,
    /// The format version in the file's header (0 when the header did not verify).
    version: u32,
}

/// Loads `dir` into `engine`. See the module docs.
pub(crate) fn recover(dir: &Path, engine: &Engine, options: &FileOptions) -> Result<Recovered> {
    let mut report = OpenReport::default();
    let now_ms = options.clock.now_ms();
    files::remove_if_exists(&dir.join(SNAPSHOT_TMP))?;

    let snapshot_path = dir.join(SNAPSHOT);
    let (first_generation, mut last_seq, snapshot_bytes) = if snapshot_path.exists() {
        let snapshot = read_snapshot(&snapshot_path, options.repair, now_ms, &mut report)?;
        report.snapshot_keys = engine.load(snapshot.entries) as u64;
        (snapshot.generation, snapshot.last_seq, snapshot.bytes)
    } else {
        (1, 0, 0)
    };

    let mut generations = files::list_logs(dir)?;
    let mut removed_stale = false;
    for generation in generations
        .iter()
        .copied()
        .filter(|g| *g < first_generation)
    {
        files::remove_if_exists(&files::log_path(dir, generation))?;
        removed_stale = true;
    }
    if removed_stale {
        files::sync_dir(dir)?;
    }
    generations.retain(|g| *g >= first_generation);

    // Every generation from the snapshot's on must be there, in a row.
    let mut expected = first_generation;
    let mut kept = Vec::new();
    for (i, &generation) in generations.iter().enumerate() {
        if generation != expected {
            let reason = if i == 0 && first_generation == 1 {
                format!(
                    "{} exists but {} (which it continues) is missing",
                    files::log_path(dir, generation).display(),
                    snapshot_path.display()
                )
            } else {
                format!(
                    "log generation {expected} is missing (the next one present is {generation})"
                )
            };
            if !options.repair {
                return Err(corrupt(format!(
                    "data directory {} is damaged: {reason}; open with repair to keep the \
                     history before the gap",
                    dir.display()
                )));
            }
            for &later in &generations[i..] {
                set_aside_whole(&files::log_path(dir, later), now_ms, &mut report)?;
            }
            break;
        }
        kept.push(generation);
        expected = generation.saturating_add(1);
    }

    let mut tail_generation = None;
    let mut journal = VecDeque::new();
    for (i, &generation) in kept.iter().enumerate() {
        let path = files::log_path(dir, generation);
        let is_last = i + 1 == kept.len();
        report.log_files += 1;
        let scan = replay_log(
            &path,
            generation,
            last_seq,
            engine,
            &mut report,
            &mut journal,
        )?;
        last_seq = scan.last_seq;
        tail_generation = Some((generation, path.clone(), scan.version));
        let (offset, reason) = match scan.end {
            LogEnd::Clean => continue,
            LogEnd::Torn(offset) if is_last => {
                let torn = scan.file_len - offset;
                tracing::warn!(
                    file = %path.display(),
                    offset,
                    bytes = torn,
                    "staunch-file: cutting a torn record off the end of the log (a write \
                     interrupted by a crash; it was never acknowledged)"
                );
                cut_at(dir, &path, generation, offset, last_seq)?;
                report.torn_bytes_truncated += torn;
                break;
            }
            LogEnd::Torn(offset) => (
                offset,
                "the file ends inside a record, but a later log generation exists".to_owned(),
            ),
            LogEnd::Damaged(offset, reason) => (offset, reason),
        };
        if !options.repair {
            return Err(corrupt(format!(
                "log file {} is damaged at byte offset {offset}: {reason}. Open with repair to \
                 keep the {} records before it and set aside the {} bytes from there on{}",
                path.display(),
                last_seq,
                scan.file_len - offset,
                if is_last {
                    ""
                } else {
                    " and the later log files"
                }
            )));
        }
        tracing::warn!(
            file = %path.display(),
            offset,
            "staunch-file repair: dropping a damaged log from this offset on: {reason}"
        );
        report
            .set_aside
            .push(files::set_aside(&path, offset, now_ms)?);
        report.repaired_bytes_dropped += scan.file_len - offset;
        cut_at(dir, &path, generation, offset, last_seq)?;
        for &later in &kept[i + 1..] {
            set_aside_whole(&files::log_path(dir, later), now_ms, &mut report)?;
        }
        break;
    }

    let (generation, path) = match tail_generation {
        // A file is never appended to in a format other than its header's: records of this
        // version go to a new generation after an older file (which stays readable as it is).
        Some((generation, path, version)) if version == FORMAT_VERSION || version == 0 => {
            (generation, path)
        }
        Some((generation, _, _)) => {
            let next = generation.saturating_add(1);
            let path = files::log_path(dir, next);
            files::create_with_header(dir, &path, &log_header(next, last_seq))?;
            (next, path)
        }
        None => {
            let path = files::log_path(dir, first_generation);
            let header = log_header(first_generation, last_seq);
            files::create_with_header(dir, &path, &header)?;
            (first_generation, path)
        }
    };
    let file = files::open_append(&path)?;
    let len = file
        .metadata()
        .map_err(|e| crate::lock::io_error(e, "stat", &path))?
        .len();
    Ok(Recovered {
        tail: LogTail {
            file,
            path,
            generation,
            last_seq,
            len,
        },
        snapshot_bytes,
        report,
        journal,
    })
}

fn corrupt(message: String) -> Error {
    Error::new(ErrorKind::Corrupt, message)
}

fn newer(path: &Path, version: u32) -> Error {
    Error::new(
        ErrorKind::InvalidInput,
        format!(
            "{} was written in format version {version}, newer than this build of staunch \
             understands (up to version {FORMAT_VERSION}); open it with a newer staunch",
            path.display()
        ),
    )
}

fn log_header(generation: u64, seq: u64) -> [u8; HEADER_LEN] {
    FileHeader {
        magic: LOG_MAGIC,
        version: FORMAT_VERSION,
        generation,
        seq,
    }
    .encode()
}

/// Cuts a log at `offset`; a cut inside the header rewrites the header.
fn cut_at(dir: &Path, path: &Path, generation: u64, offset: u64, last_seq: u64) -> Result<()> {
    if offset < HEADER_LEN as u64 {
        files::create_with_header(dir, path, &log_header(generation, last_seq)).map(|_| ())
    } else {
        files::truncate(path, offset)
    }
}

/// Moves a whole log out of the history (repair of a later damage or gap).
fn set_aside_whole(path: &Path, now_ms: i64, report: &mut OpenReport) -> Result<()> {
    let len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".damaged-{now_ms}"));
    let target = PathBuf::from(name);
    std::fs::rename(path, &target).map_err(|e| crate::lock::io_error(e, "rename", path))?;
    if let Some(dir) = path.parent() {
        files::sync_dir(dir)?;
    }
    report.repaired_bytes_dropped += len;
    report.set_aside.push(target);
    Ok(())
}

/// Reads one log and replays its records into `engine`; `base_seq` is the record its first
/// one must follow.
fn replay_log(
    path: &Path,
    generation: u64,
    base_seq: u64,
    engine: &Engine,
    report: &mut OpenReport,
    journal: &mut VecDeque<JournalRef>,
) -> Result<Scan> {
    let mut reader = FrameReader::open(path)?;
    let file_len = reader.len();
    let mut scan = Scan {
        end: LogEnd::Clean,
        file_len,
        last_seq: base_seq,
        version: 0,
    };
    let Some(header) = reader.header()? else {
        // Shorter than a header: the process died while creating this file.
        scan.end = LogEnd::Torn(0);
        return Ok(scan);
    };
    match FileHeader::decode(&header, LOG_MAGIC) {
        Ok(h) if h.generation != generation => {
            scan.end = LogEnd::Damaged(
                0,
                format!(
                    "its header says generation {}, its name {generation}",
                    h.generation
                ),
            );
            return Ok(scan);
        }
        Ok(h) if h.seq != base_seq => {
            scan.end = LogEnd::Damaged(
                0,
                format!(
                    "it continues after record {}, but the history before it ends at record \
                     {base_seq} (a log file is missing or foreign)",
                    h.seq
                ),
            );
            return Ok(scan);
        }
        Ok(h) => scan.version = h.version,
        Err(HeaderError::Newer(version)) => return Err(newer(path, version)),
        Err(HeaderError::Short) => {
            scan.end = LogEnd::Torn(0);
            return Ok(scan);
        }
        Err(HeaderError::Damaged(reason)) => {
            scan.end = LogEnd::Damaged(0, reason);
            return Ok(scan);
        }
    }
    loop {
        let offset = match reader.next()? {
            Next::Frame(offset) => offset,
            Next::End => return Ok(scan),
            Next::Torn(offset) => {
                scan.end = LogEnd::Torn(offset);
                return Ok(scan);
            }
            Next::Damaged(offset, reason) => {
                scan.end = LogEnd::Damaged(offset, reason);
                return Ok(scan);
            }
        };
        let record = match format::decode_log_record(reader.payload(), scan.version) {
            Ok(record) => record,
            Err(reason) => {
                scan.end = LogEnd::Damaged(offset, reason);
                return Ok(scan);
            }
        };
        if record.seq != scan.last_seq.wrapping_add(1) {
            scan.end = LogEnd::Damaged(
                offset,
                format!(
                    "record number {} where {} was due",
                    record.seq,
                    scan.last_seq.wrapping_add(1)
                ),
            );
            return Ok(scan);
        }
        for effect in &record.effects {
            if let Err(e) = engine.replay(record.now_ms, effect) {
                report.replay_errors += 1;
                tracing::warn!(
                    file = %path.display(),
                    offset,
                    "staunch-file: replaying {} failed: {e}",
                    effect.name()
                );
            }
        }
        match record.kind {
            RecordKind::Write => {}
            RecordKind::Journaled => journal.push_back(JournalRef {
                seq: record.seq,
                at_ms: record.now_ms,
                generation,
                offset,
                len: reader.payload().len() as u32,
            }),
            RecordKind::JournalEnd => journal.clear(),
        }
        scan.last_seq = record.seq;
        report.records_replayed += 1;
    }
}

/// A snapshot as read.
struct Snapshot {
    generation: u64,
    last_seq: u64,
    entries: Vec<SnapshotEntry>,
    bytes: u64,
}

fn read_snapshot(
    path: &Path,
    repair: bool,
    now_ms: i64,
    report: &mut OpenReport,
) -> Result<Snapshot> {
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
    let mut entries = Vec::new();
    let (offset, reason) = loop {
        let offset = match reader.next()? {
            Next::Frame(offset) => offset,
            Next::End => break (bytes, "it ends without its end marker".to_owned()),
            Next::Torn(offset) => break (offset, "it ends inside an entry".to_owned()),
            Next::Damaged(offset, reason) => break (offset, reason),
        };
        match format::decode_snapshot_frame(reader.payload()) {
            Ok(SnapshotFrame::Entry(entry)) => entries.push(entry),
            Ok(SnapshotFrame::End { entries: count }) => {
                let end = offset + (reader.payload().len() + format::FRAME_HEADER_LEN) as u64;
                if count != entries.len() as u64 {
                    break (
                        offset,
                        format!(
                            "its end marker counts {count} keys, {} came before",
                            entries.len()
                        ),
                    );
                }
                if end != bytes {
                    break (end, "bytes follow its end marker".to_owned());
                }
                return Ok(Snapshot {
                    generation: header.generation,
                    last_seq: header.seq,
                    entries,
                    bytes,
                });
            }
            Err(reason) => break (offset, reason),
        }
    };
    if !repair {
        return Err(corrupt(format!(
            "snapshot {} is damaged at byte offset {offset}: {reason}. Open with repair to keep \
             the {} keys before it",
            path.display(),
            entries.len()
        )));
    }
    tracing::warn!(
        file = %path.display(),
        offset,
        "staunch-file repair: keeping the {} snapshot entries before a damage: {reason}",
        entries.len()
    );
    if offset < bytes {
        report
            .set_aside
            .push(files::set_aside(path, offset, now_ms)?);
    }
    report.repaired_bytes_dropped += bytes - offset.min(bytes);
    Ok(Snapshot {
        generation: header.generation,
        last_seq: header.seq,
        entries,
        bytes,
    })
}

fn bad_snapshot_header(path: &Path, reason: &str) -> Error {
    corrupt(format!(
        "snapshot {} is damaged at byte offset 0 (its header: {reason}). Repair cannot help: \
         the header says which logs continue it",
        path.display()
    ))
}
