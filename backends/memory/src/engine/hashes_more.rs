//! More hash commands: `HRANDFIELD` and `HSCAN`.
//!
//! `HRANDFIELD` with a count answers as Redis 7: a missing key or a zero count is an empty
//! array, a count at least the size is the whole hash, a smaller positive count distinct
//! fields, a negative count that many picks with repeats (bounded first by
//! `Command::check_limits`); the arguments are checked before the key, as Redis does.
//!
//! `HSCAN` returns a hash Redis would keep compact (at most 128 fields, every field and value
//! at most 64 bytes) whole with cursor 0, in the hash's order: insertion order while the
//! engine keeps it packed (up to 16 fields, as Redis's compact encoding keeps it), unspecified
//! beyond. A larger hash is walked a page of `COUNT` (default 10) fields at a time in the
//! table's order, the cursor counting fields; fields added or removed during such a scan can
//! make it skip or repeat others, which Redis's reverse-binary cursor avoids.

use rand::seq::IteratorRandom;
use staunch_core::{Bytes, Command, Error, Reply, Result, ScanOptions, glob};

use super::context::unsupported;
use super::db::Db;
use super::hash_value::HashValue;
use super::sampling::{check_paired_count, random_picks, scan_page};

/// Redis's `hash-max-listpack-entries` and `hash-max-listpack-value` defaults.
const COMPACT_ENTRIES: usize = 128;
const COMPACT_VALUE: usize = 64;

pub(crate) fn read(db: &Db, now: i64, command: &Command) -> Result<Reply> {
    match command {
        Command::HRandField {
            key,
            count,
            with_values,
        } => hrandfield(db, now, key, *count, *with_values),
        Command::HScan {
            key,
            cursor,
            options,
        } => hscan(db.hash(key, now)?, *cursor, options),
        other => Err(unsupported(other)),
    }
}

fn bulk(bytes: &[u8]) -> Reply {
    Reply::Bulk(Bytes::copy_from_slice(bytes))
}

fn hrandfield(
    db: &Db,
    now: i64,
    key: &[u8],
    count: Option<i64>,
    with_values: bool,
) -> Result<Reply> {
    let mut rng = rand::rng();
    let Some(count) = count else {
        if with_values {
            // Redis reads the word as the count.
            return Err(Error::invalid(
                "ERR value is not an integer or out of range",
            ));
        }
        return Ok(db
            .hash(key, now)?
            .and_then(|h| h.iter().choose(&mut rng))
            .map_or(Reply::Nil, |(f, _)| bulk(f)));
    };
    // Already refused before the command ran (`Command::check_limits`); checked again here so
    // no path allocates without bound.
    staunch_core::random_count("HRANDFIELD", count)?;
    check_paired_count(count, with_values)?;
    let item = |(f, v): (&[u8], &[u8])| {
        if with_values {
            Reply::Array(vec![bulk(f), bulk(v)])
        } else {
            bulk(f)
        }
    };
    let Some(hash) = db.hash(key, now)?.filter(|h| !h.is_empty()) else {
        return Ok(Reply::Array(Vec::new()));
    };
    let picks = random_picks(hash.iter(), hash.len(), count);
    Ok(Reply::Array(picks.into_iter().map(item).collect()))
}

fn hscan(hash: Option<&HashValue>, cursor: u64, options: &ScanOptions) -> Result<Reply> {
    // Redis answers a missing key before it reads the options.
    let Some(hash) = hash else {
        return Ok(scan_page(0, Vec::new()));
    };
    if options.count == Some(0) || options.key_type.is_some() {
        return Err(Error::invalid("ERR syntax error"));
    }
    let wanted = |f: &[u8]| {
        options
            .pattern
            .as_ref()
            .is_none_or(|p| glob::matches(p.as_bytes(), f))
    };
    let compact = hash.len() <= COMPACT_ENTRIES
        && hash
            .iter()
            .all(|(f, v)| f.len() <= COMPACT_VALUE && v.len() <= COMPACT_VALUE);
    let (start, stop) = if compact {
        (0, hash.len())
    } else {
        let start = usize::try_from(cursor).unwrap_or(usize::MAX);
        let step = usize::try_from(options.count.unwrap_or(10)).unwrap_or(usize::MAX);
        (start, start.saturating_add(step).min(hash.len()))
    };
    let mut items = Vec::new();
    for (f, v) in hash
        .iter()
        .skip(start)
        .take(stop.saturating_sub(start))
        .filter(|(f, _)| wanted(f))
    {
        items.push(bulk(f));
        items.push(bulk(v));
    }
    let next = if stop >= hash.len() { 0 } else { stop as u64 };
    Ok(scan_page(next, items))
}
