//! The admin API a dashboard needs: jobs by state with paging, counts per state, retry,
//! promote, remove and clean, and the removal policies (by age and by count) applied to
//! completed jobs and dead letters at each maintenance pass.
//!
//! Every job lives in exactly one sorted set while it is not running or running
//! (`queue`, `scheduled`/`promoting`, `processing`, `completed`, `dead`), so listing a state is
//! one `ZRANGE` plus one batch of `HGETALL`s, and the changes here start by removing the job
//! from its set: whoever removes it owns it, as everywhere in the queue.

use serde::Serialize;
use staunch_core::Result;
use staunch_core::prelude::*;

use super::codec::{field, millis};
use super::events::QueueEvent;
use super::job::JobInfo;
use super::queue::{Queue, member_id};

/// A state jobs can be listed by ([`Queue::jobs`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// In the queue, best first (priority, then due time).
    Pending,
    /// Waiting for their time (delayed jobs and retries), soonest first.
    Scheduled,
    /// Claimed, by lease deadline.
    Processing,
    /// Completed and kept (for the result TTL and [`QueueConfig::max_completed`]), newest
    /// first.
    ///
    /// [`QueueConfig::max_completed`]: super::QueueConfig::max_completed
    Completed,
    /// Dead letters, newest first.
    Dead,
    /// Flow parents waiting for their children, oldest first (released parents on their way
    /// to the queue first).
    WaitingChildren,
}

impl JobState {
    /// Every state, in the order of a job's life.
    pub const ALL: [JobState; 6] = [
        JobState::WaitingChildren,
        JobState::Pending,
        JobState::Scheduled,
        JobState::Processing,
        JobState::Completed,
        JobState::Dead,
    ];
}

/// How many jobs are in each state ([`Queue::counts`]); serializes as an object with these
/// field names, for dashboards.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct StateCounts {
    /// Pending.
    pub pending: u64,
    /// Scheduled (delayed, waiting for a retry, or in transit to the queue).
    pub scheduled: u64,
    /// Processing.
    pub processing: u64,
    /// Completed and still kept.
    pub completed: u64,
    /// Dead letters.
    pub dead: u64,
    /// Flow parents waiting for their children.
    pub waiting_children: u64,
    /// Repeatable definitions.
    pub repeats: u64,
    /// The queue is paused.
    pub paused: bool,
}

impl Queue {
    fn state_key(&self, state: JobState) -> &str {
        let keys = self.keys();
        match state {
            JobState::Pending => &keys.queue,
            JobState::Scheduled => &keys.scheduled,
            JobState::Processing => &keys.processing,
            JobState::Completed => &keys.completed,
            JobState::Dead => &keys.dead,
            JobState::WaitingChildren => &keys.waiting_children,
        }
    }

    /// The jobs in `state`, `limit` of them from `offset` (in the state's order, see
    /// [`JobState`]): one `ZRANGE` and one batch of reads. Jobs whose hash has expired are
    /// left out (and their entries dropped).
    pub async fn jobs(&self, state: JobState, offset: u64, limit: u64) -> Result<Vec<JobInfo>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let key = self.state_key(state).to_owned();
        let stop = offset.saturating_add(limit - 1).min(i64::MAX as u64) as i64;
        let range = ZRangeBy::Rank {
            start: offset.min(i64::MAX as u64) as i64,
            stop,
        };
        let newest_first = matches!(state, JobState::Completed | JobState::Dead);
        let ids = self
            .st()
            .zrange_options(&key, range, ZRangeOptions::new().rev(newest_first))
            .await?
            .iter()
            .map(|m| member_id(m))
            .collect::<Result<Vec<_>>>()?;
        let jobs = self.get_many(&ids).await?;
        if jobs.len() < ids.len() && newest_first {
            let gone: Vec<&String> = ids
                .iter()
                .filter(|id| !jobs.iter().any(|j| &j.id == *id))
                .collect();
            self.st().zrem_multiple(&key, gone).await?;
        }
        Ok(jobs)
    }

    /// How many jobs are in each state, and whether the queue is paused: one round trip.
    pub async fn counts(&self) -> Result<StateCounts> {
        let keys = self.keys();
        let mut pipe = Batch::pipeline(self.st());
        let sets = [
            &keys.queue,
            &keys.scheduled,
            &keys.promoting,
            &keys.processing,
            &keys.completed,
            &keys.dead,
            &keys.waiting_children,
            &keys.repeat,
        ];
        let steps: Vec<_> = sets.iter().map(|set| pipe.zcard(set)).collect();
        let paused = pipe.exists(&keys.paused);
        let mut replies = pipe.run().await?;
        let mut sizes = [0u64; 8];
        for (size, step) in sizes.iter_mut().zip(steps) {
            *size = replies.take(step)?;
        }
        let paused = replies.take(paused)?;
        let [
            pending,
            scheduled,
            promoting,
            processing,
            completed,
            dead,
            waiting,
            repeats,
        ] = sizes;
        Ok(StateCounts {
            pending,
            scheduled: scheduled + promoting,
            processing,
            completed,
            dead,
            waiting_children: waiting,
            repeats,
            paused,
        })
    }

    /// Runs a dead letter again: back in the queue with its attempts reset (BullMQ's `retry`
    /// of a failed job). False if `id` is not a dead letter. Same as [`Queue::requeue_dead`].
    pub async fn retry(&self, id: &str) -> Result<bool> {
        self.requeue_dead(id).await
    }

    /// Makes a scheduled job (delayed, or waiting for a retry) due now and moves it into the
    /// queue. False if `id` is not scheduled.
    pub async fn promote_job(&self, id: &str) -> Result<bool> {
        let keys = self.keys();
        let now = self.now();
        // `XX CH`: only a job that is scheduled, counted when its due time changed.
        let due_now = ZAddOptions::new().condition(SetCondition::Xx).ch(true);
        let (was, _) = self
            .st()
            .pipeline()
            .zscore(&keys.scheduled, id)
            .zadd_options(&keys.scheduled, [(now as f64, id)], due_now)
            .run()
            .await?;
        if was.is_none() {
            return Ok(false);
        }
        // The regular promotion takes it from here (and any other due job with it).
        self.promote(now).await?;
        Ok(true)
    }

    /// Deletes a job that is not running (pending, scheduled, waiting for children, completed
    /// or dead), with its unique key (a removed flow child counts as done for its parent, a
    /// removed parent's children run on, ignored). False when it is running or unknown: a running job belongs to its worker
    /// (cancel it after, or let it finish).
    pub async fn remove(&self, id: &str) -> Result<bool> {
        let keys = self.keys();
        let sets = [
            &keys.queue,
            &keys.scheduled,
            &keys.promoting,
            &keys.completed,
            &keys.dead,
            &keys.waiting_children,
        ];
        let mut pipe = Batch::pipeline(self.st());
        let steps: Vec<_> = sets.iter().map(|set| pipe.zrem(set, id)).collect();
        let mut replies = pipe.run().await?;
        let mut owned = false;
        for step in steps {
            owned |= replies.take(step)?;
        }
        if !owned {
            return Ok(false);
        }
        // Out of every waiting set: it is ours to delete.
        let task = keys.task(id);
        let unique = self.st().hget(&task, field::UNIQUE_KEY).await?;
        let now = self.now();
        let mut batch = Batch::transaction(self.st());
        batch.del(&task);
        batch.del(&keys.deps(id));
        if let Some(unique) = unique {
            let unique = String::from_utf8_lossy(&unique).into_owned();
            batch.compare_and_delete(&keys.unique(&unique), id);
        }
        QueueEvent::Removed {
            id: id.to_owned(),
            at: now,
        }
        .publish_in(&mut batch, &keys.events);
        batch.run().await?.check()?;
        Ok(true)
    }

    /// Deletes up to `limit` completed jobs or dead letters that finished more than `grace`
    /// ago, oldest first; returns their ids. `InvalidInput` for another state.
    pub async fn clean(
        &self,
        state: JobState,
        grace: std::time::Duration,
        limit: u64,
    ) -> Result<Vec<String>> {
        if !matches!(state, JobState::Completed | JobState::Dead) {
            return Err(Error::invalid(
                "clean removes completed jobs or dead letters only",
            ));
        }
        let key = self.state_key(state).to_owned();
        let before = self.now().saturating_sub(millis(grace).max(0));
        let range = ZRangeBy::Score {
            min: ScoreBound::MIN,
            max: ScoreBound::Inclusive(before as f64),
        };
        let ids = self
            .st()
            .zrange_options(
                &key,
                range,
                ZRangeOptions::new().limit(0, limit.min(i64::MAX as u64) as i64),
            )
            .await?
            .iter()
            .map(|m| member_id(m))
            .collect::<Result<Vec<_>>>()?;
        self.delete_finished(&key, &ids).await?;
        Ok(ids)
    }

    /// Removes finished jobs `ids` from `set` and deletes their hashes, in one batch.
    async fn delete_finished(&self, set: &str, ids: &[String]) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let mut batch = Batch::pipeline(self.st());
        batch.zrem_multiple(set, ids);
        for chunk in ids.chunks(256) {
            batch.del_multiple(chunk.iter().map(|id| self.keys().task(id)));
        }
        batch.run().await?.check()
    }

    /// The removal policies, run by [`Queue::maintain`]: completed jobs and dead letters past
    /// their age ([`QueueConfig::result_ttl`], [`QueueConfig::dead_ttl`]) or beyond their count
    /// ([`QueueConfig::max_completed`], [`QueueConfig::max_dead`]) are deleted, oldest first,
    /// at most [`super::PROMOTE_BATCH`] per set and pass. Returns how many.
    ///
    /// [`QueueConfig::result_ttl`]: super::QueueConfig::result_ttl
    /// [`QueueConfig::dead_ttl`]: super::QueueConfig::dead_ttl
    /// [`QueueConfig::max_completed`]: super::QueueConfig::max_completed
    /// [`QueueConfig::max_dead`]: super::QueueConfig::max_dead
    pub(crate) async fn apply_removal_policies(&self, now: i64) -> Result<u64> {
        let config = &self.inner.config;
        let keys = self.keys();
        let mut removed = 0;
        for (set, ttl, max) in [
            (&keys.completed, config.result_ttl, config.max_completed),
            (&keys.dead, config.dead_ttl, config.max_dead),
        ] {
            let before = now.saturating_sub(millis(ttl));
            let (old, size) = self
                .st()
                .pipeline()
                .zrange_options(
                    set,
                    ZRangeBy::Score {
                        min: ScoreBound::MIN,
                        max: ScoreBound::Exclusive(before as f64),
                    },
                    ZRangeOptions::new().limit(0, super::PROMOTE_BATCH as i64),
                )
                .zcard(set)
                .run()
                .await?;
            let mut ids = old
                .iter()
                .map(|m| member_id(m))
                .collect::<Result<Vec<_>>>()?;
            let left = size.saturating_sub(ids.len() as u64);
            if let Some(max) = max
                && left > max
            {
                let extra = (left - max).min(super::PROMOTE_BATCH) as i64;
                let start = ids.len() as i64;
                let oldest = self
                    .st()
                    .zrange(set, start, start + extra - 1)
                    .await?
                    .iter()
                    .map(|m| member_id(m))
                    .collect::<Result<Vec<_>>>()?;
                ids.extend(oldest);
            }
            removed += ids.len() as u64;
            self.delete_finished(set, &ids).await?;
        }
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_serialize_as_their_names() {
        assert_eq!(
            serde_json::to_string(&JobState::ALL).unwrap(),
            r#"["waiting_children","pending","scheduled","processing","completed","dead"]"#
        );
    }
}
