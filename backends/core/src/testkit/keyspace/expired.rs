//! Conformance cases for expiry visibility: an expired key or collection is invisible at once and
//! absent for writes; collection writes keep a TTL and an emptied collection loses it.

use std::time::Duration;

use super::super::TestStore;
use super::{COLLECTIONS, populate};
use crate::prelude::*;

/// An expired key is gone for every read at once, before any purge.
pub async fn test_expired_key_invisible(store: TestStore) {
    store.set("live", "v").await.unwrap();
    store.set("dead2", "v").await.unwrap();
    assert_eq!(
        store.exists_multiple(&["dead2"]).await.unwrap(),
        1,
        "the key exists before it expires"
    );
    // One key expires through SET PX, the other through PEXPIRE.
    store
        .setex("dead", "v", Duration::from_millis(50))
        .await
        .unwrap();
    assert!(
        store.pexpire("dead2", 50).await.unwrap(),
        "PEXPIRE 50 applied"
    );
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert_eq!(
        store.get("dead").await.unwrap(),
        None,
        "GET of an expired key is nil"
    );
    assert_eq!(
        store.exists_multiple(&["dead", "live"]).await.unwrap(),
        1,
        "EXISTS does not count an expired key"
    );
    assert_eq!(
        store.key_type("dead").await.unwrap(),
        None,
        "TYPE of expired is none"
    );
    assert_eq!(
        store.ttl("dead").await.unwrap(),
        -2,
        "TTL of an expired key is -2"
    );
    assert_eq!(
        store.pttl("dead").await.unwrap(),
        -2,
        "PTTL of an expired key is -2"
    );
    assert_eq!(
        store.mget(&["dead", "live"]).await.unwrap(),
        vec![None, Some(Bytes::from("v"))],
        "MGET of an expired key is nil"
    );
    assert_eq!(
        store.strlen("dead").await.unwrap(),
        0,
        "STRLEN of an expired key is 0"
    );
    assert_eq!(
        store.exists_multiple(&["dead2"]).await.unwrap(),
        0,
        "a key expired by PEXPIRE is gone too"
    );
    assert_eq!(
        store.get("dead2").await.unwrap(),
        None,
        "GET after PEXPIRE ran out"
    );
    let keys = store.scan_all(ScanOptions::new()).await.unwrap();
    assert_eq!(keys, ["live"], "SCAN does not return an expired key");
}

/// An expired collection is gone for every read at once.
pub async fn test_expired_collection_invisible(store: TestStore) {
    store.rpush_multiple("l", ["a", "b"]).await.unwrap();
    store.hset("h", "f", "v").await.unwrap();
    store.pexpire("l", 50).await.unwrap();
    store.pexpire("h", 50).await.unwrap();
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert_eq!(
        store.llen("l").await.unwrap(),
        0,
        "LLEN of an expired list is 0"
    );
    assert!(
        store.lrange("l", 0, -1).await.unwrap().is_empty(),
        "LRANGE of an expired list is empty"
    );
    assert_eq!(
        store.hget("h", "f").await.unwrap(),
        None,
        "HGET of expired hash is nil"
    );
    assert_eq!(
        store.exists_multiple(&["l", "h"]).await.unwrap(),
        0,
        "EXISTS does not count expired collections"
    );
    let keys = store
        .scan_all(ScanOptions::new().key_type(KeyType::List))
        .await
        .unwrap();
    assert!(
        keys.is_empty(),
        "SCAN TYPE list skips an expired list, got {keys:?}"
    );
}

/// Writes treat an expired key as missing: no old value, no old TTL, no old type.
pub async fn test_expired_key_is_absent_for_writes(store: TestStore) {
    store
        .setex("k", "old", Duration::from_millis(50))
        .await
        .unwrap();
    store.sadd_multiple("s", ["m"]).await.unwrap();
    store.pexpire("s", 50).await.unwrap();
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert!(
        store.setnx("k", "new").await.unwrap(),
        "SET NX succeeds on an expired key"
    );
    assert_eq!(
        store.ttl("k").await.unwrap(),
        -1,
        "the new value has no old TTL"
    );
    assert_eq!(
        store.incrby("s", 5).await.unwrap(),
        5,
        "INCRBY on an expired set starts from 0, no WRONGTYPE"
    );
    assert_eq!(
        store.ttl("s").await.unwrap(),
        -1,
        "the new counter has no TTL"
    );
    assert!(
        !store.expire("gone", 10).await.unwrap(),
        "EXPIRE of a missing key is 0"
    );
}

/// Writes into an existing collection keep its TTL.
pub async fn test_collection_writes_keep_ttl(store: TestStore) {
    for kind in COLLECTIONS {
        populate(&store, kind.as_str(), kind).await;
        store.expire(kind.as_str(), 100).await.unwrap();
    }
    store.rpush_multiple("list", ["c"]).await.unwrap();
    store.lpop("list").await.unwrap();
    store.hset("hash", "g", "w").await.unwrap();
    store.hdel_multiple("hash", &["field"]).await.unwrap();
    store.sadd_multiple("set", ["c"]).await.unwrap();
    store.srem_multiple("set", ["a"]).await.unwrap();
    store.zadd("zset", 2.0, "b").await.unwrap();
    store.zincrby("zset", 1.0, "a").await.unwrap();
    for kind in COLLECTIONS {
        let ttl = store.ttl(kind.as_str()).await.unwrap();
        assert!(
            (99..=100).contains(&ttl),
            "writes to a {} keep its TTL, got {ttl}",
            kind.as_str()
        );
    }
}

/// A collection emptied by a write is deleted with its TTL; a new one starts without TTL.
pub async fn test_emptied_collection_loses_ttl(store: TestStore) {
    store.rpush_multiple("l", ["a"]).await.unwrap();
    store.expire("l", 100).await.unwrap();
    store.lpop("l").await.unwrap();
    assert_eq!(store.ttl("l").await.unwrap(), -2, "an emptied list is gone");
    store.rpush_multiple("l", ["b"]).await.unwrap();
    assert_eq!(
        store.ttl("l").await.unwrap(),
        -1,
        "a re-created list has no old TTL"
    );
    store.sadd_multiple("s", ["a"]).await.unwrap();
    store.pexpire("s", 100_000).await.unwrap();
    store.srem_multiple("s", ["a"]).await.unwrap();
    store.sadd_multiple("s", ["b"]).await.unwrap();
    assert_eq!(
        store.ttl("s").await.unwrap(),
        -1,
        "a re-created set has no old TTL"
    );
}
