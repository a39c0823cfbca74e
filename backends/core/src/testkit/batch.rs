//! Conformance cases for batch.

#[allow(unused_imports)]
use super::{Case, TestStore, cases};

/// Every batch case.
pub fn cases() -> Vec<Case> {
    cases![]
}
