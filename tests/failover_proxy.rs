//! Partial network failures, made deterministic by the fault-injection proxy of
//! `failover_support::proxy`, under `Divert` and `Mirror`: latency, a black hole, resets, a
//! reply that stalls halfway and a connection dropped after a few bytes. Each test checks what
//! the caller sees during the fault and that Redis holds every acknowledged write afterwards.

mod failover_support;

use std::time::Duration;

use failover_support::proxy::{Fault, FaultProxy};
use staunch::failover::{
    BreakerOptions, BreakerState, Failover, FailoverOptions, FailoverState, Policy, RetryOptions,
};
use staunch::prelude::*;
use staunch_core::testkit::redis_server::{RedisServer, RedisServerOptions, test_redis_server};
use staunch_redis::{RedisOptions, RedisStore};

const POLICIES: [Policy; 2] = [Policy::Divert, Policy::Mirror];
const TIMEOUT: Duration = Duration::from_millis(400);

/// How long a Failover may take to notice an outage or a recovery on a busy machine.
const STATE_WAIT: Duration = Duration::from_secs(30);

fn options(policy: Policy) -> FailoverOptions {
    FailoverOptions::new()
        .policy(policy)
        .breaker(
            BreakerOptions::new()
                .failure_threshold(3)
                .open_timeout(Duration::from_millis(200)),
        )
        .retry(RetryOptions::new().backoff(Duration::from_millis(20), Duration::from_millis(50)))
        .probe_intervals(Duration::from_secs(600), Duration::from_millis(50))
}

async fn open(proxy: &FaultProxy, policy: Policy) -> Failover {
    let redis = RedisStore::lazy(
        RedisOptions::new(proxy.url())
            .response_timeout(TIMEOUT)
            .connect_timeout(TIMEOUT),
    )
    .expect("redis options");
    failover_support::failover(redis)
        .local_memory()
        .options(options(policy))
        .open()
        .await
        .expect("open")
}

async fn setup(what: &str) -> Option<(RedisServer, FaultProxy)> {
    let server = test_redis_server(what, RedisServerOptions::new()).await?;
    let proxy = FaultProxy::for_redis_url(&server.url())
        .await
        .expect("start the proxy");
    Some((server, proxy))
}

fn text(v: Option<Bytes>) -> Option<String> {
    v.map(|b| String::from_utf8_lossy(&b).into_owned())
}

async fn redis_get(server: &RedisServer, key: &str) -> Option<String> {
    let direct = RedisStore::connect(&server.url()).await.expect("connect");
    text(direct.get(key).await.expect("direct get"))
}

/// What a read of a key Redis held before the outage returns while degraded.
fn expected_outage_read(policy: Policy) -> Option<&'static str> {
    match policy {
        Policy::Mirror => Some("held"),
        _ => None,
    }
}

/// Latency below the response timeout is not a fault: everything stays on Redis.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn latency_stays_on_redis() {
    let Some((server, proxy)) = setup("failover proxy latency").await else {
        return;
    };
    for policy in POLICIES {
        let store = open(&proxy, policy).await;
        let p = format!("lat:{policy:?}");
        proxy.set(Fault::Latency(Duration::from_millis(30)));
        for i in 0..5 {
            store.set(&format!("{p}:{i}"), "v").await.expect("set");
            assert_eq!(
                store.incrby(&format!("{p}:n"), 1).await.expect("incr"),
                i + 1
            );
        }
        proxy.set(Fault::None);
        assert_eq!(store.state(), FailoverState::Healthy, "{policy:?}");
        assert_eq!(store.stats().served_locally, 0, "{policy:?}");
        assert_eq!(
            redis_get(&server, &format!("{p}:n")).await.as_deref(),
            Some("5")
        );
    }
}

/// Resets: the first call after the reset is served locally (a read, then a write whose
/// reconnection was refused), and replay brings the writes to Redis.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_serves_locally_at_once() {
    let Some((server, proxy)) = setup("failover proxy reset").await else {
        return;
    };
    for policy in POLICIES {
        let store = open(&proxy, policy).await;
        let p = format!("reset:{policy:?}");
        store.set(&format!("{p}:held"), "held").await.expect("set");
        proxy.set(Fault::Reset);
        let read = store.get(&format!("{p}:held")).await.expect("first read");
        assert_eq!(
            text(read).as_deref(),
            expected_outage_read(policy),
            "{policy:?}"
        );
        assert_ne!(store.state(), FailoverState::Healthy, "{policy:?}");
        assert_eq!(
            store
                .incrby(&format!("{p}:n"), 3)
                .await
                .expect("local incr"),
            3
        );
        proxy.set(Fault::None);
        failover_support::wait_for_state(&store, FailoverState::Healthy, STATE_WAIT).await;
        assert_eq!(
            redis_get(&server, &format!("{p}:n")).await.as_deref(),
            Some("3")
        );
        assert_eq!(
            redis_get(&server, &format!("{p}:held")).await.as_deref(),
            Some("held")
        );
    }
}

/// A black hole (nothing gets through, connections stay open): each call waits one response
/// timeout and fails (a non-repeatable write with an unknown outcome) until the breaker opens;
/// then calls are served locally. Nothing is lost when the partition heals.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn black_hole_trips_the_breaker_then_serves_locally() {
    let Some((server, proxy)) = setup("failover proxy black hole").await else {
        return;
    };
    for policy in POLICIES {
        let store = open(&proxy, policy).await;
        let p = format!("bh:{policy:?}");
        store.set(&format!("{p}:held"), "held").await.expect("set");
        proxy.set(Fault::BlackHole);
        let err = store
            .incrby(&format!("{p}:n"), 1)
            .await
            .expect_err("no reply");
        assert_eq!(err.kind(), ErrorKind::OutcomeUnknown, "{policy:?}: {err}");
        let mut calls = 0;
        while store.state() == FailoverState::Healthy {
            calls += 1;
            assert!(calls <= 5, "{policy:?}: the breaker never opened");
            if let Err(e) = store.get(&format!("{p}:held")).await {
                assert_eq!(e.kind(), ErrorKind::Timeout, "{policy:?}: {e}");
            }
        }
        let read = store.get(&format!("{p}:held")).await.expect("local read");
        assert_eq!(
            text(read).as_deref(),
            expected_outage_read(policy),
            "{policy:?}"
        );
        store
            .set(&format!("{p}:during"), "d")
            .await
            .expect("local set");
        proxy.set(Fault::None);
        failover_support::wait_for_state(&store, FailoverState::Healthy, STATE_WAIT).await;
        assert_eq!(
            redis_get(&server, &format!("{p}:during")).await.as_deref(),
            Some("d")
        );
        // The INCR that got no reply reached Redis once the partition healed: its outcome
        // really was unknown to the caller.
        assert_eq!(
            redis_get(&server, &format!("{p}:n")).await.as_deref(),
            Some("1")
        );
    }
}

/// A reply that stalls halfway: the call times out (a non-repeatable write: unknown outcome)
/// and the connection stays usable once the stall ends, with replies in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_reply_times_out_and_the_connection_recovers() {
    let Some((server, proxy)) = setup("failover proxy stall").await else {
        return;
    };
    for policy in POLICIES {
        let store = open(&proxy, policy).await;
        let p = format!("stall:{policy:?}");
        let big = "x".repeat(64 * 1024);
        store
            .set(&format!("{p}:big"), big.clone())
            .await
            .expect("set");
        proxy.set(Fault::StallMidReply);
        let err = store.get(&format!("{p}:big")).await.expect_err("stalled");
        assert_eq!(err.kind(), ErrorKind::Timeout, "{policy:?}: {err}");
        let err = store
            .incrby(&format!("{p}:n"), 1)
            .await
            .expect_err("stalled");
        assert_eq!(err.kind(), ErrorKind::OutcomeUnknown, "{policy:?}: {err}");
        proxy.set(Fault::None);
        // Whatever state the timeouts left, the store answers correctly again.
        failover_support::wait_for_state(&store, FailoverState::Healthy, STATE_WAIT).await;
        assert_eq!(
            text(store.get(&format!("{p}:big")).await.expect("get")).map(|s| s.len()),
            Some(big.len())
        );
        assert_eq!(store.incrby(&format!("{p}:n"), 1).await.expect("incr"), 2);
        assert_eq!(
            redis_get(&server, &format!("{p}:n")).await.as_deref(),
            Some("2")
        );
    }
}

/// The connection drops a few bytes into a reply: a read goes local at once, a
/// non-repeatable write reports an unknown outcome, and what was acknowledged reaches Redis.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drop_after_bytes() {
    let Some((server, proxy)) = setup("failover proxy drop after N bytes").await else {
        return;
    };
    for policy in POLICIES {
        let store = open(&proxy, policy).await;
        let p = format!("drop:{policy:?}");
        store.set(&format!("{p}:held"), "held").await.expect("set");
        proxy.set(Fault::DropAfter(2));
        let err = store
            .incrby(&format!("{p}:n"), 1)
            .await
            .expect_err("cut off");
        assert_eq!(err.kind(), ErrorKind::OutcomeUnknown, "{policy:?}: {err}");
        // The connection is gone: the next call is a reconnect through the same fault; a
        // read is safe whatever happens to it.
        let read = store.get(&format!("{p}:held")).await;
        match read {
            Ok(v) if store.state() != FailoverState::Healthy => {
                assert_eq!(
                    text(v).as_deref(),
                    expected_outage_read(policy),
                    "{policy:?}"
                )
            }
            Ok(v) => assert_eq!(text(v).as_deref(), Some("held"), "{policy:?}"),
            Err(e) => panic!("{policy:?}: a read must not fail: {e}"),
        }
        proxy.set(Fault::None);
        failover_support::wait_for_state(&store, FailoverState::Healthy, STATE_WAIT).await;
        assert_eq!(store.breaker().state(), BreakerState::Closed);
        assert_eq!(
            redis_get(&server, &format!("{p}:n")).await.as_deref(),
            Some("1")
        );
    }
}
