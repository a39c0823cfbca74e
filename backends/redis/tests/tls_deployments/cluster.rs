//! A TLS-only Redis Cluster reached with rustls: a custom CA and a client certificate.

use std::time::Duration;

use staunch_core::prelude::*;
use staunch_core::testkit::redis_cluster::{ClusterOptions, test_redis_cluster};
use staunch_redis::slots::key_slot;
use staunch_redis::{Deployment, RedisStore};

use super::{certs_in, client_tls, next_message, options, refuses_wrong_certificates};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_over_tls_with_a_custom_ca_and_client_certificates() {
    let dir = tempfile::tempdir().expect("temp dir");
    let certs = certs_in(dir.path(), "good");
    let other = certs_in(dir.path(), "other");
    let cluster_options = ClusterOptions {
        replicas: 0,
        tls: Some(certs.server_tls()),
        ..ClusterOptions::default()
    };
    let Some(cluster) = test_redis_cluster("TLS Redis Cluster", cluster_options).await else {
        return;
    };
    let url = cluster.url();
    assert!(url.starts_with("rediss-cluster://"), "{url}");

    let store = RedisStore::connect_with(options(&url, client_tls(Some(&certs), Some(&certs))))
        .await
        .expect("mutual TLS to the cluster");
    assert_eq!(store.deployment(), Deployment::Cluster);

    // Keys in many slots: each primary gets some, each over its own TLS connection.
    let keys: Vec<String> = (0..30).map(|i| format!("tls:{i}")).collect();
    for key in &keys {
        store.set(key.as_str(), key.as_str()).await.expect("SET");
    }
    for key in &keys {
        assert_eq!(
            store
                .get_string(key.as_str())
                .await
                .expect("GET")
                .as_deref(),
            Some(key.as_str())
        );
    }
    let primaries = cluster.primaries().await.expect("CLUSTER NODES");
    assert_eq!(primaries.len(), 3, "{primaries:?}");
    for primary in &primaries {
        let size = cluster
            .cli(primary.port, &["dbsize"])
            .await
            .expect("DBSIZE");
        let size: u64 = size.trim().parse().expect("a number");
        assert!(size > 0, "primary {} got no keys", primary.port);
    }

    // A cross-slot MGET is split per slot and merged in key order.
    let slots: std::collections::BTreeSet<u16> =
        keys.iter().map(|k| key_slot(k.as_bytes())).collect();
    assert!(slots.len() > 3, "the keys span many slots");
    let mut wanted: Vec<&str> = keys.iter().map(String::as_str).collect();
    wanted.push("tls:missing");
    let values = store.mget(&wanted).await.expect("MGET across slots");
    assert_eq!(values.len(), wanted.len());
    for (key, value) in wanted.iter().zip(&values) {
        let expected = (*key != "tls:missing").then_some(key.as_bytes());
        assert_eq!(value.as_deref(), expected, "{key}");
    }
    assert_eq!(store.del_multiple(&wanted).await.expect("DEL"), 30);

    // Pub/sub through the hub, a blocking pop and a script: their own TLS connections.
    let mut sub = store
        .subscribe(vec!["tls-news".into()], vec![])
        .await
        .expect("SUBSCRIBE over TLS");
    assert_eq!(
        store.publish("tls-news", "hello").await.expect("PUBLISH"),
        1
    );
    assert_eq!(
        next_message(&mut sub).await,
        ("tls-news".to_owned(), b"hello".to_vec())
    );
    store.rpush("tls:list", "x").await.expect("RPUSH");
    let popped = store
        .blpop("tls:list", Duration::from_secs(5))
        .await
        .expect("BLPOP");
    assert_eq!(
        popped.map(|(k, v)| (k, v.to_vec())),
        Some((staunch_core::Name::from("tls:list"), b"x".to_vec()))
    );
    let counted = store
        .incr_by_ex("tls:count", 2, Duration::from_secs(60))
        .await
        .expect("a script over TLS");
    assert_eq!(counted, 2);

    // `#insecure` skips verification, and still presents the client certificate.
    let insecure = RedisStore::connect_with(options(
        &format!("{url}#insecure"),
        client_tls(None, Some(&certs)),
    ))
    .await
    .expect("#insecure with a client certificate");
    assert_eq!(
        insecure.get_string("tls:count").await.unwrap().as_deref(),
        Some("2")
    );

    // No client certificate: the servers demand one; and theirs do not chain to `other`.
    refuses_wrong_certificates(&url, &certs, &other).await;
}
