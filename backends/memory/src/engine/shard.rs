//! [`Shard`]: one part of the keyspace, with its own table, deadlines and scan order.
//!
//! The keyspace is split into [`SHARDS`] shards by a hash of the key (see `db`); each sits
//! under its own lock, so commands on different keys run in parallel. Everything in this file
//! runs under that lock and has no synchronisation of its own.
//!
//! - `table`: the keys, each a [`KeyName`] and a [`Value`] (48 bytes a slot), found by the
//!   hash the caller computed once for the command.
//! - `deadlines`: the absolute expiry of the keys whose name carries the TTL flag, so keys
//!   without a TTL pay nothing for expiry; `expiries` orders them for the purger.
//! - `scan_index`: the keys in scan order, built only while `SCAN`s happen (see
//!   [`ScanIndex`]).
//!
//! Expiry is lazy for visibility and eager for memory: every lookup treats a key past its
//! deadline as missing (so an expired key is invisible the moment it expires), and the purger
//! removes such keys in the background using `expiries`.

use std::collections::BTreeSet;

use hashbrown::HashTable;
use hashbrown::hash_table::Entry as TableEntry;

use super::hashing::{KeyHasher, scan_hash};
use super::key_name::KeyName;
use super::value::{Entry, EntryRef, Value};

/// log2 of the number of shards.
pub(crate) const SHARD_BITS: u32 = 6;
/// The number of shards: enough that a few dozen threads rarely meet on one lock, few enough
/// that a command over every shard (`DBSIZE`, `FLUSHDB`, a snapshot) stays cheap.
pub(crate) const SHARDS: usize = 1 << SHARD_BITS;

/// A key's position in its shard's scan order: the top bits of its fixed scan hash (the
/// cursor puts the shard number above them).
pub(crate) fn scan_position(key: &[u8]) -> u64 {
    scan_hash(key) >> SHARD_BITS
}

/// One key in the table.
#[derive(Debug)]
struct Slot {
    key: KeyName,
    value: Value,
}

/// The keys of the shard in scan order, built when a `SCAN` needs it.
///
/// Every key creation and deletion would otherwise pay a B-tree update, though most
/// applications never scan. So the index exists only while scans happen: a `SCAN` builds it
/// if missing, writes keep it up to date, and once keys were created or deleted more times
/// than there are keys since the last `SCAN`, it is dropped. A rebuild gives the same order
/// (the hash is fixed), so a scan in progress across a drop and a rebuild still returns every
/// key that existed throughout, and its O(n log n) cost is paid at most once per n changes.
#[derive(Debug, Default)]
struct ScanIndex {
    order: Option<BTreeSet<(u64, KeyName)>>,
    changes_since_scan: usize,
}

impl ScanIndex {
    /// Notes `key` created in a shard that now has `keys` keys.
    fn added(&mut self, key: &[u8], keys: usize) {
        if let Some(order) = &mut self.order {
            order.insert((scan_position(key), KeyName::new(key)));
            self.changed(keys);
        }
    }

    /// Notes `key` removed from a shard that now has `keys` keys.
    fn removed(&mut self, key: KeyName, keys: usize) {
        if let Some(order) = &mut self.order {
            order.remove(&(scan_position(&key), key));
            self.changed(keys);
        }
    }

    fn changed(&mut self, keys: usize) {
        self.changes_since_scan += 1;
        if self.changes_since_scan > keys.max(1024) {
            self.order = None;
        }
    }
}

/// The deadlines of the keys that have one: by key (found with the key's hash) and in time
/// order (for the purger and for counting expired keys).
#[derive(Debug, Default)]
struct Deadlines {
    by_key: HashTable<(KeyName, i64)>,
    order: BTreeSet<(i64, KeyName)>,
}

impl Deadlines {
    fn get(&self, hash: u64, key: &[u8]) -> Option<i64> {
        self.by_key
            .find(hash, |(k, _)| k.as_bytes() == key)
            .map(|(_, at)| *at)
    }

    /// Sets or clears the deadline of `key`.
    fn set(&mut self, hasher: &KeyHasher, hash: u64, key: &[u8], at: Option<i64>) {
        let found = self.by_key.find_entry(hash, |(k, _)| k.as_bytes() == key);
        match (found, at) {
            (Ok(mut entry), Some(at)) => {
                let (name, old) = entry.get_mut();
                if *old != at {
                    let name = name.clone();
                    self.order.remove(&(*old, name.clone()));
                    *old = at;
                    self.order.insert((at, name));
                }
            }
            (Ok(entry), None) => {
                let ((name, old), _) = entry.remove();
                self.order.remove(&(old, name));
            }
            (Err(_), Some(at)) => {
                let name = KeyName::new(key);
                self.order.insert((at, name.clone()));
                self.by_key
                    .insert_unique(hash, (name, at), |(k, _)| hasher.hash(k.as_bytes()));
            }
            (Err(_), None) => {}
        }
    }

    /// True when some deadline is at or before `now`.
    fn any_due(&self, now: i64) -> bool {
        self.order.first().is_some_and(|(at, _)| *at <= now)
    }

    /// How many deadlines are at or before `now`.
    fn due_count(&self, now: i64) -> usize {
        match self.order.first() {
            Some((first, _)) if *first <= now => {
                self.order.iter().take_while(|(at, _)| *at <= now).count()
            }
            _ => 0,
        }
    }
}

/// One shard of the keyspace.
#[derive(Debug, Default)]
pub(crate) struct Shard {
    table: HashTable<Slot>,
    deadlines: Deadlines,
    /// Written with `&mut self` (no locking: `get_mut`); locked only by `SCAN`, which runs
    /// under the shared shard lock and may build it.
    scan_index: parking_lot::Mutex<ScanIndex>,
    hasher: KeyHasher,
}

impl Shard {
    /// An empty shard whose tables rehash with `hasher` (the keyspace's).
    pub(crate) fn new(hasher: KeyHasher) -> Self {
        Shard {
            hasher,
            ..Shard::default()
        }
    }

    fn slot(&self, hash: u64, key: &[u8]) -> Option<&Slot> {
        self.table.find(hash, |s| s.key.as_bytes() == key)
    }

    fn deadline_of(&self, hash: u64, slot: &Slot) -> Option<i64> {
        if slot.key.has_ttl() {
            self.deadlines.get(hash, slot.key.as_bytes())
        } else {
            None
        }
    }

    /// The entry in `slot` (whose key hashes to `hash`), unless it has expired.
    #[inline]
    fn live<'s>(&'s self, hash: u64, slot: &'s Slot, now: i64) -> Option<EntryRef<'s>> {
        let expires_at = self.deadline_of(hash, slot);
        if expires_at.is_some_and(|at| at <= now) {
            return None;
        }
        Some(EntryRef {
            value: &slot.value,
            expires_at,
        })
    }

    /// The live entry of `key` (whose hash is `hash`), if any.
    #[inline]
    pub(crate) fn get(&self, hash: u64, key: &[u8], now: i64) -> Option<EntryRef<'_>> {
        self.live(hash, self.slot(hash, key)?, now)
    }

    /// The live entry of `key` with the name as stored (borrowed from the shard).
    fn get_named(&self, hash: u64, key: &[u8], now: i64) -> Option<(&[u8], EntryRef<'_>)> {
        let slot = self.slot(hash, key)?;
        Some((slot.key.as_bytes(), self.live(hash, slot, now)?))
    }

    /// The live value of `key` for writing; an expired entry is removed first.
    #[inline]
    pub(crate) fn value_mut(&mut self, hash: u64, key: &[u8], now: i64) -> Option<&mut Value> {
        // While no deadline has passed, which is nearly always, no entry can be expired and one
        // probe does.
        if self.deadlines.any_due(now) && self.purge_if_expired(hash, key, now) {
            return None;
        }
        self.table
            .find_mut(hash, |s| s.key.as_bytes() == key)
            .map(|s| &mut s.value)
    }

    /// Removes `key` if its deadline has passed. Returns true if it did.
    pub(crate) fn purge_if_expired(&mut self, hash: u64, key: &[u8], now: i64) -> bool {
        let expired = self
            .slot(hash, key)
            .and_then(|slot| self.deadline_of(hash, slot))
            .is_some_and(|at| at <= now);
        if expired {
            self.remove(hash, key);
        }
        expired
    }

    /// Inserts or replaces `key` with `value` and the given deadline.
    pub(crate) fn insert(&mut self, hash: u64, key: &[u8], value: Value, expires_at: Option<i64>) {
        let hasher = &self.hasher;
        let had_ttl = match self.table.entry(
            hash,
            |s| s.key.as_bytes() == key,
            |s| hasher.hash(s.key.as_bytes()),
        ) {
            TableEntry::Occupied(mut occupied) => {
                let slot = occupied.get_mut();
                slot.value = value;
                let had = slot.key.has_ttl();
                slot.key.set_has_ttl(expires_at.is_some());
                had
            }
            TableEntry::Vacant(vacant) => {
                let mut name = KeyName::new(key);
                name.set_has_ttl(expires_at.is_some());
                vacant.insert(Slot { key: name, value });
                let keys = self.table.len();
                self.scan_index.get_mut().added(key, keys);
                false
            }
        };
        if had_ttl || expires_at.is_some() {
            self.deadlines.set(&self.hasher, hash, key, expires_at);
        }
    }

    /// Sets `key` to the string `bytes` with the given deadline, like [`Shard::insert`], but
    /// writes over the old value in place when it is a string of the same length: overwriting
    /// a counter, a token or a fixed-size record then allocates nothing.
    pub(crate) fn set_string(
        &mut self,
        hash: u64,
        key: &[u8],
        bytes: &[u8],
        expires_at: Option<i64>,
    ) {
        if let Some(slot) = self.table.find_mut(hash, |s| s.key.as_bytes() == key)
            && let Value::String(old) = &mut slot.value
            && old.len() == bytes.len()
        {
            old.copy_from_slice(bytes);
            let had = slot.key.has_ttl();
            slot.key.set_has_ttl(expires_at.is_some());
            if had || expires_at.is_some() {
                self.deadlines.set(&self.hasher, hash, key, expires_at);
            }
            return;
        }
        self.insert(hash, key, Value::string(bytes), expires_at);
    }

    /// Creates `key`, which the caller's lookup found absent (or expired and purged), without
    /// a TTL, and returns its value for writing: one table probe where `insert` followed by
    /// `value_mut` would take two.
    pub(crate) fn create(&mut self, hash: u64, key: &[u8], value: Value) -> &mut Value {
        let hasher = &self.hasher;
        let keys = self.table.len() + 1;
        match self.table.entry(
            hash,
            |s| s.key.as_bytes() == key,
            |s| hasher.hash(s.key.as_bytes()),
        ) {
            TableEntry::Vacant(vacant) => {
                self.scan_index.get_mut().added(key, keys);
                &mut vacant
                    .insert(Slot {
                        key: KeyName::new(key),
                        value,
                    })
                    .into_mut()
                    .value
            }
            // Not reached (the caller looked), but kept right anyway: the replaced entry's
            // deadline goes.
            TableEntry::Occupied(mut occupied) => {
                let slot = occupied.get_mut();
                slot.value = value;
                if slot.key.has_ttl() {
                    slot.key.set_has_ttl(false);
                    self.deadlines.set(hasher, hash, key, None);
                }
                &mut occupied.into_mut().value
            }
        }
    }

    /// Removes `key` (expired or not) and returns its entry.
    pub(crate) fn remove(&mut self, hash: u64, key: &[u8]) -> Option<Entry> {
        let found = self
            .table
            .find_entry(hash, |s| s.key.as_bytes() == key)
            .ok()?;
        let (slot, _) = found.remove();
        let expires_at = if slot.key.has_ttl() {
            let at = self.deadlines.get(hash, key);
            self.deadlines.set(&self.hasher, hash, key, None);
            at
        } else {
            None
        };
        let keys = self.table.len();
        self.scan_index.get_mut().removed(slot.key, keys);
        Some(Entry {
            value: slot.value,
            expires_at,
        })
    }

    /// Removes `key` if it holds an empty collection: Redis deletes emptied keys.
    pub(crate) fn remove_if_empty(&mut self, hash: u64, key: &[u8]) {
        if self
            .slot(hash, key)
            .is_some_and(|s| s.value.is_empty_collection())
        {
            self.remove(hash, key);
        }
    }

    /// Sets or clears the deadline of an existing key. Returns false if the key is missing.
    pub(crate) fn set_expiry(&mut self, hash: u64, key: &[u8], expires_at: Option<i64>) -> bool {
        let Some(slot) = self.table.find_mut(hash, |s| s.key.as_bytes() == key) else {
            return false;
        };
        let had = slot.key.has_ttl();
        slot.key.set_has_ttl(expires_at.is_some());
        if had || expires_at.is_some() {
            self.deadlines.set(&self.hasher, hash, key, expires_at);
        }
        true
    }

    /// True when some key has a TTL (so the current time matters to lookups).
    pub(crate) fn has_expiring_keys(&self) -> bool {
        !self.deadlines.order.is_empty()
    }

    /// Number of live keys.
    pub(crate) fn len(&self, now: i64) -> usize {
        self.table.len() - self.deadlines.due_count(now).min(self.table.len())
    }

    /// Removes every key.
    pub(crate) fn clear(&mut self) {
        self.table = HashTable::new();
        self.deadlines = Deadlines::default();
        *self.scan_index.get_mut() = ScanIndex::default();
    }

    /// Removes up to `limit` keys whose deadline is at or before `now`; returns their names.
    pub(crate) fn purge_expired(&mut self, now: i64, limit: usize) -> Vec<KeyName> {
        let due: Vec<KeyName> = self
            .deadlines
            .order
            .iter()
            .take_while(|(at, _)| *at <= now)
            .take(limit)
            .map(|(_, k)| k.clone())
            .collect();
        for key in &due {
            let hash = self.hasher.hash(key);
            self.remove(hash, key);
        }
        due
    }

    /// Live keys in scan order from position `from` (see [`scan_position`]), at most `limit`
    /// distinct positions; returns the keys and the next position (`None` at the end).
    pub(crate) fn scan_from(
        &self,
        from: u64,
        limit: usize,
        now: i64,
    ) -> (Vec<(&[u8], EntryRef<'_>)>, Option<u64>) {
        let mut out = Vec::new();
        let mut index = self.scan_index.lock();
        index.changes_since_scan = 0;
        let order = index.order.get_or_insert_with(|| {
            self.table
                .iter()
                .map(|s| (scan_position(&s.key), s.key.clone()))
                .collect()
        });
        let mut iter = order.range((from, KeyName::new(b""))..).peekable();
        let mut taken = 0usize;
        while let Some((position, name)) = iter.next() {
            let hash = self.hasher.hash(name);
            if let Some(live) = self.get_named(hash, name, now) {
                out.push(live);
            }
            taken += 1;
            // Never stop between two keys of the same position: the cursor could not point
            // between them.
            if taken >= limit && iter.peek().is_none_or(|(next, _)| next != position) {
                return (out, iter.peek().map(|(next, _)| *next));
            }
        }
        (out, None)
    }

    /// All live entries (for snapshots).
    pub(crate) fn iter(&self, now: i64) -> impl Iterator<Item = (&[u8], EntryRef<'_>)> {
        self.table.iter().filter_map(move |slot| {
            // The hash only finds a deadline; keys without a TTL need none.
            let hash = if slot.key.has_ttl() {
                self.hasher.hash(slot.key.as_bytes())
            } else {
                0
            };
            Some((slot.key.as_bytes(), self.live(hash, slot, now)?))
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn insert(shard: &mut Shard, key: &[u8]) {
        let hash = shard.hasher.hash(key);
        shard.insert(hash, key, Value::string(b"v"), None);
    }

    fn remove(shard: &mut Shard, key: &[u8]) {
        let hash = shard.hasher.hash(key);
        shard.remove(hash, key);
    }

    fn scan_pages(shard: &Shard, mut from: u64, seen: &mut HashSet<Vec<u8>>, pages: usize) -> u64 {
        for _ in 0..pages {
            let (keys, next) = shard.scan_from(from, 10, 0);
            seen.extend(keys.into_iter().map(|(k, _)| k.to_owned()));
            match next {
                Some(n) => from = n,
                None => return u64::MAX,
            }
        }
        from
    }

    /// The scan index is dropped after heavy churn without a `SCAN` and rebuilt by the next
    /// one; a scan in progress across that still returns every key that existed throughout.
    #[test]
    fn a_scan_survives_the_index_being_dropped_and_rebuilt() {
        let mut shard = Shard::default();
        for i in 0..3000 {
            insert(&mut shard, format!("stable:{i}").as_bytes());
        }
        let mut seen = HashSet::new();
        let position = scan_pages(&shard, 0, &mut seen, 50);
        assert!(position != u64::MAX, "the scan is still in progress");
        assert!(shard.scan_index.get_mut().order.is_some());
        for i in 0..5000 {
            insert(&mut shard, format!("churn:{i}").as_bytes());
            remove(&mut shard, format!("churn:{i}").as_bytes());
        }
        assert!(
            shard.scan_index.get_mut().order.is_none(),
            "dropped after churn"
        );
        let mut position = position;
        while position != u64::MAX {
            position = scan_pages(&shard, position, &mut seen, 1000);
        }
        for i in 0..3000 {
            assert!(
                seen.contains(format!("stable:{i}").as_bytes()),
                "stable:{i} was missed"
            );
        }
        assert!(!seen.iter().any(|k| k.starts_with(b"churn:")));
    }

    #[test]
    fn deadlines_follow_inserts_expiry_changes_and_removal() {
        let mut shard = Shard::default();
        let key: &[u8] = b"k";
        let hash = shard.hasher.hash(key);
        shard.insert(hash, key, Value::string(b"v"), Some(100));
        assert_eq!(
            shard.get(hash, key, 50).and_then(|e| e.expires_at()),
            Some(100)
        );
        assert!(
            shard.get(hash, key, 100).is_none(),
            "expired at its deadline"
        );
        assert_eq!(shard.len(100), 0);
        assert!(shard.set_expiry(hash, key, Some(200)));
        assert_eq!(
            shard.get(hash, key, 150).and_then(|e| e.expires_at()),
            Some(200)
        );
        // A plain insert clears the deadline.
        shard.insert(hash, key, Value::string(b"w"), None);
        assert!(!shard.has_expiring_keys());
        assert_eq!(
            shard.get(hash, key, i64::MAX).and_then(|e| e.expires_at()),
            None
        );
        shard.insert(hash, key, Value::string(b"x"), Some(10));
        assert_eq!(shard.purge_expired(20, 10).len(), 1);
        assert!(shard.get(hash, key, 0).is_none(), "purged");
        assert!(!shard.has_expiring_keys());
    }
}
