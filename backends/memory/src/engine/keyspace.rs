//! Keyspace commands: EXISTS, DEL, EXPIRE family (any combination of NX/XX/GT/LT), PERSIST,
//! TTL, EXPIRETIME, TYPE, SCAN, KEYS, DBSIZE, FLUSHDB, RENAME, COPY.

use staunch_core::{
    Bytes, Command, Error, ErrorKind, ExpireConditions, Expiry, Reply, Result, glob,
};

use super::context::{WriteCtx, unsupported};
use super::db::Db;

/// Redis's default `SCAN COUNT`.
const DEFAULT_SCAN_COUNT: u64 = 10;

pub(crate) fn read(db: &Db, now: i64, command: &Command) -> Result<Reply> {
    match command {
        Command::Exists { keys } => {
            non_empty(keys, "exists")?;
            Ok(Reply::Int(
                keys.iter().filter(|k| db.entry(k, now).is_some()).count() as i64,
            ))
        }
        Command::Ttl { key } => Ok(Reply::Int(match remaining_ms(db, key, now) {
            Some(Some(ms)) => (ms + 500) / 1000,
            Some(None) => -1,
            None => -2,
        })),
        Command::Pttl { key } => Ok(Reply::Int(match remaining_ms(db, key, now) {
            Some(Some(ms)) => ms,
            Some(None) => -1,
            None => -2,
        })),
        Command::Type { key } => Ok(Reply::Status(
            db.value(key, now)
                .map_or("none", |v| v.key_type().as_str())
                .to_owned(),
        )),
        Command::Scan { cursor, options } => {
            let count = options.count.unwrap_or(DEFAULT_SCAN_COUNT);
            if count > i64::MAX as u64 {
                return Err(Error::invalid(
                    "ERR value is not an integer or out of range",
                ));
            }
            if count == 0 {
                return Err(Error::invalid("ERR syntax error"));
            }
            let (entries, next) = db.scan_from(*cursor, count.min(1 << 20) as usize, now);
            let keys = entries
                .into_iter()
                .filter(|(name, entry)| {
                    options
                        .pattern
                        .as_deref()
                        .is_none_or(|p| glob::matches(p, name))
                        && options.key_type.is_none_or(|t| entry.value.key_type() == t)
                })
                .map(|(name, _)| Reply::Bulk(Bytes::copy_from_slice(name)))
                .collect();
            let next = next.unwrap_or(0);
            Ok(Reply::Array(vec![
                Reply::Bulk(Bytes::from(next.to_string())),
                Reply::Array(keys),
            ]))
        }
        Command::DbSize => Ok(Reply::Int(db.len(now) as i64)),
        Command::Keys { pattern } => Ok(Reply::Array(
            db.iter(now)
                .filter(|(name, _)| glob::matches(pattern, name))
                .map(|(name, _)| Reply::Bulk(Bytes::copy_from_slice(name)))
                .collect(),
        )),
        Command::ExpireTime { key } => Ok(Reply::Int(match db.entry(key, now) {
            // Redis rounds the millisecond deadline to the nearest second, as `TTL` does. In
            // i128: `PEXPIREAT key i64::MAX` is a valid deadline and `at + 500` would overflow
            // (a panic in debug, a negative answer in release); Redis answers 9223372036854776.
            Some(entry) => entry
                .expires_at()
                .map_or(-1, |at| ((i128::from(at) + 500) / 1000) as i64),
            None => -2,
        })),
        Command::PExpireTime { key } => Ok(Reply::Int(match db.entry(key, now) {
            Some(entry) => entry.expires_at().unwrap_or(-1),
            None => -2,
        })),
        other => Err(unsupported(other)),
    }
}

pub(crate) fn write(db: &mut Db, ctx: &mut WriteCtx, command: &Command) -> Result<Reply> {
    let now = ctx.now;
    match command {
        Command::Del { keys } => {
            non_empty(keys, "del")?;
            let mut removed = 0;
            for key in keys {
                db.purge_if_expired(key, now);
                if db.remove(key).is_some() {
                    removed += 1;
                }
            }
            Ok(Reply::Int(removed))
        }
        Command::Expire {
            key,
            expiry,
            condition,
        } => expire(db, now, key, *expiry, (*condition).into()),
        Command::ExpireIf {
            key,
            expiry,
            conditions,
        } => expire(db, now, key, *expiry, *conditions),
        Command::Copy {
            source,
            destination,
            replace,
        } => copy(db, now, source, destination, *replace),
        Command::Persist { key } => {
            let had_ttl = db.entry(key, now).and_then(|e| e.expires_at()).is_some();
            if had_ttl {
                db.set_expiry(key, None);
            }
            Ok(Reply::Int(had_ttl as i64))
        }
        Command::FlushDb => {
            db.clear();
            Ok(Reply::ok())
        }
        Command::Rename { key, new_key } => {
            rename(db, now, key, new_key, false).map(|_| Reply::ok())
        }
        Command::RenameNx { key, new_key } => {
            rename(db, now, key, new_key, true).map(|done| Reply::Int(done as i64))
        }
        other => Err(unsupported(other)),
    }
}

/// `Some(Some(ms))` with a TTL, `Some(None)` without, `None` when missing.
fn remaining_ms(db: &Db, key: &[u8], now: i64) -> Option<Option<i64>> {
    let entry = db.entry(key, now)?;
    Some(entry.expires_at().map(|at| at - now))
}

pub(crate) fn non_empty<T>(items: &[T], command: &str) -> Result<()> {
    if items.is_empty() {
        Err(Error::invalid(format!(
            "ERR wrong number of arguments for '{command}' command"
        )))
    } else {
        Ok(())
    }
}

/// The absolute deadline an `EXPIRE`-family argument means, or `InvalidInput` on overflow.
pub(crate) fn deadline(expiry: Expiry, now: i64, command: &str) -> Result<i64> {
    let invalid = || Error::invalid(format!("ERR invalid expire time in '{command}' command"));
    match expiry {
        Expiry::Seconds(s) => s
            .checked_mul(1000)
            .and_then(|ms| ms.checked_add(now))
            .ok_or_else(invalid),
        Expiry::Millis(ms) => ms.checked_add(now).ok_or_else(invalid),
        Expiry::AtSeconds(s) => s.checked_mul(1000).ok_or_else(invalid),
        Expiry::AtMillis(ms) => Ok(ms),
    }
}

fn expire(
    db: &mut Db,
    now: i64,
    key: &[u8],
    expiry: Expiry,
    conditions: ExpireConditions,
) -> Result<Reply> {
    if let Some(conflict) = conditions.conflict() {
        return Err(Error::invalid(conflict));
    }
    let name = match expiry {
        Expiry::Seconds(_) => "expire",
        Expiry::Millis(_) => "pexpire",
        Expiry::AtSeconds(_) => "expireat",
        Expiry::AtMillis(_) => "pexpireat",
    };
    let when = deadline(expiry, now, name)?;
    let Some(entry) = db.entry(key, now) else {
        return Ok(Reply::Int(0));
    };
    let current = entry.expires_at();
    // Every word given must hold. A key without TTL counts as expiring never: nothing is
    // greater, anything is less.
    let allowed = (!conditions.nx || current.is_none())
        && (!conditions.xx || current.is_some())
        && (!conditions.gt || current.is_some_and(|at| when > at))
        && (!conditions.lt || current.is_none_or(|at| when < at));
    if !allowed {
        return Ok(Reply::Int(0));
    }
    if when <= now {
        db.remove(key);
    } else {
        db.set_expiry(key, Some(when));
    }
    Ok(Reply::Int(1))
}

/// `COPY`: the value and its TTL, under a second name.
fn copy(db: &mut Db, now: i64, source: &[u8], destination: &[u8], replace: bool) -> Result<Reply> {
    if source == destination {
        return Err(Error::invalid(
            "ERR source and destination objects are the same",
        ));
    }
    let Some(entry) = db.entry(source, now) else {
        return Ok(Reply::Int(0));
    };
    let (value, expires_at) = (entry.value.clone(), entry.expires_at());
    if !replace && db.entry(destination, now).is_some() {
        return Ok(Reply::Int(0));
    }
    db.insert(destination, value, expires_at);
    Ok(Reply::Int(1))
}

fn rename(db: &mut Db, now: i64, key: &[u8], new_key: &[u8], only_new: bool) -> Result<bool> {
    if db.entry(key, now).is_none() {
        return Err(Error::new(ErrorKind::NotFound, "ERR no such key"));
    }
    if only_new && db.entry(new_key, now).is_some() {
        return Ok(false);
    }
    if key == new_key {
        return Ok(!only_new);
    }
    let Some(entry) = db.remove(key) else {
        return Err(Error::new(ErrorKind::NotFound, "ERR no such key"));
    };
    let expires_at = entry.expires_at();
    db.insert(new_key, entry.value, expires_at);
    Ok(true)
}
