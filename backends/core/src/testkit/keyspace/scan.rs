//! Conformance cases for `SCAN`: full iteration, concurrent changes, `MATCH` patterns, `COUNT` and
//! `TYPE`.

use std::collections::{BTreeSet, HashSet};

use super::super::TestStore;
use super::{COLLECTIONS, populate};
use crate::prelude::*;

/// Sets each key with its own `SET` rather than one `MSET`, so the case runs on a Redis
/// Cluster too, where the keys spread over every primary and `SCAN` has to visit them all.
fn set_each<K: Into<String>>(
    store: &TestStore,
    pairs: impl IntoIterator<Item = (K, &'static str)>,
) -> impl std::future::Future<Output = crate::Result<()>> + Send + '_ {
    // Collected first, so the future holds no iterator (and stays `Send` for any caller).
    let pairs: Vec<(String, &'static str)> =
        pairs.into_iter().map(|(k, v)| (k.into(), v)).collect();
    async move {
        for (key, value) in pairs {
            store.set(&key, value).await?;
        }
        Ok(())
    }
}

fn sorted(keys: Vec<crate::Name>) -> Vec<String> {
    let mut keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
    keys.sort();
    keys.dedup();
    keys
}

/// `SCAN` of an empty store ends at once with no keys.
pub async fn test_scan_empty_store(store: TestStore) {
    let keys = store.scan_all(ScanOptions::new()).await.unwrap();
    assert!(
        keys.is_empty(),
        "SCAN of an empty store returns no keys, got {keys:?}"
    );
    let (cursor, batch) = store.scan_options(0, ScanOptions::new()).await.unwrap();
    assert_eq!(
        (cursor, batch.len()),
        (0, 0),
        "SCAN of an empty store returns cursor 0"
    );
}

/// A full `SCAN` returns every key and ends with cursor 0.
pub async fn test_scan_full_iteration(store: TestStore) {
    let want: BTreeSet<String> = (0..300).map(|i| format!("key:{i}")).collect();
    set_each(&store, want.iter().map(|k| (k.clone(), "v")))
        .await
        .unwrap();
    let mut cursor = 0;
    let mut got = BTreeSet::new();
    let mut steps = 0;
    loop {
        let (next, keys) = store
            .scan_options(cursor, ScanOptions::new().count(10))
            .await
            .unwrap();
        got.extend(keys.iter().map(|k| k.to_string()));
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
    set_each(&store, stable.iter().map(|k| (k.clone(), "v")))
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
            .scan_options(cursor, ScanOptions::new().count(5))
            .await
            .unwrap();
        got.extend(keys.iter().map(|k| k.to_string()));
        // Between steps, add new keys and delete others, growing the keyspace.
        for j in 0..10 {
            store.set(&format!("new:{step}:{j}"), "v").await.unwrap();
        }
        store
            .del_multiple(&[&format!("doomed:{step}")])
            .await
            .unwrap();
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
    set_each(
        &store,
        [
            ("user:1", "a"),
            ("user:22", "b"),
            ("order:1", "c"),
            ("xuser:1", "d"),
        ],
    )
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
    set_each(
        &store,
        [
            ("a1", "v"),
            ("a2", "v"),
            ("a3", "v"),
            ("ab", "v"),
            ("abc", "v"),
        ],
    )
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
    set_each(
        &store,
        [
            ("a*b", "v"),
            ("axb", "v"),
            ("q?", "v"),
            ("qz", "v"),
            ("[x]", "v"),
            ("x", "v"),
        ],
    )
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
    set_each(&store, want.iter().map(|k| (k.clone(), "v")))
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
