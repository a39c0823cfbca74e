//! TLS beyond the system roots: a custom CA and client certificates (mutual TLS), as PEM.
//!
//! `rediss://` URLs use TLS with the feature `tls` (rustls, the default, with its `ring`
//! crypto provider; an application that also enables rustls's `aws-lc-rs` must install a
//! process default provider, as rustls requires) or `tls-native` (native-tls: OpenSSL on
//! Linux). Without [`TlsOptions`] the server is verified against the system's
//! root certificates; `rediss://...#insecure` skips verification (tests only).
//!
//! The same certificates serve every deployment: one server, every node of a Redis Cluster
//! (`rediss-cluster://`, through `ClusterClientBuilder::certs`), and both the Sentinels and
//! the data nodes behind them (`rediss-sentinel://`, through the `SentinelClientBuilder`'s
//! `set_client_to_*_certificates`), so they must all chain to one CA and accept one client
//! certificate. Two limits come from the `redis` crate (1.8), and each is an error that says
//! so rather than a connection that silently skips the certificates:
//!
//! - on Cluster and Sentinel, custom certificates need rustls (`tls`): the crate's cluster
//!   and Sentinel clients take certificates only with rustls, so with `tls-native` alone
//!   they verify against the system roots (or not at all with `#insecure`);
//! - `rediss-sentinel://...#insecure` cannot present a client certificate to the data nodes
//!   (the Sentinel client drops it on insecure connections): give the CA instead of
//!   `#insecure`.

use std::fmt;

use staunch_core::{Error, ErrorKind, Result};

/// Certificates for `rediss://` connections, in PEM. Set with
/// [`RedisOptions::tls`](crate::RedisOptions::tls).
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TlsOptions {
    /// The CA (or CAs) the server's certificate must chain to, instead of the system roots.
    pub root_cert_pem: Option<Vec<u8>>,
    /// The client certificate and its private key, for servers that require them
    /// (`tls-auth-clients yes`).
    pub client_cert_pem: Option<(Vec<u8>, Vec<u8>)>,
}

impl fmt::Debug for TlsOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The private key never reaches a log.
        f.debug_struct("TlsOptions")
            .field("root_cert_pem", &self.root_cert_pem.as_ref().map(Vec::len))
            .field(
                "client_cert_pem",
                &self.client_cert_pem.as_ref().map(|_| "[cert and key]"),
            )
            .finish()
    }
}

impl TlsOptions {
    /// No custom certificates.
    pub fn new() -> TlsOptions {
        TlsOptions::default()
    }

    /// Verifies the server against this CA (PEM) instead of the system roots.
    pub fn root_cert_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.root_cert_pem = Some(pem.into());
        self
    }

    /// Presents this client certificate and key (both PEM).
    pub fn client_cert_pem(mut self, cert: impl Into<Vec<u8>>, key: impl Into<Vec<u8>>) -> Self {
        self.client_cert_pem = Some((cert.into(), key.into()));
        self
    }

    /// Reads the CA and the client certificate and key from files (each optional); the error
    /// names the file that could not be read.
    pub fn from_files(
        root_cert: Option<&std::path::Path>,
        client_cert: Option<&std::path::Path>,
        client_key: Option<&std::path::Path>,
    ) -> Result<TlsOptions> {
        let read = |path: &std::path::Path| {
            std::fs::read(path).map_err(|e| {
                Error::invalid(format!("cannot read TLS file {}: {e}", path.display()))
            })
        };
        let mut tls = TlsOptions::new();
        if let Some(path) = root_cert {
            tls.root_cert_pem = Some(read(path)?);
        }
        match (client_cert, client_key) {
            (Some(cert), Some(key)) => tls.client_cert_pem = Some((read(cert)?, read(key)?)),
            (None, None) => {}
            _ => {
                return Err(Error::invalid(
                    "a client certificate needs its key and a key its certificate",
                ));
            }
        }
        Ok(tls)
    }

    /// Whether anything is set.
    pub fn is_empty(&self) -> bool {
        self.root_cert_pem.is_none() && self.client_cert_pem.is_none()
    }

    /// Checks that each part at least looks like PEM of its kind, so that a wrong file (a key
    /// given as the CA, DER, an empty file) is an error here, not a handshake that fails
    /// later for a reason that names neither file (rustls reads a CA file without any
    /// certificate in it as an empty, never-matching trust store).
    pub(crate) fn check(&self) -> Result<()> {
        const CERT: &[u8] = b"-----BEGIN CERTIFICATE-----";
        const KEY: &[u8] = b"PRIVATE KEY-----";
        let has = |pem: &[u8], marker: &[u8]| pem.windows(marker.len()).any(|w| w == marker);
        let bad = |what: &str, expected: &str| {
            Err(Error::invalid(format!(
                "invalid TLS certificates: the {what} has no {expected} block (PEM expected)"
            )))
        };
        if let Some(root) = &self.root_cert_pem
            && !has(root, CERT)
        {
            return bad("CA (root certificate)", "BEGIN CERTIFICATE");
        }
        if let Some((cert, key)) = &self.client_cert_pem {
            if !has(cert, CERT) {
                return bad("client certificate", "BEGIN CERTIFICATE");
            }
            if !has(key, KEY) {
                return bad("client key", "PRIVATE KEY");
            }
        }
        Ok(())
    }
}

/// The certificates as the `redis` crate takes them.
#[cfg(any(feature = "tls-rustls", feature = "tls-native"))]
fn certificates(tls: &TlsOptions) -> redis::TlsCertificates {
    redis::TlsCertificates {
        client_tls: tls
            .client_cert_pem
            .as_ref()
            .map(|(cert, key)| redis::ClientTlsConfig {
                client_cert: cert.clone(),
                client_key: key.clone(),
            }),
        root_cert: tls.root_cert_pem.clone(),
    }
}

/// The error for certificates the `redis` crate could not use.
pub(crate) fn invalid_certificates(e: redis::RedisError) -> Error {
    Error::new(
        ErrorKind::InvalidInput,
        format!("invalid TLS certificates: {e}"),
    )
    .with_source(e)
}

/// Custom certificates on a deployment whose `redis` client takes them only with rustls.
#[cfg(not(feature = "tls-rustls"))]
fn rustls_only(deployment: &str) -> Error {
    Error::new(
        ErrorKind::Unsupported,
        format!(
            "custom TLS certificates (RedisOptions::tls) on {deployment} need the `tls` (rustls) \
             cargo feature of staunch-redis (staunch: `tls`): with `tls-native` alone the \
             `redis` crate's {deployment} client verifies against the system roots only"
        ),
    )
}

/// `builder` with `tls`'s certificates for every node of the cluster (`insecure`: the URL's
/// `#insecure`).
pub(crate) fn cluster_certificates(
    builder: redis::cluster::ClusterClientBuilder,
    tls: &TlsOptions,
    insecure: bool,
) -> Result<redis::cluster::ClusterClientBuilder> {
    if tls.is_empty() {
        return Ok(builder);
    }
    // `certs` alone would make the mode `Secure`, overriding the seed URLs' `#insecure`.
    #[cfg(feature = "tls-rustls")]
    let builder = Ok(match insecure {
        true => builder.tls(redis::TlsMode::Insecure),
        false => builder.tls(redis::TlsMode::Secure),
    }
    .certs(certificates(tls)));
    #[cfg(not(feature = "tls-rustls"))]
    let builder = {
        drop((builder, insecure));
        Err(rustls_only("Redis Cluster"))
    };
    builder
}

/// `builder` with `tls`'s certificates for the Sentinels and the data nodes (`insecure`: the
/// URL's `#insecure`; see the module docs for why a client certificate is refused then).
pub(crate) fn sentinel_certificates(
    builder: redis::sentinel::SentinelClientBuilder,
    tls: &TlsOptions,
    insecure: bool,
) -> Result<redis::sentinel::SentinelClientBuilder> {
    if tls.is_empty() {
        return Ok(builder);
    }
    if insecure && tls.client_cert_pem.is_some() {
        return Err(Error::new(
            ErrorKind::Unsupported,
            "rediss-sentinel://...#insecure cannot present a client certificate to the data \
             nodes (the redis crate's Sentinel client drops it on insecure connections): set \
             the CA (TlsOptions::root_cert_pem) and remove #insecure",
        ));
    }
    #[cfg(feature = "tls-rustls")]
    let builder = Ok(builder
        .set_client_to_sentinel_certificates(certificates(tls))
        .set_client_to_redis_certificates(certificates(tls)));
    #[cfg(not(feature = "tls-rustls"))]
    let builder = {
        drop(builder);
        Err(rustls_only("Sentinel"))
    };
    builder
}

/// A client for `info` with these certificates.
#[cfg(any(feature = "tls-rustls", feature = "tls-native"))]
pub(crate) fn client_with_tls(
    info: redis::ConnectionInfo,
    tls: &TlsOptions,
) -> Result<redis::Client> {
    redis::Client::build_with_tls(info, certificates(tls)).map_err(invalid_certificates)
}

#[cfg(not(any(feature = "tls-rustls", feature = "tls-native")))]
pub(crate) fn client_with_tls(_: redis::ConnectionInfo, _: &TlsOptions) -> Result<redis::Client> {
    Err(Error::new(
        ErrorKind::Unsupported,
        "TLS certificates need the `tls` cargo feature of staunch-redis (staunch: `tls`)",
    ))
}
