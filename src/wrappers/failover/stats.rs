//! Per-store counters: how many calls, how many failed, how fast, how often the breaker tripped.
//!
//! Counters are plain atomics so recording costs a few nanoseconds on the hot path. Latency is
//! kept two ways because they answer different questions: the all-time average (is this store
//! generally fast?) and an exponentially weighted recent average (is it fast *now*? A store that
//! was fast for an hour and hangs now has a fine all-time average).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Weight of the newest sample in the recent latency (1/8, as TCP's smoothed RTT).
const RECENT_WEIGHT_SHIFT: u32 = 3;

/// Live counters of one store. Share it by reference or in an `Arc`.
#[derive(Debug, Default)]
pub struct Stats {
    operations: AtomicU64,
    successes: AtomicU64,
    failures: AtomicU64,
    total_latency_us: AtomicU64,
    recent_latency_us: AtomicU64,
    breaker_trips: AtomicU64,
    served_locally: AtomicU64,
    journaled: AtomicU64,
    replayed: AtomicU64,
    skipped: AtomicU64,
    replay_failures: AtomicU64,
    outages: AtomicU64,
}

impl Stats {
    /// Fresh counters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records one call that took `latency`; `ok` is false for a failure.
    pub fn record(&self, ok: bool, latency: Duration) {
        let us = latency.as_micros().min(u128::from(u64::MAX)) as u64;
        self.operations.fetch_add(1, Ordering::Relaxed);
        if ok {
            self.successes.fetch_add(1, Ordering::Relaxed);
        } else {
            self.failures.fetch_add(1, Ordering::Relaxed);
        }
        self.total_latency_us.fetch_add(us, Ordering::Relaxed);
        // A lost update under contention only drops one sample of a smoothed figure.
        let old = self.recent_latency_us.load(Ordering::Relaxed);
        let new = if old == 0 {
            us
        } else {
            old - (old >> RECENT_WEIGHT_SHIFT) + (us >> RECENT_WEIGHT_SHIFT)
        };
        self.recent_latency_us.store(new, Ordering::Relaxed);
    }

    /// Records that the circuit breaker opened.
    pub fn record_trip(&self) {
        self.breaker_trips.fetch_add(1, Ordering::Relaxed);
        crate::observe::record::failover_event("breaker_trip", 1);
    }

    /// Records a call served by the local store instead of the primary.
    pub fn record_local(&self) {
        self.served_locally.fetch_add(1, Ordering::Relaxed);
        crate::observe::record::failover_event("served_locally", 1);
    }

    /// Records a write added to the replay journal.
    pub fn record_journaled(&self) {
        self.journaled.fetch_add(1, Ordering::Relaxed);
        crate::observe::record::failover_event("journaled", 1);
    }

    /// Records a journal entry replayed into the primary.
    pub fn record_replayed(&self) {
        self.replayed.fetch_add(1, Ordering::Relaxed);
        crate::observe::record::failover_event("replayed", 1);
    }

    /// Records journal entries found already applied (by the watermark) and not replayed.
    pub fn record_skipped(&self, n: u64) {
        self.skipped.fetch_add(n, Ordering::Relaxed);
        crate::observe::record::failover_event("replay_skipped", n);
    }

    /// Records the start of an outage (traffic left the primary).
    pub fn record_outage(&self) {
        self.outages.fetch_add(1, Ordering::Relaxed);
    }

    /// Records a replay round that Redis refused (not an outage: `NOPERM`, `OOM`, ...).
    pub fn record_replay_failure(&self) {
        self.replay_failures.fetch_add(1, Ordering::Relaxed);
    }

    /// A consistent-enough copy of the counters.
    pub fn snapshot(&self) -> StatsSnapshot {
        let operations = self.operations.load(Ordering::Relaxed);
        let total = self.total_latency_us.load(Ordering::Relaxed);
        StatsSnapshot {
            operations,
            successes: self.successes.load(Ordering::Relaxed),
            failures: self.failures.load(Ordering::Relaxed),
            average_latency: Duration::from_micros(total.checked_div(operations).unwrap_or(0)),
            recent_latency: Duration::from_micros(self.recent_latency_us.load(Ordering::Relaxed)),
            breaker_trips: self.breaker_trips.load(Ordering::Relaxed),
            served_locally: self.served_locally.load(Ordering::Relaxed),
            journaled: self.journaled.load(Ordering::Relaxed),
            replayed: self.replayed.load(Ordering::Relaxed),
            replay_skipped: self.skipped.load(Ordering::Relaxed),
            replay_failures: self.replay_failures.load(Ordering::Relaxed),
            outages: self.outages.load(Ordering::Relaxed),
        }
    }
}

/// A copy of [`Stats`] at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct StatsSnapshot {
    /// Calls made to the primary.
    pub operations: u64,
    /// Calls that got an answer (data errors such as `WrongType` included).
    pub successes: u64,
    /// Calls that failed with an outage error.
    pub failures: u64,
    /// Mean latency of all calls.
    pub average_latency: Duration,
    /// Smoothed latency of the latest calls.
    pub recent_latency: Duration,
    /// Times the circuit breaker opened.
    pub breaker_trips: u64,
    /// Calls served by the local store.
    pub served_locally: u64,
    /// Writes recorded in the replay journal.
    pub journaled: u64,
    /// Journal entries replayed into the primary.
    pub replayed: u64,
    /// Journal entries a replay found already applied (their transaction ran but its reply
    /// was lost, or the process crashed right after) and skipped thanks to the watermark.
    pub replay_skipped: u64,
    /// Replay rounds that could not proceed because Redis refused them (`NOPERM` on the
    /// watermark key, `OOM`, `READONLY`, ...); the entries were kept. Outages are not counted
    /// here.
    pub replay_failures: u64,
    /// Outages: times traffic left the primary for the local store (from `Healthy`).
    pub outages: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn averages() {
        let s = Stats::new();
        s.record(true, Duration::from_millis(1));
        s.record(false, Duration::from_millis(3));
        let snap = s.snapshot();
        assert_eq!(snap.operations, 2);
        assert_eq!(snap.failures, 1);
        assert_eq!(snap.average_latency, Duration::from_millis(2));
        assert!(snap.recent_latency >= Duration::from_millis(1));
    }
}
