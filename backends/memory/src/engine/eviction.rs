//! Size-bounded eviction, the analogue of Redis `maxmemory` with `allkeys-lru`, driven by moka.
//!
//! The keyspace itself stays in the engine's `Db` (it needs exact Redis semantics, atomic
//! multi-key commands and scan cursors, which a cache cannot give). moka serves as the
//! *policy*: every write tells it the key's current weight and every read records an access;
//! when the total weight passes the bound, moka picks the least recently used keys and its
//! eviction listener queues them. The engine drains that queue after the next write (once the
//! write's own shard locks are released, since the chosen keys may lie in any shard) or at the
//! purge tick, and deletes those keys one at a time under their shard's lock, unless they were
//! written again since (then moka holds them again and the stale notice is ignored).
//!
//! Weights are approximate: a string weighs its key and value bytes; a collection its key plus
//! 64 bytes per element, so that recording a write stays O(1) however large the collection.

use std::sync::Arc;

use moka::notification::RemovalCause;
use moka::policy::EvictionPolicy;
use parking_lot::Mutex;

use super::db::{Db, Keyspace};
use super::value::Value;

/// Fixed overhead charged per key (dictionary entry, expiry slot), like Redis's own estimate.
const KEY_OVERHEAD: u64 = 48;

/// Bytes charged per collection element.
const ELEMENT_WEIGHT: u64 = 64;

/// The eviction policy of a bounded engine.
pub(crate) struct Evictor {
    policy: moka::sync::Cache<Arc<[u8]>, u32>,
    pending: Arc<Mutex<Vec<Arc<[u8]>>>>,
}

impl Evictor {
    pub(crate) fn new(max_bytes: u64) -> Self {
        let pending: Arc<Mutex<Vec<Arc<[u8]>>>> = Arc::default();
        let queue = pending.clone();
        let policy = moka::sync::Cache::builder()
            .max_capacity(max_bytes)
            .weigher(|_key: &Arc<[u8]>, weight: &u32| *weight)
            .eviction_policy(EvictionPolicy::lru())
            .eviction_listener(move |key: Arc<Arc<[u8]>>, _weight, cause| {
                if cause == RemovalCause::Size {
                    queue.lock().push((*key).clone());
                }
            })
            .build();
        Evictor { policy, pending }
    }

    fn weight(key: &[u8], value: &Value) -> u32 {
        let body = match value {
            Value::String(b) => b.len() as u64,
            Value::Hash(h) => h.len() as u64 * ELEMENT_WEIGHT,
            Value::List(l) => l.len() as u64 * ELEMENT_WEIGHT,
            Value::Set(s) => s.len() as u64 * ELEMENT_WEIGHT,
            Value::ZSet(z) => z.len() as u64 * ELEMENT_WEIGHT,
        };
        (KEY_OVERHEAD + key.len() as u64 + body).min(u32::MAX as u64) as u32
    }

    /// Records the state of `keys` after a write: their new weight, or their removal.
    pub(crate) fn record_write<'a>(&self, db: &Db, now: i64, keys: impl Iterator<Item = &'a [u8]>) {
        for key in keys {
            match db.value(key, now) {
                Some(value) => self.policy.insert(Arc::from(key), Self::weight(key, value)),
                None => self.policy.invalidate(key),
            }
        }
    }

    /// Records a read of `key`, so it counts as recently used.
    pub(crate) fn record_read(&self, key: &[u8]) {
        let _ = self.policy.get(key);
    }

    /// Forgets one key (purged after expiry).
    pub(crate) fn forget(&self, key: &[u8]) {
        self.policy.invalidate(key);
    }

    /// Forgets every key (`FLUSHDB`).
    pub(crate) fn clear(&self) {
        self.policy.invalidate_all();
    }

    /// Deletes the keys moka chose to evict, after running its pending maintenance when
    /// `maintain` is set (the purger tick does; writes only drain what is already chosen, to
    /// stay cheap). Returns how many keys were deleted.
    pub(crate) fn evict(&self, keyspace: &Keyspace, maintain: bool) -> usize {
        if maintain {
            self.policy.run_pending_tasks();
        }
        let chosen = {
            let mut pending = self.pending.lock();
            if pending.is_empty() {
                return 0;
            }
            std::mem::take(&mut *pending)
        };
        let mut evicted = 0;
        for key in chosen {
            let mut db = keyspace.lock_key(&key, true);
            // Written again after moka chose it: moka tracks it anew, so it stays. (Checked
            // under the key's lock, so a write racing with this cannot be lost.)
            if self.policy.contains_key(&*key) {
                continue;
            }
            if db.remove(&key).is_some() {
                evicted += 1;
            }
        }
        evicted
    }

    /// The total weight moka currently accounts for.
    pub(crate) fn weighted_size(&self) -> u64 {
        self.policy.weighted_size()
    }
}
