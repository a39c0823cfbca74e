//! Conformance cases for the sorted-set commands over several keys: `ZUNION`, `ZINTER`,
//! `ZDIFF` and their `STORE` forms (`WEIGHTS`, `AGGREGATE`, `WITHSCORES`, plain sets as
//! inputs, the option errors), `ZINTERCARD` and `ZRANGESTORE`.

use super::super::TestStore;
use super::super::keyspace::{assert_error, assert_kind};
use super::{all, five, names, scored};
use crate::prelude::*;

/// `{t}x` = a:1 b:2 c:3, `{t}y` = b:10 c:20 d:30 (one hash tag, so a cluster could serve them).
async fn two(store: &TestStore) {
    store
        .zadd_multiple("{t}x", [(1.0, "a"), (2.0, "b"), (3.0, "c")])
        .await
        .unwrap();
    store
        .zadd_multiple("{t}y", [(10.0, "b"), (20.0, "c"), (30.0, "d")])
        .await
        .unwrap();
}

/// `ZUNION` sums the scores of shared members and orders by the result.
pub async fn test_zunion_sums_and_orders(store: TestStore) {
    two(&store).await;
    assert_eq!(
        store.zunion(["{t}x", "{t}y"]).await.unwrap(),
        names(&["a", "b", "c", "d"]),
        "ZUNION lists every member by summed score"
    );
    assert_eq!(
        store
            .zunion_with_scores(["{t}x", "{t}y", "{t}missing"], ZCombineOptions::new())
            .await
            .unwrap(),
        scored(&[("a", 1.0), ("b", 12.0), ("c", 23.0), ("d", 30.0)]),
        "ZUNION WITHSCORES: shared members summed, a missing key is empty"
    );
    let reply = store
        .execute(Command::ZUnion {
            keys: vec!["{t}x".into()],
            options: ZCombineOptions::new().with_scores(true),
        })
        .await
        .unwrap();
    assert_eq!(
        reply,
        Reply::Array(vec![
            super::pair("a", 1.0),
            super::pair("b", 2.0),
            super::pair("c", 3.0)
        ]),
        "ZUNION WITHSCORES answers [member, score] pairs"
    );
}

/// `WEIGHTS` multiply each key's scores; `AGGREGATE MIN|MAX` keep one of them.
pub async fn test_zunion_weights_and_aggregate(store: TestStore) {
    two(&store).await;
    let keys = ["{t}x", "{t}y"];
    assert_eq!(
        store
            .zunion_with_scores(keys, ZCombineOptions::new().weights([2.0, 0.5]))
            .await
            .unwrap(),
        scored(&[("a", 2.0), ("b", 9.0), ("d", 15.0), ("c", 16.0)]),
        "WEIGHTS 2 0.5 then SUM, ordered by the result"
    );
    assert_eq!(
        store
            .zunion_with_scores(keys, ZCombineOptions::new().aggregate(ZAggregate::Min))
            .await
            .unwrap(),
        scored(&[("a", 1.0), ("b", 2.0), ("c", 3.0), ("d", 30.0)]),
        "AGGREGATE MIN keeps the lowest score"
    );
    assert_eq!(
        store
            .zunion_with_scores(keys, ZCombineOptions::new().aggregate(ZAggregate::Max))
            .await
            .unwrap(),
        scored(&[("a", 1.0), ("b", 10.0), ("c", 20.0), ("d", 30.0)]),
        "AGGREGATE MAX keeps the highest score"
    );
}

/// `ZINTER` keeps members found in every input; `ZDIFF` those of the first found in no other.
pub async fn test_zinter_and_zdiff(store: TestStore) {
    two(&store).await;
    let keys = ["{t}x", "{t}y"];
    assert_eq!(
        store
            .zinter_with_scores(keys, ZCombineOptions::new())
            .await
            .unwrap(),
        scored(&[("b", 12.0), ("c", 23.0)]),
        "ZINTER sums the scores of shared members"
    );
    assert_eq!(
        store
            .zinter_with_scores(
                keys,
                ZCombineOptions::new()
                    .weights([1.0, 0.0])
                    .aggregate(ZAggregate::Max)
            )
            .await
            .unwrap(),
        scored(&[("b", 2.0), ("c", 3.0)]),
        "ZINTER WEIGHTS 1 0 AGGREGATE MAX"
    );
    assert_eq!(
        store.zinter(["{t}x", "{t}missing"]).await.unwrap(),
        Vec::<Bytes>::new(),
        "ZINTER with a missing key is empty"
    );
    assert_eq!(
        store.zdiff(keys).await.unwrap(),
        names(&["a"]),
        "ZDIFF keeps the members of the first key only"
    );
    assert_eq!(
        store.zdiff_with_scores(["{t}y", "{t}x"]).await.unwrap(),
        scored(&[("d", 30.0)]),
        "ZDIFF WITHSCORES keeps the first key's scores"
    );
}

/// Plain sets are inputs with every score 1; other types are `WRONGTYPE`.
pub async fn test_zunion_accepts_plain_sets(store: TestStore) {
    store.zadd("{t}z", 5.0, "a").await.unwrap();
    store.sadd_multiple("{t}s", ["a", "b"]).await.unwrap();
    assert_eq!(
        store
            .zunion_with_scores(["{t}z", "{t}s"], ZCombineOptions::new())
            .await
            .unwrap(),
        scored(&[("b", 1.0), ("a", 6.0)]),
        "a set counts as a sorted set with scores 1"
    );
    store.set("{t}str", "v").await.unwrap();
    assert_kind(
        store.zunion(["{t}z", "{t}str"]).await,
        ErrorKind::WrongType,
        "ZUNION over a string is WRONGTYPE",
    );
}

/// Infinite scores: `0 × inf` counts as 0, and `inf + -inf` sums to 0.
pub async fn test_zunion_infinities(store: TestStore) {
    store.zadd("{t}p", f64::INFINITY, "m").await.unwrap();
    store.zadd("{t}n", f64::NEG_INFINITY, "m").await.unwrap();
    assert_eq!(
        store
            .zunion_with_scores(["{t}p", "{t}n"], ZCombineOptions::new())
            .await
            .unwrap(),
        scored(&[("m", 0.0)]),
        "inf + -inf is 0"
    );
    assert_eq!(
        store
            .zunion_with_scores(["{t}p"], ZCombineOptions::new().weights([0.0]))
            .await
            .unwrap(),
        scored(&[("m", 0.0)]),
        "0 × inf is 0"
    );
}

/// The argument errors, with Redis's words; `WRONGTYPE` comes before them.
pub async fn test_zunion_option_errors(store: TestStore) {
    two(&store).await;
    let keys = || vec![crate::Name::from("{t}x"), crate::Name::from("{t}y")];
    let run = |command: Command| {
        let store = store.clone();
        async move { store.execute(command).await }
    };
    assert_error(
        run(Command::ZUnion {
            keys: Vec::new(),
            options: ZCombineOptions::new(),
        })
        .await,
        ErrorKind::InvalidInput,
        "wrong number of arguments for 'zunion' command",
        "ZUNION of no key",
    );
    assert_error(
        run(Command::ZInter {
            keys: keys(),
            options: ZCombineOptions::new().weights([1.0]),
        })
        .await,
        ErrorKind::InvalidInput,
        "syntax error",
        "fewer weights than keys",
    );
    assert_error(
        run(Command::ZUnion {
            keys: keys(),
            options: ZCombineOptions::new().weights([1.0, 2.0, 3.0]),
        })
        .await,
        ErrorKind::InvalidInput,
        "syntax error",
        "more weights than keys",
    );
    assert_error(
        run(Command::ZUnion {
            keys: keys(),
            options: ZCombineOptions::new().weights([1.0, f64::NAN]),
        })
        .await,
        ErrorKind::InvalidInput,
        "weight value is not a float",
        "a NaN weight",
    );
    assert_error(
        run(Command::ZDiff {
            keys: keys(),
            options: ZCombineOptions::new().weights([1.0, 1.0]),
        })
        .await,
        ErrorKind::InvalidInput,
        "syntax error",
        "ZDIFF WEIGHTS",
    );
    assert_error(
        run(Command::ZDiff {
            keys: keys(),
            options: ZCombineOptions::new().aggregate(ZAggregate::Min),
        })
        .await,
        ErrorKind::InvalidInput,
        "syntax error",
        "ZDIFF AGGREGATE",
    );
    assert_error(
        run(Command::ZUnionStore {
            destination: "{t}d".into(),
            keys: keys(),
            options: ZCombineOptions::new().with_scores(true),
        })
        .await,
        ErrorKind::InvalidInput,
        "syntax error",
        "ZUNIONSTORE WITHSCORES",
    );
    store.set("{t}str", "v").await.unwrap();
    assert_kind(
        run(Command::ZDiff {
            keys: vec!["{t}x".into(), "{t}str".into()],
            options: ZCombineOptions::new().weights([1.0, 1.0]),
        })
        .await,
        ErrorKind::WrongType,
        "WRONGTYPE is found before the option error",
    );
    assert_eq!(
        store.exists_multiple(&["{t}d"]).await.unwrap(),
        0,
        "a refused STORE writes nothing"
    );
}

/// The `STORE` forms replace the destination (whatever it held, TTL included) and answer its
/// size; an empty result deletes it.
pub async fn test_zstore_forms_replace_destination(store: TestStore) {
    two(&store).await;
    let keys = ["{t}x", "{t}y"];
    store.set("{t}d", "old string").await.unwrap();
    assert!(store.expire("{t}d", 100).await.unwrap());
    assert_eq!(
        store
            .zunionstore("{t}d", keys, ZCombineOptions::new().weights([1.0, 2.0]))
            .await
            .unwrap(),
        4,
        "ZUNIONSTORE answers the stored size"
    );
    assert_eq!(
        all(&store, "{t}d").await,
        scored(&[("a", 1.0), ("b", 22.0), ("c", 43.0), ("d", 60.0)]),
        "ZUNIONSTORE stored the weighted union"
    );
    assert_eq!(store.ttl("{t}d").await.unwrap(), -1, "the old TTL is gone");
    assert_eq!(
        store
            .zinterstore(
                "{t}d",
                keys,
                ZCombineOptions::new().aggregate(ZAggregate::Min)
            )
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        all(&store, "{t}d").await,
        scored(&[("b", 2.0), ("c", 3.0)]),
        "ZINTERSTORE AGGREGATE MIN"
    );
    assert_eq!(store.zdiffstore("{t}d", ["{t}y", "{t}x"]).await.unwrap(), 1);
    assert_eq!(
        all(&store, "{t}d").await,
        scored(&[("d", 30.0)]),
        "ZDIFFSTORE"
    );
    assert_eq!(
        store.zdiffstore("{t}x", ["{t}x", "{t}x"]).await.unwrap(),
        0,
        "a destination that is also an input is read first"
    );
    assert_eq!(
        store.exists_multiple(&["{t}x"]).await.unwrap(),
        0,
        "an empty result deletes the destination"
    );
    assert_eq!(
        store
            .zinterstore("{t}d", ["{t}missing", "{t}y"], ZCombineOptions::new())
            .await
            .unwrap(),
        0
    );
    assert_eq!(store.exists_multiple(&["{t}d"]).await.unwrap(), 0);
}

/// `ZINTERCARD` counts the intersection, stopping at `LIMIT` (0: no limit).
pub async fn test_zintercard(store: TestStore) {
    two(&store).await;
    let keys = ["{t}x", "{t}y"];
    assert_eq!(store.zintercard(keys).await.unwrap(), 2);
    assert_eq!(store.zintercard_limit(keys, 1).await.unwrap(), 1, "LIMIT 1");
    assert_eq!(
        store.zintercard_limit(keys, 0).await.unwrap(),
        2,
        "LIMIT 0 is no limit"
    );
    assert_eq!(store.zintercard(["{t}x", "{t}nope"]).await.unwrap(), 0);
    assert_error(
        store.zintercard(Vec::<&str>::new()).await,
        ErrorKind::InvalidInput,
        "wrong number of arguments for 'zintercard' command",
        "ZINTERCARD of no key",
    );
}

/// `ZRANGESTORE` stores what `ZRANGE` would answer, by rank, score or lex, with `REV` and
/// `LIMIT`; `WITHSCORES` is a syntax error.
pub async fn test_zrangestore(store: TestStore) {
    five(&store, "{t}src").await;
    assert_eq!(
        store
            .zrangestore(
                "{t}dst",
                "{t}src",
                ZRangeBy::Rank { start: 1, stop: 2 },
                ZRangeOptions::new()
            )
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        all(&store, "{t}dst").await,
        scored(&[("b", 2.0), ("c", 3.0)])
    );
    assert_eq!(
        store
            .zrangestore(
                "{t}dst",
                "{t}src",
                ZRangeBy::Score {
                    min: ScoreBound::MIN,
                    max: ScoreBound::MAX
                },
                ZRangeOptions::new().rev(true).limit(0, 2)
            )
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        all(&store, "{t}dst").await,
        scored(&[("d", 4.0), ("e", 5.0)]),
        "BYSCORE REV LIMIT 0 2 stores the top two"
    );
    assert_eq!(
        store
            .zrangestore(
                "{t}dst",
                "{t}missing",
                ZRangeBy::Rank { start: 0, stop: -1 },
                ZRangeOptions::new()
            )
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store.exists_multiple(&["{t}dst"]).await.unwrap(),
        0,
        "an empty range deletes the destination"
    );
    assert_kind(
        store
            .execute(Command::ZRangeStore {
                destination: "{t}dst".into(),
                source: "{t}src".into(),
                by: ZRangeBy::Rank { start: 0, stop: -1 },
                options: ZRangeOptions::new().with_scores(true),
            })
            .await,
        ErrorKind::InvalidInput,
        "ZRANGESTORE WITHSCORES is an error",
    );
}
