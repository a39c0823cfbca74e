//! Hash commands (`HGET`, `HSET`, `HINCRBY`, ...) and the compound hash-field operations
//! (compare-and-set, compare-and-delete).
//!
//! A hash is a `HashMap<String, Bytes>` (foldhash) under its key. Writes modify it in place, so a hash
//! keeps its TTL however it changes; a hash created by a write has none, and a write that
//! leaves it empty deletes the key, as Redis never keeps an empty collection. Small hashes
//! are packed (see `hash_value`), so replies copy the stored bytes.

use staunch_core::long_double::LongDouble;
use staunch_core::{Bytes, Command, Error, Reply, Result};

use super::context::{WriteCtx, unsupported};
use super::db::Db;
use super::keyspace::non_empty;
use super::strings::{float_increment, format_float, parse_float, parse_int};

use super::hash_value::HashValue as Hash;

pub(crate) fn read(db: &Db, now: i64, command: &Command) -> Result<Reply> {
    match command {
        Command::HGet { key, field } => hget(db, now, key, field),
        Command::HGetAll { key } => Ok(Reply::Map(db.hash(key, now)?.map_or_else(Vec::new, |h| {
            h.iter().map(|(f, v)| (field_reply(f), bulk(v))).collect()
        }))),
        Command::HMGet { key, fields } => {
            non_empty(fields, "hmget")?;
            let hash = db.hash(key, now)?;
            Ok(Reply::Array(
                fields
                    .iter()
                    .map(|f| {
                        hash.and_then(|h| h.get_bytes(f))
                            .map_or(Reply::Nil, Reply::Bulk)
                    })
                    .collect(),
            ))
        }
        Command::HExists { key, field } => Ok(Reply::Int(
            db.hash(key, now)?.is_some_and(|h| h.contains_key(field)) as i64,
        )),
        Command::HLen { key } => Ok(Reply::Int(db.hash(key, now)?.map_or(0, Hash::len) as i64)),
        Command::HStrLen { key, field } => Ok(Reply::Int(
            db.hash(key, now)?
                .and_then(|h| h.get(field))
                .map_or(0, |v| v.len()) as i64,
        )),
        Command::HKeys { key } => Ok(Reply::Array(
            db.hash(key, now)?.map_or_else(Vec::new, |h| {
                h.iter().map(|(f, _)| field_reply(f)).collect()
            }),
        )),
        Command::HVals { key } => Ok(Reply::Array(
            db.hash(key, now)?
                .map_or_else(Vec::new, |h| h.iter().map(|(_, v)| bulk(v)).collect()),
        )),
        Command::HRandField { .. } | Command::HScan { .. } => {
            super::hashes_more::read(db, now, command)
        }
        other => Err(unsupported(other)),
    }
}

pub(crate) fn write(db: &mut Db, ctx: &mut WriteCtx, command: &Command) -> Result<Reply> {
    let now = ctx.now;
    match command {
        Command::HSet { key, fields } => {
            non_empty(fields, "hset")?;
            hset(db, now, key, fields.iter().map(|(f, v)| (&f[..], v)))
        }
        Command::HMSet { key, fields } => {
            non_empty(fields, "hmset")?;
            hset(db, now, key, fields.iter().map(|(f, v)| (&f[..], v)))?;
            Ok(Reply::ok())
        }
        Command::HSetNx { key, field, value } => {
            let set = with_hash(db, key, now, |hash| {
                !hash.contains_key(field) && set_field(hash, field, value)
            })?;
            Ok(Reply::Int(set as i64))
        }
        Command::HDel { key, fields } => {
            non_empty(fields, "hdel")?;
            let Some(hash) = db.hash_mut(key, now)? else {
                return Ok(Reply::Int(0));
            };
            let removed = fields.iter().filter(|f| hash.remove(f)).count();
            if hash.is_empty() {
                db.remove(key);
            }
            Ok(Reply::Int(removed as i64))
        }
        Command::HIncrBy { key, field, delta } => {
            let next = with_hash_try(db, key, now, |hash| {
                let current = match hash.get(field) {
                    None => 0,
                    Some(v) => parse_int(v)
                        .ok_or_else(|| Error::invalid("ERR hash value is not an integer"))?,
                };
                let next = current
                    .checked_add(*delta)
                    .ok_or_else(|| Error::invalid("ERR increment or decrement would overflow"))?;
                set_field(hash, field, &Bytes::from(next.to_string()));
                Ok(next)
            })?;
            Ok(Reply::Int(next))
        }
        Command::HIncrByFloat { key, field, delta } => {
            let delta = float_increment(*delta)?;
            if !delta.is_finite() {
                return Err(Error::invalid("ERR value is NaN or Infinity"));
            }
            let text = with_hash_try(db, key, now, |hash| {
                let current = match hash.get(field) {
                    None => LongDouble::ZERO,
                    Some(v) => parse_float(v)
                        .map_err(|_| Error::invalid("ERR hash value is not a float"))?,
                };
                let text = Bytes::from(format_float(current + delta)?);
                set_field(hash, field, &text);
                Ok(text)
            })?;
            Ok(Reply::Bulk(text))
        }
        Command::HCompareAndSet {
            key,
            field,
            expected,
            value,
        } => {
            if let Some(hash) = db.hash_mut(key, now)? {
                if hash.get(field) != expected.as_deref() {
                    return Ok(Reply::Int(0));
                }
                set_field(hash, field, value);
                return Ok(Reply::Int(1));
            }
            // A missing key has no fields: only "expected missing" can succeed.
            if expected.is_some() {
                return Ok(Reply::Int(0));
            }
            set_field(db.hash_or_create(key, now)?, field, value);
            Ok(Reply::Int(1))
        }
        Command::HCompareAndDelete {
            key,
            field,
            expected,
        } => {
            let Some(hash) = db.hash_mut(key, now)? else {
                return Ok(Reply::Int(0));
            };
            if hash.get(field) != Some(&expected[..]) {
                return Ok(Reply::Int(0));
            }
            hash.remove(field);
            if hash.is_empty() {
                db.remove(key);
            }
            Ok(Reply::Int(1))
        }
        other => Err(unsupported(other)),
    }
}

/// `HGET`.
pub(crate) fn hget(db: &Db, now: i64, key: &[u8], field: &[u8]) -> Result<Reply> {
    Ok(db
        .hash(key, now)?
        .and_then(|h| h.get_bytes(field))
        .map_or(Reply::Nil, Reply::Bulk))
}

fn bulk(value: &[u8]) -> Reply {
    Reply::Bulk(Bytes::copy_from_slice(value))
}

/// `HSET` of at least one field.
pub(crate) fn hset<'a>(
    db: &mut Db,
    now: i64,
    key: &[u8],
    fields: impl IntoIterator<Item = (&'a [u8], &'a Bytes)>,
) -> Result<Reply> {
    // A field named twice in one command is new once: the second write updates it.
    let created = with_hash(db, key, now, |hash| {
        let mut created = 0;
        for (field, value) in fields {
            if set_field(hash, field, value) {
                created += 1;
            }
        }
        created
    })?;
    Ok(Reply::Int(created))
}

/// A field name as a bulk reply.
fn field_reply(field: &[u8]) -> Reply {
    Reply::Bulk(Bytes::copy_from_slice(field))
}

/// Runs `f` on the hash at `key`, created empty (so without TTL) when missing. An existing
/// hash is found with one lookup instead of the several `Db::hash_or_create` makes. `f` must
/// leave the hash non-empty.
fn with_hash<R>(db: &mut Db, key: &[u8], now: i64, f: impl FnOnce(&mut Hash) -> R) -> Result<R> {
    if let Some(hash) = db.hash_mut(key, now)? {
        return Ok(f(hash));
    }
    Ok(f(db.hash_or_create(key, now)?))
}

/// [`with_hash`] for a fallible `f`: should `f` fail on a hash this call created, the empty
/// hash is removed again, so a refused write never leaves a key behind.
fn with_hash_try<R>(
    db: &mut Db,
    key: &[u8],
    now: i64,
    f: impl FnOnce(&mut Hash) -> Result<R>,
) -> Result<R> {
    let result = with_hash(db, key, now, f)?;
    if result.is_err() {
        db.remove_if_empty(key);
    }
    result
}

/// Writes `field`, allocating its name only when it is new. Returns true if it was new.
fn set_field(hash: &mut Hash, field: &[u8], value: &Bytes) -> bool {
    hash.set(field, value)
}
