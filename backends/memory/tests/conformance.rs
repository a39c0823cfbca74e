//! The whole conformance testkit against the memory backend.

use std::sync::Arc;

use staunch_core::testkit::{self, TestStore};
use staunch_memory::MemoryStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn memory_passes_the_testkit() {
    testkit::run_all("memory", || async {
        Arc::new(MemoryStore::new()) as TestStore
    })
    .await;
}
