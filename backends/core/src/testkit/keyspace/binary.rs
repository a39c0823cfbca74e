//! Conformance cases for binary-safe names: keys, hash fields and members that are not UTF-8
//! (`b"k\xff\x00"`) are stored, found, listed by `KEYS`/`SCAN` and matched by a glob byte by
//! byte, as in Redis.

use super::super::TestStore;
use crate::Name;
use crate::prelude::*;

/// A key that is not UTF-8 and holds a NUL byte.
const KEY: &[u8] = b"bin:k\xff\x00";

/// A non-UTF-8 key round-trips through `SET`, `GET`, `EXISTS`, `TYPE`, `APPEND` and `DEL`.
pub async fn test_binary_key_round_trip(store: TestStore) {
    store.set(KEY, "v").await.unwrap();
    assert_eq!(
        store.get(KEY).await.unwrap().as_deref(),
        Some(&b"v"[..]),
        "GET finds the value under the binary key"
    );
    assert_eq!(
        store.get(b"bin:k\xff").await.unwrap(),
        None,
        "a key that is a prefix of it is another key"
    );
    assert_eq!(store.exists_multiple([KEY]).await.unwrap(), 1);
    assert_eq!(store.key_type(KEY).await.unwrap(), Some(KeyType::String));
    assert_eq!(store.append(KEY, "w").await.unwrap(), 2);
    assert_eq!(store.del_multiple([KEY]).await.unwrap(), 1);
    assert_eq!(store.get(KEY).await.unwrap(), None, "DEL removed it");
}

/// A non-UTF-8 hash field round-trips, and `HGETALL`/`HKEYS` return it as it was written.
pub async fn test_binary_hash_field_round_trip(store: TestStore) {
    let field: &[u8] = b"f\xfe\x00";
    store.hset(KEY, field, "1").await.unwrap();
    store.hset(KEY, "text", "2").await.unwrap();
    assert_eq!(
        store.hget(KEY, field).await.unwrap().as_deref(),
        Some(&b"1"[..])
    );
    let all = store.hgetall(KEY).await.unwrap();
    assert_eq!(all.len(), 2, "{all:?}");
    assert_eq!(all.get(field).map(|v| &v[..]), Some(&b"1"[..]));
    let mut fields = store.hkeys(KEY).await.unwrap();
    fields.sort();
    assert_eq!(fields, [Name::from(field), Name::from("text")]);
    assert!(store.hdel(KEY, field).await.unwrap());
    assert!(!store.hexists(KEY, field).await.unwrap());
}

/// Set members and list elements under a non-UTF-8 key behave as under any other.
pub async fn test_binary_key_collections(store: TestStore) {
    let member = Bytes::from_static(b"m\xff");
    store.sadd(KEY, member.clone()).await.unwrap();
    assert!(store.sismember(KEY, member.clone()).await.unwrap());
    assert_eq!(store.smembers(KEY).await.unwrap(), vec![member]);
    let list: &[u8] = b"bin:l\x80";
    store.rpush(list, "a").await.unwrap();
    assert_eq!(store.lpop(list).await.unwrap().as_deref(), Some(&b"a"[..]));
}

/// `KEYS` and `SCAN` return non-UTF-8 keys unchanged, and a glob matches them byte by byte
/// (`?` is one byte, `\xff` included).
pub async fn test_keys_and_scan_return_binary_keys(store: TestStore) {
    store.set(KEY, "1").await.unwrap();
    store.set("bin:ok", "2").await.unwrap();
    store.set("other", "3").await.unwrap();
    let mut keys = store.keys("bin:*").await.unwrap();
    keys.sort();
    assert_eq!(keys, [Name::from(KEY), Name::from("bin:ok")]);
    let one_byte_then_nul = store.keys("bin:k?\u{0}").await.unwrap();
    assert_eq!(
        one_byte_then_nul,
        [Name::from(KEY)],
        "? matches the single byte 0xff"
    );
    let mut scanned = store
        .scan_all(ScanOptions::new().pattern("bin:*"))
        .await
        .unwrap();
    scanned.sort();
    scanned.dedup();
    assert_eq!(scanned, [Name::from(KEY), Name::from("bin:ok")]);
}

/// A `KEYS`, `SCAN` or `SSCAN` glob with a literal non-UTF-8 byte matches that byte only.
pub async fn test_match_pattern_with_binary_byte(store: TestStore) {
    let other: &[u8] = b"bin:k\xfe\x00";
    store.set(KEY, "1").await.unwrap();
    store.set(other, "2").await.unwrap();
    let pattern: &[u8] = b"bin:k\xff*";
    assert_eq!(
        store.keys(pattern).await.unwrap(),
        [Name::from(KEY)],
        "KEYS: the literal 0xff matches only the key holding 0xff"
    );
    let mut scanned = store
        .scan_all(ScanOptions::new().pattern(pattern))
        .await
        .unwrap();
    scanned.dedup();
    assert_eq!(scanned, [Name::from(KEY)], "SCAN MATCH with a 0xff byte");
    let set: &[u8] = b"bin:set";
    let members = [Bytes::from_static(b"m\xff1"), Bytes::from_static(b"m\xfe1")];
    store.sadd_multiple(set, members.clone()).await.unwrap();
    let (_, found) = store
        .sscan_options(
            set,
            0,
            ScanOptions::new().pattern(&b"m\xff*"[..]).count(100),
        )
        .await
        .unwrap();
    assert_eq!(found, [members[0].clone()], "SSCAN MATCH with a 0xff byte");
}
