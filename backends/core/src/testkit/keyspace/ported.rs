//! Conformance cases ported from Redis's own test suite (`tests/unit/expire.tcl` and
//! `tests/unit/keyspace.tcl`): edges the other keyspace cases do not reach. Each case names the
//! tcl test it comes from.

use super::super::TestStore;
use super::{COLLECTIONS, assert_error, now_ms, populate, snapshot};
use crate::Name;
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

/// `PEXPIREAT` takes any 64-bit deadline: a huge one is a TTL far away, which `EXPIRETIME`
/// rounds to seconds without overflowing, a hugely negative one deletes the key. From
/// expire.tcl, "PEXPIREAT with big integer works" and "PEXPIREAT with big negative integer
/// works"; the `EXPIRETIME` half is ours (the memory engine overflowed there).
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
    assert_eq!(
        store.pexpiretime("k").await.unwrap(),
        i64::MAX,
        "PEXPIRETIME is the deadline"
    );
    assert_eq!(
        store.expiretime("k").await.unwrap(),
        9_223_372_036_854_776,
        "EXPIRETIME rounds i64::MAX ms to the nearest second without overflowing"
    );
    store
        .expire_conditions(
            "k",
            Expiry::AtMillis(9_223_372_036_854_775_307),
            ExpireConditions::new(),
        )
        .await
        .unwrap();
    assert_eq!(store.expiretime("k").await.unwrap(), 9_223_372_036_854_775);
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

/// The empty key matches `KEYS *` and an unfiltered `SCAN`, which skip matching for `*`, but
/// no other pattern, not even `**`: Redis's matcher compares only while text is left. Not a
/// tcl test: a divergence found by comparing `KEYS` patterns with Redis (the memory engine
/// matched `""` with `**`). The `**` half is checked on set members, which a cluster's hash
/// tag wrapper leaves alone (it turns `KEYS **` into `KEYS {t}**`, which matches `{t}`).
pub async fn test_empty_name_matches_only_a_lone_star(store: TestStore) {
    store.set("", "empty").await.unwrap();
    store.set("a", "v").await.unwrap();
    let mut all = store.keys("*").await.unwrap();
    all.sort();
    assert_eq!(all, [Name::from(""), Name::from("a")], "KEYS * lists \"\"");
    let mut scanned = store.scan_all(ScanOptions::new()).await.unwrap();
    scanned.sort();
    scanned.dedup();
    assert_eq!(scanned, [Name::from(""), Name::from("a")], "SCAN sees \"\"");
    for pattern in ["?*", "[^b]*", "*?"] {
        assert_eq!(
            store.keys(pattern).await.unwrap(),
            [Name::from("a")],
            "KEYS {pattern} leaves out \"\""
        );
    }
    store.sadd_multiple("set", ["", "m"]).await.unwrap();
    let members = |pattern: &'static str| {
        let store = store.clone();
        async move {
            let (cursor, mut found) = store
                .sscan_options("set", 0, ScanOptions::new().pattern(pattern).count(100))
                .await
                .unwrap();
            assert_eq!(cursor, 0, "a small set is scanned in one call");
            found.sort();
            found
        }
    };
    assert_eq!(
        members("*").await,
        [Bytes::from_static(b""), Bytes::from_static(b"m")],
        "SSCAN MATCH * returns the empty member"
    );
    for pattern in ["**", "***", "?*", "[^a]*"] {
        assert_eq!(
            members(pattern).await,
            [Bytes::from_static(b"m")],
            "SSCAN MATCH {pattern} leaves out the empty member"
        );
    }
}

/// A class range compares bytes as Redis's C `char`, signed on the x86-64 build the suite
/// judges against: `[\x00-\xff]` is the range -1..=0 (only the bytes 0xff and 0x00), and
/// `[a-\xff]` is -1..=97 (no byte from 0x80 up but 0xff). Not a tcl test: a divergence found
/// by comparing `KEYS` patterns with Redis (the memory engine compared unsigned bytes).
pub async fn test_glob_range_compares_signed_bytes(store: TestStore) {
    let names: [&[u8]; 5] = [b"\x00", b"\xff", b"\x80", b"a", b"~"];
    for name in names {
        store.set(name, "v").await.unwrap();
    }
    let keys = |pattern: &'static [u8]| {
        let store = store.clone();
        async move {
            let mut found = store.keys(pattern).await.unwrap();
            found.sort();
            found
        }
    };
    let names = |list: &[&'static [u8]]| list.iter().map(|n| Name::from(*n)).collect::<Vec<_>>();
    assert_eq!(keys(b"[\x00-\xff]").await, names(&[b"\x00", b"\xff"]));
    assert_eq!(keys(b"[\xff-\x00]").await, names(&[b"\x00", b"\xff"]));
    assert_eq!(keys(b"[a-\xff]").await, names(&[b"\x00", b"a", b"\xff"]));
    assert_eq!(keys(b"[^\x00-\xff]").await, names(&[b"a", b"~", b"\x80"]));
    let mut scanned = store
        .scan_all(ScanOptions::new().pattern(&b"[\x00-\xff]"[..]))
        .await
        .unwrap();
    scanned.sort();
    scanned.dedup();
    assert_eq!(scanned, names(&[b"\x00", b"\xff"]), "SCAN MATCH too");
}

/// A `COPY` of a collection is a deep copy: writes to the source after the copy leave the copy
/// as it was, and writes to the copy leave the source. From keyspace.tcl, "COPY basic usage
/// for list", "... for set", "... for zset", "... for hash" and "COPY for string ensures that
/// copied data is independent of copying data". The keys share a hash tag, so one slot.
pub async fn test_copy_is_independent_of_its_source(store: TestStore) {
    for (i, kind) in COLLECTIONS.iter().enumerate() {
        let source = format!("{{c}}src{i}");
        let copy = format!("{{c}}copy{i}");
        populate(&store, &source, *kind).await;
        let original = snapshot(&store, &source).await;
        assert!(store.copy(&source, &copy).await.unwrap(), "{kind:?} copied");
        add_to(&store, &source, *kind, "from-source").await;
        assert_eq!(
            snapshot(&store, &copy).await,
            original,
            "{kind:?}: writing the source leaves the copy"
        );
        let changed_source = snapshot(&store, &source).await;
        add_to(&store, &copy, *kind, "from-copy").await;
        assert_eq!(
            snapshot(&store, &source).await,
            changed_source,
            "{kind:?}: writing the copy leaves the source"
        );
    }
    store.set("{c}s", "abc").await.unwrap();
    assert!(store.copy("{c}s", "{c}d").await.unwrap());
    store.append("{c}s", "def").await.unwrap();
    store.setrange("{c}d", 0, "X").await.unwrap();
    assert_eq!(
        store.get("{c}s").await.unwrap().as_deref(),
        Some(&b"abcdef"[..])
    );
    assert_eq!(
        store.get("{c}d").await.unwrap().as_deref(),
        Some(&b"Xbc"[..])
    );
}

/// Adds `item` to the collection `key` of `kind`.
async fn add_to(store: &TestStore, key: &str, kind: KeyType, item: &str) {
    match kind {
        KeyType::String => store.append(key, item).await.map(|_| ()).unwrap(),
        KeyType::List => store.rpush(key, item).await.map(|_| ()).unwrap(),
        KeyType::Hash => store.hset(key, item, "v").await.map(|_| ()).unwrap(),
        KeyType::Set => store.sadd(key, item).await.map(|_| ()).unwrap(),
        KeyType::ZSet => store.zadd(key, 9.0, item).await.map(|_| ()).unwrap(),
    }
}

/// `GETEX` and `SET ... GET` with a deadline already past answer the value (the old one for
/// `SET`) and leave no key behind, as Redis does for any past `EXAT`/`PXAT`. Not a tcl test:
/// string.tcl checks `GETEX EXAT`/`PXAT` with future deadlines only.
pub async fn test_getex_and_set_get_with_past_deadline(store: TestStore) {
    for expiry in [SetExpiry::ExAt(1), SetExpiry::PxAt(1)] {
        store.set("k", "v").await.unwrap();
        assert_eq!(
            store
                .getex("k", Some(GetExExpiry::Set(expiry)))
                .await
                .unwrap(),
            Some(Bytes::from_static(b"v")),
            "GETEX {expiry:?} answers the value"
        );
        assert_eq!(
            store.ttl("k").await.unwrap(),
            -2,
            "GETEX {expiry:?} deletes"
        );
        assert_eq!(
            store
                .getex("k", Some(GetExExpiry::Set(expiry)))
                .await
                .unwrap(),
            None,
            "GETEX {expiry:?} of a missing key is nil"
        );
        store.set("k", "old").await.unwrap();
        assert_eq!(
            store
                .execute(Command::Set {
                    key: "k".into(),
                    value: Bytes::from_static(b"new"),
                    options: SetOptions::new().get(true).expiry(expiry),
                })
                .await
                .unwrap(),
            Reply::Bulk(Bytes::from_static(b"old")),
            "SET GET {expiry:?} answers the old value"
        );
        assert!(!store.exists("k").await.unwrap(), "and leaves no key");
    }
}
