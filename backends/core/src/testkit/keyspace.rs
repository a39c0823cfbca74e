//! Conformance cases for keyspace: `EXISTS`, `DEL`, the `EXPIRE` family, `PERSIST`, `TTL`/`PTTL`,
//! `TYPE`, `SCAN`, `DBSIZE`, `FLUSHDB`, `RENAME`/`RENAMENX`, and expired keys being invisible at
//! once.
//!
//! This module also holds the small helpers the other cases of this crate share: asserting an
//! error kind, creating a key of each type and taking a snapshot of a key's contents.

use std::collections::{BTreeSet, HashSet};
use std::fmt::Debug;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::{Case, TestStore, cases};
use crate::error::Result;
use crate::prelude::*;

/// Every keyspace case.
pub fn cases() -> Vec<Case> {
    cases![
        test_exists_counts_duplicates,
        test_exists_missing_is_zero,
        test_del_counts_removed,
        test_del_removes_every_type,
        test_expire_sets_ttl,
        test_expire_missing_key,
        test_expire_nx,
        test_expire_xx,
        test_expire_gt_lt_without_ttl_is_infinite,
        test_expire_gt_lt_compare,
        test_expire_condition_checked_before_delete,
        test_expire_non_positive_deletes,
        test_expireat_past_deletes,
        test_expireat_future_sets_ttl,
        test_pexpire_sets_ms_ttl,
        test_persist_removes_ttl,
        test_ttl_missing_and_no_ttl,
        test_ttl_rounds_to_nearest_second,
        test_type_all_types,
        test_type_reply_is_status,
        test_scan_empty_store,
        test_scan_full_iteration,
        test_scan_with_concurrent_changes,
        test_scan_match_star,
        test_scan_match_question_and_class,
        test_scan_match_escape,
        test_scan_count_hint,
        test_scan_type_filter,
        test_dbsize_counts_keys,
        test_flushdb_removes_everything,
        test_rename_moves_value_and_ttl,
        test_rename_overwrites_destination,
        test_rename_missing_key_not_found,
        test_renamenx,
        test_rename_onto_itself,
        test_collection_writes_keep_ttl,
        test_emptied_collection_loses_ttl,
        test_expired_key_invisible,
        test_expired_collection_invisible,
        test_expired_key_is_absent_for_writes,
    ]
}

// ----- helpers shared by the testkit modules -----

/// Asserts that `result` failed with `kind`; `rule` names the rule in the panic message.
pub(crate) fn assert_kind<T: Debug>(result: Result<T>, kind: ErrorKind, rule: &str) {
    match result {
        Err(e) => assert_eq!(e.kind(), kind, "{rule}: got error {e}"),
        Ok(v) => panic!("{rule}: expected a {kind} error, got Ok({v:?})"),
    }
}

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A name no other case (or earlier run against the same server) uses: for pub/sub channels,
/// which a Redis server shares across databases.
pub(crate) fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("{prefix}:{}:{}:{n}", std::process::id(), now_ms())
}

/// Creates `key` as a non-string collection of `kind` with fixed contents.
pub(crate) async fn populate(store: &TestStore, key: &str, kind: KeyType) {
    match kind {
        KeyType::String => store.set(key, "value").await.unwrap(),
        KeyType::List => {
            store.rpush(key, ["a", "b"]).await.unwrap();
        }
        KeyType::Hash => {
            store.hset(key, "field", "value").await.unwrap();
        }
        KeyType::Set => {
            store.sadd(key, ["a", "b"]).await.unwrap();
        }
        KeyType::ZSet => {
            store.zadd(key, 1.0, "a").await.unwrap();
        }
    }
}

/// The collection types: every type but string.
pub(crate) const COLLECTIONS: [KeyType; 4] =
    [KeyType::List, KeyType::Hash, KeyType::Set, KeyType::ZSet];

/// The whole contents of `key` as one comparable reply (type name plus the data).
pub(crate) async fn snapshot(store: &TestStore, key: &str) -> Reply {
    let key = key.to_owned();
    let kind = store
        .execute(Command::Type { key: key.clone() })
        .await
        .unwrap();
    let data = match store.key_type(&key).await.unwrap() {
        None => Reply::Nil,
        Some(KeyType::String) => store.execute(Command::Get { key }).await.unwrap(),
        Some(KeyType::List) => store
            .execute(Command::LRange {
                key,
                start: 0,
                stop: -1,
            })
            .await
            .unwrap(),
        Some(KeyType::Hash) => store.execute(Command::HGetAll { key }).await.unwrap(),
        Some(KeyType::Set) => store.execute(Command::SMembers { key }).await.unwrap(),
        Some(KeyType::ZSet) => store
            .execute(Command::ZRange {
                key,
                by: ZRangeBy::Rank { start: 0, stop: -1 },
                options: ZRangeOptions::new().with_scores(true),
            })
            .await
            .unwrap(),
    };
    Reply::Array(vec![kind, data]).normalized()
}

fn sorted(keys: Vec<String>) -> Vec<String> {
    let mut keys = keys;
    keys.sort();
    keys.dedup();
    keys
}

// ----- EXISTS / DEL -----

/// `EXISTS` counts a key named twice twice.
pub async fn test_exists_counts_duplicates(store: TestStore) {
    store.set("a", "1").await.unwrap();
    store.rpush("l", ["x"]).await.unwrap();
    let n = store.exists(&["a", "a", "l", "missing"]).await.unwrap();
    assert_eq!(n, 3, "EXISTS counts each named key, duplicates included");
}

/// `EXISTS` on missing keys is 0.
pub async fn test_exists_missing_is_zero(store: TestStore) {
    assert_eq!(
        store.exists(&["nope", "nada"]).await.unwrap(),
        0,
        "EXISTS of missing keys is 0"
    );
}

/// `DEL` returns how many keys it removed, not how many it was given.
pub async fn test_del_counts_removed(store: TestStore) {
    store.set("a", "1").await.unwrap();
    store.set("b", "2").await.unwrap();
    assert_eq!(
        store.del(&["a", "b", "c"]).await.unwrap(),
        2,
        "DEL counts only keys that existed"
    );
    assert_eq!(
        store.del(&["a"]).await.unwrap(),
        0,
        "DEL of a gone key is 0"
    );
    assert_eq!(
        store.exists(&["a", "b"]).await.unwrap(),
        0,
        "DEL removed both"
    );
}

/// `DEL` removes keys of every type.
pub async fn test_del_removes_every_type(store: TestStore) {
    for (i, kind) in COLLECTIONS.into_iter().enumerate() {
        populate(&store, &format!("k{i}"), kind).await;
    }
    store.set("k4", "v").await.unwrap();
    let n = store.del(&["k0", "k1", "k2", "k3", "k4"]).await.unwrap();
    assert_eq!(n, 5, "DEL removes list, hash, set, zset and string keys");
    assert_eq!(
        store.dbsize().await.unwrap(),
        0,
        "nothing is left after DEL"
    );
}

// ----- EXPIRE family -----

/// `EXPIRE` sets a TTL in seconds that `TTL` and `PTTL` report.
pub async fn test_expire_sets_ttl(store: TestStore) {
    store.set("k", "v").await.unwrap();
    assert!(
        store.expire("k", 100).await.unwrap(),
        "EXPIRE on a key is 1"
    );
    let ttl = store.ttl("k").await.unwrap();
    assert!(
        (99..=100).contains(&ttl),
        "TTL after EXPIRE 100 is ~100, got {ttl}"
    );
    let pttl = store.pttl("k").await.unwrap();
    assert!(
        (95_000..=100_000).contains(&pttl),
        "PTTL after EXPIRE 100 is ~100000, got {pttl}"
    );
}

/// `EXPIRE` on a missing key is 0 and creates nothing.
pub async fn test_expire_missing_key(store: TestStore) {
    assert!(
        !store.expire("missing", 100).await.unwrap(),
        "EXPIRE of a missing key is 0"
    );
    assert!(
        !store
            .expire_options("missing", Expiry::Millis(-1), None)
            .await
            .unwrap(),
        "PEXPIRE -1 of a missing key is 0"
    );
    assert_eq!(
        store.exists(&["missing"]).await.unwrap(),
        0,
        "still missing"
    );
}

/// `EXPIRE NX` only sets a TTL on a key without one.
pub async fn test_expire_nx(store: TestStore) {
    store.set("k", "v").await.unwrap();
    let nx = Some(ExpireCondition::Nx);
    assert!(
        store
            .expire_options("k", Expiry::Seconds(100), nx)
            .await
            .unwrap(),
        "EXPIRE NX sets a TTL on a key without one"
    );
    assert!(
        !store
            .expire_options("k", Expiry::Seconds(500), nx)
            .await
            .unwrap(),
        "EXPIRE NX does nothing on a key with a TTL"
    );
    let ttl = store.ttl("k").await.unwrap();
    assert!(
        (99..=100).contains(&ttl),
        "failed EXPIRE NX kept the TTL, got {ttl}"
    );
}

/// `EXPIRE XX` only changes an existing TTL.
pub async fn test_expire_xx(store: TestStore) {
    store.set("k", "v").await.unwrap();
    let xx = Some(ExpireCondition::Xx);
    assert!(
        !store
            .expire_options("k", Expiry::Seconds(100), xx)
            .await
            .unwrap(),
        "EXPIRE XX does nothing on a key without TTL"
    );
    assert_eq!(
        store.ttl("k").await.unwrap(),
        -1,
        "failed EXPIRE XX left no TTL"
    );
    store.expire("k", 100).await.unwrap();
    assert!(
        store
            .expire_options("k", Expiry::Seconds(300), xx)
            .await
            .unwrap(),
        "EXPIRE XX changes an existing TTL"
    );
    let ttl = store.ttl("k").await.unwrap();
    assert!((299..=300).contains(&ttl), "EXPIRE XX applied, got {ttl}");
}

/// `GT`/`LT` treat a key without TTL as having an infinite one.
pub async fn test_expire_gt_lt_without_ttl_is_infinite(store: TestStore) {
    store.set("k", "v").await.unwrap();
    assert!(
        !store
            .expire_options("k", Expiry::Seconds(100), Some(ExpireCondition::Gt))
            .await
            .unwrap(),
        "EXPIRE GT never beats the infinite TTL of a persistent key"
    );
    assert_eq!(store.ttl("k").await.unwrap(), -1, "failed GT left no TTL");
    assert!(
        store
            .expire_options("k", Expiry::Seconds(100), Some(ExpireCondition::Lt))
            .await
            .unwrap(),
        "EXPIRE LT always beats the infinite TTL of a persistent key"
    );
    let ttl = store.ttl("k").await.unwrap();
    assert!(
        (99..=100).contains(&ttl),
        "EXPIRE LT set the TTL, got {ttl}"
    );
}

/// `GT`/`LT` compare with the current TTL.
pub async fn test_expire_gt_lt_compare(store: TestStore) {
    store.set("k", "v").await.unwrap();
    store.expire("k", 100).await.unwrap();
    let gt = Some(ExpireCondition::Gt);
    let lt = Some(ExpireCondition::Lt);
    assert!(
        !store
            .expire_options("k", Expiry::Seconds(50), gt)
            .await
            .unwrap(),
        "GT with a shorter TTL fails"
    );
    assert!(
        store
            .expire_options("k", Expiry::Seconds(200), gt)
            .await
            .unwrap(),
        "GT with a longer TTL succeeds"
    );
    assert!(
        !store
            .expire_options("k", Expiry::Seconds(300), lt)
            .await
            .unwrap(),
        "LT with a longer TTL fails"
    );
    assert!(
        store
            .expire_options("k", Expiry::Millis(10_000), lt)
            .await
            .unwrap(),
        "LT with a shorter TTL succeeds"
    );
    let pttl = store.pttl("k").await.unwrap();
    assert!(
        (9_000..=10_000).contains(&pttl),
        "PEXPIRE LT 10000 is the TTL now, got {pttl}"
    );
}

/// A zero or negative relative expiry deletes the key and replies 1.
pub async fn test_expire_non_positive_deletes(store: TestStore) {
    store.set("a", "v").await.unwrap();
    store.rpush("b", ["x"]).await.unwrap();
    assert!(
        store.expire("a", 0).await.unwrap(),
        "EXPIRE 0 replies 1 on an existing key"
    );
    assert!(
        store.pexpire("b", -5).await.unwrap(),
        "PEXPIRE -5 replies 1 on an existing key"
    );
    assert_eq!(
        store.get("a").await.unwrap(),
        None,
        "EXPIRE 0 deleted the key"
    );
    assert_eq!(
        store.exists(&["a", "b"]).await.unwrap(),
        0,
        "non-positive expiry deletes the key"
    );
}

/// An absolute expiry in the past deletes the key.
pub async fn test_expireat_past_deletes(store: TestStore) {
    store.set("a", "v").await.unwrap();
    store.set("b", "v").await.unwrap();
    assert!(
        store
            .expire_options("a", Expiry::AtSeconds(1), None)
            .await
            .unwrap(),
        "EXPIREAT in the past replies 1"
    );
    assert!(
        store
            .expire_options("b", Expiry::AtMillis(now_ms() - 10_000), None)
            .await
            .unwrap(),
        "PEXPIREAT in the past replies 1"
    );
    assert_eq!(
        store.exists(&["a", "b"]).await.unwrap(),
        0,
        "a past absolute expiry deletes the key"
    );
}

/// `EXPIREAT`/`PEXPIREAT` in the future set the matching TTL.
pub async fn test_expireat_future_sets_ttl(store: TestStore) {
    store.set("a", "v").await.unwrap();
    store.set("b", "v").await.unwrap();
    let at = now_ms() / 1000 + 100;
    assert!(
        store
            .expire_options("a", Expiry::AtSeconds(at), None)
            .await
            .unwrap(),
        "EXPIREAT in the future replies 1"
    );
    let ttl = store.ttl("a").await.unwrap();
    assert!(
        (98..=100).contains(&ttl),
        "EXPIREAT now+100 s gives TTL ~100, got {ttl}"
    );
    assert!(
        store
            .expire_options("b", Expiry::AtMillis(now_ms() + 50_000), None)
            .await
            .unwrap(),
        "PEXPIREAT in the future replies 1"
    );
    let pttl = store.pttl("b").await.unwrap();
    assert!(
        (45_000..=50_000).contains(&pttl),
        "PEXPIREAT now+50000 ms gives PTTL ~50000, got {pttl}"
    );
}

/// `PEXPIRE` sets a TTL in milliseconds.
pub async fn test_pexpire_sets_ms_ttl(store: TestStore) {
    store.sadd("s", ["m"]).await.unwrap();
    assert!(
        store.pexpire("s", 5_000).await.unwrap(),
        "PEXPIRE replies 1"
    );
    let pttl = store.pttl("s").await.unwrap();
    assert!(
        (4_000..=5_000).contains(&pttl),
        "PTTL after PEXPIRE 5000 is within (4000, 5000], got {pttl}"
    );
    assert_eq!(store.ttl("s").await.unwrap(), 5, "TTL of ~5000 ms is 5 s");
}

/// `PERSIST` removes a TTL and replies 1 only when there was one.
pub async fn test_persist_removes_ttl(store: TestStore) {
    store.set("k", "v").await.unwrap();
    assert!(
        !store.persist("k").await.unwrap(),
        "PERSIST without TTL is 0"
    );
    store.expire("k", 100).await.unwrap();
    assert!(store.persist("k").await.unwrap(), "PERSIST with a TTL is 1");
    assert_eq!(store.ttl("k").await.unwrap(), -1, "PERSIST removed the TTL");
    assert_eq!(
        store.get("k").await.unwrap().as_deref(),
        Some(&b"v"[..]),
        "PERSIST keeps the value"
    );
    assert!(
        !store.persist("missing").await.unwrap(),
        "PERSIST of a missing key is 0"
    );
}

/// `TTL`/`PTTL` are -2 for a missing key and -1 for a key without TTL.
pub async fn test_ttl_missing_and_no_ttl(store: TestStore) {
    assert_eq!(
        store.ttl("missing").await.unwrap(),
        -2,
        "TTL of missing is -2"
    );
    assert_eq!(
        store.pttl("missing").await.unwrap(),
        -2,
        "PTTL of missing is -2"
    );
    store.hset("h", "f", "v").await.unwrap();
    assert_eq!(
        store.ttl("h").await.unwrap(),
        -1,
        "TTL without expiry is -1"
    );
    assert_eq!(
        store.pttl("h").await.unwrap(),
        -1,
        "PTTL without expiry is -1"
    );
}

/// `TTL` rounds the remaining milliseconds to the nearest second, as Redis does
/// (`(ms + 500) / 1000`).
pub async fn test_ttl_rounds_to_nearest_second(store: TestStore) {
    store.set("a", "v").await.unwrap();
    store.pexpire("a", 1_300).await.unwrap();
    assert_eq!(
        store.ttl("a").await.unwrap(),
        1,
        "1300 ms remaining rounds to 1 s"
    );
    store.pexpire("a", 1_950).await.unwrap();
    assert_eq!(
        store.ttl("a").await.unwrap(),
        2,
        "1950 ms remaining rounds to 2 s"
    );
    store.pexpire("a", 2_300).await.unwrap();
    assert_eq!(
        store.ttl("a").await.unwrap(),
        2,
        "2300 ms remaining rounds to 2 s"
    );
}

// ----- TYPE -----

/// `TYPE` names all five types and `none`.
pub async fn test_type_all_types(store: TestStore) {
    populate(&store, "s", KeyType::String).await;
    for kind in COLLECTIONS {
        populate(&store, kind.as_str(), kind).await;
    }
    assert_eq!(
        store.key_type("s").await.unwrap(),
        Some(KeyType::String),
        "TYPE of a string"
    );
    for kind in COLLECTIONS {
        assert_eq!(
            store.key_type(kind.as_str()).await.unwrap(),
            Some(kind),
            "TYPE of a {}",
            kind.as_str()
        );
    }
    assert_eq!(
        store.key_type("missing").await.unwrap(),
        None,
        "TYPE of missing is none"
    );
}

/// `TYPE` replies with a status, `none` for a missing key.
pub async fn test_type_reply_is_status(store: TestStore) {
    let missing = store
        .execute(Command::Type {
            key: "missing".into(),
        })
        .await
        .unwrap();
    assert_eq!(
        missing,
        Reply::Status("none".into()),
        "TYPE of missing is status none"
    );
    store.zadd("z", 1.0, "m").await.unwrap();
    let zset = store
        .execute(Command::Type { key: "z".into() })
        .await
        .unwrap();
    assert_eq!(
        zset,
        Reply::Status("zset".into()),
        "TYPE of a zset is status zset"
    );
}

// ----- SCAN -----

/// `SCAN` of an empty store ends at once with no keys.
pub async fn test_scan_empty_store(store: TestStore) {
    let keys = store.scan_all(ScanOptions::new()).await.unwrap();
    assert!(
        keys.is_empty(),
        "SCAN of an empty store returns no keys, got {keys:?}"
    );
    let (cursor, batch) = store.scan(0, ScanOptions::new()).await.unwrap();
    assert_eq!(
        (cursor, batch.len()),
        (0, 0),
        "SCAN of an empty store returns cursor 0"
    );
}

/// A full `SCAN` returns every key and ends with cursor 0.
pub async fn test_scan_full_iteration(store: TestStore) {
    let want: BTreeSet<String> = (0..300).map(|i| format!("key:{i}")).collect();
    store
        .mset(want.iter().map(|k| (k.clone(), "v")))
        .await
        .unwrap();
    let mut cursor = 0;
    let mut got = BTreeSet::new();
    let mut steps = 0;
    loop {
        let (next, keys) = store
            .scan(cursor, ScanOptions::new().count(10))
            .await
            .unwrap();
        got.extend(keys);
        steps += 1;
        assert!(steps < 10_000, "SCAN must terminate");
        if next == 0 {
            break;
        }
        cursor = next;
    }
    assert_eq!(got, want, "a full SCAN returns every key");
    assert!(
        steps > 1,
        "SCAN COUNT 10 over 300 keys takes more than one step"
    );
}

/// Keys that exist throughout a `SCAN` are returned even while other keys come and go.
pub async fn test_scan_with_concurrent_changes(store: TestStore) {
    let stable: BTreeSet<String> = (0..200).map(|i| format!("stable:{i}")).collect();
    store
        .mset(stable.iter().map(|k| (k.clone(), "v")))
        .await
        .unwrap();
    for i in 0..50 {
        store.set(&format!("doomed:{i}"), "v").await.unwrap();
    }
    let mut cursor = 0;
    let mut got = HashSet::new();
    let mut step = 0;
    loop {
        let (next, keys) = store
            .scan(cursor, ScanOptions::new().count(5))
            .await
            .unwrap();
        got.extend(keys);
        // Between steps, add new keys and delete others, growing the keyspace.
        for j in 0..10 {
            store.set(&format!("new:{step}:{j}"), "v").await.unwrap();
        }
        store.del(&[&format!("doomed:{step}")]).await.unwrap();
        step += 1;
        assert!(step < 10_000, "SCAN must terminate");
        if next == 0 {
            break;
        }
        cursor = next;
    }
    let missing: Vec<&String> = stable.iter().filter(|k| !got.contains(*k)).collect();
    assert!(
        missing.is_empty(),
        "SCAN returns every key that exists throughout, even with concurrent writes; missing {missing:?}"
    );
    for key in &got {
        assert!(
            key.starts_with("stable:") || key.starts_with("doomed:") || key.starts_with("new:"),
            "SCAN returns only keys that existed, got {key}"
        );
    }
}

/// `SCAN MATCH` with `*`.
pub async fn test_scan_match_star(store: TestStore) {
    store
        .mset([
            ("user:1", "a"),
            ("user:22", "b"),
            ("order:1", "c"),
            ("xuser:1", "d"),
        ])
        .await
        .unwrap();
    let got = sorted(
        store
            .scan_all(ScanOptions::new().pattern("user:*"))
            .await
            .unwrap(),
    );
    assert_eq!(
        got,
        ["user:1", "user:22"],
        "MATCH user:* is anchored at both ends"
    );
    let got = sorted(
        store
            .scan_all(ScanOptions::new().pattern("*:1"))
            .await
            .unwrap(),
    );
    assert_eq!(
        got,
        ["order:1", "user:1", "xuser:1"],
        "MATCH *:1 matches any prefix"
    );
}

/// `SCAN MATCH` with `?`, `[..]`, ranges and negated classes.
pub async fn test_scan_match_question_and_class(store: TestStore) {
    store
        .mset([
            ("a1", "v"),
            ("a2", "v"),
            ("a3", "v"),
            ("ab", "v"),
            ("abc", "v"),
        ])
        .await
        .unwrap();
    let scan = |pattern: &'static str| {
        let store = store.clone();
        async move {
            sorted(
                store
                    .scan_all(ScanOptions::new().pattern(pattern))
                    .await
                    .unwrap(),
            )
        }
    };
    assert_eq!(
        scan("a?").await,
        ["a1", "a2", "a3", "ab"],
        "? matches one byte"
    );
    assert_eq!(scan("a[12]").await, ["a1", "a2"], "[12] matches 1 or 2");
    assert_eq!(scan("a[2-3]").await, ["a2", "a3"], "[2-3] matches a range");
    assert_eq!(
        scan("a[^1]").await,
        ["a2", "a3", "ab"],
        "[^1] matches anything but 1"
    );
    assert_eq!(scan("a??").await, ["abc"], "?? matches exactly two bytes");
}

/// `SCAN MATCH` escapes make `*`, `?` and `[` literal.
pub async fn test_scan_match_escape(store: TestStore) {
    store
        .mset([
            ("a*b", "v"),
            ("axb", "v"),
            ("q?", "v"),
            ("qz", "v"),
            ("[x]", "v"),
            ("x", "v"),
        ])
        .await
        .unwrap();
    let got = sorted(
        store
            .scan_all(ScanOptions::new().pattern(r"a\*b"))
            .await
            .unwrap(),
    );
    assert_eq!(got, ["a*b"], r"\* matches only a literal *");
    let got = sorted(
        store
            .scan_all(ScanOptions::new().pattern(r"q\?"))
            .await
            .unwrap(),
    );
    assert_eq!(got, ["q?"], r"\? matches only a literal ?");
    let got = sorted(
        store
            .scan_all(ScanOptions::new().pattern(r"\[x\]"))
            .await
            .unwrap(),
    );
    assert_eq!(got, ["[x]"], r"\[ matches only a literal [");
}

/// `COUNT` is a hint: any value still yields the whole keyspace.
pub async fn test_scan_count_hint(store: TestStore) {
    let want: Vec<String> = (0..40).map(|i| format!("k{i:02}")).collect();
    store
        .mset(want.iter().map(|k| (k.clone(), "v")))
        .await
        .unwrap();
    for count in [1, 3, 1000] {
        let got = sorted(
            store
                .scan_all(ScanOptions::new().count(count))
                .await
                .unwrap(),
        );
        assert_eq!(got, want, "SCAN COUNT {count} still returns every key");
    }
    let got = sorted(
        store
            .scan_all(ScanOptions::new().count(2).pattern("k1*"))
            .await
            .unwrap(),
    );
    let want_k1: Vec<String> = (10..20).map(|i| format!("k{i}")).collect();
    assert_eq!(
        got, want_k1,
        "COUNT with MATCH filters after counting, not instead"
    );
}

/// `SCAN TYPE` returns only keys of that type.
pub async fn test_scan_type_filter(store: TestStore) {
    for i in 0..3 {
        populate(&store, &format!("string:{i}"), KeyType::String).await;
        for kind in COLLECTIONS {
            populate(&store, &format!("{}:{i}", kind.as_str()), kind).await;
        }
    }
    for kind in [KeyType::String].into_iter().chain(COLLECTIONS) {
        let got = sorted(
            store
                .scan_all(ScanOptions::new().key_type(kind))
                .await
                .unwrap(),
        );
        let want: Vec<String> = (0..3).map(|i| format!("{}:{i}", kind.as_str())).collect();
        assert_eq!(
            got,
            want,
            "SCAN TYPE {} returns only such keys",
            kind.as_str()
        );
    }
    let got = sorted(
        store
            .scan_all(ScanOptions::new().key_type(KeyType::Hash).pattern("*:1"))
            .await
            .unwrap(),
    );
    assert_eq!(got, ["hash:1"], "SCAN TYPE and MATCH combine");
}

// ----- DBSIZE / FLUSHDB -----

/// `DBSIZE` counts keys of all types.
pub async fn test_dbsize_counts_keys(store: TestStore) {
    assert_eq!(store.dbsize().await.unwrap(), 0, "a fresh store is empty");
    store.set("s", "v").await.unwrap();
    for kind in COLLECTIONS {
        populate(&store, kind.as_str(), kind).await;
    }
    assert_eq!(
        store.dbsize().await.unwrap(),
        5,
        "DBSIZE counts every key once"
    );
    store.del(&["s", "list"]).await.unwrap();
    assert_eq!(
        store.dbsize().await.unwrap(),
        3,
        "DBSIZE drops deleted keys"
    );
}

/// `FLUSHDB` removes every key.
pub async fn test_flushdb_removes_everything(store: TestStore) {
    store.set("s", "v").await.unwrap();
    store
        .set_ex("t", "v", Duration::from_secs(100))
        .await
        .unwrap();
    for kind in COLLECTIONS {
        populate(&store, kind.as_str(), kind).await;
    }
    store.flushdb().await.unwrap();
    assert_eq!(
        store.dbsize().await.unwrap(),
        0,
        "FLUSHDB empties the store"
    );
    assert_eq!(store.get("s").await.unwrap(), None, "FLUSHDB removed s");
    assert_eq!(
        store.llen("list").await.unwrap(),
        0,
        "FLUSHDB removed the list"
    );
    store.set("s", "again").await.unwrap();
    assert_eq!(
        store.dbsize().await.unwrap(),
        1,
        "the store is usable after FLUSHDB"
    );
}

// ----- RENAME -----

/// `RENAME` moves the value and its TTL.
pub async fn test_rename_moves_value_and_ttl(store: TestStore) {
    store
        .set_ex("old", "v", Duration::from_secs(100))
        .await
        .unwrap();
    store.rename("old", "new").await.unwrap();
    assert_eq!(
        store.get("old").await.unwrap(),
        None,
        "RENAME removes the source"
    );
    assert_eq!(
        store.get("new").await.unwrap().as_deref(),
        Some(&b"v"[..]),
        "RENAME moves the value"
    );
    let pttl = store.pttl("new").await.unwrap();
    assert!(
        (90_000..=100_000).contains(&pttl),
        "RENAME moves the TTL with the value, got {pttl}"
    );
    store.rpush("list", ["a", "b"]).await.unwrap();
    store.rename("list", "list2").await.unwrap();
    assert_eq!(
        store.lrange("list2", 0, -1).await.unwrap(),
        vec![Bytes::from("a"), Bytes::from("b")],
        "RENAME moves collections too"
    );
    assert_eq!(
        store.ttl("list2").await.unwrap(),
        -1,
        "a key without TTL stays without"
    );
}

/// `RENAME` overwrites the destination, whatever its type and TTL.
pub async fn test_rename_overwrites_destination(store: TestStore) {
    store.set("src", "v").await.unwrap();
    store.rpush("dst", ["x"]).await.unwrap();
    store.expire("dst", 100).await.unwrap();
    store.rename("src", "dst").await.unwrap();
    assert_eq!(
        store.key_type("dst").await.unwrap(),
        Some(KeyType::String),
        "RENAME overwrites a destination of another type"
    );
    assert_eq!(
        store.ttl("dst").await.unwrap(),
        -1,
        "the destination's old TTL does not survive RENAME"
    );
    assert_eq!(
        store.dbsize().await.unwrap(),
        1,
        "only the destination remains"
    );
}

/// `RENAME` of a missing key is `NotFound` and changes nothing.
pub async fn test_rename_missing_key_not_found(store: TestStore) {
    store.set("dst", "keep").await.unwrap();
    assert_kind(
        store.rename("missing", "dst").await,
        ErrorKind::NotFound,
        "RENAME of a missing key",
    );
    assert_eq!(
        store.get("dst").await.unwrap().as_deref(),
        Some(&b"keep"[..]),
        "a failed RENAME leaves the destination"
    );
    assert_kind(
        store.renamenx("missing", "other").await,
        ErrorKind::NotFound,
        "RENAMENX of a missing key",
    );
}

/// `RENAMENX` renames only when the destination is missing.
pub async fn test_renamenx(store: TestStore) {
    store.set("a", "1").await.unwrap();
    store.set("b", "2").await.unwrap();
    assert!(
        !store.renamenx("a", "b").await.unwrap(),
        "RENAMENX onto an existing key is 0"
    );
    assert_eq!(
        store.mget(&["a", "b"]).await.unwrap(),
        vec![Some(Bytes::from("1")), Some(Bytes::from("2"))],
        "a refused RENAMENX changes nothing"
    );
    store.expire("a", 100).await.unwrap();
    assert!(
        store.renamenx("a", "c").await.unwrap(),
        "RENAMENX onto a free key is 1"
    );
    assert_eq!(
        store.get("a").await.unwrap(),
        None,
        "RENAMENX removes the source"
    );
    assert_eq!(
        store.get("c").await.unwrap().as_deref(),
        Some(&b"1"[..]),
        "RENAMENX moves the value"
    );
    let ttl = store.ttl("c").await.unwrap();
    assert!(
        (99..=100).contains(&ttl),
        "RENAMENX moves the TTL, got {ttl}"
    );
}

// ----- expiry visibility -----

/// An expired key is gone for every read at once, before any purge.
pub async fn test_expired_key_invisible(store: TestStore) {
    store.set("live", "v").await.unwrap();
    store.set("dead2", "v").await.unwrap();
    assert_eq!(
        store.exists(&["dead2"]).await.unwrap(),
        1,
        "the key exists before it expires"
    );
    // One key expires through SET PX, the other through PEXPIRE.
    store
        .set_ex("dead", "v", Duration::from_millis(50))
        .await
        .unwrap();
    assert!(
        store.pexpire("dead2", 50).await.unwrap(),
        "PEXPIRE 50 applied"
    );
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert_eq!(
        store.get("dead").await.unwrap(),
        None,
        "GET of an expired key is nil"
    );
    assert_eq!(
        store.exists(&["dead", "live"]).await.unwrap(),
        1,
        "EXISTS does not count an expired key"
    );
    assert_eq!(
        store.key_type("dead").await.unwrap(),
        None,
        "TYPE of expired is none"
    );
    assert_eq!(
        store.ttl("dead").await.unwrap(),
        -2,
        "TTL of an expired key is -2"
    );
    assert_eq!(
        store.pttl("dead").await.unwrap(),
        -2,
        "PTTL of an expired key is -2"
    );
    assert_eq!(
        store.mget(&["dead", "live"]).await.unwrap(),
        vec![None, Some(Bytes::from("v"))],
        "MGET of an expired key is nil"
    );
    assert_eq!(
        store.strlen("dead").await.unwrap(),
        0,
        "STRLEN of an expired key is 0"
    );
    assert_eq!(
        store.exists(&["dead2"]).await.unwrap(),
        0,
        "a key expired by PEXPIRE is gone too"
    );
    assert_eq!(
        store.get("dead2").await.unwrap(),
        None,
        "GET after PEXPIRE ran out"
    );
    let keys = store.scan_all(ScanOptions::new()).await.unwrap();
    assert_eq!(keys, ["live"], "SCAN does not return an expired key");
}

/// An expired collection is gone for every read at once.
pub async fn test_expired_collection_invisible(store: TestStore) {
    store.rpush("l", ["a", "b"]).await.unwrap();
    store.hset("h", "f", "v").await.unwrap();
    store.pexpire("l", 50).await.unwrap();
    store.pexpire("h", 50).await.unwrap();
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert_eq!(
        store.llen("l").await.unwrap(),
        0,
        "LLEN of an expired list is 0"
    );
    assert!(
        store.lrange("l", 0, -1).await.unwrap().is_empty(),
        "LRANGE of an expired list is empty"
    );
    assert_eq!(
        store.hget("h", "f").await.unwrap(),
        None,
        "HGET of expired hash is nil"
    );
    assert_eq!(
        store.exists(&["l", "h"]).await.unwrap(),
        0,
        "EXISTS does not count expired collections"
    );
    let keys = store
        .scan_all(ScanOptions::new().key_type(KeyType::List))
        .await
        .unwrap();
    assert!(
        keys.is_empty(),
        "SCAN TYPE list skips an expired list, got {keys:?}"
    );
}

/// Writes treat an expired key as missing: no old value, no old TTL, no old type.
pub async fn test_expired_key_is_absent_for_writes(store: TestStore) {
    store
        .set_ex("k", "old", Duration::from_millis(50))
        .await
        .unwrap();
    store.sadd("s", ["m"]).await.unwrap();
    store.pexpire("s", 50).await.unwrap();
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert!(
        store.set_nx("k", "new").await.unwrap(),
        "SET NX succeeds on an expired key"
    );
    assert_eq!(
        store.ttl("k").await.unwrap(),
        -1,
        "the new value has no old TTL"
    );
    assert_eq!(
        store.incr_by("s", 5).await.unwrap(),
        5,
        "INCRBY on an expired set starts from 0, no WRONGTYPE"
    );
    assert_eq!(
        store.ttl("s").await.unwrap(),
        -1,
        "the new counter has no TTL"
    );
    assert!(
        !store.expire("gone", 10).await.unwrap(),
        "EXPIRE of a missing key is 0"
    );
}

/// The `NX|XX|GT|LT` condition is checked before a non-positive expiry deletes the key.
pub async fn test_expire_condition_checked_before_delete(store: TestStore) {
    let cond = |c| Some(c);
    store.set("ttl", "v").await.unwrap();
    store.expire("ttl", 100).await.unwrap();
    assert!(
        !store
            .expire_options("ttl", Expiry::Seconds(-1), cond(ExpireCondition::Gt))
            .await
            .unwrap(),
        "EXPIRE -1 GT fails against a positive TTL"
    );
    assert_eq!(
        store.exists(&["ttl"]).await.unwrap(),
        1,
        "a failed GT deletes nothing"
    );
    assert!(
        store
            .expire_options("ttl", Expiry::Seconds(-1), cond(ExpireCondition::Lt))
            .await
            .unwrap(),
        "EXPIRE -1 LT succeeds against a positive TTL"
    );
    assert_eq!(
        store.exists(&["ttl"]).await.unwrap(),
        0,
        "and deletes the key"
    );

    store.set("plain", "v").await.unwrap();
    for condition in [ExpireCondition::Gt, ExpireCondition::Xx] {
        assert!(
            !store
                .expire_options("plain", Expiry::Millis(0), cond(condition))
                .await
                .unwrap(),
            "PEXPIRE 0 {condition:?} fails on a key without TTL"
        );
        assert_eq!(
            store.exists(&["plain"]).await.unwrap(),
            1,
            "a failed {condition:?} deletes nothing"
        );
    }
    assert!(
        store
            .expire_options("plain", Expiry::AtSeconds(1), cond(ExpireCondition::Nx))
            .await
            .unwrap(),
        "EXPIREAT in the past with NX succeeds on a key without TTL"
    );
    assert_eq!(
        store.exists(&["plain"]).await.unwrap(),
        0,
        "and deletes the key"
    );
}

/// `RENAME` of a key onto itself succeeds and keeps value and TTL.
pub async fn test_rename_onto_itself(store: TestStore) {
    store
        .set_ex("k", "v", Duration::from_secs(100))
        .await
        .unwrap();
    store.rename("k", "k").await.unwrap();
    assert_eq!(
        store.get("k").await.unwrap().as_deref(),
        Some(&b"v"[..]),
        "RENAME k k keeps the value"
    );
    let ttl = store.ttl("k").await.unwrap();
    assert!(
        (99..=100).contains(&ttl),
        "RENAME k k keeps the TTL, got {ttl}"
    );
}

/// Writes into an existing collection keep its TTL.
pub async fn test_collection_writes_keep_ttl(store: TestStore) {
    for kind in COLLECTIONS {
        populate(&store, kind.as_str(), kind).await;
        store.expire(kind.as_str(), 100).await.unwrap();
    }
    store.rpush("list", ["c"]).await.unwrap();
    store.lpop("list").await.unwrap();
    store.hset("hash", "g", "w").await.unwrap();
    store.hdel("hash", &["field"]).await.unwrap();
    store.sadd("set", ["c"]).await.unwrap();
    store.srem("set", ["a"]).await.unwrap();
    store.zadd("zset", 2.0, "b").await.unwrap();
    store.zincr_by("zset", 1.0, "a").await.unwrap();
    for kind in COLLECTIONS {
        let ttl = store.ttl(kind.as_str()).await.unwrap();
        assert!(
            (99..=100).contains(&ttl),
            "writes to a {} keep its TTL, got {ttl}",
            kind.as_str()
        );
    }
}

/// A collection emptied by a write is deleted with its TTL; a new one starts without TTL.
pub async fn test_emptied_collection_loses_ttl(store: TestStore) {
    store.rpush("l", ["a"]).await.unwrap();
    store.expire("l", 100).await.unwrap();
    store.lpop("l").await.unwrap();
    assert_eq!(store.ttl("l").await.unwrap(), -2, "an emptied list is gone");
    store.rpush("l", ["b"]).await.unwrap();
    assert_eq!(
        store.ttl("l").await.unwrap(),
        -1,
        "a re-created list has no old TTL"
    );
    store.sadd("s", ["a"]).await.unwrap();
    store.pexpire("s", 100_000).await.unwrap();
    store.srem("s", ["a"]).await.unwrap();
    store.sadd("s", ["b"]).await.unwrap();
    assert_eq!(
        store.ttl("s").await.unwrap(),
        -1,
        "a re-created set has no old TTL"
    );
}
