//! Which deployment a URL names: one server, a Redis Cluster, or a Sentinel-managed primary.
//!
//! # URL forms
//!
//! - `redis://[user[:password]@]host[:port][/db]` (and `rediss://`): one server.
//! - `redis-cluster://[user[:password]@]host:port[,host:port...]` (also `redis+cluster://`;
//!   `rediss-cluster://` for TLS): seed nodes of a Redis Cluster. Any reachable seed is enough;
//!   the rest of the topology is discovered (`CLUSTER SLOTS`) and followed (`MOVED`/`ASK`,
//!   failovers) by the `redis` crate's cluster client. The credentials apply to every node. A
//!   cluster has only database 0, so a database in the path other than `/0` is an error.
//! - `redis-sentinel://[user[:password]@]host:port[,host:port...]/service_name[/db]` (also
//!   `redis+sentinel://`; `rediss-sentinel://` for TLS): the Sentinels (port 26379 by default)
//!   and the monitored service name. The credentials and database are those of the data
//!   nodes (primary and replicas); Sentinels protected by their own password take
//!   `?sentinelUsername=...&sentinelPassword=...`.
//!
//! fred's spelling is accepted too: extra hosts as repeated `?node=host:port` query
//! parameters and the service name as `?sentinelServiceName=name`. Percent-encode special
//! characters in user names and passwords. Any other query parameter is an error that names it.
//!
//! # TLS
//!
//! The `rediss-` forms speak TLS to every node: each cluster node, and both the Sentinels and
//! the data nodes they name. The servers are verified against the system roots, or against
//! the CA in [`RedisOptions::tls`](crate::RedisOptions::tls), which also holds the client
//! certificate for servers with `tls-auth-clients yes` (the same certificates for every node;
//! rustls only, see `tls.rs`). `#insecure` at the end (`rediss-cluster://h:1,h:2#insecure`)
//! skips verification, as on one server (tests only).

use staunch_core::{Error, ErrorKind, Result};

/// A host and port.
pub(crate) type Address = (String, u16);

/// A deployment to connect to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Topology {
    /// One server: the URL as given.
    Standalone,
    /// A Redis Cluster.
    Cluster(ClusterSpec),
    /// A Sentinel-managed primary.
    Sentinel(SentinelSpec),
}

/// The seed nodes of a cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClusterSpec {
    /// `redis://[userinfo@]host:port` (or `rediss://...[#insecure]`) per seed node,
    /// credentials included.
    pub(crate) node_urls: Vec<String>,
    /// TLS to the nodes.
    pub(crate) tls: bool,
    /// `#insecure`: TLS without verifying the nodes' certificates.
    pub(crate) insecure: bool,
}

/// Where the Sentinels are and what they monitor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SentinelSpec {
    /// The Sentinels.
    pub(crate) sentinels: Vec<Address>,
    /// The monitored service (`sentinel monitor <name> ...`).
    pub(crate) service: String,
    /// The logical database on the data nodes.
    pub(crate) db: i64,
    /// ACL user on the data nodes.
    pub(crate) username: Option<String>,
    /// Password on the data nodes.
    pub(crate) password: Option<String>,
    /// ACL user on the Sentinels.
    pub(crate) sentinel_username: Option<String>,
    /// Password on the Sentinels.
    pub(crate) sentinel_password: Option<String>,
    /// TLS to Sentinels and data nodes.
    pub(crate) tls: bool,
    /// `#insecure`: TLS without verifying certificates.
    pub(crate) insecure: bool,
}

fn invalid(problem: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::InvalidInput,
        format!("invalid Redis URL: {problem}"),
    )
}

/// Reads the deployment from `url` (see the module docs).
pub(crate) fn parse(url: &str) -> Result<Topology> {
    let Some((scheme, rest)) = url.split_once("://") else {
        return Ok(Topology::Standalone);
    };
    let (cluster, tls) = match scheme {
        "redis-cluster" | "redis+cluster" => (true, false),
        "rediss-cluster" | "rediss+cluster" => (true, true),
        "redis-sentinel" | "redis+sentinel" => (false, false),
        "rediss-sentinel" | "rediss+sentinel" => (false, true),
        _ => return Ok(Topology::Standalone),
    };
    // The fragment follows the last `@`: a password's unescaped `#` is not one.
    let hosts_start = rest.rfind('@').map_or(0, |at| at + 1);
    let (rest, insecure) = match rest[hosts_start..].split_once('#') {
        None => (rest, false),
        Some((_, "insecure")) if tls => (&rest[..rest.len() - "#insecure".len()], true),
        Some((_, "insecure")) => {
            return Err(invalid(format!(
                "#insecure is for TLS (rediss-{}://); {scheme}:// does not use TLS",
                if cluster { "cluster" } else { "sentinel" }
            )));
        }
        Some((_, other)) => {
            return Err(invalid(format!(
                "unknown fragment #{other} (only #insecure is known)"
            )));
        }
    };
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, q),
        None => (rest, ""),
    };
    let (authority, path) = match rest.split_once('/') {
        Some((a, p)) => (a, p.trim_matches('/')),
        None => (rest, ""),
    };
    let (userinfo, hosts) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    let default_port = if cluster { 6379 } else { 26379 };
    let mut addresses = Vec::new();
    for host in hosts.split(',').filter(|h| !h.is_empty()) {
        addresses.push(address(host, default_port)?);
    }
    let mut service = None;
    let mut sentinel_username = None;
    let mut sentinel_password = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_decode(value)?;
        match name {
            "node" => addresses.push(address(&value, default_port)?),
            "sentinelServiceName" if !cluster => service = Some(value),
            "sentinelUsername" if !cluster => sentinel_username = Some(value),
            "sentinelPassword" if !cluster => sentinel_password = Some(value),
            other => {
                return Err(invalid(format!(
                    "unknown query parameter {other:?} (known: node{})",
                    if cluster {
                        ""
                    } else {
                        ", sentinelServiceName, sentinelUsername, sentinelPassword"
                    }
                )));
            }
        }
    }
    if addresses.is_empty() {
        return Err(invalid(format!("{scheme}:// names no host")));
    }
    if cluster {
        if !matches!(path, "" | "0") {
            return Err(invalid(format!(
                "a Redis Cluster has only database 0, but the URL names {path:?} (use key \
                 prefixes instead of databases)"
            )));
        }
        let node_scheme = if tls { "rediss" } else { "redis" };
        // The user info is passed on as written (escapes kept), except a bare `#`, which this
        // parser accepts in a password but would start a fragment in the node URL.
        let userinfo = userinfo
            .map(|u| format!("{}@", u.replace('#', "%23")))
            .unwrap_or_default();
        let fragment = if insecure { "#insecure" } else { "" };
        let node_urls = addresses
            .iter()
            .map(|(host, port)| format!("{node_scheme}://{userinfo}{host}:{port}{fragment}"))
            .collect();
        return Ok(Topology::Cluster(ClusterSpec {
            node_urls,
            tls,
            insecure,
        }));
    }
    let mut segments = path.split('/').filter(|s| !s.is_empty());
    let path_service = segments.next().map(percent_decode).transpose()?;
    let db = match segments.next() {
        None => 0,
        Some(n) => n
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or_else(|| invalid(format!("database {n:?} in the path is not a number")))?,
    };
    if let Some(extra) = segments.next() {
        return Err(invalid(format!("unexpected path segment {extra:?}")));
    }
    let service = service.or(path_service).ok_or_else(|| {
        invalid("redis-sentinel:// needs the service name: redis-sentinel://host:port/<service>")
    })?;
    let (username, password) = match userinfo {
        None => (None, None),
        Some(info) => {
            let (user, password) = match info.split_once(':') {
                Some((u, p)) => (u, Some(percent_decode(p)?)),
                None => (info, None),
            };
            let user = (!user.is_empty())
                .then(|| percent_decode(user))
                .transpose()?;
            (user, password)
        }
    };
    Ok(Topology::Sentinel(SentinelSpec {
        sentinels: addresses,
        service,
        db,
        username,
        password,
        sentinel_username,
        sentinel_password,
        tls,
        insecure,
    }))
}

/// `host[:port]` or `[v6]:port`.
fn address(text: &str, default_port: u16) -> Result<Address> {
    let (host, port) = if let Some(v6) = text.strip_prefix('[') {
        let (host, rest) = v6
            .split_once(']')
            .ok_or_else(|| invalid(format!("unclosed IPv6 address in {text:?}")))?;
        (host, rest.strip_prefix(':'))
    } else {
        match text.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (text, None),
        }
    };
    if host.is_empty() {
        return Err(invalid(format!("no host in {text:?}")));
    }
    let port = match port {
        None => default_port,
        Some(p) => p
            .parse()
            .map_err(|_| invalid(format!("port {p:?} is not a number from 0 to 65535")))?,
    };
    Ok((host.to_owned(), port))
}

/// Decodes `%XX` escapes.
fn percent_decode(text: &str) -> Result<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                // The text may be a password: never in the message.
                .ok_or_else(|| {
                    invalid("a bad percent escape (%XX) in the user info or a parameter")
                })?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| invalid("a percent-encoded part is not UTF-8 once decoded"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standalone_urls_pass_through() {
        assert_eq!(parse("redis://h:1/2").unwrap(), Topology::Standalone);
        assert_eq!(parse("rediss://h").unwrap(), Topology::Standalone);
    }

    #[test]
    fn cluster_seeds() {
        let Topology::Cluster(spec) = parse("redis-cluster://u:p%40@a:1,b:2?node=c:3").unwrap()
        else {
            panic!("not a cluster");
        };
        assert_eq!(
            spec.node_urls,
            [
                "redis://u:p%40@a:1",
                "redis://u:p%40@b:2",
                "redis://u:p%40@c:3"
            ]
        );
        let Topology::Cluster(spec) = parse("rediss-cluster://:p#w@a:1#insecure").unwrap() else {
            panic!("not a cluster");
        };
        assert_eq!(spec.node_urls, ["rediss://:p%23w@a:1#insecure"]);
        assert!(parse("redis+cluster://a").is_ok());
        let err = parse("redis-cluster://a:1/3").unwrap_err();
        assert!(err.message().contains("only database 0"), "{err}");
        assert!(parse("redis-cluster://a:x").is_err());
        assert!(parse("redis-cluster://").is_err());
        assert!(parse("redis-cluster://a?bogus=1").is_err());
    }

    #[test]
    fn tls_forms_and_insecure() {
        let Topology::Cluster(spec) = parse("rediss-cluster://u:p@a:1,b:2#insecure").unwrap()
        else {
            panic!("not a cluster");
        };
        assert!(spec.tls && spec.insecure);
        assert_eq!(
            spec.node_urls,
            ["rediss://u:p@a:1#insecure", "rediss://u:p@b:2#insecure"]
        );
        let Topology::Cluster(spec) = parse("rediss+cluster://a:1").unwrap() else {
            panic!("not a cluster");
        };
        assert!(spec.tls && !spec.insecure);
        assert_eq!(spec.node_urls, ["rediss://a:1"]);
        let Topology::Sentinel(spec) =
            parse("rediss-sentinel://s1:1,s2:2/svc/2?sentinelPassword=x#insecure").unwrap()
        else {
            panic!("not sentinel");
        };
        assert!(spec.tls && spec.insecure);
        assert_eq!((spec.service.as_str(), spec.db), ("svc", 2));
        assert_eq!(spec.sentinel_password.as_deref(), Some("x"));
        let err = parse("redis-cluster://a:1#insecure").unwrap_err();
        assert!(err.message().contains("does not use TLS"), "{err}");
        let err = parse("rediss-sentinel://s1/svc#verify").unwrap_err();
        assert!(err.message().contains("unknown fragment #verify"), "{err}");
    }

    #[test]
    fn sentinel_service_db_and_credentials() {
        let Topology::Sentinel(spec) =
            parse("redis-sentinel://app:s%3Acret@s1:5000,s2/mymaster/3?sentinelPassword=sp")
                .unwrap()
        else {
            panic!("not sentinel");
        };
        assert_eq!(
            spec.sentinels,
            [("s1".to_owned(), 5000), ("s2".to_owned(), 26379)]
        );
        assert_eq!(spec.service, "mymaster");
        assert_eq!(spec.db, 3);
        assert_eq!(spec.username.as_deref(), Some("app"));
        assert_eq!(spec.password.as_deref(), Some("s:cret"));
        assert_eq!(spec.sentinel_password.as_deref(), Some("sp"));
        assert!(spec.sentinel_username.is_none());
        let Topology::Sentinel(fred) =
            parse("redis+sentinel://s1:1?node=s2:2&sentinelServiceName=svc").unwrap()
        else {
            panic!("not sentinel");
        };
        assert_eq!(fred.service, "svc");
        assert_eq!(fred.sentinels.len(), 2);
        let err = parse("redis-sentinel://s1:1").unwrap_err();
        assert!(err.message().contains("service name"), "{err}");
        assert!(parse("redis-sentinel://s1/svc/x").is_err());
        let err = parse("redis-sentinel://u:se%zzcret@s1/svc").unwrap_err();
        assert!(
            !err.message().contains("cret"),
            "a password in an error: {err}"
        );
    }
}
