//! Conformance cases for strings.

#[allow(unused_imports)]
use super::{Case, TestStore, cases};

/// Every strings case.
pub fn cases() -> Vec<Case> {
    cases![]
}
