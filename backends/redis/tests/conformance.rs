//! The shared conformance testkit against a real `redis-server`: Redis is the judge, so every
//! case must pass here first.

use std::sync::Arc;

use staunch_core::prelude::*;
use staunch_core::testkit::redis_server::test_redis;
use staunch_core::testkit::{TestStore, run_all};
use staunch_redis::{RedisOptions, RedisStore};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn testkit_on_redis() {
    let Some(target) = test_redis("staunch-redis conformance testkit").await else {
        return;
    };
    let store = RedisStore::connect_with(RedisOptions::new(target.url()))
        .await
        .expect("connect to the test redis-server");
    run_all("redis", || {
        let store = store.clone();
        async move {
            // A fresh, empty database for every case.
            store.flushdb().await.expect("FLUSHDB");
            Arc::new(store) as TestStore
        }
    })
    .await;
    drop(target);
}
