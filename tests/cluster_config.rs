//! Configuration on Redis's distributed deployments: `REDIS_URL=redis-cluster://...` (named
//! databases as key prefixes) and `REDIS_URL=redis-sentinel://.../service` (named databases as
//! logical databases of the primary), opened for real on a local cluster and Sentinel set.
//!
//! `cargo test -p staunch --features redis --test cluster_config`

use staunch::config::{Mapping, Settings, Staunch};
use staunch_core::prelude::*;

#[test]
fn a_cluster_url_needs_key_prefixes() {
    let settings = Settings::new()
        .merge_env_vars([("REDIS_URL", "redis-cluster://127.0.0.1:7000,127.0.0.1:7001")])
        .unwrap();
    let err = settings.validate().unwrap_err();
    assert!(err.message().contains("STAUNCH_DB_MAPPING"), "{err}");
    let settings = Settings::new()
        .merge_env_vars([
            ("REDIS_URL", "redis-cluster://127.0.0.1:7000,127.0.0.1:7001"),
            ("STAUNCH_DB_MAPPING", "prefixes"),
        ])
        .unwrap();
    settings.validate().unwrap();
    for bad in [
        "redis-sentinel://127.0.0.1:26379",
        "redis-cluster://127.0.0.1:7000/2",
        "redis-cluster://127.0.0.1:x",
    ] {
        let result = Settings::new()
            .merge_env_vars([("REDIS_URL", bad), ("STAUNCH_DB_MAPPING", "prefixes")])
            .and_then(|s| s.validate());
        let err = result.expect_err(bad);
        assert!(err.message().contains("REDIS_URL"), "{bad}: {err}");
    }
}

#[cfg(feature = "redis")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn named_databases_on_a_cluster_are_prefixes() {
    use staunch_core::testkit::redis_cluster::{ClusterOptions, test_redis_cluster};
    let Some(cluster) = test_redis_cluster("config on a cluster", ClusterOptions::default()).await
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings::new()
        .merge_env_vars([
            ("REDIS_URL", cluster.url().as_str()),
            ("STAUNCH_DB_MAPPING", "prefixes"),
            ("STAUNCH_FAILOVER", "off"),
        ])
        .unwrap()
        .data_dir(dir.path());
    assert_eq!(settings.mapping, Mapping::Prefixes);
    let app = Staunch::open(settings).await.unwrap();
    let cache = app.db("cache").unwrap();
    for i in 0..50 {
        cache.set(&format!("k{i}"), "v").await.unwrap();
    }
    assert_eq!(
        cache.dbsize().await.unwrap(),
        50,
        "a SCAN over every primary"
    );
    let raw = staunch_redis::RedisStore::connect(&cluster.url())
        .await
        .unwrap();
    assert_eq!(
        raw.get_string("cache:k7").await.unwrap().as_deref(),
        Some("v")
    );
    assert_eq!(raw.dbsize().await.unwrap(), 50);
    cache.flushdb().await.unwrap();
    assert_eq!(raw.dbsize().await.unwrap(), 0);
    app.close().await.unwrap();
}

#[cfg(feature = "redis")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn named_databases_through_sentinels_are_logical_databases() {
    use staunch_core::testkit::redis_cluster::{redis_cli, test_redis_sentinels};
    let Some(mut set) = test_redis_sentinels("config through Sentinels").await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings::new()
        .merge_env_vars([
            ("REDIS_URL", set.url().as_str()),
            ("STAUNCH_FAILOVER", "off"),
        ])
        .unwrap()
        .data_dir(dir.path());
    let app = Staunch::open(settings).await.unwrap();
    app.db("cache").unwrap().set("k", "in-cache").await.unwrap();
    let primary = set.data_servers()[0].port();
    // `cache` is database 1 of the primary the Sentinels name.
    let got = redis_cli(primary, &["-n", "1", "get", "k"]).await.unwrap();
    assert_eq!(got.trim(), "in-cache");
    app.close().await.unwrap();
}
