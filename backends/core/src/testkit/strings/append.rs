//! Conformance cases for `APPEND` and `STRLEN`.

use std::time::Duration;

use super::super::TestStore;
use super::b;
use crate::prelude::*;

/// `APPEND` creates, extends and returns the new length; `STRLEN` agrees.
pub async fn test_append_and_strlen(store: TestStore) {
    assert_eq!(
        store.strlen("k").await.unwrap(),
        0,
        "STRLEN of missing is 0"
    );
    assert_eq!(
        store.append("k", "Hello").await.unwrap(),
        5,
        "APPEND creates the key"
    );
    assert_eq!(
        store.append("k", " World").await.unwrap(),
        11,
        "APPEND returns the length"
    );
    assert_eq!(
        store.get("k").await.unwrap(),
        b("Hello World"),
        "APPEND concatenates"
    );
    assert_eq!(store.strlen("k").await.unwrap(), 11, "STRLEN after APPEND");
    assert_eq!(
        store.append("k", "").await.unwrap(),
        11,
        "APPEND of nothing"
    );
    store.set("n", "12").await.unwrap();
    store.append("n", "3").await.unwrap();
    assert_eq!(
        store.incr("n").await.unwrap(),
        124,
        "an appended counter is a counter"
    );
}

/// `APPEND` is binary safe and keeps the TTL.
pub async fn test_append_binary_keeps_ttl(store: TestStore) {
    store
        .setex("k", &b"\x00\xff"[..], Duration::from_secs(100))
        .await
        .unwrap();
    assert_eq!(
        store.append("k", &b"\x00\x80"[..]).await.unwrap(),
        4,
        "APPEND binary"
    );
    assert_eq!(
        store.get("k").await.unwrap().as_deref(),
        Some(&b"\x00\xff\x00\x80"[..]),
        "APPEND keeps every byte"
    );
    let pttl = store.pttl("k").await.unwrap();
    assert!(
        (90_000..=100_000).contains(&pttl),
        "APPEND keeps the TTL, got {pttl}"
    );
}
