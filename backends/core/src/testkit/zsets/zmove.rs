//! Conformance cases for the semantics of the atomic [`Command::ZMoveByScore`]: order, limit,
//! bounds, fixed scores, emptied sources and type errors (its races are in the `atomic` cases).

use super::super::TestStore;
use super::super::keyspace::assert_kind;
use super::{all, b, five, names, pair, scored};
use crate::ZMoveOptions;
use crate::prelude::*;

/// `ZMoveByScore` moves the lowest members in range first, at most `limit`, keeping their
/// scores, and returns them with their old scores.
pub async fn test_zmove_by_score_lowest_first_with_limit(store: TestStore) {
    five(&store, "src").await;
    let moved = store
        .zmove_by_score(
            "src",
            "dst",
            ZMoveOptions::new()
                .up_to(ScoreBound::Inclusive(4.0))
                .limit(2),
        )
        .await
        .unwrap();
    assert_eq!(
        moved,
        scored(&[("a", 1.0), ("b", 2.0)]),
        "the two lowest due members move, lowest first"
    );
    assert_eq!(
        all(&store, "dst").await,
        scored(&[("a", 1.0), ("b", 2.0)]),
        "MoveScore::Keep keeps the scores in the destination"
    );
    assert_eq!(
        store.zrange("src", 0, -1).await.unwrap(),
        names(&["c", "d", "e"]),
        "moved members left the source"
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
        Reply::Array(vec![pair("c", 3.0), pair("d", 4.0)]),
        "without a limit every member in range moves; the reply is member/old-score pairs"
    );
}

/// `MoveScore::Fixed` gives every moved member the score; members already in the destination
/// get their score updated.
pub async fn test_zmove_by_score_fixed_score_updates_destination(store: TestStore) {
    store
        .zadd_multiple("src", [(1.0, "a"), (2.0, "b")], ZAddOptions::new())
        .await
        .unwrap();
    store.zadd("dst", 50.0, "a").await.unwrap();
    let moved = store
        .zmove_by_score(
            "src",
            "dst",
            ZMoveOptions::new().score(MoveScore::Fixed(100.0)),
        )
        .await
        .unwrap();
    assert_eq!(
        moved,
        scored(&[("a", 1.0), ("b", 2.0)]),
        "the reply carries the old scores"
    );
    assert_eq!(
        all(&store, "dst").await,
        scored(&[("a", 100.0), ("b", 100.0)]),
        "the destination holds the fixed score, a updated"
    );
}

/// Moving every member deletes the source; the destination keeps its TTL.
pub async fn test_zmove_by_score_empties_source(store: TestStore) {
    store
        .zadd_multiple("src", [(1.0, "a"), (2.0, "b")], ZAddOptions::new())
        .await
        .unwrap();
    store.zadd("dst", 9.0, "z").await.unwrap();
    assert!(store.expire("dst", 100).await.unwrap());
    let moved = store
        .zmove_by_score("src", "dst", ZMoveOptions::new())
        .await
        .unwrap();
    assert_eq!(moved.len(), 2, "everything moved");
    assert_eq!(
        store.exists(&["src"]).await.unwrap(),
        0,
        "the emptied source is deleted"
    );
    assert_eq!(store.zcard("dst").await.unwrap(), 3, "the destination grew");
    let ttl = store.ttl("dst").await.unwrap();
    assert!(
        (98..=100).contains(&ttl),
        "the destination keeps its TTL, got {ttl}"
    );
}

/// Exclusive and infinite bounds select as in `ZRANGE BYSCORE`.
pub async fn test_zmove_by_score_exclusive_bounds(store: TestStore) {
    five(&store, "src").await;
    let moved = store
        .zmove_by_score(
            "src",
            "dst",
            ZMoveOptions::new()
                .from(ScoreBound::Exclusive(2.0))
                .up_to(ScoreBound::Exclusive(5.0)),
        )
        .await
        .unwrap();
    assert_eq!(
        moved,
        scored(&[("c", 3.0), ("d", 4.0)]),
        "(2 (5 moves c and d only"
    );
    let moved = store
        .zmove_by_score(
            "src",
            "dst",
            ZMoveOptions::new().from(ScoreBound::Exclusive(1.0)),
        )
        .await
        .unwrap();
    assert_eq!(
        moved,
        scored(&[("b", 2.0), ("e", 5.0)]),
        "(1 to +inf moves the rest above 1"
    );
}

/// Nothing in range (or a missing source, or a zero limit) moves nothing and creates no
/// destination.
pub async fn test_zmove_by_score_nothing_to_move(store: TestStore) {
    assert!(
        store
            .zmove_by_score("missing", "dst", ZMoveOptions::new())
            .await
            .unwrap()
            .is_empty(),
        "a missing source moves nothing"
    );
    five(&store, "src").await;
    assert!(
        store
            .zmove_by_score(
                "src",
                "dst",
                ZMoveOptions::new().up_to(ScoreBound::Exclusive(1.0))
            )
            .await
            .unwrap()
            .is_empty(),
        "nothing below the lowest score moves"
    );
    assert!(
        store
            .zmove_by_score("src", "dst", ZMoveOptions::new().limit(0))
            .await
            .unwrap()
            .is_empty(),
        "a zero limit moves nothing"
    );
    assert_eq!(
        store.exists(&["dst"]).await.unwrap(),
        0,
        "no destination is created when nothing moves"
    );
    assert_eq!(
        store.zcard("src").await.unwrap(),
        5,
        "the source is untouched"
    );
}

/// `WrongType` when either key holds a non-zset; nothing moves then.
pub async fn test_zmove_by_score_wrong_type_moves_nothing(store: TestStore) {
    five(&store, "src").await;
    store.set("str", "x").await.unwrap();
    assert_kind(
        store
            .zmove_by_score("src", "str", ZMoveOptions::new())
            .await,
        ErrorKind::WrongType,
        "a string destination is WRONGTYPE",
    );
    assert_eq!(
        store.zcard("src").await.unwrap(),
        5,
        "nothing left the source"
    );
    assert_kind(
        store
            .zmove_by_score("str", "dst", ZMoveOptions::new())
            .await,
        ErrorKind::WrongType,
        "a string source is WRONGTYPE",
    );
    assert_eq!(
        store.exists(&["dst"]).await.unwrap(),
        0,
        "no destination created"
    );
    assert_eq!(
        store.get("str").await.unwrap(),
        Some(b("x")),
        "the string is unchanged"
    );
}
