//! The store's background tasks: the log committer, the compactor and the expiry purger.
//!
//! The compactor and the purger are tokio tasks in the mini-redis style: each loops on
//! `select!` over its work and a `Notify` that stops it. The committer, whose every round is
//! a blocking `fdatasync`, is one long-lived `spawn_blocking` thread that waits on the log's
//! `CommitSignal` instead (see [`committer`] for why). A [`Background`] guard owned by the
//! store signals them all when it is dropped. Blocking file work never runs on the async
//! worker threads.

use std::sync::Arc;
use std::time::{Duration, Instant};

use staunch_memory::Engine;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

use crate::commit::Wake;
use crate::compact::Compactor;
use crate::log::Log;
use crate::options::FsyncPolicy;

/// One running task and the `Notify` that stops it.
#[derive(Debug)]
struct Task {
    stop: Arc<Notify>,
    handle: JoinHandle<()>,
}

/// Owns the background tasks; stops them when dropped or [`Background::stop`]ped.
#[derive(Debug, Default)]
pub(crate) struct Background {
    tasks: Vec<Task>,
    /// Resolves when the committer thread (see [`committer`]) has finished; the log whose
    /// signal stops it.
    committer: Option<tokio::sync::oneshot::Receiver<()>>,
    commit: Option<Arc<Log>>,
}

impl Background {
    /// Starts the committer, the compactor and the purger.
    ///
    /// If the committer's thread cannot be started, the log enters its failed state (every
    /// write is refused with the reason) rather than leaving writers waiting.
    pub(crate) fn start(
        engine: Engine,
        log: Arc<Log>,
        compactor: Arc<Compactor>,
        policy: FsyncPolicy,
        sync_interval: Duration,
        purge_interval: Duration,
    ) -> Background {
        let mut background = Background::default();
        background.commit = Some(log.clone());
        let committer_log = log.clone();
        let (done, finished) = tokio::sync::oneshot::channel();
        // A thread of its own rather than `spawn_blocking`: a runtime waits for its blocking
        // tasks when it shuts down, and a store that outlives its runtime (kept in a static,
        // say) must not make that wait forever.
        let spawned = std::thread::Builder::new()
            .name("staunch-file-commit".into())
            .spawn(move || {
                committer(&committer_log, policy, sync_interval);
                let _ = done.send(());
            });
        match spawned {
            Ok(_) => background.committer = Some(finished),
            Err(e) => {
                // Without a committer no write could become durable: fail the log, so every
                // write says why instead of waiting forever.
                log.fail_to_start(&e);
            }
        }
        background.spawn(|stop| compactor_task(compactor, stop));
        background.spawn(|stop| purger(engine, purge_interval, stop));
        background
    }

    fn spawn<F, Fut>(&mut self, task: F)
    where
        F: FnOnce(Arc<Notify>) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let stop = Arc::new(Notify::new());
        let handle = tokio::spawn(task(stop.clone()));
        self.tasks.push(Task { stop, handle });
    }

    /// Stops every task and waits until they have finished.
    pub(crate) async fn stop(&mut self) {
        self.signal_stop();
        for task in self.tasks.drain(..) {
            // A task that panicked has nothing left to clean up.
            let _ = task.handle.await;
        }
        if let Some(committer) = self.committer.take() {
            let _ = committer.await;
        }
    }

    fn signal_stop(&self) {
        for task in &self.tasks {
            task.stop.notify_one();
        }
        if let Some(log) = &self.commit {
            log.commit.stop();
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        self.signal_stop();
    }
}

/// Writes and fsyncs the log: on demand under `Always` (group commit), every `interval`
/// otherwise. It runs on a blocking thread of its own for the store's life, because its work
/// *is* blocking (`fdatasync`): a writer wakes it with one futex call ([`CommitSignal`]) and
/// is woken back through the log's `watch` channel, where an async flusher task would add two
/// runtime hand-offs (task, then `spawn_blocking`) to every commit.
///
/// Group commit needs more than "fsync whatever is there": right after an fsync the writers
/// it released come back one by one, and an fsync started as soon as the first is back would
/// carry one record, leaving the rest for the next (batches would alternate between 1 and
/// n-1). So before each fsync under `Always` the committer gathers: it waits until as many
/// records are buffered as the previous round carried, or [`GATHER_LIMIT`] passes. One
/// writer is never delayed (its round carried one record); a writer that goes away costs one
/// short wait, after which the expected batch shrinks to what actually came.
///
/// [`CommitSignal`]: crate::commit::CommitSignal
fn committer(log: &Log, policy: FsyncPolicy, interval: Duration) {
    let sync = policy != FsyncPolicy::No;
    let mut next_tick = Instant::now() + interval;
    let mut last_round = 1u64;
    loop {
        let requested = match log.commit.wait_until(next_tick) {
            Wake::Stop => return,
            Wake::Requested => true,
            Wake::Timeout => {
                next_tick = Instant::now() + interval;
                false
            }
        };
        if log.has_failed() || log.is_closed() {
            // Writers are refused and told why; nothing is left to flush.
            continue;
        }
        if requested && policy == FsyncPolicy::Always && last_round > 1 {
            let deadline = Instant::now() + GATHER_LIMIT;
            while log.buffered_records() < last_round {
                match log.commit.wait_until(deadline) {
                    Wake::Stop => return,
                    Wake::Timeout => break,
                    Wake::Requested => {}
                }
            }
        }
        // Errors put the log in its failed state, which is what writers see.
        if let Ok(records) = log.flush(sync)
            && requested
        {
            last_round = records.clamp(1, 4096);
        }
    }
}

/// The longest the committer waits for a group of writers to come back before an fsync.
const GATHER_LIMIT: Duration = Duration::from_millis(1);

/// Compacts when the log asks for it.
async fn compactor_task(compactor: Arc<Compactor>, stop: Arc<Notify>) {
    loop {
        tokio::select! {
            _ = stop.notified() => return,
            _ = compactor.log().compact_wanted.notified() => {}
        }
        let compactor = compactor.clone();
        match tokio::task::spawn_blocking(move || compactor.compact()).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!("staunch-file: automatic compaction failed: {e}"),
            Err(e) => tracing::warn!("staunch-file: automatic compaction panicked: {e}"),
        }
    }
}

/// Reclaims expired keys (they are invisible already; this frees their memory).
async fn purger(engine: Engine, interval: Duration, stop: Arc<Notify>) {
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = stop.notified() => return,
            _ = tick.tick() => {
                while engine.purge_expired(256) == 256 {
                    tokio::task::yield_now().await;
                }
            }
        }
    }
}
