//! Claiming: taking the best due jobs under a lease, and promoting due scheduled jobs.

use staunch_core::{Command, MoveScore, Reply, Result, ScoreBound};

use super::cmd::{self, take};
use super::codec::{self, Fence, Fields, corrupt, field, iso8601, millis, queue_score};
use super::events::QueueEvent;
use super::job::{JobStatus, Lease};
use super::queue::{Queue, member_id};

/// Bound on the rounds of one claim call. Every round makes progress (a job is promoted,
/// taken, or found finished and dropped), so this is only a guard against a broken store.
const CLAIM_ROUNDS: usize = 10_000;
/// Commands per job in [`Queue::start_commands`].
const START_COMMANDS: usize = 5;

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
            let mut r = self
                .st()
                .batch(
                    vec![
                        Command::Get {
                            key: keys.paused.clone(),
                        },
                        Command::ZCount {
                            key: keys.scheduled.clone(),
                            min: ScoreBound::MIN,
                            max: ScoreBound::Inclusive(now as f64),
                        },
                        cmd::zmove(
                            &keys.queue,
                            &keys.processing,
                            ScoreBound::MAX,
                            max,
                            MoveScore::Fixed(until as f64),
                        ),
                    ],
                    false,
                )
                .await?;
            let paused = !take(&mut r, 0)?.is_nil();
            let due = take(&mut r, 1)?.into_int()?;
            let moved = take(&mut r, 2)?
                .into_scored()?
                .into_iter()
                .map(|(m, score)| Ok((member_id(&m)?, score)))
                .collect::<Result<Vec<_>>>()?;
            if paused || due > 0 {
                if !moved.is_empty() {
                    // Put them back exactly where they were.
                    let mut back = Vec::with_capacity(moved.len() * 2);
                    for (id, score) in &moved {
                        back.push(cmd::zadd(&keys.queue, *score, id));
                        back.push(cmd::zrem(&keys.processing, id));
                    }
                    cmd::check_all(self.st().batch(back, true).await?)?;
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
            let commands = moved
                .iter()
                .flat_map(|(id, _)| self.start_commands(id, now))
                .collect();
            let mut r = self.st().batch(commands, true).await?;
            let mut leases = Vec::with_capacity(moved.len());
            for (i, (id, _)) in moved.iter().enumerate() {
                // A failed HINCRBY (a closed fence) is not an error here: see `interpret`.
                let token = take(&mut r, i * START_COMMANDS).unwrap_or(Reply::Nil);
                let fields = codec::fields(take(&mut r, i * START_COMMANDS + 2)?)?;
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

    /// The atomic batch that takes one moved job: bump token and attempts, mark it processing,
    /// read it, announce it. [`START_COMMANDS`] commands; the token reply is first, the hash
    /// (as it was before this claim marked it) third.
    fn start_commands(&self, id: &str, now: i64) -> Vec<Command> {
        let task = self.keys().task(id);
        vec![
            cmd::hincr(&task, field::TOKEN, 1),
            cmd::hincr(&task, field::ATTEMPTS, 1),
            // Read before marking it processing, so a finished job's real status is seen.
            cmd::hgetall(&task),
            cmd::hset(
                &task,
                codec::pairs([
                    (field::STATUS, JobStatus::Processing.as_str().to_owned()),
                    (field::STARTED_AT, iso8601(now)),
                ]),
            ),
            QueueEvent::status(id, JobStatus::Processing, now).to_command(&self.keys().events),
        ]
    }

    /// Runs [`Queue::start_commands`] for one job on its own.
    async fn start(&self, id: &str, until: i64) -> Result<Started> {
        let mut r = self
            .st()
            .batch(self.start_commands(id, self.now()), true)
            .await?;
        let token = take(&mut r, 0).unwrap_or(Reply::Nil);
        let fields = codec::fields(take(&mut r, 2)?)?;
        self.interpret(id, token, fields, until).await
    }

    /// Decides what the start batch found: a lease, a job to clean up, or one to reopen.
    async fn interpret(
        &self,
        id: &str,
        token: Reply,
        fields: Fields,
        until: i64,
    ) -> Result<Started> {
        let task = self.keys().task(id);
        let Some(mut job) = codec::job_info(id, &fields) else {
            // The hash is gone (expired or purged): drop the debris our claim created.
            let cleanup = vec![cmd::del(&task), cmd::zrem(&self.keys().processing, id)];
            cmd::check_all(self.st().batch(cleanup, true).await?)?;
            return Ok(Started::Skipped);
        };
        if let Reply::Int(token) = token {
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
                let mut fix = self.settle_commands(id, t, outcome, &fields);
                fix.push(cmd::hincr(&task, field::ATTEMPTS, -1));
                cmd::check_all(self.st().batch(fix, true).await?)?;
                Ok(Started::Skipped)
            }
            Some(Fence::Closed(t, _)) => {
                let reopen = vec![
                    cmd::hcas(&task, field::TOKEN, Some(text), (t + 1).to_string()),
                    cmd::hincr(&task, field::ATTEMPTS, -1),
                ];
                cmd::check_all(self.st().batch(reopen, true).await?)?;
                Ok(Started::Reopened)
            }
            _ => Err(corrupt(format!("job {id} has a bad token field {text:?}"))),
        }
    }

    /// Moves due scheduled jobs into the queue at their priority; returns how many.
    pub(crate) async fn promote(&self, now: i64) -> Result<u64> {
        let keys = self.keys();
        let stale = now.saturating_sub(super::PROMOTION_GRACE_MS);
        let mut r = self
            .st()
            .batch(
                vec![
                    // Promotions abandoned by a crashed process go back to be promoted again.
                    cmd::zmove(
                        &keys.promoting,
                        &keys.scheduled,
                        ScoreBound::Inclusive(stale as f64),
                        1000,
                        MoveScore::Fixed(now as f64),
                    ),
                    cmd::zmove(
                        &keys.scheduled,
                        &keys.promoting,
                        ScoreBound::Inclusive(now as f64),
                        super::PROMOTE_BATCH,
                        MoveScore::Fixed(now as f64),
                    ),
                ],
                false,
            )
            .await?;
        take(&mut r, 0)?;
        let ids = take(&mut r, 1)?
            .into_scored()?
            .into_iter()
            .map(|(m, _)| member_id(&m))
            .collect::<Result<Vec<_>>>()?;
        if ids.is_empty() {
            return Ok(0);
        }
        let reads = ids.iter().map(|id| cmd::hgetall(&keys.task(id))).collect();
        let replies = self.st().batch(reads, false).await?;
        let mut writes = Vec::new();
        let mut promoted = 0;
        for (id, reply) in ids.iter().zip(replies) {
            let fields = codec::fields(reply?)?;
            writes.push(cmd::zrem(&keys.promoting, id));
            let Some(job) = codec::job_info(id, &fields) else {
                continue;
            };
            let text = fields.get(field::TOKEN).cloned();
            match codec::fence(&fields) {
                Some(Fence::Closed(t, outcome)) if outcome.final_status().is_some() => {
                    writes.extend(self.settle_commands(id, t, outcome, &fields));
                    continue;
                }
                Some(Fence::Closed(t, _)) => writes.push(cmd::hcas(
                    &keys.task(id),
                    field::TOKEN,
                    text,
                    (t + 1).to_string(),
                )),
                // Back from an expired lease: the old holder's token stops working now.
                Some(Fence::Open(t)) if job.status == JobStatus::Processing => writes.push(
                    cmd::hcas(&keys.task(id), field::TOKEN, text, (t + 1).to_string()),
                ),
                _ => {}
            }
            writes.push(cmd::zadd(
                &keys.queue,
                queue_score(job.priority, job.run_at_ms),
                id,
            ));
            // Only if nobody changed it since we read it (a late holder finishing it).
            writes.push(cmd::hcas(
                &keys.task(id),
                field::STATUS,
                fields.get(field::STATUS).cloned(),
                JobStatus::Pending.as_str().to_owned(),
            ));
            if job.status == JobStatus::Processing {
                // Back from an expired lease (the reaper moved it here).
                writes.push(cmd::hset(
                    &keys.task(id),
                    codec::pairs([(field::LAST_ERROR, "lease expired".to_owned())]),
                ));
            }
            writes.push(QueueEvent::status(id, JobStatus::Pending, now).to_command(&keys.events));
            promoted += 1;
        }
        cmd::check_all(self.st().batch(writes, true).await?)?;
        Ok(promoted)
    }
}
