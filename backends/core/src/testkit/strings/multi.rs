//! Conformance cases for `MGET` and `MSET`.

use std::time::Duration;

use super::super::TestStore;
use super::super::keyspace::{COLLECTIONS, populate};
use super::b;
use crate::prelude::*;

/// `MGET` answers nil for missing and non-string keys, in argument order.
pub async fn test_mget_missing_and_wrong_type_nil(store: TestStore) {
    store.set("a", "1").await.unwrap();
    store.set("b", "2").await.unwrap();
    for kind in COLLECTIONS {
        populate(&store, kind.as_str(), kind).await;
    }
    let got = store
        .mget(&["b", "missing", "list", "a", "hash", "set", "zset", "b"])
        .await
        .unwrap();
    assert_eq!(
        got,
        vec![b("2"), None, None, b("1"), None, None, None, b("2")],
        "MGET is nil for missing and non-string keys, never WRONGTYPE, order kept"
    );
}

/// `MSET` sets every pair, overwrites any type and clears TTLs.
pub async fn test_mset_sets_all_and_clears_ttl(store: TestStore) {
    store
        .setex("a", "old", Duration::from_secs(100))
        .await
        .unwrap();
    populate(&store, "l", KeyType::List).await;
    store
        .execute(Command::MSet {
            pairs: vec![
                ("a".into(), Bytes::from("1")),
                ("l".into(), Bytes::from("2")),
                ("c".into(), Bytes::from("3")),
            ],
        })
        .await
        .map(|reply| assert_eq!(reply, Reply::ok(), "MSET replies OK"))
        .unwrap();
    assert_eq!(
        store.mget(&["a", "l", "c"]).await.unwrap(),
        vec![b("1"), b("2"), b("3")],
        "MSET wrote every pair, replacing the list"
    );
    assert_eq!(store.ttl("a").await.unwrap(), -1, "MSET clears the TTL");
}
