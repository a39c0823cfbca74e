//! Fuzzes the queue against its reference model: the bytes become a sequence of operations
//! (enqueue, claim, heartbeat, complete, fail, release, cancel, advance time, reap, pause,
//! resume) run on a real `Queue` over the memory backend and on the model in
//! `tests/queue_model/model.rs`, comparing every result and the whole state after each step.
//! The proptest `tests/queue_model.rs` runs the same model on stable Rust in CI.
//!
//! `cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run queue_model` (`cargo install cargo-fuzz`
//! first). A crash prints the operations; the same bytes replay in the proptest harness.

#![no_main]

use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use staunch_core::ManualClock;
use staunch_memory::{MemoryOptions, MemoryStore};

#[path = "../../tests/queue_model/model.rs"]
#[allow(dead_code)]
mod model;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime")
    })
}

fuzz_target!(|data: &[u8]| {
    let ops = model::decode(data);
    let clock = ManualClock::new(model::START_MS);
    let result = runtime().block_on(async {
        let options = MemoryOptions::new().clock(Arc::new(clock.clone()));
        let store = Arc::new(MemoryStore::with_options(options));
        model::check(store, clock, &ops).await
    });
    if let Err(e) = result {
        panic!("the queue diverged from its model: {e}\nops: {ops:?}");
    }
});
