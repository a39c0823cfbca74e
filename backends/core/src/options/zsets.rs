//! Options of the multi-key sorted-set commands (`ZUNION`, `ZINTER`, `ZDIFF` and their `STORE`
//! forms) and of `ZMPOP`/`BZMPOP`.
//!
//! As everywhere in `options`, every word combination Redis's parser sees is representable,
//! including the ones it refuses (`WITHSCORES` on a `STORE` form, `WEIGHTS` on `ZDIFF`, a
//! weight count that differs from the key count): they are refused when the command runs, with
//! Redis's error.

use serde::{Deserialize, Serialize};

/// `AGGREGATE SUM|MIN|MAX`: how `ZUNION`/`ZINTER` combine the scores of a member found in
/// several inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ZAggregate {
    /// Add them (the default).
    Sum,
    /// Keep the lowest.
    Min,
    /// Keep the highest.
    Max,
}

impl ZAggregate {
    /// The Redis word.
    pub fn as_str(self) -> &'static str {
        match self {
            ZAggregate::Sum => "SUM",
            ZAggregate::Min => "MIN",
            ZAggregate::Max => "MAX",
        }
    }
}

/// Options of `ZUNION`, `ZINTER`, `ZDIFF` and their `STORE` forms.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ZCombineOptions {
    /// `WEIGHTS w...`: one multiplier per input key (Redis refuses another count, and refuses
    /// `WEIGHTS` on `ZDIFF`).
    pub weights: Option<Vec<f64>>,
    /// `AGGREGATE` (Redis refuses it on `ZDIFF`).
    pub aggregate: Option<ZAggregate>,
    /// `WITHSCORES` (Redis refuses it on the `STORE` forms).
    pub with_scores: bool,
}

impl ZCombineOptions {
    /// No option: sum, weights 1, members only.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets `WEIGHTS`.
    pub fn weights(mut self, weights: impl IntoIterator<Item = f64>) -> Self {
        self.weights = Some(weights.into_iter().collect());
        self
    }
    /// Sets `AGGREGATE`.
    pub fn aggregate(mut self, aggregate: ZAggregate) -> Self {
        self.aggregate = Some(aggregate);
        self
    }
    /// Sets `WITHSCORES`.
    pub fn with_scores(mut self, with_scores: bool) -> Self {
        self.with_scores = with_scores;
        self
    }
}

/// `MIN` or `MAX` of `ZMPOP`/`BZMPOP`: which end members are popped from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ZPopEnd {
    /// The lowest scores first.
    Min,
    /// The highest scores first.
    Max,
}

impl ZPopEnd {
    /// The Redis word.
    pub fn as_str(self) -> &'static str {
        match self {
            ZPopEnd::Min => "MIN",
            ZPopEnd::Max => "MAX",
        }
    }
}
