//! The storage state the page shows: which backend holds the bot's database, whether Redis is
//! healthy, degraded (served by the local store, writes journaled) or recovering (journal
//! being replayed), the journal's length and the replay's progress.
//!
//! A background task (handle + drop guard + `Notify` + `select!`) measures it every
//! [`DashboardOptions::storage_interval`](crate::DashboardOptions::storage_interval) and at
//! once when the `Failover` changes state, and publishes it on a `watch` channel that the event
//! streams and `GET /api/bot/system-status` read. One task measures for every client, so a
//! hundred open pages do not make a hundred probes of Redis.
//!
//! Replay progress is derived from `Failover`'s counters: no replay happens while degraded, so
//! the `replayed` counter observed while degraded (or healthy) is the baseline, and during
//! recovery `replayed - baseline` entries are done and `journal_len` remain.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use staunch::config::{DatabaseHealth, Mode, Staunch};
use staunch::events::iso8601;
use staunch::failover::{Failover, FailoverState};
use staunch::{Clock, SystemClock};
use tokio::sync::{Notify, watch};

/// The storage state, as `GET /api/bot/system-status` (field `storage`) and the `storage`
/// stream event carry it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct StorageStatus {
    /// `redis`, `file` or `memory`.
    pub backend: &'static str,
    /// The Redis URL (password hidden) or the data directory; `null` in memory.
    pub location: Option<String>,
    /// The named database the bot lives in (`main`).
    pub database: String,
    /// `healthy`, `degraded`, `recovering`, or `unavailable` (no `Failover` and no answer).
    pub state: &'static str,
    /// True when the database is behind `Failover` (Redis configured).
    pub failover: bool,
    /// The circuit breaker: `closed`, `open` or `half_open` (with `Failover`).
    pub breaker: Option<&'static str>,
    /// Writes waiting to be replayed into Redis (with `Failover`).
    pub journal_len: Option<usize>,
    /// While recovering: how far the replay is.
    pub replay: Option<ReplayProgress>,
    /// The last completed recovery since the dashboard started.
    pub last_recovery: Option<Recovery>,
    /// When the current outage began (ISO 8601), while degraded or recovering.
    pub outage_since: Option<String>,
    /// `Failover`'s counters since the dashboard started.
    pub counters: Option<FailoverCounters>,
    /// Round trip of the probe (`PING` on Redis, `DBSIZE` elsewhere), in milliseconds.
    pub latency_ms: Option<f64>,
    /// Keys in the database, when it answered.
    pub keys: Option<u64>,
    /// Redis's own figures, when Redis answered.
    pub redis: Option<RedisFigures>,
    /// Why the probe failed, when it did.
    pub error: Option<String>,
    /// When this was measured (ISO 8601).
    pub updated_at: String,
}

/// How far a replay is.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ReplayProgress {
    /// Entries replayed into Redis since the recovery began.
    pub replayed: u64,
    /// Entries still waiting.
    pub remaining: usize,
    /// `replayed / (replayed + remaining)`, 0-100.
    pub percent: f64,
}

/// A completed recovery.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recovery {
    /// Journal entries replayed into Redis.
    pub replayed: u64,
    /// How long the outage lasted, from the first degraded observation to healthy again.
    pub outage_ms: u64,
    /// When traffic went back to Redis (ISO 8601).
    pub finished_at: String,
}

/// `Failover`'s counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FailoverCounters {
    /// Times the circuit breaker opened.
    pub breaker_trips: u64,
    /// Calls served by the local store.
    pub served_locally: u64,
    /// Writes recorded in the journal.
    pub journaled: u64,
    /// Journal entries replayed into Redis.
    pub replayed: u64,
}

/// Redis's figures from `INFO`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RedisFigures {
    /// `redis_version`.
    pub version: Option<String>,
    /// `used_memory`, bytes.
    pub used_memory: Option<u64>,
    /// `connected_clients`.
    pub connected_clients: Option<u64>,
    /// `uptime_in_seconds`.
    pub uptime_s: Option<u64>,
}

/// What the monitor remembers between measurements to derive progress and recoveries.
#[derive(Debug, Default)]
struct Memory {
    /// `replayed` as last seen while not recovering.
    baseline: u64,
    /// When the current outage was first observed (Unix ms).
    outage_since_ms: Option<i64>,
    last_recovery: Option<Recovery>,
}

/// Measures the storage state of one named database (owned by the monitor task).
struct Probe {
    staunch: Staunch,
    database: String,
    failover: Option<Failover>,
    memory: Memory,
}

impl Memory {
    /// Takes in one measurement: `replayed` is `Failover`'s counter, `journal_len` what is
    /// left. Returns the replay's progress while recovering.
    fn observe(
        &mut self,
        state: FailoverState,
        replayed: u64,
        journal_len: usize,
        now_ms: i64,
    ) -> Option<ReplayProgress> {
        match state {
            FailoverState::Healthy => {
                if let Some(since) = self.outage_since_ms.take() {
                    self.last_recovery = Some(Recovery {
                        replayed: replayed.saturating_sub(self.baseline),
                        outage_ms: now_ms.saturating_sub(since).max(0) as u64,
                        finished_at: iso8601(now_ms),
                    });
                }
                self.baseline = replayed;
                None
            }
            FailoverState::Degraded => {
                self.outage_since_ms.get_or_insert(now_ms);
                self.baseline = replayed;
                None
            }
            _ => {
                self.outage_since_ms.get_or_insert(now_ms);
                let done = replayed.saturating_sub(self.baseline);
                let total = done + journal_len as u64;
                let percent = if total == 0 {
                    100.0
                } else {
                    (done as f64 * 1000.0 / total as f64).round() / 10.0
                };
                Some(ReplayProgress {
                    replayed: done,
                    remaining: journal_len,
                    percent,
                })
            }
        }
    }
}

impl Probe {
    async fn measure(&mut self) -> StorageStatus {
        let now = SystemClock.now_ms();
        let health = self.staunch.health().await;
        let db: Option<&DatabaseHealth> = health.databases.get(&self.database);
        let (backend, location) = match self.staunch.mode() {
            Mode::Redis { url } => ("redis", Some(url.clone())),
            Mode::File { dir } => ("file", Some(dir.display().to_string())),
            _ => ("memory", None),
        };
        let healthy = db.is_some_and(|d| d.healthy);
        let mut status = StorageStatus {
            backend,
            location,
            database: self.database.clone(),
            state: if healthy { "healthy" } else { "unavailable" },
            failover: self.failover.is_some(),
            breaker: None,
            journal_len: None,
            replay: None,
            last_recovery: None,
            outage_since: None,
            counters: None,
            latency_ms: db
                .and_then(|d| d.latency)
                .map(|l| (l.as_secs_f64() * 1e5).round() / 100.0),
            keys: db.and_then(|d| d.keys),
            redis: db.and_then(|d| d.server.as_ref()).map(|s| RedisFigures {
                version: s.version.clone(),
                used_memory: s.used_memory,
                connected_clients: s.connected_clients,
                uptime_s: s.uptime.map(|u| u.as_secs()),
            }),
            error: db.and_then(|d| d.error.clone()),
            updated_at: iso8601(now),
        };
        let Some(failover) = &self.failover else {
            return status;
        };
        // Read after the probe, so the state reflects what the probe may have changed.
        let state = failover.state();
        let journal_len = failover.journal_len();
        let stats = failover.stats();
        status.state = state.as_str();
        status.breaker = Some(failover.breaker().state().as_str());
        status.journal_len = Some(journal_len);
        status.counters = Some(FailoverCounters {
            breaker_trips: stats.breaker_trips,
            served_locally: stats.served_locally,
            journaled: stats.journaled,
            replayed: stats.replayed,
        });
        status.replay = self.memory.observe(state, stats.replayed, journal_len, now);
        status.outage_since = self.memory.outage_since_ms.map(iso8601);
        status.last_recovery = self.memory.last_recovery.clone();
        status
    }
}

/// The monitor: the latest [`StorageStatus`] and the task that keeps it current. Cheap to
/// clone; the task stops when the last clone is dropped or [`StorageMonitor::stop`] is called.
#[derive(Clone)]
pub struct StorageMonitor {
    latest: watch::Receiver<StorageStatus>,
    guard: Arc<MonitorGuard>,
}

impl std::fmt::Debug for StorageMonitor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StorageMonitor")
            .field("latest", &*self.latest.borrow())
            .finish_non_exhaustive()
    }
}

/// Stops the monitor task when dropped.
struct MonitorGuard {
    shutdown: Arc<Notify>,
    task: std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl Drop for MonitorGuard {
    fn drop(&mut self) {
        // `notify_one` stores a permit, so the task sees it even if it is not waiting now.
        self.shutdown.notify_one();
    }
}

impl StorageMonitor {
    /// Measures database `database` of `staunch` once, then starts the task that measures it
    /// every `interval` and whenever its `Failover` changes state.
    pub async fn start(staunch: Staunch, database: &str, interval: Duration) -> StorageMonitor {
        // Opens the database now (named databases open on first use), so its `Failover`
        // watches Redis from the start; an opening error shows in the first measurement.
        let failover = staunch.failover(database).await.ok().flatten();
        let mut probe = Probe {
            staunch,
            database: database.to_owned(),
            failover,
            memory: Memory::default(),
        };
        let (tx, latest) = watch::channel(probe.measure().await);
        let shutdown = Arc::new(Notify::new());
        let task = tokio::spawn(run(probe, tx, interval, shutdown.clone()));
        StorageMonitor {
            latest,
            guard: Arc::new(MonitorGuard {
                shutdown,
                task: std::sync::Mutex::new(Some(task)),
            }),
        }
    }

    /// The latest measurement.
    pub fn latest(&self) -> StorageStatus {
        self.latest.borrow().clone()
    }

    /// A receiver that sees every new measurement (the current one marked as seen).
    pub fn subscribe(&self) -> watch::Receiver<StorageStatus> {
        let mut rx = self.latest.clone();
        rx.mark_unchanged();
        rx
    }

    /// Stops the task and waits until it has exited.
    pub async fn stop(&self) {
        self.guard.shutdown.notify_one();
        let task = self
            .guard
            .task
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}

async fn run(
    mut probe: Probe,
    tx: watch::Sender<StorageStatus>,
    interval: Duration,
    shutdown: Arc<Notify>,
) {
    let mut states = probe.failover.as_ref().map(Failover::watch_state);
    loop {
        tokio::select! {
            _ = shutdown.notified() => return,
            _ = tokio::time::sleep(interval) => {}
            changed = state_changed(&mut states) => {
                if !changed {
                    // The Failover is gone (closed): keep measuring on the interval only.
                    states = None;
                }
            }
        }
        let status = tokio::select! {
            _ = shutdown.notified() => return,
            status = probe.measure() => status,
        };
        tx.send_replace(status);
    }
}

/// Waits for the next `Failover` state change; never returns without one. False when the
/// sender is gone.
async fn state_changed(states: &mut Option<watch::Receiver<FailoverState>>) -> bool {
    match states {
        Some(rx) => rx.changed().await.is_ok(),
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_and_recoveries_follow_the_counters() {
        let mut memory = Memory::default();
        // Healthy, with replays of an earlier outage already counted.
        assert_eq!(memory.observe(FailoverState::Healthy, 5, 0, 1_000), None);
        assert!(memory.last_recovery.is_none());
        // An outage: nothing replayed while degraded.
        assert_eq!(memory.observe(FailoverState::Degraded, 5, 3, 2_000), None);
        assert_eq!(memory.observe(FailoverState::Degraded, 5, 8, 3_000), None);
        assert_eq!(memory.outage_since_ms, Some(2_000));
        // Recovery: 6 of the 8 replayed, then all.
        let halfway = memory.observe(FailoverState::Recovering, 11, 2, 4_000);
        assert_eq!(
            halfway,
            Some(ReplayProgress {
                replayed: 6,
                remaining: 2,
                percent: 75.0
            })
        );
        let done = memory.observe(FailoverState::Recovering, 13, 0, 4_500);
        assert_eq!(done.map(|p| p.percent), Some(100.0));
        // Healthy again: the recovery is reported with the outage's length.
        assert_eq!(memory.observe(FailoverState::Healthy, 13, 0, 5_000), None);
        let recovery = memory.last_recovery.clone().expect("a recovery");
        assert_eq!((recovery.replayed, recovery.outage_ms), (8, 3_000));
        assert_eq!(memory.outage_since_ms, None);
    }

    #[test]
    fn a_recovery_seen_only_as_healthy_still_counts_its_replays() {
        // The monitor may miss `recovering` entirely when the journal is short.
        let mut memory = Memory::default();
        memory.observe(FailoverState::Degraded, 0, 4, 1_000);
        memory.observe(FailoverState::Healthy, 4, 0, 2_500);
        let recovery = memory.last_recovery.expect("a recovery");
        assert_eq!((recovery.replayed, recovery.outage_ms), (4, 1_500));
    }
}
