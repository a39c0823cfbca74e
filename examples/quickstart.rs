//! Quick start: staunch with no Redis at all.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! With `REDIS_URL` unset, every named database (the AutoBot standard's `main`, `cache`, `sessions`, ...)
//! is an embedded file store under `./staunch-data` (or `STAUNCH_DATA_DIR`); set `REDIS_URL`
//! (and build with `--features redis`) and the same program uses Redis logical databases, each
//! behind `Failover`. The services never know which:
//!
//! ```text
//! REDIS_URL=redis://127.0.0.1:6379 cargo run --example quickstart --features redis
//! ```
//!
//! Everything it writes expires (the session and chat within a day, the user record with
//! it, the rate-limit window after a minute, the cached workflow per its cache type), so
//! running it against a real Redis leaves nothing behind for good. A second run within a minute
//! continues the first run's rate-limit window (the count lives in the store, as it would across
//! an application's processes) and says so.

use std::time::Duration;

use staunch::cache::{Cache, CacheKey, cache_type};
use staunch::config::{Settings, Staunch};
use staunch::lock::Locks;
use staunch::prelude::*;
use staunch::ratelimit::FixedWindow;
use staunch::session::{ChatHistory, Sessions};

/// How long the demo's session data lives.
const DAY: Duration = Duration::from_secs(24 * 3600);

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
    // `user:123` (the user's record, `last_active`) has no expiry of its own in the session
    // service; this demo gives it the session's day so it does not outlive the run's data.
    app.db("sessions")?
        .expire(&sessions.user_key("123"), DAY.as_secs() as i64)
        .await?;
    // Chats expire a day after their last message (the default keeps them forever).
    let chat = ChatHistory::new(app.db("sessions")?).ttl(DAY);
    chat.append(&session.id, "user", "Hello").await?;
    chat.append(&session.id, "assistant", "Hi there!").await?;
    for message in chat.recent(&session.id, 10).await? {
        println!("chat {}: {}", message.role, message.content);
    }

    // Rate limit (the AutoBot configuration): INCR + EX in one atomic step.
    let limiter = FixedWindow::new(app.db("cache")?, 3, Duration::from_secs(60));
    let mut allowed = 0;
    let mut retry_after = Duration::ZERO;
    for _ in 0..4 {
        let decision = limiter.check("user_123:/api/chat/send").await?;
        println!(
            "rate limit: allowed={} remaining={} retry_after={:?}",
            decision.allowed, decision.remaining, decision.retry_after
        );
        allowed += u32::from(decision.allowed);
        retry_after = retry_after.max(decision.retry_after);
    }
    if allowed < 3 {
        // Not a bug: the window's count is in the store, so an earlier run's checks count.
        println!(
            "  (only {allowed} of the 3 allowed: a run less than a minute ago used this window; \
             it reopens in {:?})",
            retry_after
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
