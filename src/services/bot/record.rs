//! Counters and the event log: the `record_*` methods, each one atomic batch.

use serde::Serialize;
use staunch_core::Result;
use staunch_core::prelude::*;

use super::{Bot, BotEvent, BotEventType, pairs};
use crate::events::stamp::{iso8601, new_id};

impl Bot {
    pub(super) fn remember_start(&self, id: &str, start_ms: i64) {
        if let Ok(mut starts) = self.starts.lock() {
            if starts.len() > 10_000 {
                starts.clear();
            }
            starts.insert(id.to_owned(), start_ms);
        }
    }

    /// Seconds since session `id` started, as text with one decimal. `NotFound` for an unknown
    /// session.
    pub(super) async fn uptime(&self, id: &str, now: i64) -> Result<String> {
        let cached = self.starts.lock().ok().and_then(|s| s.get(id).copied());
        let start = match cached {
            Some(start) => start,
            None => {
                let raw = self.store.hget(&self.session_key(id), "start_ms").await?;
                let start = raw
                    .and_then(|r| String::from_utf8_lossy(&r).parse::<i64>().ok())
                    .ok_or_else(|| {
                        Error::new(ErrorKind::NotFound, format!("no bot session {id}"))
                    })?;
                self.remember_start(id, start);
                start
            }
        };
        Ok(format!("{:.1}", (now - start).max(0) as f64 / 1000.0))
    }

    /// Records a login attempt: `login_status` success/failed, event `login_success` or
    /// `login_failed`.
    pub async fn record_login(&self, session_id: &str, success: bool) -> Result<()> {
        let (status, event) = if success {
            ("success", BotEventType::LoginSuccess)
        } else {
            ("failed", BotEventType::Other("login_failed".to_owned()))
        };
        self.record(
            session_id,
            None,
            Some(status),
            &event,
            &serde_json::json!({ "login_status": status }),
        )
        .await
    }

    /// Counts one job check; `jobs_found > 0` also logs `job_found`.
    pub async fn record_check(&self, session_id: &str, jobs_found: u64) -> Result<()> {
        let event = (jobs_found > 0).then_some(BotEventType::JobFound);
        let data = serde_json::json!({ "jobs_found": jobs_found });
        match event {
            Some(event) => {
                self.record(session_id, Some("total_checks"), None, &event, &data)
                    .await
            }
            None => self.record_quiet(session_id, "total_checks").await,
        }
    }

    /// Counts an accepted job (event `job_accepted`).
    pub async fn record_accepted(&self, session_id: &str) -> Result<()> {
        self.record(
            session_id,
            Some("total_accepted"),
            None,
            &BotEventType::JobAccepted,
            &serde_json::json!({}),
        )
        .await
    }

    /// Counts a rejected job (event `job_rejected`).
    pub async fn record_rejected(&self, session_id: &str) -> Result<()> {
        self.record(
            session_id,
            Some("total_rejected"),
            None,
            &BotEventType::JobRejected,
            &serde_json::json!({}),
        )
        .await
    }

    async fn record_quiet(&self, id: &str, counter: &str) -> Result<()> {
        let mut batch = Batch::transaction(&*self.store);
        self.add_counters(&mut batch, id, Some(counter), None)
            .await?;
        batch.run().await?.check()
    }

    async fn record(
        &self,
        id: &str,
        counter: Option<&str>,
        login: Option<&str>,
        event: &BotEventType,
        data: &serde_json::Value,
    ) -> Result<()> {
        let mut batch = Batch::transaction(&*self.store);
        self.add_counters(&mut batch, id, counter, login).await?;
        self.add_event(&mut batch, id, event, data, self.now())?;
        batch.run().await?.check()
    }

    /// Adds the counter increment, the timestamps and the login status to `batch`.
    async fn add_counters(
        &self,
        batch: &mut Batch<'_, dyn Store>,
        id: &str,
        counter: Option<&str>,
        login: Option<&str>,
    ) -> Result<()> {
        let now = self.now();
        let stamp = iso8601(now);
        let uptime = self.uptime(id, now).await?;
        if let Some(counter) = counter {
            for key in [self.session_key(id), self.metrics_key(id)] {
                batch.hincrby(&key, counter, 1);
            }
        }
        let mut session_fields = vec![("updated_at", stamp.as_str())];
        let mut metrics_fields = vec![("timestamp", stamp.as_str()), ("uptime", uptime.as_str())];
        if let Some(login) = login {
            session_fields.push(("login_status", login));
            metrics_fields.push(("login_status", login));
        }
        batch.hset_multiple(&self.session_key(id), pairs(&session_fields));
        batch.hset_multiple(&self.metrics_key(id), pairs(&metrics_fields));
        Ok(())
    }

    /// Adds the event to the capped log and publishes it, in `batch`.
    pub(super) fn add_event(
        &self,
        batch: &mut Batch<'_, dyn Store>,
        session_id: &str,
        event_type: &BotEventType,
        data: &impl Serialize,
        now: i64,
    ) -> Result<()> {
        let event = BotEvent {
            id: new_id(),
            session_id: session_id.to_owned(),
            event_type: event_type.as_str().to_owned(),
            data: serde_json::to_string(data)
                .map_err(|e| Error::invalid(format!("event data: {e}")))?,
            timestamp: iso8601(now),
        };
        let raw = Bytes::from(
            serde_json::to_vec(&event).map_err(|e| Error::invalid(format!("event: {e}")))?,
        );
        let key = self.events_key();
        batch.lpush(&key, &raw);
        batch.ltrim(&key, 0, self.config.events_cap.max(1) as i64 - 1);
        batch.publish(&key, raw);
        Ok(())
    }

    /// Logs an application event for a session (the dashboard's event types or your own).
    pub async fn log_event(
        &self,
        session_id: &str,
        event_type: BotEventType,
        data: &impl Serialize,
    ) -> Result<()> {
        let mut batch = Batch::transaction(&*self.store);
        self.add_event(&mut batch, session_id, &event_type, data, self.now())?;
        batch.run().await?.check()
    }
}
