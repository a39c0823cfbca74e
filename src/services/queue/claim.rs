//! Claiming: taking the best due jobs under a lease, and promoting due scheduled jobs.

use std::collections::HashMap;

use serde::Serialize;
use staunch_core::prelude::*;
use staunch_core::{As, Name, Result, Step};

use super::codec::{self, Fence, Fields, corrupt, field, iso8601, millis, queue_score};
use super::events::QueueEvent;
use super::flow::ChildEnd;
use super::job::{JobStatus, Lease, Stepped};
use super::queue::{Queue, member_id};

/// Bound on the rounds of one claim call. Every round makes progress (a job is promoted,
/// taken, or found finished and dropped), so this is only a guard against a broken store.
const CLAIM_ROUNDS: usize = 10_000;

/// The steps of [`Queue::add_start`] whose replies decide the start: the new token and the
/// job's hash.
type StartSteps = (Step<As<i64>>, Step<As<HashMap<Name, Bytes>>>);

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

    /// Claims up to `max` jobs at once, best first, in one round trip (workers use it to fill
    /// their free slots). Empty when nothing is due or the queue is paused.
    pub async fn claim_many(&self, max: usize) -> Result<Vec<Lease>> {
        Ok(self.step(None, max.max(1)).await?.next)
    }

    /// Completes `lease` with `result` (kept as JSON for the result TTL) and claims up to
    /// `max` next jobs in the same atomic step: one round trip per job in a worker's steady
    /// state (`max` 0: complete only).
    ///
    /// The completion applies only while the lease's fencing token is current; otherwise
    /// [`Stepped::lease_lost`] is set and nothing of the completion happens, but the claim
    /// still does (claimed jobs are never held back by a stale completion).
    pub async fn complete_and_claim<R: Serialize + ?Sized>(
        &self,
        lease: &Lease,
        result: &R,
        max: usize,
    ) -> Result<Stepped> {
        let text = serde_json::to_string(result)
            .map_err(|e| staunch_core::Error::invalid(format!("result does not serialize: {e}")))?;
        let text = (text != "null").then_some(text);
        self.step(Some((lease, text)), max).await
    }

    /// One [`Command::QueueStep`]: complete `finish` (a lease and its result as JSON), then
    /// claim up to `max`. When scheduled jobs are due it promotes them and steps again (so a
    /// due job of higher priority is never overtaken); it settles whatever irregular job the
    /// claim met (a closed fence, a vanished hash, a job out of attempts) and claims on.
    ///
    /// With a [`QueueConfig::rate_limit`](super::QueueConfig::rate_limit), the claim first
    /// reserves `max` slots of the current window (`IncrByEx` on `P:tasks:limiter`), claims only
    /// what the window grants and gives back what it did not take: two more round trips, and
    /// never more than the limit per window across all workers (a give-back that lands just
    /// after a window ends lends the next window at most one batch).
    pub(crate) async fn step(
        &self,
        finish: Option<(&Lease, Option<String>)>,
        max: usize,
    ) -> Result<Stepped> {
        let Some(limit) = self.inner.config.rate_limit.filter(|_| max > 0) else {
            return self.step_unlimited(finish, max).await;
        };
        let key = &self.keys().limiter;
        let used = self.st().incr_by_ex(key, max as i64, limit.per).await?;
        let over = u64::try_from(used).unwrap_or(0).saturating_sub(limit.max);
        let granted = (max as u64).saturating_sub(over) as usize;
        let out = self.step_unlimited(finish, granted).await;
        let taken = out.as_ref().map_or(0, |o| o.next.len());
        if taken < max {
            self.st()
                .incr_by_ex(key, -((max - taken) as i64), limit.per)
                .await?;
        }
        out
    }

    /// How long claims must wait for the rate limit's window to end, when the current window
    /// is used up (`None` without a rate limit or with room left).
    pub async fn rate_limited_for(&self) -> Result<Option<std::time::Duration>> {
        let Some(limit) = self.inner.config.rate_limit else {
            return Ok(None);
        };
        let key = &self.keys().limiter;
        let (used, ttl) = self.st().pipeline().get(key).pttl(key).run().await?;
        let used: u64 = used
            .and_then(|v| std::str::from_utf8(&v).ok()?.parse().ok())
            .unwrap_or(0);
        Ok((used >= limit.max && ttl > 0).then(|| std::time::Duration::from_millis(ttl as u64)))
    }

    /// [`Queue::step`] without the rate limit.
    async fn step_unlimited(
        &self,
        finish: Option<(&Lease, Option<String>)>,
        max: usize,
    ) -> Result<Stepped> {
        let keys = self.keys();
        let lease_ms = millis(self.inner.config.lease);
        // A flow's child: its completion is recorded at its parent after the step.
        let child = finish.as_ref().and_then(|(lease, result)| {
            let parent = lease.job.parent.clone()?;
            Some((parent, lease.id().to_owned(), result.clone()))
        });
        let mut finish = finish.map(|(lease, result)| {
            let keep = if self.inner.config.result_ttl.is_zero() {
                0
            } else {
                millis(self.inner.config.result_ttl) as u64
            };
            let mut f = QueueFinish::new(lease.id(), lease.token, keep);
            if let Some(result) = result {
                f = f.result(result);
            }
            if let Some(unique) = &lease.job.unique_key {
                f = f.unique(unique.clone());
            }
            f
        });
        let mut out = Stepped::default();
        for _ in 0..CLAIM_ROUNDS {
            let now = self.now();
            let until = now.saturating_add(lease_ms);
            let mut options = QueueStepOptions::new(now, iso8601(now), max as u64, until)
                .events(keys.events.clone());
            let finishing = finish.take();
            if let Some(f) = finishing.clone() {
                options = options.finish(f);
            }
            let reply = self.st().queue_step(keys.step_keys(), options).await?;
            if finishing.is_some() {
                out.lease_lost = reply.finished == Some(false);
                if let (Some(true), Some((parent, id, result))) = (reply.finished, &child) {
                    let end = ChildEnd::Completed(result.clone());
                    self.after_child_end(parent, id, end, true).await;
                }
            }
            if reply.paused || max == 0 {
                return Ok(out);
            }
            if reply.due > 0 {
                self.promote(now).await?;
                continue;
            }
            if reply.jobs.is_empty() {
                return Ok(out);
            }
            for claimed in reply.jobs {
                let id = member_id(&claimed.id)?;
                let fields = codec::fields(claimed.fields.into_iter().collect())?;
                let token = (claimed.token > 0).then_some(claimed.token as i64);
                let mut started = self.interpret(&id, token, fields, until).await?;
                for _ in 0..3 {
                    if !matches!(started, Started::Reopened) {
                        break;
                    }
                    started = self.start(&id, until).await?;
                }
                if let Started::Lease(lease) = started {
                    out.next.push(*lease);
                }
            }
            if !out.next.is_empty() {
                return Ok(out);
            }
        }
        Ok(out)
    }

    /// Adds to `batch` what takes one job already moved to `processing`: bump token and
    /// attempts, mark it processing, read it, announce it (a job reopened after an
    /// interrupted retry or release starts this way). Returns the steps of the new token and
    /// of the hash (as it was before this claim marked it).
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
