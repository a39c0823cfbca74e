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
use staunch_core::prelude::*;
use staunch_core::{Bytes, Result};

use super::codec::{self, Fence, Fields, Outcome, field, iso8601, lease_lost, millis, queue_score};
use super::events::QueueEvent;
use super::flow::ChildEnd;
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
        let expected = Some(Bytes::from(lease.token.to_string()));
        let fence = Fence::closed(lease.token, outcome);
        let closed = match note {
            None => {
                self.st()
                    .hcompare_and_set(&task, field::TOKEN, expected, fence)
                    .await?
            }
            Some((name, text)) => {
                let name = note_field(name, lease.token);
                let (closed, _) = self
                    .st()
                    .transaction()
                    .hcompare_and_set(&task, field::TOKEN, expected, fence)
                    .hset(&task, &name, text)
                    .run()
                    .await?;
                if !closed {
                    self.st().hdel(&task, &name).await?;
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
        let held = self
            .st()
            .hcompare_and_set(
                &self.keys().task(lease.id()),
                field::TOKEN,
                Some(Bytes::from(token.clone())),
                token,
            )
            .await?;
        if !held {
            return Err(lease_lost(lease.id(), lease.token));
        }
        // `XX GT`: renew without ever shortening the lease or re-adding a job taken back.
        let renew = ZAddOptions::new()
            .condition(SetCondition::Xx)
            .comparison(ZAddComparison::Gt);
        self.st()
            .zadd_options(&self.keys().processing, [(until as f64, lease.id())], renew)
            .await?;
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
            .hcompare_and_set(&task, field::TOKEN, Some(Bytes::from(token.clone())), token)
            .await?;
        if !held {
            return Err(lease_lost(lease.id(), lease.token));
        }
        let event = QueueEvent::Progress {
            id: lease.id().to_owned(),
            progress: text.clone(),
            at: self.now(),
        };
        let mut batch = Batch::transaction(self.st());
        batch.hset(&task, field::PROGRESS, text);
        event.publish_in(&mut batch, &self.keys().events);
        batch.run().await?.check()
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
        // One atomic step (the fence check and every effect together), claiming nothing.
        if self.step(Some((lease, result)), 0).await?.lease_lost {
            return Err(lease_lost(lease.id(), lease.token));
        }
        Ok(())
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
        let mut batch = Batch::transaction(self.st());
        batch.zrem(&keys.processing, lease.id());
        batch.zadd(&keys.scheduled, run_at as f64, lease.id());
        batch.hset_multiple(
            &task,
            codec::pairs([
                (field::STATUS, JobStatus::Failed.as_str().to_owned()),
                (field::LAST_ERROR, error.to_owned()),
                (field::RUN_AT, run_at.to_string()),
                // Reopened one past the holder's token, which no claim ever hands out.
                (field::TOKEN, (lease.token + 1).to_string()),
            ]),
        );
        drop_notes(&mut batch, &task, lease.token);
        batch.hincrby(&keys.stats, STAT_FAILED, 1);
        batch.hincrby(&keys.stats, STAT_RETRIED, 1);
        QueueEvent::status(lease.id(), JobStatus::Failed, now).publish_in(&mut batch, &keys.events);
        batch.run().await?.check()?;
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
        let mut batch = Batch::transaction(self.st());
        batch.zrem(&keys.processing, lease.id());
        batch.zadd(&keys.dead, now as f64, lease.id());
        batch.hset_multiple(
            &task,
            codec::pairs([
                (field::STATUS, JobStatus::Dead.as_str().to_owned()),
                (field::LAST_ERROR, error.to_owned()),
                (field::FINISHED_AT, iso8601(now)),
                (field::FINISHED_MS, now.to_string()),
            ]),
        );
        self.add_retention(&mut batch, &task, self.inner.config.dead_ttl);
        drop_notes(&mut batch, &task, lease.token);
        batch.hincrby(&keys.stats, STAT_DEAD, 1);
        if uncount {
            batch.hincrby(&task, field::ATTEMPTS, -1);
        } else {
            batch.hincrby(&keys.stats, STAT_FAILED, 1);
        }
        if let Some(unique) = &lease.job.unique_key {
            batch.compare_and_delete(&keys.unique(unique), lease.id());
        }
        QueueEvent::status(lease.id(), JobStatus::Dead, now).publish_in(&mut batch, &keys.events);
        batch.run().await?.check()?;
        if let Some(parent) = &lease.job.parent {
            let end = ChildEnd::Died(error.to_owned());
            self.after_child_end(parent, lease.id(), end, lease.job.fail_parent)
                .await;
        }
        Ok(())
    }

    /// Gives the job back to the queue at its old place, as if this attempt never started
    /// (used by workers shutting down). `Locked` if the lease was already lost.
    pub async fn release(&self, lease: &Lease) -> Result<()> {
        self.close_fence(lease, Outcome::Release, None).await?;
        let now = self.now();
        let keys = self.keys();
        let task = keys.task(lease.id());
        let score = queue_score(lease.job.priority, lease.job.run_at_ms);
        let mut batch = Batch::transaction(self.st());
        batch.zrem(&keys.processing, lease.id());
        batch.zadd(&keys.queue, score, lease.id());
        batch.hset_multiple(
            &task,
            codec::pairs([
                (field::STATUS, JobStatus::Pending.as_str().to_owned()),
                (field::TOKEN, (lease.token + 1).to_string()),
            ]),
        );
        batch.hincrby(&task, field::ATTEMPTS, -1);
        QueueEvent::status(lease.id(), JobStatus::Pending, now)
            .publish_in(&mut batch, &keys.events);
        batch.run().await?.check()
    }

    /// Cancels a job that has not started (pending, scheduled, waiting for a retry, or a flow
    /// parent waiting for its children, whose children then run on, ignored). A cancelled
    /// flow child counts as dead for its parent. Returns false when the job is running,
    /// finished or unknown.
    pub async fn cancel(&self, id: &str) -> Result<bool> {
        let keys = self.keys();
        let (queued, scheduled, promoting, waiting) = self
            .st()
            .pipeline()
            .zrem(&keys.queue, id)
            .zrem(&keys.scheduled, id)
            .zrem(&keys.promoting, id)
            .zrem(&keys.waiting_children, id)
            .run()
            .await?;
        if !(queued || scheduled || promoting || waiting) {
            return Ok(false);
        }
        // Removing it from the waiting sets made it ours: nobody can claim it any more.
        let task = keys.task(id);
        let fields = codec::fields(self.st().hgetall(&task).await?)?;
        if fields.is_empty() {
            // The hash is gone (expired or purged): nothing left to cancel.
            return Ok(false);
        }
        let token = match codec::fence(&fields) {
            Some(Fence::Open(t)) => t,
            Some(Fence::Closed(t, outcome)) if outcome.final_status().is_some() => {
                let mut fix = Batch::transaction(self.st());
                self.add_settlement(&mut fix, id, t, outcome, &fields);
                fix.run().await?.check()?;
                return Ok(false);
            }
            Some(Fence::Closed(t, _)) => t,
            None => return Ok(false),
        };
        let now = self.now();
        let mut batch = Batch::transaction(self.st());
        batch.hset_multiple(
            &task,
            codec::pairs([
                (field::TOKEN, Fence::closed(token, Outcome::Cancelled)),
                (field::STATUS, JobStatus::Cancelled.as_str().to_owned()),
                (field::FINISHED_AT, iso8601(now)),
                (field::FINISHED_MS, now.to_string()),
            ]),
        );
        self.add_retention(&mut batch, &task, self.inner.config.result_ttl);
        batch.hincrby(&keys.stats, STAT_CANCELLED, 1);
        if let Some(unique) = fields.get(field::UNIQUE_KEY) {
            batch.compare_and_delete(&keys.unique(unique), id);
        }
        if waiting {
            batch.del(&keys.deps(id));
        }
        QueueEvent::status(id, JobStatus::Cancelled, now).publish_in(&mut batch, &keys.events);
        batch.run().await?.check()?;
        if let Some(parent) = fields.get(field::PARENT) {
            let fail_parent =
                fields.get(field::PARENT_ON_FAILURE).map(String::as_str) != Some("ignore");
            let end = ChildEnd::Died("cancelled".to_owned());
            self.after_child_end(parent, id, end, fail_parent).await;
        }
        Ok(true)
    }

    /// Adds `PEXPIRE` for a finished job to `batch`, or `DEL` when it is not to be kept.
    pub(crate) fn add_retention(
        &self,
        batch: &mut Batch<'_, dyn Store>,
        task: &str,
        ttl: std::time::Duration,
    ) {
        if ttl.is_zero() {
            batch.del(task);
        } else {
            batch.pexpire(task, millis(ttl));
        }
    }

    /// Adds to `batch` what finishes the effects of a final outcome recorded in a closed fence
    /// (the committer may have died before applying them). Idempotent.
    pub(crate) fn add_settlement(
        &self,
        batch: &mut Batch<'_, dyn Store>,
        id: &str,
        token: u64,
        outcome: Outcome,
        fields: &Fields,
    ) {
        let keys = self.keys();
        let task = keys.task(id);
        let Some(status) = outcome.final_status() else {
            return;
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
        batch.zrem(&keys.processing, id);
        batch.zrem(&keys.queue, id);
        batch.zrem(&keys.scheduled, id);
        batch.hset_multiple(
            &task,
            codec::pairs([
                (field::STATUS, status.as_str().to_owned()),
                (field::FINISHED_MS, finished.to_string()),
                (field::FINISHED_AT, iso8601(finished)),
            ]),
        );
        if !notes.is_empty() {
            batch.hset_multiple(&task, notes);
            drop_notes(batch, &task, token);
        }
        if fields.get(field::STATUS).map(String::as_str) != Some(status.as_str()) {
            // The committer's effects never landed (they set the status): count it now.
            let stat = match status {
                JobStatus::Completed => STAT_COMPLETED,
                JobStatus::Dead => STAT_DEAD,
                _ => STAT_CANCELLED,
            };
            batch.hincrby(&keys.stats, stat, 1);
        }
        if status == JobStatus::Dead {
            batch.zadd(&keys.dead, finished as f64, id);
            self.add_retention(batch, &task, self.inner.config.dead_ttl);
        } else {
            if status == JobStatus::Completed && !self.inner.config.result_ttl.is_zero() {
                batch.zadd(&keys.completed, finished as f64, id);
            }
            self.add_retention(batch, &task, self.inner.config.result_ttl);
        }
        if let Some(unique) = fields.get(field::UNIQUE_KEY) {
            batch.compare_and_delete(&keys.unique(unique), id);
        }
    }
}

/// The field holding a note (`result` or `last_error`) of the holder of `token`.
fn note_field(name: &str, token: u64) -> String {
    format!("{name}:{token}")
}

/// Adds deleting the notes of `token` (once the outcome's effects have landed) to `batch`.
fn drop_notes(batch: &mut Batch<'_, dyn Store>, task: &str, token: u64) {
    batch.hdel_multiple(
        task,
        [
            note_field(field::RESULT, token),
            note_field(field::LAST_ERROR, token),
        ],
    );
}
