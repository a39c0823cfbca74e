//! Blocking pops (`BLPOP`, `BRPOP`, `BLMOVE`, `BZPOPMIN`, `BZPOPMAX`).
//!
//! A blocking pop is its non-blocking form retried whenever a write may have made data
//! available, until it succeeds or its timeout passes. The waiter registers for the wake-up
//! *before* it looks at the data, so a push that lands between the look and the wait is never
//! missed. Writers only pay for the wake-up while somebody is blocked.

use std::sync::atomic::Ordering;
use std::time::Duration;

use staunch_core::{Bytes, Command, Reply, Result};

use super::db::Db;
use super::{Shared, WriteCtx, unsupported, write};

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
                let value = write(db, &mut WriteCtx::new(now), &pop)?;
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
            let value = write(db, &mut WriteCtx::new(now), &lmove)?;
            ctx.rewrite = Some(vec![lmove]);
            Ok(value)
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
                let popped = write(db, &mut WriteCtx::new(now), &pop)?;
                ctx.rewrite = Some(vec![pop]);
                let mut reply = vec![key_reply(key)];
                reply.extend(popped.into_items()?);
                return Ok(Reply::Array(reply));
            }
            Ok(Reply::Nil)
        }
        other => Err(unsupported(other)),
    }
}

fn key_reply(key: &str) -> Reply {
    Reply::Bulk(Bytes::copy_from_slice(key.as_bytes()))
}

fn timeout_of(command: &Command) -> Duration {
    match command {
        Command::BLPop { timeout, .. }
        | Command::BRPop { timeout, .. }
        | Command::BLMove { timeout, .. }
        | Command::BZPopMin { timeout, .. }
        | Command::BZPopMax { timeout, .. } => *timeout,
        _ => Duration::ZERO,
    }
}

/// Keeps the count of blocked callers right even when the caller's future is dropped.
struct BlockedGuard<'a>(&'a Shared);

impl Drop for BlockedGuard<'_> {
    fn drop(&mut self) {
        self.0.blocked.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Runs a blocking pop to completion: a reply, or `Nil` once the timeout (zero: never) passes.
pub(crate) async fn execute(shared: &Shared, command: &Command) -> Result<Reply> {
    let timeout = timeout_of(command);
    let deadline = (!timeout.is_zero()).then(|| tokio::time::Instant::now() + timeout);
    shared.blocked.fetch_add(1, Ordering::AcqRel);
    let _guard = BlockedGuard(shared);
    loop {
        let notified = shared.wakeup.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let (reply, ticket) = {
            let mut db = shared.db.write();
            let now = shared.now();
            shared.write_locked(&mut db, now, command)
        };
        if let Some((log, ticket)) = ticket {
            log.wait_durable(ticket).await?;
        }
        match reply {
            Ok(Reply::Nil) => {}
            other => {
                // BLMOVE pushed somewhere another waiter may be watching.
                shared.wake_blocked();
                return other;
            }
        }
        match deadline {
            Some(deadline) => {
                if tokio::time::timeout_at(deadline, notified).await.is_err() {
                    return Ok(Reply::Nil);
                }
            }
            None => notified.await,
        }
    }
}
