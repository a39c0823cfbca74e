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
//!
//! Like a listpack's 7-bit integers, a one-byte item whose byte is 0x80 or above is stored as
//! that byte alone: a length byte is never above [`MAX_ITEM_LEN`], so the high bit tells the
//! two apart. Sorted sets encode small whole scores (priorities, ranks) as such bytes.

/// Most items a packed collection holds (counting a hash's fields and values separately).
/// Lower than Redis's 128: a lookup scans, and in process, without a network round trip to
/// hide it, a scan of 128 items would cost more than the hash it saves; 32 keeps the
/// collections applications hold most (a dozen fields, a handful of members) packed.
pub(crate) const MAX_ITEMS: usize = 32;
/// Longest item a packed collection holds.
pub(crate) const MAX_ITEM_LEN: usize = 64;

/// Items stored as `[len: u8][bytes]...`, or one byte of 0x80 and above alone.
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
            .map(|(_, item)| encoded_len(item))
            .sum();
        let added: usize = add.clone().into_iter().map(encoded_len).sum();
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
        while let Some((range, next)) = item_at(&self.bytes, offset) {
            if at == index {
                let stored_alone = range.start == offset;
                if range.len() == item.len()
                    && stored_alone == is_alone(item)
                    && let Some(old) = self.bytes.get_mut(range)
                {
                    old.copy_from_slice(item);
                    return;
                }
                break;
            }
            offset = next;
            at += 1;
        }
        let items: Vec<&[u8]> = self.iter().collect();
        let mut out = Vec::with_capacity(self.bytes.len() + item.len() + 1);
        for (i, old) in items.into_iter().enumerate() {
            push(&mut out, if i == index { item } else { old });
        }
        self.bytes = out.into_boxed_slice();
    }
}

/// True when `item` is stored as its one byte alone.
#[inline]
fn is_alone(item: &[u8]) -> bool {
    matches!(item, [b] if *b >= 0x80)
}

/// The bytes `item` takes when stored.
fn encoded_len(item: &[u8]) -> usize {
    if is_alone(item) { 1 } else { 1 + item.len() }
}

/// The byte range of the item stored at `offset`, and the offset of the next one.
#[inline]
fn item_at(bytes: &[u8], offset: usize) -> Option<(std::ops::Range<usize>, usize)> {
    let &len = bytes.get(offset)?;
    if len >= 0x80 {
        return Some((offset..offset + 1, offset + 1));
    }
    let start = offset + 1;
    let end = (start + len as usize).min(bytes.len());
    Some((start..end, end))
}

fn push(out: &mut Vec<u8>, item: &[u8]) {
    if is_alone(item) {
        out.push(item[0]);
        return;
    }
    // `fits` keeps items within MAX_ITEM_LEN, below the high bit; the clamp only guards
    // against a caller that skipped it (its item is cut, never misread).
    debug_assert!(
        item.len() <= MAX_ITEM_LEN,
        "packed item of {} bytes",
        item.len()
    );
    let len = item.len().min(MAX_ITEM_LEN);
    out.push(len as u8);
    out.extend_from_slice(&item[..len]);
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
        let (range, next) = item_at(self.rest, 0)?;
        let item = &self.rest[range];
        self.rest = &self.rest[next..];
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

    #[test]
    fn high_single_bytes_are_stored_alone_and_read_back() {
        let items: [&[u8]; 5] = [b"\x80", b"\xff", b"\x7f", b"\x80\x80", b""];
        let packed = Packed::from_items(items);
        // 0x80 and 0xff alone; 0x7f and the two-byte item with their length byte.
        assert_eq!(packed.bytes.len(), 1 + 1 + 2 + 3 + 1);
        assert_eq!(packed.iter().collect::<Vec<_>>(), items);
        let mut packed = packed;
        packed.replace(0, b"\x90"); // alone for alone: in place
        packed.replace(2, b"\xa0"); // with a length byte for alone: rebuilt
        packed.replace(1, b"z"); // alone for one with a length byte: rebuilt
        assert_eq!(
            packed.iter().collect::<Vec<_>>(),
            [&b"\x90"[..], b"z", b"\xa0", b"\x80\x80", b""]
        );
        assert_eq!(packed.bytes.len(), 1 + 2 + 1 + 3 + 1);
    }
}
