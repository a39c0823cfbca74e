//! Conformance cases for `HSTRLEN`: the byte length of a field's value, 0 for a missing key or
//! field, `WRONGTYPE` on a non-hash.

use super::super::TestStore;
use super::super::keyspace::assert_kind;
use crate::prelude::*;

/// `HSTRLEN` counts bytes (not characters) of the field's value.
pub async fn test_hstrlen_counts_bytes(store: TestStore) {
    store.hset("h", "ascii", "hello").await.unwrap();
    store.hset("h", "utf8", "héllo").await.unwrap();
    store.hset("h", "empty", "").await.unwrap();
    store.hset("h", "binary", &[0u8, 255, 0][..]).await.unwrap();
    for (field, len) in [("ascii", 5), ("utf8", 6), ("empty", 0), ("binary", 3)] {
        assert_eq!(
            store.hstrlen("h", field).await.unwrap(),
            len,
            "HSTRLEN of {field:?} is its length in bytes"
        );
    }
}

/// A missing key or a missing field is 0, and creates nothing.
pub async fn test_hstrlen_missing_is_zero(store: TestStore) {
    assert_eq!(
        store.hstrlen("h", "f").await.unwrap(),
        0,
        "HSTRLEN on a missing key is 0"
    );
    store.hset("h", "f", "v").await.unwrap();
    assert_eq!(
        store.hstrlen("h", "other").await.unwrap(),
        0,
        "HSTRLEN of a missing field is 0"
    );
    assert_eq!(store.dbsize().await.unwrap(), 1, "HSTRLEN creates no key");
}

/// `HSTRLEN` on a string or a list is `WrongType`.
pub async fn test_hstrlen_wrong_type(store: TestStore) {
    store.set("s", "value").await.unwrap();
    store.rpush("l", "x").await.unwrap();
    for key in ["s", "l"] {
        assert_kind(
            store.hstrlen(key, "f").await,
            ErrorKind::WrongType,
            &format!("HSTRLEN on {key}"),
        );
    }
}
