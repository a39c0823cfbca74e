//! Fuzzes the queue against its reference model: the bytes become a sequence of operations
//! (enqueue, claim, complete-and-claim, heartbeat, complete, fail, release, cancel, advance
//! time, reap, pause, resume, enqueue a flow, upsert and remove a repeatable definition) run
//! on a real `Queue` over the memory backend and on the model in
//! `tests/queue_model/model.rs`, comparing every result and the whole state after each step.
//! The proptest `tests/queue_model.rs` runs the same model on stable Rust in CI.
//!
//! `cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run queue_model` (`cargo install cargo-fuzz`
//! first). A crash prints the operations; the same bytes replay in the proptest harness.

#![no_main]

use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use staunch_core::ManualClock;
use staunch_core::prelude::*;
use staunch_memory::{MemoryOptions, MemoryStore};

#[path = "../../tests/queue_model/model.rs"]
#[allow(dead_code)]
mod model;

/// One runtime, store and clock for the whole campaign (the store is flushed and the clock
/// reset before each input), so an execution costs the operations and nothing else.
struct Harness {
    runtime: tokio::runtime::Runtime,
    store: Arc<MemoryStore>,
    clock: ManualClock,
}

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let clock = ManualClock::new(model::START_MS);
        let store = {
            let _guard = runtime.enter();
            let options = MemoryOptions::new().clock(Arc::new(clock.clone()));
            Arc::new(MemoryStore::with_options(options))
        };
        Harness {
            runtime,
            store,
            clock,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let ops = model::decode(data);
    let h = harness();
    let result = h.runtime.block_on(async {
        h.store.flushdb().await.map_err(|e| e.to_string())?;
        model::check(h.store.clone(), h.clock.clone(), &ops).await
    });
    if let Err(e) = result {
        panic!("the queue diverged from its model: {e}\nops: {ops:?}");
    }
});
