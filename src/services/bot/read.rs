//! Reads: status, sessions, metrics, events, tasks and the system status (the bot dashboard's `GET`
//! endpoints).

use std::collections::HashMap;

use futures_util::{Stream, StreamExt};
use staunch_core::prelude::*;
use staunch_core::{Result, SubscriptionEvent};

use super::{
    Bot, BotEvent, BotMetrics, BotSession, BotSessions, BotState, BotStatus, SystemStatus,
    TaskOverview, types,
};
use crate::events::stamp::iso8601;
use crate::queue::{BotTask, NewJob};

impl Bot {
    /// `HGETALL bot:state` (the dashboard's `GET /api/bot/status`).
    pub async fn status(&self) -> Result<BotStatus> {
        let map = self.store.hgetall(&self.state_key()).await?;
        let state = match types::field(&map, "state") {
            None => BotState::Stopped,
            Some(text) => BotState::parse(&text).ok_or_else(|| {
                Error::new(
                    ErrorKind::Corrupt,
                    format!("bot:state has an unknown state {text:?}"),
                )
            })?,
        };
        Ok(BotStatus {
            state,
            session_id: types::field(&map, "session_id"),
            timestamp: types::field(&map, "timestamp"),
            updated_by: types::field(&map, "updated_by"),
        })
    }

    /// One session's hash.
    pub async fn session(&self, id: &str) -> Result<Option<BotSession>> {
        Ok(BotSession::from_hash(
            &self.store.hgetall(&self.session_key(id)).await?,
        ))
    }

    /// Active ids and every known session, newest first (the dashboard's `GET /api/bot/sessions`).
    pub async fn sessions(&self) -> Result<BotSessions> {
        let mut active: Vec<String> = self
            .store
            .smembers(&self.active_key())
            .await?
            .iter()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .collect();
        active.sort();
        let ids = self
            .store
            .zrange_options(
                &self.all_sessions_key(),
                ZRangeBy::Rank { start: 0, stop: -1 },
                ZRangeOptions::new().rev(true),
            )
            .await?;
        let mut batch = Batch::pipeline(&*self.store);
        let steps: Vec<_> = ids
            .iter()
            .map(|id| batch.hgetall(&self.session_key(&String::from_utf8_lossy(id))))
            .collect();
        let mut replies = batch.run().await?;
        let mut all = Vec::new();
        for step in steps {
            all.extend(BotSession::from_hash(&replies.take(step)?));
        }
        Ok(BotSessions { active, all })
    }

    /// One session's metrics (the dashboard's `GET /api/bot/metrics/{session_id}`).
    pub async fn metrics(&self, session_id: &str) -> Result<Option<BotMetrics>> {
        Ok(BotMetrics::from_hash(
            &self.store.hgetall(&self.metrics_key(session_id)).await?,
        ))
    }

    /// The newest `limit` events, newest first.
    pub async fn recent_events(&self, limit: u64) -> Result<Vec<BotEvent>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let raw = self
            .store
            .lrange(&self.events_key(), 0, limit.min(i64::MAX as u64) as i64 - 1)
            .await?;
        Ok(raw
            .iter()
            .filter_map(|r| serde_json::from_slice(r).ok())
            .collect())
    }

    /// The newest `limit` logged events of one session (the dashboard's `GET /api/bot/events/{id}`).
    pub async fn events(&self, session_id: &str, limit: u64) -> Result<Vec<BotEvent>> {
        let all = self.recent_events(self.config.events_cap).await?;
        Ok(all
            .into_iter()
            .filter(|e| e.session_id == session_id)
            .take(limit.min(usize::MAX as u64) as usize)
            .collect())
    }

    /// Events as they are logged, from the `bot:events` channel: what a dashboard's WebSocket
    /// or SSE endpoint forwards. `None` items mark a gap (messages may have been missed, e.g.
    /// across a reconnect or a failover): re-read [`Bot::recent_events`] then.
    pub async fn subscribe_events(
        &self,
    ) -> Result<impl Stream<Item = Option<BotEvent>> + Send + use<>> {
        let subscription = self
            .store
            .subscribe(vec![self.events_key().into()], Vec::new())
            .await?;
        Ok(subscription.filter_map(|event| async move {
            match event {
                SubscriptionEvent::Message(message) => {
                    serde_json::from_slice::<BotEvent>(&message.payload)
                        .ok()
                        .map(Some)
                }
                _ => Some(None),
            }
        }))
    }

    /// Queues a task of one of the dashboard's types with its fixed priority (the dashboard's `POST /api/bot/tasks/add`).
    /// Returns the task id (`bot:task:{id}`).
    pub async fn add_task(&self, task: BotTask, data: serde_json::Value) -> Result<String> {
        Ok(self.queue.enqueue(NewJob::bot(task, data)).await?.id)
    }

    /// The task queue (the dashboard's `GET /api/bot/tasks`).
    pub async fn tasks(&self) -> Result<TaskOverview> {
        let pending = self
            .store
            .zrange_options_with_scores(
                self.queue.queue_key(),
                ZRangeBy::Rank { start: 0, stop: -1 },
                ZRangeOptions::new(),
            )
            .await?;
        let sizes = self.queue.sizes().await?;
        Ok(TaskOverview::new(pending, &sizes))
    }

    /// Everything (the dashboard's `GET /api/bot/system-status`).
    pub async fn system_status(&self) -> Result<SystemStatus> {
        let bot = self.status().await?;
        let sessions = self.sessions().await?;
        let mut metrics = HashMap::new();
        for id in &sessions.active {
            if let Some(m) = self.metrics(id).await? {
                metrics.insert(id.clone(), m);
            }
        }
        Ok(SystemStatus {
            bot,
            active_sessions: sessions.active,
            metrics,
            tasks: self.tasks().await?,
            recent_events: self.recent_events(10).await?,
            timestamp: iso8601(self.now()),
        })
    }
}
