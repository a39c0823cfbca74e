//! The conformance testkit on a healthy `Failover` over a real `redis-server`: wrapping Redis
//! must not change a single documented behaviour.

mod failover_support;

use std::sync::Arc;
use std::time::Duration;

use staunch::failover::{FailoverState, Policy};
use staunch::prelude::*;
use staunch_core::testkit::redis_server::test_redis;
use staunch_core::testkit::{TestStore, run_all};
use staunch_redis::{RedisOptions, RedisStore};

async fn run(policy: Policy, name: &str) {
    let Some(target) = test_redis(name).await else {
        return;
    };
    let redis = RedisStore::connect_with(RedisOptions::new(target.url()))
        .await
        .expect("connect");
    let store = failover_support::failover(redis.clone())
        .local_memory()
        .policy(policy)
        .open()
        .await
        .expect("open failover");
    run_all(name, || {
        let (redis, store) = (redis.clone(), store.clone());
        async move {
            redis.flushdb().await.expect("FLUSHDB");
            store
                .local()
                .execute(Command::FlushDb)
                .await
                .expect("local FLUSHDB");
            Arc::new(store) as TestStore
        }
    })
    .await;
    assert_eq!(
        store.state(),
        FailoverState::Healthy,
        "the testkit made it degrade"
    );
    assert_eq!(store.journal_len(), 0);
    let report = store.health().await;
    assert!(report.latency.is_some_and(|l| l < Duration::from_secs(1)));
    let server = report.server.expect("INFO figures");
    assert!(server.version.is_some() && server.used_memory.is_some());
    assert!(server.connected_clients.is_some() && server.uptime.is_some());
    drop(target);
}

// One test runs both policies in turn: with STAUNCH_TEST_REDIS_URL they would share a server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn testkit_on_healthy_failover() {
    run(Policy::Divert, "failover").await;
    run(Policy::Mirror, "failover-mirror").await;
}
