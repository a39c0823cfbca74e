//! The test deployments themselves: a Redis Cluster of 3 primaries and 3 replicas and a
//! Sentinel set form on loopback ports, as the cluster and Sentinel tests expect.

use staunch_core::testkit::redis_cluster::{
    ClusterOptions, test_redis_cluster, test_redis_sentinels,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_of_three_primaries_and_three_replicas_forms() {
    let started = std::time::Instant::now();
    let Some(cluster) = test_redis_cluster("cluster forms", ClusterOptions::default()).await else {
        return;
    };
    println!("cluster formed in {:?}", started.elapsed());
    let nodes = cluster.topology().await.expect("CLUSTER NODES");
    assert_eq!(nodes.len(), 6, "{nodes:?}");
    let primaries: Vec<_> = nodes.iter().filter(|n| n.primary).collect();
    assert_eq!(primaries.len(), 3, "{nodes:?}");
    let covered: u32 = primaries
        .iter()
        .flat_map(|n| n.slots.iter())
        .map(|(a, b)| u32::from(*b) - u32::from(*a) + 1)
        .sum();
    assert_eq!(covered, 16384);
    assert!(cluster.url().starts_with("redis-cluster://127.0.0.1:"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sentinel_set_forms() {
    let started = std::time::Instant::now();
    let Some(mut set) = test_redis_sentinels("sentinel set forms").await else {
        return;
    };
    println!("sentinel set formed in {:?}", started.elapsed());
    let primary = set.data_servers()[0].port();
    assert_eq!(set.primary_port().await.expect("ask a Sentinel"), primary);
    assert_eq!(set.sentinels().len(), 3);
}
