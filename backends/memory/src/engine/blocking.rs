//! Blocking pops (`BLPOP`, `BRPOP`, `BLMOVE`, `BLMPOP`, `BZPOPMIN`, `BZPOPMAX`, `BZMPOP`): their
//! non-blocking attempt.
//!
//! A blocking pop is this attempt retried whenever a write may have made data available, until
//! it succeeds or its timeout passes (the loop is `Engine::execute`'s, in `handle`). The
//! attempt runs with the shards of all the pop's keys locked, so it pops from the first
//! non-empty key exactly as Redis would.

use std::time::Duration;

use staunch_core::{Bytes, Command, Reply, Result};

use super::context::{WriteCtx, unsupported};
use super::db::Db;
use super::{lists, zsets, zsets_more};

/// The non-blocking attempt: pops from the first non-empty key, or answers `Nil`. The logged
/// effect is the plain pop that served it (nothing at all when it found nothing).
pub(crate) fn try_pop(db: &mut Db, ctx: &mut WriteCtx, command: &Command) -> Result<Reply> {
    ctx.rewrite = Some(Vec::new());
    let now = ctx.now;
    match command {
        Command::BLPop { keys, .. } | Command::BRPop { keys, .. } => {
            super::keyspace::non_empty(keys, command.name())?;
            for key in keys {
                if db.list(key, now)?.is_none_or(|l| l.is_empty()) {
                    continue;
                }
                let pop = if matches!(command, Command::BLPop { .. }) {
                    Command::LPop {
                        key: key.clone(),
                        count: None,
                    }
                } else {
                    Command::RPop {
                        key: key.clone(),
                        count: None,
                    }
                };
                let value = lists::write(db, &mut WriteCtx::new(now), &pop)?;
                ctx.rewrite = Some(vec![pop]);
                return Ok(Reply::Array(vec![key_reply(key), value]));
            }
            Ok(Reply::Nil)
        }
        Command::BLMove {
            source,
            destination,
            from,
            to,
            ..
        } => {
            if db.list(source, now)?.is_none_or(|l| l.is_empty()) {
                return Ok(Reply::Nil);
            }
            let lmove = Command::LMove {
                source: source.clone(),
                destination: destination.clone(),
                from: *from,
                to: *to,
            };
            let value = lists::write(db, &mut WriteCtx::new(now), &lmove)?;
            ctx.rewrite = Some(vec![lmove]);
            Ok(value)
        }
        Command::BLMPop {
            keys, end, count, ..
        } => {
            let lmpop = Command::LMPop {
                keys: keys.clone(),
                end: *end,
                count: *count,
            };
            let popped = super::list_ops::lmpop(db, now, keys, *end, *count)?;
            if !popped.is_nil() {
                ctx.rewrite = Some(vec![lmpop]);
            }
            Ok(popped)
        }
        Command::BZPopMin { keys, .. } | Command::BZPopMax { keys, .. } => {
            super::keyspace::non_empty(keys, command.name())?;
            for key in keys {
                if db.zset(key, now)?.is_none_or(|z| z.is_empty()) {
                    continue;
                }
                let pop = if matches!(command, Command::BZPopMin { .. }) {
                    Command::ZPopMin {
                        key: key.clone(),
                        count: None,
                    }
                } else {
                    Command::ZPopMax {
                        key: key.clone(),
                        count: None,
                    }
                };
                let popped = zsets::write(db, &mut WriteCtx::new(now), &pop)?;
                ctx.rewrite = Some(vec![pop]);
                let mut reply = vec![key_reply(key)];
                reply.extend(popped.into_items()?);
                return Ok(Reply::Array(reply));
            }
            Ok(Reply::Nil)
        }
        Command::BZMPop {
            keys, end, count, ..
        } => {
            let zmpop = Command::ZMPop {
                keys: keys.clone(),
                end: *end,
                count: *count,
            };
            let reply = zsets_more::zmpop(db, now, keys, *end, *count, true)?;
            if !reply.is_nil() {
                ctx.rewrite = Some(vec![zmpop]);
            }
            Ok(reply)
        }
        other => Err(unsupported(other)),
    }
}

fn key_reply(key: &[u8]) -> Reply {
    Reply::Bulk(Bytes::copy_from_slice(key))
}

pub(crate) fn timeout_of(command: &Command) -> Duration {
    match command {
        Command::BLPop { timeout, .. }
        | Command::BRPop { timeout, .. }
        | Command::BLMove { timeout, .. }
        | Command::BLMPop { timeout, .. }
        | Command::BZPopMin { timeout, .. }
        | Command::BZPopMax { timeout, .. }
        | Command::BZMPop { timeout, .. } => *timeout,
        _ => Duration::ZERO,
    }
}
