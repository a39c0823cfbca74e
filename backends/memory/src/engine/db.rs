//! The keyspace: [`Keyspace`], the shards under their locks, and [`Db`], the view of the
//! shards one command has locked, through which every command reads and writes.
//!
//! # Sharding and locking
//!
//! Keys are spread over [`SHARDS`] shards by a hash of the name, each under its own
//! `parking_lot::RwLock`. A command locks the shards of every key it names (its
//! `Command::keys()`), always in ascending shard order, so two multi-key commands can never
//! wait on each other in a cycle; commands that name no key (`SCAN`, `DBSIZE`, `FLUSHDB`)
//! lock every shard the same way. A command then runs with all its keys locked, so it is
//! linearizable and a compound command (`RENAME`, `LMOVE`, `ZMoveByScore`, a batch) is atomic,
//! exactly as under the single lock this replaces; only commands on disjoint shards run in
//! parallel, and those commute. Reads take shared locks, writes exclusive ones.
//!
//! The hash is computed once per key and command: its middle bits choose the shard (the table
//! inside the shard uses the low bits for the bucket and the top seven as the tag, so taking
//! either would crowd every shard's keys into a fraction of its table).
//!
//! # `SCAN` cursors
//!
//! A cursor is `shard << 58 | position`: the shard being walked in the top [`SHARD_BITS`] bits,
//! and below them the next position in that shard's scan order, which is the top 58 bits of a
//! fixed hash of the key name (ties ordered by name). A key's shard and position never change
//! while it lives, and the walk goes through shards in order and through each shard in
//! position order, so every key that exists for a whole iteration is returned (a key may come
//! twice only if a page boundary falls between equal positions, which the walk avoids). Cursor
//! 0 starts an iteration and a returned 0 ends it. Cursors are valid for the life of the
//! engine (the shard hash is seeded per engine).

use parking_lot::{RwLock, RwLockReadGuard, RwLockWriteGuard};
use staunch_core::{Command, Error, Name, Result};

use super::hash_value::HashValue;
use super::hashing::KeyHasher;
use super::set_value::SetValue;
use super::shard::{SHARD_BITS, SHARDS, Shard};
use super::sorted_set::ZSet;
use super::value::{Entry, EntryRef, Value};

use std::collections::VecDeque;

use bytes::Bytes;

/// Bits of a cursor below the shard number.
const POSITION_BITS: u32 = 64 - SHARD_BITS;

/// The shard a key of hash `hash` lives in: bits 40 and up (see the module docs).
#[inline]
fn shard_index(hash: u64) -> usize {
    ((hash >> 40) as usize) & (SHARDS - 1)
}

/// One shard's lock, alone on its cache lines so that two threads using neighbouring shards
/// do not contend on the line that holds both lock words.
#[repr(align(128))]
#[derive(Debug)]
struct PaddedShard(RwLock<Shard>);

/// Every shard of one database, and the hasher that places keys in them.
#[derive(Debug)]
pub(crate) struct Keyspace {
    shards: Box<[PaddedShard]>,
    hasher: KeyHasher,
}

impl Default for Keyspace {
    fn default() -> Self {
        let hasher = KeyHasher::default();
        Keyspace {
            shards: (0..SHARDS)
                .map(|_| PaddedShard(RwLock::new(Shard::new(hasher.clone()))))
                .collect(),
            hasher,
        }
    }
}

impl Keyspace {
    fn lock(&self, index: usize, write: bool) -> Guard<'_> {
        let lock = &self.shards[index].0;
        if write {
            Guard::Write(lock.write())
        } else {
            Guard::Read(lock.read())
        }
    }

    fn db<'a, 'k>(&'a self, locked: Locked<'a>, hint: Option<(&'k [u8], u64)>) -> Db<'a, 'k> {
        Db {
            hasher: &self.hasher,
            locked,
            hint,
        }
    }

    /// Locks the shard of `key` alone.
    #[inline]
    pub(crate) fn lock_key<'k>(&self, key: &'k [u8], write: bool) -> Db<'_, 'k> {
        let hash = self.hasher.hash(key);
        let index = shard_index(hash);
        self.db(
            Locked::One((index, self.lock(index, write))),
            Some((key, hash)),
        )
    }

    /// Locks the shards of `keys`, in ascending order; every shard when `keys` is empty.
    pub(crate) fn lock_keys<'k>(
        &self,
        keys: impl IntoIterator<Item = &'k [u8]>,
        write: bool,
    ) -> Db<'_, 'static> {
        let mut indexes: Vec<usize> = keys
            .into_iter()
            .map(|key| shard_index(self.hasher.hash(key)))
            .collect();
        if indexes.is_empty() {
            return self.lock_all(write);
        }
        indexes.sort_unstable();
        indexes.dedup();
        if let [index] = indexes[..] {
            return self.db(Locked::One((index, self.lock(index, write))), None);
        }
        self.db(
            Locked::Many(
                indexes
                    .into_iter()
                    .map(|index| (index, self.lock(index, write)))
                    .collect(),
            ),
            None,
        )
    }

    /// Locks every shard, in ascending order.
    pub(crate) fn lock_all(&self, write: bool) -> Db<'_, 'static> {
        self.db(
            Locked::Many((0..SHARDS).map(|i| (i, self.lock(i, write))).collect()),
            None,
        )
    }

    /// Locks what `command` touches: the shards of its keys, or every shard for a command
    /// that names none (`SCAN`, `DBSIZE`, `FLUSHDB`) or derives keys from data (the queue
    /// step).
    pub(crate) fn lock_for<'k>(&self, command: &'k Command, write: bool) -> Db<'_, 'k> {
        if command.derives_keys() {
            return self.lock_all(write);
        }
        let keys = command.keys();
        match keys[..] {
            [key] => self.lock_key(key, write),
            _ => self.lock_keys(keys, write),
        }
    }

    /// Locks what all of `commands` touch, for a batch that must be atomic as a whole: every
    /// shard as soon as one of them names no key.
    pub(crate) fn lock_for_all(&self, commands: &[Command], write: bool) -> Db<'_, 'static> {
        let mut keys = Vec::new();
        for command in commands {
            if matches!(command, Command::Publish { .. }) {
                continue;
            }
            let named = command.keys();
            if named.is_empty() || command.derives_keys() {
                return self.lock_all(write);
            }
            keys.extend(named);
        }
        self.lock_keys(keys, write)
    }

    /// The number of shards (for walks over them one at a time).
    pub(crate) fn shard_count(&self) -> usize {
        self.shards.len()
    }

    /// Locks shard `index` alone for writing (the purger walks the shards one by one).
    pub(crate) fn lock_shard(&self, index: usize) -> Db<'_, 'static> {
        self.db(Locked::One((index, self.lock(index, true))), None)
    }
}

/// One locked shard.
enum Guard<'a> {
    Read(RwLockReadGuard<'a, Shard>),
    Write(RwLockWriteGuard<'a, Shard>),
}

impl Guard<'_> {
    fn shard(&self) -> &Shard {
        match self {
            Guard::Read(g) => g,
            Guard::Write(g) => g,
        }
    }

    fn shard_mut(&mut self) -> Option<&mut Shard> {
        match self {
            Guard::Read(_) => None,
            Guard::Write(g) => Some(g),
        }
    }
}

/// The shards one command holds, ascending by index (one without allocating).
enum Locked<'a> {
    One((usize, Guard<'a>)),
    Many(Vec<(usize, Guard<'a>)>),
}

impl<'a> Locked<'a> {
    fn as_slice(&self) -> &[(usize, Guard<'a>)] {
        match self {
            Locked::One(one) => std::slice::from_ref(one),
            Locked::Many(many) => many,
        }
    }

    fn as_mut_slice(&mut self) -> &mut [(usize, Guard<'a>)] {
        match self {
            Locked::One(one) => std::slice::from_mut(one),
            Locked::Many(many) => many,
        }
    }
}

/// The part of the keyspace one command has locked: the shards of its keys (see the module
/// docs). Family code reads and writes keys through it as if it were the whole keyspace.
///
/// A key outside the locked shards is a bug in the engine (a command touching a key its
/// `keys()` does not name): debug builds panic on it; release builds treat the key as
/// missing and drop the write, rather than touch a shard without its lock.
pub(crate) struct Db<'a, 'k> {
    hasher: &'a KeyHasher,
    locked: Locked<'a>,
    /// The key a single-key command locked, with its hash: the command's handler names that
    /// key again (often more than once), and comparing addresses is cheaper than hashing.
    /// The borrow keeps the name alive and unchanged, so the same address and length mean the
    /// same name.
    hint: Option<(&'k [u8], u64)>,
}

impl Db<'_, '_> {
    /// The hash of `key`.
    #[inline]
    fn key_hash(&self, key: &[u8]) -> u64 {
        match self.hint {
            Some((hinted, hash))
                if std::ptr::eq(hinted.as_ptr(), key.as_ptr()) && hinted.len() == key.len() =>
            {
                hash
            }
            _ => self.hasher.hash(key),
        }
    }

    #[inline]
    fn guard(&self, index: usize) -> Option<&Guard<'_>> {
        let locked = self.locked.as_slice();
        if locked.len() == SHARDS {
            return locked.get(index).map(|(_, g)| g);
        }
        locked.iter().find(|(i, _)| *i == index).map(|(_, g)| g)
    }

    #[inline]
    fn guard_mut(&mut self, index: usize) -> Option<&mut Shard> {
        let locked = self.locked.as_mut_slice();
        let guard = if locked.len() == SHARDS {
            locked.get_mut(index).map(|(_, g)| g)
        } else {
            locked.iter_mut().find(|(i, _)| *i == index).map(|(_, g)| g)
        };
        guard.and_then(Guard::shard_mut)
    }

    /// The hash of `key` and its shard, if locked.
    #[inline]
    fn shard_of(&self, key: &[u8]) -> (u64, Option<&Shard>) {
        let hash = self.key_hash(key);
        let shard = self.guard(shard_index(hash)).map(Guard::shard);
        debug_assert!(shard.is_some(), "key {key:?} used without its shard locked");
        (hash, shard)
    }

    /// The hash of `key` and its shard, if locked for writing.
    #[inline]
    fn shard_of_mut(&mut self, key: &[u8]) -> (u64, Option<&mut Shard>) {
        let hash = self.key_hash(key);
        let shard = self.guard_mut(shard_index(hash));
        debug_assert!(
            shard.is_some(),
            "key {key:?} written without its shard locked for writing"
        );
        (hash, shard)
    }

    fn shards(&self) -> impl Iterator<Item = &Shard> {
        self.locked.as_slice().iter().map(|(_, g)| g.shard())
    }

    fn shards_mut(&mut self) -> impl Iterator<Item = &mut Shard> {
        self.locked
            .as_mut_slice()
            .iter_mut()
            .filter_map(|(_, g)| g.shard_mut())
    }

    /// The live entry of `key`, if any.
    #[inline]
    pub(crate) fn entry(&self, key: &[u8], now: i64) -> Option<EntryRef<'_>> {
        let (hash, shard) = self.shard_of(key);
        shard?.get(hash, key, now)
    }

    /// The live value of `key`, if any.
    #[inline]
    pub(crate) fn value(&self, key: &[u8], now: i64) -> Option<&Value> {
        self.entry(key, now).map(|e| e.value)
    }

    /// The live value of `key` for writing; an expired entry is removed first.
    #[inline]
    pub(crate) fn value_mut(&mut self, key: &[u8], now: i64) -> Option<&mut Value> {
        let (hash, shard) = self.shard_of_mut(key);
        shard?.value_mut(hash, key, now)
    }

    /// Removes `key` if its deadline has passed. Returns true if it did.
    pub(crate) fn purge_if_expired(&mut self, key: &[u8], now: i64) -> bool {
        let (hash, shard) = self.shard_of_mut(key);
        shard.is_some_and(|s| s.purge_if_expired(hash, key, now))
    }

    /// Inserts or replaces `key` with `value` and the given deadline.
    #[inline]
    pub(crate) fn insert(&mut self, key: &[u8], value: Value, expires_at: Option<i64>) {
        let (hash, shard) = self.shard_of_mut(key);
        if let Some(shard) = shard {
            shard.insert(hash, key, value, expires_at);
        }
    }

    /// Sets `key` to the string `bytes` with the given deadline (see [`Shard::set_string`]).
    #[inline]
    pub(crate) fn set_string(&mut self, key: &[u8], bytes: &[u8], expires_at: Option<i64>) {
        let (hash, shard) = self.shard_of_mut(key);
        if let Some(shard) = shard {
            shard.set_string(hash, key, bytes, expires_at);
        }
    }

    /// Replaces the value of an existing live key, keeping its TTL (`KEEPTTL`, `INCRBY`,
    /// `APPEND`); inserts without TTL when missing.
    pub(crate) fn put_keep_ttl(&mut self, key: &[u8], value: Value, now: i64) {
        let expiry = self.entry(key, now).and_then(|e| e.expires_at());
        self.insert(key, value, expiry);
    }

    /// Removes `key` (expired or not) and returns its entry.
    pub(crate) fn remove(&mut self, key: &[u8]) -> Option<Entry> {
        let (hash, shard) = self.shard_of_mut(key);
        shard?.remove(hash, key)
    }

    /// Removes `key` if it holds an empty collection: Redis deletes emptied keys.
    pub(crate) fn remove_if_empty(&mut self, key: &[u8]) {
        let (hash, shard) = self.shard_of_mut(key);
        if let Some(shard) = shard {
            shard.remove_if_empty(hash, key);
        }
    }

    /// Sets or clears the deadline of an existing key. Returns false if the key is missing.
    pub(crate) fn set_expiry(&mut self, key: &[u8], expires_at: Option<i64>) -> bool {
        let (hash, shard) = self.shard_of_mut(key);
        shard.is_some_and(|s| s.set_expiry(hash, key, expires_at))
    }

    /// True when some key in the locked shards has a TTL (so the current time matters).
    pub(crate) fn has_expiring_keys(&self) -> bool {
        self.shards().any(Shard::has_expiring_keys)
    }

    /// Number of live keys in the locked shards (all of them for `DBSIZE`).
    pub(crate) fn len(&self, now: i64) -> usize {
        self.shards().map(|s| s.len(now)).sum()
    }

    /// Removes every key of the locked shards (all of them for `FLUSHDB`).
    pub(crate) fn clear(&mut self) {
        self.shards_mut().for_each(Shard::clear);
    }

    /// Removes up to `limit` keys of the locked shards whose deadline is at or before `now`;
    /// returns their names.
    pub(crate) fn purge_expired(&mut self, now: i64, limit: usize) -> Vec<Name> {
        let mut purged = Vec::new();
        for shard in self.shards_mut() {
            let left = limit.saturating_sub(purged.len());
            if left == 0 {
                break;
            }
            purged.extend(
                shard
                    .purge_expired(now, left)
                    .into_iter()
                    .map(|k| k.to_name()),
            );
        }
        purged
    }

    /// Live keys in scan order from `cursor` (see the module docs), about `limit` of them;
    /// returns the keys and the next cursor (`None` when the iteration is complete).
    pub(crate) fn scan_from(
        &self,
        cursor: u64,
        limit: usize,
        now: i64,
    ) -> (Vec<(&[u8], EntryRef<'_>)>, Option<u64>) {
        let mut out = Vec::new();
        let mut index = (cursor >> POSITION_BITS) as usize;
        let mut position = cursor & ((1 << POSITION_BITS) - 1);
        while index < SHARDS {
            let Some(guard) = self.guard(index) else {
                debug_assert!(false, "SCAN without every shard locked");
                return (out, None);
            };
            let left = limit.saturating_sub(out.len()).max(1);
            let (keys, next) = guard.shard().scan_from(position, left, now);
            out.extend(keys);
            if let Some(next) = next {
                return (out, Some(((index as u64) << POSITION_BITS) | next));
            }
            index += 1;
            position = 0;
            if out.len() >= limit && index < SHARDS {
                return (out, Some((index as u64) << POSITION_BITS));
            }
        }
        (out, None)
    }

    /// All live entries of the locked shards (for snapshots).
    pub(crate) fn iter(&self, now: i64) -> impl Iterator<Item = (&[u8], EntryRef<'_>)> {
        self.shards().flat_map(move |s| s.iter(now))
    }

    /// Type-checked access helpers: `Ok(None)` for a missing key, `WrongType` for another type.
    pub(crate) fn string(&self, key: &[u8], now: i64) -> Result<Option<&[u8]>> {
        match self.value(key, now) {
            None => Ok(None),
            Some(Value::String(b)) => Ok(Some(b)),
            Some(_) => Err(Error::wrong_type()),
        }
    }

    /// See [`Db::string`].
    pub(crate) fn hash(&self, key: &[u8], now: i64) -> Result<Option<&HashValue>> {
        match self.value(key, now) {
            None => Ok(None),
            Some(Value::Hash(h)) => Ok(Some(h)),
            Some(_) => Err(Error::wrong_type()),
        }
    }

    /// See [`Db::string`].
    pub(crate) fn list(&self, key: &[u8], now: i64) -> Result<Option<&VecDeque<Bytes>>> {
        match self.value(key, now) {
            None => Ok(None),
            Some(Value::List(l)) => Ok(Some(l)),
            Some(_) => Err(Error::wrong_type()),
        }
    }

    /// See [`Db::string`].
    pub(crate) fn set(&self, key: &[u8], now: i64) -> Result<Option<&SetValue>> {
        match self.value(key, now) {
            None => Ok(None),
            Some(Value::Set(s)) => Ok(Some(s)),
            Some(_) => Err(Error::wrong_type()),
        }
    }

    /// See [`Db::string`].
    pub(crate) fn zset(&self, key: &[u8], now: i64) -> Result<Option<&ZSet>> {
        match self.value(key, now) {
            None => Ok(None),
            Some(Value::ZSet(z)) => Ok(Some(z)),
            Some(_) => Err(Error::wrong_type()),
        }
    }

    /// Mutable access to `key`'s value, created as `empty()` when missing; `WrongType` unless
    /// `matches` accepts it. Two probes either way (the borrow checker cannot hand out the
    /// found value from one branch and insert in the other).
    fn value_or_create(
        &mut self,
        key: &[u8],
        now: i64,
        matches: fn(&Value) -> bool,
        empty: fn() -> Value,
    ) -> Result<&mut Value> {
        let (hash, shard) = self.shard_of_mut(key);
        let shard = shard.ok_or_else(not_locked)?;
        let exists = match shard.value_mut(hash, key, now) {
            Some(value) if matches(value) => true,
            Some(_) => return Err(Error::wrong_type()),
            None => false,
        };
        if exists {
            shard.value_mut(hash, key, now).ok_or_else(not_locked)
        } else {
            Ok(shard.create(hash, key, empty()))
        }
    }

    /// Mutable, type-checked access to an existing hash.
    pub(crate) fn hash_mut(&mut self, key: &[u8], now: i64) -> Result<Option<&mut HashValue>> {
        match self.value_mut(key, now) {
            None => Ok(None),
            Some(Value::Hash(h)) => Ok(Some(h)),
            Some(_) => Err(Error::wrong_type()),
        }
    }

    /// Mutable access to a hash, created empty when missing. The caller must leave it
    /// non-empty or call [`Db::remove_if_empty`].
    pub(crate) fn hash_or_create(&mut self, key: &[u8], now: i64) -> Result<&mut HashValue> {
        match self.value_or_create(
            key,
            now,
            |v| matches!(v, Value::Hash(_)),
            || Value::Hash(HashValue::default()),
        )? {
            Value::Hash(h) => Ok(h),
            _ => Err(Error::wrong_type()),
        }
    }

    /// Mutable, type-checked access to an existing list.
    pub(crate) fn list_mut(
        &mut self,
        key: &[u8],
        now: i64,
    ) -> Result<Option<&mut VecDeque<Bytes>>> {
        match self.value_mut(key, now) {
            None => Ok(None),
            Some(Value::List(l)) => Ok(Some(l)),
            Some(_) => Err(Error::wrong_type()),
        }
    }

    /// Mutable access to a list, created empty when missing (see [`Db::hash_or_create`]).
    pub(crate) fn list_or_create(&mut self, key: &[u8], now: i64) -> Result<&mut VecDeque<Bytes>> {
        match self.value_or_create(
            key,
            now,
            |v| matches!(v, Value::List(_)),
            || Value::List(Box::default()),
        )? {
            Value::List(l) => Ok(l),
            _ => Err(Error::wrong_type()),
        }
    }

    /// Mutable, type-checked access to an existing set.
    pub(crate) fn set_mut(&mut self, key: &[u8], now: i64) -> Result<Option<&mut SetValue>> {
        match self.value_mut(key, now) {
            None => Ok(None),
            Some(Value::Set(s)) => Ok(Some(s)),
            Some(_) => Err(Error::wrong_type()),
        }
    }

    /// Mutable access to a set, created empty when missing (see [`Db::hash_or_create`]).
    pub(crate) fn set_or_create(&mut self, key: &[u8], now: i64) -> Result<&mut SetValue> {
        match self.value_or_create(
            key,
            now,
            |v| matches!(v, Value::Set(_)),
            || Value::Set(SetValue::default()),
        )? {
            Value::Set(s) => Ok(s),
            _ => Err(Error::wrong_type()),
        }
    }

    /// Mutable, type-checked access to an existing sorted set.
    pub(crate) fn zset_mut(&mut self, key: &[u8], now: i64) -> Result<Option<&mut ZSet>> {
        match self.value_mut(key, now) {
            None => Ok(None),
            Some(Value::ZSet(z)) => Ok(Some(z)),
            Some(_) => Err(Error::wrong_type()),
        }
    }

    /// Mutable access to a sorted set, created empty when missing (see [`Db::hash_or_create`]).
    pub(crate) fn zset_or_create(&mut self, key: &[u8], now: i64) -> Result<&mut ZSet> {
        match self.value_or_create(
            key,
            now,
            |v| matches!(v, Value::ZSet(_)),
            || Value::ZSet(ZSet::default()),
        )? {
            Value::ZSet(z) => Ok(z),
            _ => Err(Error::wrong_type()),
        }
    }
}

/// The error for a key whose shard the command did not lock (an engine bug; see [`Db`]).
fn not_locked() -> Error {
    Error::new(
        staunch_core::ErrorKind::Internal,
        "key used without its shard locked",
    )
}
