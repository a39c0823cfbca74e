//! Conformance cases for zsets.

#[allow(unused_imports)]
use super::{Case, TestStore, cases};

/// Every zsets case.
pub fn cases() -> Vec<Case> {
    cases![]
}
