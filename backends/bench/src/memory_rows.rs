//! The memory engine's rows: GET/SET throughput against dashmap at 1 and 2 threads, memory per
//! key against redis-server's `used_memory` for the same data, and how throughput and memory
//! grow with the number of keys.
//!
//! Throughput pairs run in this process, alternating staunch and dashmap round by round so
//! that drift in the machine's speed hits both alike; the figure of each side is its median
//! round. Memory figures are taken in fresh child processes (see `process`).

use bytes::Bytes;
use dashmap::DashMap;
use staunch_core::{Hashes, Sets, SortedSets};
use staunch_memory::MemoryStore;

use crate::dataset::{Kind, MEMBERS, collection_key, hash_field, member, string_key, string_value};
use crate::mix::{Workload, ready};
use crate::process::{resident_bytes, run_child};
use crate::redis_memory;
use crate::table::{Better, Row, spread};

/// Sizes of one run of the memory rows.
#[derive(Debug, Clone)]
pub struct MemoryBenchOptions {
    /// Keys in the keyspace of the throughput rows.
    pub mix_keys: usize,
    /// Operations per thread in one round.
    pub mix_ops: usize,
    /// Rounds per side.
    pub rounds: usize,
    /// Keys loaded for the memory-per-key rows.
    pub memory_keys: usize,
    /// Keyspace sizes of the growth table.
    pub growth: Vec<usize>,
}

impl Default for MemoryBenchOptions {
    fn default() -> Self {
        MemoryBenchOptions {
            mix_keys: 100_000,
            mix_ops: 1_000_000,
            rounds: 7,
            memory_keys: 1_000_000,
            growth: vec![10_000, 1_000_000, 5_000_000],
        }
    }
}

impl MemoryBenchOptions {
    /// Small sizes for a quick check that everything runs (figures are then not the table's).
    pub fn quick() -> Self {
        MemoryBenchOptions {
            mix_keys: 10_000,
            mix_ops: 200_000,
            rounds: 3,
            memory_keys: 100_000,
            growth: vec![10_000, 100_000],
        }
    }
}

/// Throughput rows: staunch against dashmap at 1 and 2 threads, and staunch's own scaling.
pub fn throughput_rows(options: &MemoryBenchOptions) -> Vec<Row> {
    let workload = Workload::new(options.mix_keys);
    let store = MemoryStore::new();
    workload.load_staunch(&store);
    let map = DashMap::new();
    workload.load_dashmap(&map);
    let mut rows = Vec::new();
    let mut staunch_by_threads = Vec::new();
    for threads in [1, 2] {
        let (mut ours, mut theirs, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..options.rounds {
            let o = workload.run_staunch(&store, threads, options.mix_ops);
            let t = workload.run_dashmap(&map, threads, options.mix_ops);
            ours.push(o);
            theirs.push(t);
            ratios.push(o / t);
        }
        let (ours_med, theirs_med) = (spread(&ours).1, spread(&theirs).1);
        let (low, _, high) = spread(&ratios);
        staunch_by_threads.push(ours.clone());
        rows.push(Row {
            figure: format!(
                "memory GET/SET 50/50, {threads} thread{}",
                if threads == 1 { "" } else { "s" }
            ),
            peer: "dashmap 6.2".into(),
            target: Some(1.0),
            better: Better::Higher,
            ours: ours_med,
            theirs: theirs_med,
            unit: "ops/s",
            note: format!(
                "{} keys, rounds' ratios {low:.2}-{high:.2}",
                options.mix_keys
            ),
        });
    }
    // For reference: the same at 1 thread when every SET hands over one of 1024 shared
    // buffers, so dashmap stores reference counts instead of values.
    let pooled = Workload::new(options.mix_keys).pooled();
    let store = MemoryStore::new();
    pooled.load_staunch(&store);
    let map = DashMap::new();
    pooled.load_dashmap(&map);
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..options.rounds {
        ours.push(pooled.run_staunch(&store, 1, options.mix_ops));
        theirs.push(pooled.run_dashmap(&map, 1, options.mix_ops));
    }
    rows.push(Row {
        figure: "memory GET/SET 50/50, 1 thread, shared values".into(),
        peer: "dashmap 6.2".into(),
        target: None,
        better: Better::Higher,
        ours: spread(&ours).1,
        theirs: spread(&theirs).1,
        unit: "ops/s",
        note: "SETs hand over clones of 1024 pooled Bytes: dashmap keeps only reference counts"
            .into(),
    });
    let one = spread(&staunch_by_threads[0]).1;
    let two = spread(&staunch_by_threads[1]).1;
    rows.push(Row {
        figure: "memory GET/SET 50/50, 2 threads over 1".into(),
        peer: "staunch, 1 thread".into(),
        target: Some(1.0),
        better: Better::Higher,
        ours: two,
        theirs: one,
        unit: "ops/s",
        note: "more throughput with 2 threads than with 1".into(),
    });
    rows
}

/// Memory-per-key rows: staunch's RSS growth per key against redis-server's `used_memory`
/// growth per key for the same data, each kind loaded into a fresh process and a flushed
/// server; plus dashmap's RSS per key for strings, for reference.
pub async fn memory_rows(options: &MemoryBenchOptions) -> Vec<Row> {
    let n = options.memory_keys;
    let redis = redis_memory::per_key(n).await;
    let mut rows = Vec::new();
    for kind in Kind::ALL {
        let ours = match run_child(&[
            "memory".into(),
            "staunch".into(),
            kind.name().into(),
            n.to_string(),
        ]) {
            Ok(figures) => figures[0],
            Err(e) => {
                println!("memory {}: {e}", kind.describe());
                continue;
            }
        };
        match &redis {
            Some(redis) => {
                let theirs = redis.used_memory_per_key(kind);
                rows.push(Row {
                    figure: format!("memory per key, {}", kind.describe()),
                    peer: format!("redis {}", redis.version),
                    target: Some(1.3),
                    better: Better::Lower,
                    ours,
                    theirs,
                    unit: "B/key",
                    note: format!(
                        "{n} keys; staunch RSS delta vs redis used_memory delta (redis RSS delta {:.0} B/key)",
                        redis.rss_per_key(kind)
                    ),
                });
            }
            None => println!(
                "memory per key, {}: staunch {ours:.0} B/key; redis-server figure SKIPPED",
                kind.describe()
            ),
        }
        if kind == Kind::Strings {
            match run_child(&[
                "memory".into(),
                "dashmap".into(),
                kind.name().into(),
                n.to_string(),
            ]) {
                Ok(figures) => rows.push(Row {
                    figure: format!("memory per key, {}", kind.describe()),
                    peer: "dashmap 6.2".into(),
                    target: None,
                    better: Better::Lower,
                    ours,
                    theirs: figures[0],
                    unit: "B/key",
                    note: format!("{n} keys; RSS deltas, for reference"),
                }),
                Err(e) => println!("dashmap memory: {e}"),
            }
        }
    }
    rows
}

/// The growth table: loading speed, memory per key and mix throughput at each size.
pub fn print_growth(options: &MemoryBenchOptions) {
    println!();
    println!(
        "{:<9} {:<8} {:>12} {:>10} {:>14} {:>14}",
        "keys", "side", "load keys/s", "RSS B/key", "mix 1 thread", "mix 2 threads"
    );
    for &n in &options.growth {
        for side in ["staunch", "dashmap"] {
            match run_child(&[
                "growth".into(),
                side.into(),
                n.to_string(),
                options.mix_ops.to_string(),
            ]) {
                Ok(f) => println!(
                    "{n:<9} {side:<8} {:>12.0} {:>10.1} {:>14.0} {:>14.0}",
                    f[0], f[1], f[2], f[3]
                ),
                Err(e) => println!("{n:<9} {side:<8} {e}"),
            }
        }
    }
}

/// Loads `n` keys of `kind` into a fresh store of `side` and returns the RSS growth per key.
fn load_and_measure(side: &str, kind: Kind, n: usize) -> Result<f64, String> {
    let before = resident_bytes().ok_or("no /proc/self/status")?;
    let keep: Box<dyn std::any::Any> = match side {
        "staunch" => {
            let store = MemoryStore::new();
            load_staunch(&store, kind, n)?;
            Box::new(store)
        }
        "dashmap" if kind == Kind::Strings => {
            let map: DashMap<String, Bytes> = DashMap::new();
            for i in 0..n {
                map.insert(string_key(i), Bytes::from(string_value(i)));
            }
            Box::new(map)
        }
        other => return Err(format!("no memory figure for {other} {}", kind.name())),
    };
    let after = resident_bytes().ok_or("no /proc/self/status")?;
    drop(keep);
    Ok(after.saturating_sub(before) as f64 / n as f64)
}

fn load_staunch(store: &MemoryStore, kind: Kind, n: usize) -> Result<(), String> {
    use staunch_core::Strings;
    let failed = |e: staunch_core::Error| e.to_string();
    for i in 0..n {
        let key = collection_key(kind, i);
        match kind {
            Kind::Strings => ready(store.set(&key, string_value(i))).map_err(failed)?,
            Kind::Hashes => {
                ready(store.hset_multiple(&key, (0..MEMBERS).map(|j| hash_field(i, j))))
                    .map_err(failed)?;
            }
            Kind::Sets => {
                ready(store.sadd_multiple(&key, (0..MEMBERS).map(member))).map_err(failed)?;
            }
            Kind::SortedSets => {
                ready(store.zadd_multiple(&key, (0..MEMBERS).map(|j| (j as f64, member(j)))))
                    .map_err(failed)?;
            }
        }
    }
    Ok(())
}

/// The growth figures of one side at `n` keys: load rate, RSS per key, mix throughput at 1
/// and 2 threads.
fn growth(side: &str, n: usize, ops: usize) -> Result<[f64; 4], String> {
    let workload = Workload::new(n);
    let before = resident_bytes().ok_or("no /proc/self/status")?;
    let start = std::time::Instant::now();
    let figures = match side {
        "staunch" => {
            let store = MemoryStore::new();
            workload.load_staunch(&store);
            let load = n as f64 / start.elapsed().as_secs_f64();
            let rss = resident_bytes().unwrap_or(before).saturating_sub(before) as f64 / n as f64;
            [
                load,
                rss,
                workload.run_staunch(&store, 1, ops),
                workload.run_staunch(&store, 2, ops),
            ]
        }
        "dashmap" => {
            let map = DashMap::new();
            workload.load_dashmap(&map);
            let load = n as f64 / start.elapsed().as_secs_f64();
            let rss = resident_bytes().unwrap_or(before).saturating_sub(before) as f64 / n as f64;
            [
                load,
                rss,
                workload.run_dashmap(&map, 1, ops),
                workload.run_dashmap(&map, 2, ops),
            ]
        }
        other => return Err(format!("unknown side {other}")),
    };
    Ok(figures)
}

/// The body of a measuring child process (`--child memory <side> <kind> <n>`,
/// `--child growth <side> <n> <ops>` or `--child mix <side> <keys> <ops> <threads>`): prints
/// its figures on one line.
pub fn child(args: &[String]) -> Result<(), String> {
    let number = |i: usize| -> Result<usize, String> {
        args.get(i)
            .and_then(|a| a.parse().ok())
            .ok_or_else(|| format!("argument {i} of {args:?} is not a number"))
    };
    match args.first().map(String::as_str) {
        Some("memory") => {
            let side = args.get(1).ok_or("missing side")?;
            let kind = args
                .get(2)
                .and_then(|k| Kind::parse(k))
                .ok_or("missing or unknown kind")?;
            let per_key = load_and_measure(side, kind, number(3)?)?;
            println!("{per_key}");
        }
        Some("growth") => {
            let side = args.get(1).ok_or("missing side")?;
            let f = growth(side, number(2)?, number(3)?)?;
            println!("{} {} {} {}", f[0], f[1], f[2], f[3]);
        }
        Some("mix") => {
            // One side alone, for profiling: `--child mix <side> <keys> <ops> <threads>`.
            let side = args.get(1).ok_or("missing side")?;
            let workload = Workload::new(number(2)?);
            let (ops, threads) = (number(3)?, number(4)?);
            let rate = match side.as_str() {
                "staunch" => {
                    let store = MemoryStore::new();
                    workload.load_staunch(&store);
                    workload.run_staunch(&store, threads, ops)
                }
                _ => {
                    let map = DashMap::new();
                    workload.load_dashmap(&map);
                    workload.run_dashmap(&map, threads, ops)
                }
            };
            println!("{rate}");
        }
        other => return Err(format!("unknown child job {other:?}")),
    }
    Ok(())
}
