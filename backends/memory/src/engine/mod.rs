//! The engine: Redis command semantics over an in-process keyspace.
//!
//! The keyspace is split into shards, each under its own `parking_lot::RwLock`; a command
//! locks the shards of all the keys it names, in ascending order, before it runs (see `db`).
//! So every command is linearizable and every compound command (`RENAME`, `LMOVE`,
//! `ZMoveByScore`, a transaction) is atomic, as under one lock, while commands on different
//! shards run in parallel. Reads share their shards; writes hold theirs for the few
//! microseconds a command takes and never across an `.await`.
//!
//! # Layout
//!
//! - `db`: the keyspace (the shards under their locks, and the view of the locked shards a
//!   command runs against); `shard`: one shard (table, deadlines, scan order); `key_name`,
//!   `value`: what a key costs in memory; `packed`, `hash_value`, `set_value`: small
//!   collections packed into one allocation, large ones in tables; `hashing`: the hash
//!   functions.
//! - one module per family (`keyspace`, `strings`, `hashes`, `lists`, `sets`, `zsets`), each
//!   with a `read(&Db, now, &Command)` and a `write(&mut Db, &mut WriteCtx, &Command)`;
//!   `sorted_set` (packed while small) and `sorted_set_table` (large): the sorted-set value the
//!   `zsets` commands work on; `context`: what a write handler reports back.
//! - `blocking`: the non-blocking attempt of `BLPOP` & co.; the engine retries it, woken by
//!   writes.
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
use staunch_core::{Access, Clock, Command, Reply, Result};

pub(crate) mod blocking;
pub(crate) mod borrowed;
pub(crate) mod context;
pub(crate) mod db;
pub(crate) mod eviction;
pub mod handle;
pub(crate) mod hash_value;
pub(crate) mod hashes;
pub(crate) mod hashes_more;
pub(crate) mod hashing;
pub(crate) mod key_name;
pub(crate) mod keyspace;
pub(crate) mod list_ops;
pub(crate) mod lists;
pub(crate) mod packed;
pub mod persist;
pub mod pubsub;
pub(crate) mod queue_step;
pub(crate) mod sampling;
pub(crate) mod set_ops;
pub(crate) mod set_value;
pub(crate) mod sets;
pub(crate) mod shard;
pub(crate) mod sorted_set;
pub(crate) mod sorted_set_table;
pub(crate) mod string_ranges;
pub(crate) mod strings;
pub(crate) mod value;
pub(crate) mod zsets;
pub(crate) mod zsets_combine;
pub(crate) mod zsets_more;

use context::{WriteCtx, unsupported};
use db::{Db, Keyspace};

/// Receives every successful write, in apply order, while the shards of the write's keys are
/// locked.
///
/// Writes to the same key reach the log in the order they were applied (each is applied and
/// appended under its key's shard lock). Writes on disjoint shards may call `append` at the
/// same time, from different threads, in either order: they touch different keys, so either
/// order replays to the same state. While journaling, `append` calls are made one at a time
/// (see `Shared::record`), so a log that numbers records and lists journaled ones in two steps
/// keeps both in the same order.
///
/// The file backend implements this to append records to its log. `append` must be quick (a
/// buffered write); durability waits happen in `wait_durable`, after the lock is released, so
/// that many writers can share one fsync (group commit).
#[async_trait::async_trait]
pub trait WriteLog: Send + Sync {
    /// Records `effects` applied at `now_ms` (handed over, so a log that keeps them needs no
    /// copy); returns a ticket for [`WriteLog::wait_durable`].
    /// `journaled` is true while the engine journals (see [`Engine::start_journaling`](handle::Engine::start_journaling)): the
    /// effects are then in replayable form and the log should keep them for a replay.
    /// An error here makes the command fail with it (the in-memory change is already made, so
    /// the log owner must refuse further writes until the log is healthy again).
    fn append(&self, now_ms: i64, effects: Vec<Command>, journaled: bool) -> Result<u64>;

    /// Told (with every shard locked) when journaling is turned on or off; may record the change
    /// and return a ticket to wait on. The default records nothing.
    fn journaling_changed(&self, now_ms: i64, on: bool) -> Result<Option<u64>> {
        let _ = (now_ms, on);
        Ok(None)
    }

    /// Resolves once the record with `ticket` is as durable as the log's policy promises.
    async fn wait_durable(&self, ticket: u64) -> Result<()>;
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

/// Runs a read-only command.
pub(crate) fn read(db: &Db, now: i64, command: &Command) -> Result<Reply> {
    // The bounds every backend shares come before anything else, the key's type included,
    // as on the Redis backend, which refuses them before sending.
    command.check_limits()?;
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
    if let Command::QueueStep { keys, step } = command {
        return queue_step::run(db, ctx, keys, step);
    }
    command.check_limits()?;
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
    pub(crate) keyspace: Keyspace,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) log: RwLock<Option<Arc<dyn WriteLog>>>,
    /// Wakes blocked pops after writes; only signalled while someone is blocked.
    pub(crate) wakeup: tokio::sync::Notify,
    pub(crate) blocked: AtomicUsize,
    /// Mirrors `log.is_some()` so the hot path can ask without taking a lock.
    pub(crate) has_log: std::sync::atomic::AtomicBool,
    /// While set, effects are recorded in replayable form and marked journaled (changed only
    /// with every shard locked for writing, so a write and its record always agree on it).
    pub(crate) journaling: std::sync::atomic::AtomicBool,
    /// Held around `WriteLog::append` while journaling: the journal lists records in the order
    /// the log numbered them, and two writers on different shards must not interleave between
    /// the numbering and the listing.
    pub(crate) journal_order: parking_lot::Mutex<()>,
    /// Present when the engine is size-bounded.
    pub(crate) evictor: Option<eviction::Evictor>,
    /// The channels of this engine (the queue step publishes from inside a write).
    pub(crate) hub: Arc<pubsub::Hub>,
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
        for (channel, message) in ctx.publish.drain(..) {
            self.hub
                .publish(&staunch_core::Name::from(channel), &message);
        }
        if let Some(evictor) = &self.evictor {
            // The keys chosen for eviction may lie in shards this command has not locked:
            // they are deleted in `after_write`, once the command's locks are released.
            if matches!(command, Command::FlushDb) {
                evictor.clear();
            } else {
                evictor.record_write(db, now, command.keys().into_iter());
            }
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
        let _in_order = journaled.then(|| self.journal_order.lock());
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

    /// What follows a write once its locks are released: deleting the keys a bounded
    /// engine's policy chose, and waking blocked pops.
    pub(crate) fn after_write(&self) {
        if let Some(evictor) = &self.evictor {
            evictor.evict(&self.keyspace, false);
        }
        if self.blocked.load(Ordering::Acquire) > 0 {
            self.wakeup.notify_waiters();
        }
    }
}
