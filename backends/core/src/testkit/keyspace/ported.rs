//! Conformance cases ported from Redis's own test suite (`tests/unit/expire.tcl` and
//! `tests/unit/keyspace.tcl`): edges the other keyspace cases do not reach. Each case names the
//! tcl test it comes from.

use super::super::TestStore;
use super::{assert_error, now_ms};
use crate::prelude::*;

/// `EXPIRE`/`PEXPIRE`/`EXPIREAT` whose deadline in milliseconds does not fit in 64 bits (too
/// big or too negative) is `ERR invalid expire time in '<command>' command`, and the key keeps
/// no TTL. From expire.tcl, "EXPIRE with big integer overflows when converted to
/// milliseconds", "PEXPIRE with big integer overflow when basetime is added" and "EXPIRE with
/// big negative integer".
pub async fn test_expire_overflow_is_invalid(store: TestStore) {
    store.set("k", "v").await.unwrap();
    let overflowing = [
        (Expiry::Seconds(9_223_370_399_119_966), "expire"),
        (Expiry::Seconds(9_223_372_036_854_776), "expire"),
        (Expiry::Seconds(10_000_000_000_000_000), "expire"),
        (Expiry::Seconds(i64::MAX), "expire"),
        (Expiry::Seconds(-9_223_372_036_854_776), "expire"),
        (Expiry::Seconds(-9_999_999_999_999_999), "expire"),
        (Expiry::Seconds(i64::MIN), "expire"),
        (Expiry::Millis(9_223_372_036_854_770_000), "pexpire"),
        (Expiry::Millis(i64::MAX), "pexpire"),
        (Expiry::AtSeconds(92_233_720_368_547_758), "expireat"),
        (Expiry::AtSeconds(i64::MIN), "expireat"),
    ];
    for (expiry, name) in overflowing {
        assert_error(
            store
                .expire_conditions("k", expiry, ExpireConditions::new())
                .await,
            ErrorKind::InvalidInput,
            &format!("invalid expire time in '{name}' command"),
            &format!("{expiry:?}"),
        );
        assert_eq!(
            store.ttl("k").await.unwrap(),
            -1,
            "{expiry:?} leaves the key without a TTL"
        );
    }
    assert!(
        store
            .expire_conditions(
                "k",
                Expiry::Seconds(-9_999_999_999),
                ExpireConditions::new()
            )
            .await
            .unwrap(),
        "a big negative EXPIRE that still fits deletes the key"
    );
    assert!(!store.exists("k").await.unwrap());
    store.set("k", "v").await.unwrap();
    assert!(
        store
            .expire_conditions("k", Expiry::Millis(i64::MIN), ExpireConditions::new())
            .await
            .unwrap(),
        "PEXPIRE i64::MIN fits and deletes the key"
    );
    assert!(!store.exists("k").await.unwrap());
}

/// `PEXPIREAT` takes any 64-bit deadline: a huge one is a TTL far away, a hugely negative
/// one deletes the key. From expire.tcl, "PEXPIREAT with big integer works" and "PEXPIREAT with
/// big negative integer works".
pub async fn test_pexpireat_extremes(store: TestStore) {
    store.set("k", "v").await.unwrap();
    for at in [9_223_372_036_854_770_000, i64::MAX] {
        assert!(
            store
                .expire_conditions("k", Expiry::AtMillis(at), ExpireConditions::new())
                .await
                .unwrap(),
            "PEXPIREAT {at}"
        );
        let pttl = store.pttl("k").await.unwrap();
        let distance = at - now_ms();
        assert!(
            (distance - 5_000..=distance + 5_000).contains(&pttl),
            "PEXPIREAT {at}: PTTL {pttl} is the distance {distance}"
        );
    }
    for at in [-9_223_372_036_854_770_000, i64::MIN] {
        store.set("k", "v").await.unwrap();
        assert!(
            store
                .expire_conditions("k", Expiry::AtMillis(at), ExpireConditions::new())
                .await
                .unwrap(),
            "PEXPIREAT {at}"
        );
        assert_eq!(store.ttl("k").await.unwrap(), -2, "PEXPIREAT {at} deletes");
    }
}

/// `RENAME`/`RENAMENX` of a key onto itself: `RENAMENX` answers 0 when it exists (it is its
/// own existing destination); both are `ERR no such key` when it is missing. From
/// keyspace.tcl, "RENAMENX where source and dest key are the same (existing)" and "RENAME where
/// source and dest key are the same (non existing)".
pub async fn test_rename_same_key_edges(store: TestStore) {
    store.set("k", "v").await.unwrap();
    assert!(!store.renamenx("k", "k").await.unwrap());
    assert_eq!(
        store.get("k").await.unwrap().as_deref(),
        Some(&b"v"[..]),
        "RENAMENX k k keeps the value"
    );
    assert_error(
        store.rename("missing", "missing").await,
        ErrorKind::NotFound,
        "no such key",
        "RENAME of a missing key onto itself",
    );
    assert_error(
        store.renamenx("missing", "missing").await,
        ErrorKind::NotFound,
        "no such key",
        "RENAMENX of a missing key onto itself",
    );
    assert!(!store.exists("missing").await.unwrap());
}

/// A glob with many stars that cannot match answers at once (no exponential backtracking),
/// and `KEYS *` twice over a long key answers the same. From keyspace.tcl, "Regression for
/// pattern matching long nested loops" and "KEYS * two times with long key, Github issue
/// #1208".
pub async fn test_keys_pattern_with_many_stars(store: TestStore) {
    let long = "a".repeat(60);
    store.set(long.as_str(), "1").await.unwrap();
    let pattern = format!("{}b", "a*".repeat(53));
    let started = std::time::Instant::now();
    assert!(
        store.keys(pattern.as_str()).await.unwrap().is_empty(),
        "no key ends in b"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "the match took {:?}",
        started.elapsed()
    );
    let pattern = format!("{}a", "a*".repeat(53));
    assert_eq!(store.keys(pattern.as_str()).await.unwrap().len(), 1);
    store
        .set("dlskeriewrioeuwqoirueioqwrueoqwrueqw", "test")
        .await
        .unwrap();
    let first = store.keys("*").await.unwrap();
    assert_eq!(first.len(), 2);
    assert_eq!(store.keys("*").await.unwrap().len(), 2);
}
