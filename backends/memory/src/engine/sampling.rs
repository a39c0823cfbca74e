//! What the three collection families share in their random and scanning commands
//! (`SRANDMEMBER`/`HRANDFIELD`/`ZRANDMEMBER`, `SSCAN`/`HSCAN`/`ZSCAN`): Redis gives all three
//! the same count rules and the same reply shape, so they are written once here.

use rand::seq::{IndexedRandom, IteratorRandom};
use staunch_core::{Bytes, Error, Reply, Result};

/// The picks of a random command with a count, by Redis's rules: a count at least the
/// collection's size is every item in the collection's order, a smaller non-negative count
/// that many distinct items, a negative count `|count|` picks that may repeat.
///
/// The caller has already bounded a negative count (`staunch_core::random_count`), so the
/// repeats allocate at most that bound.
pub(crate) fn random_picks<T: Copy>(
    items: impl Iterator<Item = T>,
    len: usize,
    count: i64,
) -> Vec<T> {
    let mut rng = rand::rng();
    if count >= 0 {
        let count = usize::try_from(count).unwrap_or(usize::MAX);
        return if count >= len {
            items.collect()
        } else {
            items.choose_multiple(&mut rng, count)
        };
    }
    let all: Vec<T> = items.collect();
    let repeats = usize::try_from(count.unsigned_abs()).unwrap_or(usize::MAX);
    if all.is_empty() {
        return Vec::new();
    }
    (0..repeats)
        .filter_map(|_| all.choose(&mut rng).copied())
        .collect()
}

/// The count checks `HRANDFIELD` and `ZRANDMEMBER` make before reading the key: `i64::MIN`
/// has no absolute value, and with values or scores Redis doubles the count, so it refuses
/// counts whose double would overflow.
pub(crate) fn check_paired_count(count: i64, paired: bool) -> Result<()> {
    if count == i64::MIN {
        return Err(Error::invalid(
            "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
        ));
    }
    if paired && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&count) {
        return Err(Error::invalid("ERR value is out of range"));
    }
    Ok(())
}

/// One page of a `*SCAN` reply: the cursor to continue from (0 when done) and the items.
pub(crate) fn scan_page(next: u64, items: Vec<Reply>) -> Reply {
    Reply::Array(vec![
        Reply::Bulk(Bytes::from(next.to_string())),
        Reply::Array(items),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_follow_redis_rules() {
        let items = [1, 2, 3];
        assert_eq!(random_picks(items.iter().copied(), 3, 5), vec![1, 2, 3]);
        let mut two = random_picks(items.iter().copied(), 3, 2);
        two.sort_unstable();
        two.dedup();
        assert_eq!(
            two.len(),
            2,
            "a smaller positive count gives distinct items"
        );
        let repeated = random_picks(items.iter().copied(), 3, -7);
        assert_eq!(repeated.len(), 7, "a negative count gives |count| picks");
        assert!(repeated.iter().all(|x| items.contains(x)));
        assert!(random_picks(std::iter::empty::<u8>(), 0, -3).is_empty());
        assert!(check_paired_count(i64::MIN, false).is_err());
        assert!(check_paired_count(i64::MAX, true).is_err());
        assert!(check_paired_count(i64::MAX, false).is_ok());
    }
}
