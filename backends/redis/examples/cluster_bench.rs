//! The Redis Cluster backend against the `redis` crate's own async cluster connection, on a
//! local cluster of 3 primaries and 3 replicas this program starts: a 50/50 `GET`/`SET` mix of
//! 16-byte values over 10 000 keys at concurrency 1, 16 and 256, both clients in the same run,
//! alternating, several rounds; it prints operations per second and the ratio (target: the
//! backend at 0.9x or better).
//!
//! Both clients speak RESP3 with the same connection and response timeouts (staunch's
//! defaults, 5 s each): staunch always bounds a call, so the redis crate is measured doing the
//! same. Its timeout is a timer per request, which costs a few percent at high concurrency.
//!
//! ```sh
//! cargo run --release -p staunch-redis --example cluster_bench            # 15 rounds
//! cargo run --release -p staunch-redis --example cluster_bench -- 31      # 31 rounds
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use redis::AsyncCommands;
use staunch_core::prelude::*;
use staunch_core::testkit::redis_cluster::{ClusterOptions, RedisCluster};
use staunch_redis::{RedisOptions, RedisStore};

const KEYS: u64 = 10_000;
const VALUE: &str = "0123456789abcdef";

/// Runs `ops` operations spread over `concurrency` tasks; returns operations per second.
async fn run<F, Fut>(concurrency: usize, ops: u64, op: F) -> f64
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let op = Arc::new(op);
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let op = op.clone();
            let next = next.clone();
            tokio::spawn(async move {
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= ops {
                        break;
                    }
                    op(n).await;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("bench task");
    }
    ops as f64 / started.elapsed().as_secs_f64()
}

fn key(n: u64) -> String {
    // A cheap scramble so consecutive operations hit different slots.
    format!("bench:{}", n.wrapping_mul(2_654_435_761) % KEYS)
}

#[tokio::main]
async fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(15);
    let cluster = RedisCluster::start(ClusterOptions::default())
        .await
        .expect("start a local Redis Cluster (redis-server and redis-cli on PATH)");
    let ours = RedisStore::connect_with(RedisOptions::new(cluster.url()))
        .await
        .expect("connect the backend");
    let nodes: Vec<String> = cluster
        .servers()
        .iter()
        .map(|s| format!("redis://127.0.0.1:{}", s.port()))
        .collect();
    let defaults = RedisOptions::new(cluster.url());
    let theirs = redis::cluster::ClusterClientBuilder::new(nodes)
        .use_protocol(redis::ProtocolVersion::RESP3)
        .connection_timeout(defaults.connect_timeout)
        .response_timeout(defaults.response_timeout)
        .build()
        .expect("cluster client")
        .get_async_connection()
        .await
        .expect("connect the redis crate");
    for n in 0..KEYS {
        ours.set(&key(n), VALUE).await.expect("fill");
    }
    println!("GET/SET 50/50 on a local cluster (3 primaries, 3 replicas), {rounds} rounds");
    println!(
        "concurrency | staunch ops/s (median) | redis crate ops/s (median) | ratio min / median / max"
    );
    for concurrency in [1usize, 16, 256] {
        // Short rounds, many of them, in alternating order: on a shared machine the load
        // changes from second to second, and the ratio of neighbours is what stays meaningful.
        let ops = if concurrency == 1 { 5_000 } else { 30_000 };
        let mut ratios = Vec::new();
        let mut ours_rates = Vec::new();
        let mut theirs_rates = Vec::new();
        for round in 0..rounds {
            let store = ours.clone();
            let ours_run = run(concurrency, ops, move |n| {
                let store = store.clone();
                async move {
                    if n % 2 == 0 {
                        store.get(&key(n)).await.expect("get");
                    } else {
                        store.set(&key(n), VALUE).await.expect("set");
                    }
                }
            });
            let conn = theirs.clone();
            let theirs_run = run(concurrency, ops, move |n| {
                let mut conn = conn.clone();
                async move {
                    if n % 2 == 0 {
                        let _: Option<Vec<u8>> = conn.get(key(n)).await.expect("get");
                    } else {
                        let _: () = conn.set(key(n), VALUE).await.expect("set");
                    }
                }
            });
            let (a, b) = if round % 2 == 0 {
                let a = ours_run.await;
                (a, theirs_run.await)
            } else {
                let b = theirs_run.await;
                (ours_run.await, b)
            };
            ours_rates.push(a);
            theirs_rates.push(b);
            ratios.push(a / b);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let median = |v: &mut Vec<f64>| {
            v.sort_by(|a, b| a.total_cmp(b));
            v[v.len() / 2]
        };
        let (lo, hi) = (
            ratios.iter().copied().fold(f64::INFINITY, f64::min),
            ratios.iter().copied().fold(0.0, f64::max),
        );
        println!(
            "{concurrency:>11} | {:>22.0} | {:>26.0} | {lo:.2} / {:.2} / {hi:.2}",
            median(&mut ours_rates),
            median(&mut theirs_rates),
            median(&mut ratios)
        );
    }
}
