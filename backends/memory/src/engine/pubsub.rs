//! Pub/sub inside one process: channels and glob patterns, with Redis's delivery counting.
//!
//! Each subscription owns a bounded queue. A publisher never waits for a slow subscriber: when
//! the queue is full the message is dropped for that subscriber only and counted, and the
//! subscriber receives `Gap(Lagged(n))` before its next message, so it knows to resynchronise.
//! (Redis instead disconnects a client whose output buffer overflows; a gap marker is the
//! in-process equivalent that does not lose the subscription.)

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use futures_core::Stream;
use parking_lot::Mutex;
use staunch_core::{Bytes, GapReason, Message, Name, Subscription, SubscriptionEvent, glob};
use tokio::sync::mpsc;

/// Messages a subscriber may have queued before it starts losing them.
pub const SUBSCRIBER_QUEUE: usize = 4096;

struct Subscriber {
    tx: mpsc::Sender<Message>,
    lagged: Arc<AtomicU64>,
}

impl Subscriber {
    fn deliver(&self, message: Message) {
        if self.tx.try_send(message).is_err() {
            self.lagged.fetch_add(1, Ordering::AcqRel);
        }
    }
}

#[derive(Default)]
struct Registry {
    next_id: u64,
    subscribers: HashMap<u64, Subscriber>,
    channels: HashMap<Name, Vec<u64>>,
    patterns: Vec<(Name, u64)>,
}

/// The process-wide pub/sub hub of one engine.
#[derive(Default)]
pub struct Hub {
    registry: Mutex<Registry>,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub").finish_non_exhaustive()
    }
}

impl Hub {
    /// Delivers `payload` to every matching subscription; returns how many received it
    /// (a subscription matching by channel and by a pattern counts, and receives, twice).
    pub fn publish(&self, channel: &Name, payload: &Bytes) -> u64 {
        let registry = self.registry.lock();
        let mut delivered = 0;
        if let Some(ids) = registry.channels.get(channel.as_bytes()) {
            for id in ids {
                if let Some(sub) = registry.subscribers.get(id) {
                    sub.deliver(Message::new(channel.clone(), None, payload.clone()));
                    delivered += 1;
                }
            }
        }
        // Strict: Redis matches patterns with plain `stringmatchlen`, without the `*` shortcut
        // of KEYS/SCAN, so `PSUBSCRIBE *` gets no message published on the channel `""`.
        for (pattern, id) in &registry.patterns {
            if glob::matches_strict(pattern, channel)
                && let Some(sub) = registry.subscribers.get(id)
            {
                sub.deliver(Message::new(
                    channel.clone(),
                    Some(pattern.clone()),
                    payload.clone(),
                ));
                delivered += 1;
            }
        }
        delivered
    }

    /// `PUBSUB CHANNELS [pattern]`: the channels with at least one subscriber.
    pub fn channels(&self, pattern: Option<&[u8]>) -> Vec<Name> {
        let registry = self.registry.lock();
        registry
            .channels
            .keys()
            // Strict, as above: `PUBSUB CHANNELS *` leaves out the channel `""`.
            .filter(|c| pattern.is_none_or(|p| glob::matches_strict(p, c)))
            .cloned()
            .collect()
    }

    /// `PUBSUB NUMSUB`: how many subscriptions listen on `channel` by name.
    pub fn numsub(&self, channel: &[u8]) -> u64 {
        self.registry
            .lock()
            .channels
            .get(channel)
            .map_or(0, |ids| ids.len() as u64)
    }

    /// `PUBSUB NUMPAT`: how many distinct patterns are subscribed to.
    pub fn numpat(&self) -> u64 {
        let registry = self.registry.lock();
        let distinct: std::collections::HashSet<&[u8]> = registry
            .patterns
            .iter()
            .map(|(p, _)| p.as_bytes())
            .collect();
        distinct.len() as u64
    }

    /// Registers a subscription; it is active when this returns.
    pub fn subscribe(self: &Arc<Self>, channels: Vec<Name>, patterns: Vec<Name>) -> Subscription {
        let (tx, rx) = mpsc::channel(SUBSCRIBER_QUEUE);
        let lagged = Arc::new(AtomicU64::new(0));
        let id = {
            let mut registry = self.registry.lock();
            registry.next_id += 1;
            let id = registry.next_id;
            registry.subscribers.insert(
                id,
                Subscriber {
                    tx,
                    lagged: lagged.clone(),
                },
            );
            let mut seen = std::collections::HashSet::new();
            for channel in channels {
                if seen.insert(channel.clone()) {
                    registry.channels.entry(channel).or_default().push(id);
                }
            }
            let mut seen = std::collections::HashSet::new();
            for pattern in patterns {
                if seen.insert(pattern.clone()) {
                    registry.patterns.push((pattern, id));
                }
            }
            id
        };
        Subscription::new(Receiver {
            rx,
            lagged,
            _guard: Unsubscribe {
                hub: self.clone(),
                id,
            },
        })
    }

    fn unsubscribe(&self, id: u64) {
        let mut registry = self.registry.lock();
        registry.subscribers.remove(&id);
        registry.channels.retain(|_, ids| {
            ids.retain(|i| *i != id);
            !ids.is_empty()
        });
        registry.patterns.retain(|(_, i)| *i != id);
    }
}

struct Unsubscribe {
    hub: Arc<Hub>,
    id: u64,
}

impl Drop for Unsubscribe {
    fn drop(&mut self) {
        self.hub.unsubscribe(self.id);
    }
}

struct Receiver {
    rx: mpsc::Receiver<Message>,
    lagged: Arc<AtomicU64>,
    _guard: Unsubscribe,
}

impl Stream for Receiver {
    type Item = SubscriptionEvent;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let missed = self.lagged.swap(0, Ordering::AcqRel);
        if missed > 0 {
            return Poll::Ready(Some(SubscriptionEvent::Gap(GapReason::Lagged(missed))));
        }
        self.rx
            .poll_recv(cx)
            .map(|m| m.map(SubscriptionEvent::Message))
    }
}
