//! Conformance cases for the atomic compound operations: compare-and-set/delete on strings and
//! hash fields, increment with a TTL on first write, moving members between sorted sets by score,
//! and races between many tasks that each must win exactly as often as the rules allow.
//!
//! The cases live in topical submodules: string compare-and-set/delete in `compare`, hash fields in
//! `hash_compare`, increment with a TTL in `incr`, sorted-set moves in `zmove`, and the races in
//! `races`, the queue's step in `queue_step`. All are listed here.

use super::{Case, cases};
use crate::prelude::*;

mod compare;
mod hash_compare;
mod incr;
mod queue_step;
mod races;
mod zmove;
pub use compare::*;
pub use hash_compare::*;
pub use incr::*;
pub use queue_step::*;
pub use races::*;
pub use zmove::*;

/// Every atomic-operation case.
pub fn cases() -> Vec<Case> {
    cases![
        test_cas_none_sets_only_when_missing,
        test_cas_matching_expected_sets,
        test_cas_wrong_expected_is_zero,
        test_cas_expiry_none_clears_ttl,
        test_cas_keepttl_keeps_ttl,
        test_cas_px_sets_ttl,
        test_cas_wrong_type,
        test_cas_binary_values,
        test_cas_expired_key_is_missing,
        test_cad_deletes_only_on_match,
        test_cad_wrong_type,
        test_hcas_none_sets_only_when_field_missing,
        test_hcas_matching_and_mismatch,
        test_hcas_wrong_type,
        test_hcad_deletes_field_and_empty_hash,
        test_hcad_mismatch_keeps_field,
        test_incrbyex_sets_ttl_on_first_write,
        test_incrbyex_never_extends_ttl,
        test_incrbyex_key_without_ttl_gets_one,
        test_incrbyex_window_restarts_after_expiry,
        test_zmove_moves_range_lowest_first,
        test_zmove_limit,
        test_zmove_exclusive_and_infinite_bounds,
        test_zmove_fixed_score,
        test_zmove_ties_order_by_member,
        test_zmove_updates_existing_destination_member,
        test_zmove_empties_source,
        test_zmove_missing_source,
        test_zmove_wrong_type_moves_nothing,
        test_race_zmove_each_member_claimed_once,
        test_race_cas_exactly_one_winner,
        test_race_cad_exactly_one_winner,
        test_race_hcas_exactly_one_winner,
        test_race_incrbyex_counts_every_call,
        test_queue_step_claims_lowest_first,
        test_queue_step_completes_then_claims,
        test_queue_step_stale_token_and_delete,
        test_queue_step_paused_and_due_claim_nothing,
        test_queue_step_closed_fence,
        test_queue_step_wrong_keys,
    ]
}

fn b(s: &str) -> Option<Bytes> {
    Some(Bytes::copy_from_slice(s.as_bytes()))
}
