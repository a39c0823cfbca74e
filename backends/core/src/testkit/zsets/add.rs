//! Conformance cases for `ZADD` with every option (`NX`, `XX`, `GT`, `LT`, `CH`, `INCR`), its
//! invalid combinations and scores, and `ZINCRBY`.

use super::super::TestStore;
use super::super::keyspace::assert_kind;
use super::{all, b, scored};
use crate::prelude::*;

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
            .zadd_options(
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
            .zadd_options("z", [(9.0, "a"), (2.0, "b")], nx)
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
            .zadd_options("missing", [(1.0, "a")], xx)
            .await
            .unwrap(),
        0,
        "ZADD XX on a missing key adds nothing"
    );
    assert_eq!(
        store.exists_multiple(&["missing"]).await.unwrap(),
        0,
        "ZADD XX does not create the key"
    );
    store.zadd("z", 1.0, "a").await.unwrap();
    assert_eq!(
        store
            .zadd_options("z", [(5.0, "a"), (2.0, "b")], xx)
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
        .zadd_options("z", [(5.0, "a"), (5.0, "b")], ZAddOptions::new())
        .await
        .unwrap();
    let gt = ZAddOptions::new().comparison(ZAddComparison::Gt);
    let lt = ZAddOptions::new().comparison(ZAddComparison::Lt);
    assert_eq!(
        store
            .zadd_options("z", [(3.0, "a"), (7.0, "b"), (1.0, "new")], gt)
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
        .zadd_options("z", [(6.0, "a"), (2.0, "b"), (5.0, "new")], lt)
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
        .zadd_options("z", [(1.0, "a"), (2.0, "b")], ZAddOptions::new())
        .await
        .unwrap();
    let ch = ZAddOptions::new().ch(true);
    assert_eq!(
        store
            .zadd_options("z", [(1.0, "a"), (3.0, "b"), (4.0, "c")], ch)
            .await
            .unwrap(),
        2,
        "ZADD CH counts b (updated) and c (added), not a (same score)"
    );
    let gt_ch = ZAddOptions::new().comparison(ZAddComparison::Gt).ch(true);
    assert_eq!(
        store
            .zadd_options("z", [(0.0, "a"), (6.0, "b"), (7.0, "d")], gt_ch)
            .await
            .unwrap(),
        2,
        "ZADD GT CH counts the raised and the added member"
    );
    let nx_ch = ZAddOptions::new().condition(SetCondition::Nx).ch(true);
    assert_eq!(
        store.zadd_options("z", [(9.0, "a")], nx_ch).await.unwrap(),
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
        store.zadd_options("z", [(1.0, "a")], nx_gt).await,
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
        store.exists_multiple(&["z"]).await.unwrap(),
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
        store.exists_multiple(&["z"]).await.unwrap(),
        0,
        "ZADD NaN created nothing"
    );
}

/// `+inf` and `-inf` are valid scores and sort at the ends.
pub async fn test_zadd_infinite_scores(store: TestStore) {
    store
        .zadd_options(
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
        store.zincrby("z", -4.0, "a").await.unwrap(),
        -1.5,
        "ZINCRBY adds a negative delta"
    );
    assert_eq!(
        store.zincrby("z", f64::NEG_INFINITY, "a").await.unwrap(),
        f64::NEG_INFINITY,
        "ZINCRBY can reach -inf"
    );
}

/// An increment whose result is NaN (`+inf` + `-inf`) is `InvalidInput`; the score stays.
pub async fn test_zincrby_nan_result_invalid(store: TestStore) {
    store.zadd("z", f64::INFINITY, "a").await.unwrap();
    assert_kind(
        store.zincrby("z", f64::NEG_INFINITY, "a").await,
        ErrorKind::InvalidInput,
        "ZINCRBY producing NaN is an error",
    );
    assert_kind(
        store.zincrby("z", f64::NAN, "a").await,
        ErrorKind::InvalidInput,
        "ZINCRBY by NaN is an error",
    );
    assert_eq!(
        store.zscore("z", "a").await.unwrap(),
        Some(f64::INFINITY),
        "a refused ZINCRBY changes nothing"
    );
}
