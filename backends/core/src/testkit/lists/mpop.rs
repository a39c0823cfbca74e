//! Conformance cases for `LMPOP` and `BLMPOP`: the first non-empty list wins, counts, reply
//! shapes, argument errors with Redis's messages, `WRONGTYPE`, and the blocking form timing
//! out and being woken by a push.

use std::time::{Duration, Instant};

use super::super::TestStore;
use super::super::keyspace::{assert_error, assert_kind};
use super::{all, bulk, bytes};
use crate::prelude::*;

fn popped(key: &str, values: &[&str]) -> Option<(crate::Name, Vec<Bytes>)> {
    Some((key.into(), bytes(values)))
}

/// `LMPOP` pops from the first non-empty list, one element by default, up to `COUNT`;
/// nil when every list is empty; an emptied list is deleted.
pub async fn test_lmpop(store: TestStore) {
    store.rpush_multiple("b", ["1", "2", "3"]).await.unwrap();
    store.rpush_multiple("c", ["x"]).await.unwrap();
    let keys = ["a", "b", "c"];
    assert_eq!(
        store.lmpop(keys, ListEnd::Left).await.unwrap(),
        popped("b", &["1"]),
        "a missing first key is skipped; one element by default"
    );
    assert_eq!(
        store.lmpop_count(keys, ListEnd::Right, 5).await.unwrap(),
        popped("b", &["3", "2"]),
        "RIGHT with a count takes the tail first, up to what there is"
    );
    assert!(
        !store.exists("b").await.unwrap(),
        "the emptied list is gone"
    );
    let reply = store
        .execute(Command::LMPop {
            keys: vec!["b".into(), "c".into()],
            end: ListEnd::Left,
            count: Some(2),
        })
        .await
        .unwrap();
    assert_eq!(
        reply,
        Reply::Array(vec![bulk("c"), Reply::Array(vec![bulk("x")])]),
        "the reply is [key, [elements]]"
    );
    assert_eq!(
        store.lmpop(keys, ListEnd::Left).await.unwrap(),
        None,
        "every list empty: nil"
    );
}

/// `COUNT 0`, a count Redis reads as negative and an empty key list are `InvalidInput`; a
/// non-list key before the first non-empty list is `WRONGTYPE`, one after it is not looked at.
pub async fn test_lmpop_errors(store: TestStore) {
    store.rpush_multiple("l", ["a"]).await.unwrap();
    store.set("s", "x").await.unwrap();
    assert_error(
        store.lmpop_count(["l"], ListEnd::Left, 0).await,
        ErrorKind::InvalidInput,
        "count should be greater than 0",
        "LMPOP COUNT 0",
    );
    assert_error(
        store.lmpop_count(["l"], ListEnd::Left, u64::MAX).await,
        ErrorKind::InvalidInput,
        "count should be greater than 0",
        "LMPOP COUNT past i64::MAX",
    );
    assert_error(
        store.lmpop(Vec::<String>::new(), ListEnd::Left).await,
        ErrorKind::InvalidInput,
        "wrong number of arguments",
        "LMPOP without keys",
    );
    assert_kind(
        store.lmpop(["s", "l"], ListEnd::Left).await,
        ErrorKind::WrongType,
        "a string before the list",
    );
    assert_eq!(all(&store, "l").await, bytes(&["a"]), "nothing was popped");
    assert_eq!(
        store.lmpop(["l", "s"], ListEnd::Left).await.unwrap(),
        popped("l", &["a"]),
        "a string after the first non-empty list is not looked at"
    );
}

/// `BLMPOP` answers at once when a list has data and nil after its timeout otherwise.
pub async fn test_blmpop_serves_or_times_out(store: TestStore) {
    store.rpush_multiple("q", ["a", "b", "c"]).await.unwrap();
    assert_eq!(
        store
            .blmpop_count(["none", "q"], ListEnd::Left, 2, Duration::from_secs(5))
            .await
            .unwrap(),
        popped("q", &["a", "b"]),
        "data there: served at once"
    );
    let started = Instant::now();
    assert_eq!(
        store
            .blmpop(["none"], ListEnd::Right, Duration::from_millis(150))
            .await
            .unwrap(),
        None,
        "nothing there: nil after the timeout"
    );
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(100),
        "BLMPOP returned after {waited:?}, before its timeout"
    );
    assert_error(
        store
            .blmpop_count(["q"], ListEnd::Left, 0, Duration::from_millis(50))
            .await,
        ErrorKind::InvalidInput,
        "count should be greater than 0",
        "BLMPOP COUNT 0",
    );
}

/// A `BLMPOP` waiting on empty lists is woken by a push from another client.
pub async fn test_blmpop_woken_by_push(store: TestStore) {
    let pusher = {
        let store = store.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            store.rpush_multiple("q2", ["x", "y"]).await.unwrap();
        })
    };
    let got = store
        .blmpop_count(["q1", "q2"], ListEnd::Right, 5, Duration::from_secs(10))
        .await
        .unwrap();
    pusher.await.unwrap();
    assert_eq!(got, popped("q2", &["y", "x"]), "woken and served the push");
    assert!(
        !store.exists("q2").await.unwrap(),
        "the emptied list is gone"
    );
}
