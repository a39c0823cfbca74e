//! Test certificates made with the `openssl` program: a CA, a server certificate for
//! 127.0.0.1 and localhost signed by it, and a client certificate signed by it. Shared by
//! staunch-redis's TLS test and the facade's (`tests/config_tls.rs`, through `#[path]`).
#![allow(dead_code)] // each includer uses part of it

use std::path::{Path, PathBuf};
use std::process::Command;

use staunch_core::testkit::redis_server::RedisServerOptions;
use staunch_core::testkit::redis_tls::ServerTls;

pub fn openssl(args: &[&str]) {
    let output = Command::new("openssl")
        .args(args)
        .output()
        .expect("the TLS tests need the `openssl` program to make certificates");
    assert!(
        output.status.success(),
        "openssl {args:?} failed: {output:?}"
    );
}

pub fn path(p: &Path) -> String {
    p.display().to_string()
}

/// A CA, and server and client certificates it signed, in `dir`.
pub struct Certs {
    pub ca: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
    pub client_cert: PathBuf,
    pub client_key: PathBuf,
}

impl Certs {
    /// The CA, client certificate and client key paths, as text (for URLs and variables).
    pub fn client_files(&self) -> (String, String, String) {
        (
            path(&self.ca),
            path(&self.client_cert),
            path(&self.client_key),
        )
    }

    /// The server side of these certificates for the testkit (client certificates
    /// required).
    pub fn server_tls(&self) -> ServerTls {
        ServerTls::new(
            &self.ca,
            (&self.server_cert, &self.server_key),
            (&self.client_cert, &self.client_key),
        )
    }

    /// Options for a TLS-only test server presenting the server certificate and requiring a
    /// client certificate signed by the CA. Its port (`RedisServer::port`) is chosen free at
    /// start, again on each retry.
    pub fn mutual_tls_server(&self) -> RedisServerOptions {
        RedisServerOptions::new().tls(self.server_tls())
    }
}

pub fn make_certs(dir: &Path) -> Certs {
    let p = |name: &str| dir.join(name);
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=staunch test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
        "-keyout",
        &path(&p("ca.key")),
        "-out",
        &path(&p("ca.pem")),
    ]);
    for (name, ext) in [
        (
            "server",
            "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n",
        ),
        ("client", "extendedKeyUsage=clientAuth\n"),
    ] {
        std::fs::write(p(&format!("{name}.ext")), ext).expect("write ext");
        openssl(&[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            &format!("/CN=staunch {name}"),
            "-keyout",
            &path(&p(&format!("{name}.key"))),
            "-out",
            &path(&p(&format!("{name}.csr"))),
        ]);
        openssl(&[
            "x509",
            "-req",
            "-in",
            &path(&p(&format!("{name}.csr"))),
            "-CA",
            &path(&p("ca.pem")),
            "-CAkey",
            &path(&p("ca.key")),
            "-CAcreateserial",
            "-days",
            "1",
            "-extfile",
            &path(&p(&format!("{name}.ext"))),
            "-out",
            &path(&p(&format!("{name}.pem"))),
        ]);
    }
    Certs {
        ca: p("ca.pem"),
        server_cert: p("server.pem"),
        server_key: p("server.key"),
        client_cert: p("client.pem"),
        client_key: p("client.key"),
    }
}
