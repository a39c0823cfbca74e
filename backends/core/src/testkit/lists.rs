//! Conformance cases for lists: push order, pops with and without a count and their reply
//! shapes, Redis's index clamping in `LRANGE`/`LINDEX`/`LSET`/`LTRIM`, `LREM` from either end,
//! `LMOVE` in every direction and as a rotation, the TTL rules, emptied lists removing their key,
//! `WRONGTYPE` on every list command, and the blocking pops: timing out, woken by a push from
//! another task, key order, and two waiters each served once.
//!
//! The blocking cases are in the `blocking` submodule, the `LMOVE` ones in `moves`, `LPOS`,
//! `LINSERT`, `LPUSHX`/`RPUSHX` and pop-count rules in `search`, `LMPOP`/`BLMPOP` in `mpop`;
//! all are listed here.

use std::time::Duration;

use super::keyspace::{assert_kind, populate, snapshot};
use super::{Case, TestStore, cases};
use crate::prelude::*;

mod blocking;
mod encodings;
mod moves;
mod mpop;
mod search;
pub use blocking::*;
pub use encodings::*;
pub use moves::*;
pub use mpop::*;
pub use search::*;

/// Every lists case.
pub fn cases() -> Vec<Case> {
    let plain = cases![
        test_lpush_pushes_to_head_one_by_one,
        test_rpush_appends_in_order,
        test_lpush_rpush_binary_values,
        test_lpop_rpop_without_count,
        test_lpop_count_reply_shapes,
        test_rpop_count_takes_from_tail,
        test_pop_count_out_of_range_invalid,
        test_lpop_last_element_removes_key,
        test_rpop_count_emptying_removes_key,
        test_lrange_index_clamping,
        test_lrange_missing_is_empty,
        test_llen,
        test_lindex,
        test_lset_replaces_element,
        test_lset_missing_key_not_found,
        test_lset_out_of_range,
        test_lrange_ltrim_odd_indexes_both_encodings,
        test_linsert_lset_both_encodings,
        test_lrem_lpos_repeats_both_encodings,
        test_lmove_across_encodings,
        test_list_packing_boundary,
        test_lrem_from_head,
        test_lrem_from_tail,
        test_lrem_all,
        test_lrem_emptying_removes_key,
        test_ltrim_ranges,
        test_ltrim_emptying_removes_key,
        test_lmove_between_lists,
        test_lmove_same_list_rotates,
        test_lmove_missing_source_is_nil,
        test_lmove_wrong_type,
        test_list_writes_keep_ttl,
        test_push_on_expired_list_starts_fresh,
        test_list_commands_wrong_type_on_string,
        test_list_commands_wrong_type_on_hash,
        test_push_without_values_invalid,
        test_lpos_rank,
        test_lpos_count,
        test_lpos_maxlen,
        test_lpos_argument_errors,
        test_linsert,
        test_pushx,
        test_pop_count_rules,
        test_lmpop,
        test_lmpop_errors,
    ];
    let blocking = cases![requires Blocking:
        test_blpop_serves_at_once_when_data,
        test_blpop_times_out,
        test_brpop_times_out,
        test_blmove_times_out,
        test_blpop_woken_by_push,
        test_brpop_woken_by_push,
        test_blmove_woken_by_push,
        test_blpop_first_non_empty_key_wins,
        test_blpop_wrong_type,
        test_blpop_two_waiters_each_served_once,
        test_blmpop_serves_or_times_out,
        test_blmpop_woken_by_push,
    ];
    [plain, blocking].concat()
}

fn bulk(s: &str) -> Reply {
    Reply::Bulk(Bytes::copy_from_slice(s.as_bytes()))
}

fn b(s: &str) -> Option<Bytes> {
    Some(Bytes::copy_from_slice(s.as_bytes()))
}

fn bytes(items: &[&str]) -> Vec<Bytes> {
    items
        .iter()
        .map(|s| Bytes::copy_from_slice(s.as_bytes()))
        .collect()
}

async fn all(store: &TestStore, key: &str) -> Vec<Bytes> {
    store.lrange(key, 0, -1).await.unwrap()
}

fn popped(key: &str, value: &str) -> Option<(crate::Name, Bytes)> {
    Some((key.into(), Bytes::copy_from_slice(value.as_bytes())))
}

/// `LPUSH k a b c` pushes each value to the head in turn, leaving `c b a`.
pub async fn test_lpush_pushes_to_head_one_by_one(store: TestStore) {
    assert_eq!(
        store.lpush_multiple("l", ["a", "b", "c"]).await.unwrap(),
        3,
        "LPUSH replies the new length"
    );
    assert_eq!(
        all(&store, "l").await,
        bytes(&["c", "b", "a"]),
        "LPUSH a b c leaves c b a"
    );
    let reply = store
        .execute(Command::LPush {
            key: "l".into(),
            values: bytes(&["d"]),
        })
        .await
        .unwrap();
    assert_eq!(reply, Reply::Int(4), "LPUSH replies Int");
    assert_eq!(
        all(&store, "l").await,
        bytes(&["d", "c", "b", "a"]),
        "LPUSH puts new values before the old head"
    );
    assert_eq!(
        store.ttl("l").await.unwrap(),
        -1,
        "a list created by LPUSH has no TTL"
    );
}

/// `RPUSH` appends in argument order and replies the new length.
pub async fn test_rpush_appends_in_order(store: TestStore) {
    assert_eq!(store.rpush_multiple("l", ["a", "b"]).await.unwrap(), 2);
    assert_eq!(
        store.rpush_multiple("l", ["c", "a"]).await.unwrap(),
        4,
        "RPUSH replies the new length, duplicates included"
    );
    assert_eq!(
        all(&store, "l").await,
        bytes(&["a", "b", "c", "a"]),
        "RPUSH appends in order"
    );
    assert_eq!(
        store.key_type("l").await.unwrap(),
        Some(KeyType::List),
        "RPUSH creates a list"
    );
}

/// List elements are binary safe; an empty element is an element.
pub async fn test_lpush_rpush_binary_values(store: TestStore) {
    let value: Vec<u8> = (0..=255u8).rev().collect();
    store
        .rpush_multiple("l", [value.clone(), Vec::new()])
        .await
        .unwrap();
    store.lpush_multiple("l", [vec![0u8, 0, 10]]).await.unwrap();
    assert_eq!(
        all(&store, "l").await,
        vec![
            Bytes::from(vec![0u8, 0, 10]),
            Bytes::from(value),
            Bytes::new()
        ],
        "every byte value and the empty element survive"
    );
    assert_eq!(
        store.llen("l").await.unwrap(),
        3,
        "the empty element counts"
    );
}

/// `LPOP`/`RPOP` without a count reply one `Bulk` from their end, `Nil` when missing.
pub async fn test_lpop_rpop_without_count(store: TestStore) {
    let lpop = |key: &str| Command::LPop {
        key: key.into(),
        count: None,
    };
    let rpop = |key: &str| Command::RPop {
        key: key.into(),
        count: None,
    };
    assert_eq!(
        store.execute(lpop("l")).await.unwrap(),
        Reply::Nil,
        "LPOP of a missing key is Nil"
    );
    assert_eq!(
        store.execute(rpop("l")).await.unwrap(),
        Reply::Nil,
        "RPOP of a missing key is Nil"
    );
    store.rpush_multiple("l", ["a", "b", "c"]).await.unwrap();
    assert_eq!(
        store.execute(lpop("l")).await.unwrap(),
        bulk("a"),
        "LPOP takes the head as Bulk"
    );
    assert_eq!(
        store.execute(rpop("l")).await.unwrap(),
        bulk("c"),
        "RPOP takes the tail as Bulk"
    );
    assert_eq!(all(&store, "l").await, bytes(&["b"]), "each pop took one");
}

/// `LPOP key count` replies an array of up to `count` elements, an empty array for count 0,
/// and `Nil` when the key is missing.
pub async fn test_lpop_count_reply_shapes(store: TestStore) {
    let lpop = |count: u64| Command::LPop {
        key: "l".into(),
        count: Some(count),
    };
    assert_eq!(
        store.execute(lpop(2)).await.unwrap(),
        Reply::Nil,
        "LPOP with a count on a missing key is Nil"
    );
    assert_eq!(
        store.execute(lpop(0)).await.unwrap(),
        Reply::Nil,
        "LPOP with count 0 on a missing key is Nil"
    );
    assert_eq!(
        store.lpop_count("l", 2).await.unwrap(),
        Vec::<Bytes>::new(),
        "the typed LPOP count of a missing key is empty"
    );
    store
        .rpush_multiple("l", ["a", "b", "c", "d"])
        .await
        .unwrap();
    assert_eq!(
        store.execute(lpop(0)).await.unwrap(),
        Reply::Array(Vec::new()),
        "LPOP with count 0 on a list is an empty array"
    );
    assert_eq!(store.llen("l").await.unwrap(), 4, "count 0 pops nothing");
    assert_eq!(
        store.execute(lpop(1)).await.unwrap(),
        Reply::Array(vec![bulk("a")]),
        "LPOP with count 1 is an array of one"
    );
    assert_eq!(
        store.lpop_count("l", 2).await.unwrap(),
        bytes(&["b", "c"]),
        "LPOP with a count takes from the head in order"
    );
    assert_eq!(
        store.lpop_count("l", 10).await.unwrap(),
        bytes(&["d"]),
        "a count past the length takes what there is"
    );
}

/// `RPOP key count` takes from the tail, last element first.
pub async fn test_rpop_count_takes_from_tail(store: TestStore) {
    store
        .rpush_multiple("l", ["a", "b", "c", "d"])
        .await
        .unwrap();
    let reply = store
        .execute(Command::RPop {
            key: "l".into(),
            count: Some(3),
        })
        .await
        .unwrap();
    assert_eq!(
        reply,
        Reply::Array(vec![bulk("d"), bulk("c"), bulk("b")]),
        "RPOP with a count takes the tail first"
    );
    assert_eq!(all(&store, "l").await, bytes(&["a"]), "RPOP left the head");
    assert_eq!(
        store.rpop_count("missing", 2).await.unwrap(),
        Vec::<Bytes>::new(),
        "the typed RPOP count of a missing key is empty"
    );
}

/// A pop count beyond `i64::MAX` is `InvalidInput` and pops nothing.
pub async fn test_pop_count_out_of_range_invalid(store: TestStore) {
    store.rpush_multiple("l", ["a", "b"]).await.unwrap();
    assert_kind(
        store.lpop_count("l", u64::MAX).await,
        ErrorKind::InvalidInput,
        "LPOP with a count past i64::MAX is out of range",
    );
    assert_kind(
        store.rpop_count("l", u64::MAX).await,
        ErrorKind::InvalidInput,
        "RPOP with a count past i64::MAX is out of range",
    );
    assert_eq!(
        all(&store, "l").await,
        bytes(&["a", "b"]),
        "a refused pop takes nothing"
    );
    assert_eq!(
        store.lpop_count("l", i64::MAX as u64).await.unwrap(),
        bytes(&["a", "b"]),
        "a count of i64::MAX takes everything"
    );
}

/// Popping the last element removes the key (and its TTL).
pub async fn test_lpop_last_element_removes_key(store: TestStore) {
    store.rpush_multiple("l", ["only"]).await.unwrap();
    store.expire("l", 1000).await.unwrap();
    assert_eq!(store.lpop("l").await.unwrap(), b("only"));
    assert_eq!(
        store.exists_multiple(&["l"]).await.unwrap(),
        0,
        "LPOP of the last element deletes the list"
    );
    store.rpush_multiple("l", ["x"]).await.unwrap();
    assert_eq!(
        store.ttl("l").await.unwrap(),
        -1,
        "the recreated list has no TTL"
    );
    assert_eq!(store.rpop("l").await.unwrap(), b("x"));
    assert_eq!(
        store.exists_multiple(&["l"]).await.unwrap(),
        0,
        "RPOP of the last element deletes the list"
    );
}

/// A counted pop that takes everything removes the key.
pub async fn test_rpop_count_emptying_removes_key(store: TestStore) {
    store.rpush_multiple("l", ["a", "b"]).await.unwrap();
    assert_eq!(store.rpop_count("l", 5).await.unwrap(), bytes(&["b", "a"]));
    assert_eq!(
        store.exists_multiple(&["l"]).await.unwrap(),
        0,
        "RPOP count that empties the list deletes it"
    );
    store.rpush_multiple("l", ["a", "b"]).await.unwrap();
    assert_eq!(store.lpop_count("l", 2).await.unwrap(), bytes(&["a", "b"]));
    assert_eq!(
        store.exists_multiple(&["l"]).await.unwrap(),
        0,
        "LPOP count that empties the list deletes it"
    );
}

/// `LRANGE` counts negative indexes from the tail and clamps out-of-range ones as Redis does.
pub async fn test_lrange_index_clamping(store: TestStore) {
    store
        .rpush_multiple("l", ["a", "b", "c", "d", "e"])
        .await
        .unwrap();
    let cases: [(i64, i64, &[&str]); 11] = [
        (0, -1, &["a", "b", "c", "d", "e"]),
        (0, 0, &["a"]),
        (1, 2, &["b", "c"]),
        (-2, -1, &["d", "e"]),
        (-100, 1, &["a", "b"]),
        (3, 100, &["d", "e"]),
        (5, 10, &[]),
        (3, 1, &[]),
        (-1, -2, &[]),
        (0, -6, &[]),
        (i64::MIN, i64::MAX, &["a", "b", "c", "d", "e"]),
    ];
    for (start, stop, expected) in cases {
        assert_eq!(
            store.lrange("l", start, stop).await.unwrap(),
            bytes(expected),
            "LRANGE {start} {stop}"
        );
    }
    let reply = store
        .execute(Command::LRange {
            key: "l".into(),
            start: 0,
            stop: 1,
        })
        .await
        .unwrap();
    assert_eq!(
        reply,
        Reply::Array(vec![bulk("a"), bulk("b")]),
        "LRANGE replies an Array of Bulk"
    );
}

/// `LRANGE` of a missing key is an empty array.
pub async fn test_lrange_missing_is_empty(store: TestStore) {
    let reply = store
        .execute(Command::LRange {
            key: "missing".into(),
            start: 0,
            stop: -1,
        })
        .await
        .unwrap();
    assert_eq!(
        reply,
        Reply::Array(Vec::new()),
        "LRANGE of a missing key is an empty array"
    );
}

/// `LLEN` counts elements, 0 for a missing key.
pub async fn test_llen(store: TestStore) {
    assert_eq!(
        store.llen("l").await.unwrap(),
        0,
        "LLEN of a missing key is 0"
    );
    store.rpush_multiple("l", ["a", "b", "a"]).await.unwrap();
    let reply = store
        .execute(Command::LLen { key: "l".into() })
        .await
        .unwrap();
    assert_eq!(reply, Reply::Int(3), "LLEN replies Int with the length");
}

/// `LINDEX` reads by position (negative from the tail); out of range or missing is nil.
pub async fn test_lindex(store: TestStore) {
    assert_eq!(
        store.lindex("l", 0).await.unwrap(),
        None,
        "LINDEX of a missing key is nil"
    );
    store.rpush_multiple("l", ["a", "b", "c"]).await.unwrap();
    let cases: [(i64, Option<Bytes>); 8] = [
        (0, b("a")),
        (2, b("c")),
        (-1, b("c")),
        (-3, b("a")),
        (3, None),
        (-4, None),
        (i64::MAX, None),
        (i64::MIN, None),
    ];
    for (index, expected) in cases {
        assert_eq!(
            store.lindex("l", index).await.unwrap(),
            expected,
            "LINDEX {index}"
        );
    }
}

/// `LSET` replaces the element at an index (negative from the tail) and replies OK.
pub async fn test_lset_replaces_element(store: TestStore) {
    store.rpush_multiple("l", ["a", "b", "c"]).await.unwrap();
    let reply = store
        .execute(Command::LSet {
            key: "l".into(),
            index: 0,
            value: Bytes::from("A"),
        })
        .await
        .unwrap();
    assert_eq!(reply, Reply::ok(), "LSET replies OK");
    store.lset("l", -1, "C").await.unwrap();
    assert_eq!(
        all(&store, "l").await,
        bytes(&["A", "b", "C"]),
        "LSET replaced exactly the indexed elements"
    );
}

/// `LSET` on a missing key is `NotFound` and creates nothing.
pub async fn test_lset_missing_key_not_found(store: TestStore) {
    assert_kind(
        store.lset("l", 0, "v").await,
        ErrorKind::NotFound,
        "LSET on a missing key is 'no such key'",
    );
    assert_eq!(
        store.exists_multiple(&["l"]).await.unwrap(),
        0,
        "a failed LSET creates nothing"
    );
}

/// `LSET` past either end is `InvalidInput` and changes nothing.
pub async fn test_lset_out_of_range(store: TestStore) {
    store.rpush_multiple("l", ["a", "b"]).await.unwrap();
    for index in [2, -3, i64::MAX, i64::MIN] {
        assert_kind(
            store.lset("l", index, "x").await,
            ErrorKind::InvalidInput,
            &format!("LSET at {index} is out of range"),
        );
    }
    assert_eq!(
        all(&store, "l").await,
        bytes(&["a", "b"]),
        "a failed LSET changes nothing"
    );
}

/// `LREM` with a positive count removes that many matches from the head.
pub async fn test_lrem_from_head(store: TestStore) {
    store
        .rpush_multiple("l", ["a", "b", "a", "c", "a", "b", "a"])
        .await
        .unwrap();
    assert_eq!(
        store.lrem("l", 2, "a").await.unwrap(),
        2,
        "LREM 2 removes two matches"
    );
    assert_eq!(
        all(&store, "l").await,
        bytes(&["b", "c", "a", "b", "a"]),
        "LREM with count > 0 removes the first matches"
    );
    assert_eq!(
        store.lrem("l", 10, "b").await.unwrap(),
        2,
        "LREM removes at most the matches there are"
    );
    assert_eq!(
        store.lrem("l", 1, "zzz").await.unwrap(),
        0,
        "LREM of an absent value is 0"
    );
    assert_eq!(all(&store, "l").await, bytes(&["c", "a", "a"]));
    assert_eq!(
        store.lrem("missing", 1, "a").await.unwrap(),
        0,
        "LREM on a missing key is 0"
    );
}

/// `LREM` with a negative count removes that many matches from the tail.
pub async fn test_lrem_from_tail(store: TestStore) {
    store
        .rpush_multiple("l", ["a", "b", "a", "c", "a", "b", "a"])
        .await
        .unwrap();
    assert_eq!(
        store.lrem("l", -2, "a").await.unwrap(),
        2,
        "LREM -2 removes two matches"
    );
    assert_eq!(
        all(&store, "l").await,
        bytes(&["a", "b", "a", "c", "b"]),
        "LREM with count < 0 removes the last matches"
    );
    assert_eq!(
        store.lrem("l", -1, "b").await.unwrap(),
        1,
        "LREM -1 removes one"
    );
    assert_eq!(
        all(&store, "l").await,
        bytes(&["a", "b", "a", "c"]),
        "LREM -1 removed the last match only"
    );
}

/// `LREM` with count 0 removes every match.
pub async fn test_lrem_all(store: TestStore) {
    store
        .rpush_multiple("l", ["a", "b", "a", "c", "a", "b", "a"])
        .await
        .unwrap();
    assert_eq!(
        store.lrem("l", 0, "a").await.unwrap(),
        4,
        "LREM 0 removes every match"
    );
    assert_eq!(
        all(&store, "l").await,
        bytes(&["b", "c", "b"]),
        "LREM 0 kept the other elements in order"
    );
}

/// `LREM` that removes every element removes the key.
pub async fn test_lrem_emptying_removes_key(store: TestStore) {
    store.rpush_multiple("l", ["x", "x", "x"]).await.unwrap();
    assert_eq!(store.lrem("l", -5, "x").await.unwrap(), 3);
    assert_eq!(
        store.exists_multiple(&["l"]).await.unwrap(),
        0,
        "LREM that empties the list deletes it"
    );
}

/// `LTRIM` keeps the clamped range; on a missing key it replies OK and creates nothing.
pub async fn test_ltrim_ranges(store: TestStore) {
    let reply = store
        .execute(Command::LTrim {
            key: "missing".into(),
            start: 0,
            stop: 1,
        })
        .await
        .unwrap();
    assert_eq!(reply, Reply::ok(), "LTRIM on a missing key replies OK");
    assert_eq!(
        store.exists_multiple(&["missing"]).await.unwrap(),
        0,
        "LTRIM creates nothing"
    );
    store
        .rpush_multiple("l", ["a", "b", "c", "d", "e", "f"])
        .await
        .unwrap();
    store.ltrim("l", -100, 100).await.unwrap();
    assert_eq!(
        store.llen("l").await.unwrap(),
        6,
        "LTRIM over more than the whole list keeps everything"
    );
    store.ltrim("l", 1, -2).await.unwrap();
    assert_eq!(
        all(&store, "l").await,
        bytes(&["b", "c", "d", "e"]),
        "LTRIM 1 -2 drops both ends"
    );
    store.ltrim("l", -3, 1).await.unwrap();
    assert_eq!(
        all(&store, "l").await,
        bytes(&["c"]),
        "LTRIM counts negative starts from the tail"
    );
}

/// `LTRIM` with an empty range removes the key.
pub async fn test_ltrim_emptying_removes_key(store: TestStore) {
    store.rpush_multiple("l", ["a", "b", "c"]).await.unwrap();
    store.ltrim("l", 2, 1).await.unwrap();
    assert_eq!(
        store.exists_multiple(&["l"]).await.unwrap(),
        0,
        "LTRIM with start > stop deletes the list"
    );
    store.rpush_multiple("l", ["a", "b", "c"]).await.unwrap();
    store.ltrim("l", 3, 10).await.unwrap();
    assert_eq!(
        store.exists_multiple(&["l"]).await.unwrap(),
        0,
        "LTRIM starting past the end deletes the list"
    );
}

/// Every list write keeps the list's TTL, `LMOVE`'s destination included.
pub async fn test_list_writes_keep_ttl(store: TestStore) {
    store
        .rpush_multiple("l", ["a", "b", "c", "d", "e"])
        .await
        .unwrap();
    store.pexpire("l", 100_000).await.unwrap();
    store.rpush_multiple("l", ["f"]).await.unwrap();
    store.lpush_multiple("l", ["z"]).await.unwrap();
    store.lpop("l").await.unwrap();
    store.rpop_count("l", 1).await.unwrap();
    store.lset("l", 0, "A").await.unwrap();
    store.lrem("l", 1, "b").await.unwrap();
    store.ltrim("l", 0, 2).await.unwrap();
    store.rpush_multiple("other", ["x"]).await.unwrap();
    store
        .lmove("other", "l", ListEnd::Left, ListEnd::Right)
        .await
        .unwrap();
    let pttl = store.pttl("l").await.unwrap();
    assert!(
        (90_000..=100_000).contains(&pttl),
        "RPUSH/LPUSH/LPOP/RPOP/LSET/LREM/LTRIM/LMOVE keep the list's TTL, got {pttl}"
    );
    assert_eq!(
        all(&store, "l").await,
        bytes(&["A", "c", "d", "x"]),
        "the writes applied"
    );
}

/// A push to an expired list starts a new list without TTL.
pub async fn test_push_on_expired_list_starts_fresh(store: TestStore) {
    store.rpush_multiple("l", ["old1", "old2"]).await.unwrap();
    store.pexpire("l", 50).await.unwrap();
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert_eq!(
        store.rpush_multiple("l", ["new"]).await.unwrap(),
        1,
        "RPUSH to an expired list starts from empty"
    );
    assert_eq!(all(&store, "l").await, bytes(&["new"]));
    assert_eq!(
        store.ttl("l").await.unwrap(),
        -1,
        "a list created by RPUSH has no TTL"
    );
}

/// Every list command on a key of `kind` is `WrongType` and changes nothing.
async fn list_commands_wrong_type(store: TestStore, kind: KeyType) {
    populate(&store, "k", kind).await;
    store.expire("k", 1000).await.unwrap();
    store.rpush_multiple("list", ["a"]).await.unwrap();
    let before = snapshot(&store, "k").await;
    let key = || "k".to_owned();
    let wait = Duration::from_secs(1);
    let mut commands = vec![
        Command::LPush {
            key: key().into(),
            values: bytes(&["v"]),
        },
        Command::RPush {
            key: key().into(),
            values: bytes(&["v"]),
        },
        Command::LRange {
            key: key().into(),
            start: 0,
            stop: -1,
        },
        Command::LLen { key: key().into() },
        Command::LIndex {
            key: key().into(),
            index: 0,
        },
        Command::LSet {
            key: key().into(),
            index: 0,
            value: Bytes::from("v"),
        },
        Command::LRem {
            key: key().into(),
            count: 0,
            value: Bytes::from("a"),
        },
        Command::LTrim {
            key: key().into(),
            start: 0,
            stop: 0,
        },
        Command::LMove {
            source: key().into(),
            destination: "list".into(),
            from: ListEnd::Left,
            to: ListEnd::Right,
        },
        Command::LMove {
            source: "list".into(),
            destination: key().into(),
            from: ListEnd::Left,
            to: ListEnd::Right,
        },
        Command::BLPop {
            keys: vec![key().into()],
            timeout: wait,
        },
        Command::BRPop {
            keys: vec![key().into()],
            timeout: wait,
        },
        Command::BLMove {
            source: key().into(),
            destination: "list".into(),
            from: ListEnd::Left,
            to: ListEnd::Right,
            timeout: wait,
        },
    ];
    for count in [None, Some(0), Some(2)] {
        commands.push(Command::LPop {
            key: key().into(),
            count,
        });
        commands.push(Command::RPop {
            key: key().into(),
            count,
        });
    }
    let name = kind.as_str();
    for command in commands {
        let label = format!("{} on a {name} is WRONGTYPE", command.name());
        assert_kind(store.execute(command).await, ErrorKind::WrongType, &label);
    }
    assert_eq!(
        snapshot(&store, "k").await,
        before,
        "WRONGTYPE changes nothing on a {name}"
    );
    assert_eq!(
        all(&store, "list").await,
        bytes(&["a"]),
        "a WRONGTYPE LMOVE leaves the other list"
    );
    let ttl = store.ttl("k").await.unwrap();
    assert!(
        (990..=1000).contains(&ttl),
        "WRONGTYPE keeps the {name}'s TTL, got {ttl}"
    );
}

/// List commands on a string are `WrongType` and change nothing.
pub async fn test_list_commands_wrong_type_on_string(store: TestStore) {
    list_commands_wrong_type(store, KeyType::String).await;
}

/// List commands on a hash are `WrongType` and change nothing.
pub async fn test_list_commands_wrong_type_on_hash(store: TestStore) {
    list_commands_wrong_type(store, KeyType::Hash).await;
}

/// `LPUSH`/`RPUSH` without values are `InvalidInput` (wrong number of arguments).
pub async fn test_push_without_values_invalid(store: TestStore) {
    assert_kind(
        store.lpush_multiple("l", Vec::<Bytes>::new()).await,
        ErrorKind::InvalidInput,
        "LPUSH without values is refused",
    );
    assert_kind(
        store.rpush_multiple("l", Vec::<Bytes>::new()).await,
        ErrorKind::InvalidInput,
        "RPUSH without values is refused",
    );
    assert_eq!(
        store.exists_multiple(&["l"]).await.unwrap(),
        0,
        "a refused push creates nothing"
    );
}
