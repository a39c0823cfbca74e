//! The conformance testkit on a healthy `Failover` over a real `redis-server`, under `Divert`
//! and under `Mirror`, one test per case and policy: wrapping Redis must not change a single
//! documented behaviour. After the cases, one more test per policy checks that the suite never
//! made the store degrade, journal, or lose its health figures.

mod failover_support;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use staunch::failover::{Failover, FailoverState, Policy};
use staunch::prelude::*;
use staunch_core::testkit::TestStore;
use staunch_core::testkit::harness::{self, Backend};
use staunch_core::testkit::redis_server::test_redis;
use staunch_redis::{RedisOptions, RedisStore};

/// The Redis store the cases run on and the `Failover` over it, as one test backend.
async fn backend(name: &str, policy: Policy, redis: RedisStore) -> Backend {
    let store = failover_support::failover(redis.clone())
        .local_memory()
        .policy(policy)
        .open()
        .await
        .expect("open failover");
    let checked = store.clone();
    let fresh = move || {
        let (redis, store) = (redis.clone(), store.clone());
        async move {
            redis.flushdb().await.expect("FLUSHDB");
            store.local().flushdb().await.expect("local FLUSHDB");
            Arc::new(store) as TestStore
        }
    };
    Backend::new(name, fresh)
        .shared()
        .then("stays_healthy_through_the_suite", move || {
            stays_healthy(checked)
        })
}

async fn stays_healthy(store: Failover) -> Result<(), String> {
    if store.state() != FailoverState::Healthy {
        return Err(format!("the testkit made it degrade: {:?}", store.state()));
    }
    if store.journal_len() != 0 {
        return Err(format!(
            "{} writes journaled while healthy",
            store.journal_len()
        ));
    }
    let report = store.health().await;
    if report.latency.is_none_or(|l| l >= Duration::from_secs(1)) {
        return Err(format!("no latency under a second: {:?}", report.latency));
    }
    let server = report.server.ok_or("no INFO figures")?;
    let complete = server.version.is_some()
        && server.used_memory.is_some()
        && server.connected_clients.is_some()
        && server.uptime.is_some();
    if !complete {
        return Err(format!("INFO figures incomplete: {server:?}"));
    }
    Ok(())
}

fn main() -> ExitCode {
    // Both policies run on one server, in turn; it lives until every case ran.
    harness::run_with(|runtime| {
        runtime.block_on(async {
            let Some(target) = test_redis("failover conformance").await else {
                let why = "STAUNCH_SKIP_REDIS=1 is set";
                let skipped = vec![
                    Backend::skipped("failover-divert", why),
                    Backend::skipped("failover-mirror", why),
                ];
                return (skipped, None);
            };
            let redis = RedisStore::connect_with(RedisOptions::new(target.url()))
                .await
                .expect("connect");
            let backends = vec![
                backend("failover-divert", Policy::Divert, redis.clone()).await,
                backend("failover-mirror", Policy::Mirror, redis).await,
            ];
            (backends, Some(target))
        })
    })
}
