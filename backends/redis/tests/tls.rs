//! `rediss://` against a real `redis-server` listening with TLS (only with the `tls` feature:
//! `cargo test -p staunch-redis --features tls --test tls`).
#![cfg(feature = "tls")]

use std::process::Command;

use staunch_core::prelude::*;
use staunch_core::testkit::redis_server::{RedisServerOptions, test_redis_server};
use staunch_redis::RedisStore;

#[tokio::test]
async fn rediss_url_connects_over_tls() {
    let certs = tempfile::tempdir().expect("temp dir");
    let cert = certs.path().join("cert.pem");
    let key = certs.path().join("key.pem");
    let status = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
        ])
        .arg("/CN=localhost")
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("the TLS test needs the `openssl` program to make a certificate");
    assert!(status.status.success(), "openssl failed: {status:?}");
    let tls_port = std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let path = |p: &std::path::Path| p.display().to_string();
    let options = RedisServerOptions::new()
        .arg("--tls-port")
        .arg(tls_port.to_string())
        .arg("--tls-cert-file")
        .arg(path(&cert))
        .arg("--tls-key-file")
        .arg(path(&key))
        .arg("--tls-ca-cert-file")
        .arg(path(&cert))
        .arg("--tls-auth-clients")
        .arg("no");
    let Some(_server) = test_redis_server("rediss:// over TLS", options).await else {
        return;
    };
    // `#insecure`: the certificate is self-signed.
    let store = RedisStore::connect(&format!("rediss://127.0.0.1:{tls_port}/2#insecure"))
        .await
        .expect("TLS connection");
    store.set("secure", "yes").await.unwrap();
    assert_eq!(
        store.get("secure").await.unwrap().as_deref(),
        Some(b"yes".as_ref())
    );
}
