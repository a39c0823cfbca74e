//! Opening a data directory: load the snapshot, replay the logs, decide what to do with a torn
//! or damaged end.
//!
//! # The rules
//!
//! - `data.snapshot` (generation `g`, last record `s`) is the state after records `1..=s`;
//!   logs `g, g+1, ...` follow it, each header naming the record its first one follows, and
//!   record numbers run on without a gap. Older logs are leftovers of a compaction that
//!   finished (its snapshot was renamed into place before it could delete them), or logs kept
//!   for the journal records they hold: they are scanned for journal records only (never
//!   applied: the snapshot has their effects), and removed unless a record waiting for replay
//!   is in them. A leftover `data.snapshot.tmp` is an unfinished snapshot and is removed too.
//! - Each record is replayed at the time it was written (`Engine::replay`), so relative
//!   expiries and lazily expired keys come out exactly as they did the first time.
//! - A log is sized ahead of its records (see `log`), so zeros after the last record are its
//!   **free space**: the records end there, nothing is reported, and appending goes on right
//!   after the last record.
//! - The last log may end in a **torn** record (the process or the machine died during a
//!   write): the file ends inside it, or it fails its checksum with one of its sectors still
//!   zero and no valid record after it (`format::tail_verdict`). It is cut off (the file is
//!   truncated there, so no stale byte of it can resurface), a `tracing` warning is logged,
//!   and the open report counts its bytes. Under `Always` that write was never acknowledged;
//!   under `EverySec`/`No` a machine crash may lose what the policy allows.
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

use std::path::{Path, PathBuf};

use staunch_core::{Error, ErrorKind, Result};
use staunch_memory::Engine;

use crate::files::{self, SNAPSHOT, SNAPSHOT_TMP};
use crate::format::{FORMAT_VERSION, FileHeader, HEADER_LEN, LOG_MAGIC};
use crate::log::{LogTail, SEGMENT_STEP};
use crate::options::{FileOptions, OpenReport};
use crate::replay::{self, LogEnd, Snapshot};

/// What recovery leaves for the store.
#[derive(Debug)]
pub(crate) struct Recovered {
    pub(crate) tail: LogTail,
    pub(crate) snapshot_bytes: u64,
    pub(crate) report: OpenReport,
    /// Journaled records not followed by a journal end, oldest first: the replay still owed.
    pub(crate) journal: crate::journal::JournalRuns,
}

/// Loads `dir` into `engine`. See the module docs.
pub(crate) fn recover(dir: &Path, engine: &Engine, options: &FileOptions) -> Result<Recovered> {
    let mut report = OpenReport::default();
    let now_ms = options.clock.now_ms();
    files::remove_if_exists(&dir.join(SNAPSHOT_TMP))?;

    let snapshot_path = dir.join(SNAPSHOT);
    let (first_generation, mut last_seq, snapshot_bytes) = if snapshot_path.exists() {
        let snapshot = read_snapshot(&snapshot_path, engine, options.repair, now_ms, &mut report)?;
        report.snapshot_keys = snapshot.keys;
        (snapshot.generation, snapshot.last_seq, snapshot.bytes)
    } else {
        (1, 0, 0)
    };

    let mut generations = files::list_logs(dir)?;
    // Logs older than the snapshot are either leftovers of a finished compaction or kept for
    // the journal records they hold (see `journal`): scan them for those, in order; the ones
    // no waiting record needs are removed once the live logs were read (a journal end there
    // may release them).
    let older: Vec<u64> = generations
        .iter()
        .copied()
        .filter(|g| *g < first_generation)
        .collect();
    let mut journal = crate::journal::JournalRuns::default();
    for &generation in &older {
        crate::journal::scan_kept_log(&files::log_path(dir, generation), generation, &mut journal)?;
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
    for (i, &generation) in kept.iter().enumerate() {
        let path = files::log_path(dir, generation);
        let is_last = i + 1 == kept.len();
        report.log_files += 1;
        let scan = replay::replay_log(
            &path,
            generation,
            last_seq,
            engine,
            &mut report,
            &mut journal,
        )?;
        last_seq = scan.last_seq;
        tail_generation = Some((generation, path.clone(), scan.version, scan.records_end));
        let (offset, reason) = match scan.end {
            LogEnd::Clean => continue,
            LogEnd::Torn { at, bytes } if is_last => {
                tracing::warn!(
                    file = %path.display(),
                    offset = at,
                    bytes,
                    "staunch-file: cutting a torn record off the end of the log (a write \
                     interrupted by a crash; it was never acknowledged)"
                );
                cut_at(dir, &path, generation, at, last_seq)?;
                report.torn_bytes_truncated += bytes;
                tail_generation = Some((generation, path.clone(), scan.version, at));
                break;
            }
            LogEnd::Torn { at: offset, .. } => (
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
        tail_generation = Some((generation, path.clone(), scan.version, offset));
        for &later in &kept[i + 1..] {
            set_aside_whole(&files::log_path(dir, later), now_ms, &mut report)?;
        }
        break;
    }

    let keep_from = journal.oldest_generation().unwrap_or(first_generation);
    let mut removed_stale = false;
    for &generation in older.iter().filter(|g| **g < keep_from) {
        files::remove_if_exists(&files::log_path(dir, generation))?;
        removed_stale = true;
    }
    if removed_stale {
        files::sync_dir(dir)?;
    }

    let (generation, path, end) = match tail_generation {
        // A file is never appended to in a format other than its header's: records of this
        // version go to a new generation after an older file (which stays readable as it is).
        Some((generation, path, FORMAT_VERSION, end)) => {
            // A cut inside the header rewrote the header.
            (generation, path, end.max(HEADER_LEN as u64))
        }
        Some((generation, path, 0, _)) => (generation, path, HEADER_LEN as u64),
        Some((generation, _, _, _)) => {
            let next = generation.saturating_add(1);
            let path = files::log_path(dir, next);
            let header = log_header(next, last_seq);
            files::create_log(dir, &path, &header, SEGMENT_STEP)?;
            (next, path, HEADER_LEN as u64)
        }
        None => {
            let path = files::log_path(dir, first_generation);
            let header = log_header(first_generation, last_seq);
            files::create_log(dir, &path, &header, SEGMENT_STEP)?;
            (first_generation, path, HEADER_LEN as u64)
        }
    };
    let file = files::open_for_writing(&path)?;
    let allocated = file
        .metadata()
        .map_err(|e| crate::lock::io_error(e, "stat", &path))?
        .len();
    Ok(Recovered {
        tail: LogTail {
            file,
            path,
            generation,
            last_seq,
            len: end,
            allocated,
        },
        snapshot_bytes,
        report,
        journal,
    })
}

fn corrupt(message: String) -> Error {
    Error::new(ErrorKind::Corrupt, message)
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

/// Loads the snapshot at `path` into `engine`; with `repair`, damage keeps the entries before
/// it and sets the rest aside.
fn read_snapshot(
    path: &Path,
    engine: &Engine,
    repair: bool,
    now_ms: i64,
    report: &mut OpenReport,
) -> Result<Snapshot> {
    let (snapshot, damage) = replay::load_snapshot(path, engine)?;
    let Some((offset, reason)) = damage else {
        return Ok(snapshot);
    };
    if !repair {
        return Err(corrupt(format!(
            "snapshot {} is damaged at byte offset {offset}: {reason}. Open with repair to keep \
             the {} keys before it",
            path.display(),
            snapshot.keys
        )));
    }
    tracing::warn!(
        file = %path.display(),
        offset,
        "staunch-file repair: keeping the {} snapshot entries before a damage: {reason}",
        snapshot.keys
    );
    let bytes = snapshot.bytes;
    if offset < bytes {
        report
            .set_aside
            .push(files::set_aside(path, offset, now_ms)?);
    }
    report.repaired_bytes_dropped += bytes - offset.min(bytes);
    Ok(snapshot)
}

#[cfg(test)]
mod tests {
    use staunch_core::Command;
    use staunch_core::prelude::*;

    use super::*;
    use crate::FileStore;
    use crate::format::{RecordKind, push_log_record};

    /// A log as a version 2 build wrote it: grown record by record, no free space after the
    /// records, `extra` appended as is.
    fn version_2_log(records: &[(u64, Command)], extra: &[u8]) -> Vec<u8> {
        let mut bytes = FileHeader {
            magic: LOG_MAGIC,
            version: 2,
            generation: 1,
            seq: 0,
        }
        .encode()
        .to_vec();
        for (seq, command) in records {
            let pushed = push_log_record(
                &mut bytes,
                *seq,
                1_000,
                std::slice::from_ref(command),
                RecordKind::Write,
            );
            assert!(pushed.is_ok());
        }
        bytes.extend_from_slice(extra);
        bytes
    }

    fn incr(delta: i64) -> Command {
        Command::IncrBy {
            key: "n".into(),
            delta,
        }
    }

    /// A version 2 log is read as it is, never appended to: new records start generation 2,
    /// a version 3 file sized ahead, and both replay in order afterwards.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_version_2_log_is_read_and_continued_in_a_new_generation() {
        let dir = tempfile::tempdir().expect("temp dir");
        let old = version_2_log(&[(1, incr(2)), (2, incr(3))], &[]);
        std::fs::write(files::log_path(dir.path(), 1), &old).expect("write");
        let store = FileStore::open(dir.path()).await.expect("open");
        assert_eq!(
            store.get_string("n").await.expect("get").as_deref(),
            Some("5")
        );
        assert_eq!(store.open_report().records_replayed, 2);
        assert_eq!(store.log_stats().generation, 2);
        store.incrby("n", 10).await.expect("incr");
        let new_log = files::log_path(dir.path(), 2);
        // The new generation is sized ahead of its records.
        assert!(std::fs::metadata(&new_log).expect("stat").len() >= SEGMENT_STEP);
        drop(store);
        assert_eq!(
            std::fs::read(files::log_path(dir.path(), 1)).expect("read"),
            old
        );
        let store = FileStore::open(dir.path()).await.expect("reopen");
        assert_eq!(
            store.get_string("n").await.expect("get").as_deref(),
            Some("15")
        );
        assert_eq!(store.open_report().log_files, 2);
        store.close().await.expect("close");
    }

    /// A version 2 log cut inside its last record, or ending in zeros, opens as it did.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn version_2_tails_torn_or_zero() {
        let full = version_2_log(&[(1, incr(2)), (2, incr(3))], &[]);
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(files::log_path(dir.path(), 1), &full[..full.len() - 2]).expect("write");
        let store = FileStore::open(dir.path()).await.expect("open");
        assert_eq!(
            store.get_string("n").await.expect("get").as_deref(),
            Some("2")
        );
        assert!(store.open_report().torn_bytes_truncated > 0);
        store.close().await.expect("close");

        let dir = tempfile::tempdir().expect("temp dir");
        let zeros = version_2_log(&[(1, incr(2)), (2, incr(3))], &[0u8; 300]);
        std::fs::write(files::log_path(dir.path(), 1), &zeros).expect("write");
        let store = FileStore::open(dir.path()).await.expect("open");
        assert_eq!(
            store.get_string("n").await.expect("get").as_deref(),
            Some("5")
        );
        assert_eq!(store.open_report().torn_bytes_truncated, 0);
        store.close().await.expect("close");
    }
}
