//! Per-database statistics (the async Redis manager: success/failure counters, average response time): a thin
//! [`Store`] wrapper that counts every call.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use staunch_core::{
    Call, Capabilities, Command, Execution, Name, Reply, Result, Store, Subscription, async_trait,
};

/// Counters of one named database since it was opened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DatabaseStats {
    /// Commands (a batch counts each of its commands) that succeeded.
    pub successful_operations: u64,
    /// Commands that failed, outages included.
    pub failed_operations: u64,
    /// Outages: runs of outage errors (`Unavailable`, `Timeout`) after a success count once
    /// each; behind `Failover` (whose calls succeed through an outage), the times traffic left
    /// Redis for the local store.
    pub outages: u64,
    /// Round trips (a batch is one).
    pub round_trips: u64,
    /// Total time spent waiting for the store, in microseconds.
    pub total_micros: u64,
}

impl DatabaseStats {
    /// Average time per round trip in milliseconds (0 before the first).
    pub fn average_response_ms(&self) -> f64 {
        if self.round_trips == 0 {
            0.0
        } else {
            self.total_micros as f64 / self.round_trips as f64 / 1000.0
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    ok: AtomicU64,
    failed: AtomicU64,
    outages: AtomicU64,
    /// The last outcome was an outage error (so the next one is the same outage).
    in_outage: std::sync::atomic::AtomicBool,
    trips: AtomicU64,
    micros: AtomicU64,
}

impl Counters {
    pub(crate) fn snapshot(&self) -> DatabaseStats {
        DatabaseStats {
            successful_operations: self.ok.load(Ordering::Relaxed),
            failed_operations: self.failed.load(Ordering::Relaxed),
            outages: self.outages.load(Ordering::Relaxed),
            round_trips: self.trips.load(Ordering::Relaxed),
            total_micros: self.micros.load(Ordering::Relaxed),
        }
    }

    fn trip(&self, started: Instant) {
        self.trips.fetch_add(1, Ordering::Relaxed);
        let micros = started.elapsed().as_micros().min(u64::MAX as u128) as u64;
        self.micros.fetch_add(micros, Ordering::Relaxed);
    }

    fn outcome<T>(&self, result: &Result<T>) {
        match result {
            Ok(_) => {
                if self.in_outage.load(Ordering::Relaxed) {
                    self.in_outage.store(false, Ordering::Relaxed);
                }
                self.ok.fetch_add(1, Ordering::Relaxed)
            }
            Err(e) => {
                if e.is_outage() && !self.in_outage.swap(true, Ordering::Relaxed) {
                    self.outages.fetch_add(1, Ordering::Relaxed);
                }
                self.failed.fetch_add(1, Ordering::Relaxed)
            }
        };
    }
}

/// The wrapper: forwards everything, counts on the way back.
pub(crate) struct Instrumented {
    pub(crate) inner: Arc<dyn Store>,
    pub(crate) counters: Arc<Counters>,
}

#[async_trait]
impl Store for Instrumented {
    fn call(&self, call: Call<'_>) -> Execution<'_> {
        let started = Instant::now();
        match self.inner.call(call).into_ready() {
            Ok(result) => {
                self.counters.trip(started);
                self.counters.outcome(&result);
                Execution::ready(result)
            }
            Err(pending) => Execution::pending(async move {
                let result = pending.await;
                self.counters.trip(started);
                self.counters.outcome(&result);
                result
            }),
        }
    }

    async fn batch(&self, commands: Vec<Command>, atomic: bool) -> Result<Vec<Result<Reply>>> {
        let started = Instant::now();
        let n = commands.len();
        let result = self.inner.batch(commands, atomic).await;
        self.counters.trip(started);
        match &result {
            Ok(replies) => replies.iter().for_each(|r| self.counters.outcome(r)),
            Err(_) => (0..n).for_each(|_| self.counters.outcome(&result)),
        }
        result
    }

    async fn subscribe(&self, channels: Vec<Name>, patterns: Vec<Name>) -> Result<Subscription> {
        let result = self.inner.subscribe(channels, patterns).await;
        self.counters.outcome(&result);
        result
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
}
