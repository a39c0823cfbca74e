//! TLS for the test deployments: a [`ServerTls`] in
//! [`RedisServerOptions::tls`](super::redis_server::RedisServerOptions::tls) makes a test
//! server speak TLS only (`port 0`, `tls-port <free port>`), with TLS on its own outgoing
//! links too (`tls-replication yes`: a replica to its primary, a Sentinel to the servers it
//! watches; `tls-cluster yes` is added by [`super::redis_cluster`] for the cluster bus).
//!
//! The certificates are files the test made (staunch-redis's tests make them with the
//! `openssl` program); the testkit only passes their paths on, so it needs no TLS library:
//! the readiness check and all administration go through `redis-cli --tls`.

use std::path::PathBuf;

/// The certificate files of a TLS-only test server, all PEM.
///
/// The client certificate serves twice: the server presents it on its own outgoing links
/// (`tls-client-cert-file`: replication, cluster bus, Sentinel to data nodes), where a peer
/// with `tls-auth-clients yes` demands one, and `redis-cli` presents it for administration.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerTls {
    /// The CA that signed every certificate below (`tls-ca-cert-file`, `redis-cli --cacert`).
    pub ca: PathBuf,
    /// The server's certificate, valid for 127.0.0.1 (`tls-cert-file`).
    pub server_cert: PathBuf,
    /// Its private key (`tls-key-file`).
    pub server_key: PathBuf,
    /// A client certificate signed by [`ServerTls::ca`].
    pub client_cert: PathBuf,
    /// Its private key.
    pub client_key: PathBuf,
    /// `tls-auth-clients yes` (clients must present a certificate the CA signed) or `no`.
    pub auth_clients: bool,
}

impl ServerTls {
    /// These files, with client certificates required (`tls-auth-clients yes`).
    pub fn new(
        ca: impl Into<PathBuf>,
        (server_cert, server_key): (impl Into<PathBuf>, impl Into<PathBuf>),
        (client_cert, client_key): (impl Into<PathBuf>, impl Into<PathBuf>),
    ) -> ServerTls {
        ServerTls {
            ca: ca.into(),
            server_cert: server_cert.into(),
            server_key: server_key.into(),
            client_cert: client_cert.into(),
            client_key: client_key.into(),
            auth_clients: true,
        }
    }

    /// Sets [`ServerTls::auth_clients`].
    pub fn auth_clients(mut self, required: bool) -> Self {
        self.auth_clients = required;
        self
    }

    /// The `redis-server` arguments for a TLS-only server on `port` (appended after the
    /// defaults, so `--port 0` turns the plain port off).
    pub(crate) fn server_args(&self, port: u16) -> Vec<String> {
        let path = |p: &PathBuf| p.display().to_string();
        vec![
            "--port".into(),
            "0".into(),
            "--tls-port".into(),
            port.to_string(),
            "--tls-cert-file".into(),
            path(&self.server_cert),
            "--tls-key-file".into(),
            path(&self.server_key),
            "--tls-client-cert-file".into(),
            path(&self.client_cert),
            "--tls-client-key-file".into(),
            path(&self.client_key),
            "--tls-ca-cert-file".into(),
            path(&self.ca),
            "--tls-auth-clients".into(),
            if self.auth_clients { "yes" } else { "no" }.into(),
            "--tls-replication".into(),
            "yes".into(),
        ]
    }

    /// The `redis-cli` arguments that reach such a server.
    pub fn cli_args(&self) -> Vec<String> {
        let path = |p: &PathBuf| p.display().to_string();
        vec![
            "--tls".into(),
            "--cacert".into(),
            path(&self.ca),
            "--cert".into(),
            path(&self.client_cert),
            "--key".into(),
            path(&self.client_key),
        ]
    }
}
