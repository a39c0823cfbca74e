//! What durable backends need from the engine: a snapshot of the keyspace and loading one back.
//!
//! The file backend keeps the engine's state on disk as a snapshot plus a log of the writes
//! made since (see `staunch-file`). This module is the engine's half of that contract:
//!
//! - [`SnapshotEntry`] / [`StoredValue`]: a plain-data copy of one key, made of `String`,
//!   [`Bytes`], `Vec` and `f64` only, so any serde format (the file backend uses bincode)
//!   can encode it without knowing the engine's internal indexes. Expiry is an absolute Unix
//!   millisecond deadline, so a key that expires while the process is down stays gone.
//! - [`Engine::snapshot`] and [`Engine::snapshot_with`]: copy every live key with every shard
//!   read-locked. No write can run meanwhile, and in particular no write can reach the
//!   [`WriteLog`](super::WriteLog) (which is called with the writer's shards locked), so
//!   `snapshot_with` lets the log owner mark its position, or switch to a new log file, at
//!   exactly the point the snapshot describes.
//! - [`Engine::load`]: replace the keyspace with a snapshot, without logging anything.
//!
//! Collection members share their bytes with the engine (`Bytes` is reference counted); string
//! values, which the engine keeps as plain byte slices, are copied. The snapshot holds every
//! shard's read lock for that pass: writers wait, readers do not.
//!
//! The types are deliberately not `#[non_exhaustive]`: they are a data format, and a new
//! variant is a format change the file backend must version anyway.

use bytes::Bytes;
use staunch_core::Name;

use super::handle::Engine;
use super::hash_value::HashValue;
use super::set_value::SetValue;
use super::sorted_set::ZSet;
use super::value::Value;

/// One key of a snapshot: its name, value and absolute expiry.
#[derive(Debug, Clone, PartialEq)]
pub struct SnapshotEntry {
    /// The key.
    pub key: Name,
    /// The value.
    pub value: StoredValue,
    /// Unix milliseconds at which the key expires; `None` for no TTL.
    pub expires_at: Option<i64>,
}

/// A value as stored in a snapshot. Collections are flat vectors; their order carries no
/// meaning except for lists (head first) and sorted sets (ascending by score, then member).
#[derive(Debug, Clone, PartialEq)]
pub enum StoredValue {
    /// A string.
    String(Bytes),
    /// A hash: field and value pairs.
    Hash(Vec<(Name, Bytes)>),
    /// A list, head first.
    List(Vec<Bytes>),
    /// A set's members.
    Set(Vec<Bytes>),
    /// A sorted set's members with their scores, ascending.
    ZSet(Vec<(Bytes, f64)>),
}

impl StoredValue {
    fn from_value(value: &Value) -> StoredValue {
        match value {
            Value::String(b) => StoredValue::String(Bytes::copy_from_slice(b)),
            Value::Hash(h) => StoredValue::Hash(
                h.iter()
                    .map(|(f, v)| (Name::from(f), Bytes::copy_from_slice(v)))
                    .collect(),
            ),
            Value::List(l) => StoredValue::List(l.iter().cloned().collect()),
            Value::Set(s) => StoredValue::Set(s.iter().map(Bytes::copy_from_slice).collect()),
            Value::ZSet(z) => StoredValue::ZSet(
                z.iter()
                    .map(|(m, s)| (Bytes::copy_from_slice(m), s))
                    .collect(),
            ),
        }
    }

    /// The engine's value, or `None` for an empty collection (Redis never keeps one) or a sorted
    /// set with a NaN score (no command can store one; a snapshot that has one is damaged).
    fn into_value(self) -> Option<Value> {
        let value = match self {
            StoredValue::String(b) => Value::string(&b),
            StoredValue::Hash(fields) => Value::Hash(HashValue::from_pairs(
                fields.iter().map(|(f, v)| (&f[..], v)),
            )),
            StoredValue::List(items) => Value::List(Box::new(items.into_iter().collect())),
            StoredValue::Set(members) => {
                let mut set = SetValue::default();
                set.insert_all(members.iter().map(|m| &m[..]));
                Value::Set(set)
            }
            StoredValue::ZSet(members) => {
                let mut zset = ZSet::default();
                for (member, score) in members {
                    if score.is_nan() {
                        return None;
                    }
                    zset.insert(&member, score);
                }
                Value::ZSet(zset)
            }
        };
        (!value.is_empty_collection()).then_some(value)
    }
}

impl Engine {
    /// Every live key, copied under the read lock (see the module docs).
    pub fn snapshot(&self) -> Vec<SnapshotEntry> {
        self.snapshot_with(|| ()).0
    }

    /// Every live key, plus the result of `at_the_same_time`, which runs while the read lock is
    /// still held: no write is applied or logged between the copy and the call. The file
    /// backend rotates its log there, so the snapshot and the new log meet exactly.
    /// `at_the_same_time` must not call back into this engine.
    pub fn snapshot_with<R>(
        &self,
        at_the_same_time: impl FnOnce() -> R,
    ) -> (Vec<SnapshotEntry>, R) {
        let now = self.shared.now();
        let db = self.shared.keyspace.lock_all(false);
        let entries = db
            .iter(now)
            .map(|(key, entry)| SnapshotEntry {
                key: Name::from(key),
                value: StoredValue::from_value(entry.value),
                expires_at: entry.expires_at(),
            })
            .collect();
        let marker = at_the_same_time();
        drop(db);
        (entries, marker)
    }

    /// Replaces the whole keyspace with `entries`, without logging. Entries that would be
    /// invisible anyway are skipped: empty collections and sorted sets with a NaN score.
    /// Expired entries are kept (they stay invisible and are purged as usual), so that log
    /// records replayed at earlier recorded times see the keyspace as it was then. A key named
    /// twice keeps its last entry. Returns how many keys were loaded.
    pub fn load(&self, entries: impl IntoIterator<Item = SnapshotEntry>) -> usize {
        let mut db = self.shared.keyspace.lock_all(true);
        db.clear();
        let mut loaded = 0;
        for entry in entries {
            if let Some(value) = entry.value.into_value() {
                db.insert(&entry.key, value, entry.expires_at);
                loaded += 1;
            }
        }
        loaded
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use staunch_core::{Command, ManualClock, SetOptions};

    use super::*;

    #[tokio::test]
    async fn snapshot_and_load_round_trip() {
        let clock = ManualClock::new(1_000);
        let engine = Engine::new(Arc::new(clock.clone()));
        let entries = vec![
            SnapshotEntry {
                key: "s".into(),
                value: StoredValue::String(Bytes::from_static(b"v")),
                expires_at: Some(5_000),
            },
            SnapshotEntry {
                key: "z".into(),
                value: StoredValue::ZSet(vec![
                    (Bytes::from_static(b"a"), 1.0),
                    (Bytes::from_static(b"b"), 2.0),
                ]),
                expires_at: None,
            },
            SnapshotEntry {
                key: "empty".into(),
                value: StoredValue::List(Vec::new()),
                expires_at: None,
            },
        ];
        assert_eq!(engine.load(entries.clone()), 2);
        let mut snap = engine.snapshot();
        snap.sort_by(|a, b| a.key.cmp(&b.key));
        assert_eq!(snap, vec![entries[0].clone(), entries[1].clone()]);
        clock.set(5_000);
        assert_eq!(engine.snapshot().len(), 1);
        let reply = engine
            .execute(Command::Set {
                key: "n".into(),
                value: Bytes::from_static(b"1"),
                options: SetOptions::default(),
            })
            .await;
        assert!(reply.is_ok());
        assert_eq!(engine.snapshot().len(), 2);
    }
}
