//! [`Command::QueueStep`] beyond its row: the meaning of its key list, the events it publishes
//! and the plain commands that reproduce what it did (its `effects` rule).
//!
//! The step is the queue service's steady state in one atomic operation (on Redis one Lua
//! script, in the memory engine one command under its locks): complete the job a worker holds
//! and claim the next ones. Every backend builds its reply and its events from the helpers here,
//! so the step cannot mean two things.

use bytes::Bytes;

use super::{Command, Field, Key};
use crate::error::{Error, Result};
use crate::families::QueueStepReply;
use crate::options::{Expiry, QueueStepOptions, ZAddOptions};
use crate::reply::Reply;

/// The hash field a completed job's fence, status and times are written to.
pub mod field {
    /// The fencing token (an integer while the job is open).
    pub const TOKEN: &str = "token";
    /// Attempts made.
    pub const ATTEMPTS: &str = "attempts";
    /// The job's status.
    pub const STATUS: &str = "status";
    /// When the current attempt started (ISO 8601).
    pub const STARTED_AT: &str = "started_at";
    /// When the job finished (ISO 8601).
    pub const FINISHED_AT: &str = "finished_at";
    /// When the job finished (Unix ms).
    pub const FINISHED_MS: &str = "finished_ms";
    /// The result (JSON).
    pub const RESULT: &str = "result";
    /// The unique key.
    pub const UNIQUE_KEY: &str = "unique_key";
    /// The counter of completed jobs in the counters hash.
    pub const COMPLETED: &str = "completed";
}

/// The keys of a [`Command::QueueStep`], by role.
#[derive(Debug, Clone, Copy)]
pub struct QueueStepKeys<'a> {
    /// Pending jobs (zset).
    pub pending: &'a [u8],
    /// Claimed jobs by lease deadline (zset).
    pub processing: &'a [u8],
    /// Delayed jobs by due time (zset).
    pub scheduled: &'a [u8],
    /// Present while the queue is paused.
    pub paused: &'a [u8],
    /// Counters (hash).
    pub stats: &'a [u8],
    /// Prefix of job hashes.
    pub jobs: &'a [u8],
    /// Prefix of unique-key strings.
    pub unique: &'a [u8],
    /// Completed jobs by finish time (zset).
    pub completed: &'a [u8],
}

impl<'a> QueueStepKeys<'a> {
    /// The roles of `keys` in the order the row documents; `InvalidInput` for another length.
    pub fn parse(keys: &'a [Key]) -> Result<Self> {
        match keys {
            [
                pending,
                processing,
                scheduled,
                paused,
                stats,
                jobs,
                unique,
                completed,
            ] => Ok(QueueStepKeys {
                pending: pending.as_bytes(),
                processing: processing.as_bytes(),
                scheduled: scheduled.as_bytes(),
                paused: paused.as_bytes(),
                stats: stats.as_bytes(),
                jobs: jobs.as_bytes(),
                unique: unique.as_bytes(),
                completed: completed.as_bytes(),
            }),
            _ => Err(Error::invalid(format!(
                "QUEUESTEP takes 8 keys (pending, processing, scheduled, paused, stats, job \
                 prefix, unique prefix, completed), got {}",
                keys.len()
            ))),
        }
    }

    /// The hash of job `id`.
    pub fn job(&self, id: &[u8]) -> Key {
        Key::from([self.jobs, id].concat())
    }

    /// The string of unique key `unique`.
    pub fn unique_key(&self, unique: &str) -> Key {
        Key::from([self.unique, unique.as_bytes()].concat())
    }
}

/// The JSON message announcing that job `id` completed at `at`.
pub fn completed_event(id: &str, at: i64) -> Bytes {
    Bytes::from(format!(
        r#"{{"event":"status","id":{},"status":"completed","at":{at}}}"#,
        json_string(id)
    ))
}

/// The JSON message announcing that `ids` started processing at `at` (`status` for one job,
/// `statuses` for several; nothing for none).
pub fn processing_event(ids: &[Bytes], at: i64) -> Option<Bytes> {
    let text = match ids {
        [] => return None,
        [id] => format!(
            r#"{{"event":"status","id":{},"status":"processing","at":{at}}}"#,
            json_string(&String::from_utf8_lossy(id))
        ),
        _ => {
            let list: Vec<String> = ids
                .iter()
                .map(|id| json_string(&String::from_utf8_lossy(id)))
                .collect();
            format!(
                r#"{{"event":"statuses","ids":[{}],"status":"processing","at":{at}}}"#,
                list.join(",")
            )
        }
    };
    Some(Bytes::from(text))
}

/// `text` as a JSON string literal (ids are plain ASCII in practice; anything else is escaped).
fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The fields a completion writes to the job's hash, in order.
pub fn finish_fields(step: &QueueStepOptions) -> Vec<(Field, Bytes)> {
    let Some(finish) = &step.finish else {
        return Vec::new();
    };
    let mut fields = vec![
        (
            Field::from_static(field::TOKEN),
            Bytes::from(format!("{}:completed", finish.token)),
        ),
        (
            Field::from_static(field::STATUS),
            Bytes::from_static(b"completed"),
        ),
        (
            Field::from_static(field::FINISHED_AT),
            Bytes::from(step.now_text.clone()),
        ),
        (
            Field::from_static(field::FINISHED_MS),
            Bytes::from(step.now_ms.to_string()),
        ),
    ];
    if let Some(result) = &finish.result {
        fields.push((Field::from_static(field::RESULT), result.clone()));
    }
    fields
}

/// The fields a claim writes to each claimed job's hash (after reading it).
pub fn claim_fields(step: &QueueStepOptions) -> Vec<(Field, Bytes)> {
    vec![
        (
            Field::from_static(field::STATUS),
            Bytes::from_static(b"processing"),
        ),
        (
            Field::from_static(field::STARTED_AT),
            Bytes::from(step.now_text.clone()),
        ),
    ]
}

/// The plain commands that reproduce what a step did, given its reply (see
/// `command::effects`): the completion's writes when it applied, then each claimed job's.
pub(crate) fn effects(keys: &[Key], step: &QueueStepOptions, reply: &Reply) -> Vec<Command> {
    let Ok(keys) = QueueStepKeys::parse(keys) else {
        return Vec::new();
    };
    let Ok(reply) = <QueueStepReply as crate::FromReply>::from_reply(reply.clone()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let (Some(true), Some(finish)) = (reply.finished, &step.finish) {
        let task = keys.job(finish.id.as_bytes());
        let id = Bytes::from(finish.id.clone());
        out.push(Command::HSet {
            key: task.clone(),
            fields: finish_fields(step),
        });
        out.push(Command::ZRem {
            key: keys.processing.to_owned().into(),
            members: vec![id.clone()],
        });
        if finish.keep_ms == 0 {
            out.push(Command::Del { keys: vec![task] });
        } else {
            out.push(Command::ZAdd {
                key: keys.completed.to_owned().into(),
                members: vec![(step.now_ms as f64, id.clone())],
                options: ZAddOptions::default(),
            });
            let at = step
                .now_ms
                .saturating_add(i64::try_from(finish.keep_ms).unwrap_or(i64::MAX));
            out.push(Command::Expire {
                key: task,
                expiry: Expiry::AtMillis(at),
                condition: None,
            });
        }
        out.push(Command::HIncrBy {
            key: keys.stats.to_owned().into(),
            field: Field::from_static(field::COMPLETED),
            delta: 1,
        });
        if let Some(unique) = &finish.unique {
            out.push(Command::CompareAndDelete {
                key: keys.unique_key(unique),
                expected: id,
            });
        }
    }
    if reply.jobs.is_empty() {
        return out;
    }
    out.push(Command::ZRem {
        key: keys.pending.to_owned().into(),
        members: reply.jobs.iter().map(|j| j.id.clone()).collect(),
    });
    out.push(Command::ZAdd {
        key: keys.processing.to_owned().into(),
        members: reply
            .jobs
            .iter()
            .map(|j| (step.until_ms as f64, j.id.clone()))
            .collect(),
        options: ZAddOptions::default(),
    });
    for job in &reply.jobs {
        let task = keys.job(&job.id);
        if job.token > 0 {
            out.push(Command::HIncrBy {
                key: task.clone(),
                field: Field::from_static(field::TOKEN),
                delta: 1,
            });
        }
        out.push(Command::HIncrBy {
            key: task.clone(),
            field: Field::from_static(field::ATTEMPTS),
            delta: 1,
        });
        out.push(Command::HSet {
            key: task,
            fields: claim_fields(step),
        });
    }
    out
}

impl Command {
    /// True for a command that also touches keys it derives from what it reads (job hashes
    /// named by the ids in a queue), beyond those [`Command::keys`] lists: a backend that locks
    /// by key must lock everything for it, as for a keyless command.
    pub fn derives_keys(&self) -> bool {
        matches!(self, Command::QueueStep { .. })
    }
}
