//! Bot state, sessions, metrics, events and tasks (the bot dashboard layout, the AtoZ Bot Dashboard), with the
//! bot dashboard's exact key schema so its `redis-cli` monitoring commands show live state.
//!
//! ```no_run
//! use std::sync::Arc;
//! use staunch::bot::Bot;
//! use staunch::queue::BotTask;
//!
//! # async fn demo(store: Arc<dyn staunch::Store>) -> staunch::Result<()> {
//! let bot = Bot::new(store);
//! let session = bot.start("Redis Bot Test", "api").await?;        // POST /api/bot/start
//! bot.add_task(BotTask::Login, serde_json::json!({"session_id": session.id})).await?;
//! bot.record_login(&session.id, true).await?;
//! bot.record_check(&session.id, 1).await?;
//! bot.record_accepted(&session.id).await?;
//! let status = bot.system_status().await?;                          // GET /api/bot/system-status
//! bot.stop("api").await?;                                           // POST /api/bot/stop
//! # let _ = status; Ok(()) }
//! ```
//!
//! # Keys (the bot dashboard layout; prefix `bot`)
//!
//! | key | type | what |
//! |---|---|---|
//! | `bot:state` | hash | `state session_id timestamp updated_by` |
//! | `bot:sessions:active` | set | ids of running sessions |
//! | `bot:sessions:all` | zset | every session id, score = creation (Unix ms, raised to 1 above the previous session's on a tie): the dashboard's "DB all" |
//! | `bot:session:{id}` | hash | `id session_name start_time status login_status total_checks total_accepted total_rejected created_at updated_at`, plus `end_time` and `start_ms` |
//! | `bot:metrics:{id}` | hash | `total_checks total_accepted total_rejected login_status status uptime timestamp` |
//! | `bot:events` | list + channel | the bot dashboard's event JSON, newest first, capped (default 1000); each event is also published on channel `bot:events` |
//! | `bot:tasks:queue`, `bot:task:{id}` | zset, hash | the task queue: [`crate::queue`] with prefix `bot` |
//!
//! On a Redis Cluster the prefix is hash-tagged (`{bot}:state`, `{bot}:session:{id}`, ...),
//! so every key of the bot lives in one slot, as its transactions need.
//!
//! # The state machine and racing controllers
//!
//! Transitions are validated against [`BotState::can_become`] and made with `HCompareAndSet` on
//! the `state` field of `bot:state`, expecting the state that was read (or the field's absence:
//! a bot that never ran is `stopped`). Two controllers that both read `stopped` and race to
//! `starting` cannot both succeed: one compare-and-set wins, the other re-reads, finds
//! `starting` and gets an `InvalidInput` error ([`is_invalid_transition`]). The other fields of
//! `bot:state` are written right after by the winner; a reader may briefly see the new state
//! with the previous `session_id`.
//!
//! [`Bot::start`] goes `stopped|error → starting`, creates the session, then `starting →
//! running`; [`Bot::stop`] goes `running|starting → stopping`, closes the session, then `→
//! stopped`; [`Bot::fail`] records an error. [`Bot::transition`] is there for other flows.
//!
//! # Counters
//!
//! Each `record_*` call is one atomic batch of `HINCRBY`s on both the session hash and the
//! metrics hash (the dashboard keeps totals in both), the timestamps, the uptime, and the event.
//! Concurrent recorders never lose counts. Uptime is seconds since the session's start, written
//! at each update (the dashboard's `uptime: "300.5"`).
//!
//! # Decisions where the dashboard is vague
//!
//! - Event JSON is the dashboard's, `data` included: a JSON document *carried as a string*
//!   (`"data": "{\"jobs_found\":1}"`); [`BotEvent::data_json`] parses it. Besides the dashboard's six
//!   types, staunch logs `login_failed` and `bot_error` ([`BotEventType::Other`]).
//! - `start` takes the bot through `starting` to `running` in one call (a session exists from
//!   `starting` on); flows that need the bot to report readiness use [`Bot::transition`].
//! - The dashboard's "all sessions" came from PostgreSQL; here they are `bot:sessions:all`, so the
//!   dashboard needs nothing else. Session hashes are kept (they are the history).
//! - Live events: [`Bot::subscribe_events`] (channel `bot:events`), for the dashboard's
//!   WebSocket; the list is the record to resynchronise from after a gap.
//! - Behind `Failover`, prefer [`Policy::Mirror`](crate::failover::Policy::Mirror) for the
//!   database holding the bot: under `Divert`, reads during an outage see only what was written
//!   during it, so `bot:state` would read as `stopped` and `stop` would be refused. Counters
//!   are safe either way (increments are replayed as increments).

mod read;
mod record;
mod types;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use staunch_core::prelude::*;
use staunch_core::{Clock, Result, SystemClock};

pub use types::{
    BotEvent, BotEventType, BotMetrics, BotSession, BotSessions, BotState, BotStatus, SystemStatus,
    TaskOverview,
};

use crate::events::stamp::{iso8601, new_id};
use crate::queue::{Queue, QueueConfig};

/// Settings of a [`Bot`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct BotConfig {
    /// Key prefix (default `bot`).
    pub prefix: String,
    /// How many events `bot:events` keeps (default 1000).
    pub events_cap: u64,
    /// Where "now" comes from (default: system clock).
    pub clock: Arc<dyn Clock>,
}

impl Default for BotConfig {
    fn default() -> Self {
        BotConfig {
            prefix: "bot".to_owned(),
            events_cap: 1000,
            clock: Arc::new(SystemClock),
        }
    }
}

impl BotConfig {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the key prefix (the task queue uses it too).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }
    /// Sets the event log cap (at least 1).
    pub fn events_cap(mut self, cap: u64) -> Self {
        self.events_cap = cap.max(1);
        self
    }
    /// Sets the clock (the task queue uses it too).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }
}

/// True when `error` is a refused state transition (including losing a race to another
/// controller).
pub fn is_invalid_transition(error: &Error) -> bool {
    error.kind() == ErrorKind::InvalidInput && error.message().starts_with("bot state:")
}

/// The bot service. Cheap to clone.
#[derive(Clone)]
pub struct Bot {
    store: Arc<dyn Store>,
    config: BotConfig,
    queue: Queue,
    /// Session start times (Unix ms), to compute uptime without a read per update.
    starts: Arc<Mutex<HashMap<String, i64>>>,
}

impl std::fmt::Debug for Bot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bot")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Bot {
    /// The bot on `store` with the defaults.
    pub fn new(store: Arc<dyn Store>) -> Bot {
        // The default queue configuration is valid; fall back to it in any case.
        Bot::with_config(store.clone(), BotConfig::default()).unwrap_or_else(|_| {
            let config = BotConfig::default();
            let queue = Queue::build(
                store.clone(),
                QueueConfig::new().prefix(config.prefix.clone()),
            );
            Bot::from_parts(store, config, queue)
        })
    }

    /// The bot on `store` with `config`.
    pub fn with_config(store: Arc<dyn Store>, mut config: BotConfig) -> Result<Bot> {
        // On a Redis Cluster the bot's keys share one slot (`{bot}:state`, ...): its
        // transactions span the state, session and event keys.
        config.prefix = crate::services::slot_prefix(&*store, &config.prefix);
        let queue = Queue::with_config(
            store.clone(),
            QueueConfig::new()
                .prefix(config.prefix.clone())
                .clock(config.clock.clone()),
        )?;
        Ok(Bot::from_parts(store, config, queue))
    }

    fn from_parts(store: Arc<dyn Store>, config: BotConfig, queue: Queue) -> Bot {
        Bot {
            store,
            config,
            queue,
            starts: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// The task queue (for workers: `Worker` takes it).
    pub fn queue(&self) -> &Queue {
        &self.queue
    }

    fn key(&self, rest: &str) -> String {
        format!("{}:{rest}", self.config.prefix)
    }
    /// `bot:state`.
    pub fn state_key(&self) -> String {
        self.key("state")
    }
    /// `bot:sessions:active`.
    pub fn active_key(&self) -> String {
        self.key("sessions:active")
    }
    /// `bot:sessions:all`.
    pub fn all_sessions_key(&self) -> String {
        self.key("sessions:all")
    }
    /// `bot:session:{id}`.
    pub fn session_key(&self, id: &str) -> String {
        self.key(&format!("session:{id}"))
    }
    /// `bot:metrics:{id}`.
    pub fn metrics_key(&self, id: &str) -> String {
        self.key(&format!("metrics:{id}"))
    }
    /// `bot:events` (list and channel).
    pub fn events_key(&self) -> String {
        self.key("events")
    }

    fn now(&self) -> i64 {
        self.config.clock.now_ms()
    }

    /// The current state (`stopped` when never set).
    pub async fn state(&self) -> Result<BotState> {
        Ok(self.read_state().await?.0)
    }

    async fn read_state(&self) -> Result<(BotState, Option<Bytes>)> {
        let raw = self.store.hget(&self.state_key(), "state").await?;
        let state = match &raw {
            None => BotState::Stopped,
            Some(text) => BotState::parse(&String::from_utf8_lossy(text)).ok_or_else(|| {
                Error::new(
                    ErrorKind::Corrupt,
                    format!("bot:state has an unknown state {text:?}"),
                )
            })?,
        };
        Ok((state, raw))
    }

    /// Moves the bot to `to` if the transition is allowed from the current state, atomically.
    /// Returns the state it left.
    pub async fn transition(&self, to: BotState, updated_by: &str) -> Result<BotState> {
        self.transition_from(&[], to, updated_by).await
    }

    /// Like [`Bot::transition`], but only from one of `from` (empty: any allowed state).
    async fn transition_from(
        &self,
        from: &[BotState],
        to: BotState,
        updated_by: &str,
    ) -> Result<BotState> {
        let key = self.state_key();
        loop {
            let (current, raw) = self.read_state().await?;
            if !current.can_become(to) || (!from.is_empty() && !from.contains(&current)) {
                return Err(Error::invalid(format!(
                    "bot state: cannot go from {current} to {to}"
                )));
            }
            if self
                .store
                .hcompare_and_set(&key, "state", raw, to.as_str())
                .await?
            {
                let stamp = iso8601(self.now());
                self.store
                    .hset_multiple(
                        &key,
                        [("timestamp", stamp.as_str()), ("updated_by", updated_by)],
                    )
                    .await?;
                return Ok(current);
            }
            // Someone else changed the state in between: re-read and re-validate.
        }
    }

    /// Starts the bot with a new session named `session_name` (the dashboard's `POST /api/bot/start`).
    pub async fn start(&self, session_name: &str, updated_by: &str) -> Result<BotSession> {
        self.transition_from(
            &[BotState::Stopped, BotState::Error],
            BotState::Starting,
            updated_by,
        )
        .await?;
        let now = self.now();
        let stamp = iso8601(now);
        let id = new_id();
        // `sessions:all` lists sessions newest first by score. Two starts within one
        // millisecond would tie and then order by their random ids, so a session's score is
        // its start time but always above the previous session's (starts are serialized by
        // the `Starting` state, so reading the last score first is safe).
        let last = self
            .store
            .zrange_with_scores(&self.all_sessions_key(), -1, -1)
            .await?
            .first()
            .map(|(_, score)| *score);
        let rank_score = match last {
            Some(last) if last >= now as f64 => last + 1.0,
            _ => now as f64,
        };
        let session = BotSession {
            id: id.clone(),
            session_name: session_name.to_owned(),
            start_time: stamp.clone(),
            status: "starting".to_owned(),
            login_status: "pending".to_owned(),
            total_checks: 0,
            total_accepted: 0,
            total_rejected: 0,
            created_at: stamp.clone(),
            updated_at: stamp.clone(),
            end_time: None,
        };
        let now_text = now.to_string();
        let session_fields: Vec<(String, Bytes)> = [
            ("id", id.as_str()),
            ("session_name", session_name),
            ("start_time", &stamp),
            ("status", "starting"),
            ("login_status", "pending"),
            ("total_checks", "0"),
            ("total_accepted", "0"),
            ("total_rejected", "0"),
            ("created_at", &stamp),
            ("updated_at", &stamp),
            ("start_ms", &now_text),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), Bytes::from(v.to_owned())))
        .collect();
        let metrics_fields = pairs(&[
            ("total_checks", "0"),
            ("total_accepted", "0"),
            ("total_rejected", "0"),
            ("login_status", "pending"),
            ("status", "starting"),
            ("uptime", "0.0"),
            ("timestamp", &stamp),
        ]);
        let mut batch = Batch::transaction(&*self.store);
        batch.hset_multiple(&self.session_key(&id), session_fields);
        batch.hset_multiple(&self.metrics_key(&id), metrics_fields);
        batch.sadd(&self.active_key(), &id);
        batch.zadd(&self.all_sessions_key(), rank_score, &id);
        batch.hset(&self.state_key(), "session_id", &id);
        let data = serde_json::json!({ "session_name": session_name, "updated_by": updated_by });
        self.add_event(&mut batch, &id, &BotEventType::BotStarted, &data, now)?;
        batch.run().await?.check()?;
        self.remember_start(&id, now);
        self.transition_from(&[BotState::Starting], BotState::Running, updated_by)
            .await?;
        self.set_status(&id, "running").await?;
        Ok(BotSession {
            status: "running".to_owned(),
            ..session
        })
    }

    /// Stops the bot and closes its session (the dashboard's `POST /api/bot/stop`). Returns the session id.
    pub async fn stop(&self, updated_by: &str) -> Result<Option<String>> {
        self.transition_from(
            &[BotState::Running, BotState::Starting],
            BotState::Stopping,
            updated_by,
        )
        .await?;
        let session = self.status().await?.session_id;
        if let Some(id) = &session {
            let data = serde_json::json!({ "updated_by": updated_by });
            self.close_session(id, "stopped", &BotEventType::BotStopped, &data)
                .await?;
        }
        self.transition_from(&[BotState::Stopping], BotState::Stopped, updated_by)
            .await?;
        Ok(session)
    }

    /// Records a failure: state `error`, session status `error`, event `bot_error`.
    pub async fn fail(&self, reason: &str, updated_by: &str) -> Result<()> {
        self.transition(BotState::Error, updated_by).await?;
        if let Some(id) = self.status().await?.session_id {
            let data = serde_json::json!({ "reason": reason, "updated_by": updated_by });
            self.close_session(
                &id,
                "error",
                &BotEventType::Other("bot_error".to_owned()),
                &data,
            )
            .await?;
        }
        Ok(())
    }

    async fn close_session(
        &self,
        id: &str,
        status: &str,
        event: &BotEventType,
        data: &serde_json::Value,
    ) -> Result<()> {
        let now = self.now();
        let stamp = iso8601(now);
        let uptime = self.uptime(id, now).await?;
        let mut batch = Batch::transaction(&*self.store);
        batch.hset_multiple(
            &self.session_key(id),
            pairs(&[
                ("status", status),
                ("end_time", &stamp),
                ("updated_at", &stamp),
            ]),
        );
        batch.hset_multiple(
            &self.metrics_key(id),
            pairs(&[
                ("status", status),
                ("uptime", &uptime),
                ("timestamp", &stamp),
            ]),
        );
        batch.srem(&self.active_key(), id);
        self.add_event(&mut batch, id, event, data, now)?;
        batch.run().await?.check()
    }

    async fn set_status(&self, id: &str, status: &str) -> Result<()> {
        let stamp = iso8601(self.now());
        let mut batch = Batch::transaction(&*self.store);
        batch.hset_multiple(
            &self.session_key(id),
            pairs(&[("status", status), ("updated_at", &stamp)]),
        );
        batch.hset_multiple(
            &self.metrics_key(id),
            pairs(&[("status", status), ("timestamp", &stamp)]),
        );
        batch.run().await?.check()
    }
}

fn pairs(fields: &[(&str, &str)]) -> Vec<(String, Bytes)> {
    fields
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Bytes::from((*v).to_owned())))
        .collect()
}
