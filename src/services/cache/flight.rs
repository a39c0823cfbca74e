//! Single flight: concurrent misses on one key in this process share one fetch.
//!
//! The first caller to miss becomes the *leader* and runs the fetch on its own task (so the
//! fetch closure may borrow and need not be `'static`); the others become *followers* and wait
//! on a `watch` channel for the leader's outcome. If the leader is cancelled (its future
//! dropped) before finishing, its guard removes the flight and drops the sender; followers see
//! the channel close and start over, one of them becoming the new leader. Nothing waits
//! forever and nothing fetches twice while a fetch is in flight.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use staunch_core::Bytes;
use tokio::sync::watch;

/// What a leader hands its followers: the encoded value, or its fetch error type-erased.
pub(crate) type Outcome = Result<Bytes, Arc<dyn Any + Send + Sync>>;

type Slot = watch::Receiver<Option<Outcome>>;

/// The flights in progress, by cache key.
#[derive(Default)]
pub(crate) struct Flights {
    map: Mutex<HashMap<String, Slot>>,
}

/// A caller's part in a flight.
pub(crate) enum Role {
    /// Run the fetch and [`Leader::finish`].
    Leader(Leader),
    /// Wait with [`wait`].
    Follower(Slot),
}

impl Flights {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Slot>> {
        // A panic while holding this lock leaves the map consistent (single inserts/removes).
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Joins the flight for `key`, starting one if none is in progress.
    pub(crate) fn join(self: &Arc<Self>, key: &str) -> Role {
        let mut map = self.lock();
        if let Some(slot) = map.get(key) {
            return Role::Follower(slot.clone());
        }
        let (tx, rx) = watch::channel(None);
        map.insert(key.to_owned(), rx);
        Role::Leader(Leader {
            flights: self.clone(),
            key: key.to_owned(),
            tx,
        })
    }

    /// How many flights are in progress (tests and stats).
    pub(crate) fn in_flight(&self) -> usize {
        self.lock().len()
    }
}

/// The leader's handle; dropping it without [`Leader::finish`] abandons the flight.
pub(crate) struct Leader {
    flights: Arc<Flights>,
    key: String,
    tx: watch::Sender<Option<Outcome>>,
}

impl Leader {
    /// Hands `outcome` to the followers and ends the flight.
    pub(crate) fn finish(self, outcome: Outcome) {
        self.tx.send_replace(Some(outcome));
        // Drop removes the map entry.
    }
}

impl Drop for Leader {
    fn drop(&mut self) {
        let mut map = self.flights.lock();
        if map
            .get(&self.key)
            .is_some_and(|slot| slot.same_channel(&self.tx.subscribe()))
        {
            map.remove(&self.key);
        }
    }
}

/// Waits for a flight's outcome; `None` when the leader gave up (start over).
pub(crate) async fn wait(mut slot: Slot) -> Option<Outcome> {
    loop {
        if let Some(outcome) = slot.borrow_and_update().as_ref() {
            return Some(outcome.clone());
        }
        if slot.changed().await.is_err() {
            return slot.borrow().as_ref().cloned();
        }
    }
}
