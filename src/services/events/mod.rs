//! Typed JSON events on pub/sub channels, a capped log per channel, and a [`Stream`] ready for
//! Server-Sent Events (the Transform Army guide, "Pub/Sub for Real-Time Events").
//!
//! ```no_run
//! use std::sync::Arc;
//! use futures_util::StreamExt;
//! use staunch::events::Events;
//!
//! # async fn demo(store: Arc<dyn staunch::Store>) -> staunch::Result<()> {
//! let events = Events::new(store);
//! let mut frames = events.subscribe::<serde_json::Value>(&["workflow:events"]).await?.sse();
//! events
//!     .emit("workflow", Some("tenant-1"), "workflow.started", serde_json::json!({"workflow_id": "123"}))
//!     .await?;
//! let frame = frames.next().await; // Some("id: ...\nevent: workflow.started\ndata: {...}\n\n")
//! # let _ = frame; Ok(()) }
//! ```
//!
//! # Channels and keys (readable with `redis-cli`)
//!
//! | name | kind | what |
//! |---|---|---|
//! | `{topic}:events` | channel | every event of a topic (the dashboard's `workflow:events`) |
//! | `{topic}:events:tenant:{tenant_id}` | channel | one tenant's events of a topic |
//! | `{channel}:log` | list | the last [`EventsConfig::log_cap`] events of a channel, newest first (on a Redis Cluster the topic is hash-tagged, `{workflow}:events:log`: see [`Events::log_key_on`]) |
//!
//! Any other channel name works too (`system:alerts`, `job:updates`): [`Events::publish`]
//! takes the channel as it is. [`Events::emit`] is the Transform Army guide's pattern: one event goes to the
//! topic's global channel and, when it belongs to a tenant, to that tenant's channel.
//!
//! # Decisions
//!
//! - An event is one JSON object: `{"id","event_type","tenant_id","timestamp","data"}` with the
//!   caller's payload under `data` (not flattened: any `Serialize` type works, and the envelope
//!   fields can never be shadowed by payload fields).
//! - The log is written in the same atomic batch as the publish, so a subscriber that missed
//!   messages (a [`Delivery::Gap`]) can resynchronise from [`Events::recent`].
//! - Pub/sub is at most once (Redis's rule): the log, not the channel, is the record.
//! - Channels are matched exactly (`SUBSCRIBE`, never `PSUBSCRIBE`), so tenant ids need no glob
//!   escaping here.

pub(crate) mod stamp;

use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_util::Stream;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use staunch_core::{
    As, Batch, Bytes, Clock, Error, GapReason, Lists, Name, Result, Step, Store, Subscription,
    SubscriptionEvent, SystemClock,
};

pub use stamp::{iso8601, new_id};

/// One event as it travels and is logged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event<T> {
    /// Random id (UUID v4 text).
    pub id: String,
    /// What happened (`workflow.started`, ...).
    pub event_type: String,
    /// The tenant it belongs to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// When, ISO 8601 UTC.
    pub timestamp: String,
    /// The payload.
    pub data: T,
}

impl<T> Event<T> {
    /// A new event stamped now (system clock).
    pub fn new(event_type: impl Into<String>, tenant_id: Option<&str>, data: T) -> Self {
        Event::at(stamp::system_now_ms(), event_type, tenant_id, data)
    }

    /// A new event stamped at `unix_ms`.
    pub fn at(
        unix_ms: i64,
        event_type: impl Into<String>,
        tenant_id: Option<&str>,
        data: T,
    ) -> Self {
        Event {
            id: new_id(),
            event_type: event_type.into(),
            tenant_id: tenant_id.map(str::to_owned),
            timestamp: iso8601(unix_ms),
            data,
        }
    }
}

/// Settings of [`Events`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct EventsConfig {
    /// How many events each channel's log keeps (default 1000; 0 keeps no log).
    pub log_cap: u64,
    /// Where timestamps come from (default: the system clock).
    pub clock: Arc<dyn Clock>,
}

impl Default for EventsConfig {
    fn default() -> Self {
        EventsConfig {
            log_cap: 1000,
            clock: Arc::new(SystemClock),
        }
    }
}

impl EventsConfig {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets [`EventsConfig::log_cap`].
    pub fn log_cap(mut self, cap: u64) -> Self {
        self.log_cap = cap;
        self
    }
    /// Sets [`EventsConfig::clock`].
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }
}

/// Publishes and subscribes typed events on a store. Cheap to clone.
#[derive(Clone)]
pub struct Events {
    store: Arc<dyn Store>,
    config: EventsConfig,
}

impl std::fmt::Debug for Events {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Events")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Events {
    /// Events on `store` with the default settings.
    pub fn new(store: Arc<dyn Store>) -> Events {
        Events::with_config(store, EventsConfig::default())
    }

    /// Events on `store` with `config`.
    pub fn with_config(store: Arc<dyn Store>, config: EventsConfig) -> Events {
        Events { store, config }
    }

    /// `{topic}:events`, the topic's global channel.
    pub fn topic_channel(topic: &str) -> String {
        format!("{topic}:events")
    }

    /// `{topic}:events:tenant:{tenant_id}`, one tenant's channel of a topic.
    pub fn tenant_channel(topic: &str, tenant_id: &str) -> String {
        format!("{topic}:events:tenant:{tenant_id}")
    }

    /// `{channel}:log`, the list holding a channel's recent events.
    pub fn log_key(channel: &str) -> String {
        format!("{channel}:log")
    }

    /// The log key of `channel` on this store: [`Events::log_key`], except on a Redis Cluster,
    /// where the topic is hash-tagged (`{workflow}:events:log`,
    /// `{workflow}:events:tenant:t1:log`) so a topic's global and tenant logs share a slot and
    /// [`Events::emit`] can write both in one transaction.
    pub fn log_key_on(&self, channel: &str) -> String {
        if self.store.capabilities().cross_slot {
            return Self::log_key(channel);
        }
        match channel.find(":events") {
            Some(end) if end > 0 && !channel[..end].contains('{') => {
                format!("{{{}}}{}:log", &channel[..end], &channel[end..])
            }
            _ => Self::log_key(channel),
        }
    }

    /// Publishes `event` on `channel` and logs it there; returns how many subscribers got it.
    pub async fn publish<T: Serialize>(&self, channel: &str, event: &Event<T>) -> Result<u64> {
        let payload = encode(event)?;
        let mut batch = Batch::transaction(&*self.store);
        let published = self.add_publish(&mut batch, channel, payload);
        batch.run().await?.take(published)
    }

    /// The Transform Army guide's pattern: an event of `event_type` on the topic's global channel and, when
    /// `tenant_id` is given, on the tenant's channel too (one atomic batch). Returns the event.
    pub async fn emit<T: Serialize>(
        &self,
        topic: &str,
        tenant_id: Option<&str>,
        event_type: &str,
        data: T,
    ) -> Result<Event<T>> {
        let event = Event::at(self.config.clock.now_ms(), event_type, tenant_id, data);
        let payload = encode(&event)?;
        let mut batch = Batch::transaction(&*self.store);
        self.add_publish(&mut batch, &Self::topic_channel(topic), payload.clone());
        if let Some(tenant) = tenant_id {
            self.add_publish(&mut batch, &Self::tenant_channel(topic, tenant), payload);
        }
        batch.run().await?.check()?;
        Ok(event)
    }

    /// Adds logging `payload` on `channel` (when logs are kept) and publishing it to `batch`;
    /// the returned step answers how many subscribers received it.
    fn add_publish(
        &self,
        batch: &mut Batch<'_, dyn Store>,
        channel: &str,
        payload: Bytes,
    ) -> Step<As<u64>> {
        if self.config.log_cap > 0 {
            let key = self.log_key_on(channel);
            batch.lpush(&key, &payload);
            batch.ltrim(&key, 0, self.config.log_cap.min(i64::MAX as u64) as i64 - 1);
        }
        batch.publish(channel, payload)
    }

    /// The newest `limit` logged events of `channel`, newest first. Entries that do not decode
    /// as `Event<T>` are skipped.
    pub async fn recent<T: DeserializeOwned>(
        &self,
        channel: &str,
        limit: u64,
    ) -> Result<Vec<Event<T>>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let stop = limit.min(i64::MAX as u64) as i64 - 1;
        let raw = self
            .store
            .lrange(&self.log_key_on(channel), 0, stop)
            .await?;
        Ok(raw
            .iter()
            .filter_map(|b| serde_json::from_slice(b).ok())
            .collect())
    }

    /// Subscribes to `channels`. The subscription is active when this returns.
    pub async fn subscribe<T: DeserializeOwned>(
        &self,
        channels: &[&str],
    ) -> Result<EventStream<T>> {
        let subscription = self
            .store
            .subscribe(
                channels.iter().map(|c| Name::from(*c)).collect(),
                Vec::new(),
            )
            .await?;
        Ok(EventStream {
            inner: subscription,
            _type: PhantomData,
        })
    }
}

fn encode<T: Serialize>(event: &Event<T>) -> Result<Bytes> {
    serde_json::to_vec(event)
        .map(Bytes::from)
        .map_err(|e| Error::invalid(format!("event does not serialize as JSON: {e}")))
}

/// What an [`EventStream`] yields.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Delivery<T> {
    /// An event, with the channel it came on.
    Event {
        /// The channel.
        channel: Name,
        /// The event.
        event: Event<T>,
    },
    /// Events may have been missed here (lag, reconnect, backend switch): resynchronise from
    /// [`Events::recent`].
    Gap(GapReason),
    /// A message on the channel that is not an `Event<T>`.
    Malformed {
        /// The channel.
        channel: Name,
        /// Why it did not decode.
        error: String,
    },
}

/// A live subscription decoding [`Event`]s. Dropping it unsubscribes.
pub struct EventStream<T> {
    inner: Subscription,
    _type: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for EventStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream").finish_non_exhaustive()
    }
}

impl<T: DeserializeOwned> EventStream<T> {
    /// The same stream as Server-Sent Events frames: `id: ..\nevent: ..\ndata: {json}\n\n` per
    /// event, `event: gap` frames for gaps, a comment line for malformed messages. Ready for a
    /// `text/event-stream` response body.
    pub fn sse(self) -> SseStream<T> {
        SseStream { inner: self }
    }
}

impl<T: DeserializeOwned> Stream for EventStream<T> {
    type Item = Delivery<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match Pin::new(&mut self.inner).poll_next(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Ready(Some(SubscriptionEvent::Gap(reason))) => {
                Poll::Ready(Some(Delivery::Gap(reason)))
            }
            Poll::Ready(Some(SubscriptionEvent::Message(message))) => {
                let item = match serde_json::from_slice::<Event<T>>(&message.payload) {
                    Ok(event) => Delivery::Event {
                        channel: message.channel,
                        event,
                    },
                    Err(e) => Delivery::Malformed {
                        channel: message.channel,
                        error: e.to_string(),
                    },
                };
                Poll::Ready(Some(item))
            }
            Poll::Ready(Some(_)) => Poll::Ready(Some(Delivery::Gap(GapReason::Reconnected))),
        }
    }
}

/// [`EventStream::sse`]: SSE frames as `String`s.
pub struct SseStream<T> {
    inner: EventStream<T>,
}

impl<T> std::fmt::Debug for SseStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SseStream").finish_non_exhaustive()
    }
}

impl<T: DeserializeOwned> Stream for SseStream<T> {
    type Item = String;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<String>> {
        // Decode only to validate and to read id and type; the data line is the payload as
        // published, re-serialized on one line (SSE data may not contain raw newlines).
        match Pin::new(&mut self.inner.inner).poll_next(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Ready(Some(SubscriptionEvent::Message(message))) => {
                let frame =
                    match serde_json::from_slice::<Event<serde_json::Value>>(&message.payload) {
                        Ok(event) => sse_frame(&event),
                        Err(_) => ": malformed event skipped\n\n".to_owned(),
                    };
                Poll::Ready(Some(frame))
            }
            Poll::Ready(Some(SubscriptionEvent::Gap(reason))) => Poll::Ready(Some(format!(
                "event: gap\ndata: {{\"reason\":\"{}\"}}\n\n",
                gap_name(reason)
            ))),
            Poll::Ready(Some(_)) => Poll::Ready(Some("event: gap\ndata: {}\n\n".to_owned())),
        }
    }
}

/// One SSE frame for an event.
pub fn sse_frame<T: Serialize>(event: &Event<T>) -> String {
    let data = serde_json::to_string(event).unwrap_or_else(|_| "{}".to_owned());
    let kind: String = event
        .event_type
        .chars()
        .filter(|c| *c != '\n' && *c != '\r')
        .collect();
    format!("id: {}\nevent: {}\ndata: {}\n\n", event.id, kind, data)
}

fn gap_name(reason: GapReason) -> &'static str {
    match reason {
        GapReason::Lagged(_) => "lagged",
        GapReason::Reconnected => "reconnected",
        GapReason::BackendSwitched => "backend_switched",
        _ => "unknown",
    }
}
