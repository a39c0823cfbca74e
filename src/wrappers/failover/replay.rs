//! Replaying the journal into Redis, exactly once per entry, and switching traffic back.
//!
//! # The watermark
//!
//! Each journal has a node id, and Redis holds `staunch:replay:<node id>`: the sequence number
//! of the last entry of this journal that Redis has applied. Replay works like this:
//!
//! 1. Read the watermark (`GET`) and drop every journal entry at or below it: those are in
//!    Redis already (a previous run applied them and then crashed, or lost its reply).
//! 2. Take the next group of entries (at most [`FailoverOptions::replay_group`]) and send
//!    their commands followed by `SET staunch:replay:<node> <last seq of the group>` as one
//!    `MULTI`/`EXEC` transaction. Redis applies all of it or none of it: there is no moment at
//!    which an entry is applied and the watermark does not say so.
//! 3. On success drop the group from the journal and go on; on an outage error stop, let the
//!    breaker open and start again at step 1 when Redis is back.
//!
//! So a crash of the application at any point (before, during or after a transaction) leaves
//! Redis and the watermark consistent, and the next run skips exactly what was applied. The
//! check "seq above the watermark" happens in step 1 rather than inside Redis, which is sound
//! because one journal has one replayer at a time (the journal directory is locked, and in the
//! process only the monitor task replays) and because the read follows the previous
//! transaction on the same ordered connection: a reply that timed out does not close the
//! connection (staunch-redis keeps it and discards the late answer in order), so the `GET`
//! that starts the next run is answered after the earlier `EXEC`. If the connection broke, the
//! earlier transaction either ran before Redis closed it or never will. If Redis itself
//! restarted without persistence the watermark is gone along with the data it described, and
//! the entries still in the journal are applied again, which is what that empty Redis needs.
//!
//! A command inside a group that Redis rejects (`WRONGTYPE` because another node stored a
//! different type under the key meanwhile) is logged and counted, not retried: the data
//! decided, exactly as if the write had been made against Redis at replay time. If Redis
//! refuses the whole transaction (`EXECABORT`), the group is retried one entry at a time so one
//! bad entry cannot hold back the rest.
//!
//! # A replay that cannot proceed
//!
//! When Redis refuses the replay itself ([`ErrorKind::Refused`]: the ACL user may not write
//! the watermark key or a journaled key (`NOPERM`), Redis is out of memory (`OOM`), read-only
//! (`READONLY`), cannot persist (`MISCONF`), is loading (`LOADING`)), nothing of the
//! transaction ran. Replay stops with every entry kept, the `Failover` stays `Recovering`
//! (traffic stays local, so no acknowledged write is lost), and the refusal is made visible:
//! a `tracing` error event, `FailoverHealth::replay_error`, and
//! `StatsSnapshot::replay_failures`. The monitor tries again every
//! `HealthOptions::degraded_interval`, so replay resumes on its own once the cause is fixed
//! (the ACL changed, memory freed).
//!
//! # Switching back
//!
//! While replay runs, new writes still go to the local store and the journal (behind the
//! entries being replayed). When the journal looks empty, the replayer closes the route gate
//! exclusively (waiting for in-flight local writes), checks again, and only then sets the state
//! to `Healthy`; the journal is ended (the journal file emptied, or the file store's log told
//! that journaling stopped) and, under `Divert`, the local store is cleared.
//!
//! [`FailoverOptions::replay_group`]: super::FailoverOptions::replay_group

use staunch_core::Execute;
use staunch_core::{Bytes, Command, Error, ErrorKind, Reply, Result, SetOptions};

use super::journal::JournalEntry;
use super::options::{FailoverState, Policy};
use super::store::Core;

/// The Redis key holding the replay watermark of `node_id`.
pub fn watermark_key(node_id: &str) -> String {
    format!("staunch:replay:{node_id}")
}

impl Core {
    /// Replays until the journal is drained and traffic is back on the primary (`Ok(true)`),
    /// or stops at the first outage (`Err`).
    pub(crate) async fn replay(&self) -> Result<bool> {
        let key = watermark_key(self.journal.node_id());
        let timeout = self.call_limit();
        let reply = self
            .call_primary(
                timeout,
                self.primary.execute(Command::Get {
                    key: key.clone().into(),
                }),
            )
            .await?;
        let watermark = match reply {
            Reply::Bulk(b) => std::str::from_utf8(&b)
                .ok()
                .and_then(|s| s.parse::<u64>().ok())
                .unwrap_or(0),
            _ => 0,
        };
        let skipped = self.journal.pop_through(watermark);
        if skipped > 0 {
            // A previous run applied these and lost the reply (or crashed): never again.
            tracing::info!(target: "staunch::failover", skipped, watermark, "journal entries already in Redis skipped");
            self.stats.record_skipped(skipped as u64);
        }
        loop {
            let group = self.journal.front(self.options.replay_group.max(1))?;
            if group.is_empty() {
                let route = self.route.close().await;
                if !self.journal.is_empty() {
                    drop(route);
                    continue;
                }
                if let Err(e) = self.journal.finish().await {
                    if self.journal.is_store_log() {
                        // The local store still journals: clearing it now would journal the
                        // FLUSHDB for the next replay. Stay local and try again later.
                        drop(route);
                        tracing::error!(target: "staunch::failover", error = %e, "could not end journaling in the local store");
                        return Err(e);
                    }
                    tracing::warn!(target: "staunch::failover", error = %e, "could not empty the drained journal file");
                }
                if self.options.policy == Policy::Divert
                    && self.options.clear_local_after_replay
                    && let Err(e) = self.local.execute(Command::FlushDb).await
                {
                    tracing::warn!(target: "staunch::failover", error = %e, "could not clear the local store after replay");
                }
                self.set_state(FailoverState::Healthy, "journal replayed");
                drop(route);
                return Ok(true);
            }
            if self.state() != FailoverState::Recovering {
                return Ok(false);
            }
            if !self.apply_group(&key, &group).await? {
                for entry in &group {
                    self.apply_group(&key, std::slice::from_ref(entry)).await?;
                }
            }
        }
    }

    /// Applies `group` with the watermark in one transaction and drops it from the journal.
    /// `Ok(false)` when Redis refused the whole transaction and nothing was applied.
    async fn apply_group(&self, key: &str, group: &[JournalEntry]) -> Result<bool> {
        if self.on_cluster() {
            // One watermark per hash slot (`slots.rs`).
            return self.apply_group_per_slot(group).await;
        }
        let Some(last) = group.last().map(|e| e.seq) else {
            return Ok(true);
        };
        let mut commands: Vec<Command> = group
            .iter()
            .flat_map(|e| e.commands.iter().cloned())
            .collect();
        let n = commands.len();
        commands.push(Command::Set {
            key: key.to_owned().into(),
            value: Bytes::from(last.to_string()),
            options: SetOptions::default(),
        });
        let timeout = self.call_limit();
        let results = self
            .call_primary(timeout, self.primary.batch(commands, true))
            .await?;
        if let Some(Err(e)) = results.get(n) {
            if e.is_outage() {
                return Err(e.clone());
            }
            // Refused by the server's state or the ACL: nothing ran. Keep every entry and
            // let the caller report it; the data did not decide anything here.
            if let Some(refusal) = refusal(&results) {
                return Err(refusal);
            }
            if group.len() > 1 {
                return Ok(false);
            }
            tracing::error!(target: "staunch::failover", seq = last, error = %e, "Redis refused a journal entry; it is dropped");
        }
        for (i, r) in results.iter().take(n).enumerate() {
            if let Err(e) = r
                && e.kind() == ErrorKind::Refused
            {
                // The transaction ran, this command of it was refused at run time.
                tracing::error!(target: "staunch::failover", command = i, error = %e, "Redis refused a replayed command while running the transaction; its effect is lost");
            } else if let Err(e) = r {
                tracing::warn!(target: "staunch::failover", command = i, error = %e, "a replayed command failed in Redis (the data decided)");
            }
        }
        self.journal.pop_through(last);
        for _ in group {
            self.stats.record_replayed();
        }
        Ok(true)
    }
}

/// The first refusal of the server's state or ACL among `results`, with a message saying
/// that replay waits for it.
fn refusal(results: &[Result<Reply>]) -> Option<Error> {
    results.iter().find_map(|r| match r {
        Err(e) if e.kind() == ErrorKind::Refused => Some(
            Error::new(
                ErrorKind::Refused,
                format!(
                    "replay cannot proceed, the journal is kept and replay retried: {}",
                    e.message()
                ),
            )
            .with_source(e.clone()),
        ),
        _ => None,
    })
}
