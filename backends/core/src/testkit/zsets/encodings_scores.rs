//! More cases ported from Redis's `tests/unit/type/zset.tcl` at both encodings (see
//! `encodings`): the ones about scores themselves (infinities and NaN in `ZADD INCR` and the
//! `STORE` combinations, precision across the double range, order after many moves).

use super::super::TestStore;
use super::super::keyspace::{assert_error, assert_kind};
use super::b;
use super::encodings::{SIZES, fill};
use crate::prelude::*;

/// "ZADD INCR LT/GT replies with nill if score not updated" and "ZADD INCR LT/GT with inf", at
/// both encodings: an infinite score plus or minus 1 is the same score, so neither `GT` nor
/// `LT` lets it through and the reply is nil; an `INCR` whose result is NaN is an error and
/// changes nothing ("ZINCRBY calls leading to NaN result in error").
pub async fn test_zadd_incr_gt_lt_with_inf_both_encodings(store: TestStore) {
    for n in SIZES {
        let key = format!("z{n}");
        fill(&store, &key, n).await;
        store
            .zadd_options(
                &key,
                [(f64::INFINITY, "x"), (f64::NEG_INFINITY, "y"), (28.0, "w")],
                ZAddOptions::new(),
            )
            .await
            .unwrap();
        let cases = [
            ("w", ZAddComparison::Lt, 1.0),
            ("w", ZAddComparison::Gt, -1.0),
            ("x", ZAddComparison::Lt, 1.0),
            ("x", ZAddComparison::Gt, -1.0),
            ("x", ZAddComparison::Lt, -1.0),
            ("x", ZAddComparison::Gt, 1.0),
            ("y", ZAddComparison::Lt, 1.0),
            ("y", ZAddComparison::Gt, -1.0),
            ("y", ZAddComparison::Lt, -1.0),
            ("y", ZAddComparison::Gt, 1.0),
        ];
        for (m, comparison, delta) in cases {
            let before = store.zscore(&key, m).await.unwrap();
            assert_eq!(
                store
                    .zadd_incr(&key, delta, m, ZAddOptions::new().comparison(comparison))
                    .await
                    .unwrap(),
                None,
                "n={n} ZADD {comparison:?} INCR {delta} {m} (score {before:?}) is nil"
            );
            assert_eq!(
                store.zscore(&key, m).await.unwrap(),
                before,
                "n={n} ZADD {comparison:?} INCR {delta} {m} changed nothing"
            );
        }
        assert_eq!(
            store
                .zadd_incr(
                    &key,
                    1.0,
                    "w",
                    ZAddOptions::new().comparison(ZAddComparison::Gt)
                )
                .await
                .unwrap(),
            Some(29.0),
            "n={n} ZADD GT INCR 1 that raises the score replies it"
        );
        assert_kind(
            store
                .zadd_incr(&key, f64::NEG_INFINITY, "x", ZAddOptions::new())
                .await,
            ErrorKind::InvalidInput,
            &format!("n={n} ZADD INCR -inf on +inf is NaN"),
        );
        assert_kind(
            store.zincrby(&key, f64::INFINITY, "y").await,
            ErrorKind::InvalidInput,
            &format!("n={n} ZINCRBY +inf on -inf is NaN"),
        );
        assert_eq!(
            store.zmscore(&key, ["x", "y"]).await.unwrap(),
            vec![Some(f64::INFINITY), Some(f64::NEG_INFINITY)],
            "n={n}: the NaN increments changed nothing"
        );
    }
}

/// "ZUNIONSTORE/ZINTERSTORE with +inf/-inf scores" and "… with NaN weights", at both
/// encodings: sums of infinities (`inf + -inf` is 0), `AGGREGATE MIN/MAX` keeping them, and a
/// NaN weight refused with Redis's words.
pub async fn test_zstore_infinities_both_encodings(store: TestStore) {
    const INF: f64 = f64::INFINITY;
    const NINF: f64 = f64::NEG_INFINITY;
    let combos = [
        (INF, INF, INF),
        (NINF, INF, 0.0),
        (INF, NINF, 0.0),
        (NINF, NINF, NINF),
    ];
    for n in SIZES {
        fill(&store, "{t}i1", n).await;
        fill(&store, "{t}i2", n).await;
        for inter in [false, true] {
            for (one, two, sum) in combos {
                store.zadd("{t}i1", one, "key").await.unwrap();
                store.zadd("{t}i2", two, "key").await.unwrap();
                let keys = ["{t}i1", "{t}i2"];
                let stored = if inter {
                    store
                        .zinterstore("{t}i3", keys, ZCombineOptions::new())
                        .await
                } else {
                    store
                        .zunionstore("{t}i3", keys, ZCombineOptions::new())
                        .await
                };
                assert_eq!(stored.unwrap(), n as u64 + 1, "n={n}: every member stored");
                assert_eq!(
                    store.zscore("{t}i3", "key").await.unwrap(),
                    Some(sum),
                    "n={n} inter={inter}: {one} + {two}"
                );
                for (aggregate, want) in [
                    (ZAggregate::Min, one.min(two)),
                    (ZAggregate::Max, one.max(two)),
                ] {
                    let options = ZCombineOptions::new()
                        .aggregate(aggregate)
                        .weights([2.0, 1.0]);
                    let scores = if inter {
                        store.zinter_with_scores(keys, options).await
                    } else {
                        store.zunion_with_scores(keys, options).await
                    }
                    .unwrap();
                    let got = scores.iter().find(|(m, _)| m == "key").map(|(_, s)| *s);
                    assert_eq!(
                        got,
                        Some(want),
                        "n={n} inter={inter}: {aggregate:?} of 2×{one} and {two}"
                    );
                }
            }
            let keys = ["{t}i1", "{t}i2"];
            let nan = ZCombineOptions::new().weights([f64::NAN, f64::NAN]);
            let refused = if inter {
                store.zinterstore("{t}i3", keys, nan).await
            } else {
                store.zunionstore("{t}i3", keys, nan).await
            };
            assert_error(
                refused,
                ErrorKind::InvalidInput,
                "weight value is not a float",
                &format!("n={n} inter={inter}: NaN weights"),
            );
        }
    }
}

/// "ZSCORE - $encoding", "ZMSCORE", "ZSCORE after a DEBUG RELOAD" and "ZSET sorting
/// stresser", at both encodings: scores spread over the whole double range (tiny, huge,
/// subnormal, negative, both zeros) come back bit for bit and order the set, ties (and `0`
/// against `-0`, which Redis compares as equal) broken by member bytes.
pub async fn test_zscore_precision_and_order_both_encodings(store: TestStore) {
    let special = [
        0.0,
        -0.0,
        0.1 + 0.2,
        1.0 / 3.0,
        -1e-300,
        5e-324,
        f64::MAX,
        f64::MIN,
        f64::MIN_POSITIVE,
        123_456_789.123_456_79,
        -2.5e15,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ];
    let mut seed: u64 = 0x5eed;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        seed
    };
    for n in SIZES {
        let key = format!("zs{n}");
        let mut model: Vec<(Bytes, f64)> = (0..n)
            .map(|i| {
                let s = if i < special.len() {
                    special[i]
                } else {
                    // A random finite double: random mantissa, exponent within ±2^60.
                    let r = next();
                    let mantissa = (r >> 11) as f64 / (1u64 << 53) as f64;
                    let exp = (r % 121) as i32 - 60;
                    let sign = if r & 1 == 0 { 1.0 } else { -1.0 };
                    sign * mantissa * 2f64.powi(exp)
                };
                // Members in the reverse order of their index, so ties are visible.
                (b(&format!("m{:03}", n - i)), s)
            })
            .collect();
        store
            .zadd_options(
                &key,
                model.iter().map(|(m, s)| (*s, m.clone())),
                ZAddOptions::new(),
            )
            .await
            .unwrap();
        for (m, s) in &model {
            let got = store.zscore(&key, m.clone()).await.unwrap().unwrap();
            assert!(
                got.to_bits() == s.to_bits() || (got == 0.0 && *s == 0.0),
                "n={n} ZSCORE {m:?}: {got:e} is {s:e}"
            );
        }
        let asked: Vec<Bytes> = model.iter().map(|(m, _)| m.clone()).collect();
        let want: Vec<Option<f64>> = model.iter().map(|(_, s)| Some(*s)).collect();
        assert_eq!(
            store.zmscore(&key, asked).await.unwrap(),
            want,
            "n={n} ZMSCORE of every member"
        );
        // Redis orders by score with `<` (so 0 and -0 tie), then by member bytes.
        model.sort_by(|(ma, a), (mb, b)| a.partial_cmp(b).unwrap().then_with(|| ma.cmp(mb)));
        let got = store.zrange_with_scores(&key, 0, -1).await.unwrap();
        assert_eq!(
            got.iter().map(|(m, _)| m.clone()).collect::<Vec<_>>(),
            model.iter().map(|(m, _)| m.clone()).collect::<Vec<_>>(),
            "n={n}: ZRANGE order is by score, then member"
        );
        for (rank, (m, _)) in model.iter().enumerate() {
            assert_eq!(
                store.zrank(&key, m.clone()).await.unwrap(),
                Some(rank as u64),
                "n={n} ZRANK {m:?}"
            );
        }
        let zeros = model.iter().filter(|(_, s)| *s == 0.0).count() as u64;
        assert_eq!(
            store
                .zcount(
                    &key,
                    ScoreBound::Inclusive(-0.0),
                    ScoreBound::Inclusive(0.0)
                )
                .await
                .unwrap(),
            zeros,
            "n={n} ZCOUNT -0 0 counts both zeros"
        );
    }
}

/// "ZSET skiplist order consistency when elements are moved": many `ZADD`s updating the
/// scores of a fixed pool of members (10, packed; 60, not), after which the order, ranks and
/// scores still match a model.
pub async fn test_zset_order_after_many_moves_both_encodings(store: TestStore) {
    let mut seed: u64 = 7;
    let mut next = move |below: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % below
    };
    for pool in [10_u64, 60] {
        let key = format!("zm{pool}");
        let mut model = std::collections::BTreeMap::new();
        for _ in 0..600 {
            let m = format!("ele-{}", next(pool));
            let s = next(50) as f64;
            store.zadd(&key, s, m.as_str()).await.unwrap();
            model.insert(b(&m), s);
        }
        let mut want: Vec<(Bytes, f64)> = model.into_iter().collect();
        want.sort_by(|(ma, a), (mb, b)| a.total_cmp(b).then_with(|| ma.cmp(mb)));
        assert_eq!(
            store.zrange_with_scores(&key, 0, -1).await.unwrap(),
            want,
            "pool {pool}: ZRANGE WITHSCORES after the moves"
        );
        for (rank, (m, _)) in want.iter().enumerate() {
            assert_eq!(
                store.zrevrank(&key, m.clone()).await.unwrap(),
                Some((want.len() - 1 - rank) as u64),
                "pool {pool}: ZREVRANK {m:?}"
            );
        }
    }
}
