//! Conformance cases for moving members between sorted sets by score: order, limit, bounds, fixed
//! scores, existing destination members, emptied or missing sources and type errors.

use super::super::TestStore;
use super::super::keyspace::{assert_kind, populate};
use super::b;
use crate::ZMoveOptions;
use crate::prelude::*;

fn scored(items: &[(&str, f64)]) -> Vec<(Bytes, f64)> {
    items
        .iter()
        .map(|(m, s)| (Bytes::copy_from_slice(m.as_bytes()), *s))
        .collect()
}

async fn zset(store: &TestStore, key: &str, items: &[(&str, f64)]) {
    store
        .zadd_options(key, items.iter().map(|(m, s)| (*s, *m)), ZAddOptions::new())
        .await
        .unwrap();
}

async fn all_scored(store: &TestStore, key: &str) -> Vec<(Bytes, f64)> {
    store.zrange_with_scores(key, 0, -1).await.unwrap()
}

/// Only members within `[min, max]` move, lowest score first, returned with their scores.
pub async fn test_zmove_moves_range_lowest_first(store: TestStore) {
    zset(
        &store,
        "src",
        &[("d", 4.0), ("a", 1.0), ("c", 3.0), ("b", 2.0), ("e", 5.0)],
    )
    .await;
    let moved = store
        .zmove_by_score(
            "src",
            "dst",
            ZMoveOptions::new()
                .from(ScoreBound::Inclusive(2.0))
                .up_to(ScoreBound::Inclusive(4.0)),
        )
        .await
        .unwrap();
    assert_eq!(
        moved,
        scored(&[("b", 2.0), ("c", 3.0), ("d", 4.0)]),
        "members in [2, 4] move, lowest first, with their scores"
    );
    assert_eq!(
        all_scored(&store, "src").await,
        scored(&[("a", 1.0), ("e", 5.0)]),
        "members outside the range stay"
    );
    assert_eq!(
        all_scored(&store, "dst").await,
        scored(&[("b", 2.0), ("c", 3.0), ("d", 4.0)]),
        "MoveScore::Keep keeps the scores in the destination"
    );
    let reply = store
        .execute(Command::ZMoveByScore {
            source: "src".into(),
            destination: "dst".into(),
            min: ScoreBound::MIN,
            max: ScoreBound::Inclusive(4.0),
            limit: None,
            score: MoveScore::Keep,
        })
        .await
        .unwrap();
    assert_eq!(
        reply,
        Reply::Array(vec![Reply::Array(vec![
            Reply::Bulk(Bytes::from_static(b"a")),
            Reply::Double(1.0)
        ]),]),
        "the raw reply is member/old-score pairs"
    );
}

/// `limit` moves at most that many, the lowest scores first.
pub async fn test_zmove_limit(store: TestStore) {
    zset(&store, "src", &[("c", 30.0), ("a", 10.0), ("b", 20.0)]).await;
    let moved = store
        .zmove_by_score("src", "dst", ZMoveOptions::new().limit(2))
        .await
        .unwrap();
    assert_eq!(
        moved,
        scored(&[("a", 10.0), ("b", 20.0)]),
        "limit 2 moves the two lowest"
    );
    assert_eq!(store.zcard("src").await.unwrap(), 1, "one member left");
    let moved = store
        .zmove_by_score("src", "dst", ZMoveOptions::new().limit(5))
        .await
        .unwrap();
    assert_eq!(
        moved,
        scored(&[("c", 30.0)]),
        "a limit above the count moves the rest"
    );
    assert_eq!(
        store.zcard("dst").await.unwrap(),
        3,
        "all three are in the destination"
    );
}

/// Exclusive and infinite bounds.
pub async fn test_zmove_exclusive_and_infinite_bounds(store: TestStore) {
    zset(
        &store,
        "src",
        &[
            ("lo", f64::NEG_INFINITY),
            ("one", 1.0),
            ("two", 2.0),
            ("hi", f64::INFINITY),
        ],
    )
    .await;
    let moved = store
        .zmove_by_score(
            "src",
            "dst",
            ZMoveOptions::new()
                .from(ScoreBound::Exclusive(1.0))
                .up_to(ScoreBound::Exclusive(f64::INFINITY)),
        )
        .await
        .unwrap();
    assert_eq!(
        moved,
        scored(&[("two", 2.0)]),
        "(1 .. (+inf excludes both ends"
    );
    let moved = store
        .zmove_by_score(
            "src",
            "dst",
            ZMoveOptions::new().up_to(ScoreBound::Inclusive(1.0)),
        )
        .await
        .unwrap();
    assert_eq!(
        moved,
        scored(&[("lo", f64::NEG_INFINITY), ("one", 1.0)]),
        "-inf .. 1 includes a -inf score"
    );
    let moved = store
        .zmove_by_score("src", "dst", ZMoveOptions::new())
        .await
        .unwrap();
    assert_eq!(
        moved,
        scored(&[("hi", f64::INFINITY)]),
        "-inf .. +inf includes +inf"
    );
    assert_eq!(
        store.exists_multiple(&["src"]).await.unwrap(),
        0,
        "the source is emptied"
    );
}

/// `MoveScore::Fixed` gives every moved member that score; the reply has the old scores.
pub async fn test_zmove_fixed_score(store: TestStore) {
    zset(
        &store,
        "due",
        &[("job1", 100.0), ("job2", 200.0), ("job3", 900.0)],
    )
    .await;
    let moved = store
        .zmove_by_score(
            "due",
            "leased",
            ZMoveOptions::new()
                .up_to(ScoreBound::Inclusive(500.0))
                .score(MoveScore::Fixed(1_000.5)),
        )
        .await
        .unwrap();
    assert_eq!(
        moved,
        scored(&[("job1", 100.0), ("job2", 200.0)]),
        "the reply carries the old scores"
    );
    assert_eq!(
        all_scored(&store, "leased").await,
        scored(&[("job1", 1_000.5), ("job2", 1_000.5)]),
        "MoveScore::Fixed sets the destination score"
    );
    assert_eq!(
        all_scored(&store, "due").await,
        scored(&[("job3", 900.0)]),
        "members above max stay"
    );
}

/// Equal scores move in member byte order.
pub async fn test_zmove_ties_order_by_member(store: TestStore) {
    zset(
        &store,
        "src",
        &[("m-c", 1.0), ("m-a", 1.0), ("m-b", 1.0), ("B", 1.0)],
    )
    .await;
    let moved = store
        .zmove_by_score("src", "dst", ZMoveOptions::new().limit(3))
        .await
        .unwrap();
    assert_eq!(
        moved,
        scored(&[("B", 1.0), ("m-a", 1.0), ("m-b", 1.0)]),
        "ties move in member byte order"
    );
}

/// A member already in the destination gets its score updated.
pub async fn test_zmove_updates_existing_destination_member(store: TestStore) {
    zset(&store, "src", &[("x", 5.0), ("y", 6.0)]).await;
    zset(&store, "dst", &[("x", 50.0), ("z", 1.0)]).await;
    let moved = store
        .zmove_by_score(
            "src",
            "dst",
            ZMoveOptions::new().up_to(ScoreBound::Inclusive(5.0)),
        )
        .await
        .unwrap();
    assert_eq!(moved, scored(&[("x", 5.0)]), "x moved");
    assert_eq!(
        all_scored(&store, "dst").await,
        scored(&[("z", 1.0), ("x", 5.0)]),
        "an existing destination member takes the moved score"
    );
}

/// An emptied source is deleted; the destination keeps its TTL.
pub async fn test_zmove_empties_source(store: TestStore) {
    zset(&store, "src", &[("a", 1.0), ("b", 2.0)]).await;
    zset(&store, "dst", &[("z", 9.0)]).await;
    assert!(store.expire("dst", 100).await.unwrap());
    let moved = store
        .zmove_by_score("src", "dst", ZMoveOptions::new())
        .await
        .unwrap();
    assert_eq!(moved.len(), 2, "both moved");
    assert_eq!(
        store.exists_multiple(&["src"]).await.unwrap(),
        0,
        "an emptied source is deleted"
    );
    assert_eq!(
        store.key_type("src").await.unwrap(),
        None,
        "TYPE of it is none"
    );
    assert_eq!(store.zcard("dst").await.unwrap(), 3, "the destination grew");
    let ttl = store.ttl("dst").await.unwrap();
    assert!(
        (98..=100).contains(&ttl),
        "the destination keeps its TTL, got {ttl}"
    );
}

/// A missing source or an empty range moves nothing and creates nothing.
pub async fn test_zmove_missing_source(store: TestStore) {
    let reply = store
        .execute(Command::ZMoveByScore {
            source: "missing".into(),
            destination: "dst".into(),
            min: ScoreBound::MIN,
            max: ScoreBound::MAX,
            limit: None,
            score: MoveScore::Keep,
        })
        .await
        .unwrap();
    assert_eq!(
        reply,
        Reply::Array(vec![]),
        "a missing source replies an empty array"
    );
    zset(&store, "src", &[("a", 10.0)]).await;
    let moved = store
        .zmove_by_score(
            "src",
            "dst",
            ZMoveOptions::new().up_to(ScoreBound::Inclusive(5.0)),
        )
        .await
        .unwrap();
    assert!(moved.is_empty(), "nothing is due, nothing moves");
    assert_eq!(
        store.exists_multiple(&["dst"]).await.unwrap(),
        0,
        "no destination is created when nothing moves"
    );
    let moved = store
        .zmove_by_score("src", "dst", ZMoveOptions::new().limit(0))
        .await
        .unwrap();
    assert!(moved.is_empty(), "limit 0 moves nothing");
    assert_eq!(
        store.zcard("src").await.unwrap(),
        1,
        "the source keeps its member"
    );
}

/// `WrongType` on either key, and nothing moves.
pub async fn test_zmove_wrong_type_moves_nothing(store: TestStore) {
    zset(&store, "src", &[("a", 1.0), ("b", 2.0)]).await;
    store.set("str", "v").await.unwrap();
    populate(&store, "list", KeyType::List).await;
    assert_kind(
        store
            .zmove_by_score("src", "str", ZMoveOptions::new())
            .await,
        ErrorKind::WrongType,
        "ZMoveByScore into a string",
    );
    assert_kind(
        store
            .zmove_by_score("src", "list", ZMoveOptions::new())
            .await,
        ErrorKind::WrongType,
        "ZMoveByScore into a list",
    );
    assert_eq!(
        all_scored(&store, "src").await,
        scored(&[("a", 1.0), ("b", 2.0)]),
        "nothing left the source when the destination has the wrong type"
    );
    assert_eq!(
        store.get("str").await.unwrap(),
        b("v"),
        "the string is untouched"
    );
    assert_kind(
        store
            .zmove_by_score("list", "dst", ZMoveOptions::new())
            .await,
        ErrorKind::WrongType,
        "ZMoveByScore from a list",
    );
    assert_eq!(
        store.exists_multiple(&["dst"]).await.unwrap(),
        0,
        "no destination was created"
    );
    assert_eq!(
        store.llen("list").await.unwrap(),
        2,
        "the list is untouched"
    );
}
