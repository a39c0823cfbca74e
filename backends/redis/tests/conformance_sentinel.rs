//! The conformance testkit on a Sentinel-managed primary (1 replica, 3 Sentinels), reached
//! through `redis-sentinel://`, one test per case. The cases share the primary (emptied before
//! each), so they run one at a time.

use std::process::ExitCode;
use std::sync::Arc;

use staunch_core::prelude::*;
use staunch_core::testkit::TestStore;
use staunch_core::testkit::harness::{self, Backend};
use staunch_core::testkit::redis_cluster::test_redis_sentinels;
use staunch_redis::{Deployment, RedisOptions, RedisStore};

fn main() -> ExitCode {
    harness::run_with(|runtime| {
        runtime.block_on(async {
            let Some(set) = test_redis_sentinels("staunch-redis sentinel conformance").await else {
                let skipped = Backend::skipped("sentinel", "STAUNCH_SKIP_REDIS=1 is set");
                return (vec![skipped], None);
            };
            let store = RedisStore::connect_with(RedisOptions::new(set.url()))
                .await
                .expect("connect through the Sentinels");
            assert_eq!(store.deployment(), Deployment::Sentinel);
            let backend = Backend::new("sentinel", move || {
                let store = store.clone();
                async move {
                    store.flushdb().await.expect("FLUSHDB");
                    Arc::new(store) as TestStore
                }
            })
            .shared();
            (vec![backend], Some(set))
        })
    })
}
