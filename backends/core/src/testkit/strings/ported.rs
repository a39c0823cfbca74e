//! Conformance cases ported from Redis's own test suite (`tests/unit/type/string.tcl` and
//! `tests/unit/type/incr.tcl`): edges the other string cases do not reach. Each case names the
//! tcl test it comes from.

use super::super::TestStore;
use super::super::keyspace::{assert_error, now_ms};
use super::b;
use crate::prelude::*;

/// A counter whose text holds a zero byte is no number: `INCRBYFLOAT` is `ERR value is not a
/// valid float` and `INCR` is `ERR value is not an integer or out of range`, the value unchanged.
/// From incr.tcl, "string to double with null terminator".
pub async fn test_counter_with_zero_byte_is_not_a_number(store: TestStore) {
    store.set("k", "1").await.unwrap();
    assert_eq!(store.setrange("k", 2, "2").await.unwrap(), 3);
    assert_eq!(
        store.get("k").await.unwrap().as_deref(),
        Some(&b"1\x002"[..])
    );
    assert_error(
        store.incrbyfloat("k", 1.0).await,
        ErrorKind::InvalidInput,
        "value is not a valid float",
        "INCRBYFLOAT of \"1\\x002\"",
    );
    assert_error(
        store.incrby("k", 1).await,
        ErrorKind::InvalidInput,
        "value is not an integer or out of range",
        "INCR of \"1\\x002\"",
    );
    assert_eq!(
        store.get("k").await.unwrap().as_deref(),
        Some(&b"1\x002"[..]),
        "the failed counters change nothing"
    );
}

/// `DECRBY i64::MIN` cannot negate its decrement: `ERR decrement would overflow`, even on a
/// missing key, which stays missing. From incr.tcl, "DECRBY negation overflow".
pub async fn test_decrby_negation_overflow(store: TestStore) {
    assert_error(
        store.decrby("k", i64::MIN).await,
        ErrorKind::InvalidInput,
        "decrement would overflow",
        "DECRBY i64::MIN on a missing key",
    );
    assert!(!store.exists("k").await.unwrap(), "nothing was created");
    store.set("k", "0").await.unwrap();
    assert_error(
        store.decrby("k", i64::MIN).await,
        ErrorKind::InvalidInput,
        "decrement would overflow",
        "DECRBY i64::MIN on 0",
    );
    assert_eq!(store.get("k").await.unwrap(), b("0"));
    assert_eq!(
        store.decrby("k", i64::MIN + 1).await.unwrap(),
        i64::MAX,
        "one more is fine"
    );
}

/// Counters past 32 bits: `INCR`, `DECR` and `INCRBY` with an increment past 32 bits.
/// From incr.tcl, "INCR over 32bit value", "INCRBY over 32bit value with over 32bit increment"
/// and "DECRBY over 32bit value with over 32bit increment, negative res".
pub async fn test_counters_past_32_bits(store: TestStore) {
    store.set("k", "17179869184").await.unwrap();
    assert_eq!(store.incrby("k", 1).await.unwrap(), 17179869185);
    store.set("k", "17179869184").await.unwrap();
    assert_eq!(store.incrby("k", 17179869184).await.unwrap(), 34359738368);
    store.set("k", "17179869184").await.unwrap();
    assert_eq!(store.decrby("k", 17179869185).await.unwrap(), -1);
    assert_eq!(store.get("k").await.unwrap(), b("-1"));
}

/// `SETRANGE`, `GETRANGE` and `STRLEN` see a number's text, not the number: from string.tcl,
/// "SETRANGE against integer-encoded key", "GETRANGE against integer-encoded value",
/// "STRLEN against integer-encoded value" and "GETRANGE with huge ranges, Github issue #1844"
/// (an end past 32 bits is not wrapped).
pub async fn test_ranges_on_integer_values(store: TestStore) {
    store.set("k", "1234").await.unwrap();
    assert_eq!(store.setrange("k", 0, "2").await.unwrap(), 4);
    assert_eq!(store.get("k").await.unwrap(), b("2234"));
    assert_eq!(store.setrange("k", 0, "").await.unwrap(), 4);
    assert_eq!(store.get("k").await.unwrap(), b("2234"));
    assert_eq!(store.setrange("k", 1, "3").await.unwrap(), 4);
    assert_eq!(store.get("k").await.unwrap(), b("2334"));
    assert_eq!(store.setrange("k", 5, "2").await.unwrap(), 6);
    assert_eq!(
        store.get("k").await.unwrap().as_deref(),
        Some(&b"2334\x002"[..])
    );
    store.set("n", "1234").await.unwrap();
    let range = |start: i64, end: i64| {
        let store = store.clone();
        async move { store.getrange("n", start, end).await.unwrap() }
    };
    assert_eq!(range(0, 2).await, Bytes::from_static(b"123"));
    assert_eq!(range(0, -1).await, Bytes::from_static(b"1234"));
    assert_eq!(range(-3, -1).await, Bytes::from_static(b"234"));
    assert_eq!(range(5, 3).await, Bytes::new());
    assert_eq!(range(3, 5000).await, Bytes::from_static(b"4"));
    assert_eq!(range(-5000, 10000).await, Bytes::from_static(b"1234"));
    assert_eq!(range(0, 4294967297).await, Bytes::from_static(b"1234"));
    store.set("neg", "-555").await.unwrap();
    assert_eq!(store.strlen("neg").await.unwrap(), 4);
    store.incrby("neg", 1).await.unwrap();
    assert_eq!(store.strlen("neg").await.unwrap(), 4, "-554");
}

/// A `SET` or `GETEX` expiry whose millisecond deadline does not fit in 64 bits is
/// `ERR invalid expire time in '<command>' command`, and changes nothing; `PXAT i64::MAX` and
/// `EXAT` just below the overflow are accepted. From string.tcl, "SET with EX with big integer
/// should report an error" and "GETEX with big integer should report an error".
pub async fn test_set_and_getex_expiry_overflow(store: TestStore) {
    store.set("k", "v").await.unwrap();
    let huge = [
        SetExpiry::Ex(10_000_000_000_000_000),
        SetExpiry::Ex(9_223_372_036_854_775),
        SetExpiry::Px(i64::MAX as u64),
        SetExpiry::ExAt(92_233_720_368_547_758),
    ];
    for expiry in huge {
        assert_error(
            store
                .set_options("k", "new", SetOptions::new().expiry(expiry))
                .await,
            ErrorKind::InvalidInput,
            "invalid expire time in 'set' command",
            &format!("SET with {expiry:?}"),
        );
        assert_error(
            store.getex("k", Some(GetExExpiry::Set(expiry))).await,
            ErrorKind::InvalidInput,
            "invalid expire time in 'getex' command",
            &format!("GETEX with {expiry:?}"),
        );
    }
    assert_eq!(store.get("k").await.unwrap(), b("v"), "nothing was set");
    assert_eq!(store.ttl("k").await.unwrap(), -1, "and no TTL");
    store
        .set_options(
            "k",
            "far",
            SetOptions::new().expiry(SetExpiry::PxAt(i64::MAX as u64)),
        )
        .await
        .unwrap();
    assert!(
        store.pttl("k").await.unwrap() > now_ms(),
        "PXAT i64::MAX is a TTL far away"
    );
    store
        .set_options(
            "k",
            "far",
            SetOptions::new().expiry(SetExpiry::ExAt(9_223_372_036_854_775)),
        )
        .await
        .unwrap();
    assert!(store.ttl("k").await.unwrap() > 0, "so is EXAT just below");
}

/// `SET ... XX GET` on a missing key answers nil and sets nothing. From string.tcl,
/// "Extended SET GET option with XX and no previous value".
pub async fn test_set_xx_get_on_missing_key(store: TestStore) {
    assert_eq!(
        store
            .execute(Command::Set {
                key: "k".into(),
                value: Bytes::from_static(b"bar"),
                options: SetOptions::new().condition(SetCondition::Xx).get(true),
            })
            .await
            .unwrap(),
        Reply::Nil
    );
    assert!(!store.exists("k").await.unwrap(), "XX wrote nothing");
    store.set("k", "old").await.unwrap();
    assert_eq!(
        store
            .execute(Command::Set {
                key: "k".into(),
                value: Bytes::from_static(b"new"),
                options: SetOptions::new().condition(SetCondition::Xx).get(true),
            })
            .await
            .unwrap(),
        Reply::Bulk(Bytes::from_static(b"old"))
    );
    assert_eq!(store.get("k").await.unwrap(), b("new"));
}

/// `MSET` naming a key twice keeps the last value. From string.tcl,
/// "MSET with already existing - same key twice".
pub async fn test_mset_same_key_twice(store: TestStore) {
    store.set("x", "old").await.unwrap();
    store.mset([("x", "xxx"), ("x", "yyy")]).await.unwrap();
    assert_eq!(store.get("x").await.unwrap(), b("yyy"));
}
