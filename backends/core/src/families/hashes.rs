//! Hash operations: field maps under one key.

use std::collections::HashMap;
use std::future::Future;

use bytes::Bytes;

use super::{IntoValue, KeyField, decode_u64, run, run_ref};
use crate::command::Command;
use crate::error::Result;
use crate::reply::Reply;
use crate::store::Store;

fn fields(fields: &[&str]) -> Vec<String> {
    super::owned_keys(fields)
}

/// Hash operations. Semantics: the matching [`Command`] variants.
pub trait Hashes: Store {
    /// `HGET`: [`Command::HGet`].
    fn hget(&self, key: &str, field: &str) -> impl Future<Output = Result<Option<Bytes>>> + Send {
        run_ref(self, KeyField::HGet { key, field }, Reply::into_opt_bytes)
    }

    /// `HSET key field value`: true if the field is new.
    fn hset(
        &self,
        key: &str,
        field: &str,
        value: impl IntoValue,
    ) -> impl Future<Output = Result<bool>> + Send {
        let value = value.into_value();
        run_ref(self, KeyField::HSet { key, field, value }, Reply::into_bool)
    }

    /// `HSET key field value ...`: [`Command::HSet`]. Returns how many fields are new.
    fn hset_multiple<F: Into<String>, V: IntoValue>(
        &self,
        key: &str,
        pairs: impl IntoIterator<Item = (F, V)>,
    ) -> impl Future<Output = Result<u64>> + Send {
        let fields = pairs
            .into_iter()
            .map(|(f, v)| (f.into(), v.into_value()))
            .collect();
        run(
            self,
            Command::HSet {
                key: key.to_owned(),
                fields,
            },
            decode_u64,
        )
    }

    /// `HSETNX`: [`Command::HSetNx`].
    fn hsetnx(
        &self,
        key: &str,
        field: &str,
        value: impl IntoValue,
    ) -> impl Future<Output = Result<bool>> + Send {
        run(
            self,
            Command::HSetNx {
                key: key.to_owned(),
                field: field.to_owned(),
                value: value.into_value(),
            },
            Reply::into_bool,
        )
    }

    /// `HDEL`: [`Command::HDel`].
    fn hdel(&self, key: &str, names: &[&str]) -> impl Future<Output = Result<u64>> + Send {
        run(
            self,
            Command::HDel {
                key: key.to_owned(),
                fields: fields(names),
            },
            decode_u64,
        )
    }

    /// `HGETALL`: [`Command::HGetAll`].
    fn hgetall(&self, key: &str) -> impl Future<Output = Result<HashMap<String, Bytes>>> + Send {
        run(
            self,
            Command::HGetAll {
                key: key.to_owned(),
            },
            |reply| {
                reply
                    .into_pairs()?
                    .into_iter()
                    .map(|(f, v)| Ok((f.into_string()?, v.into_bytes()?)))
                    .collect()
            },
        )
    }

    /// `HMGET`: [`Command::HMGet`].
    fn hmget(
        &self,
        key: &str,
        names: &[&str],
    ) -> impl Future<Output = Result<Vec<Option<Bytes>>>> + Send {
        run(
            self,
            Command::HMGet {
                key: key.to_owned(),
                fields: fields(names),
            },
            Reply::into_opt_bytes_vec,
        )
    }

    /// `HINCRBY`: [`Command::HIncrBy`].
    fn hincr_by(
        &self,
        key: &str,
        field: &str,
        delta: i64,
    ) -> impl Future<Output = Result<i64>> + Send {
        run(
            self,
            Command::HIncrBy {
                key: key.to_owned(),
                field: field.to_owned(),
                delta,
            },
            Reply::into_int,
        )
    }

    /// `HINCRBYFLOAT`: [`Command::HIncrByFloat`].
    fn hincr_by_float(
        &self,
        key: &str,
        field: &str,
        delta: f64,
    ) -> impl Future<Output = Result<f64>> + Send {
        run(
            self,
            Command::HIncrByFloat {
                key: key.to_owned(),
                field: field.to_owned(),
                delta,
            },
            Reply::into_double,
        )
    }

    /// `HEXISTS`: [`Command::HExists`].
    fn hexists(&self, key: &str, field: &str) -> impl Future<Output = Result<bool>> + Send {
        run(
            self,
            Command::HExists {
                key: key.to_owned(),
                field: field.to_owned(),
            },
            Reply::into_bool,
        )
    }

    /// `HLEN`: [`Command::HLen`].
    fn hlen(&self, key: &str) -> impl Future<Output = Result<u64>> + Send {
        run(
            self,
            Command::HLen {
                key: key.to_owned(),
            },
            decode_u64,
        )
    }

    /// `HKEYS`: [`Command::HKeys`].
    fn hkeys(&self, key: &str) -> impl Future<Output = Result<Vec<String>>> + Send {
        run(
            self,
            Command::HKeys {
                key: key.to_owned(),
            },
            Reply::into_string_vec,
        )
    }

    /// `HVALS`: [`Command::HVals`].
    fn hvals(&self, key: &str) -> impl Future<Output = Result<Vec<Bytes>>> + Send {
        run(
            self,
            Command::HVals {
                key: key.to_owned(),
            },
            Reply::into_bytes_vec,
        )
    }
}

impl<S: Store + ?Sized> Hashes for S {}
