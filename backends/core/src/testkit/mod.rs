//! The conformance testkit: one `pub async fn test_<op>_<case>` per behaviour, run against every
//! backend.
//!
//! Each case takes a fresh, empty store and panics with a message naming the rule when the
//! backend breaks it. [`all_cases`] lists every case; a backend's `harness = false` test hands a
//! factory of empty stores to [`harness::run`], which makes each case a test of its own. A case
//! that needs an ability some backends may lack says so ([`Requires`]) and is reported ignored
//! where the backend's declared [`Capabilities`](crate::Capabilities) lack it. Real Redis is the judge: every case must pass against a
//! `redis-server` before a local backend is held to it, and a case is never loosened to hide a
//! local backend's difference.
//!
//! Cases use only the public contract ([`crate::Store`] and the family traits), so a third-party
//! backend can run the same suite.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::store::Store;

pub mod atomic;
pub mod batch;
pub mod harness;
pub mod hashes;
pub mod keyspace;
pub mod lists;
pub mod pubsub;
pub mod redis_cluster;
pub mod redis_server;
pub mod redis_tls;
pub mod sets;
pub mod strings;
pub mod typed_calls;
pub mod zsets;

/// A shared store handed to a case.
pub type TestStore = Arc<dyn Store>;

/// The future a case returns.
pub type CaseFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// One conformance case: its name, what it needs, and the function that runs it.
#[derive(Clone, Copy)]
pub struct Case {
    /// `test_<op>_<case>`.
    pub name: &'static str,
    /// The declared capability the case needs.
    pub requires: Requires,
    /// Runs the case on an empty store; panics on a violation.
    pub run: fn(TestStore) -> CaseFuture,
}

/// A declared capability a case needs ([`Capabilities`](crate::Capabilities)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Requires {
    /// Nothing beyond the contract.
    Nothing,
    /// Blocking pops (`Capabilities::blocking`).
    Blocking,
    /// Atomic batches (`Capabilities::transactions`).
    Transactions,
    /// Keys in different Redis Cluster hash slots in one command, script or transaction
    /// (`Capabilities::cross_slot`): the case is inherently multi-slot.
    CrossSlot,
    /// Both [`Requires::Blocking`] and [`Requires::CrossSlot`].
    BlockingCrossSlot,
    /// Both [`Requires::Transactions`] and [`Requires::CrossSlot`].
    TransactionsCrossSlot,
}

impl Requires {
    /// True when a backend declaring `capabilities` can run the case.
    pub fn met_by(self, capabilities: &crate::Capabilities) -> bool {
        match self {
            Requires::Nothing => true,
            Requires::Blocking => capabilities.blocking,
            Requires::Transactions => capabilities.transactions,
            Requires::CrossSlot => capabilities.cross_slot,
            Requires::BlockingCrossSlot => capabilities.blocking && capabilities.cross_slot,
            Requires::TransactionsCrossSlot => capabilities.transactions && capabilities.cross_slot,
        }
    }

    /// This requirement plus [`Requires::CrossSlot`].
    fn and_cross_slot(self) -> Requires {
        match self {
            Requires::Blocking | Requires::BlockingCrossSlot => Requires::BlockingCrossSlot,
            Requires::Transactions | Requires::TransactionsCrossSlot => {
                Requires::TransactionsCrossSlot
            }
            Requires::Nothing | Requires::CrossSlot => Requires::CrossSlot,
        }
    }
}

impl std::fmt::Debug for Case {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// Builds a `Vec<Case>` from case function names: `cases![test_get_missing, ...]`, or
/// `cases![requires Blocking: test_blpop_times_out, ...]` for cases that need a capability.
#[macro_export]
#[doc(hidden)]
macro_rules! __testkit_cases {
    (requires $requires:ident: $($name:ident),* $(,)?) => {
        vec![$($crate::testkit::Case {
            name: stringify!($name),
            requires: $crate::testkit::Requires::$requires,
            run: |store| Box::pin($name(store)),
        }),*]
    };
    ($($name:ident),* $(,)?) => {
        $crate::testkit::cases![requires Nothing: $($name),*]
    };
}
pub use crate::__testkit_cases as cases;

/// The cases that use keys in several Redis Cluster hash slots in one command, script or
/// transaction (`RENAME a b`, `SINTER a b c`, `BLPOP q1 q2`, a transaction over `a` and
/// `list`, ...): on a cluster such a call is refused with a `CROSSSLOT` error, so these cases
/// need `Capabilities::cross_slot`, on top of what their family list says. Everything else
/// (single-key commands, the split `DEL`/`EXISTS`/`MGET`, `SCAN`, pub/sub) runs on a cluster.
pub const CROSS_SLOT_CASES: &[&str] = &[
    "test_rename_moves_value_and_ttl",
    "test_rename_overwrites_destination",
    "test_rename_missing_key_not_found",
    "test_renamenx",
    "test_mset_sets_all_and_clears_ttl",
    "test_lmove_between_lists",
    "test_lmove_missing_source_is_nil",
    "test_lmove_wrong_type",
    "test_list_writes_keep_ttl",
    "test_list_commands_wrong_type_on_string",
    "test_list_commands_wrong_type_on_hash",
    "test_blpop_times_out",
    "test_blmove_times_out",
    "test_blmove_woken_by_push",
    "test_blpop_first_non_empty_key_wins",
    "test_blpop_wrong_type",
    "test_sinter",
    "test_sunion",
    "test_sdiff",
    "test_set_algebra_wrong_type_on_any_key",
    "test_bzpopmin_times_out",
    "test_bzpopmin_serves_first_non_empty_key",
    "test_bzpopmin_woken_by_zadd",
    "test_batch_invalid_input_in_the_middle",
    "test_batch_blocking_pop_takes_available_element",
    "test_batch_ttl_commands",
    "test_batch_compound_operations",
    "test_batch_transaction_results_in_order",
    "test_batch_transaction_error_does_not_stop_the_rest",
    "test_batch_transaction_blocking_pops_do_not_block",
    "test_zmove_moves_range_lowest_first",
    "test_zmove_limit",
    "test_zmove_exclusive_and_infinite_bounds",
    "test_zmove_fixed_score",
    "test_zmove_ties_order_by_member",
    "test_zmove_updates_existing_destination_member",
    "test_zmove_empties_source",
    "test_zmove_missing_source",
    "test_zmove_wrong_type_moves_nothing",
    "test_race_zmove_each_member_claimed_once",
    "test_copy",
    "test_msetnx",
    "test_lmpop",
    "test_lmpop_errors",
    "test_blmpop_serves_or_times_out",
    "test_blmpop_woken_by_push",
    "test_sintercard",
    "test_set_algebra_store",
    "test_set_algebra_store_wrong_type",
    "test_smove",
    "test_smove_wrong_type",
    "test_zset_commands_wrong_type_on_string",
    "test_queue_step_claims_lowest_first",
    "test_queue_step_completes_then_claims",
    "test_queue_step_stale_token_and_delete",
    "test_queue_step_paused_and_due_claim_nothing",
    "test_queue_step_closed_fence",
    "test_queue_step_wrong_keys",
];

/// Every case of the suite.
pub fn all_cases() -> Vec<Case> {
    let mut all = Vec::new();
    // Each family module contributes its list; see the modules for the cases themselves.
    all.extend(registered());
    for case in &mut all {
        if CROSS_SLOT_CASES.contains(&case.name) {
            case.requires = case.requires.and_cross_slot();
        }
    }
    all
}

fn registered() -> Vec<Case> {
    [
        keyspace::cases(),
        strings::cases(),
        hashes::cases(),
        lists::cases(),
        sets::cases(),
        zsets::cases(),
        pubsub::cases(),
        batch::cases(),
        atomic::cases(),
    ]
    .concat()
}

/// The message of a panic payload.
pub(crate) fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-string payload".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cross_slot_case_exists() {
        let names: Vec<&str> = registered().iter().map(|c| c.name).collect();
        for name in CROSS_SLOT_CASES {
            assert!(names.contains(name), "{name} is not a case (renamed?)");
        }
    }
}
