//! Conformance cases ported from Redis's `tests/unit/type/hash.tcl`, which runs its hash tests
//! for a listpack and a hash table. Each case here runs at a size under and a size over the
//! memory engine's packing thresholds (32 fields, 64-byte fields or values).

use std::collections::{HashMap, HashSet};

use super::super::TestStore;
use super::super::keyspace::assert_error;
use crate::Name;
use crate::prelude::*;

/// The sizes each case runs at: packed, and well past the packing limit.
const SIZES: [usize; 2] = [8, 100];

/// `key` with fields `f0`… and values `v0`…, and the same as a model.
async fn fill(store: &TestStore, key: &str, n: usize) -> HashMap<Name, Bytes> {
    let model: HashMap<Name, Bytes> = (0..n)
        .map(|i| {
            (
                Name::from(format!("f{i}").as_str()),
                Bytes::from(format!("v{i}")),
            )
        })
        .collect();
    store
        .hset_multiple(key, model.clone().into_iter().collect::<Vec<_>>())
        .await
        .unwrap();
    model
}

/// "HRANDFIELD with `<count>` against non existing key", "HRANDFIELD count of 0 is handled
/// correctly", "HRANDFIELD with `<count>`" (positive: distinct, at most the size; negative:
/// exactly that many, repeats allowed) and "HRANDFIELD with `<count>` WITHVALUES" (each value is
/// its field's), at both encodings.
pub async fn test_hrandfield_count_signs_both_encodings(store: TestStore) {
    for n in SIZES {
        let key = format!("h{n}");
        let model = fill(&store, &key, n).await;
        for count in [0_i64, 1, 5, n as i64 - 1, n as i64, n as i64 + 10, 1000] {
            let fields = store.hrandfield_count(&key, count).await.unwrap();
            let want = (count as usize).min(n);
            assert_eq!(fields.len(), want, "n={n} HRANDFIELD {count}: how many");
            let distinct: HashSet<_> = fields.iter().collect();
            assert_eq!(distinct.len(), want, "n={n} HRANDFIELD {count}: distinct");
            assert!(
                fields.iter().all(|f| model.contains_key(f)),
                "n={n} HRANDFIELD {count}: only existing fields"
            );
        }
        for count in [-1_i64, -5, -(n as i64), -(n as i64) - 10, -1000] {
            let pairs = store.hrandfield_with_values(&key, count).await.unwrap();
            assert_eq!(
                pairs.len(),
                count.unsigned_abs() as usize,
                "n={n} HRANDFIELD {count} WITHVALUES: exactly |count| pairs"
            );
            assert!(
                pairs.iter().all(|(f, v)| model.get(f) == Some(v)),
                "n={n} HRANDFIELD {count} WITHVALUES: each value is its field's"
            );
        }
        let pairs = store.hrandfield_with_values(&key, 1000).await.unwrap();
        let got: HashMap<Name, Bytes> = pairs.into_iter().collect();
        assert_eq!(
            got, model,
            "n={n} HRANDFIELD 1000 WITHVALUES is the whole hash"
        );
    }
    assert_eq!(
        store.hrandfield_count("missing", -5).await.unwrap(),
        Vec::<Name>::new(),
        "HRANDFIELD of a missing key with a count is empty"
    );
}

/// "Is a ziplist encoded Hash promoted on big payload?", "HGETALL against big hash", "HDEL and
/// return value" and "HINCRBY against hash key originally set with HSET": a value over 64
/// bytes in a small hash, then `HINCRBY`/`HINCRBYFLOAT` on fields set with `HSET`, and `HDEL`
/// back down, with `HGETALL`, `HLEN`, `HSTRLEN` checked against the model.
pub async fn test_hash_big_payload_and_counters_both_encodings(store: TestStore) {
    for n in SIZES {
        let key = format!("h{n}");
        let mut model = fill(&store, &key, n).await;
        let big = Bytes::from("x".repeat(200));
        assert!(
            store.hset(&key, "big", big.clone()).await.unwrap(),
            "n={n}: HSET of a new field with a big value is 1"
        );
        model.insert(Name::from("big"), big);
        assert_eq!(
            store.hstrlen(&key, "big").await.unwrap(),
            200,
            "n={n} HSTRLEN of the big value"
        );
        store.hset(&key, "num", "17179869184").await.unwrap();
        assert_eq!(
            store.hincrby(&key, "num", 1).await.unwrap(),
            17179869185,
            "n={n} HINCRBY over 32 bits on a field set by HSET"
        );
        assert_eq!(
            store.hincrbyfloat(&key, "num", 0.5).await.unwrap(),
            17179869185.5,
            "n={n} HINCRBYFLOAT over an HINCRBY result"
        );
        model.insert(Name::from("num"), Bytes::from("17179869185.5"));
        assert_eq!(
            store.hgetall(&key).await.unwrap(),
            model,
            "n={n} HGETALL after the big value and the counters"
        );
        let gone: Vec<Name> = (0..n / 2)
            .map(|i| Name::from(format!("f{i}").as_str()))
            .collect();
        let mut asked = gone.clone();
        asked.push(Name::from("no-such-field"));
        assert_eq!(
            store.hdel_multiple(&key, asked).await.unwrap(),
            gone.len() as u64,
            "n={n} HDEL counts only the fields that existed"
        );
        for f in &gone {
            model.remove(f);
        }
        assert_eq!(
            store.hlen(&key).await.unwrap(),
            model.len() as u64,
            "n={n} HLEN after HDEL"
        );
        assert_eq!(
            store.hgetall(&key).await.unwrap(),
            model,
            "n={n} HGETALL after HDEL"
        );
    }
}

/// What Redis 7.0 stores for `HINCRBYFLOAT 1` on `1e400` (`%.17Lf` of the long double sum).
const BIG_SUM: &str = "10000000000000000000281880683947586514586453433629052038625910693539685534008629862039363994848324160522094053927317616200295822777259255734023828976593340661017797447434546173917862448116674971723778943824391593338047470675026246684401359237513603830343735485505244955964979021825038280091068414947402456898653040951017512658092615827588920183472511643316591362664138176309734806343732497430221946880";

/// "HINCRBY fails against hash value with spaces (left/right)", "HINCRBYFLOAT fails against
/// hash value with spaces", "… that contains a null-terminator in the middle", "HINCRBY can
/// detect overflows" and "HSTRLEN corner cases", at both encodings: which stored texts Redis
/// reads as an integer or a float, and what it makes of them.
pub async fn test_hincr_on_odd_texts_both_encodings(store: TestStore) {
    // (stored text, HINCRBY 1 result or Redis's error, HINCRBYFLOAT 1 result or None when
    // refused).
    const NOT_INT: &str = "hash value is not an integer";
    let cases: [(&str, Result<i64, &str>, Option<f64>); 18] = [
        ("11", Ok(12), Some(12.0)),
        (" 11", Err(NOT_INT), None),
        ("11 ", Err(NOT_INT), None),
        ("1\u{0}2", Err(NOT_INT), None),
        ("+1", Err(NOT_INT), Some(2.0)),
        ("012", Err(NOT_INT), Some(13.0)),
        ("-0", Err(NOT_INT), Some(1.0)),
        ("0", Ok(1), Some(1.0)),
        ("1e3", Err(NOT_INT), Some(1001.0)),
        ("1.5", Err(NOT_INT), Some(2.5)),
        (
            "9223372036854775807",
            Err("increment or decrement would overflow"),
            Some(2f64.powi(63)),
        ),
        ("9223372036854775808", Err(NOT_INT), Some(2f64.powi(63))),
        (
            "-9223372036854775808",
            Ok(-9223372036854775807),
            Some(-(2f64.powi(63))),
        ),
        ("", Err(NOT_INT), None),
        ("0x10", Err(NOT_INT), Some(17.0)),
        ("1e400", Err(NOT_INT), Some(f64::INFINITY)),
        ("1e5000", Err(NOT_INT), None),
        ("nan", Err(NOT_INT), None),
    ];
    for n in SIZES {
        let key = format!("h{n}");
        fill(&store, &key, n).await;
        for (text, int, float) in cases {
            store.hset(&key, "f", text).await.unwrap();
            assert_eq!(
                store.hstrlen(&key, "f").await.unwrap(),
                text.len() as u64,
                "n={n} HSTRLEN of {text:?}"
            );
            match int {
                Ok(want) => assert_eq!(
                    store.hincrby(&key, "f", 1).await.unwrap(),
                    want,
                    "n={n} HINCRBY 1 on {text:?}"
                ),
                Err(says) => assert_error(
                    store.hincrby(&key, "f", 1).await,
                    ErrorKind::InvalidInput,
                    says,
                    &format!("n={n} HINCRBY 1 on {text:?}"),
                ),
            }
            store.hset(&key, "f", text).await.unwrap();
            match float {
                Some(want) => assert_eq!(
                    store.hincrbyfloat(&key, "f", 1.0).await.unwrap(),
                    want,
                    "n={n} HINCRBYFLOAT 1 on {text:?}"
                ),
                None => assert_error(
                    store.hincrbyfloat(&key, "f", 1.0).await,
                    ErrorKind::InvalidInput,
                    "hash value is not a float",
                    &format!("n={n} HINCRBYFLOAT 1 on {text:?}"),
                ),
            }
        }
        // 1e400 is finite as Redis's long double: the sum is stored in full (f64 reads the
        // reply as inf), and the digits are those of the long double.
        store.hset(&key, "f", "1e400").await.unwrap();
        store.hincrbyfloat(&key, "f", 1.0).await.unwrap();
        assert_eq!(
            store.hget(&key, "f").await.unwrap(),
            Some(Bytes::from(BIG_SUM)),
            "n={n}: the text HINCRBYFLOAT stored for 1e400 + 1"
        );
        store.hset(&key, "n", "-9223372036854775484").await.unwrap();
        assert_eq!(
            store.hincrby(&key, "n", -1).await.unwrap(),
            -9223372036854775485,
            "n={n} HINCRBY -1 near the bottom"
        );
        assert_error(
            store.hincrby(&key, "n", -10000).await,
            ErrorKind::InvalidInput,
            "increment or decrement would overflow",
            &format!("n={n} HINCRBY past i64::MIN"),
        );
        assert_eq!(
            store.hget(&key, "n").await.unwrap(),
            Some(Bytes::from("-9223372036854775485")),
            "n={n}: the refused HINCRBY changed nothing"
        );
    }
}

/// The packing boundary itself (tcl's "Is the small hash encoded with a listpack?" and "Is a
/// ziplist encoded Hash promoted on big payload?", at our thresholds): fields added one at a
/// time from 30 to 35, fields and values of 63, 64 and 65 bytes, and `HDEL` back down, with
/// `HGETALL` checked after every step.
pub async fn test_hash_packing_boundary(store: TestStore) {
    let key = "hb";
    let mut model = fill(&store, key, 30).await;
    for i in 30..35 {
        let (f, v) = (
            Name::from(format!("f{i}").as_str()),
            Bytes::from(format!("v{i}")),
        );
        assert!(
            store.hset(key, &f, v.clone()).await.unwrap(),
            "HSET f{i} is new"
        );
        model.insert(f, v);
        assert_eq!(
            store.hgetall(key).await.unwrap(),
            model,
            "after adding f{i}"
        );
    }
    let small = "hb-small";
    let mut small_model = fill(&store, small, 3).await;
    for len in [63_usize, 64, 65] {
        let field = Name::from("k".repeat(len).as_str());
        let value = Bytes::from("v".repeat(len));
        store.hset(small, &field, "short").await.unwrap();
        store.hset(small, "f0", value.clone()).await.unwrap();
        small_model.insert(field, Bytes::from("short"));
        small_model.insert(Name::from("f0"), value);
        assert_eq!(
            store.hgetall(small).await.unwrap(),
            small_model,
            "after a {len}-byte field and value"
        );
    }
    for i in 0..6 {
        let f = Name::from(format!("f{i}").as_str());
        assert!(store.hdel(key, &f).await.unwrap(), "HDEL f{i}");
        model.remove(&f);
    }
    assert_eq!(store.hgetall(key).await.unwrap(), model, "after shrinking");
}
