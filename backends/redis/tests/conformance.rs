//! The shared conformance testkit against a real `redis-server`, one test per case: Redis is
//! the judge, so every case must pass here first. The cases share one server (emptied before
//! each), so they run one at a time. With `STAUNCH_SKIP_REDIS=1` every case is listed as
//! ignored and a `SKIPPED` line says why.

use std::process::ExitCode;
use std::sync::Arc;

use staunch_core::prelude::*;
use staunch_core::testkit::TestStore;
use staunch_core::testkit::harness::{self, Backend};
use staunch_core::testkit::redis_server::test_redis;
use staunch_redis::{RedisOptions, RedisStore};

fn main() -> ExitCode {
    harness::run_with(|runtime| {
        runtime.block_on(async {
            let Some(target) = test_redis("staunch-redis conformance testkit").await else {
                let skipped = Backend::skipped("redis", "STAUNCH_SKIP_REDIS=1 is set");
                return (vec![skipped], None);
            };
            let store = RedisStore::connect_with(RedisOptions::new(target.url()))
                .await
                .expect("connect to the test redis-server");
            let backend = Backend::new("redis", move || {
                let store = store.clone();
                async move {
                    // A fresh, empty database for every case.
                    store.flushdb().await.expect("FLUSHDB");
                    Arc::new(store) as TestStore
                }
            })
            .shared();
            // The server lives until every case ran.
            (vec![backend], Some(target))
        })
    })
}
