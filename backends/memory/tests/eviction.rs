//! Bounded memory: least recently used keys are evicted by size, recently used ones survive.

use staunch_core::prelude::*;
use staunch_memory::{MemoryOptions, MemoryStore};

#[tokio::test]
async fn bounded_store_evicts_least_recently_used_keys_to_stay_under_its_bound() {
    let bound = 256 * 1024;
    let store = MemoryStore::with_options(MemoryOptions::new().max_bytes(bound));
    assert_eq!(store.capabilities().eviction, Eviction::Lru);
    let value = vec![b'x'; 1024];
    store.set("hot", &value).await.unwrap();
    for i in 0..2_000 {
        store.set(&format!("cold:{i}"), &value).await.unwrap();
        // Keep "hot" recently used throughout.
        assert!(
            store.get("hot").await.unwrap().is_some(),
            "hot key evicted at {i}"
        );
    }
    store.engine().evict_now();
    let tracked = store.engine().tracked_bytes().unwrap();
    assert!(
        tracked <= bound,
        "tracked {tracked} bytes over the bound {bound}"
    );
    let live = store.dbsize().await.unwrap();
    assert!(live < 2_000, "nothing was evicted: {live} keys live");
    assert!(live > 100, "evicted far more than needed: {live} keys live");
    assert!(
        store.get("hot").await.unwrap().is_some(),
        "recently used key survived"
    );
    assert!(
        store.get("cold:0").await.unwrap().is_none(),
        "the oldest unused key was evicted first"
    );
    assert!(
        store.get("cold:1999").await.unwrap().is_some(),
        "the newest key is kept"
    );
}

#[tokio::test]
async fn unbounded_store_never_evicts() {
    let store = MemoryStore::new();
    assert_eq!(store.capabilities().eviction, Eviction::None);
    let value = vec![b'x'; 1024];
    for i in 0..2_000 {
        store.set(&format!("k:{i}"), &value).await.unwrap();
    }
    assert_eq!(store.dbsize().await.unwrap(), 2_000);
    assert_eq!(store.engine().evict_now(), 0);
}
