//! Claiming: taking the best due jobs under a lease, and promoting due scheduled jobs.

use std::collections::HashMap;

use staunch_core::prelude::*;
use staunch_core::{As, Result, Step};

use super::codec::{self, Fence, Fields, corrupt, field, iso8601, millis, queue_score};
use super::events::QueueEvent;
use super::job::{JobStatus, Lease};
use super::queue::{Queue, member_id};

/// Bound on the rounds of one claim call. Every round makes progress (a job is promoted,
/// taken, or found finished and dropped), so this is only a guard against a broken store.
const CLAIM_ROUNDS: usize = 10_000;

/// The steps of [`Queue::add_start`] whose replies decide the start: the new token and the
/// job's hash.
type StartSteps = (Step<As<i64>>, Step<As<HashMap<String, Bytes>>>);

/// What starting a moved job came to.
enum Started {
    Lease(Box<Lease>),
    /// Finished or gone: cleaned up, nothing to run.
    Skipped,
    /// A retry or release whose effects never landed: reopened, start it again.
    Reopened,
}

impl Queue {
    /// Claims the highest-priority due job (oldest first within a priority) with a lease of the
    /// configured length. `None` when nothing is due or the queue is paused.
    ///
    /// Due scheduled jobs are promoted first, so a delayed job is claimable as soon as its time
    /// has come. Expired leases are *not* reclaimed here: that is [`Queue::maintain`]'s job.
    pub async fn claim(&self) -> Result<Option<Lease>> {
        Ok(self.claim_many(1).await?.pop())
    }

    /// Claims up to `max` jobs at once, best first, in two round trips (workers use it to fill
    /// their free slots). Empty when nothing is due or the queue is paused.
    pub async fn claim_many(&self, max: usize) -> Result<Vec<Lease>> {
        let keys = self.keys();
        let lease_ms = millis(self.inner.config.lease);
        let max = max.max(1) as u64;
        for _ in 0..CLAIM_ROUNDS {
            let now = self.now();
            let until = now.saturating_add(lease_ms);
            let take = ZMoveOptions::new()
                .limit(max)
                .score(MoveScore::Fixed(until as f64));
            let (paused, due, moved) = self
                .st()
                .pipeline()
                .get(&keys.paused)
                .zcount(
                    &keys.scheduled,
                    ScoreBound::MIN,
                    ScoreBound::Inclusive(now as f64),
                )
                .zmove_by_score(&keys.queue, &keys.processing, take)
                .run()
                .await?;
            let paused = paused.is_some();
            let moved = moved
                .into_iter()
                .map(|(m, score)| Ok((member_id(&m)?, score)))
                .collect::<Result<Vec<_>>>()?;
            if paused || due > 0 {
                if !moved.is_empty() {
                    // Put them back exactly where they were.
                    let mut back = Batch::transaction(self.st());
                    for (id, score) in &moved {
                        back.zadd(&keys.queue, *score, id);
                        back.zrem(&keys.processing, id);
                    }
                    back.run().await?.check()?;
                }
                if paused {
                    return Ok(Vec::new());
                }
                self.promote(now).await?;
                continue;
            }
            if moved.is_empty() {
                return Ok(Vec::new());
            }
            let mut batch = Batch::transaction(self.st());
            let starts: Vec<_> = moved
                .iter()
                .map(|(id, _)| self.add_start(&mut batch, id, now))
                .collect();
            let mut r = batch.run().await?;
            let mut leases = Vec::with_capacity(moved.len());
            for ((id, _), (token, hash)) in moved.iter().zip(starts) {
                // A failed HINCRBY (a closed fence) is not an error here: see `interpret`.
                let token = r.take(token).ok();
                let fields = codec::fields(r.take(hash)?)?;
                let mut started = self.interpret(id, token, fields, until).await?;
                for _ in 0..3 {
                    if !matches!(started, Started::Reopened) {
                        break;
                    }
                    started = self.start(id, until).await?;
                }
                if let Started::Lease(lease) = started {
                    leases.push(*lease);
                }
            }
            if !leases.is_empty() {
                return Ok(leases);
            }
        }
        Ok(Vec::new())
    }

    /// Adds to `batch` what takes one moved job: bump token and attempts, mark it processing,
    /// read it, announce it. Returns the steps of the new token and of the hash (as it was
    /// before this claim marked it).
    fn add_start(&self, batch: &mut Batch<'_, dyn Store>, id: &str, now: i64) -> StartSteps {
        let task = self.keys().task(id);
        let token = batch.hincrby(&task, field::TOKEN, 1);
        batch.hincrby(&task, field::ATTEMPTS, 1);
        // Read before marking it processing, so a finished job's real status is seen.
        let hash = batch.hgetall(&task);
        batch.hset_multiple(
            &task,
            codec::pairs([
                (field::STATUS, JobStatus::Processing.as_str().to_owned()),
                (field::STARTED_AT, iso8601(now)),
            ]),
        );
        QueueEvent::status(id, JobStatus::Processing, now).publish_in(batch, &self.keys().events);
        (token, hash)
    }

    /// Runs [`Queue::add_start`] for one job on its own.
    async fn start(&self, id: &str, until: i64) -> Result<Started> {
        let mut batch = Batch::transaction(self.st());
        let (token, hash) = self.add_start(&mut batch, id, self.now());
        let mut r = batch.run().await?;
        let token = r.take(token).ok();
        let fields = codec::fields(r.take(hash)?)?;
        self.interpret(id, token, fields, until).await
    }

    /// Decides what the start batch found: a lease, a job to clean up, or one to reopen.
    async fn interpret(
        &self,
        id: &str,
        token: Option<i64>,
        fields: Fields,
        until: i64,
    ) -> Result<Started> {
        let task = self.keys().task(id);
        let Some(mut job) = codec::job_info(id, &fields) else {
            // The hash is gone (expired or purged): drop the debris our claim created.
            self.st()
                .transaction()
                .del(&task)
                .zrem(&self.keys().processing, id)
                .run()
                .await?;
            return Ok(Started::Skipped);
        };
        if let Some(token) = token {
            job.status = JobStatus::Processing;
            let lease = Lease {
                job,
                token: token as u64,
                expires_at_ms: until,
            };
            if lease.job.attempts > lease.job.max_retries.saturating_add(1) {
                // Its earlier leases expired until no attempt was left.
                let error = lease
                    .job
                    .last_error
                    .clone()
                    .unwrap_or_else(|| "lease expired".to_owned());
                self.finish_dead(&lease, &error, true).await?;
                return Ok(Started::Skipped);
            }
            return Ok(Started::Lease(Box::new(lease)));
        }
        // The claim's HINCRBY failed, so the token field is there and not an integer.
        let text = fields.get(field::TOKEN).cloned().unwrap_or_default();
        match Fence::parse(&text) {
            Some(Fence::Closed(t, outcome)) if outcome.final_status().is_some() => {
                let mut fix = Batch::transaction(self.st());
                self.add_settlement(&mut fix, id, t, outcome, &fields);
                fix.hincrby(&task, field::ATTEMPTS, -1);
                fix.run().await?.check()?;
                Ok(Started::Skipped)
            }
            Some(Fence::Closed(t, _)) => {
                self.st()
                    .transaction()
                    .hcompare_and_set(
                        &task,
                        field::TOKEN,
                        Some(Bytes::from(text)),
                        (t + 1).to_string(),
                    )
                    .hincrby(&task, field::ATTEMPTS, -1)
                    .run()
                    .await?;
                Ok(Started::Reopened)
            }
            _ => Err(corrupt(format!("job {id} has a bad token field {text:?}"))),
        }
    }

    /// Moves due scheduled jobs into the queue at their priority; returns how many.
    pub(crate) async fn promote(&self, now: i64) -> Result<u64> {
        let keys = self.keys();
        let stale = now.saturating_sub(super::PROMOTION_GRACE_MS);
        let at_now = MoveScore::Fixed(now as f64);
        // Promotions abandoned by a crashed process go back to be promoted again.
        let abandoned = ZMoveOptions::new()
            .up_to(ScoreBound::Inclusive(stale as f64))
            .limit(1000)
            .score(at_now);
        let due = ZMoveOptions::new()
            .up_to(ScoreBound::Inclusive(now as f64))
            .limit(super::PROMOTE_BATCH)
            .score(at_now);
        let (_, promoting) = self
            .st()
            .pipeline()
            .zmove_by_score(&keys.promoting, &keys.scheduled, abandoned)
            .zmove_by_score(&keys.scheduled, &keys.promoting, due)
            .run()
            .await?;
        let ids = promoting
            .into_iter()
            .map(|(m, _)| member_id(&m))
            .collect::<Result<Vec<_>>>()?;
        if ids.is_empty() {
            return Ok(0);
        }
        let mut reads = Batch::pipeline(self.st());
        let hashes: Vec<_> = ids.iter().map(|id| reads.hgetall(&keys.task(id))).collect();
        let mut replies = reads.run().await?;
        let mut writes = Batch::transaction(self.st());
        let mut promoted = 0;
        for (id, hash) in ids.iter().zip(hashes) {
            let fields = codec::fields(replies.take(hash)?)?;
            writes.zrem(&keys.promoting, id);
            let Some(job) = codec::job_info(id, &fields) else {
                continue;
            };
            let text = fields.get(field::TOKEN).cloned().map(Bytes::from);
            let task = keys.task(id);
            match codec::fence(&fields) {
                Some(Fence::Closed(t, outcome)) if outcome.final_status().is_some() => {
                    self.add_settlement(&mut writes, id, t, outcome, &fields);
                    continue;
                }
                Some(Fence::Closed(t, _)) => {
                    writes.hcompare_and_set(&task, field::TOKEN, text, (t + 1).to_string());
                }
                // Back from an expired lease: the old holder's token stops working now.
                Some(Fence::Open(t)) if job.status == JobStatus::Processing => {
                    writes.hcompare_and_set(&task, field::TOKEN, text, (t + 1).to_string());
                }
                _ => {}
            }
            writes.zadd(&keys.queue, queue_score(job.priority, job.run_at_ms), id);
            // Only if nobody changed it since we read it (a late holder finishing it).
            writes.hcompare_and_set(
                &task,
                field::STATUS,
                fields.get(field::STATUS).cloned().map(Bytes::from),
                JobStatus::Pending.as_str(),
            );
            if job.status == JobStatus::Processing {
                // Back from an expired lease (the reaper moved it here).
                writes.hset(&task, field::LAST_ERROR, "lease expired");
            }
            QueueEvent::status(id, JobStatus::Pending, now).publish_in(&mut writes, &keys.events);
            promoted += 1;
        }
        writes.run().await?.check()?;
        Ok(promoted)
    }
}
