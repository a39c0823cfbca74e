//! Conformance cases for the `EXPIRE` family (`EXPIRE`, `EXPIREAT`, `PEXPIRE` with
//! `NX`/`XX`/`GT`/`LT`), `PERSIST`, and `TTL`/`PTTL`.

use super::super::TestStore;
use super::now_ms;
use crate::prelude::*;

/// `EXPIRE` sets a TTL in seconds that `TTL` and `PTTL` report.
pub async fn test_expire_sets_ttl(store: TestStore) {
    store.set("k", "v").await.unwrap();
    assert!(
        store.expire("k", 100).await.unwrap(),
        "EXPIRE on a key is 1"
    );
    let ttl = store.ttl("k").await.unwrap();
    assert!(
        (99..=100).contains(&ttl),
        "TTL after EXPIRE 100 is ~100, got {ttl}"
    );
    let pttl = store.pttl("k").await.unwrap();
    assert!(
        (95_000..=100_000).contains(&pttl),
        "PTTL after EXPIRE 100 is ~100000, got {pttl}"
    );
}

/// `EXPIRE` on a missing key is 0 and creates nothing.
pub async fn test_expire_missing_key(store: TestStore) {
    assert!(
        !store.expire("missing", 100).await.unwrap(),
        "EXPIRE of a missing key is 0"
    );
    assert!(
        !store
            .expire_options("missing", Expiry::Millis(-1), None)
            .await
            .unwrap(),
        "PEXPIRE -1 of a missing key is 0"
    );
    assert_eq!(
        store.exists_multiple(&["missing"]).await.unwrap(),
        0,
        "still missing"
    );
}

/// `EXPIRE NX` only sets a TTL on a key without one.
pub async fn test_expire_nx(store: TestStore) {
    store.set("k", "v").await.unwrap();
    let nx = Some(ExpireCondition::Nx);
    assert!(
        store
            .expire_options("k", Expiry::Seconds(100), nx)
            .await
            .unwrap(),
        "EXPIRE NX sets a TTL on a key without one"
    );
    assert!(
        !store
            .expire_options("k", Expiry::Seconds(500), nx)
            .await
            .unwrap(),
        "EXPIRE NX does nothing on a key with a TTL"
    );
    let ttl = store.ttl("k").await.unwrap();
    assert!(
        (99..=100).contains(&ttl),
        "failed EXPIRE NX kept the TTL, got {ttl}"
    );
}

/// `EXPIRE XX` only changes an existing TTL.
pub async fn test_expire_xx(store: TestStore) {
    store.set("k", "v").await.unwrap();
    let xx = Some(ExpireCondition::Xx);
    assert!(
        !store
            .expire_options("k", Expiry::Seconds(100), xx)
            .await
            .unwrap(),
        "EXPIRE XX does nothing on a key without TTL"
    );
    assert_eq!(
        store.ttl("k").await.unwrap(),
        -1,
        "failed EXPIRE XX left no TTL"
    );
    store.expire("k", 100).await.unwrap();
    assert!(
        store
            .expire_options("k", Expiry::Seconds(300), xx)
            .await
            .unwrap(),
        "EXPIRE XX changes an existing TTL"
    );
    let ttl = store.ttl("k").await.unwrap();
    assert!((299..=300).contains(&ttl), "EXPIRE XX applied, got {ttl}");
}

/// `GT`/`LT` treat a key without TTL as having an infinite one.
pub async fn test_expire_gt_lt_without_ttl_is_infinite(store: TestStore) {
    store.set("k", "v").await.unwrap();
    assert!(
        !store
            .expire_options("k", Expiry::Seconds(100), Some(ExpireCondition::Gt))
            .await
            .unwrap(),
        "EXPIRE GT never beats the infinite TTL of a persistent key"
    );
    assert_eq!(store.ttl("k").await.unwrap(), -1, "failed GT left no TTL");
    assert!(
        store
            .expire_options("k", Expiry::Seconds(100), Some(ExpireCondition::Lt))
            .await
            .unwrap(),
        "EXPIRE LT always beats the infinite TTL of a persistent key"
    );
    let ttl = store.ttl("k").await.unwrap();
    assert!(
        (99..=100).contains(&ttl),
        "EXPIRE LT set the TTL, got {ttl}"
    );
}

/// `GT`/`LT` compare with the current TTL.
pub async fn test_expire_gt_lt_compare(store: TestStore) {
    store.set("k", "v").await.unwrap();
    store.expire("k", 100).await.unwrap();
    let gt = Some(ExpireCondition::Gt);
    let lt = Some(ExpireCondition::Lt);
    assert!(
        !store
            .expire_options("k", Expiry::Seconds(50), gt)
            .await
            .unwrap(),
        "GT with a shorter TTL fails"
    );
    assert!(
        store
            .expire_options("k", Expiry::Seconds(200), gt)
            .await
            .unwrap(),
        "GT with a longer TTL succeeds"
    );
    assert!(
        !store
            .expire_options("k", Expiry::Seconds(300), lt)
            .await
            .unwrap(),
        "LT with a longer TTL fails"
    );
    assert!(
        store
            .expire_options("k", Expiry::Millis(10_000), lt)
            .await
            .unwrap(),
        "LT with a shorter TTL succeeds"
    );
    let pttl = store.pttl("k").await.unwrap();
    assert!(
        (9_000..=10_000).contains(&pttl),
        "PEXPIRE LT 10000 is the TTL now, got {pttl}"
    );
}

/// A zero or negative relative expiry deletes the key and replies 1.
pub async fn test_expire_non_positive_deletes(store: TestStore) {
    store.set("a", "v").await.unwrap();
    store.rpush_multiple("b", ["x"]).await.unwrap();
    assert!(
        store.expire("a", 0).await.unwrap(),
        "EXPIRE 0 replies 1 on an existing key"
    );
    assert!(
        store.pexpire("b", -5).await.unwrap(),
        "PEXPIRE -5 replies 1 on an existing key"
    );
    assert_eq!(
        store.get("a").await.unwrap(),
        None,
        "EXPIRE 0 deleted the key"
    );
    assert_eq!(
        store.exists_multiple(&["a", "b"]).await.unwrap(),
        0,
        "non-positive expiry deletes the key"
    );
}

/// An absolute expiry in the past deletes the key.
pub async fn test_expireat_past_deletes(store: TestStore) {
    store.set("a", "v").await.unwrap();
    store.set("b", "v").await.unwrap();
    assert!(
        store
            .expire_options("a", Expiry::AtSeconds(1), None)
            .await
            .unwrap(),
        "EXPIREAT in the past replies 1"
    );
    assert!(
        store
            .expire_options("b", Expiry::AtMillis(now_ms() - 10_000), None)
            .await
            .unwrap(),
        "PEXPIREAT in the past replies 1"
    );
    assert_eq!(
        store.exists_multiple(&["a", "b"]).await.unwrap(),
        0,
        "a past absolute expiry deletes the key"
    );
}

/// `EXPIREAT`/`PEXPIREAT` in the future set the matching TTL.
pub async fn test_expireat_future_sets_ttl(store: TestStore) {
    store.set("a", "v").await.unwrap();
    store.set("b", "v").await.unwrap();
    let at = now_ms() / 1000 + 100;
    assert!(
        store
            .expire_options("a", Expiry::AtSeconds(at), None)
            .await
            .unwrap(),
        "EXPIREAT in the future replies 1"
    );
    let ttl = store.ttl("a").await.unwrap();
    assert!(
        (98..=100).contains(&ttl),
        "EXPIREAT now+100 s gives TTL ~100, got {ttl}"
    );
    assert!(
        store
            .expire_options("b", Expiry::AtMillis(now_ms() + 50_000), None)
            .await
            .unwrap(),
        "PEXPIREAT in the future replies 1"
    );
    let pttl = store.pttl("b").await.unwrap();
    assert!(
        (45_000..=50_000).contains(&pttl),
        "PEXPIREAT now+50000 ms gives PTTL ~50000, got {pttl}"
    );
}

/// `PEXPIRE` sets a TTL in milliseconds.
pub async fn test_pexpire_sets_ms_ttl(store: TestStore) {
    store.sadd_multiple("s", ["m"]).await.unwrap();
    assert!(
        store.pexpire("s", 5_000).await.unwrap(),
        "PEXPIRE replies 1"
    );
    let pttl = store.pttl("s").await.unwrap();
    assert!(
        (4_000..=5_000).contains(&pttl),
        "PTTL after PEXPIRE 5000 is within (4000, 5000], got {pttl}"
    );
    assert_eq!(store.ttl("s").await.unwrap(), 5, "TTL of ~5000 ms is 5 s");
}

/// `PERSIST` removes a TTL and replies 1 only when there was one.
pub async fn test_persist_removes_ttl(store: TestStore) {
    store.set("k", "v").await.unwrap();
    assert!(
        !store.persist("k").await.unwrap(),
        "PERSIST without TTL is 0"
    );
    store.expire("k", 100).await.unwrap();
    assert!(store.persist("k").await.unwrap(), "PERSIST with a TTL is 1");
    assert_eq!(store.ttl("k").await.unwrap(), -1, "PERSIST removed the TTL");
    assert_eq!(
        store.get("k").await.unwrap().as_deref(),
        Some(&b"v"[..]),
        "PERSIST keeps the value"
    );
    assert!(
        !store.persist("missing").await.unwrap(),
        "PERSIST of a missing key is 0"
    );
}

/// `TTL`/`PTTL` are -2 for a missing key and -1 for a key without TTL.
pub async fn test_ttl_missing_and_no_ttl(store: TestStore) {
    assert_eq!(
        store.ttl("missing").await.unwrap(),
        -2,
        "TTL of missing is -2"
    );
    assert_eq!(
        store.pttl("missing").await.unwrap(),
        -2,
        "PTTL of missing is -2"
    );
    store.hset("h", "f", "v").await.unwrap();
    assert_eq!(
        store.ttl("h").await.unwrap(),
        -1,
        "TTL without expiry is -1"
    );
    assert_eq!(
        store.pttl("h").await.unwrap(),
        -1,
        "PTTL without expiry is -1"
    );
}

/// `TTL` rounds the remaining milliseconds to the nearest second, as Redis does
/// (`(ms + 500) / 1000`).
pub async fn test_ttl_rounds_to_nearest_second(store: TestStore) {
    store.set("a", "v").await.unwrap();
    store.pexpire("a", 1_300).await.unwrap();
    assert_eq!(
        store.ttl("a").await.unwrap(),
        1,
        "1300 ms remaining rounds to 1 s"
    );
    store.pexpire("a", 1_950).await.unwrap();
    assert_eq!(
        store.ttl("a").await.unwrap(),
        2,
        "1950 ms remaining rounds to 2 s"
    );
    store.pexpire("a", 2_300).await.unwrap();
    assert_eq!(
        store.ttl("a").await.unwrap(),
        2,
        "2300 ms remaining rounds to 2 s"
    );
}

/// The `NX|XX|GT|LT` condition is checked before a non-positive expiry deletes the key.
pub async fn test_expire_condition_checked_before_delete(store: TestStore) {
    let cond = |c| Some(c);
    store.set("ttl", "v").await.unwrap();
    store.expire("ttl", 100).await.unwrap();
    assert!(
        !store
            .expire_options("ttl", Expiry::Seconds(-1), cond(ExpireCondition::Gt))
            .await
            .unwrap(),
        "EXPIRE -1 GT fails against a positive TTL"
    );
    assert_eq!(
        store.exists_multiple(&["ttl"]).await.unwrap(),
        1,
        "a failed GT deletes nothing"
    );
    assert!(
        store
            .expire_options("ttl", Expiry::Seconds(-1), cond(ExpireCondition::Lt))
            .await
            .unwrap(),
        "EXPIRE -1 LT succeeds against a positive TTL"
    );
    assert_eq!(
        store.exists_multiple(&["ttl"]).await.unwrap(),
        0,
        "and deletes the key"
    );

    store.set("plain", "v").await.unwrap();
    for condition in [ExpireCondition::Gt, ExpireCondition::Xx] {
        assert!(
            !store
                .expire_options("plain", Expiry::Millis(0), cond(condition))
                .await
                .unwrap(),
            "PEXPIRE 0 {condition:?} fails on a key without TTL"
        );
        assert_eq!(
            store.exists_multiple(&["plain"]).await.unwrap(),
            1,
            "a failed {condition:?} deletes nothing"
        );
    }
    assert!(
        store
            .expire_options("plain", Expiry::AtSeconds(1), cond(ExpireCondition::Nx))
            .await
            .unwrap(),
        "EXPIREAT in the past with NX succeeds on a key without TTL"
    );
    assert_eq!(
        store.exists_multiple(&["plain"]).await.unwrap(),
        0,
        "and deletes the key"
    );
}
