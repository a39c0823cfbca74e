//! Sorted-set operations: scores, ranks, ranges, pops.

use std::future::Future;
use std::time::Duration;

use bytes::Bytes;

use super::{IntoValue, decode_opt_u64, decode_u64, owned_keys, run, run_ref};
use crate::command::{Command, CommandRef};
use crate::error::{Error, ErrorKind, Result};
use crate::options::{ScoreBound, ZAddOptions, ZRangeBy, ZRangeOptions};
use crate::reply::Reply;
use crate::store::Store;

fn members<V: IntoValue>(members: impl IntoIterator<Item = V>) -> Vec<Bytes> {
    members.into_iter().map(IntoValue::into_value).collect()
}

fn decode_opt_doubles(reply: Reply) -> Result<Vec<Option<f64>>> {
    reply
        .into_items()?
        .into_iter()
        .map(Reply::into_opt_double)
        .collect()
}

fn decode_bzpop(reply: Reply) -> Result<Option<(String, Bytes, f64)>> {
    if reply.is_nil() {
        return Ok(None);
    }
    let mut items = reply.into_items()?.into_iter();
    match (items.next(), items.next(), items.next(), items.next()) {
        (Some(k), Some(m), Some(s), None) => {
            Ok(Some((k.into_string()?, m.into_bytes()?, s.into_double()?)))
        }
        _ => Err(Error::new(
            ErrorKind::Protocol,
            "expected [key, member, score]",
        )),
    }
}

/// Sorted-set operations. Semantics: the matching [`Command`] variants.
pub trait SortedSets: Store {
    /// `ZADD key score member`: true if the member is new.
    fn zadd(
        &self,
        key: &str,
        score: f64,
        member: impl IntoValue,
    ) -> impl Future<Output = Result<bool>> + Send {
        let member = member.into_value();
        run_ref(
            self,
            CommandRef::ZAdd { key, score, member },
            Reply::into_bool,
        )
    }

    /// `ZADD key [options] score member ...` without `INCR`: members added (changed with
    /// `CH`): [`Command::ZAdd`].
    fn zadd_multiple<V: IntoValue>(
        &self,
        key: &str,
        items: impl IntoIterator<Item = (f64, V)>,
        options: ZAddOptions,
    ) -> impl Future<Output = Result<u64>> + Send {
        let members = items
            .into_iter()
            .map(|(s, m)| (s, m.into_value()))
            .collect();
        run(
            self,
            Command::ZAdd {
                key: key.to_owned(),
                members,
                options: ZAddOptions {
                    incr: false,
                    ..options
                },
            },
            decode_u64,
        )
    }

    /// `ZADD key [options] INCR delta member`: the new score, `None` when a condition stopped
    /// it: [`Command::ZAdd`].
    fn zadd_incr(
        &self,
        key: &str,
        delta: f64,
        member: impl IntoValue,
        options: ZAddOptions,
    ) -> impl Future<Output = Result<Option<f64>>> + Send {
        run(
            self,
            Command::ZAdd {
                key: key.to_owned(),
                members: vec![(delta, member.into_value())],
                options: ZAddOptions {
                    incr: true,
                    ..options
                },
            },
            Reply::into_opt_double,
        )
    }

    /// `ZREM`: [`Command::ZRem`].
    fn zrem<V: IntoValue>(
        &self,
        key: &str,
        items: impl IntoIterator<Item = V>,
    ) -> impl Future<Output = Result<u64>> + Send {
        run(
            self,
            Command::ZRem {
                key: key.to_owned(),
                members: members(items),
            },
            decode_u64,
        )
    }

    /// `ZSCORE`: [`Command::ZScore`].
    fn zscore(
        &self,
        key: &str,
        member: impl IntoValue,
    ) -> impl Future<Output = Result<Option<f64>>> + Send {
        let member = member.into_value();
        run_ref(
            self,
            CommandRef::ZScore { key, member },
            Reply::into_opt_double,
        )
    }

    /// `ZMSCORE`: [`Command::ZMScore`].
    fn zmscore<V: IntoValue>(
        &self,
        key: &str,
        items: impl IntoIterator<Item = V>,
    ) -> impl Future<Output = Result<Vec<Option<f64>>>> + Send {
        run(
            self,
            Command::ZMScore {
                key: key.to_owned(),
                members: members(items),
            },
            decode_opt_doubles,
        )
    }

    /// `ZINCRBY`: [`Command::ZIncrBy`].
    fn zincr_by(
        &self,
        key: &str,
        delta: f64,
        member: impl IntoValue,
    ) -> impl Future<Output = Result<f64>> + Send {
        run(
            self,
            Command::ZIncrBy {
                key: key.to_owned(),
                delta,
                member: member.into_value(),
            },
            Reply::into_double,
        )
    }

    /// `ZCARD`: [`Command::ZCard`].
    fn zcard(&self, key: &str) -> impl Future<Output = Result<u64>> + Send {
        run(
            self,
            Command::ZCard {
                key: key.to_owned(),
            },
            decode_u64,
        )
    }

    /// `ZCOUNT`: [`Command::ZCount`].
    fn zcount(
        &self,
        key: &str,
        min: ScoreBound,
        max: ScoreBound,
    ) -> impl Future<Output = Result<u64>> + Send {
        run(
            self,
            Command::ZCount {
                key: key.to_owned(),
                min,
                max,
            },
            decode_u64,
        )
    }

    /// `ZRANK`: [`Command::ZRank`].
    fn zrank(
        &self,
        key: &str,
        member: impl IntoValue,
    ) -> impl Future<Output = Result<Option<u64>>> + Send {
        run(
            self,
            Command::ZRank {
                key: key.to_owned(),
                member: member.into_value(),
            },
            decode_opt_u64,
        )
    }

    /// `ZREVRANK`: [`Command::ZRevRank`].
    fn zrevrank(
        &self,
        key: &str,
        member: impl IntoValue,
    ) -> impl Future<Output = Result<Option<u64>>> + Send {
        run(
            self,
            Command::ZRevRank {
                key: key.to_owned(),
                member: member.into_value(),
            },
            decode_opt_u64,
        )
    }

    /// `ZRANGE key start stop`: members by rank: [`Command::ZRange`].
    fn zrange(
        &self,
        key: &str,
        start: i64,
        stop: i64,
    ) -> impl Future<Output = Result<Vec<Bytes>>> + Send {
        self.zrange_by(
            key,
            ZRangeBy::Rank { start, stop },
            ZRangeOptions::default(),
        )
    }

    /// `ZRANGE key start stop WITHSCORES`: [`Command::ZRange`].
    fn zrange_with_scores(
        &self,
        key: &str,
        start: i64,
        stop: i64,
    ) -> impl Future<Output = Result<Vec<(Bytes, f64)>>> + Send {
        self.zrange_by_with_scores(
            key,
            ZRangeBy::Rank { start, stop },
            ZRangeOptions::default(),
        )
    }

    /// `ZRANGE` with any selector and options, members only: [`Command::ZRange`].
    fn zrange_by(
        &self,
        key: &str,
        by: ZRangeBy,
        options: ZRangeOptions,
    ) -> impl Future<Output = Result<Vec<Bytes>>> + Send {
        run(
            self,
            Command::ZRange {
                key: key.to_owned(),
                by,
                options: options.with_scores(false),
            },
            Reply::into_bytes_vec,
        )
    }

    /// `ZRANGE` with any selector and options, with scores: [`Command::ZRange`].
    fn zrange_by_with_scores(
        &self,
        key: &str,
        by: ZRangeBy,
        options: ZRangeOptions,
    ) -> impl Future<Output = Result<Vec<(Bytes, f64)>>> + Send {
        run(
            self,
            Command::ZRange {
                key: key.to_owned(),
                by,
                options: options.with_scores(true),
            },
            Reply::into_scored,
        )
    }

    /// `ZPOPMIN key count`: [`Command::ZPopMin`].
    fn zpopmin(
        &self,
        key: &str,
        count: u64,
    ) -> impl Future<Output = Result<Vec<(Bytes, f64)>>> + Send {
        run(
            self,
            Command::ZPopMin {
                key: key.to_owned(),
                count: Some(count),
            },
            Reply::into_scored,
        )
    }

    /// `ZPOPMAX key count`: [`Command::ZPopMax`].
    fn zpopmax(
        &self,
        key: &str,
        count: u64,
    ) -> impl Future<Output = Result<Vec<(Bytes, f64)>>> + Send {
        run(
            self,
            Command::ZPopMax {
                key: key.to_owned(),
                count: Some(count),
            },
            Reply::into_scored,
        )
    }

    /// `BZPOPMIN`: key, member and score, or `None` after `timeout`: [`Command::BZPopMin`].
    fn bzpopmin(
        &self,
        keys: &[&str],
        timeout: Duration,
    ) -> impl Future<Output = Result<Option<(String, Bytes, f64)>>> + Send {
        run(
            self,
            Command::BZPopMin {
                keys: owned_keys(keys),
                timeout,
            },
            decode_bzpop,
        )
    }

    /// `BZPOPMAX`: [`Command::BZPopMax`].
    fn bzpopmax(
        &self,
        keys: &[&str],
        timeout: Duration,
    ) -> impl Future<Output = Result<Option<(String, Bytes, f64)>>> + Send {
        run(
            self,
            Command::BZPopMax {
                keys: owned_keys(keys),
                timeout,
            },
            decode_bzpop,
        )
    }

    /// `ZREMRANGEBYSCORE`: [`Command::ZRemRangeByScore`].
    fn zremrangebyscore(
        &self,
        key: &str,
        min: ScoreBound,
        max: ScoreBound,
    ) -> impl Future<Output = Result<u64>> + Send {
        run(
            self,
            Command::ZRemRangeByScore {
                key: key.to_owned(),
                min,
                max,
            },
            decode_u64,
        )
    }

    /// `ZREMRANGEBYRANK`: [`Command::ZRemRangeByRank`].
    fn zremrangebyrank(
        &self,
        key: &str,
        start: i64,
        stop: i64,
    ) -> impl Future<Output = Result<u64>> + Send {
        run(
            self,
            Command::ZRemRangeByRank {
                key: key.to_owned(),
                start,
                stop,
            },
            decode_u64,
        )
    }
}

impl<S: Store + ?Sized> SortedSets for S {}
