//! Set commands that combine or move between sets, or iterate one: `SINTERCARD`,
//! `SINTERSTORE`/`SUNIONSTORE`/`SDIFFSTORE`, `SMOVE` and `SSCAN`.
//!
//! The `STORE` forms type-check every source (a missing one is an empty set), then replace the
//! destination whatever it held, without TTL; an empty result deletes it, as Redis does.
//!
//! `SSCAN` walks members in the order of a fixed hash ([`scan_hash`]): the cursor is the hash
//! the next page starts at, so a member present throughout an iteration is returned at least
//! once however the set changes meanwhile (members with equal hashes share a page). Each page
//! sorts the members it has not passed yet (O(n log n)); Redis's dict cursor is O(page).

use staunch_core::command::Key;
use staunch_core::{Bytes, Command, Error, Reply, Result, ScanOptions, glob};

use super::context::{WriteCtx, unsupported};
use super::db::Db;
use super::hashing::{FastSet, scan_hash};
use super::sampling::scan_page;
use super::set_value::SetValue;
use super::value::Value;

/// Redis's default `SSCAN COUNT`.
const DEFAULT_SCAN_COUNT: u64 = 10;

/// Which algebra a command computes.
#[derive(Clone, Copy)]
enum Algebra {
    Inter,
    Union,
    Diff,
}

pub(crate) fn read(db: &Db, now: i64, command: &Command) -> Result<Reply> {
    match command {
        Command::SInterCard { keys, limit } => {
            // With no key the command is too short for Redis's arity check.
            super::keyspace::non_empty(keys, "sintercard")?;
            let limit = match limit.unwrap_or(0) {
                0 => usize::MAX,
                l if l > i64::MAX as u64 => {
                    return Err(Error::invalid("ERR LIMIT can't be negative"));
                }
                l => usize::try_from(l).unwrap_or(usize::MAX),
            };
            let members = combine(db, now, keys, Algebra::Inter)?;
            Ok(Reply::Int(members.len().min(limit) as i64))
        }
        Command::SScan {
            key,
            cursor,
            options,
        } => sscan(db.set(key, now)?, *cursor, options),
        other => Err(unsupported(other)),
    }
}

pub(crate) fn write(db: &mut Db, ctx: &mut WriteCtx, command: &Command) -> Result<Reply> {
    let now = ctx.now;
    match command {
        Command::SInterStore { destination, keys } => {
            store(db, now, destination, keys, Algebra::Inter, "sinterstore")
        }
        Command::SUnionStore { destination, keys } => {
            store(db, now, destination, keys, Algebra::Union, "sunionstore")
        }
        Command::SDiffStore { destination, keys } => {
            store(db, now, destination, keys, Algebra::Diff, "sdiffstore")
        }
        Command::SMove {
            source,
            destination,
            member,
        } => smove(db, now, source, destination, member),
        other => Err(unsupported(other)),
    }
}

/// The members `algebra` gives over `keys` (every key type-checked first).
fn combine(db: &Db, now: i64, keys: &[Key], algebra: Algebra) -> Result<Vec<Bytes>> {
    let sets: Vec<Option<&SetValue>> =
        keys.iter().map(|k| db.set(k, now)).collect::<Result<_>>()?;
    let copy = |m: &[u8]| Bytes::copy_from_slice(m);
    Ok(match algebra {
        Algebra::Inter => {
            if sets.iter().any(Option::is_none) {
                return Ok(Vec::new());
            }
            let sets: Vec<&SetValue> = sets.into_iter().flatten().collect();
            let Some(smallest) = sets.iter().min_by_key(|s| s.len()) else {
                return Ok(Vec::new());
            };
            smallest
                .iter()
                .filter(|m| sets.iter().all(|s| s.contains(m)))
                .map(copy)
                .collect()
        }
        Algebra::Union => {
            let mut union: FastSet<&[u8]> = FastSet::default();
            for set in sets.iter().flatten() {
                union.extend(set.iter());
            }
            union.into_iter().map(copy).collect()
        }
        Algebra::Diff => {
            let (first, rest) = sets.split_first().unwrap_or((&None, &[]));
            first
                .iter()
                .flat_map(|s| s.iter())
                .filter(|m| !rest.iter().flatten().any(|s| s.contains(m)))
                .map(copy)
                .collect()
        }
    })
}

fn store(
    db: &mut Db,
    now: i64,
    destination: &[u8],
    keys: &[Key],
    algebra: Algebra,
    name: &str,
) -> Result<Reply> {
    super::keyspace::non_empty(keys, name)?;
    let members = combine(db, now, keys, algebra)?;
    db.remove(destination);
    if members.is_empty() {
        return Ok(Reply::Int(0));
    }
    let mut set = SetValue::default();
    let added = set.insert_all(members.iter().map(|m| &m[..]));
    db.insert(destination, Value::Set(set), None);
    Ok(Reply::Int(added as i64))
}

fn smove(db: &mut Db, now: i64, source: &[u8], destination: &[u8], member: &[u8]) -> Result<Reply> {
    let Some(from) = db.set(source, now)? else {
        return Ok(Reply::Int(0));
    };
    let present = from.contains(member);
    db.set(destination, now)?;
    if source == destination || !present {
        return Ok(Reply::Int(i64::from(present)));
    }
    if let Some(from) = db.set_mut(source, now)? {
        from.remove(member);
    }
    db.remove_if_empty(source);
    db.set_or_create(destination, now)?.insert(member);
    Ok(Reply::Int(1))
}

fn sscan(set: Option<&SetValue>, cursor: u64, options: &ScanOptions) -> Result<Reply> {
    // Redis answers a missing key before it reads the options.
    let Some(set) = set else {
        return Ok(scan_page(0, Vec::new()));
    };
    let count = options.count.unwrap_or(DEFAULT_SCAN_COUNT);
    if count > i64::MAX as u64 {
        return Err(Error::invalid(
            "ERR value is not an integer or out of range",
        ));
    }
    if count == 0 || options.key_type.is_some() {
        return Err(Error::invalid("ERR syntax error"));
    }
    let mut ahead: Vec<(u64, &[u8])> = set
        .iter()
        .map(|m| (scan_hash(m), m))
        .filter(|(hash, _)| *hash >= cursor)
        .collect();
    ahead.sort_unstable();
    let mut take = usize::try_from(count)
        .unwrap_or(usize::MAX)
        .min(ahead.len());
    // Members sharing the last hash go in this page: the next cursor starts past that hash.
    while take > 0 && take < ahead.len() && ahead[take].0 == ahead[take - 1].0 {
        take += 1;
    }
    let next = if take >= ahead.len() {
        0
    } else {
        ahead[take - 1].0 + 1
    };
    let members = ahead[..take]
        .iter()
        .filter(|(_, m)| {
            options
                .pattern
                .as_deref()
                .is_none_or(|p| glob::matches(p, m))
        })
        .map(|(_, m)| Reply::Bulk(Bytes::copy_from_slice(m)))
        .collect();
    Ok(scan_page(next, members))
}
