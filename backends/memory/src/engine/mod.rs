//! The engine: Redis command semantics over an in-process keyspace.
//!
//! One `parking_lot::RwLock` guards the whole keyspace, as Redis's single thread guards its
//! own: every command is linearizable and every compound command (`RENAME`, `LMOVE`,
//! `ZMoveByScore`, a transaction) is atomic without further thought. Reads share the lock;
//! writes hold it for the few microseconds a command takes and never across an `.await`.
//!
//! # Layout
//!
//! - `db`: the keyspace (typed values, absolute expiry, scan order, expiry index).
//! - one module per family (`keyspace`, `strings`, `hashes`, `lists`, `sets`, `zsets`), each
//!   with a `read(&Db, now, &Command)` and a `write(&mut Db, &mut WriteCtx, &Command)`.
//! - `blocking`: `BLPOP` & co. as a retry loop woken by writes.
//! - `pubsub`: channels and patterns inside the process.
//! - `persist`: what the file backend needs (write log hook, snapshots, replay).
//!
//! # Write effects
//!
//! Every successful write is reported to an optional [`WriteLog`] while the lock is still
//! held, so a log sees writes in exactly the order they were applied. What is reported is the
//! command made deterministic: relative expiries become absolute (`PXAT`) and random or
//! blocking commands are replaced by what they actually did (`SPOP` becomes `SREM` of the
//! members it took, `BLPOP` the `LPOP` that served it). Replaying the effects at their
//! recorded times rebuilds the same state.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use parking_lot::RwLock;
use staunch_core::{Access, Clock, Command, Error, ErrorKind, Reply, Result};

pub(crate) mod blocking;
pub(crate) mod borrowed;
pub(crate) mod db;
pub(crate) mod eviction;
pub mod handle;
pub(crate) mod hashes;
pub(crate) mod keyspace;
pub(crate) mod lists;
pub mod persist;
pub mod pubsub;
pub(crate) mod sets;
pub(crate) mod strings;
pub(crate) mod zset;
pub(crate) mod zsets;

use db::Db;

/// Receives every successful write, in apply order, while the engine lock is held.
///
/// The file backend implements this to append records to its log. `append` must be quick (a
/// buffered write); durability waits happen in `wait_durable`, after the lock is released, so
/// that many writers can share one fsync (group commit).
#[async_trait::async_trait]
pub trait WriteLog: Send + Sync {
    /// Records `effects` applied at `now_ms` (handed over, so a log that keeps them needs no
    /// copy); returns a ticket for [`WriteLog::wait_durable`].
    /// `journaled` is true while the engine journals (see [`Engine::set_journaling`]): the
    /// effects are then in replayable form and the log should keep them for a replay.
    /// An error here makes the command fail with it (the in-memory change is already made, so
    /// the log owner must refuse further writes until the log is healthy again).
    fn append(&self, now_ms: i64, effects: Vec<Command>, journaled: bool) -> Result<u64>;

    /// Told (under the engine lock) when journaling is turned on or off; may record the change
    /// and return a ticket to wait on. The default records nothing.
    fn journaling_changed(&self, now_ms: i64, on: bool) -> Result<Option<u64>> {
        let _ = (now_ms, on);
        Ok(None)
    }

    /// Resolves once the record with `ticket` is as durable as the log's policy promises.
    async fn wait_durable(&self, ticket: u64) -> Result<()>;
}

/// State a write handler can leave for the log.
pub(crate) struct WriteCtx {
    /// The time the command runs at, in Unix milliseconds.
    pub(crate) now: i64,
    /// When set, the effects to log instead of the (normalized) command itself.
    pub(crate) rewrite: Option<Vec<Command>>,
}

impl WriteCtx {
    pub(crate) fn new(now: i64) -> Self {
        WriteCtx { now, rewrite: None }
    }
}

/// The family a command belongs to, for dispatch.
#[derive(Clone, Copy)]
enum Family {
    Keyspace,
    Strings,
    Hashes,
    Lists,
    Sets,
    ZSets,
    Blocking,
    PubSub,
}

/// Where the engine runs `command`: blocking pops have their own module, everything else goes
/// by the data type its row in the command table names.
fn family(command: &Command) -> Family {
    if command.access() == Access::Blocking {
        return Family::Blocking;
    }
    match command.family() {
        staunch_core::Family::Keyspace => Family::Keyspace,
        staunch_core::Family::Strings => Family::Strings,
        staunch_core::Family::Hashes => Family::Hashes,
        staunch_core::Family::Lists => Family::Lists,
        staunch_core::Family::Sets => Family::Sets,
        staunch_core::Family::SortedSets => Family::ZSets,
        staunch_core::Family::PubSub => Family::PubSub,
    }
}

pub(crate) fn unsupported(command: &Command) -> Error {
    Error::new(
        ErrorKind::Unsupported,
        format!("{} is not supported by the memory engine", command.name()),
    )
}

/// Runs a read-only command.
pub(crate) fn read(db: &Db, now: i64, command: &Command) -> Result<Reply> {
    match family(command) {
        Family::Keyspace => keyspace::read(db, now, command),
        Family::Strings => strings::read(db, now, command),
        Family::Hashes => hashes::read(db, now, command),
        Family::Lists => lists::read(db, now, command),
        Family::Sets => sets::read(db, now, command),
        Family::ZSets => zsets::read(db, now, command),
        Family::Blocking | Family::PubSub => Err(unsupported(command)),
    }
}

/// Runs a (non-blocking) write command.
pub(crate) fn write(db: &mut Db, ctx: &mut WriteCtx, command: &Command) -> Result<Reply> {
    match family(command) {
        Family::Keyspace => keyspace::write(db, ctx, command),
        Family::Strings => strings::write(db, ctx, command),
        Family::Hashes => hashes::write(db, ctx, command),
        Family::Lists => lists::write(db, ctx, command),
        Family::Sets => sets::write(db, ctx, command),
        Family::ZSets => zsets::write(db, ctx, command),
        Family::Blocking => blocking::try_pop(db, ctx, command),
        Family::PubSub => Err(unsupported(command)),
    }
}

/// Runs any non-blocking command under an already-held write lock (batches, replay).
pub(crate) fn apply(db: &mut Db, ctx: &mut WriteCtx, command: &Command) -> Result<Reply> {
    match command.access() {
        Access::Read => read(db, ctx.now, command),
        _ => write(db, ctx, command),
    }
}

/// A logged write still to be made durable: the log and the ticket to wait for.
pub(crate) type PendingDurability = (Arc<dyn WriteLog>, u64);

/// Shared state of one engine: the keyspace and who waits on it.
pub(crate) struct Shared {
    pub(crate) db: RwLock<Db>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) log: RwLock<Option<Arc<dyn WriteLog>>>,
    /// Wakes blocked pops after writes; only signalled while someone is blocked.
    pub(crate) wakeup: tokio::sync::Notify,
    pub(crate) blocked: AtomicUsize,
    /// Mirrors `log.is_some()` so the hot path can ask without taking a lock.
    pub(crate) has_log: std::sync::atomic::AtomicBool,
    /// While set, effects are recorded in replayable form and marked journaled (changed only
    /// under the keyspace write lock, so a write and its record always agree on it).
    pub(crate) journaling: std::sync::atomic::AtomicBool,
    /// Present when the engine is size-bounded.
    pub(crate) evictor: Option<eviction::Evictor>,
}

impl Shared {
    pub(crate) fn now(&self) -> i64 {
        self.clock.now_ms()
    }

    pub(crate) fn has_log(&self) -> bool {
        self.has_log.load(Ordering::Acquire)
    }

    /// The time `command` should run at. Reading the clock costs more than a whole `GET` on
    /// some machines, and it only matters when a key can expire: when no key has a TTL, the
    /// command sets none and no log records times, every instant gives the same result, so the
    /// clock is not read at all.
    pub(crate) fn now_for(&self, db: &Db, command: &Command) -> i64 {
        if db.has_expiring_keys() || command.depends_on_clock() || self.has_log() {
            self.now()
        } else {
            0
        }
    }

    /// Applies one write under the lock and returns its reply plus the effects to record
    /// (none when no log is installed or the write failed).
    pub(crate) fn apply_write(
        &self,
        db: &mut Db,
        now: i64,
        command: &Command,
    ) -> (Result<Reply>, Vec<Command>) {
        let mut ctx = WriteCtx::new(now);
        let reply = write(db, &mut ctx, command);
        if reply.is_err() {
            return (reply, Vec::new());
        }
        if let Some(evictor) = &self.evictor {
            if matches!(command, Command::FlushDb) {
                evictor.clear();
            } else {
                evictor.record_write(db, now, command.keys().into_iter());
            }
            evictor.evict(db, false);
        }
        if !self.has_log() {
            return (reply, Vec::new());
        }
        if self.journaling.load(Ordering::Relaxed) {
            // What the write did, in the form a replay into another store reproduces: a pop
            // becomes the removal of what it took, a no-op conditional write nothing. The same
            // effects replay the local log just as well.
            let effects = command.with_absolute_expiry(now).resolve_effects(&reply);
            return (reply, effects);
        }
        let effects = match ctx.rewrite {
            Some(effects) => effects,
            None => vec![command.with_absolute_expiry(now)],
        };
        (reply, effects)
    }

    /// Hands `effects` to the log as one record (still under the lock, so records keep apply
    /// order). `None` when there is nothing to record or no log.
    pub(crate) fn record(
        &self,
        now: i64,
        effects: Vec<Command>,
    ) -> Result<Option<PendingDurability>> {
        if effects.is_empty() {
            return Ok(None);
        }
        let Some(log) = self.log.read().clone() else {
            return Ok(None);
        };
        let journaled = self.journaling.load(Ordering::Relaxed);
        log.append(now, effects, journaled)
            .map(|ticket| Some((log, ticket)))
    }

    /// Applies one write under the lock, records its effects, and returns the reply plus the
    /// durability to wait for.
    pub(crate) fn write_locked(
        &self,
        db: &mut Db,
        now: i64,
        command: &Command,
    ) -> (Result<Reply>, Option<PendingDurability>) {
        let (reply, effects) = self.apply_write(db, now, command);
        if reply.is_err() {
            return (reply, None);
        }
        match self.record(now, effects) {
            Ok(pending) => (reply, pending),
            Err(e) => (Err(e), None),
        }
    }

    pub(crate) fn wake_blocked(&self) {
        if self.blocked.load(Ordering::Acquire) > 0 {
            self.wakeup.notify_waiters();
        }
    }
}
