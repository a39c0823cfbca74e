//! Conformance cases for increment with a TTL on first write: the TTL is set once, never extended,
//! and the window restarts after expiry.

use std::time::Duration;

use super::super::TestStore;
use super::super::keyspace::assert_kind;
use super::b;
use crate::prelude::*;

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
    store.rpush_multiple("l", ["a"]).await.unwrap();
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
