//! `GET /api/bot/stream`: the pub/sub to server-sent events bridge.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use staunch_dashboard_e2e::TestApp;
use tower::ServiceExt;

use super::{post, start};

/// Reads the event stream until `needle` has arrived; returns everything read.
pub async fn read_until(body: &mut Body, seen: &mut String, needle: &str) {
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

pub async fn stream_bridges_pub_sub(app: &TestApp) {
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
