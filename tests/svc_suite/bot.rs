//! Bot cases, including the bot dashboard's `redis-cli` monitoring commands run as a real process.

use std::sync::Arc;

use staunch::bot::{Bot, BotState, is_invalid_transition};
use staunch::queue::BotTask;
use staunch_core::prelude::*;

use crate::Env;

/// A bot key: `bot:<rest>`, or `{bot}:<rest>` on a Redis Cluster, where the bot hash-tags its
/// prefix so all its keys share a slot.
fn key(env: &Env, rest: &str) -> String {
    if env.store.capabilities().cross_slot {
        format!("bot:{rest}")
    } else {
        format!("{{bot}}:{rest}")
    }
}

/// Runs the dashboard's scenario: start, tasks, login, checks, accept/reject. Returns the session id.
async fn scenario(bot: &Bot) -> String {
    let session = bot.start("Redis Bot Test", "api").await.unwrap();
    bot.add_task(
        BotTask::Login,
        serde_json::json!({"session_id": session.id, "username": "user@example.com"}),
    )
    .await
    .unwrap();
    bot.add_task(
        BotTask::JobCheck,
        serde_json::json!({"session_id": session.id}),
    )
    .await
    .unwrap();
    bot.add_task(
        BotTask::Screenshot,
        serde_json::json!({"session_id": session.id}),
    )
    .await
    .unwrap();
    bot.record_login(&session.id, true).await.unwrap();
    for found in [0, 2, 1] {
        bot.record_check(&session.id, found).await.unwrap();
    }
    bot.record_accepted(&session.id).await.unwrap();
    bot.record_rejected(&session.id).await.unwrap();
    bot.record_rejected(&session.id).await.unwrap();
    session.id
}

pub async fn lifecycle_follows_the_seed_schema(env: &Env) {
    let bot = Bot::new(env.store.clone());
    assert_eq!(bot.state().await.unwrap(), BotState::Stopped);
    let id = scenario(&bot).await;
    let store = &env.store;
    let state = store.hgetall(&key(env, "state")).await.unwrap();
    assert_eq!(&state[&b"state"[..]][..], b"running");
    assert_eq!(&state[&b"session_id"[..]][..], id.as_bytes());
    assert_eq!(&state[&b"updated_by"[..]][..], b"api");
    assert!(state.contains_key(&b"timestamp"[..]));
    assert_eq!(
        store.smembers(&key(env, "sessions:active")).await.unwrap(),
        vec![Bytes::from(id.clone())]
    );
    let session = bot.session(&id).await.unwrap().unwrap();
    assert_eq!(session.session_name, "Redis Bot Test");
    assert_eq!(
        (session.status.as_str(), session.login_status.as_str()),
        ("running", "success")
    );
    assert_eq!(
        (
            session.total_checks,
            session.total_accepted,
            session.total_rejected
        ),
        (3, 1, 2)
    );
    let metrics = bot.metrics(&id).await.unwrap().unwrap();
    assert_eq!(
        (
            metrics.total_checks,
            metrics.total_accepted,
            metrics.total_rejected
        ),
        (3, 1, 2)
    );
    assert_eq!(metrics.login_status, "success");
    // The dashboard's event types, newest first.
    let events = bot.events(&id, 20).await.unwrap();
    let types: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(
        types,
        [
            "job_rejected",
            "job_rejected",
            "job_accepted",
            "job_found",
            "job_found",
            "login_success",
            "bot_started"
        ]
    );
    assert_eq!(events[3].data_json()["jobs_found"], 1);
    // Tasks by the dashboard's priority: login (-10) first, screenshot (-1) last.
    let tasks = bot.tasks().await.unwrap();
    assert_eq!(tasks.pending.len(), 3);
    let scores: Vec<i64> = tasks
        .pending
        .iter()
        .map(|(_, s)| s.floor() as i64)
        .collect();
    assert_eq!(scores, [-10, -5, -1]);
    assert_eq!(
        tasks.pending_by_priority.into_iter().collect::<Vec<_>>(),
        [(1, 1), (5, 1), (10, 1)]
    );
    let first = store
        .hgetall(&key(env, &format!("task:{}", tasks.pending[0].0)))
        .await
        .unwrap();
    assert_eq!(&first[&b"type"[..]][..], b"login");
    assert_eq!(&first[&b"priority"[..]][..], b"10");
    let system = bot.system_status().await.unwrap();
    assert_eq!(system.bot.state, BotState::Running);
    assert_eq!(system.active_sessions, vec![id.clone()]);
    assert_eq!(system.metrics[&id].total_checks, 3);
    assert_eq!(system.tasks.pending_count, 3);
    // Stop.
    assert_eq!(bot.stop("api").await.unwrap().as_deref(), Some(id.as_str()));
    assert_eq!(bot.state().await.unwrap(), BotState::Stopped);
    assert!(
        store
            .smembers(&key(env, "sessions:active"))
            .await
            .unwrap()
            .is_empty()
    );
    let sessions = bot.sessions().await.unwrap();
    assert_eq!(sessions.all.len(), 1);
    assert_eq!(sessions.all[0].status, "stopped");
    assert!(sessions.all[0].end_time.is_some());
    assert_eq!(
        bot.recent_events(1).await.unwrap()[0].event_type,
        "bot_stopped"
    );
    // Start again: a second session.
    let again = bot.start("second", "api").await.unwrap();
    assert_ne!(again.id, id);
    assert_eq!(bot.sessions().await.unwrap().all[0].id, again.id);
    // Quick restarts (several in one millisecond on a fast store) still list newest first.
    let mut started = vec![id.clone(), again.id.clone()];
    for i in 0..4 {
        bot.stop("api").await.unwrap();
        started.push(bot.start(&format!("quick {i}"), "api").await.unwrap().id);
    }
    let listed: Vec<String> = bot
        .sessions()
        .await
        .unwrap()
        .all
        .into_iter()
        .map(|s| s.id)
        .collect();
    started.reverse();
    assert_eq!(listed, started, "sessions newest first");
}

pub async fn concurrent_starts_have_one_winner(env: &Env) {
    let bot = Bot::new(env.store.clone());
    let mut tasks = Vec::new();
    for i in 0..12 {
        let bot = bot.clone();
        tasks.push(tokio::spawn(async move {
            bot.start(&format!("controller {i}"), &format!("c{i}"))
                .await
        }));
    }
    let mut winners = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => winners += 1,
            Err(e) => assert!(is_invalid_transition(&e), "unexpected error {e}"),
        }
    }
    assert_eq!(winners, 1, "{}", env.name);
    assert_eq!(bot.sessions().await.unwrap().active.len(), 1);
    assert_eq!(bot.sessions().await.unwrap().all.len(), 1);
    // Racing stops: one winner too.
    let (a, b) = tokio::join!(bot.stop("x"), bot.stop("y"));
    assert!(a.is_ok() != b.is_ok());
}

pub async fn live_events_reach_subscribers(env: &Env) {
    use futures_util::StreamExt;
    let bot = Bot::new(env.store.clone());
    let events = bot.subscribe_events().await.unwrap();
    let mut events = Box::pin(events);
    let session = bot.start("live", "api").await.unwrap();
    bot.record_accepted(&session.id).await.unwrap();
    let mut seen = Vec::new();
    while seen.len() < 2 {
        let next = tokio::time::timeout(std::time::Duration::from_secs(5), events.next())
            .await
            .expect("an event within 5 s")
            .expect("stream open");
        if let Some(event) = next {
            assert_eq!(event.session_id, session.id);
            seen.push(event.event_type);
        }
    }
    assert_eq!(seen, ["bot_started", "job_accepted"]);
}

pub async fn invalid_transitions_are_refused(env: &Env) {
    let bot = Bot::new(env.store.clone());
    let e = bot.stop("api").await.unwrap_err();
    assert!(is_invalid_transition(&e), "{e}");
    assert!(bot.transition(BotState::Running, "api").await.is_err());
    bot.start("s", "api").await.unwrap();
    assert!(is_invalid_transition(
        &bot.start("again", "api").await.unwrap_err()
    ));
    bot.fail("browser crashed", "bot").await.unwrap();
    assert_eq!(bot.state().await.unwrap(), BotState::Error);
    assert_eq!(
        bot.recent_events(1).await.unwrap()[0].event_type,
        "bot_error"
    );
    // From error the bot may start again.
    bot.start("retry", "api").await.unwrap();
    assert_eq!(bot.state().await.unwrap(), BotState::Running);
    assert!(BotState::Stopped.can_become(BotState::Starting));
    assert!(!BotState::Stopped.can_become(BotState::Running));
    assert!(!BotState::Running.can_become(BotState::Starting));
}

pub async fn counters_are_atomic(env: &Env) {
    let bot = Bot::new(env.store.clone());
    let id = bot.start("counting", "api").await.unwrap().id;
    let mut tasks = Vec::new();
    for i in 0..40 {
        // A fresh handle per task: no shared in-process state helps.
        let bot = Bot::new(env.store.clone());
        let id = id.clone();
        tasks.push(tokio::spawn(async move {
            if i % 2 == 0 {
                bot.record_accepted(&id).await.unwrap();
            } else {
                bot.record_check(&id, 0).await.unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let m = bot.metrics(&id).await.unwrap().unwrap();
    assert_eq!((m.total_accepted, m.total_checks), (20, 20));
    let s = bot.session(&id).await.unwrap().unwrap();
    assert_eq!((s.total_accepted, s.total_checks), (20, 20));
    assert!(bot.record_check("no-such-session", 0).await.is_err());
}

/// The bot dashboard's Monitoring section, run with `redis-cli` as a real process against the server
/// the scenario wrote to.
pub async fn monitoring_commands_show_live_state(env: &Env) {
    let Some(url) = env.redis_url.clone() else {
        return; // Only meaningful against Redis; the other backends run the same scenario above.
    };
    let bot = Bot::new(env.store.clone());
    let id = scenario(&bot).await;
    let cli = move |args: &[&str]| -> Vec<String> {
        let out = std::process::Command::new("redis-cli")
            .arg("-u")
            .arg(&url)
            .args(args)
            .output()
            .expect("redis-cli runs (install redis-tools)");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_owned)
            .collect()
    };
    let pairs = |lines: Vec<String>| -> std::collections::HashMap<String, String> {
        lines
            .chunks(2)
            .filter(|c| c.len() == 2)
            .map(|c| (c[0].clone(), c[1].clone()))
            .collect()
    };
    let state = pairs(cli(&["HGETALL", "bot:state"]));
    assert_eq!(state["state"], "running");
    assert_eq!(state["session_id"], id);
    assert_eq!(cli(&["SMEMBERS", "bot:sessions:active"]), vec![id.clone()]);
    let queue = cli(&["ZRANGE", "bot:tasks:queue", "0", "-1", "WITHSCORES"]);
    assert_eq!(queue.len(), 6, "{queue:?}");
    let scores: Vec<i64> = queue
        .iter()
        .skip(1)
        .step_by(2)
        .map(|s| s.parse::<f64>().unwrap().floor() as i64)
        .collect();
    assert_eq!(scores, [-10, -5, -1]);
    let task = pairs(cli(&["HGETALL", &format!("bot:task:{}", queue[0])]));
    assert_eq!(task["type"], "login");
    assert_eq!(task["status"], "pending");
    let session = pairs(cli(&["HGETALL", &format!("bot:session:{id}")]));
    assert_eq!(session["session_name"], "Redis Bot Test");
    assert_eq!(session["status"], "running");
    assert_eq!(session["login_status"], "success");
    assert_eq!(session["total_checks"], "3");
    let metrics = pairs(cli(&["HGETALL", &format!("bot:metrics:{id}")]));
    assert_eq!(metrics["total_checks"], "3");
    assert_eq!(metrics["total_accepted"], "1");
    assert_eq!(metrics["total_rejected"], "2");
    assert_eq!(metrics["login_status"], "success");
    assert!(metrics["uptime"].parse::<f64>().is_ok());
    let events = cli(&["LRANGE", "bot:events", "0", "9"]);
    assert_eq!(events.len(), 7);
    let newest: serde_json::Value = serde_json::from_str(&events[0]).unwrap();
    assert_eq!(newest["type"], "job_rejected");
    assert_eq!(newest["session_id"], id.as_str());
    assert!(
        newest["data"].is_string(),
        "the bot dashboard layout carries data as a JSON string"
    );
    let oldest: serde_json::Value = serde_json::from_str(&events[6]).unwrap();
    assert_eq!(oldest["type"], "bot_started");
    let _ = Arc::strong_count(&env.store);
}
