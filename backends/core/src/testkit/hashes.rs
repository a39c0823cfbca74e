//! Conformance cases for hashes.

#[allow(unused_imports)]
use super::{Case, TestStore, cases};

/// Every hashes case.
pub fn cases() -> Vec<Case> {
    cases![]
}
