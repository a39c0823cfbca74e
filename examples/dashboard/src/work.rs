//! The workers: they take the bot's tasks from `bot:tasks:queue` in priority order and play
//! the bot, each task type recording what the bot dashboard layout says it records.
//!
//! | task | what it does | event |
//! |---|---|---|
//! | `login` | `login_status` = `success` | `login_success` |
//! | `job_check` | `total_checks` + 1; finds `data.jobs_found` jobs (default: 0 to 2 at random) | `job_found` when it found any |
//! | `job_accept` | `total_accepted` + 1 | `job_accepted` |
//! | `job_reject` | `total_rejected` + 1 | `job_rejected` |
//! | `navigation` | goes to `data.url` (default `/jobs`) | `navigation` |
//! | `screenshot` | takes a screenshot | `screenshot` |
//!
//! Every task waits [`DashboardOptions::task_duration`] first (the bot's work), then records in
//! one atomic batch per `record_*` call. A task whose session is no longer running completes
//! with `{"skipped": ...}` and records nothing; one without `data.session_id`, or naming a
//! session that does not exist, fails permanently (dead letter): retrying cannot fix it. A
//! store error fails the attempt, retried with the queue's backoff.

use rand::Rng;
use serde_json::{Value, json};
use staunch::bot::{Bot, BotEventType};
use staunch::queue::{BotTask, HandlerError, JobContext, Worker, WorkerHandle};

use crate::DashboardOptions;

/// Starts the workers on the bot's queue, one handler per task type.
pub fn start(bot: Bot, options: &DashboardOptions) -> WorkerHandle {
    let mut worker = Worker::new(bot.queue().clone()).concurrency(options.concurrency);
    for task in BotTask::ALL {
        let duration = options.task_duration;
        // The worker hands each job its own reference to the bot (one clone per job).
        worker = worker.handle_with(
            task.as_str(),
            bot.clone(),
            move |ctx: JobContext<Value>, bot| async move {
                tokio::time::sleep(duration).await;
                perform(&bot, task, &ctx.payload).await
            },
        );
    }
    worker.start()
}

/// Runs one task for the session named in `payload`; returns the task's result.
pub async fn perform(bot: &Bot, task: BotTask, payload: &Value) -> Result<Value, HandlerError> {
    let session_id = payload
        .get("session_id")
        .and_then(Value::as_str)
        .ok_or_else(|| HandlerError::permanent("the task's data has no session_id"))?;
    let session = bot
        .session(session_id)
        .await?
        .ok_or_else(|| HandlerError::permanent(format!("no session {session_id}")))?;
    if session.status != "running" {
        return Ok(json!({ "skipped": format!("session {session_id} is {}", session.status) }));
    }
    Ok(match task {
        BotTask::Login => {
            bot.record_login(session_id, true).await?;
            json!({ "login_status": "success" })
        }
        BotTask::JobCheck => {
            let found = match payload.get("jobs_found").and_then(Value::as_u64) {
                Some(n) => n,
                None => rand::rng().random_range(0..=2),
            };
            bot.record_check(session_id, found).await?;
            json!({ "jobs_found": found })
        }
        BotTask::JobAccept => {
            bot.record_accepted(session_id).await?;
            json!({ "accepted": true })
        }
        BotTask::JobReject => {
            bot.record_rejected(session_id).await?;
            json!({ "rejected": true })
        }
        BotTask::Navigation => {
            let url = payload
                .get("url")
                .and_then(Value::as_str)
                .unwrap_or("/jobs");
            let data = json!({ "url": url });
            bot.log_event(
                session_id,
                BotEventType::Other("navigation".to_owned()),
                &data,
            )
            .await?;
            data
        }
        BotTask::Screenshot => {
            let data =
                json!({ "page": payload.get("page").and_then(Value::as_str).unwrap_or("current") });
            bot.log_event(
                session_id,
                BotEventType::Other("screenshot".to_owned()),
                &data,
            )
            .await?;
            data
        }
    })
}
