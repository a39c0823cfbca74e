//! Conformance cases for `SETBIT`, `GETBIT` and `BITCOUNT`.

use super::super::TestStore;
use super::super::keyspace::{assert_error, assert_kind};
use crate::prelude::*;

/// `SETBIT` answers the previous bit, counts bits from the most significant bit of the first
/// byte, grows the string with zero bytes, creates a missing key and keeps the TTL; `GETBIT`
/// reads bits back, 0 past the end or for a missing key.
pub async fn test_setbit_getbit(store: TestStore) {
    assert!(!store.setbit("k", 1, true).await.unwrap(), "was 0");
    assert!(store.setbit("k", 1, true).await.unwrap(), "now 1");
    assert_eq!(
        store.get("k").await.unwrap(),
        Some(Bytes::from_static(&[0x40])),
        "bit 1 is 0x40 of the first byte"
    );
    store.expire("k", 1000).await.unwrap();
    assert!(!store.setbit("k", 23, true).await.unwrap());
    assert_eq!(
        store.get("k").await.unwrap(),
        Some(Bytes::from_static(&[0x40, 0, 1])),
        "grown with zero bytes"
    );
    assert!(store.ttl("k").await.unwrap() > 0, "SETBIT keeps the TTL");
    assert!(store.setbit("k", 1, false).await.unwrap(), "cleared, was 1");
    assert!(!store.getbit("k", 1).await.unwrap());
    assert!(store.getbit("k", 23).await.unwrap());
    assert!(!store.getbit("k", 1000).await.unwrap(), "past the end");
    assert!(!store.getbit("missing", 0).await.unwrap(), "missing key");
    store.set("s", "a").await.unwrap();
    assert!(store.getbit("s", 1).await.unwrap(), "'a' is 0x61");
    assert!(!store.getbit("s", 0).await.unwrap());
}

/// Offsets from 2^32 (past 512 MiB) are `InvalidInput` with Redis's message; other types are
/// `WRONGTYPE`.
pub async fn test_bit_errors(store: TestStore) {
    for offset in [1u64 << 32, u64::MAX] {
        assert_error(
            store.setbit("k", offset, true).await,
            ErrorKind::InvalidInput,
            "bit offset is not an integer or out of range",
            "SETBIT past 512 MiB",
        );
        assert_error(
            store.getbit("k", offset).await,
            ErrorKind::InvalidInput,
            "bit offset is not an integer or out of range",
            "GETBIT past 512 MiB",
        );
    }
    assert!(!store.exists("k").await.unwrap());
    store.rpush("l", "x").await.unwrap();
    assert_kind(
        store.setbit("l", 0, true).await,
        ErrorKind::WrongType,
        "SETBIT",
    );
    assert_kind(store.getbit("l", 0).await, ErrorKind::WrongType, "GETBIT");
    assert_kind(store.bitcount("l").await, ErrorKind::WrongType, "BITCOUNT");
}

/// `BITCOUNT` counts set bits in the whole string or in a byte or bit range, clamped as
/// `GETRANGE` clamps; 0 for a missing key.
pub async fn test_bitcount(store: TestStore) {
    store.set("k", "foobar").await.unwrap();
    assert_eq!(store.bitcount("k").await.unwrap(), 26);
    assert_eq!(store.bitcount("missing").await.unwrap(), 0);
    let cases: [(i64, i64, BitUnit, u64); 11] = [
        (0, 0, BitUnit::Byte, 4),
        (1, 1, BitUnit::Byte, 6),
        (-2, -1, BitUnit::Byte, 7),
        (0, -1, BitUnit::Byte, 26),
        (-100, 100, BitUnit::Byte, 26),
        (3, 1, BitUnit::Byte, 0),
        (-1, -2, BitUnit::Byte, 0),
        (1, 1, BitUnit::Bit, 1),
        (5, 30, BitUnit::Bit, 17),
        (-5, -1, BitUnit::Bit, 2),
        (i64::MIN, i64::MAX, BitUnit::Bit, 26),
    ];
    for (start, end, unit, want) in cases {
        assert_eq!(
            store.bitcount_range("k", start, end, unit).await.unwrap(),
            want,
            "BITCOUNT {start} {end} {unit:?}"
        );
    }
    store.set("empty", "").await.unwrap();
    assert_eq!(
        store
            .bitcount_range("empty", 0, -1, BitUnit::Bit)
            .await
            .unwrap(),
        0
    );
}
