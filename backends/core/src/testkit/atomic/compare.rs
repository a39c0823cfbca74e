//! Conformance cases for compare-and-set and compare-and-delete on string keys: expected values,
//! expiry options, binary values, expired keys and type errors.

use std::time::Duration;

use super::super::TestStore;
use super::super::keyspace::{assert_kind, populate, snapshot};
use super::b;
use crate::prelude::*;

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
        store.exists_multiple(&["missing"]).await.unwrap(),
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
        .setex("k", "v", Duration::from_secs(100))
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
        .setex("k", "v", Duration::from_secs(100))
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
        .setex("lock", "token-1", Duration::from_secs(100))
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
        store.exists_multiple(&["lock"]).await.unwrap(),
        0,
        "CAD removed the key"
    );
    assert!(
        !store.compare_and_delete("lock", "token-1").await.unwrap(),
        "CAD of a missing key is 0"
    );
}

/// An expired key counts as missing for compare-and-set and compare-and-delete.
pub async fn test_cas_expired_key_is_missing(store: TestStore) {
    store
        .setex("k", "old", Duration::from_millis(50))
        .await
        .unwrap();
    store
        .setex("d", "token", Duration::from_millis(50))
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
