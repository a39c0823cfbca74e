//! Repeatable jobs: a named definition that enqueues a job at every occurrence of a
//! [`Schedule`] (every N, or a cron expression in a time zone with the `cron` feature).
//!
//! ```no_run
//! use std::time::Duration;
//! use staunch::queue::{NewJob, Queue, Repeat, Schedule};
//!
//! # async fn demo(queue: Queue) -> staunch::Result<()> {
//! let every_minute = Schedule::every(Duration::from_secs(60));
//! queue.upsert_repeat(Repeat::new("sync", every_minute, NewJob::new("sync", ()))).await?;
//! // With the `cron` feature: 02:30 every day, Berlin time.
//! let nightly = Schedule::cron("30 2 * * *", "Europe/Berlin");
//! queue.upsert_repeat(Repeat::new("report", nightly, NewJob::new("report", ()))).await?;
//! # Ok(()) }
//! ```
//!
//! # Data
//!
//! `P:tasks:repeat` is a zset of definition names scored by their next occurrence (Unix ms);
//! `P:tasks:repeat:{name}` is a hash with the definition (`name type data priority
//! max_retries timeout_ms`, `every_ms` or `cron tz`), `next` (the next occurrence) and
//! `last_job last_ms` (the job of the latest occurrence).
//!
//! # Exactly one job per occurrence
//!
//! Each [`Queue::maintain`] pass (workers run one every maintenance interval, so an
//! occurrence is enqueued within that interval) takes the definitions whose occurrence has
//! come. For each one, whoever turns its `next` from `T` to `T:J:at` (a compare-and-set,
//! with `J` a fresh job id and `at` the time) owns occurrence `T`: it enqueues job `J` and
//! advances `next` (and the zset score) to the following occurrence in one transaction. A
//! process that loses the compare-and-set does nothing, so several workers or processes
//! enqueue each occurrence once. If the owner dies in between, the claim `T:J:at` stays; once
//! it is a minute old another pass takes it over (again by compare-and-set) and enqueues the
//! same `J`. Only an owner stalled for more than that minute between its two steps could
//! enqueue `J` a second time (the same caveat as the promotion of due jobs).
//!
//! # Missed occurrences
//!
//! After downtime (no worker ran maintenance), a definition whose occurrences passed runs
//! **once**: one job for the first missed occurrence (its `occurrence_ms` and due time), and
//! the next occurrence is the first one after now. No burst of catch-up jobs.
//!
//! # Upserting
//!
//! [`Queue::upsert_repeat`] is idempotent: registering the same definition again (from this
//! or another process, at every start-up) changes nothing, not even the next occurrence, so
//! an occurrence missed during downtime still runs once. A changed definition replaces the
//! old one and its next occurrence is computed afresh. Occurrences of `every` schedules are
//! the multiples of the interval since the Unix epoch, so every process computes the same
//! ones; cron occurrences are whole seconds.
//!
//! # Time zones and DST (cron)
//!
//! Cron expressions (5 fields, or 6 with seconds first; `L`, `W`, `#` and names as in
//! [croner](https://docs.rs/croner)) are evaluated in an IANA time zone, from the system's
//! tz database with a bundled copy as fallback. Across DST changes, croner's rules apply: a
//! fixed time that falls into the spring-forward gap runs right after the gap, that day; a
//! fixed time in the repeated autumn hour runs once (its first pass); interval patterns
//! (`*/15 * * * *`) skip the gap and run in both passes of the repeated hour.

use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
#[cfg(any(test, not(feature = "cron")))]
use staunch_core::ErrorKind;
use staunch_core::prelude::*;
use staunch_core::{Error, Result};

use super::codec::{self, Fields, field};
use super::job::{NewJob, Priority, RunAt};
use super::queue::{Queue, Stamp, member_id};

/// Longest accepted definition name, in bytes.
pub const MAX_REPEAT_NAME: usize = 256;

/// Hash fields of a definition.
mod def {
    pub const NAME: &str = "name";
    pub const EVERY_MS: &str = "every_ms";
    pub const CRON: &str = "cron";
    pub const TZ: &str = "tz";
    pub const NEXT: &str = "next";
    pub const LAST_JOB: &str = "last_job";
    pub const LAST_MS: &str = "last_ms";
    /// The fields that make up the definition (compared by an upsert).
    pub const SPEC: [&str; 8] = [
        super::field::TYPE,
        super::field::DATA,
        super::field::PRIORITY,
        super::field::MAX_RETRIES,
        super::field::TIMEOUT_MS,
        EVERY_MS,
        CRON,
        TZ,
    ];
}

/// When a repeatable job runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    kind: Kind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Every(i64),
    Cron {
        expression: String,
        time_zone: String,
    },
}

impl Schedule {
    /// Every `interval` (at least 1 ms), at its multiples since the Unix epoch: `every(1
    /// hour)` runs on the hour (UTC).
    pub fn every(interval: Duration) -> Schedule {
        Schedule {
            kind: Kind::Every(i64::try_from(interval.as_millis()).unwrap_or(i64::MAX)),
        }
    }

    /// At the times a cron expression names, in IANA time zone `time_zone` (`"UTC"`,
    /// `"Europe/Berlin"`). Needs the `cron` feature; checked when used (`InvalidInput` for a
    /// bad expression or zone, `Unsupported` without the feature).
    pub fn cron(expression: impl Into<String>, time_zone: impl Into<String>) -> Schedule {
        Schedule {
            kind: Kind::Cron {
                expression: expression.into(),
                time_zone: time_zone.into(),
            },
        }
    }

    /// The interval of an `every` schedule.
    pub fn interval(&self) -> Option<Duration> {
        match self.kind {
            Kind::Every(ms) => Some(Duration::from_millis(ms.max(0) as u64)),
            Kind::Cron { .. } => None,
        }
    }

    /// The expression and time zone of a cron schedule.
    pub fn cron_expression(&self) -> Option<(&str, &str)> {
        match &self.kind {
            Kind::Cron {
                expression,
                time_zone,
            } => Some((expression, time_zone)),
            Kind::Every(_) => None,
        }
    }

    /// The first occurrence strictly after `after_ms` (Unix ms).
    pub fn next_after(&self, after_ms: i64) -> Result<i64> {
        match &self.kind {
            Kind::Every(every) => {
                if *every < 1 {
                    return Err(Error::invalid("a repeat interval must be at least 1 ms"));
                }
                after_ms
                    .div_euclid(*every)
                    .checked_add(1)
                    .and_then(|n| n.checked_mul(*every))
                    .ok_or_else(|| Error::invalid("the next occurrence is out of range"))
            }
            Kind::Cron {
                expression,
                time_zone,
            } => cron_next(expression, time_zone, after_ms),
        }
    }

    fn fields(&self) -> Vec<(&'static str, String)> {
        match &self.kind {
            Kind::Every(ms) => vec![(def::EVERY_MS, ms.to_string())],
            Kind::Cron {
                expression,
                time_zone,
            } => vec![
                (def::CRON, expression.clone()),
                (def::TZ, time_zone.clone()),
            ],
        }
    }

    fn from_fields(fields: &Fields) -> Option<Schedule> {
        if let Some(ms) = fields.get(def::EVERY_MS) {
            return Some(Schedule {
                kind: Kind::Every(ms.parse().ok()?),
            });
        }
        Some(Schedule::cron(
            fields.get(def::CRON)?.clone(),
            fields.get(def::TZ)?.clone(),
        ))
    }
}

#[cfg(feature = "cron")]
fn cron_next(expression: &str, time_zone: &str, after_ms: i64) -> Result<i64> {
    let cron: croner::Cron = expression
        .parse()
        .map_err(|e| Error::invalid(format!("cron expression {expression:?}: {e}")))?;
    let tz = jiff::tz::TimeZone::get(time_zone)
        .map_err(|e| Error::invalid(format!("time zone {time_zone:?}: {e}")))?;
    // Occurrences are whole seconds: search from the whole second at or before `after_ms`.
    let start = jiff::Timestamp::from_second(after_ms.div_euclid(1000))
        .map_err(|e| Error::invalid(format!("time {after_ms} ms is out of range: {e}")))?;
    let next = cron
        .find_next_occurrence(&start.to_zoned(tz), false)
        .map_err(|e| Error::invalid(format!("cron expression {expression:?}: {e}")))?;
    Ok(next.timestamp().as_millisecond())
}

#[cfg(not(feature = "cron"))]
fn cron_next(_expression: &str, _time_zone: &str, _after_ms: i64) -> Result<i64> {
    Err(Error::new(
        ErrorKind::Unsupported,
        "cron schedules need staunch's `cron` feature",
    ))
}

/// A repeatable definition: a name, a schedule and the job each occurrence enqueues.
#[derive(Debug, Clone)]
pub struct Repeat {
    name: String,
    schedule: Schedule,
    job: NewJob<Value>,
    invalid: Option<String>,
}

impl Repeat {
    /// Enqueues `job` at every occurrence of `schedule`, under the definition `name` (the
    /// key of upserts and removal). The job cannot be delayed or have a unique key.
    pub fn new<T: Serialize>(name: impl Into<String>, schedule: Schedule, job: NewJob<T>) -> Self {
        let (payload, invalid) = match serde_json::to_value(&job.payload) {
            Ok(value) => (value, None),
            Err(e) => (
                Value::Null,
                Some(format!("job payload does not serialize: {e}")),
            ),
        };
        Repeat {
            name: name.into(),
            schedule,
            job: NewJob {
                task_type: job.task_type,
                payload,
                priority: job.priority,
                run_at: job.run_at,
                max_retries: job.max_retries,
                unique_key: job.unique_key,
                timeout: job.timeout,
            },
            invalid,
        }
    }
}

/// One occurrence being enqueued: its time, the definition's following occurrence (the
/// first after now: missed occurrences collapse into this one) and now.
#[derive(Debug, Clone, Copy)]
struct Occurrence {
    at: i64,
    next: i64,
    now: i64,
}

/// A stored repeatable definition ([`Queue::repeats`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RepeatInfo {
    /// The definition's name.
    pub name: String,
    /// When it runs.
    pub schedule: Schedule,
    /// Task type of its jobs.
    pub task_type: String,
    /// Payload of its jobs, as JSON text.
    pub data: String,
    /// Priority of its jobs.
    pub priority: i32,
    /// The next occurrence, Unix ms.
    pub next_ms: i64,
    /// The job of the latest occurrence enqueued so far.
    pub last_job: Option<String>,
    /// The latest occurrence enqueued so far, Unix ms.
    pub last_ms: Option<i64>,
}

/// The `next` field: an occurrence, or an occurrence being enqueued as job `J` since `at`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Next {
    At(i64),
    Firing { at: i64, job: String, since: i64 },
}

impl Next {
    fn parse(text: &str) -> Option<Next> {
        let mut parts = text.split(':');
        let at = parts.next()?.parse().ok()?;
        match (parts.next(), parts.next(), parts.next()) {
            (None, _, _) => Some(Next::At(at)),
            (Some(job), Some(since), None) => Some(Next::Firing {
                at,
                job: job.to_owned(),
                since: since.parse().ok()?,
            }),
            _ => None,
        }
    }

    fn at(&self) -> i64 {
        match self {
            Next::At(at) | Next::Firing { at, .. } => *at,
        }
    }
}

fn repeat_info(name: &str, fields: &Fields) -> Option<RepeatInfo> {
    let num = |k: &str| fields.get(k).and_then(|v| v.parse::<i64>().ok());
    Some(RepeatInfo {
        name: name.to_owned(),
        schedule: Schedule::from_fields(fields)?,
        task_type: fields.get(field::TYPE)?.clone(),
        data: fields.get(field::DATA).cloned().unwrap_or_default(),
        priority: num(field::PRIORITY).unwrap_or(0) as i32,
        next_ms: fields.get(def::NEXT).and_then(|t| Next::parse(t))?.at(),
        last_job: fields.get(def::LAST_JOB).cloned(),
        last_ms: num(def::LAST_MS),
    })
}

impl Queue {
    /// Creates or updates the repeatable definition `repeat.name` and returns it as stored.
    /// Idempotent (see the module docs): the same definition registered again changes
    /// nothing; a changed one replaces it, with its next occurrence computed from now.
    ///
    /// `InvalidInput` for an empty or over-long name, an interval under 1 ms, a bad cron
    /// expression or time zone, a delayed job or one with a unique key; `Unsupported` for a
    /// cron schedule without the `cron` feature.
    pub async fn upsert_repeat(&self, repeat: Repeat) -> Result<RepeatInfo> {
        let name = repeat.name.as_str();
        if name.is_empty() || name.len() > MAX_REPEAT_NAME {
            return Err(Error::invalid(format!(
                "a repeat name must have 1 to {MAX_REPEAT_NAME} bytes"
            )));
        }
        if let Some(error) = repeat.invalid {
            return Err(Error::invalid(error));
        }
        if repeat.job.run_at != RunAt::Now || repeat.job.unique_key.is_some() {
            return Err(Error::invalid(
                "a repeatable job runs at its occurrences: it cannot be delayed or unique",
            ));
        }
        if repeat.job.task_type.is_empty() {
            return Err(Error::invalid("task type must not be empty"));
        }
        let priority = repeat.job.priority.value();
        codec::check_priority(priority)?;
        let now = self.now();
        let next = repeat.schedule.next_after(now)?;
        let mut spec: Vec<(&str, String)> = vec![
            (field::TYPE, repeat.job.task_type.clone()),
            (field::DATA, repeat.job.payload.to_string()),
            (field::PRIORITY, priority.to_string()),
        ];
        if let Some(retries) = repeat.job.max_retries {
            spec.push((field::MAX_RETRIES, retries.to_string()));
        }
        if let Some(timeout) = repeat.job.timeout {
            spec.push((field::TIMEOUT_MS, codec::millis(timeout).to_string()));
        }
        spec.extend(repeat.schedule.fields());
        let keys = self.keys();
        let key = keys.repeat_def(name);
        let existing = codec::fields(self.st().hgetall(&key).await?)?;
        let stored = def::SPEC.iter().filter(|f| existing.contains_key(**f));
        let same = stored.count() == spec.len()
            && spec.iter().all(|(k, v)| existing.get(*k) == Some(v))
            && existing.contains_key(def::NEXT);
        if same && let Some(info) = repeat_info(name, &existing) {
            return Ok(info);
        }
        let unused: Vec<&str> = def::SPEC
            .into_iter()
            .filter(|f| !spec.iter().any(|(k, _)| k == f))
            .collect();
        let mut fields = spec.clone();
        fields.push((def::NAME, name.to_owned()));
        fields.push((def::NEXT, next.to_string()));
        let mut batch = Batch::transaction(self.st());
        batch.hdel_multiple(&key, unused);
        batch.hset_multiple(&key, codec::pairs_of(fields));
        batch.zadd(&keys.repeat, next as f64, name);
        batch.run().await?.check()?;
        let stored = codec::fields(self.st().hgetall(&key).await?)?;
        repeat_info(name, &stored)
            .ok_or_else(|| codec::corrupt(format!("repeat {name} was removed while upserted")))
    }

    /// Removes the repeatable definition `name` (jobs it already enqueued stay). False if
    /// there was none.
    pub async fn remove_repeat(&self, name: &str) -> Result<bool> {
        let keys = self.keys();
        let (listed, deleted) = self
            .st()
            .transaction()
            .zrem(&keys.repeat, name)
            .del(&keys.repeat_def(name))
            .run()
            .await?;
        Ok(listed || deleted)
    }

    /// Every repeatable definition, soonest next occurrence first.
    pub async fn repeats(&self) -> Result<Vec<RepeatInfo>> {
        let keys = self.keys();
        let names = self
            .st()
            .zrange(&keys.repeat, 0, -1)
            .await?
            .iter()
            .map(|m| member_id(m))
            .collect::<Result<Vec<_>>>()?;
        let mut reads = Batch::pipeline(self.st());
        let steps: Vec<_> = names
            .iter()
            .map(|n| reads.hgetall(&keys.repeat_def(n)))
            .collect();
        let mut replies = reads.run().await?;
        let mut out = Vec::with_capacity(names.len());
        for (name, step) in names.iter().zip(steps) {
            out.extend(repeat_info(name, &codec::fields(replies.take(step)?)?));
        }
        Ok(out)
    }

    /// The repeat part of a maintenance pass: enqueues the occurrences that have come (one
    /// job each, see the module docs); returns how many jobs it enqueued.
    pub(crate) async fn fire_repeats(&self, now: i64) -> Result<u64> {
        let keys = self.keys();
        let due = self
            .st()
            .zrange_options(
                &keys.repeat,
                ZRangeBy::Score {
                    min: ScoreBound::MIN,
                    max: ScoreBound::Inclusive(now as f64),
                },
                ZRangeOptions::new().limit(0, super::PROMOTE_BATCH as i64),
            )
            .await?
            .iter()
            .map(|m| member_id(m))
            .collect::<Result<Vec<_>>>()?;
        let mut fired = 0;
        for name in due {
            let key = keys.repeat_def(&name);
            let fields = codec::fields(self.st().hgetall(&key).await?)?;
            let info = repeat_info(&name, &fields);
            let text = fields.get(def::NEXT).cloned();
            let (Some(info), Some(next)) = (info, text.as_deref().and_then(Next::parse)) else {
                // Removed while an occurrence was being enqueued (which wrote `next` back):
                // drop what is left.
                self.st()
                    .transaction()
                    .zrem(&keys.repeat, &name)
                    .del(&key)
                    .run()
                    .await?;
                continue;
            };
            let occurrence = next.at();
            let job = match next {
                Next::At(at) if at <= now => codec::new_id(now),
                Next::Firing { job, since, .. }
                    if since <= now.saturating_sub(super::PROMOTION_GRACE_MS) =>
                {
                    // Its owner died between its two steps: take the same job over.
                    job
                }
                Next::At(at) => {
                    // The zset's score lags the hash (an upsert raced a pass): fix it.
                    self.st().zadd(&keys.repeat, at as f64, &name).await?;
                    continue;
                }
                Next::Firing { .. } => continue,
            };
            // Computed before claiming, so a definition this process cannot evaluate (a cron
            // schedule without the `cron` feature here) is left to processes that can.
            let following = match info.schedule.next_after(now.max(occurrence)) {
                Ok(following) => following,
                Err(e) => {
                    tracing::warn!(repeat = %name, error = %e, "cannot compute the next occurrence");
                    continue;
                }
            };
            let claim = format!("{occurrence}:{job}:{now}");
            let owned = self
                .st()
                .hcompare_and_set(&key, def::NEXT, text.map(Bytes::from), claim)
                .await?;
            if !owned {
                continue;
            }
            let times = Occurrence {
                at: occurrence,
                next: following,
                now,
            };
            self.enqueue_occurrence(&info, &fields, times, &job).await?;
            fired += 1;
        }
        Ok(fired)
    }

    /// Enqueues job `id` for an occurrence of a definition and advances it, atomically.
    async fn enqueue_occurrence(
        &self,
        info: &RepeatInfo,
        fields: &Fields,
        times: Occurrence,
        id: &str,
    ) -> Result<()> {
        let keys = self.keys();
        let Occurrence {
            at: occurrence,
            next,
            now,
        } = times;
        let payload: Value = serde_json::from_str(&info.data).unwrap_or(Value::Null);
        let mut job = NewJob::new(info.task_type.clone(), payload)
            .priority(Priority::Value(info.priority))
            .at_ms(occurrence);
        if let Some(retries) = fields.get(field::MAX_RETRIES).and_then(|v| v.parse().ok()) {
            job = job.max_retries(retries);
        }
        if let Some(ms) = fields.get(field::TIMEOUT_MS).and_then(|v| v.parse().ok()) {
            job = job.timeout(Duration::from_millis(ms));
        }
        let stamp = Stamp::new(now);
        let mut prepared = self.prepare(job, &stamp)?;
        prepared.set_id(id);
        prepared.set(field::REPEAT, info.name.clone());
        prepared.set(field::OCCURRENCE_MS, occurrence.to_string());
        let key = keys.repeat_def(&info.name);
        let mut batch = Batch::transaction(self.st());
        self.add_inserts(&mut batch, vec![&mut prepared], now);
        batch.hset_multiple(
            &key,
            codec::pairs([
                (def::NEXT, next.to_string()),
                (def::LAST_JOB, id.to_owned()),
                (def::LAST_MS, occurrence.to_string()),
            ]),
        );
        batch.zadd(&keys.repeat, next as f64, &info.name);
        batch.run().await?.check()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_is_aligned_to_the_epoch() {
        let s = Schedule::every(Duration::from_millis(1000));
        assert_eq!(s.next_after(0).unwrap(), 1000);
        assert_eq!(s.next_after(999).unwrap(), 1000);
        assert_eq!(s.next_after(1000).unwrap(), 2000);
        assert_eq!(s.next_after(-1).unwrap(), 0);
        assert_eq!(
            Schedule::every(Duration::ZERO)
                .next_after(5)
                .unwrap_err()
                .kind(),
            ErrorKind::InvalidInput
        );
    }

    #[test]
    fn next_fields_round_trip() {
        assert_eq!(Next::parse("17"), Some(Next::At(17)));
        assert_eq!(
            Next::parse("17:abc:20"),
            Some(Next::Firing {
                at: 17,
                job: "abc".into(),
                since: 20
            })
        );
        assert_eq!(Next::parse("x"), None);
        assert_eq!(Next::parse("17:abc"), None);
    }

    #[cfg(not(feature = "cron"))]
    #[test]
    fn cron_needs_the_feature() {
        let err = Schedule::cron("* * * * *", "UTC")
            .next_after(0)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unsupported);
    }

    #[cfg(feature = "cron")]
    #[test]
    fn cron_checks_expression_and_zone() {
        let bad = Schedule::cron("61 * * * *", "UTC")
            .next_after(0)
            .unwrap_err();
        assert_eq!(bad.kind(), ErrorKind::InvalidInput);
        let zone = Schedule::cron("* * * * *", "Mars/Olympus")
            .next_after(0)
            .unwrap_err();
        assert_eq!(zone.kind(), ErrorKind::InvalidInput);
        // Every minute, from 00:00:30 UTC: 00:01:00.
        let s = Schedule::cron("* * * * *", "UTC");
        assert_eq!(s.next_after(30_500).unwrap(), 60_000);
        assert_eq!(s.next_after(60_000).unwrap(), 120_000);
    }
}
