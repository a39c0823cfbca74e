//! [`ChatHistory`]: messages per chat session, newest first (the AutoBot configuration, "Chat History").
//!
//! | key | type | what |
//! |---|---|---|
//! | `chat:{session_id}` | string | JSON `{"id","user_id","created"}` (the dashboard's `SET chat:session_456 '{…}'`) |
//! | `chat:{session_id}:messages` | list | JSON `{"role","content","timestamp"}`, newest first (`LPUSH`) |
//!
//! Each append is one atomic batch `LPUSH` + `LTRIM 0 cap-1` (+ `PEXPIRE` when a TTL is set),
//! so the list never exceeds the cap, even with concurrent writers. The AutoBot configuration keeps history
//! forever; [`ChatHistory::ttl`] optionally expires an idle chat, refreshed by every append.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use staunch_core::prelude::*;
use staunch_core::{Clock, Result, SystemClock};

use super::{decode, encode};
use crate::events::stamp::iso8601;

/// One chat message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChatMessage {
    /// `user`, `assistant`, `system`, ...
    pub role: String,
    /// The text.
    pub content: String,
    /// When, ISO 8601 UTC.
    pub timestamp: String,
}

/// Chat history on a store. Cheap to clone.
#[derive(Clone)]
pub struct ChatHistory {
    store: Arc<dyn Store>,
    prefix: String,
    cap: u64,
    ttl: Option<Duration>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for ChatHistory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatHistory")
            .field("prefix", &self.prefix)
            .field("cap", &self.cap)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl ChatHistory {
    /// History under `chat:`, at most 100 messages per chat, kept forever.
    pub fn new(store: Arc<dyn Store>) -> ChatHistory {
        ChatHistory {
            store,
            prefix: "chat".to_owned(),
            cap: 100,
            ttl: None,
            clock: Arc::new(SystemClock),
        }
    }

    /// Keeps at most `cap` messages per chat (at least 1).
    pub fn cap(mut self, cap: u64) -> Self {
        self.cap = cap.max(1);
        self
    }

    /// Expires a chat `ttl` after its last message.
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = Some(ttl);
        self
    }

    /// Uses `{prefix}:` keys.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Reads time from `clock`.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// `chat:{session_id}`.
    pub fn meta_key(&self, session_id: &str) -> String {
        format!("{}:{session_id}", self.prefix)
    }

    /// `chat:{session_id}:messages`.
    pub fn messages_key(&self, session_id: &str) -> String {
        format!("{}:{session_id}:messages", self.prefix)
    }

    /// Adds the chat's sliding expiry of `key` to `batch`, when chats expire.
    fn expire(&self, key: &str, batch: &mut Batch<'_, dyn Store>) {
        if let Some(ttl) = self.ttl {
            batch.pexpire(key, ttl.as_millis().clamp(1, i64::MAX as u128) as i64);
        }
    }

    /// Records the chat's metadata (idempotent: an existing chat keeps its creation time).
    pub async fn start(&self, session_id: &str, user_id: &str) -> Result<()> {
        let meta = serde_json::json!({
            "id": session_id,
            "user_id": user_id,
            "created": iso8601(self.clock.now_ms()),
        });
        let meta_key = self.meta_key(session_id);
        let mut batch = Batch::transaction(&*self.store);
        batch.setnx(&meta_key, encode(&meta)?);
        self.expire(&meta_key, &mut batch);
        batch.run().await?.check()
    }

    /// Appends a message (it becomes the newest) and trims to the cap. Returns it.
    pub async fn append(&self, session_id: &str, role: &str, content: &str) -> Result<ChatMessage> {
        let message = ChatMessage {
            role: role.to_owned(),
            content: content.to_owned(),
            timestamp: iso8601(self.clock.now_ms()),
        };
        let key = self.messages_key(session_id);
        let mut batch = Batch::transaction(&*self.store);
        batch.lpush(&key, encode(&message)?);
        batch.ltrim(&key, 0, self.cap.min(i64::MAX as u64) as i64 - 1);
        self.expire(&key, &mut batch);
        self.expire(&self.meta_key(session_id), &mut batch);
        batch.run().await?.check()?;
        Ok(message)
    }

    /// The newest `limit` messages, newest first.
    pub async fn recent(&self, session_id: &str, limit: u64) -> Result<Vec<ChatMessage>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let raw = self
            .store
            .lrange(
                &self.messages_key(session_id),
                0,
                limit.min(i64::MAX as u64) as i64 - 1,
            )
            .await?;
        raw.iter().map(|r| decode(r)).collect()
    }

    /// How many messages are kept.
    pub async fn len(&self, session_id: &str) -> Result<u64> {
        self.store.llen(&self.messages_key(session_id)).await
    }

    /// Deletes the chat and its messages; true if anything was there.
    pub async fn clear(&self, session_id: &str) -> Result<bool> {
        let removed = self
            .store
            .del_multiple(&[&self.meta_key(session_id), &self.messages_key(session_id)])
            .await?;
        Ok(removed > 0)
    }
}
