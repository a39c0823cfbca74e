//! [`Value`]: what a key holds, in 24 bytes.
//!
//! The table entry of every key holds a `Value` inline, so its size is paid per key (twice
//! over, counting the table's free slots). Strings are an owned byte slice (16 bytes; a `Bytes`
//! would be 32 and could keep a larger shared buffer alive), and collections sit behind one
//! pointer, since a collection's own allocation dwarfs the pointer.

use std::collections::VecDeque;

use bytes::Bytes;
use staunch_core::KeyType;

use super::hash_value::HashValue;
use super::set_value::SetValue;
use super::sorted_set::ZSet;

/// A stored value.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    String(Box<[u8]>),
    Hash(HashValue),
    // Boxed on purpose: a `VecDeque` is 32 bytes and would make every key's value 40.
    #[allow(clippy::box_collection)]
    List(Box<VecDeque<Bytes>>),
    Set(SetValue),
    ZSet(ZSet),
}

impl Value {
    /// A string value holding a copy of `bytes`.
    pub(crate) fn string(bytes: &[u8]) -> Value {
        Value::String(Box::from(bytes))
    }

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

/// A key's value and its absolute deadline in Unix milliseconds, taken out of the keyspace.
#[derive(Debug)]
pub(crate) struct Entry {
    pub(crate) value: Value,
    pub(crate) expires_at: Option<i64>,
}

impl Entry {
    pub(crate) fn expires_at(&self) -> Option<i64> {
        self.expires_at
    }
}

/// A live key's value and deadline, borrowed from the keyspace.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EntryRef<'a> {
    pub(crate) value: &'a Value,
    pub(crate) expires_at: Option<i64>,
}

impl EntryRef<'_> {
    pub(crate) fn expires_at(&self) -> Option<i64> {
        self.expires_at
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_value_takes_24_bytes() {
        assert_eq!(std::mem::size_of::<super::Value>(), 24);
    }
}
