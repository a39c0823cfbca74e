//! [`Queue`]: enqueueing (single, bulk, unique).

use std::sync::Arc;

use serde::Serialize;
use staunch_core::prelude::*;
use staunch_core::{As, Name, Result, Step};

use super::codec::{self, Fence, corrupt, field, iso8601, millis, queue_score};
use super::config::{Keys, QueueConfig};
use super::events::QueueEvent;
use super::job::{Enqueued, JobStatus, NewJob, RunAt};

/// How long a unique key reservation lives before the job it names is written (a producer
/// that dies in between frees the key after this).
const RESERVATION_MS: u64 = 30_000;
pub(crate) const STAT_ENQUEUED: &str = "enqueued";

/// A priority task queue over any [`Store`]. Cheap to clone; clones share everything.
///
/// See the [module docs](super) for the data layout and the guarantees.
#[derive(Clone, Debug)]
pub struct Queue {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) keys: Keys,
    pub(crate) config: QueueConfig,
    /// Where the next maintenance pass's window of waiting parents starts (see `flow`).
    pub(crate) reconcile_from: std::sync::atomic::AtomicU64,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Queue")
            .field("keys", &self.keys)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// The time of one enqueue call, with its ISO 8601 text formatted once and shared by every
/// job of a bulk enqueue.
pub(crate) struct Stamp {
    pub(crate) now: i64,
    created_at: Bytes,
}

impl Stamp {
    pub(crate) fn new(now: i64) -> Stamp {
        Stamp {
            now,
            created_at: Bytes::from(iso8601(now)),
        }
    }
}

/// A job serialized and ready to write.
pub(crate) struct Prepared {
    pub(crate) id: String,
    /// Field names are the queue's static names: a bulk enqueue of a thousand jobs would
    /// otherwise allocate seven thousand copies of them.
    fields: Vec<(Name, Bytes)>,
    priority: i32,
    pub(crate) run_at: i64,
    pub(crate) target: Target,
    pub(crate) unique: Option<String>,
}

/// The set a new job goes into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// Due: the queue.
    Queue,
    /// Not due yet: `scheduled`.
    Scheduled,
    /// A flow's parent: `waiting-children`.
    Waiting,
}

/// Score of a parent in `waiting-children` while children are outstanding: above any
/// time in ms (so `ZMoveByScore` up to now never takes it), plus its creation time so the
/// set lists oldest first. A released parent is rescored to the release time.
pub(crate) const WAITING_BASE: f64 = 4_000_000_000_000_000.0;

impl Prepared {
    /// Sets a field (replacing it if present).
    pub(crate) fn set(&mut self, name: &'static str, value: impl Into<String>) {
        let value = Bytes::from(value.into());
        match self.fields.iter_mut().find(|(k, _)| k == name) {
            Some(slot) => slot.1 = value,
            None => self.fields.push((Name::from_static(name), value)),
        }
    }

    /// Gives the job another id (one chosen before it was prepared).
    pub(crate) fn set_id(&mut self, id: &str) {
        self.id = id.to_owned();
        self.set(field::ID, id);
    }

    /// Makes the job a flow parent that waits for its children.
    pub(crate) fn wait_for_children(&mut self) {
        self.target = Target::Waiting;
        self.set(field::STATUS, JobStatus::WaitingChildren.as_str());
    }
}

impl Queue {
    /// A queue with the default configuration (prefix `queue`: `queue:tasks:queue`, ...).
    pub fn new(store: Arc<dyn Store>) -> Queue {
        Queue::build(store, QueueConfig::default())
    }

    /// A queue with `config`; `InvalidInput` if the configuration is unusable.
    pub fn with_config(store: Arc<dyn Store>, config: QueueConfig) -> Result<Queue> {
        config.validate()?;
        Ok(Queue::build(store, config))
    }

    pub(crate) fn build(store: Arc<dyn Store>, mut config: QueueConfig) -> Queue {
        // On a Redis Cluster every multi-key step of the queue (the claim script, the
        // transactions) must stay in one slot: the prefix is always hash-tagged there.
        if !store.capabilities().cross_slot {
            config.hash_tag = true;
        }
        Queue {
            inner: Arc::new(Inner {
                store,
                keys: Keys::new(&config),
                config,
                reconcile_from: std::sync::atomic::AtomicU64::new(0),
            }),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &QueueConfig {
        &self.inner.config
    }

    /// The store underneath.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.inner.store
    }

    /// The sorted set of pending jobs (`queue:tasks:queue` by default).
    pub fn queue_key(&self) -> &str {
        &self.inner.keys.queue
    }

    /// The hash of job `id` (`queue:task:{id}` by default).
    pub fn task_key(&self, id: &str) -> String {
        self.inner.keys.task(id)
    }

    /// The pub/sub channel of state changes (`queue:tasks:events` by default).
    pub fn events_channel(&self) -> &str {
        &self.inner.keys.events
    }

    pub(crate) fn now(&self) -> i64 {
        self.inner.config.clock.now_ms()
    }

    pub(crate) fn keys(&self) -> &Keys {
        &self.inner.keys
    }

    pub(crate) fn st(&self) -> &(dyn Store + 'static) {
        self.inner.store.as_ref()
    }

    /// Adds a job. With a unique key held by a live job, adds nothing and returns that job's id
    /// with `duplicate: true`.
    ///
    /// One atomic round trip (two or more with a unique key).
    pub async fn enqueue<T: Serialize>(&self, job: NewJob<T>) -> Result<Enqueued> {
        let stamp = Stamp::new(self.now());
        let now = stamp.now;
        let mut prepared = self.prepare(job, &stamp)?;
        if let Some(key) = &prepared.unique
            && let Some(existing) = self.reserve_unique(key, &prepared.id).await?
        {
            return Ok(Enqueued {
                id: existing,
                duplicate: true,
            });
        }
        let mut batch = Batch::transaction(self.st());
        self.add_inserts(&mut batch, vec![&mut prepared], now);
        batch.run().await?.check()?;
        Ok(Enqueued {
            id: prepared.id,
            duplicate: false,
        })
    }

    /// Adds many jobs in one atomic round trip (plus one for their unique keys, if any).
    /// Results are in input order.
    ///
    /// The jobs go in one transaction (on Redis `MULTI`: each job's hash, one `ZADD` with every
    /// id, one counter increment, one event), so either all of them land or none does: an
    /// error leaves no hash without its queue entry behind, and the call can simply be
    /// repeated. Per-job atomicity alone would allow a plain pipeline, but a connection lost
    /// half-way would then leave orphaned hashes the caller cannot find; on Redis the
    /// transaction measured no slower than the plain pipeline.
    pub async fn enqueue_bulk<T: Serialize>(&self, jobs: Vec<NewJob<T>>) -> Result<Vec<Enqueued>> {
        let stamp = Stamp::new(self.now());
        let now = stamp.now;
        let prepared = jobs
            .into_iter()
            .map(|job| self.prepare(job, &stamp))
            .collect::<Result<Vec<_>>>()?;
        let mut duplicates: Vec<Option<String>> = vec![None; prepared.len()];
        let unique: Vec<usize> = (0..prepared.len())
            .filter(|&i| prepared[i].unique.is_some())
            .collect();
        if !unique.is_empty() {
            let mut reservations = Batch::pipeline(self.st());
            let reserved: Vec<_> = unique
                .iter()
                .map(|&i| self.add_reservation(&mut reservations, &prepared[i]))
                .collect();
            let mut replies = reservations.run().await?;
            for (&i, step) in unique.iter().zip(reserved) {
                if !replies.take(step)? {
                    let key = prepared[i].unique.as_deref().unwrap_or_default();
                    duplicates[i] = self.reserve_unique(key, &prepared[i].id).await?;
                }
            }
        }
        let mut prepared = prepared;
        let fresh = prepared
            .iter_mut()
            .zip(&duplicates)
            .filter(|(_, dup)| dup.is_none())
            .map(|(p, _)| p)
            .collect::<Vec<_>>();
        if !fresh.is_empty() {
            let mut batch = Batch::transaction(self.st());
            self.add_inserts(&mut batch, fresh, now);
            batch.run().await?.check()?;
        }
        Ok(prepared
            .into_iter()
            .zip(duplicates)
            .map(|(p, dup)| match dup {
                Some(id) => Enqueued {
                    id,
                    duplicate: true,
                },
                None => Enqueued {
                    id: p.id,
                    duplicate: false,
                },
            })
            .collect())
    }

    pub(crate) fn prepare<T: Serialize>(&self, job: NewJob<T>, stamp: &Stamp) -> Result<Prepared> {
        let now = stamp.now;
        let priority = job.priority.value();
        codec::check_priority(priority)?;
        if job.task_type.is_empty() {
            return Err(Error::invalid("task type must not be empty"));
        }
        let data = serde_json::to_string(&job.payload)
            .map_err(|e| Error::invalid(format!("job payload does not serialize: {e}")))?;
        let run_at = match job.run_at {
            RunAt::Now => now,
            RunAt::After(delay) => now.saturating_add(millis(delay)),
            RunAt::AtMs(at) => at,
        };
        let due = run_at <= now;
        let id = codec::new_id(now);
        let status = if due {
            JobStatus::Pending
        } else {
            JobStatus::Scheduled
        };
        let max_retries = job
            .max_retries
            .unwrap_or(self.inner.config.default_max_retries);
        // The bot dashboard's fields plus what the queue cannot derive (see `codec::field`).
        let name = Name::from_static;
        let text = |field: &'static str, value: String| (name(field), Bytes::from(value));
        let mut fields = Vec::with_capacity(10);
        fields.push(text(field::ID, id.clone()));
        fields.push(text(field::TYPE, job.task_type));
        fields.push(text(field::DATA, data));
        fields.push((name(field::PRIORITY), codec::int_text(priority.into())));
        fields.push((name(field::CREATED_AT), stamp.created_at.clone()));
        fields.push((
            name(field::STATUS),
            Bytes::from_static(status.as_str().as_bytes()),
        ));
        fields.push((
            name(field::MAX_RETRIES),
            codec::int_text(max_retries.into()),
        ));
        if run_at != now {
            fields.push(text(field::RUN_AT, run_at.to_string()));
        }
        if let Some(timeout) = job.timeout {
            fields.push(text(field::TIMEOUT_MS, millis(timeout).to_string()));
        }
        if let Some(key) = &job.unique_key {
            fields.push(text(field::UNIQUE_KEY, key.clone()));
        }
        Ok(Prepared {
            id,
            fields,
            priority,
            run_at,
            target: if due {
                Target::Queue
            } else {
                Target::Scheduled
            },
            unique: job.unique_key,
        })
    }

    /// Adds to `batch` (one atomic batch) what adds `jobs`: their hashes, one `ZADD` per
    /// target set, one counter increment and one event per status.
    pub(crate) fn add_inserts(
        &self,
        batch: &mut Batch<'_, dyn Store>,
        mut jobs: Vec<&mut Prepared>,
        now: i64,
    ) {
        let keys = self.keys();
        let count = jobs.len() as i64;
        for p in &mut *jobs {
            batch.hset_multiple(&keys.task(&p.id), std::mem::take(&mut p.fields));
            if let Some(key) = &p.unique {
                // Keep the reservation, without its safety TTL, for as long as the job is live.
                batch.set(&keys.unique(key), &p.id);
            }
        }
        for (key, target, status) in [
            (&keys.queue, Target::Queue, JobStatus::Pending),
            (&keys.scheduled, Target::Scheduled, JobStatus::Scheduled),
            (
                &keys.waiting_children,
                Target::Waiting,
                JobStatus::WaitingChildren,
            ),
        ] {
            let (ids, members): (Vec<&str>, Vec<(f64, Bytes)>) = jobs
                .iter()
                .filter(|p| p.target == target)
                .map(|p| {
                    let score = match target {
                        Target::Queue => queue_score(p.priority, p.run_at),
                        Target::Scheduled => p.run_at as f64,
                        Target::Waiting => WAITING_BASE + now.max(0) as f64,
                    };
                    (&*p.id, (score, Bytes::copy_from_slice(p.id.as_bytes())))
                })
                .unzip();
            if ids.is_empty() {
                continue;
            }
            batch.zadd_multiple(key, members);
            QueueEvent::publish_statuses_in(batch, &keys.events, &ids, status, now);
        }
        batch.hincrby(&keys.stats, STAT_ENQUEUED, count);
    }

    /// Adds reserving `p`'s unique key for it (for [`RESERVATION_MS`]) to `batch`.
    fn add_reservation(&self, batch: &mut Batch<'_, dyn Store>, p: &Prepared) -> Step<As<bool>> {
        batch.compare_and_set(
            &self.keys().unique(p.unique.as_deref().unwrap_or_default()),
            None,
            &p.id,
            Some(SetExpiry::Px(RESERVATION_MS)),
        )
    }

    /// Reserves unique key `key` for job `id`. `Some(existing)` when a live job holds it.
    async fn reserve_unique(&self, key: &str, id: &str) -> Result<Option<String>> {
        let unique_key = self.keys().unique(key);
        for _ in 0..4 {
            let reservation = Some(SetExpiry::Px(RESERVATION_MS));
            if self
                .st()
                .compare_and_set(&unique_key, None, id, reservation)
                .await?
            {
                return Ok(None);
            }
            let Some(existing) = self.st().get(&unique_key).await? else {
                continue;
            };
            let existing = String::from_utf8_lossy(&existing).into_owned();
            let (job, ttl) = self
                .st()
                .pipeline()
                // `type` tells whether the job exists (a new job has no `token` yet).
                .hmget(&self.keys().task(&existing), [field::TYPE, field::TOKEN])
                .pttl(&unique_key)
                .run()
                .await?;
            let exists = job.first().is_some_and(Option::is_some);
            let token = job.get(1).cloned().flatten();
            let stale = if exists {
                // A finished job whose cleanup did not happen: take it over.
                let text = token.as_deref().map(String::from_utf8_lossy);
                matches!(
                    text.as_deref().map(Fence::parse),
                    Some(Some(Fence::Closed(_, o))) if o.final_status().is_some()
                )
            } else {
                // No job behind a key without a reservation TTL: left over, take it over.
                ttl == -1
            };
            if !stale {
                return Ok(Some(existing));
            }
            let held_by = Some(Bytes::from(existing.clone()));
            if self
                .st()
                .compare_and_set(&unique_key, held_by, id, reservation)
                .await?
            {
                return Ok(None);
            }
        }
        Err(Error::new(
            staunch_core::ErrorKind::Timeout,
            format!("unique key {key} kept changing while enqueueing"),
        ))
    }
}

/// A zset member as a job id.
pub(crate) fn member_id(member: &[u8]) -> Result<String> {
    String::from_utf8(member.to_vec()).map_err(|_| corrupt("queue member is not a UTF-8 job id"))
}
