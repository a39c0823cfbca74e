//! Redis outage under a running queue: producers and a worker use the queue through
//! `Failover` (Redis primary, local memory store, `Divert`). Redis is SIGKILLed; jobs enqueued
//! while it is down are processed from the local store, jobs that were waiting in Redis when it
//! died run after it returns; Redis is restarted (with its AOF, so
//! what it had acknowledged comes back), the journal is replayed, and in the end every job
//! enqueued before, during and after the outage has been handled and nothing is left waiting.
//!
//! `cargo test -p staunch --test queue_outage -- --nocapture`

mod failover_support;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use staunch::failover::{
    BreakerOptions, FailoverOptions, FailoverState, HealthOptions, RetryOptions,
};
use staunch::queue::{HandlerError, JobContext, NewJob, Queue, QueueConfig, Worker};
use staunch_core::Store;
use staunch_core::testkit::redis_server::{RedisServerOptions, test_redis_server};
use staunch_redis::{RedisOptions, RedisStore};

const PER_PHASE: u64 = 40;
const DELAYED: u64 = 10;

fn options() -> FailoverOptions {
    FailoverOptions::new()
        .breaker(
            BreakerOptions::new()
                .failure_threshold(2)
                .open_timeout(Duration::from_millis(300))
                .success_threshold(1),
        )
        .retry(RetryOptions::new().backoff(Duration::from_millis(5), Duration::from_millis(50)))
        .health(HealthOptions::default())
        .probe_intervals(Duration::from_millis(200), Duration::from_millis(50))
        .call_timeout(Duration::from_millis(500))
}

/// Enqueues payload `n`, retrying through the moments when the breaker is still deciding.
async fn enqueue(q: &Queue, n: u64) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match q.enqueue(NewJob::new("job", n)).await {
            Ok(_) => return,
            Err(e) => {
                assert!(Instant::now() < deadline, "enqueue {n} kept failing: {e}");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }
}

async fn wait_for(what: &str, limit: Duration, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_survive_a_redis_outage() {
    let server_options = RedisServerOptions::new()
        .appendonly(true)
        .appendfsync("always");
    let Some(mut server) = test_redis_server("queue outage test", server_options).await else {
        return;
    };
    let redis = RedisStore::connect_with(
        RedisOptions::new(server.url())
            .connect_timeout(Duration::from_millis(300))
            .response_timeout(Duration::from_millis(500)),
    )
    .await
    .expect("connect");
    let failover = failover_support::failover(redis)
        .local_memory()
        .options(options())
        .open()
        .await
        .expect("open failover");
    let store: Arc<dyn Store> = Arc::new(failover.clone());
    let config = QueueConfig::new()
        .lease(Duration::from_millis(800))
        .default_max_retries(1000);
    let q = Queue::with_config(store, config).expect("config");
    let handled = Arc::new(Mutex::new(HashSet::new()));
    let seen = handled.clone();
    let worker = Worker::new(q.clone())
        .concurrency(4)
        .poll_interval(Duration::from_millis(100))
        .maintenance_interval(Duration::from_millis(100))
        .handle("job", move |ctx: JobContext<u64>| {
            let seen = seen.clone();
            async move {
                tokio::time::sleep(Duration::from_millis(5)).await;
                seen.lock()
                    .map_err(|_| HandlerError::new("poisoned"))?
                    .insert(ctx.payload);
                Ok::<_, HandlerError>(())
            }
        })
        .start();
    let count = |h: &Arc<Mutex<HashSet<u64>>>| h.lock().map(|s| s.len()).unwrap_or(0);

    // Before: Redis up.
    for n in 0..PER_PHASE {
        enqueue(&q, n).await;
    }
    wait_for("jobs before the outage", Duration::from_secs(20), || {
        count(&handled) >= PER_PHASE as usize
    })
    .await;

    // Jobs sitting in Redis when it dies: scheduled for after the outage.
    for n in 1000..1000 + DELAYED {
        q.enqueue(NewJob::new("job", n).delay(Duration::from_millis(1500)))
            .await
            .expect("enqueue delayed");
    }

    // During: Redis killed. Enqueues divert to the local store and are processed there.
    server.kill();
    for n in PER_PHASE..2 * PER_PHASE {
        enqueue(&q, n).await;
    }
    assert_ne!(
        failover.state(),
        FailoverState::Healthy,
        "the outage was noticed"
    );
    let during = || {
        handled
            .lock()
            .map(|s| {
                s.iter()
                    .filter(|n| (PER_PHASE..2 * PER_PHASE).contains(*n))
                    .count()
            })
            .unwrap_or(0)
    };
    wait_for(
        "jobs enqueued during the outage",
        Duration::from_secs(20),
        || during() == PER_PHASE as usize,
    )
    .await;

    // After: Redis back, journal replayed, traffic back on Redis.
    server.restart().await.expect("restart redis");
    let mut state = failover.watch_state();
    tokio::time::timeout(
        Duration::from_secs(30),
        state.wait_for(|s| *s == FailoverState::Healthy),
    )
    .await
    .expect("back to healthy in time")
    .expect("state channel");
    for n in 2 * PER_PHASE..3 * PER_PHASE {
        enqueue(&q, n).await;
    }
    let total = (3 * PER_PHASE + DELAYED) as usize;
    wait_for("every job", Duration::from_secs(30), || {
        count(&handled) == total
    })
    .await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let s = q.sizes().await.expect("sizes");
        if s.pending + s.scheduled + s.processing == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "jobs left waiting: {s:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let c = q.counters().await.expect("counters");
    assert_eq!(c.dead, 0);
    println!(
        "outage: {} jobs handled ({PER_PHASE} during the outage), counters after replay {c:?}",
        count(&handled)
    );
    worker.shutdown(Duration::from_secs(2)).await;
}
