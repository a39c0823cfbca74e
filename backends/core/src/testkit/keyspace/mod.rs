//! Conformance cases for keyspace: `EXISTS`, `DEL`, the `EXPIRE` family, `PERSIST`, `TTL`/`PTTL`,
//! `TYPE`, `SCAN`, `DBSIZE`, `FLUSHDB`, `RENAME`/`RENAMENX`, and expired keys being invisible at
//! once.
//!
//! This module also holds the small helpers the other cases of this crate share: asserting an
//! error kind, creating a key of each type and taking a snapshot of a key's contents.
//!
//! The cases live in topical submodules: `EXISTS`, `DEL`, `TYPE`, `DBSIZE` and `FLUSHDB` in `keys`,
//! the `EXPIRE` family with `PERSIST` and `TTL` in `expire`, `SCAN` in `scan`, `RENAME` in
//! `rename`, expired keys and collection TTLs in `expired`, `KEYS`, `COPY`, `EXPIRETIME` and
//! `SCAN` argument errors in `copy`, and every `EXPIRE` condition combination in `conditions`, cases ported from Redis's own tcl tests
//! in `ported`. All are listed here.

use std::fmt::Debug;
use std::time::{SystemTime, UNIX_EPOCH};

use super::{Case, TestStore, cases};
use crate::error::Result;
use crate::prelude::*;

mod binary;
mod conditions;
mod copy;
mod expire;
mod expired;
mod keys;
mod ported;
mod rename;
mod scan;
pub use binary::*;
pub use conditions::*;
pub use copy::*;
pub use expire::*;
pub use expired::*;
pub use keys::*;
pub use ported::*;
pub use rename::*;
pub use scan::*;

/// Every keyspace case.
pub fn cases() -> Vec<Case> {
    cases![
        test_binary_key_round_trip,
        test_binary_hash_field_round_trip,
        test_binary_key_collections,
        test_keys_and_scan_return_binary_keys,
        test_match_pattern_with_binary_byte,
        test_exists_counts_duplicates,
        test_exists_missing_is_zero,
        test_del_counts_removed,
        test_del_removes_every_type,
        test_expire_sets_ttl,
        test_expire_missing_key,
        test_expire_nx,
        test_expire_xx,
        test_expire_gt_lt_without_ttl_is_infinite,
        test_expire_gt_lt_compare,
        test_expire_condition_checked_before_delete,
        test_expire_non_positive_deletes,
        test_expireat_past_deletes,
        test_expireat_future_sets_ttl,
        test_pexpire_sets_ms_ttl,
        test_persist_removes_ttl,
        test_ttl_missing_and_no_ttl,
        test_ttl_rounds_to_nearest_second,
        test_type_all_types,
        test_type_reply_is_status,
        test_scan_empty_store,
        test_scan_full_iteration,
        test_scan_with_concurrent_changes,
        test_scan_match_star,
        test_scan_match_question_and_class,
        test_scan_match_escape,
        test_scan_count_hint,
        test_scan_type_filter,
        test_dbsize_counts_keys,
        test_flushdb_removes_everything,
        test_rename_moves_value_and_ttl,
        test_rename_overwrites_destination,
        test_rename_missing_key_not_found,
        test_renamenx,
        test_rename_onto_itself,
        test_collection_writes_keep_ttl,
        test_emptied_collection_loses_ttl,
        test_expired_key_invisible,
        test_expired_collection_invisible,
        test_expired_key_is_absent_for_writes,
        test_keys_matches_glob,
        test_copy,
        test_expiretime,
        test_scan_argument_errors,
        test_expire_incompatible_conditions,
        test_expire_combined_conditions,
        test_expire_every_valid_combination,
        test_expire_overflow_is_invalid,
        test_pexpireat_extremes,
        test_rename_same_key_edges,
        test_keys_pattern_with_many_stars,
        test_empty_name_matches_only_a_lone_star,
        test_glob_range_compares_signed_bytes,
        test_copy_is_independent_of_its_source,
        test_getex_and_set_get_with_past_deadline,
    ]
}

// ----- helpers shared by the testkit modules -----

/// Asserts that `result` failed with `kind`; `rule` names the rule in the panic message.
pub(crate) fn assert_kind<T: Debug>(result: Result<T>, kind: ErrorKind, rule: &str) {
    match result {
        Err(e) => assert_eq!(e.kind(), kind, "{rule}: got error {e}"),
        Ok(v) => panic!("{rule}: expected a {kind} error, got Ok({v:?})"),
    }
}

/// Asserts that `result` failed with `kind` and a message containing `says` (Redis's own error
/// text, which every backend repeats); `rule` names the rule in the panic message.
pub(crate) fn assert_error<T: Debug>(result: Result<T>, kind: ErrorKind, says: &str, rule: &str) {
    match result {
        Err(e) => {
            assert_eq!(e.kind(), kind, "{rule}: got error {e}");
            assert!(
                e.message().contains(says),
                "{rule}: expected {says:?}, got {e}"
            );
        }
        Ok(v) => panic!("{rule}: expected a {kind} error, got Ok({v:?})"),
    }
}

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A name no other case (or earlier run against the same server) uses: for pub/sub channels,
/// which a Redis server shares across databases.
pub(crate) fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("{prefix}:{}:{}:{n}", std::process::id(), now_ms())
}

/// Creates `key` as a non-string collection of `kind` with fixed contents.
pub(crate) async fn populate(store: &TestStore, key: &str, kind: KeyType) {
    match kind {
        KeyType::String => store.set(key, "value").await.unwrap(),
        KeyType::List => {
            store.rpush_multiple(key, ["a", "b"]).await.unwrap();
        }
        KeyType::Hash => {
            store.hset(key, "field", "value").await.unwrap();
        }
        KeyType::Set => {
            store.sadd_multiple(key, ["a", "b"]).await.unwrap();
        }
        KeyType::ZSet => {
            store.zadd(key, 1.0, "a").await.unwrap();
        }
    }
}

/// The collection types: every type but string.
pub(crate) const COLLECTIONS: [KeyType; 4] =
    [KeyType::List, KeyType::Hash, KeyType::Set, KeyType::ZSet];

/// The whole contents of `key` as one comparable reply (type name plus the data).
pub(crate) async fn snapshot(store: &TestStore, key: &str) -> Reply {
    let key = key.to_owned();
    let kind = store
        .execute(Command::Type {
            key: key.clone().into(),
        })
        .await
        .unwrap();
    let data = match store.key_type(&key).await.unwrap() {
        None => Reply::Nil,
        Some(KeyType::String) => store
            .execute(Command::Get { key: key.into() })
            .await
            .unwrap(),
        Some(KeyType::List) => store
            .execute(Command::LRange {
                key: key.into(),
                start: 0,
                stop: -1,
            })
            .await
            .unwrap(),
        Some(KeyType::Hash) => store
            .execute(Command::HGetAll { key: key.into() })
            .await
            .unwrap(),
        Some(KeyType::Set) => store
            .execute(Command::SMembers { key: key.into() })
            .await
            .unwrap(),
        Some(KeyType::ZSet) => store
            .execute(Command::ZRange {
                key: key.into(),
                by: ZRangeBy::Rank { start: 0, stop: -1 },
                options: ZRangeOptions::new().with_scores(true),
            })
            .await
            .unwrap(),
    };
    Reply::Array(vec![kind, data]).normalized()
}
