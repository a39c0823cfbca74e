//! Options of the list commands that take more than a key and a value: `LPOS` and `LINSERT`.

use serde::{Deserialize, Serialize};

/// Options of `LPOS` besides `COUNT` (which changes the reply's shape, so it is the command's
/// own field): `RANK` and `MAXLEN`. The default scans the whole list from the head and takes
/// the first match.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LPosOptions {
    /// `RANK rank`: the `rank`-th match counted from the head (positive) or from the tail
    /// (negative). Zero is `InvalidInput`, as in Redis.
    pub rank: Option<i64>,
    /// `MAXLEN len`: compare at most `len` elements (0: the whole list).
    pub maxlen: Option<u64>,
}

impl LPosOptions {
    /// No options: the first match from the head.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets `RANK`.
    pub fn rank(mut self, rank: i64) -> Self {
        self.rank = Some(rank);
        self
    }
    /// Sets `MAXLEN`.
    pub fn maxlen(mut self, maxlen: u64) -> Self {
        self.maxlen = Some(maxlen);
        self
    }
}

/// Where `LINSERT` puts the element: `BEFORE` or `AFTER` the pivot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InsertPosition {
    /// `BEFORE pivot`.
    Before,
    /// `AFTER pivot`.
    After,
}

impl InsertPosition {
    /// `BEFORE` or `AFTER`.
    pub fn as_str(self) -> &'static str {
        match self {
            InsertPosition::Before => "BEFORE",
            InsertPosition::After => "AFTER",
        }
    }
}
