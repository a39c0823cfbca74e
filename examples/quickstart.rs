//! Quick start: staunch with no Redis at all.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! With `REDIS_URL` unset, every named database (the AutoBot standard's `main`, `cache`, `sessions`, ...)
//! is an embedded file store under `./staunch-data` (or `STAUNCH_DATA_DIR`); set `REDIS_URL`
//! (and build with `--features redis`) and the same program uses Redis logical databases, each
//! behind `Failover`. The services never know which.

use std::time::Duration;

use staunch::cache::{Cache, CacheKey, cache_type};
use staunch::config::{Settings, Staunch};
use staunch::lock::Locks;
use staunch::ratelimit::FixedWindow;
use staunch::session::{ChatHistory, Sessions};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Settings: defaults, then STAUNCH_CONFIG (a TOML file) if set, then the environment.
    let app = Staunch::open(Settings::load()?).await?;
    println!("storage: {:?}", app.mode());

    // Cache (the Transform Army guide): tenant-scoped keys, TTL per cache type, one fetch per miss.
    let cache = Cache::new(app.db("cache")?);
    let key = CacheKey::tenant("tenant-1", cache_type::WORKFLOW_DEF, "abc-456");
    for attempt in 1..=2 {
        let workflow: serde_json::Value = cache
            .get_or_fetch(&key, || async {
                println!("  (fetching workflow abc-456 from the source of truth)");
                Ok::<_, std::io::Error>(serde_json::json!({"id": "abc-456", "steps": 3}))
            })
            .await?;
        println!("workflow, call {attempt}: {workflow}");
    }
    println!("cache hit rate: {:.0}%", cache.stats().hit_rate() * 100.0);

    // Sessions (the AutoBot configuration's): 24 h sliding expiry, chat history newest first.
    let sessions = Sessions::new(app.db("sessions")?);
    let session = sessions
        .create("123", &serde_json::json!({"name": "John Doe"}))
        .await?;
    let chat = ChatHistory::new(app.db("sessions")?);
    chat.append(&session.id, "user", "Hello").await?;
    chat.append(&session.id, "assistant", "Hi there!").await?;
    for message in chat.recent(&session.id, 10).await? {
        println!("chat {}: {}", message.role, message.content);
    }

    // Rate limit (the AutoBot configuration): INCR + EX in one atomic step.
    let limiter = FixedWindow::new(app.db("cache")?, 3, Duration::from_secs(60));
    for _ in 0..4 {
        let decision = limiter.check("user_123:/api/chat/send").await?;
        println!(
            "rate limit: allowed={} remaining={} retry_after={:?}",
            decision.allowed, decision.remaining, decision.retry_after
        );
    }

    // A lock only its holder can release.
    let locks = Locks::new(app.db("main")?);
    if let Some(guard) = locks
        .acquire("nightly-report", Duration::from_secs(30))
        .await?
    {
        println!("lock taken: {}", guard.key());
        guard.release().await?;
    }

    let health = app.health().await;
    println!("healthy: {}", health.healthy);
    for (name, stats) in app.stats() {
        if stats.round_trips > 0 {
            println!(
                "  {name}: {} ok, {} failed, {:.2} ms average",
                stats.successful_operations,
                stats.failed_operations,
                stats.average_response_ms()
            );
        }
    }
    sessions.destroy(&session.id).await?;
    app.close().await?;
    Ok(())
}
