//! Conformance cases for `ZRANGE` by rank, score and lex, with `REV`, `LIMIT` and `WITHSCORES`,
//! ties ordered by member bytes, exclusive and infinite bounds, and option errors.

use super::super::TestStore;
use super::super::keyspace::assert_kind;
use super::{b, by_score, five, names, pair, scored};
use crate::prelude::*;

async fn range(store: &TestStore, key: &str, by: ZRangeBy, options: ZRangeOptions) -> Vec<Bytes> {
    store.zrange_options(key, by, options).await.unwrap()
}

fn lex_incl(s: &str) -> LexBound {
    LexBound::Inclusive(b(s))
}

fn lex_excl(s: &str) -> LexBound {
    LexBound::Exclusive(b(s))
}

/// Rank ranges: negative indices count from the end, out-of-range ends are clamped, an
/// inverted range is empty.
pub async fn test_zrange_by_rank(store: TestStore) {
    five(&store, "z").await;
    let cases: [(i64, i64, &[&str]); 7] = [
        (0, -1, &["a", "b", "c", "d", "e"]),
        (1, 2, &["b", "c"]),
        (-2, -1, &["d", "e"]),
        (-100, 1, &["a", "b"]),
        (3, 100, &["d", "e"]),
        (3, 1, &[]),
        (5, 10, &[]),
    ];
    for (start, stop, want) in cases {
        assert_eq!(
            store.zrange("z", start, stop).await.unwrap(),
            names(want),
            "ZRANGE z {start} {stop}"
        );
    }
}

/// With `REV`, ranks count from the highest score.
pub async fn test_zrange_by_rank_rev(store: TestStore) {
    five(&store, "z").await;
    let rev = ZRangeOptions::new().rev(true);
    let cases: [(i64, i64, &[&str]); 4] = [
        (0, -1, &["e", "d", "c", "b", "a"]),
        (0, 1, &["e", "d"]),
        (-2, -1, &["b", "a"]),
        (1, 0, &[]),
    ];
    for (start, stop, want) in cases {
        assert_eq!(
            range(&store, "z", ZRangeBy::Rank { start, stop }, rev).await,
            names(want),
            "ZRANGE z {start} {stop} REV"
        );
    }
}

/// `WITHSCORES` replies an `Array` of `Array[Bulk member, Double score]` pairs (RESP3).
pub async fn test_zrange_withscores_shape(store: TestStore) {
    store
        .zadd_options("z", [(1.5, "a"), (2.0, "b")], ZAddOptions::new())
        .await
        .unwrap();
    let reply = store
        .execute(Command::ZRange {
            key: "z".into(),
            by: ZRangeBy::Rank { start: 0, stop: -1 },
            options: ZRangeOptions::new().with_scores(true),
        })
        .await
        .unwrap();
    assert_eq!(
        reply,
        Reply::Array(vec![pair("a", 1.5), pair("b", 2.0)]),
        "ZRANGE WITHSCORES replies member/score pairs"
    );
    let plain = store
        .execute(Command::ZRange {
            key: "z".into(),
            by: ZRangeBy::Rank { start: 0, stop: -1 },
            options: ZRangeOptions::new(),
        })
        .await
        .unwrap();
    assert_eq!(
        plain,
        Reply::Array(vec![Reply::Bulk(b("a")), Reply::Bulk(b("b"))]),
        "ZRANGE without scores replies Bulk members"
    );
}

/// Equal scores order by member bytes, and `REV` reverses that order too.
pub async fn test_zrange_ties_order_by_member(store: TestStore) {
    store
        .zadd_options(
            "z",
            [
                (1.0, "b"),
                (1.0, "B"),
                (1.0, "a"),
                (1.0, "ab"),
                (0.0, "zz"),
                (1.0, ""),
            ],
            ZAddOptions::new(),
        )
        .await
        .unwrap();
    assert_eq!(
        store.zrange("z", 0, -1).await.unwrap(),
        names(&["zz", "", "B", "a", "ab", "b"]),
        "ties order by member bytes (shorter prefix first, uppercase before lowercase)"
    );
    assert_eq!(
        range(
            &store,
            "z",
            ZRangeBy::Rank { start: 0, stop: -1 },
            ZRangeOptions::new().rev(true)
        )
        .await,
        names(&["b", "ab", "a", "B", "", "zz"]),
        "REV reverses the tie order"
    );
    assert_eq!(
        range(
            &store,
            "z",
            by_score(ScoreBound::Inclusive(1.0), ScoreBound::Inclusive(1.0)),
            ZRangeOptions::new().rev(true)
        )
        .await,
        names(&["b", "ab", "a", "B", ""]),
        "REV by score reverses ties as well"
    );
}

/// Score ranges honour exclusive and infinite bounds; an inverted range is empty.
pub async fn test_zrange_by_score_bounds(store: TestStore) {
    five(&store, "z").await;
    store.zadd("z", f64::INFINITY, "inf").await.unwrap();
    use ScoreBound::{Exclusive as Ex, Inclusive as In};
    let cases: [(ScoreBound, ScoreBound, &[&str], &str); 6] = [
        (In(2.0), In(4.0), &["b", "c", "d"], "[2, 4]"),
        (Ex(2.0), Ex(4.0), &["c"], "(2, (4"),
        (
            Ex(4.0),
            ScoreBound::MAX,
            &["e", "inf"],
            "(4, +inf includes +inf",
        ),
        (ScoreBound::MIN, Ex(2.0), &["a"], "-inf, (2"),
        (In(4.0), In(2.0), &[], "inverted"),
        (Ex(3.0), In(3.0), &[], "(3, 3 is empty"),
    ];
    for (min, max, want, rule) in cases {
        assert_eq!(
            range(&store, "z", by_score(min, max), ZRangeOptions::new()).await,
            names(want),
            "ZRANGE BYSCORE {rule}"
        );
    }
    assert_eq!(
        store
            .zrange_options_with_scores(
                "z",
                by_score(Ex(4.0), ScoreBound::MAX),
                ZRangeOptions::new()
            )
            .await
            .unwrap(),
        scored(&[("e", 5.0), ("inf", f64::INFINITY)]),
        "BYSCORE WITHSCORES carries the scores"
    );
}

/// `BYSCORE REV` lists highest first; staunch takes the bounds as (min, max) either way.
pub async fn test_zrange_by_score_rev(store: TestStore) {
    five(&store, "z").await;
    let rev = ZRangeOptions::new().rev(true);
    assert_eq!(
        range(
            &store,
            "z",
            by_score(ScoreBound::Inclusive(2.0), ScoreBound::Exclusive(5.0)),
            rev
        )
        .await,
        names(&["d", "c", "b"]),
        "BYSCORE REV from the top of the range down"
    );
    assert_eq!(
        range(&store, "z", by_score(ScoreBound::MIN, ScoreBound::MAX), rev).await,
        names(&["e", "d", "c", "b", "a"]),
        "BYSCORE REV over everything"
    );
}

/// `LIMIT offset count`: offset skips, a negative count means all the rest, a zero count or a
/// negative offset selects nothing; with `REV` the offset counts from the top.
pub async fn test_zrange_by_score_limit(store: TestStore) {
    five(&store, "z").await;
    let all_scores = by_score(ScoreBound::MIN, ScoreBound::MAX);
    let cases: [(bool, i64, i64, &[&str]); 7] = [
        (false, 1, 2, &["b", "c"]),
        (false, 3, -1, &["d", "e"]),
        (false, 0, 0, &[]),
        (false, -1, 2, &[]),
        (false, 10, 2, &[]),
        (true, 1, 2, &["d", "c"]),
        (true, 2, -5, &["c", "b", "a"]),
    ];
    for (rev, offset, count, want) in cases {
        let options = ZRangeOptions::new().rev(rev).limit(offset, count);
        assert_eq!(
            range(&store, "z", all_scores.clone(), options).await,
            names(want),
            "BYSCORE rev={rev} LIMIT {offset} {count}"
        );
    }
    assert_eq!(
        store
            .zrange_options_with_scores(
                "z",
                by_score(ScoreBound::Exclusive(1.0), ScoreBound::Inclusive(5.0)),
                ZRangeOptions::new().limit(1, 2)
            )
            .await
            .unwrap(),
        scored(&[("c", 3.0), ("d", 4.0)]),
        "LIMIT applies after the bounds, WITHSCORES included"
    );
}

/// `BYLEX` with `[`, `(`, `-` and `+` bounds over members of equal score.
pub async fn test_zrange_by_lex(store: TestStore) {
    store
        .zadd_options(
            "z",
            ["a", "b", "ba", "c", "d", "e"].map(|m| (0.0, m)),
            ZAddOptions::new(),
        )
        .await
        .unwrap();
    let cases: [(LexBound, LexBound, &[&str], &str); 8] = [
        (
            LexBound::Min,
            LexBound::Max,
            &["a", "b", "ba", "c", "d", "e"],
            "- +",
        ),
        (lex_incl("b"), lex_incl("c"), &["b", "ba", "c"], "[b [c"),
        (lex_excl("b"), lex_excl("d"), &["ba", "c"], "(b (d"),
        (LexBound::Min, lex_excl("b"), &["a"], "- (b"),
        (lex_incl("bb"), LexBound::Max, &["c", "d", "e"], "[bb +"),
        (lex_incl("c"), lex_incl("b"), &[], "inverted"),
        (lex_excl("c"), lex_incl("c"), &[], "(c [c"),
        (LexBound::Max, LexBound::Min, &[], "+ -"),
    ];
    for (min, max, want, rule) in cases {
        assert_eq!(
            range(
                &store,
                "z",
                ZRangeBy::Lex { min, max },
                ZRangeOptions::new()
            )
            .await,
            names(want),
            "ZRANGE BYLEX {rule}"
        );
    }
}

/// `BYLEX REV` lists from the highest member; `LIMIT` applies in that direction.
pub async fn test_zrange_by_lex_rev_limit(store: TestStore) {
    store
        .zadd_options(
            "z",
            ["a", "b", "c", "d", "e"].map(|m| (0.0, m)),
            ZAddOptions::new(),
        )
        .await
        .unwrap();
    let by = ZRangeBy::Lex {
        min: lex_incl("b"),
        max: LexBound::Max,
    };
    assert_eq!(
        range(&store, "z", by.clone(), ZRangeOptions::new().rev(true)).await,
        names(&["e", "d", "c", "b"]),
        "BYLEX REV lists the range from the top"
    );
    assert_eq!(
        range(
            &store,
            "z",
            by.clone(),
            ZRangeOptions::new().rev(true).limit(1, 2)
        )
        .await,
        names(&["d", "c"]),
        "BYLEX REV LIMIT 1 2"
    );
    assert_eq!(
        range(&store, "z", by, ZRangeOptions::new().limit(2, -1)).await,
        names(&["d", "e"]),
        "BYLEX LIMIT with a negative count takes the rest"
    );
}

/// `LIMIT` with a rank range and `WITHSCORES` with `BYLEX` are syntax errors.
pub async fn test_zrange_option_errors(store: TestStore) {
    five(&store, "z").await;
    assert_kind(
        store
            .zrange_options(
                "z",
                ZRangeBy::Rank { start: 0, stop: -1 },
                ZRangeOptions::new().limit(0, 1),
            )
            .await,
        ErrorKind::InvalidInput,
        "LIMIT needs BYSCORE or BYLEX",
    );
    assert_kind(
        store
            .zrange_options_with_scores(
                "z",
                ZRangeBy::Lex {
                    min: LexBound::Min,
                    max: LexBound::Max,
                },
                ZRangeOptions::new(),
            )
            .await,
        ErrorKind::InvalidInput,
        "WITHSCORES is not allowed with BYLEX",
    );
}

/// Every kind of range over a missing key is an empty `Array`.
pub async fn test_zrange_missing_key_is_empty(store: TestStore) {
    let selectors = [
        ZRangeBy::Rank { start: 0, stop: -1 },
        by_score(ScoreBound::MIN, ScoreBound::MAX),
        ZRangeBy::Lex {
            min: LexBound::Min,
            max: LexBound::Max,
        },
    ];
    for by in selectors {
        assert_eq!(
            store
                .execute(Command::ZRange {
                    key: "missing".into(),
                    by: by.clone(),
                    options: ZRangeOptions::new(),
                })
                .await
                .unwrap(),
            Reply::Array(vec![]),
            "ZRANGE {by:?} of a missing key is an empty Array"
        );
    }
}
