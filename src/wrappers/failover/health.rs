//! The health monitor: a background task that probes the primary, brings a degraded
//! `Failover` back, and the on-demand [`FailoverHealth`].
//!
//! # The task
//!
//! As in mini-redis, a background task is a handle, a drop guard and a `Notify`: the task owns
//! an `Arc` of the shared state and loops in a `select!` over a sleep, a wake-up `Notify`
//! (poked on every state change) and a shutdown `Notify` that the [`MonitorGuard`] fires when
//! the last `Failover` clone is dropped (or [`Failover::close`](super::Failover::close) is
//! called). Each round depends on the state:
//!
//! - `Healthy`: a `PING` every [`HealthOptions::interval`] (30 s) through the breaker, so a
//!   Redis that died while the application was idle is noticed without a user call failing.
//! - `Degraded`: every [`HealthOptions::degraded_interval`] (1 s) ask the breaker for a probe;
//!   it admits one only once its open timeout has passed (half-open). When enough probes
//!   succeed the breaker closes and the state becomes `Recovering`.
//! - `Recovering`: replay the journal (see `replay.rs`); an outage during replay opens the
//!   breaker at once and the state goes back to `Degraded`.
//!
//! [`HealthOptions::interval`]: super::HealthOptions::interval
//! [`HealthOptions::degraded_interval`]: super::HealthOptions::degraded_interval

use staunch_core::Execute;
use std::sync::Arc;
use std::time::Duration;

use staunch_core::{Command, Result, ServerInfo, Store, async_trait};

use super::breaker::BreakerState;
use super::options::FailoverState;
use super::stats::StatsSnapshot;
use super::store::{Core, Failover};

/// How the monitor checks the primary. Implemented for `RedisStore` (with `INFO`) and, through
/// [`StoreProbe`], for any `Store`.
#[async_trait]
pub trait Probe: Send + Sync + 'static {
    /// A cheap round trip (`PING`); returns its latency.
    async fn ping(&self) -> Result<Duration>;
    /// The server's `INFO` text, when the primary has one.
    async fn info(&self) -> Result<Option<String>>;
    /// True when the primary bounds every call by a response timeout of its own (the Redis
    /// backend does), so `Failover` need not add its [`call_timeout`] timer. Default false.
    ///
    /// [`call_timeout`]: super::FailoverOptions::call_timeout
    fn bounds_calls(&self) -> bool {
        false
    }
}

/// A [`Probe`] for any `Store`: the round trip is an `EXISTS` of a key nobody uses.
#[derive(Clone)]
pub struct StoreProbe(pub Arc<dyn Store>);

#[async_trait]
impl Probe for StoreProbe {
    async fn ping(&self) -> Result<Duration> {
        let started = std::time::Instant::now();
        self.0
            .execute(Command::Exists {
                keys: vec!["staunch:probe".to_owned().into()],
            })
            .await?;
        Ok(started.elapsed())
    }
    async fn info(&self) -> Result<Option<String>> {
        Ok(None)
    }
}

#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
#[async_trait]
impl Probe for staunch_redis::RedisStore {
    async fn ping(&self) -> Result<Duration> {
        staunch_redis::RedisStore::ping(self).await
    }
    async fn info(&self) -> Result<Option<String>> {
        staunch_redis::RedisStore::info(self).await.map(Some)
    }
    fn bounds_calls(&self) -> bool {
        true
    }
}

/// Stops the monitor task when dropped (held by every `Failover` clone through an `Arc`).
pub struct MonitorGuard {
    core: Arc<Core>,
    task: parking_lot::Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl MonitorGuard {
    /// Stops the task and waits until it has exited.
    pub(crate) async fn stop(&self) {
        self.core.shutdown.notify_one();
        let task = self.task.lock().take();
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}

impl std::fmt::Debug for MonitorGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MonitorGuard")
    }
}

impl Drop for MonitorGuard {
    fn drop(&mut self) {
        // `notify_one` stores a permit, so the task sees it even if it is not waiting now.
        self.core.shutdown.notify_one();
    }
}

/// Starts the monitor for `core` and returns the guard that stops it.
pub(crate) fn spawn_monitor(core: Arc<Core>) -> MonitorGuard {
    let task = tokio::spawn(monitor(core.clone()));
    MonitorGuard {
        core,
        task: parking_lot::Mutex::new(Some(task)),
    }
}

async fn monitor(core: Arc<Core>) {
    loop {
        let wait = match core.state() {
            FailoverState::Healthy => core.options.health.interval,
            _ => core.options.health.degraded_interval,
        };
        // A journal left by a crashed process is replayed at once.
        if core.state() != FailoverState::Recovering {
            tokio::select! {
                _ = core.shutdown.notified() => return,
                _ = core.wake.notified() => {}
                _ = tokio::time::sleep(wait) => {}
            }
        }
        match core.state() {
            FailoverState::Healthy => {
                probe(&core).await;
            }
            FailoverState::Degraded => {
                if probe(&core).await && core.breaker.state() == BreakerState::Closed {
                    core.set_state(FailoverState::Recovering, "primary answers again");
                }
            }
            FailoverState::Recovering => {
                let outcome = tokio::select! {
                    _ = core.shutdown.notified() => return,
                    r = core.replay() => r,
                };
                match &outcome {
                    Ok(_) => core.set_replay_error(None),
                    Err(e) if e.is_outage() => {
                        tracing::warn!(target: "staunch::failover", error = %e, "replay stopped: the primary is down");
                    }
                    Err(e) => {
                        // Not an outage: Redis answered and refused (NOPERM on the watermark,
                        // OOM, READONLY, ...), which does not pass by waiting alone.
                        tracing::error!(target: "staunch::failover", error = %e, journal_len = core.journal.len(), "replay cannot proceed; the journal is kept and traffic stays local");
                        core.stats.record_replay_failure();
                        core.set_replay_error(Some(e.to_string()));
                    }
                }
                if let Err(e) = outcome {
                    if e.is_outage() {
                        let t = core.breaker.force_open();
                        core.on_transition(t);
                        core.set_state(FailoverState::Degraded, "replay failed: primary down");
                    }
                    tokio::select! {
                        _ = core.shutdown.notified() => return,
                        _ = tokio::time::sleep(core.options.health.degraded_interval) => {}
                    }
                }
            }
        }
    }
}

/// One `PING` through the breaker (if it admits one). True when it succeeded.
async fn probe(core: &Core) -> bool {
    let limit = Some(core.options.health.probe_timeout);
    match core.call_primary(limit, core.probe.ping()).await {
        Ok(latency) => {
            tracing::debug!(target: "staunch::failover", ?latency, "probe ok");
            true
        }
        Err(_) => false,
    }
}

/// One `Failover`'s health: what [`Failover::health`](super::Failover::health) measured just
/// now. (`staunch::config::HealthReport` is the report over every named database.)
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct FailoverHealth {
    /// Where traffic goes.
    pub state: FailoverState,
    /// The breaker's state.
    pub breaker: BreakerState,
    /// Round-trip time of a `PING` made for this report, if the primary answered.
    pub latency: Option<Duration>,
    /// Why the primary did not answer, if it did not.
    pub error: Option<String>,
    /// The server's figures, when the primary is Redis and answered.
    pub server: Option<ServerInfo>,
    /// How long the current outage has lasted (`None` while healthy).
    pub degraded_for: Option<Duration>,
    /// Time spent degraded or recovering since the store was opened.
    pub total_degraded: Duration,
    /// Journal entries waiting for replay.
    pub journal_len: usize,
    /// Age of the oldest entry waiting for replay.
    pub replay_lag: Option<Duration>,
    /// This node's id (its watermark is `staunch:replay:<node id>`).
    pub node_id: String,
    /// Why the last replay could not proceed (Redis refused it: `NOPERM`, `OOM`, ...), while
    /// that is still so. `None` once a replay round gets through.
    pub replay_error: Option<String>,
    /// Counters of calls to the primary.
    pub stats: StatsSnapshot,
}

impl Failover {
    /// Measures and reports health now: a `PING` and (for Redis) `INFO`, bounded by the probe
    /// timeout and made outside the breaker so a report never changes the state.
    pub async fn health(&self) -> FailoverHealth {
        let core = &self.core;
        let limit = core.options.health.probe_timeout;
        let ping = tokio::time::timeout(limit, core.probe.ping()).await;
        let (latency, error) = match ping {
            Ok(Ok(l)) => (Some(l), None),
            Ok(Err(e)) => (None, Some(e.to_string())),
            Err(_) => (None, Some(format!("no answer within {limit:?}"))),
        };
        let server = if latency.is_some() {
            match tokio::time::timeout(limit, core.probe.info()).await {
                Ok(Ok(Some(text))) => Some(ServerInfo::parse(&text)),
                _ => None,
            }
        } else {
            None
        };
        let (degraded_for, total_degraded) = core.degraded_time();
        let now = core.options.clock.now_ms();
        FailoverHealth {
            state: core.state(),
            breaker: core.breaker.state(),
            latency,
            error,
            server,
            degraded_for,
            total_degraded,
            journal_len: core.journal.len(),
            replay_lag: core
                .journal
                .oldest_at_ms()
                .map(|at| Duration::from_millis(now.saturating_sub(at).max(0) as u64)),
            node_id: core.journal.node_id().to_owned(),
            replay_error: core.replay_error(),
            stats: core.stats.snapshot(),
        }
    }
}
