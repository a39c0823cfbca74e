//! Conformance cases for sets.

#[allow(unused_imports)]
use super::{Case, TestStore, cases};

/// Every sets case.
pub fn cases() -> Vec<Case> {
    cases![]
}
