//! [`MemoryStore`]: the engine as a [`Store`], with a background purger of expired keys.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use staunch_core::{
    Call, Capabilities, Clock, Command, Eviction, Execution, Name, Persistence, PubSubReach, Reply,
    Result, Store, Subscription, SystemClock,
};
use tokio::sync::Notify;

use crate::engine::handle::Engine;

/// Settings of a [`MemoryStore`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct MemoryOptions {
    /// Where "now" comes from (default: the system clock). Tests inject a `ManualClock`.
    pub clock: Arc<dyn Clock>,
    /// How often the background purger reclaims expired keys (default 100 ms, like Redis's
    /// active expiry cycle). Expired keys are invisible regardless.
    pub purge_interval: Duration,
    /// Upper bound on the approximate size of the data in bytes; least recently used keys are
    /// evicted past it (`maxmemory` + `allkeys-lru`). `None` (the default) never evicts.
    pub max_bytes: Option<u64>,
}

impl Default for MemoryOptions {
    fn default() -> Self {
        MemoryOptions {
            clock: Arc::new(SystemClock),
            purge_interval: Duration::from_millis(100),
            max_bytes: None,
        }
    }
}

impl MemoryOptions {
    /// Defaults: system clock, unbounded, purge every 100 ms.
    pub fn new() -> Self {
        Self::default()
    }

    /// Uses `clock` for expiry.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Bounds the store to about `max_bytes`, evicting least recently used keys.
    pub fn max_bytes(mut self, max_bytes: u64) -> Self {
        self.max_bytes = Some(max_bytes);
        self
    }

    /// Sets the purge interval.
    pub fn purge_interval(mut self, interval: Duration) -> Self {
        self.purge_interval = interval;
        self
    }
}

/// An in-process store with Redis semantics. Clones share the same data.
#[derive(Clone, Debug)]
pub struct MemoryStore {
    engine: Engine,
    bounded: bool,
    _purger: Option<Arc<PurgerGuard>>,
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore::new()
    }
}

impl MemoryStore {
    /// An unbounded store on the system clock.
    pub fn new() -> Self {
        MemoryStore::with_options(MemoryOptions::default())
    }

    /// A store with `options`. The purger runs when a tokio runtime is present; without one,
    /// expired keys are still invisible and are reclaimed as writes touch them.
    pub fn with_options(options: MemoryOptions) -> Self {
        let engine = Engine::with_bound(options.clock.clone(), options.max_bytes);
        let purger = tokio::runtime::Handle::try_current().ok().map(|handle| {
            Arc::new(PurgerGuard::spawn(
                &handle,
                engine.clone(),
                options.purge_interval,
            ))
        });
        MemoryStore {
            engine,
            bounded: options.max_bytes.is_some(),
            _purger: purger,
        }
    }

    /// The engine underneath.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// [`Store::call`] for an owned command: at once when the engine can, else its future.
    #[inline(never)]
    fn call_owned(&self, command: Command) -> Execution<'_> {
        match self.engine.execute_now(&command) {
            Some(reply) => Execution::ready(reply),
            None => Execution::pending(self.engine.execute(command)),
        }
    }
}

#[async_trait]
impl Store for MemoryStore {
    /// Answers at once whenever the engine can (everything but a blocking pop that has to
    /// wait), a borrowed command without building the owned one.
    ///
    /// Only the borrowed fast path is inlined into the typed methods; the rest (the owned
    /// command, the future of a wait) stays out of line so it does not weigh on them.
    #[inline]
    fn call(&self, call: Call<'_>) -> Execution<'_> {
        if let Call::Borrowed(command) = &call
            && let Some(reply) = self.engine.execute_ref(command)
        {
            return Execution::ready(reply);
        }
        self.call_owned(call.into_owned())
    }

    async fn batch(&self, commands: Vec<Command>, _atomic: bool) -> Result<Vec<Result<Reply>>> {
        self.engine.batch(commands).await
    }

    async fn subscribe(&self, channels: Vec<Name>, patterns: Vec<Name>) -> Result<Subscription> {
        Ok(self.engine.subscribe(channels, patterns))
    }

    fn capabilities(&self) -> Capabilities {
        let eviction = if self.bounded {
            Eviction::Lru
        } else {
            Eviction::None
        };
        Capabilities::new(Persistence::None, PubSubReach::Process, eviction)
    }
}

/// Stops the purger task when the last store handle is dropped.
#[derive(Debug)]
struct PurgerGuard {
    shutdown: Arc<Notify>,
}

impl PurgerGuard {
    fn spawn(handle: &tokio::runtime::Handle, engine: Engine, interval: Duration) -> Self {
        let shutdown = Arc::new(Notify::new());
        let stop = shutdown.clone();
        handle.spawn(async move {
            let mut tick = tokio::time::interval(interval);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = stop.notified() => return,
                    _ = tick.tick() => {
                        // Bounded batches keep the write lock short; keep going while there is
                        // a backlog, as Redis's active expiry does.
                        while engine.purge_expired(256) == 256 {
                            tokio::task::yield_now().await;
                        }
                        engine.evict_now();
                    }
                }
            }
        });
        PurgerGuard { shutdown }
    }
}

impl Drop for PurgerGuard {
    fn drop(&mut self) {
        self.shutdown.notify_one();
    }
}
