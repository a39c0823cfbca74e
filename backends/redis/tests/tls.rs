//! `rediss://` against a real `redis-server` listening with TLS (only with a TLS feature:
//! `cargo test -p staunch-redis --features tls --test tls`, or `--features tls-native`).
//!
//! The certificates are made per test with the `openssl` program (a CA, a server certificate
//! for 127.0.0.1 signed by it, a client certificate signed by it): a self-signed server with
//! `#insecure`, then a server that requires client certificates, reached with a custom CA and
//! a client certificate, refused without them. The same on a TLS-only Redis Cluster and a
//! TLS-only Sentinel set is in `tls_deployments.rs` (a module of this binary).
#![cfg(any(feature = "tls-rustls", feature = "tls-native"))]

#[path = "common/certs.rs"]
mod certs;
#[path = "tls_deployments/mod.rs"]
mod tls_deployments;

use certs::{make_certs, openssl, path};
use staunch_core::prelude::*;
use staunch_core::testkit::redis_server::{RedisServerOptions, test_redis_server};
use staunch_core::testkit::redis_tls::ServerTls;
use staunch_redis::{RedisOptions, RedisStore, TlsOptions};

#[tokio::test]
async fn rediss_url_connects_over_tls() {
    let certs = tempfile::tempdir().expect("temp dir");
    let cert = certs.path().join("cert.pem");
    let key = certs.path().join("key.pem");
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=localhost",
        "-keyout",
        &path(&key),
        "-out",
        &path(&cert),
    ]);
    // The self-signed certificate is its own CA and serves as the server's and redis-cli's.
    let tls = ServerTls::new(&cert, (&cert, &key), (&cert, &key)).auth_clients(false);
    let options = RedisServerOptions::new().tls(tls);
    let Some(server) = test_redis_server("rediss:// over TLS", options).await else {
        return;
    };
    let tls_port = server.port();
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

#[tokio::test]
async fn custom_ca_and_client_certificate() {
    let dir = tempfile::tempdir().expect("temp dir");
    let certs = make_certs(dir.path());
    let Some(server) =
        test_redis_server("TLS with client certificates", certs.mutual_tls_server()).await
    else {
        return;
    };
    let tls_port = server.port();
    let url = format!("rediss://127.0.0.1:{tls_port}/3");
    let quick = |tls: TlsOptions| {
        RedisOptions::new(&url)
            .connect_timeout(std::time::Duration::from_secs(5))
            .tls(tls)
    };

    // The CA that signed the server, and the client certificate the server asks for.
    let tls = TlsOptions::from_files(
        Some(&certs.ca),
        Some(&certs.client_cert),
        Some(&certs.client_key),
    )
    .expect("read the certificates");
    let store = RedisStore::connect_with(quick(tls.clone()))
        .await
        .expect("mutual TLS connection");
    store.set("mtls", "yes").await.unwrap();
    assert_eq!(
        store.get_string("mtls").await.unwrap().as_deref(),
        Some("yes")
    );

    // Without the client certificate the server refuses the handshake.
    let no_client = TlsOptions::from_files(Some(&certs.ca), None, None).unwrap();
    let refused = RedisStore::connect_with(quick(no_client)).await;
    assert!(
        refused.is_err(),
        "a client without a certificate is refused"
    );

    // Against the system roots (no custom CA) the server's certificate does not verify.
    let unknown_ca = TlsOptions::new().client_cert_pem(
        std::fs::read(&certs.client_cert).unwrap(),
        std::fs::read(&certs.client_key).unwrap(),
    );
    let untrusted = RedisStore::connect_with(quick(unknown_ca)).await;
    assert!(
        untrusted.is_err(),
        "a server signed by an unknown CA is refused"
    );

    // Certificates on a plain redis:// URL are a mistake, said so.
    let plain =
        RedisStore::lazy(RedisOptions::new(format!("redis://127.0.0.1:{tls_port}")).tls(tls));
    let Err(err) = plain else {
        panic!("certificates on redis:// are refused")
    };
    assert!(err.to_string().contains("rediss://"), "{err}");
}
