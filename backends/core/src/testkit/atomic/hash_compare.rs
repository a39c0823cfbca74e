//! Conformance cases for compare-and-set and compare-and-delete on hash fields, an emptied hash
//! deleting its key.

use super::super::TestStore;
use super::super::keyspace::assert_kind;
use super::b;
use crate::prelude::*;

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
        store.exists_multiple(&["nohash"]).await.unwrap(),
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
        store.exists_multiple(&["h"]).await.unwrap(),
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
