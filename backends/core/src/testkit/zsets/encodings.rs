//! Conformance cases ported from Redis's `tests/unit/type/zset.tcl`, which runs most of its
//! sorted-set tests twice: once for a small set (listpack) and once for a big one (skiplist).
//! Each case here does the same at a size under and a size over the memory engine's packing
//! thresholds (32 members, 64-byte members), checking every reply against a plain model.

use super::super::TestStore;
use super::{b, by_score};
use crate::prelude::*;

/// The sizes each case runs at: packed, and well past the packing limit.
pub(super) const SIZES: [usize; 2] = [7, 100];

/// Member `i`: `m000`, `m001`, … (sorted like their index).
fn member(i: usize) -> String {
    format!("m{i:03}")
}

/// Score of member `i`: three members per score, so ties are ordered by member bytes.
fn score(i: usize) -> f64 {
    (i / 3) as f64
}

/// `key` with `n` members, `member(i)` scored `score(i)`, added in reverse order.
pub(super) async fn fill(store: &TestStore, key: &str, n: usize) -> Vec<(Bytes, f64)> {
    let items: Vec<(f64, String)> = (0..n).rev().map(|i| (score(i), member(i))).collect();
    store
        .zadd_options(key, items, ZAddOptions::new())
        .await
        .unwrap();
    (0..n).map(|i| (b(&member(i)), score(i))).collect()
}

/// "ZRANGEBYSCORE with LIMIT", "ZRANGEBYSCORE with non-value min or max" and the
/// exclusive/infinite bound cases: every bound kind, with `LIMIT` offsets past the end and a
/// negative count, forward and `REV`, at both encodings.
pub async fn test_zrange_by_score_limits_both_encodings(store: TestStore) {
    use ScoreBound::{Exclusive, Inclusive};
    for n in SIZES {
        let key = format!("z{n}");
        let model = fill(&store, &key, n).await;
        let top = score(n - 1);
        let bounds = [
            (ScoreBound::MIN, ScoreBound::MAX),
            (Inclusive(1.0), Inclusive(2.0)),
            (Exclusive(1.0), Inclusive(2.0)),
            (Inclusive(1.0), Exclusive(2.0)),
            (Exclusive(1.0), Exclusive(2.0)),
            (Exclusive(f64::NEG_INFINITY), Exclusive(top)),
            (Inclusive(top), ScoreBound::MAX),
            (Inclusive(3.0), Inclusive(1.0)),
            (Exclusive(1.0), Exclusive(1.0)),
        ];
        let limits = [
            None,
            Some((0, 2)),
            Some((1, -1)),
            Some((2, 3)),
            Some((1000, 5)),
        ];
        for (min, max) in bounds {
            let inside = |s: f64| {
                let lo = match min {
                    Inclusive(x) => s >= x,
                    Exclusive(x) => s > x,
                };
                let hi = match max {
                    Inclusive(x) => s <= x,
                    Exclusive(x) => s < x,
                };
                lo && hi
            };
            for rev in [false, true] {
                let mut expected: Vec<(Bytes, f64)> =
                    model.iter().filter(|(_, s)| inside(*s)).cloned().collect();
                if rev {
                    expected.reverse();
                }
                for limit in limits {
                    let mut options = ZRangeOptions::new().rev(rev);
                    let mut want = expected.clone();
                    if let Some((offset, count)) = limit {
                        options = options.limit(offset, count);
                        want = want.into_iter().skip(offset as usize).collect();
                        if count >= 0 {
                            want.truncate(count as usize);
                        }
                    }
                    assert_eq!(
                        store
                            .zrange_options_with_scores(&key, by_score(min, max), options)
                            .await
                            .unwrap(),
                        want,
                        "n={n} ZRANGE BYSCORE {min:?} {max:?} rev={rev} LIMIT {limit:?}"
                    );
                }
                assert_eq!(
                    store.zcount(&key, min, max).await.unwrap(),
                    expected.len() as u64,
                    "n={n} ZCOUNT {min:?} {max:?}"
                );
            }
        }
    }
}

/// "ZRANK/ZREVRANK basics", "ZRANK - after deletion" and "ZSCORE": ranks and scores of every
/// member, at both encodings, then again after deleting members from the middle.
pub async fn test_zrank_after_deletion_both_encodings(store: TestStore) {
    for n in SIZES {
        let key = format!("z{n}");
        let mut model = fill(&store, &key, n).await;
        for round in 0..2 {
            for (rank, (m, s)) in model.iter().enumerate() {
                assert_eq!(
                    store.zrank(&key, m.clone()).await.unwrap(),
                    Some(rank as u64),
                    "n={n} round {round}: ZRANK {m:?}"
                );
                assert_eq!(
                    store.zrevrank(&key, m.clone()).await.unwrap(),
                    Some((model.len() - 1 - rank) as u64),
                    "n={n} round {round}: ZREVRANK {m:?}"
                );
                assert_eq!(
                    store.zscore(&key, m.clone()).await.unwrap(),
                    Some(*s),
                    "n={n} round {round}: ZSCORE {m:?}"
                );
            }
            // Delete every third member, from the middle outwards.
            let gone: Vec<Bytes> = model
                .iter()
                .skip(1)
                .step_by(3)
                .map(|(m, _)| m.clone())
                .collect();
            assert_eq!(
                store.zrem_multiple(&key, gone.clone()).await.unwrap(),
                gone.len() as u64,
                "n={n}: ZREM counts the removed members"
            );
            model.retain(|(m, _)| !gone.contains(m));
            assert_eq!(
                store.zrank(&key, gone[0].clone()).await.unwrap(),
                None,
                "n={n}: ZRANK of a removed member is nil"
            );
        }
        assert_eq!(
            store.zcard(&key).await.unwrap(),
            model.len() as u64,
            "n={n}: ZCARD after deletions"
        );
    }
}

/// "ZREMRANGEBYRANK basics" and "ZREMRANGEBYSCORE basics" at both encodings: odd rank pairs
/// (start past stop, negative, out of range) remove nothing or a clamped range, and the set
/// left behind is exactly the model's.
pub async fn test_zremrange_both_encodings(store: TestStore) {
    let ranks: [(i64, i64); 6] = [(5, 2), (-1000, 0), (-2, -1), (1000, 2000), (1, 3), (-3, -4)];
    for n in SIZES {
        let key = format!("z{n}");
        let mut model = fill(&store, &key, n).await;
        for (start, stop) in ranks {
            let len = model.len() as i64;
            let from = if start < 0 {
                (len + start).max(0)
            } else {
                start
            };
            let to = if stop < 0 {
                len + stop
            } else {
                stop.min(len - 1)
            };
            let removed = if from > to || from >= len {
                0
            } else {
                model.drain(from as usize..=to as usize).count()
            };
            assert_eq!(
                store.zremrangebyrank(&key, start, stop).await.unwrap(),
                removed as u64,
                "n={n} ZREMRANGEBYRANK {start} {stop}"
            );
        }
        let removed = model.iter().filter(|(_, s)| *s > 1.0 && *s <= 4.0).count();
        model.retain(|(_, s)| !(*s > 1.0 && *s <= 4.0));
        assert_eq!(
            store
                .zremrangebyscore(&key, ScoreBound::Exclusive(1.0), ScoreBound::Inclusive(4.0))
                .await
                .unwrap(),
            removed as u64,
            "n={n} ZREMRANGEBYSCORE (1 4"
        );
        assert_eq!(
            store.zrange_with_scores(&key, 0, -1).await.unwrap(),
            model,
            "n={n}: the members left after the removals"
        );
    }
}

/// "ZPOPMIN/ZPOPMAX with count" and "ZRANGESTORE basic" at both encodings: pops take the ends
/// in order, a count past the size takes everything and deletes the key, and `ZRANGESTORE`
/// of a score range with `LIMIT` and `REV` stores exactly the reply of the same `ZRANGE`.
pub async fn test_zpop_and_zrangestore_both_encodings(store: TestStore) {
    for n in SIZES {
        let key = format!("{{z}}src{n}");
        let dst = format!("{{z}}dst{n}");
        let mut model = fill(&store, &key, n).await;
        let by = by_score(ScoreBound::Exclusive(0.0), ScoreBound::MAX);
        let options = ZRangeOptions::new().rev(true).limit(1, 5);
        let expected = store
            .zrange_options_with_scores(&key, by.clone(), options)
            .await
            .unwrap();
        assert_eq!(
            store.zrangestore(&dst, &key, by, options).await.unwrap(),
            expected.len() as u64,
            "n={n}: ZRANGESTORE counts what it stored"
        );
        let mut sorted = expected.clone();
        sorted.reverse();
        assert_eq!(
            store.zrange_with_scores(&dst, 0, -1).await.unwrap(),
            sorted,
            "n={n}: ZRANGESTORE stored the members of the same ZRANGE"
        );
        let low: Vec<_> = model.drain(..2).collect();
        assert_eq!(
            store.zpopmin_count(&key, 2).await.unwrap(),
            low,
            "n={n}: ZPOPMIN 2"
        );
        let high: Vec<_> = model.split_off(model.len() - 3).into_iter().rev().collect();
        assert_eq!(
            store.zpopmax_count(&key, 3).await.unwrap(),
            high,
            "n={n}: ZPOPMAX 3, highest first"
        );
        assert_eq!(
            store.zpopmin_count(&key, 10_000).await.unwrap(),
            model,
            "n={n}: ZPOPMIN past the size takes everything"
        );
        assert_eq!(
            store.exists_multiple(&[key.as_str()]).await.unwrap(),
            0,
            "n={n}: the emptied key is gone"
        );
    }
}

/// "ZSETs skiplist implementation backlink consistency test" and "check encoding - big
/// member": a member longer than 64 bytes added to a small set, then lex ranges, `ZINCRBY`
/// moving it to each end, and `ZRANGEBYLEX` with `LIMIT`.
pub async fn test_zset_long_member_changes_encoding(store: TestStore) {
    let key = "zlong";
    fill(&store, key, 5).await;
    let long = "x".repeat(100);
    assert!(
        store.zadd(key, 0.5, long.as_str()).await.unwrap(),
        "ZADD of a long member is 1"
    );
    assert_eq!(
        store.zrank(key, long.as_str()).await.unwrap(),
        Some(3),
        "the long member sits after the three members scored 0"
    );
    assert_eq!(
        store.zincrby(key, 100.0, long.as_str()).await.unwrap(),
        100.5,
        "ZINCRBY returns the new score"
    );
    assert_eq!(
        store.zrevrank(key, long.as_str()).await.unwrap(),
        Some(0),
        "ZINCRBY moved it to the top"
    );
    assert_eq!(
        store.zincrby(key, -200.0, long.as_str()).await.unwrap(),
        -99.5,
        "ZINCRBY by a negative delta"
    );
    assert_eq!(
        store.zrank(key, long.as_str()).await.unwrap(),
        Some(0),
        "ZINCRBY moved it to the bottom"
    );
    // Same score for every member: the lex ranges are member order.
    let lex = "zlex";
    let mut members: Vec<String> = (0..40).map(member).collect();
    members.push(long.clone());
    store
        .zadd_options(
            lex,
            members.iter().map(|m| (0.0, m.clone())),
            ZAddOptions::new(),
        )
        .await
        .unwrap();
    members.sort();
    let by = ZRangeBy::Lex {
        min: LexBound::Exclusive(b("m010")),
        max: LexBound::Max,
    };
    let want: Vec<Bytes> = members
        .iter()
        .filter(|m| m.as_str() > "m010")
        .skip(3)
        .take(4)
        .map(|m| b(m))
        .collect();
    assert_eq!(
        store
            .zrange_options(lex, by.clone(), ZRangeOptions::new().limit(3, 4))
            .await
            .unwrap(),
        want,
        "ZRANGE BYLEX (m010 + LIMIT 3 4"
    );
    let want_rev: Vec<Bytes> = members
        .iter()
        .rev()
        .filter(|m| m.as_str() > "m010")
        .take(2)
        .map(|m| b(m))
        .collect();
    assert_eq!(
        store
            .zrange_options(lex, by, ZRangeOptions::new().rev(true).limit(0, 2))
            .await
            .unwrap(),
        want_rev,
        "ZRANGE BYLEX REV: the long member (x…) comes first"
    );
}

/// "zunionInterDiffGenericCommand acts on SET and ZSET": plain sets and sorted sets mixed in
/// `ZUNION`/`ZINTER`/`ZDIFF` (and their `STORE` forms) and `ZINTERCARD`, a plain member
/// counting as score 1, with each side small (packed) or big, in both key orders.
pub async fn test_zcombine_sets_and_zsets_mixed_encodings(store: TestStore) {
    for (set_n, zset_n) in [(3, 5), (5, 3), (40, 50), (50, 40), (3, 50), (50, 3)] {
        store
            .del_multiple(&["{c}set", "{c}zset", "{c}dst"])
            .await
            .unwrap();
        let set: Vec<Bytes> = (1..=set_n).map(|i| b(&i.to_string())).collect();
        store.sadd_multiple("{c}set", set.clone()).await.unwrap();
        store
            .zadd_options(
                "{c}zset",
                (1..=zset_n).map(|i| (i as f64, i.to_string())),
                ZAddOptions::new(),
            )
            .await
            .unwrap();
        let keys = ["{c}set", "{c}zset"];
        let common = set_n.min(zset_n);
        let mut union: Vec<(Bytes, f64)> = (1..=set_n.max(zset_n))
            .map(|i| {
                let s = f64::from(u8::from(i <= set_n)) + if i <= zset_n { i as f64 } else { 0.0 };
                (b(&i.to_string()), s)
            })
            .collect();
        union.sort_by(|(ma, a), (mb, b)| a.total_cmp(b).then_with(|| ma.cmp(mb)));
        assert_eq!(
            store
                .zunion_with_scores(keys, ZCombineOptions::new())
                .await
                .unwrap(),
            union,
            "set {set_n} zset {zset_n}: ZUNION WITHSCORES (a set member scores 1)"
        );
        assert_eq!(
            store
                .zunionstore("{c}dst", keys, ZCombineOptions::new())
                .await
                .unwrap(),
            union.len() as u64,
            "set {set_n} zset {zset_n}: ZUNIONSTORE"
        );
        let mut inter: Vec<(Bytes, f64)> = (1..=common)
            .map(|i| (b(&i.to_string()), 1.0 + i as f64))
            .collect();
        inter.sort_by(|(ma, a), (mb, b)| a.total_cmp(b).then_with(|| ma.cmp(mb)));
        assert_eq!(
            store
                .zinter_with_scores(["{c}zset", "{c}set"], ZCombineOptions::new())
                .await
                .unwrap(),
            inter,
            "set {set_n} zset {zset_n}: ZINTER WITHSCORES"
        );
        assert_eq!(
            store
                .zinterstore("{c}dst", keys, ZCombineOptions::new())
                .await
                .unwrap(),
            common as u64,
            "set {set_n} zset {zset_n}: ZINTERSTORE"
        );
        assert_eq!(
            store.zintercard(keys).await.unwrap(),
            common as u64,
            "set {set_n} zset {zset_n}: ZINTERCARD"
        );
        let mut diff: Vec<Bytes> = (zset_n + 1..=set_n).map(|i| b(&i.to_string())).collect();
        diff.sort();
        let mut got = store.zdiff(keys).await.unwrap();
        got.sort();
        assert_eq!(got, diff, "set {set_n} zset {zset_n}: ZDIFF set zset");
        assert_eq!(
            store.zdiffstore("{c}dst", keys).await.unwrap(),
            diff.len() as u64,
            "set {set_n} zset {zset_n}: ZDIFFSTORE set zset"
        );
        assert_eq!(
            store.exists_multiple(&["{c}dst"]).await.unwrap(),
            u64::from(!diff.is_empty()),
            "set {set_n} zset {zset_n}: an empty ZDIFFSTORE deletes the destination"
        );
    }
}

/// "ZRANGEBYLEX fuzzy test, 100 ranges in $elements element sorted set", "ZREMRANGEBYLEX
/// fuzzy test" and "ZLEXCOUNT advanced", at both encodings: members of random bytes (high
/// bytes, NULs, prefixes of each other) all scored 0, and random inclusive/exclusive/open
/// ranges checked against a model ordered by raw bytes.
pub async fn test_zrange_by_lex_fuzz_both_encodings(store: TestStore) {
    let mut seed: u64 = 0xfeed;
    let mut next = move |below: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % below
    };
    let alphabet: &[u8] = b"\x00\x01aAbz\x7f\x80\xfe\xff";
    for n in [20_usize, 150] {
        let key = format!("zl{n}");
        let word = |next: &mut dyn FnMut(u64) -> u64| -> Bytes {
            let len = next(4) as usize;
            (0..len)
                .map(|_| alphabet[next(alphabet.len() as u64) as usize])
                .collect::<Vec<u8>>()
                .into()
        };
        let mut model = std::collections::BTreeSet::new();
        while model.len() < n {
            model.insert(word(&mut next));
        }
        store
            .zadd_options(
                &key,
                model.iter().map(|m| (0.0, m.clone())),
                ZAddOptions::new(),
            )
            .await
            .unwrap();
        let bound = |next: &mut dyn FnMut(u64) -> u64, low: bool| -> LexBound {
            match next(5) {
                0 => {
                    if low {
                        LexBound::Min
                    } else {
                        LexBound::Max
                    }
                }
                1 | 2 => LexBound::Inclusive(word(next)),
                _ => LexBound::Exclusive(word(next)),
            }
        };
        let above = |m: &Bytes, min: &LexBound| match min {
            LexBound::Min => true,
            LexBound::Max => false,
            LexBound::Inclusive(x) => m >= x,
            LexBound::Exclusive(x) => m > x,
        };
        let below = |m: &Bytes, max: &LexBound| match max {
            LexBound::Min => false,
            LexBound::Max => true,
            LexBound::Inclusive(x) => m <= x,
            LexBound::Exclusive(x) => m < x,
        };
        for round in 0..100 {
            let min = bound(&mut next, true);
            let max = bound(&mut next, false);
            let want: Vec<Bytes> = model
                .iter()
                .filter(|m| above(m, &min) && below(m, &max))
                .cloned()
                .collect();
            let by = ZRangeBy::Lex {
                min: min.clone(),
                max: max.clone(),
            };
            assert_eq!(
                store
                    .zrange_options(&key, by.clone(), ZRangeOptions::new())
                    .await
                    .unwrap(),
                want,
                "n={n} round {round}: ZRANGE BYLEX {min:?} {max:?}"
            );
            let mut rev = want.clone();
            rev.reverse();
            assert_eq!(
                store
                    .zrange_options(&key, by, ZRangeOptions::new().rev(true))
                    .await
                    .unwrap(),
                rev,
                "n={n} round {round}: ZRANGE BYLEX REV {min:?} {max:?}"
            );
            assert_eq!(
                store
                    .zlexcount(&key, min.clone(), max.clone())
                    .await
                    .unwrap(),
                want.len() as u64,
                "n={n} round {round}: ZLEXCOUNT {min:?} {max:?}"
            );
            if round % 10 == 9 {
                assert_eq!(
                    store
                        .zremrangebylex(&key, min.clone(), max.clone())
                        .await
                        .unwrap(),
                    want.len() as u64,
                    "n={n} round {round}: ZREMRANGEBYLEX {min:?} {max:?}"
                );
                for m in &want {
                    model.remove(m);
                }
            }
        }
        assert_eq!(
            store.zrange(&key, 0, -1).await.unwrap(),
            model.iter().cloned().collect::<Vec<_>>(),
            "n={n}: the members left after the ZREMRANGEBYLEX rounds"
        );
    }
}

/// The packing boundary itself (tcl's "Check encoding" and "ZADD overflows the maximum allowed
/// elements in a listpack", at our thresholds): members added one at a time from 30 to 35
/// (each landing in the middle of the order), members of 63, 64 and 65 bytes, and `ZREM` back
/// down, with the whole set and a rank checked after every step.
pub async fn test_zset_packing_boundary(store: TestStore) {
    let key = "zb";
    let mut model = fill(&store, key, 30).await;
    let add = |m: Bytes, s: f64, model: &mut Vec<(Bytes, f64)>| {
        model.push((m, s));
        model.sort_by(|(ma, a), (mb, b)| a.total_cmp(b).then_with(|| ma.cmp(mb)));
    };
    for i in 0..5 {
        let m = b(&format!("mid{i}"));
        assert!(
            store.zadd(key, 4.5, m.clone()).await.unwrap(),
            "ZADD mid{i}"
        );
        add(m.clone(), 4.5, &mut model);
        assert_eq!(
            store.zrange_with_scores(key, 0, -1).await.unwrap(),
            model,
            "after adding mid{i} (size {})",
            model.len()
        );
        let rank = model.iter().position(|(x, _)| *x == m).unwrap() as u64;
        assert_eq!(
            store.zrank(key, m).await.unwrap(),
            Some(rank),
            "ZRANK mid{i}"
        );
    }
    let small = "zb-small";
    let mut small_model = fill(&store, small, 3).await;
    for len in [63_usize, 64, 65] {
        let m = b(&"q".repeat(len));
        store.zadd(small, 0.5, m.clone()).await.unwrap();
        add(m, 0.5, &mut small_model);
        assert_eq!(
            store.zrange_with_scores(small, 0, -1).await.unwrap(),
            small_model,
            "after a {len}-byte member"
        );
    }
    for i in 0..6 {
        let (m, _) = model.remove(i * 2);
        assert!(store.zrem(key, m.clone()).await.unwrap(), "ZREM {m:?}");
    }
    assert_eq!(
        store.zrange_with_scores(key, 0, -1).await.unwrap(),
        model,
        "after shrinking"
    );
}

/// `LIMIT` with a negative offset (zset.tcl's "ZRANGEBYSCORE with LIMIT" family, at offsets the
/// tcl suite does not try): Redis answers an empty range whatever the count, for `BYSCORE` and
/// `BYLEX`, forward and `REV`, and `ZRANGESTORE` then stores nothing and deletes the
/// destination; at both encodings.
pub async fn test_zrange_limit_negative_offset_both_encodings(store: TestStore) {
    for n in SIZES {
        let key = format!("{{n}}z{n}");
        let dst = format!("{{n}}d{n}");
        fill(&store, &key, n).await;
        let bys = [
            by_score(ScoreBound::MIN, ScoreBound::MAX),
            ZRangeBy::Lex {
                min: LexBound::Min,
                max: LexBound::Max,
            },
        ];
        for by in bys {
            for rev in [false, true] {
                for (offset, count) in [(-1, 2), (-1, -1), (i64::MIN, 1), (-2, 0)] {
                    let options = ZRangeOptions::new().rev(rev).limit(offset, count);
                    assert_eq!(
                        store
                            .zrange_options(&key, by.clone(), options)
                            .await
                            .unwrap(),
                        Vec::<Bytes>::new(),
                        "n={n} ZRANGE {by:?} rev={rev} LIMIT {offset} {count}"
                    );
                }
            }
            store.zadd(&dst, 1.0, "old").await.unwrap();
            assert_eq!(
                store
                    .zrangestore(&dst, &key, by.clone(), ZRangeOptions::new().limit(-1, 2))
                    .await
                    .unwrap(),
                0,
                "n={n} ZRANGESTORE {by:?} LIMIT -1 2 stores nothing"
            );
            assert_eq!(
                store.exists_multiple(&[dst.as_str()]).await.unwrap(),
                0,
                "n={n} ZRANGESTORE of nothing deletes the destination"
            );
        }
        assert_eq!(
            store.zcard(&key).await.unwrap(),
            n as u64,
            "n={n}: the source is untouched"
        );
    }
}
