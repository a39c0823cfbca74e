//! Replaying a long log on two threads gives exactly the serial result: records on different
//! keys commute, a key's records stay in order, and records that span keys on both threads
//! (`RENAME`, `MSET`) or name none (`FLUSHDB`) are applied alone, in their place.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use staunch_core::prelude::*;
use staunch_core::{ScanOptions, Store};
use staunch_file::{FileOptions, FileStore, FsyncPolicy};
use staunch_memory::MemoryStore;

fn options() -> FileOptions {
    FileOptions::new()
        .fsync(FsyncPolicy::No)
        .auto_compact(false)
}

/// Every key with its value, sorted.
async fn contents(store: &dyn Store) -> Vec<(String, Option<String>)> {
    let mut keys = store.scan_all(ScanOptions::default()).await.expect("scan");
    keys.sort();
    let mut out = Vec::new();
    for key in keys {
        let value = store.get_string(&key).await.expect("get");
        out.push((key.to_string(), value));
    }
    out
}

/// Runs `steps` random string writes on both stores; `span_every` in how many steps is a
/// multi-key write (0: never).
async fn random_writes(file: &FileStore, memory: &MemoryStore, steps: usize, span_every: u32) {
    let mut rng = StdRng::seed_from_u64(17);
    for step in 0..steps {
        let key = format!("k{}", rng.random_range(0..200));
        let other = format!("k{}", rng.random_range(0..200));
        let spans = span_every > 0 && rng.random_range(0..span_every) == 0;
        let stores: [&dyn Store; 2] = [file, memory];
        for store in stores {
            if spans {
                match step % 3 {
                    0 => {
                        // Both outcomes (moved, or "no such key") must agree.
                        let _ = store.rename(&key, &other).await;
                    }
                    1 => store
                        .mset([(key.as_str(), "m1"), (other.as_str(), "m2")])
                        .await
                        .expect("mset"),
                    _ if step % 97 == 2 => store.flushdb().await.expect("flushdb"),
                    _ => {
                        store.append(&key, "+").await.expect("append");
                    }
                }
            } else {
                match step % 4 {
                    0 => store.set(&key, format!("v{step}")).await.expect("set"),
                    1 => {
                        store.append(&key, "a").await.expect("append");
                    }
                    2 => {
                        store.del(&key).await.expect("del");
                    }
                    _ => {
                        let _ = store.incrby(&key, 1).await;
                    }
                }
            }
        }
    }
}

async fn reopen_matches(span_every: u32) {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = FileStore::open_with(dir.path(), options())
        .await
        .expect("open");
    let memory = MemoryStore::new();
    random_writes(&file, &memory, 6000, span_every).await;
    let expected = contents(&memory).await;
    assert_eq!(contents(&file).await, expected);
    let logged = file.log_stats().records;
    assert!(logged > 3000, "{logged}");
    file.close().await.expect("close");
    let file = FileStore::open_with(dir.path(), options())
        .await
        .expect("reopen");
    assert_eq!(file.open_report().records_replayed, logged);
    assert_eq!(file.open_report().replay_errors, 0);
    assert_eq!(contents(&file).await, expected);
    file.close().await.expect("close");
}

/// Mostly single-key records, a few spanning keys: replayed on two threads with barriers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_threads_replay_as_one() {
    reopen_matches(200).await;
}

/// Many records spanning keys: replay switches to one thread partway, and still agrees.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_full_of_multi_key_records_replays_serially_and_agrees() {
    reopen_matches(4).await;
}

/// Only single-key records.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_key_records_replay_on_two_threads() {
    reopen_matches(0).await;
}
