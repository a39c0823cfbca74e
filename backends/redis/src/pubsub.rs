//! Subscriptions: one dedicated RESP3 connection per [`Subscription`], kept alive by a
//! supervisor task that reconnects and resubscribes.
//!
//! # Design
//!
//! - A connection in subscribed mode cannot run other commands, so each subscription gets its
//!   own (pub/sub is not on the hot path; a connection per subscriber keeps them independent:
//!   one slow subscriber never delays another).
//! - `subscribe` returns only after Redis acknowledged every `SUBSCRIBE`/`PSUBSCRIBE`, so a
//!   message published afterwards is delivered.
//! - Published messages arrive as RESP3 pushes and go into a bounded buffer
//!   ([`crate::RedisOptions::subscription_buffer`]). When the subscriber falls that far behind,
//!   newer messages are dropped and counted, and the stream yields
//!   `SubscriptionEvent::Gap(GapReason::Lagged(n))` before its next message, instead of letting
//!   memory grow without bound.
//! - When the connection drops (server restart, network failure, or a `PING` that goes
//!   unanswered for the response timeout) the supervisor reconnects with exponential backoff,
//!   subscribes again and yields `Gap(GapReason::Reconnected)`: messages published while it
//!   was away are lost, and the subscriber resynchronises from state.
//! - Dropping the [`Subscription`] aborts the supervisor, which closes the connection, so
//!   Redis forgets the subscription.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;
use redis::{PushInfo, PushKind, Value};
use staunch_core::{Error, GapReason, Message, Name, Result, Subscription, SubscriptionEvent};
use tokio::sync::{Notify, mpsc};

use crate::connection::{Connector, Live};
use crate::decode::redis_error;
use crate::options::RedisOptions;

/// What a subscription listens to and how it reconnects.
struct Plan {
    channels: Vec<Name>,
    patterns: Vec<Name>,
    backoff_min: Duration,
    backoff_max: Duration,
    ping_interval: Duration,
}

/// Shared between the push callback, the supervisor and the stream.
struct Shared {
    tx: mpsc::Sender<SubscriptionEvent>,
    lagged: AtomicU64,
    wake: Notify,
}

/// Subscribes on a new dedicated connection. See the module docs.
pub(crate) async fn subscribe(
    connector: Arc<Connector>,
    options: &RedisOptions,
    channels: Vec<Name>,
    patterns: Vec<Name>,
) -> Result<Subscription> {
    if channels.is_empty() && patterns.is_empty() {
        return Err(Error::invalid(
            "subscribe needs at least one channel or pattern",
        ));
    }
    let (tx, rx) = mpsc::channel(options.subscription_buffer);
    let shared = Arc::new(Shared {
        tx,
        lagged: AtomicU64::new(0),
        wake: Notify::new(),
    });
    let plan = Plan {
        channels,
        patterns,
        backoff_min: options.reconnect_backoff_min,
        backoff_max: options.reconnect_backoff_max,
        ping_interval: options.subscription_ping_interval,
    };
    let live = open(&connector, &plan, &shared).await?;
    let task = tokio::spawn(supervise(connector, plan, shared.clone(), live));
    Ok(Subscription::new(EventStream { rx, shared, task }))
}

/// Connects and subscribes; returns once Redis acknowledged every subscription.
async fn open(connector: &Connector, plan: &Plan, shared: &Arc<Shared>) -> Result<Live> {
    let sink = Arc::downgrade(shared);
    let on_push = move |info: PushInfo| {
        if let Some(shared) = sink.upgrade() {
            deliver(&shared, info);
        }
    };
    let mut live = connector
        .connect(Some(connector.response_timeout()), Some(Box::new(on_push)))
        .await?;
    if !plan.channels.is_empty() {
        live.conn
            .subscribe(names(&plan.channels))
            .await
            .map_err(redis_error)?;
    }
    if !plan.patterns.is_empty() {
        live.conn
            .psubscribe(names(&plan.patterns))
            .await
            .map_err(redis_error)?;
    }
    Ok(live)
}

/// Called by the connection driver for every push: must not block.
fn deliver(shared: &Shared, info: PushInfo) {
    let event = match info.kind {
        PushKind::Disconnection => {
            shared.wake.notify_one();
            return;
        }
        PushKind::Message => match <[Value; 2]>::try_from(info.data) {
            Ok([channel, payload]) => Message::new(bytes(channel), None, bytes(payload)),
            Err(_) => return,
        },
        PushKind::PMessage => match <[Value; 3]>::try_from(info.data) {
            Ok([pattern, channel, payload]) => {
                Message::new(bytes(channel), Some(bytes(pattern).into()), bytes(payload))
            }
            Err(_) => return,
        },
        _ => return,
    };
    if let Err(mpsc::error::TrySendError::Full(_)) =
        shared.tx.try_send(SubscriptionEvent::Message(event))
    {
        shared.lagged.fetch_add(1, Ordering::AcqRel);
    }
}

fn bytes(value: Value) -> Bytes {
    match value {
        Value::BulkString(b) => Bytes::from(b),
        Value::SimpleString(s) => Bytes::from(s),
        Value::VerbatimString { text, .. } => Bytes::from(text),
        _ => Bytes::new(),
    }
}

/// Names as the byte strings redis-rs sends as one argument each.
fn names(names: &[Name]) -> Vec<&[u8]> {
    names.iter().map(Name::as_bytes).collect()
}

/// Keeps the subscription alive until the subscriber is gone (then this task is aborted).
async fn supervise(connector: Arc<Connector>, plan: Plan, shared: Arc<Shared>, mut live: Live) {
    loop {
        tokio::select! {
            _ = shared.tx.closed() => return,
            _ = shared.wake.notified() => {
                if !live.is_dead() {
                    continue;
                }
            }
            _ = tokio::time::sleep(plan.ping_interval) => {
                let ping = live.conn.send_packed_command(&redis::cmd("PING")).await;
                if ping.is_ok() && !live.is_dead() {
                    continue;
                }
                tracing::debug!("subscription connection did not answer PING; reconnecting");
            }
        }
        live = match reconnect(&connector, &plan, &shared).await {
            Some(live) => live,
            None => return,
        };
        if shared
            .tx
            .send(SubscriptionEvent::Gap(GapReason::Reconnected))
            .await
            .is_err()
        {
            return;
        }
    }
}

/// Reconnects with exponential backoff until it works or the subscriber is gone.
async fn reconnect(connector: &Connector, plan: &Plan, shared: &Arc<Shared>) -> Option<Live> {
    let mut delay = plan.backoff_min;
    loop {
        tokio::select! {
            _ = shared.tx.closed() => return None,
            _ = tokio::time::sleep(delay) => {}
        }
        match open(connector, plan, shared).await {
            Ok(live) => {
                tracing::info!("subscription reconnected to Redis");
                return Some(live);
            }
            Err(error) => {
                tracing::debug!(%error, ?delay, "subscription reconnect failed");
                delay = delay.saturating_mul(2).min(plan.backoff_max);
            }
        }
    }
}

/// The stream handed to the subscriber.
struct EventStream {
    rx: mpsc::Receiver<SubscriptionEvent>,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Stream for EventStream {
    type Item = SubscriptionEvent;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let lagged = self.shared.lagged.swap(0, Ordering::AcqRel);
        if lagged > 0 {
            return Poll::Ready(Some(SubscriptionEvent::Gap(GapReason::Lagged(lagged))));
        }
        self.rx.poll_recv(cx)
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        // Aborting drops the connection, which closes it: Redis forgets the subscription.
        self.task.abort();
    }
}
