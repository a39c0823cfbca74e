//! From the `redis` crate's types to the contract's: [`Value`] to [`Reply`], and
//! [`RedisError`]/[`ServerError`] to [`Error`] with the right [`ErrorKind`].
//!
//! The connection speaks RESP3, so a reply already has the shape the contract documents (maps,
//! sets, doubles, nulls) and the conversion is generic: no per-command decoding here.
//!
//! The error mapping is what lets callers and `Failover` tell "my data was wrong" from "Redis is
//! not there": `WRONGTYPE` is `WrongType`, `ERR no such key` is `NotFound`, other argument
//! errors are `InvalidInput`. A server that is there but refuses to run the command in its
//! present state (`OOM`, `MISCONF`, `READONLY`, `LOADING`, `BUSY`, `NOPERM`) is `Refused`: not
//! an outage, so no circuit breaker opens and no `Failover` serves around a Redis that still
//! holds the data. `MASTERDOWN`, `TRYAGAIN`, `CLUSTERDOWN` and every refused, reset or closed
//! connection are `Unavailable`, and a reply that did not come in time is `Timeout`. An outage
//! never becomes a `Nil`.
//!
//! Every error reply of those codes (refusals and `Unavailable` codes alike) is marked
//! [`Error::not_sent`]: Redis rejected the command before running it.

use bytes::Bytes;
use redis::{RedisError, ServerError, Value};
use staunch_core::{Error, ErrorKind, Reply, Result};

/// Converts a reply value. A `Value::ServerError` (an error inside a pipeline or `EXEC`)
/// becomes that error.
pub(crate) fn to_reply(value: Value) -> Result<Reply> {
    Ok(match value {
        Value::Nil => Reply::Nil,
        Value::Int(n) => Reply::Int(n),
        Value::BulkString(bytes) => Reply::Bulk(Bytes::from(bytes)),
        Value::SimpleString(s) => Reply::Status(s),
        Value::Okay => Reply::ok(),
        Value::Double(d) => Reply::Double(d),
        Value::Boolean(b) => Reply::Int(i64::from(b)),
        Value::VerbatimString { text, .. } => Reply::Bulk(Bytes::from(text)),
        Value::Array(items) => Reply::Array(to_replies(items)?),
        Value::Set(items) => Reply::Set(to_replies(items)?),
        Value::Map(pairs) => Reply::Map(
            pairs
                .into_iter()
                .map(|(k, v)| Ok((to_reply(k)?, to_reply(v)?)))
                .collect::<Result<_>>()?,
        ),
        Value::Attribute { data, .. } => to_reply(*data)?,
        Value::Push { data, .. } => Reply::Array(to_replies(data)?),
        Value::ServerError(err) => return Err(server_error(&err)),
        other => {
            return Err(Error::new(
                ErrorKind::Protocol,
                format!("unexpected reply from Redis: {other:?}"),
            ));
        }
    })
}

fn to_replies(items: Vec<Value>) -> Result<Vec<Reply>> {
    items.into_iter().map(to_reply).collect()
}

/// The kind of a server error, from its code and message.
fn server_kind(code: &str, detail: &str) -> ErrorKind {
    match code {
        "WRONGTYPE" => ErrorKind::WrongType,
        "OOM" | "MISCONF" | "READONLY" | "LOADING" | "BUSY" | "NOPERM" => ErrorKind::Refused,
        "MASTERDOWN" | "TRYAGAIN" | "CLUSTERDOWN" => ErrorKind::Unavailable,
        "NOSCRIPT" => ErrorKind::Internal,
        "ERR" if detail.starts_with("no such key") => ErrorKind::NotFound,
        _ => ErrorKind::InvalidInput,
    }
}

/// True for the codes with which Redis rejects a command before running it.
fn rejected_unexecuted(code: &str) -> bool {
    matches!(
        code,
        "OOM"
            | "MISCONF"
            | "READONLY"
            | "LOADING"
            | "BUSY"
            | "NOPERM"
            | "MASTERDOWN"
            | "TRYAGAIN"
            | "CLUSTERDOWN"
            | "NOAUTH"
    )
}

/// Marks `error` as never sent when Redis rejected the command unexecuted.
fn mark(code: &str, error: Error) -> Error {
    if rejected_unexecuted(code) {
        error.not_sent()
    } else {
        error
    }
}

/// Converts an error reply from the server.
pub(crate) fn server_error(err: &ServerError) -> Error {
    let code = err.code();
    let detail = err.details().unwrap_or("");
    let kind = server_kind(code, detail);
    let message = if detail.is_empty() {
        code.to_owned()
    } else {
        format!("{code} {detail}")
    };
    let error = match code {
        "NOAUTH" | "WRONGPASS" => Error::new(
            kind,
            format!(
                "Redis refused the credentials (check user and password in the URL): {message}"
            ),
        ),
        "NOPERM" => Error::new(kind, format!("the ACL user may not run this: {message}")),
        _ => Error::new(kind, message),
    };
    mark(code, error)
}

/// Converts any failure of the `redis` crate.
pub(crate) fn redis_error(err: RedisError) -> Error {
    use redis::ErrorKind as K;
    if err.is_timeout() {
        return Error::new(
            ErrorKind::Timeout,
            format!("Redis did not answer in time: {err}"),
        )
        .with_source(err);
    }
    if let Some(code) = err.code() {
        let detail = err.detail().unwrap_or("");
        let kind = server_kind(code, detail);
        let message = match code {
            "NOAUTH" | "WRONGPASS" => {
                format!("Redis refused the credentials (check user and password in the URL): {err}")
            }
            "NOPERM" => format!("the ACL user may not run this: {err}"),
            _ => err.to_string(),
        };
        let code = code.to_owned();
        return mark(&code, Error::new(kind, message).with_source(err));
    }
    let (kind, what) = match err.kind() {
        K::Io if tls_failure(&err) => (
            ErrorKind::Unavailable,
            "the TLS handshake with Redis failed (the servers' certificates must chain to the \
             CA, the system roots or RedisOptions::tls, and servers with `tls-auth-clients yes` \
             need a client certificate)",
        ),
        K::Io => (ErrorKind::Unavailable, "Redis is unreachable"),
        // The stream ended inside a reply: the connection closed halfway, not a bad reply.
        K::Parse if truncated(&err) => (
            ErrorKind::Unavailable,
            "the connection to Redis closed in the middle of a reply",
        ),
        K::AuthenticationFailed => (
            ErrorKind::InvalidInput,
            "Redis refused the credentials (check user and password in the URL)",
        ),
        K::InvalidClientConfig => (ErrorKind::InvalidInput, "invalid Redis configuration"),
        // Seen while the Sentinels elect a new primary; the redis crate retries these too. A
        // wrong service name looks the same from here, so the message says both.
        K::MasterNameNotFoundBySentinel | K::NoValidReplicasFoundBySentinel => (
            ErrorKind::Unavailable,
            "no Sentinel names a primary for the service (a failover may be under way, or the \
             service name is wrong)",
        ),
        K::EmptySentinelList => (
            ErrorKind::InvalidInput,
            "no Sentinel addresses are configured",
        ),
        K::RESP3NotSupported => (
            ErrorKind::Unsupported,
            "the server does not speak RESP3 (Redis 6 or later is required)",
        ),
        K::Parse | K::UnexpectedReturnType => (ErrorKind::Protocol, "unexpected reply from Redis"),
        K::Client => (ErrorKind::Internal, "redis client error"),
        _ => (ErrorKind::InvalidInput, "Redis error"),
    };
    Error::new(kind, format!("{what}: {err}")).with_source(err)
}

/// True for an I/O error that is a failed TLS handshake (rustls and OpenSSL wordings): a
/// certificate refused on either side, or an alert from the server.
fn tls_failure(err: &RedisError) -> bool {
    let text = err.to_string().to_ascii_lowercase();
    // Not "handshake" alone: the Redis-level handshake (`HELLO`, `AUTH`) is no TLS matter.
    ["certificate", "fatal alert", "tls", "ssl"]
        .iter()
        .any(|word| text.contains(word))
}

/// True for the parse error the `redis` crate reports when the stream ends inside a frame.
fn truncated(err: &RedisError) -> bool {
    let text = err.to_string().to_ascii_lowercase();
    text.contains("end of input") || text.contains("unexpected eof")
}

/// A timeout error for a wait this crate measured itself.
pub(crate) fn timeout(what: &str, after: std::time::Duration) -> Error {
    Error::new(
        ErrorKind::Timeout,
        format!("Redis did not answer {what} within {after:?}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_follow_the_codes() {
        assert_eq!(server_kind("WRONGTYPE", "x"), ErrorKind::WrongType);
        assert_eq!(server_kind("ERR", "no such key"), ErrorKind::NotFound);
        assert_eq!(
            server_kind("ERR", "value is not an integer"),
            ErrorKind::InvalidInput
        );
        for code in ["MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN"] {
            assert_eq!(server_kind(code, ""), ErrorKind::Unavailable, "{code}");
        }
        for code in ["OOM", "MISCONF", "READONLY", "LOADING", "BUSY", "NOPERM"] {
            assert_eq!(server_kind(code, ""), ErrorKind::Refused, "{code}");
            assert!(rejected_unexecuted(code), "{code}");
        }
        assert!(!rejected_unexecuted("WRONGTYPE"));
        // No primary from the Sentinels is an outage (a failover), not the caller's mistake.
        for kind in [
            redis::ErrorKind::MasterNameNotFoundBySentinel,
            redis::ErrorKind::NoValidReplicasFoundBySentinel,
        ] {
            let err = redis_error(RedisError::from((kind, "sentinel")));
            assert_eq!(err.kind(), ErrorKind::Unavailable, "{err}");
        }
        let err = redis_error(RedisError::from((
            redis::ErrorKind::EmptySentinelList,
            "none",
        )));
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    }

    #[test]
    fn values_map_generically() {
        let value = Value::Array(vec![
            Value::BulkString(b"m".to_vec()),
            Value::Double(1.5),
            Value::Nil,
            Value::Okay,
        ]);
        assert_eq!(
            to_reply(value).ok(),
            Some(Reply::Array(vec![
                Reply::bulk("m"),
                Reply::Double(1.5),
                Reply::Nil,
                Reply::ok()
            ]))
        );
    }
}
