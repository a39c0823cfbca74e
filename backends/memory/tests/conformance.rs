//! The whole conformance testkit against the memory backend, one test per case:
//! `cargo test -p staunch-memory --test conformance -- --list` lists them,
//! `cargo test -p staunch-memory -- memory::test_zadd` runs the `ZADD` ones.

use std::process::ExitCode;
use std::sync::Arc;

use staunch_core::testkit::TestStore;
use staunch_core::testkit::harness::{self, Backend};
use staunch_memory::MemoryStore;

fn main() -> ExitCode {
    harness::run(Backend::new("memory", || async {
        Arc::new(MemoryStore::new()) as TestStore
    }))
}
