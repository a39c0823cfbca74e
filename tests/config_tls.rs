//! The facade's `tls` feature end to end: named databases on a `redis-server` that listens
//! only with TLS and requires client certificates, configured by the environment's
//! `REDIS_SSL_*` variables and by the URL's `ssl_*` parameters; the same on a TLS-only Redis
//! Cluster and Sentinel set.
//!
//! `cargo test -p staunch --features tls --test config_tls`
#![cfg(feature = "tls")]

#[path = "../backends/redis/tests/common/certs.rs"]
mod certs;

use certs::make_certs;
use staunch::config::{Settings, Staunch};
use staunch_core::prelude::*;
use staunch_core::testkit::redis_cluster::{
    ClusterOptions, SentinelOptions, test_redis_cluster, test_redis_sentinels_with,
};
use staunch_core::testkit::redis_server::test_redis_server;

#[tokio::test]
async fn named_databases_over_mutual_tls() {
    let dir = tempfile::tempdir().expect("temp dir");
    let certs = make_certs(dir.path());
    let Some(server) = test_redis_server("facade over TLS", certs.mutual_tls_server()).await else {
        return;
    };
    let tls_port = server.port();
    let data = tempfile::tempdir().expect("data dir");
    let (ca, cert, key) = certs.client_files();
    // From the environment's variables (REDIS_SSL turns redis:// into rediss://).
    let from_env = Settings::new()
        .data_dir(data.path().join("env"))
        .failover(None)
        .merge_env_vars([
            ("REDIS_URL", format!("redis://127.0.0.1:{tls_port}")),
            ("REDIS_SSL", "true".to_owned()),
            ("REDIS_SSL_CA_CERTS", ca.clone()),
            ("REDIS_SSL_CERTFILE", cert.clone()),
            ("REDIS_SSL_KEYFILE", key.clone()),
        ])
        .unwrap();
    // From the URL's parameters.
    let from_url = Settings::new()
        .data_dir(data.path().join("url"))
        .failover(None)
        .redis_url(format!(
            "rediss://127.0.0.1:{tls_port}?ssl_ca_certs={ca}&ssl_certfile={cert}&ssl_keyfile={key}"
        ));
    for (how, settings) in [("env", from_env), ("url", from_url)] {
        let app = Staunch::open(settings).await.unwrap();
        let cache = app.db("cache").unwrap();
        cache.set("over", how).await.unwrap();
        assert_eq!(
            cache.get_string("over").await.unwrap().as_deref(),
            Some(how)
        );
        let health = app.health().await;
        assert!(health.healthy, "{how}: {health:?}");
        app.close().await.unwrap();
    }
    // The CA alone: the server wants a client certificate, so the database is unavailable.
    let app = Staunch::open(
        Settings::new()
            .data_dir(data.path().join("no-client"))
            .failover(None)
            .redis_url(format!("rediss://127.0.0.1:{tls_port}?ssl_ca_certs={ca}")),
    )
    .await
    .unwrap();
    assert!(app.db("cache").unwrap().get("over").await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_and_sentinel_over_mutual_tls() {
    let dir = tempfile::tempdir().expect("temp dir");
    let certs = make_certs(dir.path());
    let server_tls = certs.server_tls();
    let cluster_options = ClusterOptions {
        replicas: 0,
        tls: Some(server_tls.clone()),
        ..ClusterOptions::default()
    };
    let Some(cluster) = test_redis_cluster("facade on a TLS cluster", cluster_options).await else {
        return;
    };
    let Some(sentinels) = test_redis_sentinels_with(
        "facade on TLS Sentinels",
        SentinelOptions::new().tls(server_tls),
    )
    .await
    else {
        return;
    };
    let data = tempfile::tempdir().expect("data dir");
    let (ca, cert, key) = certs.client_files();
    // The cluster from the environment: REDIS_SSL turns redis-cluster:// into its TLS form.
    let plain_cluster_url = cluster.url().replacen("rediss-cluster", "redis-cluster", 1);
    let cluster_settings = Settings::new()
        .data_dir(data.path().join("cluster"))
        .failover(None)
        .merge_env_vars([
            ("REDIS_URL", plain_cluster_url),
            ("REDIS_SSL", "true".to_owned()),
            ("REDIS_SSL_CA_CERTS", ca.clone()),
            ("REDIS_SSL_CERTFILE", cert.clone()),
            ("REDIS_SSL_KEYFILE", key.clone()),
            ("STAUNCH_DB_MAPPING", "prefixes".to_owned()),
        ])
        .unwrap();
    // The Sentinels from the URL's parameters.
    let sentinel_settings = Settings::new()
        .data_dir(data.path().join("sentinel"))
        .failover(None)
        .redis_url(format!(
            "{}?ssl_ca_certs={ca}&ssl_certfile={cert}&ssl_keyfile={key}",
            sentinels.url()
        ));
    for (how, settings) in [
        ("cluster", cluster_settings),
        ("sentinel", sentinel_settings),
    ] {
        let app = Staunch::open(settings).await.unwrap();
        for name in ["cache", "sessions"] {
            let db = app.db(name).unwrap();
            db.set("over", how).await.unwrap();
            assert_eq!(
                db.get_string("over").await.unwrap().as_deref(),
                Some(how),
                "{how}/{name}"
            );
        }
        let health = app.health().await;
        assert!(health.healthy, "{how}: {health:?}");
        app.close().await.unwrap();
    }
}
