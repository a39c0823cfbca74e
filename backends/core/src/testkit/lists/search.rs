//! Conformance cases for `LPOS` (`RANK`, `COUNT`, `MAXLEN` and their errors), `LINSERT`,
//! `LPUSHX`/`RPUSHX`, and the error text of pop counts Redis reads as negative.

use super::super::TestStore;
use super::super::keyspace::{assert_error, assert_kind};
use super::{all, bytes};
use crate::prelude::*;

/// `LPOS` finds the first match from the head; `RANK` picks a later match, from the tail
/// when negative; indexes always count from the head.
pub async fn test_lpos_rank(store: TestStore) {
    store
        .rpush_multiple("l", ["a", "b", "c", "a", "b", "c"])
        .await
        .unwrap();
    assert_eq!(store.lpos("l", "b").await.unwrap(), Some(1), "first match");
    assert_eq!(
        store.lpos("l", "zz").await.unwrap(),
        None,
        "no match is nil"
    );
    assert_eq!(
        store.lpos("missing", "a").await.unwrap(),
        None,
        "missing key is nil"
    );
    let rank = |r| LPosOptions::new().rank(r);
    assert_eq!(
        store.lpos_options("l", "b", rank(2)).await.unwrap(),
        Some(4),
        "RANK 2 is the second match"
    );
    assert_eq!(
        store.lpos_options("l", "b", rank(-1)).await.unwrap(),
        Some(4),
        "RANK -1 is the last match, indexed from the head"
    );
    assert_eq!(
        store.lpos_options("l", "b", rank(-2)).await.unwrap(),
        Some(1),
        "RANK -2 is the second match from the tail"
    );
    assert_eq!(
        store.lpos_options("l", "b", rank(3)).await.unwrap(),
        None,
        "a rank past the matches is nil"
    );
}

/// `COUNT n` answers an array of up to `n` indexes (all for 0), empty when nothing matches
/// or the key is missing.
pub async fn test_lpos_count(store: TestStore) {
    store
        .rpush_multiple("l", ["a", "b", "c", "a", "b", "c", "b"])
        .await
        .unwrap();
    let none = LPosOptions::new();
    assert_eq!(
        store.lpos_count("l", "b", 2, none).await.unwrap(),
        vec![1, 4],
        "COUNT 2 takes the first two matches"
    );
    assert_eq!(
        store.lpos_count("l", "b", 0, none).await.unwrap(),
        vec![1, 4, 6],
        "COUNT 0 takes every match"
    );
    assert_eq!(
        store
            .lpos_count("l", "b", 0, LPosOptions::new().rank(-1))
            .await
            .unwrap(),
        vec![6, 4, 1],
        "a negative RANK lists matches from the tail"
    );
    assert_eq!(
        store
            .lpos_count("l", "b", 2, LPosOptions::new().rank(2))
            .await
            .unwrap(),
        vec![4, 6],
        "RANK skips matches before COUNT takes any"
    );
    assert_eq!(
        store.lpos_count("l", "zz", 3, none).await.unwrap(),
        Vec::<u64>::new(),
        "no match is an empty array"
    );
    let reply = store
        .execute(Command::LPos {
            key: "missing".into(),
            element: Bytes::from_static(b"a"),
            count: Some(1),
            options: none,
        })
        .await
        .unwrap();
    assert_eq!(
        reply,
        Reply::Array(Vec::new()),
        "a missing key with COUNT is []"
    );
}

/// `MAXLEN n` compares only the first `n` elements scanned (from the tail for a negative
/// rank); 0 scans the whole list.
pub async fn test_lpos_maxlen(store: TestStore) {
    store
        .rpush_multiple("l", ["a", "b", "c", "a", "b", "c"])
        .await
        .unwrap();
    let maxlen = |n| LPosOptions::new().maxlen(n);
    assert_eq!(
        store.lpos_options("l", "c", maxlen(2)).await.unwrap(),
        None,
        "MAXLEN 2 stops before the first c"
    );
    assert_eq!(
        store.lpos_options("l", "c", maxlen(3)).await.unwrap(),
        Some(2),
        "MAXLEN 3 reaches it"
    );
    assert_eq!(
        store.lpos_options("l", "c", maxlen(0)).await.unwrap(),
        Some(2),
        "MAXLEN 0 means no limit"
    );
    assert_eq!(
        store
            .lpos_count("l", "a", 0, LPosOptions::new().rank(-1).maxlen(3))
            .await
            .unwrap(),
        vec![3],
        "with a negative rank MAXLEN counts from the tail"
    );
}

/// `RANK 0` and counts Redis reads as negative are `InvalidInput` with Redis's messages,
/// even for a missing key.
pub async fn test_lpos_argument_errors(store: TestStore) {
    store.rpush_multiple("l", ["a"]).await.unwrap();
    for key in ["l", "missing"] {
        assert_error(
            store
                .lpos_options(key, "a", LPosOptions::new().rank(0))
                .await,
            ErrorKind::InvalidInput,
            "RANK can't be zero",
            "LPOS RANK 0",
        );
        assert_error(
            store
                .lpos_count(key, "a", u64::MAX, LPosOptions::new())
                .await,
            ErrorKind::InvalidInput,
            "COUNT can't be negative",
            "LPOS COUNT past i64::MAX",
        );
        assert_error(
            store
                .lpos_options(key, "a", LPosOptions::new().maxlen(u64::MAX))
                .await,
            ErrorKind::InvalidInput,
            "MAXLEN can't be negative",
            "LPOS MAXLEN past i64::MAX",
        );
    }
    store.set("s", "x").await.unwrap();
    assert_kind(
        store.lpos("s", "a").await,
        ErrorKind::WrongType,
        "LPOS on a string",
    );
}

/// `LINSERT` puts the element before or after the first occurrence of the pivot and answers
/// the new length; -1 without the pivot, 0 without the key (which it does not create).
pub async fn test_linsert(store: TestStore) {
    store.rpush_multiple("l", ["a", "b", "a"]).await.unwrap();
    assert_eq!(
        store
            .linsert("l", InsertPosition::Before, "a", "x")
            .await
            .unwrap(),
        4,
        "LINSERT BEFORE answers the new length"
    );
    assert_eq!(
        store
            .linsert("l", InsertPosition::After, "a", "y")
            .await
            .unwrap(),
        5
    );
    assert_eq!(
        all(&store, "l").await,
        bytes(&["x", "a", "y", "b", "a"]),
        "the first occurrence of the pivot is used"
    );
    assert_eq!(
        store
            .linsert("l", InsertPosition::After, "zz", "q")
            .await
            .unwrap(),
        -1,
        "a missing pivot answers -1"
    );
    assert_eq!(
        store
            .linsert("missing", InsertPosition::Before, "a", "q")
            .await
            .unwrap(),
        0,
        "a missing key answers 0"
    );
    assert!(
        !store.exists("missing").await.unwrap(),
        "and is not created"
    );
    store.set("s", "x").await.unwrap();
    assert_kind(
        store.linsert("s", InsertPosition::Before, "a", "q").await,
        ErrorKind::WrongType,
        "LINSERT on a string",
    );
}

/// `LPUSHX`/`RPUSHX` push only onto an existing list: 0 and no key otherwise; `WRONGTYPE` on
/// another type; the TTL is kept.
pub async fn test_pushx(store: TestStore) {
    assert_eq!(
        store.lpushx("l", "a").await.unwrap(),
        0,
        "LPUSHX on nothing"
    );
    assert_eq!(
        store.rpushx_multiple("l", ["a", "b"]).await.unwrap(),
        0,
        "RPUSHX on nothing"
    );
    assert!(!store.exists("l").await.unwrap(), "no list was created");
    store.rpush("l", "m").await.unwrap();
    store.expire("l", 1000).await.unwrap();
    assert_eq!(store.lpushx_multiple("l", ["a", "b"]).await.unwrap(), 3);
    assert_eq!(store.rpushx("l", "z").await.unwrap(), 4);
    assert_eq!(all(&store, "l").await, bytes(&["b", "a", "m", "z"]));
    assert!(store.ttl("l").await.unwrap() > 0, "pushes keep the TTL");
    store.set("s", "x").await.unwrap();
    assert_kind(
        store.lpushx("s", "a").await,
        ErrorKind::WrongType,
        "LPUSHX on a string",
    );
    assert_kind(
        store.rpushx("s", "a").await,
        ErrorKind::WrongType,
        "RPUSHX on a string",
    );
    assert_kind(
        store.lpushx_multiple("l", Vec::<Bytes>::new()).await,
        ErrorKind::InvalidInput,
        "LPUSHX without values",
    );
}

/// A pop count Redis reads as negative (past `i64::MAX`) is refused with Redis's message;
/// count 0 answers an empty array on a list and nil on a missing key.
pub async fn test_pop_count_rules(store: TestStore) {
    store.rpush_multiple("l", ["a", "b"]).await.unwrap();
    for end in [ListEnd::Left, ListEnd::Right] {
        let pop = |key: &str, count| match end {
            ListEnd::Left => Command::LPop {
                key: key.into(),
                count: Some(count),
            },
            ListEnd::Right => Command::RPop {
                key: key.into(),
                count: Some(count),
            },
        };
        assert_error(
            store.execute(pop("l", u64::MAX)).await,
            ErrorKind::InvalidInput,
            "value is out of range, must be positive",
            "a pop count Redis reads as negative",
        );
        assert_eq!(
            store.execute(pop("l", 0)).await.unwrap(),
            Reply::Array(Vec::new()),
            "count 0 on a list is an empty array"
        );
        assert_eq!(
            store.execute(pop("missing", 0)).await.unwrap(),
            Reply::Nil,
            "count 0 on a missing key is nil"
        );
    }
    assert_eq!(
        all(&store, "l").await,
        bytes(&["a", "b"]),
        "nothing was popped"
    );
}
