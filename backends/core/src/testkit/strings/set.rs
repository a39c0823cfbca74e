//! Conformance cases for `GET` and `SET` with its options (`NX`, `XX`, `GET`, `KEEPTTL`, expiries),
//! which clear or keep a TTL, and `SET` over other types.

use std::time::Duration;

use super::super::TestStore;
use super::super::keyspace::{COLLECTIONS, assert_kind, now_ms, populate, snapshot};
use super::b;
use crate::SetReply;
use crate::prelude::*;

async fn set_opts(store: &TestStore, key: &str, value: &str, options: SetOptions) -> SetReply {
    store.set_options(key, value, options).await.unwrap()
}

/// `GET` of a missing key is nil.
pub async fn test_get_missing_is_nil(store: TestStore) {
    assert_eq!(
        store.get("missing").await.unwrap(),
        None,
        "GET of missing is nil"
    );
    let reply = store
        .execute(Command::Get {
            key: "missing".into(),
        })
        .await
        .unwrap();
    assert_eq!(reply, Reply::Nil, "GET of missing replies Nil");
}

/// `SET` then `GET` returns the value; a second `SET` overwrites it.
pub async fn test_set_get_roundtrip(store: TestStore) {
    store.set("k", "v1").await.unwrap();
    assert_eq!(
        store.get("k").await.unwrap(),
        b("v1"),
        "GET returns what SET wrote"
    );
    store.set("k", "v2").await.unwrap();
    assert_eq!(store.get("k").await.unwrap(), b("v2"), "SET overwrites");
    let reply = store
        .execute(Command::Set {
            key: "k".into(),
            value: Bytes::from("v3"),
            options: SetOptions::new(),
        })
        .await
        .unwrap();
    assert_eq!(reply, Reply::ok(), "SET replies status OK");
}

/// Values are binary safe.
pub async fn test_set_binary_value(store: TestStore) {
    let value: Vec<u8> = (0..=255u8).chain([0, 0, 255]).collect();
    store.set("bin", value.clone()).await.unwrap();
    assert_eq!(
        store.get("bin").await.unwrap().as_deref(),
        Some(value.as_slice()),
        "every byte value survives SET/GET"
    );
    assert_eq!(
        store.strlen("bin").await.unwrap(),
        259,
        "STRLEN counts bytes"
    );
}

/// An empty value is a value: the key exists with length 0.
pub async fn test_set_empty_value(store: TestStore) {
    store.set("e", "").await.unwrap();
    assert_eq!(
        store.get("e").await.unwrap(),
        b(""),
        "GET of an empty value is \"\""
    );
    assert_eq!(
        store.exists_multiple(&["e"]).await.unwrap(),
        1,
        "an empty string exists"
    );
    assert_eq!(store.strlen("e").await.unwrap(), 0, "STRLEN of \"\" is 0");
}

/// `SET NX` writes only when the key is missing.
pub async fn test_set_nx(store: TestStore) {
    let nx = SetOptions::new().condition(SetCondition::Nx);
    assert_eq!(
        set_opts(&store, "k", "first", nx).await,
        SetReply::Written,
        "SET NX on a missing key writes"
    );
    assert_eq!(
        set_opts(&store, "k", "second", nx).await,
        SetReply::NotWritten,
        "SET NX on an existing key replies nil"
    );
    assert_eq!(
        store.get("k").await.unwrap(),
        b("first"),
        "a failed SET NX changes nothing"
    );
}

/// `SET XX` writes only when the key exists.
pub async fn test_set_xx(store: TestStore) {
    let xx = SetOptions::new().condition(SetCondition::Xx);
    assert_eq!(
        set_opts(&store, "k", "v", xx).await,
        SetReply::NotWritten,
        "SET XX on a missing key replies nil"
    );
    assert_eq!(
        store.exists_multiple(&["k"]).await.unwrap(),
        0,
        "SET XX did not create the key"
    );
    store.set("k", "old").await.unwrap();
    assert_eq!(
        set_opts(&store, "k", "new", xx).await,
        SetReply::Written,
        "SET XX on an existing key writes"
    );
    assert_eq!(store.get("k").await.unwrap(), b("new"), "SET XX wrote");
}

/// `SET GET` returns the previous value (nil when missing) and writes.
pub async fn test_set_get_returns_old_value(store: TestStore) {
    let get = SetOptions::new().get(true);
    assert_eq!(
        set_opts(&store, "k", "one", get).await,
        SetReply::Previous(None),
        "SET GET of a missing key returns nil"
    );
    assert_eq!(
        set_opts(&store, "k", "two", get).await,
        SetReply::Previous(b("one")),
        "SET GET returns the old value"
    );
    assert_eq!(
        store.get("k").await.unwrap(),
        b("two"),
        "SET GET wrote the new value"
    );
}

/// `SET NX GET` (Redis 7) returns the old value and writes only when missing.
pub async fn test_set_nx_get(store: TestStore) {
    let nx_get = SetOptions::new().condition(SetCondition::Nx).get(true);
    assert_eq!(
        set_opts(&store, "k", "v", nx_get).await,
        SetReply::Previous(None),
        "SET NX GET on a missing key writes and returns nil"
    );
    assert_eq!(
        set_opts(&store, "k", "w", nx_get).await,
        SetReply::Previous(b("v")),
        "SET NX GET on an existing key returns the value without writing"
    );
    assert_eq!(
        store.get("k").await.unwrap(),
        b("v"),
        "SET NX GET did not overwrite"
    );
    let xx_get = SetOptions::new().condition(SetCondition::Xx).get(true);
    assert_eq!(
        set_opts(&store, "k", "x", xx_get).await,
        SetReply::Previous(b("v")),
        "SET XX GET returns the old value"
    );
    assert_eq!(store.get("k").await.unwrap(), b("x"), "SET XX GET wrote");
}

/// A plain `SET` clears the TTL.
pub async fn test_set_clears_ttl(store: TestStore) {
    store
        .setex("k", "v", Duration::from_secs(100))
        .await
        .unwrap();
    store.set("k", "w").await.unwrap();
    assert_eq!(
        store.ttl("k").await.unwrap(),
        -1,
        "SET without KEEPTTL clears the TTL"
    );
    store
        .setex("k", "v", Duration::from_secs(100))
        .await
        .unwrap();
    set_opts(
        &store,
        "k",
        "w",
        SetOptions::new().condition(SetCondition::Xx),
    )
    .await;
    assert_eq!(
        store.ttl("k").await.unwrap(),
        -1,
        "SET XX without KEEPTTL clears the TTL"
    );
    store
        .setex("k", "v", Duration::from_secs(100))
        .await
        .unwrap();
    set_opts(&store, "k", "w", SetOptions::new().get(true)).await;
    assert_eq!(
        store.ttl("k").await.unwrap(),
        -1,
        "SET GET without KEEPTTL clears the TTL"
    );
}

/// `SET KEEPTTL` keeps the TTL (and on a key without one, sets none).
pub async fn test_set_keepttl_keeps_ttl(store: TestStore) {
    store
        .setex("k", "v", Duration::from_secs(100))
        .await
        .unwrap();
    let keep = SetOptions::new().expiry(SetExpiry::KeepTtl);
    assert_eq!(
        set_opts(&store, "k", "w", keep).await,
        SetReply::Written,
        "SET KEEPTTL writes"
    );
    assert_eq!(
        store.get("k").await.unwrap(),
        b("w"),
        "SET KEEPTTL wrote the value"
    );
    let pttl = store.pttl("k").await.unwrap();
    assert!(
        (90_000..=100_000).contains(&pttl),
        "SET KEEPTTL keeps the TTL, got {pttl}"
    );
    set_opts(&store, "n", "v", keep).await;
    assert_eq!(
        store.ttl("n").await.unwrap(),
        -1,
        "SET KEEPTTL on a new key sets no TTL"
    );
}

/// `EX`, `PX`, `EXAT` and `PXAT` each set the TTL they say.
pub async fn test_set_expiry_options(store: TestStore) {
    let with = |e| SetOptions::new().expiry(e);
    set_opts(&store, "ex", "v", with(SetExpiry::Ex(100))).await;
    let ttl = store.ttl("ex").await.unwrap();
    assert!(
        (99..=100).contains(&ttl),
        "SET EX 100 gives TTL ~100, got {ttl}"
    );
    set_opts(&store, "px", "v", with(SetExpiry::Px(20_000))).await;
    let pttl = store.pttl("px").await.unwrap();
    assert!(
        (19_000..=20_000).contains(&pttl),
        "SET PX 20000 gives PTTL ~20000, got {pttl}"
    );
    let at = (now_ms() / 1000 + 200) as u64;
    set_opts(&store, "exat", "v", with(SetExpiry::ExAt(at))).await;
    let ttl = store.ttl("exat").await.unwrap();
    assert!(
        (198..=200).contains(&ttl),
        "SET EXAT now+200 gives TTL ~200, got {ttl}"
    );
    let at = (now_ms() + 30_000) as u64;
    set_opts(&store, "pxat", "v", with(SetExpiry::PxAt(at))).await;
    let pttl = store.pttl("pxat").await.unwrap();
    assert!(
        (29_000..=30_000).contains(&pttl),
        "SET PXAT now+30000 gives PTTL ~30000, got {pttl}"
    );
    assert_eq!(
        store.get("pxat").await.unwrap(),
        b("v"),
        "SET PXAT wrote the value"
    );
}

/// `SET EXAT`/`PXAT` in the past replies OK but leaves no visible key.
pub async fn test_set_exat_past_deletes(store: TestStore) {
    store.set("k", "old").await.unwrap();
    let reply = set_opts(
        &store,
        "k",
        "v",
        SetOptions::new().expiry(SetExpiry::ExAt(1)),
    )
    .await;
    assert_eq!(reply, SetReply::Written, "SET EXAT in the past replies OK");
    assert_eq!(
        store.get("k").await.unwrap(),
        None,
        "a past EXAT leaves the key expired"
    );
    let past = (now_ms() - 5_000) as u64;
    set_opts(
        &store,
        "p",
        "v",
        SetOptions::new().expiry(SetExpiry::PxAt(past)),
    )
    .await;
    assert_eq!(
        store.exists_multiple(&["k", "p"]).await.unwrap(),
        0,
        "a past PXAT leaves the key expired"
    );
}

/// A zero expiry is `InvalidInput` and writes nothing.
pub async fn test_set_zero_expiry_invalid(store: TestStore) {
    store.set("k", "keep").await.unwrap();
    for expiry in [
        SetExpiry::Ex(0),
        SetExpiry::Px(0),
        SetExpiry::ExAt(0),
        SetExpiry::PxAt(0),
    ] {
        assert_kind(
            store
                .set_options("k", "new", SetOptions::new().expiry(expiry))
                .await,
            ErrorKind::InvalidInput,
            &format!("SET with zero expiry {expiry:?}"),
        );
    }
    assert_eq!(
        store.get("k").await.unwrap(),
        b("keep"),
        "an invalid SET writes nothing"
    );
    assert_eq!(
        store.ttl("k").await.unwrap(),
        -1,
        "an invalid SET sets no TTL"
    );
}

/// A plain `SET` replaces a key of any type.
pub async fn test_set_overwrites_other_type(store: TestStore) {
    for kind in COLLECTIONS {
        populate(&store, "k", kind).await;
        store.expire("k", 100).await.unwrap();
        store.set("k", "v").await.unwrap();
        assert_eq!(
            store.key_type("k").await.unwrap(),
            Some(KeyType::String),
            "SET replaces a {} with a string",
            kind.as_str()
        );
        assert_eq!(
            store.ttl("k").await.unwrap(),
            -1,
            "SET clears the old key's TTL"
        );
        store.del_multiple(&["k"]).await.unwrap();
    }
}

/// `SET GET` on a non-string is `WrongType` and writes nothing.
pub async fn test_set_get_on_wrong_type(store: TestStore) {
    populate(&store, "h", KeyType::Hash).await;
    let before = snapshot(&store, "h").await;
    assert_kind(
        store
            .set_options("h", "v", SetOptions::new().get(true))
            .await,
        ErrorKind::WrongType,
        "SET GET on a hash",
    );
    assert_eq!(
        snapshot(&store, "h").await,
        before,
        "a failed SET GET changes nothing"
    );
}

/// `SET NX` on a key of another type fails as on any existing key; `XX` overwrites it.
pub async fn test_set_nx_on_other_type(store: TestStore) {
    populate(&store, "l", KeyType::List).await;
    let nx = SetOptions::new().condition(SetCondition::Nx);
    assert_eq!(
        set_opts(&store, "l", "v", nx).await,
        SetReply::NotWritten,
        "SET NX on an existing list replies nil"
    );
    assert_eq!(store.llen("l").await.unwrap(), 2, "the list is untouched");
    let xx = SetOptions::new().condition(SetCondition::Xx);
    assert_eq!(
        set_opts(&store, "l", "v", xx).await,
        SetReply::Written,
        "SET XX on an existing list writes"
    );
    assert_eq!(
        store.get("l").await.unwrap(),
        b("v"),
        "SET XX replaced the list"
    );
}

/// `SET NX PX` on an existing key writes nothing: neither value nor TTL.
pub async fn test_set_nx_with_expiry_on_existing_key(store: TestStore) {
    store.set("k", "v").await.unwrap();
    let options = SetOptions::new()
        .condition(SetCondition::Nx)
        .expiry(SetExpiry::Px(5_000));
    assert_eq!(
        set_opts(&store, "k", "w", options).await,
        SetReply::NotWritten,
        "SET NX PX on an existing key replies nil"
    );
    assert_eq!(
        store.ttl("k").await.unwrap(),
        -1,
        "a refused SET NX sets no TTL"
    );
    let options = SetOptions::new()
        .condition(SetCondition::Xx)
        .expiry(SetExpiry::KeepTtl)
        .get(true);
    store.expire("k", 100).await.unwrap();
    assert_eq!(
        set_opts(&store, "k", "x", options).await,
        SetReply::Previous(b("v")),
        "SET XX KEEPTTL GET returns the old value"
    );
    let ttl = store.ttl("k").await.unwrap();
    assert!(
        (99..=100).contains(&ttl),
        "SET XX KEEPTTL GET keeps the TTL, got {ttl}"
    );
    assert_eq!(store.get("k").await.unwrap(), b("x"), "and writes");
}
