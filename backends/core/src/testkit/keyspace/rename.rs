//! Conformance cases for `RENAME` and `RENAMENX`: value and TTL moved, destination overwritten, a
//! missing source, and a key renamed onto itself.

use std::time::Duration;

use super::super::TestStore;
use super::assert_kind;
use crate::prelude::*;

/// `RENAME` moves the value and its TTL.
pub async fn test_rename_moves_value_and_ttl(store: TestStore) {
    store
        .setex("old", "v", Duration::from_secs(100))
        .await
        .unwrap();
    store.rename("old", "new").await.unwrap();
    assert_eq!(
        store.get("old").await.unwrap(),
        None,
        "RENAME removes the source"
    );
    assert_eq!(
        store.get("new").await.unwrap().as_deref(),
        Some(&b"v"[..]),
        "RENAME moves the value"
    );
    let pttl = store.pttl("new").await.unwrap();
    assert!(
        (90_000..=100_000).contains(&pttl),
        "RENAME moves the TTL with the value, got {pttl}"
    );
    store.rpush_multiple("list", ["a", "b"]).await.unwrap();
    store.rename("list", "list2").await.unwrap();
    assert_eq!(
        store.lrange("list2", 0, -1).await.unwrap(),
        vec![Bytes::from("a"), Bytes::from("b")],
        "RENAME moves collections too"
    );
    assert_eq!(
        store.ttl("list2").await.unwrap(),
        -1,
        "a key without TTL stays without"
    );
}

/// `RENAME` overwrites the destination, whatever its type and TTL.
pub async fn test_rename_overwrites_destination(store: TestStore) {
    store.set("src", "v").await.unwrap();
    store.rpush_multiple("dst", ["x"]).await.unwrap();
    store.expire("dst", 100).await.unwrap();
    store.rename("src", "dst").await.unwrap();
    assert_eq!(
        store.key_type("dst").await.unwrap(),
        Some(KeyType::String),
        "RENAME overwrites a destination of another type"
    );
    assert_eq!(
        store.ttl("dst").await.unwrap(),
        -1,
        "the destination's old TTL does not survive RENAME"
    );
    assert_eq!(
        store.dbsize().await.unwrap(),
        1,
        "only the destination remains"
    );
}

/// `RENAME` of a missing key is `NotFound` and changes nothing.
pub async fn test_rename_missing_key_not_found(store: TestStore) {
    store.set("dst", "keep").await.unwrap();
    assert_kind(
        store.rename("missing", "dst").await,
        ErrorKind::NotFound,
        "RENAME of a missing key",
    );
    assert_eq!(
        store.get("dst").await.unwrap().as_deref(),
        Some(&b"keep"[..]),
        "a failed RENAME leaves the destination"
    );
    assert_kind(
        store.renamenx("missing", "other").await,
        ErrorKind::NotFound,
        "RENAMENX of a missing key",
    );
}

/// `RENAMENX` renames only when the destination is missing.
pub async fn test_renamenx(store: TestStore) {
    store.set("a", "1").await.unwrap();
    store.set("b", "2").await.unwrap();
    assert!(
        !store.renamenx("a", "b").await.unwrap(),
        "RENAMENX onto an existing key is 0"
    );
    assert_eq!(
        store.mget(&["a", "b"]).await.unwrap(),
        vec![Some(Bytes::from("1")), Some(Bytes::from("2"))],
        "a refused RENAMENX changes nothing"
    );
    store.expire("a", 100).await.unwrap();
    assert!(
        store.renamenx("a", "c").await.unwrap(),
        "RENAMENX onto a free key is 1"
    );
    assert_eq!(
        store.get("a").await.unwrap(),
        None,
        "RENAMENX removes the source"
    );
    assert_eq!(
        store.get("c").await.unwrap().as_deref(),
        Some(&b"1"[..]),
        "RENAMENX moves the value"
    );
    let ttl = store.ttl("c").await.unwrap();
    assert!(
        (99..=100).contains(&ttl),
        "RENAMENX moves the TTL, got {ttl}"
    );
}

/// `RENAME` of a key onto itself succeeds and keeps value and TTL.
pub async fn test_rename_onto_itself(store: TestStore) {
    store
        .setex("k", "v", Duration::from_secs(100))
        .await
        .unwrap();
    store.rename("k", "k").await.unwrap();
    assert_eq!(
        store.get("k").await.unwrap().as_deref(),
        Some(&b"v"[..]),
        "RENAME k k keeps the value"
    );
    let ttl = store.ttl("k").await.unwrap();
    assert!(
        (99..=100).contains(&ttl),
        "RENAME k k keeps the TTL, got {ttl}"
    );
}
