//! More sorted-set commands: `ZLEXCOUNT`, `ZREMRANGEBYLEX`, `ZRANDMEMBER`, `ZMPOP` and `ZSCAN`.
//!
//! Lex ranges over mixed scores follow Redis's compact (listpack) walk, as `ZRANGE BYLEX` does
//! (see `zsets`). `ZRANDMEMBER` with a count answers as Redis 7: a missing key or a zero count
//! is an empty array, a count at least the size is the whole set in order, a smaller positive
//! count distinct members, a negative count that many picks with repeats (bounded first by
//! `Command::check_limits`).
//!
//! `ZSCAN` returns a set Redis would keep compact (at most 128 members of at most 64 bytes)
//! whole, in order, with cursor 0, scores printed as Redis prints them from that encoding. A
//! larger set is walked a page of `COUNT` (default 10) ranks at a time, the cursor being the
//! next rank; members removed during such a scan can make it skip others, which Redis's
//! reverse-binary cursor avoids.

use rand::seq::IteratorRandom;
use staunch_core::command::Key;
use staunch_core::reply::{compact_score_text, score_text};
use staunch_core::{Bytes, Command, Error, Reply, Result, ScanOptions, ZPopEnd, glob};

use super::context::unsupported;
use super::db::Db;
use super::keyspace::non_empty;
use super::sampling::{check_paired_count, random_picks, scan_page};
use super::sorted_set::ZSet;
use super::zsets::{lex_members, pair};

/// Redis's `zset-max-listpack-entries` and `zset-max-listpack-value` defaults: the largest
/// set it keeps compact.
const COMPACT_ENTRIES: usize = 128;
const COMPACT_VALUE: usize = 64;

pub(crate) fn read(db: &Db, now: i64, command: &Command) -> Result<Reply> {
    match command {
        Command::ZLexCount { key, min, max } => {
            let n = db
                .zset(key, now)?
                .map_or(0, |z| lex_members(z, min, max, false, 0).count());
            Ok(Reply::Int(n as i64))
        }
        Command::ZRandMember {
            key,
            count,
            with_scores,
        } => zrandmember(db, now, key, *count, *with_scores),
        Command::ZScan {
            key,
            cursor,
            options,
        } => zscan(db.zset(key, now)?, *cursor, options),
        other => Err(unsupported(other)),
    }
}

pub(crate) fn write(db: &mut Db, now: i64, command: &Command) -> Result<Reply> {
    match command {
        Command::ZRemRangeByLex { key, min, max } => {
            let Some(z) = db.zset_mut(key, now)? else {
                return Ok(Reply::Int(0));
            };
            let doomed: Vec<Bytes> = lex_members(z, min, max, false, 0)
                .map(|(m, _)| Bytes::copy_from_slice(m))
                .collect();
            for member in &doomed {
                z.remove(member);
            }
            db.remove_if_empty(key);
            Ok(Reply::Int(doomed.len() as i64))
        }
        Command::ZMPop { keys, end, count } => zmpop(db, now, keys, *end, *count, false),
        other => Err(unsupported(other)),
    }
}

/// `ZMPOP numkeys key... MIN|MAX [COUNT count]`: pops from the first non-empty key.
pub(crate) fn zmpop(
    db: &mut Db,
    now: i64,
    keys: &[Key],
    end: ZPopEnd,
    count: Option<u64>,
    blocking: bool,
) -> Result<Reply> {
    // `ZMPOP 0 MIN` is short of Redis's arity.
    non_empty(keys, if blocking { "bzmpop" } else { "zmpop" })?;
    if count == Some(0) {
        return Err(Error::invalid("ERR count should be greater than 0"));
    }
    let n = usize::try_from(count.unwrap_or(1)).unwrap_or(usize::MAX);
    for key in keys {
        let Some(z) = db.zset_mut(key, now)? else {
            continue;
        };
        let len = z.len();
        if len == 0 {
            continue;
        }
        let n = n.min(len);
        let popped = match end {
            ZPopEnd::Min => z.drain_ranks(0, n),
            ZPopEnd::Max => {
                let mut top = z.drain_ranks(len - n, len);
                top.reverse();
                top
            }
        };
        db.remove_if_empty(key);
        return Ok(Reply::Array(vec![
            Reply::Bulk(Bytes::copy_from_slice(key)),
            Reply::Array(popped.into_iter().map(|(m, s)| pair(m, s)).collect()),
        ]));
    }
    Ok(Reply::Nil)
}

/// `ZRANDMEMBER`: the arguments are checked before the key, as Redis does.
fn zrandmember(
    db: &Db,
    now: i64,
    key: &[u8],
    count: Option<i64>,
    with_scores: bool,
) -> Result<Reply> {
    let mut rng = rand::rng();
    let Some(count) = count else {
        if with_scores {
            // Redis reads the word as the count.
            return Err(Error::invalid(
                "ERR value is not an integer or out of range",
            ));
        }
        return Ok(db
            .zset(key, now)?
            .and_then(|z| z.iter().choose(&mut rng))
            .map_or(Reply::Nil, |(m, _)| Reply::Bulk(Bytes::copy_from_slice(m))));
    };
    // Already refused before the command ran (`Command::check_limits`); checked again here so
    // no path allocates without bound.
    staunch_core::random_count("ZRANDMEMBER", count)?;
    check_paired_count(count, with_scores)?;
    let item = |(m, s): (&[u8], f64)| {
        let member = Bytes::copy_from_slice(m);
        if with_scores {
            pair(member, s)
        } else {
            Reply::Bulk(member)
        }
    };
    let Some(z) = db.zset(key, now)?.filter(|z| !z.is_empty()) else {
        return Ok(Reply::Array(Vec::new()));
    };
    let picks = random_picks(z.iter(), z.len(), count);
    Ok(Reply::Array(picks.into_iter().map(item).collect()))
}

fn zscan(z: Option<&ZSet>, cursor: u64, options: &ScanOptions) -> Result<Reply> {
    // Redis answers a missing key before it reads the options.
    let Some(z) = z else {
        return Ok(scan_page(0, Vec::new()));
    };
    if options.count == Some(0) || options.key_type.is_some() {
        return Err(Error::invalid("ERR syntax error"));
    }
    let wanted = |m: &[u8]| {
        options
            .pattern
            .as_ref()
            .is_none_or(|p| glob::matches(p.as_bytes(), m))
    };
    let compact = z.len() <= COMPACT_ENTRIES && z.iter().all(|(m, _)| m.len() <= COMPACT_VALUE);
    let mut items = Vec::new();
    let mut push = |m: &[u8], s: f64, text: fn(f64) -> String| {
        items.push(Reply::Bulk(Bytes::copy_from_slice(m)));
        items.push(Reply::Bulk(Bytes::from(text(s))));
    };
    if compact {
        for (m, s) in z.iter().filter(|(m, _)| wanted(m)) {
            push(m, s, compact_score_text);
        }
        return Ok(scan_page(0, items));
    }
    let start = usize::try_from(cursor).unwrap_or(usize::MAX);
    let step = usize::try_from(options.count.unwrap_or(10)).unwrap_or(usize::MAX);
    let stop = start.saturating_add(step).min(z.len());
    if start < z.len() {
        for (m, s) in z
            .iter_at(start)
            .take(stop - start)
            .filter(|(m, _)| wanted(m))
        {
            push(m, s, score_text);
        }
    }
    let next = if stop >= z.len() { 0 } else { stop as u64 };
    Ok(scan_page(next, items))
}
