//! Shared by the `failover_*` tests: a `Failover` builder over a Redis primary that works
//! without the `redis` cargo feature of `staunch` (the tests use `staunch-redis` directly, a
//! dev-dependency, so `cargo test --workspace` runs them).

#![allow(dead_code)]

pub mod proxy;

use std::sync::Arc;
use std::time::Duration;

use staunch::failover::{Failover, FailoverBuilder, Probe};
use staunch::{Result, async_trait};
use staunch_redis::RedisStore;

/// Probes with `PING` and reports `INFO`, as `Failover::redis` does with the feature.
pub struct RedisProbe(pub RedisStore);

#[async_trait]
impl Probe for RedisProbe {
    async fn ping(&self) -> Result<Duration> {
        self.0.ping().await
    }
    async fn info(&self) -> Result<Option<String>> {
        self.0.info().await.map(Some)
    }
    fn bounds_calls(&self) -> bool {
        true
    }
}

/// `Failover::redis(store)` without the feature.
pub fn failover(store: RedisStore) -> FailoverBuilder {
    Failover::builder_with_probe(Arc::new(store.clone()), Arc::new(RedisProbe(store)))
}

/// Waits until `store` is in `state`, failing the test after `limit` with what it is in
/// instead (every `failover_*` test waits for its outage and its recovery this way).
pub async fn wait_for_state(
    store: &Failover,
    state: staunch::failover::FailoverState,
    limit: Duration,
) {
    let started = std::time::Instant::now();
    while store.state() != state {
        assert!(
            started.elapsed() < limit,
            "Failover did not become {state:?} within {limit:?} (now {:?}, journal {})",
            store.state(),
            store.journal_len()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
