//! The store's background tasks: the log flusher, the compactor and the expiry purger.
//!
//! Each is a tokio task in the mini-redis style: it loops on `select!` over its work and a
//! `Notify` that stops it, and a [`Background`] guard owned by the store notifies them all
//! when it is dropped. Blocking file work (fsync, writing a snapshot) runs on
//! `spawn_blocking`, so the async worker threads are never held by the disk.

use std::sync::Arc;
use std::time::Duration;

use staunch_memory::Engine;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

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
}

impl Background {
    /// Starts the flusher, the compactor and the purger.
    pub(crate) fn start(
        engine: Engine,
        log: Arc<Log>,
        compactor: Arc<Compactor>,
        policy: FsyncPolicy,
        sync_interval: Duration,
        purge_interval: Duration,
    ) -> Background {
        let mut background = Background::default();
        background.spawn(|stop| flusher(log, policy, sync_interval, stop));
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
        for task in &self.tasks {
            task.stop.notify_one();
        }
        for task in self.tasks.drain(..) {
            // A task that panicked has nothing left to clean up.
            let _ = task.handle.await;
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.stop.notify_one();
        }
    }
}

/// Writes and fsyncs the log: on demand under `Always` (group commit), every `interval`
/// otherwise.
///
/// Group commit needs more than "fsync whatever is there": right after an fsync the writers
/// it released come back one by one, and an fsync started as soon as the first is back would
/// carry one record, leaving the rest for the next (batches would alternate between 1 and
/// n-1). So before each fsync under `Always` the flusher gathers: it waits until as many
/// records are buffered as the previous round carried, or [`GATHER_LIMIT`] passes. One
/// writer is never delayed (its round carried one record); a writer that goes away costs one
/// short wait, after which the expected batch shrinks to what actually came.
async fn flusher(log: Arc<Log>, policy: FsyncPolicy, interval: Duration, stop: Arc<Notify>) {
    let sync = policy != FsyncPolicy::No;
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut last_round = 1u64;
    loop {
        let requested = tokio::select! {
            _ = stop.notified() => return,
            _ = log.flush_wanted.notified() => true,
            _ = tick.tick() => false,
        };
        if log.has_failed() || log.is_closed() {
            // Writers are refused and told why; nothing is left to flush.
            continue;
        }
        if requested && policy == FsyncPolicy::Always && last_round > 1 {
            let deadline = tokio::time::Instant::now() + GATHER_LIMIT;
            while log.buffered_records() < last_round {
                let more = tokio::time::timeout_at(deadline, log.flush_wanted.notified());
                tokio::select! {
                    _ = stop.notified() => return,
                    arrived = more => if arrived.is_err() { break },
                }
            }
        }
        let log = log.clone();
        // Errors put the log in its failed state, which is what writers see.
        if let Ok(Ok(records)) = tokio::task::spawn_blocking(move || log.flush(sync)).await {
            last_round = records.clamp(1, 4096);
        }
    }
}

/// The longest the flusher waits for a group of writers to come back before an fsync.
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
