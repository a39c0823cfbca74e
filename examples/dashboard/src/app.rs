//! The running dashboard: the bot service on one named database, the workers that play the
//! bot, the storage monitor, and the shutdown signal the event streams end on.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use staunch::bot::Bot;
use staunch::config::Staunch;
use staunch::queue::{ShutdownReport, WorkerHandle};
use tokio::sync::watch;

use crate::storage::StorageMonitor;

/// How the dashboard runs. Build with the methods.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DashboardOptions {
    /// The named database holding the bot (default `main`, Redis database 0).
    pub database: String,
    /// How long the simulated bot takes for one task (default 400 ms), so the page shows
    /// tasks waiting in the queue before they run.
    pub task_duration: Duration,
    /// Tasks run at once (default 2).
    pub concurrency: usize,
    /// How often the storage state is measured besides on every change (default 1 s).
    pub storage_interval: Duration,
    /// The `updated_by` written into `bot:state` by the API (default `dashboard`).
    pub updated_by: String,
}

impl Default for DashboardOptions {
    fn default() -> Self {
        DashboardOptions {
            database: "main".to_owned(),
            task_duration: Duration::from_millis(400),
            concurrency: 2,
            storage_interval: Duration::from_secs(1),
            updated_by: "dashboard".to_owned(),
        }
    }
}

impl DashboardOptions {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets [`DashboardOptions::database`].
    pub fn database(mut self, name: impl Into<String>) -> Self {
        self.database = name.into();
        self
    }
    /// Sets [`DashboardOptions::task_duration`].
    pub fn task_duration(mut self, duration: Duration) -> Self {
        self.task_duration = duration;
        self
    }
    /// Sets [`DashboardOptions::concurrency`] (at least 1).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }
    /// Sets [`DashboardOptions::storage_interval`].
    pub fn storage_interval(mut self, interval: Duration) -> Self {
        self.storage_interval = interval.max(Duration::from_millis(10));
        self
    }
}

/// The dashboard. Cheap to clone; [`Dashboard::router`] serves it.
#[derive(Clone)]
pub struct Dashboard {
    inner: Arc<Inner>,
}

struct Inner {
    staunch: Staunch,
    bot: Bot,
    options: DashboardOptions,
    storage: StorageMonitor,
    workers: Mutex<Option<WorkerHandle>>,
    shutdown: watch::Sender<bool>,
}

impl std::fmt::Debug for Dashboard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dashboard")
            .field("staunch", &self.inner.staunch)
            .field("options", &self.inner.options)
            .finish_non_exhaustive()
    }
}

impl Dashboard {
    /// Starts the dashboard on named database [`DashboardOptions::database`] of `staunch`: the
    /// bot service, the workers and the storage monitor. `NotFound` when the database is not
    /// configured.
    pub async fn start(staunch: Staunch, options: DashboardOptions) -> staunch::Result<Dashboard> {
        let bot = Bot::new(staunch.db(&options.database)?);
        let workers = crate::work::start(bot.clone(), &options);
        let storage =
            StorageMonitor::start(staunch.clone(), &options.database, options.storage_interval)
                .await;
        let (shutdown, _) = watch::channel(false);
        Ok(Dashboard {
            inner: Arc::new(Inner {
                staunch,
                bot,
                options,
                storage,
                workers: Mutex::new(Some(workers)),
                shutdown,
            }),
        })
    }

    /// The HTTP routes: the API and the page.
    pub fn router(&self) -> axum::Router {
        crate::api::router(self.clone())
    }

    /// The bot service.
    pub fn bot(&self) -> &Bot {
        &self.inner.bot
    }

    /// The named databases.
    pub fn staunch(&self) -> &Staunch {
        &self.inner.staunch
    }

    /// The options it runs with.
    pub fn options(&self) -> &DashboardOptions {
        &self.inner.options
    }

    /// The storage monitor.
    pub fn storage(&self) -> &StorageMonitor {
        &self.inner.storage
    }

    /// A receiver that turns true when the dashboard shuts down (the event streams end then,
    /// so a graceful HTTP shutdown does not wait for open pages).
    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.inner.shutdown.subscribe()
    }

    /// Ends the event streams, stops the workers (running tasks get `grace` to finish, then
    /// go back to the queue) and the storage monitor. The databases stay open: close them with
    /// [`Staunch::close`]. Returns the workers' report (`None` when already shut down).
    pub async fn shutdown(&self, grace: Duration) -> Option<ShutdownReport> {
        self.inner.shutdown.send_replace(true);
        let workers = self
            .inner
            .workers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        let report = match workers {
            Some(workers) => Some(workers.shutdown(grace).await),
            None => None,
        };
        self.inner.storage.stop().await;
        report
    }
}
