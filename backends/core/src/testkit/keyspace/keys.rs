//! Conformance cases for `EXISTS`, `DEL`, `TYPE`, `DBSIZE` and `FLUSHDB`.

use std::time::Duration;

use super::super::TestStore;
use super::{COLLECTIONS, populate};
use crate::prelude::*;

/// `EXISTS` counts a key named twice twice.
pub async fn test_exists_counts_duplicates(store: TestStore) {
    store.set("a", "1").await.unwrap();
    store.rpush_multiple("l", ["x"]).await.unwrap();
    let n = store
        .exists_multiple(&["a", "a", "l", "missing"])
        .await
        .unwrap();
    assert_eq!(n, 3, "EXISTS counts each named key, duplicates included");
}

/// `EXISTS` on missing keys is 0.
pub async fn test_exists_missing_is_zero(store: TestStore) {
    assert_eq!(
        store.exists_multiple(&["nope", "nada"]).await.unwrap(),
        0,
        "EXISTS of missing keys is 0"
    );
}

/// `DEL` returns how many keys it removed, not how many it was given.
pub async fn test_del_counts_removed(store: TestStore) {
    store.set("a", "1").await.unwrap();
    store.set("b", "2").await.unwrap();
    assert_eq!(
        store.del_multiple(&["a", "b", "c"]).await.unwrap(),
        2,
        "DEL counts only keys that existed"
    );
    assert_eq!(
        store.del_multiple(&["a"]).await.unwrap(),
        0,
        "DEL of a gone key is 0"
    );
    assert_eq!(
        store.exists_multiple(&["a", "b"]).await.unwrap(),
        0,
        "DEL removed both"
    );
}

/// `DEL` removes keys of every type.
pub async fn test_del_removes_every_type(store: TestStore) {
    for (i, kind) in COLLECTIONS.into_iter().enumerate() {
        populate(&store, &format!("k{i}"), kind).await;
    }
    store.set("k4", "v").await.unwrap();
    let n = store
        .del_multiple(&["k0", "k1", "k2", "k3", "k4"])
        .await
        .unwrap();
    assert_eq!(n, 5, "DEL removes list, hash, set, zset and string keys");
    assert_eq!(
        store.dbsize().await.unwrap(),
        0,
        "nothing is left after DEL"
    );
}

/// `TYPE` names all five types and `none`.
pub async fn test_type_all_types(store: TestStore) {
    populate(&store, "s", KeyType::String).await;
    for kind in COLLECTIONS {
        populate(&store, kind.as_str(), kind).await;
    }
    assert_eq!(
        store.key_type("s").await.unwrap(),
        Some(KeyType::String),
        "TYPE of a string"
    );
    for kind in COLLECTIONS {
        assert_eq!(
            store.key_type(kind.as_str()).await.unwrap(),
            Some(kind),
            "TYPE of a {}",
            kind.as_str()
        );
    }
    assert_eq!(
        store.key_type("missing").await.unwrap(),
        None,
        "TYPE of missing is none"
    );
}

/// `TYPE` replies with a status, `none` for a missing key.
pub async fn test_type_reply_is_status(store: TestStore) {
    let missing = store
        .execute(Command::Type {
            key: "missing".into(),
        })
        .await
        .unwrap();
    assert_eq!(
        missing,
        Reply::Status("none".into()),
        "TYPE of missing is status none"
    );
    store.zadd("z", 1.0, "m").await.unwrap();
    let zset = store
        .execute(Command::Type { key: "z".into() })
        .await
        .unwrap();
    assert_eq!(
        zset,
        Reply::Status("zset".into()),
        "TYPE of a zset is status zset"
    );
}

/// `DBSIZE` counts keys of all types.
pub async fn test_dbsize_counts_keys(store: TestStore) {
    assert_eq!(store.dbsize().await.unwrap(), 0, "a fresh store is empty");
    store.set("s", "v").await.unwrap();
    for kind in COLLECTIONS {
        populate(&store, kind.as_str(), kind).await;
    }
    assert_eq!(
        store.dbsize().await.unwrap(),
        5,
        "DBSIZE counts every key once"
    );
    store.del_multiple(&["s", "list"]).await.unwrap();
    assert_eq!(
        store.dbsize().await.unwrap(),
        3,
        "DBSIZE drops deleted keys"
    );
}

/// `FLUSHDB` removes every key.
pub async fn test_flushdb_removes_everything(store: TestStore) {
    store.set("s", "v").await.unwrap();
    store
        .setex("t", "v", Duration::from_secs(100))
        .await
        .unwrap();
    for kind in COLLECTIONS {
        populate(&store, kind.as_str(), kind).await;
    }
    store.flushdb().await.unwrap();
    assert_eq!(
        store.dbsize().await.unwrap(),
        0,
        "FLUSHDB empties the store"
    );
    assert_eq!(store.get("s").await.unwrap(), None, "FLUSHDB removed s");
    assert_eq!(
        store.llen("list").await.unwrap(),
        0,
        "FLUSHDB removed the list"
    );
    store.set("s", "again").await.unwrap();
    assert_eq!(
        store.dbsize().await.unwrap(),
        1,
        "the store is usable after FLUSHDB"
    );
}
