//! staunch on a Redis Cluster in a few lines: single-key commands routed by slot, a multi-key
//! read split over slots, a cross-slot command refused with the keys named, the same command
//! with a hash tag, a cluster-wide `SCAN`/`DBSIZE`, and pub/sub.
//!
//! ```sh
//! cargo run -p staunch-redis --example cluster                       # starts a local cluster
//! REDIS_CLUSTER_URL=redis-cluster://10.0.0.1:7000,10.0.0.2:7000 \
//!     cargo run -p staunch-redis --example cluster                   # uses yours (FLUSHDB!)
//! ```

use futures_util::StreamExt;
use staunch_core::prelude::*;
use staunch_core::testkit::redis_cluster::{ClusterOptions, RedisCluster};
use staunch_redis::{RedisOptions, RedisStore};

#[tokio::main]
async fn main() -> staunch_core::Result<()> {
    // Kept alive until the end of `main` when started here.
    let (url, _local) = match std::env::var("REDIS_CLUSTER_URL") {
        Ok(url) => (url, None),
        Err(_) => {
            println!("starting a local cluster (3 primaries, 3 replicas)...");
            let cluster = RedisCluster::start(ClusterOptions::default())
                .await
                .map_err(|e| Error::new(ErrorKind::Unavailable, e.to_string()))?;
            (cluster.url(), Some(cluster))
        }
    };
    let store = RedisStore::connect_with(RedisOptions::new(url.as_str())).await?;
    println!("connected: {:?}", store.deployment());
    store.flushdb().await?;

    store.set("user:1", "alice").await?;
    store.set("user:2", "bob").await?;
    let names = store.mget(&["user:1", "user:2", "user:3"]).await?;
    println!(
        "MGET over slots {} and {}: {names:?}",
        staunch_redis::slots::key_slot(b"user:1"),
        staunch_redis::slots::key_slot(b"user:2")
    );

    match store.rename("user:1", "user:one").await {
        Err(e) => println!("refused before sending: {e}"),
        Ok(()) => println!("renamed (the keys happened to share a slot)"),
    }
    store.set("{user:1}:name", "alice").await?;
    store.rename("{user:1}:name", "{user:1}:display").await?;
    println!(
        "with a hash tag: {:?}",
        store.get_string("{user:1}:display").await?
    );

    let keys = store.scan_all(ScanOptions::new()).await?;
    println!(
        "SCAN over every primary: {} keys, DBSIZE {}",
        keys.len(),
        store.dbsize().await?
    );

    let mut sub = store
        .subscribe(vec![("news".to_owned()).into()], Vec::new())
        .await?;
    let receivers = store.publish("news", "hello cluster").await?;
    println!("PUBLISH reached {receivers} subscriber(s)");
    if let Some(event) = sub.next().await {
        println!("received: {event:?}");
    }
    Ok(())
}
