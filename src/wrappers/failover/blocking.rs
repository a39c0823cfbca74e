//! Blocking commands (`BLPOP`, `BRPOP`, `BLMOVE`, `BZPOPMIN`, `BZPOPMAX`) on a `Failover`.
//!
//! Healthy, a blocking command runs on Redis (on its own connection, see staunch-redis) and
//! may wait its block timeout plus [`FailoverOptions::call_timeout`]. It is never retried or
//! diverted after an ambiguous failure: it may have popped an element already.
//!
//! Degraded, it waits on the local store in slices of [`FailoverOptions::blocking_slice`]
//! (100 ms), holding a pass through the route gate for one slice at a time. Between slices it looks
//! whether traffic went back to Redis and, if so, continues there with the time left, so a
//! `BLPOP` with a zero (infinite) timeout neither blocks the switch back for long nor stays on
//! a store nobody pushes to any more. The key's stripe lock is *not* held while waiting (a
//! push to the same key must be able to wake it); what the command popped is journaled after,
//! as the removal of that exact element (`LREM`/`ZREM`), which replays to the same result
//! whichever order it takes relative to concurrent pushes.
//!
//! [`FailoverOptions::call_timeout`]: super::FailoverOptions::call_timeout
//! [`FailoverOptions::blocking_slice`]: super::FailoverOptions::blocking_slice

use staunch_core::Execute;
use std::time::Duration;

use staunch_core::{Command, Reply, Result};

use super::options::{FailoverState, Policy};
use super::store::{Core, Routed};

impl Core {
    pub(crate) async fn blocking(&self, command: Command) -> Result<Reply> {
        let total = block_timeout(&command);
        let deadline = (!total.is_zero()).then(|| tokio::time::Instant::now() + total);
        loop {
            let remaining = match deadline {
                Some(d) => {
                    let left = d.saturating_duration_since(tokio::time::Instant::now());
                    if left.is_zero() {
                        return Ok(Reply::Nil);
                    }
                    left
                }
                None => Duration::ZERO,
            };
            if self.state() == FailoverState::Healthy {
                let cmd = with_block_timeout(&command, remaining);
                let limit = self
                    .call_limit()
                    .filter(|_| !remaining.is_zero())
                    .map(|t| remaining + t);
                match self
                    .via_primary(false, limit, || self.primary.execute(cmd.clone()))
                    .await
                {
                    Routed::Done(r) => {
                        if r.is_ok() {
                            self.mirror(vec![cmd], std::slice::from_ref(&r)).await;
                        }
                        return r;
                    }
                    Routed::Local => continue,
                }
            }
            if self.options.policy == Policy::FailFast {
                return Err(self.fail_fast());
            }
            // Degraded: wait one slice on the local store, holding a route pass so traffic
            // cannot switch back to Redis under this call.
            let slice = if remaining.is_zero() {
                self.options.blocking_slice
            } else {
                remaining.min(self.options.blocking_slice)
            };
            let route = self.route.enter().await;
            if self.state() == FailoverState::Healthy {
                continue;
            }
            let now = self.options.clock.now_ms();
            let cmd = with_block_timeout(&command, slice);
            let reply = self.local.execute(cmd.clone()).await;
            self.stats.record_local();
            if self.journal.is_store_log() {
                // The local store journaled what the pop took itself.
                drop(route);
                match reply {
                    Ok(Reply::Nil) => continue,
                    other => return other,
                }
            }
            let resolved = cmd.with_absolute_expiry(now).resolve_effects(&reply);
            if resolved.is_empty() {
                drop(route);
                match reply {
                    Ok(Reply::Nil) => continue,
                    other => return other,
                }
            }
            let stripes = self.lock_keys(&resolved).await;
            let ticket = self.journal.append(now, resolved);
            drop(stripes);
            drop(route);
            let (_, offset) = ticket?;
            self.stats.record_journaled();
            self.journal.sync_to(offset).await?;
            return reply;
        }
    }
}

fn block_timeout(command: &Command) -> Duration {
    command.block_timeout().unwrap_or(Duration::ZERO)
}

/// The blocking command with its timeout replaced (zero: forever).
fn with_block_timeout(command: &Command, wait: Duration) -> Command {
    let mut c = command.clone();
    if let Some(timeout) = c.block_timeout_mut() {
        *timeout = wait;
    }
    c
}
