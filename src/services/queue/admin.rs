//! Queue control and inspection: pause/resume, `get`, sizes and counters, the maintenance pass
//! (reaping expired leases, promoting due jobs, trimming dead letters) and the dead-letter queue.

use std::collections::BTreeMap;

use futures_util::Stream;
use staunch_core::Result;
use staunch_core::prelude::*;

use super::codec::{self, Fence, field, queue_score, score_priority};
use super::events::{self, QueueEvent};
use super::job::{Counters, JobInfo, JobStatus, Maintenance, Sizes};
use super::outcome::{STAT_CANCELLED, STAT_COMPLETED, STAT_DEAD, STAT_FAILED, STAT_RETRIED};
use super::queue::{Queue, STAT_ENQUEUED, member_id};

const STAT_REAPED: &str = "reaped";

impl Queue {
    /// Stops claims: `claim` returns `None` and workers idle until [`Queue::resume`]. Jobs can
    /// still be enqueued; running jobs finish normally.
    pub async fn pause(&self) -> Result<()> {
        let keys = self.keys();
        let mut batch = Batch::transaction(self.st());
        batch.set(&keys.paused, "1");
        QueueEvent::Paused { at: self.now() }.publish_in(&mut batch, &keys.events);
        batch.run().await?.check()
    }

    /// Lets claims happen again and wakes idle workers.
    pub async fn resume(&self) -> Result<()> {
        let keys = self.keys();
        let mut batch = Batch::transaction(self.st());
        batch.del(&keys.paused);
        QueueEvent::Resumed { at: self.now() }.publish_in(&mut batch, &keys.events);
        batch.run().await?.check()
    }

    /// True while paused.
    pub async fn is_paused(&self) -> Result<bool> {
        self.st().exists(&self.keys().paused).await
    }

    /// The job `id`, or `None` if it never existed or has expired.
    pub async fn get(&self, id: &str) -> Result<Option<JobInfo>> {
        let hash = self.st().hgetall(&self.keys().task(id)).await?;
        Ok(codec::job_info(id, &codec::fields(hash)?))
    }

    /// The jobs `ids` in one round trip (one batch of reads), in the order given, skipping
    /// those that never existed or have expired: what a dashboard lists next to the queue.
    pub async fn get_many(&self, ids: &[String]) -> Result<Vec<JobInfo>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut reads = Batch::pipeline(self.st());
        let hashes: Vec<_> = ids
            .iter()
            .map(|id| reads.hgetall(&self.keys().task(id)))
            .collect();
        let mut replies = reads.run().await?;
        let mut jobs = Vec::with_capacity(ids.len());
        for (id, hash) in ids.iter().zip(hashes) {
            jobs.extend(codec::job_info(id, &codec::fields(replies.take(hash)?)?));
        }
        Ok(jobs)
    }

    /// The status of job `id`, or `None` if it never existed or has expired.
    pub async fn status(&self, id: &str) -> Result<Option<JobStatus>> {
        Ok(self.get(id).await?.map(|job| job.status))
    }

    /// How many jobs are pending, scheduled, processing and dead, with pending jobs per
    /// priority (this reads the whole pending set: for dashboards, not hot paths; see
    /// [`Queue::pending_count`]).
    pub async fn sizes(&self) -> Result<Sizes> {
        let keys = self.keys();
        let (pending, promoting, scheduled, processing, dead, waiting, queued) = self
            .st()
            .pipeline()
            .zcard(&keys.queue)
            .zcard(&keys.promoting)
            .zcard(&keys.scheduled)
            .zcard(&keys.processing)
            .zcard(&keys.dead)
            .zcard(&keys.waiting_children)
            .zrange_with_scores(&keys.queue, 0, -1)
            .run()
            .await?;
        let mut by_priority = BTreeMap::new();
        for (_, score) in queued {
            *by_priority.entry(score_priority(score)).or_insert(0) += 1;
        }
        Ok(Sizes {
            pending,
            scheduled: promoting + scheduled,
            processing,
            dead,
            waiting_children: waiting,
            pending_by_priority: by_priority,
        })
    }

    /// Pending jobs of one priority (`ZCOUNT` over its score band; cheap).
    pub async fn pending_count(&self, priority: impl Into<super::Priority>) -> Result<u64> {
        let p = priority.into().value();
        self.st()
            .zcount(
                &self.keys().queue,
                ScoreBound::Inclusive(-(p as f64)),
                ScoreBound::Exclusive(-(p as f64) + 1.0),
            )
            .await
    }

    /// Running totals.
    pub async fn counters(&self) -> Result<Counters> {
        let fields = codec::fields(self.st().hgetall(&self.keys().stats).await?)?;
        let n = |name: &str| fields.get(name).and_then(|v| v.parse().ok()).unwrap_or(0);
        Ok(Counters {
            enqueued: n(STAT_ENQUEUED),
            completed: n(STAT_COMPLETED),
            failed: n(STAT_FAILED),
            retried: n(STAT_RETRIED),
            dead: n(STAT_DEAD),
            cancelled: n(STAT_CANCELLED),
            reaped: n(STAT_REAPED),
        })
    }

    /// One maintenance pass: takes back expired leases (their jobs become due again and the
    /// attempt stays counted), promotes due scheduled jobs into the queue, enqueues the
    /// occurrences of repeatable jobs that have come, reconciles flows (parents whose
    /// children ended while their recording was interrupted), applies the removal policies
    /// to completed jobs and dead letters (by age and count), and says when the next job,
    /// lease or repeat comes due. Workers run it every maintenance interval; it is safe to
    /// run from many processes at once.
    pub async fn maintain(&self) -> Result<Maintenance> {
        let keys = self.keys();
        let now = self.now();
        let expired = ZMoveOptions::new()
            .up_to(ScoreBound::Inclusive(now as f64))
            .limit(super::PROMOTE_BATCH)
            .score(MoveScore::Fixed(now as f64));
        let reaped = self
            .st()
            .zmove_by_score(&keys.processing, &keys.scheduled, expired)
            .await?;
        if !reaped.is_empty() {
            self.st()
                .hincrby(&keys.stats, STAT_REAPED, reaped.len() as i64)
                .await?;
        }
        let promoted = self.promote(now).await?;
        let repeated = self.fire_repeats(now).await?;
        let released = self.reconcile_flows(now).await?;
        let removed = self.apply_removal_policies(now).await?;
        let (scheduled, processing, repeat) = self
            .st()
            .pipeline()
            .zrange_with_scores(&keys.scheduled, 0, 0)
            .zrange_with_scores(&keys.processing, 0, 0)
            .zrange_with_scores(&keys.repeat, 0, 0)
            .run()
            .await?;
        let next_due_ms = [scheduled.first(), processing.first(), repeat.first()]
            .into_iter()
            .flatten()
            .map(|(_, score)| *score as i64)
            .min();
        Ok(Maintenance {
            reaped: reaped.len() as u64,
            promoted,
            removed,
            repeated,
            released,
            next_due_ms,
        })
    }

    /// When the earliest scheduled job (delayed, or waiting for a retry) comes due, Unix ms.
    pub(crate) async fn next_scheduled_ms(&self) -> Result<Option<i64>> {
        let first = self
            .st()
            .zrange_with_scores(&self.keys().scheduled, 0, 0)
            .await?;
        Ok(first.first().map(|(_, score)| *score as i64))
    }

    /// Dead letters, newest first: `offset` and `limit` page through them.
    pub async fn dead_letters(&self, offset: u64, limit: u64) -> Result<Vec<JobInfo>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let keys = self.keys();
        let stop = offset.saturating_add(limit - 1);
        let newest_first = ZRangeBy::Rank {
            start: offset as i64,
            stop: stop.min(i64::MAX as u64) as i64,
        };
        let ids = self
            .st()
            .zrange_options(&keys.dead, newest_first, ZRangeOptions::new().rev(true))
            .await?
            .iter()
            .map(|m| member_id(m))
            .collect::<Result<Vec<_>>>()?;
        let mut reads = Batch::pipeline(self.st());
        let hashes: Vec<_> = ids.iter().map(|id| reads.hgetall(&keys.task(id))).collect();
        let mut replies = reads.run().await?;
        let mut jobs = Vec::new();
        for (id, hash) in ids.iter().zip(hashes) {
            match codec::job_info(id, &codec::fields(replies.take(hash)?)?) {
                Some(job) => jobs.push(job),
                // Its hash expired: drop the dangling entry.
                None => {
                    self.st().zrem(&keys.dead, id).await?;
                }
            }
        }
        Ok(jobs)
    }

    /// Puts a dead letter back in the queue with its attempts reset. False if `id` is not a
    /// dead letter. The job does not take its unique key back.
    pub async fn requeue_dead(&self, id: &str) -> Result<bool> {
        let keys = self.keys();
        if !self.st().zrem(&keys.dead, id).await? {
            return Ok(false);
        }
        let task = keys.task(id);
        let fields = codec::fields(self.st().hgetall(&task).await?)?;
        let Some(job) = codec::job_info(id, &fields) else {
            return Ok(false);
        };
        let token = match codec::fence(&fields) {
            Some(Fence::Open(t)) | Some(Fence::Closed(t, _)) => t,
            None => 0,
        };
        let now = self.now();
        let mut batch = Batch::transaction(self.st());
        batch.persist(&task);
        batch.hset_multiple(
            &task,
            codec::pairs([
                (field::TOKEN, (token + 1).to_string()),
                (field::STATUS, JobStatus::Pending.as_str().to_owned()),
                (field::ATTEMPTS, "0".to_owned()),
                (field::RUN_AT, now.to_string()),
            ]),
        );
        batch.hdel_multiple(&task, [field::FINISHED_AT, field::FINISHED_MS]);
        batch.zadd(&keys.queue, queue_score(job.priority, now), id);
        QueueEvent::status(id, JobStatus::Pending, now).publish_in(&mut batch, &keys.events);
        batch.run().await?.check()?;
        Ok(true)
    }

    /// Deletes one dead letter. False if `id` is not a dead letter.
    pub async fn purge_dead(&self, id: &str) -> Result<bool> {
        let keys = self.keys();
        if !self.st().zrem(&keys.dead, id).await? {
            return Ok(false);
        }
        self.st().del(&keys.task(id)).await?;
        Ok(true)
    }

    /// Deletes every dead letter; returns how many.
    pub async fn purge_all_dead(&self) -> Result<u64> {
        let mut purged = 0;
        loop {
            let keys = self.keys();
            let popped = self
                .st()
                .zpopmin_count(&keys.dead, super::PROMOTE_BATCH)
                .await?;
            if popped.is_empty() {
                return Ok(purged);
            }
            let mut deletes = Batch::pipeline(self.st());
            for (member, _) in &popped {
                deletes.del(&keys.task(&member_id(member)?));
            }
            purged += popped.len() as u64;
            deletes.run().await?.check()?;
        }
    }

    /// The queue's state changes as they happen. `None` items mark a gap (messages may have
    /// been missed, for example across a reconnect): re-read state then.
    pub async fn events(&self) -> Result<impl Stream<Item = Option<QueueEvent>> + Send + use<>> {
        events::subscribe(self.st(), &self.keys().events).await
    }
}
