//! Conformance cases for `SETNX` (its own integer reply), `MSETNX`, `SETRANGE` and `GETRANGE`.

use super::super::TestStore;
use super::super::keyspace::{assert_error, assert_kind};
use crate::prelude::*;

/// `SETNX` answers `Int` 1 when it wrote and 0 when the key exists, of any type; it never
/// sets a TTL and leaves an existing key (and its TTL) alone.
pub async fn test_setnx_reply(store: TestStore) {
    let setnx = |key: &str, value: &'static str| Command::SetNx {
        key: key.into(),
        value: Bytes::from_static(value.as_bytes()),
    };
    assert_eq!(store.execute(setnx("k", "a")).await.unwrap(), Reply::Int(1));
    assert_eq!(store.execute(setnx("k", "b")).await.unwrap(), Reply::Int(0));
    assert_eq!(
        store.get("k").await.unwrap(),
        Some(Bytes::from_static(b"a"))
    );
    assert_eq!(store.ttl("k").await.unwrap(), -1, "no TTL");
    store.expire("k", 1000).await.unwrap();
    assert!(!store.setnx("k", "c").await.unwrap());
    assert!(store.ttl("k").await.unwrap() > 0, "the existing TTL stays");
    store.rpush("l", "x").await.unwrap();
    assert!(
        !store.setnx("l", "v").await.unwrap(),
        "a key of another type exists too"
    );
    assert_eq!(store.key_type("l").await.unwrap(), Some(KeyType::List));
}

/// `MSETNX` sets every pair only when none of the keys exists (1), else nothing (0).
pub async fn test_msetnx(store: TestStore) {
    assert!(store.msetnx([("a", "1"), ("b", "2")]).await.unwrap());
    assert!(
        !store.msetnx([("c", "3"), ("b", "9")]).await.unwrap(),
        "b exists"
    );
    assert!(!store.exists("c").await.unwrap(), "so c was not set either");
    assert_eq!(
        store.get("b").await.unwrap(),
        Some(Bytes::from_static(b"2"))
    );
    store.sadd("set", "m").await.unwrap();
    assert!(
        !store.msetnx([("d", "4"), ("set", "x")]).await.unwrap(),
        "a key of another type counts as existing"
    );
    assert!(
        store.msetnx([("e", "1"), ("e", "2")]).await.unwrap(),
        "a key named twice: the last value wins"
    );
    assert_eq!(
        store.get("e").await.unwrap(),
        Some(Bytes::from_static(b"2"))
    );
    assert_kind(
        store.msetnx(Vec::<(String, Bytes)>::new()).await,
        ErrorKind::InvalidInput,
        "MSETNX without pairs",
    );
}

/// `SETRANGE` overwrites from `offset`, padding with zero bytes, and answers the new length;
/// it keeps the TTL; an empty value changes nothing and creates no key.
pub async fn test_setrange(store: TestStore) {
    store.set("k", "Hello World").await.unwrap();
    store.expire("k", 1000).await.unwrap();
    assert_eq!(store.setrange("k", 6, "Redis").await.unwrap(), 11);
    assert_eq!(
        store.get("k").await.unwrap(),
        Some(Bytes::from_static(b"Hello Redis"))
    );
    assert!(store.ttl("k").await.unwrap() > 0, "SETRANGE keeps the TTL");
    assert_eq!(store.setrange("k", 13, "!").await.unwrap(), 14);
    assert_eq!(
        store.get("k").await.unwrap(),
        Some(Bytes::from_static(b"Hello Redis\0\0!")),
        "the gap is zero bytes"
    );
    assert_eq!(store.setrange("new", 2, "ab").await.unwrap(), 4);
    assert_eq!(
        store.get("new").await.unwrap(),
        Some(Bytes::from_static(b"\0\0ab"))
    );
    assert_eq!(
        store.setrange("k", 100, "").await.unwrap(),
        14,
        "empty value"
    );
    assert_eq!(store.strlen("k").await.unwrap(), 14, "changes nothing");
    assert_eq!(store.setrange("none", 5, "").await.unwrap(), 0);
    assert!(!store.exists("none").await.unwrap(), "and creates no key");
}

/// A negative offset and a result past 512 MiB are `InvalidInput` with Redis's messages;
/// another type is `WRONGTYPE`.
pub async fn test_setrange_errors(store: TestStore) {
    store.set("k", "abc").await.unwrap();
    assert_error(
        store.setrange("k", -1, "x").await,
        ErrorKind::InvalidInput,
        "offset is out of range",
        "a negative offset",
    );
    assert_error(
        store.setrange("k", 512 * 1024 * 1024, "x").await,
        ErrorKind::InvalidInput,
        "string exceeds maximum allowed size",
        "a result past 512 MiB",
    );
    assert_error(
        store.setrange("missing", i64::MAX, "x").await,
        ErrorKind::InvalidInput,
        "string exceeds maximum allowed size",
        "an offset near i64::MAX",
    );
    assert_eq!(
        store.get("k").await.unwrap(),
        Some(Bytes::from_static(b"abc"))
    );
    assert!(!store.exists("missing").await.unwrap());
    store.rpush("l", "x").await.unwrap();
    assert_kind(
        store.setrange("l", 0, "x").await,
        ErrorKind::WrongType,
        "SETRANGE on a list",
    );
    assert_kind(
        store.setrange("l", 0, "").await,
        ErrorKind::WrongType,
        "SETRANGE of nothing on a list",
    );
}

/// `GETRANGE` clamps both ends as Redis does (negative from the end) and answers an empty
/// string, never nil, when nothing is selected or the key is missing.
pub async fn test_getrange(store: TestStore) {
    store.set("k", "This is a string").await.unwrap();
    let cases: [(i64, i64, &str); 10] = [
        (0, 3, "This"),
        (-3, -1, "ing"),
        (0, -1, "This is a string"),
        (10, 100, "string"),
        (0, -100, "T"),
        (-100, -1, "This is a string"),
        (5, 3, ""),
        (-1, -5, ""),
        (i64::MAX, i64::MAX, ""),
        (i64::MIN, i64::MIN + 1, "T"),
    ];
    for (start, end, want) in cases {
        assert_eq!(
            store.getrange("k", start, end).await.unwrap(),
            Bytes::copy_from_slice(want.as_bytes()),
            "GETRANGE {start} {end}"
        );
    }
    assert_eq!(
        store
            .execute(Command::GetRange {
                key: "missing".into(),
                start: 0,
                end: -1,
            })
            .await
            .unwrap(),
        Reply::Bulk(Bytes::new()),
        "a missing key is an empty string"
    );
    store.set("empty", "").await.unwrap();
    assert_eq!(store.getrange("empty", 0, -1).await.unwrap(), Bytes::new());
    store.rpush("l", "x").await.unwrap();
    assert_kind(
        store.getrange("l", 0, 1).await,
        ErrorKind::WrongType,
        "GETRANGE on a list",
    );
}
