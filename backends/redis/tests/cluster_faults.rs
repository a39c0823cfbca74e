//! Faults on real distributed deployments: a Redis Cluster primary killed under load (its
//! replica is promoted, calls continue, acknowledged writes survive except what asynchronous
//! replication lost, which is counted), slots resharded while traffic runs, and a Sentinel
//! primary killed (the promoted replica is followed).
//!
//! Each test starts its own deployment on loopback ports; `STAUNCH_SKIP_REDIS=1` skips them
//! with a printed notice. Timings are generous: the figures printed are for reading, the
//! asserts are about correctness.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use staunch_core::prelude::*;
use staunch_core::slots::key_slot;
use staunch_core::testkit::redis_cluster::{
    ClusterOptions, test_redis_cluster, test_redis_sentinels,
};
use staunch_redis::{RedisOptions, RedisStore};

/// What a writer saw.
#[derive(Default)]
struct Tally {
    acknowledged: Vec<String>,
    failed: u64,
}

/// Writes `w<id>:<n>` keys one after the other until `stop`, keeping the acknowledged ones.
async fn writer(
    store: RedisStore,
    id: usize,
    stop: Arc<AtomicBool>,
    after: Arc<AtomicU64>,
) -> Tally {
    let mut tally = Tally::default();
    let mut n = 0u64;
    while !stop.load(Ordering::Acquire) {
        let key = format!("w{id}:{n}");
        match store.set(&key, n.to_string().as_str()).await {
            Ok(()) => {
                tally.acknowledged.push(key);
                after.fetch_add(1, Ordering::Relaxed);
            }
            Err(_) => {
                tally.failed += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        n += 1;
    }
    tally
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_primary_killed_under_load() {
    let Some(mut cluster) =
        test_redis_cluster("cluster primary killed", ClusterOptions::default()).await
    else {
        return;
    };
    let store = RedisStore::connect_with(
        RedisOptions::new(cluster.url()).response_timeout(Duration::from_secs(3)),
    )
    .await
    .expect("connect");
    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(AtomicU64::new(0));
    let writers: Vec<_> = (0..16)
        .map(|id| tokio::spawn(writer(store.clone(), id, stop.clone(), acked.clone())))
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let victim = cluster.primaries().await.expect("primaries")[0].clone();
    println!(
        "killing primary on port {} ({:?})",
        victim.port, victim.slots
    );
    cluster
        .server_mut(victim.port)
        .expect("the victim is ours")
        .kill();
    let acked_at_kill = acked.load(Ordering::Relaxed);
    cluster
        .wait_failover(victim.port, Duration::from_secs(60))
        .await
        .expect("a replica is promoted");
    let acked_at_promotion = acked.load(Ordering::Relaxed);
    // Traffic keeps running on the promoted replica for a while.
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, Ordering::Release);
    let mut tallies = Vec::new();
    for w in writers {
        tallies.push(w.await.expect("writer"));
    }
    let acked_end = acked.load(Ordering::Relaxed);
    assert!(
        acked_end > acked_at_promotion,
        "calls continue after the promotion ({acked_at_promotion} -> {acked_end})"
    );
    // Every acknowledged write is there, except those the killed primary acknowledged and had
    // not yet replicated: all of them in its slots.
    let in_victim = |key: &str| {
        let slot = key_slot(key.as_bytes());
        victim.slots.iter().any(|&(a, b)| a <= slot && slot <= b)
    };
    let mut lost = Vec::new();
    let mut total = 0;
    for tally in &tallies {
        for key in &tally.acknowledged {
            total += 1;
            if store.get(key).await.expect("read back").is_none() {
                lost.push(key.clone());
            }
        }
    }
    let failed: u64 = tallies.iter().map(|t| t.failed).sum();
    println!(
        "acknowledged {total} writes ({acked_at_kill} before the kill, {} while the cluster \
         promoted, {} after); {failed} calls failed during the failover; {} acknowledged writes \
         lost by asynchronous replication",
        acked_at_promotion - acked_at_kill,
        acked_end - acked_at_promotion,
        lost.len()
    );
    assert!(
        lost.iter().all(|k| in_victim(k)),
        "only the killed primary's unreplicated writes may be lost: {lost:?}"
    );
    // Replication is asynchronous but fast: the loss window is the last moments before the
    // kill, a small share of the traffic.
    assert!(
        lost.len() as u64 <= total / 10 + 50,
        "{} of {total} acknowledged writes lost",
        lost.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slots_resharded_while_traffic_runs() {
    let Some(cluster) =
        test_redis_cluster("reshard under traffic", ClusterOptions::default()).await
    else {
        return;
    };
    let store = RedisStore::connect(&cluster.url()).await.expect("connect");
    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(AtomicU64::new(0));
    let writers: Vec<_> = (0..8)
        .map(|id| tokio::spawn(writer(store.clone(), id, stop.clone(), acked.clone())))
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let primaries = cluster.primaries().await.expect("primaries");
    let (from, to) = (&primaries[0], &primaries[1]);
    println!(
        "moving 500 slots from port {} to port {}",
        from.port, to.port
    );
    cluster.reshard(from, to, 500).await.expect("reshard");
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Release);
    let mut total = 0;
    let mut failed = 0;
    for w in writers {
        let tally = w.await.expect("writer");
        failed += tally.failed;
        for key in &tally.acknowledged {
            total += 1;
            assert!(
                store.get(key).await.expect("read back").is_some(),
                "{key} was acknowledged and is gone after the resharding"
            );
        }
    }
    let moved = cluster.primaries().await.expect("primaries");
    let owned = |port: u16| -> u32 {
        moved
            .iter()
            .filter(|n| n.port == port)
            .flat_map(|n| n.slots.iter())
            .map(|(a, b)| u32::from(*b) - u32::from(*a) + 1)
            .sum()
    };
    println!(
        "{total} writes during the resharding, {failed} failed; port {} now owns {} slots",
        to.port,
        owned(to.port)
    );
    assert_eq!(failed, 0, "MOVED/ASK are followed: no call fails");
    assert!(total > 0);
    assert!(owned(to.port) > 5461, "the slots moved");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sentinel_primary_killed_and_promotion_followed() {
    let Some(mut set) = test_redis_sentinels("sentinel primary killed").await else {
        return;
    };
    let store = RedisStore::connect_with(
        RedisOptions::new(set.url())
            .response_timeout(Duration::from_secs(2))
            .connect_timeout(Duration::from_secs(2)),
    )
    .await
    .expect("connect through the Sentinels");
    store
        .set("before", "1")
        .await
        .expect("write to the primary");
    // Make sure the replica has it before the primary dies (what `WAIT 1` gives a caller).
    let old = set.data_servers()[0].port();
    let replica = set.data_servers()[1].port();
    let mut replicated = false;
    for _ in 0..100 {
        let got = staunch_core::testkit::redis_cluster::redis_cli(replica, &["get", "before"])
            .await
            .unwrap_or_default();
        if got.trim() == "1" {
            replicated = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(replicated, "the replica synced");
    set.data_servers()[0].kill();
    let promoted = set
        .wait_promotion(old, Duration::from_secs(60))
        .await
        .expect("the Sentinels promote the replica");
    assert_eq!(promoted, replica);
    // The next calls reconnect through the Sentinels to the promoted replica.
    let mut attempts = 0;
    loop {
        attempts += 1;
        match store.set("after", "2").await {
            Ok(()) => break,
            Err(e) if attempts < 50 => {
                println!("attempt {attempts}: {e}");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("the promoted primary was never reached: {e}"),
        }
    }
    assert_eq!(
        store.get_string("before").await.unwrap().as_deref(),
        Some("1")
    );
    assert_eq!(
        store.get_string("after").await.unwrap().as_deref(),
        Some("2")
    );
    let role = staunch_core::testkit::redis_cluster::redis_cli(promoted, &["get", "after"])
        .await
        .unwrap();
    assert_eq!(role.trim(), "2", "written to the promoted replica");
}
