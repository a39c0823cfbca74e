//! Conformance cases for sorted sets: `ZADD` and every option, scores and ranks, `ZRANGE` by
//! rank, score and lex with `REV`, `LIMIT` and `WITHSCORES`, ties ordered by member bytes,
//! exclusive and infinite bounds, pops with and without a count (and their RESP3 shapes),
//! blocking pops that time out and ones woken by another task, range removals, emptied sets
//! deleting their key, writes keeping the TTL, `WRONGTYPE` on every sorted-set command, and the
//! semantics of the atomic [`Command::ZMoveByScore`] (its races are in the `atomic` cases).

use std::time::{Duration, Instant};

use super::keyspace::{assert_kind, snapshot};
use super::{Case, TestStore, cases};
use crate::prelude::*;

/// Every sorted-sets case.
pub fn cases() -> Vec<Case> {
    cases![
        test_zadd_counts_added,
        test_zadd_nx_only_adds,
        test_zadd_xx_only_updates,
        test_zadd_gt_lt,
        test_zadd_ch_counts_changed,
        test_zadd_incr,
        test_zadd_incompatible_options,
        test_zadd_nan_score_invalid,
        test_zadd_infinite_scores,
        test_zincrby,
        test_zincrby_nan_result_invalid,
        test_zrem_counts_and_deletes_empty_key,
        test_zscore_and_zmscore,
        test_zcard,
        test_zcount_bounds,
        test_zrank_and_zrevrank,
        test_zrange_by_rank,
        test_zrange_by_rank_rev,
        test_zrange_withscores_shape,
        test_zrange_ties_order_by_member,
        test_zrange_by_score_bounds,
        test_zrange_by_score_rev,
        test_zrange_by_score_limit,
        test_zrange_by_lex,
        test_zrange_by_lex_rev_limit,
        test_zrange_option_errors,
        test_zrange_missing_key_is_empty,
        test_zpopmin_without_count_shape,
        test_zpopmax_without_count_shape,
        test_zpopmin_with_count,
        test_zpopmax_with_count,
        test_zpop_count_zero_and_missing,
        test_bzpopmin_times_out,
        test_bzpopmax_times_out,
        test_bzpopmin_serves_first_non_empty_key,
        test_bzpopmin_woken_by_zadd,
        test_bzpopmax_woken_by_zadd,
        test_zremrangebyscore,
        test_zremrangebyrank,
        test_zset_writes_keep_ttl,
        test_zset_commands_wrong_type_on_string,
        test_zmove_by_score_lowest_first_with_limit,
        test_zmove_by_score_fixed_score_updates_destination,
        test_zmove_by_score_empties_source,
        test_zmove_by_score_exclusive_bounds,
        test_zmove_by_score_nothing_to_move,
        test_zmove_by_score_wrong_type_moves_nothing,
    ]
}

fn b(s: &str) -> Bytes {
    Bytes::copy_from_slice(s.as_bytes())
}

fn names(items: &[&str]) -> Vec<Bytes> {
    items.iter().map(|s| b(s)).collect()
}

fn scored(items: &[(&str, f64)]) -> Vec<(Bytes, f64)> {
    items.iter().map(|(m, s)| (b(m), *s)).collect()
}

fn pair(member: &str, score: f64) -> Reply {
    Reply::Array(vec![Reply::Bulk(b(member)), Reply::Double(score)])
}

/// The whole sorted set, ascending, with scores.
async fn all(store: &TestStore, key: &str) -> Vec<(Bytes, f64)> {
    store.zrange_with_scores(key, 0, -1).await.unwrap()
}

/// `key` with members `a`..`e` scored 1..5.
async fn five(store: &TestStore, key: &str) {
    store
        .zadd_multiple(
            key,
            [(1.0, "a"), (2.0, "b"), (3.0, "c"), (4.0, "d"), (5.0, "e")],
            ZAddOptions::new(),
        )
        .await
        .unwrap();
}

async fn range(store: &TestStore, key: &str, by: ZRangeBy, options: ZRangeOptions) -> Vec<Bytes> {
    store.zrange_by(key, by, options).await.unwrap()
}

fn by_score(min: ScoreBound, max: ScoreBound) -> ZRangeBy {
    ZRangeBy::Score { min, max }
}

fn lex_incl(s: &str) -> LexBound {
    LexBound::Inclusive(b(s))
}

fn lex_excl(s: &str) -> LexBound {
    LexBound::Exclusive(b(s))
}

/// `ZADD` replies how many members were added; updating a score is not counted.
pub async fn test_zadd_counts_added(store: TestStore) {
    assert!(
        store.zadd("z", 1.0, "a").await.unwrap(),
        "ZADD of a new member is 1"
    );
    assert!(
        !store.zadd("z", 2.0, "a").await.unwrap(),
        "ZADD that updates a score is 0"
    );
    assert_eq!(
        store
            .zadd_multiple(
                "z",
                [(3.0, "b"), (0.5, "a"), (4.0, "c")],
                ZAddOptions::new()
            )
            .await
            .unwrap(),
        2,
        "ZADD counts only new members"
    );
    assert_eq!(
        all(&store, "z").await,
        scored(&[("a", 0.5), ("b", 3.0), ("c", 4.0)]),
        "ZADD updated the score of an existing member"
    );
}

/// `ZADD NX` adds new members and never updates existing ones.
pub async fn test_zadd_nx_only_adds(store: TestStore) {
    store.zadd("z", 1.0, "a").await.unwrap();
    let nx = ZAddOptions::new().condition(SetCondition::Nx);
    assert_eq!(
        store
            .zadd_multiple("z", [(9.0, "a"), (2.0, "b")], nx)
            .await
            .unwrap(),
        1,
        "ZADD NX adds only the new member"
    );
    assert_eq!(
        all(&store, "z").await,
        scored(&[("a", 1.0), ("b", 2.0)]),
        "ZADD NX left the existing score alone"
    );
}

/// `ZADD XX` updates existing members, never adds, and does not create a missing key.
pub async fn test_zadd_xx_only_updates(store: TestStore) {
    let xx = ZAddOptions::new().condition(SetCondition::Xx);
    assert_eq!(
        store
            .zadd_multiple("missing", [(1.0, "a")], xx)
            .await
            .unwrap(),
        0,
        "ZADD XX on a missing key adds nothing"
    );
    assert_eq!(
        store.exists(&["missing"]).await.unwrap(),
        0,
        "ZADD XX does not create the key"
    );
    store.zadd("z", 1.0, "a").await.unwrap();
    assert_eq!(
        store
            .zadd_multiple("z", [(5.0, "a"), (2.0, "b")], xx)
            .await
            .unwrap(),
        0,
        "ZADD XX counts no additions"
    );
    assert_eq!(
        all(&store, "z").await,
        scored(&[("a", 5.0)]),
        "ZADD XX updated a and did not add b"
    );
}

/// `GT`/`LT` only update when the new score is greater/less; new members are still added.
pub async fn test_zadd_gt_lt(store: TestStore) {
    store
        .zadd_multiple("z", [(5.0, "a"), (5.0, "b")], ZAddOptions::new())
        .await
        .unwrap();
    let gt = ZAddOptions::new().comparison(ZAddComparison::Gt);
    let lt = ZAddOptions::new().comparison(ZAddComparison::Lt);
    assert_eq!(
        store
            .zadd_multiple("z", [(3.0, "a"), (7.0, "b"), (1.0, "new")], gt)
            .await
            .unwrap(),
        1,
        "ZADD GT still adds new members"
    );
    assert_eq!(
        store.zmscore("z", ["a", "b", "new"]).await.unwrap(),
        vec![Some(5.0), Some(7.0), Some(1.0)],
        "ZADD GT raised b and left a (lower score refused)"
    );
    store
        .zadd_multiple("z", [(6.0, "a"), (2.0, "b"), (5.0, "new")], lt)
        .await
        .unwrap();
    assert_eq!(
        store.zmscore("z", ["a", "b", "new"]).await.unwrap(),
        vec![Some(5.0), Some(2.0), Some(1.0)],
        "ZADD LT lowered b and refused the higher scores"
    );
}

/// `CH` counts added plus updated members; unchanged or refused ones do not count.
pub async fn test_zadd_ch_counts_changed(store: TestStore) {
    store
        .zadd_multiple("z", [(1.0, "a"), (2.0, "b")], ZAddOptions::new())
        .await
        .unwrap();
    let ch = ZAddOptions::new().ch(true);
    assert_eq!(
        store
            .zadd_multiple("z", [(1.0, "a"), (3.0, "b"), (4.0, "c")], ch)
            .await
            .unwrap(),
        2,
        "ZADD CH counts b (updated) and c (added), not a (same score)"
    );
    let gt_ch = ZAddOptions::new().comparison(ZAddComparison::Gt).ch(true);
    assert_eq!(
        store
            .zadd_multiple("z", [(0.0, "a"), (6.0, "b"), (7.0, "d")], gt_ch)
            .await
            .unwrap(),
        2,
        "ZADD GT CH counts the raised and the added member"
    );
    let nx_ch = ZAddOptions::new().condition(SetCondition::Nx).ch(true);
    assert_eq!(
        store.zadd_multiple("z", [(9.0, "a")], nx_ch).await.unwrap(),
        0,
        "ZADD NX CH on an existing member changes nothing"
    );
}

/// `ZADD INCR` replies the new score as a `Double`, or `Nil` when a condition stopped it.
pub async fn test_zadd_incr(store: TestStore) {
    let reply = store
        .execute(Command::ZAdd {
            key: "z".into(),
            members: vec![(1.5, b("a"))],
            options: ZAddOptions::new().incr(true),
        })
        .await
        .unwrap();
    assert_eq!(
        reply,
        Reply::Double(1.5),
        "ZADD INCR on a new member replies its score"
    );
    assert_eq!(
        store
            .zadd_incr("z", 2.0, "a", ZAddOptions::new())
            .await
            .unwrap(),
        Some(3.5),
        "ZADD INCR adds to the score"
    );
    assert_eq!(
        store
            .zadd_incr(
                "z",
                1.0,
                "a",
                ZAddOptions::new().condition(SetCondition::Nx)
            )
            .await
            .unwrap(),
        None,
        "ZADD NX INCR on an existing member is nil"
    );
    assert_eq!(
        store
            .zadd_incr(
                "z",
                1.0,
                "nobody",
                ZAddOptions::new().condition(SetCondition::Xx)
            )
            .await
            .unwrap(),
        None,
        "ZADD XX INCR on an absent member is nil"
    );
    assert_eq!(
        store
            .zadd_incr(
                "z",
                -1.0,
                "a",
                ZAddOptions::new().comparison(ZAddComparison::Gt)
            )
            .await
            .unwrap(),
        None,
        "ZADD GT INCR that would lower the score is nil"
    );
    assert_eq!(
        store.zscore("z", "a").await.unwrap(),
        Some(3.5),
        "refused INCRs change nothing"
    );
    assert_eq!(
        store.zscore("z", "nobody").await.unwrap(),
        None,
        "ZADD XX INCR did not add the member"
    );
}

/// NX with GT/LT, and INCR with more than one pair, are errors; nothing is written.
pub async fn test_zadd_incompatible_options(store: TestStore) {
    let nx_gt = ZAddOptions::new()
        .condition(SetCondition::Nx)
        .comparison(ZAddComparison::Gt);
    assert_kind(
        store.zadd_multiple("z", [(1.0, "a")], nx_gt).await,
        ErrorKind::InvalidInput,
        "ZADD NX GT is not allowed",
    );
    let reply = store
        .execute(Command::ZAdd {
            key: "z".into(),
            members: vec![(1.0, b("a")), (2.0, b("b"))],
            options: ZAddOptions::new().incr(true),
        })
        .await;
    assert_kind(
        reply,
        ErrorKind::InvalidInput,
        "ZADD INCR takes a single score-member pair",
    );
    assert_eq!(
        store.exists(&["z"]).await.unwrap(),
        0,
        "a refused ZADD creates nothing"
    );
}

/// A NaN score is `InvalidInput` ("not a valid float"), checked before the key's type.
pub async fn test_zadd_nan_score_invalid(store: TestStore) {
    match store.zadd("z", f64::NAN, "a").await {
        Err(e) => {
            assert_eq!(
                e.kind(),
                ErrorKind::InvalidInput,
                "ZADD NaN is InvalidInput"
            );
            assert!(
                e.message().contains("not a valid float"),
                "ZADD NaN says the value is not a valid float, got {e}"
            );
        }
        Ok(v) => panic!("ZADD NaN must fail, got {v}"),
    }
    store.set("str", "x").await.unwrap();
    assert_kind(
        store.zadd("str", f64::NAN, "a").await,
        ErrorKind::InvalidInput,
        "ZADD NaN on a string key reports the score first",
    );
    assert_eq!(
        store.exists(&["z"]).await.unwrap(),
        0,
        "ZADD NaN created nothing"
    );
}

/// `+inf` and `-inf` are valid scores and sort at the ends.
pub async fn test_zadd_infinite_scores(store: TestStore) {
    store
        .zadd_multiple(
            "z",
            [
                (f64::INFINITY, "top"),
                (0.0, "mid"),
                (f64::NEG_INFINITY, "bottom"),
            ],
            ZAddOptions::new(),
        )
        .await
        .unwrap();
    assert_eq!(
        all(&store, "z").await,
        scored(&[
            ("bottom", f64::NEG_INFINITY),
            ("mid", 0.0),
            ("top", f64::INFINITY)
        ]),
        "infinite scores order at the ends"
    );
    assert_eq!(
        store.zscore("z", "top").await.unwrap(),
        Some(f64::INFINITY),
        "ZSCORE returns +inf"
    );
}

/// `ZINCRBY` creates the key and member at the delta and replies a `Double`.
pub async fn test_zincrby(store: TestStore) {
    let reply = store
        .execute(Command::ZIncrBy {
            key: "z".into(),
            delta: 2.5,
            member: b("a"),
        })
        .await
        .unwrap();
    assert_eq!(
        reply,
        Reply::Double(2.5),
        "ZINCRBY on a missing key starts at 0"
    );
    assert_eq!(
        store.zincr_by("z", -4.0, "a").await.unwrap(),
        -1.5,
        "ZINCRBY adds a negative delta"
    );
    assert_eq!(
        store.zincr_by("z", f64::NEG_INFINITY, "a").await.unwrap(),
        f64::NEG_INFINITY,
        "ZINCRBY can reach -inf"
    );
}

/// An increment whose result is NaN (`+inf` + `-inf`) is `InvalidInput`; the score stays.
pub async fn test_zincrby_nan_result_invalid(store: TestStore) {
    store.zadd("z", f64::INFINITY, "a").await.unwrap();
    assert_kind(
        store.zincr_by("z", f64::NEG_INFINITY, "a").await,
        ErrorKind::InvalidInput,
        "ZINCRBY producing NaN is an error",
    );
    assert_kind(
        store.zincr_by("z", f64::NAN, "a").await,
        ErrorKind::InvalidInput,
        "ZINCRBY by NaN is an error",
    );
    assert_eq!(
        store.zscore("z", "a").await.unwrap(),
        Some(f64::INFINITY),
        "a refused ZINCRBY changes nothing"
    );
}

/// `ZREM` counts removed members; removing the last deletes the key.
pub async fn test_zrem_counts_and_deletes_empty_key(store: TestStore) {
    assert_eq!(
        store.zrem("missing", ["a"]).await.unwrap(),
        0,
        "ZREM on a missing key removes nothing"
    );
    store
        .zadd_multiple("z", [(1.0, "a"), (2.0, "b")], ZAddOptions::new())
        .await
        .unwrap();
    assert_eq!(
        store.zrem("z", ["a", "x", "a"]).await.unwrap(),
        1,
        "ZREM counts members that were present once"
    );
    assert_eq!(store.zrem("z", ["b"]).await.unwrap(), 1);
    assert_eq!(
        store.exists(&["z"]).await.unwrap(),
        0,
        "an emptied sorted set is deleted"
    );
}

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
        .zadd_multiple(
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
        .zadd_multiple("z", [(1.5, "a"), (2.0, "b")], ZAddOptions::new())
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
        .zadd_multiple(
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
            .zrange_by_with_scores(
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
            .zrange_by_with_scores(
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
        .zadd_multiple(
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
        .zadd_multiple(
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
            .zrange_by(
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
            .zrange_by_with_scores(
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
        .zadd_multiple("z", [(2.0, "b"), (1.0, "a")], ZAddOptions::new())
        .await
        .unwrap();
    assert_eq!(
        store.execute(pop("z")).await.unwrap(),
        pair("a", 1.0),
        "ZPOPMIN replies the lowest member and its score"
    );
    assert_eq!(store.execute(pop("z")).await.unwrap(), pair("b", 2.0));
    assert_eq!(
        store.exists(&["z"]).await.unwrap(),
        0,
        "popping the last member deletes the key"
    );
}

/// `ZPOPMAX key` (no count) replies the highest member; ties pop the greatest member first.
pub async fn test_zpopmax_without_count_shape(store: TestStore) {
    store
        .zadd_multiple(
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
        store.zpopmin("z", 10).await.unwrap(),
        scored(&[("c", 3.0), ("d", 4.0), ("e", 5.0)]),
        "ZPOPMIN with a count above the size takes all"
    );
    assert_eq!(
        store.exists(&["z"]).await.unwrap(),
        0,
        "the emptied sorted set is deleted"
    );
}

/// `ZPOPMAX key count` pops highest first.
pub async fn test_zpopmax_with_count(store: TestStore) {
    five(&store, "z").await;
    assert_eq!(
        store.zpopmax("z", 2).await.unwrap(),
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
        .bzpopmin(&["z1", "z2"], Duration::from_millis(150))
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
        .bzpopmax(&["z"], Duration::from_millis(120))
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
        .zadd_multiple("z2", [(3.0, "x"), (1.0, "y")], ZAddOptions::new())
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
            .bzpopmax(&["z2", "z3"], Duration::from_secs(1))
            .await
            .unwrap(),
        Some(("z2".to_owned(), b("x"), 3.0)),
        "BZPOPMAX pops the last member of z2, which deletes it"
    );
    assert_eq!(
        store.exists(&["z2"]).await.unwrap(),
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
            .zadd_multiple("z", [(7.0, "late"), (2.0, "early")], ZAddOptions::new())
            .await
            .unwrap();
    });
    let started = Instant::now();
    let got = store
        .bzpopmin(&["other", "z"], Duration::from_secs(5))
        .await
        .unwrap();
    push.await.unwrap();
    assert_eq!(
        got,
        Some(("z".to_owned(), b("early"), 2.0)),
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
            .zadd_multiple("z", [(7.0, "late"), (2.0, "early")], ZAddOptions::new())
            .await
            .unwrap();
    });
    let got = store
        .bzpopmax(&["z"], Duration::from_secs(5))
        .await
        .unwrap();
    push.await.unwrap();
    assert_eq!(
        got,
        Some(("z".to_owned(), b("late"), 7.0)),
        "the woken BZPOPMAX pops the highest member"
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
        store.exists(&["z"]).await.unwrap(),
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
        store.exists(&["z"]).await.unwrap(),
        0,
        "the emptied key is deleted"
    );
}

/// Sorted-set writes keep the key's TTL.
pub async fn test_zset_writes_keep_ttl(store: TestStore) {
    five(&store, "z").await;
    assert!(store.expire("z", 100).await.unwrap());
    store.zadd("z", 6.0, "f").await.unwrap();
    store.zincr_by("z", 1.0, "a").await.unwrap();
    store.zrem("z", ["b"]).await.unwrap();
    store.zpopmin("z", 1).await.unwrap();
    store.zpopmax("z", 1).await.unwrap();
    store
        .zremrangebyscore("z", ScoreBound::Inclusive(4.0), ScoreBound::Inclusive(4.0))
        .await
        .unwrap();
    store.zremrangebyrank("z", 0, 0).await.unwrap();
    let ttl = store.ttl("z").await.unwrap();
    assert!(
        (98..=100).contains(&ttl),
        "ZADD/ZINCRBY/ZREM/ZPOP*/ZREMRANGE* keep the TTL, got {ttl}"
    );
    assert!(store.zcard("z").await.unwrap() > 0, "members remain");
}

/// Every sorted-set command against a string key is `WRONGTYPE` and leaves it unchanged.
pub async fn test_zset_commands_wrong_type_on_string(store: TestStore) {
    store.set("str", "value").await.unwrap();
    let before = snapshot(&store, "str").await;
    let key = || "str".to_owned();
    let commands = vec![
        Command::ZAdd {
            key: key(),
            members: vec![(1.0, b("a"))],
            options: ZAddOptions::new(),
        },
        Command::ZAdd {
            key: key(),
            members: vec![(1.0, b("a"))],
            options: ZAddOptions::new().condition(SetCondition::Xx).incr(true),
        },
        Command::ZRem {
            key: key(),
            members: names(&["a"]),
        },
        Command::ZScore {
            key: key(),
            member: b("a"),
        },
        Command::ZMScore {
            key: key(),
            members: names(&["a"]),
        },
        Command::ZIncrBy {
            key: key(),
            delta: 1.0,
            member: b("a"),
        },
        Command::ZCard { key: key() },
        Command::ZCount {
            key: key(),
            min: ScoreBound::MIN,
            max: ScoreBound::MAX,
        },
        Command::ZRank {
            key: key(),
            member: b("a"),
        },
        Command::ZRevRank {
            key: key(),
            member: b("a"),
        },
        Command::ZRange {
            key: key(),
            by: ZRangeBy::Rank { start: 0, stop: -1 },
            options: ZRangeOptions::new(),
        },
        Command::ZRange {
            key: key(),
            by: by_score(ScoreBound::MIN, ScoreBound::MAX),
            options: ZRangeOptions::new().rev(true).with_scores(true),
        },
        Command::ZRange {
            key: key(),
            by: ZRangeBy::Lex {
                min: LexBound::Min,
                max: LexBound::Max,
            },
            options: ZRangeOptions::new(),
        },
        Command::ZPopMin {
            key: key(),
            count: None,
        },
        Command::ZPopMax {
            key: key(),
            count: Some(0),
        },
        Command::BZPopMin {
            keys: vec![key()],
            timeout: Duration::from_millis(100),
        },
        Command::BZPopMax {
            keys: vec![key()],
            timeout: Duration::from_millis(100),
        },
        Command::ZRemRangeByScore {
            key: key(),
            min: ScoreBound::MIN,
            max: ScoreBound::MAX,
        },
        Command::ZRemRangeByRank {
            key: key(),
            start: 0,
            stop: -1,
        },
    ];
    for command in commands {
        let name = command.name();
        assert_kind(
            store.execute(command).await,
            ErrorKind::WrongType,
            &format!("{name} on a string key is WRONGTYPE"),
        );
    }
    assert_eq!(
        snapshot(&store, "str").await,
        before,
        "a WRONGTYPE sorted-set command changes nothing"
    );
}

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
