//! [`ServerInfo`]: Redis's own figures from `INFO`, for health reports.
//!
//! `Failover`'s health report, `Staunch::health` and `RedisStore::server_info` all show what
//! Redis says about itself next to what staunch measured; this is the one parsed form of the
//! `INFO` reply they share (here, so that crates without the Redis backend can name it).

use std::collections::BTreeMap;
use std::time::Duration;

/// The figures of `INFO` that a health report shows, plus every field as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerInfo {
    /// `redis_version`.
    pub version: Option<String>,
    /// `role` (`master` or `slave`).
    pub role: Option<String>,
    /// `used_memory` in bytes.
    pub used_memory: Option<u64>,
    /// `maxmemory` in bytes (0: no limit).
    pub max_memory: Option<u64>,
    /// `connected_clients`.
    pub connected_clients: Option<u64>,
    /// `uptime_in_seconds`.
    pub uptime: Option<Duration>,
    /// `loading` is 1 while the server loads its data set.
    pub loading: bool,
    /// Every `field:value` line, by field name.
    pub fields: BTreeMap<String, String>,
}

impl ServerInfo {
    /// Parses the text of an `INFO` reply.
    pub fn parse(text: &str) -> ServerInfo {
        let fields: BTreeMap<String, String> = text
            .lines()
            .filter(|line| !line.starts_with('#'))
            .filter_map(|line| line.trim().split_once(':'))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let number = |key: &str| fields.get(key).and_then(|v| v.parse().ok());
        ServerInfo {
            version: fields.get("redis_version").cloned(),
            role: fields.get("role").cloned(),
            used_memory: number("used_memory"),
            max_memory: number("maxmemory"),
            connected_clients: number("connected_clients"),
            uptime: number("uptime_in_seconds").map(Duration::from_secs),
            loading: fields.get("loading").is_some_and(|v| v == "1"),
            fields,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_info_text() {
        let info = ServerInfo::parse(
            "# Server\r\nredis_version:7.0.15\r\nuptime_in_seconds:42\r\n\r\n# Memory\r\n\
             used_memory:1024\r\nloading:0\r\nrole:master\r\n",
        );
        assert_eq!(info.version.as_deref(), Some("7.0.15"));
        assert_eq!(info.uptime, Some(Duration::from_secs(42)));
        assert_eq!(info.used_memory, Some(1024));
        assert_eq!(info.role.as_deref(), Some("master"));
        assert!(!info.loading);
    }
}
