//! String operations: values, counters, expiry-aware reads.

use std::future::Future;

use bytes::Bytes;

use super::{IntoValue, decode_u64, decode_unit, owned_keys, run, run_ref};
use crate::command::{Command, CommandRef};
use crate::error::{Error, Result};
use crate::options::{GetExExpiry, SetCondition, SetExpiry, SetOptions};
use crate::reply::Reply;
use crate::store::Store;

/// What `SET` with options answered.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SetReply {
    /// The value was written (`OK`).
    Written,
    /// An `NX`/`XX` condition stopped the write.
    NotWritten,
    /// With `GET`: the previous value (`None` if there was none).
    Previous(Option<Bytes>),
}

/// String operations. Semantics: the matching [`Command`] variants.
pub trait Strings: Store {
    /// `GET`: [`Command::Get`].
    fn get(&self, key: &str) -> impl Future<Output = Result<Option<Bytes>>> + Send {
        run_ref(self, CommandRef::Get { key }, Reply::into_opt_bytes)
    }

    /// Plain `SET` (clears any TTL): [`Command::Set`].
    fn set(&self, key: &str, value: impl IntoValue) -> impl Future<Output = Result<()>> + Send {
        let value = value.into_value();
        run_ref(self, CommandRef::Set { key, value }, decode_unit)
    }

    /// `SET key value PX ttl`: [`Command::Set`]. A TTL under one millisecond is rounded up.
    fn set_ex(
        &self,
        key: &str,
        value: impl IntoValue,
        ttl: std::time::Duration,
    ) -> impl Future<Output = Result<()>> + Send {
        let millis = (ttl.as_millis().max(1)).min(u64::MAX as u128) as u64;
        run(
            self,
            Command::Set {
                key: key.to_owned(),
                value: value.into_value(),
                options: SetOptions::new().expiry(SetExpiry::Px(millis)),
            },
            decode_unit,
        )
    }

    /// `SET key value NX`: true if written.
    fn set_nx(
        &self,
        key: &str,
        value: impl IntoValue,
    ) -> impl Future<Output = Result<bool>> + Send {
        let fut = self.set_options(key, value, SetOptions::new().condition(SetCondition::Nx));
        async move { Ok(fut.await? == SetReply::Written) }
    }

    /// `SET` with every option: [`Command::Set`].
    fn set_options(
        &self,
        key: &str,
        value: impl IntoValue,
        options: SetOptions,
    ) -> impl Future<Output = Result<SetReply>> + Send {
        let get = options.get;
        let command = Command::Set {
            key: key.to_owned(),
            value: value.into_value(),
            options,
        };
        async move {
            let reply = self.execute(command).await?;
            if get {
                return Ok(SetReply::Previous(reply.into_opt_bytes()?));
            }
            match reply {
                Reply::Nil => Ok(SetReply::NotWritten),
                other => other.into_ok().map(|()| SetReply::Written),
            }
        }
    }

    /// `MGET`: [`Command::MGet`].
    fn mget(&self, keys: &[&str]) -> impl Future<Output = Result<Vec<Option<Bytes>>>> + Send {
        run(
            self,
            Command::MGet {
                keys: owned_keys(keys),
            },
            Reply::into_opt_bytes_vec,
        )
    }

    /// `MSET`: [`Command::MSet`].
    fn mset<K: Into<String>, V: IntoValue>(
        &self,
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> impl Future<Output = Result<()>> + Send {
        let pairs = pairs
            .into_iter()
            .map(|(k, v)| (k.into(), v.into_value()))
            .collect();
        run(self, Command::MSet { pairs }, decode_unit)
    }

    /// `INCRBY`: [`Command::IncrBy`].
    fn incr_by(&self, key: &str, delta: i64) -> impl Future<Output = Result<i64>> + Send {
        run(
            self,
            Command::IncrBy {
                key: key.to_owned(),
                delta,
            },
            Reply::into_int,
        )
    }

    /// `INCR`.
    fn incr(&self, key: &str) -> impl Future<Output = Result<i64>> + Send {
        self.incr_by(key, 1)
    }

    /// `DECRBY`: [`Command::DecrBy`].
    fn decr_by(&self, key: &str, delta: i64) -> impl Future<Output = Result<i64>> + Send {
        run(
            self,
            Command::DecrBy {
                key: key.to_owned(),
                delta,
            },
            Reply::into_int,
        )
    }

    /// `INCRBYFLOAT`: [`Command::IncrByFloat`].
    fn incr_by_float(&self, key: &str, delta: f64) -> impl Future<Output = Result<f64>> + Send {
        run(
            self,
            Command::IncrByFloat {
                key: key.to_owned(),
                delta,
            },
            Reply::into_double,
        )
    }

    /// `GETDEL`: [`Command::GetDel`].
    fn getdel(&self, key: &str) -> impl Future<Output = Result<Option<Bytes>>> + Send {
        run(
            self,
            Command::GetDel {
                key: key.to_owned(),
            },
            Reply::into_opt_bytes,
        )
    }

    /// `GETEX`: [`Command::GetEx`].
    fn getex(
        &self,
        key: &str,
        expiry: Option<GetExExpiry>,
    ) -> impl Future<Output = Result<Option<Bytes>>> + Send {
        run(
            self,
            Command::GetEx {
                key: key.to_owned(),
                expiry,
            },
            Reply::into_opt_bytes,
        )
    }

    /// `APPEND`: [`Command::Append`].
    fn append(&self, key: &str, value: impl IntoValue) -> impl Future<Output = Result<u64>> + Send {
        run(
            self,
            Command::Append {
                key: key.to_owned(),
                value: value.into_value(),
            },
            decode_u64,
        )
    }

    /// `STRLEN`: [`Command::StrLen`].
    fn strlen(&self, key: &str) -> impl Future<Output = Result<u64>> + Send {
        run(
            self,
            Command::StrLen {
                key: key.to_owned(),
            },
            decode_u64,
        )
    }

    /// `GET` decoded as UTF-8 text.
    fn get_string(&self, key: &str) -> impl Future<Output = Result<Option<String>>> + Send {
        let fut = self.get(key);
        async move {
            match fut.await? {
                None => Ok(None),
                Some(bytes) => String::from_utf8(bytes.to_vec())
                    .map(Some)
                    .map_err(|e| Error::invalid("value is not UTF-8").with_source(e)),
            }
        }
    }
}

impl<S: Store + ?Sized> Strings for S {}
