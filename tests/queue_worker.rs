//! Workers on memory and on a real `redis-server` (real time, short waits): handlers by task
//! type, errors and panics fail the job and the worker survives, concurrency, prompt wake-up,
//! timeouts, scheduled jobs, graceful shutdown handing leases back, a flow's parent reading
//! its children's results in its handler, repeatable jobs fired by the workers' maintenance.
//!
//! `cargo test -p staunch --test queue_worker`

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use staunch::queue::{HandlerError, JobContext, JobStatus, NewJob, Queue, QueueConfig, Worker};
use staunch_core::Store;

fn queue(store: Arc<dyn Store>) -> Queue {
    let config = QueueConfig::new()
        .prefix(format!("w{:08x}", rand::random::<u32>()))
        .lease(Duration::from_secs(3))
        .backoff(staunch::queue::Backoff::exponential(
            Duration::from_millis(50),
            2.0,
            Duration::from_secs(1),
        ));
    Queue::with_config(store, config).expect("config")
}

/// How long a condition may take to hold. Generous because a loaded machine (the whole suite
/// on two busy cores) can stall a worker for seconds; a passing check returns at once.
const PATIENCE: Duration = Duration::from_secs(60);

/// Waits until `check` holds, up to `limit`.
async fn eventually<F, Fut>(limit: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while start.elapsed() < limit {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}

async fn status(q: &Queue, id: &str) -> Option<JobStatus> {
    q.status(id).await.expect("status")
}

async fn outcomes_and_survival(store: Arc<dyn Store>) {
    let q = queue(store);
    let worker = Worker::new(q.clone())
        .concurrency(2)
        .poll_interval(Duration::from_millis(100))
        .handle("ok", |ctx: JobContext<Value>| async move {
            ctx.progress(&"half").await?;
            Ok::<_, HandlerError>(json!({"echo": ctx.payload}))
        })
        .handle("err", |_ctx: JobContext<Value>| async move {
            Err::<(), _>(HandlerError::new("nope"))
        })
        .handle("perm", |_ctx: JobContext<Value>| async move {
            Err::<(), _>(HandlerError::permanent("never"))
        })
        .handle("panic", |_ctx: JobContext<Value>| async move {
            if true {
                panic!("handler blew up");
            }
            Ok::<(), HandlerError>(())
        })
        .handle("typed", |ctx: JobContext<u32>| async move {
            Ok::<_, HandlerError>(ctx.payload * 2)
        })
        .start();
    let ok = q.enqueue(NewJob::new("ok", 1)).await.unwrap().id;
    let err = q
        .enqueue(NewJob::new("err", 1).max_retries(1))
        .await
        .unwrap()
        .id;
    let perm = q.enqueue(NewJob::new("perm", 1)).await.unwrap().id;
    let panics = q
        .enqueue(NewJob::new("panic", 1).max_retries(0))
        .await
        .unwrap()
        .id;
    let bad = q
        .enqueue(NewJob::new("typed", "not a number"))
        .await
        .unwrap()
        .id;
    let none = q.enqueue(NewJob::new("unknown", 1)).await.unwrap().id;
    let after = q.enqueue(NewJob::new("typed", 21)).await.unwrap().id;
    let all = [&ok, &err, &perm, &panics, &bad, &none, &after];
    let done = eventually(PATIENCE, || async {
        for id in all {
            match status(&q, id).await {
                Some(s) if s.is_final() => {}
                _ => return false,
            }
        }
        true
    })
    .await;
    assert!(done, "all jobs finished");
    let job = q.get(&ok).await.unwrap().unwrap();
    assert_eq!(job.status, JobStatus::Completed);
    assert_eq!(job.result::<Value>().unwrap(), Some(json!({"echo": 1})));
    assert_eq!(job.progress.as_deref(), Some("\"half\""));
    let job = q.get(&err).await.unwrap().unwrap();
    assert_eq!((job.status, job.attempts), (JobStatus::Dead, 2));
    assert_eq!(job.last_error.as_deref(), Some("nope"));
    let job = q.get(&perm).await.unwrap().unwrap();
    assert_eq!((job.status, job.attempts), (JobStatus::Dead, 1));
    let job = q.get(&panics).await.unwrap().unwrap();
    assert_eq!(job.status, JobStatus::Dead);
    assert!(job.last_error.unwrap().contains("handler blew up"));
    assert_eq!(status(&q, &bad).await, Some(JobStatus::Dead));
    let job = q.get(&none).await.unwrap().unwrap();
    assert!(job.last_error.unwrap().contains("no handler"));
    let job = q.get(&after).await.unwrap().unwrap();
    assert_eq!(
        job.result::<u32>().unwrap(),
        Some(42),
        "worker survived the panic"
    );
    let report = worker.shutdown(Duration::from_secs(1)).await;
    assert_eq!(report.stats.completed, 2);
    assert_eq!(report.released, 0);
}

async fn concurrency_and_prompt_wakeup(store: Arc<dyn Store>) {
    let q = queue(store);
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (r, p) = (running.clone(), peak.clone());
    // A poll interval of a minute: only the event channel can wake this worker in time.
    let worker = Worker::new(q.clone())
        .concurrency(4)
        .poll_interval(Duration::from_secs(60))
        .handle("sleep", move |_ctx: JobContext<Value>| {
            let (r, p) = (r.clone(), p.clone());
            async move {
                let now = r.fetch_add(1, Ordering::SeqCst) + 1;
                p.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(150)).await;
                r.fetch_sub(1, Ordering::SeqCst);
                Ok::<_, HandlerError>(())
            }
        })
        .start();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    let jobs = (0..8).map(|i| NewJob::new("sleep", i)).collect();
    q.enqueue_bulk(jobs).await.unwrap();
    let done = eventually(PATIENCE, || async {
        q.counters().await.unwrap().completed == 8
    })
    .await;
    assert!(done);
    let elapsed = started.elapsed();
    assert_eq!(peak.load(Ordering::SeqCst), 4, "ran 4 at a time");
    assert!(
        elapsed < Duration::from_secs(20),
        "woke promptly (the poll interval is 60 s): {elapsed:?}"
    );
    worker.shutdown(Duration::from_secs(1)).await;
}

async fn timeouts_and_scheduled(store: Arc<dyn Store>) {
    let q = queue(store);
    let worker = Worker::new(q.clone())
        .poll_interval(Duration::from_millis(50))
        .handle("slow", |_ctx: JobContext<Value>| async move {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Ok::<_, HandlerError>(())
        })
        .handle("quick", |_ctx: JobContext<Value>| async move {
            Ok::<_, HandlerError>(())
        })
        .start();
    let slow = q
        .enqueue(
            NewJob::new("slow", 1)
                .timeout(Duration::from_millis(100))
                .max_retries(0),
        )
        .await
        .unwrap()
        .id;
    let later = q
        .enqueue(NewJob::new("quick", 1).delay(Duration::from_millis(300)))
        .await
        .unwrap()
        .id;
    let started = Instant::now();
    assert!(
        eventually(PATIENCE, || async {
            status(&q, &later).await == Some(JobStatus::Completed)
        })
        .await
    );
    assert!(
        started.elapsed() >= Duration::from_millis(250),
        "not before its time"
    );
    assert!(
        eventually(PATIENCE, || async {
            status(&q, &slow).await == Some(JobStatus::Dead)
        })
        .await
    );
    let job = q.get(&slow).await.unwrap().unwrap();
    assert!(job.last_error.unwrap().contains("timed out"));
    worker.shutdown(Duration::from_secs(1)).await;
}

async fn graceful_shutdown(store: Arc<dyn Store>) {
    let q = queue(store);
    let worker = Worker::new(q.clone())
        .concurrency(2)
        .poll_interval(Duration::from_millis(50))
        .handle("short", |_ctx: JobContext<Value>| async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            Ok::<_, HandlerError>(())
        })
        .handle("long", |_ctx: JobContext<Value>| async move {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Ok::<_, HandlerError>(())
        })
        .start();
    let short = q.enqueue(NewJob::new("short", 1)).await.unwrap().id;
    let long = q.enqueue(NewJob::new("long", 1)).await.unwrap().id;
    assert!(
        eventually(PATIENCE, || async {
            status(&q, &long).await == Some(JobStatus::Processing)
                && status(&q, &short).await == Some(JobStatus::Processing)
        })
        .await
    );
    let started = Instant::now();
    let report = worker.shutdown(Duration::from_millis(500)).await;
    // The long handler sleeps 30 s: returning well before that shows the grace period ended it.
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_eq!(report.released, 1);
    assert_eq!(
        status(&q, &short).await,
        Some(JobStatus::Completed),
        "finished in grace"
    );
    let job = q.get(&long).await.unwrap().unwrap();
    assert_eq!(
        (job.status, job.attempts),
        (JobStatus::Pending, 0),
        "lease given back"
    );
    // Another worker picks it up at once.
    let lease = q.claim().await.unwrap().expect("released job is claimable");
    assert_eq!(lease.job.id, long);
}

/// A rate-limited worker waits out used-up windows and still drains everything.
async fn rate_limited_worker_drains(store: Arc<dyn Store>) {
    let config = QueueConfig::new()
        .prefix(format!("w{:08x}", rand::random::<u32>()))
        .rate_limit(2, Duration::from_millis(200));
    let q = Queue::with_config(store, config).expect("config");
    let worker = Worker::new(q.clone())
        .concurrency(4)
        .poll_interval(Duration::from_secs(30))
        .handle("ok", |_ctx: JobContext<Value>| async move {
            Ok::<_, HandlerError>(())
        })
        .start();
    for n in 0..5 {
        q.enqueue(NewJob::new("ok", n)).await.unwrap();
    }
    assert!(
        eventually(PATIENCE, || async {
            q.counters().await.unwrap().completed == 5
        })
        .await,
        "all five completed across windows: {:?}",
        worker.stats()
    );
    worker.shutdown(Duration::from_secs(1)).await;
}

/// Workers run a flow's children, then its parent, whose handler reads the children's
/// results; and two workers' maintenance enqueues a repeatable job once per occurrence.
async fn flows_and_repeats_in_workers(store: Arc<dyn Store>) {
    use staunch::queue::{ChildResult, Flow, Repeat, Schedule};
    let q = queue(store);
    let start = |q: &Queue| {
        Worker::new(q.clone())
            .concurrency(2)
            .poll_interval(Duration::from_millis(100))
            .maintenance_interval(Duration::from_millis(50))
            .handle("double", |ctx: JobContext<u32>| async move {
                Ok::<_, HandlerError>(ctx.payload * 2)
            })
            .handle("sum", |ctx: JobContext<Value>| async move {
                let mut total = 0;
                for child in ctx.children_results().await?.values() {
                    match child {
                        ChildResult::Completed(_) => {
                            total += child.result::<u32>()?.unwrap_or(0);
                        }
                        _ => return Err(HandlerError::permanent("a child failed")),
                    }
                }
                Ok::<_, HandlerError>(total)
            })
            .handle("tick", |_ctx: JobContext<Value>| async move {
                Ok::<_, HandlerError>(())
            })
            .start()
    };
    let (one, two) = (start(&q), start(&q));
    let flow =
        Flow::new(NewJob::new("sum", ())).children((1..=3u32).map(|n| NewJob::new("double", n)));
    let parent = q.enqueue_flow(flow).await.unwrap().id;
    assert!(
        eventually(Duration::from_secs(20), || async {
            status(&q, &parent).await == Some(JobStatus::Completed)
        })
        .await,
        "the parent ran after its children: {:?}",
        q.get(&parent).await
    );
    let done = q.get(&parent).await.unwrap().unwrap();
    assert_eq!(done.result::<u32>().unwrap(), Some(12));

    // Every 300 ms: after a few occurrences, as many jobs as occurrences (both workers run
    // maintenance every 50 ms).
    let every = Schedule::every(Duration::from_millis(300));
    q.upsert_repeat(Repeat::new("tick", every, NewJob::new("tick", ())))
        .await
        .unwrap();
    assert!(
        eventually(Duration::from_secs(20), || async {
            q.counters().await.unwrap().completed >= 4 + 4
        })
        .await,
        "repeat jobs ran"
    );
    q.remove_repeat("tick").await.unwrap();
    // Each occurrence at most once: distinct occurrence times, one job each.
    let info = q.repeats().await.unwrap();
    assert!(info.is_empty());
    one.shutdown(Duration::from_secs(2)).await;
    two.shutdown(Duration::from_secs(2)).await;
    let jobs = q
        .jobs(staunch::queue::JobState::Completed, 0, 1000)
        .await
        .unwrap();
    let mut occurrences: Vec<i64> = jobs
        .iter()
        .filter(|j| j.repeat.as_deref() == Some("tick"))
        .map(|j| j.run_at_ms)
        .collect();
    let total = occurrences.len();
    occurrences.sort_unstable();
    occurrences.dedup();
    assert!(total >= 4, "{total} repeat jobs");
    assert_eq!(occurrences.len(), total, "one job per occurrence");
}

macro_rules! on_backends {
    ($($case:ident),*) => {
        mod memory {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    super::$case(std::sync::Arc::new(staunch_memory::MemoryStore::new())).await;
                }
            )*
        }
        mod redis {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let what = concat!("queue worker: ", stringify!($case));
                    let Some(target) = staunch_core::testkit::redis_server::test_redis(what).await else {
                        return;
                    };
                    let store = staunch_redis::RedisStore::connect(target.url()).await.unwrap();
                    super::$case(std::sync::Arc::new(store)).await;
                }
            )*
        }
    };
}

on_backends!(
    outcomes_and_survival,
    concurrency_and_prompt_wakeup,
    timeouts_and_scheduled,
    graceful_shutdown,
    rate_limited_worker_drains,
    flows_and_repeats_in_workers
);
