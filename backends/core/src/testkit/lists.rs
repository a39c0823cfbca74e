//! Conformance cases for lists.

#[allow(unused_imports)]
use super::{Case, TestStore, cases};

/// Every lists case.
pub fn cases() -> Vec<Case> {
    cases![]
}
