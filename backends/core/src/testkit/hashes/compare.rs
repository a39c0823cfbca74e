//! Conformance cases for the compound hash-field operations: compare-and-set (with an
//! expected value, or expecting the field to be missing) and compare-and-delete, their TTL and
//! empty-hash rules, and `WRONGTYPE` on a non-hash.

use super::super::TestStore;
use super::super::keyspace::assert_kind;
use super::b;
use crate::prelude::*;

/// Hash compare-and-set writes only when the field holds the expected value, keeping the TTL.
pub async fn test_hcas_expected_value(store: TestStore) {
    assert!(
        !store
            .hcompare_and_set("h", "state", b("idle"), "busy")
            .await
            .unwrap(),
        "HCAS expecting a value fails on a missing key"
    );
    assert_eq!(
        store.exists_multiple(&["h"]).await.unwrap(),
        0,
        "a failed HCAS creates nothing"
    );
    store.hset("h", "state", "idle").await.unwrap();
    store.pexpire("h", 100_000).await.unwrap();
    assert!(
        store
            .hcompare_and_set("h", "state", b("idle"), "busy")
            .await
            .unwrap(),
        "HCAS with the current value sets"
    );
    assert_eq!(store.hget("h", "state").await.unwrap(), b("busy"));
    assert!(
        !store
            .hcompare_and_set("h", "state", b("idle"), "done")
            .await
            .unwrap(),
        "HCAS with a stale value fails"
    );
    assert_eq!(
        store.hget("h", "state").await.unwrap(),
        b("busy"),
        "a failed HCAS changes nothing"
    );
    assert!(
        !store
            .hcompare_and_set("h", "other", b("idle"), "x")
            .await
            .unwrap(),
        "HCAS expecting a value fails on a missing field"
    );
    let pttl = store.pttl("h").await.unwrap();
    assert!(
        (90_000..=100_000).contains(&pttl),
        "HCAS keeps the hash's TTL, got {pttl}"
    );
}

/// Hash compare-and-set with no expected value writes only a missing field.
pub async fn test_hcas_expected_missing(store: TestStore) {
    assert!(
        store
            .hcompare_and_set("h", "owner", None, "a")
            .await
            .unwrap(),
        "HCAS expecting nothing sets a field of a missing key"
    );
    assert_eq!(
        store.ttl("h").await.unwrap(),
        -1,
        "a hash created by HCAS has no TTL"
    );
    assert!(
        !store
            .hcompare_and_set("h", "owner", None, "b")
            .await
            .unwrap(),
        "HCAS expecting nothing fails when the field exists"
    );
    assert_eq!(
        store.hget("h", "owner").await.unwrap(),
        b("a"),
        "the first owner stays"
    );
    assert!(
        store
            .hcompare_and_set("h", "other", None, "c")
            .await
            .unwrap(),
        "HCAS expecting nothing sets a missing field of an existing hash"
    );
    assert_eq!(store.hlen("h").await.unwrap(), 2);
}

/// Hash compare-and-delete removes only a matching field, and an emptied hash's key.
pub async fn test_hcad_removes_field_and_emptied_hash(store: TestStore) {
    assert!(
        !store.hcompare_and_delete("h", "lock", "me").await.unwrap(),
        "HCAD on a missing key is 0"
    );
    store
        .hset_multiple("h", [("lock", "me"), ("note", "x")])
        .await
        .unwrap();
    assert!(
        !store.hcompare_and_delete("h", "lock", "you").await.unwrap(),
        "HCAD with another value is 0"
    );
    assert_eq!(
        store.hget("h", "lock").await.unwrap(),
        b("me"),
        "a failed HCAD keeps the field"
    );
    assert!(
        store.hcompare_and_delete("h", "lock", "me").await.unwrap(),
        "HCAD with the current value deletes"
    );
    assert_eq!(
        store.hkeys("h").await.unwrap(),
        vec!["note".to_owned()],
        "HCAD removed only its field"
    );
    assert!(
        store.hcompare_and_delete("h", "note", "x").await.unwrap(),
        "HCAD of the last field deletes it"
    );
    assert_eq!(
        store.exists_multiple(&["h"]).await.unwrap(),
        0,
        "HCAD that empties the hash removes the key"
    );
}

/// Hash compare-and-set/delete on a string are `WrongType` and change nothing.
pub async fn test_hcas_hcad_wrong_type(store: TestStore) {
    store.set("k", "value").await.unwrap();
    assert_kind(
        store.hcompare_and_set("k", "f", None, "v").await,
        ErrorKind::WrongType,
        "HCAS on a string is WRONGTYPE",
    );
    assert_kind(
        store.hcompare_and_set("k", "f", b("value"), "v").await,
        ErrorKind::WrongType,
        "HCAS with an expected value on a string is WRONGTYPE",
    );
    assert_kind(
        store.hcompare_and_delete("k", "f", "value").await,
        ErrorKind::WrongType,
        "HCAD on a string is WRONGTYPE",
    );
    assert_eq!(
        store.get("k").await.unwrap(),
        b("value"),
        "WRONGTYPE leaves the string as it was"
    );
}
