//! Worker crash test: child processes run workers against a real `redis-server` and are
//! SIGKILLed while they hold jobs, at least 100 times per run (`STAUNCH_QUEUE_CRASH_KILLS`
//! changes it). Every job must still complete, exactly once as far as the queue records
//! (redelivered after its lease ran out, finished by another worker), with no job lost.
//!
//! The children are this test binary re-invoked with `STAUNCH_QUEUE_CRASH_CHILD` set, running
//! only `crash_child`; without the variable that test returns at once.
//!
//! `cargo test -p staunch --test queue_crash -- --nocapture`

mod crash_children;

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use staunch::queue::{HandlerError, JobContext, JobStatus, NewJob, Queue, QueueConfig, Worker};
use staunch_core::Store;
use staunch_core::prelude::*;
use staunch_core::testkit::redis_server::{RedisServerOptions, test_redis_server};
use staunch_redis::RedisStore;

use crash_children::Children;

const CHILD_ENV: &str = "STAUNCH_QUEUE_CRASH_CHILD";
const CHILDREN: usize = 3;
const PREFIX: &str = "crash";

fn kills_wanted() -> usize {
    std::env::var("STAUNCH_QUEUE_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100)
}

fn queue(store: Arc<dyn Store>) -> Queue {
    let config = QueueConfig::new()
        .prefix(PREFIX)
        .lease(Duration::from_millis(500))
        .default_max_retries(100_000);
    Queue::with_config(store, config).expect("config")
}

fn running_key(pid: u32) -> String {
    format!("crashtest:running:{pid}")
}

/// The worker process. Runs until killed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_child() {
    let Ok(url) = std::env::var(CHILD_ENV) else {
        return;
    };
    let store: Arc<dyn Store> = Arc::new(RedisStore::connect(&url).await.expect("connect"));
    let running = running_key(std::process::id());
    let handler_store = store.clone();
    let _worker = Worker::new(queue(store))
        .concurrency(4)
        .poll_interval(Duration::from_millis(100))
        .maintenance_interval(Duration::from_millis(100))
        .handle("crash", move |ctx: JobContext<Value>| {
            let store = handler_store.clone();
            let running = running.clone();
            async move {
                store.sadd_multiple(&running, [ctx.id()]).await?;
                let ms = 40 + rand::random::<u64>() % 80;
                tokio::time::sleep(Duration::from_millis(ms)).await;
                store.srem_multiple(&running, [ctx.id()]).await?;
                Ok::<_, HandlerError>(ctx.payload)
            }
        })
        .start();
    std::future::pending::<()>().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkilled_workers_lose_no_jobs() {
    if std::env::var(CHILD_ENV).is_ok() {
        return;
    }
    let Some(server) = test_redis_server("queue crash test", RedisServerOptions::new()).await
    else {
        return;
    };
    let store: Arc<dyn Store> =
        Arc::new(RedisStore::connect(&server.url()).await.expect("connect"));
    let q = queue(store.clone());
    let mut ids = Vec::new();
    let mut next = 0u64;
    let mut top_up = async |q: &Queue, ids: &mut Vec<String>, n: usize| {
        let jobs = (0..n).map(|_| {
            next += 1;
            NewJob::new("crash", json!(next))
        });
        for e in q.enqueue_bulk(jobs.collect()).await.expect("enqueue") {
            ids.push(e.id);
        }
    };
    top_up(&q, &mut ids, 60).await;
    let mut children = Children::new("crash_child", CHILD_ENV, server.url());
    for _ in 0..CHILDREN {
        let child = children.spawn_one();
        children.children.push(child);
    }
    let wanted = kills_wanted();
    let started = Instant::now();
    let mut kills = 0;
    while kills < wanted {
        assert!(
            started.elapsed() < Duration::from_secs(240),
            "only {kills} kills in 240 s"
        );
        if q.sizes().await.expect("sizes").pending < 30 {
            top_up(&q, &mut ids, 30).await;
        }
        // Kill a child that is in the middle of a job.
        let mut victim = None;
        for (i, child) in children.children.iter().enumerate() {
            if store.scard(&running_key(child.id())).await.expect("scard") > 0 {
                victim = Some(i);
                break;
            }
        }
        let Some(i) = victim else {
            tokio::time::sleep(Duration::from_millis(5)).await;
            continue;
        };
        tokio::time::sleep(Duration::from_millis(rand::random::<u64>() % 20)).await;
        let replacement = children.spawn_one();
        let mut old = std::mem::replace(&mut children.children[i], replacement);
        old.kill().expect("SIGKILL");
        old.wait().expect("reap child");
        kills += 1;
    }
    let total = ids.len();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let s = q.sizes().await.expect("sizes");
        let mut unfinished = Vec::new();
        for id in &ids {
            let job = q.get(id).await.expect("get");
            if job.as_ref().map(|j| j.status) != Some(JobStatus::Completed) {
                unfinished.push((id.clone(), job));
            }
        }
        if unfinished.is_empty() && s.pending + s.scheduled + s.processing == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not drained: {s:?}, {} of {total} unfinished: {:?}",
            unfinished.len(),
            unfinished.iter().take(5).collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut redelivered = 0;
    for id in &ids {
        let job = q.get(id).await.expect("get").expect("job kept");
        assert_eq!(job.status, JobStatus::Completed, "job {id}");
        assert_eq!(
            job.result::<Value>().unwrap(),
            Some(job.payload::<Value>().unwrap())
        );
        if job.attempts > 1 {
            redelivered += 1;
        }
    }
    let c = q.counters().await.expect("counters");
    assert_eq!(
        c.completed as usize, total,
        "each job completed exactly once"
    );
    assert_eq!(c.dead, 0);
    assert!(
        redelivered >= wanted / 2,
        "only {redelivered} jobs were redelivered"
    );
    println!(
        "{kills} SIGKILLs mid-job, {total} jobs, {redelivered} redelivered, {} leases reaped, 0 lost, in {:?}",
        c.reaped,
        started.elapsed()
    );
}
