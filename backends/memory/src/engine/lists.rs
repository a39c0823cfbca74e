//! List commands (`LPUSH`, `LPOP`, `LRANGE`, `LMOVE`, ...). The blocking forms live in
//! `blocking` and call `LPOP`/`RPOP`/`LMOVE` here through `write`.
//!
//! A list is a `VecDeque<Bytes>`: pushes and pops at either end are O(1), indexing is O(1),
//! and elements are shared with replies rather than copied. Writes modify the list in place,
//! so a list keeps its TTL however it changes; a list created by a push (or as the destination
//! of `LMOVE`) has none, and a write that leaves it empty deletes the key.
//!
//! Index arithmetic follows Redis's `t_list.c` exactly: negative indexes count from the tail,
//! ranges are clamped to the list, and a start past the end or after the stop selects nothing.

use std::collections::VecDeque;

use staunch_core::{Bytes, Command, Error, ErrorKind, ListEnd, Reply, Result};

use super::context::WriteCtx;
use super::db::Db;
use super::keyspace::non_empty;

pub(crate) type List = VecDeque<Bytes>;

pub(crate) fn read(db: &Db, now: i64, command: &Command) -> Result<Reply> {
    match command {
        Command::LRange { key, start, stop } => {
            let Some(list) = db.list(key, now)? else {
                return Ok(Reply::Array(Vec::new()));
            };
            Ok(Reply::Array(match clamp_range(list.len(), *start, *stop) {
                Some((first, last)) => list
                    .range(first..=last)
                    .map(|v| Reply::Bulk(v.clone()))
                    .collect(),
                None => Vec::new(),
            }))
        }
        Command::LLen { key } => Ok(Reply::Int(db.list(key, now)?.map_or(0, List::len) as i64)),
        Command::LIndex { key, index } => Ok(db
            .list(key, now)?
            .and_then(|list| resolve_index(list.len(), *index).and_then(|i| list.get(i)))
            .map_or(Reply::Nil, |v| Reply::Bulk(v.clone()))),
        other => super::list_ops::read(db, now, other),
    }
}

pub(crate) fn write(db: &mut Db, ctx: &mut WriteCtx, command: &Command) -> Result<Reply> {
    let now = ctx.now;
    match command {
        Command::LPush { key, values } => {
            non_empty(values, "lpush")?;
            push(db, now, key, values, ListEnd::Left)
        }
        Command::RPush { key, values } => {
            non_empty(values, "rpush")?;
            push(db, now, key, values, ListEnd::Right)
        }
        Command::LPop { key, count } => pop(db, now, key, *count, ListEnd::Left),
        Command::RPop { key, count } => pop(db, now, key, *count, ListEnd::Right),
        Command::LSet { key, index, value } => {
            let Some(list) = db.list_mut(key, now)? else {
                return Err(Error::new(ErrorKind::NotFound, "ERR no such key"));
            };
            let slot = resolve_index(list.len(), *index)
                .and_then(|i| list.get_mut(i))
                .ok_or_else(|| Error::invalid("ERR index out of range"))?;
            *slot = value.clone();
            Ok(Reply::ok())
        }
        Command::LRem { key, count, value } => {
            let Some(list) = db.list_mut(key, now)? else {
                return Ok(Reply::Int(0));
            };
            let removed = remove_matching(list, *count, value);
            if list.is_empty() {
                db.remove(key);
            }
            Ok(Reply::Int(removed as i64))
        }
        Command::LTrim { key, start, stop } => {
            let Some(list) = db.list_mut(key, now)? else {
                return Ok(Reply::ok());
            };
            match clamp_range(list.len(), *start, *stop) {
                Some((first, last)) => {
                    list.truncate(last + 1);
                    list.drain(..first);
                }
                None => list.clear(),
            }
            if list.is_empty() {
                db.remove(key);
            }
            Ok(Reply::ok())
        }
        Command::LMove {
            source,
            destination,
            from,
            to,
        } => lmove(db, now, source, destination, *from, *to),
        other => super::list_ops::write(db, ctx, other),
    }
}

/// `LPUSH`/`RPUSH` of at least one value; replies the new length.
pub(crate) fn push(
    db: &mut Db,
    now: i64,
    key: &[u8],
    values: &[Bytes],
    end: ListEnd,
) -> Result<Reply> {
    let len = with_list(db, key, now, |list| {
        match end {
            ListEnd::Left => {
                list.reserve(values.len());
                // One by one to the head: `LPUSH k a b c` leaves `c b a`.
                for value in values {
                    list.push_front(value.clone());
                }
            }
            ListEnd::Right => match values {
                [value] => list.push_back(value.clone()),
                _ => list.extend(values.iter().cloned()),
            },
        }
        list.len()
    })?;
    Ok(Reply::Int(len as i64))
}

/// `LPOP`/`RPOP`: without a count one element or `Nil`; with a count an array of up to that
/// many (empty for 0), or `Nil` when the key is missing.
pub(crate) fn pop(
    db: &mut Db,
    now: i64,
    key: &[u8],
    count: Option<u64>,
    end: ListEnd,
) -> Result<Reply> {
    if count.is_some_and(|n| n > i64::MAX as u64) {
        return Err(Error::invalid(
            "ERR value is out of range, must be positive",
        ));
    }
    let Some(list) = db.list_mut(key, now)? else {
        return Ok(Reply::Nil);
    };
    let reply = match count {
        None => pop_end(list, end).map_or(Reply::Nil, Reply::Bulk),
        Some(n) => {
            let n = usize::try_from(n).unwrap_or(usize::MAX).min(list.len());
            Reply::Array(match end {
                ListEnd::Left => list.drain(..n).map(Reply::Bulk).collect(),
                ListEnd::Right => (0..n)
                    .filter_map(|_| list.pop_back())
                    .map(Reply::Bulk)
                    .collect(),
            })
        }
    };
    if list.is_empty() {
        db.remove(key);
    }
    Ok(reply)
}

/// `LMOVE`: pops from `source` and pushes onto `destination` as one step.
///
/// Redis checks in this order: a missing source answers `Nil` whatever the destination holds;
/// a non-list source, then a non-list destination, is `WrongType` before anything moves.
fn lmove(
    db: &mut Db,
    now: i64,
    source: &[u8],
    destination: &[u8],
    from: ListEnd,
    to: ListEnd,
) -> Result<Reply> {
    if db.list(source, now)?.is_none_or(List::is_empty) {
        return Ok(Reply::Nil);
    }
    if destination != source {
        db.list(destination, now)?;
    }
    let Some(source_list) = db.list_mut(source, now)? else {
        return Ok(Reply::Nil);
    };
    let Some(value) = pop_end(source_list, from) else {
        return Ok(Reply::Nil);
    };
    if destination != source && source_list.is_empty() {
        db.remove(source);
    }
    // When source and destination are one list this is a rotation: the list was not removed
    // above, so the push lands in the same list and keeps its TTL.
    with_list(db, destination, now, |target| match to {
        ListEnd::Left => target.push_front(value.clone()),
        ListEnd::Right => target.push_back(value.clone()),
    })?;
    Ok(Reply::Bulk(value))
}

/// Runs `f` on the list at `key`, created empty (so without TTL) when missing. An existing
/// list is found with one lookup instead of the several `Db::list_or_create` makes. `f` must
/// leave the list non-empty.
fn with_list<R>(db: &mut Db, key: &[u8], now: i64, f: impl FnOnce(&mut List) -> R) -> Result<R> {
    if let Some(list) = db.list_mut(key, now)? {
        return Ok(f(list));
    }
    Ok(f(db.list_or_create(key, now)?))
}

fn pop_end(list: &mut List, end: ListEnd) -> Option<Bytes> {
    match end {
        ListEnd::Left => list.pop_front(),
        ListEnd::Right => list.pop_back(),
    }
}

/// The position `index` (negative: from the tail) names in a list of `len`, if any.
fn resolve_index(len: usize, index: i64) -> Option<usize> {
    let len = i64::try_from(len).ok()?;
    let i = if index < 0 { len + index } else { index };
    (0..len).contains(&i).then_some(i as usize)
}

/// The inclusive positions `start..=stop` select in a list of `len`, clamped as Redis clamps
/// them; `None` when the range is empty.
fn clamp_range(len: usize, start: i64, stop: i64) -> Option<(usize, usize)> {
    let len = i64::try_from(len).ok()?;
    let mut start = if start < 0 { len + start } else { start };
    let mut stop = if stop < 0 { len + stop } else { stop };
    if start < 0 {
        start = 0;
    }
    if start > stop || start >= len {
        return None;
    }
    if stop >= len {
        stop = len - 1;
    }
    Some((start as usize, stop as usize))
}

/// `LREM`: removes up to `|count|` elements equal to `value`, from the head when `count > 0`,
/// from the tail when `count < 0`, all of them when `count == 0`. Returns how many went.
fn remove_matching(list: &mut List, count: i64, value: &Bytes) -> usize {
    let limit = match count.unsigned_abs() {
        0 => usize::MAX,
        n => usize::try_from(n).unwrap_or(usize::MAX),
    };
    // `retain` walks from the head; to remove the last `limit` matches, keep the first
    // `total - limit` ones.
    let mut keep = if count < 0 {
        let total = list.iter().filter(|v| *v == value).count();
        total.saturating_sub(limit)
    } else {
        0
    };
    let mut removed = 0;
    list.retain(|v| {
        if v != value || removed == limit {
            return true;
        }
        if keep > 0 {
            keep -= 1;
            return true;
        }
        removed += 1;
        false
    });
    removed
}
