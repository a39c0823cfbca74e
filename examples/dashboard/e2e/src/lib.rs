//! What the dashboard's tests share: a [`TestApp`], the dashboard on memory, on the embedded
//! file store or on a real `redis-server` of its own (behind `Failover` with short timings),
//! served on a free loopback port.
//!
//! - `tests/http/`: every endpoint over HTTP, on memory, file and Redis.
//! - `tests/browser.rs`: the page in headless Chromium through chromedriver ([`browser`]),
//!   including a Redis outage and recovery.
//!
//! Redis tests start their own `redis-server` through the testkit (never the one on 6379);
//! without one they fail with instructions, unless `STAUNCH_SKIP_REDIS=1`, and then say they
//! skipped.

#![deny(missing_docs)]

pub mod browser;

use std::net::SocketAddr;
use std::time::Duration;

use staunch::config::{Embedded, RedisSettings, Settings, Staunch};
use staunch::failover::{BreakerOptions, FailoverOptions, HealthOptions, Policy, RetryOptions};
use staunch_core::testkit::redis_server::{RedisServer, RedisServerOptions, test_redis_server};
use staunch_dashboard::{Dashboard, DashboardOptions};

/// Where the test's dashboard keeps its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The in-memory engine.
    Memory,
    /// The embedded file store in a temporary directory (the example's default).
    File,
    /// A `redis-server` started for the test (append-only file on, so a restart keeps what it
    /// acknowledged), behind `Failover` with the `Mirror` policy as the example runs it.
    Redis,
}

/// A running dashboard and what it runs on.
pub struct TestApp {
    /// What it runs on.
    pub backend: Backend,
    /// The dashboard.
    pub dashboard: Dashboard,
    /// Its databases.
    pub staunch: Staunch,
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    /// The Redis server, on [`Backend::Redis`], to kill and restart.
    pub redis: Option<RedisServer>,
    server: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

/// `Failover` timings for tests: two failures open the breaker, a probe after 300 ms, one
/// success closes it, the monitor looks every 100 ms. Outages are noticed and recovered from
/// within a second or two instead of a minute, with room to spare on a busy machine.
pub fn fast_failover() -> FailoverOptions {
    FailoverOptions::new()
        .breaker(
            BreakerOptions::new()
                .failure_threshold(2)
                .open_timeout(Duration::from_millis(300))
                .success_threshold(1),
        )
        .retry(RetryOptions::new().backoff(Duration::from_millis(5), Duration::from_millis(50)))
        .health(HealthOptions::default())
        .probe_intervals(Duration::from_millis(200), Duration::from_millis(100))
        .call_timeout(Duration::from_secs(2))
}

/// Dashboard options for tests: tasks take `task_ms`, the storage state is measured every
/// 200 ms.
pub fn test_options(task_ms: u64) -> DashboardOptions {
    DashboardOptions::new()
        .task_duration(Duration::from_millis(task_ms))
        .storage_interval(Duration::from_millis(200))
}

impl TestApp {
    /// Starts a dashboard on `backend` and serves it on a free loopback port. `None` (after a
    /// `SKIPPED` line) for Redis when `STAUNCH_SKIP_REDIS=1`.
    ///
    /// # Panics
    ///
    /// When the dashboard cannot start, or Redis is needed and missing (with instructions).
    pub async fn start(backend: Backend, options: DashboardOptions, what: &str) -> Option<TestApp> {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let base = Settings::new()
            .data_dir(dir.path())
            .only_databases(&[options.database.as_str()]);
        let (settings, redis) = match backend {
            Backend::Memory => (base.embedded(Embedded::Memory), None),
            Backend::File => (base, None),
            Backend::Redis => {
                let server = test_redis_server(
                    what,
                    RedisServerOptions::new()
                        .appendonly(true)
                        .appendfsync("always"),
                )
                .await?;
                let mut redis = RedisSettings::new(server.url());
                redis.socket_timeout = Duration::from_secs(2);
                redis.connect_timeout = Duration::from_secs(1);
                let settings = base
                    .redis(Some(redis))
                    .failover_for(options.database.clone(), Some(Policy::Mirror))
                    .failover_options(fast_failover());
                (settings, Some(server))
            }
        };
        let staunch = Staunch::open(settings).await.expect("open the databases");
        let dashboard = Dashboard::start(staunch.clone(), options)
            .await
            .expect("start the dashboard");
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("a free loopback port");
        let url = format!("http://{}", listener.local_addr().expect("its address"));
        let router = dashboard.router();
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Some(TestApp {
            backend,
            dashboard,
            staunch,
            url,
            redis,
            server,
            _dir: dir,
        })
    }

    /// The router, to call without a socket.
    pub fn router(&self) -> axum::Router {
        self.dashboard.router()
    }

    /// Shuts the dashboard down and closes its databases.
    pub async fn stop(self) {
        self.dashboard.shutdown(Duration::from_secs(2)).await;
        self.server.abort();
        let _ = self.staunch.close().await;
    }
}
