//! Conformance cases for sets: `SADD`/`SREM` counts, membership tests, `SPOP` and `SRANDMEMBER`
//! with and without a count (and their RESP3 reply shapes), the set algebra with missing keys,
//! an emptied set deleting its key, writes keeping the TTL, and `WRONGTYPE` on every set
//! command against a string key.
//!
//! `SINTERCARD`, the `STORE` forms, `SMOVE`, `SSCAN` and the `SRANDMEMBER` bound are in the
//! `stores` submodule. Set replies are unordered, so cases compare sorted vectors.

use super::keyspace::{assert_kind, snapshot};
use super::{Case, TestStore, cases};
use crate::prelude::*;

mod encodings;
mod stores;
pub use encodings::*;
pub use stores::*;

/// Every sets case.
pub fn cases() -> Vec<Case> {
    cases![
        test_sadd_counts_new_members,
        test_sadd_binary_and_empty_members,
        test_srem_counts_removed,
        test_srem_last_member_deletes_key,
        test_smembers_reply_is_set,
        test_sismember_and_smismember,
        test_scard_counts_members,
        test_spop_without_count,
        test_spop_with_count,
        test_spop_with_count_on_missing_key,
        test_spop_last_member_deletes_key,
        test_srandmember_without_count,
        test_srandmember_positive_count_distinct,
        test_srandmember_negative_count_repeats,
        test_srandmember_count_on_missing_key,
        test_sinter,
        test_sunion,
        test_sdiff,
        test_set_algebra_wrong_type_on_any_key,
        test_set_writes_keep_ttl,
        test_set_commands_wrong_type_on_string,
        test_set_commands_need_arguments,
        test_sintercard,
        test_set_algebra_store,
        test_set_algebra_store_wrong_type,
        test_smove,
        test_smove_wrong_type,
        test_sscan_full_iteration,
        test_sscan_errors,
        test_srandmember_huge_negative_count_bounded,
        test_set_algebra_mixed_encodings,
        test_smove_smismember_spop_mixed_encodings,
        test_random_members_counts_both_encodings,
        test_set_packing_boundary,
    ]
}

fn bytes(items: &[&str]) -> Vec<Bytes> {
    items
        .iter()
        .map(|s| Bytes::copy_from_slice(s.as_bytes()))
        .collect()
}

fn sorted(mut items: Vec<Bytes>) -> Vec<Bytes> {
    items.sort();
    items
}

fn bulk(s: &str) -> Reply {
    Reply::Bulk(Bytes::copy_from_slice(s.as_bytes()))
}

/// `SADD` replies how many members were new; duplicates (in the call or already present)
/// are not counted.
pub async fn test_sadd_counts_new_members(store: TestStore) {
    assert_eq!(
        store.sadd_multiple("s", ["a", "b", "a"]).await.unwrap(),
        2,
        "SADD counts a member named twice once"
    );
    assert_eq!(
        store.sadd_multiple("s", ["b", "c"]).await.unwrap(),
        1,
        "SADD does not count members already present"
    );
    assert_eq!(
        sorted(store.smembers("s").await.unwrap()),
        bytes(&["a", "b", "c"]),
        "SMEMBERS lists every member once"
    );
}

/// Members are binary safe, and the empty string is a member like any other.
pub async fn test_sadd_binary_and_empty_members(store: TestStore) {
    let binary = Bytes::from_static(&[0, 255, 10, 0]);
    store
        .sadd_multiple("s", [binary.clone(), Bytes::new()])
        .await
        .unwrap();
    assert!(
        store.sismember("s", binary.clone()).await.unwrap(),
        "a binary member is found"
    );
    assert!(
        store.sismember("s", "").await.unwrap(),
        "the empty member is found"
    );
    assert_eq!(
        sorted(store.smembers("s").await.unwrap()),
        vec![Bytes::new(), binary],
        "binary members come back byte for byte"
    );
}

/// `SREM` replies how many members were removed; absent members and a missing key count 0.
pub async fn test_srem_counts_removed(store: TestStore) {
    assert_eq!(
        store.srem_multiple("missing", ["a"]).await.unwrap(),
        0,
        "SREM on a missing key removes nothing"
    );
    store.sadd_multiple("s", ["a", "b", "c"]).await.unwrap();
    assert_eq!(
        store.srem_multiple("s", ["a", "x", "a"]).await.unwrap(),
        1,
        "SREM counts only members that were present"
    );
    assert_eq!(
        sorted(store.smembers("s").await.unwrap()),
        bytes(&["b", "c"]),
        "SREM removed exactly the named member"
    );
}

/// Removing the last member deletes the key: Redis never keeps an empty set.
pub async fn test_srem_last_member_deletes_key(store: TestStore) {
    store.sadd_multiple("s", ["a", "b"]).await.unwrap();
    assert_eq!(store.srem_multiple("s", ["a", "b"]).await.unwrap(), 2);
    assert_eq!(
        store.exists_multiple(&["s"]).await.unwrap(),
        0,
        "an emptied set no longer exists"
    );
    assert_eq!(
        store.key_type("s").await.unwrap(),
        None,
        "TYPE of an emptied set is none"
    );
}

/// `SMEMBERS` replies a RESP3 set; a missing key is an empty set.
pub async fn test_smembers_reply_is_set(store: TestStore) {
    let missing = store
        .execute(Command::SMembers {
            key: "missing".into(),
        })
        .await
        .unwrap();
    assert_eq!(
        missing,
        Reply::Set(vec![]),
        "SMEMBERS of a missing key is an empty set"
    );
    store.sadd_multiple("s", ["b", "a"]).await.unwrap();
    let reply = store
        .execute(Command::SMembers { key: "s".into() })
        .await
        .unwrap();
    assert_eq!(
        reply.normalized(),
        Reply::Set(vec![bulk("a"), bulk("b")]),
        "SMEMBERS replies a Set of Bulk members"
    );
}

/// `SISMEMBER` and `SMISMEMBER` answer per member; a missing key contains nothing.
pub async fn test_sismember_and_smismember(store: TestStore) {
    store.sadd_multiple("s", ["a", "b"]).await.unwrap();
    assert!(
        store.sismember("s", "a").await.unwrap(),
        "SISMEMBER finds a member"
    );
    assert!(
        !store.sismember("s", "z").await.unwrap(),
        "SISMEMBER of an absent member is 0"
    );
    assert!(
        !store.sismember("missing", "a").await.unwrap(),
        "SISMEMBER on a missing key is 0"
    );
    assert_eq!(
        store.smismember("s", ["b", "z", "a"]).await.unwrap(),
        vec![true, false, true],
        "SMISMEMBER answers in argument order"
    );
    let reply = store
        .execute(Command::SMIsMember {
            key: "missing".into(),
            members: bytes(&["a", "b"]),
        })
        .await
        .unwrap();
    assert_eq!(
        reply,
        Reply::Array(vec![Reply::Int(0), Reply::Int(0)]),
        "SMISMEMBER on a missing key is an Array of Int 0"
    );
}

/// `SCARD` counts members; a missing key has 0.
pub async fn test_scard_counts_members(store: TestStore) {
    assert_eq!(
        store.scard("missing").await.unwrap(),
        0,
        "SCARD of missing is 0"
    );
    store.sadd_multiple("s", ["a", "b", "c"]).await.unwrap();
    assert_eq!(store.scard("s").await.unwrap(), 3, "SCARD counts members");
}

/// `SPOP key` removes and returns one member (`Bulk`); a missing key replies `Nil`.
pub async fn test_spop_without_count(store: TestStore) {
    assert_eq!(
        store
            .execute(Command::SPop {
                key: "missing".into(),
                count: None,
            })
            .await
            .unwrap(),
        Reply::Nil,
        "SPOP of a missing key is Nil"
    );
    store.sadd_multiple("s", ["a", "b", "c"]).await.unwrap();
    let popped = store
        .spop("s")
        .await
        .unwrap()
        .expect("SPOP of a non-empty set returns a member");
    assert!(
        bytes(&["a", "b", "c"]).contains(&popped),
        "SPOP returns one of the members, got {popped:?}"
    );
    assert!(
        !store.sismember("s", popped).await.unwrap(),
        "SPOP removed the member it returned"
    );
    assert_eq!(
        store.scard("s").await.unwrap(),
        2,
        "SPOP removed exactly one"
    );
}

/// `SPOP key count` replies a RESP3 set of distinct members, removes them, and takes all when
/// the count exceeds the size; a zero count takes nothing.
pub async fn test_spop_with_count(store: TestStore) {
    store
        .sadd_multiple("s", ["a", "b", "c", "d", "e"])
        .await
        .unwrap();
    let reply = store
        .execute(Command::SPop {
            key: "s".into(),
            count: Some(2),
        })
        .await
        .unwrap();
    let Reply::Set(items) = reply else {
        panic!("SPOP with a count replies a Set, got {reply:?}");
    };
    let popped: Vec<Bytes> = items.into_iter().map(|r| r.into_bytes().unwrap()).collect();
    let mut distinct = sorted(popped.clone());
    distinct.dedup();
    assert_eq!(distinct.len(), 2, "SPOP 2 returns two distinct members");
    let left = sorted(store.smembers("s").await.unwrap());
    assert_eq!(left.len(), 3, "SPOP 2 removed two members");
    assert!(
        popped.iter().all(|m| !left.contains(m)),
        "popped members are gone from the set"
    );
    assert_eq!(
        store
            .execute(Command::SPop {
                key: "s".into(),
                count: Some(0),
            })
            .await
            .unwrap(),
        Reply::Set(vec![]),
        "SPOP with count 0 is an empty Set"
    );
    assert_eq!(store.scard("s").await.unwrap(), 3, "SPOP 0 removed nothing");
    let rest = sorted(store.spop_count("s", 10).await.unwrap());
    assert_eq!(rest, left, "SPOP with a count above the size takes all");
    assert_eq!(
        store.exists_multiple(&["s"]).await.unwrap(),
        0,
        "SPOP that takes everything deletes the key"
    );
}

/// `SPOP key count` on a missing key is an empty set, not nil (Redis 7).
pub async fn test_spop_with_count_on_missing_key(store: TestStore) {
    let reply = store
        .execute(Command::SPop {
            key: "missing".into(),
            count: Some(3),
        })
        .await
        .unwrap();
    assert_eq!(
        reply,
        Reply::Set(vec![]),
        "SPOP count on a missing key is an empty Set"
    );
}

/// Popping the last member without a count deletes the key.
pub async fn test_spop_last_member_deletes_key(store: TestStore) {
    store.sadd_multiple("s", ["only"]).await.unwrap();
    assert_eq!(
        store.spop("s").await.unwrap(),
        Some(Bytes::from_static(b"only")),
        "SPOP of a one-member set returns it"
    );
    assert_eq!(
        store.exists_multiple(&["s"]).await.unwrap(),
        0,
        "the emptied set is deleted"
    );
    assert_eq!(
        store.spop("s").await.unwrap(),
        None,
        "SPOP after that is nil"
    );
}

/// `SRANDMEMBER key` returns a member without removing it; a missing key is `Nil`.
pub async fn test_srandmember_without_count(store: TestStore) {
    assert_eq!(
        store
            .execute(Command::SRandMember {
                key: "missing".into(),
                count: None,
            })
            .await
            .unwrap(),
        Reply::Nil,
        "SRANDMEMBER of a missing key is Nil"
    );
    store.sadd_multiple("s", ["a", "b"]).await.unwrap();
    let member = store.srandmember("s").await.unwrap();
    assert!(
        member.is_some_and(|m| m == "a" || m == "b"),
        "SRANDMEMBER returns a member"
    );
    assert_eq!(
        store.scard("s").await.unwrap(),
        2,
        "SRANDMEMBER removes nothing"
    );
}

/// A positive count returns distinct members, all of them when the count exceeds the size,
/// as an `Array`.
pub async fn test_srandmember_positive_count_distinct(store: TestStore) {
    store
        .sadd_multiple("s", ["a", "b", "c", "d"])
        .await
        .unwrap();
    let some = store.srandmember_count("s", 3).await.unwrap();
    let mut distinct = sorted(some.clone());
    distinct.dedup();
    assert_eq!(some.len(), 3, "SRANDMEMBER 3 returns three members");
    assert_eq!(distinct.len(), 3, "a positive count never repeats a member");
    assert!(
        some.iter()
            .all(|m| bytes(&["a", "b", "c", "d"]).contains(m)),
        "every returned member is in the set"
    );
    let reply = store
        .execute(Command::SRandMember {
            key: "s".into(),
            count: Some(10),
        })
        .await
        .unwrap();
    let Reply::Array(items) = reply else {
        panic!("SRANDMEMBER with a count replies an Array, got {reply:?}");
    };
    let all: Vec<Bytes> = items.into_iter().map(|r| r.into_bytes().unwrap()).collect();
    assert_eq!(
        sorted(all),
        bytes(&["a", "b", "c", "d"]),
        "a count above the size returns every member once"
    );
    assert_eq!(
        store.scard("s").await.unwrap(),
        4,
        "SRANDMEMBER removes nothing"
    );
}

/// A negative count returns exactly `|count|` members, repeats allowed.
pub async fn test_srandmember_negative_count_repeats(store: TestStore) {
    store.sadd_multiple("one", ["x"]).await.unwrap();
    assert_eq!(
        store.srandmember_count("one", -5).await.unwrap(),
        bytes(&["x", "x", "x", "x", "x"]),
        "a negative count repeats members to reach |count|"
    );
    store.sadd_multiple("s", ["a", "b"]).await.unwrap();
    let many = store.srandmember_count("s", -20).await.unwrap();
    assert_eq!(many.len(), 20, "a negative count returns |count| members");
    assert!(
        many.iter().all(|m| m == "a" || m == "b"),
        "every repeated member is in the set"
    );
}

/// With a count, a missing key and a zero count both reply an empty `Array`.
pub async fn test_srandmember_count_on_missing_key(store: TestStore) {
    for count in [3, -3, 0] {
        assert_eq!(
            store
                .execute(Command::SRandMember {
                    key: "missing".into(),
                    count: Some(count),
                })
                .await
                .unwrap(),
            Reply::Array(vec![]),
            "SRANDMEMBER missing {count} is an empty Array"
        );
    }
    store.sadd_multiple("s", ["a"]).await.unwrap();
    assert_eq!(
        store.srandmember_count("s", 0).await.unwrap(),
        Vec::<Bytes>::new(),
        "SRANDMEMBER with count 0 returns nothing"
    );
}

/// `SINTER`: members in every set; a missing key is an empty set, so the result is empty.
pub async fn test_sinter(store: TestStore) {
    store
        .sadd_multiple("a", ["1", "2", "3", "4"])
        .await
        .unwrap();
    store.sadd_multiple("b", ["2", "3", "5"]).await.unwrap();
    store.sadd_multiple("c", ["3", "2", "9"]).await.unwrap();
    assert_eq!(
        sorted(store.sinter(&["a", "b", "c"]).await.unwrap()),
        bytes(&["2", "3"]),
        "SINTER keeps members present in every set"
    );
    assert_eq!(
        sorted(store.sinter(&["a"]).await.unwrap()),
        bytes(&["1", "2", "3", "4"]),
        "SINTER of one set is that set"
    );
    assert!(
        store.sinter(&["a", "missing"]).await.unwrap().is_empty(),
        "SINTER with a missing key is empty"
    );
    let reply = store
        .execute(Command::SInter {
            keys: vec!["a".into(), "b".into()],
        })
        .await
        .unwrap();
    assert_eq!(
        reply.normalized(),
        Reply::Set(vec![bulk("2"), bulk("3")]),
        "SINTER replies a Set"
    );
}

/// `SUNION`: members in any set; missing keys add nothing.
pub async fn test_sunion(store: TestStore) {
    store.sadd_multiple("a", ["1", "2"]).await.unwrap();
    store.sadd_multiple("b", ["2", "3"]).await.unwrap();
    assert_eq!(
        sorted(store.sunion(&["a", "missing", "b"]).await.unwrap()),
        bytes(&["1", "2", "3"]),
        "SUNION lists each member of any set once"
    );
    assert!(
        store.sunion(&["missing"]).await.unwrap().is_empty(),
        "SUNION of missing keys is empty"
    );
}

/// `SDIFF`: members of the first set in none of the others; a missing first key is empty.
pub async fn test_sdiff(store: TestStore) {
    store
        .sadd_multiple("a", ["1", "2", "3", "4"])
        .await
        .unwrap();
    store.sadd_multiple("b", ["2"]).await.unwrap();
    store.sadd_multiple("c", ["4", "7"]).await.unwrap();
    assert_eq!(
        sorted(store.sdiff(&["a", "b", "missing", "c"]).await.unwrap()),
        bytes(&["1", "3"]),
        "SDIFF removes members of every later set"
    );
    assert!(
        store.sdiff(&["missing", "a"]).await.unwrap().is_empty(),
        "SDIFF with a missing first key is empty"
    );
    assert_eq!(
        sorted(store.sdiff(&["b"]).await.unwrap()),
        bytes(&["2"]),
        "SDIFF of one set is that set"
    );
}

/// The set algebra checks every key's type, even after a missing key has decided the result.
pub async fn test_set_algebra_wrong_type_on_any_key(store: TestStore) {
    store.sadd_multiple("s", ["a"]).await.unwrap();
    store.set("str", "x").await.unwrap();
    assert_kind(
        store.sinter(&["s", "missing", "str"]).await,
        ErrorKind::WrongType,
        "SINTER with a string key after a missing one is WRONGTYPE",
    );
    assert_kind(
        store.sunion(&["missing", "str"]).await,
        ErrorKind::WrongType,
        "SUNION with a string key is WRONGTYPE",
    );
    assert_kind(
        store.sdiff(&["missing", "str"]).await,
        ErrorKind::WrongType,
        "SDIFF with a string key is WRONGTYPE even when the first key is missing",
    );
}

/// Adding, removing and popping members keeps the key's TTL.
pub async fn test_set_writes_keep_ttl(store: TestStore) {
    store
        .sadd_multiple("s", ["a", "b", "c", "d"])
        .await
        .unwrap();
    assert!(store.expire("s", 100).await.unwrap());
    store.sadd_multiple("s", ["e"]).await.unwrap();
    store.srem_multiple("s", ["a"]).await.unwrap();
    store.spop("s").await.unwrap();
    store.spop_count("s", 1).await.unwrap();
    let ttl = store.ttl("s").await.unwrap();
    assert!(
        (98..=100).contains(&ttl),
        "SADD/SREM/SPOP keep the TTL, got {ttl}"
    );
}

/// Every set command against a string key is `WRONGTYPE` and leaves the string unchanged.
pub async fn test_set_commands_wrong_type_on_string(store: TestStore) {
    store.set("str", "value").await.unwrap();
    let before = snapshot(&store, "str").await;
    let key = || "str".to_owned();
    let commands = vec![
        Command::SAdd {
            key: key().into(),
            members: bytes(&["a"]),
        },
        Command::SRem {
            key: key().into(),
            members: bytes(&["a"]),
        },
        Command::SMembers { key: key().into() },
        Command::SIsMember {
            key: key().into(),
            member: Bytes::from_static(b"a"),
        },
        Command::SMIsMember {
            key: key().into(),
            members: bytes(&["a"]),
        },
        Command::SCard { key: key().into() },
        Command::SPop {
            key: key().into(),
            count: None,
        },
        Command::SPop {
            key: key().into(),
            count: Some(0),
        },
        Command::SRandMember {
            key: key().into(),
            count: None,
        },
        Command::SRandMember {
            key: key().into(),
            count: Some(0),
        },
        Command::SInter {
            keys: vec![key().into()],
        },
        Command::SUnion {
            keys: vec![key().into()],
        },
        Command::SDiff {
            keys: vec![key().into()],
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
        "a WRONGTYPE set command changes nothing"
    );
}

/// Commands that take members or keys refuse an empty list (Redis: wrong number of
/// arguments).
pub async fn test_set_commands_need_arguments(store: TestStore) {
    let commands = vec![
        Command::SAdd {
            key: "s".into(),
            members: vec![],
        },
        Command::SRem {
            key: "s".into(),
            members: vec![],
        },
        Command::SMIsMember {
            key: "s".into(),
            members: vec![],
        },
        Command::SInter { keys: vec![] },
        Command::SUnion { keys: vec![] },
        Command::SDiff { keys: vec![] },
    ];
    for command in commands {
        let name = command.name();
        assert_kind(
            store.execute(command).await,
            ErrorKind::InvalidInput,
            &format!("{name} without arguments is invalid"),
        );
    }
    assert_eq!(
        store.exists_multiple(&["s"]).await.unwrap(),
        0,
        "a refused SADD creates nothing"
    );
}
