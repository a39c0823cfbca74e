//! Conformance cases for sorted sets: `ZADD` and every option, scores and ranks, `ZRANGE` by
//! rank, score and lex with `REV`, `LIMIT` and `WITHSCORES`, ties ordered by member bytes,
//! exclusive and infinite bounds, pops with and without a count (and their RESP3 shapes),
//! blocking pops that time out and ones woken by another task, range removals, emptied sets
//! deleting their key, writes keeping the TTL, `WRONGTYPE` on every sorted-set command, and the
//! semantics of the atomic [`Command::ZMoveByScore`] (its races are in the `atomic` cases).
//!
//! The cases live in topical submodules: `ZADD`/`ZINCRBY` in `add`, reads of scores, ranks and
//! counts in `scores`, `ZRANGE` in `ranges`, the pops (blocking or not) in `pops`, `ZREM` and the
//! range removals in `remove`, `ZMoveByScore` in `zmove`; the family-wide TTL and `WRONGTYPE` rules
//! are here. All are listed here.

use std::time::Duration;

use super::keyspace::{assert_kind, snapshot};
use super::{Case, TestStore, cases};
use crate::prelude::*;

mod add;
mod combine;
mod encodings;
mod encodings_scores;
mod more;
mod pops;
mod ranges;
mod remove;
mod scores;
pub use add::*;
pub use combine::*;
pub use encodings::*;
pub use encodings_scores::*;
pub use more::*;
pub use pops::*;
pub use ranges::*;
pub use remove::*;
pub use scores::*;

/// Every sorted-sets case.
pub fn cases() -> Vec<Case> {
    let plain = cases![
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
        test_zremrangebyscore,
        test_zremrangebyrank,
        test_zset_writes_keep_ttl,
        test_zset_commands_wrong_type_on_string,
        test_zunion_sums_and_orders,
        test_zunion_weights_and_aggregate,
        test_zinter_and_zdiff,
        test_zunion_accepts_plain_sets,
        test_zunion_infinities,
        test_zunion_option_errors,
        test_zstore_forms_replace_destination,
        test_zintercard,
        test_zrangestore,
        test_zlexcount,
        test_zremrangebylex,
        test_zrandmember_counts,
        test_zrandmember_errors,
        test_zmpop,
        test_zscan_small_set,
        test_zscan_large_set_full_iteration,
        test_zrank_with_score,
        test_zadd_refused_word_combinations,
        test_zrange_by_score_limits_both_encodings,
        test_zrank_after_deletion_both_encodings,
        test_zremrange_both_encodings,
        test_zpop_and_zrangestore_both_encodings,
        test_zset_long_member_changes_encoding,
        test_zadd_incr_gt_lt_with_inf_both_encodings,
        test_zstore_infinities_both_encodings,
        test_zscore_precision_and_order_both_encodings,
        test_zset_order_after_many_moves_both_encodings,
        test_zcombine_sets_and_zsets_mixed_encodings,
        test_zrange_by_lex_fuzz_both_encodings,
        test_zset_packing_boundary,
        test_zrange_limit_negative_offset_both_encodings,
    ];
    let blocking = cases![requires Blocking:
        test_bzpopmin_times_out,
        test_bzpopmax_times_out,
        test_bzpopmin_serves_first_non_empty_key,
        test_bzpopmin_woken_by_zadd,
        test_bzpopmax_woken_by_zadd,
        test_bzmpop_times_out_or_pops,
        test_bzmpop_woken_by_zadd,
    ];
    [plain, blocking].concat()
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
        .zadd_options(
            key,
            [(1.0, "a"), (2.0, "b"), (3.0, "c"), (4.0, "d"), (5.0, "e")],
            ZAddOptions::new(),
        )
        .await
        .unwrap();
}

fn by_score(min: ScoreBound, max: ScoreBound) -> ZRangeBy {
    ZRangeBy::Score { min, max }
}

/// Sorted-set writes keep the key's TTL.
pub async fn test_zset_writes_keep_ttl(store: TestStore) {
    five(&store, "z").await;
    assert!(store.expire("z", 100).await.unwrap());
    store.zadd("z", 6.0, "f").await.unwrap();
    store.zincrby("z", 1.0, "a").await.unwrap();
    store.zrem_multiple("z", ["b"]).await.unwrap();
    store.zpopmin_count("z", 1).await.unwrap();
    store.zpopmax_count("z", 1).await.unwrap();
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
            key: key().into(),
            members: vec![(1.0, b("a"))],
            options: ZAddOptions::new(),
        },
        Command::ZAdd {
            key: key().into(),
            members: vec![(1.0, b("a"))],
            options: ZAddOptions::new().condition(SetCondition::Xx).incr(true),
        },
        Command::ZRem {
            key: key().into(),
            members: names(&["a"]),
        },
        Command::ZScore {
            key: key().into(),
            member: b("a"),
        },
        Command::ZMScore {
            key: key().into(),
            members: names(&["a"]),
        },
        Command::ZIncrBy {
            key: key().into(),
            delta: 1.0,
            member: b("a"),
        },
        Command::ZCard { key: key().into() },
        Command::ZCount {
            key: key().into(),
            min: ScoreBound::MIN,
            max: ScoreBound::MAX,
        },
        Command::ZRank {
            key: key().into(),
            member: b("a"),
        },
        Command::ZRevRank {
            key: key().into(),
            member: b("a"),
        },
        Command::ZRange {
            key: key().into(),
            by: ZRangeBy::Rank { start: 0, stop: -1 },
            options: ZRangeOptions::new(),
        },
        Command::ZRange {
            key: key().into(),
            by: by_score(ScoreBound::MIN, ScoreBound::MAX),
            options: ZRangeOptions::new().rev(true).with_scores(true),
        },
        Command::ZRange {
            key: key().into(),
            by: ZRangeBy::Lex {
                min: LexBound::Min,
                max: LexBound::Max,
            },
            options: ZRangeOptions::new(),
        },
        Command::ZPopMin {
            key: key().into(),
            count: None,
        },
        Command::ZPopMax {
            key: key().into(),
            count: Some(0),
        },
        Command::BZPopMin {
            keys: vec![key().into()],
            timeout: Duration::from_millis(100),
        },
        Command::BZPopMax {
            keys: vec![key().into()],
            timeout: Duration::from_millis(100),
        },
        Command::ZRemRangeByScore {
            key: key().into(),
            min: ScoreBound::MIN,
            max: ScoreBound::MAX,
        },
        Command::ZRemRangeByRank {
            key: key().into(),
            start: 0,
            stop: -1,
        },
        Command::ZLexCount {
            key: key().into(),
            min: LexBound::Min,
            max: LexBound::Max,
        },
        Command::ZRemRangeByLex {
            key: key().into(),
            min: LexBound::Min,
            max: LexBound::Max,
        },
        Command::ZRandMember {
            key: key().into(),
            count: None,
            with_scores: false,
        },
        Command::ZRandMember {
            key: key().into(),
            count: Some(-3),
            with_scores: true,
        },
        Command::ZRangeStore {
            destination: key().into(),
            source: key().into(),
            by: ZRangeBy::Rank { start: 0, stop: -1 },
            options: ZRangeOptions::new(),
        },
        Command::ZUnionStore {
            destination: key().into(),
            keys: vec![key().into()],
            options: ZCombineOptions::new(),
        },
        Command::ZInterCard {
            keys: vec![key().into()],
            limit: None,
        },
        Command::ZMPop {
            keys: vec![key().into()],
            end: ZPopEnd::Max,
            count: None,
        },
        Command::BZMPop {
            keys: vec![key().into()],
            end: ZPopEnd::Min,
            count: Some(2),
            timeout: Duration::from_millis(100),
        },
        Command::ZScan {
            key: key().into(),
            cursor: 0,
            options: ScanOptions::new(),
        },
        Command::ZRankWithScore {
            key: key().into(),
            member: b("a"),
        },
        Command::ZRevRankWithScore {
            key: key().into(),
            member: b("a"),
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
