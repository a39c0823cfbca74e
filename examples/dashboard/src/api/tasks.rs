//! The task queue's endpoints: the queue by priority, adding a task, the task types.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use staunch::bot::{BotState, TaskOverview};
use staunch::events::iso8601;
use staunch::queue::{BotTask, Counters, JobInfo};

use super::body::{JsonBody, QueryArgs, limit};
use super::bot::LimitQuery;
use super::error::ApiError;
use crate::Dashboard;

/// One task as the API shows it.
#[derive(Debug, Serialize)]
pub struct TaskView {
    /// Task id (`bot:task:{id}`).
    pub id: String,
    /// Task type.
    #[serde(rename = "type")]
    pub task_type: String,
    /// Priority (10 for `login`, ...).
    pub priority: i32,
    /// `pending`, `processing`, `completed`, ...
    pub status: String,
    /// The session the task works for, from its data.
    pub session_id: Option<String>,
    /// Attempts started.
    pub attempts: u32,
    /// When it was added, ISO 8601.
    pub created_at: String,
}

impl From<JobInfo> for TaskView {
    fn from(job: JobInfo) -> TaskView {
        let session_id = serde_json::from_str::<Value>(&job.data)
            .ok()
            .and_then(|data| data.get("session_id")?.as_str().map(str::to_owned));
        TaskView {
            id: job.id,
            task_type: job.task_type,
            priority: job.priority,
            status: job.status.as_str().to_owned(),
            session_id,
            attempts: job.attempts,
            created_at: iso8601(job.created_at_ms),
        }
    }
}

/// `GET /api/bot/tasks` answer.
#[derive(Debug, Serialize)]
pub struct TasksResponse {
    /// The queue at a glance (`pending` as `ZRANGE bot:tasks:queue 0 -1 WITHSCORES`).
    #[serde(flatten)]
    pub overview: TaskOverview,
    /// Running totals.
    pub counters: Counters,
    /// The first pending tasks, in the order workers take them.
    pub tasks: Vec<TaskView>,
}

/// `GET /api/bot/tasks`.
pub async fn tasks(
    State(app): State<Dashboard>,
    QueryArgs(query): QueryArgs<LimitQuery>,
) -> Result<Json<TasksResponse>, ApiError> {
    let limit = limit(query.limit, 100, 1000)?;
    let overview = app.bot().tasks().await?;
    let ids: Vec<String> = overview
        .pending
        .iter()
        .take(limit as usize)
        .map(|(id, _)| id.clone())
        .collect();
    let queue = app.bot().queue();
    let tasks = queue.get_many(&ids).await?;
    Ok(Json(TasksResponse {
        overview,
        counters: queue.counters().await?,
        tasks: tasks.into_iter().map(TaskView::from).collect(),
    }))
}

/// `POST /api/bot/tasks/add` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddTaskRequest {
    /// The task type (`type` is accepted too, as the task hash names it).
    #[serde(alias = "type")]
    pub task_type: Option<String>,
    /// The task's data: a JSON object. `session_id` defaults to the running session.
    pub data: Option<Map<String, Value>>,
}

/// `POST /api/bot/tasks/add` answer.
#[derive(Debug, Serialize)]
pub struct AddTaskResponse {
    /// The new task's id.
    pub task_id: String,
    /// Its type.
    #[serde(rename = "type")]
    pub task_type: &'static str,
    /// Its priority.
    pub priority: i32,
    /// The session it works for.
    pub session_id: String,
    /// `pending`.
    pub status: &'static str,
}

fn task_types_text() -> String {
    BotTask::ALL
        .iter()
        .map(|t| t.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `POST /api/bot/tasks/add`: queues a task with its type's priority.
pub async fn add(
    State(app): State<Dashboard>,
    JsonBody(request): JsonBody<AddTaskRequest>,
) -> Result<(StatusCode, Json<AddTaskResponse>), ApiError> {
    let Some(name) = request.task_type else {
        return Err(ApiError::bad_request(format!(
            "task_type is missing: give one of {}",
            task_types_text()
        )));
    };
    let task = BotTask::parse(&name).ok_or_else(|| {
        ApiError::bad_request(format!(
            "unknown task type {name:?}: give one of {}",
            task_types_text()
        ))
    })?;
    let mut data = request.data.unwrap_or_default();
    let session_id = match data.get("session_id") {
        Some(Value::String(id)) => {
            if app.bot().session(id).await?.is_none() {
                return Err(ApiError::not_found(format!("no session {id}")));
            }
            id.clone()
        }
        Some(_) => return Err(ApiError::bad_request("data.session_id must be a string")),
        None => {
            let status = app.bot().status().await?;
            match status.session_id {
                Some(id) if status.state == BotState::Running => id,
                _ => {
                    return Err(ApiError::conflict(
                        "the bot is not running: start it, or name a session in data.session_id",
                    ));
                }
            }
        }
    };
    data.insert("session_id".to_owned(), Value::String(session_id.clone()));
    let task_id = app.bot().add_task(task, Value::Object(data)).await?;
    Ok((
        StatusCode::CREATED,
        Json(AddTaskResponse {
            task_id,
            task_type: task.as_str(),
            priority: task.priority().value(),
            session_id,
            status: "pending",
        }),
    ))
}

/// `GET /api/bot/task-types`: every task type with its priority, highest first.
pub async fn task_types() -> Json<Vec<BTreeMap<&'static str, Value>>> {
    Json(
        BotTask::ALL
            .iter()
            .map(|t| {
                BTreeMap::from([
                    ("type", Value::from(t.as_str())),
                    ("priority", Value::from(t.priority().value())),
                ])
            })
            .collect(),
    )
}
