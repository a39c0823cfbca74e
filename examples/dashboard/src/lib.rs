//! The bot dashboard: staunch's bot, task queue and event services behind the HTTP API that the
//! bot dashboard layout describes, a live page, and workers that play the bot.
//!
//! `cargo run --example dashboard` serves it on the embedded file store (`./staunch-data`);
//! `REDIS_URL=redis://127.0.0.1:6379 cargo run --example dashboard --features redis` serves it on
//! Redis, each database behind `Failover`, so killing `redis-server` shows "degraded" on the
//! page while tasks keep flowing, and its return shows the journal being replayed.
//!
//! # Layout
//!
//! - [`app`]: [`Dashboard`], the running application (services, workers, storage monitor), and
//!   [`DashboardOptions`].
//! - [`api`]: the router and the handlers of every endpoint; `api::error` maps staunch errors
//!   to HTTP statuses; `api::body` reads JSON bodies and queries with JSON errors.
//! - [`stream`]: `GET /api/bot/stream`, the pub/sub to server-sent events bridge.
//! - [`work`]: the workers: one handler per bot task type, recording metrics and events.
//! - [`storage`]: the storage monitor (backend, healthy/degraded/recovering, journal length,
//!   replay progress) and its JSON shape.
//! - [`page`]: the page (plain HTML, CSS and JavaScript compiled into the program).
//!
//! # Endpoints
//!
//! Every error is JSON, `{"error": "<what is wrong>", "kind": "<kind>"}`, with status 400
//! (`bad_request`: malformed JSON, a wrong field, an unknown task type, a bad query), 404
//! (`not_found`: an unknown session or route), 405 (`method_not_allowed`), 409 (`conflict`: a
//! refused bot state transition), 413 (`payload_too_large`: a body over 64 KiB), 503
//! (`unavailable`: the store is unreachable) or, for a failure that is nobody's input, 500
//! (`internal`). Times are ISO 8601 UTC.
//!
//! | method | path | answer |
//! |---|---|---|
//! | POST | `/api/bot/start` | body `{"session_name"?: string}` (1-200 characters; default `Dashboard session`; an empty body is allowed) → `{"state": "running", "session": Session}`; 409 when the bot is not stopped |
//! | POST | `/api/bot/stop` | no body → `{"state": "stopped", "session_id": string \| null}`; 409 when the bot is not running |
//! | GET | `/api/bot/status` | `{"state": "starting" \| "running" \| "stopping" \| "stopped" \| "error", "session_id", "timestamp", "updated_by"}` (`HGETALL bot:state`) |
//! | GET | `/api/bot/sessions?limit=50` | `{"active": [id], "all": [Session]}`, newest first, at most `limit` (1-1000) |
//! | GET | `/api/bot/tasks?limit=100` | Tasks (below) |
//! | POST | `/api/bot/tasks/add` | body `{"task_type" (or "type"): "login" \| "job_check" \| "job_accept" \| "job_reject" \| "navigation" \| "screenshot", "data"?: object}` → 201 `{"task_id", "type", "priority", "session_id", "status": "pending"}`. `data.session_id` defaults to the running session (409 when none); an unknown session is 404 |
//! | GET | `/api/bot/events/{session_id}?limit=50` | `{"session_id", "events": [Event]}`, newest first; 404 for an unknown session |
//! | GET | `/api/bot/metrics/{session_id}` | `{"session_id", "total_checks", "total_accepted", "total_rejected", "login_status", "status", "uptime", "timestamp"}` (`HGETALL bot:metrics:{id}`); 404 for an unknown session |
//! | GET | `/api/bot/system-status` | `{"bot": Status, "active_sessions": [id], "metrics": {id: Metrics}, "tasks": Tasks without "tasks"/"counters", "recent_events": [Event], "timestamp", "storage": Storage}` |
//! | GET | `/api/bot/task-types` | `[{"type": "login", "priority": 10}, ...]` |
//! | GET | `/api/bot/stream` | server-sent events, below |
//! | GET | `/` (`/app.js`, `/style.css`) | the page |
//!
//! - **Session**: `{"id", "session_name", "start_time", "status", "login_status",
//!   "total_checks", "total_accepted", "total_rejected", "created_at", "updated_at",
//!   "end_time"}` (`HGETALL bot:session:{id}`).
//! - **Event**: the event JSON of the layout, `{"id", "session_id", "type", "data", "timestamp"}`,
//!   `data` a JSON document carried as a string.
//! - **Tasks**: `{"pending": [[id, score]]` (`ZRANGE bot:tasks:queue 0 -1 WITHSCORES`),
//!   `"pending_count", "scheduled", "processing", "dead", "pending_by_priority": {"10": n},
//!   "counters": {"enqueued", "completed", "failed", "retried", "dead", "cancelled", "reaped"},
//!   "tasks": [{"id", "type", "priority", "status", "session_id", "attempts", "created_at"}]}`,
//!   `tasks` being the first `limit` pending tasks in the order workers take them.
//! - **Storage**: see [`storage::StorageStatus`].
//!
//! The stream sends `event: bot` with an Event for every event logged (channel `bot:events`),
//! `event: queue` with the queue's state changes (channel `bot:tasks:events`: `{"event":
//! "status", "id", "status", "at"}`, ...), `event: storage` with the Storage object (at once,
//! then on every change of state and at least every [`DashboardOptions::storage_interval`]),
//! and `event: gap` (`{"source": "bot" | "queue"}`) when messages may have been missed (a
//! reconnect, or the store switching between Redis and the local store), after which the page
//! re-reads everything.
//!
//! # Decisions
//!
//! - The bot's database is `main` (Redis database 0, where `redis-cli` looks by default), so
//!   the layout's monitoring commands (`HGETALL bot:state`, `ZRANGE bot:tasks:queue 0 -1
//!   WITHSCORES`, `LRANGE bot:events 0 9`, ...) show the live state.
//! - On Redis the example uses the `Mirror` failover policy for `main` unless
//!   `STAUNCH_FAILOVER` says otherwise: during an outage the page must still show the bot as
//!   running, its sessions and its metrics, which under `Divert` would read as empty.
//! - Workers skip (complete with `{"skipped": ...}`) a task whose session is no longer
//!   running: a stopped bot does no work, and the queue still drains.

#![deny(missing_docs)]

pub mod api;
pub mod app;
pub mod page;
pub mod storage;
pub mod stream;
pub mod work;

pub use app::{Dashboard, DashboardOptions};
