//! The bot's endpoints, the unknown routes and methods, and the page.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use staunch_dashboard_e2e::{Backend, TestApp};
use tower::ServiceExt;

use super::{assert_rejected, call, get, post, start};

pub async fn start_stop_and_status(app: &TestApp) {
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

pub async fn start_rejects_bad_input(app: &TestApp) {
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

pub async fn sessions_newest_first(app: &TestApp) {
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

pub async fn events_and_metrics_of_a_session(app: &TestApp) {
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

pub async fn system_status_includes_storage(app: &TestApp) {
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

pub async fn unknown_routes_and_methods(app: &TestApp) {
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
