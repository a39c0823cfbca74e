//! Conformance cases for `SINTERCARD`, the `STORE` forms of the set algebra, `SMOVE`, `SSCAN`,
//! and the bound on negative `SRANDMEMBER` counts.

use std::collections::BTreeSet;

use super::super::TestStore;
use super::super::keyspace::{assert_error, assert_kind, snapshot};
use super::{bytes, sorted};
use crate::prelude::*;

/// `SINTERCARD` counts the intersection, stopping at `LIMIT` (0: no limit); a missing key is
/// an empty set; a non-set key anywhere is `WRONGTYPE`.
pub async fn test_sintercard(store: TestStore) {
    store
        .sadd_multiple("a", ["1", "2", "3", "4"])
        .await
        .unwrap();
    store
        .sadd_multiple("b", ["2", "3", "4", "5"])
        .await
        .unwrap();
    assert_eq!(store.sintercard(["a", "b"]).await.unwrap(), 3);
    assert_eq!(
        store.sintercard_limit(["a", "b"], 2).await.unwrap(),
        2,
        "LIMIT 2"
    );
    assert_eq!(
        store.sintercard_limit(["a", "b"], 0).await.unwrap(),
        3,
        "LIMIT 0"
    );
    assert_eq!(
        store.sintercard(["a"]).await.unwrap(),
        4,
        "one key: its size"
    );
    assert_eq!(
        store.sintercard(["a", "missing"]).await.unwrap(),
        0,
        "a missing key is empty"
    );
    store.set("s", "x").await.unwrap();
    assert_kind(
        store.sintercard(["missing", "s"]).await,
        ErrorKind::WrongType,
        "a string after a missing key",
    );
    assert_error(
        store.sintercard_limit(["a"], u64::MAX).await,
        ErrorKind::InvalidInput,
        "LIMIT can't be negative",
        "a LIMIT Redis reads as negative",
    );
    assert_error(
        store.sintercard(Vec::<String>::new()).await,
        ErrorKind::InvalidInput,
        "wrong number of arguments",
        "SINTERCARD without keys",
    );
}

/// The `STORE` forms write the result to the destination and answer its size; the
/// destination is replaced whatever it held, TTL included, and an empty result deletes it.
pub async fn test_set_algebra_store(store: TestStore) {
    store.sadd_multiple("a", ["1", "2", "3"]).await.unwrap();
    store.sadd_multiple("b", ["2", "3", "4"]).await.unwrap();
    store.set("d", "old").await.unwrap();
    store.expire("d", 1000).await.unwrap();
    assert_eq!(store.sinterstore("d", ["a", "b"]).await.unwrap(), 2);
    assert_eq!(
        sorted(store.smembers("d").await.unwrap()),
        bytes(&["2", "3"])
    );
    assert_eq!(
        store.ttl("d").await.unwrap(),
        -1,
        "the destination lost its TTL"
    );
    assert_eq!(store.sunionstore("d", ["a", "b"]).await.unwrap(), 4);
    assert_eq!(
        sorted(store.smembers("d").await.unwrap()),
        bytes(&["1", "2", "3", "4"])
    );
    assert_eq!(store.sdiffstore("d", ["a", "b"]).await.unwrap(), 1);
    assert_eq!(sorted(store.smembers("d").await.unwrap()), bytes(&["1"]));
    assert_eq!(
        store.sdiffstore("a", ["a", "b"]).await.unwrap(),
        1,
        "the destination may be a source"
    );
    assert_eq!(sorted(store.smembers("a").await.unwrap()), bytes(&["1"]));
    for empty in [
        store.sinterstore("d", ["a", "missing"]).await,
        store.sunionstore("d", ["missing"]).await,
        store.sdiffstore("d", ["missing", "a"]).await,
    ] {
        assert_eq!(empty.unwrap(), 0, "an empty result");
        assert!(!store.exists("d").await.unwrap(), "deletes the destination");
    }
}

/// A non-set source makes every `STORE` form `WRONGTYPE`, and the destination is untouched.
pub async fn test_set_algebra_store_wrong_type(store: TestStore) {
    store.sadd_multiple("a", ["1"]).await.unwrap();
    store.set("s", "x").await.unwrap();
    store.sadd_multiple("d", ["keep"]).await.unwrap();
    let before = snapshot(&store, "d").await;
    assert_kind(
        store.sinterstore("d", ["missing", "s"]).await,
        ErrorKind::WrongType,
        "SINTERSTORE",
    );
    assert_kind(
        store.sunionstore("d", ["a", "s"]).await,
        ErrorKind::WrongType,
        "SUNIONSTORE",
    );
    assert_kind(
        store.sdiffstore("d", ["a", "s"]).await,
        ErrorKind::WrongType,
        "SDIFFSTORE",
    );
    assert_eq!(
        snapshot(&store, "d").await,
        before,
        "the destination is untouched"
    );
}

/// `SMOVE` moves one member: 1 if it moved, 0 if it was not in the source; the emptied source
/// is deleted and a missing destination created; the same key answers membership.
pub async fn test_smove(store: TestStore) {
    store.sadd_multiple("a", ["1", "2"]).await.unwrap();
    assert!(store.smove("a", "b", "1").await.unwrap(), "moved");
    assert!(!store.smove("a", "b", "zz").await.unwrap(), "not a member");
    assert_eq!(sorted(store.smembers("a").await.unwrap()), bytes(&["2"]));
    assert_eq!(sorted(store.smembers("b").await.unwrap()), bytes(&["1"]));
    assert!(store.smove("a", "b", "2").await.unwrap());
    assert!(
        !store.exists("a").await.unwrap(),
        "the emptied source is gone"
    );
    assert!(
        store.smove("b", "b", "2").await.unwrap(),
        "same key, member"
    );
    assert!(
        !store.smove("b", "b", "9").await.unwrap(),
        "same key, not a member"
    );
    assert_eq!(
        sorted(store.smembers("b").await.unwrap()),
        bytes(&["1", "2"])
    );
}

/// A missing source answers 0 whatever the destination is; otherwise a non-set source or
/// destination is `WRONGTYPE`, even when the member is absent.
pub async fn test_smove_wrong_type(store: TestStore) {
    store.sadd_multiple("a", ["1"]).await.unwrap();
    store.set("s", "x").await.unwrap();
    assert!(
        !store.smove("missing", "s", "1").await.unwrap(),
        "missing source: 0 before any type check"
    );
    assert_kind(
        store.smove("a", "s", "zz").await,
        ErrorKind::WrongType,
        "a string destination",
    );
    assert_kind(
        store.smove("s", "a", "1").await,
        ErrorKind::WrongType,
        "a string source",
    );
    assert_eq!(sorted(store.smembers("a").await.unwrap()), bytes(&["1"]));
}

async fn sscan_all(store: &TestStore, key: &str, options: ScanOptions) -> BTreeSet<Bytes> {
    let mut seen = BTreeSet::new();
    let mut cursor = 0;
    for _ in 0..10_000 {
        let (next, members) = store
            .sscan_options(key, cursor, options.clone())
            .await
            .unwrap();
        seen.extend(members);
        if next == 0 {
            return seen;
        }
        cursor = next;
    }
    panic!("SSCAN did not finish in 10000 steps");
}

/// A full `SSCAN` iteration returns every member; `MATCH` filters them; a missing key is one
/// empty page.
pub async fn test_sscan_full_iteration(store: TestStore) {
    let members: Vec<String> = (0..300).map(|i| format!("m{i}")).collect();
    store.sadd_multiple("s", &members).await.unwrap();
    let all = sscan_all(&store, "s", ScanOptions::new().count(7)).await;
    let want: BTreeSet<Bytes> = members.iter().map(|m| Bytes::from(m.clone())).collect();
    assert_eq!(all, want, "every member, at least once");
    let matched = sscan_all(&store, "s", ScanOptions::new().pattern("m1?")).await;
    let want: BTreeSet<Bytes> = (10..20).map(|i| Bytes::from(format!("m{i}"))).collect();
    assert_eq!(matched, want, "MATCH m1?");
    assert_eq!(
        store.sscan("missing", 0).await.unwrap(),
        (0, Vec::new()),
        "a missing key is one empty page"
    );
}

/// `COUNT 0` and `TYPE` are `ERR syntax error` on a set (not on a missing key, answered
/// first); another type is `WRONGTYPE`.
pub async fn test_sscan_errors(store: TestStore) {
    store.sadd_multiple("s", ["a", "b"]).await.unwrap();
    assert_error(
        store
            .sscan_options("s", 0, ScanOptions::new().count(0))
            .await,
        ErrorKind::InvalidInput,
        "syntax error",
        "SSCAN COUNT 0",
    );
    assert_error(
        store
            .sscan_options("s", 0, ScanOptions::new().key_type(KeyType::Set))
            .await,
        ErrorKind::InvalidInput,
        "syntax error",
        "SSCAN TYPE",
    );
    assert_eq!(
        store
            .sscan_options("missing", 0, ScanOptions::new().count(0))
            .await
            .unwrap(),
        (0, Vec::new()),
        "a missing key is answered before the options are read"
    );
    store.set("str", "x").await.unwrap();
    assert_kind(
        store.sscan("str", 0).await,
        ErrorKind::WrongType,
        "SSCAN on a string",
    );
}

/// A negative `SRANDMEMBER` count below `-MAX_RANDOM_REPEATS` is refused with `InvalidInput`
/// on every backend, before anything is sent (a Redis server would try to build the reply);
/// counts within the bound work.
pub async fn test_srandmember_huge_negative_count_bounded(store: TestStore) {
    store.sadd_multiple("s", ["a"]).await.unwrap();
    for count in [
        i64::MIN,
        i64::MIN + 1,
        -(crate::MAX_RANDOM_REPEATS as i64) - 1,
    ] {
        assert_error(
            store.srandmember_count("s", count).await,
            ErrorKind::InvalidInput,
            "SRANDMEMBER count",
            "a negative count past the bound",
        );
    }
    assert_eq!(
        store.srandmember_count("s", -3).await.unwrap(),
        bytes(&["a", "a", "a"]),
        "a count within the bound repeats the member"
    );
}
