//! The keyspace: keys to typed values, with absolute expiry, a scan order and an expiry index.
//!
//! Everything here runs under the engine's lock, so there is no synchronisation in this file.
//! Expiry is lazy for visibility and eager for memory: every lookup treats a key past its
//! deadline as missing (so an expired key is invisible the moment it expires), and the purger
//! removes such keys in the background using the expiry index.
//!
//! `SCAN` needs a cursor that survives inserts and deletes between calls and still returns every
//! key that existed throughout. Keys are therefore also kept ordered by a fixed hash of their
//! name; the cursor is "the next hash to visit", so a key's position never moves while it lives.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::sync::Arc;

use bytes::Bytes;
use staunch_core::{Error, KeyType, Result};

use super::zset::ZSet;

/// A `HashMap` with foldhash: much faster than SipHash on short keys; the per-process random
/// seed is the defence against crafted colliding keys.
pub(crate) type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// A `HashSet` with foldhash, for the same reasons as [`FastMap`].
pub(crate) type FastSet<T> = HashSet<T, foldhash::fast::RandomState>;

/// A stored value.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    String(Bytes),
    Hash(FastMap<String, Bytes>),
    List(VecDeque<Bytes>),
    Set(FastSet<Bytes>),
    ZSet(ZSet),
}

impl Value {
    pub(crate) fn key_type(&self) -> KeyType {
        match self {
            Value::String(_) => KeyType::String,
            Value::Hash(_) => KeyType::Hash,
            Value::List(_) => KeyType::List,
            Value::Set(_) => KeyType::Set,
            Value::ZSet(_) => KeyType::ZSet,
        }
    }

    /// True for a collection with no elements: Redis never keeps those.
    pub(crate) fn is_empty_collection(&self) -> bool {
        match self {
            Value::String(_) => false,
            Value::Hash(h) => h.is_empty(),
            Value::List(l) => l.is_empty(),
            Value::Set(s) => s.is_empty(),
            Value::ZSet(z) => z.is_empty(),
        }
    }
}

/// A key's value and its absolute deadline in Unix milliseconds.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) value: Value,
    expires_at: Option<i64>,
}

impl Entry {
    pub(crate) fn expires_at(&self) -> Option<i64> {
        self.expires_at
    }

    fn is_expired(&self, now: i64) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }
}

/// The position of a key in scan order.
pub(crate) fn scan_hash(key: &str) -> u64 {
    // A fixed seed: the order is the same for the life of the process (and across index
    // rebuilds, see `ScanIndex`), which is all a cursor needs. Colliding keys only tie, and
    // ties are ordered by name, so crafted collisions cost nothing but a longer SCAN page.
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0x5ca9_0bde_7a11_0c42).hash_one(key)
}

/// The keys in scan order (hash, then name), built when a `SCAN` needs it.
///
/// Every key creation and deletion would otherwise pay a B-tree update (a third of the cost
/// of a push-then-pop on an empty list), though most applications never scan. So the index
/// exists only while scans happen: a `SCAN` builds it if missing, writes keep it up to date,
/// and once keys were created or deleted more times than there are keys since the last
/// `SCAN`, it is dropped. A rebuild gives the same order (the hash is fixed), so a scan in
/// progress across a drop and a rebuild still returns every key that existed throughout, and
/// its O(n log n) cost is paid at most once per n changes.
#[derive(Debug, Default)]
struct ScanIndex {
    order: Option<BTreeSet<(u64, Arc<str>)>>,
    changes_since_scan: usize,
}

impl ScanIndex {
    /// Notes one key created or deleted (while indexed) in a keyspace of `keys` keys.
    fn changed(&mut self, keys: usize) {
        self.changes_since_scan += 1;
        if self.changes_since_scan > keys.max(1024) {
            self.order = None;
        }
    }
}

/// The keyspace of one database.
///
/// The map uses foldhash, seeded randomly per process: several times faster than SipHash on
/// short keys, with the per-process seed as the defence against crafted colliding keys.
#[derive(Debug, Default)]
pub(crate) struct Db {
    map: FastMap<Arc<str>, Entry>,
    /// Written with `&mut self` (no locking: `get_mut`); locked only by `SCAN`, which runs
    /// under the shared keyspace lock and may build it.
    scan_index: parking_lot::Mutex<ScanIndex>,
    expiries: BTreeSet<(i64, Arc<str>)>,
}

impl Db {
    /// The live entry of `key`, if any.
    pub(crate) fn entry(&self, key: &str, now: i64) -> Option<&Entry> {
        self.map.get(key).filter(|e| !e.is_expired(now))
    }

    /// The live value of `key`, if any.
    pub(crate) fn value(&self, key: &str, now: i64) -> Option<&Value> {
        self.entry(key, now).map(|e| &e.value)
    }

    /// The live value of `key` for writing; an expired entry is removed first.
    pub(crate) fn value_mut(&mut self, key: &str, now: i64) -> Option<&mut Value> {
        // While no deadline has passed, which is nearly always, no entry can be expired and one
        // lookup does. (Checking the entry itself first would cost a second lookup on every
        // call: the borrow checker cannot return the entry from one branch and remove it in
        // the other.)
        if self.any_expired(now) && self.purge_if_expired(key, now) {
            return None;
        }
        self.map.get_mut(key).map(|e| &mut e.value)
    }

    /// True when some key's deadline is at or before `now` (expired, not yet purged).
    fn any_expired(&self, now: i64) -> bool {
        self.expiries.first().is_some_and(|(at, _)| *at <= now)
    }

    /// Removes `key` if its deadline has passed. Returns true if it did.
    pub(crate) fn purge_if_expired(&mut self, key: &str, now: i64) -> bool {
        if self.map.get(key).is_some_and(|e| e.is_expired(now)) {
            self.remove(key);
            true
        } else {
            false
        }
    }

    /// Inserts or replaces `key` with `value` and the given deadline.
    pub(crate) fn insert(&mut self, key: &str, value: Value, expires_at: Option<i64>) {
        let old_expiry = match self.map.get_mut(key) {
            Some(entry) => {
                let old = entry.expires_at;
                entry.value = value;
                entry.expires_at = expires_at;
                old
            }
            None => {
                let name = self.index_new_key(key);
                self.map.insert(name, Entry { value, expires_at });
                None
            }
        };
        self.reindex_expiry(key, old_expiry, expires_at);
    }

    /// Names a key about to be created and adds it to the scan index (when there is one).
    fn index_new_key(&mut self, key: &str) -> Arc<str> {
        let name: Arc<str> = Arc::from(key);
        let keys = self.map.len() + 1;
        let index = self.scan_index.get_mut();
        if let Some(order) = &mut index.order {
            order.insert((scan_hash(key), name.clone()));
            index.changed(keys);
        }
        name
    }

    /// Creates `key`, which the caller's lookup found absent (or expired and purged), without
    /// a TTL, and returns its value for writing: one hash lookup where `insert` followed by
    /// `value_mut` would take three.
    fn create(&mut self, key: &str, value: Value) -> &mut Value {
        let name = self.index_new_key(key);
        let entry = Entry {
            value,
            expires_at: None,
        };
        match self.map.entry(name) {
            std::collections::hash_map::Entry::Vacant(slot) => &mut slot.insert(entry).value,
            // Not reached (the caller looked), but kept right anyway: the replaced entry's
            // deadline leaves the expiry index.
            std::collections::hash_map::Entry::Occupied(mut slot) => {
                let old = slot.insert(entry);
                if let Some(at) = old.expires_at {
                    self.expiries.remove(&(at, slot.key().clone()));
                }
                &mut slot.into_mut().value
            }
        }
    }

    /// Replaces the value of an existing live key, keeping its TTL (`KEEPTTL`, `INCRBY`,
    /// `APPEND`); inserts without TTL when missing.
    pub(crate) fn put_keep_ttl(&mut self, key: &str, value: Value, now: i64) {
        let expiry = self.entry(key, now).and_then(Entry::expires_at);
        self.insert(key, value, expiry);
    }

    /// Removes `key` (expired or not) and returns its entry.
    pub(crate) fn remove(&mut self, key: &str) -> Option<Entry> {
        let (name, entry) = self.map.remove_entry(key)?;
        let keys = self.map.len();
        let index = self.scan_index.get_mut();
        if let Some(order) = &mut index.order {
            order.remove(&(scan_hash(key), name.clone()));
            index.changed(keys);
        }
        if let Some(at) = entry.expires_at {
            self.expiries.remove(&(at, name));
        }
        Some(entry)
    }

    /// Removes `key` if it holds an empty collection: Redis deletes emptied keys.
    pub(crate) fn remove_if_empty(&mut self, key: &str) {
        if self
            .map
            .get(key)
            .is_some_and(|e| e.value.is_empty_collection())
        {
            self.remove(key);
        }
    }

    /// Sets or clears the deadline of an existing key. Returns false if the key is missing.
    pub(crate) fn set_expiry(&mut self, key: &str, expires_at: Option<i64>) -> bool {
        let Some(entry) = self.map.get_mut(key) else {
            return false;
        };
        let old = std::mem::replace(&mut entry.expires_at, expires_at);
        self.reindex_expiry(key, old, expires_at);
        true
    }

    fn reindex_expiry(&mut self, key: &str, old: Option<i64>, new: Option<i64>) {
        if old == new {
            return;
        }
        let Some((name, _)) = self.map.get_key_value(key) else {
            return;
        };
        let name = name.clone();
        if let Some(at) = old {
            self.expiries.remove(&(at, name.clone()));
        }
        if let Some(at) = new {
            self.expiries.insert((at, name));
        }
    }

    /// True when some key has a TTL (so the current time matters to lookups).
    pub(crate) fn has_expiring_keys(&self) -> bool {
        !self.expiries.is_empty()
    }

    /// Number of live keys.
    pub(crate) fn len(&self, now: i64) -> usize {
        let expired = self
            .expiries
            .range(..(now.saturating_add(1), Arc::<str>::from("")))
            .count();
        self.map.len() - expired.min(self.map.len())
    }

    /// Removes every key.
    pub(crate) fn clear(&mut self) {
        self.map.clear();
        *self.scan_index.get_mut() = ScanIndex::default();
        self.expiries.clear();
    }

    /// Removes up to `limit` keys whose deadline is at or before `now`; returns their names.
    pub(crate) fn purge_expired(&mut self, now: i64, limit: usize) -> Vec<Arc<str>> {
        let due: Vec<Arc<str>> = self
            .expiries
            .iter()
            .take_while(|(at, _)| *at <= now)
            .take(limit)
            .map(|(_, k)| k.clone())
            .collect();
        for key in &due {
            self.remove(key);
        }
        due
    }

    /// Live keys in scan order starting at position `from`, at most `limit` distinct
    /// positions; returns the keys and the next position (`None` when the end was reached).
    pub(crate) fn scan_from(
        &self,
        from: u64,
        limit: usize,
        now: i64,
    ) -> (Vec<(&Arc<str>, &Entry)>, Option<u64>) {
        let mut out = Vec::new();
        let mut index = self.scan_index.lock();
        index.changes_since_scan = 0;
        let order = index.order.get_or_insert_with(|| {
            self.map
                .keys()
                .map(|name| (scan_hash(name), name.clone()))
                .collect()
        });
        let mut iter = order.range((from, Arc::<str>::from(""))..).peekable();
        let mut taken = 0usize;
        while let Some((hash, name)) = iter.next() {
            if let Some((name, entry)) = self
                .map
                .get_key_value(&**name)
                .filter(|(_, e)| !e.is_expired(now))
            {
                out.push((name, entry));
            }
            taken += 1;
            // Never stop between two keys of the same hash: the cursor could not point
            // between them.
            if taken >= limit && iter.peek().is_none_or(|(next, _)| next != hash) {
                return (out, iter.peek().map(|(next, _)| *next));
            }
        }
        (out, None)
    }

    /// Type-checked access helpers: `Ok(None)` for a missing key, `WrongType` for another type.
    pub(crate) fn string(&self, key: &str, now: i64) -> Result<Option<&Bytes>> {
        match self.value(key, now) {
            None => Ok(None),
            Some(Value::String(b)) => Ok(Some(b)),
            Some(_) => Err(Error::wrong_type()),
        }
    }

    /// See [`Db::string`].
    pub(crate) fn hash(&self, key: &str, now: i64) -> Result<Option<&FastMap<String, Bytes>>> {
        match self.value(key, now) {
            None => Ok(None),
            Some(Value::Hash(h)) => Ok(Some(h)),
            Some(_) => Err(Error::wrong_type()),
        }
    }

    /// See [`Db::string`].
    pub(crate) fn list(&self, key: &str, now: i64) -> Result<Option<&VecDeque<Bytes>>> {
        match self.value(key, now) {
            None => Ok(None),
            Some(Value::List(l)) => Ok(Some(l)),
            Some(_) => Err(Error::wrong_type()),
        }
    }

    /// See [`Db::string`].
    pub(crate) fn set(&self, key: &str, now: i64) -> Result<Option<&FastSet<Bytes>>> {
        match self.value(key, now) {
            None => Ok(None),
            Some(Value::Set(s)) => Ok(Some(s)),
            Some(_) => Err(Error::wrong_type()),
        }
    }

    /// See [`Db::string`].
    pub(crate) fn zset(&self, key: &str, now: i64) -> Result<Option<&ZSet>> {
        match self.value(key, now) {
            None => Ok(None),
            Some(Value::ZSet(z)) => Ok(Some(z)),
            Some(_) => Err(Error::wrong_type()),
        }
    }

    /// Mutable, type-checked access to an existing hash.
    pub(crate) fn hash_mut(
        &mut self,
        key: &str,
        now: i64,
    ) -> Result<Option<&mut FastMap<String, Bytes>>> {
        match self.value_mut(key, now) {
            None => Ok(None),
            Some(Value::Hash(h)) => Ok(Some(h)),
            Some(_) => Err(Error::wrong_type()),
        }
    }

    /// Mutable access to a hash, created empty when missing. The caller must leave it
    /// non-empty or call [`Db::remove_if_empty`].
    pub(crate) fn hash_or_create(
        &mut self,
        key: &str,
        now: i64,
    ) -> Result<&mut FastMap<String, Bytes>> {
        if self.hash_mut(key, now)?.is_none() {
            return match self.create(key, Value::Hash(FastMap::default())) {
                Value::Hash(h) => Ok(h),
                _ => Err(internal()),
            };
        }
        match self.value_mut(key, now) {
            Some(Value::Hash(h)) => Ok(h),
            _ => Err(internal()),
        }
    }

    /// Mutable, type-checked access to an existing list.
    pub(crate) fn list_mut(&mut self, key: &str, now: i64) -> Result<Option<&mut VecDeque<Bytes>>> {
        match self.value_mut(key, now) {
            None => Ok(None),
            Some(Value::List(l)) => Ok(Some(l)),
            Some(_) => Err(Error::wrong_type()),
        }
    }

    /// Mutable access to a list, created empty when missing (see [`Db::hash_or_create`]).
    pub(crate) fn list_or_create(&mut self, key: &str, now: i64) -> Result<&mut VecDeque<Bytes>> {
        if self.list_mut(key, now)?.is_none() {
            return match self.create(key, Value::List(VecDeque::new())) {
                Value::List(l) => Ok(l),
                _ => Err(internal()),
            };
        }
        match self.value_mut(key, now) {
            Some(Value::List(l)) => Ok(l),
            _ => Err(internal()),
        }
    }

    /// Mutable, type-checked access to an existing set.
    pub(crate) fn set_mut(&mut self, key: &str, now: i64) -> Result<Option<&mut FastSet<Bytes>>> {
        match self.value_mut(key, now) {
            None => Ok(None),
            Some(Value::Set(s)) => Ok(Some(s)),
            Some(_) => Err(Error::wrong_type()),
        }
    }

    /// Mutable access to a set, created empty when missing (see [`Db::hash_or_create`]).
    pub(crate) fn set_or_create(&mut self, key: &str, now: i64) -> Result<&mut FastSet<Bytes>> {
        if self.set_mut(key, now)?.is_none() {
            return match self.create(key, Value::Set(FastSet::default())) {
                Value::Set(s) => Ok(s),
                _ => Err(internal()),
            };
        }
        match self.value_mut(key, now) {
            Some(Value::Set(s)) => Ok(s),
            _ => Err(internal()),
        }
    }

    /// Mutable, type-checked access to an existing sorted set.
    pub(crate) fn zset_mut(&mut self, key: &str, now: i64) -> Result<Option<&mut ZSet>> {
        match self.value_mut(key, now) {
            None => Ok(None),
            Some(Value::ZSet(z)) => Ok(Some(z)),
            Some(_) => Err(Error::wrong_type()),
        }
    }

    /// Mutable access to a sorted set, created empty when missing (see [`Db::hash_or_create`]).
    pub(crate) fn zset_or_create(&mut self, key: &str, now: i64) -> Result<&mut ZSet> {
        if self.zset_mut(key, now)?.is_none() {
            return match self.create(key, Value::ZSet(ZSet::default())) {
                Value::ZSet(z) => Ok(z),
                _ => Err(internal()),
            };
        }
        match self.value_mut(key, now) {
            Some(Value::ZSet(z)) => Ok(z),
            _ => Err(internal()),
        }
    }

    /// All live entries (for snapshots).
    pub(crate) fn iter(&self, now: i64) -> impl Iterator<Item = (&Arc<str>, &Entry)> {
        self.map.iter().filter(move |(_, e)| !e.is_expired(now))
    }
}

fn internal() -> Error {
    Error::new(
        staunch_core::ErrorKind::Internal,
        "value vanished under the lock",
    )
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn scan_all_from(db: &Db, mut cursor: u64, seen: &mut HashSet<String>, pages: usize) -> u64 {
        for _ in 0..pages {
            let (keys, next) = db.scan_from(cursor, 10, 0);
            seen.extend(keys.into_iter().map(|(k, _)| k.to_string()));
            match next {
                Some(n) => cursor = n,
                None => return u64::MAX,
            }
        }
        cursor
    }

    /// The scan index is dropped after heavy churn without a `SCAN` and rebuilt by the next
    /// one; a scan in progress across that still returns every key that existed throughout.
    #[test]
    fn a_scan_survives_the_index_being_dropped_and_rebuilt() {
        let mut db = Db::default();
        let value = || Value::String(Bytes::from_static(b"v"));
        for i in 0..3000 {
            db.insert(&format!("stable:{i}"), value(), None);
        }
        let mut seen = HashSet::new();
        let cursor = scan_all_from(&db, 0, &mut seen, 50);
        assert!(cursor != u64::MAX, "the scan is still in progress");
        assert!(db.scan_index.get_mut().order.is_some());
        // Create and delete many other keys without scanning: the index goes away.
        for i in 0..5000 {
            db.insert(&format!("churn:{i}"), value(), None);
            db.remove(&format!("churn:{i}"));
        }
        assert!(
            db.scan_index.get_mut().order.is_none(),
            "dropped after churn"
        );
        let mut cursor = cursor;
        while cursor != u64::MAX {
            cursor = scan_all_from(&db, cursor, &mut seen, 1000);
        }
        for i in 0..3000 {
            assert!(
                seen.contains(&format!("stable:{i}")),
                "stable:{i} was missed"
            );
        }
        assert!(!seen.iter().any(|k| k.starts_with("churn:")));
    }
}
