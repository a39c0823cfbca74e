//! Every endpoint of the dashboard over HTTP, each case run on memory, on the embedded file
//! store and on a real `redis-server` behind `Failover`: the documented JSON shapes, the
//! workers moving the queue, the event stream, and bad input answered with a 4xx and a clear
//! message, never a 500.
//!
//! - `bot`: start, stop, status, sessions, events, metrics, system status, routes and page.
//! - `tasks`: the queue, adding tasks, the workers, and the layout in Redis.
//! - `stream`: the server-sent events.
//!
//! `cargo test -p staunch-dashboard-e2e --test http`

mod bot;
mod stream;
mod tasks;

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use staunch_dashboard_e2e::{Backend, TestApp, test_options};
use tower::ServiceExt;

/// One request through the router; the answer's status and JSON body.
pub async fn call(
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

pub async fn get(app: &TestApp, path: &str) -> (StatusCode, Value) {
    call(app, Method::GET, path, None).await
}

pub async fn post(app: &TestApp, path: &str, body: &str) -> (StatusCode, Value) {
    call(app, Method::POST, path, Some(body)).await
}

/// Asserts a 4xx with `kind` and a message containing `words`.
pub fn assert_rejected(answer: &(StatusCode, Value), status: StatusCode, kind: &str, words: &str) {
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
pub async fn start(app: &TestApp, name: &str) -> String {
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
pub async fn wait_until<F, Fut>(what: &str, mut check: F)
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

/// One test per case and backend: `on_memory::start_stop_and_status`, `on_redis::...`.
macro_rules! on_every_backend {
    ($($group:ident :: $case:ident),* $(,)?) => {
        on_every_backend!(@backend on_memory, Memory, $($group::$case),*);
        on_every_backend!(@backend on_file, File, $($group::$case),*);
        on_every_backend!(@backend on_redis, Redis, $($group::$case),*);
    };
    (@backend $backend_module:ident, $backend:ident, $($group:ident :: $case:ident),*) => {
        mod $backend_module {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let Some(app) = super::app(super::Backend::$backend, stringify!($case)).await
                    else {
                        return;
                    };
                    super::$group::$case(&app).await;
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
    bot::start_stop_and_status,
    bot::start_rejects_bad_input,
    bot::sessions_newest_first,
    bot::events_and_metrics_of_a_session,
    bot::system_status_includes_storage,
    bot::unknown_routes_and_methods,
    tasks::tasks_flow_through_the_queue,
    tasks::add_task_rejects_bad_input,
    stream::stream_bridges_pub_sub,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_monitoring_commands_show_live_state() {
    let Some(app) = app(Backend::Redis, "redis_monitoring_commands_show_live_state").await else {
        return;
    };
    tasks::redis_holds_the_layout(&app).await;
    app.stop().await;
}
