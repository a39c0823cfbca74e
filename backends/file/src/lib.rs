//! `staunch-file`: the embedded, durable backend of staunch.
//!
//! [`FileStore`] is the memory engine of `staunch-memory` (so every command behaves exactly
//! as on the memory backend, and as on Redis) plus durability in a local directory: every
//! acknowledged write is in an append-only log first, the log is compacted into snapshots,
//! and opening the directory after a crash gives back every acknowledged write. It is what
//! staunch runs on when no Redis is configured and where `Failover` keeps an outage's writes.
//!
//! ```no_run
//! use staunch_core::prelude::*;
//! use staunch_file::FileStore;
//!
//! # async fn demo() -> staunch_core::Result<()> {
//! let store = FileStore::open("data/app").await?;
//! store.incr("visits").await?;
//! store.close().await?;
//! # Ok(()) }
//! ```
//!
//! # Guarantees
//!
//! - **Acknowledged means logged.** A write is acknowledged after its record reached the
//!   operating system (all policies) or the disk ([`FsyncPolicy::Always`], with group commit).
//!   Killing the process never loses an acknowledged write; a machine crash loses at most the
//!   last second under the default [`FsyncPolicy::EverySec`].
//! - **Absolute time.** Expiries are stored as Unix-millisecond deadlines and records are
//!   replayed at the time they were written, so a key that expired while the process was down
//!   stays gone and a relative TTL does not restart at open.
//! - **Never a silently wrong store.** Every file has a versioned header and every record a
//!   length and two CRC-32 checksums. A torn last record (a crash during a write) is cut off
//!   and reported in the [`OpenReport`]; zeros after the last record are the space the log
//!   is sized ahead by, not damage; any other damage is an `ErrorKind::Corrupt` error
//!   naming the file and byte offset, unless [`FileOptions::repair`] asks to keep the valid
//!   prefix. A file from a newer format version is refused with an error naming the version.
//! - **Nothing acknowledged into the void.** A data directory deleted while the store is open
//!   is noticed at the next write (its log file has no name left) and one replaced by another
//!   directory at the next fsync (each commit under `Always`, within a second under
//!   `EverySec`, at close under `No`): the log fails, writes are refused with an
//!   `ErrorKind::Io` error saying so, and `close` returns that error.
//! - **No write too large for the log.** A write whose record would pass
//!   [`FileOptions::max_write_bytes`] (512 MiB by default, as Redis's largest value) is refused
//!   with `ErrorKind::InvalidInput` before it is applied: it never shows in reads and the log
//!   keeps working.
//! - **One owner.** The directory is locked (`flock` on `LOCK`, holding the owner's pid); a
//!   second open, from another process or this one, gets `ErrorKind::Locked` naming the holder.
//! - **A journal on request.** Between [`FileStore::start_journaling`] and
//!   [`FileStore::stop_journaling`] the log doubles as a replay journal: writes are recorded in
//!   replayable form, marked, and offered by [`FileStore::journaled`] until the journal ends,
//!   across restarts (this is how `Failover` keeps an outage's writes with one append each).
//!
//! # Layout
//!
//! - [`store`](FileStore): the `Store` implementation and its life cycle.
//! - `log`: the engine's write log, fsync policies and group commit.
//! - `journal`: the log as a replay journal.
//! - `compact`: snapshots and log rotation, and why a crash at any step is harmless.
//! - `recovery` (with `replay` and `reader`): opening a directory, loading its files on two
//!   threads, torn tails, free space, damage and repair.
//! - `format`: headers, frames and records, byte by byte. `files`: names and fsync of the
//!   directory. `lock`: the directory lock. `tasks`: background committer, compactor, purger;
//!   `commit`: how writers wake the committer.
//! - [`options`](FileOptions): [`FileOptions`], [`FsyncPolicy`], [`OpenReport`],
//!   [`CompactionReport`], [`LogStats`].

#![deny(missing_docs)]

mod commit;
mod compact;
mod files;
mod format;
mod journal;
mod lock;
mod log;
mod options;
mod reader;
mod recovery;
mod replay;
mod store;
mod tasks;

pub use journal::JournaledWrite;
pub use options::{
    CompactionReport, DEFAULT_MAX_WRITE_BYTES, FileOptions, FsyncPolicy, LogStats, OpenReport,
};
pub use store::FileStore;
