//! Model-based test of the queue: random sequences of enqueue (priorities, delays, retries,
//! unique keys), claim, claim_many, heartbeat, complete, fail, fail permanently, release,
//! cancel, advance time, reap (maintenance), pause and resume, flows (a parent waiting for
//! children, with either failure policy) and a repeatable definition (upsert, remove, its
//! occurrences enqueued by maintenance) run against the real queue and a
//! small reference model (`queue_model/model.rs`), comparing every result and, after each step,
//! every job's status and attempts, the sizes and the counters. On memory and on file, with a
//! manual clock. The same model is the cargo-fuzz target `fuzz/fuzz_targets/queue_model.rs`.
//!
//! `cargo test -p staunch --test queue_model` (`STAUNCH_QUEUE_MODEL_CASES` sets the number of
//! sequences per backend, default 256 on memory and 64 on file).

#[path = "queue_model/model.rs"]
#[allow(dead_code)]
mod model;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use proptest::collection::vec;
use proptest::prelude::any;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use staunch_core::{ManualClock, Store};

fn cases(default: u32) -> u32 {
    std::env::var("STAUNCH_QUEUE_MODEL_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

type Made = (Arc<dyn Store>, Box<dyn std::any::Any>);
type Maker = fn(ManualClock) -> Pin<Box<dyn Future<Output = Made>>>;

fn run(cases: u32, make: Maker) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&vec(any::<u8>(), 0..240), |bytes| {
        let ops = model::decode(&bytes);
        let clock = ManualClock::new(model::START_MS);
        let outcome = rt.block_on(async {
            let (store, keep) = make(clock.clone()).await;
            let outcome = model::check(store, clock, &ops).await;
            drop(keep);
            outcome
        });
        outcome.map_err(|e| TestCaseError::fail(format!("{e}\nops: {ops:?}")))
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[test]
fn memory_matches_model() {
    run(cases(256), |clock| {
        Box::pin(async move {
            let options = staunch_memory::MemoryOptions::new().clock(Arc::new(clock));
            let store: Arc<dyn Store> =
                Arc::new(staunch_memory::MemoryStore::with_options(options));
            (store, Box::new(()) as Box<dyn std::any::Any>)
        })
    });
}

#[test]
fn file_matches_model() {
    run(cases(64), |clock| {
        Box::pin(async move {
            let dir = tempfile::tempdir().expect("tempdir");
            let options = staunch_file::FileOptions::new()
                .clock(Arc::new(clock))
                .fsync(staunch_file::FsyncPolicy::No);
            let store = staunch_file::FileStore::open_with(dir.path(), options)
                .await
                .expect("open file store");
            let store: Arc<dyn Store> = Arc::new(store);
            (store, Box::new(dir) as Box<dyn std::any::Any>)
        })
    });
}
