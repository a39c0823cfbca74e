//! Conformance cases for the blocking list pops (`BLPOP`, `BRPOP`, `BLMOVE`): served at once
//! when data is there, timing out, woken by a push from another task, key order, `WRONGTYPE`,
//! and two waiters each served exactly once.
//!
//! They use real short waits, because Redis owns the clock here: timeouts of 150 ms and pushes
//! 50 ms after the pop started, with generous upper bounds so a loaded machine still passes.

use std::time::{Duration, Instant};

use super::super::TestStore;
use super::super::keyspace::assert_kind;
use super::{all, b, bulk, bytes, popped};
use crate::prelude::*;

/// Runs `push` on another task after `delay`, as a second client would.
fn push_later(
    store: &TestStore,
    delay: Duration,
    key: &'static str,
    values: &'static [&'static str],
) -> tokio::task::JoinHandle<()> {
    let store = store.clone();
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        store
            .rpush_multiple(key, values.iter().copied())
            .await
            .unwrap();
    })
}

/// A blocking pop on a non-empty list answers at once with `[key, value]`.
pub async fn test_blpop_serves_at_once_when_data(store: TestStore) {
    store.rpush_multiple("q", ["a", "b"]).await.unwrap();
    let started = Instant::now();
    let reply = store
        .execute(Command::BLPop {
            keys: vec!["q".into()],
            timeout: Duration::from_secs(5),
        })
        .await
        .unwrap();
    assert_eq!(
        reply,
        Reply::Array(vec![bulk("q"), bulk("a")]),
        "BLPOP replies Array[key, value]"
    );
    assert_eq!(
        store
            .brpop_multiple(&["q"], Duration::from_secs(5))
            .await
            .unwrap(),
        popped("q", "b"),
        "BRPOP takes the tail"
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "blocking pops on data do not wait"
    );
    assert_eq!(
        store.exists_multiple(&["q"]).await.unwrap(),
        0,
        "a blocking pop that empties the list deletes it"
    );
}

/// `BLPOP` on empty keys replies nil once its timeout passes, and creates nothing.
pub async fn test_blpop_times_out(store: TestStore) {
    let started = Instant::now();
    let reply = store
        .execute(Command::BLPop {
            keys: vec!["q1".into(), "q2".into()],
            timeout: Duration::from_millis(150),
        })
        .await
        .unwrap();
    let waited = started.elapsed();
    assert_eq!(reply, Reply::Nil, "BLPOP that times out replies Nil");
    assert!(
        waited >= Duration::from_millis(100),
        "BLPOP waited for its timeout, returned after {waited:?}"
    );
    assert!(
        waited < Duration::from_secs(5),
        "BLPOP returned soon after its timeout, took {waited:?}"
    );
    assert_eq!(
        store.exists_multiple(&["q1", "q2"]).await.unwrap(),
        0,
        "a timed-out BLPOP creates nothing"
    );
}

/// `BRPOP` on an empty key replies nil once its timeout passes.
pub async fn test_brpop_times_out(store: TestStore) {
    let started = Instant::now();
    assert_eq!(
        store
            .brpop_multiple(&["q"], Duration::from_millis(150))
            .await
            .unwrap(),
        None,
        "BRPOP that times out is nil"
    );
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(100) && waited < Duration::from_secs(5),
        "BRPOP waited about its timeout, took {waited:?}"
    );
}

/// `BLMOVE` from an empty source replies nil once its timeout passes and creates nothing.
pub async fn test_blmove_times_out(store: TestStore) {
    let started = Instant::now();
    let reply = store
        .execute(Command::BLMove {
            source: "src".into(),
            destination: "dst".into(),
            from: ListEnd::Left,
            to: ListEnd::Right,
            timeout: Duration::from_millis(150),
        })
        .await
        .unwrap();
    let waited = started.elapsed();
    assert_eq!(reply, Reply::Nil, "BLMOVE that times out replies Nil");
    assert!(
        waited >= Duration::from_millis(100) && waited < Duration::from_secs(5),
        "BLMOVE waited about its timeout, took {waited:?}"
    );
    assert_eq!(
        store.exists_multiple(&["src", "dst"]).await.unwrap(),
        0,
        "a timed-out BLMOVE creates nothing"
    );
}

/// `BLPOP` waiting on an empty list is woken by another task's push and takes the head.
pub async fn test_blpop_woken_by_push(store: TestStore) {
    let pusher = push_later(&store, Duration::from_millis(50), "q", &["job1", "job2"]);
    let started = Instant::now();
    let got = store
        .blpop_multiple(&["q"], Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(got, popped("q", "job1"), "BLPOP takes the pushed head");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "BLPOP was woken by the push, not by its timeout"
    );
    pusher.await.unwrap();
    assert_eq!(
        all(&store, "q").await,
        bytes(&["job2"]),
        "BLPOP took exactly one element"
    );
}

/// `BRPOP` waiting on an empty list is woken by a push and takes the tail.
pub async fn test_brpop_woken_by_push(store: TestStore) {
    let pusher = push_later(&store, Duration::from_millis(50), "q", &["x", "y"]);
    let started = Instant::now();
    let got = store
        .brpop_multiple(&["q"], Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(got, popped("q", "y"), "BRPOP takes the pushed tail");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "BRPOP was woken by the push, not by its timeout"
    );
    pusher.await.unwrap();
    assert_eq!(all(&store, "q").await, bytes(&["x"]));
}

/// `BLMOVE` waiting on an empty source is woken by a push and moves the element.
pub async fn test_blmove_woken_by_push(store: TestStore) {
    store.rpush_multiple("dst", ["old"]).await.unwrap();
    let pusher = push_later(&store, Duration::from_millis(50), "src", &["job"]);
    let started = Instant::now();
    let got = store
        .blmove(
            "src",
            "dst",
            ListEnd::Right,
            ListEnd::Left,
            Duration::from_secs(5),
        )
        .await
        .unwrap();
    assert_eq!(got, b("job"), "BLMOVE replies the moved element");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "BLMOVE was woken by the push, not by its timeout"
    );
    pusher.await.unwrap();
    assert_eq!(
        all(&store, "dst").await,
        bytes(&["job", "old"]),
        "BLMOVE pushed to the chosen end of the destination"
    );
    assert_eq!(
        store.exists_multiple(&["src"]).await.unwrap(),
        0,
        "BLMOVE emptied and removed the source"
    );
}

/// `BLPOP` serves the first non-empty key in argument order.
pub async fn test_blpop_first_non_empty_key_wins(store: TestStore) {
    store.rpush_multiple("b", ["b1"]).await.unwrap();
    store.rpush_multiple("c", ["c1"]).await.unwrap();
    let wait = Duration::from_secs(1);
    assert_eq!(
        store.blpop_multiple(&["a", "b", "c"], wait).await.unwrap(),
        popped("b", "b1"),
        "BLPOP skips empty keys and takes the first non-empty one"
    );
    store.rpush_multiple("b", ["b2"]).await.unwrap();
    assert_eq!(
        store.blpop_multiple(&["c", "b"], wait).await.unwrap(),
        popped("c", "c1"),
        "BLPOP follows argument order, not key names"
    );
    assert_eq!(
        store.brpop_multiple(&["a", "c", "b"], wait).await.unwrap(),
        popped("b", "b2"),
        "BRPOP skips keys emptied meanwhile"
    );
}

/// `BLPOP` reaching a non-list key is `WrongType`; one served earlier in the key list is not.
pub async fn test_blpop_wrong_type(store: TestStore) {
    store.set("s", "value").await.unwrap();
    let wait = Duration::from_secs(1);
    assert_kind(
        store.blpop_multiple(&["s"], wait).await,
        ErrorKind::WrongType,
        "BLPOP on a string is WRONGTYPE",
    );
    assert_kind(
        store.blpop_multiple(&["empty", "s"], wait).await,
        ErrorKind::WrongType,
        "BLPOP reaching a string after an empty key is WRONGTYPE",
    );
    assert_kind(
        store.brpop_multiple(&["s"], wait).await,
        ErrorKind::WrongType,
        "BRPOP on a string is WRONGTYPE",
    );
    store.rpush_multiple("full", ["x"]).await.unwrap();
    assert_eq!(
        store.blpop_multiple(&["full", "s"], wait).await.unwrap(),
        popped("full", "x"),
        "BLPOP served by an earlier key never looks at the string"
    );
    assert_eq!(
        store.get("s").await.unwrap(),
        b("value"),
        "WRONGTYPE leaves the string"
    );
}

/// Two `BLPOP`s waiting on one list are each served one element by two pushes; nothing is
/// served twice.
pub async fn test_blpop_two_waiters_each_served_once(store: TestStore) {
    let waiter = |store: TestStore| {
        tokio::spawn(async move { store.blpop_multiple(&["q"], Duration::from_secs(5)).await })
    };
    let first = waiter(store.clone());
    let second = waiter(store.clone());
    tokio::time::sleep(Duration::from_millis(150)).await;
    store.rpush_multiple("q", ["a"]).await.unwrap();
    store.rpush_multiple("q", ["b"]).await.unwrap();
    let mut got = Vec::new();
    for waiter in [first, second] {
        let popped = waiter.await.unwrap().unwrap();
        let (key, value) = popped.expect("each waiter is served before its timeout");
        assert_eq!(key, "q", "the waiter names the key it popped");
        got.push(value);
    }
    got.sort();
    assert_eq!(
        got,
        bytes(&["a", "b"]),
        "each push served exactly one waiter"
    );
    assert_eq!(
        store.exists_multiple(&["q"]).await.unwrap(),
        0,
        "both elements were taken"
    );
    assert_eq!(
        store
            .blpop_multiple(&["q"], Duration::from_millis(100))
            .await
            .unwrap(),
        None,
        "no element is served twice"
    );
}
