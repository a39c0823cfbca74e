//! TLS on Redis's distributed deployments, against real TLS-only servers (`port 0`): a Redis
//! Cluster of 3 primaries (`tls-cluster yes`) and a Sentinel set (1 primary, 1 replica, 3
//! Sentinels; `tls-replication yes`), both with `tls-auth-clients yes`, started by the
//! testkit ([`staunch_core::testkit::redis_tls`]).
//!
//! With rustls (`tls`) each deployment is reached with the test CA and a client certificate
//! and does real work (commands on every primary, a split `MGET`, pub/sub, a blocking pop, a
//! script; a Sentinel failover), and is refused, with an error that says why, without the
//! client certificate or with another CA. With `tls-native` alone the `redis` crate's cluster
//! and Sentinel clients take no custom certificates: that is refused up front, and
//! `#insecure` is what reaches the deployments (the servers then accept clients without
//! certificates).

#[cfg(feature = "tls-rustls")]
mod cluster;
#[cfg(all(feature = "tls-native", not(feature = "tls-rustls")))]
mod native;
#[cfg(feature = "tls-rustls")]
mod sentinel;

use std::time::Duration;

use futures_util::StreamExt;
use staunch_core::{ErrorKind, Subscription};
use staunch_redis::{RedisOptions, RedisStore, TlsOptions};

use crate::certs::Certs;

/// A CA with its server and client certificates, in a new directory `name` under `dir`.
#[cfg(feature = "tls-rustls")]
fn certs_in(dir: &std::path::Path, name: &str) -> Certs {
    let dir = dir.join(name);
    std::fs::create_dir_all(&dir).expect("a directory for the certificates");
    crate::certs::make_certs(&dir)
}

/// What a client may present: the CA and/or the client certificate of `certs`.
fn client_tls(ca: Option<&Certs>, client: Option<&Certs>) -> TlsOptions {
    TlsOptions::from_files(
        ca.map(|c| c.ca.as_path()),
        client.map(|c| c.client_cert.as_path()),
        client.map(|c| c.client_key.as_path()),
    )
    .expect("read the certificates")
}

/// Options for `url` with `tls`; timeouts generous for a loaded machine.
fn options(url: &str, tls: TlsOptions) -> RedisOptions {
    RedisOptions::new(url)
        .connect_timeout(Duration::from_secs(10))
        .response_timeout(Duration::from_secs(10))
        .tls(tls)
}

/// Connecting with `tls` fails, and the error says it is the TLS handshake and names the
/// cause (`expected`, any of them, case-insensitive).
#[cfg(feature = "tls-rustls")]
async fn refused(url: &str, tls: TlsOptions, expected: &[&str]) -> staunch_core::Error {
    let err = match RedisStore::connect_with(options(url, tls)).await {
        Ok(store) => match store.ping().await {
            // TLS 1.3 finishes the client's side of the handshake before the server checks
            // the client's certificate, so the refusal may arrive with the first reply.
            Ok(_) => panic!("{url}: connected and answered, but should have been refused"),
            Err(e) => e,
        },
        Err(e) => e,
    };
    assert!(
        err.message().contains("TLS handshake"),
        "{url}: the error should say the TLS handshake failed: {err}"
    );
    // The cause in the TLS library's words (which the hint around it never uses).
    let cause = err.to_string().to_lowercase();
    assert!(
        expected
            .iter()
            .any(|word| cause.contains(&word.to_lowercase())),
        "{url}: the error should name the cause ({expected:?}): {err}"
    );
    assert!(
        matches!(
            err.kind(),
            ErrorKind::Unavailable | ErrorKind::InvalidInput | ErrorKind::Refused
        ),
        "{url}: unexpected kind {:?}: {err}",
        err.kind()
    );
    println!("refused as expected: {err}");
    err
}

/// A deployment that requires client certificates refuses a client without one, and a
/// client trusting another CA (`other`) refuses the servers' certificates.
#[cfg(feature = "tls-rustls")]
async fn refuses_wrong_certificates(url: &str, certs: &Certs, other: &Certs) {
    refused(url, client_tls(Some(certs), None), &["CertificateRequired"]).await;
    refused(
        url,
        client_tls(Some(other), Some(certs)),
        &["invalid peer certificate"],
    )
    .await;
}

/// The next message of `sub` (within a generous deadline), as (channel, payload).
async fn next_message(sub: &mut Subscription) -> (String, Vec<u8>) {
    let deadline = Duration::from_secs(20);
    loop {
        let event = tokio::time::timeout(deadline, sub.next())
            .await
            .expect("a message within the deadline")
            .expect("the subscription is open");
        if let Some(message) = event.into_message() {
            return (message.channel.to_string(), message.payload.to_vec());
        }
    }
}

#[test]
fn certificates_need_a_tls_url_and_pem() {
    let dir = tempfile::tempdir().expect("temp dir");
    let certs = crate::certs::make_certs(dir.path());
    for url in [
        "redis-cluster://127.0.0.1:1",
        "redis-sentinel://127.0.0.1:1/svc",
    ] {
        let Err(err) = RedisStore::lazy(options(url, client_tls(Some(&certs), None))) else {
            panic!("{url}: certificates on a plain URL are refused");
        };
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
        assert!(err.message().contains("rediss-"), "{err}");
    }
    // A key where the CA belongs, and a certificate where the key belongs.
    let swapped = [
        TlsOptions::new().root_cert_pem(std::fs::read(&certs.client_key).unwrap()),
        TlsOptions::new().client_cert_pem(
            std::fs::read(&certs.client_cert).unwrap(),
            std::fs::read(&certs.client_cert).unwrap(),
        ),
    ];
    for tls in swapped {
        let Err(err) = RedisStore::lazy(options("rediss-cluster://127.0.0.1:1", tls)) else {
            panic!("a file of the wrong kind is refused");
        };
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
        assert!(err.message().contains("PEM expected"), "{err}");
    }
}
