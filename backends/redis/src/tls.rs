//! TLS beyond the system roots: a custom CA and client certificates (mutual TLS), as PEM.
//!
//! `rediss://` URLs use TLS with the feature `tls` (rustls, the default, with its `ring`
//! crypto provider; an application that also enables rustls's `aws-lc-rs` must install a
//! process default provider, as rustls requires) or `tls-native` (native-tls: OpenSSL on
//! Linux). Without [`TlsOptions`] the server is verified against the system's
//! root certificates; `rediss://...#insecure` skips verification (tests only).

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
}

/// A client for `info` with these certificates.
#[cfg(any(feature = "tls-rustls", feature = "tls-native"))]
pub(crate) fn client_with_tls(
    info: redis::ConnectionInfo,
    tls: &TlsOptions,
) -> Result<redis::Client> {
    let certs = redis::TlsCertificates {
        client_tls: tls
            .client_cert_pem
            .as_ref()
            .map(|(cert, key)| redis::ClientTlsConfig {
                client_cert: cert.clone(),
                client_key: key.clone(),
            }),
        root_cert: tls.root_cert_pem.clone(),
    };
    redis::Client::build_with_tls(info, certs).map_err(|e| {
        Error::new(
            ErrorKind::InvalidInput,
            format!("invalid TLS certificates: {e}"),
        )
        .with_source(e)
    })
}

#[cfg(not(any(feature = "tls-rustls", feature = "tls-native")))]
pub(crate) fn client_with_tls(_: redis::ConnectionInfo, _: &TlsOptions) -> Result<redis::Client> {
    Err(Error::new(
        ErrorKind::Unsupported,
        "TLS certificates need the `tls` cargo feature of staunch-redis (staunch: `tls`)",
    ))
}
