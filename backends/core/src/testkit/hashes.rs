//! Conformance cases for hashes: reads and writes of fields, reply shapes (`HGETALL` is a map,
//! `HKEYS`/`HVALS` arrays), counters and their errors, the TTL rules (changing a hash keeps its
//! TTL, a hash created by a write has none), an emptied hash removing its key, `WRONGTYPE` on
//! every hash command, and the compound field operations (compare-and-set/delete, in the
//! `compare` submodule) and `HSTRLEN` (in `strlen`), listed here with the rest.
//! `HINCRBYFLOAT`'s `long double` results and its error messages are in the `float`
//! submodule, `HRANDFIELD`, `HSCAN`, `HMSET` and `HINCRBY`'s messages in `more`, listed here
//! too.

use std::collections::HashMap;
use std::time::Duration;

use super::keyspace::{assert_kind, populate, snapshot};
use super::{Case, TestStore, cases};
use crate::prelude::*;

mod compare;
mod encodings;
mod float;
mod more;
mod strlen;
pub use compare::*;
pub use encodings::*;
pub use float::*;
pub use more::*;
pub use strlen::*;

/// Every hashes case.
pub fn cases() -> Vec<Case> {
    cases![
        test_hget_missing_is_nil,
        test_hstrlen_counts_bytes,
        test_hstrlen_missing_is_zero,
        test_hstrlen_wrong_type,
        test_hset_counts_new_fields,
        test_hset_duplicate_field_counts_once,
        test_hset_binary_value,
        test_hsetnx_only_when_missing,
        test_hdel_counts_removed,
        test_hdel_last_field_removes_key,
        test_hgetall_reply_is_map,
        test_hmget_order_and_nils,
        test_hexists_and_hlen,
        test_hkeys_hvals,
        test_hincrby_missing_starts_at_zero,
        test_hincrby_not_an_integer,
        test_hincrby_overflow,
        test_hincrbyfloat_formatting,
        test_hincrbyfloat_not_a_float,
        test_hincrbyfloat_infinite_increment,
        test_hincrbyfloat_long_double_results,
        test_hincrbyfloat_error_messages,
        test_hash_writes_keep_ttl,
        test_hset_on_expired_hash_starts_fresh,
        test_hash_commands_wrong_type_on_string,
        test_hash_commands_wrong_type_on_list,
        test_hash_commands_without_fields_invalid,
        test_hcas_expected_value,
        test_hcas_expected_missing,
        test_hcad_removes_field_and_emptied_hash,
        test_hcas_hcad_wrong_type,
        test_hrandfield_counts,
        test_hrandfield_errors,
        test_hscan_small_hash,
        test_hscan_large_hash_full_iteration,
        test_hrandfield_count_signs_both_encodings,
        test_hash_big_payload_and_counters_both_encodings,
        test_hincr_on_odd_texts_both_encodings,
        test_hash_packing_boundary,
        test_hmset_replies_ok,
        test_hincrby_error_messages,
    ]
}

fn b(s: &str) -> Option<Bytes> {
    Some(Bytes::copy_from_slice(s.as_bytes()))
}

fn bulk(s: &str) -> Reply {
    Reply::Bulk(Bytes::copy_from_slice(s.as_bytes()))
}

fn sorted<T: Ord>(mut items: Vec<T>) -> Vec<T> {
    items.sort();
    items
}

/// `HGET` of a missing key or a missing field is nil.
pub async fn test_hget_missing_is_nil(store: TestStore) {
    assert_eq!(
        store.hget("h", "f").await.unwrap(),
        None,
        "HGET on a missing key is nil"
    );
    store.hset("h", "f", "v").await.unwrap();
    assert_eq!(
        store.hget("h", "other").await.unwrap(),
        None,
        "HGET of a missing field is nil"
    );
    let reply = store
        .execute(Command::HGet {
            key: "h".into(),
            field: "f".into(),
        })
        .await
        .unwrap();
    assert_eq!(reply, bulk("v"), "HGET replies Bulk with the value");
}

/// `HSET` replies how many fields are new; updating a field counts 0 but writes.
pub async fn test_hset_counts_new_fields(store: TestStore) {
    assert_eq!(
        store
            .hset_multiple("h", [("a", "1"), ("b", "2")])
            .await
            .unwrap(),
        2,
        "HSET of two new fields replies 2"
    );
    assert_eq!(
        store
            .hset_multiple("h", [("a", "10"), ("c", "3")])
            .await
            .unwrap(),
        1,
        "HSET counts only the new field, not the updated one"
    );
    assert!(
        !store.hset("h", "b", "20").await.unwrap(),
        "HSET of an existing field replies 0"
    );
    assert_eq!(
        store.hgetall("h").await.unwrap(),
        HashMap::from([
            ("a".into(), Bytes::from("10")),
            ("b".into(), Bytes::from("20")),
            ("c".into(), Bytes::from("3")),
        ]),
        "HSET updates existing fields and adds new ones"
    );
    let reply = store
        .execute(Command::HSet {
            key: "h".into(),
            fields: vec![("d".into(), Bytes::from("4"))],
        })
        .await
        .unwrap();
    assert_eq!(reply, Reply::Int(1), "HSET replies Int");
}

/// A field named twice in one `HSET` is counted once and the last value wins.
pub async fn test_hset_duplicate_field_counts_once(store: TestStore) {
    assert_eq!(
        store
            .hset_multiple("h", [("f", "first"), ("f", "second")])
            .await
            .unwrap(),
        1,
        "a field given twice is one new field"
    );
    assert_eq!(
        store.hget("h", "f").await.unwrap(),
        b("second"),
        "the last value given for a field wins"
    );
    assert_eq!(
        store.hlen("h").await.unwrap(),
        1,
        "HLEN counts the field once"
    );
}

/// Hash values are binary safe, and an empty value is a value.
pub async fn test_hset_binary_value(store: TestStore) {
    let value: Vec<u8> = (0..=255u8).chain([0, 0]).collect();
    store.hset("h", "bin", value.clone()).await.unwrap();
    store.hset("h", "empty", "").await.unwrap();
    assert_eq!(
        store.hget("h", "bin").await.unwrap().as_deref(),
        Some(value.as_slice()),
        "every byte value survives HSET/HGET"
    );
    assert_eq!(
        store.hget("h", "empty").await.unwrap(),
        b(""),
        "an empty field value is \"\", not nil"
    );
    assert!(
        store.hexists("h", "empty").await.unwrap(),
        "a field with an empty value exists"
    );
}

/// `HSETNX` writes only a missing field, creating the hash if needed.
pub async fn test_hsetnx_only_when_missing(store: TestStore) {
    assert!(
        store.hsetnx("h", "f", "first").await.unwrap(),
        "HSETNX on a missing key sets the field"
    );
    assert_eq!(
        store.key_type("h").await.unwrap(),
        Some(KeyType::Hash),
        "HSETNX creates the hash"
    );
    assert!(
        !store.hsetnx("h", "f", "second").await.unwrap(),
        "HSETNX on an existing field replies 0"
    );
    assert_eq!(
        store.hget("h", "f").await.unwrap(),
        b("first"),
        "a refused HSETNX changes nothing"
    );
    assert!(
        store.hsetnx("h", "g", "other").await.unwrap(),
        "HSETNX of a new field of an existing hash sets it"
    );
    assert_eq!(store.hlen("h").await.unwrap(), 2, "HSETNX added the field");
}

/// `HDEL` counts the fields it removed; missing fields and keys count 0.
pub async fn test_hdel_counts_removed(store: TestStore) {
    assert_eq!(
        store.hdel_multiple("missing", &["f"]).await.unwrap(),
        0,
        "HDEL on a missing key replies 0"
    );
    store
        .hset_multiple("h", [("a", "1"), ("b", "2"), ("c", "3")])
        .await
        .unwrap();
    assert_eq!(
        store
            .hdel_multiple("h", &["a", "nope", "b", "a"])
            .await
            .unwrap(),
        2,
        "HDEL counts each removed field once, not missing or repeated ones"
    );
    assert_eq!(
        store.hkeys("h").await.unwrap(),
        vec!["c".to_owned()],
        "HDEL removed exactly the named fields"
    );
}

/// Deleting the last field removes the key.
pub async fn test_hdel_last_field_removes_key(store: TestStore) {
    store
        .hset_multiple("h", [("a", "1"), ("b", "2")])
        .await
        .unwrap();
    store.expire("h", 1000).await.unwrap();
    assert_eq!(store.hdel_multiple("h", &["a", "b"]).await.unwrap(), 2);
    assert_eq!(
        store.exists_multiple(&["h"]).await.unwrap(),
        0,
        "an emptied hash is deleted"
    );
    assert_eq!(
        store.key_type("h").await.unwrap(),
        None,
        "TYPE of an emptied hash is none"
    );
    assert_eq!(
        store.ttl("h").await.unwrap(),
        -2,
        "the emptied hash's TTL is gone with it"
    );
    assert!(
        store.hsetnx("h", "c", "3").await.unwrap(),
        "a new write recreates the hash"
    );
    assert_eq!(
        store.ttl("h").await.unwrap(),
        -1,
        "a recreated hash has no TTL"
    );
}

/// `HGETALL` replies a map of field to value, and an empty map for a missing key.
pub async fn test_hgetall_reply_is_map(store: TestStore) {
    let reply = store
        .execute(Command::HGetAll {
            key: "missing".into(),
        })
        .await
        .unwrap();
    assert_eq!(
        reply,
        Reply::Map(Vec::new()),
        "HGETALL of a missing key is an empty map"
    );
    store
        .hset_multiple("h", [("a", "1"), ("b", "2"), ("c", "")])
        .await
        .unwrap();
    let reply = store
        .execute(Command::HGetAll { key: "h".into() })
        .await
        .unwrap();
    let expected = Reply::Map(vec![
        (bulk("a"), bulk("1")),
        (bulk("b"), bulk("2")),
        (bulk("c"), bulk("")),
    ]);
    assert!(
        matches!(reply, Reply::Map(_)),
        "HGETALL replies a Map, got {reply:?}"
    );
    assert_eq!(
        reply.normalized(),
        expected.normalized(),
        "HGETALL maps every field to its value"
    );
}

/// `HMGET` answers in argument order with nil for missing fields (all nil for a missing key).
pub async fn test_hmget_order_and_nils(store: TestStore) {
    assert_eq!(
        store.hmget("missing", &["a", "b"]).await.unwrap(),
        vec![None, None],
        "HMGET on a missing key is all nil"
    );
    store
        .hset_multiple("h", [("a", "1"), ("b", "2")])
        .await
        .unwrap();
    assert_eq!(
        store.hmget("h", &["b", "x", "a", "b"]).await.unwrap(),
        vec![b("2"), None, b("1"), b("2")],
        "HMGET keeps argument order, repeats and nils"
    );
    let reply = store
        .execute(Command::HMGet {
            key: "h".into(),
            fields: vec!["a".into(), "x".into()],
        })
        .await
        .unwrap();
    assert_eq!(
        reply,
        Reply::Array(vec![bulk("1"), Reply::Nil]),
        "HMGET replies an Array of Bulk/Nil"
    );
}

/// `HEXISTS` is 0/1; `HLEN` counts fields and is 0 for a missing key.
pub async fn test_hexists_and_hlen(store: TestStore) {
    assert!(
        !store.hexists("h", "a").await.unwrap(),
        "HEXISTS on a missing key is 0"
    );
    assert_eq!(
        store.hlen("h").await.unwrap(),
        0,
        "HLEN of a missing key is 0"
    );
    store
        .hset_multiple("h", [("a", "1"), ("b", "2"), ("c", "3")])
        .await
        .unwrap();
    assert!(
        store.hexists("h", "a").await.unwrap(),
        "HEXISTS of a field is 1"
    );
    assert!(
        !store.hexists("h", "z").await.unwrap(),
        "HEXISTS of a missing field is 0"
    );
    let reply = store
        .execute(Command::HExists {
            key: "h".into(),
            field: "b".into(),
        })
        .await
        .unwrap();
    assert_eq!(reply, Reply::Int(1), "HEXISTS replies Int");
    assert_eq!(store.hlen("h").await.unwrap(), 3, "HLEN counts the fields");
}

/// `HKEYS`/`HVALS` list every field/value as arrays (empty for a missing key).
pub async fn test_hkeys_hvals(store: TestStore) {
    let keys = store
        .execute(Command::HKeys {
            key: "missing".into(),
        })
        .await
        .unwrap();
    assert_eq!(
        keys,
        Reply::Array(Vec::new()),
        "HKEYS of a missing key is an empty array"
    );
    let vals = store
        .execute(Command::HVals {
            key: "missing".into(),
        })
        .await
        .unwrap();
    assert_eq!(
        vals,
        Reply::Array(Vec::new()),
        "HVALS of a missing key is an empty array"
    );
    store
        .hset_multiple("h", [("a", "1"), ("b", "2"), ("c", "2")])
        .await
        .unwrap();
    assert_eq!(
        sorted(store.hkeys("h").await.unwrap()),
        vec!["a".to_owned(), "b".to_owned(), "c".to_owned()],
        "HKEYS lists every field"
    );
    assert_eq!(
        sorted(store.hvals("h").await.unwrap()),
        vec![Bytes::from("1"), Bytes::from("2"), Bytes::from("2")],
        "HVALS lists every value, duplicates included"
    );
    let reply = store
        .execute(Command::HKeys { key: "h".into() })
        .await
        .unwrap();
    assert!(
        matches!(&reply, Reply::Array(items) if items.len() == 3),
        "HKEYS replies an Array, got {reply:?}"
    );
}

/// `HINCRBY` treats a missing key or field as 0 and adds signed deltas.
pub async fn test_hincrby_missing_starts_at_zero(store: TestStore) {
    assert_eq!(
        store.hincrby("h", "n", 5).await.unwrap(),
        5,
        "HINCRBY on a missing key starts at 0"
    );
    assert_eq!(
        store.ttl("h").await.unwrap(),
        -1,
        "a hash created by HINCRBY has no TTL"
    );
    assert_eq!(
        store.hincrby("h", "n", -8).await.unwrap(),
        -3,
        "HINCRBY adds a negative delta"
    );
    assert_eq!(
        store.hget("h", "n").await.unwrap(),
        b("-3"),
        "HINCRBY stores the decimal text"
    );
    store.hset("h", "s", "10").await.unwrap();
    let reply = store
        .execute(Command::HIncrBy {
            key: "h".into(),
            field: "s".into(),
            delta: 0,
        })
        .await
        .unwrap();
    assert_eq!(reply, Reply::Int(10), "HINCRBY replies Int");
    assert_eq!(
        store.hincrby("h", "new", 1).await.unwrap(),
        1,
        "HINCRBY of a missing field of an existing hash starts at 0"
    );
}

/// `HINCRBY` on a value that is not a canonical integer is `InvalidInput` and changes nothing.
pub async fn test_hincrby_not_an_integer(store: TestStore) {
    for bad in ["abc", "1.5", " 1", "01", "", "1e3"] {
        store.hset("h", "f", bad).await.unwrap();
        assert_kind(
            store.hincrby("h", "f", 1).await,
            ErrorKind::InvalidInput,
            &format!("HINCRBY on {bad:?} is not an integer"),
        );
        assert_eq!(
            store.hget("h", "f").await.unwrap(),
            b(bad),
            "a failed HINCRBY keeps the value"
        );
    }
}

/// `HINCRBY` past `i64` bounds is `InvalidInput` and changes nothing.
pub async fn test_hincrby_overflow(store: TestStore) {
    store.hset("h", "max", i64::MAX).await.unwrap();
    assert_kind(
        store.hincrby("h", "max", 1).await,
        ErrorKind::InvalidInput,
        "HINCRBY past i64::MAX overflows",
    );
    store.hset("h", "min", i64::MIN).await.unwrap();
    assert_kind(
        store.hincrby("h", "min", -1).await,
        ErrorKind::InvalidInput,
        "HINCRBY past i64::MIN overflows",
    );
    assert_eq!(
        store.hmget("h", &["max", "min"]).await.unwrap(),
        vec![b(&i64::MAX.to_string()), b(&i64::MIN.to_string())],
        "an overflowing HINCRBY changes nothing"
    );
    assert_eq!(
        store.hincrby("h", "max", -1).await.unwrap(),
        i64::MAX - 1,
        "HINCRBY within bounds still works"
    );
}

/// `HINCRBYFLOAT` replies the new value as text, with no trailing zeros or exponent.
pub async fn test_hincrbyfloat_formatting(store: TestStore) {
    let incr = |field: &str, delta: f64| Command::HIncrByFloat {
        key: "h".into(),
        field: field.into(),
        delta,
    };
    let cases: [(&str, f64, &str); 5] = [
        ("f", 1.5, "1.5"),
        ("f", 1.5, "3"),
        ("f", -5.25, "-2.25"),
        ("g", 10.0, "10"),
        ("g", -10.0, "0"),
    ];
    for (field, delta, expected) in cases {
        assert_eq!(
            store.execute(incr(field, delta)).await.unwrap(),
            bulk(expected),
            "HINCRBYFLOAT {field} {delta} replies Bulk {expected:?}"
        );
        assert_eq!(
            store.hget("h", field).await.unwrap(),
            b(expected),
            "HINCRBYFLOAT stores the text it replied"
        );
    }
    store.hset("h", "e", "5.0e3").await.unwrap();
    assert_eq!(
        store.execute(incr("e", 1.0)).await.unwrap(),
        bulk("5001"),
        "HINCRBYFLOAT reads exponent notation and writes plain decimals"
    );
    store.hset("h", "i", "7").await.unwrap();
    assert_eq!(
        store.hincrbyfloat("h", "i", 0.25).await.unwrap(),
        7.25,
        "HINCRBYFLOAT reads an integer field"
    );
}

/// `HINCRBYFLOAT` on a value that is not a number is `InvalidInput` and changes nothing.
pub async fn test_hincrbyfloat_not_a_float(store: TestStore) {
    for bad in ["abc", " 1", "1 ", "", "1.5x"] {
        store.hset("h", "f", bad).await.unwrap();
        assert_kind(
            store.hincrbyfloat("h", "f", 1.0).await,
            ErrorKind::InvalidInput,
            &format!("HINCRBYFLOAT on {bad:?} is not a float"),
        );
        assert_eq!(
            store.hget("h", "f").await.unwrap(),
            b(bad),
            "a failed HINCRBYFLOAT keeps the value"
        );
    }
}

/// `HINCRBYFLOAT` by an infinite amount is `InvalidInput` and creates nothing.
pub async fn test_hincrbyfloat_infinite_increment(store: TestStore) {
    for delta in [f64::INFINITY, f64::NEG_INFINITY] {
        assert_kind(
            store.hincrbyfloat("h", "f", delta).await,
            ErrorKind::InvalidInput,
            &format!("HINCRBYFLOAT by {delta} is refused"),
        );
    }
    assert_eq!(
        store.exists_multiple(&["h"]).await.unwrap(),
        0,
        "a refused HINCRBYFLOAT creates no hash"
    );
}

/// Every hash write keeps the hash's TTL.
pub async fn test_hash_writes_keep_ttl(store: TestStore) {
    store
        .hset_multiple("h", [("a", "1"), ("b", "2")])
        .await
        .unwrap();
    store.pexpire("h", 100_000).await.unwrap();
    store.hset("h", "a", "10").await.unwrap();
    store.hset("h", "c", "3").await.unwrap();
    store.hsetnx("h", "d", "4").await.unwrap();
    store.hdel_multiple("h", &["b"]).await.unwrap();
    store.hincrby("h", "a", 1).await.unwrap();
    store.hincrbyfloat("h", "a", 0.5).await.unwrap();
    let pttl = store.pttl("h").await.unwrap();
    assert!(
        (90_000..=100_000).contains(&pttl),
        "HSET/HSETNX/HDEL/HINCRBY/HINCRBYFLOAT keep the hash's TTL, got {pttl}"
    );
    assert_eq!(
        store.hget("h", "a").await.unwrap(),
        b("11.5"),
        "the writes applied"
    );
}

/// A write to an expired hash starts a new hash without TTL.
pub async fn test_hset_on_expired_hash_starts_fresh(store: TestStore) {
    store
        .hset_multiple("h", [("old", "1"), ("other", "2")])
        .await
        .unwrap();
    store.pexpire("h", 50).await.unwrap();
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert_eq!(
        store.hset_multiple("h", [("old", "x")]).await.unwrap(),
        1,
        "a field of an expired hash is new again"
    );
    assert_eq!(
        store.hlen("h").await.unwrap(),
        1,
        "an expired hash's fields are gone"
    );
    assert_eq!(
        store.ttl("h").await.unwrap(),
        -1,
        "a hash created by HSET has no TTL"
    );
}

/// Every hash command on a key of `kind` is `WrongType` and changes nothing.
async fn hash_commands_wrong_type(store: TestStore, kind: KeyType) {
    populate(&store, "k", kind).await;
    store.expire("k", 1000).await.unwrap();
    let before = snapshot(&store, "k").await;
    let key = || "k".to_owned();
    let field = || "field".to_owned();
    let commands = vec![
        Command::HGet {
            key: key().into(),
            field: field().into(),
        },
        Command::HSet {
            key: key().into(),
            fields: vec![(field().into(), Bytes::from("v"))],
        },
        Command::HSetNx {
            key: key().into(),
            field: field().into(),
            value: Bytes::from("v"),
        },
        Command::HDel {
            key: key().into(),
            fields: vec![field().into()],
        },
        Command::HGetAll { key: key().into() },
        Command::HMGet {
            key: key().into(),
            fields: vec![field().into()],
        },
        Command::HMSet {
            key: key().into(),
            fields: vec![(field().into(), Bytes::from_static(b"v"))],
        },
        Command::HRandField {
            key: key().into(),
            count: Some(-2),
            with_values: true,
        },
        Command::HScan {
            key: key().into(),
            cursor: 0,
            options: ScanOptions::new(),
        },
        Command::HIncrBy {
            key: key().into(),
            field: field().into(),
            delta: 1,
        },
        Command::HIncrByFloat {
            key: key().into(),
            field: field().into(),
            delta: 1.5,
        },
        Command::HExists {
            key: key().into(),
            field: field().into(),
        },
        Command::HLen { key: key().into() },
        Command::HKeys { key: key().into() },
        Command::HVals { key: key().into() },
    ];
    let name = kind.as_str();
    for command in commands {
        let label = format!("{} on a {name} is WRONGTYPE", command.name());
        assert_kind(store.execute(command).await, ErrorKind::WrongType, &label);
    }
    assert_eq!(
        snapshot(&store, "k").await,
        before,
        "WRONGTYPE changes nothing on a {name}"
    );
    let ttl = store.ttl("k").await.unwrap();
    assert!(
        (990..=1000).contains(&ttl),
        "WRONGTYPE keeps the {name}'s TTL, got {ttl}"
    );
}

/// Hash commands on a string are `WrongType` and change nothing.
pub async fn test_hash_commands_wrong_type_on_string(store: TestStore) {
    hash_commands_wrong_type(store, KeyType::String).await;
}

/// Hash commands on a list are `WrongType` and change nothing.
pub async fn test_hash_commands_wrong_type_on_list(store: TestStore) {
    hash_commands_wrong_type(store, KeyType::List).await;
}

/// `HSET`, `HDEL` and `HMGET` without fields are `InvalidInput` (wrong number of arguments).
pub async fn test_hash_commands_without_fields_invalid(store: TestStore) {
    let commands = [
        Command::HSet {
            key: "h".into(),
            fields: Vec::new(),
        },
        Command::HDel {
            key: "h".into(),
            fields: Vec::new(),
        },
        Command::HMGet {
            key: "h".into(),
            fields: Vec::new(),
        },
    ];
    for command in commands {
        let label = format!("{} without fields is refused", command.name());
        assert_kind(
            store.execute(command).await,
            ErrorKind::InvalidInput,
            &label,
        );
    }
    assert_eq!(
        store.exists_multiple(&["h"]).await.unwrap(),
        0,
        "HSET without fields creates nothing"
    );
}
