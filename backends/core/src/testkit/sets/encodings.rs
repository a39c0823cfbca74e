//! Conformance cases ported from Redis's `tests/unit/type/set.tcl`, which runs its set tests
//! for listpack, intset and hash-table sets. Each case here mixes a set under and a set over
//! the memory engine's packing thresholds (32 members, 64-byte members) and checks every reply
//! against a `BTreeSet` model. The keys share a hash tag, so a cluster can serve them.

use std::collections::BTreeSet;

use super::super::TestStore;
use crate::prelude::*;

fn sorted(members: Vec<Bytes>) -> Vec<Bytes> {
    let mut members = members;
    members.sort();
    members
}

/// `key` with the integers `range` as members (an intset in Redis when small).
async fn ints(store: &TestStore, key: &str, range: impl Iterator<Item = usize>) -> BTreeSet<Bytes> {
    let model: BTreeSet<Bytes> = range.map(|i| Bytes::from(i.to_string())).collect();
    store
        .sadd_multiple(key, model.iter().cloned().collect::<Vec<_>>())
        .await
        .unwrap();
    model
}

/// "SINTER against three sets", "SUNION with non existing keys", "SDIFF with first set
/// empty", "SDIFF with same set two times", "SINTERSTORE with two sets" and "SINTERCARD with
/// two sets" (with `LIMIT`), over a big set (0..200), a small one (every 7th of 0..200, plus a
/// long member) and a missing key.
pub async fn test_set_algebra_mixed_encodings(store: TestStore) {
    let big = ints(&store, "{s}big", 0..200).await;
    let mut small = ints(&store, "{s}small", (0..200).step_by(7)).await;
    let long = Bytes::from("l".repeat(80));
    store.sadd("{s}small", long.clone()).await.unwrap();
    small.insert(long.clone());
    let inter: Vec<Bytes> = big.intersection(&small).cloned().collect();
    let union: Vec<Bytes> = big.union(&small).cloned().collect();
    let diff: Vec<Bytes> = big.difference(&small).cloned().collect();
    assert_eq!(
        sorted(store.sinter(["{s}big", "{s}small"]).await.unwrap()),
        inter,
        "SINTER big small"
    );
    assert_eq!(
        store
            .sinter(["{s}big", "{s}small", "{s}missing"])
            .await
            .unwrap(),
        Vec::<Bytes>::new(),
        "SINTER with a missing key is empty"
    );
    assert_eq!(
        sorted(
            store
                .sunion(["{s}missing", "{s}small", "{s}big"])
                .await
                .unwrap()
        ),
        union,
        "SUNION ignores a missing key"
    );
    assert_eq!(
        sorted(
            store
                .sdiff(["{s}big", "{s}small", "{s}missing"])
                .await
                .unwrap()
        ),
        diff,
        "SDIFF big small missing"
    );
    assert_eq!(
        store.sdiff(["{s}missing", "{s}big"]).await.unwrap(),
        Vec::<Bytes>::new(),
        "SDIFF with a missing first key is empty"
    );
    assert_eq!(
        store.sdiff(["{s}small", "{s}small"]).await.unwrap(),
        Vec::<Bytes>::new(),
        "SDIFF of a set with itself is empty"
    );
    assert_eq!(
        sorted(store.sdiff(["{s}small", "{s}big"]).await.unwrap()),
        vec![long.clone()],
        "SDIFF small big keeps only the long member"
    );
    assert_eq!(
        store
            .sinterstore("{s}dst", ["{s}small", "{s}big"])
            .await
            .unwrap(),
        inter.len() as u64,
        "SINTERSTORE counts the stored members"
    );
    assert_eq!(
        sorted(store.smembers("{s}dst").await.unwrap()),
        inter,
        "SINTERSTORE stored the intersection"
    );
    assert_eq!(
        store
            .sinterstore("{s}dst", ["{s}big", "{s}missing"])
            .await
            .unwrap(),
        0,
        "SINTERSTORE of an empty result"
    );
    assert_eq!(
        store.exists_multiple(&["{s}dst"]).await.unwrap(),
        0,
        "an empty SINTERSTORE result deletes the destination"
    );
    let card = inter.len() as u64;
    for (limit, want) in [
        (0, card),
        (1, 1),
        (card - 1, card - 1),
        (card, card),
        (1000, card),
    ] {
        assert_eq!(
            store
                .sintercard_limit(["{s}big", "{s}small"], limit)
                .await
                .unwrap(),
            want,
            "SINTERCARD LIMIT {limit}"
        );
    }
}

/// "SMOVE basics - from regular set to intset", "SMOVE non existing src set" neighbours,
/// "SMISMEMBER SMEMBERS" and "SPOP new implementation: code path #1/#2/#3" (a count under,
/// near and over the size): members move between a big and a small set, and pops with a count
/// take distinct existing members, the whole set when asked for more, deleting the key.
pub async fn test_smove_smismember_spop_mixed_encodings(store: TestStore) {
    let mut big = ints(&store, "{s}big", 0..100).await;
    let mut small = ints(&store, "{s}small", 1000..1005).await;
    let long = Bytes::from("l".repeat(80));
    store.sadd("{s}big", long.clone()).await.unwrap();
    big.insert(long.clone());
    assert!(
        store
            .smove("{s}big", "{s}small", long.clone())
            .await
            .unwrap(),
        "SMOVE of a long member into a small set"
    );
    big.remove(&long);
    small.insert(long.clone());
    assert!(
        store.smove("{s}small", "{s}big", "1000").await.unwrap(),
        "SMOVE from the small set into the big one"
    );
    small.remove(&Bytes::from("1000"));
    big.insert(Bytes::from("1000"));
    assert!(
        !store.smove("{s}small", "{s}big", "1000").await.unwrap(),
        "SMOVE of a member no longer there is 0"
    );
    for (key, model) in [("{s}big", &big), ("{s}small", &small)] {
        assert_eq!(
            sorted(store.smembers(key).await.unwrap()),
            model.iter().cloned().collect::<Vec<_>>(),
            "{key} after the moves"
        );
        let asked: Vec<Bytes> = ["0", "99", "1000", "1001", "nope"]
            .iter()
            .map(|s| Bytes::from(*s))
            .chain([long.clone()])
            .collect();
        let want: Vec<bool> = asked.iter().map(|m| model.contains(m)).collect();
        assert_eq!(
            store.smismember(key, asked).await.unwrap(),
            want,
            "{key} SMISMEMBER"
        );
    }
    let total = big.len() as u64;
    let mut popped = BTreeSet::new();
    for count in [3, total / 2] {
        let got = store.spop_count("{s}big", count).await.unwrap();
        assert_eq!(got.len() as u64, count, "SPOP {count} pops that many");
        for m in got {
            assert!(big.remove(&m), "SPOP {count}: {m:?} was in the set");
            assert!(popped.insert(m), "SPOP never pops a member twice");
        }
        assert_eq!(
            store.scard("{s}big").await.unwrap(),
            big.len() as u64,
            "SCARD after SPOP {count}"
        );
    }
    assert_eq!(
        sorted(store.spop_count("{s}big", total).await.unwrap()),
        big.iter().cloned().collect::<Vec<_>>(),
        "SPOP of more than is left takes the rest"
    );
    assert_eq!(
        store.exists_multiple(&["{s}big"]).await.unwrap(),
        0,
        "SPOP that empties the set deletes the key"
    );
}

/// "SRANDMEMBER with `<count>` - $type", "SRANDMEMBER histogram distribution" and the
/// `ZRANDMEMBER` twins from zset.tcl ("ZRANDMEMBER with `<count>` - $type"), packed and not:
/// a positive count gives distinct members (all of them when the count reaches the size, which
/// Redis serves by another path than a count just under it), a negative count exactly that
/// many with repeats, every member shows up in a long enough negative draw, and each
/// `WITHSCORES` score is its member's.
pub async fn test_random_members_counts_both_encodings(store: TestStore) {
    for n in [9_usize, 100] {
        let skey = format!("{{r}}s{n}");
        let zkey = format!("{{r}}z{n}");
        let members = ints(&store, &skey, 0..n).await;
        store
            .zadd_options(
                &zkey,
                members.iter().map(|m| {
                    let s: f64 = std::str::from_utf8(m).unwrap().parse().unwrap();
                    (s * 1.5, m.clone())
                }),
                ZAddOptions::new(),
            )
            .await
            .unwrap();
        for count in [
            1_i64,
            2,
            n as i64 / 2,
            n as i64 - 1,
            n as i64,
            n as i64 + 1,
            10_000,
        ] {
            let want = (count as usize).min(n);
            let s = store.srandmember_count(&skey, count).await.unwrap();
            let z = store.zrandmember_with_scores(&zkey, count).await.unwrap();
            for (what, got) in [
                ("SRANDMEMBER", s),
                ("ZRANDMEMBER", z.iter().map(|(m, _)| m.clone()).collect()),
            ] {
                let distinct: BTreeSet<Bytes> = got.iter().cloned().collect();
                assert_eq!(got.len(), want, "n={n} {what} {count}: how many");
                assert_eq!(distinct.len(), want, "n={n} {what} {count}: distinct");
                assert!(
                    distinct.is_subset(&members),
                    "n={n} {what} {count}: existing"
                );
            }
            for (m, s) in z {
                let i: f64 = std::str::from_utf8(&m).unwrap().parse().unwrap();
                assert_eq!(
                    s,
                    i * 1.5,
                    "n={n} ZRANDMEMBER {count} WITHSCORES: {m:?}'s score"
                );
            }
        }
        let s = store.srandmember_count(&skey, -5000).await.unwrap();
        let z = store.zrandmember_with_scores(&zkey, -5000).await.unwrap();
        assert_eq!(s.len(), 5000, "n={n} SRANDMEMBER -5000: exactly 5000");
        assert_eq!(z.len(), 5000, "n={n} ZRANDMEMBER -5000: exactly 5000");
        let seen_s: BTreeSet<Bytes> = s.into_iter().collect();
        let seen_z: BTreeSet<Bytes> = z.iter().map(|(m, _)| m.clone()).collect();
        assert_eq!(seen_s, members, "n={n} SRANDMEMBER -5000 drew every member");
        assert_eq!(seen_z, members, "n={n} ZRANDMEMBER -5000 drew every member");
        assert!(
            z.iter().all(|(m, s)| {
                let i: f64 = std::str::from_utf8(m).unwrap().parse().unwrap();
                *s == i * 1.5
            }),
            "n={n} ZRANDMEMBER -5000 WITHSCORES: each score is its member's"
        );
    }
}

/// The packing boundary itself (tcl's "SADD a non-integer against a large intset", "SADD an
/// integer larger than 64 bits" and "SADD overflows the maximum allowed elements in a
/// listpack", at our thresholds): members added one at a time from 30 to 35, a non-integer and
/// a 27-digit integer among integers, members of 63, 64 and 65 bytes, and `SREM` back down.
pub async fn test_set_packing_boundary(store: TestStore) {
    let key = "sb";
    let mut model = ints(&store, key, 0..30).await;
    let extra = ["30", "a", "213244124402402314402033402", "31", "-1"];
    for m in extra {
        assert!(store.sadd(key, m).await.unwrap(), "SADD {m}");
        model.insert(Bytes::from(m));
        assert_eq!(
            sorted(store.smembers(key).await.unwrap()),
            model.iter().cloned().collect::<Vec<_>>(),
            "after adding {m}"
        );
        assert!(store.sismember(key, m).await.unwrap(), "SISMEMBER {m}");
    }
    let small = "sb-small";
    let mut small_model = ints(&store, small, 0..3).await;
    for len in [63_usize, 64, 65] {
        let m = Bytes::from("s".repeat(len));
        store.sadd(small, m.clone()).await.unwrap();
        small_model.insert(m);
        assert_eq!(
            sorted(store.smembers(small).await.unwrap()),
            small_model.iter().cloned().collect::<Vec<_>>(),
            "after a {len}-byte member"
        );
    }
    for m in ["a", "0", "1", "2", "213244124402402314402033402", "29"] {
        assert!(store.srem(key, m).await.unwrap(), "SREM {m}");
        model.remove(&Bytes::from(m));
    }
    assert_eq!(
        sorted(store.smembers(key).await.unwrap()),
        model.iter().cloned().collect::<Vec<_>>(),
        "after shrinking"
    );
}
