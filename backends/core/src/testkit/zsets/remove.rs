//! Conformance cases for removing members: `ZREM`, `ZREMRANGEBYSCORE` and `ZREMRANGEBYRANK`, an
//! emptied sorted set deleting its key.

use super::super::TestStore;
use super::{five, names};
use crate::prelude::*;

/// `ZREM` counts removed members; removing the last deletes the key.
pub async fn test_zrem_counts_and_deletes_empty_key(store: TestStore) {
    assert_eq!(
        store.zrem_multiple("missing", ["a"]).await.unwrap(),
        0,
        "ZREM on a missing key removes nothing"
    );
    store
        .zadd_options("z", [(1.0, "a"), (2.0, "b")], ZAddOptions::new())
        .await
        .unwrap();
    assert_eq!(
        store.zrem_multiple("z", ["a", "x", "a"]).await.unwrap(),
        1,
        "ZREM counts members that were present once"
    );
    assert_eq!(store.zrem_multiple("z", ["b"]).await.unwrap(), 1);
    assert_eq!(
        store.exists_multiple(&["z"]).await.unwrap(),
        0,
        "an emptied sorted set is deleted"
    );
}

/// `ZREMRANGEBYSCORE` removes the members within the bounds and deletes an emptied key.
pub async fn test_zremrangebyscore(store: TestStore) {
    five(&store, "z").await;
    assert_eq!(
        store
            .zremrangebyscore("z", ScoreBound::Exclusive(1.0), ScoreBound::Inclusive(3.0))
            .await
            .unwrap(),
        2,
        "ZREMRANGEBYSCORE (1 3 removes b and c"
    );
    assert_eq!(
        store.zrange("z", 0, -1).await.unwrap(),
        names(&["a", "d", "e"]),
        "the rest stays"
    );
    assert_eq!(
        store
            .zremrangebyscore("z", ScoreBound::Inclusive(9.0), ScoreBound::Inclusive(1.0))
            .await
            .unwrap(),
        0,
        "an inverted range removes nothing"
    );
    assert_eq!(
        store
            .zremrangebyscore("z", ScoreBound::MIN, ScoreBound::MAX)
            .await
            .unwrap(),
        3,
        "-inf +inf removes everything"
    );
    assert_eq!(
        store.exists_multiple(&["z"]).await.unwrap(),
        0,
        "the emptied key is deleted"
    );
    assert_eq!(
        store
            .zremrangebyscore("z", ScoreBound::MIN, ScoreBound::MAX)
            .await
            .unwrap(),
        0,
        "ZREMRANGEBYSCORE on a missing key removes nothing"
    );
}

/// `ZREMRANGEBYRANK` uses `ZRANGE`'s rank rules and deletes an emptied key.
pub async fn test_zremrangebyrank(store: TestStore) {
    five(&store, "z").await;
    assert_eq!(
        store.zremrangebyrank("z", -2, -1).await.unwrap(),
        2,
        "ZREMRANGEBYRANK -2 -1 removes the two highest"
    );
    assert_eq!(
        store.zremrangebyrank("z", 5, 3).await.unwrap(),
        0,
        "an empty rank range removes nothing"
    );
    assert_eq!(
        store.zremrangebyrank("z", 0, 0).await.unwrap(),
        1,
        "ZREMRANGEBYRANK 0 0 removes the lowest"
    );
    assert_eq!(
        store.zrange("z", 0, -1).await.unwrap(),
        names(&["b", "c"]),
        "the middle stays"
    );
    assert_eq!(store.zremrangebyrank("z", 0, 100).await.unwrap(), 2);
    assert_eq!(
        store.exists_multiple(&["z"]).await.unwrap(),
        0,
        "the emptied key is deleted"
    );
}
