//! Set commands: `SADD`, `SREM`, `SMEMBERS`, `SISMEMBER`, `SMISMEMBER`, `SCARD`, `SPOP`,
//! `SRANDMEMBER`, `SINTER`, `SUNION`, `SDIFF`.
//!
//! Replies follow Redis 7 over RESP3: member lists of `SMEMBERS`, `SPOP key count` and the
//! algebra commands are `Set`s, `SRANDMEMBER key count` is an `Array` (it may repeat members).
//! Missing keys behave as empty sets; an emptied set is deleted; modifications keep the TTL.
//!
//! `SPOP` is random, so the write log records the `SREM` of the members it actually took (see
//! the engine docs). Picking a random member of a hash set walks it (O(n)); Redis's dict can
//! sample in O(1), which only matters for very large sets.

use rand::Rng;
use rand::seq::IteratorRandom;
use staunch_core::command::Key;
use staunch_core::{Bytes, Command, Error, Reply, Result};

use super::context::WriteCtx;
use super::db::Db;
use super::hashing::FastSet;
use super::keyspace::non_empty;
use super::sampling::random_picks;
use super::set_value::SetValue;

pub(crate) fn read(db: &Db, now: i64, command: &Command) -> Result<Reply> {
    match command {
        Command::SMembers { key } => Ok(Reply::Set(
            db.set(key, now)?
                .map(|s| s.iter().map(bulk).collect())
                .unwrap_or_default(),
        )),
        Command::SIsMember { key, member } => sismember(db, now, key, member),
        Command::SMIsMember { key, members } => {
            non_empty(members, "smismember")?;
            let set = db.set(key, now)?;
            Ok(Reply::Array(
                members
                    .iter()
                    .map(|m| Reply::Int(i64::from(set.is_some_and(|s| s.contains(m)))))
                    .collect(),
            ))
        }
        Command::SCard { key } => Ok(Reply::Int(db.set(key, now)?.map_or(0, SetValue::len) as i64)),
        Command::SRandMember { key, count } => srandmember(db.set(key, now)?, *count),
        Command::SInter { keys } => {
            non_empty(keys, "sinter")?;
            let sets = sets_of(db, now, keys)?;
            // Iterate the smallest set; a missing key makes the intersection empty.
            let Some(smallest) = sets
                .iter()
                .map(|s| s.as_ref())
                .min_by_key(|s| s.map_or(0, |s| s.len()))
            else {
                return Ok(Reply::Set(Vec::new()));
            };
            let members = match smallest {
                None => Vec::new(),
                Some(smallest) => smallest
                    .iter()
                    .filter(|m| sets.iter().all(|s| s.is_some_and(|s| s.contains(m))))
                    .map(bulk)
                    .collect(),
            };
            Ok(Reply::Set(members))
        }
        Command::SUnion { keys } => {
            non_empty(keys, "sunion")?;
            let sets = sets_of(db, now, keys)?;
            let mut union: FastSet<&[u8]> = FastSet::default();
            for set in sets.iter().flatten() {
                union.extend(set.iter());
            }
            Ok(Reply::Set(union.into_iter().map(bulk).collect()))
        }
        Command::SDiff { keys } => {
            non_empty(keys, "sdiff")?;
            let sets = sets_of(db, now, keys)?;
            let (first, rest) = sets.split_first().unwrap_or((&None, &[]));
            let members = first
                .iter()
                .flat_map(|s| s.iter())
                .filter(|m| !rest.iter().flatten().any(|s| s.contains(m)))
                .map(bulk)
                .collect();
            Ok(Reply::Set(members))
        }
        other => super::set_ops::read(db, now, other),
    }
}

/// Every key's set (`None` when missing), or `WrongType` if any key holds another type.
/// `SISMEMBER`.
pub(crate) fn sismember(db: &Db, now: i64, key: &[u8], member: &[u8]) -> Result<Reply> {
    Ok(Reply::Int(i64::from(
        db.set(key, now)?.is_some_and(|s| s.contains(member)),
    )))
}

/// `SADD` of at least one member.
pub(crate) fn sadd(db: &mut Db, now: i64, key: &[u8], members: &[Bytes]) -> Result<Reply> {
    let set = db.set_or_create(key, now)?;
    let added = set.insert_all(members.iter().map(|m| &m[..]));
    Ok(Reply::Int(added as i64))
}

fn sets_of<'a>(db: &'a Db, now: i64, keys: &[Key]) -> Result<Vec<Option<&'a SetValue>>> {
    keys.iter().map(|k| db.set(k, now)).collect()
}

fn bulk(member: &[u8]) -> Reply {
    Reply::Bulk(Bytes::copy_from_slice(member))
}

fn srandmember(set: Option<&SetValue>, count: Option<i64>) -> Result<Reply> {
    let mut rng = rand::rng();
    let Some(count) = count else {
        return Ok(set
            .and_then(|s| s.iter().choose(&mut rng))
            .map_or(Reply::Nil, bulk));
    };
    // Negative counts beyond the bound every backend shares were refused before the engine
    // ran (`Command::check_limits`); checked again here so no path allocates without bound.
    staunch_core::command::random_count("SRANDMEMBER", count)?;
    let Some(set) = set.filter(|s| !s.is_empty()) else {
        return Ok(Reply::Array(Vec::new()));
    };
    let picks = random_picks(set.iter(), set.len(), count);
    Ok(Reply::Array(picks.into_iter().map(bulk).collect()))
}

pub(crate) fn write(db: &mut Db, ctx: &mut WriteCtx, command: &Command) -> Result<Reply> {
    let now = ctx.now;
    match command {
        Command::SAdd { key, members } => {
            non_empty(members, "sadd")?;
            sadd(db, now, key, members)
        }
        Command::SRem { key, members } => {
            non_empty(members, "srem")?;
            let Some(set) = db.set_mut(key, now)? else {
                return Ok(Reply::Int(0));
            };
            let removed = members.iter().filter(|m| set.remove(&m[..])).count();
            db.remove_if_empty(key);
            Ok(Reply::Int(removed as i64))
        }
        Command::SPop { key, count } => {
            let count = match count {
                None => None,
                Some(c) => Some(
                    usize::try_from(i64::try_from(*c).map_err(|_| out_of_range())?)
                        .unwrap_or(usize::MAX),
                ),
            };
            let popped = match db.set_mut(key, now)? {
                None => Vec::new(),
                Some(set) => spop(set, count.unwrap_or(1)),
            };
            db.remove_if_empty(key);
            ctx.rewrite = Some(if popped.is_empty() {
                Vec::new()
            } else {
                vec![Command::SRem {
                    key: key.clone(),
                    members: popped.clone(),
                }]
            });
            Ok(match count {
                None => popped.into_iter().next().map_or(Reply::Nil, Reply::Bulk),
                Some(_) => Reply::Set(popped.into_iter().map(Reply::Bulk).collect()),
            })
        }
        other => super::set_ops::write(db, ctx, other),
    }
}

/// Removes and returns up to `count` random members.
fn spop(set: &mut SetValue, count: usize) -> Vec<Bytes> {
    if count >= set.len() {
        return set.take_all();
    }
    let mut rng = rand::rng();
    let picked: Vec<Bytes> = if count == 1 {
        let index = rng.random_range(0..set.len());
        set.iter()
            .nth(index)
            .map(Bytes::copy_from_slice)
            .into_iter()
            .collect()
    } else {
        set.iter()
            .choose_multiple(&mut rng, count)
            .into_iter()
            .map(Bytes::copy_from_slice)
            .collect()
    };
    for member in &picked {
        set.remove(member);
    }
    picked
}

fn out_of_range() -> Error {
    Error::invalid("ERR value is out of range, must be positive")
}
