//! The replay journal: the list of writes made while Redis was away.
//!
//! While `Failover` is degraded, every write it acknowledges is applied to the local store and
//! recorded here; when Redis is back the journal is replayed into Redis in order. The journal
//! is what makes "every acknowledged write reaches Redis" survive an application crash: the
//! process may die mid-outage, and the next process that opens the directory replays it.
//!
//! # One durable format
//!
//! A durable journal is always a file store's own log ([`Journal::in_store_log`]): while
//! degraded the store journals (see `staunch_file`'s `journal` module), marking the records of
//! degraded writes and keeping them across restarts and away from compaction until the
//! journal ends. Each degraded write is one append under the store's [`staunch_core::FsyncPolicy`], and the
//! queue of records waiting for replay costs memory per log file, not per write (the records
//! are read back from the log when replayed). `local_memory().journal_dir(dir)` is that same
//! file store in `dir/local`: a memory store with a journal on disk *is* a file store in all
//! but name, so there is no second log format (an earlier version kept a `journal.log` of its
//! own; opening a directory that still holds one with entries is refused, see
//! `refuse_old_journal`).
//!
//! Without a directory the journal lives in memory ([`Journal::in_memory`]): an application
//! crash during an outage loses it, as it loses the memory store it goes with. Its entries
//! are kept in memory until replayed.
//!
//! Every command was rewritten with [`Command::with_absolute_expiry`] before it was recorded,
//! so replaying it an hour later gives the same deadline, never a renewed TTL.

use std::collections::VecDeque;
#[cfg(feature = "file")]
use std::fs::File;
#[cfg(feature = "file")]
use std::path::Path;

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use staunch_core::{Command, Error, ErrorKind, Result};

/// The journal file of the earlier format, refused when it still holds entries.
#[cfg(all(feature = "file", feature = "memory"))]
const OLD_FILE: &str = "journal.log";
/// Its header length: a file this long or shorter holds no entry.
#[cfg(all(feature = "file", feature = "memory"))]
const OLD_HEADER_LEN: u64 = 20;

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

struct Inner {
    pending: VecDeque<JournalEntry>,
    next_seq: u64,
}

/// The replay journal. See the module docs.
pub struct Journal {
    node_id: String,
    inner: Mutex<Inner>,
    /// When set, the journal is this file store's own log (see [`Journal::in_store_log`]) and
    /// `inner` is unused.
    #[cfg(feature = "file")]
    store: Option<staunch_file::FileStore>,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal")
            .field("node_id", &self.node_id)
            .field("store_log", &self.is_store_log())
            .field("pending", &self.len())
            .finish_non_exhaustive()
    }
}

impl Journal {
    /// A journal that lives only in memory (for a memory-only `Failover`: an application crash
    /// loses it, as it loses the local store). `node_id` names its watermark in Redis.
    pub fn in_memory(node_id: impl Into<String>) -> Journal {
        Journal {
            node_id: node_id.into(),
            inner: Mutex::new(Inner {
                pending: VecDeque::new(),
                next_seq: 1,
            }),
            #[cfg(feature = "file")]
            store: None,
        }
    }

    /// A journal that is `store`'s own log: while degraded the store journals (see
    /// `staunch_file::FileStore::start_journaling`), so each degraded write is appended once,
    /// under the store's fsync policy. The node id is kept in `node_dir/NODE`.
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

    /// Makes sure writes from now on are journaled (a no-op for a journal in memory, which is
    /// appended to explicitly). Called before traffic leaves the primary.
    pub(crate) fn begin(&self) -> Result<()> {
        #[cfg(feature = "file")]
        if let Some(store) = &self.store {
            return store.start_journaling();
        }
        Ok(())
    }

    /// Ends a fully replayed journal: the store's log records the end (so a restart does not
    /// offer the entries again).
    pub(crate) async fn finish(&self) -> Result<()> {
        #[cfg(feature = "file")]
        if let Some(store) = &self.store {
            return store.stop_journaling().await;
        }
        Ok(())
    }

    /// The node id: the replay watermark in Redis is `staunch:replay:<node id>`.
    pub fn node_id(&self) -> &str {
        &self.node_id
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

    /// Appends an entry of `commands` made at `at_ms` to a journal in memory and returns its
    /// sequence number and a position for [`Journal::sync_to`].
    pub fn append(&self, at_ms: i64, commands: Vec<Command>) -> Result<(u64, u64)> {
        if self.is_store_log() {
            return Err(Error::new(
                ErrorKind::Internal,
                "this journal is a file store's log: its writes journal themselves",
            ));
        }
        let mut inner = self.inner.lock();
        let seq = inner.next_seq;
        inner.next_seq += 1;
        inner.pending.push_back(JournalEntry {
            seq,
            at_ms,
            commands,
        });
        Ok((seq, seq))
    }

    /// Waits until the journal is durable up to `offset`: nothing to wait for in memory (a
    /// file store's log makes its own writes durable before they return).
    pub async fn sync_to(&self, offset: u64) -> Result<()> {
        let _ = offset;
        Ok(())
    }

    /// Nothing to release: a store log is closed with its store.
    pub fn close(&self) -> Result<()> {
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
}

/// Refuses a journal directory that still holds a `journal.log` of the earlier format with
/// entries in it: those are acknowledged writes this version cannot replay, and opening over
/// them would silently drop them. An empty one (header only) is removed.
#[cfg(all(feature = "file", feature = "memory"))]
pub(crate) fn refuse_old_journal(dir: &Path) -> Result<()> {
    let path = dir.join(OLD_FILE);
    match std::fs::metadata(&path) {
        Ok(meta) if meta.len() > OLD_HEADER_LEN => Err(Error::new(
            ErrorKind::InvalidInput,
            format!(
                "{} holds replay journal entries in the format of an earlier staunch version; \
                 replay them with that version (open it once with Redis up) before opening \
                 the directory with this one",
                path.display()
            ),
        )),
        Ok(_) => std::fs::remove_file(&path).map_err(|e| io_error(e, "remove", &path)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_error(e, "inspect", &path)),
    }
}

#[cfg(feature = "file")]
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

#[cfg(feature = "file")]
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

    fn incr() -> Vec<Command> {
        vec![Command::IncrBy {
            key: "k".into(),
            delta: 1,
        }]
    }

    #[test]
    fn memory_journal_queues_in_order() {
        let j = Journal::in_memory("n");
        assert!(j.is_empty());
        let (a, _) = j.append(1, incr()).expect("append");
        let (b, _) = j.append(2, incr()).expect("append");
        assert!(b > a);
        assert_eq!(j.oldest_at_ms(), Some(1));
        assert_eq!(j.front(10).expect("front").len(), 2);
        assert_eq!(j.pop_through(a), 1);
        assert_eq!(j.oldest_at_ms(), Some(2));
        assert_eq!(j.len(), 1);
    }

    #[cfg(all(feature = "file", feature = "memory"))]
    #[test]
    fn an_old_journal_with_entries_is_refused_an_empty_one_removed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(OLD_FILE);
        std::fs::write(&path, [0u8; 20]).expect("write");
        refuse_old_journal(dir.path()).expect("an empty old journal is fine");
        assert!(!path.exists());
        std::fs::write(&path, [0u8; 64]).expect("write");
        let err = refuse_old_journal(dir.path()).expect_err("entries");
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
    }
}
