//! How jobs look in the store: queue scores, the fence field, job hashes, timestamps and ids.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use staunch_core::{Bytes, Error, ErrorKind, Name, Result};

use super::job::{JobInfo, JobStatus, MAX_PRIORITY, MIN_PRIORITY};

/// Unix ms of 2024-01-01T00:00:00Z: the origin of the FIFO fraction of queue scores.
pub(crate) const SCORE_EPOCH_MS: i64 = 1_704_067_200_000;
/// 2^42: milliseconds in the FIFO fraction's range (about 139 years).
const FIFO_SPAN: f64 = 4_398_046_511_104.0;

/// Hash fields of a job. The first six are the bot dashboard's.
///
/// A new job is written with the bot dashboard's six fields plus `max_retries`, and `run_at` only when it
/// is not due at creation: `token` and `attempts` start missing (read as 0; a claim's `HINCRBY`
/// creates them), the creation time in ms is the first 11 hex digits of the id, and `run_at`
/// defaults to it. Every field costs server time and client allocations on each enqueue (a bulk
/// enqueue of 1000 jobs writes 1000 hashes), so fields that only repeat what is known are left
/// out. Hashes written with the explicit fields (`created_ms`, `token: 0`, ...) read the same.
pub(crate) mod field {
    pub const ID: &str = "id";
    pub const TYPE: &str = "type";
    pub const DATA: &str = "data";
    pub const PRIORITY: &str = "priority";
    pub const CREATED_AT: &str = "created_at";
    pub const STATUS: &str = "status";
    pub const TOKEN: &str = "token";
    pub const ATTEMPTS: &str = "attempts";
    pub const MAX_RETRIES: &str = "max_retries";
    pub const CREATED_MS: &str = "created_ms";
    pub const RUN_AT: &str = "run_at";
    pub const TIMEOUT_MS: &str = "timeout_ms";
    pub const UNIQUE_KEY: &str = "unique_key";
    pub const PROGRESS: &str = "progress";
    pub const LAST_ERROR: &str = "last_error";
    pub const RESULT: &str = "result";
    pub const STARTED_AT: &str = "started_at";
    pub const FINISHED_AT: &str = "finished_at";
    pub const FINISHED_MS: &str = "finished_ms";
    /// A child's parent id.
    pub const PARENT: &str = "parent";
    /// `ignore` on a child whose death does not fail its parent.
    pub const PARENT_ON_FAILURE: &str = "parent_on_failure";
    /// The repeatable definition that enqueued the job.
    pub const REPEAT: &str = "repeat";
    /// The occurrence (Unix ms) a repeatable job stands for.
    pub const OCCURRENCE_MS: &str = "occurrence_ms";
    /// Prefix of a parent's fields holding a completed child's result (`child:{id}`).
    pub const CHILD: &str = "child:";
    /// Prefix of a parent's fields holding an ignored dead child's error (`child_error:{id}`).
    pub const CHILD_ERROR: &str = "child_error:";
}

/// The queue score of a job: `-priority + (run_at - 2024-01-01) / 2^42`.
///
/// The integer part is the bot dashboard's `-priority`; the fraction orders jobs of one priority by due
/// time. Both parts are exact in an f64 for |priority| ≤ 1000 and due times between 2024 and
/// 2163 (times outside are clamped, so FIFO order degrades to ties broken by id there).
pub(crate) fn queue_score(priority: i32, run_at_ms: i64) -> f64 {
    let offset = (run_at_ms - SCORE_EPOCH_MS).clamp(0, FIFO_SPAN as i64 - 1);
    -(priority as f64) + offset as f64 / FIFO_SPAN
}

/// The priority band a queue score lies in.
pub(crate) fn score_priority(score: f64) -> i32 {
    -(score.floor() as i32)
}

/// Checks a numeric priority.
pub(crate) fn check_priority(priority: i32) -> Result<()> {
    if (MIN_PRIORITY..=MAX_PRIORITY).contains(&priority) {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "priority {priority} is outside {MIN_PRIORITY}..={MAX_PRIORITY}"
        )))
    }
}

/// The `token` field: an integer while the job is open, `"<token>:<outcome>"` once a holder of
/// `<token>` has committed an outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fence {
    Open(u64),
    Closed(u64, Outcome),
}

/// Outcomes a fence can be closed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Completed,
    Dead,
    Cancelled,
    /// A retry is being scheduled (transient: reopened when the effects land).
    Retry,
    /// The lease is being given back (transient).
    Release,
}

impl Outcome {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Outcome::Completed => "completed",
            Outcome::Dead => "dead",
            Outcome::Cancelled => "cancelled",
            Outcome::Retry => "retry",
            Outcome::Release => "release",
        }
    }

    fn parse(text: &str) -> Option<Outcome> {
        Some(match text {
            "completed" => Outcome::Completed,
            "dead" => Outcome::Dead,
            "cancelled" => Outcome::Cancelled,
            "retry" => Outcome::Retry,
            "release" => Outcome::Release,
            _ => return None,
        })
    }

    /// The final status this outcome leaves, if it is final.
    pub(crate) fn final_status(self) -> Option<JobStatus> {
        match self {
            Outcome::Completed => Some(JobStatus::Completed),
            Outcome::Dead => Some(JobStatus::Dead),
            Outcome::Cancelled => Some(JobStatus::Cancelled),
            Outcome::Retry | Outcome::Release => None,
        }
    }
}

impl Fence {
    pub(crate) fn parse(text: &str) -> Option<Fence> {
        match text.split_once(':') {
            None => text.parse().ok().map(Fence::Open),
            Some((token, outcome)) => {
                Some(Fence::Closed(token.parse().ok()?, Outcome::parse(outcome)?))
            }
        }
    }

    pub(crate) fn closed(token: u64, outcome: Outcome) -> String {
        format!("{token}:{}", outcome.as_str())
    }
}

/// A job hash as field → text.
pub(crate) type Fields = HashMap<String, String>;

/// The fence of a job hash: a missing `token` is an open fence with token 0 (a job that was
/// never claimed); `None` for a value that is not a fence.
pub(crate) fn fence(fields: &Fields) -> Option<Fence> {
    match fields.get(field::TOKEN) {
        None => Some(Fence::Open(0)),
        Some(text) => Fence::parse(text),
    }
}

/// The creation time (Unix ms) a job id begins with (see [`new_id`]).
pub(crate) fn id_created_ms(id: &str) -> Option<i64> {
    i64::from_str_radix(id.get(..11)?, 16).ok()
}

/// Decodes an `HGETALL` reply.
pub(crate) fn fields(hash: HashMap<Name, Bytes>) -> Result<Fields> {
    hash.into_iter()
        .map(|(k, v)| {
            let k = k
                .into_string()
                .map_err(|k| corrupt(format!("job hash field name {k:?} is not UTF-8")))?;
            match String::from_utf8(v.to_vec()) {
                Ok(v) => Ok((k, v)),
                Err(_) => Err(corrupt(format!("job hash field {k} is not UTF-8"))),
            }
        })
        .collect()
}

fn num<T: std::str::FromStr>(fields: &Fields, name: &str) -> Option<T> {
    fields.get(name).and_then(|v| v.parse().ok())
}

/// Rebuilds a [`JobInfo`] from its hash; `None` when the hash is not a job (missing, or only
/// debris of a claim on a job that no longer exists).
pub(crate) fn job_info(id: &str, fields: &Fields) -> Option<JobInfo> {
    let task_type = fields.get(field::TYPE)?.clone();
    let created_at_ms = num(fields, field::CREATED_MS)
        .or_else(|| id_created_ms(id))
        .unwrap_or(0);
    let status = fields
        .get(field::STATUS)
        .and_then(|s| JobStatus::parse(s))
        .unwrap_or(JobStatus::Pending);
    Some(JobInfo {
        id: id.to_owned(),
        task_type,
        data: fields.get(field::DATA).cloned().unwrap_or_default(),
        priority: num(fields, field::PRIORITY).unwrap_or(0),
        status,
        attempts: num(fields, field::ATTEMPTS).unwrap_or(0),
        max_retries: num(fields, field::MAX_RETRIES).unwrap_or(0),
        created_at_ms,
        run_at_ms: num(fields, field::RUN_AT).unwrap_or(created_at_ms),
        finished_at_ms: num(fields, field::FINISHED_MS),
        timeout: num::<u64>(fields, field::TIMEOUT_MS).map(Duration::from_millis),
        unique_key: fields.get(field::UNIQUE_KEY).cloned(),
        progress: fields.get(field::PROGRESS).cloned(),
        last_error: fields.get(field::LAST_ERROR).cloned(),
        result: fields.get(field::RESULT).cloned(),
        parent: fields.get(field::PARENT).cloned(),
        fail_parent: fields.get(field::PARENT_ON_FAILURE).map(String::as_str) != Some("ignore"),
        repeat: fields.get(field::REPEAT).cloned(),
    })
}

/// Field/value pairs for `HSET`.
pub(crate) fn pairs<const N: usize>(items: [(&str, String); N]) -> Vec<(String, Bytes)> {
    items
        .into_iter()
        .map(|(k, v)| (k.to_owned(), Bytes::from(v)))
        .collect()
}

/// Field/value pairs for `HSET`, from a list built at run time.
pub(crate) fn pairs_of(items: Vec<(&str, String)>) -> Vec<(String, Bytes)> {
    items
        .into_iter()
        .map(|(k, v)| (k.to_owned(), Bytes::from(v)))
        .collect()
}

/// A new job id: creation time (ms, hex) then a process-wide counter then randomness, so ids
/// sort by creation order within one process (ties of equal queue scores stay FIFO).
pub(crate) fn new_id(now_ms: i64) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed) & 0xffff_ffff;
    let r: u32 = rand::random::<u32>();
    format!("{:011x}{n:08x}{r:08x}", now_ms.max(0))
}

/// `n` as decimal text; without an allocation for the small numbers most jobs carry
/// (priorities, retry limits).
pub(crate) fn int_text(n: i64) -> Bytes {
    const SMALL: [&str; 16] = [
        "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15",
    ];
    match usize::try_from(n).ok().and_then(|i| SMALL.get(i)) {
        Some(text) => Bytes::from_static(text.as_bytes()),
        None => Bytes::from(n.to_string()),
    }
}

/// Unix ms as ISO 8601 UTC (`2025-09-28T05:15:14Z`), as the bot dashboard layout writes timestamps.
pub(crate) fn iso8601(unix_ms: i64) -> String {
    let secs = unix_ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Converts a duration to whole milliseconds (at least 1).
pub(crate) fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX).max(1)
}

/// An error for a reply that breaks the queue's own invariants.
pub(crate) fn corrupt(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Corrupt, message)
}

/// The error for a stale lease (see [`super::is_lease_lost`]).
pub(crate) fn lease_lost(id: &str, token: u64) -> Error {
    Error::new(
        ErrorKind::Locked,
        format!("lease lost: job {id} is no longer held with fencing token {token}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_order_priority_then_time() {
        let t = 1_800_000_000_000;
        assert!(queue_score(10, t + 5) < queue_score(9, t));
        assert!(queue_score(5, t) < queue_score(5, t + 1));
        assert_eq!(score_priority(queue_score(10, t)), 10);
        assert_eq!(score_priority(queue_score(-3, t)), -3);
        assert_eq!(score_priority(queue_score(1000, SCORE_EPOCH_MS)), 1000);
        assert!(queue_score(-1000, t) < queue_score(-1000, t + 1));
        assert!(queue_score(1000, t) < queue_score(1000, t + 1));
    }

    #[test]
    fn fences_round_trip() {
        assert_eq!(Fence::parse("7"), Some(Fence::Open(7)));
        assert_eq!(
            Fence::parse(&Fence::closed(7, Outcome::Dead)),
            Some(Fence::Closed(7, Outcome::Dead))
        );
        assert_eq!(Fence::parse("x"), None);
    }

    #[test]
    fn ids_carry_their_creation_time() {
        let id = new_id(1_759_036_514_123);
        assert_eq!(id_created_ms(&id), Some(1_759_036_514_123));
        assert_eq!(id_created_ms("short"), None);
        assert_eq!(id_created_ms("not-hex-at-all-but-long"), None);
    }

    #[test]
    fn a_missing_token_is_an_open_fence() {
        assert_eq!(fence(&Fields::new()), Some(Fence::Open(0)));
        let closed = Fields::from([(field::TOKEN.to_owned(), "3:dead".to_owned())]);
        assert_eq!(fence(&closed), Some(Fence::Closed(3, Outcome::Dead)));
    }

    #[test]
    fn iso_dates() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(1_759_036_514_000), "2025-09-28T05:15:14Z");
    }
}
