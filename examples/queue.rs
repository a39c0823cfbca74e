//! The task queue in one page: the bot dashboard's bot tasks with their priorities, a worker with a
//! handler per task type, a failing task that retries and ends in the dead-letter queue, live
//! events, and a graceful shutdown.
//!
//! ```text
//! cargo run --example queue
//! ```
//!
//! It runs on the in-memory backend; any `Arc<dyn Store>` works the same (Redis, file,
//! `Failover`), and on Redis `redis-cli ZRANGE bot:tasks:queue 0 -1 WITHSCORES` and
//! `redis-cli HGETALL bot:task:<id>` show the jobs as the bot dashboard layout describes them.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use staunch::queue::{
    Backoff, BotTask, HandlerError, JobContext, NewJob, Queue, QueueConfig, QueueEvent, Worker,
};
use staunch_core::Store;
use staunch_memory::MemoryStore;

#[derive(Debug, Serialize, Deserialize)]
struct Login {
    session_id: String,
    username: String,
}

#[tokio::main]
async fn main() -> staunch::Result<()> {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    // Short retry delays for the demo (the default is the Transform Army guide's 60 s, 120 s, 240 s, ...).
    let config = QueueConfig::new().backoff(Backoff::exponential(
        Duration::from_millis(100),
        2.0,
        Duration::from_secs(1),
    ));
    let queue = Queue::with_config(store, config)?;

    // Live state changes, as a dashboard would see them.
    let mut events = Box::pin(queue.events().await?);
    tokio::spawn(async move {
        while let Some(event) = events.next().await {
            if let Some(QueueEvent::Status { id, status, .. }) = event {
                println!("  event: {id} -> {status}");
            }
        }
    });

    let worker = Worker::new(queue.clone())
        .concurrency(4)
        .handle(
            BotTask::Login.as_str(),
            |ctx: JobContext<Login>| async move {
                ctx.progress(&"connecting").await?;
                Ok::<_, HandlerError>(format!("{} logged in", ctx.payload.username))
            },
        )
        .handle(
            BotTask::JobCheck.as_str(),
            |_ctx: JobContext<()>| async move { Ok::<_, HandlerError>(3) },
        )
        .handle(
            BotTask::Screenshot.as_str(),
            |ctx: JobContext<()>| async move {
                Err::<(), _>(HandlerError::new(format!(
                    "camera busy (attempt {})",
                    ctx.attempt()
                )))
            },
        )
        .start();

    let login = Login {
        session_id: "s-1".into(),
        username: "user@example.com".into(),
    };
    let ids = [
        queue
            .enqueue(NewJob::bot(BotTask::Screenshot, ()).max_retries(2))
            .await?
            .id,
        queue.enqueue(NewJob::bot(BotTask::JobCheck, ())).await?.id,
        queue.enqueue(NewJob::bot(BotTask::Login, login)).await?.id,
    ];
    // The same check twice while the first is live: one job.
    let again = queue
        .enqueue(NewJob::bot(BotTask::JobCheck, ()).unique("check:s-1"))
        .await?;
    let dup = queue
        .enqueue(NewJob::bot(BotTask::JobCheck, ()).unique("check:s-1"))
        .await?;
    println!(
        "unique: {} then {} (duplicate: {})",
        again.id, dup.id, dup.duplicate
    );

    tokio::time::sleep(Duration::from_secs(2)).await;
    for id in &ids {
        if let Some(job) = queue.get(id).await? {
            println!(
                "{:<10} {:<10} attempts {} result {:?} error {:?}",
                job.task_type, job.status, job.attempts, job.result, job.last_error
            );
        }
    }
    println!("sizes: {:?}", queue.sizes().await?);
    println!("counters: {:?}", queue.counters().await?);
    for dead in queue.dead_letters(0, 10).await? {
        println!("dead letter: {} ({:?})", dead.id, dead.last_error);
    }
    let report = worker.shutdown(Duration::from_secs(5)).await;
    println!("worker stopped: {:?}", report.stats);
    Ok(())
}
