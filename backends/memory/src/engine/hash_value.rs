//! [`HashValue`]: a hash's fields, packed while small (see `packed`), a table once large.
//!
//! The table keeps the values as the `Bytes` it was given, so `HGET` on a large hash shares
//! the stored bytes instead of copying them; a packed hash copies its few short values.

use bytes::Bytes;

use super::hashing::FastMap;
use super::packed::{MAX_ITEMS, Packed, PackedIter};

/// The fields and values of one hash.
#[derive(Debug, Clone)]
pub(crate) enum HashValue {
    /// Field, value, field, value, ... in insertion order.
    Packed(Packed),
    /// Field to value.
    Table(Box<FastMap<Box<[u8]>, Bytes>>),
}

impl Default for HashValue {
    fn default() -> Self {
        HashValue::Packed(Packed::default())
    }
}

impl HashValue {
    /// A hash of `pairs` (a later duplicate field wins).
    pub(crate) fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a [u8], &'a Bytes)>) -> Self {
        let mut hash = HashValue::default();
        for (field, value) in pairs {
            hash.set(field, value);
        }
        hash
    }

    /// Number of fields.
    pub(crate) fn len(&self) -> usize {
        match self {
            HashValue::Packed(p) => p.iter().count() / 2,
            HashValue::Table(t) => t.len(),
        }
    }

    /// True when the hash has no field.
    pub(crate) fn is_empty(&self) -> bool {
        match self {
            HashValue::Packed(p) => p.is_empty(),
            HashValue::Table(t) => t.is_empty(),
        }
    }

    /// The value of `field`.
    pub(crate) fn get(&self, field: &[u8]) -> Option<&[u8]> {
        match self {
            HashValue::Packed(p) => {
                let mut items = p.iter();
                while let (Some(f), Some(v)) = (items.next(), items.next()) {
                    if f == field {
                        return Some(v);
                    }
                }
                None
            }
            HashValue::Table(t) => t.get(field).map(|v| &v[..]),
        }
    }

    /// The value of `field` for a reply: shared with the table, or copied out of the packed
    /// form.
    pub(crate) fn get_bytes(&self, field: &[u8]) -> Option<Bytes> {
        match self {
            HashValue::Packed(_) => self.get(field).map(Bytes::copy_from_slice),
            HashValue::Table(t) => t.get(field).cloned(),
        }
    }

    /// True when `field` is present.
    pub(crate) fn contains_key(&self, field: &[u8]) -> bool {
        self.get(field).is_some()
    }

    /// Every field and its value.
    pub(crate) fn iter(&self) -> HashIter<'_> {
        match self {
            HashValue::Packed(p) => HashIter::Packed(p.iter()),
            HashValue::Table(t) => HashIter::Table(t.iter()),
        }
    }

    /// Sets `field` to `value`; true when the field is new.
    pub(crate) fn set(&mut self, field: &[u8], value: &Bytes) -> bool {
        if let HashValue::Packed(p) = self {
            let mut index = None;
            let mut items = 0;
            let mut iter = p.iter();
            while let (Some(f), Some(_)) = (iter.next(), iter.next()) {
                if index.is_none() && f == field {
                    index = Some(items + 1);
                }
                items += 2;
            }
            let fits = Packed::fits(field) && Packed::fits(value);
            match index {
                Some(index) if fits => {
                    p.replace(index, value);
                    return false;
                }
                None if fits && items + 2 <= MAX_ITEMS => {
                    p.rebuild(|_, _| true, [field, &value[..]]);
                    return true;
                }
                _ => self.convert_to_table(),
            }
        }
        match self {
            HashValue::Table(t) => match t.get_mut(field) {
                Some(slot) => {
                    *slot = value.clone();
                    false
                }
                None => {
                    t.insert(Box::from(field), value.clone());
                    true
                }
            },
            // `convert_to_table` above made it a table.
            HashValue::Packed(_) => false,
        }
    }

    /// Removes `field`; true when it was present.
    pub(crate) fn remove(&mut self, field: &[u8]) -> bool {
        match self {
            HashValue::Packed(p) => {
                let Some(index) = p.iter().step_by(2).position(|f| f == field) else {
                    return false;
                };
                p.rebuild(|i, _| i / 2 != index, std::iter::empty());
                true
            }
            HashValue::Table(t) => t.remove(field).is_some(),
        }
    }

    fn convert_to_table(&mut self) {
        let table: FastMap<Box<[u8]>, Bytes> = self
            .iter()
            .map(|(f, v)| (Box::from(f), Bytes::copy_from_slice(v)))
            .collect();
        *self = HashValue::Table(Box::new(table));
    }
}

/// The fields and values of a [`HashValue`].
pub(crate) enum HashIter<'a> {
    Packed(PackedIter<'a>),
    Table(std::collections::hash_map::Iter<'a, Box<[u8]>, Bytes>),
}

impl<'a> Iterator for HashIter<'a> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            HashIter::Packed(items) => {
                let field = items.next()?;
                let value = items.next()?;
                Some((field, value))
            }
            HashIter::Table(entries) => entries.next().map(|(f, v)| (&**f, &**v)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_behaves_the_same_packed_and_as_a_table() {
        let mut hash = HashValue::default();
        assert!(hash.set(b"a", &Bytes::from_static(b"1")));
        assert!(hash.set(b"b", &Bytes::from_static(b"2")));
        assert!(
            !hash.set(b"a", &Bytes::from_static(b"3")),
            "an update is not a new field"
        );
        assert_eq!(hash.get(b"a"), Some(&b"3"[..]));
        assert_eq!(hash.len(), 2);
        assert!(matches!(hash, HashValue::Packed(_)));
        // A long value turns it into a table, keeping every field.
        let long = Bytes::from(vec![b'x'; 100]);
        assert!(hash.set(b"long", &long));
        assert!(matches!(hash, HashValue::Table(_)));
        assert_eq!(hash.get(b"b"), Some(&b"2"[..]));
        assert_eq!(hash.get(b"long"), Some(&long[..]));
        assert_eq!(hash.len(), 3);
        assert!(hash.remove(b"a") && !hash.remove(b"a"));
        assert_eq!(hash.len(), 2);
    }

    #[test]
    fn many_fields_turn_a_packed_hash_into_a_table() {
        let mut hash = HashValue::default();
        for i in 0..MAX_ITEMS {
            hash.set(format!("f{i}").as_bytes(), &Bytes::from_static(b"v"));
        }
        assert!(matches!(hash, HashValue::Table(_)));
        assert_eq!(hash.len(), MAX_ITEMS);
        let mut packed = HashValue::default();
        packed.set(b"x", &Bytes::from_static(b"1"));
        packed.set(b"y", &Bytes::from_static(b"2"));
        assert!(packed.remove(b"x"));
        assert_eq!(packed.iter().collect::<Vec<_>>(), [(&b"y"[..], &b"2"[..])]);
        assert!(packed.remove(b"y"));
        assert!(packed.is_empty());
    }
}
