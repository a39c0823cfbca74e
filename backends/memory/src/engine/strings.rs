//! String commands, and the compound string operations (compare-and-set/delete, INCRBY with a
//! first-write TTL).

use staunch_core::long_double::LongDouble;
use staunch_core::{
    Bytes, Command, Error, GetExExpiry, Reply, Result, SetCondition, SetExpiry, SetOptions,
};

use super::context::WriteCtx;
use super::db::Db;
use super::keyspace::non_empty;
use super::value::Value;

pub(crate) fn read(db: &Db, now: i64, command: &Command) -> Result<Reply> {
    match command {
        Command::Get { key } | Command::GetEx { key, expiry: None } => get(db, now, key),
        Command::MGet { keys } => {
            non_empty(keys, "mget")?;
            Ok(Reply::Array(
                keys.iter()
                    .map(|k| match db.value(k, now) {
                        Some(Value::String(b)) => Reply::Bulk(Bytes::copy_from_slice(b)),
                        _ => Reply::Nil,
                    })
                    .collect(),
            ))
        }
        Command::StrLen { key } => Ok(Reply::Int(
            db.string(key, now)?.map_or(0, |b| b.len()) as i64
        )),
        other => super::string_ranges::read(db, now, other),
    }
}

pub(crate) fn write(db: &mut Db, ctx: &mut WriteCtx, command: &Command) -> Result<Reply> {
    let now = ctx.now;
    match command {
        Command::Set {
            key,
            value,
            options,
        } => set(db, now, key, value, options),
        Command::MSet { pairs } => {
            non_empty(pairs, "mset")?;
            for (key, value) in pairs {
                db.set_string(key, value, None);
            }
            Ok(Reply::ok())
        }
        Command::SetNx { key, value } => {
            if db.entry(key, now).is_some() {
                return Ok(Reply::Int(0));
            }
            db.set_string(key, value, None);
            Ok(Reply::Int(1))
        }
        Command::MSetNx { pairs } => {
            non_empty(pairs, "msetnx")?;
            if pairs.iter().any(|(key, _)| db.entry(key, now).is_some()) {
                return Ok(Reply::Int(0));
            }
            for (key, value) in pairs {
                db.set_string(key, value, None);
            }
            Ok(Reply::Int(1))
        }
        Command::IncrBy { key, delta } => incr_by(db, now, key, *delta).map(Reply::Int),
        Command::DecrBy { key, delta } => {
            let delta = delta
                .checked_neg()
                .ok_or_else(|| Error::invalid("ERR decrement would overflow"))?;
            incr_by(db, now, key, delta).map(Reply::Int)
        }
        Command::IncrByFloat { key, delta } => {
            let current = match db.string(key, now)? {
                None => LongDouble::ZERO,
                Some(b) => parse_float(b)?,
            };
            let text = format_float(current + float_increment(*delta)?)?;
            db.put_keep_ttl(key, Value::string(text.as_bytes()), now);
            Ok(Reply::Bulk(Bytes::from(text)))
        }
        Command::GetDel { key } => {
            let value = db.string(key, now)?.map(Bytes::copy_from_slice);
            if value.is_some() {
                db.remove(key);
            }
            Ok(value.map_or(Reply::Nil, Reply::Bulk))
        }
        Command::GetEx { key, expiry } => {
            let deadline = match expiry {
                Some(GetExExpiry::Set(SetExpiry::KeepTtl)) => {
                    return Err(Error::invalid("ERR syntax error"));
                }
                Some(GetExExpiry::Set(e)) => Some(set_deadline(*e, now, "getex")?),
                _ => None,
            };
            let Some(value) = db.string(key, now)?.map(Bytes::copy_from_slice) else {
                return Ok(Reply::Nil);
            };
            match (expiry, deadline) {
                (_, Some(at)) if at <= now => {
                    db.remove(key);
                }
                (_, Some(at)) => {
                    db.set_expiry(key, Some(at));
                }
                (Some(GetExExpiry::Persist), _) => {
                    db.set_expiry(key, None);
                }
                _ => {}
            }
            Ok(Reply::Bulk(value))
        }
        Command::Append { key, value } => {
            let mut current = db.string(key, now)?.map(|b| b.to_vec()).unwrap_or_default();
            current.extend_from_slice(value);
            let len = current.len();
            db.put_keep_ttl(key, Value::String(current.into_boxed_slice()), now);
            Ok(Reply::Int(len as i64))
        }
        Command::CompareAndSet {
            key,
            expected,
            value,
            expiry,
        } => {
            let deadline = match expiry {
                Some(SetExpiry::KeepTtl) | None => None,
                Some(e) => Some(set_deadline(*e, now, "set")?),
            };
            let current = db.string(key, now)?;
            if current != expected.as_deref() {
                return Ok(Reply::Int(0));
            }
            let keep = matches!(expiry, Some(SetExpiry::KeepTtl));
            let expires_at = if keep {
                db.entry(key, now).and_then(|e| e.expires_at())
            } else {
                deadline
            };
            db.set_string(key, value, expires_at);
            Ok(Reply::Int(1))
        }
        Command::CompareAndDelete { key, expected } => {
            if db.string(key, now)?.is_some_and(|b| b == expected) {
                db.remove(key);
                Ok(Reply::Int(1))
            } else {
                Ok(Reply::Int(0))
            }
        }
        Command::IncrByEx { key, delta, ttl_ms } => {
            if *ttl_ms == 0 || *ttl_ms > i64::MAX as u64 / 2 {
                return Err(Error::invalid(
                    "ERR invalid expire time in 'incrbyex' command",
                ));
            }
            let value = incr_by(db, now, key, *delta)?;
            if db.entry(key, now).and_then(|e| e.expires_at()).is_none() {
                db.set_expiry(key, Some(now + *ttl_ms as i64));
            }
            Ok(Reply::Int(value))
        }
        other => super::string_ranges::write(db, ctx, other),
    }
}

fn bulk_or_nil(value: Option<&[u8]>) -> Reply {
    value.map_or(Reply::Nil, |b| Reply::Bulk(Bytes::copy_from_slice(b)))
}

/// The absolute deadline a `SET`-style expiry means; zero or overflowing values are invalid.
pub(crate) fn set_deadline(expiry: SetExpiry, now: i64, command: &str) -> Result<i64> {
    let invalid = || Error::invalid(format!("ERR invalid expire time in '{command}' command"));
    let (amount, relative, unit) = match expiry {
        SetExpiry::Ex(s) => (s, true, 1000),
        SetExpiry::Px(ms) => (ms, true, 1),
        SetExpiry::ExAt(s) => (s, false, 1000),
        SetExpiry::PxAt(ms) => (ms, false, 1),
        SetExpiry::KeepTtl => return Err(Error::invalid("ERR syntax error")),
    };
    if amount == 0 {
        return Err(invalid());
    }
    let amount = i64::try_from(amount).map_err(|_| invalid())?;
    let ms = amount.checked_mul(unit).ok_or_else(invalid)?;
    if relative {
        ms.checked_add(now).ok_or_else(invalid)
    } else {
        Ok(ms)
    }
}

/// `GET`.
pub(crate) fn get(db: &Db, now: i64, key: &[u8]) -> Result<Reply> {
    Ok(bulk_or_nil(db.string(key, now)?))
}

/// `SET` with its options.
pub(crate) fn set(
    db: &mut Db,
    now: i64,
    key: &[u8],
    value: &Bytes,
    options: &SetOptions,
) -> Result<Reply> {
    if options.expiry.is_none() && options.condition.is_none() && !options.get {
        // A plain `SET`, the common case: nothing to look at first, one probe.
        db.set_string(key, value, None);
        return Ok(Reply::ok());
    }
    let deadline = match options.expiry {
        None | Some(SetExpiry::KeepTtl) => None,
        Some(e) => Some(set_deadline(e, now, "set")?),
    };
    let existing = db.entry(key, now);
    let old = if options.get {
        match existing.map(|e| e.value) {
            None => None,
            Some(Value::String(b)) => Some(Bytes::copy_from_slice(b)),
            Some(_) => return Err(Error::wrong_type()),
        }
    } else {
        None
    };
    let exists = existing.is_some();
    let allowed = match options.condition {
        None => true,
        Some(SetCondition::Nx) => !exists,
        Some(SetCondition::Xx) => exists,
    };
    if allowed {
        let expires_at = if options.expiry == Some(SetExpiry::KeepTtl) {
            existing.and_then(|e| e.expires_at())
        } else {
            deadline
        };
        db.set_string(key, value, expires_at);
    }
    Ok(match (options.get, allowed) {
        (true, _) => old.map_or(Reply::Nil, Reply::Bulk),
        (false, true) => Reply::ok(),
        (false, false) => Reply::Nil,
    })
}

/// Parses an integer the way Redis does: canonical decimal only ("+1", "01", " 1" are not).
pub(crate) fn parse_int(bytes: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(bytes).ok()?;
    let n: i64 = text.parse().ok()?;
    (n.to_string() == text).then_some(n)
}

fn incr_by(db: &mut Db, now: i64, key: &[u8], delta: i64) -> Result<i64> {
    let current = match db.string(key, now)? {
        None => 0,
        Some(b) => parse_int(b)
            .ok_or_else(|| Error::invalid("ERR value is not an integer or out of range"))?,
    };
    let next = current
        .checked_add(delta)
        .ok_or_else(|| Error::invalid("ERR increment or decrement would overflow"))?;
    db.put_keep_ttl(key, Value::string(next.to_string().as_bytes()), now);
    Ok(next)
}

/// Reads a stored value for `INCRBYFLOAT`/`HINCRBYFLOAT` as Redis does: `strtold` on the
/// whole text, into a `long double` (see [`LongDouble::parse`]).
pub(crate) fn parse_float(bytes: &[u8]) -> Result<LongDouble> {
    LongDouble::parse(bytes).ok_or_else(|| Error::invalid("ERR value is not a valid float"))
}

/// The increment of `INCRBYFLOAT`/`HINCRBYFLOAT` as Redis reads it: the Redis backend sends
/// an `f64` as its shortest text and Redis reads that text with `strtold`, so the local
/// backends read the same text (see [`LongDouble::from_f64_arg`]). NaN is "not a valid float".
pub(crate) fn float_increment(delta: f64) -> Result<LongDouble> {
    LongDouble::from_f64_arg(delta).ok_or_else(|| Error::invalid("ERR value is not a valid float"))
}

/// Formats an `INCRBYFLOAT`/`HINCRBYFLOAT` result as Redis stores it: 17 decimals with trailing
/// zeros removed, computed in `long double`. An infinite or NaN result is Redis's error.
pub(crate) fn format_float(value: LongDouble) -> Result<String> {
    if !value.is_finite() {
        return Err(Error::invalid(
            "ERR increment would produce NaN or Infinity",
        ));
    }
    Ok(value.to_redis_string())
}
