//! [`SetValue`]: a set's members, packed while small (see `packed`), a table once large.

use bytes::Bytes;

use super::hashing::FastSet;
use super::packed::{MAX_ITEMS, Packed, PackedIter};

/// The members of one set.
#[derive(Debug, Clone)]
pub(crate) enum SetValue {
    /// Members in insertion order.
    Packed(Packed),
    /// Members in a hash set.
    Table(Box<FastSet<Box<[u8]>>>),
}

impl Default for SetValue {
    fn default() -> Self {
        SetValue::Packed(Packed::default())
    }
}

impl SetValue {
    /// Number of members.
    pub(crate) fn len(&self) -> usize {
        match self {
            SetValue::Packed(p) => p.iter().count(),
            SetValue::Table(t) => t.len(),
        }
    }

    /// True when the set has no member.
    pub(crate) fn is_empty(&self) -> bool {
        match self {
            SetValue::Packed(p) => p.is_empty(),
            SetValue::Table(t) => t.is_empty(),
        }
    }

    /// True when `member` is in the set.
    pub(crate) fn contains(&self, member: &[u8]) -> bool {
        match self {
            SetValue::Packed(p) => p.iter().any(|m| m == member),
            SetValue::Table(t) => t.contains(member),
        }
    }

    /// Every member.
    pub(crate) fn iter(&self) -> SetIter<'_> {
        match self {
            SetValue::Packed(p) => SetIter::Packed(p.iter()),
            SetValue::Table(t) => SetIter::Table(t.iter()),
        }
    }

    /// Adds the members of `members` that are not there yet; returns how many were added.
    pub(crate) fn insert_all<'a>(&mut self, members: impl IntoIterator<Item = &'a [u8]>) -> usize {
        let mut added = 0;
        for member in members {
            if self.insert(member) {
                added += 1;
            }
        }
        added
    }

    /// Adds `member`; true when it was not there.
    pub(crate) fn insert(&mut self, member: &[u8]) -> bool {
        if let SetValue::Packed(p) = self {
            if p.iter().any(|m| m == member) {
                return false;
            }
            if Packed::fits(member) && p.iter().count() < MAX_ITEMS {
                p.rebuild(|_, _| true, [member]);
                return true;
            }
            self.convert_to_table();
        }
        match self {
            SetValue::Table(t) => t.insert(Box::from(member)),
            // `convert_to_table` above made it a table.
            SetValue::Packed(_) => false,
        }
    }

    /// Removes `member`; true when it was there.
    pub(crate) fn remove(&mut self, member: &[u8]) -> bool {
        match self {
            SetValue::Packed(p) => {
                let Some(index) = p.iter().position(|m| m == member) else {
                    return false;
                };
                p.rebuild(|i, _| i != index, std::iter::empty());
                true
            }
            SetValue::Table(t) => t.remove(member),
        }
    }

    /// Removes every member and returns them.
    pub(crate) fn take_all(&mut self) -> Vec<Bytes> {
        let members = self.iter().map(Bytes::copy_from_slice).collect();
        *self = SetValue::default();
        members
    }

    fn convert_to_table(&mut self) {
        let table: FastSet<Box<[u8]>> = self.iter().map(Box::from).collect();
        *self = SetValue::Table(Box::new(table));
    }
}

/// The members of a [`SetValue`].
pub(crate) enum SetIter<'a> {
    Packed(PackedIter<'a>),
    Table(std::collections::hash_set::Iter<'a, Box<[u8]>>),
}

impl<'a> Iterator for SetIter<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        match self {
            SetIter::Packed(items) => items.next(),
            SetIter::Table(members) => members.next().map(|m| &**m),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_behaves_the_same_packed_and_as_a_table() {
        let mut set = SetValue::default();
        assert!(set.insert(b"a"));
        assert!(!set.insert(b"a"));
        assert_eq!(set.insert_all([&b"b"[..], b"c", b"a"]), 2);
        assert!(matches!(set, SetValue::Packed(_)));
        assert!(set.contains(b"b") && !set.contains(b"z"));
        assert!(set.insert(&[b'x'; 100]));
        assert!(matches!(set, SetValue::Table(_)));
        assert_eq!(set.len(), 4);
        assert!(set.contains(b"c") && set.contains(&[b'x'; 100]));
        assert!(set.remove(b"a") && !set.remove(b"a"));
        assert_eq!(set.take_all().len(), 3);
        assert!(set.is_empty());
    }
}
