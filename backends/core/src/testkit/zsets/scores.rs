//! Conformance cases for reading a sorted set's scores, size, counts and ranks: `ZSCORE`,
//! `ZMSCORE`, `ZCARD`, `ZCOUNT`, `ZRANK` and `ZREVRANK`.

use super::super::TestStore;
use super::{b, five, names};
use crate::prelude::*;

/// `ZSCORE` is a `Double` or `Nil`; `ZMSCORE` an `Array` of them, all `Nil` on a missing key.
pub async fn test_zscore_and_zmscore(store: TestStore) {
    store.zadd("z", 1.25, "a").await.unwrap();
    assert_eq!(
        store
            .execute(Command::ZScore {
                key: "z".into(),
                member: b("a"),
            })
            .await
            .unwrap(),
        Reply::Double(1.25),
        "ZSCORE replies a Double"
    );
    assert_eq!(
        store
            .execute(Command::ZScore {
                key: "z".into(),
                member: b("x"),
            })
            .await
            .unwrap(),
        Reply::Nil,
        "ZSCORE of an absent member is Nil"
    );
    assert_eq!(
        store
            .execute(Command::ZMScore {
                key: "z".into(),
                members: names(&["x", "a"]),
            })
            .await
            .unwrap(),
        Reply::Array(vec![Reply::Nil, Reply::Double(1.25)]),
        "ZMSCORE answers per member in order"
    );
    assert_eq!(
        store.zmscore("missing", ["a", "b"]).await.unwrap(),
        vec![None, None],
        "ZMSCORE on a missing key is all nil"
    );
}

/// `ZCARD` counts members; a missing key has 0.
pub async fn test_zcard(store: TestStore) {
    assert_eq!(
        store.zcard("missing").await.unwrap(),
        0,
        "ZCARD of missing is 0"
    );
    five(&store, "z").await;
    assert_eq!(store.zcard("z").await.unwrap(), 5, "ZCARD counts members");
}

/// `ZCOUNT` honours inclusive, exclusive and infinite bounds; an inverted range counts 0.
pub async fn test_zcount_bounds(store: TestStore) {
    five(&store, "z").await;
    use ScoreBound::{Exclusive as Ex, Inclusive as In};
    let cases = [
        (ScoreBound::MIN, ScoreBound::MAX, 5, "-inf..+inf counts all"),
        (In(2.0), In(4.0), 3, "[2, 4] is inclusive"),
        (Ex(2.0), In(4.0), 2, "(2 excludes 2"),
        (In(2.0), Ex(4.0), 2, "(4 excludes 4"),
        (Ex(2.0), Ex(3.0), 0, "(2 (3 is empty"),
        (Ex(1.0), ScoreBound::MAX, 4, "(1 to +inf"),
        (In(4.0), In(2.0), 0, "min above max counts 0"),
        (In(3.0), Ex(3.0), 0, "[3 (3 is empty"),
    ];
    for (min, max, want, rule) in cases {
        assert_eq!(
            store.zcount("z", min, max).await.unwrap(),
            want,
            "ZCOUNT {rule}"
        );
    }
    assert_eq!(
        store
            .zcount("missing", ScoreBound::MIN, ScoreBound::MAX)
            .await
            .unwrap(),
        0,
        "ZCOUNT of a missing key is 0"
    );
}

/// `ZRANK`/`ZREVRANK` follow the order (ties by member bytes); absent members are `Nil`.
pub async fn test_zrank_and_zrevrank(store: TestStore) {
    store
        .zadd_options(
            "z",
            [(2.0, "b"), (1.0, "z"), (2.0, "a"), (3.0, "c")],
            ZAddOptions::new(),
        )
        .await
        .unwrap();
    for (member, rank) in [("z", 0), ("a", 1), ("b", 2), ("c", 3)] {
        assert_eq!(
            store.zrank("z", member).await.unwrap(),
            Some(rank),
            "ZRANK of {member} (ties ordered by member)"
        );
        assert_eq!(
            store.zrevrank("z", member).await.unwrap(),
            Some(3 - rank),
            "ZREVRANK of {member} counts from the top"
        );
    }
    assert_eq!(
        store.zrank("z", "x").await.unwrap(),
        None,
        "ZRANK of absent is nil"
    );
    assert_eq!(
        store.zrevrank("missing", "a").await.unwrap(),
        None,
        "ZREVRANK on a missing key is nil"
    );
}
