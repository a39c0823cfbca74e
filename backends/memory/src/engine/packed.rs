//! [`Packed`]: a short sequence of short byte strings in one exact-size allocation, the
//! engine's analogue of Redis's listpack.
//!
//! Small collections are the common case (a session hash of a dozen fields, a set of a few
//! tags), and a hash table for ten entries costs several times its contents: buckets for
//! twice the entries, a heap allocation per field and per value. Packed, each item costs its
//! bytes plus one length byte, and lookups scan, which for a few dozen short items is as fast
//! as hashing. Collections convert to their table form once they outgrow [`MAX_ITEMS`] items
//! or hold an item longer than [`MAX_ITEM_LEN`] bytes (Redis's `*-max-listpack-*` limits play
//! the same role), and never convert back.
//!
//! Every change reallocates the buffer to its exact new size, as a listpack does: cheap for
//! buffers this small, and no capacity is ever left unused.

/// Most items a packed collection holds (counting a hash's fields and values separately).
/// Lower than Redis's 128: a lookup scans, and in process, without a network round trip to
/// hide it, a scan of 128 items would cost more than the hash it saves; 32 keeps the
/// collections applications hold most (a dozen fields, a handful of members) packed.
pub(crate) const MAX_ITEMS: usize = 32;
/// Longest item a packed collection holds.
pub(crate) const MAX_ITEM_LEN: usize = 64;

/// Items stored as `[len: u8][bytes]...`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Packed {
    bytes: Box<[u8]>,
}

impl Packed {
    /// True when `item` may be stored packed.
    pub(crate) fn fits(item: &[u8]) -> bool {
        item.len() <= MAX_ITEM_LEN
    }

    /// The items in order.
    pub(crate) fn iter(&self) -> PackedIter<'_> {
        PackedIter { rest: &self.bytes }
    }

    /// True when there are no items.
    pub(crate) fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The byte offset of every item that `keep` rejects removed, and `add` appended; the
    /// buffer is rebuilt once at its exact new size.
    pub(crate) fn rebuild<'a>(
        &mut self,
        mut keep: impl FnMut(usize, &[u8]) -> bool,
        add: impl IntoIterator<Item = &'a [u8]> + Clone,
    ) {
        let kept: usize = self
            .iter()
            .enumerate()
            .filter(|(i, item)| keep(*i, item))
            .map(|(_, item)| 1 + item.len())
            .sum();
        let added: usize = add.clone().into_iter().map(|item| 1 + item.len()).sum();
        let mut out = Vec::with_capacity(kept + added);
        for (i, item) in self.iter().enumerate() {
            if keep(i, item) {
                push(&mut out, item);
            }
        }
        for item in add {
            push(&mut out, item);
        }
        self.bytes = out.into_boxed_slice();
    }

    /// Builds a packed sequence of `items`.
    pub(crate) fn from_items<'a>(items: impl IntoIterator<Item = &'a [u8]>) -> Packed {
        let mut out = Vec::new();
        for item in items {
            push(&mut out, item);
        }
        Packed {
            bytes: out.into_boxed_slice(),
        }
    }

    /// Replaces item number `index` (which must exist) with `item`: in place when the lengths
    /// match (no allocation), else by rebuilding the buffer.
    pub(crate) fn replace(&mut self, index: usize, item: &[u8]) {
        let mut offset = 0;
        let mut at = 0;
        while let Some(&len) = self.bytes.get(offset) {
            let len = len as usize;
            if at == index {
                if len == item.len()
                    && let Some(old) = self.bytes.get_mut(offset + 1..offset + 1 + len)
                {
                    old.copy_from_slice(item);
                    return;
                }
                break;
            }
            offset += 1 + len;
            at += 1;
        }
        let items: Vec<&[u8]> = self.iter().collect();
        let mut out = Vec::with_capacity(self.bytes.len() + item.len());
        for (i, old) in items.into_iter().enumerate() {
            push(&mut out, if i == index { item } else { old });
        }
        self.bytes = out.into_boxed_slice();
    }
}

fn push(out: &mut Vec<u8>, item: &[u8]) {
    // `fits` keeps items within a byte's range; the cast cannot truncate.
    out.push(item.len().min(u8::MAX as usize) as u8);
    out.extend_from_slice(&item[..item.len().min(u8::MAX as usize)]);
}

/// The items of a [`Packed`], in order.
#[derive(Debug, Clone)]
pub(crate) struct PackedIter<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for PackedIter<'a> {
    type Item = &'a [u8];

    #[inline]
    fn next(&mut self) -> Option<&'a [u8]> {
        let (&len, rest) = self.rest.split_first()?;
        let len = (len as usize).min(rest.len());
        let (item, rest) = rest.split_at(len);
        self.rest = rest;
        Some(item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_round_trip_through_rebuilds_and_replacements() {
        let mut packed = Packed::default();
        packed.rebuild(|_, _| true, [&b"a"[..], b"", b"ccc"]);
        assert_eq!(packed.iter().collect::<Vec<_>>(), [&b"a"[..], b"", b"ccc"]);
        packed.rebuild(|i, _| i != 1, [&b"dd"[..]]);
        assert_eq!(
            packed.iter().collect::<Vec<_>>(),
            [&b"a"[..], b"ccc", b"dd"]
        );
        packed.replace(1, b"x");
        assert_eq!(packed.iter().collect::<Vec<_>>(), [&b"a"[..], b"x", b"dd"]);
        packed.rebuild(|_, _| false, std::iter::empty());
        assert!(packed.is_empty());
    }
}
