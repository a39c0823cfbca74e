//! The AtoZ bot of the bot dashboard layout: state machine, session, tasks through the queue, metrics and
//! events, with the dashboard's key schema.
//!
//! ```text
//! # embedded (no Redis): data in ./staunch-data
//! cargo run --example bot
//! # against Redis, then inspect with the dashboard's monitoring commands
//! REDIS_URL=redis://127.0.0.1:6379 cargo run --features redis --example bot
//! redis-cli HGETALL bot:state
//! redis-cli SMEMBERS bot:sessions:active
//! redis-cli ZRANGE bot:tasks:queue 0 -1 WITHSCORES
//! redis-cli HGETALL bot:session:<id>
//! redis-cli HGETALL bot:metrics:<id>
//! redis-cli LRANGE bot:events 0 9
//! # stop the bot afterwards
//! REDIS_URL=... cargo run --features redis --example bot -- stop
//! ```
//!
//! The bot lives in the `main` database (Redis database 0, where `redis-cli` looks by default).
//! The example leaves the bot running with a few tasks still queued, so the monitoring commands
//! show live state; `-- stop` stops it.

use std::time::Duration;

use staunch::bot::Bot;
use staunch::config::{Settings, Staunch};
use staunch::queue::{BotTask, HandlerError, JobContext, Worker};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let app = Staunch::open(Settings::load()?.only_databases(&["main"])).await?;
    println!("storage: {:?}", app.mode());
    let bot = Bot::new(app.db("main")?);

    if std::env::args().nth(1).as_deref() == Some("stop") {
        match bot.stop("example").await {
            Ok(session) => println!("stopped; session {session:?}"),
            Err(e) => println!("not stopped: {e}"),
        }
        app.close().await?;
        return Ok(());
    }

    // POST /api/bot/start: exactly one controller wins if several race.
    let session = match bot.start("Redis Bot Test", "example").await {
        Ok(session) => session,
        Err(e) if staunch::bot::is_invalid_transition(&e) => {
            println!(
                "the bot is already {}: run with `-- stop` first",
                bot.state().await?
            );
            app.close().await?;
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    };
    println!("started session {} ({})", session.id, session.session_name);

    // POST /api/bot/tasks/add: typed tasks with the dashboard's priorities.
    let data = serde_json::json!({"session_id": session.id, "username": "user@example.com"});
    bot.add_task(BotTask::Login, data.clone()).await?;
    for _ in 0..4 {
        bot.add_task(BotTask::JobCheck, data.clone()).await?;
    }

    // A worker runs the login and the job checks, recording metrics and events as it goes.
    let checks = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let worker = {
        let (login_bot, check_bot) = (bot.clone(), bot.clone());
        Worker::new(bot.queue().clone())
            .concurrency(1)
            .handle("login", move |ctx: JobContext<serde_json::Value>| {
                let bot = login_bot.clone();
                async move {
                    let id = ctx.payload["session_id"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned();
                    bot.record_login(&id, true).await?;
                    Ok::<_, HandlerError>("logged in")
                }
            })
            .handle("job_check", move |ctx: JobContext<serde_json::Value>| {
                let (bot, checks) = (check_bot.clone(), checks.clone());
                async move {
                    let id = ctx.payload["session_id"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned();
                    // Every other check finds a job: accept the first, reject the next.
                    let n = checks.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let found = n % 2;
                    bot.record_check(&id, found).await?;
                    match n {
                        1 => bot.record_accepted(&id).await?,
                        3 => bot.record_rejected(&id).await?,
                        _ => {}
                    }
                    Ok::<_, HandlerError>(found)
                }
            })
            .start()
    };
    // Let it run the login (priority 10 goes first) and the checks, then stop it.
    for _ in 0..100 {
        let tasks = bot.tasks().await?;
        if tasks.pending.is_empty() && tasks.processing == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    worker.shutdown(Duration::from_secs(5)).await;
    // Work for the next run stays queued, so `ZRANGE bot:tasks:queue` shows it.
    bot.add_task(BotTask::Navigation, data.clone()).await?;
    bot.add_task(BotTask::JobCheck, data.clone()).await?;
    bot.add_task(BotTask::Screenshot, data).await?;

    // GET /api/bot/system-status
    let status = bot.system_status().await?;
    println!(
        "state: {} (by {:?})",
        status.bot.state, status.bot.updated_by
    );
    println!("active sessions: {:?}", status.active_sessions);
    if let Some(m) = status.metrics.get(&session.id) {
        println!(
            "metrics: checks={} accepted={} rejected={} login={} uptime={:.1}s",
            m.total_checks, m.total_accepted, m.total_rejected, m.login_status, m.uptime
        );
    }
    println!("queued tasks: {:?}", status.tasks.pending);
    for event in &status.recent_events {
        println!(
            "event {} {} {}",
            event.timestamp, event.event_type, event.data
        );
    }
    match app.mode() {
        // `redis-cli` only sees the data when it is in Redis.
        staunch::config::Mode::Redis { .. } => {
            println!(
                "\ninspect with: redis-cli HGETALL bot:session:{}",
                session.id
            );
            println!("stop with:    cargo run --features redis --example bot -- stop");
        }
        _ => {
            println!(
                "\n(the bot's state is in the embedded store, {}, which redis-cli cannot read; \
                 with REDIS_URL set and --features redis it is in Redis, for redis-cli)",
                match app.mode() {
                    staunch::config::Mode::File { dir } => dir.display().to_string(),
                    _ => "memory, gone when this process exits".to_owned(),
                }
            );
            println!("stop with:    cargo run --example bot -- stop");
        }
    }
    app.close().await?;
    Ok(())
}
