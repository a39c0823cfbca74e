//! Workers: claim jobs, run the handler registered for their task type, report the outcome.
//!
//! ```no_run
//! use std::time::Duration;
//! use staunch::queue::{HandlerError, JobContext, Queue, Worker};
//!
//! # async fn demo(queue: Queue) {
//! let worker = Worker::new(queue)
//!     .concurrency(8)
//!     .handle("login", |ctx: JobContext<serde_json::Value>| async move {
//!         ctx.progress(&50).await?;
//!         Ok::<_, HandlerError>(format!("logged in {}", ctx.payload["username"]))
//!     })
//!     .start();
//! // ...
//! let report = worker.shutdown(Duration::from_secs(10)).await;
//! # let _ = report; }
//! ```
//!
//! # Behaviour
//!
//! - Up to `concurrency` jobs run at once, one slot each. A slot's steady state is one round
//!   trip per job: the completion of its job claims its next job in the same atomic step
//!   ([`Queue::complete_and_claim`](super::Queue::complete_and_claim)); free slots are filled
//!   by one claim of several jobs. The handler's future is polled in the slot's own task (no
//!   task spawned per job); [`Worker::handle_with`] hands it shared state per job.
//! - A handler that returns an error fails the attempt (retried per the queue's backoff;
//!   [`HandlerError::permanent`] dead-letters at once); a handler that panics fails it the same
//!   way, the panic caught where the slot polls it. The worker carries on either way.
//! - A job of a task type with no handler is dead-lettered ("no handler"): every worker of a
//!   queue should handle all its task types. Requeue it after deploying the handler.
//! - While a handler runs, the lease is renewed every third of the lease length. If renewal
//!   says the lease was lost (the job was reaped and claimed elsewhere), the handler is aborted
//!   and nothing is reported. A job's timeout aborts the handler and fails the attempt.
//! - Idle workers sleep until an event on the queue's channel says a job became pending (or
//!   the queue was resumed), until the earliest scheduled job comes due, or until the poll
//!   interval passes (the fallback for missed messages). There is no busy polling.
//! - A maintenance task runs [`Queue::maintain`](super::Queue::maintain) every maintenance
//!   interval: it reaps expired leases and promotes due jobs.
//! - Shutdown ([`WorkerHandle::shutdown`]) stops claiming, lets running jobs finish until the
//!   deadline, then aborts the rest and gives their leases back ([`Queue::release`]), so
//!   they run again elsewhere at once. Dropping the handle starts the same shutdown without
//!   waiting for it (with no grace: running jobs are aborted and released).
//!
//! # Layout
//!
//! - this file: [`Worker`] (the builder), [`JobContext`], [`HandlerError`].
//! - `run`: the claim loop, the job runner, the maintenance loop and [`WorkerHandle`].
//!
//! [`Queue::release`]: super::Queue::release

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::job::{JobInfo, Lease};
use super::queue::Queue;

mod run;

pub use run::{ShutdownReport, WorkerHandle, WorkerStats};

/// Why a handler failed an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandlerError {
    message: String,
    retry: bool,
}

impl HandlerError {
    /// A failure that is retried while the job has retries left.
    pub fn new(message: impl Into<String>) -> Self {
        HandlerError {
            message: message.into(),
            retry: true,
        }
    }

    /// A failure that no retry will fix: the job goes to the dead-letter queue at once.
    pub fn permanent(message: impl Into<String>) -> Self {
        HandlerError {
            message: message.into(),
            retry: false,
        }
    }

    /// The message, stored as the job's `last_error`.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// True unless the failure is permanent.
    pub fn is_retryable(&self) -> bool {
        self.retry
    }
}

impl fmt::Display for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl<E: std::error::Error> From<E> for HandlerError {
    fn from(error: E) -> Self {
        HandlerError::new(error.to_string())
    }
}

/// What a handler gets: the decoded payload, the job, and a way to report progress.
#[derive(Debug, Clone)]
pub struct JobContext<T> {
    /// The payload, decoded from the job's `data`.
    pub payload: T,
    /// The job as claimed.
    pub job: JobInfo,
    lease: Lease,
    queue: Queue,
}

impl<T> JobContext<T> {
    /// The job id.
    pub fn id(&self) -> &str {
        &self.job.id
    }

    /// Which attempt this is (1 for the first).
    pub fn attempt(&self) -> u32 {
        self.job.attempts
    }

    /// The lease this attempt runs under.
    pub fn lease(&self) -> &Lease {
        &self.lease
    }

    /// The results of this job's children, by child id, when it is the parent of a
    /// [`Flow`](super::Flow) (every child has ended by the time it runs).
    pub async fn children_results(
        &self,
    ) -> staunch_core::Result<std::collections::BTreeMap<String, super::ChildResult>> {
        self.queue.children_results(self.id()).await
    }

    /// Records and publishes progress (any serializable value).
    pub async fn progress<P: Serialize + ?Sized>(&self, progress: &P) -> staunch_core::Result<()> {
        self.queue.progress(&self.lease, progress).await
    }
}

/// What a type-erased handler returns: the result as JSON text, or the failure.
pub(crate) type HandlerFuture =
    Pin<Box<dyn Future<Output = Result<Option<String>, HandlerError>> + Send>>;
/// A handler with its payload and result types erased.
pub(crate) type ErasedHandler = Arc<dyn Fn(Queue, Lease) -> HandlerFuture + Send + Sync>;

/// The context of a claimed job, its payload decoded (a payload that does not decode fails the
/// job for good).
fn context<T: DeserializeOwned>(queue: Queue, lease: Lease) -> Result<JobContext<T>, HandlerError> {
    let payload: T = lease
        .job
        .payload()
        .map_err(|e| HandlerError::permanent(e.message().to_owned()))?;
    Ok(JobContext {
        payload,
        job: lease.job.clone(),
        lease,
        queue,
    })
}

/// The handler's future with its result serialized as the job's result.
fn finish<R, Fut>(run: Fut) -> HandlerFuture
where
    R: Serialize + Send + 'static,
    Fut: Future<Output = Result<R, HandlerError>> + Send + 'static,
{
    Box::pin(async move {
        let result = run.await?;
        let text = serde_json::to_string(&result)
            .map_err(|e| HandlerError::permanent(format!("result does not serialize: {e}")))?;
        Ok(if text == "null" { None } else { Some(text) })
    })
}

/// Builds and starts a worker over a [`Queue`].
#[must_use = "a worker does nothing until started"]
pub struct Worker {
    pub(crate) queue: Queue,
    pub(crate) handlers: HashMap<String, ErasedHandler>,
    pub(crate) concurrency: usize,
    pub(crate) poll_interval: Duration,
    pub(crate) maintenance_interval: Duration,
}

impl fmt::Debug for Worker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Worker")
            .field("task_types", &self.handlers.keys().collect::<Vec<_>>())
            .field("concurrency", &self.concurrency)
            .field("poll_interval", &self.poll_interval)
            .finish_non_exhaustive()
    }
}

impl Worker {
    /// A worker for `queue`: concurrency 1, poll and maintenance every second, no handlers.
    pub fn new(queue: Queue) -> Worker {
        Worker {
            queue,
            handlers: HashMap::new(),
            concurrency: 1,
            poll_interval: Duration::from_secs(1),
            maintenance_interval: Duration::from_secs(1),
        }
    }

    /// How many jobs may run at once (at least 1).
    pub fn concurrency(mut self, n: usize) -> Worker {
        self.concurrency = n.max(1);
        self
    }

    /// How long an idle worker waits for an event before looking again.
    pub fn poll_interval(mut self, interval: Duration) -> Worker {
        self.poll_interval = interval.max(Duration::from_millis(1));
        self
    }

    /// How often the worker reaps expired leases and promotes due jobs.
    pub fn maintenance_interval(mut self, interval: Duration) -> Worker {
        self.maintenance_interval = interval.max(Duration::from_millis(1));
        self
    }

    /// Registers `handler` for jobs of `task_type`. The payload is decoded as `T` (a payload
    /// that does not decode dead-letters the job); the returned value is kept as the result.
    ///
    /// The handler is called as the job starts and its future is awaited: the worker clones
    /// nothing of the handler per job. For state the handler needs, see [`Worker::handle_with`].
    pub fn handle<T, R, F, Fut>(mut self, task_type: impl Into<String>, handler: F) -> Worker
    where
        T: DeserializeOwned + Send + 'static,
        R: Serialize + Send + 'static,
        F: Fn(JobContext<T>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<R, HandlerError>> + Send + 'static,
    {
        let erased: ErasedHandler =
            Arc::new(
                move |queue: Queue, lease: Lease| match context(queue, lease) {
                    Ok(ctx) => finish(handler(ctx)),
                    Err(e) => Box::pin(std::future::ready(Err(e))),
                },
            );
        self.handlers.insert(task_type.into(), erased);
        self
    }

    /// Registers `handler` for jobs of `task_type`, handing it `state` with each job: the
    /// worker clones `state` once per job (an `Arc` is one reference count), so the handler
    /// needs no clone of its own before its `async move` block.
    ///
    /// ```no_run
    /// # use std::sync::Arc;
    /// # use staunch::queue::{HandlerError, JobContext, Queue, Worker};
    /// # fn demo(queue: Queue, db: Arc<Vec<String>>) {
    /// let worker = Worker::new(queue)
    ///     .handle_with("count", db, |_ctx: JobContext<()>, db| async move {
    ///         Ok::<_, HandlerError>(db.len())
    ///     });
    /// # let _ = worker; }
    /// ```
    pub fn handle_with<S, T, R, F, Fut>(
        mut self,
        task_type: impl Into<String>,
        state: S,
        handler: F,
    ) -> Worker
    where
        S: Clone + Send + Sync + 'static,
        T: DeserializeOwned + Send + 'static,
        R: Serialize + Send + 'static,
        F: Fn(JobContext<T>, S) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<R, HandlerError>> + Send + 'static,
    {
        let erased: ErasedHandler =
            Arc::new(
                move |queue: Queue, lease: Lease| match context(queue, lease) {
                    Ok(ctx) => finish(handler(ctx, state.clone())),
                    Err(e) => Box::pin(std::future::ready(Err(e))),
                },
            );
        self.handlers.insert(task_type.into(), erased);
        self
    }

    /// Starts the worker on the current tokio runtime.
    pub fn start(self) -> WorkerHandle {
        run::start(self)
    }
}
