//! Conformance cases for pub/sub: delivery, receiver counts, pattern subscriptions, double
//! delivery to a channel and a matching pattern, unsubscribe on drop, binary payloads, ordering;
//! `PUBSUB` introspection, more glob and per-publisher order in `introspection`.
//!
//! Channel names are unique per case (`keyspace::unique`) because a Redis server shares pub/sub across
//! its logical databases. Every wait is bounded, so a missing message fails instead of hanging.

use std::time::{Duration, Instant};

use futures_util::StreamExt;

use super::keyspace::unique;
use super::{Case, TestStore, cases};
use crate::prelude::*;
use crate::store::{Message, Subscription, SubscriptionEvent};

mod binary;
mod introspection;
pub use binary::*;
pub use introspection::*;

/// Every pub/sub case.
pub fn cases() -> Vec<Case> {
    cases![
        test_publish_without_subscriber_is_zero,
        test_subscribe_receives_message,
        test_publish_counts_receivers,
        test_subscribe_many_channels,
        test_unsubscribed_channel_not_delivered,
        test_psubscribe_star,
        test_psubscribe_question_and_class,
        test_psubscribe_counts_receivers,
        test_psubscribe_escaped_glob_is_literal,
        test_subscribe_duplicate_channel_delivered_once,
        test_channel_and_pattern_deliver_twice,
        test_drop_unsubscribes,
        test_drop_one_of_two_subscriptions,
        test_binary_payload,
        test_messages_arrive_in_publish_order,
        test_messages_keep_order_per_publisher,
        test_psubscribe_ranges_and_negation,
        test_pubsub_numsub_and_channels,
        test_pubsub_numpat,
        test_pubsub_channels_star_leaves_out_empty_channel,
        test_binary_channel_round_trip,
        test_psubscribe_binary_pattern,
    ]
}

const WAIT: Duration = Duration::from_secs(3);

/// The next message, failing on a gap, the end of the stream or a timeout.
async fn next_message(sub: &mut Subscription, rule: &str) -> Message {
    match tokio::time::timeout(WAIT, sub.next()).await {
        Ok(Some(SubscriptionEvent::Message(m))) => m,
        Ok(Some(other)) => panic!("{rule}: expected a message, got {other:?}"),
        Ok(None) => panic!("{rule}: the subscription ended"),
        Err(_) => panic!("{rule}: no message within {WAIT:?}"),
    }
}

fn msg(channel: &str, pattern: Option<&str>, payload: &[u8]) -> Message {
    Message::new(
        channel,
        pattern.map(crate::Name::from),
        Bytes::copy_from_slice(payload),
    )
}

/// A message whose channel and pattern are bytes.
fn msg_bytes(channel: &[u8], pattern: Option<&[u8]>, payload: &[u8]) -> Message {
    Message::new(
        channel,
        pattern.map(crate::Name::from),
        Bytes::copy_from_slice(payload),
    )
}

/// Publishes until the receiver count reaches `want` (a subscribe or unsubscribe may take a
/// moment to reach a server), returning the last count.
async fn publish_until(store: &TestStore, channel: &str, want: u64) -> u64 {
    let deadline = Instant::now() + WAIT;
    loop {
        let n = store.publish(channel, "probe").await.unwrap();
        if n == want || Instant::now() > deadline {
            return n;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// `PUBLISH` with no subscriber reaches 0 receivers.
pub async fn test_publish_without_subscriber_is_zero(store: TestStore) {
    let channel = unique("nobody");
    assert_eq!(
        store.publish(&channel, "hello").await.unwrap(),
        0,
        "PUBLISH without subscribers returns 0"
    );
}

/// A message published after `subscribe` returns is delivered with channel and payload.
pub async fn test_subscribe_receives_message(store: TestStore) {
    let channel = unique("chan");
    let mut sub = store
        .subscribe(vec![channel.clone().into()], vec![])
        .await
        .unwrap();
    assert_eq!(
        store.publish(&channel, "hello").await.unwrap(),
        1,
        "PUBLISH counts the subscriber that is active once subscribe returned"
    );
    assert_eq!(
        next_message(&mut sub, "subscribe then publish").await,
        msg(&channel, None, b"hello"),
        "a channel subscription delivers channel and payload, no pattern"
    );
}

/// `PUBLISH` returns the number of subscriptions that received the message.
pub async fn test_publish_counts_receivers(store: TestStore) {
    let channel = unique("count");
    let mut first = store
        .subscribe(vec![channel.clone().into()], vec![])
        .await
        .unwrap();
    assert_eq!(
        store.publish(&channel, "1").await.unwrap(),
        1,
        "one subscriber: 1"
    );
    let mut second = store
        .subscribe(vec![channel.clone().into()], vec![])
        .await
        .unwrap();
    assert_eq!(
        store.publish(&channel, "2").await.unwrap(),
        2,
        "two subscribers: 2"
    );
    assert_eq!(
        next_message(&mut first, "first").await.payload,
        "1",
        "first got 1"
    );
    assert_eq!(
        next_message(&mut first, "first").await.payload,
        "2",
        "first got 2"
    );
    assert_eq!(
        next_message(&mut second, "second").await.payload,
        "2",
        "a later subscriber gets only later messages"
    );
}

/// One subscription to several channels receives from each.
pub async fn test_subscribe_many_channels(store: TestStore) {
    let a = unique("a");
    let b = unique("b");
    let mut sub = store
        .subscribe(vec![a.clone().into(), b.clone().into()], vec![])
        .await
        .unwrap();
    assert_eq!(
        store.publish(&b, "to-b").await.unwrap(),
        1,
        "b has a subscriber"
    );
    assert_eq!(
        store.publish(&a, "to-a").await.unwrap(),
        1,
        "a has a subscriber"
    );
    assert_eq!(
        next_message(&mut sub, "many channels").await,
        msg(&b, None, b"to-b"),
        "message on b delivered"
    );
    assert_eq!(
        next_message(&mut sub, "many channels").await,
        msg(&a, None, b"to-a"),
        "message on a delivered"
    );
}

/// Messages on other channels are not delivered.
pub async fn test_unsubscribed_channel_not_delivered(store: TestStore) {
    let mine = unique("mine");
    let other = format!("{mine}x");
    let mut sub = store
        .subscribe(vec![mine.clone().into()], vec![])
        .await
        .unwrap();
    assert_eq!(
        store.publish(&other, "nope").await.unwrap(),
        0,
        "a channel that merely extends a subscribed name has no subscriber"
    );
    store.publish(&mine, "sentinel").await.unwrap();
    assert_eq!(
        next_message(&mut sub, "unsubscribed channel").await,
        msg(&mine, None, b"sentinel"),
        "only messages on subscribed channels arrive"
    );
}

/// A `*` pattern subscription delivers matching channels with the pattern.
pub async fn test_psubscribe_star(store: TestStore) {
    let base = unique("news");
    let pattern = format!("{base}.*");
    let mut sub = store.psubscribe(&[&pattern]).await.unwrap();
    assert_eq!(
        store.publish(&format!("{base}x"), "no").await.unwrap(),
        0,
        "news.* does not match newsx"
    );
    let sport = format!("{base}.sport");
    assert_eq!(
        store.publish(&sport, "goal").await.unwrap(),
        1,
        "news.* matches news.sport"
    );
    let deep = format!("{base}.a.b");
    store.publish(&deep, "deep").await.unwrap();
    assert_eq!(
        next_message(&mut sub, "psubscribe").await,
        msg(&sport, Some(&pattern), b"goal"),
        "a pattern subscription carries the channel and the pattern"
    );
    assert_eq!(
        next_message(&mut sub, "psubscribe").await,
        msg(&deep, Some(&pattern), b"deep"),
        "* also matches dots"
    );
}

/// `?` and `[..]` in patterns.
pub async fn test_psubscribe_question_and_class(store: TestStore) {
    let base = unique("q");
    let question = format!("{base}.?");
    let class = format!("{base}.[ab]x");
    let mut sub = store
        .subscribe(vec![], vec![question.clone().into(), class.clone().into()])
        .await
        .unwrap();
    let cases = [
        (format!("{base}.1"), 1, Some(question.clone())),
        (format!("{base}.12"), 0, None),
        (format!("{base}.ax"), 1, Some(class.clone())),
        (format!("{base}.cx"), 0, None),
        (format!("{base}.bx"), 1, Some(class.clone())),
    ];
    for (channel, receivers, _) in &cases {
        assert_eq!(
            store.publish(channel, channel.as_str()).await.unwrap(),
            *receivers,
            "receivers of {channel} under patterns ? and [ab]"
        );
    }
    for (channel, _, pattern) in cases.iter().filter(|c| c.1 == 1) {
        assert_eq!(
            next_message(&mut sub, "? and [..] patterns").await,
            msg(channel, pattern.as_deref(), channel.as_bytes()),
            "delivered with the pattern that matched"
        );
    }
}

/// `PUBLISH` counts pattern subscribers too.
pub async fn test_psubscribe_counts_receivers(store: TestStore) {
    let base = unique("pc");
    let _one = store.psubscribe(&[&format!("{base}*")]).await.unwrap();
    let _two = store
        .subscribe(vec![base.clone().into()], vec![])
        .await
        .unwrap();
    assert_eq!(
        store.publish(&base, "x").await.unwrap(),
        2,
        "a channel subscriber and a pattern subscriber both count"
    );
}

/// A message matching a channel and a pattern of the same subscription is delivered twice,
/// once per match, as Redis does.
pub async fn test_channel_and_pattern_deliver_twice(store: TestStore) {
    let base = unique("both");
    let channel = format!("{base}.a");
    let pattern = format!("{base}.*");
    let mut sub = store
        .subscribe(vec![channel.clone().into()], vec![pattern.clone().into()])
        .await
        .unwrap();
    assert_eq!(
        store.publish(&channel, "m").await.unwrap(),
        2,
        "PUBLISH counts the channel match and the pattern match"
    );
    let mut got = vec![
        next_message(&mut sub, "double delivery").await,
        next_message(&mut sub, "double delivery").await,
    ];
    got.sort_by(|a, b| a.pattern.cmp(&b.pattern));
    assert_eq!(
        got,
        vec![
            msg(&channel, None, b"m"),
            msg(&channel, Some(&pattern), b"m")
        ],
        "one delivery for the channel and one for the pattern"
    );
    store.publish(&format!("{base}.b"), "p").await.unwrap();
    assert_eq!(
        next_message(&mut sub, "pattern only").await,
        msg(&format!("{base}.b"), Some(&pattern), b"p"),
        "a channel matching only the pattern is delivered once"
    );
}

/// Dropping the subscription unsubscribes: later publishes reach nobody.
pub async fn test_drop_unsubscribes(store: TestStore) {
    let channel = unique("drop");
    let base = unique("dropp");
    let sub = store
        .subscribe(
            vec![channel.clone().into()],
            vec![(format!("{base}*")).into()],
        )
        .await
        .unwrap();
    assert_eq!(
        store.publish(&channel, "x").await.unwrap(),
        1,
        "subscribed: 1"
    );
    drop(sub);
    assert_eq!(
        publish_until(&store, &channel, 0).await,
        0,
        "dropping the subscription unsubscribes its channels"
    );
    assert_eq!(
        publish_until(&store, &format!("{base}.x"), 0).await,
        0,
        "dropping the subscription unsubscribes its patterns"
    );
}

/// Dropping one of two subscriptions leaves the other receiving.
pub async fn test_drop_one_of_two_subscriptions(store: TestStore) {
    let channel = unique("two");
    let first = store
        .subscribe(vec![channel.clone().into()], vec![])
        .await
        .unwrap();
    let mut second = store
        .subscribe(vec![channel.clone().into()], vec![])
        .await
        .unwrap();
    assert_eq!(
        store.publish(&channel, "both").await.unwrap(),
        2,
        "two subscribers"
    );
    drop(first);
    assert_eq!(
        publish_until(&store, &channel, 1).await,
        1,
        "after dropping one subscription one receiver is left"
    );
    store.publish(&channel, "last").await.unwrap();
    assert_eq!(
        next_message(&mut second, "survivor").await.payload,
        "both",
        "the survivor got the message sent to both"
    );
    loop {
        let m = next_message(&mut second, "survivor").await;
        if m.payload == "probe" {
            continue;
        }
        assert_eq!(m.payload, "last", "the survivor keeps receiving");
        break;
    }
}

/// Payloads are binary safe.
pub async fn test_binary_payload(store: TestStore) {
    let channel = unique("bin");
    let mut sub = store
        .subscribe(vec![channel.clone().into()], vec![])
        .await
        .unwrap();
    let payload: Vec<u8> = (0..=255u8).rev().chain([0, 0]).collect();
    store.publish(&channel, payload.clone()).await.unwrap();
    store.publish(&channel, "").await.unwrap();
    assert_eq!(
        next_message(&mut sub, "binary").await.payload,
        payload,
        "every byte of the payload arrives"
    );
    assert_eq!(
        next_message(&mut sub, "empty").await.payload,
        Bytes::new(),
        "an empty payload arrives"
    );
}

/// Messages arrive in publish order.
pub async fn test_messages_arrive_in_publish_order(store: TestStore) {
    let channel = unique("order");
    let mut sub = store
        .subscribe(vec![channel.clone().into()], vec![])
        .await
        .unwrap();
    for i in 0..200 {
        store.publish(&channel, i.to_string()).await.unwrap();
    }
    for i in 0..200 {
        assert_eq!(
            next_message(&mut sub, "ordering").await.payload,
            i.to_string(),
            "messages arrive in publish order"
        );
    }
}

/// A `\*` in a pattern matches only a literal `*`.
pub async fn test_psubscribe_escaped_glob_is_literal(store: TestStore) {
    let base = unique("lit");
    let pattern = format!(r"{base}.\*");
    let mut sub = store.psubscribe(&[&pattern]).await.unwrap();
    assert_eq!(
        store.publish(&format!("{base}.x"), "no").await.unwrap(),
        0,
        r"\* does not match x"
    );
    let star = format!("{base}.*");
    assert_eq!(
        store.publish(&star, "yes").await.unwrap(),
        1,
        r"\* matches *"
    );
    assert_eq!(
        next_message(&mut sub, "escaped pattern").await,
        msg(&star, Some(&pattern), b"yes"),
        "the literal channel arrives with the escaped pattern"
    );
}

/// A channel named twice in one subscription is subscribed once: one delivery, one receiver.
pub async fn test_subscribe_duplicate_channel_delivered_once(store: TestStore) {
    let channel = unique("dup");
    let mut sub = store
        .subscribe(vec![channel.clone().into(), channel.clone().into()], vec![])
        .await
        .unwrap();
    assert_eq!(
        store.publish(&channel, "one").await.unwrap(),
        1,
        "a duplicated channel counts one receiver"
    );
    store.publish(&channel, "two").await.unwrap();
    assert_eq!(
        next_message(&mut sub, "dup").await.payload,
        "one",
        "first message once"
    );
    assert_eq!(
        next_message(&mut sub, "dup").await.payload,
        "two",
        "no second copy of the first message"
    );
}
