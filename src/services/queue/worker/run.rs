//! The running worker: claim loop, job runner, maintenance loop, and the handle that stops
//! them (handle + drop guard + `watch` + `select!`, as in mini-redis).

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::{FutureExt, StreamExt};
use tokio::sync::{Semaphore, watch};
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::{Instant, sleep, sleep_until};
use tracing::Instrument;

use super::{ErasedHandler, Worker};
use crate::queue::job::Lease;
use crate::queue::queue::Queue;
use crate::queue::{QueueEvent, is_lease_lost};

/// Counts of what a worker did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WorkerStats {
    /// Jobs claimed.
    pub claimed: u64,
    /// Jobs completed.
    pub completed: u64,
    /// Attempts failed (errors, panics, timeouts, missing handlers).
    pub failed: u64,
    /// Leases found lost while running (the job is someone else's now).
    pub lost: u64,
    /// Leases given back at shutdown.
    pub released: u64,
}

#[derive(Debug, Default)]
struct Counts {
    claimed: AtomicU64,
    completed: AtomicU64,
    failed: AtomicU64,
    lost: AtomicU64,
    released: AtomicU64,
}

impl Counts {
    fn snapshot(&self) -> WorkerStats {
        WorkerStats {
            claimed: self.claimed.load(Ordering::Relaxed),
            completed: self.completed.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
            lost: self.lost.load(Ordering::Relaxed),
            released: self.released.load(Ordering::Relaxed),
        }
    }
}

/// What a shutdown did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ShutdownReport {
    /// Jobs still running at the deadline, aborted and given back.
    pub released: u64,
    /// Final counts.
    pub stats: WorkerStats,
}

struct Shared {
    queue: Queue,
    handlers: HashMap<String, ErasedHandler>,
    counts: Counts,
    /// Set when running jobs must stop now and give their leases back.
    abort: watch::Receiver<bool>,
    /// Set when the worker stops claiming (a finishing job then claims no next one).
    stop: watch::Receiver<bool>,
}

/// A running worker. [`WorkerHandle::shutdown`] stops it gracefully; dropping the handle stops
/// it without waiting (running jobs are aborted and their leases given back).
#[derive(Debug)]
pub struct WorkerHandle {
    stop: watch::Sender<bool>,
    abort: watch::Sender<bool>,
    main: Option<JoinHandle<()>>,
    maintenance: Option<JoinHandle<()>>,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("counts", &self.counts)
            .finish_non_exhaustive()
    }
}

impl WorkerHandle {
    /// What the worker has done so far.
    pub fn stats(&self) -> WorkerStats {
        self.shared.counts.snapshot()
    }

    /// Stops claiming, waits up to `grace` for running jobs to finish, then aborts the rest and
    /// gives their leases back. Returns once every job task has ended.
    pub async fn shutdown(mut self, grace: Duration) -> ShutdownReport {
        let _ = self.stop.send(true);
        let before = self.stats().released;
        if let Some(mut main) = self.main.take() {
            let finished = tokio::time::timeout(grace, &mut main).await.is_ok();
            if !finished {
                let _ = self.abort.send(true);
                let _ = main.await;
            }
        }
        if let Some(maintenance) = self.maintenance.take() {
            let _ = maintenance.await;
        }
        let stats = self.stats();
        ShutdownReport {
            released: stats.released - before,
            stats,
        }
    }
}

impl Drop for WorkerHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        let _ = self.abort.send(true);
    }
}

pub(super) fn start(worker: Worker) -> WorkerHandle {
    let (stop_tx, stop_rx) = watch::channel(false);
    let (abort_tx, abort_rx) = watch::channel(false);
    let shared = Arc::new(Shared {
        queue: worker.queue.clone(),
        handlers: worker.handlers,
        counts: Counts::default(),
        abort: abort_rx,
        stop: stop_rx.clone(),
    });
    let main = tokio::spawn(claim_loop(
        shared.clone(),
        worker.concurrency,
        worker.poll_interval,
        stop_rx.clone(),
    ));
    let maintenance = tokio::spawn(maintenance_loop(
        worker.queue,
        worker.maintenance_interval,
        stop_rx,
    ));
    WorkerHandle {
        stop: stop_tx,
        abort: abort_tx,
        main: Some(main),
        maintenance: Some(maintenance),
        shared,
    }
}

async fn maintenance_loop(queue: Queue, every: Duration, mut stop: watch::Receiver<bool>) {
    loop {
        if let Err(e) = queue.maintain().await {
            tracing::warn!(error = %e, "queue maintenance failed");
        }
        #[cfg(feature = "metrics")]
        record_sizes(&queue).await;
        tokio::select! {
            _ = signalled(&mut stop) => return,
            _ = sleep(every) => {}
        }
    }
}

/// Sets the queue depth gauges (four `ZCARD`s in one round trip).
#[cfg(feature = "metrics")]
async fn record_sizes(queue: &Queue) {
    use staunch_core::Execute;
    let keys = queue.keys();
    let sizes = queue
        .st()
        .pipeline()
        .zcard(&keys.queue)
        .zcard(&keys.scheduled)
        .zcard(&keys.promoting)
        .zcard(&keys.processing)
        .zcard(&keys.dead)
        .run()
        .await;
    match sizes {
        Ok((pending, scheduled, promoting, processing, dead)) => {
            crate::observe::record::queue_sizes(
                &queue.config().prefix,
                &[
                    ("pending", pending),
                    ("scheduled", scheduled + promoting),
                    ("processing", processing),
                    ("dead", dead),
                ],
            );
        }
        Err(e) => tracing::debug!(error = %e, "queue sizes for the metrics failed"),
    }
}

/// Why an idle wait ended.
enum Wake {
    Work,
    Stop,
}

async fn claim_loop(
    shared: Arc<Shared>,
    concurrency: usize,
    poll: Duration,
    mut stop: watch::Receiver<bool>,
) {
    // Subscribe before the first claim: anything enqueued after an empty claim is then
    // buffered in the subscription, so no wake-up is lost between "empty" and "wait".
    let mut events = match shared.queue.events().await {
        Ok(stream) => Some(stream.boxed()),
        Err(e) => {
            tracing::warn!(error = %e, "queue events unavailable; polling only");
            None
        }
    };
    let permits = Arc::new(Semaphore::new(concurrency));
    let mut jobs = JoinSet::new();
    loop {
        while jobs.try_join_next().is_some() {}
        let permit = tokio::select! {
            _ = signalled(&mut stop) => break,
            permit = permits.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
        };
        // Fill every free slot with one claim.
        let mut slots = vec![permit];
        while let Ok(more) = permits.clone().try_acquire_owned() {
            slots.push(more);
        }
        match shared.queue.claim_many(slots.len()).await {
            Ok(leases) if !leases.is_empty() => {
                for (lease, permit) in leases.into_iter().zip(slots) {
                    shared.counts.claimed.fetch_add(1, Ordering::Relaxed);
                    let shared = shared.clone();
                    jobs.spawn(async move {
                        // The slot's steady state: each job's completion claims the next
                        // one in the same round trip, until none is ready. Each job runs in
                        // its own span (created only when DEBUG is on for this target).
                        let mut next = Some(lease);
                        while let Some(lease) = next.take() {
                            let span = tracing::debug_span!(
                                "staunch.job",
                                queue = %shared.queue.config().prefix,
                                job_id = lease.id(),
                                task_type = %lease.job.task_type,
                                attempt = lease.job.attempts
                            );
                            next = run_job(&shared, lease).instrument(span).await;
                        }
                        drop(permit);
                    });
                }
                continue;
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "claim failed"),
        }
        // Sleep until a scheduled job comes due, at most the poll interval.
        let wait = match shared.queue.next_scheduled_ms().await {
            Ok(Some(due)) => {
                let until_due = due.saturating_sub(shared.queue.now()).max(1);
                poll.min(Duration::from_millis(until_due as u64))
            }
            _ => poll,
        };
        // A used-up rate limit window: wait for it to end (not for events).
        let wait = match shared.queue.rate_limited_for().await {
            Ok(Some(left)) => {
                tokio::select! {
                    _ = signalled(&mut stop) => break,
                    _ = sleep(left) => {}
                }
                continue;
            }
            _ => wait,
        };
        if let Wake::Stop = idle(&mut events, &mut stop, wait).await {
            break;
        }
    }
    while jobs.join_next().await.is_some() {}
}

/// Waits for a sign of work, the poll interval, or the stop signal.
async fn idle(
    events: &mut Option<futures_util::stream::BoxStream<'static, Option<QueueEvent>>>,
    stop: &mut watch::Receiver<bool>,
    poll: Duration,
) -> Wake {
    let deadline = Instant::now() + poll;
    loop {
        let next = async {
            match events.as_mut() {
                Some(stream) => stream.next().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = signalled(stop) => return Wake::Stop,
            _ = sleep_until(deadline) => return Wake::Work,
            event = next => match event {
                // A gap: messages may have been missed, so look.
                Some(None) => return Wake::Work,
                Some(Some(event)) if event.may_have_work() => return Wake::Work,
                Some(Some(_)) => {}
                None => *events = None,
            },
        }
    }
}

/// How a running job ended.
enum Ended {
    /// The handler returned, or panicked (the payload).
    Done(std::thread::Result<Result<Option<String>, super::HandlerError>>),
    TimedOut,
    Lost,
    Aborted,
}

/// Runs one job and reports its outcome; returns the next job when the completion claimed
/// one for this slot.
async fn run_job(shared: &Shared, lease: Lease) -> Option<Lease> {
    let queue = &shared.queue;
    let Some(handler) = shared.handlers.get(&lease.job.task_type) else {
        let error = format!("no handler for task type {:?}", lease.job.task_type);
        report(shared, queue.fail_permanently(&lease, &error).await, true);
        return None;
    };
    let started = std::time::Instant::now();
    let finished = |outcome: &'static str| {
        crate::observe::record::job(
            &queue.config().prefix,
            &lease.job.task_type,
            outcome,
            started.elapsed(),
        )
    };
    // Polled here rather than spawned: no task and no cross-task wake-up per job, and it runs
    // in the job's span. A panic is caught as the task's would be; dropping the future aborts
    // the handler.
    let mut task = AssertUnwindSafe(handler(queue.clone(), lease.clone())).catch_unwind();
    let every = (queue.config().lease / 3).max(Duration::from_millis(1));
    let mut beat = tokio::time::interval_at(Instant::now() + every, every);
    let timeout = lease.job.timeout.map(|t| Instant::now() + t);
    let mut abort = shared.abort.clone();
    let mut timed_out = pin!(async move {
        match timeout {
            Some(at) => sleep_until(at).await,
            None => std::future::pending().await,
        }
    });
    let ended = loop {
        tokio::select! {
            result = &mut task => break Ended::Done(result),
            _ = &mut timed_out => break Ended::TimedOut,
            _ = signalled(&mut abort) => break Ended::Aborted,
            _ = beat.tick() => match queue.heartbeat(&lease).await {
                Ok(_) => {}
                Err(e) if is_lease_lost(&e) => break Ended::Lost,
                Err(e) => tracing::warn!(job = lease.id(), error = %e, "heartbeat failed"),
            },
        }
    };
    match ended {
        Ended::Done(Ok(Ok(result))) => {
            let more = usize::from(!*shared.stop.borrow());
            match queue.step(Some((&lease, result)), more).await {
                Ok(stepped) => {
                    let counter = if stepped.lease_lost {
                        finished("lost");
                        &shared.counts.lost
                    } else {
                        finished("completed");
                        &shared.counts.completed
                    };
                    counter.fetch_add(1, Ordering::Relaxed);
                    let next = stepped.next.into_iter().next();
                    if next.is_some() {
                        shared.counts.claimed.fetch_add(1, Ordering::Relaxed);
                    }
                    return next;
                }
                Err(e) => report(shared, Err(e), false),
            }
        }
        Ended::Done(Ok(Err(error))) => {
            let outcome = if error.is_retryable() {
                queue.fail(&lease, error.message()).await.map(|_| ())
            } else {
                queue.fail_permanently(&lease, error.message()).await
            };
            finished("failed");
            report(shared, outcome, true);
        }
        Ended::Done(Err(panic)) => {
            let message = format!("handler panicked: {}", panic_message(panic));
            finished("failed");
            report(shared, queue.fail(&lease, &message).await.map(|_| ()), true);
        }
        Ended::TimedOut => {
            drop(task);
            let message = match lease.job.timeout {
                Some(t) => format!("timed out after {t:?}"),
                None => "timed out".to_owned(),
            };
            finished("timed_out");
            report(shared, queue.fail(&lease, &message).await.map(|_| ()), true);
        }
        Ended::Lost => {
            drop(task);
            finished("lost");
            shared.counts.lost.fetch_add(1, Ordering::Relaxed);
        }
        Ended::Aborted => {
            // Dropped: the handler has stopped before its lease is given back.
            drop(task);
            finished("released");
            match queue.release(&lease).await {
                Ok(()) => {
                    shared.counts.released.fetch_add(1, Ordering::Relaxed);
                }
                Err(e) => report(shared, Err(e), false),
            }
        }
    }
    None
}

/// Counts a reported failure, and logs an outcome that could not be recorded (the lease then
/// runs out and the job is delivered again, or it was lost already).
fn report(shared: &Shared, outcome: staunch_core::Result<()>, failure: bool) {
    match outcome {
        Ok(()) => {
            if failure {
                shared.counts.failed.fetch_add(1, Ordering::Relaxed);
            }
        }
        Err(e) if is_lease_lost(&e) => {
            shared.counts.lost.fetch_add(1, Ordering::Relaxed);
        }
        Err(e) => tracing::warn!(error = %e, "could not record a job outcome"),
    }
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_owned()
    }
}

/// Resolves once `flag` is true (or its sender is gone).
async fn signalled(flag: &mut watch::Receiver<bool>) {
    let _ = flag.wait_for(|set| *set).await;
}
