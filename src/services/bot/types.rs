//! The bot's value types: states and their transitions, event types, and what the read
//! methods return.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use staunch_core::{Bytes, Name};

use crate::queue::Sizes;

/// The bot dashboard's bot states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BotState {
    /// Coming up: a session exists, the bot is not yet working.
    Starting,
    /// Working.
    Running,
    /// Going down.
    Stopping,
    /// Not running (also the state when `bot:state` does not exist yet).
    Stopped,
    /// Failed; may be started again or marked stopped.
    Error,
}

impl BotState {
    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            BotState::Starting => "starting",
            BotState::Running => "running",
            BotState::Stopping => "stopping",
            BotState::Stopped => "stopped",
            BotState::Error => "error",
        }
    }

    /// Parses the stored text.
    pub fn parse(text: &str) -> Option<BotState> {
        Some(match text {
            "starting" => BotState::Starting,
            "running" => BotState::Running,
            "stopping" => BotState::Stopping,
            "stopped" => BotState::Stopped,
            "error" => BotState::Error,
            _ => return None,
        })
    }

    /// Whether `self → to` is allowed:
    ///
    /// | from | to |
    /// |---|---|
    /// | stopped | starting |
    /// | starting | running, stopping, error |
    /// | running | stopping, error |
    /// | stopping | stopped, error |
    /// | error | starting, stopped |
    pub fn can_become(self, to: BotState) -> bool {
        use BotState::*;
        matches!(
            (self, to),
            (Stopped, Starting)
                | (Starting, Running | Stopping | Error)
                | (Running, Stopping | Error)
                | (Stopping, Stopped | Error)
                | (Error, Starting | Stopped)
        )
    }
}

impl std::fmt::Display for BotState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The bot dashboard's event types, plus `Other` for an application's own.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BotEventType {
    /// `bot_started`
    BotStarted,
    /// `login_success`
    LoginSuccess,
    /// `job_found`
    JobFound,
    /// `job_accepted`
    JobAccepted,
    /// `job_rejected`
    JobRejected,
    /// `bot_stopped`
    BotStopped,
    /// Any other type (staunch itself uses `login_failed` and `bot_error`).
    Other(String),
}

impl BotEventType {
    /// The stored text.
    pub fn as_str(&self) -> &str {
        match self {
            BotEventType::BotStarted => "bot_started",
            BotEventType::LoginSuccess => "login_success",
            BotEventType::JobFound => "job_found",
            BotEventType::JobAccepted => "job_accepted",
            BotEventType::JobRejected => "job_rejected",
            BotEventType::BotStopped => "bot_stopped",
            BotEventType::Other(name) => name,
        }
    }
}

/// One entry of `bot:events`, exactly the bot dashboard's event JSON: `data` is a JSON document carried
/// as a string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BotEvent {
    /// Event id.
    pub id: String,
    /// The session it belongs to (empty when none).
    pub session_id: String,
    /// The event type (`bot_started`, ...).
    #[serde(rename = "type")]
    pub event_type: String,
    /// JSON text.
    pub data: String,
    /// ISO 8601 UTC.
    pub timestamp: String,
}

impl BotEvent {
    /// `data` parsed as JSON (`Null` when it is not JSON).
    pub fn data_json(&self) -> serde_json::Value {
        serde_json::from_str(&self.data).unwrap_or(serde_json::Value::Null)
    }
}

/// `HGETALL bot:state`, decoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct BotStatus {
    /// The state (`stopped` when never set).
    pub state: BotState,
    /// The current or last session.
    pub session_id: Option<String>,
    /// When the state last changed, ISO 8601.
    pub timestamp: Option<String>,
    /// Who changed it.
    pub updated_by: Option<String>,
}

/// `HGETALL bot:session:{id}`, decoded.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct BotSession {
    /// Session id.
    pub id: String,
    /// Name given at start.
    pub session_name: String,
    /// ISO 8601.
    pub start_time: String,
    /// `starting`, `running`, `stopped`, `error`.
    pub status: String,
    /// `pending`, `success`, `failed`.
    pub login_status: String,
    /// Checks done.
    pub total_checks: u64,
    /// Jobs accepted.
    pub total_accepted: u64,
    /// Jobs rejected.
    pub total_rejected: u64,
    /// ISO 8601.
    pub created_at: String,
    /// ISO 8601.
    pub updated_at: String,
    /// ISO 8601, once stopped.
    pub end_time: Option<String>,
}

/// `HGETALL bot:metrics:{id}`, decoded.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct BotMetrics {
    /// Checks done.
    pub total_checks: u64,
    /// Jobs accepted.
    pub total_accepted: u64,
    /// Jobs rejected.
    pub total_rejected: u64,
    /// `pending`, `success`, `failed`.
    pub login_status: String,
    /// Session status.
    pub status: String,
    /// Seconds since the session started (as of `timestamp`).
    pub uptime: f64,
    /// ISO 8601 of the last update.
    pub timestamp: String,
}

/// Active and all known sessions (the dashboard's `/api/bot/sessions`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct BotSessions {
    /// Ids in `bot:sessions:active`.
    pub active: Vec<String>,
    /// Every known session, newest first.
    pub all: Vec<BotSession>,
}

/// The task queue at a glance (the dashboard's `/api/bot/tasks`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct TaskOverview {
    /// Pending task ids with their scores, as `ZRANGE bot:tasks:queue 0 -1 WITHSCORES`.
    pub pending: Vec<(String, f64)>,
    /// Pending per state.
    pub pending_count: u64,
    /// Scheduled (delayed or retrying).
    pub scheduled: u64,
    /// Being processed.
    pub processing: u64,
    /// Dead letters.
    pub dead: u64,
    /// Pending tasks per numeric priority (10 for `login`, ...).
    pub pending_by_priority: BTreeMap<i32, u64>,
}

impl TaskOverview {
    pub(crate) fn new(pending: Vec<(Bytes, f64)>, sizes: &Sizes) -> TaskOverview {
        TaskOverview {
            pending: pending
                .into_iter()
                .map(|(id, score)| (String::from_utf8_lossy(&id).into_owned(), score))
                .collect(),
            pending_count: sizes.pending,
            scheduled: sizes.scheduled,
            processing: sizes.processing,
            dead: sizes.dead,
            pending_by_priority: sizes.pending_by_priority.clone(),
        }
    }
}

/// Everything at once (the dashboard's `/api/bot/system-status`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SystemStatus {
    /// The bot's state.
    pub bot: BotStatus,
    /// Active session ids.
    pub active_sessions: Vec<String>,
    /// Metrics of each active session.
    pub metrics: HashMap<String, BotMetrics>,
    /// The task queue.
    pub tasks: TaskOverview,
    /// The newest events.
    pub recent_events: Vec<BotEvent>,
    /// When this was read, ISO 8601.
    pub timestamp: String,
}

pub(crate) fn field(map: &HashMap<Name, Bytes>, name: &str) -> Option<String> {
    map.get(name.as_bytes())
        .map(|v| String::from_utf8_lossy(v).into_owned())
}

pub(crate) fn number(map: &HashMap<Name, Bytes>, name: &str) -> u64 {
    field(map, name).and_then(|v| v.parse().ok()).unwrap_or(0)
}

impl BotSession {
    pub(crate) fn from_hash(map: &HashMap<Name, Bytes>) -> Option<BotSession> {
        Some(BotSession {
            id: field(map, "id")?,
            session_name: field(map, "session_name").unwrap_or_default(),
            start_time: field(map, "start_time").unwrap_or_default(),
            status: field(map, "status").unwrap_or_default(),
            login_status: field(map, "login_status").unwrap_or_default(),
            total_checks: number(map, "total_checks"),
            total_accepted: number(map, "total_accepted"),
            total_rejected: number(map, "total_rejected"),
            created_at: field(map, "created_at").unwrap_or_default(),
            updated_at: field(map, "updated_at").unwrap_or_default(),
            end_time: field(map, "end_time"),
        })
    }
}

impl BotMetrics {
    pub(crate) fn from_hash(map: &HashMap<Name, Bytes>) -> Option<BotMetrics> {
        if map.is_empty() {
            return None;
        }
        Some(BotMetrics {
            total_checks: number(map, "total_checks"),
            total_accepted: number(map, "total_accepted"),
            total_rejected: number(map, "total_rejected"),
            login_status: field(map, "login_status").unwrap_or_default(),
            status: field(map, "status").unwrap_or_default(),
            uptime: field(map, "uptime")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0.0),
            timestamp: field(map, "timestamp").unwrap_or_default(),
        })
    }
}
