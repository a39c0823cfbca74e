//! Conformance cases for pubsub.

#[allow(unused_imports)]
use super::{Case, TestStore, cases};

/// Every pubsub case.
pub fn cases() -> Vec<Case> {
    cases![]
}
