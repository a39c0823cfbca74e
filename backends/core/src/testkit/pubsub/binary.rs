//! Conformance cases for binary-safe pub/sub names: a channel that is not UTF-8 is published
//! to, delivered and listed by `PUBSUB` with its bytes unchanged, and a `PSUBSCRIBE` pattern
//! holding a non-UTF-8 byte matches channels byte by byte, as in Redis.

use super::super::TestStore;
use super::super::keyspace::unique;
use super::{msg_bytes, next_message};
use crate::Name;
use crate::prelude::*;

/// `unique(prefix)` followed by `tail`: a per-case name with bytes that are not UTF-8.
fn binary(prefix: &str, tail: &[u8]) -> Name {
    Name::from([unique(prefix).as_bytes(), tail].concat())
}

/// A channel with a `0xff` and a NUL byte is delivered, counted and listed unchanged.
pub async fn test_binary_channel_round_trip(store: TestStore) {
    let channel = binary("binch", b".\xff\x00");
    let mut sub = store
        .subscribe(vec![channel.clone()], vec![])
        .await
        .unwrap();
    assert_eq!(
        store.publish(&channel, "probe").await.unwrap(),
        1,
        "PUBLISH on the binary channel reaches its subscriber"
    );
    let got = next_message(&mut sub, "binary channel").await;
    assert_eq!(
        got,
        msg_bytes(&channel, None, b"probe"),
        "the message carries the channel's bytes"
    );
    assert_eq!(
        store.pubsub_numsub([&channel]).await.unwrap(),
        vec![(channel.clone(), 1)],
        "NUMSUB counts the binary channel's subscriber"
    );
    let other = Name::from([&channel[..channel.len() - 1], b"\x01"].concat());
    assert_eq!(
        store.publish(&other, "x").await.unwrap(),
        0,
        "a channel differing in its last byte is another channel"
    );
    let listed = store.pubsub_channels_matching(&channel).await.unwrap();
    assert_eq!(
        listed,
        [channel],
        "CHANNELS with the name as its own glob lists it"
    );
}

/// A pattern with a literal `0xff` byte matches channels holding that byte and no others;
/// `?` matches the single byte `0xff`.
pub async fn test_psubscribe_binary_pattern(store: TestStore) {
    let base = unique("binpat");
    let literal = Name::from([base.as_bytes(), b".\xff*"].concat());
    let question = Name::from([base.as_bytes(), b"-?"].concat());
    let mut sub = store
        .subscribe(vec![], vec![literal.clone(), question.clone()])
        .await
        .unwrap();
    let hit = Name::from([base.as_bytes(), b".\xffx"].concat());
    let miss = Name::from([base.as_bytes(), b".\xfex"].concat());
    let one_byte = Name::from([base.as_bytes(), b"-\xff"].concat());
    assert_eq!(
        store.publish(&hit, "probe").await.unwrap(),
        1,
        "the literal 0xff in the pattern matches the channel's 0xff"
    );
    assert_eq!(
        store.publish(&miss, "x").await.unwrap(),
        0,
        "0xfe does not match a literal 0xff"
    );
    assert_eq!(
        store.publish(&one_byte, "y").await.unwrap(),
        1,
        "? matches the single byte 0xff"
    );
    assert_eq!(
        next_message(&mut sub, "binary pattern").await,
        msg_bytes(&hit, Some(&literal), b"probe"),
        "delivered with the channel and the pattern as bytes"
    );
    assert_eq!(
        next_message(&mut sub, "binary pattern, ?").await,
        msg_bytes(&one_byte, Some(&question), b"y"),
        "? delivered with its pattern"
    );
}
