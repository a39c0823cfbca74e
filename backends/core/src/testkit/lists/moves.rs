//! Conformance cases for `LMOVE`: every direction between two lists, the rotation of one list
//! onto itself, a missing source, and the order in which Redis checks types.

use super::super::TestStore;
use super::super::keyspace::assert_kind;
use super::{all, b, bulk, bytes};
use crate::prelude::*;

/// `LMOVE` pops from the chosen end of the source and pushes to the chosen end of the
/// destination; an emptied source is removed, a missing destination is created.
pub async fn test_lmove_between_lists(store: TestStore) {
    store.rpush_multiple("src", ["a", "b", "c"]).await.unwrap();
    let reply = store
        .execute(Command::LMove {
            source: "src".into(),
            destination: "dst".into(),
            from: ListEnd::Left,
            to: ListEnd::Right,
        })
        .await
        .unwrap();
    assert_eq!(reply, bulk("a"), "LMOVE replies the moved element as Bulk");
    assert_eq!(
        store.ttl("dst").await.unwrap(),
        -1,
        "LMOVE creates a missing destination without TTL"
    );
    let moves = [
        (ListEnd::Right, ListEnd::Left, "c"),
        (ListEnd::Left, ListEnd::Left, "b"),
    ];
    for (from, to, expected) in moves {
        assert_eq!(
            store.lmove("src", "dst", from, to).await.unwrap(),
            b(expected),
            "LMOVE {} {} moves {expected}",
            from.as_str(),
            to.as_str()
        );
    }
    assert_eq!(
        all(&store, "dst").await,
        bytes(&["b", "c", "a"]),
        "each element went to the chosen end"
    );
    assert_eq!(
        store.exists_multiple(&["src"]).await.unwrap(),
        0,
        "LMOVE that empties the source deletes it"
    );
    store.rpush_multiple("src", ["z"]).await.unwrap();
    assert_eq!(
        store
            .lmove("src", "dst", ListEnd::Right, ListEnd::Right)
            .await
            .unwrap(),
        b("z")
    );
    assert_eq!(all(&store, "dst").await, bytes(&["b", "c", "a", "z"]));
}

/// `LMOVE` with the same source and destination rotates the list.
pub async fn test_lmove_same_list_rotates(store: TestStore) {
    store.rpush_multiple("l", ["a", "b", "c"]).await.unwrap();
    assert_eq!(
        store
            .lmove("l", "l", ListEnd::Left, ListEnd::Right)
            .await
            .unwrap(),
        b("a")
    );
    assert_eq!(
        all(&store, "l").await,
        bytes(&["b", "c", "a"]),
        "LMOVE l l LEFT RIGHT rotates the head to the tail"
    );
    assert_eq!(
        store
            .lmove("l", "l", ListEnd::Right, ListEnd::Left)
            .await
            .unwrap(),
        b("a")
    );
    assert_eq!(
        all(&store, "l").await,
        bytes(&["a", "b", "c"]),
        "LMOVE l l RIGHT LEFT rotates the tail to the head"
    );
    store.rpush_multiple("one", ["x"]).await.unwrap();
    store.expire("one", 1000).await.unwrap();
    assert_eq!(
        store
            .lmove("one", "one", ListEnd::Left, ListEnd::Left)
            .await
            .unwrap(),
        b("x")
    );
    assert_eq!(
        all(&store, "one").await,
        bytes(&["x"]),
        "rotating a one-element list keeps it"
    );
    let ttl = store.ttl("one").await.unwrap();
    assert!(
        (990..=1000).contains(&ttl),
        "rotating keeps the list's TTL, got {ttl}"
    );
}

/// `LMOVE` from a missing source is nil and creates no destination.
pub async fn test_lmove_missing_source_is_nil(store: TestStore) {
    let reply = store
        .execute(Command::LMove {
            source: "missing".into(),
            destination: "dst".into(),
            from: ListEnd::Left,
            to: ListEnd::Left,
        })
        .await
        .unwrap();
    assert_eq!(reply, Reply::Nil, "LMOVE from a missing source is Nil");
    assert_eq!(
        store.exists_multiple(&["dst"]).await.unwrap(),
        0,
        "LMOVE from a missing source creates no destination"
    );
}

/// `LMOVE` is `WrongType` when the source, or (with a non-empty source) the destination, is not
/// a list, and then nothing moves; a missing source answers nil whatever the destination is.
pub async fn test_lmove_wrong_type(store: TestStore) {
    store.set("str", "value").await.unwrap();
    store.rpush_multiple("src", ["a", "b"]).await.unwrap();
    assert_kind(
        store
            .lmove("str", "src", ListEnd::Left, ListEnd::Left)
            .await,
        ErrorKind::WrongType,
        "LMOVE from a string is WRONGTYPE",
    );
    assert_kind(
        store
            .lmove("src", "str", ListEnd::Left, ListEnd::Left)
            .await,
        ErrorKind::WrongType,
        "LMOVE into a string is WRONGTYPE",
    );
    assert_eq!(
        all(&store, "src").await,
        bytes(&["a", "b"]),
        "a WRONGTYPE LMOVE moves nothing"
    );
    assert_eq!(
        store.get("str").await.unwrap(),
        b("value"),
        "a WRONGTYPE LMOVE leaves the string"
    );
    assert_eq!(
        store
            .lmove("missing", "str", ListEnd::Left, ListEnd::Left)
            .await
            .unwrap(),
        None,
        "LMOVE from a missing source is nil even into a string"
    );
}
