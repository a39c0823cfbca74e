//! `GET /api/bot/stream`: the pub/sub to server-sent events bridge.
//!
//! Each open page gets one stream that merges three sources: the bot's event channel
//! (`bot:events`, every event the bot logs), the queue's channel (`bot:tasks:events`, every
//! task state change) and the storage monitor. Pub/sub is fire-and-forget, so when a channel
//! reports a gap (Redis reconnected, or `Failover` moved delivery between Redis and the local
//! store) the stream sends `event: gap` and the page re-reads the state over the API instead of
//! trusting it missed nothing.
//!
//! The stream ends when the dashboard shuts down, so a graceful HTTP shutdown does not wait
//! for pages that stay open; `EventSource` reconnects by itself after a restart.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, BoxStream, Stream, StreamExt};
use serde::Serialize;
use tokio::sync::watch;

use crate::Dashboard;
use crate::api::error::ApiError;

/// `GET /api/bot/stream`.
pub async fn stream(
    State(app): State<Dashboard>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let bot: BoxStream<'static, Event> = app
        .bot()
        .subscribe_events()
        .await?
        .map(|item| match item {
            Some(event) => json_event("bot", &event),
            None => gap("bot"),
        })
        .boxed();
    let queue: BoxStream<'static, Event> = app
        .bot()
        .queue()
        .events()
        .await?
        .map(|item| match item {
            Some(event) => json_event("queue", &event),
            None => gap("queue"),
        })
        .boxed();
    // The current storage state first, then every new measurement.
    let storage_rx = app.storage().subscribe();
    let first = json_event("storage", &app.storage().latest());
    let storage = stream::once(async move { first })
        .chain(stream::unfold(storage_rx, |mut rx| async move {
            rx.changed().await.ok()?;
            let event = json_event("storage", &*rx.borrow_and_update());
            Some((event, rx))
        }))
        .boxed();
    let merged = stream::select_all([bot, queue, storage])
        .take_until(shut_down(app.shutdown_signal()))
        .map(Ok);
    Ok(Sse::new(merged).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// Resolves when the dashboard shuts down (or is dropped).
async fn shut_down(mut signal: watch::Receiver<bool>) {
    let _ = signal.wait_for(|down| *down).await;
}

fn json_event(name: &str, value: &impl Serialize) -> Event {
    match Event::default().event(name).json_data(value) {
        Ok(event) => event,
        // Serializing our own types cannot fail; say so on the stream rather than panic.
        Err(e) => Event::default()
            .event("error")
            .data(format!("could not encode a {name} event: {e}")),
    }
}

fn gap(source: &str) -> Event {
    json_event("gap", &serde_json::json!({ "source": source }))
}
