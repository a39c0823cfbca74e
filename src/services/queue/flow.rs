//! Job dependencies (flows): a parent job that runs once every child has completed, and can
//! read its children's results.
//!
//! ```no_run
//! use staunch::queue::{Flow, NewJob, Queue};
//!
//! # async fn demo(queue: Queue) -> staunch::Result<()> {
//! let flow = Flow::new(NewJob::new("report", "weekly"))
//!     .child(NewJob::new("fetch", "eu"))
//!     .child(NewJob::new("fetch", "us"));
//! let ids = queue.enqueue_flow(flow).await?;
//! // ... once both fetches completed, a worker runs "report", which reads:
//! let results = queue.children_results(&ids.id).await?;
//! # let _ = results; Ok(()) }
//! ```
//!
//! # How it works
//!
//! One transaction writes every job of the flow: children go to the queue as usual (with a
//! `parent` field), each parent to `P:tasks:waiting-children` (status `waiting-children`)
//! with the set `P:tasks:deps:{parent}` of the children it still waits for. Every key is under
//! the queue's prefix, so a hash-tagged prefix keeps the whole flow in one slot.
//!
//! When a child completes (or dies with [`ChildFailure::Ignore`]), the process that finished
//! it records the child's result in the parent's hash (`child:{id}`, or `child_error:{id}`)
//! and removes the child from the parent's set, in one transaction; whoever empties the set
//! releases the parent: it is rescored to "now" in `waiting-children` and moved atomically
//! (`ZMoveByScore`) to `scheduled`, from where the regular promotion puts it in the queue at
//! once. A parent therefore never runs before each of its children has completed, and a
//! released parent is moved by exactly one process.
//!
//! A child that dies (out of retries, dead-lettered, or cancelled) with the default
//! [`ChildFailure::FailParent`] fails its parent: whoever turns the parent's `status` from
//! `waiting-children` to `dead` (a compare-and-set) moves it to the dead letters with
//! `last_error = "child {id} failed: ..."`, and the failure goes on up to its own parent.
//!
//! # Crashes
//!
//! Recording a child's end is a separate step after its completion, so a crash can come in
//! between (or between the steps above). [`Queue::maintain`] reconciles: each pass looks at
//! up to 256 waiting parents (a window that moves on each pass), reads their outstanding
//! children and records any that already ended, releases parents with no child left, moves
//! parents already rescored, and finishes failing parents whose status already says `dead`.
//! So no parent stays stuck after a crash at any point, and none runs early. A child whose
//! hash no longer exists (removed with [`Queue::remove`], or completed and expired before
//! the reconciler saw it) counts as done without a result.
//!
//! # Rules
//!
//! - Flows nest: a child may have children of its own.
//! - Jobs of a flow cannot have unique keys, and a parent cannot be delayed (delay its
//!   children instead): `InvalidInput`.
//! - Cancelling a waiting parent leaves its children running; their ends are then ignored.
//! - Retrying a parent that died with a child ([`Queue::retry`]) runs it without that
//!   child's result.
//! - Cost: each maintenance pass reads up to 256 waiting parents and their outstanding
//!   children (two pipelined round trips), whatever the size of the flows.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use staunch_core::prelude::*;
use staunch_core::{Error, Result};

use super::codec::{self, Fence, field, iso8601};
use super::events::QueueEvent;
use super::job::{JobStatus, NewJob, RunAt};
use super::queue::{Queue, Stamp, member_id};

/// How many jobs one flow may hold (one transaction writes them all).
pub const MAX_FLOW_JOBS: usize = 10_000;

/// What a child's death (out of retries, dead-lettered or cancelled) does to its parent
/// (BullMQ's `failParentOnFailure` and `ignoreDependencyOnFailure`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChildFailure {
    /// The parent dies too, without running (the default).
    #[default]
    FailParent,
    /// The child counts as done: the parent runs once the other children completed, and
    /// finds this child's error in [`Queue::children_results`].
    Ignore,
}

/// A job and the children it waits for. Built with [`Flow::new`] and [`Flow::child`]; a
/// [`NewJob`] converts into a flow without children.
#[derive(Debug, Clone)]
pub struct Flow {
    job: NewJob<Value>,
    children: Vec<Flow>,
    on_failure: ChildFailure,
    /// A payload that did not serialize, reported by `enqueue_flow`.
    invalid: Option<String>,
}

impl Flow {
    /// A flow whose root is `job`.
    pub fn new<T: Serialize>(job: NewJob<T>) -> Flow {
        let (payload, invalid) = match serde_json::to_value(&job.payload) {
            Ok(value) => (value, None),
            Err(e) => (
                Value::Null,
                Some(format!("job payload does not serialize: {e}")),
            ),
        };
        Flow {
            job: NewJob {
                task_type: job.task_type,
                payload,
                priority: job.priority,
                run_at: job.run_at,
                max_retries: job.max_retries,
                unique_key: job.unique_key,
                timeout: job.timeout,
            },
            children: Vec::new(),
            on_failure: ChildFailure::default(),
            invalid,
        }
    }

    /// Adds a child (a [`NewJob`] or a flow of its own) that must complete before this job
    /// runs.
    pub fn child(mut self, child: impl Into<Flow>) -> Flow {
        self.children.push(child.into());
        self
    }

    /// Adds several children.
    pub fn children<F: Into<Flow>>(mut self, children: impl IntoIterator<Item = F>) -> Flow {
        self.children.extend(children.into_iter().map(Into::into));
        self
    }

    /// What this job's death does to its parent (ignored on the root).
    pub fn on_failure(mut self, policy: ChildFailure) -> Flow {
        self.on_failure = policy;
        self
    }

    fn len(&self) -> usize {
        1 + self.children.iter().map(Flow::len).sum::<usize>()
    }
}

impl<T: Serialize> From<NewJob<T>> for Flow {
    fn from(job: NewJob<T>) -> Flow {
        Flow::new(job)
    }
}

/// The ids of an enqueued flow, in the shape of the flow.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FlowIds {
    /// The job's id.
    pub id: String,
    /// Its children's ids, in the order they were added.
    pub children: Vec<FlowIds>,
}

/// How a child ended, as its parent sees it ([`Queue::children_results`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChildResult {
    /// Completed, with its result as JSON text (`None` when it returned nothing or its
    /// result was unknown to the reconciler).
    Completed(Option<String>),
    /// Died with this error, under [`ChildFailure::Ignore`].
    Failed(String),
}

impl ChildResult {
    /// Decodes a completed child's result (`None` for no result or a failed child).
    pub fn result<T: DeserializeOwned>(&self) -> Result<Option<T>> {
        match self {
            ChildResult::Completed(Some(text)) => serde_json::from_str(text)
                .map(Some)
                .map_err(|e| Error::invalid(format!("child result does not decode: {e}"))),
            _ => Ok(None),
        }
    }
}

/// How a child ended, to be recorded at its parent.
#[derive(Debug, Clone)]
pub(crate) enum ChildEnd {
    /// Completed with this result (JSON), as the finishing process knows it.
    Completed(Option<String>),
    /// Completed, as the reconciler read it from the child's hash: recorded only where the
    /// finishing process has not (it knows the result even when the hash is already gone).
    Found(Option<String>),
    Died(String),
}

type Resolving<'a> = Pin<Box<dyn Future<Output = Result<u64>> + Send + 'a>>;

impl Queue {
    /// Enqueues `flow`: every job of it in one atomic transaction. Children are queued as
    /// usual; each parent waits (status `waiting-children`) until all its children have
    /// completed. Returns the ids in the flow's shape.
    ///
    /// `InvalidInput` for a unique key anywhere in the flow, a delayed parent, or more than
    /// [`MAX_FLOW_JOBS`] jobs.
    pub async fn enqueue_flow(&self, flow: Flow) -> Result<FlowIds> {
        if flow.len() > MAX_FLOW_JOBS {
            return Err(Error::invalid(format!(
                "a flow holds at most {MAX_FLOW_JOBS} jobs"
            )));
        }
        let stamp = Stamp::new(self.now());
        let mut prepared = Vec::new();
        let mut deps = Vec::new();
        let ids = self.prepare_flow(flow, None, &stamp, &mut prepared, &mut deps)?;
        let mut batch = Batch::transaction(self.st());
        self.add_inserts(&mut batch, prepared.iter_mut().collect(), stamp.now);
        for (parent, children) in deps {
            batch.sadd_multiple(&self.keys().deps(&parent), children);
        }
        batch.run().await?.check()?;
        Ok(ids)
    }

    fn prepare_flow(
        &self,
        flow: Flow,
        parent: Option<&str>,
        stamp: &Stamp,
        out: &mut Vec<super::queue::Prepared>,
        deps: &mut Vec<(String, Vec<String>)>,
    ) -> Result<FlowIds> {
        if let Some(error) = flow.invalid {
            return Err(Error::invalid(error));
        }
        if flow.job.unique_key.is_some() {
            return Err(Error::invalid("jobs of a flow cannot have unique keys"));
        }
        let waits = !flow.children.is_empty();
        if waits && flow.job.run_at != RunAt::Now {
            return Err(Error::invalid(
                "a flow parent runs when its children are done: delay the children instead",
            ));
        }
        let mut job = self.prepare(flow.job, stamp)?;
        if let Some(parent) = parent {
            job.set(field::PARENT, parent);
            if flow.on_failure == ChildFailure::Ignore {
                job.set(field::PARENT_ON_FAILURE, "ignore");
            }
        }
        if waits {
            job.wait_for_children();
        }
        let id = job.id.clone();
        out.push(job);
        let children = flow
            .children
            .into_iter()
            .map(|child| self.prepare_flow(child, Some(&id), stamp, out, deps))
            .collect::<Result<Vec<_>>>()?;
        if waits {
            deps.push((id.clone(), children.iter().map(|c| c.id.clone()).collect()));
        }
        Ok(FlowIds { id, children })
    }

    /// The results of `parent`'s children that have ended so far, by child id (all of them
    /// once the parent runs). Empty for a job that is not a parent or no longer exists.
    pub async fn children_results(&self, parent: &str) -> Result<BTreeMap<String, ChildResult>> {
        let fields = codec::fields(self.st().hgetall(&self.keys().task(parent)).await?)?;
        let mut out = BTreeMap::new();
        for (name, value) in fields {
            if let Some(child) = name.strip_prefix(field::CHILD) {
                let result = (value != "null").then_some(value);
                out.insert(child.to_owned(), ChildResult::Completed(result));
            } else if let Some(child) = name.strip_prefix(field::CHILD_ERROR) {
                out.insert(child.to_owned(), ChildResult::Failed(value));
            }
        }
        Ok(out)
    }

    /// Records that `child` of `parent` ended, and releases or fails the parent when that
    /// decides it. Returns how many parents were released. Idempotent: the reconciler may
    /// record an end the finishing process recorded too.
    pub(crate) fn resolve_child<'a>(
        &'a self,
        parent: &'a str,
        child: &'a str,
        end: ChildEnd,
        fail_parent: bool,
    ) -> Resolving<'a> {
        Box::pin(async move {
            let keys = self.keys();
            // A parent that no longer waits (released, failed, cancelled, removed) has
            // nothing to record: writing to its hash could only leave debris.
            if self
                .st()
                .zscore(&keys.waiting_children, parent)
                .await?
                .is_none()
            {
                return Ok(0);
            }
            let result = |r: Option<String>| r.unwrap_or_else(|| "null".to_owned());
            let (name, value, fill_only) = match end {
                ChildEnd::Died(error) if fail_parent => {
                    self.fail_parent(parent, &format!("child {child} failed: {error}"))
                        .await?;
                    return Ok(0);
                }
                ChildEnd::Died(error) => (format!("{}{child}", field::CHILD_ERROR), error, false),
                ChildEnd::Completed(r) => (format!("{}{child}", field::CHILD), result(r), false),
                ChildEnd::Found(r) => (format!("{}{child}", field::CHILD), result(r), true),
            };
            let deps = keys.deps(parent);
            let mut batch = Batch::transaction(self.st());
            if fill_only {
                batch.hcompare_and_set(&keys.task(parent), &name, None, value);
            } else {
                batch.hset(&keys.task(parent), &name, value);
            }
            batch.srem(&deps, child);
            let left = batch.scard(&deps);
            let left = batch.run().await?.take(left)?;
            if left > 0 {
                return Ok(0);
            }
            self.release_parent(parent).await
        })
    }

    /// Releases `parent` (its last child is done): rescored to now in `waiting-children` and
    /// moved, with any other released parent, to `scheduled`, then promoted into the queue.
    /// Returns how many parents this call moved.
    async fn release_parent(&self, parent: &str) -> Result<u64> {
        let keys = self.keys();
        let now = self.now();
        let only_if_waiting = ZAddOptions::new().condition(SetCondition::Xx);
        let ready = ZMoveOptions::new()
            .up_to(ScoreBound::Inclusive(now as f64))
            .limit(super::PROMOTE_BATCH)
            .score(MoveScore::Fixed(now as f64));
        let (_, _, moved) = self
            .st()
            .transaction()
            .zadd_options(
                &keys.waiting_children,
                [(now as f64, parent)],
                only_if_waiting,
            )
            .hcompare_and_set(
                &keys.task(parent),
                field::STATUS,
                Some(Bytes::from_static(b"waiting-children")),
                JobStatus::Scheduled.as_str(),
            )
            .zmove_by_score(&keys.waiting_children, &keys.scheduled, ready)
            .run()
            .await?;
        if !moved.is_empty() {
            // Into the queue now, announced as pending, so idle workers wake up.
            self.promote(now).await?;
        }
        Ok(moved.len() as u64)
    }

    /// Fails a waiting parent because of a child: whoever turns its status from
    /// `waiting-children` to `dead` moves it to the dead letters.
    async fn fail_parent(&self, parent: &str, reason: &str) -> Result<()> {
        let task = self.keys().task(parent);
        let won = self
            .st()
            .hcompare_and_set(
                &task,
                field::STATUS,
                Some(Bytes::from_static(b"waiting-children")),
                JobStatus::Dead.as_str(),
            )
            .await?;
        if won {
            self.settle_dead_parent(parent, reason, true).await?;
        }
        Ok(())
    }

    /// The effects of a parent's death (its status already says `dead`): idempotent, so the
    /// reconciler can finish what a crashed process started. `count` it in the counters only
    /// the first time.
    async fn settle_dead_parent(&self, parent: &str, reason: &str, count: bool) -> Result<()> {
        let keys = self.keys();
        let task = keys.task(parent);
        let now = self.now();
        let up = self
            .st()
            .hmget(&task, [field::PARENT, field::PARENT_ON_FAILURE])
            .await?;
        let mut batch = Batch::transaction(self.st());
        batch.zrem(&keys.waiting_children, parent);
        batch.zadd(&keys.dead, now as f64, parent);
        batch.hset_multiple(
            &task,
            codec::pairs([
                (field::STATUS, JobStatus::Dead.as_str().to_owned()),
                (field::LAST_ERROR, reason.to_owned()),
                (field::FINISHED_AT, iso8601(now)),
                (field::FINISHED_MS, now.to_string()),
            ]),
        );
        self.add_retention(&mut batch, &task, self.inner.config.dead_ttl);
        batch.del(&keys.deps(parent));
        if count {
            batch.hincrby(&keys.stats, super::outcome::STAT_DEAD, 1);
        }
        QueueEvent::status(parent, JobStatus::Dead, now).publish_in(&mut batch, &keys.events);
        batch.run().await?.check()?;
        let text = |i: usize| {
            up.get(i)
                .cloned()
                .flatten()
                .map(|v| String::from_utf8_lossy(&v).into_owned())
        };
        if let Some(grandparent) = text(0) {
            let fail_up = text(1).as_deref() != Some("ignore");
            let end = ChildEnd::Died(reason.to_owned());
            self.resolve_child(&grandparent, parent, end, fail_up)
                .await?;
        }
        Ok(())
    }

    /// Records the end of a finished child whose finishing step already happened; a failure
    /// here is left to the reconciler (the job's own outcome stands either way).
    pub(crate) async fn after_child_end(
        &self,
        parent: &str,
        child: &str,
        end: ChildEnd,
        fail_parent: bool,
    ) {
        if let Err(e) = self.resolve_child(parent, child, end, fail_parent).await {
            tracing::warn!(parent, child, error = %e, "could not record a child's end; maintenance will");
        }
    }

    /// The flow part of a maintenance pass (see the module docs): returns how many parents it
    /// released.
    pub(crate) async fn reconcile_flows(&self, now: i64) -> Result<u64> {
        let keys = self.keys();
        // Parents rescored by a release that did not get to move them.
        let ready = ZMoveOptions::new()
            .up_to(ScoreBound::Inclusive(now as f64))
            .limit(super::PROMOTE_BATCH)
            .score(MoveScore::Fixed(now as f64));
        let moved = self
            .st()
            .zmove_by_score(&keys.waiting_children, &keys.scheduled, ready)
            .await?;
        let mut released = moved.len() as u64;
        if released > 0 {
            self.promote(now).await?;
        }
        let window = super::PROMOTE_BATCH;
        let start = self
            .inner
            .reconcile_from
            .load(std::sync::atomic::Ordering::Relaxed);
        let parents = self
            .st()
            .zrange(
                &keys.waiting_children,
                start as i64,
                (start + window - 1) as i64,
            )
            .await?
            .iter()
            .map(|m| member_id(m))
            .collect::<Result<Vec<_>>>()?;
        let next = if (parents.len() as u64) < window {
            0
        } else {
            start + window
        };
        self.inner
            .reconcile_from
            .store(next, std::sync::atomic::Ordering::Relaxed);
        if parents.is_empty() {
            return Ok(released);
        }
        let mut reads = Batch::pipeline(self.st());
        let steps: Vec<_> = parents
            .iter()
            .map(|p| {
                let hash = reads.hmget(
                    &keys.task(p),
                    [field::TYPE, field::STATUS, field::LAST_ERROR],
                );
                (hash, reads.smembers(&keys.deps(p)))
            })
            .collect();
        let mut replies = reads.run().await?;
        let mut open = Vec::new();
        for (parent, (hash, deps)) in parents.iter().zip(steps) {
            let hash = replies.take(hash)?;
            let deps = replies.take(deps)?;
            let text = |i: usize| {
                hash.get(i)
                    .cloned()
                    .flatten()
                    .map(|v| String::from_utf8_lossy(&v).into_owned())
            };
            if text(0).is_none() {
                // The parent's hash is gone (removed): drop what is left of it.
                self.st()
                    .transaction()
                    .zrem(&keys.waiting_children, parent)
                    .del(&keys.deps(parent))
                    .run()
                    .await?;
                continue;
            }
            match text(1).as_deref() {
                Some("dead") => {
                    let reason = text(2).unwrap_or_else(|| "a child failed".to_owned());
                    self.settle_dead_parent(parent, &reason, false).await?;
                }
                Some("waiting-children") if deps.is_empty() => {
                    released += self.release_parent(parent).await?;
                }
                Some("waiting-children") => {
                    for child in deps {
                        open.push((parent.clone(), member_id(&child)?));
                    }
                }
                _ => {}
            }
        }
        if open.is_empty() {
            return Ok(released);
        }
        let mut reads = Batch::pipeline(self.st());
        let steps: Vec<_> = open
            .iter()
            .map(|(_, child)| {
                reads.hmget(
                    &keys.task(child),
                    [
                        field::TYPE,
                        field::STATUS,
                        field::TOKEN,
                        field::RESULT,
                        field::LAST_ERROR,
                        field::PARENT_ON_FAILURE,
                    ],
                )
            })
            .collect();
        let mut replies = reads.run().await?;
        for ((parent, child), step) in open.iter().zip(steps) {
            let hash = replies.take(step)?;
            let text = |i: usize| {
                hash.get(i)
                    .cloned()
                    .flatten()
                    .map(|v| String::from_utf8_lossy(&v).into_owned())
            };
            let Some(end) = child_end(text(0).is_some(), text(1), text(2), text(3), text(4)) else {
                continue;
            };
            let fail_parent = text(5).as_deref() != Some("ignore");
            released += self.resolve_child(parent, child, end, fail_parent).await?;
        }
        Ok(released)
    }
}

/// How a child ended, from its hash (`None` while it has not ended). A child whose hash is
/// gone counts as done without a result (see the module docs).
fn child_end(
    exists: bool,
    status: Option<String>,
    token: Option<String>,
    result: Option<String>,
    error: Option<String>,
) -> Option<ChildEnd> {
    if !exists {
        return Some(ChildEnd::Found(None));
    }
    let closed = token
        .as_deref()
        .and_then(Fence::parse)
        .and_then(|f| match f {
            Fence::Closed(_, outcome) => outcome.final_status(),
            Fence::Open(_) => None,
        });
    let status = closed.or_else(|| status.as_deref().and_then(JobStatus::parse))?;
    match status {
        JobStatus::Completed => Some(ChildEnd::Found(result)),
        JobStatus::Dead => Some(ChildEnd::Died(error.unwrap_or_else(|| "dead".to_owned()))),
        JobStatus::Cancelled => Some(ChildEnd::Died("cancelled".to_owned())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn child_ends_from_hashes() {
        let s = |t: &str| Some(t.to_owned());
        assert!(matches!(
            child_end(false, None, None, None, None),
            Some(ChildEnd::Found(None))
        ));
        assert!(child_end(true, s("processing"), s("1"), None, None).is_none());
        assert!(matches!(
            child_end(true, s("processing"), s("1:completed"), None, None),
            Some(ChildEnd::Found(None))
        ));
        assert!(matches!(
            child_end(true, s("completed"), s("1:completed"), s("7"), None),
            Some(ChildEnd::Found(Some(r))) if r == "7"
        ));
        assert!(matches!(
            child_end(true, s("dead"), s("2:dead"), None, s("boom")),
            Some(ChildEnd::Died(e)) if e == "boom"
        ));
        assert!(matches!(
            child_end(true, s("cancelled"), s("0:cancelled"), None, None),
            Some(ChildEnd::Died(e)) if e == "cancelled"
        ));
        assert!(child_end(true, s("failed"), s("2"), None, s("x")).is_none());
    }
}
