//! What a job is: [`NewJob`] going in, [`JobInfo`] coming out, [`Lease`] while it runs, and
//! the small value types around them ([`Priority`], [`JobStatus`], [`BotTask`], ...).

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use staunch_core::{Error, Result};

/// Lowest accepted numeric priority (see the score encoding in the module docs).
pub const MIN_PRIORITY: i32 = -1000;
/// Highest accepted numeric priority.
pub const MAX_PRIORITY: i32 = 1000;

/// How urgent a job is: higher runs first. Named levels map onto the bot dashboard's numbers
/// (`High` = 10 like `login`, `Normal` = 5 like `job_check`, `Low` = 1 like `screenshot`);
/// any number in `MIN_PRIORITY..=MAX_PRIORITY` is accepted.
#[derive(Debug, Clone, Copy, Default)]
pub enum Priority {
    /// 10.
    High,
    /// 5 (the default).
    #[default]
    Normal,
    /// 1.
    Low,
    /// Any other number.
    Value(i32),
}

impl Priority {
    /// The number this priority stands for.
    pub fn value(self) -> i32 {
        match self {
            Priority::High => 10,
            Priority::Normal => 5,
            Priority::Low => 1,
            Priority::Value(v) => v,
        }
    }
}

impl PartialEq for Priority {
    fn eq(&self, other: &Self) -> bool {
        self.value() == other.value()
    }
}
impl Eq for Priority {}

impl From<i32> for Priority {
    fn from(value: i32) -> Self {
        Priority::Value(value)
    }
}

/// The bot dashboard's task types with their fixed priorities.
///
/// `job_reject` has no priority in the bot dashboard; staunch gives it 8, the same as `job_accept`:
/// both answer the same offer and a late answer is as useless either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BotTask {
    /// `login`, priority 10.
    Login,
    /// `job_accept`, priority 8.
    JobAccept,
    /// `job_reject`, priority 8 (staunch's choice).
    JobReject,
    /// `navigation`, priority 7.
    Navigation,
    /// `job_check`, priority 5.
    JobCheck,
    /// `screenshot`, priority 1.
    Screenshot,
}

impl BotTask {
    /// Every task type of the bot dashboard.
    pub const ALL: [BotTask; 6] = [
        BotTask::Login,
        BotTask::JobAccept,
        BotTask::JobReject,
        BotTask::Navigation,
        BotTask::JobCheck,
        BotTask::Screenshot,
    ];

    /// The `type` field value.
    pub fn as_str(self) -> &'static str {
        match self {
            BotTask::Login => "login",
            BotTask::JobAccept => "job_accept",
            BotTask::JobReject => "job_reject",
            BotTask::Navigation => "navigation",
            BotTask::JobCheck => "job_check",
            BotTask::Screenshot => "screenshot",
        }
    }

    /// The task type named by a `type` field value (`login`, `job_check`, ...); `None` for
    /// any other text.
    pub fn parse(text: &str) -> Option<BotTask> {
        BotTask::ALL.into_iter().find(|task| task.as_str() == text)
    }

    /// The bot dashboard's priority.
    pub fn priority(self) -> Priority {
        Priority::Value(match self {
            BotTask::Login => 10,
            BotTask::JobAccept | BotTask::JobReject => 8,
            BotTask::Navigation => 7,
            BotTask::JobCheck => 5,
            BotTask::Screenshot => 1,
        })
    }
}

/// When a job becomes due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunAt {
    /// As soon as possible.
    Now,
    /// This long after it is enqueued.
    After(Duration),
    /// At this Unix time in milliseconds.
    AtMs(i64),
}

/// A job to enqueue: task type, typed payload and options. Built with chained setters.
#[derive(Debug, Clone)]
pub struct NewJob<T> {
    pub(crate) task_type: String,
    pub(crate) payload: T,
    pub(crate) priority: Priority,
    pub(crate) run_at: RunAt,
    pub(crate) max_retries: Option<u32>,
    pub(crate) unique_key: Option<String>,
    pub(crate) timeout: Option<Duration>,
}

impl<T: Serialize> NewJob<T> {
    /// A job of `task_type` carrying `payload` (stored as JSON), `Normal` priority, due now.
    pub fn new(task_type: impl Into<String>, payload: T) -> Self {
        NewJob {
            task_type: task_type.into(),
            payload,
            priority: Priority::Normal,
            run_at: RunAt::Now,
            max_retries: None,
            unique_key: None,
            timeout: None,
        }
    }

    /// A the bot dashboard layout task with the dashboard's priority.
    pub fn bot(task: BotTask, payload: T) -> Self {
        NewJob::new(task.as_str(), payload).priority(task.priority())
    }

    /// Sets the priority.
    pub fn priority(mut self, priority: impl Into<Priority>) -> Self {
        self.priority = priority.into();
        self
    }
    /// Makes the job due `delay` after it is enqueued.
    pub fn delay(mut self, delay: Duration) -> Self {
        self.run_at = RunAt::After(delay);
        self
    }
    /// Makes the job due at a Unix time in milliseconds.
    pub fn at_ms(mut self, unix_ms: i64) -> Self {
        self.run_at = RunAt::AtMs(unix_ms);
        self
    }
    /// Sets how many times a failed job is retried (the queue's default otherwise).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = Some(retries);
        self
    }
    /// While a job with this key is live (not completed, dead or cancelled), enqueueing another
    /// returns the live job's id instead.
    pub fn unique(mut self, key: impl Into<String>) -> Self {
        self.unique_key = Some(key.into());
        self
    }
    /// Fails an attempt that runs longer than `timeout` (enforced by workers).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }
}

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum JobStatus {
    /// In the queue, waiting for a worker.
    Pending,
    /// Waiting for its due time (delayed, or a retry waiting out its backoff: see `Failed`).
    Scheduled,
    /// Claimed by a worker holding a lease.
    Processing,
    /// Done; the result is kept for the configured time.
    Completed,
    /// An attempt failed and a retry is scheduled.
    Failed,
    /// Out of retries: in the dead-letter queue.
    Dead,
    /// Cancelled before it ran.
    Cancelled,
    /// A flow's parent waiting until every child has completed (see [`Flow`](super::Flow)).
    WaitingChildren,
}

impl JobStatus {
    /// The `status` field value.
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Pending => "pending",
            JobStatus::Scheduled => "scheduled",
            JobStatus::Processing => "processing",
            JobStatus::Completed => "completed",
            JobStatus::Failed => "failed",
            JobStatus::Dead => "dead",
            JobStatus::Cancelled => "cancelled",
            JobStatus::WaitingChildren => "waiting-children",
        }
    }

    /// Parses a `status` field value.
    pub fn parse(text: &str) -> Option<JobStatus> {
        Some(match text {
            "pending" => JobStatus::Pending,
            "scheduled" => JobStatus::Scheduled,
            "processing" => JobStatus::Processing,
            "completed" => JobStatus::Completed,
            "failed" => JobStatus::Failed,
            "dead" => JobStatus::Dead,
            "cancelled" => JobStatus::Cancelled,
            "waiting-children" => JobStatus::WaitingChildren,
            _ => return None,
        })
    }

    /// True for completed, dead and cancelled jobs.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            JobStatus::Completed | JobStatus::Dead | JobStatus::Cancelled
        )
    }
}

impl fmt::Display for JobStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A job as stored: everything `get(id)` knows.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct JobInfo {
    /// The job id.
    pub id: String,
    /// The task type (`type` field).
    pub task_type: String,
    /// The payload as JSON text (`data` field).
    pub data: String,
    /// Numeric priority.
    pub priority: i32,
    /// Current status.
    pub status: JobStatus,
    /// Attempts started so far (claims, including ones whose lease expired).
    pub attempts: u32,
    /// Retries allowed after the first attempt.
    pub max_retries: u32,
    /// When it was enqueued, Unix ms.
    pub created_at_ms: i64,
    /// When it became (or becomes) due, Unix ms.
    pub run_at_ms: i64,
    /// When it finished, Unix ms.
    pub finished_at_ms: Option<i64>,
    /// Per-attempt time limit.
    pub timeout: Option<Duration>,
    /// Unique key, if any.
    pub unique_key: Option<String>,
    /// Last progress report, as JSON text.
    pub progress: Option<String>,
    /// Error of the last failed attempt.
    pub last_error: Option<String>,
    /// Result of a completed job, as JSON text.
    pub result: Option<String>,
    /// The parent job, for a child of a [`Flow`](super::Flow).
    pub parent: Option<String>,
    /// For a child: whether its death (out of retries, or cancelled) fails its parent
    /// ([`ChildFailure::FailParent`](super::ChildFailure), the default) or is ignored.
    pub fail_parent: bool,
    /// The repeatable definition that enqueued this job, if any.
    pub repeat: Option<String>,
}

impl JobInfo {
    /// Decodes the payload.
    pub fn payload<T: DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_str(&self.data)
            .map_err(|e| Error::invalid(format!("job {} payload does not decode: {e}", self.id)))
    }

    /// Decodes the result, if there is one.
    pub fn result<T: DeserializeOwned>(&self) -> Result<Option<T>> {
        self.result
            .as_deref()
            .map(|text| {
                serde_json::from_str(text).map_err(|e| {
                    Error::invalid(format!("job {} result does not decode: {e}", self.id))
                })
            })
            .transpose()
    }
}

/// A claimed job: the job and the fencing token that proves the claim is still the current
/// one. Pass it to `heartbeat`, `progress`, `complete`, `fail` or `release`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Lease {
    /// The job as claimed (status `Processing`, `attempts` counting this one).
    pub job: JobInfo,
    /// The fencing token of this claim; a later claim of the same job gets a larger one.
    pub token: u64,
    /// When the lease runs out unless renewed, Unix ms.
    pub expires_at_ms: i64,
}

impl Lease {
    /// The job id.
    pub fn id(&self) -> &str {
        &self.job.id
    }
}

/// What [`Queue::complete_and_claim`](super::Queue::complete_and_claim) did.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Stepped {
    /// The completion did not apply: the lease's token was stale (the job was reaped and
    /// claimed again, or already finished). The holder must forget the job.
    pub lease_lost: bool,
    /// The jobs claimed next (empty when none is due, the queue is paused, or none was asked).
    pub next: Vec<Lease>,
}

/// What `fail` did with the job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOutcome {
    /// A retry is scheduled at this Unix time in ms.
    Retrying {
        /// When the next attempt becomes due.
        run_at_ms: i64,
    },
    /// Out of retries (or failed permanently): moved to the dead-letter queue.
    Dead,
}

/// What `enqueue` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enqueued {
    /// The job's id (the live job's, for a duplicate).
    pub id: String,
    /// True when a live job with the same unique key already existed and nothing was added.
    pub duplicate: bool,
}

/// How many jobs are in each live state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Sizes {
    /// Waiting in the queue (and in transit to it).
    pub pending: u64,
    /// Waiting for their time (delayed jobs and retries).
    pub scheduled: u64,
    /// Claimed.
    pub processing: u64,
    /// Dead letters.
    pub dead: u64,
    /// Flow parents waiting for their children.
    pub waiting_children: u64,
    /// Pending jobs per numeric priority.
    pub pending_by_priority: BTreeMap<i32, u64>,
}

/// Running totals since the queue's keys were created (serializes as an object with these
/// field names, for dashboards).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Counters {
    /// Jobs enqueued (duplicates not counted).
    pub enqueued: u64,
    /// Jobs completed.
    pub completed: u64,
    /// Attempts that failed (including those retried).
    pub failed: u64,
    /// Retries scheduled.
    pub retried: u64,
    /// Jobs moved to the dead-letter queue.
    pub dead: u64,
    /// Jobs cancelled.
    pub cancelled: u64,
    /// Expired leases taken back by the reaper.
    pub reaped: u64,
}

/// What one `maintain` pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Maintenance {
    /// Expired leases taken back (their jobs are due again).
    pub reaped: u64,
    /// Due jobs moved into the queue.
    pub promoted: u64,
    /// Completed jobs and dead letters deleted by the removal policies.
    pub removed: u64,
    /// Jobs enqueued by repeatable definitions whose occurrence had come.
    pub repeated: u64,
    /// Flow parents found with every child done by the reconciler and released (normally
    /// the child's own completion releases its parent; this catches a crash in between).
    pub released: u64,
    /// The earliest time a scheduled job or a lease comes due, if any.
    pub next_due_ms: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bot_task_names_round_trip() {
        for task in BotTask::ALL {
            assert_eq!(BotTask::parse(task.as_str()), Some(task));
        }
        assert_eq!(BotTask::parse("LOGIN"), None);
        assert_eq!(BotTask::parse("dance"), None);
        assert_eq!(BotTask::parse(""), None);
    }
}
