//! Queue control and inspection: pause/resume, `get`, sizes and counters, the maintenance pass
//! (reaping expired leases, promoting due jobs, trimming dead letters) and the dead-letter queue.

use staunch_core::Execute;
use std::collections::BTreeMap;

use futures_util::Stream;
use staunch_core::{
    Bytes, Command, MoveScore, Result, ScoreBound, SetOptions, ZRangeBy, ZRangeOptions,
};

use super::cmd::{self, take};
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
        let commands = vec![
            Command::Set {
                key: keys.paused.clone(),
                value: Bytes::from_static(b"1"),
                options: SetOptions::new(),
            },
            QueueEvent::Paused { at: self.now() }.to_command(&keys.events),
        ];
        cmd::check_all(self.st().batch(commands, true).await?)
    }

    /// Lets claims happen again and wakes idle workers.
    pub async fn resume(&self) -> Result<()> {
        let keys = self.keys();
        let commands = vec![
            cmd::del(&keys.paused),
            QueueEvent::Resumed { at: self.now() }.to_command(&keys.events),
        ];
        cmd::check_all(self.st().batch(commands, true).await?)
    }

    /// True while paused.
    pub async fn is_paused(&self) -> Result<bool> {
        let reply = self
            .st()
            .execute(Command::Exists {
                keys: vec![self.keys().paused.clone()],
            })
            .await?;
        reply.into_bool()
    }

    /// The job `id`, or `None` if it never existed or has expired.
    pub async fn get(&self, id: &str) -> Result<Option<JobInfo>> {
        let reply = self
            .st()
            .execute(cmd::hgetall(&self.keys().task(id)))
            .await?;
        Ok(codec::job_info(id, &codec::fields(reply)?))
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
        let commands = vec![
            cmd::zcard(&keys.queue),
            cmd::zcard(&keys.promoting),
            cmd::zcard(&keys.scheduled),
            cmd::zcard(&keys.processing),
            cmd::zcard(&keys.dead),
            Command::ZRange {
                key: keys.queue.clone(),
                by: ZRangeBy::Rank { start: 0, stop: -1 },
                options: ZRangeOptions::new().with_scores(true),
            },
        ];
        let mut r = self.st().batch(commands, false).await?;
        let mut by_priority = BTreeMap::new();
        for (_, score) in take(&mut r, 5)?.into_scored()? {
            *by_priority.entry(score_priority(score)).or_insert(0) += 1;
        }
        Ok(Sizes {
            pending: take(&mut r, 0)?.into_int()? as u64,
            scheduled: take(&mut r, 1)?.into_int()? as u64 + take(&mut r, 2)?.into_int()? as u64,
            processing: take(&mut r, 3)?.into_int()? as u64,
            dead: take(&mut r, 4)?.into_int()? as u64,
            pending_by_priority: by_priority,
        })
    }

    /// Pending jobs of one priority (`ZCOUNT` over its score band; cheap).
    pub async fn pending_count(&self, priority: impl Into<super::Priority>) -> Result<u64> {
        let p = priority.into().value();
        let reply = self
            .st()
            .execute(Command::ZCount {
                key: self.keys().queue.clone(),
                min: ScoreBound::Inclusive(-(p as f64)),
                max: ScoreBound::Exclusive(-(p as f64) + 1.0),
            })
            .await?;
        Ok(reply.into_int()? as u64)
    }

    /// Running totals.
    pub async fn counters(&self) -> Result<Counters> {
        let fields = codec::fields(self.st().execute(cmd::hgetall(&self.keys().stats)).await?)?;
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
    /// attempt stays counted), promotes due scheduled jobs into the queue, trims dead letters
    /// older than the dead-letter TTL, and says when the next job or lease comes due. Workers
    /// run it on their poll interval; it is safe to run from many processes at once.
    pub async fn maintain(&self) -> Result<Maintenance> {
        let keys = self.keys();
        let now = self.now();
        let dead_before = now.saturating_sub(codec::millis(self.inner.config.dead_ttl));
        let first = |key: &str| Command::ZRange {
            key: key.to_owned(),
            by: ZRangeBy::Rank { start: 0, stop: 0 },
            options: ZRangeOptions::new().with_scores(true),
        };
        let mut r = self
            .st()
            .batch(
                vec![
                    cmd::zmove(
                        &keys.processing,
                        &keys.scheduled,
                        ScoreBound::Inclusive(now as f64),
                        super::PROMOTE_BATCH,
                        MoveScore::Fixed(now as f64),
                    ),
                    Command::ZRemRangeByScore {
                        key: keys.dead.clone(),
                        min: ScoreBound::MIN,
                        max: ScoreBound::Exclusive(dead_before as f64),
                    },
                ],
                false,
            )
            .await?;
        let reaped = take(&mut r, 0)?.into_scored()?;
        take(&mut r, 1)?;
        if !reaped.is_empty() {
            let count = cmd::hincr(&keys.stats, STAT_REAPED, reaped.len() as i64);
            self.st().execute(count).await?;
        }
        let promoted = self.promote(now).await?;
        let mut r = self
            .st()
            .batch(vec![first(&keys.scheduled), first(&keys.processing)], false)
            .await?;
        let next_due_ms = [take(&mut r, 0)?, take(&mut r, 1)?]
            .into_iter()
            .filter_map(|reply| reply.into_scored().ok()?.into_iter().next())
            .map(|(_, score)| score as i64)
            .min();
        Ok(Maintenance {
            reaped: reaped.len() as u64,
            promoted,
            next_due_ms,
        })
    }

    /// When the earliest scheduled job (delayed, or waiting for a retry) comes due, Unix ms.
    pub(crate) async fn next_scheduled_ms(&self) -> Result<Option<i64>> {
        let reply = self
            .st()
            .execute(Command::ZRange {
                key: self.keys().scheduled.clone(),
                by: ZRangeBy::Rank { start: 0, stop: 0 },
                options: ZRangeOptions::new().with_scores(true),
            })
            .await?;
        Ok(reply
            .into_scored()?
            .into_iter()
            .next()
            .map(|(_, score)| score as i64))
    }

    /// Dead letters, newest first: `offset` and `limit` page through them.
    pub async fn dead_letters(&self, offset: u64, limit: u64) -> Result<Vec<JobInfo>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let keys = self.keys();
        let stop = offset.saturating_add(limit - 1);
        let ids = self
            .st()
            .execute(Command::ZRange {
                key: keys.dead.clone(),
                by: ZRangeBy::Rank {
                    start: offset as i64,
                    stop: stop.min(i64::MAX as u64) as i64,
                },
                options: ZRangeOptions::new().rev(true),
            })
            .await?
            .into_bytes_vec()?
            .iter()
            .map(|m| member_id(m))
            .collect::<Result<Vec<_>>>()?;
        let reads = ids.iter().map(|id| cmd::hgetall(&keys.task(id))).collect();
        let mut jobs = Vec::new();
        for (id, reply) in ids.iter().zip(self.st().batch(reads, false).await?) {
            match codec::job_info(id, &codec::fields(reply?)?) {
                Some(job) => jobs.push(job),
                // Its hash expired: drop the dangling entry.
                None => {
                    self.st().execute(cmd::zrem(&keys.dead, id)).await?;
                }
            }
        }
        Ok(jobs)
    }

    /// Puts a dead letter back in the queue with its attempts reset. False if `id` is not a
    /// dead letter. The job does not take its unique key back.
    pub async fn requeue_dead(&self, id: &str) -> Result<bool> {
        let keys = self.keys();
        if !self
            .st()
            .execute(cmd::zrem(&keys.dead, id))
            .await?
            .into_bool()?
        {
            return Ok(false);
        }
        let task = keys.task(id);
        let fields = codec::fields(self.st().execute(cmd::hgetall(&task)).await?)?;
        let Some(job) = codec::job_info(id, &fields) else {
            return Ok(false);
        };
        let token = match codec::fence(&fields) {
            Some(Fence::Open(t)) | Some(Fence::Closed(t, _)) => t,
            None => 0,
        };
        let now = self.now();
        let commands = vec![
            cmd::persist(&task),
            cmd::hset(
                &task,
                codec::pairs([
                    (field::TOKEN, (token + 1).to_string()),
                    (field::STATUS, JobStatus::Pending.as_str().to_owned()),
                    (field::ATTEMPTS, "0".to_owned()),
                    (field::RUN_AT, now.to_string()),
                ]),
            ),
            Command::HDel {
                key: task.clone(),
                fields: vec![field::FINISHED_AT.to_owned(), field::FINISHED_MS.to_owned()],
            },
            cmd::zadd(&keys.queue, queue_score(job.priority, now), id),
            QueueEvent::status(id, JobStatus::Pending, now).to_command(&keys.events),
        ];
        cmd::check_all(self.st().batch(commands, true).await?)?;
        Ok(true)
    }

    /// Deletes one dead letter. False if `id` is not a dead letter.
    pub async fn purge_dead(&self, id: &str) -> Result<bool> {
        let keys = self.keys();
        if !self
            .st()
            .execute(cmd::zrem(&keys.dead, id))
            .await?
            .into_bool()?
        {
            return Ok(false);
        }
        self.st().execute(cmd::del(&keys.task(id))).await?;
        Ok(true)
    }

    /// Deletes every dead letter; returns how many.
    pub async fn purge_all_dead(&self) -> Result<u64> {
        let mut purged = 0;
        loop {
            let keys = self.keys();
            let batch = self
                .st()
                .execute(Command::ZPopMin {
                    key: keys.dead.clone(),
                    count: Some(super::PROMOTE_BATCH),
                })
                .await?
                .into_scored()?;
            if batch.is_empty() {
                return Ok(purged);
            }
            let deletes = batch
                .iter()
                .map(|(m, _)| Ok(cmd::del(&keys.task(&member_id(m)?))))
                .collect::<Result<Vec<_>>>()?;
            purged += batch.len() as u64;
            cmd::check_all(self.st().batch(deletes, false).await?)?;
        }
    }

    /// The queue's state changes as they happen. `None` items mark a gap (messages may have
    /// been missed, for example across a reconnect): re-read state then.
    pub async fn events(&self) -> Result<impl Stream<Item = Option<QueueEvent>> + Send + use<>> {
        events::subscribe(self.st(), &self.keys().events).await
    }
}
