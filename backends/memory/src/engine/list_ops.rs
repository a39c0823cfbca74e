//! List commands beyond pushes, pops and ranges: `LPOS`, `LINSERT`, `LPUSHX`/`RPUSHX` and
//! `LMPOP` (whose blocking form, `BLMPOP`, is retried by `blocking`).
//!
//! Argument errors are checked before the key is looked at, in the order Redis parses the
//! words, so a bad `RANK` is reported even for a missing or wrongly typed key, as Redis does.

use staunch_core::command::Key;
use staunch_core::{Bytes, Command, Error, InsertPosition, LPosOptions, ListEnd, Reply, Result};

use super::context::{WriteCtx, unsupported};
use super::db::Db;
use super::keyspace::non_empty;
use super::lists::{List, pop, push};

pub(crate) fn read(db: &Db, now: i64, command: &Command) -> Result<Reply> {
    match command {
        Command::LPos {
            key,
            element,
            count,
            options,
        } => lpos(db, now, key, element, *count, *options),
        other => Err(unsupported(other)),
    }
}

pub(crate) fn write(db: &mut Db, ctx: &mut WriteCtx, command: &Command) -> Result<Reply> {
    let now = ctx.now;
    match command {
        Command::LInsert {
            key,
            position,
            pivot,
            element,
        } => {
            let Some(list) = db.list_mut(key, now)? else {
                return Ok(Reply::Int(0));
            };
            let Some(at) = list.iter().position(|v| v == pivot) else {
                return Ok(Reply::Int(-1));
            };
            let at = match position {
                InsertPosition::Before => at,
                InsertPosition::After => at + 1,
            };
            list.insert(at, element.clone());
            Ok(Reply::Int(list.len() as i64))
        }
        Command::LPushX { key, values } | Command::RPushX { key, values } => {
            non_empty(values, &command.name().to_ascii_lowercase())?;
            if db.list(key, now)?.is_none() {
                return Ok(Reply::Int(0));
            }
            let end = if matches!(command, Command::LPushX { .. }) {
                ListEnd::Left
            } else {
                ListEnd::Right
            };
            push(db, now, key, values, end)
        }
        Command::LMPop { keys, end, count } => lmpop(db, now, keys, *end, *count),
        other => Err(unsupported(other)),
    }
}

/// `LMPOP`: up to `count` elements from the first non-empty list, as `[key, [elements]]`.
pub(crate) fn lmpop(
    db: &mut Db,
    now: i64,
    keys: &[Key],
    end: ListEnd,
    count: Option<u64>,
) -> Result<Reply> {
    // With no key the command is too short for Redis's arity check.
    non_empty(keys, "lmpop")?;
    let count = count.unwrap_or(1);
    if count == 0 || count > i64::MAX as u64 {
        return Err(Error::invalid("ERR count should be greater than 0"));
    }
    for key in keys {
        if db.list(key, now)?.is_none_or(List::is_empty) {
            continue;
        }
        let popped = pop(db, now, key, Some(count), end)?;
        return Ok(Reply::Array(vec![
            Reply::Bulk(Bytes::copy_from_slice(key)),
            popped,
        ]));
    }
    Ok(Reply::Nil)
}

/// `LPOS`, following `lposCommand` in Redis 7's `t_list.c` (including how it treats a `RANK`
/// of `i64::MIN`: its negation overflows, so every match counts and `COUNT` never stops it).
fn lpos(
    db: &Db,
    now: i64,
    key: &[u8],
    element: &[u8],
    count: Option<u64>,
    options: LPosOptions,
) -> Result<Reply> {
    let rank = options.rank.unwrap_or(1);
    if rank == 0 {
        return Err(Error::invalid(
            "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... \
             or use negative to start from the end of the list",
        ));
    }
    if count.is_some_and(|c| c > i64::MAX as u64) {
        return Err(Error::invalid("ERR COUNT can't be negative"));
    }
    if options.maxlen.is_some_and(|m| m > i64::MAX as u64) {
        return Err(Error::invalid("ERR MAXLEN can't be negative"));
    }
    let Some(list) = db.list(key, now)? else {
        return Ok(if count.is_some() {
            Reply::Array(Vec::new())
        } else {
            Reply::Nil
        });
    };
    let overflowed = rank == i64::MIN;
    let from_tail = rank < 0;
    let skip = if overflowed {
        0
    } else {
        rank.unsigned_abs() - 1
    };
    let maxlen = match options.maxlen.unwrap_or(0) {
        0 => usize::MAX,
        m => usize::try_from(m).unwrap_or(usize::MAX),
    };
    let wanted = match count {
        Some(0) | None => usize::MAX,
        Some(_) if overflowed => usize::MAX,
        Some(c) => usize::try_from(c).unwrap_or(usize::MAX),
    };
    let len = list.len();
    let positions: Box<dyn Iterator<Item = usize>> = if from_tail {
        Box::new((0..len).rev())
    } else {
        Box::new(0..len)
    };
    let mut found = positions
        .take(maxlen)
        .filter(|&i| list[i] == element)
        .skip(usize::try_from(skip).unwrap_or(usize::MAX));
    match count {
        None => Ok(found.next().map_or(Reply::Nil, |i| Reply::Int(i as i64))),
        Some(_) => Ok(Reply::Array(
            found.take(wanted).map(|i| Reply::Int(i as i64)).collect(),
        )),
    }
}
