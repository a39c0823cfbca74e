//! Conformance cases for `ZLEXCOUNT`, `ZREMRANGEBYLEX`, `ZRANDMEMBER` (counts, `WITHSCORES`,
//! the bound on negative counts), `ZMPOP`/`BZMPOP`, `ZSCAN`, `ZRANK`/`ZREVRANK WITHSCORE`, and
//! the `ZADD` word combinations Redis refuses.

use std::time::{Duration, Instant};

use super::super::TestStore;
use super::super::keyspace::{assert_error, assert_kind};
use super::{all, b, five, names, pair, scored};
use crate::MAX_RANDOM_REPEATS;
use crate::prelude::*;

/// `key` with members `a`..`e`, all scored 0 (a lex-ordered set).
async fn lex_set(store: &TestStore, key: &str) {
    store
        .zadd_multiple(
            key,
            [(0.0, "a"), (0.0, "b"), (0.0, "c"), (0.0, "d"), (0.0, "e")],
        )
        .await
        .unwrap();
}

fn inc(s: &str) -> LexBound {
    LexBound::Inclusive(b(s))
}

fn exc(s: &str) -> LexBound {
    LexBound::Exclusive(b(s))
}

/// `ZLEXCOUNT` counts members between lex bounds; `-`/`+` are the ends.
pub async fn test_zlexcount(store: TestStore) {
    lex_set(&store, "z").await;
    assert_eq!(
        store
            .zlexcount("z", LexBound::Min, LexBound::Max)
            .await
            .unwrap(),
        5
    );
    assert_eq!(
        store.zlexcount("z", inc("b"), exc("d")).await.unwrap(),
        2,
        "[b (d"
    );
    assert_eq!(
        store.zlexcount("z", exc("b"), inc("d")).await.unwrap(),
        2,
        "(b [d"
    );
    assert_eq!(
        store.zlexcount("z", inc("d"), inc("b")).await.unwrap(),
        0,
        "inverted"
    );
    assert_eq!(
        store
            .zlexcount("z", LexBound::Max, LexBound::Min)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .zlexcount("missing", LexBound::Min, LexBound::Max)
            .await
            .unwrap(),
        0,
        "a missing key counts 0"
    );
}

/// `ZREMRANGEBYLEX` removes the members between lex bounds; an emptied set is deleted.
pub async fn test_zremrangebylex(store: TestStore) {
    lex_set(&store, "z").await;
    assert_eq!(
        store.zremrangebylex("z", exc("a"), inc("c")).await.unwrap(),
        2
    );
    assert_eq!(
        store.zrange("z", 0, -1).await.unwrap(),
        names(&["a", "d", "e"])
    );
    assert_eq!(
        store
            .zremrangebylex("z", inc("x"), LexBound::Max)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .zremrangebylex("z", LexBound::Min, LexBound::Max)
            .await
            .unwrap(),
        3
    );
    assert_eq!(
        store.exists_multiple(&["z"]).await.unwrap(),
        0,
        "emptied set deleted"
    );
    assert_eq!(
        store
            .zremrangebylex("z", LexBound::Min, LexBound::Max)
            .await
            .unwrap(),
        0
    );
}

/// `ZRANDMEMBER` without a count: a member or nil; with a count: distinct members for a
/// positive count (all of them when it is at least the size), repeats for a negative one.
pub async fn test_zrandmember_counts(store: TestStore) {
    assert_eq!(
        store.zrandmember("z").await.unwrap(),
        None,
        "missing key: nil"
    );
    assert!(store.zrandmember_count("z", 3).await.unwrap().is_empty());
    assert!(
        store
            .zrandmember_with_scores("z", -3)
            .await
            .unwrap()
            .is_empty()
    );
    five(&store, "z").await;
    let every = names(&["a", "b", "c", "d", "e"]);
    let one = store.zrandmember("z").await.unwrap().expect("a member");
    assert!(every.contains(&one), "ZRANDMEMBER returns a member");
    assert!(
        store.zrandmember_count("z", 0).await.unwrap().is_empty(),
        "count 0"
    );
    let mut got = store.zrandmember_count("z", 10).await.unwrap();
    got.sort();
    assert_eq!(
        got, every,
        "a count above the size returns every member once"
    );
    let three = store.zrandmember_count("z", 3).await.unwrap();
    let mut distinct = three.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 3, "a positive count gives distinct members");
    let many = store.zrandmember_with_scores("z", -20).await.unwrap();
    assert_eq!(many.len(), 20, "a negative count gives exactly that many");
    let scores = all(&store, "z").await;
    for (member, score) in &many {
        assert!(
            scores.contains(&(member.clone(), *score)),
            "WITHSCORES pairs each member with its score"
        );
    }
    let reply = store
        .execute(Command::ZRandMember {
            key: "z".into(),
            count: Some(-1),
            with_scores: true,
        })
        .await
        .unwrap();
    match reply {
        Reply::Array(items) if items.len() == 1 => assert!(
            matches!(&items[0], Reply::Array(p) if p.len() == 2),
            "WITHSCORES answers [member, score] pairs, got {items:?}"
        ),
        other => panic!("ZRANDMEMBER -1 WITHSCORES: one pair expected, got {other:?}"),
    }
}

/// `ZRANDMEMBER` argument errors: `WITHSCORES` without a count, and negative counts beyond
/// staunch's bound (refused before anything is sent, the key untouched).
pub async fn test_zrandmember_errors(store: TestStore) {
    five(&store, "z").await;
    assert_error(
        store
            .execute(Command::ZRandMember {
                key: "z".into(),
                count: None,
                with_scores: true,
            })
            .await,
        ErrorKind::InvalidInput,
        "not an integer",
        "WITHSCORES without a count",
    );
    let beyond = -(MAX_RANDOM_REPEATS as i64) - 1;
    assert_kind(
        store.zrandmember_count("z", beyond).await,
        ErrorKind::InvalidInput,
        "a negative count beyond the limit is refused",
    );
    assert_kind(
        store.zrandmember_count("z", i64::MIN + 1).await,
        ErrorKind::InvalidInput,
        "a huge negative count is refused",
    );
    assert_kind(
        store.zrandmember_with_scores("z", i64::MIN).await,
        ErrorKind::InvalidInput,
        "the most negative count is refused",
    );
    assert_eq!(
        store.zrandmember_count("z", i64::MAX).await.unwrap().len(),
        5,
        "a huge positive count is bounded by the set"
    );
}

/// `ZMPOP` pops from the first non-empty key, from either end, up to `COUNT`; nil when all
/// are empty; `COUNT 0` is an error.
pub async fn test_zmpop(store: TestStore) {
    assert_eq!(
        store.zmpop(["{t}a", "{t}b"], ZPopEnd::Min).await.unwrap(),
        None,
        "nothing to pop: nil"
    );
    five(&store, "{t}b").await;
    assert_eq!(
        store.zmpop(["{t}a", "{t}b"], ZPopEnd::Min).await.unwrap(),
        Some(("{t}b".into(), scored(&[("a", 1.0)]))),
        "ZMPOP MIN pops the lowest of the first non-empty key"
    );
    assert_eq!(
        store.zmpop_count(["{t}b"], ZPopEnd::Max, 2).await.unwrap(),
        Some(("{t}b".into(), scored(&[("e", 5.0), ("d", 4.0)]))),
        "ZMPOP MAX COUNT 2 pops the two highest, highest first"
    );
    let reply = store
        .execute(Command::ZMPop {
            keys: vec!["{t}b".into()],
            end: ZPopEnd::Min,
            count: Some(10),
        })
        .await
        .unwrap();
    assert_eq!(
        reply,
        Reply::Array(vec![
            Reply::Bulk(b("{t}b")),
            Reply::Array(vec![pair("b", 2.0), pair("c", 3.0)])
        ]),
        "the reply is [key, [[member, score], ...]], at most what there is"
    );
    assert_eq!(
        store.exists_multiple(&["{t}b"]).await.unwrap(),
        0,
        "emptied: deleted"
    );
    assert_error(
        store.zmpop_count(["{t}b"], ZPopEnd::Min, 0).await,
        ErrorKind::InvalidInput,
        "count should be greater than 0",
        "ZMPOP COUNT 0",
    );
    store.set("{t}s", "v").await.unwrap();
    assert_kind(
        store.zmpop(["{t}a", "{t}s"], ZPopEnd::Min).await,
        ErrorKind::WrongType,
        "ZMPOP reaching a string is WRONGTYPE",
    );
}

/// `BZMPOP` answers at once when a key has members, and nil after its timeout otherwise.
pub async fn test_bzmpop_times_out_or_pops(store: TestStore) {
    let started = Instant::now();
    assert_eq!(
        store
            .bzmpop(["{t}a"], ZPopEnd::Min, Duration::from_millis(100))
            .await
            .unwrap(),
        None,
        "BZMPOP on empty keys times out with nil"
    );
    assert!(started.elapsed() >= Duration::from_millis(90), "it waited");
    five(&store, "{t}b").await;
    assert_eq!(
        store
            .bzmpop_count(["{t}a", "{t}b"], ZPopEnd::Max, 2, Duration::from_secs(1))
            .await
            .unwrap(),
        Some(("{t}b".into(), scored(&[("e", 5.0), ("d", 4.0)]))),
        "BZMPOP pops at once when it can"
    );
}

/// A `BZMPOP` blocked on empty keys is woken by a `ZADD` from another task.
pub async fn test_bzmpop_woken_by_zadd(store: TestStore) {
    let writer = store.clone();
    let push = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        writer
            .zadd_multiple("{t}z", [(7.0, "late"), (2.0, "early")])
            .await
            .unwrap();
    });
    let started = Instant::now();
    let got = store
        .bzmpop(["{t}other", "{t}z"], ZPopEnd::Min, Duration::from_secs(5))
        .await
        .unwrap();
    push.await.unwrap();
    assert_eq!(
        got,
        Some(("{t}z".into(), scored(&[("early", 2.0)]))),
        "the woken BZMPOP pops the lowest member the ZADD brought"
    );
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "BZMPOP was woken by the ZADD, not by its timeout"
    );
    assert_eq!(all(&store, "{t}z").await, scored(&[("late", 7.0)]));
}

/// `ZSCAN` of a small set returns it whole with cursor 0, scores as Redis prints them, and
/// filters by `MATCH`; `TYPE` and `COUNT 0` are syntax errors; a missing key is an empty page.
pub async fn test_zscan_small_set(store: TestStore) {
    assert_eq!(
        store.zscan("z", 0).await.unwrap(),
        (0, Vec::new()),
        "missing key"
    );
    store
        .zadd_multiple(
            "z",
            [(1.5, "alpha"), (0.1, "beta"), (1e17, "gamma"), (-2.0, "al")],
        )
        .await
        .unwrap();
    let reply = store
        .execute(Command::ZScan {
            key: "z".into(),
            cursor: 0,
            options: ScanOptions::new(),
        })
        .await
        .unwrap();
    let text = |s: &str| Reply::Bulk(b(s));
    assert_eq!(
        reply,
        Reply::Array(vec![
            text("0"),
            Reply::Array(vec![
                text("al"),
                text("-2"),
                text("beta"),
                text("0.10000000000000001"),
                text("alpha"),
                text("1.5"),
                text("gamma"),
                text("100000000000000000"),
            ])
        ]),
        "a small set comes back whole, in order, scores as text"
    );
    assert_eq!(
        store
            .zscan_options("z", 0, ScanOptions::new().pattern("al*"))
            .await
            .unwrap(),
        (0, scored(&[("al", -2.0), ("alpha", 1.5)])),
        "MATCH filters members"
    );
    assert_error(
        store
            .zscan_options("z", 0, ScanOptions::new().key_type(KeyType::ZSet))
            .await,
        ErrorKind::InvalidInput,
        "syntax error",
        "ZSCAN TYPE",
    );
    assert_error(
        store
            .zscan_options("z", 0, ScanOptions::new().count(0))
            .await,
        ErrorKind::InvalidInput,
        "syntax error",
        "ZSCAN COUNT 0",
    );
    store.set("s", "v").await.unwrap();
    assert_kind(
        store.zscan("s", 0).await,
        ErrorKind::WrongType,
        "ZSCAN of a string",
    );
}

/// A full `ZSCAN` of a large set returns every member with its score.
pub async fn test_zscan_large_set_full_iteration(store: TestStore) {
    let members: Vec<(f64, String)> = (0..300)
        .map(|i| (f64::from(i) / 4.0, format!("m{i}")))
        .collect();
    store
        .zadd_multiple("z", members.iter().map(|(s, m)| (*s, m.as_str())))
        .await
        .unwrap();
    let mut seen = std::collections::BTreeMap::new();
    let mut cursor = 0;
    loop {
        let (next, page) = store
            .zscan_options("z", cursor, ScanOptions::new().count(50))
            .await
            .unwrap();
        for (member, score) in page {
            seen.insert(member, score);
        }
        cursor = next;
        if cursor == 0 {
            break;
        }
    }
    assert_eq!(seen.len(), 300, "every member was returned");
    for (score, member) in &members {
        assert_eq!(seen.get(&b(member)), Some(score), "{member} with its score");
    }
}

/// `ZRANK`/`ZREVRANK ... WITHSCORE`: the rank and the score, nil for a missing member or key.
pub async fn test_zrank_with_score(store: TestStore) {
    five(&store, "z").await;
    assert_eq!(
        store.zrank_with_score("z", "b").await.unwrap(),
        Some((1, 2.0))
    );
    assert_eq!(
        store.zrevrank_with_score("z", "b").await.unwrap(),
        Some((3, 2.0))
    );
    assert_eq!(store.zrank_with_score("z", "nobody").await.unwrap(), None);
    assert_eq!(
        store.zrevrank_with_score("missing", "b").await.unwrap(),
        None
    );
    let reply = store
        .execute(Command::ZRankWithScore {
            key: "z".into(),
            member: b("e"),
        })
        .await
        .unwrap();
    assert_eq!(
        reply,
        Reply::Array(vec![Reply::Int(4), Reply::Double(5.0)]),
        "the reply is [rank, score]"
    );
    store.set("s", "v").await.unwrap();
    assert_kind(
        store.zrank_with_score("s", "a").await,
        ErrorKind::WrongType,
        "ZRANK WITHSCORE of a string",
    );
}

/// `ZADD` with `NX` and `XX`, `GT` and `LT`, or `GT`/`LT` with `NX` is refused with Redis's
/// words, and writes nothing.
pub async fn test_zadd_refused_word_combinations(store: TestStore) {
    let refused = [
        (
            ZAddOptions::new().nx(true).xx(true),
            "XX and NX options at the same time are not compatible",
        ),
        (
            ZAddOptions::new().gt(true).lt(true),
            "GT, LT, and/or NX options at the same time are not compatible",
        ),
        (
            ZAddOptions::new().gt(true).nx(true),
            "GT, LT, and/or NX options at the same time are not compatible",
        ),
        (
            ZAddOptions::new().lt(true).nx(true),
            "GT, LT, and/or NX options at the same time are not compatible",
        ),
        (
            ZAddOptions::new().nx(true).xx(true).gt(true).lt(true),
            "XX and NX options at the same time are not compatible",
        ),
        (
            ZAddOptions::new()
                .condition(SetCondition::Nx)
                .condition(SetCondition::Xx),
            "XX and NX options at the same time are not compatible",
        ),
    ];
    for (options, says) in refused {
        assert_error(
            store.zadd_options("z", [(1.0, "a")], options).await,
            ErrorKind::InvalidInput,
            says,
            &format!("ZADD {options:?}"),
        );
        assert_error(
            store.zadd_incr("z", 1.0, "a", options).await,
            ErrorKind::InvalidInput,
            says,
            &format!("ZADD INCR {options:?}"),
        );
    }
    assert_eq!(
        store.exists_multiple(&["z"]).await.unwrap(),
        0,
        "nothing written"
    );
    assert_eq!(
        store
            .zadd_options("z", [(1.0, "a")], ZAddOptions::new().xx(true).gt(true))
            .await
            .unwrap(),
        0,
        "XX GT is allowed"
    );
}
