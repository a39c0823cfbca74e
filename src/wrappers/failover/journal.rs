//! The replay journal: the durable list of writes made while Redis was away.
//!
//! While `Failover` is degraded, every write it acknowledges is applied to the local store and
//! appended here; when Redis is back the journal is replayed into Redis in order. The journal
//! is what makes "every acknowledged write reaches Redis" survive an application crash: the
//! process may die mid-outage, and the next process that opens the directory replays it.
//!
//! A journal comes in three forms: a file of its own (below), memory only, or, for a file
//! store as the local store, that store's own log ([`Journal::in_store_log`]; the store marks
//! the records of degraded writes and keeps them across restarts and away from compaction
//! until the journal ends, see `staunch_file`'s `journal` module). The last one costs one
//! append per degraded write instead of two. The format and durability rules below are those
//! of the file of its own; the store's log has its own (`staunch_file::FsyncPolicy`).
//!
//! # Directory
//!
//! ```text
//! <dir>/LOCK          flock held by the owner (one process per journal), holding its pid
//! <dir>/NODE          this journal's node id: the name of its replay watermark in Redis
//! <dir>/journal.log   header, then one frame per entry
//! ```
//!
//! # Format
//!
//! ```text
//! header  magic "STJRNL01" | base_seq u64 LE | crc32 u32 LE of the 16 bytes before
//! frame   len u32 LE | crc32(payload) u32 LE | crc32(len, crc) u32 LE | payload
//! payload bincode 2 (standard config) of JournalEntry { seq, at_ms, commands }
//! ```
//!
//! `base_seq` is the sequence number before the file's first entry, so sequence numbers keep
//! growing after the file is emptied. Every command was rewritten with
//! [`Command::with_absolute_expiry`] before it was recorded, so replaying it an hour later
//! gives the same deadline, never a renewed TTL.
//!
//! # Crashes
//!
//! A frame whose header checks out but whose payload the file cuts short, or a file ending
//! inside a frame header, is a torn tail: the write was never acknowledged, and opening cuts
//! it off (and says so in the [`JournalReport`]). A checksum mismatch anywhere else is damage
//! and an `ErrorKind::Corrupt` error naming the offset: the journal holds acknowledged writes,
//! so it is never silently shortened. The file is emptied (when fully replayed) by writing a
//! new file and renaming it over the old one, so a crash leaves either the old or the new.
//!
//! # Durability
//!
//! Every append reaches the operating system (`write(2)`) before the write is acknowledged,
//! so killing the process loses nothing. [`JournalSync::Always`] also waits for `fdatasync`,
//! shared by concurrent writers (group commit); [`JournalSync::EverySec`] (the default, as the
//! file store's) syncs at most a second later.
//!
//! Entries not yet replayed are also kept in memory (they are the replay queue); a very long
//! outage with a very high write rate costs memory in proportion.

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use staunch_core::{Command, Error, ErrorKind, Result};

const MAGIC: [u8; 8] = *b"STJRNL01";
const HEADER_LEN: usize = 20;
const FRAME_HEADER_LEN: usize = 12;
const MAX_FRAME: u32 = 1 << 30;
const FILE: &str = "journal.log";

/// When appends are forced to disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum JournalSync {
    /// `fdatasync` before the write is acknowledged, shared by concurrent writers.
    Always,
    /// `fdatasync` at most about a second after the write (the default).
    #[default]
    EverySec,
    /// Never forced; the operating system decides (a process crash still loses nothing).
    Never,
}

/// One journaled write: the commands to apply to Redis together, in one atomic step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct JournalEntry {
    /// Position in the journal, strictly increasing, never reused.
    pub seq: u64,
    /// When the write was made locally (Unix ms).
    pub at_ms: i64,
    /// The commands, with absolute expiries and pops resolved to the elements they took.
    pub commands: Vec<Command>,
}

/// What opening a journal found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct JournalReport {
    /// Entries waiting to be replayed.
    pub entries: usize,
    /// Bytes of a torn last frame that were cut off (a write that was never acknowledged).
    pub truncated_bytes: u64,
}

struct Inner {
    file: Option<File>,
    /// Position in the current file.
    written: u64,
    /// Bytes ever appended (never reset), the offsets `sync_to` compares.
    logical: u64,
    pending: VecDeque<JournalEntry>,
    next_seq: u64,
    last_sync: Instant,
}

/// The replay journal. See the module docs.
pub struct Journal {
    dir: Option<PathBuf>,
    node_id: String,
    sync: JournalSync,
    inner: Mutex<Inner>,
    sync_lock: tokio::sync::Mutex<u64>,
    lock: Mutex<Option<File>>,
    /// When set, the journal is this file store's own log (see [`Journal::in_store_log`]) and
    /// everything above is unused.
    #[cfg(feature = "file")]
    store: Option<staunch_file::FileStore>,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal")
            .field("dir", &self.dir)
            .field("node_id", &self.node_id)
            .field("pending", &self.len())
            .finish_non_exhaustive()
    }
}

impl Journal {
    /// A journal that lives only in memory (for a memory-only `Failover`: an application crash
    /// loses it, as it loses the local store). `node_id` names its watermark in Redis.
    pub fn in_memory(node_id: impl Into<String>) -> Journal {
        Journal {
            dir: None,
            node_id: node_id.into(),
            sync: JournalSync::Never,
            inner: Mutex::new(Inner {
                file: None,
                written: 0,
                logical: 0,
                pending: VecDeque::new(),
                next_seq: 1,
                last_sync: Instant::now(),
            }),
            sync_lock: tokio::sync::Mutex::new(0),
            lock: Mutex::new(None),
            #[cfg(feature = "file")]
            store: None,
        }
    }

    /// A journal that is `store`'s own log: while degraded the store journals (see
    /// `staunch_file::FileStore::start_journaling`), so each degraded write is appended once,
    /// under the store's fsync policy, instead of once to the store's log and once to a
    /// journal file. The node id is kept in `node_dir/NODE`.
    #[cfg(feature = "file")]
    #[cfg_attr(docsrs, doc(cfg(feature = "file")))]
    pub fn in_store_log(
        store: staunch_file::FileStore,
        node_dir: impl AsRef<Path>,
        node_id: Option<String>,
    ) -> Result<Journal> {
        let node_dir = node_dir.as_ref();
        std::fs::create_dir_all(node_dir).map_err(|e| io_error(e, "create", node_dir))?;
        let mut journal = Journal::in_memory(load_node_id(node_dir, node_id)?);
        journal.store = Some(store);
        Ok(journal)
    }

    /// True when the journal is a file store's log: local writes journal themselves and
    /// [`Journal::append`] is not used.
    pub fn is_store_log(&self) -> bool {
        #[cfg(feature = "file")]
        if self.store.is_some() {
            return true;
        }
        false
    }

    /// Makes sure writes from now on are journaled (a no-op for a journal of its own, which
    /// is appended to explicitly). Called before traffic leaves the primary.
    pub(crate) fn begin(&self) -> Result<()> {
        #[cfg(feature = "file")]
        if let Some(store) = &self.store {
            return store.start_journaling();
        }
        Ok(())
    }

    /// Ends a fully replayed journal: the store's log records the end (so a restart does not
    /// offer the entries again), or the journal file is emptied.
    pub(crate) async fn finish(&self) -> Result<()> {
        #[cfg(feature = "file")]
        if let Some(store) = &self.store {
            return store.stop_journaling().await;
        }
        self.compact_if_drained()
    }

    /// Opens (or creates) the journal in `dir`, taking its lock, recovering its entries and
    /// cutting off a torn tail. `node_id` is used when the directory has none yet; otherwise
    /// the stored one wins (it names the watermark earlier replays advanced).
    pub fn open(
        dir: impl AsRef<Path>,
        sync: JournalSync,
        node_id: Option<String>,
    ) -> Result<(Journal, JournalReport)> {
        let dir = dir.as_ref().to_path_buf();
        std::fs::create_dir_all(&dir).map_err(|e| io_error(e, "create", &dir))?;
        let lock = lock_dir(&dir)?;
        let node_id = load_node_id(&dir, node_id)?;
        let path = dir.join(FILE);
        let (base_seq, pending, valid_len, truncated) = match std::fs::read(&path) {
            Ok(bytes) => parse(&bytes, &path)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                write_fresh(&dir, 0)?;
                (0, VecDeque::new(), HEADER_LEN as u64, 0)
            }
            Err(e) => return Err(io_error(e, "read", &path)),
        };
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|e| io_error(e, "open", &path))?;
        if truncated > 0 {
            tracing::warn!(target: "staunch::journal", path = %path.display(), bytes = truncated, "cut off a torn journal tail (an unacknowledged write)");
            file.set_len(valid_len)
                .and_then(|()| file.sync_data())
                .map_err(|e| io_error(e, "truncate", &path))?;
        }
        file.seek(SeekFrom::Start(valid_len))
            .map_err(|e| io_error(e, "seek", &path))?;
        let next_seq = pending.back().map_or(base_seq, |e: &JournalEntry| e.seq) + 1;
        let report = JournalReport {
            entries: pending.len(),
            truncated_bytes: truncated,
        };
        let journal = Journal {
            dir: Some(dir),
            node_id,
            sync,
            inner: Mutex::new(Inner {
                file: Some(file),
                written: valid_len,
                logical: 0,
                pending,
                next_seq,
                last_sync: Instant::now(),
            }),
            sync_lock: tokio::sync::Mutex::new(0),
            lock: Mutex::new(Some(lock)),
            #[cfg(feature = "file")]
            store: None,
        };
        Ok((journal, report))
    }

    /// The node id: the replay watermark in Redis is `staunch:replay:<node id>`.
    pub fn node_id(&self) -> &str {
        &self.node_id
    }

    /// The directory, for a journal on disk.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// Entries waiting to be replayed.
    pub fn len(&self) -> usize {
        #[cfg(feature = "file")]
        if let Some(store) = &self.store {
            return store.journaled_len();
        }
        self.inner.lock().pending.len()
    }

    /// True when nothing waits to be replayed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// When the oldest waiting entry was written (Unix ms): the replay lag's start.
    pub fn oldest_at_ms(&self) -> Option<i64> {
        #[cfg(feature = "file")]
        if let Some(store) = &self.store {
            return store.journaled_oldest_ms();
        }
        self.inner.lock().pending.front().map(|e| e.at_ms)
    }

    /// Appends an entry of `commands` made at `at_ms` and returns its sequence number and the
    /// file offset to pass to [`Journal::sync_to`]. The bytes reached the operating system
    /// when this returns.
    pub fn append(&self, at_ms: i64, commands: Vec<Command>) -> Result<(u64, u64)> {
        if self.is_store_log() {
            return Err(Error::new(
                ErrorKind::Internal,
                "this journal is a file store's log: its writes journal themselves",
            ));
        }
        let mut inner = self.inner.lock();
        let seq = inner.next_seq;
        let entry = JournalEntry {
            seq,
            at_ms,
            commands,
        };
        if self.dir.is_some() && inner.file.is_none() {
            return Err(Error::new(ErrorKind::Io, "the replay journal is closed"));
        }
        let written = inner.written;
        if let Some(file) = inner.file.as_mut() {
            let frame = encode_frame(&entry)?;
            if let Err(e) = file.write_all(&frame) {
                // A partial frame may be on disk: cut it so later frames stay readable.
                let _ = file.set_len(written);
                let _ = file.seek(SeekFrom::Start(written));
                return Err(
                    Error::new(ErrorKind::Io, format!("journal append failed: {e}")).with_source(e),
                );
            }
            inner.written += frame.len() as u64;
            inner.logical += frame.len() as u64;
        }
        inner.next_seq += 1;
        inner.pending.push_back(entry);
        let offset = inner.logical;
        if self.sync == JournalSync::EverySec && inner.last_sync.elapsed() >= Duration::from_secs(1)
        {
            inner.last_sync = Instant::now();
            if let Some(Ok(file)) = inner.file.as_ref().map(File::try_clone) {
                // Fire and forget: EverySec promises "about a second", not this call.
                match tokio::runtime::Handle::try_current() {
                    Ok(runtime) => std::mem::drop(runtime.spawn_blocking(move || file.sync_data())),
                    Err(_) => {
                        let _ = file.sync_data();
                    }
                }
            }
        }
        Ok((seq, offset))
    }

    /// Waits until the journal is durable up to `offset` under [`JournalSync::Always`]
    /// (one `fdatasync` serves every writer waiting at that moment); returns at once otherwise.
    pub async fn sync_to(&self, offset: u64) -> Result<()> {
        if self.sync != JournalSync::Always {
            return Ok(());
        }
        let mut synced = self.sync_lock.lock().await;
        if *synced >= offset {
            return Ok(());
        }
        let (file, upto) = {
            let inner = self.inner.lock();
            let file = match inner.file.as_ref().map(File::try_clone) {
                Some(Ok(file)) => file,
                Some(Err(e)) => return Err(Error::from(e)),
                None => return Ok(()),
            };
            (file, inner.logical)
        };
        tokio::task::spawn_blocking(move || file.sync_data())
            .await
            .map_err(|e| Error::new(ErrorKind::Internal, format!("fsync task failed: {e}")))??;
        *synced = upto;
        Ok(())
    }

    /// Syncs the file and releases it and the directory lock, so another `Journal::open` of
    /// the directory (in this process or another) succeeds. Appends fail afterwards; entries
    /// not replayed stay in the file for the next open.
    pub fn close(&self) -> Result<()> {
        let mut inner = self.inner.lock();
        if let Some(file) = inner.file.take() {
            file.sync_data()?;
        }
        self.lock.lock().take();
        Ok(())
    }

    /// Copies of up to `max` entries from the front of the queue. A file store's log is read
    /// back from disk, so this can fail (I/O, `Corrupt`).
    pub fn front(&self, max: usize) -> Result<Vec<JournalEntry>> {
        #[cfg(feature = "file")]
        if let Some(store) = &self.store {
            return Ok(store
                .journaled(max)?
                .into_iter()
                .map(|w| JournalEntry {
                    seq: w.seq,
                    at_ms: w.at_ms,
                    commands: w.effects,
                })
                .collect());
        }
        Ok(self
            .inner
            .lock()
            .pending
            .iter()
            .take(max)
            .cloned()
            .collect())
    }

    /// Forgets the entries up to and including `seq` (they are in Redis); returns how many.
    pub fn pop_through(&self, seq: u64) -> usize {
        #[cfg(feature = "file")]
        if let Some(store) = &self.store {
            return store.forget_journaled_through(seq);
        }
        let mut inner = self.inner.lock();
        let mut n = 0;
        while inner.pending.front().is_some_and(|e| e.seq <= seq) {
            inner.pending.pop_front();
            n += 1;
        }
        n
    }

    /// When every entry was replayed, replaces the file by an empty one that remembers the last
    /// sequence number. Does nothing while entries wait.
    pub fn compact_if_drained(&self) -> Result<()> {
        let mut inner = self.inner.lock();
        if !inner.pending.is_empty() || inner.written as usize == HEADER_LEN {
            return Ok(());
        }
        let Some(dir) = &self.dir else {
            return Ok(());
        };
        let base = inner.next_seq - 1;
        write_fresh(dir, base)?;
        let path = dir.join(FILE);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|e| io_error(e, "open", &path))?;
        file.seek(SeekFrom::End(0))
            .map_err(|e| io_error(e, "seek", &path))?;
        inner.file = Some(file);
        inner.written = HEADER_LEN as u64;
        Ok(())
    }
}

fn crc(bytes: &[u8]) -> u32 {
    crc32fast::hash(bytes)
}

fn bincode_config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<{ 1 << 30 }>()
}

fn encode_frame(entry: &JournalEntry) -> Result<Vec<u8>> {
    // One buffer: room for the frame header, then the payload encoded in place.
    let mut frame = Vec::with_capacity(128);
    frame.extend_from_slice(&[0u8; FRAME_HEADER_LEN]);
    bincode::serde::encode_into_std_write(entry, &mut frame, bincode_config()).map_err(|e| {
        Error::new(
            ErrorKind::Internal,
            format!("cannot encode a journal entry: {e}"),
        )
    })?;
    let len = u32::try_from(frame.len() - FRAME_HEADER_LEN)
        .ok()
        .filter(|&l| l <= MAX_FRAME)
        .ok_or_else(|| Error::invalid("journal entry too large"))?;
    let payload_crc = crc(&frame[FRAME_HEADER_LEN..]);
    frame[0..4].copy_from_slice(&len.to_le_bytes());
    frame[4..8].copy_from_slice(&payload_crc.to_le_bytes());
    let header_crc = crc(&frame[..8]);
    frame[8..12].copy_from_slice(&header_crc.to_le_bytes());
    Ok(frame)
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&bytes[at..at + 4]);
    u32::from_le_bytes(b)
}

/// Parses a journal file: (base_seq, entries, valid length, torn bytes cut off).
fn parse(bytes: &[u8], path: &Path) -> Result<(u64, VecDeque<JournalEntry>, u64, u64)> {
    let corrupt = |at: usize, what: &str| {
        Error::new(
            ErrorKind::Corrupt,
            format!("journal {} is damaged at byte {at}: {what}", path.display()),
        )
    };
    if bytes.len() < HEADER_LEN || bytes[..8] != MAGIC || u32_at(bytes, 16) != crc(&bytes[..16]) {
        return Err(corrupt(0, "bad header"));
    }
    let mut b = [0u8; 8];
    b.copy_from_slice(&bytes[8..16]);
    let base_seq = u64::from_le_bytes(b);
    let mut entries = VecDeque::new();
    let mut at = HEADER_LEN;
    let mut last = base_seq;
    while at < bytes.len() {
        let rest = &bytes[at..];
        if rest.len() < FRAME_HEADER_LEN || rest.iter().all(|&b| b == 0) {
            break; // torn: the file ends inside a frame header, or in unwritten space
        }
        if u32_at(rest, 8) != crc(&rest[..8]) {
            return Err(corrupt(at, "frame header checksum mismatch"));
        }
        let len = u32_at(rest, 0) as usize;
        if rest.len() < FRAME_HEADER_LEN + len {
            break; // torn: the payload was cut short
        }
        let payload = &rest[FRAME_HEADER_LEN..FRAME_HEADER_LEN + len];
        if u32_at(rest, 4) != crc(payload) {
            return Err(corrupt(at, "payload checksum mismatch"));
        }
        let (entry, _): (JournalEntry, usize) =
            bincode::serde::decode_from_slice(payload, bincode_config())
                .map_err(|e| corrupt(at, &format!("undecodable entry: {e}")))?;
        if entry.seq <= last {
            return Err(corrupt(at, "sequence numbers out of order"));
        }
        last = entry.seq;
        entries.push_back(entry);
        at += FRAME_HEADER_LEN + len;
    }
    Ok((base_seq, entries, at as u64, (bytes.len() - at) as u64))
}

/// Writes an empty journal with `base_seq` to a temp file, syncs it and renames it in place.
fn write_fresh(dir: &Path, base_seq: u64) -> Result<()> {
    let tmp = dir.join("journal.log.tmp");
    let mut header = Vec::with_capacity(HEADER_LEN);
    header.extend_from_slice(&MAGIC);
    header.extend_from_slice(&base_seq.to_le_bytes());
    let c = crc(&header);
    header.extend_from_slice(&c.to_le_bytes());
    let result = File::create(&tmp)
        .and_then(|mut f| f.write_all(&header).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::rename(&tmp, dir.join(FILE)))
        .and_then(|()| File::open(dir).and_then(|d| d.sync_all()));
    result.map_err(|e| io_error(e, "write", &dir.join(FILE)))
}

fn load_node_id(dir: &Path, wanted: Option<String>) -> Result<String> {
    let path = dir.join("NODE");
    match std::fs::read_to_string(&path) {
        Ok(id) if !id.trim().is_empty() => return Ok(id.trim().to_owned()),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_error(e, "read", &path)),
    }
    let id = wanted.unwrap_or_else(|| format!("{:016x}", rand::random::<u64>()));
    let tmp = dir.join("NODE.tmp");
    std::fs::write(&tmp, format!("{id}\n"))
        .and_then(|()| File::open(&tmp).and_then(|f| f.sync_all()))
        .and_then(|()| std::fs::rename(&tmp, &path))
        .map_err(|e| io_error(e, "write", &path))?;
    Ok(id)
}

/// Takes the journal's exclusive lock, as the file store locks its directory.
#[allow(clippy::incompatible_msrv)] // File::try_lock: the toolchain is newer than the MSRV field
fn lock_dir(dir: &Path) -> Result<File> {
    let path = dir.join("LOCK");
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| io_error(e, "open", &path))?;
    // A lock this process just released can still be held for a moment by a child being
    // spawned by another thread: the child shares the lock's file description from fork until
    // exec closes it. So when the holder is this very process, wait a little before refusing.
    let deadline = Instant::now() + Duration::from_millis(500);
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.seek(SeekFrom::Start(0));
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                if holder == std::process::id().to_string() && Instant::now() < deadline {
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                }
                return Err(Error::new(
                    ErrorKind::Locked,
                    format!(
                        "replay journal {} is locked by process {holder}",
                        dir.display(),
                    ),
                ));
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io_error(e, "lock", &path)),
        }
    }
    file.set_len(0)
        .and_then(|()| file.seek(SeekFrom::Start(0)).map(|_| ()))
        .and_then(|()| file.write_all(format!("{}\n", std::process::id()).as_bytes()))
        .map_err(|e| io_error(e, "write", &path))?;
    Ok(file)
}

fn io_error(e: std::io::Error, what: &str, path: &Path) -> Error {
    Error::new(
        ErrorKind::Io,
        format!("cannot {what} {}: {e}", path.display()),
    )
    .with_source(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incr(n: i64) -> Vec<Command> {
        vec![Command::IncrBy {
            key: "c".into(),
            delta: n,
        }]
    }

    #[test]
    fn reopen_keeps_entries_and_cuts_a_torn_tail() -> Result<()> {
        let dir = tempfile::tempdir().map_err(Error::from)?;
        {
            let (j, _) = Journal::open(dir.path(), JournalSync::Never, None)?;
            j.append(1, incr(1))?;
            j.append(2, incr(2))?;
        }
        let path = dir.path().join(FILE);
        let len = std::fs::metadata(&path).map_err(Error::from)?.len();
        let f = OpenOptions::new()
            .write(true)
            .open(&path)
            .map_err(Error::from)?;
        f.set_len(len - 3).map_err(Error::from)?;
        let (j, report) = Journal::open(dir.path(), JournalSync::Never, None)?;
        assert_eq!(report.entries, 1);
        assert!(report.truncated_bytes > 0);
        let (seq, _) = j.append(3, incr(3))?;
        assert_eq!(seq, 2);
        assert!(
            Journal::open(dir.path(), JournalSync::Never, None).is_err(),
            "locked"
        );
        Ok(())
    }

    #[test]
    fn drained_journal_keeps_counting() -> Result<()> {
        let dir = tempfile::tempdir().map_err(Error::from)?;
        let node;
        {
            let (j, _) = Journal::open(dir.path(), JournalSync::Always, None)?;
            node = j.node_id().to_owned();
            j.append(1, incr(1))?;
            j.append(1, incr(1))?;
            j.pop_through(2);
            j.compact_if_drained()?;
            let (seq, _) = j.append(1, incr(5))?;
            assert_eq!(seq, 3);
        }
        let (j, report) = Journal::open(dir.path(), JournalSync::Never, None)?;
        assert_eq!(report.entries, 1);
        assert_eq!(j.front(10).expect("front")[0].seq, 3);
        assert_eq!(j.node_id(), node);
        Ok(())
    }

    #[tokio::test]
    async fn group_commit_syncs_and_close_releases_the_lock() -> Result<()> {
        let dir = tempfile::tempdir().map_err(Error::from)?;
        let (j, _) = Journal::open(dir.path(), JournalSync::Always, None)?;
        let (_, a) = j.append(1, incr(1))?;
        let (_, b) = j.append(2, incr(2))?;
        assert!(b > a);
        j.sync_to(b).await?;
        j.sync_to(a).await?; // already durable: returns at once
        j.close()?;
        assert!(
            j.append(3, incr(3)).is_err(),
            "closed journals refuse appends"
        );
        let (j2, report) = Journal::open(dir.path(), JournalSync::Always, None)?;
        assert_eq!(report.entries, 2);
        assert_eq!(j2.front(1).expect("front")[0].commands, incr(1));
        Ok(())
    }

    #[test]
    fn damage_in_the_middle_is_an_error() -> Result<()> {
        let dir = tempfile::tempdir().map_err(Error::from)?;
        {
            let (j, _) = Journal::open(dir.path(), JournalSync::Never, None)?;
            j.append(1, incr(1))?;
            j.append(2, incr(2))?;
        }
        let path = dir.path().join(FILE);
        let mut bytes = std::fs::read(&path).map_err(Error::from)?;
        bytes[HEADER_LEN + FRAME_HEADER_LEN + 1] ^= 0xff;
        std::fs::write(&path, bytes).map_err(Error::from)?;
        let err = Journal::open(dir.path(), JournalSync::Never, None).err();
        assert_eq!(err.map(|e| e.kind()), Some(ErrorKind::Corrupt));
        Ok(())
    }
}
