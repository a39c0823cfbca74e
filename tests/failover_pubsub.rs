//! Pub/sub across an outage: a subscriber through `Failover` keeps receiving messages published
//! through it, gets `Gap(BackendSwitched)` when delivery moves, and once Redis is back messages
//! published through `Failover` reach a subscriber on another Redis connection again.

mod failover_support;

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use staunch::failover::{BreakerOptions, FailoverOptions, FailoverState};
use staunch::prelude::*;
use staunch::{GapReason, Subscription, SubscriptionEvent};
use staunch_core::testkit::redis_server::{RedisServerOptions, test_redis_server};
use staunch_redis::{RedisOptions, RedisStore};

/// How long a Failover may take to notice an outage or a recovery on a busy machine.
const STATE_WAIT: Duration = Duration::from_secs(15);

async fn next_event(sub: &mut Subscription) -> SubscriptionEvent {
    tokio::time::timeout(Duration::from_secs(5), sub.next())
        .await
        .expect("an event within 5 s")
        .expect("subscription still open")
}

/// Waits for the message `payload`, skipping other messages, recording gaps.
async fn expect_message(sub: &mut Subscription, payload: &str, gaps: &mut Vec<GapReason>) {
    loop {
        match next_event(sub).await {
            SubscriptionEvent::Message(m) if m.payload == payload.as_bytes() => return,
            SubscriptionEvent::Message(_) => {}
            SubscriptionEvent::Gap(g) => gaps.push(g),
            _ => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribers_follow_the_active_backend() {
    let Some(mut server) = test_redis_server("failover pub/sub", RedisServerOptions::new()).await
    else {
        return;
    };
    let redis = RedisStore::lazy(
        RedisOptions::new(server.url())
            .response_timeout(Duration::from_millis(300))
            .connect_timeout(Duration::from_millis(300)),
    )
    .expect("options");
    let store = failover_support::failover(redis)
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
    let mut sub = store
        .subscribe(vec!["news".into()], Vec::new())
        .await
        .expect("subscribe");
    let mut gaps = Vec::new();
    store.publish("news", "healthy-1").await.expect("publish");
    expect_message(&mut sub, "healthy-1", &mut gaps).await;

    server.kill();
    // Publishing keeps working: the first attempts may fail while the breaker counts.
    let t = Instant::now();
    while store.state() != FailoverState::Degraded {
        let _ = store.publish("news", "during-kill").await;
        assert!(t.elapsed() < Duration::from_secs(5), "never degraded");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // The subscriber moves to the local backend; give it a moment, then publish.
    tokio::time::sleep(Duration::from_millis(100)).await;
    store
        .publish("news", "degraded-1")
        .await
        .expect("local publish");
    expect_message(&mut sub, "degraded-1", &mut gaps).await;
    assert!(
        gaps.contains(&GapReason::BackendSwitched),
        "no switch marker when delivery moved to local: {gaps:?}"
    );
    gaps.clear();

    server.restart().await.expect("restart");
    failover_support::wait_for_state(&store, FailoverState::Healthy, STATE_WAIT).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let other = RedisStore::connect(&server.url()).await.expect("connect");
    let mut remote = other
        .subscribe(vec!["news".into()], Vec::new())
        .await
        .expect("remote subscribe");
    store
        .publish("news", "healthy-2")
        .await
        .expect("publish to redis");
    expect_message(&mut sub, "healthy-2", &mut gaps).await;
    assert!(
        gaps.contains(&GapReason::BackendSwitched),
        "no switch marker when delivery moved back: {gaps:?}"
    );
    let mut remote_gaps = Vec::new();
    expect_message(&mut remote, "healthy-2", &mut remote_gaps).await;
    println!("pub/sub: messages delivered across kill/restart with switch markers");
}
