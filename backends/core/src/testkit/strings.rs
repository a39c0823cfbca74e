//! Conformance cases for strings: `GET`/`SET` and its options, which writes clear or keep a TTL,
//! `MGET`/`MSET`, counters, `APPEND`/`STRLEN`, `GETDEL`/`GETEX`, and `WRONGTYPE` on every string
//! command against every collection type.
//!
//! `INCRBYFLOAT` cases use increments exactly representable in binary (0.5, 1.25, ...): local
//! backends compute in `f64` while Redis uses `long double`, and staunch documents that difference
//! for values that are not exactly representable.

use std::time::Duration;

use super::keyspace::{COLLECTIONS, assert_kind, now_ms, populate, snapshot};
use super::{Case, TestStore, cases};
use crate::SetReply;
use crate::prelude::*;

/// Every strings case.
pub fn cases() -> Vec<Case> {
    cases![
        test_get_missing_is_nil,
        test_set_get_roundtrip,
        test_set_binary_value,
        test_set_empty_value,
        test_set_nx,
        test_set_xx,
        test_set_get_returns_old_value,
        test_set_nx_get,
        test_set_clears_ttl,
        test_set_keepttl_keeps_ttl,
        test_set_expiry_options,
        test_set_exat_past_deletes,
        test_set_zero_expiry_invalid,
        test_set_overwrites_other_type,
        test_set_get_on_wrong_type,
        test_set_nx_on_other_type,
        test_mget_missing_and_wrong_type_nil,
        test_mset_sets_all_and_clears_ttl,
        test_incrby_missing_starts_at_zero,
        test_incrby_keeps_ttl,
        test_incrby_not_an_integer,
        test_incrby_overflow,
        test_incrby_strict_integer_syntax,
        test_incrbyfloat_formatting,
        test_incrbyfloat_keeps_ttl,
        test_incrbyfloat_not_a_float,
        test_incrbyfloat_lenient_number_syntax,
        test_incrbyfloat_infinity_and_nan_invalid,
        test_set_nx_with_expiry_on_existing_key,
        test_append_and_strlen,
        test_append_binary_keeps_ttl,
        test_getdel,
        test_getex_leaves_sets_and_persists,
        test_getex_invalid_expiry,
        test_string_commands_wrong_type_on_list,
        test_string_commands_wrong_type_on_hash,
        test_string_commands_wrong_type_on_set,
        test_string_commands_wrong_type_on_zset,
    ]
}

fn b(s: &str) -> Option<Bytes> {
    Some(Bytes::copy_from_slice(s.as_bytes()))
}

async fn set_opts(store: &TestStore, key: &str, value: &str, options: SetOptions) -> SetReply {
    store.set_options(key, value, options).await.unwrap()
}

/// `GET` of a missing key is nil.
pub async fn test_get_missing_is_nil(store: TestStore) {
    assert_eq!(
        store.get("missing").await.unwrap(),
        None,
        "GET of missing is nil"
    );
    let reply = store
        .execute(Command::Get {
            key: "missing".into(),
        })
        .await
        .unwrap();
    assert_eq!(reply, Reply::Nil, "GET of missing replies Nil");
}

/// `SET` then `GET` returns the value; a second `SET` overwrites it.
pub async fn test_set_get_roundtrip(store: TestStore) {
    store.set("k", "v1").await.unwrap();
    assert_eq!(
        store.get("k").await.unwrap(),
        b("v1"),
        "GET returns what SET wrote"
    );
    store.set("k", "v2").await.unwrap();
    assert_eq!(store.get("k").await.unwrap(), b("v2"), "SET overwrites");
    let reply = store
        .execute(Command::Set {
            key: "k".into(),
            value: Bytes::from("v3"),
            options: SetOptions::new(),
        })
        .await
        .unwrap();
    assert_eq!(reply, Reply::ok(), "SET replies status OK");
}

/// Values are binary safe.
pub async fn test_set_binary_value(store: TestStore) {
    let value: Vec<u8> = (0..=255u8).chain([0, 0, 255]).collect();
    store.set("bin", value.clone()).await.unwrap();
    assert_eq!(
        store.get("bin").await.unwrap().as_deref(),
        Some(value.as_slice()),
        "every byte value survives SET/GET"
    );
    assert_eq!(
        store.strlen("bin").await.unwrap(),
        259,
        "STRLEN counts bytes"
    );
}

/// An empty value is a value: the key exists with length 0.
pub async fn test_set_empty_value(store: TestStore) {
    store.set("e", "").await.unwrap();
    assert_eq!(
        store.get("e").await.unwrap(),
        b(""),
        "GET of an empty value is \"\""
    );
    assert_eq!(
        store.exists(&["e"]).await.unwrap(),
        1,
        "an empty string exists"
    );
    assert_eq!(store.strlen("e").await.unwrap(), 0, "STRLEN of \"\" is 0");
}

/// `SET NX` writes only when the key is missing.
pub async fn test_set_nx(store: TestStore) {
    let nx = SetOptions::new().condition(SetCondition::Nx);
    assert_eq!(
        set_opts(&store, "k", "first", nx).await,
        SetReply::Written,
        "SET NX on a missing key writes"
    );
    assert_eq!(
        set_opts(&store, "k", "second", nx).await,
        SetReply::NotWritten,
        "SET NX on an existing key replies nil"
    );
    assert_eq!(
        store.get("k").await.unwrap(),
        b("first"),
        "a failed SET NX changes nothing"
    );
}

/// `SET XX` writes only when the key exists.
pub async fn test_set_xx(store: TestStore) {
    let xx = SetOptions::new().condition(SetCondition::Xx);
    assert_eq!(
        set_opts(&store, "k", "v", xx).await,
        SetReply::NotWritten,
        "SET XX on a missing key replies nil"
    );
    assert_eq!(
        store.exists(&["k"]).await.unwrap(),
        0,
        "SET XX did not create the key"
    );
    store.set("k", "old").await.unwrap();
    assert_eq!(
        set_opts(&store, "k", "new", xx).await,
        SetReply::Written,
        "SET XX on an existing key writes"
    );
    assert_eq!(store.get("k").await.unwrap(), b("new"), "SET XX wrote");
}

/// `SET GET` returns the previous value (nil when missing) and writes.
pub async fn test_set_get_returns_old_value(store: TestStore) {
    let get = SetOptions::new().get(true);
    assert_eq!(
        set_opts(&store, "k", "one", get).await,
        SetReply::Previous(None),
        "SET GET of a missing key returns nil"
    );
    assert_eq!(
        set_opts(&store, "k", "two", get).await,
        SetReply::Previous(b("one")),
        "SET GET returns the old value"
    );
    assert_eq!(
        store.get("k").await.unwrap(),
        b("two"),
        "SET GET wrote the new value"
    );
}

/// `SET NX GET` (Redis 7) returns the old value and writes only when missing.
pub async fn test_set_nx_get(store: TestStore) {
    let nx_get = SetOptions::new().condition(SetCondition::Nx).get(true);
    assert_eq!(
        set_opts(&store, "k", "v", nx_get).await,
        SetReply::Previous(None),
        "SET NX GET on a missing key writes and returns nil"
    );
    assert_eq!(
        set_opts(&store, "k", "w", nx_get).await,
        SetReply::Previous(b("v")),
        "SET NX GET on an existing key returns the value without writing"
    );
    assert_eq!(
        store.get("k").await.unwrap(),
        b("v"),
        "SET NX GET did not overwrite"
    );
    let xx_get = SetOptions::new().condition(SetCondition::Xx).get(true);
    assert_eq!(
        set_opts(&store, "k", "x", xx_get).await,
        SetReply::Previous(b("v")),
        "SET XX GET returns the old value"
    );
    assert_eq!(store.get("k").await.unwrap(), b("x"), "SET XX GET wrote");
}

/// A plain `SET` clears the TTL.
pub async fn test_set_clears_ttl(store: TestStore) {
    store
        .set_ex("k", "v", Duration::from_secs(100))
        .await
        .unwrap();
    store.set("k", "w").await.unwrap();
    assert_eq!(
        store.ttl("k").await.unwrap(),
        -1,
        "SET without KEEPTTL clears the TTL"
    );
    store
        .set_ex("k", "v", Duration::from_secs(100))
        .await
        .unwrap();
    set_opts(
        &store,
        "k",
        "w",
        SetOptions::new().condition(SetCondition::Xx),
    )
    .await;
    assert_eq!(
        store.ttl("k").await.unwrap(),
        -1,
        "SET XX without KEEPTTL clears the TTL"
    );
    store
        .set_ex("k", "v", Duration::from_secs(100))
        .await
        .unwrap();
    set_opts(&store, "k", "w", SetOptions::new().get(true)).await;
    assert_eq!(
        store.ttl("k").await.unwrap(),
        -1,
        "SET GET without KEEPTTL clears the TTL"
    );
}

/// `SET KEEPTTL` keeps the TTL (and on a key without one, sets none).
pub async fn test_set_keepttl_keeps_ttl(store: TestStore) {
    store
        .set_ex("k", "v", Duration::from_secs(100))
        .await
        .unwrap();
    let keep = SetOptions::new().expiry(SetExpiry::KeepTtl);
    assert_eq!(
        set_opts(&store, "k", "w", keep).await,
        SetReply::Written,
        "SET KEEPTTL writes"
    );
    assert_eq!(
        store.get("k").await.unwrap(),
        b("w"),
        "SET KEEPTTL wrote the value"
    );
    let pttl = store.pttl("k").await.unwrap();
    assert!(
        (90_000..=100_000).contains(&pttl),
        "SET KEEPTTL keeps the TTL, got {pttl}"
    );
    set_opts(&store, "n", "v", keep).await;
    assert_eq!(
        store.ttl("n").await.unwrap(),
        -1,
        "SET KEEPTTL on a new key sets no TTL"
    );
}

/// `EX`, `PX`, `EXAT` and `PXAT` each set the TTL they say.
pub async fn test_set_expiry_options(store: TestStore) {
    let with = |e| SetOptions::new().expiry(e);
    set_opts(&store, "ex", "v", with(SetExpiry::Ex(100))).await;
    let ttl = store.ttl("ex").await.unwrap();
    assert!(
        (99..=100).contains(&ttl),
        "SET EX 100 gives TTL ~100, got {ttl}"
    );
    set_opts(&store, "px", "v", with(SetExpiry::Px(20_000))).await;
    let pttl = store.pttl("px").await.unwrap();
    assert!(
        (19_000..=20_000).contains(&pttl),
        "SET PX 20000 gives PTTL ~20000, got {pttl}"
    );
    let at = (now_ms() / 1000 + 200) as u64;
    set_opts(&store, "exat", "v", with(SetExpiry::ExAt(at))).await;
    let ttl = store.ttl("exat").await.unwrap();
    assert!(
        (198..=200).contains(&ttl),
        "SET EXAT now+200 gives TTL ~200, got {ttl}"
    );
    let at = (now_ms() + 30_000) as u64;
    set_opts(&store, "pxat", "v", with(SetExpiry::PxAt(at))).await;
    let pttl = store.pttl("pxat").await.unwrap();
    assert!(
        (29_000..=30_000).contains(&pttl),
        "SET PXAT now+30000 gives PTTL ~30000, got {pttl}"
    );
    assert_eq!(
        store.get("pxat").await.unwrap(),
        b("v"),
        "SET PXAT wrote the value"
    );
}

/// `SET EXAT`/`PXAT` in the past replies OK but leaves no visible key.
pub async fn test_set_exat_past_deletes(store: TestStore) {
    store.set("k", "old").await.unwrap();
    let reply = set_opts(
        &store,
        "k",
        "v",
        SetOptions::new().expiry(SetExpiry::ExAt(1)),
    )
    .await;
    assert_eq!(reply, SetReply::Written, "SET EXAT in the past replies OK");
    assert_eq!(
        store.get("k").await.unwrap(),
        None,
        "a past EXAT leaves the key expired"
    );
    let past = (now_ms() - 5_000) as u64;
    set_opts(
        &store,
        "p",
        "v",
        SetOptions::new().expiry(SetExpiry::PxAt(past)),
    )
    .await;
    assert_eq!(
        store.exists(&["k", "p"]).await.unwrap(),
        0,
        "a past PXAT leaves the key expired"
    );
}

/// A zero expiry is `InvalidInput` and writes nothing.
pub async fn test_set_zero_expiry_invalid(store: TestStore) {
    store.set("k", "keep").await.unwrap();
    for expiry in [
        SetExpiry::Ex(0),
        SetExpiry::Px(0),
        SetExpiry::ExAt(0),
        SetExpiry::PxAt(0),
    ] {
        assert_kind(
            store
                .set_options("k", "new", SetOptions::new().expiry(expiry))
                .await,
            ErrorKind::InvalidInput,
            &format!("SET with zero expiry {expiry:?}"),
        );
    }
    assert_eq!(
        store.get("k").await.unwrap(),
        b("keep"),
        "an invalid SET writes nothing"
    );
    assert_eq!(
        store.ttl("k").await.unwrap(),
        -1,
        "an invalid SET sets no TTL"
    );
}

/// A plain `SET` replaces a key of any type.
pub async fn test_set_overwrites_other_type(store: TestStore) {
    for kind in COLLECTIONS {
        populate(&store, "k", kind).await;
        store.expire("k", 100).await.unwrap();
        store.set("k", "v").await.unwrap();
        assert_eq!(
            store.key_type("k").await.unwrap(),
            Some(KeyType::String),
            "SET replaces a {} with a string",
            kind.as_str()
        );
        assert_eq!(
            store.ttl("k").await.unwrap(),
            -1,
            "SET clears the old key's TTL"
        );
        store.del(&["k"]).await.unwrap();
    }
}

/// `SET GET` on a non-string is `WrongType` and writes nothing.
pub async fn test_set_get_on_wrong_type(store: TestStore) {
    populate(&store, "h", KeyType::Hash).await;
    let before = snapshot(&store, "h").await;
    assert_kind(
        store
            .set_options("h", "v", SetOptions::new().get(true))
            .await,
        ErrorKind::WrongType,
        "SET GET on a hash",
    );
    assert_eq!(
        snapshot(&store, "h").await,
        before,
        "a failed SET GET changes nothing"
    );
}

/// `SET NX` on a key of another type fails as on any existing key; `XX` overwrites it.
pub async fn test_set_nx_on_other_type(store: TestStore) {
    populate(&store, "l", KeyType::List).await;
    let nx = SetOptions::new().condition(SetCondition::Nx);
    assert_eq!(
        set_opts(&store, "l", "v", nx).await,
        SetReply::NotWritten,
        "SET NX on an existing list replies nil"
    );
    assert_eq!(store.llen("l").await.unwrap(), 2, "the list is untouched");
    let xx = SetOptions::new().condition(SetCondition::Xx);
    assert_eq!(
        set_opts(&store, "l", "v", xx).await,
        SetReply::Written,
        "SET XX on an existing list writes"
    );
    assert_eq!(
        store.get("l").await.unwrap(),
        b("v"),
        "SET XX replaced the list"
    );
}

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
        .set_ex("a", "old", Duration::from_secs(100))
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

/// `INCRBY` on a missing key starts at 0; `DECRBY` subtracts.
pub async fn test_incrby_missing_starts_at_zero(store: TestStore) {
    assert_eq!(
        store.incr_by("n", 5).await.unwrap(),
        5,
        "INCRBY of missing starts at 0"
    );
    assert_eq!(store.decr_by("n", 3).await.unwrap(), 2, "DECRBY subtracts");
    assert_eq!(store.incr("n").await.unwrap(), 3, "INCR adds 1");
    assert_eq!(
        store.incr_by("n", -10).await.unwrap(),
        -7,
        "a negative INCRBY subtracts"
    );
    assert_eq!(
        store.decr_by("n", -7).await.unwrap(),
        0,
        "a negative DECRBY adds"
    );
    assert_eq!(
        store.decr_by("m", 4).await.unwrap(),
        -4,
        "DECRBY of missing starts at 0"
    );
    assert_eq!(
        store.get("n").await.unwrap(),
        b("0"),
        "the counter is stored as text"
    );
    store.set("s", "41").await.unwrap();
    assert_eq!(
        store.incr("s").await.unwrap(),
        42,
        "INCR parses a numeric string"
    );
}

/// `INCRBY`/`DECRBY` keep the TTL.
pub async fn test_incrby_keeps_ttl(store: TestStore) {
    store
        .set_ex("n", "1", Duration::from_secs(100))
        .await
        .unwrap();
    store.incr_by("n", 2).await.unwrap();
    store.decr_by("n", 1).await.unwrap();
    let pttl = store.pttl("n").await.unwrap();
    assert!(
        (90_000..=100_000).contains(&pttl),
        "INCRBY keeps the TTL, got {pttl}"
    );
    assert_eq!(store.get("n").await.unwrap(), b("2"), "the counter moved");
}

/// `INCRBY` on a value that is not an integer is `InvalidInput` and changes nothing.
pub async fn test_incrby_not_an_integer(store: TestStore) {
    for (i, text) in ["abc", "1.5", " 1", "1 ", "", "99999999999999999999"]
        .into_iter()
        .enumerate()
    {
        let key = format!("k{i}");
        store.set(&key, text).await.unwrap();
        assert_kind(
            store.incr_by(&key, 1).await,
            ErrorKind::InvalidInput,
            &format!("INCRBY of {text:?} is not an integer"),
        );
        assert_kind(
            store.decr_by(&key, 1).await,
            ErrorKind::InvalidInput,
            &format!("DECRBY of {text:?} is not an integer"),
        );
        assert_eq!(
            store.get(&key).await.unwrap(),
            b(text),
            "a failed INCRBY keeps {text:?}"
        );
    }
}

/// Integer overflow is `InvalidInput` and changes nothing.
pub async fn test_incrby_overflow(store: TestStore) {
    store.set("max", i64::MAX).await.unwrap();
    assert_kind(
        store.incr_by("max", 1).await,
        ErrorKind::InvalidInput,
        "INCRBY past i64::MAX overflows",
    );
    assert_eq!(
        store.get("max").await.unwrap(),
        b(&i64::MAX.to_string()),
        "an overflowing INCRBY keeps the value"
    );
    store.set("min", i64::MIN).await.unwrap();
    assert_kind(
        store.decr_by("min", 1).await,
        ErrorKind::InvalidInput,
        "DECRBY past i64::MIN overflows",
    );
    store.set("five", "5").await.unwrap();
    assert_kind(
        store.decr_by("five", i64::MIN).await,
        ErrorKind::InvalidInput,
        "DECRBY by i64::MIN cannot be negated",
    );
    assert_eq!(
        store.get("five").await.unwrap(),
        b("5"),
        "DECRBY i64::MIN keeps the value"
    );
    assert_eq!(
        store.incr_by("max", -1).await.unwrap(),
        i64::MAX - 1,
        "INCRBY below the limit still works"
    );
}

/// `INCRBYFLOAT` formats results as Redis does: no trailing zeros, integers without a point.
pub async fn test_incrbyfloat_formatting(store: TestStore) {
    store.set("f", "10").await.unwrap();
    let reply = store
        .execute(Command::IncrByFloat {
            key: "f".into(),
            delta: 0.5,
        })
        .await
        .unwrap();
    assert_eq!(
        reply,
        Reply::Bulk(Bytes::from("10.5")),
        "10 + 0.5 replies bulk \"10.5\""
    );
    assert_eq!(
        store.get("f").await.unwrap(),
        b("10.5"),
        "stored as \"10.5\""
    );
    assert_eq!(
        store.incr_by_float("f", -7.5).await.unwrap(),
        3.0,
        "10.5 - 7.5 = 3"
    );
    assert_eq!(
        store.get("f").await.unwrap(),
        b("3"),
        "an integral result has no point"
    );
    assert_eq!(
        store.incr_by_float("f", 1.25).await.unwrap(),
        4.25,
        "3 + 1.25 = 4.25"
    );
    assert_eq!(
        store.get("f").await.unwrap(),
        b("4.25"),
        "stored as \"4.25\""
    );
    assert_eq!(
        store.incr_by_float("new", 1.5).await.unwrap(),
        1.5,
        "missing starts at 0"
    );
    assert_eq!(
        store.get("new").await.unwrap(),
        b("1.5"),
        "stored as \"1.5\""
    );
    store.set("int", "5").await.unwrap();
    assert_eq!(
        store.incr_by_float("int", -0.25).await.unwrap(),
        4.75,
        "INCRBYFLOAT works on an integer string"
    );
    store.set("neg", "-2.5").await.unwrap();
    store.incr_by_float("neg", 0.5).await.unwrap();
    assert_eq!(
        store.get("neg").await.unwrap(),
        b("-2"),
        "-2.5 + 0.5 is stored as \"-2\""
    );
    store.set("e", "1e2").await.unwrap();
    store.incr_by_float("e", 1.0).await.unwrap();
    assert_eq!(
        store.get("e").await.unwrap(),
        b("101"),
        "exponent notation is read"
    );
    assert_eq!(
        store.incr("int").await.ok(),
        None,
        "\"4.75\" is no longer an integer"
    );
}

/// `INCRBYFLOAT` keeps the TTL.
pub async fn test_incrbyfloat_keeps_ttl(store: TestStore) {
    store
        .set_ex("f", "1", Duration::from_secs(100))
        .await
        .unwrap();
    store.incr_by_float("f", 0.5).await.unwrap();
    let pttl = store.pttl("f").await.unwrap();
    assert!(
        (90_000..=100_000).contains(&pttl),
        "INCRBYFLOAT keeps the TTL, got {pttl}"
    );
}

/// `INCRBYFLOAT` on a value that is not a number is `InvalidInput`.
pub async fn test_incrbyfloat_not_a_float(store: TestStore) {
    store.set("s", "abc").await.unwrap();
    assert_kind(
        store.incr_by_float("s", 1.0).await,
        ErrorKind::InvalidInput,
        "INCRBYFLOAT of \"abc\"",
    );
    assert_eq!(
        store.get("s").await.unwrap(),
        b("abc"),
        "a failed INCRBYFLOAT keeps it"
    );
}

/// `APPEND` creates, extends and returns the new length; `STRLEN` agrees.
pub async fn test_append_and_strlen(store: TestStore) {
    assert_eq!(
        store.strlen("k").await.unwrap(),
        0,
        "STRLEN of missing is 0"
    );
    assert_eq!(
        store.append("k", "Hello").await.unwrap(),
        5,
        "APPEND creates the key"
    );
    assert_eq!(
        store.append("k", " World").await.unwrap(),
        11,
        "APPEND returns the length"
    );
    assert_eq!(
        store.get("k").await.unwrap(),
        b("Hello World"),
        "APPEND concatenates"
    );
    assert_eq!(store.strlen("k").await.unwrap(), 11, "STRLEN after APPEND");
    assert_eq!(
        store.append("k", "").await.unwrap(),
        11,
        "APPEND of nothing"
    );
    store.set("n", "12").await.unwrap();
    store.append("n", "3").await.unwrap();
    assert_eq!(
        store.incr("n").await.unwrap(),
        124,
        "an appended counter is a counter"
    );
}

/// `APPEND` is binary safe and keeps the TTL.
pub async fn test_append_binary_keeps_ttl(store: TestStore) {
    store
        .set_ex("k", &b"\x00\xff"[..], Duration::from_secs(100))
        .await
        .unwrap();
    assert_eq!(
        store.append("k", &b"\x00\x80"[..]).await.unwrap(),
        4,
        "APPEND binary"
    );
    assert_eq!(
        store.get("k").await.unwrap().as_deref(),
        Some(&b"\x00\xff\x00\x80"[..]),
        "APPEND keeps every byte"
    );
    let pttl = store.pttl("k").await.unwrap();
    assert!(
        (90_000..=100_000).contains(&pttl),
        "APPEND keeps the TTL, got {pttl}"
    );
}

/// `GETDEL` returns the value and removes the key.
pub async fn test_getdel(store: TestStore) {
    store
        .set_ex("k", "v", Duration::from_secs(100))
        .await
        .unwrap();
    assert_eq!(
        store.getdel("k").await.unwrap(),
        b("v"),
        "GETDEL returns the value"
    );
    assert_eq!(
        store.exists(&["k"]).await.unwrap(),
        0,
        "GETDEL removes the key"
    );
    assert_eq!(
        store.ttl("k").await.unwrap(),
        -2,
        "GETDEL leaves no TTL behind"
    );
    assert_eq!(
        store.getdel("k").await.unwrap(),
        None,
        "GETDEL of missing is nil"
    );
}

/// `GETEX` without options leaves the TTL, with `PX` sets it, with `PERSIST` removes it.
pub async fn test_getex_leaves_sets_and_persists(store: TestStore) {
    assert_eq!(
        store.getex("missing", None).await.unwrap(),
        None,
        "GETEX of missing is nil"
    );
    assert_eq!(
        store
            .getex("missing", Some(GetExExpiry::Set(SetExpiry::Px(1000))))
            .await
            .unwrap(),
        None,
        "GETEX PX of missing is nil"
    );
    assert_eq!(
        store.exists(&["missing"]).await.unwrap(),
        0,
        "GETEX creates nothing"
    );
    store.set("k", "v").await.unwrap();
    assert_eq!(
        store.getex("k", None).await.unwrap(),
        b("v"),
        "GETEX returns the value"
    );
    assert_eq!(
        store.ttl("k").await.unwrap(),
        -1,
        "GETEX without options sets no TTL"
    );
    store
        .getex("k", Some(GetExExpiry::Set(SetExpiry::Px(50_000))))
        .await
        .unwrap();
    let pttl = store.pttl("k").await.unwrap();
    assert!(
        (45_000..=50_000).contains(&pttl),
        "GETEX PX sets the TTL, got {pttl}"
    );
    store.getex("k", None).await.unwrap();
    let pttl = store.pttl("k").await.unwrap();
    assert!(
        (45_000..=50_000).contains(&pttl),
        "GETEX alone keeps the TTL, got {pttl}"
    );
    store
        .getex("k", Some(GetExExpiry::Set(SetExpiry::Ex(200))))
        .await
        .unwrap();
    let ttl = store.ttl("k").await.unwrap();
    assert!(
        (199..=200).contains(&ttl),
        "GETEX EX sets the TTL, got {ttl}"
    );
    let at = (now_ms() + 70_000) as u64;
    store
        .getex("k", Some(GetExExpiry::Set(SetExpiry::PxAt(at))))
        .await
        .unwrap();
    let pttl = store.pttl("k").await.unwrap();
    assert!(
        (65_000..=70_000).contains(&pttl),
        "GETEX PXAT sets the TTL, got {pttl}"
    );
    assert_eq!(
        store.getex("k", Some(GetExExpiry::Persist)).await.unwrap(),
        b("v"),
        "GETEX PERSIST returns the value"
    );
    assert_eq!(
        store.ttl("k").await.unwrap(),
        -1,
        "GETEX PERSIST removes the TTL"
    );
}

/// `GETEX` with a zero expiry (or `KEEPTTL`, which it does not have) is `InvalidInput`.
pub async fn test_getex_invalid_expiry(store: TestStore) {
    store.set("k", "v").await.unwrap();
    for expiry in [SetExpiry::Ex(0), SetExpiry::Px(0), SetExpiry::KeepTtl] {
        assert_kind(
            store.getex("k", Some(GetExExpiry::Set(expiry))).await,
            ErrorKind::InvalidInput,
            &format!("GETEX with {expiry:?}"),
        );
    }
    assert_eq!(
        store.get("k").await.unwrap(),
        b("v"),
        "an invalid GETEX keeps the value"
    );
    assert_eq!(
        store.ttl("k").await.unwrap(),
        -1,
        "an invalid GETEX sets no TTL"
    );
}

/// Every string command but plain `SET`/`MSET`/`MGET` is `WrongType` on `kind` and changes
/// nothing.
async fn string_commands_wrong_type(store: TestStore, kind: KeyType) {
    populate(&store, "k", kind).await;
    store.expire("k", 1000).await.unwrap();
    let before = snapshot(&store, "k").await;
    let name = kind.as_str();
    let commands = vec![
        Command::Get { key: "k".into() },
        Command::Set {
            key: "k".into(),
            value: Bytes::from("v"),
            options: SetOptions::new().get(true),
        },
        Command::IncrBy {
            key: "k".into(),
            delta: 1,
        },
        Command::DecrBy {
            key: "k".into(),
            delta: 1,
        },
        Command::IncrByFloat {
            key: "k".into(),
            delta: 0.5,
        },
        Command::GetDel { key: "k".into() },
        Command::GetEx {
            key: "k".into(),
            expiry: None,
        },
        Command::GetEx {
            key: "k".into(),
            expiry: Some(GetExExpiry::Persist),
        },
        Command::GetEx {
            key: "k".into(),
            expiry: Some(GetExExpiry::Set(SetExpiry::Px(5))),
        },
        Command::Append {
            key: "k".into(),
            value: Bytes::from("x"),
        },
        Command::StrLen { key: "k".into() },
    ];
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
    assert_eq!(
        store.mget(&["k"]).await.unwrap(),
        vec![None],
        "MGET of a {name} is nil, not WRONGTYPE"
    );
}

/// String commands on a list are `WrongType` and change nothing.
pub async fn test_string_commands_wrong_type_on_list(store: TestStore) {
    string_commands_wrong_type(store, KeyType::List).await;
}

/// String commands on a hash are `WrongType` and change nothing.
pub async fn test_string_commands_wrong_type_on_hash(store: TestStore) {
    string_commands_wrong_type(store, KeyType::Hash).await;
}

/// String commands on a set are `WrongType` and change nothing.
pub async fn test_string_commands_wrong_type_on_set(store: TestStore) {
    string_commands_wrong_type(store, KeyType::Set).await;
}

/// String commands on a sorted set are `WrongType` and change nothing.
pub async fn test_string_commands_wrong_type_on_zset(store: TestStore) {
    string_commands_wrong_type(store, KeyType::ZSet).await;
}

/// `INCRBY` accepts only canonical integers: no sign `+`, no leading zeros, no `-0`, no spaces.
pub async fn test_incrby_strict_integer_syntax(store: TestStore) {
    for text in ["007", "+1", "-0", "0x10", " 5", "1e3"] {
        store.set("n", text).await.unwrap();
        assert_kind(
            store.incr_by("n", 1).await,
            ErrorKind::InvalidInput,
            &format!("INCRBY of {text:?} (not a canonical integer)"),
        );
        assert_eq!(store.get("n").await.unwrap(), b(text), "{text:?} is kept");
    }
    for (text, want) in [("0", 1), ("-5", -4), ("9", 10)] {
        store.set("n", text).await.unwrap();
        assert_eq!(store.incr("n").await.unwrap(), want, "INCR of {text:?}");
    }
}

/// `INCRBYFLOAT` reads any decimal float: leading zeros, `.5`, `5.`, exponents.
pub async fn test_incrbyfloat_lenient_number_syntax(store: TestStore) {
    for (text, want) in [("007", "8"), (".5", "1.5"), ("5.", "6"), ("2.5e1", "26")] {
        store.set("f", text).await.unwrap();
        store.incr_by_float("f", 1.0).await.unwrap();
        assert_eq!(
            store.get("f").await.unwrap(),
            b(want),
            "INCRBYFLOAT 1 of {text:?}"
        );
    }
    for text in [" 5", "5 ", "1.5.5", ""] {
        store.set("f", text).await.unwrap();
        assert_kind(
            store.incr_by_float("f", 1.0).await,
            ErrorKind::InvalidInput,
            &format!("INCRBYFLOAT of {text:?}"),
        );
    }
}

/// An infinite or NaN increment or result is `InvalidInput` and changes nothing.
pub async fn test_incrbyfloat_infinity_and_nan_invalid(store: TestStore) {
    store.set("f", "1").await.unwrap();
    for delta in [f64::INFINITY, f64::NEG_INFINITY, f64::NAN] {
        assert_kind(
            store.incr_by_float("f", delta).await,
            ErrorKind::InvalidInput,
            &format!("INCRBYFLOAT by {delta}"),
        );
    }
    assert_eq!(
        store.get("f").await.unwrap(),
        b("1"),
        "an invalid INCRBYFLOAT keeps 1"
    );
    store.set("inf", "inf").await.unwrap();
    assert_kind(
        store.incr_by_float("inf", 1.0).await,
        ErrorKind::InvalidInput,
        "INCRBYFLOAT of a stored \"inf\" would produce Infinity",
    );
    assert_eq!(store.get("inf").await.unwrap(), b("inf"), "\"inf\" is kept");
}

/// `SET NX PX` on an existing key writes nothing: neither value nor TTL.
pub async fn test_set_nx_with_expiry_on_existing_key(store: TestStore) {
    store.set("k", "v").await.unwrap();
    let options = SetOptions::new()
        .condition(SetCondition::Nx)
        .expiry(SetExpiry::Px(5_000));
    assert_eq!(
        set_opts(&store, "k", "w", options).await,
        SetReply::NotWritten,
        "SET NX PX on an existing key replies nil"
    );
    assert_eq!(
        store.ttl("k").await.unwrap(),
        -1,
        "a refused SET NX sets no TTL"
    );
    let options = SetOptions::new()
        .condition(SetCondition::Xx)
        .expiry(SetExpiry::KeepTtl)
        .get(true);
    store.expire("k", 100).await.unwrap();
    assert_eq!(
        set_opts(&store, "k", "x", options).await,
        SetReply::Previous(b("v")),
        "SET XX KEEPTTL GET returns the old value"
    );
    let ttl = store.ttl("k").await.unwrap();
    assert!(
        (99..=100).contains(&ttl),
        "SET XX KEEPTTL GET keeps the TTL, got {ttl}"
    );
    assert_eq!(store.get("k").await.unwrap(), b("x"), "and writes");
}
