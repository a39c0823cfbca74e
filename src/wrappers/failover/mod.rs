//! Resilience: keep serving through a Redis outage and lose nothing.
//!
//! [`Failover`] is a [`Store`] that wraps a primary (Redis) and a local store (the embedded
//! file store by default, memory if asked). While Redis is healthy it is a thin layer over it
//! (a timeout and a circuit breaker); when Redis dies, hangs or restarts, calls are served by
//! the local store at local speed and every write is recorded in a durable replay journal;
//! when Redis answers again the journal is replayed into it, in order and exactly once, and
//! only then does traffic go back to Redis.
//!
//! ```no_run
//! # #[cfg(all(feature = "redis", feature = "file"))]
//! # async fn demo() -> staunch::Result<()> {
//! use staunch::prelude::*;
//! use staunch::redis::{RedisOptions, RedisStore};
//! use staunch::failover::{Failover, Policy};
//! use std::time::Duration;
//!
//! let redis = RedisStore::lazy(
//!     RedisOptions::new("redis://127.0.0.1:6379").response_timeout(Duration::from_secs(1)),
//! )?;
//! let store = Failover::redis(redis)
//!     .local_file("data/failover") // local store (and journal) in data/failover/local
//!     .policy(Policy::Divert)
//!     .on_state_change(|change| eprintln!("{} -> {}", change.from.as_str(), change.to.as_str()))
//!     .open()
//!     .await?;
//! store.incr("visits").await?; // works whether Redis is up or not
//! # Ok(()) }
//! ```
//!
//! # Choosing the local store
//!
//! - `local_file(dir)` (the default choice): a [`staunch_file`](https://docs.rs/staunch-file)
//!   store in `<dir>/local` whose own log is the journal: while degraded the store journals
//!   (each write's record is marked for replay, pops recorded as the removals of what they
//!   took), so a degraded write is one append under the store's fsync policy, about the cost
//!   of the file store alone. The node id naming the replay watermark is kept in `<dir>/NODE`.
//!   Needed for [`Policy::Mirror`], whose warm copy must itself survive restarts.
//! - `local_memory().journal_dir(dir)`: the same file store, in `<dir>/local` (a memory store
//!   with a journal on disk is a file store in all but name: one log format, one journal
//!   mechanism), with [`FailoverOptions::journal_sync`] as its fsync policy.
//! - `local_memory()` alone: nothing on disk; an application crash during an outage loses the
//!   outage's writes. For tests and caches.
//!
//! `cargo run --release --example failover_bench --features redis` prints the figures side by
//! side (healthy overhead, degraded latency against the local store alone, time from SIGKILL to
//! the first local call, latency while Redis is hung).
//!
//! # Layout
//!
//! - [`breaker`]: the circuit breaker (closed/open/half-open; consecutive failures, failure
//!   rate, slow calls).
//! - [`retry`]: exponential backoff with jitter, only for calls that are safe to repeat.
//! - [`stats`]: per-store counters.
//! - [`journal`]: the durable replay journal and its file format.
//! - `failover.rs`: the `Store` implementation and the routing rules (read its docs for
//!   blocking commands, batches and the order of a degraded write).
//! - `blocking.rs`: blocking pops in both modes.
//! - `staunch_core::Command::resolve_effects`: how a write is recorded so that replay does
//!   what it did.
//! - `replay.rs`: exactly-once replay with a watermark, and switching back.
//! - `slots.rs`: on a Redis Cluster, one watermark per hash slot and the cross-slot rule in
//!   every state; how Sentinel and Cluster failovers are followed.
//! - `route.rs`: the gate that keeps switching back from overlapping a degraded call.
//! - [`health`]: the background monitor and the [`FailoverHealth`].
//! - `pubsub.rs`: subscriptions that follow the active backend.
//!
//! # Conflict rules: what Redis holds after replay
//!
//! Replay applies *operations*, in journal order, on top of whatever Redis holds by then
//! (including what other nodes wrote during the outage). Per data type:
//!
//! - **Counters** (`INCRBY`, `DECRBY`, `INCRBYFLOAT`, `HINCRBY`, `ZINCRBY`, `IncrByEx`): the
//!   increments add up with everyone else's. Nothing is lost and nothing counted twice.
//! - **Sets** (`SADD`/`SREM`) and **sorted sets** (`ZADD`/`ZREM`): members merge; a member
//!   added here and removed elsewhere ends as the later replayed operation says. `ZADD`
//!   replays its score (last replayed wins per member); `GT`/`LT`/`NX`/`XX` are re-checked
//!   against Redis.
//! - **Lists**: pushes are appended to what Redis holds (so a queue keeps both nodes' jobs).
//!   Pops and moves are replayed as removals of the exact elements they returned locally
//!   (`LREM`), never as "pop whatever is first", so a job another node enqueued is not lost.
//!   Index-based writes (`LSET`, `LTRIM`, `LREM` with counts) apply to Redis's list as it is
//!   then, which may differ from the local one.
//! - **Hashes**: `HSET` writes its fields (last replayed wins per field); other fields merge.
//! - **Strings** (`SET`, `MSET`, `APPEND`, `GETDEL`) and **`DEL`/`FLUSHDB`/`RENAME`**: last
//!   replayed wins. A `SET` made during the outage overwrites a value another node set
//!   meanwhile, even if that one was later in wall-clock time.
//! - **TTLs** are recorded as absolute deadlines, so replay never extends them; a key whose
//!   deadline passed before replay is written and expires at once.
//! - **Conditional writes** (`SET NX/XX`, compare-and-set/delete, `HSETNX`, `RENAMENX`) are
//!   journaled only if they succeeded locally, and re-check their condition in Redis on replay:
//!   one that won locally may lose against Redis's value.
//! - **Pub/sub** messages are not journaled; subscribers get `Gap(BackendSwitched)` instead.
//!
//! # Reads while degraded
//!
//! Under [`Policy::Divert`] the local store holds only what was written during the outage:
//! reads see those writes and nothing of what Redis held (a `GET` of an older key misses). The
//! local store is cleared once the journal is drained, so the next outage starts clean. Under
//! [`Policy::Mirror`] every write Redis acknowledged is copied to the local store as well, so
//! reads during an outage see the state as of the outage's start plus the outage's writes
//! (writes made to Redis by *other* processes are not mirrored). [`Policy::FailFast`] does not
//! fall back: calls fail with `Unavailable` while the breaker is open.

mod blocking;
pub mod breaker;
pub mod health;
pub mod journal;
mod options;
mod pubsub;
mod replay;
pub mod retry;
mod route;
mod slots;
pub mod stats;
mod store;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use staunch_core::{Error, Persistence, Result, Store};

pub use breaker::{BreakerOptions, BreakerState, CircuitBreaker};
pub use health::{FailoverHealth, Probe, StoreProbe};
pub use journal::{Journal, JournalEntry};
pub use options::{
    FailoverOptions, FailoverState, HealthOptions, Policy, StateCallback, StateChange,
};
pub use replay::watermark_key;
pub use retry::RetryOptions;
pub use slots::slot_watermark_key;
pub use stats::{Stats, StatsSnapshot};
pub use staunch_core::FsyncPolicy;
pub use staunch_core::ServerInfo;
pub use store::Failover;

use store::Core;

enum Local {
    Unset,
    /// The store's directory, its options, and where the node id lives.
    #[cfg(feature = "file")]
    File(PathBuf, staunch_file::FileOptions, PathBuf),
    #[cfg(feature = "memory")]
    Memory,
    Store(Arc<dyn Store>),
}

/// Builds a [`Failover`]: the primary, where the local store and the journal live, options.
#[must_use]
pub struct FailoverBuilder {
    primary: Arc<dyn Store>,
    probe: Arc<dyn Probe>,
    local: Local,
    journal_dir: Option<PathBuf>,
    options: FailoverOptions,
    callback: Option<StateCallback>,
}

impl std::fmt::Debug for FailoverBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FailoverBuilder")
            .field("journal_dir", &self.journal_dir)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Failover {
    /// A builder over any primary `Store` (probed with a cheap `EXISTS`).
    pub fn builder(primary: Arc<dyn Store>) -> FailoverBuilder {
        FailoverBuilder {
            probe: Arc::new(StoreProbe(primary.clone())),
            primary,
            local: Local::Unset,
            journal_dir: None,
            options: FailoverOptions::default(),
            callback: None,
        }
    }

    /// A builder over any primary with a [`Probe`] of your own (a `PING` and `INFO` for a
    /// Redis reached through a wrapper, for example).
    pub fn builder_with_probe(primary: Arc<dyn Store>, probe: Arc<dyn Probe>) -> FailoverBuilder {
        let mut builder = Self::builder(primary);
        builder.probe = probe;
        builder
    }

    /// A builder over a Redis primary (probed with `PING`, reporting `INFO`).
    #[cfg(feature = "redis")]
    #[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
    pub fn redis(store: staunch_redis::RedisStore) -> FailoverBuilder {
        let probe = Arc::new(store.clone());
        Self::builder_with_probe(Arc::new(store), probe)
    }

    /// Where traffic goes now.
    pub fn state(&self) -> FailoverState {
        self.core.state()
    }

    /// The circuit breaker guarding the primary.
    pub fn breaker(&self) -> &CircuitBreaker {
        &self.core.breaker
    }

    /// Counters of calls to the primary and of local service.
    pub fn stats(&self) -> StatsSnapshot {
        self.core.stats.snapshot()
    }

    /// Journal entries waiting for replay.
    pub fn journal_len(&self) -> usize {
        self.core.journal.len()
    }

    /// The node id naming this journal's watermark in Redis.
    pub fn node_id(&self) -> &str {
        self.core.journal.node_id()
    }

    /// A receiver of state changes (the current state first).
    pub fn watch_state(&self) -> tokio::sync::watch::Receiver<FailoverState> {
        self.core.state_tx.subscribe()
    }

    /// The local store (for inspection; writing to it directly bypasses the journal).
    pub fn local(&self) -> &Arc<dyn Store> {
        &self.core.local
    }

    /// Stops the monitor (waiting for it), syncs and closes the journal (releasing its lock) and
    /// closes a file store this `Failover` opened, so the directory can be opened again at
    /// once. Other clones stop working afterwards (degraded writes fail); the journal stays on
    /// disk and is replayed by the next open.
    pub async fn close(&self) -> Result<()> {
        self.guard.stop().await;
        // Releases the journal's lock too, so the directory can be opened again at once.
        let journal = self.core.journal.close();
        let local = match &self.core.closer {
            Some(close) => close().await,
            None => Ok(()),
        };
        journal.and(local)
    }
}

impl FailoverBuilder {
    /// Local store: a file store in `<dir>/local` whose log is also the replay journal, the
    /// node id in `<dir>/NODE` (feature `file`).
    #[cfg(feature = "file")]
    #[cfg_attr(docsrs, doc(cfg(feature = "file")))]
    pub fn local_file(self, dir: impl AsRef<Path>) -> Self {
        self.local_file_with(dir, staunch_file::FileOptions::default())
    }

    /// Like [`FailoverBuilder::local_file`] with file store options.
    #[cfg(feature = "file")]
    #[cfg_attr(docsrs, doc(cfg(feature = "file")))]
    pub fn local_file_with(
        mut self,
        dir: impl AsRef<Path>,
        options: staunch_file::FileOptions,
    ) -> Self {
        let dir = dir.as_ref();
        self.local = Local::File(dir.join("local"), options, dir.to_path_buf());
        self
    }

    /// Local store in memory, with a journal in memory too: an application crash during an
    /// outage loses the outage's writes. With [`FailoverBuilder::journal_dir`] it becomes a
    /// file store in that directory instead (durable, one append per degraded write).
    #[cfg(feature = "memory")]
    #[cfg_attr(docsrs, doc(cfg(feature = "memory")))]
    pub fn local_memory(mut self) -> Self {
        self.local = Local::Memory;
        self
    }

    /// Any local store.
    pub fn local_store(mut self, store: Arc<dyn Store>) -> Self {
        self.local = Local::Store(store);
        self
    }

    /// Keeps the journal on disk in `dir`: with [`FailoverBuilder::local_memory`], the local
    /// store becomes a file store in `<dir>/local` whose log is the journal (its fsync policy
    /// is [`FailoverOptions::journal_sync`]). Refused with any other local store: a file
    /// store journals in its own log, and a custom store has no log to journal in.
    pub fn journal_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.journal_dir = Some(dir.as_ref().to_path_buf());
        self
    }

    /// Sets every option at once.
    pub fn options(mut self, options: FailoverOptions) -> Self {
        self.options = options;
        self
    }

    /// Sets the policy.
    pub fn policy(mut self, policy: Policy) -> Self {
        self.options.policy = policy;
        self
    }

    /// Calls `callback` on every state change (from the task that caused it: keep it short).
    pub fn on_state_change(
        mut self,
        callback: impl Fn(&StateChange) + Send + Sync + 'static,
    ) -> Self {
        self.callback = Some(Arc::new(callback));
        self
    }

    /// Opens the local store and the journal and starts the monitor. A journal left by an
    /// earlier process starts the store in `Recovering`: it is replayed as soon as the primary
    /// answers.
    pub async fn open(self) -> Result<Failover> {
        type Closer =
            Box<dyn Fn() -> futures_util::future::BoxFuture<'static, Result<()>> + Send + Sync>;
        // A file store's own log is the journal unless a journal directory was asked for.
        #[cfg(feature = "file")]
        let mut store_journal: Option<(staunch_file::FileStore, PathBuf)> = None;
        #[cfg(not(feature = "file"))]
        let store_journal: Option<()> = None;
        let local_choice = match (self.local, &self.journal_dir) {
            (local, None) => local,
            // A memory store with a journal on disk is a file store in all but name.
            #[cfg(all(feature = "file", feature = "memory"))]
            (Local::Memory, Some(dir)) => {
                journal::refuse_old_journal(dir)?;
                let options = staunch_file::FileOptions::new().fsync(self.options.journal_sync);
                Local::File(dir.join("local"), options, dir.clone())
            }
            (_, Some(dir)) => {
                return Err(Error::invalid(format!(
                    "journal_dir({}) goes with local_memory() (it becomes a file store there, \
                     cargo feature `file`); local_file(dir) journals in its own log and any \
                     other local store keeps its journal in memory",
                    dir.display()
                )));
            }
        };
        let (local, closer): (Arc<dyn Store>, Option<Closer>) = match local_choice {
            Local::Unset => {
                return Err(Error::invalid(
                    "Failover needs a local store: call local_file(dir), local_memory() or local_store(..)",
                ));
            }
            #[cfg(feature = "file")]
            Local::File(dir, options, node_dir) => {
                let store = staunch_file::FileStore::open_with(&dir, options).await?;
                store_journal = Some((store.clone(), node_dir));
                let for_close = store.clone();
                let closer: Closer = Box::new(move || {
                    let s = for_close.clone();
                    Box::pin(async move { s.close().await })
                });
                (Arc::new(store), Some(closer))
            }
            #[cfg(feature = "memory")]
            Local::Memory => (Arc::new(staunch_memory::MemoryStore::new()), None),
            Local::Store(store) => (store, None),
        };
        let journal = match store_journal {
            #[cfg(feature = "file")]
            Some((store, node_dir)) => {
                let journal = Journal::in_store_log(store, node_dir, self.options.node_id.clone())?;
                if !journal.is_empty() {
                    tracing::info!(target: "staunch::failover", entries = journal.len(), "the local store's log holds writes to replay");
                }
                journal
            }
            _ => Journal::in_memory(
                self.options
                    .node_id
                    .clone()
                    .unwrap_or_else(|| format!("{:016x}", rand::random::<u64>())),
            ),
        };
        // A local store that does not persist (memory) lost the outage's writes with the last
        // process; the journal has them all, so rebuild it from there: reads after a restart
        // see what was acknowledged before the crash, as with the file store.
        if local.capabilities().persistence == Persistence::None && !journal.is_empty() {
            let entries = journal.front(usize::MAX)?;
            for entry in &entries {
                local.batch(entry.commands.clone(), true).await?;
            }
            tracing::info!(target: "staunch::failover", entries = entries.len(), "rebuilt the local store from the journal");
        }
        let core = Arc::new(Core::new(
            self.primary,
            self.probe,
            local,
            Arc::new(journal),
            self.options,
            self.callback,
            closer,
        ));
        let guard = health::spawn_monitor(core.clone());
        Ok(Failover {
            core,
            guard: Arc::new(guard),
        })
    }
}
