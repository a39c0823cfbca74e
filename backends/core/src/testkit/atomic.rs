//! Conformance cases for the atomic compound operations: compare-and-set/delete on strings and
//! hash fields, increment with a TTL on first write, moving members between sorted sets by score,
//! and races between many tasks that each must win exactly as often as the rules allow.

use std::collections::HashSet;
use std::time::Duration;

use super::keyspace::{assert_kind, populate, snapshot};
use super::{Case, TestStore, cases};
use crate::ZMoveOptions;
use crate::prelude::*;

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
    ]
}

fn b(s: &str) -> Option<Bytes> {
    Some(Bytes::copy_from_slice(s.as_bytes()))
}

fn scored(items: &[(&str, f64)]) -> Vec<(Bytes, f64)> {
    items
        .iter()
        .map(|(m, s)| (Bytes::copy_from_slice(m.as_bytes()), *s))
        .collect()
}

async fn zset(store: &TestStore, key: &str, items: &[(&str, f64)]) {
    store
        .zadd_multiple(key, items.iter().map(|(m, s)| (*s, *m)), ZAddOptions::new())
        .await
        .unwrap();
}

async fn all_scored(store: &TestStore, key: &str) -> Vec<(Bytes, f64)> {
    store.zrange_with_scores(key, 0, -1).await.unwrap()
}

// ----- compare-and-set / compare-and-delete on strings -----

/// Expected `None` sets only a missing key.
pub async fn test_cas_none_sets_only_when_missing(store: TestStore) {
    assert!(
        store.compare_and_set("k", None, "v1", None).await.unwrap(),
        "CAS with expected None sets a missing key"
    );
    assert_eq!(
        store.get("k").await.unwrap(),
        b("v1"),
        "CAS wrote the value"
    );
    assert!(
        !store.compare_and_set("k", None, "v2", None).await.unwrap(),
        "CAS with expected None fails on an existing key"
    );
    assert_eq!(
        store.get("k").await.unwrap(),
        b("v1"),
        "a failed CAS changes nothing"
    );
}

/// The matching expected value lets the write through.
pub async fn test_cas_matching_expected_sets(store: TestStore) {
    store.set("k", "old").await.unwrap();
    assert!(
        store
            .compare_and_set("k", b("old"), "new", None)
            .await
            .unwrap(),
        "CAS with the current value as expected sets"
    );
    assert_eq!(
        store.get("k").await.unwrap(),
        b("new"),
        "CAS wrote the new value"
    );
    assert!(
        store
            .compare_and_set("k", b("new"), "newer", None)
            .await
            .unwrap(),
        "CAS chains from the value it wrote"
    );
    assert_eq!(
        store.get("k").await.unwrap(),
        b("newer"),
        "second CAS wrote"
    );
}

/// A wrong expected value (or a missing key when a value is expected) replies 0.
pub async fn test_cas_wrong_expected_is_zero(store: TestStore) {
    store.set("k", "actual").await.unwrap();
    let reply = store
        .execute(Command::CompareAndSet {
            key: "k".into(),
            expected: b("other"),
            value: Bytes::from("new"),
            expiry: None,
        })
        .await
        .unwrap();
    assert_eq!(
        reply,
        Reply::Int(0),
        "CAS with a wrong expected value replies 0"
    );
    assert_eq!(
        store.get("k").await.unwrap(),
        b("actual"),
        "a failed CAS changes nothing"
    );
    assert!(
        !store
            .compare_and_set("missing", b("x"), "new", None)
            .await
            .unwrap(),
        "CAS expecting a value fails on a missing key"
    );
    assert_eq!(
        store.exists(&["missing"]).await.unwrap(),
        0,
        "and creates nothing"
    );
    assert!(
        !store
            .compare_and_set("k", b("actua"), "new", None)
            .await
            .unwrap(),
        "CAS compares whole values, not prefixes"
    );
}

/// Expiry `None` clears the TTL, as plain `SET` does.
pub async fn test_cas_expiry_none_clears_ttl(store: TestStore) {
    store
        .set_ex("k", "v", Duration::from_secs(100))
        .await
        .unwrap();
    assert!(
        store.compare_and_set("k", b("v"), "w", None).await.unwrap(),
        "CAS matched"
    );
    assert_eq!(
        store.ttl("k").await.unwrap(),
        -1,
        "CAS with expiry None clears the TTL"
    );
}

/// Expiry `KeepTtl` keeps the TTL.
pub async fn test_cas_keepttl_keeps_ttl(store: TestStore) {
    store
        .set_ex("k", "v", Duration::from_secs(100))
        .await
        .unwrap();
    assert!(
        store
            .compare_and_set("k", b("v"), "w", Some(SetExpiry::KeepTtl))
            .await
            .unwrap(),
        "CAS KEEPTTL matched"
    );
    let pttl = store.pttl("k").await.unwrap();
    assert!(
        (90_000..=100_000).contains(&pttl),
        "CAS with KeepTtl keeps the TTL, got {pttl}"
    );
    assert_eq!(store.get("k").await.unwrap(), b("w"), "CAS KEEPTTL wrote");
}

/// Expiry `Px` sets the TTL; a failed CAS leaves the TTL alone.
pub async fn test_cas_px_sets_ttl(store: TestStore) {
    assert!(
        store
            .compare_and_set("k", None, "v", Some(SetExpiry::Px(50_000)))
            .await
            .unwrap(),
        "CAS PX on a missing key"
    );
    let pttl = store.pttl("k").await.unwrap();
    assert!(
        (45_000..=50_000).contains(&pttl),
        "CAS PX sets the TTL, got {pttl}"
    );
    assert!(
        !store
            .compare_and_set("k", b("nope"), "w", Some(SetExpiry::Px(500_000)))
            .await
            .unwrap(),
        "CAS with the wrong value fails"
    );
    let pttl = store.pttl("k").await.unwrap();
    assert!(
        (45_000..=50_000).contains(&pttl),
        "a failed CAS does not touch the TTL, got {pttl}"
    );
    store.set("p", "v").await.unwrap();
    store
        .compare_and_set("p", b("v"), "w", Some(SetExpiry::Ex(100)))
        .await
        .unwrap();
    let ttl = store.ttl("p").await.unwrap();
    assert!((99..=100).contains(&ttl), "CAS EX sets the TTL, got {ttl}");
}

/// CAS on a non-string is `WrongType` and changes nothing.
pub async fn test_cas_wrong_type(store: TestStore) {
    populate(&store, "l", KeyType::List).await;
    let before = snapshot(&store, "l").await;
    assert_kind(
        store.compare_and_set("l", b("a"), "v", None).await,
        ErrorKind::WrongType,
        "CAS with an expected value on a list",
    );
    assert_kind(
        store.compare_and_set("l", None, "v", None).await,
        ErrorKind::WrongType,
        "CAS with expected None on a list",
    );
    assert_eq!(
        snapshot(&store, "l").await,
        before,
        "WRONGTYPE CAS changes nothing"
    );
}

/// CAS compares and writes binary values exactly.
pub async fn test_cas_binary_values(store: TestStore) {
    let old = Bytes::from_static(b"\x00\xffold\x00");
    store.set("k", &old).await.unwrap();
    assert!(
        !store
            .compare_and_set("k", Some(Bytes::from_static(b"\x00\xffold")), "x", None)
            .await
            .unwrap(),
        "a trailing NUL byte matters"
    );
    assert!(
        store
            .compare_and_set("k", Some(old), &b"\x01\x00"[..], None)
            .await
            .unwrap(),
        "CAS matches binary values"
    );
    assert_eq!(
        store.get("k").await.unwrap().as_deref(),
        Some(&b"\x01\x00"[..]),
        "CAS wrote binary"
    );
}

/// Compare-and-delete deletes only when the value matches.
pub async fn test_cad_deletes_only_on_match(store: TestStore) {
    store
        .set_ex("lock", "token-1", Duration::from_secs(100))
        .await
        .unwrap();
    assert!(
        !store.compare_and_delete("lock", "token-2").await.unwrap(),
        "CAD with another token does not delete"
    );
    assert_eq!(
        store.get("lock").await.unwrap(),
        b("token-1"),
        "the lock is still held"
    );
    let ttl = store.ttl("lock").await.unwrap();
    assert!(
        (99..=100).contains(&ttl),
        "a failed CAD keeps the TTL, got {ttl}"
    );
    assert!(
        store.compare_and_delete("lock", "token-1").await.unwrap(),
        "CAD with the right token deletes"
    );
    assert_eq!(
        store.exists(&["lock"]).await.unwrap(),
        0,
        "CAD removed the key"
    );
    assert!(
        !store.compare_and_delete("lock", "token-1").await.unwrap(),
        "CAD of a missing key is 0"
    );
}

// ----- hash fields -----

/// Expected `None` sets only a missing field (creating the hash if needed).
pub async fn test_hcas_none_sets_only_when_field_missing(store: TestStore) {
    assert!(
        store
            .hcompare_and_set("h", "state", None, "new")
            .await
            .unwrap(),
        "HCAS with expected None creates the field and the hash"
    );
    assert_eq!(
        store.hget("h", "state").await.unwrap(),
        b("new"),
        "HCAS wrote"
    );
    assert!(
        !store
            .hcompare_and_set("h", "state", None, "other")
            .await
            .unwrap(),
        "HCAS with expected None fails on an existing field"
    );
    assert!(
        store
            .hcompare_and_set("h", "second", None, "x")
            .await
            .unwrap(),
        "HCAS with expected None sets another missing field"
    );
    assert_eq!(store.hlen("h").await.unwrap(), 2, "two fields now");
    assert_eq!(
        store.hget("h", "state").await.unwrap(),
        b("new"),
        "first field kept"
    );
}

/// The matching expected value lets the write through; a wrong one replies 0.
pub async fn test_hcas_matching_and_mismatch(store: TestStore) {
    store.hset("h", "state", "queued").await.unwrap();
    store.hset("h", "other", "x").await.unwrap();
    assert!(
        !store
            .hcompare_and_set("h", "state", b("running"), "done")
            .await
            .unwrap(),
        "HCAS with a wrong expected value is 0"
    );
    assert!(
        !store
            .hcompare_and_set("h", "missing", b("queued"), "done")
            .await
            .unwrap(),
        "HCAS expecting a value on a missing field is 0"
    );
    assert!(
        !store
            .hcompare_and_set("nohash", "state", b("queued"), "done")
            .await
            .unwrap(),
        "HCAS expecting a value on a missing hash is 0"
    );
    assert_eq!(
        store.exists(&["nohash"]).await.unwrap(),
        0,
        "nothing was created"
    );
    assert!(
        store
            .hcompare_and_set("h", "state", b("queued"), "running")
            .await
            .unwrap(),
        "HCAS with the current value sets"
    );
    assert_eq!(
        store
            .hmget("h", &["state", "other", "missing"])
            .await
            .unwrap(),
        vec![b("running"), b("x"), None],
        "HCAS changed only its field"
    );
}

/// HCAS on a non-hash is `WrongType` and changes nothing.
pub async fn test_hcas_wrong_type(store: TestStore) {
    store.set("s", "v").await.unwrap();
    assert_kind(
        store.hcompare_and_set("s", "f", None, "x").await,
        ErrorKind::WrongType,
        "HCAS on a string",
    );
    assert_kind(
        store.hcompare_and_set("s", "f", b("v"), "x").await,
        ErrorKind::WrongType,
        "HCAS with an expected value on a string",
    );
    assert_kind(
        store.hcompare_and_delete("s", "f", "v").await,
        ErrorKind::WrongType,
        "HCAD on a string",
    );
    assert_eq!(
        store.get("s").await.unwrap(),
        b("v"),
        "WRONGTYPE HCAS changes nothing"
    );
}

/// HCAD deletes the field on a match; an emptied hash is deleted.
pub async fn test_hcad_deletes_field_and_empty_hash(store: TestStore) {
    store
        .hset_multiple("h", [("a", "1"), ("b", "2")])
        .await
        .unwrap();
    assert!(
        store.hcompare_and_delete("h", "a", "1").await.unwrap(),
        "HCAD with the right value deletes"
    );
    assert_eq!(
        store.hget("h", "a").await.unwrap(),
        None,
        "the field is gone"
    );
    assert_eq!(store.hlen("h").await.unwrap(), 1, "the other field stays");
    assert!(
        store.hcompare_and_delete("h", "b", "2").await.unwrap(),
        "HCAD of the last field"
    );
    assert_eq!(
        store.exists(&["h"]).await.unwrap(),
        0,
        "a hash emptied by HCAD is deleted"
    );
    assert_eq!(
        store.key_type("h").await.unwrap(),
        None,
        "TYPE of it is none"
    );
}

/// HCAD with a wrong value, or on a missing field, deletes nothing.
pub async fn test_hcad_mismatch_keeps_field(store: TestStore) {
    store.hset("h", "a", "1").await.unwrap();
    assert!(
        !store.hcompare_and_delete("h", "a", "2").await.unwrap(),
        "HCAD with a wrong value is 0"
    );
    assert!(
        !store.hcompare_and_delete("h", "zz", "1").await.unwrap(),
        "HCAD of a missing field is 0"
    );
    assert!(
        !store.hcompare_and_delete("nohash", "a", "1").await.unwrap(),
        "HCAD of a missing hash is 0"
    );
    assert_eq!(
        store.hget("h", "a").await.unwrap(),
        b("1"),
        "the field is kept"
    );
}

// ----- increment with a TTL on first write -----

/// The first write of a window sets the TTL.
pub async fn test_incrbyex_sets_ttl_on_first_write(store: TestStore) {
    let reply = store
        .execute(Command::IncrByEx {
            key: "rl".into(),
            delta: 3,
            ttl_ms: 10_000,
        })
        .await
        .unwrap();
    assert_eq!(reply, Reply::Int(3), "IncrByEx replies the new value");
    let pttl = store.pttl("rl").await.unwrap();
    assert!(
        (9_000..=10_000).contains(&pttl),
        "the first IncrByEx sets the TTL, got {pttl}"
    );
    assert_eq!(
        store.get("rl").await.unwrap(),
        b("3"),
        "stored as a counter"
    );
}

/// Later increments never extend the TTL.
pub async fn test_incrbyex_never_extends_ttl(store: TestStore) {
    store
        .incr_by_ex("rl", 1, Duration::from_millis(10_000))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let before = store.pttl("rl").await.unwrap();
    assert_eq!(
        store
            .incr_by_ex("rl", 1, Duration::from_secs(1_000))
            .await
            .unwrap(),
        2,
        "the second call increments"
    );
    assert_eq!(
        store
            .incr_by_ex("rl", -5, Duration::from_secs(1_000))
            .await
            .unwrap(),
        -3,
        "negative deltas work"
    );
    let after = store.pttl("rl").await.unwrap();
    assert!(
        after <= before && after > 9_000,
        "later IncrByEx calls never extend or reset the TTL: {before} then {after}"
    );
}

/// A key that exists without a TTL gets one.
pub async fn test_incrbyex_key_without_ttl_gets_one(store: TestStore) {
    store.set("rl", "10").await.unwrap();
    assert_eq!(
        store
            .incr_by_ex("rl", 1, Duration::from_secs(60))
            .await
            .unwrap(),
        11,
        "IncrByEx continues an existing counter"
    );
    let ttl = store.ttl("rl").await.unwrap();
    assert!(
        (59..=60).contains(&ttl),
        "a key that had no TTL gets one, got {ttl}"
    );
    store.set("bad", "x").await.unwrap();
    assert_kind(
        store.incr_by_ex("bad", 1, Duration::from_secs(60)).await,
        ErrorKind::InvalidInput,
        "IncrByEx of a non-integer",
    );
    assert_eq!(
        store.ttl("bad").await.unwrap(),
        -1,
        "a failed IncrByEx sets no TTL"
    );
    store.rpush("l", ["a"]).await.unwrap();
    assert_kind(
        store.incr_by_ex("l", 1, Duration::from_secs(60)).await,
        ErrorKind::WrongType,
        "IncrByEx of a list",
    );
    assert_eq!(
        store.ttl("l").await.unwrap(),
        -1,
        "a WRONGTYPE IncrByEx sets no TTL"
    );
}

/// When the window's TTL runs out the next call starts a new window.
pub async fn test_incrbyex_window_restarts_after_expiry(store: TestStore) {
    store
        .incr_by_ex("rl", 5, Duration::from_millis(50))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert_eq!(
        store
            .incr_by_ex("rl", 1, Duration::from_secs(30))
            .await
            .unwrap(),
        1,
        "after expiry the counter starts again from 0"
    );
    let ttl = store.ttl("rl").await.unwrap();
    assert!(
        (29..=30).contains(&ttl),
        "the new window has its own TTL, got {ttl}"
    );
}

// ----- moving members between sorted sets -----

/// Only members within `[min, max]` move, lowest score first, returned with their scores.
pub async fn test_zmove_moves_range_lowest_first(store: TestStore) {
    zset(
        &store,
        "src",
        &[("d", 4.0), ("a", 1.0), ("c", 3.0), ("b", 2.0), ("e", 5.0)],
    )
    .await;
    let moved = store
        .zmove_by_score(
            "src",
            "dst",
            ZMoveOptions::new()
                .from(ScoreBound::Inclusive(2.0))
                .up_to(ScoreBound::Inclusive(4.0)),
        )
        .await
        .unwrap();
    assert_eq!(
        moved,
        scored(&[("b", 2.0), ("c", 3.0), ("d", 4.0)]),
        "members in [2, 4] move, lowest first, with their scores"
    );
    assert_eq!(
        all_scored(&store, "src").await,
        scored(&[("a", 1.0), ("e", 5.0)]),
        "members outside the range stay"
    );
    assert_eq!(
        all_scored(&store, "dst").await,
        scored(&[("b", 2.0), ("c", 3.0), ("d", 4.0)]),
        "MoveScore::Keep keeps the scores in the destination"
    );
}

/// `limit` moves at most that many, the lowest scores first.
pub async fn test_zmove_limit(store: TestStore) {
    zset(&store, "src", &[("c", 30.0), ("a", 10.0), ("b", 20.0)]).await;
    let moved = store
        .zmove_by_score("src", "dst", ZMoveOptions::new().limit(2))
        .await
        .unwrap();
    assert_eq!(
        moved,
        scored(&[("a", 10.0), ("b", 20.0)]),
        "limit 2 moves the two lowest"
    );
    assert_eq!(store.zcard("src").await.unwrap(), 1, "one member left");
    let moved = store
        .zmove_by_score("src", "dst", ZMoveOptions::new().limit(5))
        .await
        .unwrap();
    assert_eq!(
        moved,
        scored(&[("c", 30.0)]),
        "a limit above the count moves the rest"
    );
    assert_eq!(
        store.zcard("dst").await.unwrap(),
        3,
        "all three are in the destination"
    );
}

/// Exclusive and infinite bounds.
pub async fn test_zmove_exclusive_and_infinite_bounds(store: TestStore) {
    zset(
        &store,
        "src",
        &[
            ("lo", f64::NEG_INFINITY),
            ("one", 1.0),
            ("two", 2.0),
            ("hi", f64::INFINITY),
        ],
    )
    .await;
    let moved = store
        .zmove_by_score(
            "src",
            "dst",
            ZMoveOptions::new()
                .from(ScoreBound::Exclusive(1.0))
                .up_to(ScoreBound::Exclusive(f64::INFINITY)),
        )
        .await
        .unwrap();
    assert_eq!(
        moved,
        scored(&[("two", 2.0)]),
        "(1 .. (+inf excludes both ends"
    );
    let moved = store
        .zmove_by_score(
            "src",
            "dst",
            ZMoveOptions::new().up_to(ScoreBound::Inclusive(1.0)),
        )
        .await
        .unwrap();
    assert_eq!(
        moved,
        scored(&[("lo", f64::NEG_INFINITY), ("one", 1.0)]),
        "-inf .. 1 includes a -inf score"
    );
    let moved = store
        .zmove_by_score("src", "dst", ZMoveOptions::new())
        .await
        .unwrap();
    assert_eq!(
        moved,
        scored(&[("hi", f64::INFINITY)]),
        "-inf .. +inf includes +inf"
    );
    assert_eq!(
        store.exists(&["src"]).await.unwrap(),
        0,
        "the source is emptied"
    );
}

/// `MoveScore::Fixed` gives every moved member that score; the reply has the old scores.
pub async fn test_zmove_fixed_score(store: TestStore) {
    zset(
        &store,
        "due",
        &[("job1", 100.0), ("job2", 200.0), ("job3", 900.0)],
    )
    .await;
    let moved = store
        .zmove_by_score(
            "due",
            "leased",
            ZMoveOptions::new()
                .up_to(ScoreBound::Inclusive(500.0))
                .score(MoveScore::Fixed(1_000.5)),
        )
        .await
        .unwrap();
    assert_eq!(
        moved,
        scored(&[("job1", 100.0), ("job2", 200.0)]),
        "the reply carries the old scores"
    );
    assert_eq!(
        all_scored(&store, "leased").await,
        scored(&[("job1", 1_000.5), ("job2", 1_000.5)]),
        "MoveScore::Fixed sets the destination score"
    );
    assert_eq!(
        all_scored(&store, "due").await,
        scored(&[("job3", 900.0)]),
        "members above max stay"
    );
}

/// Equal scores move in member byte order.
pub async fn test_zmove_ties_order_by_member(store: TestStore) {
    zset(
        &store,
        "src",
        &[("m-c", 1.0), ("m-a", 1.0), ("m-b", 1.0), ("B", 1.0)],
    )
    .await;
    let moved = store
        .zmove_by_score("src", "dst", ZMoveOptions::new().limit(3))
        .await
        .unwrap();
    assert_eq!(
        moved,
        scored(&[("B", 1.0), ("m-a", 1.0), ("m-b", 1.0)]),
        "ties move in member byte order"
    );
}

/// A member already in the destination gets its score updated.
pub async fn test_zmove_updates_existing_destination_member(store: TestStore) {
    zset(&store, "src", &[("x", 5.0), ("y", 6.0)]).await;
    zset(&store, "dst", &[("x", 50.0), ("z", 1.0)]).await;
    let moved = store
        .zmove_by_score(
            "src",
            "dst",
            ZMoveOptions::new().up_to(ScoreBound::Inclusive(5.0)),
        )
        .await
        .unwrap();
    assert_eq!(moved, scored(&[("x", 5.0)]), "x moved");
    assert_eq!(
        all_scored(&store, "dst").await,
        scored(&[("z", 1.0), ("x", 5.0)]),
        "an existing destination member takes the moved score"
    );
}

/// An emptied source is deleted.
pub async fn test_zmove_empties_source(store: TestStore) {
    zset(&store, "src", &[("a", 1.0), ("b", 2.0)]).await;
    let moved = store
        .zmove_by_score("src", "dst", ZMoveOptions::new())
        .await
        .unwrap();
    assert_eq!(moved.len(), 2, "both moved");
    assert_eq!(
        store.exists(&["src"]).await.unwrap(),
        0,
        "an emptied source is deleted"
    );
    assert_eq!(
        store.key_type("src").await.unwrap(),
        None,
        "TYPE of it is none"
    );
}

/// A missing source or an empty range moves nothing and creates nothing.
pub async fn test_zmove_missing_source(store: TestStore) {
    let reply = store
        .execute(Command::ZMoveByScore {
            source: "missing".into(),
            destination: "dst".into(),
            min: ScoreBound::MIN,
            max: ScoreBound::MAX,
            limit: None,
            score: MoveScore::Keep,
        })
        .await
        .unwrap();
    assert_eq!(
        reply,
        Reply::Array(vec![]),
        "a missing source replies an empty array"
    );
    zset(&store, "src", &[("a", 10.0)]).await;
    let moved = store
        .zmove_by_score(
            "src",
            "dst",
            ZMoveOptions::new().up_to(ScoreBound::Inclusive(5.0)),
        )
        .await
        .unwrap();
    assert!(moved.is_empty(), "nothing is due, nothing moves");
    assert_eq!(
        store.exists(&["dst"]).await.unwrap(),
        0,
        "no destination is created when nothing moves"
    );
    let moved = store
        .zmove_by_score("src", "dst", ZMoveOptions::new().limit(0))
        .await
        .unwrap();
    assert!(moved.is_empty(), "limit 0 moves nothing");
    assert_eq!(
        store.zcard("src").await.unwrap(),
        1,
        "the source keeps its member"
    );
}

/// `WrongType` on either key, and nothing moves.
pub async fn test_zmove_wrong_type_moves_nothing(store: TestStore) {
    zset(&store, "src", &[("a", 1.0), ("b", 2.0)]).await;
    store.set("str", "v").await.unwrap();
    populate(&store, "list", KeyType::List).await;
    assert_kind(
        store
            .zmove_by_score("src", "str", ZMoveOptions::new())
            .await,
        ErrorKind::WrongType,
        "ZMoveByScore into a string",
    );
    assert_kind(
        store
            .zmove_by_score("src", "list", ZMoveOptions::new())
            .await,
        ErrorKind::WrongType,
        "ZMoveByScore into a list",
    );
    assert_eq!(
        all_scored(&store, "src").await,
        scored(&[("a", 1.0), ("b", 2.0)]),
        "nothing left the source when the destination has the wrong type"
    );
    assert_eq!(
        store.get("str").await.unwrap(),
        b("v"),
        "the string is untouched"
    );
    assert_kind(
        store
            .zmove_by_score("list", "dst", ZMoveOptions::new())
            .await,
        ErrorKind::WrongType,
        "ZMoveByScore from a list",
    );
    assert_eq!(
        store.exists(&["dst"]).await.unwrap(),
        0,
        "no destination was created"
    );
    assert_eq!(
        store.llen("list").await.unwrap(),
        2,
        "the list is untouched"
    );
}

// ----- races -----

/// 32 tasks claiming one member at a time: every member is claimed exactly once.
pub async fn test_race_zmove_each_member_claimed_once(store: TestStore) {
    let members: Vec<String> = (0..200).map(|i| format!("job:{i:03}")).collect();
    store
        .zadd_multiple(
            "queue",
            members
                .iter()
                .enumerate()
                .map(|(i, m)| (i as f64, m.as_str())),
            ZAddOptions::new(),
        )
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for worker in 0..32 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut claimed = Vec::new();
            loop {
                let moved = store
                    .zmove_by_score(
                        "queue",
                        "leased",
                        ZMoveOptions::new()
                            .limit(1)
                            .score(MoveScore::Fixed(worker as f64)),
                    )
                    .await
                    .unwrap();
                match moved.len() {
                    0 => return claimed,
                    1 => claimed.push(moved[0].0.clone()),
                    n => panic!("limit 1 moved {n} members"),
                }
            }
        }));
    }
    let mut seen = HashSet::new();
    let mut total = 0;
    for task in tasks {
        for member in task.await.unwrap() {
            total += 1;
            assert!(seen.insert(member.clone()), "{member:?} was claimed twice");
        }
    }
    assert_eq!(total, 200, "every member was claimed exactly once");
    assert_eq!(
        store.zcard("leased").await.unwrap(),
        200,
        "all are in the destination"
    );
    assert_eq!(
        store.exists(&["queue"]).await.unwrap(),
        0,
        "the source is gone"
    );
}

/// 32 tasks racing a compare-and-set from the same value: exactly one wins.
pub async fn test_race_cas_exactly_one_winner(store: TestStore) {
    store.set("state", "v0").await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..32 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let won = store
                .compare_and_set("state", b("v0"), format!("task-{i}"), None)
                .await
                .unwrap();
            (i, won)
        }));
    }
    let mut winners = Vec::new();
    for task in tasks {
        let (i, won) = task.await.unwrap();
        if won {
            winners.push(i);
        }
    }
    assert_eq!(
        winners.len(),
        1,
        "exactly one CAS from v0 wins, got {winners:?}"
    );
    assert_eq!(
        store.get("state").await.unwrap(),
        b(&format!("task-{}", winners[0])),
        "the value is the winner's"
    );
}

/// 32 tasks racing a compare-and-delete of the same token: exactly one deletes.
pub async fn test_race_cad_exactly_one_winner(store: TestStore) {
    store.set("lock", "token").await.unwrap();
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store.compare_and_delete("lock", "token").await.unwrap()
        }));
    }
    let mut wins = 0;
    for task in tasks {
        wins += usize::from(task.await.unwrap());
    }
    assert_eq!(wins, 1, "exactly one CAD deletes the lock");
    assert_eq!(
        store.exists(&["lock"]).await.unwrap(),
        0,
        "the lock is gone"
    );
}

/// 32 tasks racing to move a hash field through a state machine: each step is won once.
pub async fn test_race_hcas_exactly_one_winner(store: TestStore) {
    store.hset("job", "state", "queued").await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..32 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let claimed = store
                .hcompare_and_set("job", "state", b("queued"), format!("running:{i}"))
                .await
                .unwrap();
            let created = store
                .hcompare_and_set("job", "owner", None, format!("{i}"))
                .await
                .unwrap();
            (i, claimed, created)
        }));
    }
    let (mut claims, mut creates) = (Vec::new(), 0);
    for task in tasks {
        let (i, claimed, created) = task.await.unwrap();
        if claimed {
            claims.push(i);
        }
        creates += usize::from(created);
    }
    assert_eq!(
        claims.len(),
        1,
        "exactly one HCAS claims the job, got {claims:?}"
    );
    assert_eq!(
        creates, 1,
        "exactly one HCAS with expected None creates the field"
    );
    assert_eq!(
        store.hget("job", "state").await.unwrap(),
        b(&format!("running:{}", claims[0])),
        "the state is the winner's"
    );
}

/// Concurrent `IncrByEx` calls: the final value is the number of calls, with one TTL.
pub async fn test_race_incrbyex_counts_every_call(store: TestStore) {
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut seen = Vec::new();
            for _ in 0..10 {
                seen.push(
                    store
                        .incr_by_ex("hits", 1, Duration::from_secs(60))
                        .await
                        .unwrap(),
                );
            }
            seen
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    all.sort();
    let want: Vec<i64> = (1..=320).collect();
    assert_eq!(
        all, want,
        "each concurrent IncrByEx returns a distinct count"
    );
    assert_eq!(
        store.get("hits").await.unwrap(),
        b("320"),
        "final value is 320 calls"
    );
    let ttl = store.ttl("hits").await.unwrap();
    assert!(
        (59..=60).contains(&ttl),
        "the window has the TTL of the first write, got {ttl}"
    );
}

/// An expired key counts as missing for compare-and-set and compare-and-delete.
pub async fn test_cas_expired_key_is_missing(store: TestStore) {
    store
        .set_ex("k", "old", Duration::from_millis(50))
        .await
        .unwrap();
    store
        .set_ex("d", "token", Duration::from_millis(50))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert!(
        !store
            .compare_and_set("k", b("old"), "new", None)
            .await
            .unwrap(),
        "CAS expecting the expired value fails"
    );
    assert!(
        store.compare_and_set("k", None, "new", None).await.unwrap(),
        "CAS expecting a missing key succeeds on an expired key"
    );
    assert_eq!(store.ttl("k").await.unwrap(), -1, "the old TTL is gone");
    assert!(
        !store.compare_and_delete("d", "token").await.unwrap(),
        "CAD of an expired key is 0"
    );
}

/// Compare-and-delete on a non-string is `WrongType` and deletes nothing, as `CAS` is.
pub async fn test_cad_wrong_type(store: TestStore) {
    populate(&store, "h", KeyType::Hash).await;
    let before = snapshot(&store, "h").await;
    assert_kind(
        store.compare_and_delete("h", "value").await,
        ErrorKind::WrongType,
        "CAD on a hash",
    );
    assert_eq!(
        snapshot(&store, "h").await,
        before,
        "a WRONGTYPE CAD deletes nothing"
    );
}
