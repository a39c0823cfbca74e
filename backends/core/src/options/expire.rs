//! [`ExpireConditions`]: any combination of `EXPIRE`'s `NX`, `XX`, `GT` and `LT` words.

use serde::{Deserialize, Serialize};

use super::ExpireCondition;

/// Any combination of the `NX | XX | GT | LT` words of the `EXPIRE` family, including the ones
/// Redis rejects, so that a rejected combination is an error with Redis's message rather than
/// something the contract cannot say.
///
/// Redis accepts `XX` with `GT` or `LT` (both must hold), and a word given twice; it rejects
/// `NX` with any other word and `GT` with `LT` (`InvalidInput`). The default has no condition.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ExpireConditions {
    /// `NX`: only if the key has no TTL.
    pub nx: bool,
    /// `XX`: only if the key has a TTL.
    pub xx: bool,
    /// `GT`: only if the new expiry is later than the current one (no TTL is infinite).
    pub gt: bool,
    /// `LT`: only if the new expiry is earlier than the current one (no TTL is infinite).
    pub lt: bool,
}

impl ExpireConditions {
    /// No condition.
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds `NX`.
    pub fn nx(mut self) -> Self {
        self.nx = true;
        self
    }
    /// Adds `XX`.
    pub fn xx(mut self) -> Self {
        self.xx = true;
        self
    }
    /// Adds `GT`.
    pub fn gt(mut self) -> Self {
        self.gt = true;
        self
    }
    /// Adds `LT`.
    pub fn lt(mut self) -> Self {
        self.lt = true;
        self
    }

    /// The words, in the order `NX`, `XX`, `GT`, `LT`.
    pub fn words(self) -> Vec<&'static str> {
        [
            (self.nx, "NX"),
            (self.xx, "XX"),
            (self.gt, "GT"),
            (self.lt, "LT"),
        ]
        .into_iter()
        .filter_map(|(on, word)| on.then_some(word))
        .collect()
    }

    /// Redis's refusal of the combination, if it refuses it (the message Redis 7 sends).
    pub fn conflict(self) -> Option<&'static str> {
        if self.nx && (self.xx || self.gt || self.lt) {
            Some("ERR NX and XX, GT or LT options at the same time are not compatible")
        } else if self.gt && self.lt {
            Some("ERR GT and LT options at the same time are not compatible")
        } else {
            None
        }
    }
}

impl From<ExpireCondition> for ExpireConditions {
    fn from(condition: ExpireCondition) -> Self {
        let none = ExpireConditions::new();
        match condition {
            ExpireCondition::Nx => none.nx(),
            ExpireCondition::Xx => none.xx(),
            ExpireCondition::Gt => none.gt(),
            ExpireCondition::Lt => none.lt(),
        }
    }
}

impl From<Option<ExpireCondition>> for ExpireConditions {
    fn from(condition: Option<ExpireCondition>) -> Self {
        condition.map(Into::into).unwrap_or_default()
    }
}
