//! User sessions with sliding expiry and a per-user index (as the AutoBot configuration and the Transform Army guide keep them), chat history per
//! session ([`ChatHistory`]) and the WebSocket connection registry ([`Connections`]).
//!
//! ```no_run
//! use std::sync::Arc;
//! use staunch::session::Sessions;
//!
//! # async fn demo(store: Arc<dyn staunch::Store>) -> staunch::Result<()> {
//! let sessions = Sessions::new(store);
//! let session = sessions.create("123", &serde_json::json!({"theme": "dark"})).await?;
//! sessions.touch(&session.id).await?; // another 24 h from now
//! let mine = sessions.list_for_user::<serde_json::Value>("123").await?;
//! sessions.destroy(&session.id).await?;
//! # let _ = mine; Ok(()) }
//! ```
//!
//! # Keys (the AutoBot configuration, readable with `redis-cli`)
//!
//! | key | type | what |
//! |---|---|---|
//! | `session:{id}` | string, TTL | JSON `{"id","user_id","created","last_active","ttl_ms","data"}` (the dashboard's `SET session:… '{…}' EXPIRE 86400`) |
//! | `user:{user_id}` | hash | the AutoBot configuration's user metadata; sessions keep its `last_active` field current |
//! | `user:{user_id}:sessions` | zset | the user's session ids, score = expiry (Unix ms) |
//!
//! # Decisions
//!
//! - The default TTL is 24 h (the AutoBot configuration's `EXPIRE 86400`, the Transform Army guide's `user_session`). Each
//!   session records its own TTL, so [`Sessions::touch`] slides it by the TTL it was made with.
//! - Updates and touches are `CompareAndSet` loops on the session's JSON (expecting the value
//!   read), so concurrent updates never lose each other's changes, and an update never
//!   resurrects a session that expired or was destroyed meanwhile.
//! - The per-user index is a sorted set scored by expiry, so listing prunes sessions that
//!   expired on their own (Redis expiry cannot remove index entries) with one
//!   `ZREMRANGEBYSCORE`. The index itself expires with the last of its sessions.
//! - Ids are random UUID v4 text: a session id is a bearer secret, so never guessable.

mod chat;
mod connections;

use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use staunch_core::prelude::*;
use staunch_core::{Clock, ExpireCondition, Expiry, Result, SystemClock};

pub use chat::{ChatHistory, ChatMessage};
pub use connections::{ConnectionInfo, Connections};

use crate::events::stamp::{iso8601, new_id};

/// One session as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Session<T> {
    /// The session id.
    pub id: String,
    /// Whose it is.
    pub user_id: String,
    /// Created, ISO 8601 UTC.
    pub created: String,
    /// Last touched or updated, ISO 8601 UTC.
    pub last_active: String,
    /// Sliding TTL in milliseconds.
    pub ttl_ms: u64,
    /// The application's data.
    pub data: T,
}

/// Settings of [`Sessions`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SessionConfig {
    /// Prefix of session keys (default `session`).
    pub session_prefix: String,
    /// Prefix of user keys (default `user`).
    pub user_prefix: String,
    /// Default TTL (default 24 h).
    pub ttl: Duration,
    /// Where "now" comes from (default: system clock); use the store's clock in tests.
    pub clock: Arc<dyn Clock>,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            session_prefix: "session".to_owned(),
            user_prefix: "user".to_owned(),
            ttl: Duration::from_secs(24 * 3600),
            clock: Arc::new(SystemClock),
        }
    }
}

impl SessionConfig {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the default TTL.
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }
    /// Sets the key prefixes of sessions and users.
    pub fn prefixes(mut self, session: impl Into<String>, user: impl Into<String>) -> Self {
        self.session_prefix = session.into();
        self.user_prefix = user.into();
        self
    }
    /// Sets the clock.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }
}

/// The session service. Cheap to clone.
#[derive(Clone)]
pub struct Sessions {
    store: Arc<dyn Store>,
    config: SessionConfig,
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sessions")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// How many lost compare-and-set races an update tolerates before giving up.
const MAX_CAS_ATTEMPTS: u32 = 100;

fn ttl_ms(ttl: Duration) -> Result<u64> {
    let ms = ttl.as_millis();
    if ms == 0 {
        return Err(Error::invalid("session ttl must be at least 1 ms"));
    }
    Ok(ms.min(i64::MAX as u128 / 2) as u64)
}

fn check_id(what: &str, id: &str) -> Result<()> {
    if id.is_empty() {
        return Err(Error::invalid(format!("{what} must not be empty")));
    }
    Ok(())
}

impl Sessions {
    /// Sessions on `store` with the defaults.
    pub fn new(store: Arc<dyn Store>) -> Sessions {
        Sessions::with_config(store, SessionConfig::default())
    }

    /// Sessions on `store` with `config`.
    pub fn with_config(store: Arc<dyn Store>, config: SessionConfig) -> Sessions {
        Sessions { store, config }
    }

    /// `session:{id}`.
    pub fn session_key(&self, id: &str) -> String {
        format!("{}:{id}", self.config.session_prefix)
    }

    /// `user:{user_id}:sessions` (on a Redis Cluster the user id is a hash tag,
    /// `user:{123}:sessions`, so a user's keys share a slot).
    pub fn user_index_key(&self, user_id: &str) -> String {
        format!(
            "{}:{}:sessions",
            self.config.user_prefix,
            self.user_part(user_id)
        )
    }

    /// `user:{user_id}` (`user:{123}` on a Redis Cluster).
    pub fn user_key(&self, user_id: &str) -> String {
        format!("{}:{}", self.config.user_prefix, self.user_part(user_id))
    }

    fn user_part(&self, user_id: &str) -> String {
        if self.store.capabilities().cross_slot {
            user_id.to_owned()
        } else {
            format!("{{{user_id}}}")
        }
    }

    /// Creates a session for `user_id` with the default TTL.
    pub async fn create<T: Serialize + DeserializeOwned + Clone>(
        &self,
        user_id: &str,
        data: &T,
    ) -> Result<Session<T>> {
        self.create_with_ttl(user_id, data, self.config.ttl).await
    }

    /// Creates a session for `user_id` living `ttl` past its last touch.
    pub async fn create_with_ttl<T: Serialize + DeserializeOwned + Clone>(
        &self,
        user_id: &str,
        data: &T,
        ttl: Duration,
    ) -> Result<Session<T>> {
        check_id("user id", user_id)?;
        let ttl = ttl_ms(ttl)?;
        let now = self.config.clock.now_ms();
        let stamp = iso8601(now);
        let session = Session {
            id: new_id(),
            user_id: user_id.to_owned(),
            created: stamp.clone(),
            last_active: stamp,
            ttl_ms: ttl,
            data: data.clone(),
        };
        let raw = encode(&session)?;
        let key = self.session_key(&session.id);
        if !self.store.capabilities().cross_slot {
            return self.create_on_cluster(session, raw, now, ttl).await;
        }
        let mut batch = Batch::transaction(&*self.store);
        batch.set_options(
            &key,
            raw,
            SetOptions::new()
                .expiry(SetExpiry::Px(ttl))
                .condition(SetCondition::Nx),
        );
        self.add_to_index(
            &mut batch,
            user_id,
            &session.id,
            now,
            now + ttl as i64,
            &session.last_active,
        );
        batch.run().await?.check()?;
        Ok(session)
    }

    /// `create` on a Redis Cluster: the session key (slot of its random id) and the user's keys
    /// (slot of the user id) cannot share a transaction, so the session is written first and
    /// the user's index in a transaction of its own; if that fails the session is removed
    /// again and the error returned. (Updates already work this way everywhere.)
    async fn create_on_cluster<T>(
        &self,
        session: Session<T>,
        raw: Bytes,
        now: i64,
        ttl: u64,
    ) -> Result<Session<T>> {
        let key = self.session_key(&session.id);
        self.store
            .set_options(
                &key,
                raw,
                SetOptions::new()
                    .expiry(SetExpiry::Px(ttl))
                    .condition(SetCondition::Nx),
            )
            .await?;
        let mut batch = Batch::transaction(&*self.store);
        self.add_to_index(
            &mut batch,
            &session.user_id,
            &session.id,
            now,
            now + ttl as i64,
            &session.last_active,
        );
        if let Err(e) = batch.run().await.and_then(|r| r.check()) {
            let _ = self.store.del(&key).await;
            return Err(e);
        }
        Ok(session)
    }

    /// Adds session `id` to its user's index in `batch` (expiring stale entries with it).
    fn add_to_index(
        &self,
        batch: &mut Batch<'_, dyn Store>,
        user_id: &str,
        id: &str,
        now: i64,
        expires: i64,
        stamp: &str,
    ) {
        let index = self.user_index_key(user_id);
        batch.zadd(&index, expires as f64, id);
        batch.zremrangebyscore(&index, ScoreBound::MIN, ScoreBound::Exclusive(now as f64));
        // The index lives as long as its longest-lived session: NX sets a first TTL, GT only
        // ever pushes it later.
        for condition in [ExpireCondition::Nx, ExpireCondition::Gt] {
            batch.expire_options(&index, Expiry::AtMillis(expires), Some(condition));
        }
        batch.hset(&self.user_key(user_id), "last_active", stamp);
    }

    /// The session `id`, `None` when it expired or never existed. Does not extend it.
    pub async fn get<T: DeserializeOwned>(&self, id: &str) -> Result<Option<Session<T>>> {
        match self.store.get(&self.session_key(id)).await? {
            Some(raw) => decode(&raw).map(Some),
            None => Ok(None),
        }
    }

    /// Slides the expiry of session `id` (its TTL from now) and updates `last_active`. `false`
    /// when the session is gone.
    pub async fn touch(&self, id: &str) -> Result<bool> {
        Ok(self
            .modify(id, |_: &mut serde_json::Value| {})
            .await?
            .is_some())
    }

    /// Changes the data of session `id` with `change` (atomically, retrying on concurrent
    /// changes) and slides its expiry. `None` when the session is gone.
    pub async fn update<T, F>(&self, id: &str, change: F) -> Result<Option<Session<T>>>
    where
        T: Serialize + DeserializeOwned,
        F: FnMut(&mut T),
    {
        self.modify(id, change).await
    }

    async fn modify<T, F>(&self, id: &str, mut change: F) -> Result<Option<Session<T>>>
    where
        T: Serialize + DeserializeOwned,
        F: FnMut(&mut T),
    {
        let key = self.session_key(id);
        for _ in 0..MAX_CAS_ATTEMPTS {
            let Some(old) = self.store.get(&key).await? else {
                return Ok(None);
            };
            let mut session: Session<T> = decode(&old)?;
            change(&mut session.data);
            let now = self.config.clock.now_ms();
            session.last_active = iso8601(now);
            let ttl = session.ttl_ms.max(1);
            let raw = encode(&session)?;
            if self
                .store
                .compare_and_set(&key, Some(old), raw, Some(SetExpiry::Px(ttl)))
                .await?
            {
                let mut batch = Batch::pipeline(&*self.store);
                self.add_to_index(
                    &mut batch,
                    &session.user_id,
                    id,
                    now,
                    now + ttl as i64,
                    &session.last_active,
                );
                batch.run().await?.check()?;
                return Ok(Some(session));
            }
            tokio::task::yield_now().await;
        }
        Err(Error::new(
            ErrorKind::Timeout,
            format!("session {id}: gave up after {MAX_CAS_ATTEMPTS} concurrent updates"),
        ))
    }

    /// Ends session `id`; true if it existed.
    pub async fn destroy(&self, id: &str) -> Result<bool> {
        let key = self.session_key(id);
        let Some(raw) = self.store.getdel(&key).await? else {
            return Ok(false);
        };
        if let Ok(session) = decode::<Session<serde_json::Value>>(&raw) {
            self.store
                .zrem_multiple(&self.user_index_key(&session.user_id), [id])
                .await?;
        }
        Ok(true)
    }

    /// The live sessions of `user_id`, soonest to expire first.
    pub async fn list_for_user<T: DeserializeOwned>(
        &self,
        user_id: &str,
    ) -> Result<Vec<Session<T>>> {
        let index = self.user_index_key(user_id);
        let now = self.config.clock.now_ms();
        self.store
            .zremrangebyscore(&index, ScoreBound::MIN, ScoreBound::Exclusive(now as f64))
            .await?;
        let ids = self.store.zrange(&index, 0, -1).await?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let keys: Vec<String> = ids
            .iter()
            .map(|id| self.session_key(&String::from_utf8_lossy(id)))
            .collect();
        let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        let values = self.store.mget(&refs).await?;
        Ok(values
            .into_iter()
            .flatten()
            .filter_map(|raw| decode(&raw).ok())
            .collect())
    }

    /// Remaining time of session `id`, `None` when it is gone.
    pub async fn ttl(&self, id: &str) -> Result<Option<Duration>> {
        let pttl = self.store.pttl(&self.session_key(id)).await?;
        Ok((pttl >= 0).then(|| Duration::from_millis(pttl as u64)))
    }
}

pub(crate) fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Bytes> {
    serde_json::to_vec(value)
        .map(Bytes::from)
        .map_err(|e| Error::invalid(format!("value does not serialize as JSON: {e}")))
}

pub(crate) fn decode<T: DeserializeOwned>(raw: &[u8]) -> Result<T> {
    serde_json::from_slice(raw)
        .map_err(|e| Error::invalid(format!("stored value does not decode: {e}")))
}
