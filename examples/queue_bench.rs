//! Queue benchmark: staunch's queue side by side with BullMQ (Node) on the same redis-server,
//! and with a raw `redis` crate pipeline writing the same layout, printed as ratios (higher is
//! better for staunch), plus jobs/s and latency on memory and file.
//!
//! ```text
//! cargo run --release --example queue_bench --features redis     # starts a redis-server
//! STAUNCH_SKIP_REDIS=1 cargo run --release --example queue_bench  # memory and file only
//! ```
//!
//! BullMQ runs from `examples/queue_bench_bullmq/` (a `package.json` pinning BullMQ and a small
//! `bench.mjs`); the benchmark runs `npm install` there when `node_modules` is missing. Without
//! Node it prints the staunch figures alone and says so. Nothing else builds or needs it.
//!
//! Rows (Redis):
//! - worker jobs/s at concurrency 1 and 16: a worker with a no-op handler draining
//!   bulk-enqueued jobs, against a BullMQ `Worker` doing the same (target 1.5x);
//! - enqueue one by one: `enqueue` awaited in a loop against `queue.add` (target 1.5x);
//! - bulk enqueue, 1,000 per call: `enqueue_bulk` against `addBulk` (target 5x) and against a
//!   raw `MULTI` pipeline writing the same hashes, `ZADD`s, counter and event (target 0.9x);
//! - enqueue-to-handler latency p50/p99 with an idle worker, both queues.
//!
//! Each pair runs alternately (one warm-up each, then [`ROUNDS`] rounds); the row shows the
//! medians, the median ratio and the range of the per-round ratios.

#[path = "support/bullmq.rs"]
mod bullmq;
#[path = "support/side_by_side.rs"]
mod side_by_side;

use side_by_side::{ROUNDS, median, pair_rounds, verdict};

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use staunch::queue::{HandlerError, JobContext, NewJob, Queue, QueueConfig, Worker};
use staunch_core::Store;
use staunch_core::testkit::redis_server::test_redis;
use staunch_memory::MemoryStore;

/// Prints one side-by-side row from its rounds.
fn row(what: &str, rounds: &[(f64, f64)], theirs_name: &str, unit: &str, target: f64) {
    let ours = median(rounds.iter().map(|r| r.0).collect());
    let theirs = median(rounds.iter().map(|r| r.1).collect());
    let ratios: Vec<f64> = rounds.iter().map(|(a, b)| a / b).collect();
    let lo = ratios.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = ratios.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let ratio = median(ratios);
    let mark = verdict(ratio, target);
    println!(
        "{what:<40} staunch {ours:>9.0} {unit}  {theirs_name} {theirs:>9.0} {unit}  ratio {ratio:>5.2}x [{lo:.2}..{hi:.2}] (target {target}x: {mark})"
    );
}

fn fresh_queue(store: &Arc<dyn Store>) -> Queue {
    let config = QueueConfig::new().prefix(format!("b{:08x}", rand::random::<u32>()));
    Queue::with_config(store.clone(), config).expect("config")
}

/// `n` jobs enqueued one by one, each awaited; returns jobs/s.
async fn staunch_enqueue(store: Arc<dyn Store>, n: usize) -> f64 {
    let q = fresh_queue(&store);
    let start = Instant::now();
    for i in 0..n {
        q.enqueue(NewJob::new("bench", json!({ "n": i })))
            .await
            .expect("enqueue");
    }
    n as f64 / start.elapsed().as_secs_f64()
}

/// Jobs per call and calls of the bulk rows.
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

/// The fields staunch writes for a new job due now, so the raw side stores as much.
fn job_fields<'a>(id: &'a str, data: &'a str) -> [(&'a str, &'a str); 6] {
    [
        ("id", id),
        ("type", "bench"),
        ("data", data),
        ("priority", "5"),
        ("created_at", "2026-01-01T00:00:00Z"),
        ("status", "pending"),
    ]
}

/// The score staunch gives a job of priority 5 due at `now_ms`: `-priority` plus the due time
/// since 2024-01-01 over 2^42 (FIFO within a priority; see the queue's key layout).
fn queue_score(now_ms: i64) -> f64 {
    -5.0 + (now_ms - 1_704_067_200_000) as f64 / 4_398_046_511_104.0
}

/// A raw `MULTI` pipeline writing what staunch's bulk enqueue writes: a hash per job (the same
/// fields, `max_retries` included), one `ZADD` of every id with the same scores, the counter
/// and one event naming every id.
async fn raw_bulk(mut conn: redis::aio::MultiplexedConnection) -> f64 {
    let prefix = format!("r{:08x}", rand::random::<u32>());
    let queue = format!("{prefix}:tasks:queue");
    let start = Instant::now();
    for call in 0..BULK_CALLS {
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        let score = queue_score(now_ms);
        let mut pipe = redis::pipe();
        pipe.atomic();
        let mut zadd = redis::cmd("ZADD");
        zadd.arg(&queue);
        let mut ids = Vec::with_capacity(BULK);
        for i in 0..BULK {
            let id = format!("{call:011x}{i:016x}");
            ids.push(id.clone());
            let data = json!({ "n": i }).to_string();
            let mut hset = redis::cmd("HSET");
            hset.arg(format!("{prefix}:task:{id}"));
            for (f, v) in job_fields(&id, &data) {
                hset.arg(f).arg(v);
            }
            hset.arg("max_retries").arg(3);
            pipe.add_command(hset);
            zadd.arg(score).arg(&id);
        }
        pipe.add_command(zadd);
        pipe.hincr(format!("{prefix}:tasks:stats"), "enqueued", BULK);
        // The same event staunch publishes for a bulk enqueue: every id, as JSON.
        let event = json!({"event": "statuses", "ids": ids, "status": "pending", "at": 0});
        pipe.publish(format!("{prefix}:tasks:events"), event.to_string());
        let _: redis::Value = pipe.query_async(&mut conn).await.expect("raw bulk");
    }
    (BULK * BULK_CALLS) as f64 / start.elapsed().as_secs_f64()
}

/// A worker (no-op handler) at `concurrency` draining `n` bulk-enqueued jobs; returns jobs/s
/// from its start to the last completion.
async fn worker_drain(store: Arc<dyn Store>, concurrency: usize, n: usize) -> f64 {
    let q = fresh_queue(&store);
    for chunk in 0..n.div_ceil(BULK) {
        let jobs = (chunk * BULK..n.min((chunk + 1) * BULK))
            .map(|i| NewJob::new("noop", i))
            .collect();
        q.enqueue_bulk(jobs).await.expect("bulk");
    }
    let start = Instant::now();
    let worker = Worker::new(q.clone())
        .concurrency(concurrency)
        .handle("noop", |_ctx: JobContext<usize>| async move {
            Ok::<_, HandlerError>(())
        })
        .start();
    // The worker's own counts: watching them costs the store nothing.
    while worker.stats().completed < n as u64 {
        tokio::time::sleep(Duration::from_millis(1)).await;
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
        q.enqueue(NewJob::new("ping", i as u64))
            .await
            .expect("enqueue");
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

/// Jobs drained per worker measurement.
const DRAIN: usize = 5000;

async fn local_section(name: &str, store: Arc<dyn Store>) {
    for concurrency in [1usize, 16] {
        let mut rates = Vec::new();
        for _ in 0..3 {
            rates.push(worker_drain(store.clone(), concurrency, DRAIN).await);
        }
        let (lo, hi) = (
            rates[0].min(rates[1]).min(rates[2]),
            rates[0].max(rates[1]).max(rates[2]),
        );
        let mid = median(rates);
        println!(
            "{name:<6} worker, concurrency {concurrency:>2}, {DRAIN} jobs: {mid:>9.0} jobs/s (3 runs: {lo:.0}..{hi:.0})"
        );
    }
    let (p50, p99) = latency(store, 300).await;
    println!(
        "{name:<6} enqueue-to-handler latency, idle worker: p50 {p50:>7.0} µs  p99 {p99:>7.0} µs"
    );
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    println!("queue_bench: {ROUNDS} rounds per pair after a warm-up; medians, ratio range in []\n");
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
    let rounds = pair_rounds(
        || staunch_bulk(store.clone()),
        || raw_bulk(raw.clone()),
        ROUNDS,
    )
    .await;
    row(
        "redis bulk 1000/call vs raw MULTI",
        &rounds,
        "raw   ",
        "jobs/s",
        0.9,
    );

    let port = bullmq::port_of(target.url());
    match bullmq::ensure_installed() {
        Err(why) => println!("BullMQ rows skipped: {why}"),
        Ok(()) => {
            for concurrency in [1usize, 16] {
                let rounds = pair_rounds(
                    || worker_drain(store.clone(), concurrency, DRAIN),
                    || {
                        let args =
                            vec!["worker".into(), concurrency.to_string(), DRAIN.to_string()];
                        bullmq::run(port, args, "rate")
                    },
                    ROUNDS,
                )
                .await;
                row(
                    &format!("redis worker, concurrency {concurrency:>2}"),
                    &rounds,
                    "BullMQ",
                    "jobs/s",
                    1.5,
                );
            }
            let rounds = pair_rounds(
                || staunch_enqueue(store.clone(), 3000),
                || bullmq::run(port, vec!["enqueue".into(), "3000".into()], "rate"),
                ROUNDS,
            )
            .await;
            row("redis enqueue one by one", &rounds, "BullMQ", "jobs/s", 1.5);
            let rounds = pair_rounds(
                || staunch_bulk(store.clone()),
                || {
                    let args = vec!["bulk".into(), BULK_CALLS.to_string(), BULK.to_string()];
                    bullmq::run(port, args, "rate")
                },
                ROUNDS,
            )
            .await;
            row(
                "redis bulk 1000/call vs addBulk",
                &rounds,
                "BullMQ",
                "jobs/s",
                5.0,
            );
            let theirs = bullmq::run_many(
                port,
                vec!["latency".into(), "300".into()],
                &["p50_us", "p99_us"],
            )
            .await;
            println!(
                "{:<40} BullMQ p50 {:>7.0} µs  p99 {:>7.0} µs",
                "redis enqueue-to-handler latency", theirs[0], theirs[1]
            );
        }
    }
    println!();
    local_section("redis", store).await;
}
