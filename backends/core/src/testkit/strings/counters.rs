//! Conformance cases for the counters: `INCRBY` and `INCRBYFLOAT`, their syntax, overflow,
//! formatting and TTL rules.

use std::time::Duration;

use super::super::TestStore;
use super::super::keyspace::assert_kind;
use super::b;
use crate::prelude::*;

/// `INCRBY` on a missing key starts at 0; `DECRBY` subtracts.
pub async fn test_incrby_missing_starts_at_zero(store: TestStore) {
    assert_eq!(
        store.incrby("n", 5).await.unwrap(),
        5,
        "INCRBY of missing starts at 0"
    );
    assert_eq!(store.decrby("n", 3).await.unwrap(), 2, "DECRBY subtracts");
    assert_eq!(store.incr("n").await.unwrap(), 3, "INCR adds 1");
    assert_eq!(
        store.incrby("n", -10).await.unwrap(),
        -7,
        "a negative INCRBY subtracts"
    );
    assert_eq!(
        store.decrby("n", -7).await.unwrap(),
        0,
        "a negative DECRBY adds"
    );
    assert_eq!(
        store.decrby("m", 4).await.unwrap(),
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
        .setex("n", "1", Duration::from_secs(100))
        .await
        .unwrap();
    store.incrby("n", 2).await.unwrap();
    store.decrby("n", 1).await.unwrap();
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
            store.incrby(&key, 1).await,
            ErrorKind::InvalidInput,
            &format!("INCRBY of {text:?} is not an integer"),
        );
        assert_kind(
            store.decrby(&key, 1).await,
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
        store.incrby("max", 1).await,
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
        store.decrby("min", 1).await,
        ErrorKind::InvalidInput,
        "DECRBY past i64::MIN overflows",
    );
    store.set("five", "5").await.unwrap();
    assert_kind(
        store.decrby("five", i64::MIN).await,
        ErrorKind::InvalidInput,
        "DECRBY by i64::MIN cannot be negated",
    );
    assert_eq!(
        store.get("five").await.unwrap(),
        b("5"),
        "DECRBY i64::MIN keeps the value"
    );
    assert_eq!(
        store.incrby("max", -1).await.unwrap(),
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
        store.incrbyfloat("f", -7.5).await.unwrap(),
        3.0,
        "10.5 - 7.5 = 3"
    );
    assert_eq!(
        store.get("f").await.unwrap(),
        b("3"),
        "an integral result has no point"
    );
    assert_eq!(
        store.incrbyfloat("f", 1.25).await.unwrap(),
        4.25,
        "3 + 1.25 = 4.25"
    );
    assert_eq!(
        store.get("f").await.unwrap(),
        b("4.25"),
        "stored as \"4.25\""
    );
    assert_eq!(
        store.incrbyfloat("new", 1.5).await.unwrap(),
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
        store.incrbyfloat("int", -0.25).await.unwrap(),
        4.75,
        "INCRBYFLOAT works on an integer string"
    );
    store.set("neg", "-2.5").await.unwrap();
    store.incrbyfloat("neg", 0.5).await.unwrap();
    assert_eq!(
        store.get("neg").await.unwrap(),
        b("-2"),
        "-2.5 + 0.5 is stored as \"-2\""
    );
    store.set("e", "1e2").await.unwrap();
    store.incrbyfloat("e", 1.0).await.unwrap();
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
        .setex("f", "1", Duration::from_secs(100))
        .await
        .unwrap();
    store.incrbyfloat("f", 0.5).await.unwrap();
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
        store.incrbyfloat("s", 1.0).await,
        ErrorKind::InvalidInput,
        "INCRBYFLOAT of \"abc\"",
    );
    assert_eq!(
        store.get("s").await.unwrap(),
        b("abc"),
        "a failed INCRBYFLOAT keeps it"
    );
}

/// `INCRBY` accepts only canonical integers: no sign `+`, no leading zeros, no `-0`, no spaces.
pub async fn test_incrby_strict_integer_syntax(store: TestStore) {
    for text in ["007", "+1", "-0", "0x10", " 5", "1e3"] {
        store.set("n", text).await.unwrap();
        assert_kind(
            store.incrby("n", 1).await,
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
        store.incrbyfloat("f", 1.0).await.unwrap();
        assert_eq!(
            store.get("f").await.unwrap(),
            b(want),
            "INCRBYFLOAT 1 of {text:?}"
        );
    }
    for text in [" 5", "5 ", "1.5.5", ""] {
        store.set("f", text).await.unwrap();
        assert_kind(
            store.incrbyfloat("f", 1.0).await,
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
            store.incrbyfloat("f", delta).await,
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
        store.incrbyfloat("inf", 1.0).await,
        ErrorKind::InvalidInput,
        "INCRBYFLOAT of a stored \"inf\" would produce Infinity",
    );
    assert_eq!(store.get("inf").await.unwrap(), b("inf"), "\"inf\" is kept");
}
