//! Conformance cases for atomic.

#[allow(unused_imports)]
use super::{Case, TestStore, cases};

/// Every atomic case.
pub fn cases() -> Vec<Case> {
    cases![]
}
