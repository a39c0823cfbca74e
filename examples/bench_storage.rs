//! Storage benchmark: staunch's backends measured side by side with what they are built on or
//! compete with, in one run, printed as ratios (higher is better for staunch).
//!
//! ```text
//! cargo run --release --example bench_storage            # everything (starts a redis-server)
//! STAUNCH_SKIP_REDIS=1 cargo run --release --example bench_storage   # local parts only
//! STAUNCH_BENCH=collections cargo run --release --example bench_storage   # one section
//! ```
//!
//! - memory `GET`/`SET` against a bare `moka::sync::Cache` doing the same inserts and lookups
//!   (target: at least 0.8x);
//! - memory hash, list and sorted-set operations against a `parking_lot::RwLock<HashMap>`
//!   baseline holding the same collections (target: at least 0.7x);
//! - the Redis backend against the raw `redis` crate, both over one multiplexed RESP3
//!   connection to the same server, at concurrency 1, 16 and 256 (target: at least 0.9x).
//!
//! Each pair runs alternately over several rounds and the median throughput is compared, so
//! drift in the machine's speed hits both sides alike. Reads look up what the write just
//! before them wrote (a `SET` then three `GET`s of that key; `HSET` then `HGET` of that field;
//! `RPUSH` then `LPOP` of that list; `ZADD` then `ZSCORE` of that member), so they measure hits
//! and lists stay short, on both sides.

#[path = "support/side_by_side.rs"]
mod side_by_side;

use side_by_side::{ROUNDS, pair, verdict};

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::hint::black_box;
use std::time::{Duration, Instant};

use bytes::Bytes;
use parking_lot::RwLock;
use staunch::prelude::*;
use staunch_core::testkit::redis_server::test_redis;
use staunch_memory::MemoryStore;
use staunch_redis::{RedisOptions, RedisStore};

const KEYS: usize = 10_000;

fn report(name: &str, ours: f64, theirs: f64, baseline: &str, target: f64) {
    let ratio = ours / theirs;
    let mark = verdict(ratio, target);
    println!(
        "{name:<34} staunch {:>12.0} ops/s   {baseline:<18} {:>12.0} ops/s   ratio {ratio:>5.2}x (target {target}x) {mark}",
        ours, theirs
    );
}

fn keys() -> Vec<String> {
    (0..KEYS).map(|i| format!("key:{i}")).collect()
}

async fn memory_strings() {
    const OPS: usize = 200_000;
    let keys = keys();
    let value = Bytes::from(vec![b'v'; 64]);
    let store = MemoryStore::new();
    let moka: moka::sync::Cache<String, Bytes> = moka::sync::Cache::new(u64::MAX);
    let (ours, theirs) = pair(
        || async {
            let start = Instant::now();
            for i in 0..OPS {
                let key = &keys[(i / 4) % KEYS];
                if i % 4 == 0 {
                    store.set(key, &value).await.expect("set");
                } else {
                    black_box(store.get(key).await.expect("get"));
                }
            }
            OPS as f64 / start.elapsed().as_secs_f64()
        },
        || async {
            let start = Instant::now();
            for i in 0..OPS {
                let key = &keys[(i / 4) % KEYS];
                if i % 4 == 0 {
                    moka.insert(key.clone(), value.clone());
                } else {
                    black_box(moka.get(key));
                }
            }
            OPS as f64 / start.elapsed().as_secs_f64()
        },
    )
    .await;
    report(
        "memory GET/SET (1:3 SET:GET)",
        ours,
        theirs,
        "bare moka",
        0.8,
    );
}

/// A baseline sorted set: scores by member plus an order index.
type BaselineZSet = (HashMap<Bytes, f64>, BTreeSet<(u64, Bytes)>);

/// The baseline for collections: the same data structures under one `RwLock<HashMap>`,
/// without any of Redis's rules (types, TTLs, empty-key removal, replies).
#[derive(Default)]
struct Baseline {
    hashes: RwLock<HashMap<String, HashMap<String, Bytes>>>,
    lists: RwLock<HashMap<String, VecDeque<Bytes>>>,
    zsets: RwLock<HashMap<String, BaselineZSet>>,
}

fn ordered(score: f64) -> u64 {
    // Order-preserving bits for non-negative scores, enough for the baseline's BTreeSet.
    score.to_bits()
}

async fn memory_collections() {
    const OPS: usize = 100_000;
    let fields: Vec<String> = (0..64).map(|i| format!("field:{i}")).collect();
    let value = Bytes::from_static(b"value");
    let members: Vec<Bytes> = (0..256)
        .map(|i| Bytes::from(format!("member:{i}")))
        .collect();

    // Hashes: HSET then HGET on 100 keys.
    let store = MemoryStore::new();
    let base = Baseline::default();
    let (ours, theirs) = pair(
        || async {
            let start = Instant::now();
            for i in 0..OPS {
                let key = format!("h:{}", (i / 2) % 100);
                let field = &fields[(i / 2) % 64];
                if i % 2 == 0 {
                    store.hset(&key, field, &value).await.expect("hset");
                } else {
                    black_box(store.hget(&key, field).await.expect("hget"));
                }
            }
            OPS as f64 / start.elapsed().as_secs_f64()
        },
        || async {
            let start = Instant::now();
            for i in 0..OPS {
                let key = format!("h:{}", (i / 2) % 100);
                let field = &fields[(i / 2) % 64];
                if i % 2 == 0 {
                    base.hashes
                        .write()
                        .entry(key)
                        .or_default()
                        .insert(field.clone(), value.clone());
                } else {
                    black_box(
                        base.hashes
                            .read()
                            .get(&key)
                            .and_then(|h| h.get(field).cloned()),
                    );
                }
            }
            OPS as f64 / start.elapsed().as_secs_f64()
        },
    )
    .await;
    report("memory HSET/HGET", ours, theirs, "RwLock<HashMap>", 0.7);

    // Lists: RPUSH then LPOP (a queue) on 100 keys.
    let (ours, theirs) = pair(
        || async {
            let start = Instant::now();
            for i in 0..OPS {
                let key = format!("l:{}", (i / 2) % 100);
                if i % 2 == 0 {
                    store.rpush(&key, &value).await.expect("rpush");
                } else {
                    black_box(store.lpop(&key).await.expect("lpop"));
                }
            }
            OPS as f64 / start.elapsed().as_secs_f64()
        },
        || async {
            let start = Instant::now();
            for i in 0..OPS {
                let key = format!("l:{}", (i / 2) % 100);
                if i % 2 == 0 {
                    base.lists
                        .write()
                        .entry(key)
                        .or_default()
                        .push_back(value.clone());
                } else {
                    let mut lists = base.lists.write();
                    let popped = lists.get_mut(&key).and_then(VecDeque::pop_front);
                    if lists.get(&key).is_some_and(VecDeque::is_empty) {
                        lists.remove(&key);
                    }
                    black_box(popped);
                }
            }
            OPS as f64 / start.elapsed().as_secs_f64()
        },
    )
    .await;
    report("memory RPUSH/LPOP", ours, theirs, "RwLock<HashMap>", 0.7);

    // Sorted sets: ZADD then ZSCORE on 100 keys of up to 256 members.
    let (ours, theirs) = pair(
        || async {
            let start = Instant::now();
            for i in 0..OPS {
                let key = format!("z:{}", (i / 2) % 100);
                let member = &members[(i / 2) % 256];
                if i % 2 == 0 {
                    store
                        .zadd(&key, (i % 1000) as f64, member)
                        .await
                        .expect("zadd");
                } else {
                    black_box(store.zscore(&key, member).await.expect("zscore"));
                }
            }
            OPS as f64 / start.elapsed().as_secs_f64()
        },
        || async {
            let start = Instant::now();
            for i in 0..OPS {
                let key = format!("z:{}", (i / 2) % 100);
                let member = &members[(i / 2) % 256];
                if i % 2 == 0 {
                    let score = (i % 1000) as f64;
                    let mut zsets = base.zsets.write();
                    let (scores, order) = zsets.entry(key).or_default();
                    if let Some(old) = scores.insert(member.clone(), score) {
                        order.remove(&(ordered(old), member.clone()));
                    }
                    order.insert((ordered(score), member.clone()));
                } else {
                    black_box(
                        base.zsets
                            .read()
                            .get(&key)
                            .and_then(|(s, _)| s.get(member).copied()),
                    );
                }
            }
            OPS as f64 / start.elapsed().as_secs_f64()
        },
    )
    .await;
    report("memory ZADD/ZSCORE", ours, theirs, "RwLock<HashMap>", 0.7);
}

async fn redis_backend() {
    let Some(target) = test_redis("bench_storage redis section").await else {
        return;
    };
    let store = RedisStore::connect_with(RedisOptions::new(target.url()))
        .await
        .expect("connect staunch");
    let client = redis::Client::open(format!("{}?protocol=resp3", target.url())).expect("client");
    let config = redis::AsyncConnectionConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(5)))
        .set_response_timeout(Some(Duration::from_secs(5)));
    let raw = client
        .get_multiplexed_async_connection_with_config(&config)
        .await
        .expect("connect raw");
    let value = Bytes::from(vec![b'v'; 64]);
    let total_ops = 40_000usize;
    for concurrency in [1usize, 16, 256] {
        let per_task = total_ops / concurrency;
        let (ours, theirs) = pair(
            || {
                let store = store.clone();
                let value = value.clone();
                async move {
                    let start = Instant::now();
                    let tasks: Vec<_> = (0..concurrency)
                        .map(|t| {
                            let store = store.clone();
                            let value = value.clone();
                            tokio::spawn(async move {
                                for i in 0..per_task {
                                    let key = format!("bench:{}", (t * per_task + i / 4) % KEYS);
                                    if i % 4 == 0 {
                                        store.set(&key, &value).await.expect("set");
                                    } else {
                                        black_box(store.get(&key).await.expect("get"));
                                    }
                                }
                            })
                        })
                        .collect();
                    for task in tasks {
                        task.await.expect("task");
                    }
                    (per_task * concurrency) as f64 / start.elapsed().as_secs_f64()
                }
            },
            || {
                let raw = raw.clone();
                let value = value.clone();
                async move {
                    let start = Instant::now();
                    let tasks: Vec<_> = (0..concurrency)
                        .map(|t| {
                            let mut conn = raw.clone();
                            let value = value.clone();
                            tokio::spawn(async move {
                                for i in 0..per_task {
                                    let key = format!("bench:{}", (t * per_task + i / 4) % KEYS);
                                    if i % 4 == 0 {
                                        let _: () = redis::cmd("SET")
                                            .arg(&key)
                                            .arg(&value[..])
                                            .query_async(&mut conn)
                                            .await
                                            .expect("raw set");
                                    } else {
                                        let got: Option<Vec<u8>> = redis::cmd("GET")
                                            .arg(&key)
                                            .query_async(&mut conn)
                                            .await
                                            .expect("raw get");
                                        black_box(got);
                                    }
                                }
                            })
                        })
                        .collect();
                    for task in tasks {
                        task.await.expect("task");
                    }
                    (per_task * concurrency) as f64 / start.elapsed().as_secs_f64()
                }
            },
        )
        .await;
        report(
            &format!("redis GET/SET, concurrency {concurrency}"),
            ours,
            theirs,
            "raw redis crate",
            0.9,
        );
    }
    drop(target);
}

#[tokio::main]
async fn main() {
    println!("staunch storage benchmark (median of {ROUNDS} alternating rounds)\n");
    // `STAUNCH_BENCH=strings|collections|redis` runs one section (for profiling).
    let only = std::env::var("STAUNCH_BENCH").ok();
    let wanted = |name: &str| only.as_deref().is_none_or(|o| o == name);
    if wanted("strings") {
        memory_strings().await;
    }
    if wanted("collections") {
        memory_collections().await;
    }
    if wanted("redis") {
        redis_backend().await;
    }
}
