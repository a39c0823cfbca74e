//! Conformance cases for `ZPOPMIN`/`ZPOPMAX` with and without a count (and their RESP3 shapes), and
//! the blocking `BZPOPMIN`/`BZPOPMAX`: timing out, key order, and woken by another task.

use std::time::{Duration, Instant};

use super::super::TestStore;
use super::{all, b, five, names, pair, scored};
use crate::prelude::*;

/// `ZPOPMIN key` (no count) replies one flat `[member, score]` pair, or an empty `Array`.
pub async fn test_zpopmin_without_count_shape(store: TestStore) {
    let pop = |key: &str| Command::ZPopMin {
        key: key.into(),
        count: None,
    };
    assert_eq!(
        store.execute(pop("missing")).await.unwrap(),
        Reply::Array(vec![]),
        "ZPOPMIN of a missing key is an empty Array"
    );
    store
        .zadd_options("z", [(2.0, "b"), (1.0, "a")], ZAddOptions::new())
        .await
        .unwrap();
    assert_eq!(
        store.execute(pop("z")).await.unwrap(),
        pair("a", 1.0),
        "ZPOPMIN replies the lowest member and its score"
    );
    assert_eq!(store.execute(pop("z")).await.unwrap(), pair("b", 2.0));
    assert_eq!(
        store.exists_multiple(&["z"]).await.unwrap(),
        0,
        "popping the last member deletes the key"
    );
}

/// `ZPOPMAX key` (no count) replies the highest member; ties pop the greatest member first.
pub async fn test_zpopmax_without_count_shape(store: TestStore) {
    store
        .zadd_options(
            "z",
            [(5.0, "a"), (5.0, "b"), (1.0, "c")],
            ZAddOptions::new(),
        )
        .await
        .unwrap();
    let pop = Command::ZPopMax {
        key: "z".into(),
        count: None,
    };
    assert_eq!(
        store.execute(pop.clone()).await.unwrap(),
        pair("b", 5.0),
        "ZPOPMAX takes the greatest member among equal top scores"
    );
    assert_eq!(store.execute(pop).await.unwrap(), pair("a", 5.0));
}

/// `ZPOPMIN key count` pops lowest first, all when the count exceeds the size.
pub async fn test_zpopmin_with_count(store: TestStore) {
    five(&store, "z").await;
    let reply = store
        .execute(Command::ZPopMin {
            key: "z".into(),
            count: Some(2),
        })
        .await
        .unwrap();
    assert_eq!(
        reply,
        Reply::Array(vec![pair("a", 1.0), pair("b", 2.0)]),
        "ZPOPMIN 2 replies an Array of pairs, lowest first"
    );
    assert_eq!(
        store.zpopmin_count("z", 10).await.unwrap(),
        scored(&[("c", 3.0), ("d", 4.0), ("e", 5.0)]),
        "ZPOPMIN with a count above the size takes all"
    );
    assert_eq!(
        store.exists_multiple(&["z"]).await.unwrap(),
        0,
        "the emptied sorted set is deleted"
    );
}

/// `ZPOPMAX key count` pops highest first.
pub async fn test_zpopmax_with_count(store: TestStore) {
    five(&store, "z").await;
    assert_eq!(
        store.zpopmax_count("z", 2).await.unwrap(),
        scored(&[("e", 5.0), ("d", 4.0)]),
        "ZPOPMAX 2 takes the two highest, highest first"
    );
    assert_eq!(
        store.zrange("z", 0, -1).await.unwrap(),
        names(&["a", "b", "c"]),
        "the rest stays"
    );
}

/// A zero count pops nothing; a count on a missing key is an empty `Array`.
pub async fn test_zpop_count_zero_and_missing(store: TestStore) {
    five(&store, "z").await;
    for command in [
        Command::ZPopMin {
            key: "z".into(),
            count: Some(0),
        },
        Command::ZPopMax {
            key: "missing".into(),
            count: Some(3),
        },
        Command::ZPopMin {
            key: "missing".into(),
            count: Some(1),
        },
    ] {
        let rule = format!("{command:?} replies an empty Array");
        assert_eq!(
            store.execute(command).await.unwrap(),
            Reply::Array(vec![]),
            "{rule}"
        );
    }
    assert_eq!(
        store.zcard("z").await.unwrap(),
        5,
        "ZPOPMIN 0 popped nothing"
    );
}

/// `BZPOPMIN` on empty keys waits for the timeout, then replies nil.
pub async fn test_bzpopmin_times_out(store: TestStore) {
    let started = Instant::now();
    let got = store
        .bzpopmin_multiple(&["z1", "z2"], Duration::from_millis(150))
        .await
        .unwrap();
    assert_eq!(got, None, "BZPOPMIN on empty keys times out with nil");
    assert!(
        started.elapsed() >= Duration::from_millis(100),
        "BZPOPMIN waited for its timeout, returned after {:?}",
        started.elapsed()
    );
    assert_eq!(
        store
            .execute(Command::BZPopMin {
                keys: vec!["z1".into()],
                timeout: Duration::from_millis(100),
            })
            .await
            .unwrap(),
        Reply::Nil,
        "a timed-out BZPOPMIN replies Nil"
    );
}

/// `BZPOPMAX` on empty keys waits for the timeout, then replies nil.
pub async fn test_bzpopmax_times_out(store: TestStore) {
    let started = Instant::now();
    let got = store
        .bzpopmax_multiple(&["z"], Duration::from_millis(120))
        .await
        .unwrap();
    assert_eq!(got, None, "BZPOPMAX on an empty key times out with nil");
    assert!(
        started.elapsed() >= Duration::from_millis(80),
        "BZPOPMAX waited for its timeout, returned after {:?}",
        started.elapsed()
    );
}

/// With data present, `BZPOPMIN` pops at once from the first non-empty key, replying
/// `[key, member, score]`.
pub async fn test_bzpopmin_serves_first_non_empty_key(store: TestStore) {
    store
        .zadd_options("z2", [(3.0, "x"), (1.0, "y")], ZAddOptions::new())
        .await
        .unwrap();
    store.zadd("z3", 0.0, "w").await.unwrap();
    let reply = store
        .execute(Command::BZPopMin {
            keys: vec!["z1".into(), "z2".into(), "z3".into()],
            timeout: Duration::from_secs(1),
        })
        .await
        .unwrap();
    assert_eq!(
        reply,
        Reply::Array(vec![
            Reply::Bulk(b("z2")),
            Reply::Bulk(b("y")),
            Reply::Double(1.0)
        ]),
        "BZPOPMIN pops the lowest of the first non-empty key"
    );
    assert_eq!(
        store
            .bzpopmax_multiple(&["z2", "z3"], Duration::from_secs(1))
            .await
            .unwrap(),
        Some(("z2".into(), b("x"), 3.0)),
        "BZPOPMAX pops the last member of z2, which deletes it"
    );
    assert_eq!(
        store.exists_multiple(&["z2"]).await.unwrap(),
        0,
        "z2 was emptied and deleted"
    );
}

/// A `BZPOPMIN` blocked on an empty key is woken by a `ZADD` from another task.
pub async fn test_bzpopmin_woken_by_zadd(store: TestStore) {
    let writer = store.clone();
    let push = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        writer
            .zadd_options("z", [(7.0, "late"), (2.0, "early")], ZAddOptions::new())
            .await
            .unwrap();
    });
    let started = Instant::now();
    let got = store
        .bzpopmin_multiple(&["other", "z"], Duration::from_secs(5))
        .await
        .unwrap();
    push.await.unwrap();
    assert_eq!(
        got,
        Some(("z".into(), b("early"), 2.0)),
        "the woken BZPOPMIN pops the lowest member the ZADD brought"
    );
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "BZPOPMIN was woken by the ZADD, not by its timeout"
    );
    assert_eq!(
        all(&store, "z").await,
        scored(&[("late", 7.0)]),
        "exactly one member was popped"
    );
}

/// A `BZPOPMAX` blocked on an empty key is woken by a `ZADD` from another task.
pub async fn test_bzpopmax_woken_by_zadd(store: TestStore) {
    let writer = store.clone();
    let push = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        writer
            .zadd_options("z", [(7.0, "late"), (2.0, "early")], ZAddOptions::new())
            .await
            .unwrap();
    });
    let got = store
        .bzpopmax_multiple(&["z"], Duration::from_secs(5))
        .await
        .unwrap();
    push.await.unwrap();
    assert_eq!(
        got,
        Some(("z".into(), b("late"), 7.0)),
        "the woken BZPOPMAX pops the highest member"
    );
}
