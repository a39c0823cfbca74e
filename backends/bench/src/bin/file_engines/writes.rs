//! The write and read rows: `fsync=always` with 1 and 16 writers, `everysec` puts, point gets.
//!
//! staunch runs through its async API on a two-worker tokio runtime, as an application uses
//! it; redb and fjall run on plain threads through their own (blocking) APIs, as theirs do.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use redb::{ReadableDatabase, ReadableTable, TableDefinition};
use staunch_bench::table::{Better, per_second};
use staunch_core::prelude::*;
use staunch_file::{FileOptions, FileStore, FsyncPolicy};

use crate::{Round, Settings, print_row};

/// Keys the writers cycle through.
const KEYS: u64 = 10_000;
/// Keys the point-get rows read from.
const GET_KEYS: u64 = 100_000;
const VALUE: [u8; 64] = [b'v'; 64];
const TABLE: TableDefinition<&[u8], &[u8]> = TableDefinition::new("bench");

fn key(i: u64) -> String {
    format!("key:{i}")
}

/// Runs `op` from `writers` tokio tasks for `duration`; returns operations per second.
async fn staunch_rate<F, Fut>(writers: usize, duration: Duration, op: F) -> f64
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
            let mut i = w;
            while Instant::now() < deadline {
                op(i).await;
                i += writers as u64;
                count.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for task in tasks {
        if let Err(e) = task.await {
            panic!("a staunch writer failed: {e}");
        }
    }
    per_second(count.load(Ordering::Relaxed), started.elapsed())
}

/// Runs `op` from `threads` OS threads for `duration`; returns operations per second.
fn thread_rate<F>(threads: usize, duration: Duration, op: F) -> f64
where
    F: Fn(u64) + Send + Sync + 'static,
{
    let op = Arc::new(op);
    let count = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + duration;
    let handles: Vec<_> = (0..threads as u64)
        .map(|t| {
            let (op, count) = (op.clone(), count.clone());
            std::thread::spawn(move || {
                let mut i = t;
                while Instant::now() < deadline {
                    op(i);
                    i += threads as u64;
                    count.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for handle in handles {
        if handle.join().is_err() {
            panic!("a peer writer panicked");
        }
    }
    per_second(count.load(Ordering::Relaxed), started.elapsed())
}

/// staunch SETs under `policy` from `writers` tasks; returns (ops/s, writes per fsync).
async fn staunch_sets(policy: FsyncPolicy, writers: usize, duration: Duration) -> (f64, f64) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = FileStore::open_with(dir.path(), FileOptions::new().fsync(policy))
        .await
        .expect("open the file store");
    let s = store.clone();
    let rate = staunch_rate(writers, duration, move |i| {
        let s = s.clone();
        async move {
            s.set(&key(i % KEYS), &VALUE).await.expect("SET");
        }
    })
    .await;
    let stats = store.log_stats();
    store.close().await.expect("close");
    (rate, stats.records as f64 / stats.fsyncs.max(1) as f64)
}

/// redb inserts, one write transaction each, from `threads` threads.
fn redb_puts(threads: usize, durability: redb::Durability, duration: Duration) -> f64 {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = Arc::new(redb::Database::create(dir.path().join("redb")).expect("redb"));
    thread_rate(threads, duration, move |i| {
        let mut tx = db.begin_write().expect("begin");
        tx.set_durability(durability).expect("durability");
        {
            let mut table = tx.open_table(TABLE).expect("table");
            table
                .insert(key(i % KEYS).as_bytes(), &VALUE[..])
                .expect("insert");
        }
        tx.commit().expect("commit");
    })
}

/// fjall inserts from `threads` threads, each followed by `persist(SyncData)` when `sync`.
fn fjall_puts(threads: usize, sync: bool, duration: Duration) -> f64 {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = fjall::Database::builder(dir.path()).open().expect("fjall");
    let items = db
        .keyspace("bench", fjall::KeyspaceCreateOptions::default)
        .expect("keyspace");
    thread_rate(threads, duration, move |i| {
        items.insert(key(i % KEYS), VALUE).expect("insert");
        if sync {
            db.persist(fjall::PersistMode::SyncData).expect("persist");
        }
    })
}

/// `fsync=always` rows with `writers` writers.
pub(crate) async fn always(settings: &Settings, writers: usize) {
    let d = settings.secs;
    let (mut vs_redb, mut vs_fjall, mut per_fsync) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..settings.rounds {
        let (ours, shared) = staunch_sets(FsyncPolicy::Always, writers, d).await;
        let redb =
            tokio::task::block_in_place(|| redb_puts(writers, redb::Durability::Immediate, d));
        let (ours2, shared2) = staunch_sets(FsyncPolicy::Always, writers, d).await;
        let fjall = tokio::task::block_in_place(|| fjall_puts(writers, true, d));
        vs_redb.push(Round { ours, theirs: redb });
        vs_fjall.push(Round {
            ours: ours2,
            theirs: fjall,
        });
        per_fsync.push(shared.max(shared2));
    }
    let label = format!(
        "file fsync=always, {writers} writer{}",
        if writers == 1 { "" } else { "s" }
    );
    let note = format!(
        "staunch writes per fsync: {:.1}",
        crate::spread_median(&per_fsync)
    );
    let (redb_target, fjall_target) = if writers == 1 {
        (None, Some(1.0))
    } else {
        (Some(1.0), Some(1.0))
    };
    print_row(
        &label,
        "redb 5.0",
        redb_target,
        Better::Higher,
        "ops/s",
        &vs_redb,
        &note,
    );
    print_row(
        &label,
        "fjall 3.1",
        fjall_target,
        Better::Higher,
        "ops/s",
        &vs_fjall,
        "",
    );
}

/// `everysec` puts, one writer.
pub(crate) async fn everysec(settings: &Settings) {
    let d = settings.secs;
    let (mut vs_redb, mut vs_fjall) = (Vec::new(), Vec::new());
    for _ in 0..settings.rounds {
        let (ours, _) = staunch_sets(FsyncPolicy::EverySec, 1, d).await;
        let redb = tokio::task::block_in_place(|| redb_puts(1, redb::Durability::None, d));
        let (ours2, _) = staunch_sets(FsyncPolicy::EverySec, 1, d).await;
        let fjall = tokio::task::block_in_place(|| fjall_puts(1, false, d));
        vs_redb.push(Round { ours, theirs: redb });
        vs_fjall.push(Round {
            ours: ours2,
            theirs: fjall,
        });
    }
    let label = "file everysec puts, 1 writer";
    // The targets are the figures measured before this work ("as before or better").
    print_row(
        label,
        "redb 5.0 (no sync)",
        Some(4.5),
        Better::Higher,
        "ops/s",
        &vs_redb,
        "",
    );
    print_row(
        label,
        "fjall 3.1 (no persist)",
        Some(0.91),
        Better::Higher,
        "ops/s",
        &vs_fjall,
        "",
    );
}

/// A fixed scatter over the keys: the same sequence for every engine.
fn spread_key(i: u64) -> String {
    key(i.wrapping_mul(2_654_435_761) % GET_KEYS)
}

/// staunch GETs of [`spread_key`]s from one task for `d`; ops/s.
async fn staunch_gets(store: &FileStore, d: Duration) -> f64 {
    let s = store.clone();
    staunch_rate(1, d, move |i| {
        let s = s.clone();
        async move {
            let found = s.get(&spread_key(i)).await.expect("GET");
            assert!(found.is_some());
        }
    })
    .await
}

/// Point gets of random keys among [`GET_KEYS`], one reader.
pub(crate) async fn gets(settings: &Settings) {
    let d = settings.secs;
    let dir = tempfile::tempdir().expect("temp dir");
    let store = FileStore::open_with(dir.path(), FileOptions::new().fsync(FsyncPolicy::No))
        .await
        .expect("open");
    for chunk in (0..GET_KEYS).collect::<Vec<_>>().chunks(1000) {
        let pairs: Vec<(String, Vec<u8>)> =
            chunk.iter().map(|&i| (key(i), VALUE.to_vec())).collect();
        store.mset(pairs).await.expect("MSET");
    }
    let redb = Arc::new(redb::Database::create(dir.path().join("redb")).expect("redb"));
    {
        let tx = redb.begin_write().expect("begin");
        {
            let mut table = tx.open_table(TABLE).expect("table");
            for i in 0..GET_KEYS {
                table.insert(key(i).as_bytes(), &VALUE[..]).expect("insert");
            }
        }
        tx.commit().expect("commit");
    }
    let fjall_db = fjall::Database::builder(dir.path().join("fjall"))
        .open()
        .expect("fjall");
    let items = fjall_db
        .keyspace("bench", fjall::KeyspaceCreateOptions::default)
        .expect("keyspace");
    for i in 0..GET_KEYS {
        items.insert(key(i), VALUE).expect("insert");
    }
    let (mut vs_redb, mut vs_fjall) = (Vec::new(), Vec::new());
    for _ in 0..settings.rounds {
        let ours = staunch_gets(&store, d).await;
        let db = redb.clone();
        let theirs = tokio::task::block_in_place(|| {
            thread_rate(1, d, move |i| {
                let tx = db.begin_read().expect("begin read");
                let table = tx.open_table(TABLE).expect("table");
                let found = table.get(spread_key(i).as_bytes()).expect("get");
                assert!(found.is_some());
            })
        });
        vs_redb.push(Round { ours, theirs });
        let ours = staunch_gets(&store, d).await;
        let fjall_items = items.clone();
        let theirs = tokio::task::block_in_place(|| {
            thread_rate(1, d, move |i| {
                let found = fjall_items.get(spread_key(i)).expect("get");
                assert!(found.is_some());
            })
        });
        vs_fjall.push(Round { ours, theirs });
    }
    let label = format!("file point gets ({GET_KEYS} keys), 1 reader");
    print_row(
        &label,
        "redb 5.0",
        Some(2.7),
        Better::Higher,
        "ops/s",
        &vs_redb,
        "",
    );
    print_row(
        &label,
        "fjall 3.1",
        Some(3.8),
        Better::Higher,
        "ops/s",
        &vs_fjall,
        "",
    );
    store.close().await.expect("close");
}
