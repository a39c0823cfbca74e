//! [`FailoverOptions`], [`Policy`], [`HealthOptions`] and the state-change events.

use std::sync::Arc;
use std::time::Duration;

use staunch_core::{Clock, SystemClock};

use super::breaker::BreakerOptions;
use super::retry::RetryOptions;
use staunch_core::FsyncPolicy;

/// What `Failover` does when the primary is down. Set per named database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Policy {
    /// Serve from the local store during outages only (the default). Reads during an outage
    /// see only what was written locally during this outage: they are *stale* or missing
    /// for everything Redis held.
    #[default]
    Divert,
    /// Also copy every write Redis acknowledged into the local store while healthy, so reads
    /// during an outage see recent state (at the cost of a local write per write).
    Mirror,
    /// No fallback: while the breaker is open calls fail at once with `Unavailable`.
    FailFast,
}

/// Settings of the background health monitor.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HealthOptions {
    /// How often the primary is probed while healthy (default 30 s, the async Redis manager).
    pub interval: Duration,
    /// How often the monitor looks again while degraded or recovering (default 1 s): probes
    /// go out as soon as the breaker admits them, and a failed replay is retried this often.
    pub degraded_interval: Duration,
    /// Longest wait for a probe's answer (default 2 s).
    pub probe_timeout: Duration,
}

impl Default for HealthOptions {
    fn default() -> Self {
        HealthOptions {
            interval: Duration::from_secs(30),
            degraded_interval: Duration::from_secs(1),
            probe_timeout: Duration::from_secs(2),
        }
    }
}

/// How a `Failover` behaves. Every field has a documented default; build with the methods.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct FailoverOptions {
    /// Fallback policy (default [`Policy::Divert`]).
    pub policy: Policy,
    /// Circuit breaker settings (defaults from the async Redis manager).
    pub breaker: BreakerOptions,
    /// Retry settings for calls to the primary (defaults from the async Redis manager).
    pub retry: RetryOptions,
    /// Health monitor settings.
    pub health: HealthOptions,
    /// Longest wait for the primary's answer to one call or batch (default 5 s); blocking
    /// commands wait their block time plus this. Not applied when the primary bounds its calls
    /// itself ([`Probe::bounds_calls`](super::Probe::bounds_calls), true for the Redis
    /// backend, whose `response_timeout` then is the limit).
    pub call_timeout: Duration,
    /// The fsync policy of the file store that `local_memory().journal_dir(dir)` opens
    /// (default [`FsyncPolicy::EverySec`]). A store given with `local_file_with` follows its
    /// own `FileOptions::fsync`.
    pub journal_sync: FsyncPolicy,
    /// The node id naming this journal's replay watermark (default: random, stored with the
    /// journal). Two processes must never share one.
    pub node_id: Option<String>,
    /// With [`Policy::Divert`], empty the local store once the journal is drained, so the next
    /// outage does not serve the previous outage's leftovers (default true).
    pub clear_local_after_replay: bool,
    /// Journal entries applied to Redis in one atomic step during replay (default 64).
    pub replay_group: usize,
    /// How long a blocking command waits on the local store before looking whether Redis is
    /// back (default 100 ms).
    pub blocking_slice: Duration,
    /// Where "now" comes from for absolute expiries (default: the system clock).
    pub clock: Arc<dyn Clock>,
}

impl Default for FailoverOptions {
    fn default() -> Self {
        FailoverOptions {
            policy: Policy::default(),
            breaker: BreakerOptions::default(),
            retry: RetryOptions::default(),
            health: HealthOptions::default(),
            call_timeout: Duration::from_secs(5),
            journal_sync: FsyncPolicy::default(),
            node_id: None,
            clear_local_after_replay: true,
            replay_group: 64,
            blocking_slice: Duration::from_millis(100),
            clock: Arc::new(SystemClock),
        }
    }
}

impl FailoverOptions {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets [`FailoverOptions::policy`].
    pub fn policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }
    /// Sets [`FailoverOptions::breaker`].
    pub fn breaker(mut self, breaker: BreakerOptions) -> Self {
        self.breaker = breaker;
        self
    }
    /// Sets [`FailoverOptions::retry`].
    pub fn retry(mut self, retry: RetryOptions) -> Self {
        self.retry = retry;
        self
    }
    /// Sets [`FailoverOptions::health`].
    pub fn health(mut self, health: HealthOptions) -> Self {
        self.health = health;
        self
    }
    /// Sets the health probe intervals: healthy and degraded.
    pub fn probe_intervals(mut self, healthy: Duration, degraded: Duration) -> Self {
        self.health.interval = healthy;
        self.health.degraded_interval = degraded;
        self
    }
    /// Sets [`FailoverOptions::call_timeout`].
    pub fn call_timeout(mut self, timeout: Duration) -> Self {
        self.call_timeout = timeout;
        self
    }
    /// Sets [`FailoverOptions::journal_sync`].
    pub fn journal_sync(mut self, sync: FsyncPolicy) -> Self {
        self.journal_sync = sync;
        self
    }
    /// Sets [`FailoverOptions::node_id`].
    pub fn node_id(mut self, id: impl Into<String>) -> Self {
        self.node_id = Some(id.into());
        self
    }
    /// Sets [`FailoverOptions::clear_local_after_replay`].
    pub fn clear_local_after_replay(mut self, on: bool) -> Self {
        self.clear_local_after_replay = on;
        self
    }
    /// Sets [`FailoverOptions::clock`].
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }
}

/// Where a `Failover` sends traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailoverState {
    /// Calls go to the primary.
    Healthy,
    /// The primary is considered down: calls go to the local store, writes are journaled.
    Degraded,
    /// The primary is back and the journal is being replayed into it; calls still go to the
    /// local store (and writes to the journal) until it is drained.
    Recovering,
}

impl FailoverState {
    /// `healthy`, `degraded` or `recovering`.
    pub fn as_str(self) -> &'static str {
        match self {
            FailoverState::Healthy => "healthy",
            FailoverState::Degraded => "degraded",
            FailoverState::Recovering => "recovering",
        }
    }

    pub(crate) fn from_u8(v: u8) -> FailoverState {
        match v {
            0 => FailoverState::Healthy,
            1 => FailoverState::Degraded,
            _ => FailoverState::Recovering,
        }
    }

    pub(crate) fn as_u8(self) -> u8 {
        match self {
            FailoverState::Healthy => 0,
            FailoverState::Degraded => 1,
            FailoverState::Recovering => 2,
        }
    }
}

/// A state change, as passed to the callback of `FailoverBuilder::on_state_change`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StateChange {
    /// The state before.
    pub from: FailoverState,
    /// The state after.
    pub to: FailoverState,
    /// Why, in words.
    pub reason: String,
    /// Journal entries waiting at the moment of the change.
    pub journal_len: usize,
}

/// The callback type for state changes.
pub type StateCallback = Arc<dyn Fn(&StateChange) + Send + Sync>;
