//! The hash functions of the engine: the maps' hasher, and the fixed hash that orders `SCAN`.
//!
//! A leaf module (it imports nothing from the engine), so every other part can use it without
//! an import circle.

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;

/// A `HashMap` with foldhash: much faster than SipHash on short keys; the per-process random
/// seed is the defence against crafted colliding keys.
pub(crate) type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// A `HashSet` with foldhash, for the same reasons as [`FastMap`].
pub(crate) type FastSet<T> = HashSet<T, foldhash::fast::RandomState>;

/// The hasher of one keyspace: randomly seeded per engine (crafted colliding keys cannot be
/// prepared in advance), computed once per key and command, and used both to choose the key's
/// shard and to find it inside the shard's table.
#[derive(Debug, Clone, Default)]
pub(crate) struct KeyHasher(foldhash::fast::RandomState);

impl KeyHasher {
    /// The hash of `key`.
    #[inline]
    pub(crate) fn hash(&self, key: &[u8]) -> u64 {
        self.0.hash_one(key)
    }
}

/// The position of a key in scan order inside its shard.
///
/// A fixed seed: the order is the same for the life of the process (and across scan index
/// rebuilds), which is all a cursor needs. Colliding keys only tie, and ties are ordered by
/// name, so crafted collisions cost nothing but a longer `SCAN` page.
pub(crate) fn scan_hash(key: &[u8]) -> u64 {
    foldhash::fast::FixedState::with_seed(0x5ca9_0bde_7a11_0c42).hash_one(key)
}
