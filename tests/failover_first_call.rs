//! The first call of an outage, against a real `redis-server` with the default breaker and
//! retry settings: a quiet database whose Redis was killed, or that starts while Redis is
//! down, serves its first call locally (one attempt at the primary, no retries), and the
//! only call that may fail is a non-repeatable write that was in flight, whose error says
//! the outcome is unknown.

mod failover_support;

use std::time::{Duration, Instant};

use staunch::failover::{BreakerOptions, FailoverOptions, FailoverState};
use staunch::prelude::*;
use staunch_core::testkit::redis_server::{RedisServer, RedisServerOptions, test_redis_server};
use staunch_redis::{RedisOptions, RedisStore};

/// How long a Failover may take to notice an outage or a recovery on a busy machine.
const STATE_WAIT: Duration = Duration::from_secs(30);

/// Default failure threshold (5) and retries (3 attempts). The healthy probe is rare so that
/// the user's call, not the monitor, is the first to meet the outage; the open timeout and
/// degraded probes are short so that the return to Redis is quick.
fn options() -> FailoverOptions {
    FailoverOptions::new()
        .breaker(BreakerOptions::new().open_timeout(Duration::from_millis(200)))
        .probe_intervals(Duration::from_secs(600), Duration::from_millis(50))
}

fn redis(url: &str, response_timeout: Duration) -> RedisStore {
    RedisStore::lazy(
        RedisOptions::new(url)
            .response_timeout(response_timeout)
            .connect_timeout(Duration::from_secs(2)),
    )
    .expect("redis options")
}

fn text(v: Option<Bytes>) -> Option<String> {
    v.map(|b| String::from_utf8_lossy(&b).into_owned())
}

async fn direct(server: &RedisServer) -> RedisStore {
    RedisStore::connect(&server.url()).await.expect("connect")
}

/// Redis is killed while the database is idle; each kind of first call is served locally
/// after exactly one attempt at the primary, and everything reaches Redis after it returns.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quiet_database_serves_its_first_call_locally() {
    let Some(mut server) =
        test_redis_server("failover first call (killed)", RedisServerOptions::new()).await
    else {
        return;
    };
    for (round, first) in ["get", "sadd", "incr", "set"].into_iter().enumerate() {
        let store = failover_support::failover(redis(&server.url(), Duration::from_secs(2)))
            .local_memory()
            .options(options())
            .open()
            .await
            .expect("open");
        store.set("q:before", "x").await.expect("healthy set");
        server.kill();
        // Quiet: nothing calls until the connection's loss is long past.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let before = store.stats();
        let key = format!("q:{round}");
        match first {
            "get" => assert_eq!(store.get(&key).await.expect("first get"), None),
            "sadd" => assert_eq!(store.sadd_multiple(&key, ["m"]).await.expect("sadd"), 1),
            "incr" => assert_eq!(store.incrby(&key, 5).await.expect("incr"), 5),
            _ => store.set(&key, "v").await.expect("first set"),
        }
        let after = store.stats();
        assert_eq!(
            after.operations - before.operations,
            1,
            "{first}: one attempt at the primary, no retries"
        );
        assert_eq!(after.served_locally - before.served_locally, 1, "{first}");
        assert_ne!(store.state(), FailoverState::Healthy, "{first}");
        assert_eq!(
            after.breaker_trips, 1,
            "{first}: the breaker opened at once"
        );
        server.restart().await.expect("restart");
        failover_support::wait_for_state(&store, FailoverState::Healthy, STATE_WAIT).await;
        let redis = direct(&server).await;
        match first {
            "sadd" => assert_eq!(redis.smembers(&key).await.expect("smembers").len(), 1),
            "incr" => assert_eq!(
                text(redis.get(&key).await.expect("get")).as_deref(),
                Some("5")
            ),
            "set" => assert_eq!(
                text(redis.get(&key).await.expect("get")).as_deref(),
                Some("v")
            ),
            _ => {}
        }
        store.close().await.expect("close");
    }
}

/// The application starts while Redis is down: the first calls are served locally and
/// replayed once Redis starts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn down_at_start_serves_locally_and_replays() {
    let Some(mut server) = test_redis_server(
        "failover first call (down at start)",
        RedisServerOptions::new(),
    )
    .await
    else {
        return;
    };
    server.kill();
    let store = failover_support::failover(redis(&server.url(), Duration::from_secs(2)))
        .local_memory()
        .options(options())
        .open()
        .await
        .expect("open with Redis down");
    assert_eq!(store.state(), FailoverState::Healthy, "nothing tried yet");
    let started = Instant::now();
    store
        .sadd_multiple("start:set", ["a"])
        .await
        .expect("first sadd");
    let first = started.elapsed();
    store.set("start:cache", "v").await.expect("cache set");
    assert_eq!(store.incrby("start:n", 2).await.expect("incr"), 2);
    assert_eq!(
        text(store.get("start:cache").await.expect("get")).as_deref(),
        Some("v")
    );
    let stats = store.stats();
    assert_eq!(stats.operations, 1, "only the first call tried Redis");
    assert_eq!(stats.served_locally, 4);
    // Informational: the figure comes from the benchmark, not from a timed assert.
    println!("first call with Redis down at start: {first:?}");
    server.restart().await.expect("start Redis");
    failover_support::wait_for_state(&store, FailoverState::Healthy, STATE_WAIT).await;
    let redis = direct(&server).await;
    assert_eq!(
        text(redis.get("start:cache").await.expect("get")).as_deref(),
        Some("v")
    );
    assert_eq!(
        text(redis.get("start:n").await.expect("get")).as_deref(),
        Some("2")
    );
    assert_eq!(
        redis.smembers("start:set").await.expect("smembers").len(),
        1
    );
}

/// A non-repeatable write in flight when Redis dies returns `OutcomeUnknown` (it was sent and
/// no reply came); a repeatable one in flight is served locally; afterwards calls go local.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_in_flight_reports_an_unknown_outcome() {
    let Some(mut server) =
        test_redis_server("failover outcome unknown", RedisServerOptions::new()).await
    else {
        return;
    };
    let store = failover_support::failover(redis(&server.url(), Duration::from_secs(20)))
        .local_memory()
        .options(options())
        .open()
        .await
        .expect("open");
    store.set("u:warm", "x").await.expect("healthy set");
    // Stopped: the writes below are sent and wait for replies that never come.
    server.pause().expect("SIGSTOP");
    let incr = {
        let store = store.clone();
        tokio::spawn(async move { store.incrby("u:n", 1).await })
    };
    let set = {
        let store = store.clone();
        tokio::spawn(async move { store.set("u:s", "v").await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.kill();
    let err = incr
        .await
        .expect("task")
        .expect_err("an in-flight INCR cannot be acknowledged");
    assert_eq!(err.kind(), ErrorKind::OutcomeUnknown, "{err}");
    assert!(err.to_string().contains("may or may not"), "{err}");
    assert!(!err.is_retryable());
    set.await
        .expect("task")
        .expect("an idempotent SET goes local");
    assert_ne!(store.state(), FailoverState::Healthy);
    // Provably unsent from now on: served locally, no error.
    assert_eq!(store.incrby("u:n", 10).await.expect("local incr"), 10);
}

/// A non-repeatable write whose reply times out (a hung Redis) reports an unknown outcome too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timed_out_write_reports_an_unknown_outcome() {
    let Some(server) =
        test_redis_server("failover timed-out write", RedisServerOptions::new()).await
    else {
        return;
    };
    let store = failover_support::failover(redis(&server.url(), Duration::from_millis(300)))
        .local_memory()
        .options(options())
        .open()
        .await
        .expect("open");
    store.set("t:warm", "x").await.expect("healthy set");
    server.pause().expect("SIGSTOP");
    let err = store
        .rpush_multiple("t:q", ["job"])
        .await
        .expect_err("no reply");
    server.resume().expect("SIGCONT");
    assert_eq!(err.kind(), ErrorKind::OutcomeUnknown, "{err}");
    assert!(err.to_string().contains("timeout"), "{err}");
}
