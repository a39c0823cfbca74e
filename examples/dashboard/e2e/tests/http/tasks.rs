//! The task queue's endpoints and the workers; on Redis, the layout the monitoring commands read.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::json;
use staunch_dashboard_e2e::TestApp;

use super::{assert_rejected, get, post, start, wait_until};

pub async fn tasks_flow_through_the_queue(app: &TestApp) {
    // Without a running bot there is no session to work for.
    let refused = post(app, "/api/bot/tasks/add", r#"{"task_type": "login"}"#).await;
    assert_rejected(&refused, StatusCode::CONFLICT, "conflict", "not running");

    let session = start(app, "tasks").await;
    // Hold the workers back so the queue can be looked at with everything in it.
    app.dashboard.bot().queue().pause().await.expect("pause");
    let mut added = Vec::new();
    for (task, data) in [
        ("screenshot", json!({})),
        ("job_check", json!({ "jobs_found": 2 })),
        ("navigation", json!({ "url": "/jobs/42" })),
        ("job_reject", json!({})),
        ("job_accept", json!({})),
        ("login", json!({ "username": "user@example.com" })),
    ] {
        let (status, body) = post(
            app,
            "/api/bot/tasks/add",
            &json!({ "task_type": task, "data": data }).to_string(),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["type"], task);
        assert_eq!(body["session_id"], session.as_str());
        assert_eq!(body["status"], "pending");
        added.push((
            body["task_id"].as_str().expect("task id").to_owned(),
            body["priority"].as_i64(),
        ));
    }
    let priorities: Vec<Option<i64>> = added.iter().map(|(_, p)| *p).collect();
    assert_eq!(
        priorities,
        [Some(1), Some(5), Some(7), Some(8), Some(8), Some(10)]
    );

    // A worker woken by an enqueue may be holding a task for the moment it takes to see the
    // pause and put it back (with its place): wait for all six to be in the queue.
    let mut q;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, body) = get(app, "/api/bot/tasks").await;
        assert_eq!(status, StatusCode::OK);
        q = body;
        let listed = q["pending"].as_array().map_or(0, Vec::len);
        if listed == 6 && q["pending_count"] == 6 && q["processing"] == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "six tasks never pending at once: {q}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        q["pending_by_priority"],
        json!({ "1": 1, "5": 1, "7": 1, "8": 2, "10": 1 })
    );
    // `pending` reads as `ZRANGE bot:tasks:queue 0 -1 WITHSCORES`: login (-10) first.
    let scores: Vec<i64> = q["pending"]
        .as_array()
        .expect("pending")
        .iter()
        .map(|p| p[1].as_f64().unwrap_or(0.0).floor() as i64)
        .collect();
    assert_eq!(scores, [-10, -8, -8, -7, -5, -1]);
    let types: Vec<&str> = q["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .filter_map(|t| t["type"].as_str())
        .collect();
    assert_eq!(
        types,
        [
            "login",
            "job_reject",
            "job_accept",
            "navigation",
            "job_check",
            "screenshot"
        ]
    );
    assert_eq!(q["tasks"][0]["session_id"], session.as_str());
    assert_eq!(q["tasks"][0]["status"], "pending");
    assert_eq!(q["counters"]["enqueued"], 6);
    let (_, two) = get(app, "/api/bot/tasks?limit=2").await;
    assert_eq!(two["tasks"].as_array().map(Vec::len), Some(2));

    // The workers run them all.
    app.dashboard.bot().queue().resume().await.expect("resume");
    wait_until("the workers to complete six tasks", || async {
        get(app, "/api/bot/tasks").await.1["counters"]["completed"] == 6
    })
    .await;
    let (_, q) = get(app, "/api/bot/tasks").await;
    assert_eq!(
        (
            q["pending_count"].clone(),
            q["processing"].clone(),
            q["dead"].clone()
        ),
        (json!(0), json!(0), json!(0))
    );

    let (status, m) = get(app, &format!("/api/bot/metrics/{session}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(m["session_id"], session.as_str());
    assert_eq!(
        (
            m["total_checks"].clone(),
            m["total_accepted"].clone(),
            m["total_rejected"].clone()
        ),
        (json!(1), json!(1), json!(1))
    );
    assert_eq!(m["login_status"], "success");
    assert_eq!(m["status"], "running");
    assert!(m["uptime"].as_f64().is_some() && m["timestamp"].as_str().is_some());

    let (_, e) = get(app, &format!("/api/bot/events/{session}")).await;
    let mut kinds: Vec<&str> = e["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["type"].as_str())
        .collect();
    kinds.sort_unstable();
    assert_eq!(
        kinds,
        [
            "bot_started",
            "job_accepted",
            "job_found",
            "job_rejected",
            "login_success",
            "navigation",
            "screenshot"
        ]
    );
    let navigation = e["events"]
        .as_array()
        .and_then(|all| all.iter().find(|e| e["type"] == "navigation"))
        .expect("navigation");
    // The layout's event JSON: `data` is a JSON document carried as a string.
    assert_eq!(navigation["data"], r#"{"url":"/jobs/42"}"#);

    // A task for a session that stopped is skipped, and the queue still drains.
    post(app, "/api/bot/stop", "").await;
    let (status, body) = post(
        app,
        "/api/bot/tasks/add",
        &json!({ "type": "job_check", "data": { "session_id": session } }).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    wait_until("the stopped session's task to be skipped", || async {
        get(app, "/api/bot/tasks").await.1["counters"]["completed"] == 7
    })
    .await;
    assert_eq!(
        get(app, &format!("/api/bot/metrics/{session}")).await.1["total_checks"],
        1
    );
}

pub async fn add_task_rejects_bad_input(app: &TestApp) {
    let session = start(app, "bad tasks").await;
    let unknown = post(app, "/api/bot/tasks/add", r#"{"task_type": "dance"}"#).await;
    assert_rejected(
        &unknown,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "unknown task type \"dance\": give one of login, job_accept, job_reject, navigation, job_check, screenshot",
    );
    let missing = post(app, "/api/bot/tasks/add", r#"{"data": {}}"#).await;
    assert_rejected(
        &missing,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "task_type is missing",
    );
    let malformed = post(app, "/api/bot/tasks/add", r#"{"task_type": "login""#).await;
    assert_rejected(
        &malformed,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "not valid JSON",
    );
    let data_list = post(
        app,
        "/api/bot/tasks/add",
        r#"{"task_type": "login", "data": [1]}"#,
    )
    .await;
    assert_rejected(
        &data_list,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "`data`: invalid type: sequence, expected a map",
    );
    let no_session = post(
        app,
        "/api/bot/tasks/add",
        r#"{"task_type": "login", "data": {"session_id": "nope"}}"#,
    )
    .await;
    assert_rejected(
        &no_session,
        StatusCode::NOT_FOUND,
        "not_found",
        "no session nope",
    );
    let bad_session = post(
        app,
        "/api/bot/tasks/add",
        r#"{"task_type": "login", "data": {"session_id": 7}}"#,
    )
    .await;
    assert_rejected(
        &bad_session,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "data.session_id must be a string",
    );
    // None of it queued anything.
    let (_, q) = get(app, "/api/bot/tasks").await;
    assert_eq!(q["counters"]["enqueued"], 0);
    let (status, body) = post(
        app,
        "/api/bot/tasks/add",
        &json!({ "type": "login", "data": { "session_id": session } }).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// On Redis the data is where the layout's `redis-cli` monitoring commands look.
pub async fn redis_holds_the_layout(app: &TestApp) {
    let session = start(app, "Redis Bot Test").await;
    app.dashboard.bot().queue().pause().await.expect("pause");
    post(app, "/api/bot/tasks/add", r#"{"task_type": "navigation"}"#).await;
    let url = app.redis.as_ref().expect("redis").url();
    let client = redis::Client::open(url).expect("client");
    let mut redis = client
        .get_multiplexed_async_connection()
        .await
        .expect("connect");
    let state: std::collections::HashMap<String, String> = redis::cmd("HGETALL")
        .arg("bot:state")
        .query_async(&mut redis)
        .await
        .expect("HGETALL bot:state");
    assert_eq!(state["state"], "running");
    assert_eq!(state["session_id"], session);
    let active: Vec<String> = redis::cmd("SMEMBERS")
        .arg("bot:sessions:active")
        .query_async(&mut redis)
        .await
        .expect("SMEMBERS");
    assert_eq!(active, vec![session.clone()]);
    let queue: Vec<(String, f64)> = redis::cmd("ZRANGE")
        .arg("bot:tasks:queue")
        .arg(0)
        .arg(-1)
        .arg("WITHSCORES")
        .query_async(&mut redis)
        .await
        .expect("ZRANGE");
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0].1.floor(), -7.0);
    let task: std::collections::HashMap<String, String> = redis::cmd("HGETALL")
        .arg(format!("bot:task:{}", queue[0].0))
        .query_async(&mut redis)
        .await
        .expect("HGETALL task");
    assert_eq!(task["type"], "navigation");
    let events: Vec<String> = redis::cmd("LRANGE")
        .arg("bot:events")
        .arg(0)
        .arg(9)
        .query_async(&mut redis)
        .await
        .expect("LRANGE");
    assert!(events[0].contains("\"type\":\"bot_started\""), "{events:?}");
    let metrics: std::collections::HashMap<String, String> = redis::cmd("HGETALL")
        .arg(format!("bot:metrics:{session}"))
        .query_async(&mut redis)
        .await
        .expect("HGETALL metrics");
    assert_eq!(metrics["status"], "running");
}
