//! List operations, blocking pops included.

use std::future::Future;
use std::time::Duration;

use bytes::Bytes;

use super::{IntoValue, Multi, decode_u64, decode_unit, owned_keys, run, run_ref};
use crate::command::{Command, CommandRef};
use crate::error::{Error, ErrorKind, Result};
use crate::options::ListEnd;
use crate::reply::Reply;
use crate::store::Store;

fn decode_key_value(reply: Reply) -> Result<Option<(String, Bytes)>> {
    if reply.is_nil() {
        return Ok(None);
    }
    let mut items = reply.into_items()?.into_iter();
    match (items.next(), items.next(), items.next()) {
        (Some(k), Some(v), None) => Ok(Some((k.into_string()?, v.into_bytes()?))),
        _ => Err(Error::new(ErrorKind::Protocol, "expected [key, value]")),
    }
}

/// List operations. Semantics: the matching [`Command`] variants.
pub trait Lists: Store {
    /// `LPUSH`: [`Command::LPush`].
    fn lpush<V: IntoValue>(
        &self,
        key: &str,
        items: impl IntoIterator<Item = V>,
    ) -> impl Future<Output = Result<u64>> + Send {
        let command = Multi::new(
            key,
            items,
            |key, value| CommandRef::LPush { key, value },
            |key, values| Command::LPush { key, values },
        );
        run_ref(self, command, decode_u64)
    }

    /// `RPUSH`: [`Command::RPush`].
    fn rpush<V: IntoValue>(
        &self,
        key: &str,
        items: impl IntoIterator<Item = V>,
    ) -> impl Future<Output = Result<u64>> + Send {
        let command = Multi::new(
            key,
            items,
            |key, value| CommandRef::RPush { key, value },
            |key, values| Command::RPush { key, values },
        );
        run_ref(self, command, decode_u64)
    }

    /// `LPOP key`: [`Command::LPop`].
    fn lpop(&self, key: &str) -> impl Future<Output = Result<Option<Bytes>>> + Send {
        run_ref(self, CommandRef::LPop { key }, Reply::into_opt_bytes)
    }

    /// `LPOP key count` (empty when the key is missing): [`Command::LPop`].
    fn lpop_count(&self, key: &str, count: u64) -> impl Future<Output = Result<Vec<Bytes>>> + Send {
        run(
            self,
            Command::LPop {
                key: key.to_owned(),
                count: Some(count),
            },
            Reply::into_bytes_vec,
        )
    }

    /// `RPOP key`: [`Command::RPop`].
    fn rpop(&self, key: &str) -> impl Future<Output = Result<Option<Bytes>>> + Send {
        run_ref(self, CommandRef::RPop { key }, Reply::into_opt_bytes)
    }

    /// `RPOP key count` (empty when the key is missing): [`Command::RPop`].
    fn rpop_count(&self, key: &str, count: u64) -> impl Future<Output = Result<Vec<Bytes>>> + Send {
        run(
            self,
            Command::RPop {
                key: key.to_owned(),
                count: Some(count),
            },
            Reply::into_bytes_vec,
        )
    }

    /// `LRANGE`: [`Command::LRange`].
    fn lrange(
        &self,
        key: &str,
        start: i64,
        stop: i64,
    ) -> impl Future<Output = Result<Vec<Bytes>>> + Send {
        run(
            self,
            Command::LRange {
                key: key.to_owned(),
                start,
                stop,
            },
            Reply::into_bytes_vec,
        )
    }

    /// `LLEN`: [`Command::LLen`].
    fn llen(&self, key: &str) -> impl Future<Output = Result<u64>> + Send {
        run(
            self,
            Command::LLen {
                key: key.to_owned(),
            },
            decode_u64,
        )
    }

    /// `LINDEX`: [`Command::LIndex`].
    fn lindex(&self, key: &str, index: i64) -> impl Future<Output = Result<Option<Bytes>>> + Send {
        run(
            self,
            Command::LIndex {
                key: key.to_owned(),
                index,
            },
            Reply::into_opt_bytes,
        )
    }

    /// `LSET`: [`Command::LSet`].
    fn lset(
        &self,
        key: &str,
        index: i64,
        value: impl IntoValue,
    ) -> impl Future<Output = Result<()>> + Send {
        run(
            self,
            Command::LSet {
                key: key.to_owned(),
                index,
                value: value.into_value(),
            },
            decode_unit,
        )
    }

    /// `LREM`: [`Command::LRem`].
    fn lrem(
        &self,
        key: &str,
        count: i64,
        value: impl IntoValue,
    ) -> impl Future<Output = Result<u64>> + Send {
        run(
            self,
            Command::LRem {
                key: key.to_owned(),
                count,
                value: value.into_value(),
            },
            decode_u64,
        )
    }

    /// `LTRIM`: [`Command::LTrim`].
    fn ltrim(&self, key: &str, start: i64, stop: i64) -> impl Future<Output = Result<()>> + Send {
        run(
            self,
            Command::LTrim {
                key: key.to_owned(),
                start,
                stop,
            },
            decode_unit,
        )
    }

    /// `LMOVE`: [`Command::LMove`].
    fn lmove(
        &self,
        source: &str,
        destination: &str,
        from: ListEnd,
        to: ListEnd,
    ) -> impl Future<Output = Result<Option<Bytes>>> + Send {
        run(
            self,
            Command::LMove {
                source: source.to_owned(),
                destination: destination.to_owned(),
                from,
                to,
            },
            Reply::into_opt_bytes,
        )
    }

    /// `BLPOP`: the key and value popped, or `None` after `timeout` (zero waits forever):
    /// [`Command::BLPop`].
    fn blpop(
        &self,
        keys: &[&str],
        timeout: Duration,
    ) -> impl Future<Output = Result<Option<(String, Bytes)>>> + Send {
        run(
            self,
            Command::BLPop {
                keys: owned_keys(keys),
                timeout,
            },
            decode_key_value,
        )
    }

    /// `BRPOP`: [`Command::BRPop`].
    fn brpop(
        &self,
        keys: &[&str],
        timeout: Duration,
    ) -> impl Future<Output = Result<Option<(String, Bytes)>>> + Send {
        run(
            self,
            Command::BRPop {
                keys: owned_keys(keys),
                timeout,
            },
            decode_key_value,
        )
    }

    /// `BLMOVE`: [`Command::BLMove`].
    fn blmove(
        &self,
        source: &str,
        destination: &str,
        from: ListEnd,
        to: ListEnd,
        timeout: Duration,
    ) -> impl Future<Output = Result<Option<Bytes>>> + Send {
        run(
            self,
            Command::BLMove {
                source: source.to_owned(),
                destination: destination.to_owned(),
                from,
                to,
                timeout,
            },
            Reply::into_opt_bytes,
        )
    }
}

impl<S: Store + ?Sized> Lists for S {}
