//! Flow crash test: child processes run workers for flows (a parent summing its three
//! children's results) and a repeatable job against a real `redis-server`, and are SIGKILLed
//! at random moments, 100 times per run (`STAUNCH_QUEUE_FLOW_CRASH_KILLS` changes it), so some
//! kills land between a child's completion and its parent's release. Every parent must
//! complete, never before all its children (its handler checks and records a violation), with
//! the sum of their results; each occurrence of the repeatable job is enqueued at most once.
//!
//! The children are this test binary re-invoked with `STAUNCH_QUEUE_FLOW_CRASH_CHILD` set,
//! running only `flow_crash_child`; without the variable that test returns at once.
//!
//! `cargo test -p staunch --features redis --test queue_flow_crash -- --nocapture`

mod crash_children;

use std::sync::Arc;
use std::time::{Duration, Instant};

use staunch::queue::{
    ChildResult, Flow, HandlerError, JobContext, JobState, JobStatus, NewJob, Queue, QueueConfig,
    Repeat, Schedule, Worker,
};
use staunch_core::Store;
use staunch_core::prelude::*;
use staunch_core::testkit::redis_server::{RedisServerOptions, test_redis_server};
use staunch_redis::RedisStore;

use crash_children::Children;

const CHILD_ENV: &str = "STAUNCH_QUEUE_FLOW_CRASH_CHILD";
const PROCESSES: usize = 3;
const VIOLATIONS: &str = "flowcrash:violations";

fn kills_wanted() -> usize {
    std::env::var("STAUNCH_QUEUE_FLOW_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100)
}

fn queue(store: Arc<dyn Store>) -> Queue {
    let config = QueueConfig::new()
        .prefix("flowcrash")
        .lease(Duration::from_millis(500))
        .default_max_retries(100_000);
    Queue::with_config(store, config).expect("config")
}

/// Workers for `leaf` (doubles its payload), `sum` (adds its children's results, after
/// checking every child completed) and `tick` (the repeatable job).
fn worker(q: Queue, store: Arc<dyn Store>) -> Worker {
    Worker::new(q)
        .concurrency(4)
        .poll_interval(Duration::from_millis(100))
        .maintenance_interval(Duration::from_millis(50))
        .handle("leaf", |ctx: JobContext<u64>| async move {
            let ms = 10 + rand::random::<u64>() % 40;
            tokio::time::sleep(Duration::from_millis(ms)).await;
            Ok::<_, HandlerError>(ctx.payload * 2)
        })
        .handle_with("sum", store, |ctx: JobContext<u64>, store| async move {
            let results = ctx.children_results().await?;
            let complete = results.len() as u64 == ctx.payload
                && results
                    .values()
                    .all(|r| matches!(r, ChildResult::Completed(Some(_))));
            if !complete {
                store.sadd(VIOLATIONS, ctx.id()).await?;
            }
            let mut total = 0;
            for result in results.values() {
                total += result.result::<u64>()?.unwrap_or(0);
            }
            Ok::<_, HandlerError>(total)
        })
        .handle("tick", |_ctx: JobContext<()>| async move {
            Ok::<_, HandlerError>(())
        })
}

/// The worker process. Runs until killed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flow_crash_child() {
    let Ok(url) = std::env::var(CHILD_ENV) else {
        return;
    };
    let store: Arc<dyn Store> = Arc::new(RedisStore::connect(&url).await.expect("connect"));
    let _worker = worker(queue(store.clone()), store).start();
    std::future::pending::<()>().await;
}

/// Enqueues `n` flows; returns each parent's id and the sum its children should give.
async fn add_flows(q: &Queue, next: &mut u64, n: usize) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    for _ in 0..n {
        let payloads: Vec<u64> = (0..3)
            .map(|_| {
                *next += 1;
                *next
            })
            .collect();
        let flow = Flow::new(NewJob::new("sum", 3u64))
            .children(payloads.iter().map(|&p| NewJob::new("leaf", p)));
        let ids = q.enqueue_flow(flow).await.expect("enqueue flow");
        out.push((ids.id, payloads.iter().map(|p| p * 2).sum()));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkilled_workers_never_run_a_parent_early_nor_lose_one() {
    if std::env::var(CHILD_ENV).is_ok() {
        return;
    }
    let Some(server) = test_redis_server("queue flow crash test", RedisServerOptions::new()).await
    else {
        return;
    };
    let store: Arc<dyn Store> =
        Arc::new(RedisStore::connect(&server.url()).await.expect("connect"));
    let q = queue(store.clone());
    let tick = Repeat::new(
        "tick",
        Schedule::every(Duration::from_millis(200)),
        NewJob::new("tick", ()),
    );
    q.upsert_repeat(tick).await.expect("upsert repeat");
    let mut next = 0;
    let mut parents = add_flows(&q, &mut next, 20).await;
    let mut processes = Children::new("flow_crash_child", CHILD_ENV, server.url());
    for _ in 0..PROCESSES {
        let child = processes.spawn_one();
        processes.children.push(child);
    }
    let wanted = kills_wanted();
    let started = Instant::now();
    for kill in 0..wanted {
        if q.counts().await.expect("counts").waiting_children < 10 {
            parents.extend(add_flows(&q, &mut next, 10).await);
        }
        tokio::time::sleep(Duration::from_millis(50 + rand::random::<u64>() % 250)).await;
        let i = kill % PROCESSES;
        let replacement = processes.spawn_one();
        let mut old = std::mem::replace(&mut processes.children[i], replacement);
        old.kill().expect("SIGKILL");
        old.wait().expect("reap child");
    }
    q.remove_repeat("tick").await.expect("remove repeat");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let mut unfinished = Vec::new();
        for (id, _) in &parents {
            let status = q.status(id).await.expect("status");
            if status != Some(JobStatus::Completed) {
                unfinished.push((id.clone(), status));
            }
        }
        let counts = q.counts().await.expect("counts");
        if unfinished.is_empty() && counts.pending + counts.processing == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not drained: {counts:?}, {} parents unfinished: {:?}",
            unfinished.len(),
            unfinished.iter().take(5).collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let early = store.smembers(VIOLATIONS).await.expect("violations");
    assert!(
        early.is_empty(),
        "{} parents ran before all their children completed",
        early.len()
    );
    for (id, sum) in &parents {
        let job = q.get(id).await.expect("get").expect("parent kept");
        assert_eq!(job.result::<u64>().unwrap(), Some(*sum), "parent {id}");
    }
    let counts = q.counts().await.expect("counts");
    assert_eq!((counts.waiting_children, counts.dead), (0, 0));
    let mut ticks: Vec<i64> = q
        .jobs(JobState::Completed, 0, 100_000)
        .await
        .expect("jobs")
        .iter()
        .filter(|j| j.repeat.as_deref() == Some("tick"))
        .map(|j| j.run_at_ms)
        .collect();
    let total = ticks.len();
    ticks.sort_unstable();
    ticks.dedup();
    assert_eq!(ticks.len(), total, "an occurrence was enqueued twice");
    assert!(total > 0, "the repeatable job never ran");
    println!(
        "{wanted} SIGKILLs, {} flows of 3 children completed in order, {total} repeat \
         occurrences each enqueued once, in {:?}",
        parents.len(),
        started.elapsed()
    );
}
