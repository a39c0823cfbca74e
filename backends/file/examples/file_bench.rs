//! Benchmark of the file backend, measured side by side in one run:
//!
//! - `SET` throughput under `everysec` against `no` (target: at least 0.8x);
//! - `always` with 16 concurrent writers against 1 writer (target: at least 8x; this is
//!   group commit at work, since one writer waits for one fsync per write);
//! - `everysec` against a real `redis-server --appendonly yes --appendfsync everysec` started
//!   here on a free loopback port, through the `redis` crate (same concurrency on both sides);
//! - reopen time of a log of one million operations.
//!
//! ```text
//! cargo run --release -p staunch-file --example file_bench
//! ```
//!
//! The comparisons with other engines (redb, fjall, redis-server's RDB load) are
//! `cargo run --release -p staunch-bench --bin file_engines`.
//!
//! `STAUNCH_BENCH_SECS` sets the length of each timed run (default 2);
//! `STAUNCH_BENCH_ONLY=policies,always,redis,reopen` (any subset) runs only those parts. The
//! data directories are temporary directories on the same disk as `redis-server`'s.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use staunch_core::prelude::*;
use staunch_core::testkit::redis_server::{RedisServer, RedisServerOptions};
use staunch_file::{FileOptions, FileStore, FsyncPolicy};

const KEYS: u64 = 10_000;
const VALUE: &[u8; 64] = &[b'v'; 64];

fn run_secs() -> Duration {
    let secs = std::env::var("STAUNCH_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(2.0);
    Duration::from_secs_f64(secs)
}

/// Runs `op` from `writers` tasks for `duration`; returns operations per second.
async fn measure<F, Fut>(writers: usize, duration: Duration, op: F) -> f64
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send,
{
    let op = Arc::new(op);
    let count = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for w in 0..writers as u64 {
        let (op, count) = (op.clone(), count.clone());
        tasks.push(tokio::spawn(async move {
            // An in-memory write that needs no I/O completes without ever yielding, so each
            // task watches the clock itself and yields now and then to let the others run.
            let mut i = w;
            while Instant::now() < deadline {
                op(i % KEYS).await;
                i += writers as u64;
                count.fetch_add(1, Ordering::Relaxed);
                if i % 64 < writers as u64 {
                    tokio::task::yield_now().await;
                }
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    count.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

async fn file_store(policy: FsyncPolicy) -> (FileStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = FileStore::open_with(dir.path(), FileOptions::new().fsync(policy))
        .await
        .expect("open the file store");
    (store, dir)
}

async fn file_sets(policy: FsyncPolicy, writers: usize, duration: Duration) -> f64 {
    file_sets_stats(policy, writers, duration).await.0
}

/// Throughput and writes per fsync.
async fn file_sets_stats(policy: FsyncPolicy, writers: usize, duration: Duration) -> (f64, f64) {
    let (store, _dir) = file_store(policy).await;
    let s = store.clone();
    let rate = measure(writers, duration, move |k| {
        let s = s.clone();
        async move {
            s.set(&format!("key:{k}"), VALUE).await.expect("SET");
        }
    })
    .await;
    let stats = store.log_stats();
    store.close().await.expect("close");
    (rate, stats.records as f64 / stats.fsyncs.max(1) as f64)
}

async fn redis_sets(url: &str, writers: usize, duration: Duration) -> f64 {
    let client = redis::Client::open(url).expect("redis url");
    let connection = client
        .get_multiplexed_async_connection()
        .await
        .expect("connect to redis-server");
    measure(writers, duration, move |k| {
        let mut c = connection.clone();
        async move {
            redis::cmd("SET")
                .arg(format!("key:{k}"))
                .arg(&VALUE[..])
                .query_async::<()>(&mut c)
                .await
                .expect("redis SET");
        }
    })
    .await
}

/// Whether the part `name` was asked for (all are, unless `STAUNCH_BENCH_ONLY` says otherwise).
fn wanted(name: &str) -> bool {
    std::env::var("STAUNCH_BENCH_ONLY").map_or(true, |only| only.split(',').any(|p| p == name))
}

fn line(label: &str, a: (&str, f64), b: (&str, f64)) {
    println!(
        "{label:<44} {:>10} {:>12.0} ops/s | {:>10} {:>12.0} ops/s | ratio {:>6.2}x",
        a.0,
        a.1,
        b.0,
        b.1,
        a.1 / b.1
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let d = run_secs();
    println!(
        "staunch-file benchmark ({:.1?} per run, 64-byte values, {KEYS} keys)\n",
        d
    );

    if wanted("policies") {
        policies(d).await;
    }
    if wanted("always") {
        group_commit(d).await;
    }
    if wanted("redis") {
        against_redis(d).await;
    }
    if wanted("reopen") {
        reopen().await;
    }
}

async fn policies(d: Duration) {
    // everysec against no, alternating so that drift in the machine hits both alike.
    let mut everysec = 0f64;
    let mut no = 0f64;
    for _ in 0..2 {
        everysec = everysec.max(file_sets(FsyncPolicy::EverySec, 1, d).await);
        no = no.max(file_sets(FsyncPolicy::No, 1, d).await);
    }
    line(
        "SET, 1 writer: everysec vs no",
        ("everysec", everysec),
        ("no", no),
    );
    let everysec16 = file_sets(FsyncPolicy::EverySec, 16, d).await;
    let no16 = file_sets(FsyncPolicy::No, 16, d).await;
    line(
        "SET, 16 writers: everysec vs no",
        ("everysec", everysec16),
        ("no", no16),
    );
}

async fn group_commit(d: Duration) {
    // Alternating, best of two each: the fsync latency of a shared machine drifts.
    let (mut always1, mut always16) = ((0f64, 0f64), (0f64, 0f64));
    for _ in 0..2 {
        let one = file_sets_stats(FsyncPolicy::Always, 1, d).await;
        let sixteen = file_sets_stats(FsyncPolicy::Always, 16, d).await;
        if one.0 > always1.0 {
            always1 = one;
        }
        if sixteen.0 > always16.0 {
            always16 = sixteen;
        }
    }
    line(
        "SET always: 16 writers vs 1 writer",
        ("16 writers", always16.0),
        ("1 writer", always1.0),
    );
    println!(
        "{:<44} {:>10} {:>12.1} per fsync | {:>10} {:>12.1} per fsync",
        "  writes sharing each fsync (group commit)",
        "16 writers",
        always16.1,
        "1 writer",
        always1.1
    );
}

async fn against_redis(d: Duration) {
    // Against redis-server with appendonly everysec.
    let options = RedisServerOptions::new()
        .appendonly(true)
        .appendfsync("everysec");
    match RedisServer::start_with(options).await {
        Ok(server) => {
            for writers in [1, 16] {
                let redis = redis_sets(&server.url(), writers, d).await;
                let file = file_sets(FsyncPolicy::EverySec, writers, d).await;
                line(
                    &format!("SET everysec, {writers} writer(s): file vs redis-server"),
                    ("file", file),
                    ("redis", redis),
                );
            }
        }
        Err(e) => println!("redis-server comparison skipped: it did not start: {e}"),
    }
}

async fn reopen() {
    // Reopen time of a log of one million operations.
    let dir = tempfile::tempdir().expect("temp dir");
    let options = FileOptions::new()
        .fsync(FsyncPolicy::No)
        .auto_compact(false);
    let store = FileStore::open_with(dir.path(), options.clone())
        .await
        .expect("open");
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..16u64 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut i = w;
            while i < 1_000_000 {
                store
                    .set(&format!("key:{}", i % 100_000), VALUE)
                    .await
                    .expect("SET");
                i += 16;
            }
        }));
    }
    for task in tasks {
        task.await.expect("writer");
    }
    let write_time = started.elapsed();
    let log_bytes = store.log_bytes();
    store.close().await.expect("close");
    let store = FileStore::open_with(dir.path(), options.clone())
        .await
        .expect("reopen");
    let report = store.open_report().clone();
    let keys = store.dbsize().await.expect("dbsize");
    println!(
        "reopen of a log of {} operations ({:.1} MiB, {keys} keys, written in {:.2?}): {:.2?} \
         ({:.0} records/s)",
        report.records_replayed,
        log_bytes as f64 / (1 << 20) as f64,
        write_time,
        report.duration,
        report.records_replayed as f64 / report.duration.as_secs_f64()
    );
    let compacted = store.compact().await.expect("compact");
    store.close().await.expect("close");
    let store = FileStore::open_with(dir.path(), options)
        .await
        .expect("reopen");
    println!(
        "reopen after compaction ({} keys, {:.1} MiB snapshot): {:.2?}",
        compacted.keys,
        compacted.snapshot_bytes as f64 / (1 << 20) as f64,
        store.open_report().duration
    );
    store.close().await.expect("close");
}
