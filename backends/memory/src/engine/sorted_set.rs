//! [`ZSet`]: the sorted-set value the `zsets` commands work on; packed while small (see
//! `packed`), a [`ZSetTable`] once large.
//!
//! Order is by score, then by member bytes, which is exactly Redis's tie rule; scores are never
//! NaN and `-0.0` is stored as `0.0`. A packed set keeps score, member, score, member, ... in
//! that order; a score that is a small whole number (as queue priorities and timestamps in
//! milliseconds are) takes only the bytes it needs, as a listpack stores integers.

use std::cmp::Ordering;

use bytes::Bytes;

use super::packed::{MAX_ITEMS, Packed};
use super::sorted_set_table::{Score, ZSetTable, cmp_bytes};

/// Members in order with their scores.
pub(crate) type ZIter<'a> = Box<dyn DoubleEndedIterator<Item = (&'a [u8], f64)> + 'a>;

/// A sorted set.
#[derive(Debug, Clone)]
pub(crate) enum ZSet {
    /// Score, member, score, member, ... ascending.
    Packed(Packed),
    /// The table form.
    Table(Box<ZSetTable>),
}

impl Default for ZSet {
    fn default() -> Self {
        ZSet::Packed(Packed::default())
    }
}

/// A score as stored packed:
/// - a whole number from 0 to 127 as one byte, 0x80 plus the number, which the packed form
///   stores alone (as a listpack stores its 7-bit integers);
/// - any other whole number below 2^53 in magnitude as a little-endian two's complement
///   integer of 2 to 7 bytes;
/// - anything else as the 8 bytes of the `f64`.
///
/// The length tells the three apart: 1 byte is the first, 8 the last.
fn encode_score(score: f64, out: &mut [u8; 8]) -> usize {
    const EXACT: f64 = (1u64 << 53) as f64;
    if score.fract() == 0.0 && score.abs() < EXACT {
        let n = score as i64;
        if (0..0x80).contains(&n) {
            out[0] = 0x80 | n as u8;
            return 1;
        }
        let bytes = n.to_le_bytes();
        // The fewest bytes (at least 2) whose sign extension gives `n` back (at most 7
        // below 2^53).
        let mut len = 2;
        while len < 7 && sign_extend(&bytes[..len]) != n {
            len += 1;
        }
        out[..len].copy_from_slice(&bytes[..len]);
        len
    } else {
        *out = score.to_bits().to_le_bytes();
        8
    }
}

fn sign_extend(bytes: &[u8]) -> i64 {
    let Some(&last) = bytes.last() else { return 0 };
    let mut full = if last & 0x80 != 0 { [0xff; 8] } else { [0; 8] };
    full[..bytes.len()].copy_from_slice(bytes);
    i64::from_le_bytes(full)
}

fn decode_score(bytes: &[u8]) -> f64 {
    match bytes {
        [small] => f64::from(small & 0x7f),
        _ => match <[u8; 8]>::try_from(bytes) {
            Ok(bits) => f64::from_bits(u64::from_le_bytes(bits)),
            Err(_) => sign_extend(bytes) as f64,
        },
    }
}

/// The entries of a packed set, ascending.
fn entries(packed: &Packed) -> Vec<(&[u8], f64)> {
    let mut out = Vec::new();
    let mut items = packed.iter();
    while let (Some(score), Some(member)) = (items.next(), items.next()) {
        out.push((member, decode_score(score)));
    }
    out
}

/// Packs `entries` (ascending).
fn pack<'a>(entries: impl IntoIterator<Item = (&'a [u8], f64)>) -> Packed {
    let encoded: Vec<([u8; 8], usize, &[u8])> = entries
        .into_iter()
        .map(|(member, score)| {
            let mut bytes = [0u8; 8];
            let len = encode_score(score, &mut bytes);
            (bytes, len, member)
        })
        .collect();
    Packed::from_items(
        encoded
            .iter()
            .flat_map(|(bytes, len, member)| [&bytes[..*len], *member]),
    )
}

/// The score of `member` in a packed set, read without unpacking it.
fn packed_score(packed: &Packed, member: &[u8]) -> Option<f64> {
    let mut items = packed.iter();
    while let (Some(score), Some(m)) = (items.next(), items.next()) {
        if m == member {
            return Some(decode_score(score));
        }
    }
    None
}

fn cmp_entry(a: (&[u8], f64), b: (&[u8], f64)) -> Ordering {
    Score(a.1)
        .cmp(&Score(b.1))
        .then_with(|| cmp_bytes(a.0, b.0))
}

impl ZSet {
    /// Number of members.
    pub(crate) fn len(&self) -> usize {
        match self {
            ZSet::Packed(p) => p.iter().count() / 2,
            ZSet::Table(t) => t.len(),
        }
    }

    /// True when there are no members.
    pub(crate) fn is_empty(&self) -> bool {
        match self {
            ZSet::Packed(p) => p.is_empty(),
            ZSet::Table(t) => t.is_empty(),
        }
    }

    /// The score of `member`.
    pub(crate) fn score(&self, member: &[u8]) -> Option<f64> {
        match self {
            ZSet::Packed(p) => packed_score(p, member),
            ZSet::Table(t) => t.score(member),
        }
    }

    /// Sets `member`'s score; returns the previous one.
    pub(crate) fn insert(&mut self, member: &Bytes, score: f64) -> Option<f64> {
        let mut previous = None;
        let _ = self.upsert::<()>(member, |current| {
            previous = current;
            Ok(Some(score))
        });
        previous
    }

    /// Looks `member` up once and lets `decide` pick its new score from the current one
    /// (`None`: not a member); `decide` answers `None` to leave the set as it is.
    pub(crate) fn upsert<E>(
        &mut self,
        member: &Bytes,
        decide: impl FnOnce(Option<f64>) -> Result<Option<f64>, E>,
    ) -> Result<(), E> {
        let mut decide = Some(decide);
        // The score given with the member is unused: `decide` picks the new one.
        self.upsert_each([(0.0, member)], |_, current| match decide.take() {
            Some(decide) => decide(current),
            None => Ok(None),
        })
    }

    /// [`ZSet::upsert`] for each `(score, member)` in turn, as one change: a packed set is
    /// unpacked and repacked once for all of them, where separate calls would rebuild it once
    /// per member (a `ZADD` of ten). `decide` gets the score given with the member and its
    /// current one, which an earlier item of the same call may have set. Stops at the first
    /// error, with the items before it applied, as separate calls would leave them.
    pub(crate) fn upsert_each<'m, E>(
        &mut self,
        items: impl IntoIterator<Item = (f64, &'m Bytes)>,
        mut decide: impl FnMut(f64, Option<f64>) -> Result<Option<f64>, E>,
    ) -> Result<(), E> {
        let ZSet::Packed(p) = self else {
            if let ZSet::Table(t) = self {
                for (score, member) in items {
                    t.upsert(member, |current| decide(score, current))?;
                }
            }
            return Ok(());
        };
        // Unpacked at the first change: most calls leave the set as it is or only read a
        // score, and those need no copy.
        let mut all: Option<Vec<(&[u8], f64)>> = None;
        let (mut fits, mut outcome) = (true, Ok(()));
        for (score, member) in items {
            let old = match &all {
                Some(all) => all.iter().find(|(m, _)| *m == &member[..]).map(|e| e.1),
                None => packed_score(p, member),
            };
            let new = match decide(score, old) {
                Ok(Some(new)) => new,
                Ok(None) => continue,
                Err(e) => {
                    outcome = Err(e);
                    break;
                }
            };
            let new = if new == 0.0 { 0.0 } else { new };
            if old == Some(new) {
                continue;
            }
            let all = all.get_or_insert_with(|| entries(p));
            all.retain(|(m, _)| *m != &member[..]);
            fits &= Packed::fits(member);
            let to = all.partition_point(|e| cmp_entry(*e, (&member[..], new)).is_lt());
            all.insert(to, (&member[..], new));
        }
        if let Some(all) = all {
            let set = if fits && all.len() * 2 <= MAX_ITEMS {
                ZSet::Packed(pack(all))
            } else {
                let mut table = ZSetTable::default();
                for (m, s) in all {
                    table.insert(&Bytes::copy_from_slice(m), s);
                }
                ZSet::Table(Box::new(table))
            };
            *self = set;
        }
        outcome
    }

    /// Removes `member`; returns its score.
    pub(crate) fn remove(&mut self, member: &[u8]) -> Option<f64> {
        match self {
            ZSet::Packed(p) => {
                let index = p.iter().skip(1).step_by(2).position(|m| m == member)?;
                let score = self.at(index).map(|(_, s)| s);
                if let ZSet::Packed(p) = self {
                    p.rebuild(|i, _| i / 2 != index, std::iter::empty());
                }
                score
            }
            ZSet::Table(t) => t.remove(member),
        }
    }

    /// Members in ascending order.
    pub(crate) fn iter(&self) -> ZIter<'_> {
        match self {
            ZSet::Packed(p) => Box::new(entries(p).into_iter()),
            ZSet::Table(t) => Box::new(t.iter().map(|(m, s)| (&m[..], s))),
        }
    }

    /// Members in ascending order from rank `rank` on.
    pub(crate) fn iter_at(&self, rank: usize) -> Box<dyn Iterator<Item = (&[u8], f64)> + '_> {
        match self {
            ZSet::Packed(p) => Box::new(entries(p).into_iter().skip(rank)),
            ZSet::Table(t) => Box::new(t.iter_at(rank).map(|(m, s)| (&m[..], s))),
        }
    }

    /// Members in descending order from rank `rank` (ascending rank, inclusive) down to rank 0.
    pub(crate) fn iter_rev_at(&self, rank: usize) -> Box<dyn Iterator<Item = (&[u8], f64)> + '_> {
        match self {
            ZSet::Packed(p) => {
                let mut all = entries(p);
                all.truncate(rank.saturating_add(1));
                Box::new(all.into_iter().rev())
            }
            ZSet::Table(t) => Box::new(t.iter_rev_at(rank).map(|(m, s)| (&m[..], s))),
        }
    }

    /// The member at ascending rank `rank`.
    pub(crate) fn at(&self, rank: usize) -> Option<(&[u8], f64)> {
        match self {
            ZSet::Packed(p) => entries(p).get(rank).copied(),
            ZSet::Table(t) => t.at(rank).map(|(m, s)| (&m[..], s)),
        }
    }

    /// The rank of the first member (in ascending order) for which `past(score, member)` is
    /// true; `past` must be false for a prefix of the order and true for the rest. `len()` when
    /// it is true for none.
    pub(crate) fn first_where(&self, past: impl Fn(f64, &[u8]) -> bool) -> usize {
        match self {
            ZSet::Packed(p) => entries(p).partition_point(|(m, s)| !past(*s, m)),
            ZSet::Table(t) => t.first_where(past),
        }
    }

    /// 0-based rank of `member` in ascending order.
    pub(crate) fn rank(&self, member: &[u8]) -> Option<usize> {
        match self {
            ZSet::Packed(p) => p.iter().skip(1).step_by(2).position(|m| m == member),
            ZSet::Table(t) => t.rank(member),
        }
    }

    /// Removes and returns the members at ascending ranks `start..end`, in ascending order.
    pub(crate) fn drain_ranks(&mut self, start: usize, end: usize) -> Vec<(Bytes, f64)> {
        match self {
            ZSet::Packed(p) => {
                let all = entries(p);
                let end = end.min(all.len());
                if start >= end {
                    return Vec::new();
                }
                let out = all[start..end]
                    .iter()
                    .map(|(m, s)| (Bytes::copy_from_slice(m), *s))
                    .collect();
                p.rebuild(|i, _| !(start..end).contains(&(i / 2)), std::iter::empty());
                out
            }
            ZSet::Table(t) => t.drain_ranks(start, end),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_round_trip_through_the_packed_encoding() {
        for score in [
            0.0,
            1.0,
            -1.0,
            127.0,
            128.0,
            -129.0,
            -128.0,
            255.0,
            65_535.0,
            -65_536.0,
            1.5,
            1e300,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1_700_000_000_000.0,
            -((1u64 << 52) as f64),
            (1u64 << 53) as f64,
        ] {
            let mut bytes = [0u8; 8];
            let len = encode_score(score, &mut bytes);
            assert_eq!(decode_score(&bytes[..len]), score, "{score}");
        }
        let mut bytes = [0u8; 8];
        for (score, len) in [
            (0.0, 1),
            (3.0, 1),
            (127.0, 1),
            (128.0, 2),
            (-1.0, 2),
            (1.5, 8),
        ] {
            assert_eq!(encode_score(score, &mut bytes), len, "{score}");
        }
        // A small whole score is one byte in the packed buffer, its length byte included.
        let set = pack([(&b"m"[..], 5.0), (&b"n"[..], 300.0)]);
        assert_eq!(set.iter().collect::<Vec<_>>().len(), 4);
        assert_eq!(entries(&set), [(&b"m"[..], 5.0), (&b"n"[..], 300.0)]);
    }

    /// One `upsert_each` ends where separate upserts end: duplicates in one call, a score
    /// left alone, and growth from packed into the table form.
    #[test]
    fn upsert_each_matches_separate_upserts() {
        let listed = |z: &ZSet| z.iter().map(|(m, s)| (m.to_vec(), s)).collect::<Vec<_>>();
        for count in [3usize, 16, 17, 40] {
            let items: Vec<(f64, Bytes)> = (0..count)
                .map(|i| ((i % 5) as f64, Bytes::from(format!("m{}", i % (count - 1)))))
                .collect();
            let mut one = ZSet::default();
            one.insert(&Bytes::from_static(b"m0"), 9.0);
            let mut each = one.clone();
            for (score, member) in &items {
                one.insert(member, *score);
            }
            let mut decided = 0;
            each.upsert_each(items.iter().map(|(s, m)| (*s, m)), |score, _| {
                decided += 1;
                Ok::<_, ()>(Some(score))
            })
            .unwrap();
            assert_eq!(decided, count);
            assert_eq!(listed(&each), listed(&one), "{count} items");
            assert_eq!(
                matches!(each, ZSet::Packed(_)),
                matches!(one, ZSet::Packed(_)),
                "{count} items"
            );
        }
        // An error stops the call with the earlier items applied.
        let mut z = ZSet::default();
        let items = [
            (1.0, Bytes::from_static(b"a")),
            (2.0, Bytes::from_static(b"b")),
        ];
        let result = z.upsert_each(items.iter().map(|(s, m)| (*s, m)), |score, _| {
            if score > 1.0 {
                Err("stop")
            } else {
                Ok(Some(score))
            }
        });
        assert_eq!(result, Err("stop"));
        assert_eq!(listed(&z), [(b"a".to_vec(), 1.0)]);
    }

    /// The packed form and the table agree through the same operations, and a set grows from
    /// one into the other.
    #[test]
    fn packed_and_table_forms_agree() {
        let mut packed = ZSet::default();
        let mut table = ZSet::Table(Box::default());
        let ops: Vec<(&[u8], f64)> = vec![
            (b"b", 2.0),
            (b"a", 2.0),
            (b"c", -1.5),
            (b"d", 10.0),
            (b"a", 0.5),
            (b"e", 2.0),
        ];
        for (member, score) in ops {
            let member = Bytes::copy_from_slice(member);
            assert_eq!(packed.insert(&member, score), table.insert(&member, score));
        }
        assert!(matches!(packed, ZSet::Packed(_)));
        let listed = |z: &ZSet| z.iter().map(|(m, s)| (m.to_vec(), s)).collect::<Vec<_>>();
        assert_eq!(listed(&packed), listed(&table));
        assert_eq!(packed.rank(b"e"), table.rank(b"e"));
        assert_eq!(
            packed.first_where(|s, _| s >= 2.0),
            table.first_where(|s, _| s >= 2.0)
        );
        let rev = |z: &ZSet| {
            z.iter_rev_at(3)
                .map(|(m, _)| m.to_vec())
                .collect::<Vec<_>>()
        };
        assert_eq!(rev(&packed), rev(&table));
        assert_eq!(packed.remove(b"b"), table.remove(b"b"));
        assert_eq!(packed.drain_ranks(1, 3), table.drain_ranks(1, 3));
        assert_eq!(listed(&packed), listed(&table));
        for i in 0..MAX_ITEMS {
            packed.insert(&Bytes::from(format!("m{i}")), i as f64);
        }
        assert!(matches!(packed, ZSet::Table(_)));
        assert_eq!(packed.len(), MAX_ITEMS + 2);
    }
}
