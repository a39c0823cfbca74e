//! [`Engine`]: the public face of the engine, shared by the memory and file backends.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use parking_lot::RwLock;
use staunch_core::{Access, Clock, Command, Name, Reply, Result, Subscription, SystemClock};

use super::db::Keyspace;
use super::eviction::Evictor;
use super::pubsub::Hub;
use super::{Shared, WriteCtx, WriteLog, apply, blocking, read};

/// The in-process Redis engine. Cheap to clone (a handle); clones share the same data.
///
/// Backends wrap it: `MemoryStore` adds eviction and a purger, the file backend adds a log.
#[derive(Clone)]
pub struct Engine {
    pub(crate) shared: Arc<Shared>,
    pub(crate) hub: Arc<Hub>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").finish_non_exhaustive()
    }
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new(Arc::new(SystemClock))
    }
}

impl Engine {
    /// An empty, unbounded engine reading time from `clock`.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Engine::with_bound(clock, None)
    }

    /// An empty engine reading time from `clock` that, when `max_bytes` is set, evicts least
    /// recently used keys to keep its approximate size under that bound.
    pub fn with_bound(clock: Arc<dyn Clock>, max_bytes: Option<u64>) -> Self {
        let hub = Arc::new(Hub::default());
        Engine {
            shared: Arc::new(Shared {
                keyspace: Keyspace::default(),
                clock,
                log: RwLock::new(None),
                wakeup: tokio::sync::Notify::new(),
                blocked: AtomicUsize::new(0),
                has_log: std::sync::atomic::AtomicBool::new(false),
                journaling: std::sync::atomic::AtomicBool::new(false),
                journal_order: parking_lot::Mutex::new(()),
                evictor: max_bytes.map(Evictor::new),
                hub: hub.clone(),
            }),
            hub,
        }
    }

    /// Installs the log every successful write is reported to (see [`WriteLog`]).
    pub fn set_write_log(&self, log: Option<Arc<dyn WriteLog>>) {
        let mut slot = self.shared.log.write();
        self.shared
            .has_log
            .store(log.is_some(), std::sync::atomic::Ordering::Release);
        *slot = log;
    }

    /// Turns journaling on: from now on every write's effects are recorded in the form
    /// [`Command::resolve_effects`] gives (replayable into another store: pops as removals of
    /// what they took) and the log is told they are journaled, so it can keep them for a
    /// replay. Locks every shard, so no write is half on either side of the switch.
    pub fn start_journaling(&self) -> Result<()> {
        let _db = self.shared.keyspace.lock_all(true);
        if let Some(log) = self.shared.log.read().clone() {
            // Turning on only marks later records; nothing to wait for.
            log.journaling_changed(self.shared.now(), true)?;
        }
        self.shared
            .journaling
            .store(true, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    /// Turns journaling off, telling the log ([`WriteLog::journaling_changed`]) under the
    /// lock of every shard and waiting for what it records. A refused change leaves it on.
    pub async fn stop_journaling(&self) -> Result<()> {
        let pending = {
            let _db = self.shared.keyspace.lock_all(true);
            let log = self.shared.log.read().clone();
            let ticket = match &log {
                Some(log) => log.journaling_changed(self.shared.now(), false)?,
                None => None,
            };
            self.shared
                .journaling
                .store(false, std::sync::atomic::Ordering::Relaxed);
            log.zip(ticket)
        };
        if let Some((log, ticket)) = pending {
            log.wait_durable(ticket).await?;
        }
        Ok(())
    }

    /// The engine's current time in Unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.shared.now()
    }

    /// Runs one command with Redis semantics; blocking pops wait as Redis's do.
    pub async fn execute(&self, command: Command) -> Result<Reply> {
        if let Some(reply) = self.execute_now(&command) {
            return reply;
        }
        if command.access() == Access::Blocking {
            return self.blocking_pop(&command).await;
        }
        // A write with a log installed: apply and record under the lock, then wait for the
        // record to be durable outside it.
        let (reply, ticket) = {
            let mut db = self.shared.keyspace.lock_for(&command, true);
            let now = self.shared.now();
            self.shared.write_locked(&mut db, now, &command)
        };
        self.shared.after_write();
        if let Some((log, ticket)) = ticket {
            log.wait_durable(ticket).await?;
        }
        reply
    }

    /// Runs `command` at once when it needs no waiting: anything but a blocking pop, and, when
    /// a write log is installed, anything but a write (whose durability must be awaited).
    pub fn execute_now(&self, command: &Command) -> Option<Result<Reply>> {
        match command.access() {
            Access::Read if command.family() == staunch_core::Family::PubSub => {
                Some(Ok(self.pubsub_info(command)))
            }
            Access::Read => {
                if let Some(evictor) = &self.shared.evictor {
                    command
                        .keys()
                        .into_iter()
                        .for_each(|k| evictor.record_read(k));
                }
                let db = self.shared.keyspace.lock_for(command, false);
                let now = self.shared.now_for(&db, command);
                Some(read(&db, now, command))
            }
            Access::Write | Access::Admin => {
                if self.shared.has_log() {
                    return None;
                }
                let (reply, _) = {
                    let mut db = self.shared.keyspace.lock_for(command, true);
                    let now = self.shared.now_for(&db, command);
                    self.shared.write_locked(&mut db, now, command)
                };
                self.shared.after_write();
                Some(reply)
            }
            Access::Blocking => None,
            Access::Publish => Some(Ok(self.publish(command))),
        }
    }

    /// `PUBSUB CHANNELS|NUMSUB|NUMPAT`, answered from the hub.
    fn pubsub_info(&self, command: &Command) -> Reply {
        let bulk = |s: &[u8]| Reply::Bulk(staunch_core::Bytes::copy_from_slice(s));
        match command {
            Command::PubSubChannels { pattern } => Reply::Array(
                self.hub
                    .channels(pattern.as_deref())
                    .into_iter()
                    .map(|c| Reply::Bulk(c.into_bytes()))
                    .collect(),
            ),
            Command::PubSubNumSub { channels } => Reply::Array(
                channels
                    .iter()
                    .flat_map(|c| [bulk(c), Reply::Int(self.hub.numsub(c) as i64)])
                    .collect(),
            ),
            Command::PubSubNumPat => Reply::Int(self.hub.numpat() as i64),
            _ => Reply::Nil,
        }
    }

    fn publish(&self, command: &Command) -> Reply {
        match command {
            Command::Publish { channel, message } => {
                Reply::Int(self.hub.publish(channel, message) as i64)
            }
            _ => Reply::Int(0),
        }
    }

    /// Runs `commands` with the shards of all their keys locked at once, so the batch is
    /// atomic whether or not it was asked to be; blocking commands answer at once as inside
    /// `MULTI`.
    pub async fn batch(&self, commands: Vec<Command>) -> Result<Vec<Result<Reply>>> {
        let mut replies = Vec::with_capacity(commands.len());
        let writes = commands
            .iter()
            .any(|c| !matches!(c.access(), Access::Read | Access::Publish));
        let pending = {
            let mut db = self.shared.keyspace.lock_for_all(&commands, writes);
            let now = self.shared.now();
            // The batch's effects go to the log as one record, so a crash can never leave
            // half a batch on disk.
            let mut effects = Vec::new();
            for command in &commands {
                let reply = match command.access() {
                    Access::Read if command.family() == staunch_core::Family::PubSub => {
                        Ok(self.pubsub_info(command))
                    }
                    Access::Read => read(&db, now, command),
                    Access::Publish => Ok(self.publish(command)),
                    _ => {
                        let (reply, mut written) = self.shared.apply_write(&mut db, now, command);
                        effects.append(&mut written);
                        reply
                    }
                };
                replies.push(reply);
            }
            self.shared.record(now, effects)?
        };
        self.shared.after_write();
        if let Some((log, ticket)) = pending {
            log.wait_durable(ticket).await?;
        }
        Ok(replies)
    }

    /// Subscribes to channels and patterns inside this process.
    pub fn subscribe(&self, channels: Vec<Name>, patterns: Vec<Name>) -> Subscription {
        self.hub.subscribe(channels, patterns)
    }

    /// Applies an already-logged command at the time it originally ran, without logging it
    /// again (log replay). Errors are returned, not raised: a replayed command that failed
    /// originally fails the same way.
    pub fn replay(&self, now_ms: i64, command: &Command) -> Result<Reply> {
        let mut db = self.shared.keyspace.lock_for(command, true);
        apply(&mut db, &mut WriteCtx::new(now_ms), command)
    }

    /// Removes up to `limit` expired keys; returns how many. Expired keys are invisible
    /// anyway; this reclaims their memory.
    pub fn purge_expired(&self, limit: usize) -> usize {
        // One shard at a time, so the purge never holds more than one shard's lock.
        let now = self.shared.now();
        let mut purged = 0;
        for index in 0..self.shared.keyspace.shard_count() {
            let keys = self
                .shared
                .keyspace
                .lock_shard(index)
                .purge_expired(now, limit - purged);
            if let Some(evictor) = &self.shared.evictor {
                keys.iter().for_each(|key| evictor.forget(key));
            }
            purged += keys.len();
            if purged >= limit {
                break;
            }
        }
        purged
    }

    /// For a bounded engine: lets the eviction policy catch up and deletes the keys it chose;
    /// returns how many were deleted (always 0 when unbounded).
    pub fn evict_now(&self) -> usize {
        match &self.shared.evictor {
            Some(evictor) => evictor.evict(&self.shared.keyspace, true),
            None => 0,
        }
    }

    /// For a bounded engine, the approximate size in bytes the eviction policy accounts for.
    pub fn tracked_bytes(&self) -> Option<u64> {
        self.shared.evictor.as_ref().map(|e| {
            e.evict(&self.shared.keyspace, true);
            e.weighted_size()
        })
    }

    /// Number of live keys.
    pub fn len(&self) -> usize {
        let now = self.shared.now();
        self.shared.keyspace.lock_all(false).len(now)
    }

    /// True when there are no live keys.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Runs a blocking pop to completion: a reply, or `Nil` once the timeout (zero: never)
    /// passes. The non-blocking attempt is retried whenever a write may have made data
    /// available; the waiter registers for the wake-up *before* it looks at the data, so a
    /// push that lands between the look and the wait is never missed. Writers only pay for
    /// the wake-up while somebody is blocked.
    async fn blocking_pop(&self, command: &Command) -> Result<Reply> {
        let shared = &*self.shared;
        let timeout = blocking::timeout_of(command);
        let deadline = (!timeout.is_zero()).then(|| tokio::time::Instant::now() + timeout);
        shared.blocked.fetch_add(1, Ordering::AcqRel);
        let _guard = BlockedGuard(shared);
        loop {
            let notified = shared.wakeup.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let (reply, ticket) = {
                let mut db = shared.keyspace.lock_for(command, true);
                let now = shared.now();
                shared.write_locked(&mut db, now, command)
            };
            if let Some((log, ticket)) = ticket {
                log.wait_durable(ticket).await?;
            }
            match reply {
                Ok(Reply::Nil) => {}
                other => {
                    // BLMOVE pushed somewhere another waiter may be watching.
                    shared.after_write();
                    return other;
                }
            }
            match deadline {
                Some(deadline) => {
                    if tokio::time::timeout_at(deadline, notified).await.is_err() {
                        return Ok(Reply::Nil);
                    }
                }
                None => notified.await,
            }
        }
    }
}

/// Keeps the count of blocked callers right even when the caller's future is dropped.
struct BlockedGuard<'a>(&'a Shared);

impl Drop for BlockedGuard<'_> {
    fn drop(&mut self) {
        self.0.blocked.fetch_sub(1, Ordering::AcqRel);
    }
}
