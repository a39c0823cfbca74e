//! The `metrics` feature end to end: a Prometheus recorder is installed first, then the test
//! does known work (commands on named databases, cache reads, a worker's jobs, a `Failover`
//! through a real Redis outage) and reads every figure that work must move back from the
//! rendered text. The `Failover` figures are compared with the store's own `stats()`, so the
//! exported counters and the health report cannot drift apart.
//!
//! `cargo test -p staunch --features metrics --test observe_metrics` (one test: the recorder
//! is process-wide).

mod failover_support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use staunch::cache::{Cache, CacheKey, cache_type};
use staunch::config::{Embedded, Settings, Staunch};
use staunch::failover::{BreakerOptions, FailoverOptions, FailoverState};
use staunch::prelude::*;
use staunch::queue::{HandlerError, JobContext, NewJob, Queue, Worker};
use staunch_core::testkit::redis_server::{RedisServerOptions, test_redis_server};
use staunch_redis::{RedisOptions, RedisStore};

/// Long enough for a busy 2-core machine; every wait below ends as soon as its condition holds.
const DEADLINE: Duration = Duration::from_secs(30);

/// The rendered samples, keyed by name and labels exactly as Prometheus's text writes them
/// (`staunch_commands_total{backend="memory",database="main"}`).
fn samples(handle: &PrometheusHandle) -> HashMap<String, f64> {
    handle
        .render()
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .filter_map(|line| {
            let (key, value) = line.rsplit_once(' ')?;
            Some((key.to_owned(), value.parse().ok()?))
        })
        .collect()
}

/// Waits until every `(sample, value)` in `want` is rendered with that value.
async fn wait_for_samples(handle: &PrometheusHandle, want: &[(&str, f64)]) {
    let started = Instant::now();
    loop {
        let got = samples(handle);
        if want.iter().all(|(key, value)| got.get(*key) == Some(value)) {
            return;
        }
        assert!(
            started.elapsed() < DEADLINE,
            "expected {want:?} within {DEADLINE:?}; rendered:\n{}",
            handle.render()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn sample(handle: &PrometheusHandle, key: &str) -> Option<f64> {
    samples(handle).get(key).copied()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exported_figures_follow_the_work_done() {
    // The recorder first: handles registered before it would be no-ops.
    let recorder = PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    metrics::set_global_recorder(recorder).expect("the only recorder in this test binary");

    embedded_databases(&handle).await;
    failover_through_an_outage(&handle).await;
}

/// Commands (and a failed one) on named databases, cache reads, and a worker's jobs.
async fn embedded_databases(handle: &PrometheusHandle) {
    let app = Staunch::open(
        Settings::new()
            .embedded(Embedded::Memory)
            .only_databases(&["main", "cache", "tasks"]),
    )
    .await
    .expect("open");

    let main_db = app.db("main").unwrap();
    for i in 0..10 {
        main_db.set(&format!("k:{i}"), i.to_string()).await.unwrap();
        main_db.get(&format!("k:{i}")).await.unwrap();
    }
    main_db.lpush("a-list", "x").await.unwrap();
    let err = main_db.incr("a-list").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WrongType);
    let got = samples(handle);
    let on_main = |name: &str| format!("{name}{{backend=\"memory\",database=\"main\"}}");
    assert_eq!(got.get(&on_main("staunch_commands_total")), Some(&22.0));
    assert_eq!(
        got.get(&on_main("staunch_command_duration_seconds_count")),
        Some(&22.0),
        "one round trip per command"
    );
    assert_eq!(
        got.get(
            "staunch_command_errors_total{backend=\"memory\",database=\"main\",kind=\"wrong_type\"}"
        ),
        Some(&1.0)
    );

    let cache = Cache::new(app.db("cache").unwrap());
    let key = CacheKey::tenant("t1", cache_type::API_RESPONSE, "answer");
    for _ in 0..3 {
        let value = cache
            .get_or_fetch(&key, || async { Ok::<_, std::io::Error>(42) })
            .await
            .unwrap();
        assert_eq!(value, 42);
    }
    assert_eq!(
        sample(handle, "staunch_cache_requests_total{result=\"miss\"}"),
        Some(1.0)
    );
    assert_eq!(
        sample(handle, "staunch_cache_requests_total{result=\"hit\"}"),
        Some(2.0)
    );

    let queue = Queue::new(app.db("tasks").unwrap());
    for i in 0..6u32 {
        queue
            .enqueue(NewJob::new("resize", i).max_retries(0))
            .await
            .unwrap();
    }
    let worker = Worker::new(queue.clone())
        .concurrency(2)
        .maintenance_interval(Duration::from_millis(50))
        .handle("resize", |ctx: JobContext<u32>| async move {
            if ctx.payload.is_multiple_of(3) {
                return Err(HandlerError::permanent("not an image"));
            }
            Ok::<_, HandlerError>(ctx.payload * 2)
        })
        .start();
    // Payloads 0 and 3 fail for good; the maintenance pass then reports them dead.
    let job = |outcome: &str| {
        format!(
            "staunch_job_duration_seconds_count{{queue=\"queue\",task_type=\"resize\",outcome=\"{outcome}\"}}"
        )
    };
    let (completed, failed) = (job("completed"), job("failed"));
    wait_for_samples(
        handle,
        &[
            (completed.as_str(), 4.0),
            (failed.as_str(), 2.0),
            ("staunch_queue_jobs{queue=\"queue\",state=\"dead\"}", 2.0),
            ("staunch_queue_jobs{queue=\"queue\",state=\"pending\"}", 0.0),
            (
                "staunch_queue_jobs{queue=\"queue\",state=\"processing\"}",
                0.0,
            ),
        ],
    )
    .await;
    worker.shutdown(Duration::from_secs(10)).await;
    app.close().await.unwrap();
}

/// A `Failover` over a real Redis that is killed and restarted: its exported events and
/// gauges equal its own counters once it is healthy again.
async fn failover_through_an_outage(handle: &PrometheusHandle) {
    let Some(mut server) =
        test_redis_server("metrics of a Failover", RedisServerOptions::new()).await
    else {
        return;
    };
    let redis = RedisStore::lazy(
        RedisOptions::new(server.url())
            .response_timeout(Duration::from_millis(500))
            .connect_timeout(Duration::from_millis(500)),
    )
    .expect("options");
    let store = failover_support::failover(redis.clone())
        .local_memory()
        .options(
            FailoverOptions::new()
                .breaker(
                    BreakerOptions::new()
                        .failure_threshold(2)
                        .open_timeout(Duration::from_millis(200)),
                )
                .probe_intervals(Duration::from_millis(100), Duration::from_millis(50)),
        )
        .open()
        .await
        .expect("open");
    store.set("before", "1").await.unwrap();

    server.kill();
    let started = Instant::now();
    while store.state() != FailoverState::Degraded {
        let _ = store.set("during-kill", "x").await;
        assert!(started.elapsed() < DEADLINE, "never degraded");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(sample(handle, "staunch_failover_state"), Some(1.0));
    for i in 0..5 {
        store
            .set(&format!("outage:{i}"), i.to_string())
            .await
            .unwrap();
    }
    assert!(
        store.journal_len() >= 5,
        "the outage's writes are journaled"
    );
    assert_eq!(
        sample(handle, "staunch_failover_journal_length"),
        Some(store.journal_len() as f64)
    );

    server.restart().await.expect("restart redis-server");
    failover_support::wait_for_state(&store, FailoverState::Healthy, DEADLINE).await;
    assert_eq!(
        redis.get_string("outage:4").await.unwrap().as_deref(),
        Some("4")
    );

    let stats = store.stats();
    assert!(
        stats.breaker_trips >= 1 && stats.journaled >= 5,
        "{stats:?}"
    );
    assert_eq!(
        stats.replayed + stats.replay_skipped,
        stats.journaled,
        "{stats:?}"
    );
    let event = |name: &str| format!("staunch_failover_events_total{{event=\"{name}\"}}");
    let got = samples(handle);
    for (name, count) in [
        ("breaker_trip", stats.breaker_trips),
        ("served_locally", stats.served_locally),
        ("journaled", stats.journaled),
        ("replayed", stats.replayed),
    ] {
        assert_eq!(
            got.get(&event(name)),
            Some(&(count as f64)),
            "{name}: {stats:?}"
        );
    }
    assert_eq!(
        got.get(&event("replay_skipped")).copied().unwrap_or(0.0),
        stats.replay_skipped as f64
    );
    assert_eq!(got.get("staunch_failover_state"), Some(&0.0));
    assert_eq!(got.get("staunch_failover_journal_length"), Some(&0.0));
    assert_eq!(store.journal_len(), 0);
    println!("Failover figures exported as counted: {stats:?}");
}
