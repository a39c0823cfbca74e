//! [`Connections`]: the WebSocket connection registry (the AutoBot configuration, "WebSocket State").
//!
//! | key | type | what |
//! |---|---|---|
//! | `ws:connections` | hash | connection id → JSON `{"user_id","session_id","connected"}` |
//! | `ws:user_{user_id}:connection` | string, TTL | the user's current connection id (default 2 h, the AutoBot configuration's `EX 7200`) |
//!
//! The routing key points at the user's most recent connection. Disconnecting removes the
//! routing key only if it still points at that connection (`CompareAndDelete`), so a user who
//! reconnected on another node is not unrouted by the old connection's late cleanup;
//! [`Connections::refresh`] extends it only under the same condition (`CompareAndSet`).
//! The hash has no TTL: a node that dies leaves entries behind, which [`Connections::prune`]
//! removes (those whose user no longer routes to them and that are older than the route TTL).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use staunch_core::prelude::*;
use staunch_core::{Clock, Result, SystemClock};

use super::{decode, encode};
use crate::events::stamp::iso8601;

/// One registered connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ConnectionInfo {
    /// The user.
    pub user_id: String,
    /// The session it belongs to.
    pub session_id: String,
    /// Connected at, ISO 8601 UTC.
    pub connected: String,
    /// Connected at, Unix ms (for pruning).
    #[serde(default)]
    pub connected_ms: i64,
}

/// The connection registry. Cheap to clone.
#[derive(Clone)]
pub struct Connections {
    store: Arc<dyn Store>,
    prefix: String,
    route_ttl: Duration,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Connections {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connections")
            .field("prefix", &self.prefix)
            .field("route_ttl", &self.route_ttl)
            .finish_non_exhaustive()
    }
}

impl Connections {
    /// A registry under `ws:` with 2 h routes.
    ///
    /// On a Redis Cluster the prefix is hash-tagged (`{ws}:connections`,
    /// `{ws}:user_{id}:connection`): connecting writes the registry and the route in one
    /// transaction, so they share a slot.
    pub fn new(store: Arc<dyn Store>) -> Connections {
        Connections {
            prefix: crate::services::slot_prefix(&*store, "ws"),
            store,
            route_ttl: Duration::from_secs(7200),
            clock: Arc::new(SystemClock),
        }
    }

    /// Sets how long a route lives without [`Connections::refresh`].
    pub fn route_ttl(mut self, ttl: Duration) -> Self {
        self.route_ttl = ttl.max(Duration::from_millis(1));
        self
    }

    /// Reads time from `clock`.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// `ws:connections`.
    pub fn connections_key(&self) -> String {
        format!("{}:connections", self.prefix)
    }

    /// `ws:user_{user_id}:connection`.
    pub fn route_key(&self, user_id: &str) -> String {
        format!("{}:user_{user_id}:connection", self.prefix)
    }

    fn ttl_ms(&self) -> u64 {
        self.route_ttl.as_millis().clamp(1, u64::MAX as u128) as u64
    }

    /// Registers connection `connection_id` of `user_id` in `session_id` and routes the user to
    /// it (one atomic batch).
    pub async fn connect(
        &self,
        connection_id: &str,
        user_id: &str,
        session_id: &str,
    ) -> Result<ConnectionInfo> {
        if connection_id.is_empty() || user_id.is_empty() {
            return Err(Error::invalid(
                "connection id and user id must not be empty",
            ));
        }
        let now = self.clock.now_ms();
        let info = ConnectionInfo {
            user_id: user_id.to_owned(),
            session_id: session_id.to_owned(),
            connected: iso8601(now),
            connected_ms: now,
        };
        let mut batch = Batch::transaction(&*self.store);
        batch.hset(&self.connections_key(), connection_id, encode(&info)?);
        batch.setex(
            &self.route_key(user_id),
            connection_id,
            Duration::from_millis(self.ttl_ms()),
        );
        batch.run().await?.check()?;
        Ok(info)
    }

    /// The connection a user is routed to.
    pub async fn route(&self, user_id: &str) -> Result<Option<String>> {
        self.store.get_string(&self.route_key(user_id)).await
    }

    /// A connection's details.
    pub async fn get(&self, connection_id: &str) -> Result<Option<ConnectionInfo>> {
        match self
            .store
            .hget(&self.connections_key(), connection_id)
            .await?
        {
            Some(raw) => decode(&raw).map(Some),
            None => Ok(None),
        }
    }

    /// Extends the user's route if it still points at `connection_id`; false otherwise.
    pub async fn refresh(&self, user_id: &str, connection_id: &str) -> Result<bool> {
        let id = Bytes::from(connection_id.to_owned());
        self.store
            .compare_and_set(
                &self.route_key(user_id),
                Some(id.clone()),
                id,
                Some(SetExpiry::Px(self.ttl_ms())),
            )
            .await
    }

    /// Removes a connection, and the user's route if it points at it. True if it was registered.
    pub async fn disconnect(&self, connection_id: &str) -> Result<bool> {
        let Some(info) = self.get(connection_id).await? else {
            return Ok(false);
        };
        let removed = self
            .store
            .hdel_multiple(&self.connections_key(), &[connection_id])
            .await?;
        self.store
            .compare_and_delete(&self.route_key(&info.user_id), connection_id)
            .await?;
        Ok(removed > 0)
    }

    /// Every registered connection.
    pub async fn list(&self) -> Result<HashMap<String, ConnectionInfo>> {
        let all = self.store.hgetall(&self.connections_key()).await?;
        Ok(all
            .into_iter()
            .filter_map(|(id, raw)| {
                // Ids are written as text; a field that is not is not a connection.
                let id = id.into_string().ok()?;
                decode(&raw).ok().map(|info| (id, info))
            })
            .collect())
    }

    /// Removes entries left by dead nodes: older than the route TTL and no longer routed to.
    /// Returns how many went.
    pub async fn prune(&self) -> Result<u64> {
        let cutoff = self.clock.now_ms() - self.ttl_ms() as i64;
        let mut removed = 0;
        for (id, info) in self.list().await? {
            if info.connected_ms < cutoff
                && self.route(&info.user_id).await?.as_deref() != Some(id.as_str())
            {
                removed += self
                    .store
                    .hdel_multiple(&self.connections_key(), &[&id])
                    .await?;
            }
        }
        Ok(removed)
    }
}
