//! The worker's steady state, counted: one round trip per job (each job's completion claims
//! the next one in the same atomic step), at concurrency 1 and 4.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use staunch::queue::{HandlerError, JobContext, NewJob, Queue, Worker};
use staunch_core::{
    Call, Capabilities, Command, Execution, Reply, Result, Store, Subscription, async_trait,
};

use super::super::Env;

/// Forwards everything and counts round trips (a call or a batch is one) and queue steps.
struct Counting {
    inner: Arc<dyn Store>,
    trips: AtomicU64,
    steps: AtomicU64,
}

#[async_trait]
impl Store for Counting {
    fn call(&self, call: Call<'_>) -> Execution<'_> {
        self.trips.fetch_add(1, Ordering::Relaxed);
        if call.name() == "QUEUESTEP" {
            self.steps.fetch_add(1, Ordering::Relaxed);
        }
        self.inner.call(call)
    }

    async fn batch(&self, commands: Vec<Command>, atomic: bool) -> Result<Vec<Result<Reply>>> {
        self.trips.fetch_add(1, Ordering::Relaxed);
        self.inner.batch(commands, atomic).await
    }

    async fn subscribe(
        &self,
        channels: Vec<staunch_core::Name>,
        patterns: Vec<staunch_core::Name>,
    ) -> Result<Subscription> {
        self.inner.subscribe(channels, patterns).await
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
}

async fn drain_counted(env: &Env, concurrency: usize) {
    const JOBS: u64 = 200;
    let config = env.config();
    let producer = env.queue(config.clone());
    let jobs: Vec<_> = (0..JOBS).map(|n| NewJob::new("noop", n)).collect();
    producer.enqueue_bulk(jobs).await.unwrap();
    let counting = Arc::new(Counting {
        inner: env.store.clone(),
        trips: AtomicU64::new(0),
        steps: AtomicU64::new(0),
    });
    let q = Queue::with_config(counting.clone(), config).unwrap();
    let worker = Worker::new(q.clone())
        .concurrency(concurrency)
        // Out of the way: only the claim loop and the job slots make calls.
        .maintenance_interval(Duration::from_secs(3600))
        .poll_interval(Duration::from_secs(3600))
        .handle("noop", |_ctx: JobContext<Value>| async move {
            Ok::<_, HandlerError>(())
        })
        .start();
    let started = Instant::now();
    while worker.stats().completed < JOBS {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the worker completed only {:?} in a minute",
            worker.stats()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Let the slots' last (empty) claims and the claim loop's look settle.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let stats = worker.shutdown(Duration::from_secs(5)).await.stats;
    assert_eq!((stats.completed, stats.failed, stats.lost), (JOBS, 0, 0));
    let trips = counting.trips.load(Ordering::Relaxed);
    let steps = counting.steps.load(Ordering::Relaxed);
    // Per job one step; on top: the maintenance pass at start (a few calls), the first claim,
    // each slot's last step finding nothing, the claim loop's look when slots free up.
    let overhead = 12 + 4 * concurrency as u64;
    assert!(
        trips <= JOBS + overhead,
        "{trips} round trips for {JOBS} jobs at concurrency {concurrency} ({steps} steps)"
    );
    eprintln!("concurrency {concurrency}: {trips} round trips, {steps} steps for {JOBS} jobs");
    assert!(steps >= JOBS, "every completion is a step");
    assert_eq!(producer.counters().await.unwrap().completed, JOBS);
}

/// One round trip per job in the steady state, at concurrency 1 and 4.
pub async fn one_round_trip_per_job(env: &Env) {
    drain_counted(env, 1).await;
    drain_counted(env, 4).await;
}
