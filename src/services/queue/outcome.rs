//! What a lease holder can do with its job (heartbeat, progress, complete, fail, release) and
//! cancelling a job that has not started.
//!
//! Every outcome first *closes the fence*: one `HCompareAndSet` turns the `token` field from the
//! holder's token `T` into `"T:<outcome>"`. That single atomic step decides the race between a
//! holder, a stale holder whose lease was taken over, and anyone else; the effects (moving the
//! job between sets, counters, expiry, the event) follow in one atomic batch. If the process
//! dies between the two, the job keeps a closed fence and whoever meets it next (a claim, a
//! promotion) finishes the effects from what the fence says (see `settle_commands`).

use serde::Serialize;
use staunch_core::Execute;
use staunch_core::{Bytes, Command, Result};

use super::cmd;
use super::codec::{self, Fence, Fields, Outcome, field, iso8601, lease_lost, millis, queue_score};
use super::events::QueueEvent;
use super::job::{FailOutcome, JobStatus, Lease};
use super::queue::Queue;

pub(crate) const STAT_COMPLETED: &str = "completed";
pub(crate) const STAT_FAILED: &str = "failed";
pub(crate) const STAT_RETRIED: &str = "retried";
pub(crate) const STAT_DEAD: &str = "dead";
pub(crate) const STAT_CANCELLED: &str = "cancelled";

impl Queue {
    /// Closes the fence of `lease` with `outcome`; `Locked` ("lease lost") if the token is stale.
    ///
    /// `note` (a field name and its text: the result or the error) is written in the same
    /// atomic step as `<field>:<token>`, so what the outcome carries survives a crash before its
    /// effects land: settling copies it to `<field>`. A stale holder's note is deleted again.
    async fn close_fence(
        &self,
        lease: &Lease,
        outcome: Outcome,
        note: Option<(&str, &str)>,
    ) -> Result<()> {
        let task = self.keys().task(lease.id());
        let close = cmd::hcas(
            &task,
            field::TOKEN,
            Some(lease.token.to_string()),
            Fence::closed(lease.token, outcome),
        );
        let closed = match note {
            None => self.st().execute(close).await?.into_bool()?,
            Some((name, text)) => {
                let name = note_field(name, lease.token);
                let write = cmd::hset(&task, vec![(name.clone(), Bytes::from(text.to_owned()))]);
                let mut r = self.st().batch(vec![close, write], true).await?;
                let closed = cmd::take(&mut r, 0)?.into_bool()?;
                if !closed {
                    let undo = Command::HDel {
                        key: task.clone(),
                        fields: vec![name],
                    };
                    self.st().execute(undo).await?;
                }
                closed
            }
        };
        if closed {
            Ok(())
        } else {
            Err(lease_lost(lease.id(), lease.token))
        }
    }

    /// Renews the lease for another lease length from now and returns the new deadline (Unix
    /// ms). `Locked` ("lease lost") if another claim has taken the job or it has finished.
    ///
    /// A lease that ran out but was not reaped yet is renewed (and may still complete or
    /// fail); once the reaper has taken the job back, the lease is lost.
    pub async fn heartbeat(&self, lease: &Lease) -> Result<i64> {
        let until = self.now().saturating_add(millis(self.inner.config.lease));
        let token = lease.token.to_string();
        // Check first, then renew: a stale holder must not stretch the new holder's lease. (If
        // the lease is lost between the two steps, the renewal lands on the new holder's lease:
        // a longer lease, never a lost job.)
        let check = cmd::hcas(
            &self.keys().task(lease.id()),
            field::TOKEN,
            Some(token.clone()),
            token,
        );
        if !self.st().execute(check).await?.into_bool()? {
            return Err(lease_lost(lease.id(), lease.token));
        }
        let renew = cmd::zadd_xx_gt(&self.keys().processing, until as f64, lease.id());
        self.st().execute(renew).await?;
        Ok(until)
    }

    /// Records progress (any serializable value, stored as JSON) and publishes it.
    pub async fn progress<P: Serialize + ?Sized>(&self, lease: &Lease, progress: &P) -> Result<()> {
        let text = serde_json::to_string(progress).map_err(|e| {
            staunch_core::Error::invalid(format!("progress does not serialize: {e}"))
        })?;
        let task = self.keys().task(lease.id());
        let token = lease.token.to_string();
        let held = self
            .st()
            .execute(cmd::hcas(&task, field::TOKEN, Some(token.clone()), token))
            .await?
            .into_bool()?;
        if !held {
            return Err(lease_lost(lease.id(), lease.token));
        }
        let event = QueueEvent::Progress {
            id: lease.id().to_owned(),
            progress: text.clone(),
            at: self.now(),
        };
        let commands = vec![
            cmd::hset(&task, codec::pairs([(field::PROGRESS, text)])),
            event.to_command(&self.keys().events),
        ];
        cmd::check_all(self.st().batch(commands, true).await?)
    }

    /// Completes the job without a result.
    pub async fn complete(&self, lease: &Lease) -> Result<()> {
        self.complete_inner(lease, None).await
    }

    /// Completes the job, keeping `result` (as JSON) for the configured result TTL.
    pub async fn complete_with<R: Serialize + ?Sized>(
        &self,
        lease: &Lease,
        result: &R,
    ) -> Result<()> {
        let text = serde_json::to_string(result)
            .map_err(|e| staunch_core::Error::invalid(format!("result does not serialize: {e}")))?;
        self.complete_inner(lease, Some(text)).await
    }

    pub(crate) async fn complete_inner(&self, lease: &Lease, result: Option<String>) -> Result<()> {
        self.close_fence(
            lease,
            Outcome::Completed,
            result.as_deref().map(|r| (field::RESULT, r)),
        )
        .await?;
        let now = self.now();
        let keys = self.keys();
        let task = keys.task(lease.id());
        let mut fields = codec::pairs([
            (field::STATUS, JobStatus::Completed.as_str().to_owned()),
            (field::FINISHED_AT, iso8601(now)),
            (field::FINISHED_MS, now.to_string()),
        ]);
        if let Some(text) = result {
            fields.push((field::RESULT.to_owned(), Bytes::from(text)));
        }
        let mut commands = vec![
            cmd::zrem(&keys.processing, lease.id()),
            cmd::hset(&task, fields),
            drop_notes(&task, lease.token),
        ];
        commands.push(self.retention(&task, self.inner.config.result_ttl));
        commands.push(cmd::hincr(&keys.stats, STAT_COMPLETED, 1));
        if let Some(unique) = &lease.job.unique_key {
            commands.push(cmd::cad(&keys.unique(unique), lease.id()));
        }
        commands.push(
            QueueEvent::status(lease.id(), JobStatus::Completed, now).to_command(&keys.events),
        );
        cmd::check_all(self.st().batch(commands, true).await?)
    }

    /// Fails this attempt: schedules a retry after the backoff while retries are left,
    /// otherwise moves the job to the dead-letter queue.
    pub async fn fail(&self, lease: &Lease, error: &str) -> Result<FailOutcome> {
        if lease.job.attempts <= lease.job.max_retries {
            self.finish_retry(lease, error).await
        } else {
            self.finish_dead(lease, error, false).await?;
            Ok(FailOutcome::Dead)
        }
    }

    /// Fails the job for good: straight to the dead-letter queue, whatever retries are left.
    pub async fn fail_permanently(&self, lease: &Lease, error: &str) -> Result<()> {
        self.finish_dead(lease, error, false).await
    }

    async fn finish_retry(&self, lease: &Lease, error: &str) -> Result<FailOutcome> {
        self.close_fence(lease, Outcome::Retry, Some((field::LAST_ERROR, error)))
            .await?;
        let now = self.now();
        let keys = self.keys();
        let task = keys.task(lease.id());
        let delay = self
            .inner
            .config
            .backoff
            .delay(lease.job.attempts, rand::random::<f64>());
        let run_at = now.saturating_add(i64::try_from(delay.as_millis()).unwrap_or(i64::MAX));
        let commands = vec![
            cmd::zrem(&keys.processing, lease.id()),
            cmd::zadd(&keys.scheduled, run_at as f64, lease.id()),
            cmd::hset(
                &task,
                codec::pairs([
                    (field::STATUS, JobStatus::Failed.as_str().to_owned()),
                    (field::LAST_ERROR, error.to_owned()),
                    (field::RUN_AT, run_at.to_string()),
                    // Reopened one past the holder's token, which no claim ever hands out.
                    (field::TOKEN, (lease.token + 1).to_string()),
                ]),
            ),
            drop_notes(&task, lease.token),
            cmd::hincr(&keys.stats, STAT_FAILED, 1),
            cmd::hincr(&keys.stats, STAT_RETRIED, 1),
            QueueEvent::status(lease.id(), JobStatus::Failed, now).to_command(&keys.events),
        ];
        cmd::check_all(self.st().batch(commands, true).await?)?;
        Ok(FailOutcome::Retrying { run_at_ms: run_at })
    }

    /// Dead-letters a held job. `uncount`: the claim that found it out of attempts did not run
    /// it, so its attempt is taken back and it is not counted as a failure.
    pub(crate) async fn finish_dead(
        &self,
        lease: &Lease,
        error: &str,
        uncount: bool,
    ) -> Result<()> {
        self.close_fence(lease, Outcome::Dead, Some((field::LAST_ERROR, error)))
            .await?;
        let now = self.now();
        let keys = self.keys();
        let task = keys.task(lease.id());
        let mut commands = vec![
            cmd::zrem(&keys.processing, lease.id()),
            cmd::zadd(&keys.dead, now as f64, lease.id()),
            cmd::hset(
                &task,
                codec::pairs([
                    (field::STATUS, JobStatus::Dead.as_str().to_owned()),
                    (field::LAST_ERROR, error.to_owned()),
                    (field::FINISHED_AT, iso8601(now)),
                    (field::FINISHED_MS, now.to_string()),
                ]),
            ),
            self.retention(&task, self.inner.config.dead_ttl),
            drop_notes(&task, lease.token),
            cmd::hincr(&keys.stats, STAT_DEAD, 1),
        ];
        if uncount {
            commands.push(cmd::hincr(&task, field::ATTEMPTS, -1));
        } else {
            commands.push(cmd::hincr(&keys.stats, STAT_FAILED, 1));
        }
        if let Some(unique) = &lease.job.unique_key {
            commands.push(cmd::cad(&keys.unique(unique), lease.id()));
        }
        commands
            .push(QueueEvent::status(lease.id(), JobStatus::Dead, now).to_command(&keys.events));
        cmd::check_all(self.st().batch(commands, true).await?)
    }

    /// Gives the job back to the queue at its old place, as if this attempt never started
    /// (used by workers shutting down). `Locked` if the lease was already lost.
    pub async fn release(&self, lease: &Lease) -> Result<()> {
        self.close_fence(lease, Outcome::Release, None).await?;
        let now = self.now();
        let keys = self.keys();
        let task = keys.task(lease.id());
        let score = queue_score(lease.job.priority, lease.job.run_at_ms);
        let commands = vec![
            cmd::zrem(&keys.processing, lease.id()),
            cmd::zadd(&keys.queue, score, lease.id()),
            cmd::hset(
                &task,
                codec::pairs([
                    (field::STATUS, JobStatus::Pending.as_str().to_owned()),
                    (field::TOKEN, (lease.token + 1).to_string()),
                ]),
            ),
            cmd::hincr(&task, field::ATTEMPTS, -1),
            QueueEvent::status(lease.id(), JobStatus::Pending, now).to_command(&keys.events),
        ];
        cmd::check_all(self.st().batch(commands, true).await?)
    }

    /// Cancels a job that has not started (pending, scheduled or waiting for a retry). Returns
    /// false when the job is running, finished or unknown.
    pub async fn cancel(&self, id: &str) -> Result<bool> {
        let keys = self.keys();
        let take = vec![
            cmd::zrem(&keys.queue, id),
            cmd::zrem(&keys.scheduled, id),
            cmd::zrem(&keys.promoting, id),
        ];
        let mut removed = false;
        for reply in self.st().batch(take, false).await? {
            removed |= reply?.into_bool()?;
        }
        if !removed {
            return Ok(false);
        }
        // Removing it from the waiting sets made it ours: nobody can claim it any more.
        let task = keys.task(id);
        let fields = codec::fields(self.st().execute(cmd::hgetall(&task)).await?)?;
        if fields.is_empty() {
            // The hash is gone (expired or purged): nothing left to cancel.
            return Ok(false);
        }
        let token = match codec::fence(&fields) {
            Some(Fence::Open(t)) => t,
            Some(Fence::Closed(t, outcome)) if outcome.final_status().is_some() => {
                let fix = self.settle_commands(id, t, outcome, &fields);
                cmd::check_all(self.st().batch(fix, true).await?)?;
                return Ok(false);
            }
            Some(Fence::Closed(t, _)) => t,
            None => return Ok(false),
        };
        let now = self.now();
        let mut commands = vec![
            cmd::hset(
                &task,
                codec::pairs([
                    (field::TOKEN, Fence::closed(token, Outcome::Cancelled)),
                    (field::STATUS, JobStatus::Cancelled.as_str().to_owned()),
                    (field::FINISHED_AT, iso8601(now)),
                    (field::FINISHED_MS, now.to_string()),
                ]),
            ),
            self.retention(&task, self.inner.config.result_ttl),
            cmd::hincr(&keys.stats, STAT_CANCELLED, 1),
        ];
        if let Some(unique) = fields.get(field::UNIQUE_KEY) {
            commands.push(cmd::cad(&keys.unique(unique), id));
        }
        commands.push(QueueEvent::status(id, JobStatus::Cancelled, now).to_command(&keys.events));
        cmd::check_all(self.st().batch(commands, true).await?)?;
        Ok(true)
    }

    /// `PEXPIRE` for a finished job, or `DEL` when it is not to be kept at all.
    pub(crate) fn retention(&self, task: &str, ttl: std::time::Duration) -> Command {
        if ttl.is_zero() {
            cmd::del(task)
        } else {
            cmd::pexpire(task, millis(ttl))
        }
    }

    /// Commands that finish the effects of a final outcome recorded in a closed fence (the
    /// committer may have died before applying them). Idempotent.
    pub(crate) fn settle_commands(
        &self,
        id: &str,
        token: u64,
        outcome: Outcome,
        fields: &Fields,
    ) -> Vec<Command> {
        let keys = self.keys();
        let task = keys.task(id);
        let Some(status) = outcome.final_status() else {
            return Vec::new();
        };
        let finished = fields
            .get(field::FINISHED_MS)
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or_else(|| self.now());
        let mut notes = Vec::new();
        for name in [field::RESULT, field::LAST_ERROR] {
            if let Some(text) = fields.get(&note_field(name, token)) {
                notes.push((name.to_owned(), Bytes::from(text.clone())));
            }
        }
        let mut commands = vec![
            cmd::zrem(&keys.processing, id),
            cmd::zrem(&keys.queue, id),
            cmd::zrem(&keys.scheduled, id),
            cmd::hset(
                &task,
                codec::pairs([
                    (field::STATUS, status.as_str().to_owned()),
                    (field::FINISHED_MS, finished.to_string()),
                    (field::FINISHED_AT, iso8601(finished)),
                ]),
            ),
        ];
        if !notes.is_empty() {
            commands.push(cmd::hset(&task, notes));
            commands.push(drop_notes(&task, token));
        }
        if fields.get(field::STATUS).map(String::as_str) != Some(status.as_str()) {
            // The committer's effects never landed (they set the status): count it now.
            let stat = match status {
                JobStatus::Completed => STAT_COMPLETED,
                JobStatus::Dead => STAT_DEAD,
                _ => STAT_CANCELLED,
            };
            commands.push(cmd::hincr(&keys.stats, stat, 1));
        }
        if status == JobStatus::Dead {
            commands.push(cmd::zadd(&keys.dead, finished as f64, id));
            commands.push(self.retention(&task, self.inner.config.dead_ttl));
        } else {
            commands.push(self.retention(&task, self.inner.config.result_ttl));
        }
        if let Some(unique) = fields.get(field::UNIQUE_KEY) {
            commands.push(cmd::cad(&keys.unique(unique), id));
        }
        commands
    }
}

/// The field holding a note (`result` or `last_error`) of the holder of `token`.
fn note_field(name: &str, token: u64) -> String {
    format!("{name}:{token}")
}

/// Deletes the notes of `token` once the outcome's effects have landed.
fn drop_notes(task: &str, token: u64) -> Command {
    Command::HDel {
        key: task.to_owned(),
        fields: vec![
            note_field(field::RESULT, token),
            note_field(field::LAST_ERROR, token),
        ],
    }
}
