//! Conformance cases ported from Redis's `tests/unit/type/list.tcl`, which runs its list tests
//! for a listpack and a quicklist. Each case here runs at a size under and a size over the
//! memory engine's packing thresholds (32 elements, 64-byte elements), checking every reply
//! against a plain `Vec` model.

use super::super::TestStore;
use super::super::keyspace::assert_kind;
use crate::prelude::*;

/// The sizes each case runs at: packed, and well past the packing limit.
const SIZES: [usize; 2] = [6, 100];

fn b(s: &str) -> Bytes {
    Bytes::copy_from_slice(s.as_bytes())
}

/// `key` holding `e0`, `e1`, … `e{n-1}`, and the same as a model.
async fn fill(store: &TestStore, key: &str, n: usize) -> Vec<Bytes> {
    let model: Vec<Bytes> = (0..n).map(|i| b(&format!("e{i}"))).collect();
    store.rpush_multiple(key, model.clone()).await.unwrap();
    model
}

/// Redis's `LRANGE` index rules over a model of length `len`.
fn clamp(len: usize, start: i64, stop: i64) -> Option<(usize, usize)> {
    let len = len as i64;
    let start = if start < 0 {
        (len + start).max(0)
    } else {
        start
    };
    let stop = if stop < 0 {
        len + stop
    } else {
        stop.min(len - 1)
    };
    (start <= stop && start < len).then_some((start as usize, stop as usize))
}

/// The index pairs of "LRANGE out of range indexes including the full list", "LRANGE out of
/// range negative end index", "LTRIM out of range negative end index" and friends.
const PAIRS: [(i64, i64); 12] = [
    (0, -1),
    (-1000, 1000),
    (1, -2),
    (-3, -1),
    (5, 3),
    (-1, -5),
    (0, -1000),
    (1000, 2000),
    (-1000, -999),
    (2, 2),
    (-2, 1000),
    (0, 0),
];

/// "LRANGE basics", "LRANGE inverted indexes", "LRANGE out of range indexes including the full
/// list", "LINDEX consistency test" and "LTRIM basics" at both encodings.
pub async fn test_lrange_ltrim_odd_indexes_both_encodings(store: TestStore) {
    for n in SIZES {
        let key = format!("l{n}");
        let model = fill(&store, &key, n).await;
        for (start, stop) in PAIRS {
            let want: Vec<Bytes> = clamp(n, start, stop)
                .map(|(a, z)| model[a..=z].to_vec())
                .unwrap_or_default();
            assert_eq!(
                store.lrange(&key, start, stop).await.unwrap(),
                want,
                "n={n} LRANGE {start} {stop}"
            );
        }
        for index in [-1000, -(n as i64), -1, 0, n as i64 - 1, n as i64, 1000] {
            let at = if index < 0 { n as i64 + index } else { index };
            let want = (0..n as i64)
                .contains(&at)
                .then(|| model[at as usize].clone());
            assert_eq!(
                store.lindex(&key, index).await.unwrap(),
                want,
                "n={n} LINDEX {index}"
            );
        }
        for (start, stop) in PAIRS {
            let trimmed = format!("t{n}");
            fill(&store, &trimmed, n).await;
            store.ltrim(&trimmed, start, stop).await.unwrap();
            let want: Vec<Bytes> = clamp(n, start, stop)
                .map(|(a, z)| model[a..=z].to_vec())
                .unwrap_or_default();
            assert_eq!(
                store.lrange(&trimmed, 0, -1).await.unwrap(),
                want,
                "n={n} LTRIM {start} {stop}"
            );
            assert_eq!(
                store.exists_multiple(&[trimmed.as_str()]).await.unwrap(),
                u64::from(!want.is_empty()),
                "n={n} LTRIM {start} {stop}: an emptied list is deleted"
            );
            store.del(&trimmed).await.unwrap();
        }
    }
}

/// "LINSERT", "LINSERT against non-list value error" neighbours, "LSET", "LSET out of range
/// index" and "LINSERT raise error on bad syntax" at both encodings, with a value longer than
/// 64 bytes that makes a small list convert (tcl: "check encoding - big value").
pub async fn test_linsert_lset_both_encodings(store: TestStore) {
    let long = b(&"v".repeat(100));
    for n in SIZES {
        let key = format!("l{n}");
        let mut model = fill(&store, &key, n).await;
        let last = model[n - 1].clone();
        assert_eq!(
            store
                .linsert(&key, InsertPosition::Before, "e0", long.clone())
                .await
                .unwrap(),
            n as i64 + 1,
            "n={n} LINSERT BEFORE the head replies the new length"
        );
        model.insert(0, long.clone());
        assert_eq!(
            store
                .linsert(&key, InsertPosition::After, last.clone(), "tail")
                .await
                .unwrap(),
            n as i64 + 2,
            "n={n} LINSERT AFTER the last element"
        );
        model.push(b("tail"));
        assert_eq!(
            store
                .linsert(&key, InsertPosition::After, "nope", "x")
                .await
                .unwrap(),
            -1,
            "n={n} LINSERT with a missing pivot is -1"
        );
        assert_eq!(
            store
                .linsert(&key, InsertPosition::Before, long.clone(), "first")
                .await
                .unwrap(),
            n as i64 + 3,
            "n={n} LINSERT before the long element"
        );
        model.insert(0, b("first"));
        let mid = model.len() as i64 / 2;
        store.lset(&key, -mid, long.clone()).await.unwrap();
        let at = model.len() - mid as usize;
        model[at] = long.clone();
        store.lset(&key, 1, "short").await.unwrap();
        model[1] = b("short");
        for index in [model.len() as i64, -(model.len() as i64) - 1] {
            assert_kind(
                store.lset(&key, index, "x").await,
                ErrorKind::InvalidInput,
                &format!("n={n} LSET {index} is out of range"),
            );
        }
        assert_eq!(
            store.lrange(&key, 0, -1).await.unwrap(),
            model,
            "n={n}: the list after the inserts and sets"
        );
    }
}

/// "LREM remove all the occurrences", "LREM remove the first occurrence", "LREM starting from
/// tail with negative count" and "LPOS RANK / COUNT / MAXLEN" at both encodings, over a list
/// where one value repeats every fifth element (13 elements: three copies, still packed).
pub async fn test_lrem_lpos_repeats_both_encodings(store: TestStore) {
    for n in [13, 100] {
        let key = format!("l{n}");
        let mut model: Vec<Bytes> = (0..n)
            .map(|i| {
                if i % 5 == 2 {
                    b("dup")
                } else {
                    b(&format!("e{i}"))
                }
            })
            .collect();
        store.rpush_multiple(&key, model.clone()).await.unwrap();
        let spots: Vec<u64> = (0..n as u64).filter(|i| i % 5 == 2).collect();
        assert_eq!(
            store
                .lpos_count(&key, "dup", 0, LPosOptions::new())
                .await
                .unwrap(),
            spots,
            "n={n} LPOS COUNT 0 lists every match"
        );
        assert_eq!(
            store
                .lpos_options(&key, "dup", LPosOptions::new().rank(-2))
                .await
                .unwrap(),
            spots.iter().rev().nth(1).copied(),
            "n={n} LPOS RANK -2"
        );
        assert_eq!(
            store
                .lpos_count(&key, "dup", 0, LPosOptions::new().rank(-1).maxlen(8))
                .await
                .unwrap(),
            spots
                .iter()
                .rev()
                .filter(|i| **i + 8 >= n as u64)
                .copied()
                .collect::<Vec<_>>(),
            "n={n} LPOS RANK -1 MAXLEN 8 scans only the last 8"
        );
        // LREM 1 from the head, LREM -1 from the tail, then LREM 0 for the rest.
        assert_eq!(store.lrem(&key, 1, "dup").await.unwrap(), 1, "n={n} LREM 1");
        let first = model.iter().position(|e| e == "dup").unwrap();
        model.remove(first);
        assert_eq!(
            store.lrem(&key, -1, "dup").await.unwrap(),
            1,
            "n={n} LREM -1"
        );
        let last = model.iter().rposition(|e| e == "dup").unwrap();
        model.remove(last);
        assert_eq!(
            store.lrange(&key, 0, -1).await.unwrap(),
            model,
            "n={n}: LREM 1 and -1 removed the first and last copies"
        );
        let left = model.iter().filter(|e| *e == "dup").count() as u64;
        assert_eq!(
            store.lrem(&key, 0, "dup").await.unwrap(),
            left,
            "n={n} LREM 0"
        );
        model.retain(|e| e != "dup");
        assert_eq!(
            store.lrange(&key, 0, -1).await.unwrap(),
            model,
            "n={n}: LREM 0 removed every copy"
        );
    }
}

/// "LMOVE $wherefrom $whereto with $type source and existing target $othertype", "LMOVE …
/// with the same list as src and dst", "RPOPLPUSH against non list dst key" and "Mass
/// RPOP/LPOP": every direction between a packed and a big list (either way round), a rotation
/// of a big list, a `WRONGTYPE` destination leaving the source alone, and popping a big list
/// dry from both ends.
pub async fn test_lmove_across_encodings(store: TestStore) {
    use std::collections::VecDeque;
    let ends = [ListEnd::Left, ListEnd::Right];
    for (src_n, dst_n) in [(5, 100), (100, 5), (100, 100), (5, 5)] {
        for from in ends {
            for to in ends {
                let src = "{l}src";
                let dst = "{l}dst";
                store.del_multiple(&[src, dst]).await.unwrap();
                let mut s: VecDeque<Bytes> = fill(&store, src, src_n).await.into();
                let mut d: VecDeque<Bytes> = (0..dst_n).map(|i| b(&format!("d{i}"))).collect();
                store
                    .rpush_multiple(dst, d.iter().cloned().collect::<Vec<_>>())
                    .await
                    .unwrap();
                for _ in 0..3 {
                    let moved = match from {
                        ListEnd::Left => s.pop_front(),
                        ListEnd::Right => s.pop_back(),
                    }
                    .unwrap();
                    match to {
                        ListEnd::Left => d.push_front(moved.clone()),
                        ListEnd::Right => d.push_back(moved.clone()),
                    }
                    assert_eq!(
                        store.lmove(src, dst, from, to).await.unwrap(),
                        Some(moved),
                        "{src_n}->{dst_n} LMOVE {from:?} {to:?}"
                    );
                }
                assert_eq!(
                    store.lrange(src, 0, -1).await.unwrap(),
                    Vec::from(s),
                    "{src_n}->{dst_n} LMOVE {from:?} {to:?}: the source"
                );
                assert_eq!(
                    store.lrange(dst, 0, -1).await.unwrap(),
                    Vec::from(d),
                    "{src_n}->{dst_n} LMOVE {from:?} {to:?}: the destination"
                );
            }
        }
    }
    // A big list rotated onto itself.
    store.del("{l}rot").await.unwrap();
    let mut model: VecDeque<Bytes> = fill(&store, "{l}rot", 100).await.into();
    for _ in 0..5 {
        let last = model.pop_back().unwrap();
        model.push_front(last.clone());
        assert_eq!(
            store
                .lmove("{l}rot", "{l}rot", ListEnd::Right, ListEnd::Left)
                .await
                .unwrap(),
            Some(last),
            "LMOVE RIGHT LEFT of a list onto itself"
        );
    }
    assert_eq!(
        store.lrange("{l}rot", 0, -1).await.unwrap(),
        Vec::from(model.clone()),
        "the big list rotated by 5"
    );
    store.set("{l}str", "x").await.unwrap();
    assert_kind(
        store
            .lmove("{l}rot", "{l}str", ListEnd::Left, ListEnd::Left)
            .await,
        ErrorKind::WrongType,
        "LMOVE into a string",
    );
    assert_eq!(
        store.llen("{l}rot").await.unwrap(),
        100,
        "a refused LMOVE leaves the source alone"
    );
    // Pop it dry from both ends.
    while !model.is_empty() {
        let front = model.pop_front();
        assert_eq!(store.lpop("{l}rot").await.unwrap(), front, "LPOP");
        let back = model.pop_back();
        assert_eq!(store.rpop("{l}rot").await.unwrap(), back, "RPOP");
    }
    assert_eq!(
        store.exists_multiple(&["{l}rot"]).await.unwrap(),
        0,
        "the list popped dry is gone"
    );
}

/// The packing boundary itself (tcl's "check encoding" cases, at our thresholds): a list grown
/// one element at a time from 30 to 35 by `LINSERT`, `LPUSH` and `RPUSH`, with elements of
/// 63, 64 and 65 bytes set by `LSET`, then shrunk back by `LPOP`/`LTRIM`, whole-list checked
/// after every step.
pub async fn test_list_packing_boundary(store: TestStore) {
    let key = "lb";
    let mut model = fill(&store, key, 30).await;
    for step in 0..5 {
        match step % 3 {
            0 => {
                let pivot = model[model.len() / 2].clone();
                store
                    .linsert(key, InsertPosition::After, pivot, format!("ins{step}"))
                    .await
                    .unwrap();
                model.insert(model.len() / 2 + 1, b(&format!("ins{step}")));
            }
            1 => {
                store.lpush(key, format!("head{step}")).await.unwrap();
                model.insert(0, b(&format!("head{step}")));
            }
            _ => {
                store.rpush(key, format!("tail{step}")).await.unwrap();
                model.push(b(&format!("tail{step}")));
            }
        }
        assert_eq!(
            store.lrange(key, 0, -1).await.unwrap(),
            model,
            "after growing step {step} (length {})",
            model.len()
        );
    }
    for (index, len) in [(0_i64, 63_usize), (-1, 64), (17, 65), (17, 3)] {
        let value = b(&"z".repeat(len));
        store.lset(key, index, value.clone()).await.unwrap();
        let at = if index < 0 {
            model.len() - 1
        } else {
            index as usize
        };
        model[at] = value;
        assert_eq!(
            store.lrange(key, 0, -1).await.unwrap(),
            model,
            "after LSET {index} of a {len}-byte value"
        );
    }
    for _ in 0..4 {
        let front = model.remove(0);
        assert_eq!(store.lpop(key).await.unwrap(), Some(front), "LPOP");
    }
    store.ltrim(key, 1, -2).await.unwrap();
    model = model[1..model.len() - 1].to_vec();
    assert_eq!(
        store.lrange(key, 0, -1).await.unwrap(),
        model,
        "after shrinking below the boundary"
    );
}
