//! Conformance cases for `HRANDFIELD` (counts, `WITHVALUES`, the bound on negative counts),
//! `HSCAN`, `HMSET` and its own reply, and `HINCRBY`'s error messages.

use super::super::TestStore;
use super::super::keyspace::{assert_error, assert_kind};
use crate::MAX_RANDOM_REPEATS;
use crate::prelude::*;

fn bytes(s: &str) -> Bytes {
    Bytes::copy_from_slice(s.as_bytes())
}

/// `h` with fields f1..f4 holding v1..v4, set in that order.
async fn four(store: &TestStore) {
    store
        .hset_multiple(
            "h",
            [("f1", "v1"), ("f2", "v2"), ("f3", "v3"), ("f4", "v4")],
        )
        .await
        .unwrap();
}

/// `HRANDFIELD` without a count: a field or nil; with a count: distinct fields for a positive
/// count (all of them when it is at least the size), repeats for a negative one.
pub async fn test_hrandfield_counts(store: TestStore) {
    assert_eq!(
        store.hrandfield("h").await.unwrap(),
        None,
        "missing key: nil"
    );
    assert!(store.hrandfield_count("h", 2).await.unwrap().is_empty());
    assert!(
        store
            .hrandfield_with_values("h", -2)
            .await
            .unwrap()
            .is_empty()
    );
    four(&store).await;
    let every = ["f1", "f2", "f3", "f4"];
    let one = store.hrandfield("h").await.unwrap().expect("a field");
    assert!(
        every.iter().any(|f| one == *f),
        "HRANDFIELD returns a field"
    );
    assert!(
        store.hrandfield_count("h", 0).await.unwrap().is_empty(),
        "count 0"
    );
    let mut all = store.hrandfield_count("h", 9).await.unwrap();
    all.sort();
    assert_eq!(
        all, every,
        "a count above the size returns every field once"
    );
    let mut two = store.hrandfield_count("h", 2).await.unwrap();
    two.sort();
    two.dedup();
    assert_eq!(two.len(), 2, "a positive count gives distinct fields");
    let many = store.hrandfield_with_values("h", -15).await.unwrap();
    assert_eq!(many.len(), 15, "a negative count gives exactly that many");
    for (field, value) in &many {
        assert_eq!(
            store.hget("h", field).await.unwrap().as_ref(),
            Some(value),
            "WITHVALUES pairs each field with its value"
        );
    }
    let reply = store
        .execute(Command::HRandField {
            key: "h".into(),
            count: Some(-1),
            with_values: true,
        })
        .await
        .unwrap();
    match reply {
        Reply::Array(items) if items.len() == 1 => assert!(
            matches!(&items[0], Reply::Array(p) if p.len() == 2),
            "WITHVALUES answers [field, value] pairs, got {items:?}"
        ),
        other => panic!("HRANDFIELD -1 WITHVALUES: one pair expected, got {other:?}"),
    }
}

/// `HRANDFIELD` argument errors: `WITHVALUES` without a count, negative counts beyond
/// staunch's bound (refused before anything is sent), checked before the key's type.
pub async fn test_hrandfield_errors(store: TestStore) {
    four(&store).await;
    assert_error(
        store
            .execute(Command::HRandField {
                key: "h".into(),
                count: None,
                with_values: true,
            })
            .await,
        ErrorKind::InvalidInput,
        "not an integer",
        "WITHVALUES without a count",
    );
    let beyond = -(MAX_RANDOM_REPEATS as i64) - 1;
    assert_kind(
        store.hrandfield_count("h", beyond).await,
        ErrorKind::InvalidInput,
        "a negative count beyond the limit is refused",
    );
    assert_kind(
        store.hrandfield_with_values("h", i64::MIN).await,
        ErrorKind::InvalidInput,
        "the most negative count is refused",
    );
    store.set("s", "v").await.unwrap();
    assert_kind(
        store.hrandfield_count("s", i64::MIN + 1).await,
        ErrorKind::InvalidInput,
        "the count is checked before the key's type",
    );
    assert_kind(
        store.hrandfield_count("s", 1).await,
        ErrorKind::WrongType,
        "HRANDFIELD of a string",
    );
    assert_eq!(
        store.hrandfield_count("h", i64::MAX).await.unwrap().len(),
        4,
        "a huge positive count is bounded by the hash"
    );
}

/// `HSCAN` of a small hash returns it whole, in insertion order, with cursor 0, and filters by
/// `MATCH`; `TYPE` and `COUNT 0` are syntax errors; a missing key is an empty page.
pub async fn test_hscan_small_hash(store: TestStore) {
    assert_eq!(
        store.hscan("h", 0).await.unwrap(),
        (0, Vec::new()),
        "missing key"
    );
    four(&store).await;
    store.hdel("h", "f2").await.unwrap();
    store.hset("h", "a", "x").await.unwrap();
    store.hset("h", "f1", "changed").await.unwrap();
    let reply = store
        .execute(Command::HScan {
            key: "h".into(),
            cursor: 0,
            options: ScanOptions::new(),
        })
        .await
        .unwrap();
    let text = |s: &str| Reply::Bulk(bytes(s));
    assert_eq!(
        reply,
        Reply::Array(vec![
            text("0"),
            Reply::Array(vec![
                text("f1"),
                text("changed"),
                text("f3"),
                text("v3"),
                text("f4"),
                text("v4"),
                text("a"),
                text("x"),
            ])
        ]),
        "a small hash comes back whole, in insertion order, flat"
    );
    assert_eq!(
        store
            .hscan_options("h", 0, ScanOptions::new().pattern("f[34]"))
            .await
            .unwrap(),
        (
            0,
            vec![("f3".into(), bytes("v3")), ("f4".into(), bytes("v4"))]
        ),
        "MATCH filters fields"
    );
    assert_error(
        store
            .hscan_options("h", 0, ScanOptions::new().key_type(KeyType::Hash))
            .await,
        ErrorKind::InvalidInput,
        "syntax error",
        "HSCAN TYPE",
    );
    assert_error(
        store
            .hscan_options("h", 0, ScanOptions::new().count(0))
            .await,
        ErrorKind::InvalidInput,
        "syntax error",
        "HSCAN COUNT 0",
    );
    store.set("s", "v").await.unwrap();
    assert_kind(
        store.hscan("s", 0).await,
        ErrorKind::WrongType,
        "HSCAN of a string",
    );
}

/// A full `HSCAN` of a large hash returns every field with its value.
pub async fn test_hscan_large_hash_full_iteration(store: TestStore) {
    let fields: Vec<(String, String)> = (0..300)
        .map(|i| (format!("field{i}"), format!("value{i}")))
        .collect();
    store
        .hset_multiple("h", fields.iter().map(|(f, v)| (f.as_str(), v.as_str())))
        .await
        .unwrap();
    let mut seen = std::collections::HashMap::new();
    let mut cursor = 0;
    loop {
        let (next, page) = store
            .hscan_options("h", cursor, ScanOptions::new().count(40))
            .await
            .unwrap();
        seen.extend(page);
        cursor = next;
        if cursor == 0 {
            break;
        }
    }
    assert_eq!(seen.len(), 300, "every field was returned");
    for (field, value) in &fields {
        assert_eq!(
            seen.get(field.as_bytes()),
            Some(&bytes(value)),
            "{field} with its value"
        );
    }
}

/// `HMSET` writes like `HSET` but answers `OK`; without a field it is an arity error.
pub async fn test_hmset_replies_ok(store: TestStore) {
    let reply = store
        .execute(Command::HMSet {
            key: "h".into(),
            fields: vec![("a".into(), bytes("1")), ("b".into(), bytes("2"))],
        })
        .await
        .unwrap();
    assert_eq!(reply, Reply::ok(), "HMSET answers OK");
    store.hmset("h", [("a", "3"), ("c", "4")]).await.unwrap();
    assert_eq!(
        store.hmget("h", &["a", "b", "c"]).await.unwrap(),
        vec![Some(bytes("3")), Some(bytes("2")), Some(bytes("4"))],
        "HMSET overwrites and adds fields"
    );
    assert_error(
        store
            .execute(Command::HMSet {
                key: "h".into(),
                fields: Vec::new(),
            })
            .await,
        ErrorKind::InvalidInput,
        "wrong number of arguments for 'hmset' command",
        "HMSET without a field",
    );
    store.set("s", "v").await.unwrap();
    assert_kind(
        store.hmset("s", [("a", "1")]).await,
        ErrorKind::WrongType,
        "HMSET on a string",
    );
}

/// `HINCRBY`'s errors carry Redis's words: a value that is not an integer, an overflow, and
/// `WRONGTYPE`.
pub async fn test_hincrby_error_messages(store: TestStore) {
    store.hset("h", "text", "abc").await.unwrap();
    store.hset("h", "big", i64::MAX).await.unwrap();
    assert_error(
        store.hincrby("h", "text", 1).await,
        ErrorKind::InvalidInput,
        "hash value is not an integer",
        "HINCRBY of a non-integer",
    );
    assert_error(
        store.hincrby("h", "big", 1).await,
        ErrorKind::InvalidInput,
        "increment or decrement would overflow",
        "HINCRBY past i64::MAX",
    );
    store.set("s", "v").await.unwrap();
    assert_kind(
        store.hincrby("s", "f", 1).await,
        ErrorKind::WrongType,
        "HINCRBY of a string",
    );
}
