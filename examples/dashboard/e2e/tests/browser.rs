//! The dashboard page in a real headless Chromium, on a real `redis-server` behind `Failover`:
//! open the page, start the bot, add a task of every type and watch the queue and the event log
//! change without a reload, kill `redis-server` and see "degraded" while tasks keep flowing,
//! restart it and see the recovery, then check that Redis holds what happened during the
//! outage. Leaves a screenshot in `target/dashboard-screenshot.png`.
//!
//! `cargo test -p staunch-dashboard-e2e --test browser -- --nocapture`
//! (`STAUNCH_SKIP_BROWSER=1` or `STAUNCH_SKIP_REDIS=1` skip it, saying so.)

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::Value;
use staunch_dashboard_e2e::browser::Browser;
use staunch_dashboard_e2e::{Backend, TestApp, test_options};

/// Long enough for a busy machine; every wait ends as soon as its condition holds.
const LIMIT: Duration = Duration::from_secs(60);

const TASKS: [&str; 6] = [
    "login",
    "job_accept",
    "job_reject",
    "navigation",
    "job_check",
    "screenshot",
];

fn screenshot_path() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../target"));
    target.join("dashboard-screenshot.png")
}

/// JavaScript: the text of the element `css` selects (empty when absent).
fn text(css: &str) -> String {
    format!("(document.querySelector({css:?}) || {{textContent: ''}}).textContent.trim()")
}

/// JavaScript: how many elements `css` selects.
fn count(css: &str) -> String {
    format!("document.querySelectorAll({css:?}).length")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_follows_the_bot_through_a_redis_outage() {
    let started = Instant::now();
    let what = "the dashboard page in headless Chromium, with a Redis outage";
    let Some(browser) = Browser::start(what).await else {
        return;
    };
    let Some(mut app) = TestApp::start(Backend::Redis, test_options(150), what).await else {
        return;
    };
    let shot = screenshot_path();
    let b = &browser;
    let wait = |what: &'static str, condition: String| {
        let shot = shot.clone();
        async move { b.wait_for(what, &condition, LIMIT, &shot).await }
    };

    // The page loads, its event stream connects, the storage panel shows Redis, healthy.
    browser.client.goto(&app.url).await.expect("open the page");
    wait(
        "the event stream to connect",
        format!("{} === 'live'", text("#sse-status")),
    )
    .await;
    wait(
        "storage on Redis",
        format!("{} === 'Redis'", text("#storage-backend")),
    )
    .await;
    wait(
        "storage healthy",
        format!("{} === 'healthy'", text("#storage-state")),
    )
    .await;
    wait(
        "the bot stopped",
        format!("{} === 'stopped'", text("#bot-state")),
    )
    .await;

    // Start the bot from the page.
    browser.type_into("#session-name", "Browser session").await;
    browser.click("#start").await;
    wait(
        "the bot running",
        format!("{} === 'running'", text("#bot-state")),
    )
    .await;
    wait(
        "the session listed",
        format!("{} === 'Browser session'", text("#sessions tr td")),
    )
    .await;
    let session = browser.eval(&text("#bot-session")).await;
    let session = session.as_str().expect("the session id").to_owned();
    wait(
        "bot_started in the log",
        format!("{} > 0", count("#event-log li[data-type='bot_started']")),
    )
    .await;

    // One task of every type while the workers are held back: the queue fills, by priority.
    app.dashboard
        .bot()
        .queue()
        .pause()
        .await
        .expect("pause the queue");
    for task in TASKS {
        browser.click(&format!("button[data-task='{task}']")).await;
    }
    wait(
        "six pending tasks counted",
        format!("{} === '6'", text("#count-pending")),
    )
    .await;
    wait(
        "the queue by priority",
        format!(
            "{} === 5 && {} === '2'",
            count("#by-priority [data-priority]"),
            text("#by-priority [data-priority='8'] b")
        ),
    )
    .await;
    for task in TASKS {
        let row = format!("#task-rows tr[data-type='{task}'] .status");
        wait(
            "a pending row per task",
            format!("{} === 'pending'", text(&row)),
        )
        .await;
    }
    // Let them run: every row turns completed, live.
    app.dashboard
        .bot()
        .queue()
        .resume()
        .await
        .expect("resume the queue");
    for task in TASKS {
        let row = format!("#task-rows tr[data-type='{task}'] .status");
        wait(
            "every task completed",
            format!("{} === 'completed'", text(&row)),
        )
        .await;
    }
    wait(
        "the queue empty",
        format!("{} === '0'", text("#count-pending")),
    )
    .await;
    // Their events arrived over the event stream, not from a reload.
    for event in [
        "login_success",
        "job_accepted",
        "job_rejected",
        "navigation",
        "screenshot",
    ] {
        let live = format!("#event-log li[data-type='{event}'][data-source='sse']");
        wait(
            "each task's event over the stream",
            format!("{} > 0", count(&live)),
        )
        .await;
    }
    wait(
        "the metrics",
        format!(
            "{} === '1' && {} === '1' && {} === 'success'",
            text("#m-accepted"),
            text("#m-rejected"),
            text("#m-login")
        ),
    )
    .await;

    // Kill Redis: the page shows the outage and the bot keeps working on the local store.
    app.redis.as_mut().expect("the Redis server").kill();
    wait(
        "the degraded state",
        format!("{} === 'degraded'", text("#storage-state")),
    )
    .await;
    wait(
        "the bot still running",
        format!("{} === 'running'", text("#bot-state")),
    )
    .await;
    let navigations_before = browser
        .eval(&count("#event-log li[data-type='navigation']"))
        .await;
    for task in ["job_accept", "navigation"] {
        browser.click(&format!("button[data-task='{task}']")).await;
    }
    wait(
        "the outage's accept counted",
        format!("{} === '2'", text("#m-accepted")),
    )
    .await;
    wait(
        "the outage's navigation logged",
        format!(
            "{} > {navigations_before}",
            count("#event-log li[data-type='navigation'][data-source='sse']")
        ),
    )
    .await;
    wait(
        "writes waiting in the journal",
        format!("parseInt({}, 10) > 0", text("#storage-journal")),
    )
    .await;

    // Restart it: the journal is replayed and the page shows the recovery.
    app.redis
        .as_mut()
        .expect("the Redis server")
        .restart()
        .await
        .expect("restart redis-server");
    wait(
        "healthy again",
        format!("{} === 'healthy'", text("#storage-state")),
    )
    .await;
    wait(
        "the recovery reported",
        format!("{}.startsWith('replayed ')", text("#storage-recovery")),
    )
    .await;
    wait(
        "the journal drained",
        format!("{} === '0 writes waiting'", text("#storage-journal")),
    )
    .await;
    let history = browser.eval(&text("#storage-history")).await;
    let history = history.as_str().unwrap_or_default().to_owned();
    assert!(history.contains("healthy → degraded"), "{history}");

    // Redis holds what happened during the outage.
    let url = app.redis.as_ref().expect("the Redis server").url();
    let client = redis::Client::open(url).expect("a redis client");
    let mut redis = client
        .get_multiplexed_async_connection()
        .await
        .expect("connect to Redis");
    let metrics: HashMap<String, String> = redis::cmd("HGETALL")
        .arg(format!("bot:metrics:{session}"))
        .query_async(&mut redis)
        .await
        .expect("HGETALL bot:metrics");
    assert_eq!(
        metrics.get("total_accepted").map(String::as_str),
        Some("2"),
        "{metrics:?}"
    );
    let events: Vec<String> = redis::cmd("LRANGE")
        .arg("bot:events")
        .arg(0)
        .arg(-1)
        .query_async(&mut redis)
        .await
        .expect("LRANGE bot:events");
    let navigations = events
        .iter()
        .filter(|e| e.contains("\"type\":\"navigation\""))
        .count();
    assert_eq!(navigations, 2, "{events:?}");
    let state: HashMap<String, String> = redis::cmd("HGETALL")
        .arg("bot:state")
        .query_async(&mut redis)
        .await
        .expect("HGETALL bot:state");
    assert_eq!(state.get("state").map(String::as_str), Some("running"));
    // The page agrees with Redis on every event it lists.
    let ids = browser
        .eval("[...document.querySelectorAll('#event-log li')].map(li => li.dataset.id)")
        .await;
    let ids: Vec<&str> = ids
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    // bot_started, five task events before the outage and two during it (job_found maybe).
    assert!(ids.len() >= 8, "{ids:?}");
    for id in ids {
        assert!(
            events.iter().any(|e| e.contains(id)),
            "event {id} shown on the page is not in Redis"
        );
    }

    browser.screenshot(&shot).await;
    println!(
        "screenshot: {} (whole test {:.1?})",
        shot.display(),
        started.elapsed()
    );
    browser.close().await;
    app.stop().await;
}
