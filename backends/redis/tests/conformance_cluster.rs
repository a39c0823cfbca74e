//! The conformance testkit on a real local Redis Cluster (3 primaries, 3 replicas), one test
//! per case. Cases that are inherently multi-slot (`Requires::CrossSlot`) are reported ignored,
//! since the cluster backend declares `cross_slot: false`. The cases share the cluster
//! (flushed on every primary before each), so they run one at a time.

use std::process::ExitCode;
use std::sync::Arc;

use staunch_core::prelude::*;
use staunch_core::testkit::TestStore;
use staunch_core::testkit::harness::{self, Backend};
use staunch_core::testkit::redis_cluster::{ClusterOptions, test_redis_cluster};
use staunch_redis::{Deployment, RedisOptions, RedisStore};

fn main() -> ExitCode {
    harness::run_with(|runtime| {
        runtime.block_on(async {
            let Some(cluster) = test_redis_cluster(
                "staunch-redis cluster conformance",
                ClusterOptions::default(),
            )
            .await
            else {
                let skipped = Backend::skipped("cluster", "STAUNCH_SKIP_REDIS=1 is set");
                return (vec![skipped], None);
            };
            let store = RedisStore::connect_with(RedisOptions::new(cluster.url()))
                .await
                .expect("connect to the test cluster");
            assert_eq!(store.deployment(), Deployment::Cluster);
            assert!(!store.capabilities().cross_slot);
            let backend = Backend::new("cluster", move || {
                let store = store.clone();
                async move {
                    store.flushdb().await.expect("FLUSHDB on every primary");
                    Arc::new(store) as TestStore
                }
            })
            .shared();
            (vec![backend], Some(cluster))
        })
    })
}
