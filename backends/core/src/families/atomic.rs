//! Atomic compound operations: the check-then-act steps services must never split in two.

use std::future::Future;
use std::time::Duration;

use bytes::Bytes;

use super::{IntoValue, run};
use crate::command::Command;
use crate::error::Result;
use crate::options::{MoveScore, ScoreBound, SetExpiry};
use crate::reply::Reply;
use crate::store::Store;

/// Which members [`Atomic::zmove_by_score`] moves and what score they get.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct ZMoveOptions {
    /// Lowest score moved (default `-inf`).
    pub min: ScoreBound,
    /// Highest score moved (default `+inf`).
    pub max: ScoreBound,
    /// At most this many (default: all in range).
    pub limit: Option<u64>,
    /// Score in the destination (default: keep).
    pub score: MoveScore,
}

impl Default for ZMoveOptions {
    fn default() -> Self {
        ZMoveOptions {
            min: ScoreBound::MIN,
            max: ScoreBound::MAX,
            limit: None,
            score: MoveScore::Keep,
        }
    }
}

impl ZMoveOptions {
    /// Everything, scores kept.
    pub fn new() -> Self {
        Self::default()
    }
    /// Members with scores at most `max` (due by a deadline, for example).
    pub fn up_to(mut self, max: ScoreBound) -> Self {
        self.max = max;
        self
    }
    /// Members with scores at least `min`.
    pub fn from(mut self, min: ScoreBound) -> Self {
        self.min = min;
        self
    }
    /// At most `limit` members.
    pub fn limit(mut self, limit: u64) -> Self {
        self.limit = Some(limit);
        self
    }
    /// The score moved members get.
    pub fn score(mut self, score: MoveScore) -> Self {
        self.score = score;
        self
    }
}

/// Atomic compound operations. Semantics: the matching [`Command`] variants.
pub trait Atomic: Store {
    /// Moves members between sorted sets atomically, returning them with their old scores:
    /// [`Command::ZMoveByScore`].
    fn zmove_by_score(
        &self,
        source: &str,
        destination: &str,
        options: ZMoveOptions,
    ) -> impl Future<Output = Result<Vec<(Bytes, f64)>>> + Send {
        run(
            self,
            Command::ZMoveByScore {
                source: source.to_owned(),
                destination: destination.to_owned(),
                min: options.min,
                max: options.max,
                limit: options.limit,
                score: options.score,
            },
            Reply::into_scored,
        )
    }

    /// Compare-and-set on a string: [`Command::CompareAndSet`].
    fn compare_and_set(
        &self,
        key: &str,
        expected: Option<Bytes>,
        value: impl IntoValue,
        expiry: Option<SetExpiry>,
    ) -> impl Future<Output = Result<bool>> + Send {
        run(
            self,
            Command::CompareAndSet {
                key: key.to_owned(),
                expected,
                value: value.into_value(),
                expiry,
            },
            Reply::into_bool,
        )
    }

    /// Compare-and-delete on a string: [`Command::CompareAndDelete`].
    fn compare_and_delete(
        &self,
        key: &str,
        expected: impl IntoValue,
    ) -> impl Future<Output = Result<bool>> + Send {
        run(
            self,
            Command::CompareAndDelete {
                key: key.to_owned(),
                expected: expected.into_value(),
            },
            Reply::into_bool,
        )
    }

    /// Compare-and-set on a hash field: [`Command::HCompareAndSet`].
    fn hcompare_and_set(
        &self,
        key: &str,
        field: &str,
        expected: Option<Bytes>,
        value: impl IntoValue,
    ) -> impl Future<Output = Result<bool>> + Send {
        run(
            self,
            Command::HCompareAndSet {
                key: key.to_owned(),
                field: field.to_owned(),
                expected,
                value: value.into_value(),
            },
            Reply::into_bool,
        )
    }

    /// Compare-and-delete on a hash field: [`Command::HCompareAndDelete`].
    fn hcompare_and_delete(
        &self,
        key: &str,
        field: &str,
        expected: impl IntoValue,
    ) -> impl Future<Output = Result<bool>> + Send {
        run(
            self,
            Command::HCompareAndDelete {
                key: key.to_owned(),
                field: field.to_owned(),
                expected: expected.into_value(),
            },
            Reply::into_bool,
        )
    }

    /// `INCRBY` that starts a TTL on the first write: [`Command::IncrByEx`].
    fn incr_by_ex(
        &self,
        key: &str,
        delta: i64,
        ttl: Duration,
    ) -> impl Future<Output = Result<i64>> + Send {
        let ttl_ms = ttl.as_millis().clamp(1, u64::MAX as u128) as u64;
        run(
            self,
            Command::IncrByEx {
                key: key.to_owned(),
                delta,
                ttl_ms,
            },
            Reply::into_int,
        )
    }
}

impl<S: Store + ?Sized> Atomic for S {}
