//! Failover over a Redis Cluster: per-slot replay watermarks, and the cross-slot rule kept in
//! every state.
//!
//! # Following Redis's own failover first
//!
//! On Sentinel and Cluster a dead primary is first Redis's business: a replica is promoted
//! within seconds (`down-after-milliseconds` / `cluster-node-timeout` plus an election).
//! `staunch-redis` follows it by itself: a Sentinel connection asks the Sentinels for the
//! primary at every reconnection and drops a connection that answers `READONLY`; the cluster
//! client refreshes its slot map on `MOVED` and connection errors and retries within the
//! response timeout. So a call made during a promotion usually just takes longer. Only when no
//! primary answers within the call timeout does the breaker open and `Failover` serve locally,
//! journaling writes; once a primary answers again (the promoted replica) the journal is
//! replayed into it.
//!
//! # Why one watermark is not enough on a cluster
//!
//! Replay sends each group of journal entries together with `SET <watermark> <last seq>` in
//! one `MULTI`/`EXEC`, so Redis holds the entries if and only if the watermark says so
//! (exactly-once across crashes and lost replies; see `replay.rs`). On a cluster a transaction
//! can only touch one hash slot, and the entries of a journal are spread over all of them. So
//! there is one watermark **per slot**: `staunch:replay:{<tag>}:<node id>`, where `<tag>` is the
//! precomputed shortest hash tag of that slot ([`staunch_core::slots::slot_tag`]), which puts
//! the watermark in the slot of the entries it covers.
//!
//! # Replay on a cluster
//!
//! For each group taken from the journal (in journal order):
//!
//! 1. Each entry's slot is the common slot of all its keys. (Every entry has one: on a
//!    cluster, `Failover` refuses commands and atomic batches whose keys span slots in every
//!    state, [`Core::check_slots`], exactly as the cluster itself would.)
//! 2. The watermarks of the slots involved are read (`MGET`, split per slot), and an entry at
//!    or below its slot's watermark is skipped: an earlier run applied it.
//! 3. The remaining entries are cut into runs of consecutive entries of one slot, and each run
//!    goes as one transaction with `SET` of its slot's watermark to the run's last sequence
//!    number, one run after the other, so writes to one key are applied in journal order.
//! 4. Each run is dropped from the journal as soon as it went through (with whatever was
//!    skipped before it).
//!
//! A crash or outage between two runs leaves some runs applied, each with its own slot's
//! watermark saying so; the next replay skips exactly those. Entries without keys (`FLUSHDB`;
//! published messages are not journaled) and those with keys in several slots (a split
//! `DEL`) have no slot to hold a watermark: they are sent alone outside a transaction, at
//! least once: only a crash between sending one and dropping it from the journal repeats it,
//! and then nothing after it was applied yet, so the repetition changes nothing.

use std::collections::HashMap;

use staunch_core::slots::{common_slot, slot_tag};
use staunch_core::{Bytes, Command, Error, ErrorKind, Execute, Reply, Result, SetOptions};

use super::journal::JournalEntry;
use super::store::Core;

/// The commands the cluster backend splits per slot (any keys allowed).
const SPLIT: &[&str] = &["MGET", "DEL", "EXISTS", "UNLINK", "TOUCH"];

/// The replay watermark of journal `node_id` for the entries of hash `slot`: a key in that slot.
pub fn slot_watermark_key(node_id: &str, slot: u16) -> String {
    format!("staunch:replay:{{{}}}:{node_id}", slot_tag(slot))
}

/// The one slot of `entry`: `Some` when its keys share one, `None` without keys or with keys
/// in several slots.
fn entry_slot(entry: &JournalEntry) -> Option<u16> {
    let keys: Vec<&[u8]> = entry.commands.iter().flat_map(|c| c.keys()).collect();
    common_slot("replay", keys.iter().copied()).ok().flatten()
}

impl Core {
    /// True when the primary is a Redis Cluster.
    pub(crate) fn on_cluster(&self) -> bool {
        !self.primary.capabilities().cross_slot
    }

    /// On a cluster, refuses what the cluster would refuse, in every state: a command whose
    /// keys span slots (except the split ones), or an atomic batch whose keys do. The error is
    /// the cluster backend's, naming the keys. Elsewhere nothing is checked.
    pub(crate) fn check_slots(&self, commands: &[Command], atomic: bool) -> Result<()> {
        if !self.on_cluster() {
            return Ok(());
        }
        if atomic {
            let keys: Vec<&[u8]> = commands.iter().flat_map(|c| c.keys()).collect();
            common_slot("MULTI", keys.iter().copied())?;
            return Ok(());
        }
        for command in commands {
            if SPLIT.contains(&command.name()) {
                continue;
            }
            let keys = command.keys();
            common_slot(command.name(), keys.iter().copied())?;
        }
        Ok(())
    }

    /// `apply_group` on a cluster (see the module docs). `Ok(false)` when Redis refused a whole
    /// transaction, so the caller retries entry by entry.
    pub(crate) async fn apply_group_per_slot(&self, group: &[JournalEntry]) -> Result<bool> {
        let Some(last) = group.last().map(|e| e.seq) else {
            return Ok(true);
        };
        let node = self.journal.node_id().to_owned();
        let slots: Vec<Option<u16>> = group.iter().map(entry_slot).collect();
        let watermarks = self.slot_watermarks(&node, &slots).await?;
        let mut run: Vec<&JournalEntry> = Vec::new();
        let mut run_slot: Option<u16> = None;
        for (entry, slot) in group.iter().zip(&slots) {
            if let Some(slot) = slot
                && watermarks.get(slot).is_some_and(|&w| entry.seq <= w)
            {
                self.stats.record_skipped(1);
                continue;
            }
            let joins = slot.is_some() && *slot == run_slot && !run.is_empty();
            if !joins && !run.is_empty() {
                if !self.apply_run(&node, run_slot, &run).await? {
                    return Ok(false);
                }
                run.clear();
            }
            run_slot = *slot;
            run.push(entry);
        }
        if !run.is_empty() && !self.apply_run(&node, run_slot, &run).await? {
            return Ok(false);
        }
        self.journal.pop_through(last);
        Ok(true)
    }

    /// The watermarks of the slots in `slots` (absent: 0).
    async fn slot_watermarks(
        &self,
        node: &str,
        slots: &[Option<u16>],
    ) -> Result<HashMap<u16, u64>> {
        let mut wanted: Vec<u16> = slots.iter().flatten().copied().collect();
        wanted.sort_unstable();
        wanted.dedup();
        if wanted.is_empty() {
            return Ok(HashMap::new());
        }
        let keys = wanted
            .iter()
            .map(|&s| slot_watermark_key(node, s).into())
            .collect();
        let timeout = self.call_limit();
        let reply = self
            .call_primary(timeout, self.primary.execute(Command::MGet { keys }))
            .await?;
        let Reply::Array(values) = reply else {
            return Err(Error::new(
                ErrorKind::Protocol,
                format!("unexpected MGET reply: {reply:?}"),
            ));
        };
        Ok(wanted
            .into_iter()
            .zip(values)
            .map(|(slot, value)| {
                let seq = match value {
                    Reply::Bulk(b) => std::str::from_utf8(&b)
                        .ok()
                        .and_then(|s| s.parse().ok())
                        .unwrap_or(0),
                    _ => 0,
                };
                (slot, seq)
            })
            .collect())
    }

    /// Applies one run: in one transaction with its slot's watermark, or (no slot) alone.
    async fn apply_run(
        &self,
        node: &str,
        slot: Option<u16>,
        run: &[&JournalEntry],
    ) -> Result<bool> {
        let Some(last) = run.last().map(|e| e.seq) else {
            return Ok(true);
        };
        let mut commands: Vec<Command> = run
            .iter()
            .flat_map(|e| e.commands.iter().cloned())
            .collect();
        let n = commands.len();
        if let Some(slot) = slot {
            commands.push(Command::Set {
                key: slot_watermark_key(node, slot).into(),
                value: Bytes::from(last.to_string()),
                options: SetOptions::default(),
            });
        }
        let timeout = self.call_limit();
        let results = self
            .call_primary(timeout, self.primary.batch(commands, slot.is_some()))
            .await?;
        if let Some(Err(e)) = results.get(n) {
            if e.is_outage() {
                return Err(e.clone());
            }
            if run.len() > 1 {
                return Ok(false);
            }
            tracing::error!(target: "staunch::failover", seq = last, error = %e, "Redis refused a journal entry; it is dropped");
        }
        for (i, r) in results.iter().take(n).enumerate() {
            match r {
                Err(e) if e.is_outage() => return Err(e.clone()),
                Err(e) => {
                    tracing::warn!(target: "staunch::failover", command = i, error = %e, "a replayed command failed in Redis (the data decided)")
                }
                Ok(_) => {}
            }
        }
        for _ in run {
            self.stats.record_replayed();
        }
        // Everything up to this run is in Redis now (earlier entries were applied or skipped
        // in journal order): drop it at once, so a crash later in the group never sends a
        // watermark-less entry (a `FLUSHDB`) again after the runs that followed it.
        self.journal.pop_through(last);
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use staunch_core::slots::key_slot;

    #[test]
    fn a_slot_watermark_lives_in_its_slot() {
        for slot in [0, 42, 9000, 16383] {
            let key = slot_watermark_key("node-1", slot);
            assert_eq!(key_slot(key.as_bytes()), slot, "{key}");
            assert!(key.starts_with("staunch:replay:{") && key.ends_with("}:node-1"));
        }
    }
}
