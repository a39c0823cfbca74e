//! [`Engine::execute_ref`]: the frequent single-key commands run from borrowed names, so a
//! `HGET` or an `RPUSH` through the typed methods allocates no key, field or argument list.
//!
//! Each command here calls the same family function its owned [`Command`] form runs, so
//! the two cannot disagree. The fast path only covers the case where a write is nothing but
//! its effect on the keyspace: no write log (the file backend must record and await it) and
//! no eviction policy (a bounded engine accounts every access). Anything else declines and the
//! caller runs [`CommandRef::into_command`] through [`Engine::execute`]. In that case a write
//! here must stay what `Shared::apply_write` does: whatever is added there for every write
//! (a counter, a notification) belongs here too.
//!
//! [`Command`]: staunch_core::Command

use std::slice;

use staunch_core::{Access, CommandRef, ListEnd, Reply, Result, SetOptions, ZAddOptions};

use super::db::Db;
use super::handle::Engine;
use super::{hashes, lists, sets, strings, zsets};

impl Engine {
    /// Runs `command` at once when it needs nothing but the keyspace (see the module docs);
    /// otherwise `None`, and the owned command must go through [`Engine::execute`].
    pub fn execute_ref(&self, command: &CommandRef<'_>) -> Option<Result<Reply>> {
        let shared = &*self.shared;
        if shared.evictor.is_some() {
            return None;
        }
        // None of these commands sets or reports a TTL, so the clock only matters when some
        // key can expire (or a log records times), as in `Shared::now_for`. A read records
        // nothing, so only expiry matters to it.
        let now_for = |db: &Db| {
            if db.has_expiring_keys() || shared.has_log() {
                shared.now()
            } else {
                0
            }
        };
        if command.access() == Access::Read {
            let db = shared.keyspace.lock_key(command.key(), false);
            let now = if db.has_expiring_keys() {
                shared.now()
            } else {
                0
            };
            return Some(read(&db, now, command));
        }
        if shared.has_log() {
            return None;
        }
        let reply = {
            let mut db = shared.keyspace.lock_key(command.key(), true);
            let now = now_for(&db);
            write(&mut db, now, command)
        };
        shared.after_write();
        Some(reply)
    }
}

fn read(db: &Db, now: i64, command: &CommandRef<'_>) -> Result<Reply> {
    match command {
        CommandRef::Get { key } => strings::get(db, now, key),
        CommandRef::HGet { key, field } => hashes::hget(db, now, key, field),
        CommandRef::SIsMember { key, member } => sets::sismember(db, now, key, member),
        CommandRef::ZScore { key, member } => zsets::zscore(db, now, key, member),
        // `execute_ref` routes by `access()`: only reads come here.
        other => Err(super::unsupported(&other.clone().into_command())),
    }
}

fn write(db: &mut Db, now: i64, command: &CommandRef<'_>) -> Result<Reply> {
    match command {
        CommandRef::Set { key, value } => strings::set(db, now, key, value, &SetOptions::default()),
        CommandRef::HSet { key, field, value } => hashes::hset(db, now, key, [(*field, value)]),
        CommandRef::LPush { key, value } => {
            lists::push(db, now, key, slice::from_ref(value), ListEnd::Left)
        }
        CommandRef::RPush { key, value } => {
            lists::push(db, now, key, slice::from_ref(value), ListEnd::Right)
        }
        CommandRef::LPop { key } => lists::pop(db, now, key, None, ListEnd::Left),
        CommandRef::RPop { key } => lists::pop(db, now, key, None, ListEnd::Right),
        CommandRef::SAdd { key, member } => sets::sadd(db, now, key, slice::from_ref(member)),
        CommandRef::ZAdd { key, score, member } => zsets::zadd_each(
            db,
            now,
            key,
            std::iter::once((*score, member)),
            &ZAddOptions::default(),
        ),
        read_only => read(db, now, read_only),
    }
}
