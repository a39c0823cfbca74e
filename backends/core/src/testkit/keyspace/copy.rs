//! Conformance cases for `KEYS`, `COPY`, `EXPIRETIME`/`PEXPIRETIME` and `SCAN` argument
//! errors.

use std::collections::BTreeSet;

use super::super::TestStore;
use super::{COLLECTIONS, assert_error, now_ms, populate, snapshot};
use crate::prelude::*;

/// `KEYS` lists every key matching the glob, of every type, and no expired key.
pub async fn test_keys_matches_glob(store: TestStore) {
    for key in ["one", "two", "three", "{t}x", "a*b"] {
        store.set(key, "v").await.unwrap();
    }
    store.rpush("list", "x").await.unwrap();
    store.set("gone", "v").await.unwrap();
    store.pexpire("gone", 1).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let keys = |pattern: &'static str| {
        let store = store.clone();
        async move {
            store
                .keys(pattern)
                .await
                .unwrap()
                .into_iter()
                .map(|k| k.to_string())
                .collect::<BTreeSet<String>>()
        }
    };
    let set = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(
        keys("*").await,
        set(&["one", "two", "three", "{t}x", "a*b", "list"]),
        "* is every live key"
    );
    assert_eq!(keys("t*").await, set(&["two", "three"]));
    assert_eq!(keys("?n?").await, set(&["one"]));
    assert_eq!(keys("{t}*").await, set(&["{t}x"]), "braces are literal");
    assert_eq!(keys("a\\*b").await, set(&["a*b"]), "an escaped star");
    assert_eq!(keys("[lo]*").await, set(&["one", "list"]));
    assert_eq!(keys("nothing*").await, set(&[]));
}

/// `COPY` duplicates the value of any type with its TTL; it refuses an existing destination
/// without `REPLACE` (0) and overwrites it with; a missing source answers 0.
pub async fn test_copy(store: TestStore) {
    for (i, kind) in COLLECTIONS.iter().enumerate() {
        let source = format!("src{i}");
        let copy = format!("copy{i}");
        populate(&store, &source, *kind).await;
        assert!(store.copy(&source, &copy).await.unwrap(), "{kind:?} copied");
        assert_eq!(
            snapshot(&store, &copy).await,
            snapshot(&store, &source).await,
            "{kind:?}: the copy has the same contents"
        );
    }
    store.set("s", "v").await.unwrap();
    store.expire("s", 1000).await.unwrap();
    assert!(store.copy("s", "d").await.unwrap());
    let ttl = store.ttl("d").await.unwrap();
    assert!((990..=1000).contains(&ttl), "the TTL is copied: {ttl}");
    store.set("s", "changed").await.unwrap();
    assert_eq!(
        store.get("d").await.unwrap(),
        Some(Bytes::from_static(b"v")),
        "the copy is independent of its source"
    );
    assert!(!store.copy("s", "d").await.unwrap(), "destination exists");
    assert_eq!(
        store.get("d").await.unwrap(),
        Some(Bytes::from_static(b"v"))
    );
    store.rpush("l", "x").await.unwrap();
    assert!(store.copy_replace("l", "d").await.unwrap(), "REPLACE");
    assert_eq!(store.key_type("d").await.unwrap(), Some(KeyType::List));
    assert_eq!(
        store.ttl("d").await.unwrap(),
        -1,
        "REPLACE takes the source's (no) TTL"
    );
    assert!(!store.copy("missing", "e").await.unwrap(), "missing source");
    assert!(!store.copy_replace("missing", "d").await.unwrap());
    assert!(
        store.exists("d").await.unwrap(),
        "a missing source deletes nothing"
    );
    assert_error(
        store.copy("s", "s").await,
        ErrorKind::InvalidInput,
        "source and destination objects are the same",
        "COPY onto itself",
    );
}

/// `EXPIRETIME`/`PEXPIRETIME` answer the absolute deadline (seconds rounded to the nearest),
/// -1 without TTL and -2 for a missing key.
pub async fn test_expiretime(store: TestStore) {
    store.set("k", "v").await.unwrap();
    assert_eq!(store.expiretime("k").await.unwrap(), -1);
    assert_eq!(store.pexpiretime("k").await.unwrap(), -1);
    assert_eq!(store.expiretime("missing").await.unwrap(), -2);
    assert_eq!(store.pexpiretime("missing").await.unwrap(), -2);
    let at = 4_000_000_001_499;
    store
        .expire_options("k", Expiry::AtMillis(at), None)
        .await
        .unwrap();
    assert_eq!(store.pexpiretime("k").await.unwrap(), at);
    assert_eq!(
        store.expiretime("k").await.unwrap(),
        4_000_000_001,
        "rounded down"
    );
    store
        .expire_options("k", Expiry::AtMillis(at + 1), None)
        .await
        .unwrap();
    assert_eq!(
        store.expiretime("k").await.unwrap(),
        4_000_000_002,
        "rounded up"
    );
    store.expire("k", 100).await.unwrap();
    let deadline = store.pexpiretime("k").await.unwrap();
    let expected = now_ms() + 100_000;
    assert!(
        (expected - 5_000..=expected + 1_000).contains(&deadline),
        "a relative expiry becomes an absolute time: {deadline} vs {expected}"
    );
}

/// `SCAN COUNT 0` is `ERR syntax error` and a count Redis cannot read as an integer (past
/// `i64::MAX`) is `ERR value is not an integer or out of range`; `SSCAN` too.
pub async fn test_scan_argument_errors(store: TestStore) {
    store.set("k", "v").await.unwrap();
    store.sadd("s", "m").await.unwrap();
    assert_error(
        store.scan_options(0, ScanOptions::new().count(0)).await,
        ErrorKind::InvalidInput,
        "syntax error",
        "SCAN COUNT 0",
    );
    assert_error(
        store
            .scan_options(0, ScanOptions::new().count(u64::MAX))
            .await,
        ErrorKind::InvalidInput,
        "value is not an integer or out of range",
        "SCAN COUNT past i64::MAX",
    );
    assert_error(
        store
            .sscan_options("s", 0, ScanOptions::new().count(u64::MAX))
            .await,
        ErrorKind::InvalidInput,
        "value is not an integer or out of range",
        "SSCAN COUNT past i64::MAX",
    );
    let (_, keys) = store
        .scan_options(0, ScanOptions::new().count(i64::MAX as u64))
        .await
        .unwrap();
    let keys: BTreeSet<String> = keys.iter().map(|k| k.to_string()).collect();
    assert_eq!(
        keys,
        ["k", "s"].iter().map(|s| s.to_string()).collect(),
        "COUNT i64::MAX is accepted and covers the keyspace"
    );
}
