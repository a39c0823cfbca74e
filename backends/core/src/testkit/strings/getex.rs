//! Conformance cases for `GETDEL` and `GETEX`.

use std::time::Duration;

use super::super::TestStore;
use super::super::keyspace::{assert_kind, now_ms};
use super::b;
use crate::prelude::*;

/// `GETDEL` returns the value and removes the key.
pub async fn test_getdel(store: TestStore) {
    store
        .setex("k", "v", Duration::from_secs(100))
        .await
        .unwrap();
    assert_eq!(
        store.getdel("k").await.unwrap(),
        b("v"),
        "GETDEL returns the value"
    );
    assert_eq!(
        store.exists_multiple(&["k"]).await.unwrap(),
        0,
        "GETDEL removes the key"
    );
    assert_eq!(
        store.ttl("k").await.unwrap(),
        -2,
        "GETDEL leaves no TTL behind"
    );
    assert_eq!(
        store.getdel("k").await.unwrap(),
        None,
        "GETDEL of missing is nil"
    );
}

/// `GETEX` without options leaves the TTL, with `PX` sets it, with `PERSIST` removes it.
pub async fn test_getex_leaves_sets_and_persists(store: TestStore) {
    assert_eq!(
        store.getex("missing", None).await.unwrap(),
        None,
        "GETEX of missing is nil"
    );
    assert_eq!(
        store
            .getex("missing", Some(GetExExpiry::Set(SetExpiry::Px(1000))))
            .await
            .unwrap(),
        None,
        "GETEX PX of missing is nil"
    );
    assert_eq!(
        store.exists_multiple(&["missing"]).await.unwrap(),
        0,
        "GETEX creates nothing"
    );
    store.set("k", "v").await.unwrap();
    assert_eq!(
        store.getex("k", None).await.unwrap(),
        b("v"),
        "GETEX returns the value"
    );
    assert_eq!(
        store.ttl("k").await.unwrap(),
        -1,
        "GETEX without options sets no TTL"
    );
    store
        .getex("k", Some(GetExExpiry::Set(SetExpiry::Px(50_000))))
        .await
        .unwrap();
    let pttl = store.pttl("k").await.unwrap();
    assert!(
        (45_000..=50_000).contains(&pttl),
        "GETEX PX sets the TTL, got {pttl}"
    );
    store.getex("k", None).await.unwrap();
    let pttl = store.pttl("k").await.unwrap();
    assert!(
        (45_000..=50_000).contains(&pttl),
        "GETEX alone keeps the TTL, got {pttl}"
    );
    store
        .getex("k", Some(GetExExpiry::Set(SetExpiry::Ex(200))))
        .await
        .unwrap();
    let ttl = store.ttl("k").await.unwrap();
    assert!(
        (199..=200).contains(&ttl),
        "GETEX EX sets the TTL, got {ttl}"
    );
    let at = (now_ms() + 70_000) as u64;
    store
        .getex("k", Some(GetExExpiry::Set(SetExpiry::PxAt(at))))
        .await
        .unwrap();
    let pttl = store.pttl("k").await.unwrap();
    assert!(
        (65_000..=70_000).contains(&pttl),
        "GETEX PXAT sets the TTL, got {pttl}"
    );
    assert_eq!(
        store.getex("k", Some(GetExExpiry::Persist)).await.unwrap(),
        b("v"),
        "GETEX PERSIST returns the value"
    );
    assert_eq!(
        store.ttl("k").await.unwrap(),
        -1,
        "GETEX PERSIST removes the TTL"
    );
}

/// `GETEX` with a zero expiry (or `KEEPTTL`, which it does not have) is `InvalidInput`.
pub async fn test_getex_invalid_expiry(store: TestStore) {
    store.set("k", "v").await.unwrap();
    for expiry in [SetExpiry::Ex(0), SetExpiry::Px(0), SetExpiry::KeepTtl] {
        assert_kind(
            store.getex("k", Some(GetExExpiry::Set(expiry))).await,
            ErrorKind::InvalidInput,
            &format!("GETEX with {expiry:?}"),
        );
    }
    assert_eq!(
        store.get("k").await.unwrap(),
        b("v"),
        "an invalid GETEX keeps the value"
    );
    assert_eq!(
        store.ttl("k").await.unwrap(),
        -1,
        "an invalid GETEX sets no TTL"
    );
}
