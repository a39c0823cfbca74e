//! Redis URLs taken apart and put back together: the database number per named database,
//! TLS, the password setting, and a redacted form for logs.

use std::fmt;

use staunch_core::{Error, Result};

/// A Redis URL taken apart.
#[derive(Debug, Clone)]
pub(super) struct RedisUrl {
    pub(super) scheme: String,
    user: Option<String>,
    pub(super) password: Option<String>,
    host_port: String,
    query: Option<String>,
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
    if scheme != "redis" && scheme != "rediss" {
        return Err(bad(
            "REDIS_URL",
            format!("scheme {scheme:?} is not redis or rediss"),
        ));
    }
    // The userinfo ends at the last `@`, before the query is looked for: a password with an
    // unescaped `?`, `#`, `/` or `@` is then still the password (and is percent-encoded when
    // the URL is rendered), never read as a query or a host that an error message would quote.
    let (userinfo, rest) = match rest.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, rest),
    };
    let (hostpath, query) = match rest.split_once('?') {
        Some((r, q)) => (r, Some(q.to_owned())),
        None => (rest, None),
    };
    let mut path = hostpath.splitn(2, '/');
    let host_port = path.next().unwrap_or_default();
    let db = match path.next().map(|p| p.trim_matches('/')) {
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
    if let Some((_, port)) = host_port.rsplit_once(':')
        && !host_port.ends_with(']')
        && port.parse::<u16>().is_err()
    {
        return Err(bad(
            "REDIS_URL",
            format!("port {port:?} is not a number from 0 to 65535"),
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
        user,
        password,
        host_port: host_port.to_owned(),
        query,
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
        if let Some(db) = db {
            out.push_str(&format!("/{db}"));
        }
        if let Some(q) = &self.query {
            out.push('?');
            out.push_str(q);
        }
        out
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
