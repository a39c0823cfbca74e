//! Conformance cases for keyspace.

#[allow(unused_imports)]
use super::{Case, TestStore, cases};

/// Every keyspace case.
pub fn cases() -> Vec<Case> {
    cases![]
}
