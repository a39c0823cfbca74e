//! Conformance cases for every combination of `EXPIRE`'s `NX`, `XX`, `GT` and `LT`, and the
//! combinations Redis rejects.

use super::super::TestStore;
use super::{assert_error, assert_kind};
use crate::prelude::*;

fn conditions(words: &str) -> ExpireConditions {
    words
        .split_whitespace()
        .fold(ExpireConditions::new(), |c, word| match word {
            "NX" => c.nx(),
            "XX" => c.xx(),
            "GT" => c.gt(),
            _ => c.lt(),
        })
}

/// `NX` with any other word and `GT` with `LT` are `InvalidInput` with Redis's messages, on
/// a missing key too, and change nothing.
pub async fn test_expire_incompatible_conditions(store: TestStore) {
    store.set("k", "v").await.unwrap();
    let nx_msg = "NX and XX, GT or LT options at the same time are not compatible";
    let gtlt_msg = "GT and LT options at the same time are not compatible";
    for (words, message) in [
        ("NX XX", nx_msg),
        ("NX GT", nx_msg),
        ("LT NX", nx_msg),
        ("NX XX GT LT", nx_msg),
        ("GT LT", gtlt_msg),
        ("XX GT LT", gtlt_msg),
    ] {
        for key in ["k", "missing"] {
            assert_error(
                store
                    .expire_conditions(key, Expiry::Seconds(100), conditions(words))
                    .await,
                ErrorKind::InvalidInput,
                message,
                words,
            );
        }
    }
    assert_eq!(store.ttl("k").await.unwrap(), -1, "nothing changed");
}

/// `XX GT` and `XX LT` need a TTL and the comparison to hold; a word given twice counts once;
/// no word at all is a plain `EXPIRE`.
pub async fn test_expire_combined_conditions(store: TestStore) {
    store.set("k", "v").await.unwrap();
    let set = |words: &'static str, seconds: i64| {
        let store = store.clone();
        async move {
            store
                .expire_conditions("k", Expiry::Seconds(seconds), conditions(words))
                .await
                .unwrap()
        }
    };
    assert!(!set("XX GT", 100).await, "XX GT without TTL: XX fails");
    assert!(!set("XX LT", 100).await, "XX LT without TTL: XX fails");
    assert_eq!(store.ttl("k").await.unwrap(), -1);
    assert!(set("NX NX", 100).await, "NX twice is NX");
    assert!(!set("NX", 200).await, "NX with a TTL fails");
    assert!(set("XX GT", 200).await, "later: XX GT holds");
    assert!(!set("XX GT", 150).await, "earlier: GT fails");
    assert!(set("XX LT", 150).await, "earlier: XX LT holds");
    assert!(!set("LT XX", 300).await, "later: LT fails");
    assert!(set("GT GT", 300).await, "GT twice is GT");
    let ttl = store.ttl("k").await.unwrap();
    assert!((295..=300).contains(&ttl), "the last accepted TTL: {ttl}");
    assert!(set("", 400).await, "no word: a plain EXPIRE");
    assert!(
        set("XX LT", -1).await,
        "a non-positive time that passes its conditions deletes"
    );
    assert!(!store.exists("k").await.unwrap());
    assert!(!set("XX", 100).await, "a missing key answers 0");
}

/// Every accepted combination behaves as the conjunction of its words, through each form
/// (`EXPIRE`, `PEXPIRE`, `EXPIREAT`, `PEXPIREAT`), judged by what `PTTL` shows afterwards.
pub async fn test_expire_every_valid_combination(store: TestStore) {
    let combos = ["", "NX", "XX", "GT", "LT", "XX GT", "XX LT"];
    let base = super::now_ms() + 1_000_000;
    for (i, words) in combos.iter().enumerate() {
        for with_ttl in [false, true] {
            for later in [false, true] {
                let key = format!("k{i}{with_ttl}{later}");
                store.set(&key, "v").await.unwrap();
                if with_ttl {
                    store
                        .expire_options(&key, Expiry::AtMillis(base), None)
                        .await
                        .unwrap();
                }
                let at = if later {
                    base + 500_000
                } else {
                    base - 500_000
                };
                let expiry = match i % 4 {
                    0 => Expiry::AtMillis(at),
                    1 => Expiry::AtSeconds(at / 1000),
                    2 => Expiry::Millis(at - super::now_ms()),
                    _ => Expiry::Seconds((at - super::now_ms()) / 1000),
                };
                let got = store
                    .expire_conditions(&key, expiry, conditions(words))
                    .await
                    .unwrap();
                let c = conditions(words);
                // No TTL counts as infinite: GT never holds, LT always does.
                let want = (!c.nx || !with_ttl)
                    && (!c.xx || with_ttl)
                    && (!c.gt || (with_ttl && later))
                    && (!c.lt || !with_ttl || !later);
                assert_eq!(got, want, "{words:?} with_ttl={with_ttl} later={later}");
                let pttl = store.pttl(&key).await.unwrap();
                if want {
                    assert!(pttl > 0, "{words:?}: a TTL was set");
                } else if with_ttl {
                    assert!(pttl > 0, "{words:?}: the TTL stayed");
                } else {
                    assert_eq!(pttl, -1, "{words:?}: still no TTL");
                }
            }
        }
    }
    store.rpush("l", "x").await.unwrap();
    assert!(
        store
            .expire_conditions("l", Expiry::Seconds(10), conditions("NX"))
            .await
            .unwrap(),
        "any type of key takes a TTL"
    );
    assert_kind(
        store
            .expire_conditions("l", Expiry::Seconds(i64::MAX), ExpireConditions::new())
            .await,
        ErrorKind::InvalidInput,
        "an expiry that overflows",
    );
}
