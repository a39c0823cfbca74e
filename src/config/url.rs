//! Redis URLs taken apart and put back together: the database number per named database,
//! TLS, the password setting, and a redacted form for logs.
//!
//! Besides one server (`redis://`, `rediss://`), a URL may name a Redis Cluster
//! (`redis-cluster://host:port,host:port`, also `redis+cluster://`) or a Sentinel-managed
//! primary (`redis-sentinel://host:port,host:port/service[/db]`, also `redis+sentinel://`);
//! `staunch-redis` documents the forms (its `topology` module). Here they only need their
//! database placed right: after the service name for Sentinel, and none but 0 on a cluster.

use std::fmt;

use staunch_core::{Error, Result};

/// What a URL's scheme names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Deployment {
    /// One server.
    Standalone,
    /// A Redis Cluster (seed nodes).
    Cluster,
    /// A primary named by Sentinels.
    Sentinel,
}

/// A Redis URL taken apart.
#[derive(Debug, Clone)]
pub(super) struct RedisUrl {
    pub(super) scheme: String,
    pub(super) deployment: Deployment,
    /// The Sentinel service name (first path segment of a Sentinel URL).
    service: Option<String>,
    user: Option<String>,
    pub(super) password: Option<String>,
    host_port: String,
    query: Option<String>,
    /// The fragment (`insecure`: TLS without verifying certificates), kept as given; the
    /// Redis client judges it.
    fragment: Option<String>,
    /// The database number in the path, if any.
    pub(super) db: Option<u32>,
}

pub(super) fn parse_url(url: &str) -> Result<RedisUrl> {
    let (scheme, rest) = url.split_once("://").ok_or_else(|| {
        bad(
            "REDIS_URL",
            "expected redis://host[:port][/db] or rediss://...",
        )
    })?;
    let deployment = match scheme {
        "redis" | "rediss" => Deployment::Standalone,
        "redis-cluster" | "redis+cluster" | "rediss-cluster" | "rediss+cluster" => {
            Deployment::Cluster
        }
        "redis-sentinel" | "redis+sentinel" | "rediss-sentinel" | "rediss+sentinel" => {
            Deployment::Sentinel
        }
        _ => {
            return Err(bad(
                "REDIS_URL",
                format!("scheme {scheme:?} is not redis, rediss, redis-cluster or redis-sentinel"),
            ));
        }
    };
    // The userinfo ends at the last `@`, before the query is looked for: a password with an
    // unescaped `?`, `#`, `/` or `@` is then still the password (and is percent-encoded when
    // the URL is rendered), never read as a query or a host that an error message would quote.
    let (userinfo, rest) = match rest.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, rest),
    };
    let (rest, fragment) = match rest.split_once('#') {
        Some((r, f)) => (r, Some(f.to_owned())),
        None => (rest, None),
    };
    let (hostpath, query) = match rest.split_once('?') {
        Some((r, q)) => (r, Some(q.to_owned())),
        None => (rest, None),
    };
    let mut path = hostpath.splitn(2, '/');
    let host_port = path.next().unwrap_or_default();
    let mut rest_of_path = path.next().map(|p| p.trim_matches('/'));
    let mut service = None;
    if deployment == Deployment::Sentinel {
        let (name, db) = match rest_of_path {
            Some(p) if !p.is_empty() => match p.split_once('/') {
                Some((name, db)) => (name, Some(db)),
                None => (p, None),
            },
            _ => {
                return Err(bad(
                    "REDIS_URL",
                    "a Sentinel URL names its service: redis-sentinel://host:port/<service>[/db]",
                ));
            }
        };
        service = Some(name.to_owned());
        rest_of_path = db;
    }
    let db = match rest_of_path {
        None | Some("") => None,
        Some(n) => Some(n.parse::<u32>().map_err(|_| {
            bad(
                "REDIS_URL",
                format!("database {n:?} in the path is not a number"),
            )
        })?),
    };
    if host_port.is_empty() {
        return Err(bad("REDIS_URL", "has no host"));
    }
    // A cluster or Sentinel URL lists several hosts.
    for host_port in host_port.split(',') {
        if let Some((_, port)) = host_port.rsplit_once(':')
            && !host_port.ends_with(']')
            && port.parse::<u16>().is_err()
        {
            return Err(bad(
                "REDIS_URL",
                format!("port {port:?} is not a number from 0 to 65535"),
            ));
        }
    }
    if deployment == Deployment::Cluster && db.is_some_and(|db| db != 0) {
        return Err(bad(
            "REDIS_URL",
            "a Redis Cluster has only database 0 (use STAUNCH_DB_MAPPING=prefixes)",
        ));
    }
    let (user, password) = match userinfo {
        None => (None, None),
        Some(info) => match info.split_once(':') {
            Some((u, p)) => ((!u.is_empty()).then(|| u.to_owned()), Some(p.to_owned())),
            None => ((!info.is_empty()).then(|| info.to_owned()), None),
        },
    };
    Ok(RedisUrl {
        scheme: scheme.to_owned(),
        deployment,
        service,
        user,
        password,
        host_port: host_port.to_owned(),
        query,
        fragment,
        db,
    })
}

impl RedisUrl {
    /// The URL with `password` (already URL-safe, or to be encoded) and database `db`.
    pub(super) fn render(&self, password: Option<&str>, db: Option<u32>) -> String {
        let mut out = format!("{}://", self.scheme);
        match (&self.user, password) {
            (Some(user), Some(p)) => out.push_str(&format!("{user}:{}@", encode_userinfo(p))),
            (None, Some(p)) => out.push_str(&format!(":{}@", encode_userinfo(p))),
            (Some(user), None) => out.push_str(&format!("{user}@")),
            (None, None) => {}
        }
        out.push_str(&self.host_port);
        if let Some(service) = &self.service {
            out.push_str(&format!("/{service}"));
        }
        if let Some(db) = db {
            out.push_str(&format!("/{db}"));
        }
        if let Some(q) = &self.query {
            out.push('?');
            out.push_str(q);
        }
        if let Some(f) = &self.fragment {
            out.push('#');
            out.push_str(f);
        }
        out
    }
}

impl RedisUrl {
    /// Switches the scheme to its TLS form (`rediss`, `rediss-cluster`, `rediss-sentinel`).
    pub(super) fn use_tls(&mut self) {
        if !self.scheme.starts_with("rediss") {
            self.scheme = self.scheme.replacen("redis", "rediss", 1);
        }
    }
}

/// Percent-encodes what may not appear raw in a URL's userinfo (keeps existing `%XX`).
fn encode_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'%' | b'*' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The error for a setting whose value cannot be used. Lives here, the leaf of the config
/// modules, so that `settings` (which parses URLs) and this file do not import each other.
pub(super) fn bad(setting: &str, problem: impl fmt::Display) -> Error {
    Error::invalid(format!("invalid setting {setting}: {problem}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentinel_urls_keep_the_service_before_the_database() {
        let url = parse_url("redis-sentinel://u:p@s1:26379,s2:26380/mymaster/4?sentinelPassword=x")
            .unwrap();
        assert_eq!(url.deployment, Deployment::Sentinel);
        assert_eq!(url.db, Some(4));
        assert_eq!(
            url.render(Some("q"), Some(2)),
            "redis-sentinel://u:q@s1:26379,s2:26380/mymaster/2?sentinelPassword=x"
        );
        let mut tls = url.clone();
        tls.use_tls();
        assert!(tls.render(None, None).starts_with("rediss-sentinel://"));
        assert!(parse_url("redis-sentinel://s1:26379").is_err());
    }

    #[test]
    fn cluster_urls_have_only_database_zero() {
        let url = parse_url("redis+cluster://a:7000,b:7001").unwrap();
        assert_eq!(url.deployment, Deployment::Cluster);
        assert_eq!(url.render(None, Some(0)), "redis+cluster://a:7000,b:7001/0");
        assert!(parse_url("redis-cluster://a:7000/3").is_err());
        assert!(parse_url("redis-cluster://a:7000,b:x").is_err());
        assert!(parse_url("memcached://a").is_err());
    }

    #[test]
    fn the_insecure_fragment_is_kept() {
        for (given, db, rendered) in [
            ("rediss://h:6380#insecure", 3, "rediss://h:6380/3#insecure"),
            (
                "rediss-cluster://a:1,b:2?x=1#insecure",
                0,
                "rediss-cluster://a:1,b:2/0?x=1#insecure",
            ),
            (
                "rediss-sentinel://s:1/svc/2#insecure",
                5,
                "rediss-sentinel://s:1/svc/5#insecure",
            ),
        ] {
            let url = parse_url(given).unwrap_or_else(|e| panic!("{given}: {e}"));
            assert_eq!(url.render(None, Some(db)), rendered);
        }
    }
}
