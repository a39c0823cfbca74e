//! Every endpoint of the dashboard over HTTP, each case run on memory, on the embedded file
//! store and on a real `redis-server` behind `Failover`: the documented JSON shapes, the
//! workers moving the queue, the event stream, and bad input answered with a 4xx and a clear
//! message, never a 500.
//!
//! `cargo test -p staunch-dashboard-e2e --test http`

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use staunch_dashboard_e2e::{Backend, TestApp, test_options};
use tower::ServiceExt;

/// One request through the router; the answer's status and JSON body.
async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    body: Option<&str>,
) -> (StatusCode, Value) {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json")
        .body(body.map_or_else(Body::empty, |b| Body::from(b.to_owned())))
        .expect("a request");
    let response = app.router().oneshot(request).await.expect("an answer");
    let status = response.status();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("a body")
        .to_bytes();
    let json = serde_json::from_slice(&bytes).unwrap_or_else(|_| {
        panic!(
            "{path}: the body is not JSON: {:?}",
            String::from_utf8_lossy(&bytes)
        )
    });
    (status, json)
}

async fn get(app: &TestApp, path: &str) -> (StatusCode, Value) {
    call(app, Method::GET, path, None).await
}

async fn post(app: &TestApp, path: &str, body: &str) -> (StatusCode, Value) {
    call(app, Method::POST, path, Some(body)).await
}

/// Asserts a 4xx with `kind` and a message containing `words`.
fn assert_rejected(answer: &(StatusCode, Value), status: StatusCode, kind: &str, words: &str) {
    let (got, body) = answer;
    assert_eq!(*got, status, "{body}");
    assert_eq!(body["kind"], kind, "{body}");
    let message = body["error"].as_str().unwrap_or_default();
    assert!(
        message.contains(words),
        "{message:?} should mention {words:?}"
    );
}

/// Starts the bot; returns the new session's id.
async fn start(app: &TestApp, name: &str) -> String {
    let (status, body) = post(
        app,
        "/api/bot/start",
        &json!({ "session_name": name }).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["session"]["id"]
        .as_str()
        .expect("a session id")
        .to_owned()
}

/// Waits until `check` holds, polling; fails after 30 s (generous for a busy machine).
async fn wait_until<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(30);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn start_stop_and_status(app: &TestApp) {
    let (status, body) = get(app, "/api/bot/status").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["state"], "stopped");
    assert_eq!(body["session_id"], Value::Null);

    let (status, body) = post(
        app,
        "/api/bot/start",
        r#"{"session_name": "Redis Bot Test"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "running");
    let session = &body["session"];
    let id = session["id"].as_str().expect("id").to_owned();
    assert_eq!(session["session_name"], "Redis Bot Test");
    assert_eq!(session["status"], "running");
    for field in [
        "start_time",
        "login_status",
        "total_checks",
        "total_accepted",
        "total_rejected",
        "created_at",
        "updated_at",
    ] {
        assert!(!session[field].is_null(), "session.{field} in {session}");
    }

    let (_, body) = get(app, "/api/bot/status").await;
    assert_eq!(body["state"], "running");
    assert_eq!(body["session_id"], id.as_str());
    assert_eq!(body["updated_by"], "dashboard");
    assert!(body["timestamp"].as_str().is_some_and(|t| t.ends_with('Z')));

    // Starting a running bot is a conflict, not an error of the server.
    let again = post(app, "/api/bot/start", "{}").await;
    assert_rejected(
        &again,
        StatusCode::CONFLICT,
        "conflict",
        "cannot go from running to starting",
    );

    let (status, body) = post(app, "/api/bot/stop", "").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({ "state": "stopped", "session_id": id }));
    let again = post(app, "/api/bot/stop", "").await;
    assert_rejected(
        &again,
        StatusCode::CONFLICT,
        "conflict",
        "cannot go from stopped to stopping",
    );
    assert_eq!(get(app, "/api/bot/status").await.1["state"], "stopped");

    // An empty body starts with the default name, as `curl -X POST .../start` would.
    let (status, body) = call(app, Method::POST, "/api/bot/start", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["session"]["session_name"], "Dashboard session");
}

async fn start_rejects_bad_input(app: &TestApp) {
    let malformed = post(app, "/api/bot/start", r#"{"session_name": "#).await;
    assert_rejected(
        &malformed,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "not valid JSON",
    );
    let wrong_type = post(app, "/api/bot/start", r#"{"session_name": 42}"#).await;
    assert_rejected(
        &wrong_type,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "`session_name`: invalid type: integer `42`, expected a string",
    );
    let unknown = post(app, "/api/bot/start", r#"{"name": "x"}"#).await;
    assert_rejected(
        &unknown,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "unknown field `name`",
    );
    let empty = post(app, "/api/bot/start", r#"{"session_name": "  "}"#).await;
    assert_rejected(
        &empty,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "1 to 200 characters",
    );
    let long = json!({ "session_name": "x".repeat(201) }).to_string();
    assert_rejected(
        &post(app, "/api/bot/start", &long).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "1 to 200",
    );
    let not_object = post(app, "/api/bot/start", "[1, 2]").await;
    assert_rejected(
        &not_object,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "does not fit this endpoint",
    );
    let trailing = post(app, "/api/bot/start", "{} {}").await;
    assert_rejected(
        &trailing,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "not valid JSON",
    );
    let stop_body = post(app, "/api/bot/stop", r#"{"force": true}"#).await;
    assert_rejected(
        &stop_body,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "unknown field `force`",
    );
    // Nothing of that changed the bot.
    assert_eq!(get(app, "/api/bot/status").await.1["state"], "stopped");
    let huge = format!(r#"{{"session_name": "{}"}}"#, "x".repeat(70 * 1024));
    assert_rejected(
        &post(app, "/api/bot/start", &huge).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "larger than",
    );
}

async fn sessions_newest_first(app: &TestApp) {
    let first = start(app, "first").await;
    post(app, "/api/bot/stop", "").await;
    let second = start(app, "second").await;
    let (status, body) = get(app, "/api/bot/sessions").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["active"], json!([second]));
    let names: Vec<&str> = body["all"]
        .as_array()
        .expect("all")
        .iter()
        .filter_map(|s| s["session_name"].as_str())
        .collect();
    assert_eq!(names, ["second", "first"]);
    assert_eq!(body["all"][1]["id"], first.as_str());
    assert_eq!(body["all"][1]["status"], "stopped");
    assert!(body["all"][1]["end_time"].as_str().is_some());
    let (_, one) = get(app, "/api/bot/sessions?limit=1").await;
    assert_eq!(one["all"].as_array().map(Vec::len), Some(1));
    assert_rejected(
        &get(app, "/api/bot/sessions?limit=0").await,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "limit 0 is out of range",
    );
    assert_rejected(
        &get(app, "/api/bot/sessions?limit=many").await,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "bad query string",
    );
}

async fn tasks_flow_through_the_queue(app: &TestApp) {
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

async fn add_task_rejects_bad_input(app: &TestApp) {
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

async fn events_and_metrics_of_a_session(app: &TestApp) {
    assert_rejected(
        &get(app, "/api/bot/events/unknown").await,
        StatusCode::NOT_FOUND,
        "not_found",
        "no session unknown",
    );
    assert_rejected(
        &get(app, "/api/bot/metrics/unknown").await,
        StatusCode::NOT_FOUND,
        "not_found",
        "no session unknown",
    );
    let session = start(app, "events").await;
    let (status, body) = get(app, &format!("/api/bot/events/{session}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["session_id"], session.as_str());
    let first = &body["events"][0];
    assert_eq!(first["type"], "bot_started");
    assert_eq!(first["session_id"], session.as_str());
    for field in ["id", "data", "timestamp"] {
        assert!(first[field].as_str().is_some(), "event.{field} in {first}");
    }
    post(app, "/api/bot/stop", "").await;
    let (_, body) = get(app, &format!("/api/bot/events/{session}?limit=1")).await;
    assert_eq!(body["events"].as_array().map(Vec::len), Some(1));
    assert_eq!(body["events"][0]["type"], "bot_stopped");
    assert_rejected(
        &get(app, &format!("/api/bot/events/{session}?limit=5000")).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "give 1 to 1000",
    );
    let (status, m) = get(app, &format!("/api/bot/metrics/{session}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(m["status"], "stopped");
    assert_eq!(m["total_checks"], 0);
}

async fn system_status_includes_storage(app: &TestApp) {
    let backend = app.backend;
    let session = start(app, "system").await;
    let (status, s) = get(app, "/api/bot/system-status").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(s["bot"]["state"], "running");
    assert_eq!(s["active_sessions"], json!([session]));
    assert_eq!(s["metrics"][&session]["status"], "running");
    assert_eq!(s["tasks"]["pending_count"], 0);
    assert_eq!(s["recent_events"][0]["type"], "bot_started");
    let storage = &s["storage"];
    let expected = match backend {
        Backend::Memory => "memory",
        Backend::File => "file",
        Backend::Redis => "redis",
    };
    assert_eq!(storage["backend"], expected, "{storage}");
    assert_eq!(storage["database"], "main");
    assert_eq!(storage["state"], "healthy", "{storage}");
    assert_eq!(storage["failover"], backend == Backend::Redis);
    if backend == Backend::Redis {
        assert_eq!(storage["journal_len"], 0);
        assert_eq!(storage["breaker"], "closed");
        assert!(storage["redis"]["version"].as_str().is_some(), "{storage}");
    } else {
        assert_eq!(storage["journal_len"], Value::Null);
    }
    let (_, types) = get(app, "/api/bot/task-types").await;
    assert_eq!(types[0], json!({ "type": "login", "priority": 10 }));
    assert_eq!(types.as_array().map(Vec::len), Some(6));
}

async fn unknown_routes_and_methods(app: &TestApp) {
    assert_rejected(
        &get(app, "/api/bot/nothing").await,
        StatusCode::NOT_FOUND,
        "not_found",
        "no endpoint /api/bot/nothing",
    );
    assert_rejected(
        &get(app, "/api/bot/start").await,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "does not accept GET",
    );
    assert_rejected(
        &post(app, "/api/bot/status", "{}").await,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "POST",
    );
    // The page and its files.
    for (path, kind, words) in [
        ("/", "text/html", "AtoZ Bot Dashboard"),
        ("/app.js", "text/javascript", "EventSource"),
        ("/style.css", "text/css", "--ok"),
    ] {
        let request = Request::builder()
            .uri(path)
            .body(Body::empty())
            .expect("request");
        let response = app.router().oneshot(request).await.expect("answer");
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap_or_default()
            .to_owned();
        assert!(content_type.starts_with(kind), "{path}: {content_type}");
        let text = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        assert!(String::from_utf8_lossy(&text).contains(words), "{path}");
    }
}

/// Reads the event stream until `needle` has arrived; returns everything read.
async fn read_until(body: &mut Body, seen: &mut String, needle: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !seen.contains(needle) {
        let left = deadline.saturating_duration_since(Instant::now());
        let frame = tokio::time::timeout(left, body.frame())
            .await
            .unwrap_or_else(|_| panic!("no {needle:?} on the stream within 30 s; got:\n{seen}"))
            .expect("the stream stays open")
            .expect("a frame");
        if let Ok(data) = frame.into_data() {
            seen.push_str(&String::from_utf8_lossy(&data));
        }
    }
}

async fn stream_bridges_pub_sub(app: &TestApp) {
    let request = Request::builder()
        .uri("/api/bot/stream")
        .body(Body::empty())
        .expect("request");
    let response = app.router().oneshot(request).await.expect("answer");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut body = response.into_body();
    let mut seen = String::new();
    // The storage state comes first.
    read_until(&mut body, &mut seen, "event: storage\ndata: {").await;
    // A started bot's event arrives as the layout's event JSON.
    let session = start(app, "stream").await;
    read_until(&mut body, &mut seen, "event: bot\n").await;
    read_until(&mut body, &mut seen, "\"type\":\"bot_started\"").await;
    assert!(
        seen.contains(&format!("\"session_id\":\"{session}\"")),
        "{seen}"
    );
    // A task's life arrives as queue state changes, and its work as a bot event.
    let (_, added) = post(app, "/api/bot/tasks/add", r#"{"task_type": "screenshot"}"#).await;
    let id = added["task_id"].as_str().expect("task id");
    read_until(
        &mut body,
        &mut seen,
        &format!("\"id\":\"{id}\",\"status\":\"pending\""),
    )
    .await;
    read_until(
        &mut body,
        &mut seen,
        &format!("\"id\":\"{id}\",\"status\":\"completed\""),
    )
    .await;
    read_until(&mut body, &mut seen, "\"type\":\"screenshot\"").await;
    // Shutting the dashboard down ends the stream (so a graceful shutdown is not held up).
    app.dashboard.shutdown(Duration::from_secs(2)).await;
    let end = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(frame) = body.frame().await {
            frame.expect("a frame");
        }
    })
    .await;
    assert!(end.is_ok(), "the stream did not end on shutdown");
}

/// On Redis the data is where the layout's `redis-cli` monitoring commands look.
async fn redis_holds_the_layout(app: &TestApp) {
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

macro_rules! on_every_backend {
    ($($case:ident),* $(,)?) => {
        on_every_backend!(@backend on_memory, Memory, $($case),*);
        on_every_backend!(@backend on_file, File, $($case),*);
        on_every_backend!(@backend on_redis, Redis, $($case),*);
    };
    (@backend $module:ident, $backend:ident, $($case:ident),*) => {
        mod $module {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let Some(app) = super::app(super::Backend::$backend, stringify!($case)).await else {
                        return;
                    };
                    super::$case(&app).await;
                    app.stop().await;
                }
            )*
        }
    };
}

/// The dashboard for one case (tasks take 20 ms); `None` when Redis is skipped.
async fn app(backend: Backend, case: &str) -> Option<TestApp> {
    let what = format!("dashboard endpoint test {case} on Redis");
    TestApp::start(backend, test_options(20), &what).await
}

on_every_backend!(
    start_stop_and_status,
    start_rejects_bad_input,
    sessions_newest_first,
    tasks_flow_through_the_queue,
    add_task_rejects_bad_input,
    events_and_metrics_of_a_session,
    system_status_includes_storage,
    unknown_routes_and_methods,
    stream_bridges_pub_sub,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_monitoring_commands_show_live_state() {
    let Some(app) = app(Backend::Redis, "redis_monitoring_commands_show_live_state").await else {
        return;
    };
    redis_holds_the_layout(&app).await;
    app.stop().await;
}
