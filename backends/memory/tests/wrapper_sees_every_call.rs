//! A wrapper written the way a user would write one (it puts every key under a prefix) around
//! the memory store, whose in-process fast paths answer without a future and without
//! allocating: every typed method, as a single call, a pipeline step and a batch step, must
//! reach the wrapper, and no key may reach the memory store without the prefix.
//!
//! The calls come from the command table (`testkit::typed_calls`), so a command added later is
//! covered without touching this test.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use staunch_core::prelude::*;
use staunch_core::testkit::typed_calls::every_typed_call;
use staunch_core::{Call, Execution, Result, Subscription, async_trait};
use staunch_memory::MemoryStore;

/// The user's wrapper: `app:` before every key, and a count of what came through.
struct AppPrefix {
    inner: MemoryStore,
    calls: AtomicU64,
    batches: AtomicU64,
}

impl AppPrefix {
    fn prefixed(&self, mut command: Command) -> Command {
        for key in command.keys_mut() {
            *key = staunch_core::Name::from([&b"app:"[..], key].concat());
        }
        command
    }
}

#[async_trait]
impl Store for AppPrefix {
    fn call(&self, call: Call<'_>) -> Execution<'_> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let command = self.prefixed(call.into_owned());
        self.inner.execute(command)
    }

    async fn batch(&self, commands: Vec<Command>, atomic: bool) -> Result<Vec<Result<Reply>>> {
        self.batches.fetch_add(1, Ordering::SeqCst);
        let commands = commands.into_iter().map(|c| self.prefixed(c)).collect();
        self.inner.batch(commands, atomic).await
    }

    async fn subscribe(
        &self,
        channels: Vec<staunch_core::Name>,
        patterns: Vec<staunch_core::Name>,
    ) -> Result<Subscription> {
        self.inner.subscribe(channels, patterns).await
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_typed_call_goes_through_the_wrapper() {
    let inner = MemoryStore::new();
    let wrapper = AppPrefix {
        inner: inner.clone(),
        calls: AtomicU64::new(0),
        batches: AtomicU64::new(0),
    };
    let calls = every_typed_call(&wrapper);
    // Three forms of each of the table's typed methods (about a hundred).
    assert!(calls.len() > 250, "only {} typed calls", calls.len());
    let mut missed = Vec::new();
    for (method, call) in calls {
        let before = (
            wrapper.calls.load(Ordering::SeqCst),
            wrapper.batches.load(Ordering::SeqCst),
        );
        // Errors are expected (the sample keys hold every type in turn); bypassing is not.
        let _ = call.await;
        let after = (
            wrapper.calls.load(Ordering::SeqCst),
            wrapper.batches.load(Ordering::SeqCst),
        );
        if after == before {
            missed.push(method);
        }
    }
    assert!(
        missed.is_empty(),
        "calls that bypassed the wrapper: {missed:?}"
    );

    // Writes did land (the calls did something), and only under the prefix.
    let keys = inner.scan_all(ScanOptions::new()).await.unwrap();
    assert!(!keys.is_empty(), "no typed write reached the store");
    let unprefixed: Vec<&staunch_core::Name> =
        keys.iter().filter(|k| !k.starts_with(b"app:")).collect();
    assert!(
        unprefixed.is_empty(),
        "keys written around the wrapper: {unprefixed:?}"
    );
}

/// The same through `Arc<dyn Store>`, the way services hold a store.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shared_wrapper_sees_every_typed_call() {
    let inner = MemoryStore::new();
    let wrapper = Arc::new(AppPrefix {
        inner: inner.clone(),
        calls: AtomicU64::new(0),
        batches: AtomicU64::new(0),
    });
    let store: Arc<dyn Store> = wrapper.clone();
    let calls = every_typed_call(&store);
    let total = calls.len() as u64;
    for (_, call) in calls {
        let _ = call.await;
    }
    let seen = wrapper.calls.load(Ordering::SeqCst) + wrapper.batches.load(Ordering::SeqCst);
    assert!(
        seen >= total,
        "{seen} calls reached the wrapper of {total} made"
    );
    let keys = inner.scan_all(ScanOptions::new()).await.unwrap();
    assert!(keys.iter().all(|k| k.starts_with(b"app:")), "{keys:?}");
}
