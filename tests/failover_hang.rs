//! Hung Redis (SIGSTOP): no call waits much longer than the response timeout, the breaker
//! opens and calls are served locally, and after SIGCONT the store returns to Redis by itself
//! with the outage's writes replayed.

mod failover_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::{Duration, Instant};

use staunch::failover::{BreakerOptions, FailoverOptions, FailoverState, RetryOptions};
use staunch::prelude::*;
use staunch_core::testkit::redis_server::{RedisServerOptions, test_redis_server};
use staunch_redis::{RedisOptions, RedisStore};

const TIMEOUT: Duration = Duration::from_millis(300);
const MARGIN: Duration = Duration::from_millis(250);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hung_redis_is_bypassed_and_rejoined() {
    let Some(server) = test_redis_server("failover hung redis", RedisServerOptions::new()).await
    else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let redis = RedisStore::connect_with(
        RedisOptions::new(server.url())
            .response_timeout(TIMEOUT)
            .connect_timeout(TIMEOUT),
    )
    .await
    .expect("connect");
    let changes = Arc::new(parking_lot::Mutex::new(Vec::new()));
    let seen = changes.clone();
    let store = failover_support::failover(redis)
        .local_file(dir.path())
        .options(
            FailoverOptions::new()
                .breaker(
                    BreakerOptions::new()
                        .failure_threshold(3)
                        .open_timeout(Duration::from_millis(500)),
                )
                .retry(
                    RetryOptions::new()
                        .backoff(Duration::from_millis(10), Duration::from_millis(50)),
                )
                .probe_intervals(Duration::from_millis(200), Duration::from_millis(100))
                .call_timeout(TIMEOUT),
        )
        .on_state_change(move |c| seen.lock().push((c.from, c.to)))
        .open()
        .await
        .expect("open failover");
    store.set("hang:before", "1").await.expect("healthy write");

    server.pause().expect("SIGSTOP");
    let paused = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(AtomicI64::new(0));
    let ambiguous = Arc::new(AtomicI64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (store, stop, acked, ambiguous) = (
            store.clone(),
            stop.clone(),
            acked.clone(),
            ambiguous.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut worst = Duration::ZERO;
            let mut calls = 0u32;
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                match store.incr("hang:counter").await {
                    Ok(_) => acked.fetch_add(1, Ordering::Relaxed),
                    Err(e) => {
                        assert!(e.is_outage(), "unexpected error {e}");
                        ambiguous.fetch_add(1, Ordering::Relaxed)
                    }
                };
                let _ = store.get("hang:before").await;
                worst = worst.max(started.elapsed());
                calls += 1;
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            (worst, calls)
        }));
    }
    // Wait for the breaker to open and local serving to start.
    while store.state() != FailoverState::Degraded {
        assert!(
            paused.elapsed() < Duration::from_secs(3),
            "breaker did not open"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let degraded_after = paused.elapsed();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let served_before_resume = store.stats().served_locally;
    assert!(served_before_resume > 0, "nothing was served locally");
    server.resume().expect("SIGCONT");
    let resumed = Instant::now();
    while store.state() != FailoverState::Healthy {
        assert!(
            resumed.elapsed() < Duration::from_secs(10),
            "did not return to Redis by itself (state {:?})",
            store.state()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let healthy_after = resumed.elapsed();
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    let mut worst = Duration::ZERO;
    let mut calls = 0;
    for t in tasks {
        let (w, c) = t.await.expect("task");
        worst = worst.max(w);
        calls += c;
    }
    // Each loop iteration made two calls; bound each pair by two timeouts at most, and check
    // the single-call bound below with a dedicated probe.
    assert!(
        worst <= 2 * (TIMEOUT + MARGIN),
        "an iteration took {worst:?} (two calls, timeout {TIMEOUT:?})"
    );

    // Single calls while hung: pause again, time calls one by one until served locally.
    server.pause().expect("SIGSTOP again");
    let mut single_worst = Duration::ZERO;
    let t0 = Instant::now();
    while t0.elapsed() < Duration::from_secs(2) {
        let started = Instant::now();
        let _ = store.get("hang:before").await;
        single_worst = single_worst.max(started.elapsed());
    }
    assert!(
        single_worst <= TIMEOUT + MARGIN,
        "a call waited {single_worst:?} with response timeout {TIMEOUT:?}"
    );
    assert_eq!(store.state(), FailoverState::Degraded);
    server.resume().expect("SIGCONT again");
    let t1 = Instant::now();
    while store.state() != FailoverState::Healthy {
        assert!(t1.elapsed() < Duration::from_secs(10), "no return to Redis");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    let direct = RedisStore::connect(&server.url()).await.expect("connect");
    let counter: i64 = direct
        .get("hang:counter")
        .await
        .expect("GET")
        .map(|b| String::from_utf8_lossy(&b).parse().unwrap_or(-1))
        .unwrap_or(0);
    let (a, m) = (
        acked.load(Ordering::Relaxed),
        ambiguous.load(Ordering::Relaxed),
    );
    assert!(
        counter >= a && counter <= a + m,
        "counter {counter}: acknowledged {a}, ambiguous (timed out) {m}"
    );
    let changes = changes.lock().clone();
    assert!(changes.contains(&(FailoverState::Healthy, FailoverState::Degraded)));
    assert!(changes.contains(&(FailoverState::Recovering, FailoverState::Healthy)));
    println!(
        "hung redis: degraded {degraded_after:?} after SIGSTOP, healthy {healthy_after:?} after SIGCONT; \
         {calls} iterations, worst iteration {worst:?}, worst single call {single_worst:?} \
         (timeout {TIMEOUT:?}); counter {counter} = acked {a} (+ up to {m} timed out); \
         served locally {}, state changes {changes:?}",
        store.stats().served_locally
    );
    store.close().await.expect("close");
}
