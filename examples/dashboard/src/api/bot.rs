//! The bot's endpoints: start, stop, status, sessions, events, metrics and the system status.

use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use staunch::bot::{BotEvent, BotMetrics, BotSession, SystemStatus};

use super::body::{JsonBody, QueryArgs, limit};
use super::error::ApiError;
use crate::Dashboard;
use crate::storage::StorageStatus;

/// Longest session name accepted.
const MAX_NAME: usize = 200;

/// `POST /api/bot/start` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartRequest {
    /// Name of the new session (default `Dashboard session`).
    pub session_name: Option<String>,
}

/// `POST /api/bot/start`: a new session, the bot `running`.
pub async fn start(
    State(app): State<Dashboard>,
    JsonBody(request): JsonBody<StartRequest>,
) -> Result<Json<Value>, ApiError> {
    let name = request
        .session_name
        .unwrap_or_else(|| "Dashboard session".to_owned());
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(ApiError::bad_request(format!(
            "session_name must be 1 to {MAX_NAME} characters"
        )));
    }
    let session = app.bot().start(name, &app.options().updated_by).await?;
    Ok(Json(json!({ "state": "running", "session": session })))
}

/// `POST /api/bot/stop` body: nothing (an empty object is accepted).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StopRequest {}

/// `POST /api/bot/stop`: the session closed, the bot `stopped`.
pub async fn stop(
    State(app): State<Dashboard>,
    JsonBody(StopRequest {}): JsonBody<StopRequest>,
) -> Result<Json<Value>, ApiError> {
    let session_id = app.bot().stop(&app.options().updated_by).await?;
    Ok(Json(
        json!({ "state": "stopped", "session_id": session_id }),
    ))
}

/// `GET /api/bot/status`: `HGETALL bot:state`.
pub async fn status(State(app): State<Dashboard>) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(app.bot().status().await?)))
}

/// `?limit=` of the list endpoints.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitQuery {
    /// How many items at most.
    pub limit: Option<u64>,
}

/// `GET /api/bot/sessions` answer.
#[derive(Debug, Serialize)]
pub struct SessionsResponse {
    /// Ids of running sessions.
    pub active: Vec<String>,
    /// Sessions, newest first.
    pub all: Vec<BotSession>,
}

/// `GET /api/bot/sessions`: the active ids and the newest sessions.
pub async fn sessions(
    State(app): State<Dashboard>,
    QueryArgs(query): QueryArgs<LimitQuery>,
) -> Result<Json<SessionsResponse>, ApiError> {
    let limit = limit(query.limit, 50, 1000)?;
    let sessions = app.bot().sessions().await?;
    Ok(Json(SessionsResponse {
        active: sessions.active,
        all: sessions.all.into_iter().take(limit as usize).collect(),
    }))
}

/// 404 unless session `id` exists.
async fn known_session(app: &Dashboard, id: &str) -> Result<(), ApiError> {
    if id.len() > MAX_NAME {
        return Err(ApiError::bad_request("the session id is too long"));
    }
    match app.bot().session(id).await? {
        Some(_) => Ok(()),
        None => Err(ApiError::not_found(format!("no session {id}"))),
    }
}

/// `GET /api/bot/events/{session_id}` answer.
#[derive(Debug, Serialize)]
pub struct EventsResponse {
    /// The session.
    pub session_id: String,
    /// Its events, newest first.
    pub events: Vec<BotEvent>,
}

/// `GET /api/bot/events/{session_id}`: the session's newest events.
pub async fn events(
    State(app): State<Dashboard>,
    Path(session_id): Path<String>,
    QueryArgs(query): QueryArgs<LimitQuery>,
) -> Result<Json<EventsResponse>, ApiError> {
    let limit = limit(query.limit, 50, 1000)?;
    known_session(&app, &session_id).await?;
    let events = app.bot().events(&session_id, limit).await?;
    Ok(Json(EventsResponse { session_id, events }))
}

/// `GET /api/bot/metrics/{session_id}` answer: the metrics hash and the session id.
#[derive(Debug, Serialize)]
pub struct MetricsResponse {
    /// The session.
    pub session_id: String,
    /// `HGETALL bot:metrics:{id}`.
    #[serde(flatten)]
    pub metrics: BotMetrics,
}

/// `GET /api/bot/metrics/{session_id}`.
pub async fn metrics(
    State(app): State<Dashboard>,
    Path(session_id): Path<String>,
) -> Result<Json<MetricsResponse>, ApiError> {
    if session_id.len() > MAX_NAME {
        return Err(ApiError::bad_request("the session id is too long"));
    }
    match app.bot().metrics(&session_id).await? {
        Some(metrics) => Ok(Json(MetricsResponse {
            session_id,
            metrics,
        })),
        None => Err(ApiError::not_found(format!("no session {session_id}"))),
    }
}

/// `GET /api/bot/system-status` answer: the bot service's system status and the storage's.
#[derive(Debug, Serialize)]
pub struct SystemStatusResponse {
    /// Bot, sessions, metrics, tasks, recent events.
    #[serde(flatten)]
    pub system: SystemStatus,
    /// The storage state (the monitor's latest measurement).
    pub storage: StorageStatus,
}

/// `GET /api/bot/system-status`.
pub async fn system_status(
    State(app): State<Dashboard>,
) -> Result<Json<SystemStatusResponse>, ApiError> {
    Ok(Json(SystemStatusResponse {
        system: app.bot().system_status().await?,
        storage: app.storage().latest(),
    }))
}
