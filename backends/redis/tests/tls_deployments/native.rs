//! TLS-only deployments reached with native-tls (`tls-native` alone): `#insecure`, since the
//! `redis` crate's cluster and Sentinel clients take custom certificates only with rustls;
//! custom certificates are refused up front with an error that says so.

use staunch_core::ErrorKind;
use staunch_core::prelude::*;
use staunch_core::testkit::redis_cluster::{
    ClusterOptions, SentinelOptions, test_redis_cluster, test_redis_sentinels_with,
};
use staunch_redis::RedisStore;

use super::{client_tls, next_message, options};
use crate::certs::make_certs;

#[test]
fn custom_certificates_on_cluster_and_sentinel_need_rustls() {
    let dir = tempfile::tempdir().expect("temp dir");
    let certs = make_certs(dir.path());
    for url in [
        "rediss-cluster://127.0.0.1:1",
        "rediss-sentinel://127.0.0.1:1/svc",
    ] {
        let Err(err) = RedisStore::lazy(options(url, client_tls(Some(&certs), None))) else {
            panic!("{url}: custom certificates with native-tls are refused");
        };
        assert_eq!(err.kind(), ErrorKind::Unsupported, "{err}");
        assert!(err.message().contains("`tls` (rustls)"), "{err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_and_sentinel_over_tls_with_insecure() {
    let dir = tempfile::tempdir().expect("temp dir");
    let certs = make_certs(dir.path());
    let tls = certs.server_tls().auth_clients(false);
    let cluster_options = ClusterOptions {
        replicas: 0,
        tls: Some(tls.clone()),
        ..ClusterOptions::default()
    };
    let Some(cluster) = test_redis_cluster("TLS Redis Cluster", cluster_options).await else {
        return;
    };
    let store = RedisStore::connect_with(options(
        &format!("{}#insecure", cluster.url()),
        Default::default(),
    ))
    .await
    .expect("native-tls to the cluster");
    let keys: Vec<String> = (0..20).map(|i| format!("n:{i}")).collect();
    for key in &keys {
        store.set(key.as_str(), "v").await.expect("SET");
    }
    let values = store.mget(&keys).await.expect("MGET across slots");
    assert_eq!(values.iter().flatten().count(), keys.len());
    let mut sub = store.subscribe(vec!["n".into()], vec![]).await.unwrap();
    assert_eq!(store.publish("n", "m").await.unwrap(), 1);
    assert_eq!(
        next_message(&mut sub).await,
        ("n".to_owned(), b"m".to_vec())
    );
    drop((sub, store, cluster));

    let Some(set) =
        test_redis_sentinels_with("TLS Sentinel set", SentinelOptions::new().tls(tls)).await
    else {
        return;
    };
    let store = RedisStore::connect_with(options(
        &format!("{}#insecure", set.url()),
        Default::default(),
    ))
    .await
    .expect("native-tls to the Sentinels and the primary");
    store.set("k", "v").await.expect("SET");
    assert_eq!(store.get_string("k").await.unwrap().as_deref(), Some("v"));
}
