//! Queue benchmark: staunch's queue measured side by side with a raw `redis` crate loop doing
//! the equivalent commands, in one run, printed as ratios (higher is better for staunch).
//!
//! ```text
//! cargo run --release --example queue_bench --features redis     # starts a redis-server
//! STAUNCH_SKIP_REDIS=1 cargo run --release --example queue_bench  # memory and file only
//! ```
//!
//! - enqueue + claim + complete, one job at a time and 16 at once, on the Redis backend against
//!   a raw loop over one multiplexed connection doing what a plain bot-dashboard queue with leases
//!   and events does per job, without fencing (MULTI HSET (the same 7 fields), ZADD, HINCRBY,
//!   PUBLISH; ZPOPMIN; MULTI ZADD processing, HINCRBY token/attempts, HSET status, HGETALL,
//!   PUBLISH; MULTI ZREM, HSET status, PEXPIRE, HINCRBY, PUBLISH): 4 round trips to staunch's 5
//!   (target: at least 0.5x);
//! - bulk enqueue (1000 jobs per call) against a raw MULTI pipeline writing the same hashes and
//!   ZADDs, and against a plain pipeline of bare ZADDs (target: at least 0.8x). For scale, a
//!   third line runs the least a raw client can send while keeping the bot dashboard's layout (the same
//!   hashes, then one ZADD of all ids) against the bare ZADDs: the ceiling of that ratio for
//!   any client that writes a hash per job;
//! - jobs per second on memory and file (the same cycle, and a worker draining 20 000 jobs);
//! - enqueue-to-handler latency p50/p99 with an idle worker, on each backend.
//!
//! Each pair runs alternately over several rounds; medians are compared.

#[path = "support/side_by_side.rs"]
mod side_by_side;

use side_by_side::{ROUNDS, median, pair, verdict};

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use staunch::queue::{HandlerError, JobContext, NewJob, Queue, QueueConfig, Worker};
use staunch_core::Store;
use staunch_core::testkit::redis_server::test_redis;
use staunch_memory::MemoryStore;

fn row(what: &str, ours: f64, theirs: f64, unit: &str, target: f64) {
    let ratio = ours / theirs;
    let mark = verdict(ratio, target);
    println!(
        "{what:<46} staunch {ours:>10.0} {unit}   raw {theirs:>10.0} {unit}   ratio {ratio:>5.2}x (target {target}x: {mark})"
    );
}

fn fresh_queue(store: &Arc<dyn Store>) -> Queue {
    let config = QueueConfig::new().prefix(format!("b{:08x}", rand::random::<u32>()));
    Queue::with_config(store.clone(), config).expect("config")
}

/// `concurrency` tasks each enqueue, claim and complete `per_task` jobs; returns jobs/s.
async fn staunch_cycle(store: Arc<dyn Store>, concurrency: usize, per_task: usize) -> f64 {
    let q = fresh_queue(&store);
    let start = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let q = q.clone();
            tokio::spawn(async move {
                for i in 0..per_task {
                    q.enqueue(NewJob::new("bench", json!({ "n": i })))
                        .await
                        .expect("enqueue");
                    let lease = q.claim().await.expect("claim").expect("a job");
                    q.complete(&lease).await.expect("complete");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task");
    }
    (concurrency * per_task) as f64 / start.elapsed().as_secs_f64()
}

/// The raw `redis` crate doing per job what a plain bot-dashboard queue with leases does.
async fn raw_cycle(
    conn: redis::aio::MultiplexedConnection,
    concurrency: usize,
    per_task: usize,
) -> f64 {
    let prefix = format!("r{:08x}", rand::random::<u32>());
    let start = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|t| {
            let mut conn = conn.clone();
            let prefix = prefix.clone();
            tokio::spawn(async move {
                let queue = format!("{prefix}:tasks:queue");
                let processing = format!("{prefix}:tasks:processing");
                let stats = format!("{prefix}:tasks:stats");
                let events = format!("{prefix}:tasks:events");
                for i in 0..per_task {
                    let id = format!("{t}-{i}");
                    let task = format!("{prefix}:task:{id}");
                    let data = json!({ "n": i }).to_string();
                    let fields = job_fields(&id, &data);
                    let _: redis::Value = redis::pipe()
                        .atomic()
                        .hset_multiple(&task, &fields)
                        .zadd(&queue, &id, -5.0)
                        .hincr(&stats, "enqueued", 1)
                        .publish(&events, &id)
                        .query_async(&mut conn)
                        .await
                        .expect("raw enqueue");
                    let popped: Vec<(String, f64)> = redis::cmd("ZPOPMIN")
                        .arg(&queue)
                        .query_async(&mut conn)
                        .await
                        .expect("raw claim");
                    let id = popped.into_iter().next().expect("a job").0;
                    let task = format!("{prefix}:task:{id}");
                    let _: redis::Value = redis::pipe()
                        .atomic()
                        .zadd(&processing, &id, 1.0e13)
                        .hincr(&task, "token", 1)
                        .hincr(&task, "attempts", 1)
                        .hset(&task, "status", "processing")
                        .hgetall(&task)
                        .publish(&events, &id)
                        .query_async(&mut conn)
                        .await
                        .expect("raw start");
                    let _: redis::Value = redis::pipe()
                        .atomic()
                        .zrem(&processing, &id)
                        .hset(&task, "status", "completed")
                        .pexpire(&task, 3_600_000)
                        .hincr(&stats, "completed", 1)
                        .publish(&events, &id)
                        .query_async(&mut conn)
                        .await
                        .expect("raw complete");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task");
    }
    (concurrency * per_task) as f64 / start.elapsed().as_secs_f64()
}

/// The fields staunch writes for a new job due now, so the raw side stores as much.
fn job_fields<'a>(id: &'a str, data: &'a str) -> [(&'a str, &'a str); 7] {
    [
        ("id", id),
        ("type", "bench"),
        ("data", data),
        ("priority", "5"),
        ("created_at", "2026-01-01T00:00:00Z"),
        ("status", "pending"),
        ("max_retries", "3"),
    ]
}

const BULK: usize = 1000;
const BULK_CALLS: usize = 10;

async fn staunch_bulk(store: Arc<dyn Store>) -> f64 {
    let q = fresh_queue(&store);
    let start = Instant::now();
    for _ in 0..BULK_CALLS {
        let jobs = (0..BULK)
            .map(|i| NewJob::new("bench", json!({ "n": i })))
            .collect();
        q.enqueue_bulk(jobs).await.expect("bulk");
    }
    (BULK * BULK_CALLS) as f64 / start.elapsed().as_secs_f64()
}

async fn raw_bulk(mut conn: redis::aio::MultiplexedConnection, with_hash: bool) -> f64 {
    let prefix = format!("r{:08x}", rand::random::<u32>());
    let queue = format!("{prefix}:tasks:queue");
    let start = Instant::now();
    for call in 0..BULK_CALLS {
        let mut pipe = redis::pipe();
        // The same-layout baseline is one MULTI, as staunch's bulk enqueue; the bare ZADDs are
        // a plain pipeline, as the issue names them (no QUEUED replies to parse).
        if with_hash {
            pipe.atomic();
        }
        for i in 0..BULK {
            let id = format!("{call}-{i}");
            if with_hash {
                let data = json!({ "n": i }).to_string();
                pipe.hset_multiple(format!("{prefix}:task:{id}"), &job_fields(&id, &data));
            }
            pipe.zadd(&queue, &id, -5.0);
        }
        if with_hash {
            pipe.hincr(format!("{prefix}:tasks:stats"), "enqueued", BULK);
            pipe.publish(format!("{prefix}:tasks:events"), "bulk");
        }
        let _: redis::Value = pipe.query_async(&mut conn).await.expect("raw bulk");
    }
    (BULK * BULK_CALLS) as f64 / start.elapsed().as_secs_f64()
}

/// The least any client can send for a bulk enqueue that keeps the bot dashboard's layout: the same
/// hashes as staunch, then all ids in one `ZADD`, in one MULTI (no counter, no event).
async fn raw_bulk_floor(mut conn: redis::aio::MultiplexedConnection) -> f64 {
    let prefix = format!("r{:08x}", rand::random::<u32>());
    let queue = format!("{prefix}:tasks:queue");
    let start = Instant::now();
    for call in 0..BULK_CALLS {
        let mut pipe = redis::pipe();
        pipe.atomic();
        let mut zadd = redis::cmd("ZADD");
        zadd.arg(&queue);
        for i in 0..BULK {
            let id = format!("{call}-{i}");
            let data = json!({ "n": i }).to_string();
            pipe.hset_multiple(format!("{prefix}:task:{id}"), &job_fields(&id, &data));
            zadd.arg(-5.0).arg(&id);
        }
        pipe.add_command(zadd);
        let _: redis::Value = pipe.query_async(&mut conn).await.expect("raw bulk");
    }
    (BULK * BULK_CALLS) as f64 / start.elapsed().as_secs_f64()
}

/// A worker (concurrency 32, no-op handler) draining `n` bulk-enqueued jobs; returns jobs/s.
async fn worker_drain(store: Arc<dyn Store>, n: usize) -> f64 {
    let q = fresh_queue(&store);
    for chunk in 0..n / BULK {
        let jobs = (0..BULK)
            .map(|i| NewJob::new("noop", chunk * BULK + i))
            .collect();
        q.enqueue_bulk(jobs).await.expect("bulk");
    }
    let start = Instant::now();
    let worker = Worker::new(q.clone())
        .concurrency(32)
        .handle("noop", |_ctx: JobContext<u64>| async move {
            Ok::<_, HandlerError>(())
        })
        .start();
    while q.counters().await.expect("counters").completed < n as u64 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let rate = n as f64 / start.elapsed().as_secs_f64();
    worker.shutdown(Duration::from_secs(5)).await;
    rate
}

/// Enqueue-to-handler latency with an idle worker: (p50, p99) in microseconds.
async fn latency(store: Arc<dyn Store>, samples: usize) -> (f64, f64) {
    let q = fresh_queue(&store);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Instant>();
    let worker = Worker::new(q.clone())
        .concurrency(1)
        .poll_interval(Duration::from_secs(30))
        .handle("ping", move |_ctx: JobContext<u64>| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(Instant::now());
                Ok::<_, HandlerError>(())
            }
        })
        .start();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut micros = Vec::with_capacity(samples);
    for i in 0..samples {
        let sent = Instant::now();
        q.enqueue(NewJob::new("ping", i)).await.expect("enqueue");
        let got = rx.recv().await.expect("handler ran");
        micros.push(got.duration_since(sent).as_secs_f64() * 1e6);
        // Let the worker finish and go idle again.
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
    worker.shutdown(Duration::from_secs(5)).await;
    micros.sort_by(|a, b| a.total_cmp(b));
    let at = |p: f64| micros[((micros.len() - 1) as f64 * p).round() as usize];
    (at(0.50), at(0.99))
}

async fn local_section(name: &str, store: Arc<dyn Store>) {
    for concurrency in [1usize, 16] {
        let per_task = 4000 / concurrency;
        let rate = median({
            let mut v = Vec::new();
            for _ in 0..3 {
                v.push(staunch_cycle(store.clone(), concurrency, per_task).await);
            }
            v
        });
        println!("{name:<8} enqueue+claim+complete, {concurrency:>2} at once: {rate:>10.0} jobs/s");
    }
    let rate = worker_drain(store.clone(), 20_000).await;
    println!("{name:<8} worker (concurrency 32) draining 20000 jobs: {rate:>10.0} jobs/s");
    let (p50, p99) = latency(store, 300).await;
    println!(
        "{name:<8} enqueue-to-handler latency, idle worker: p50 {p50:>8.0} µs   p99 {p99:>8.0} µs"
    );
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    println!("queue_bench: {ROUNDS} rounds per pair, medians\n");
    let memory: Arc<dyn Store> = Arc::new(MemoryStore::new());
    local_section("memory", memory).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let file: Arc<dyn Store> = Arc::new(
        staunch_file::FileStore::open(dir.path())
            .await
            .expect("open file store"),
    );
    local_section("file", file).await;

    let Some(target) = test_redis("queue_bench redis section").await else {
        return;
    };
    let store: Arc<dyn Store> = Arc::new(
        staunch_redis::RedisStore::connect(target.url())
            .await
            .expect("connect staunch"),
    );
    let client = redis::Client::open(format!("{}?protocol=resp3", target.url())).expect("client");
    let config = redis::AsyncConnectionConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(5)))
        .set_response_timeout(Some(Duration::from_secs(5)));
    let raw = client
        .get_multiplexed_async_connection_with_config(&config)
        .await
        .expect("connect raw");
    println!();
    for concurrency in [1usize, 16] {
        let per_task = 4000 / concurrency;
        let (ours, theirs) = pair(
            || staunch_cycle(store.clone(), concurrency, per_task),
            || raw_cycle(raw.clone(), concurrency, per_task),
        )
        .await;
        row(
            &format!("redis enqueue+claim+complete, {concurrency:>2} at once"),
            ours,
            theirs,
            "jobs/s",
            0.5,
        );
    }
    let (ours, theirs) = pair(
        || staunch_bulk(store.clone()),
        || raw_bulk(raw.clone(), true),
    )
    .await;
    row(
        "redis bulk enqueue vs pipelined HSET+ZADD",
        ours,
        theirs,
        "jobs/s",
        0.8,
    );
    let (ours, theirs) = pair(
        || staunch_bulk(store.clone()),
        || raw_bulk(raw.clone(), false),
    )
    .await;
    row(
        "redis bulk enqueue vs pipelined bare ZADD",
        ours,
        theirs,
        "jobs/s",
        0.8,
    );
    // For scale: how close a raw client writing the same hashes can get to bare ZADDs.
    let (floor, bare) = pair(
        || raw_bulk_floor(raw.clone()),
        || raw_bulk(raw.clone(), false),
    )
    .await;
    println!(
        "{:<46} raw     {floor:>10.0} jobs/s   raw {bare:>10.0} jobs/s   ratio {:>5.2}x (not a target: a raw client writing the same layout)",
        "(raw hashes + one ZADD vs bare ZADD)",
        floor / bare
    );
    println!();
    local_section("redis", store).await;
}
