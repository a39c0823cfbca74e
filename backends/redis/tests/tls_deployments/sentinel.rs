//! A TLS-only Sentinel set reached with rustls: a custom CA and a client certificate, for
//! the Sentinels and the data nodes alike.

use std::time::{Duration, Instant};

use staunch_core::ErrorKind;
use staunch_core::prelude::*;
use staunch_core::testkit::redis_cluster::{SentinelOptions, test_redis_sentinels_with};
use staunch_redis::{Deployment, RedisStore};

use super::{certs_in, client_tls, next_message, options, refuses_wrong_certificates};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sentinel_over_tls_with_a_custom_ca_and_client_certificates() {
    let dir = tempfile::tempdir().expect("temp dir");
    let certs = certs_in(dir.path(), "good");
    let other = certs_in(dir.path(), "other");
    let Some(mut set) = test_redis_sentinels_with(
        "TLS Sentinel set",
        SentinelOptions::new().tls(certs.server_tls()),
    )
    .await
    else {
        return;
    };
    let url = format!("{}/2", set.url());
    assert!(url.starts_with("rediss-sentinel://"), "{url}");

    let store = RedisStore::connect_with(options(&url, client_tls(Some(&certs), Some(&certs))))
        .await
        .expect("mutual TLS to the Sentinels and the primary");
    assert_eq!(store.deployment(), Deployment::Sentinel);
    let info = store.server_info().await.expect("INFO");
    assert_eq!(info.role.as_deref(), Some("master"), "{info:?}");

    for i in 0..10 {
        store
            .set(format!("s:{i}").as_str(), i.to_string().as_str())
            .await
            .expect("SET");
    }
    let keys: Vec<String> = (0..10).map(|i| format!("s:{i}")).collect();
    let values = store.mget(&keys).await.expect("MGET");
    assert_eq!(values.iter().flatten().count(), 10);

    let mut sub = store
        .subscribe(vec!["tls-news".into()], vec![])
        .await
        .expect("SUBSCRIBE over TLS");
    assert_eq!(store.publish("tls-news", "hi").await.expect("PUBLISH"), 1);
    assert_eq!(
        next_message(&mut sub).await,
        ("tls-news".to_owned(), b"hi".to_vec())
    );
    store.rpush("s:list", "x").await.expect("RPUSH");
    let popped = store
        .blpop("s:list", Duration::from_secs(5))
        .await
        .expect("BLPOP");
    assert_eq!(popped.map(|(_, v)| v.to_vec()), Some(b"x".to_vec()));
    assert_eq!(
        store
            .incr_by_ex("s:count", 3, Duration::from_secs(60))
            .await
            .expect("a script over TLS"),
        3
    );

    // The data nodes never presented a certificate to a client without one, and this CA
    // signed none of the servers.
    refuses_wrong_certificates(&url, &certs, &other).await;
    // The redis crate's Sentinel client would drop the client certificate on insecure
    // connections to the data nodes: refused up front, saying so.
    let insecure = RedisStore::lazy(options(
        &format!("{url}#insecure"),
        client_tls(None, Some(&certs)),
    ));
    let Err(err) = insecure else {
        panic!("#insecure with a client certificate on Sentinel is refused")
    };
    assert_eq!(err.kind(), ErrorKind::Unsupported, "{err}");
    assert!(err.message().contains("#insecure"), "{err}");

    // A failover over TLS: the Sentinels (over TLS) promote the replica (replicating over
    // TLS), and the next calls reach it. First the replica must hold the last write.
    let replica = set.data_servers()[1].port();
    let deadline = Instant::now() + Duration::from_secs(30);
    while set
        .cli(replica, &["-n", "2", "get", "s:count"])
        .await
        .ok()
        .as_deref()
        != Some("3\n")
    {
        assert!(
            Instant::now() < deadline,
            "the replica did not catch up over TLS"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let old = set.primary_port().await.expect("ask a Sentinel");
    set.data_servers()[0].kill();
    let promoted = set
        .wait_promotion(old, Duration::from_secs(90))
        .await
        .expect("a promotion");
    assert_ne!(promoted, old);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match store.set("s:after", "failover").await {
            Ok(()) => break,
            // While the Sentinels settle they may still name no usable primary.
            Err(e) if Instant::now() < deadline => {
                println!("while the replica is promoted: {e}");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("no write reached the promoted primary: {e}"),
        }
    }
    assert_eq!(
        store.get_string("s:0").await.expect("GET").as_deref(),
        Some("0"),
        "the replica had the data"
    );
}
