//! The HTTP API: the routes of every endpoint (listed with their JSON shapes in the crate
//! docs), the page, and the JSON answers for unknown routes and methods.
//!
//! - `bot`: start, stop, status, sessions, events, metrics, system status.
//! - `tasks`: the queue, adding a task, the task types.
//! - `body`: JSON bodies and query strings with JSON errors.
//! - `error`: [`ApiError`](error::ApiError), staunch errors as HTTP statuses.

pub mod body;
pub mod bot;
pub mod error;
pub mod tasks;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::Dashboard;

/// Every route, with `app` as the state.
pub fn router(app: Dashboard) -> Router {
    Router::new()
        .route("/api/bot/start", post(bot::start))
        .route("/api/bot/stop", post(bot::stop))
        .route("/api/bot/status", get(bot::status))
        .route("/api/bot/sessions", get(bot::sessions))
        .route("/api/bot/tasks", get(tasks::tasks))
        .route("/api/bot/tasks/add", post(tasks::add))
        .route("/api/bot/task-types", get(tasks::task_types))
        .route("/api/bot/events/{session_id}", get(bot::events))
        .route("/api/bot/metrics/{session_id}", get(bot::metrics))
        .route("/api/bot/system-status", get(bot::system_status))
        .route("/api/bot/stream", get(crate::stream::stream))
        .merge(crate::page::routes())
        .fallback(error::route_not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(DefaultBodyLimit::max(body::MAX_BODY))
        .with_state(app)
}
