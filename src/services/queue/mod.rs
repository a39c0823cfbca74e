//! A priority task queue with leases, fencing tokens, retries, dead letters and workers, on any
//! [`Store`](staunch_core::Store) (the bot dashboard and the Transform Army guide).
//!
//! ```no_run
//! use std::sync::Arc;
//! use staunch::queue::{BotTask, NewJob, Queue};
//!
//! # async fn demo(store: Arc<dyn staunch::Store>) -> staunch::Result<()> {
//! let queue = Queue::new(store);
//! let job = queue.enqueue(NewJob::bot(BotTask::Login, serde_json::json!({"username": "u"}))).await?;
//! if let Some(lease) = queue.claim().await? {
//!     queue.complete_with(&lease, &"logged in").await?;
//! }
//! # let _ = job; Ok(()) }
//! ```
//!
//! # Layout
//!
//! - `queue`: [`Queue`], enqueue (single, bulk, unique).
//! - `claim`: the step (complete-and-claim-next), claiming under a lease, promoting due jobs.
//! - `outcome`: heartbeat, progress, complete, fail, release, cancel.
//! - `admin`: pause/resume, `get`, sizes, counters, maintenance, dead letters, events.
//! - `browse`: the dashboard's admin API (jobs by state with paging, counts, retry, promote,
//!   remove, clean) and the removal policies.
//! - `repeat`: repeatable jobs ([`Repeat`], [`Schedule`]: every N, cron in a time zone).
//! - `flow`: job dependencies ([`Flow`]: a parent that runs when its children are done).
//! - `worker`: [`Worker`], handlers per task type, concurrency, graceful shutdown.
//! - `job`, `config`, `events`, `codec`: value types, settings, the channel, the
//!   stored format.
//!
//! # Data in the store (readable with `redis-cli`)
//!
//! The default prefix is `queue` ([`QueueConfig::prefix`]); the bot service sets `bot`, which
//! gives the bot dashboard's own layout (`bot:tasks:queue`, `bot:task:{id}`). With prefix `P`:
//!
//! | key | type | what |
//! |---|---|---|
//! | `P:tasks:queue` | zset | pending job ids, score `-priority + fifo` (below) |
//! | `P:task:{id}` | hash | the job: the bot dashboard's `id type data priority created_at status` and `max_retries`, then as they come into play `token attempts run_at timeout_ms unique_key progress last_error result started_at finished_at finished_ms` |
//! | `P:tasks:scheduled` | zset | delayed jobs and retries, score = due time (Unix ms) |
//! | `P:tasks:promoting` | zset | due jobs in transit to the queue (crash-safe hand-over) |
//! | `P:tasks:processing` | zset | claimed jobs, score = lease deadline (Unix ms) |
//! | `P:tasks:dead` | zset | dead letters, score = time of death |
//! | `P:tasks:paused` | string | present while paused |
//! | `P:tasks:stats` | hash | counters `enqueued completed failed retried dead cancelled reaped` |
//! | `P:tasks:completed` | zset | completed jobs kept for the result TTL, score = finish time |
//! | `P:tasks:limiter` | string | claims in the rate limit's current window (TTL = the window) |
//! | `P:tasks:unique:{key}` | string | id of the live job holding a unique key |
//! | `P:tasks:waiting-children` | zset | flow parents waiting for their children (score: see `flow`) |
//! | `P:tasks:deps:{id}` | set | the children parent `id` still waits for |
//! | `P:tasks:repeat` | zset | repeatable definition names, score = next occurrence (Unix ms) |
//! | `P:tasks:repeat:{name}` | hash | a repeatable definition: `name type data priority max_retries timeout_ms`, `every_ms` or `cron tz`, `next last_job last_ms` |
//! | `P:tasks:events` | channel | JSON state changes ([`QueueEvent`]) |
//!
//! With [`QueueConfig::hash_tag`] the prefix becomes `{bot}`, so all keys of a queue share one
//! Redis Cluster slot (every multi-key step touches only these keys).
//!
//! A flow's child carries `parent` (and `parent_on_failure = ignore` under
//! [`ChildFailure::Ignore`]); its parent keeps each ended child's result as `child:{id}` (JSON)
//! or its error as `child_error:{id}`. A repeatable job carries `repeat` (the definition) and
//! `occurrence_ms`.
//!
//! `data`, `result` and `progress` are JSON; times are ISO 8601 in the bot dashboard's fields
//! (`created_at`, ...) and Unix ms in the `*_ms`/`run_at` fields the queue computes with.
//! A new job's hash holds only what cannot be derived, because a bulk enqueue writes one hash
//! per job and every field costs: `token` and `attempts` appear at the first claim (missing
//! reads as 0), `run_at` only for a job not due at once (missing: its creation time), and the
//! creation time in ms is the id's first 11 hex digits (hashes written before this rule carry
//! `created_ms`, `token 0`, ...; they read the same).
//!
//! # Score encoding
//!
//! A pending job's score is `-priority + (run_at - 2024-01-01) / 2^42` with `run_at` its due
//! time in ms. The integer part is the bot dashboard's `-priority`, so `ZRANGE P:tasks:queue 0 -1
//! WITHSCORES` reads as the bot dashboard says, lowest score = highest priority; the fraction orders one
//! priority's jobs by due time (FIFO). Both parts are exact in an f64 for priorities in
//! `-1000..=1000` ([`MIN_PRIORITY`], [`MAX_PRIORITY`]; others are rejected) and due times from
//! 2024 to 2163 (clamped outside). Jobs due in the same millisecond tie and are ordered by id,
//! and ids begin with their creation time and a per-process counter, so one producer's jobs
//! stay FIFO. A retried job is due at its retry time; a released or reaped job keeps its due
//! time and so its place near the head of its priority.
//!
//! # How steps stay atomic
//!
//! The hot path is one atomic command of the contract, `QueueStep` (wire tag 200: a Lua script
//! on Redis, one engine step under the locks on memory and file, with the same effects rule
//! for `Failover`'s journal). The rest is built from the contract's atomic building blocks,
//! and the rule is *whoever atomically removes a job from a waiting set owns the next step*:
//!
//! - **The step** ([`Queue::complete_and_claim`], [`Queue::claim_many`], [`Queue::complete`]):
//!   first, if the caller holds a job, its completion applies when its `token` still equals
//!   the holder's (the fence closes as `"T:completed"`, the job leaves `processing`, gets its
//!   status, times and result, expires after the result TTL, the counter and the unique key
//!   follow, an event is published); then, unless the paused flag is set or a scheduled job
//!   is due, it pops up to `n` best pending jobs into `processing` at the lease deadline,
//!   increments each one's `token` (the fencing token) and `attempts`, reads it, marks it
//!   `processing` and announces them in one event. Concurrent steps never get the same job.
//!   When scheduled jobs are due the step claims nothing; the client promotes them and steps
//!   again, so a due job of higher priority is never overtaken. One round trip.
//! - **Other outcomes** (fail → retry or dead, release, cancel) first close the fence: an
//!   `HCompareAndSet` turns `token` from the holder's `T` into `"T:<outcome>"`. It fails for a
//!   stale holder (the job was reaped and re-claimed, so the token moved on, or someone else
//!   already finished it), which gets an error of kind `Locked` ([`is_lease_lost`]). The
//!   effects follow in one atomic batch. The result or error is written with the fence, as a
//!   field named for the token (`result:T`, `last_error:T`), so it survives too. A crash
//!   between the two steps leaves a closed fence; the next claim or promotion that meets it
//!   completes the effects (a retry or release is reopened, a completion/death/cancel is
//!   settled with its result or error), so no outcome is lost or applied twice. A claim's
//!   `HINCRBY` on a closed fence fails, so a finished job is never run again.
//!   Counters are exact except in that crash window: a settled outcome is counted when its
//!   status shows its effects never landed.
//! - **Heartbeat** checks the token, then extends the lease with `ZADD XX GT`.
//! - **Reaper** ([`Queue::maintain`]): `ZMoveByScore` moves leases past their deadline to
//!   `scheduled` as due now and promotes them at once, bumping their token so the old
//!   holder's lease is lost from then on (a holder that finishes after its deadline but before
//!   the reaper ran still succeeds). The attempt stays counted, and a claim that finds a job
//!   out of attempts dead-letters it with `last_error = "lease expired"`.
//! - **Promotion** (in `claim` when due jobs exist, and in `maintain`): `ZMoveByScore` moves
//!   due ids to `promoting`, then one atomic batch adds each to the queue at its score (and
//!   sets `status` to `pending` only if nobody changed it meanwhile). A promoter that dies
//!   midway leaves ids in `promoting`; after 60 s they go back to `scheduled` and are promoted
//!   again.
//! - **Unique keys**: `CompareAndSet` (`SET NX` with a 30 s reservation TTL) on
//!   `P:tasks:unique:{key}`, made permanent by the enqueue batch and removed with
//!   `CompareAndDelete` when the job completes, dies or is cancelled. A key left behind by a
//!   finished job whose cleanup was interrupted is taken over.
//! - **Pause** is a flag the step reads before it claims anything.
//! - **Repeats**: whoever compare-and-sets a definition's `next` owns the occurrence.
//! - **Flows**: whoever empties a parent's set of outstanding children releases it, with a
//!   `ZMoveByScore` that hands each released parent to exactly one mover.
//!
//! Delivery is at least once: a job runs again only when its lease ran out (a crashed or
//! stalled worker), and then the stale worker can no longer complete, fail or renew it.
//! Without heartbeats a handler running longer than the lease may be run twice; workers renew
//! at a third of the lease. The `status` field is written next to the moves that change the
//! state, so after a crash it can lag for a moment; `sizes` (the sets) are authoritative.
//!
//! Cancelling works on jobs that have not started (pending, scheduled, waiting for a retry);
//! a running job is not interrupted (its handler would have to cooperate).
//!
//! # Round trips (Redis)
//!
//! A worker's steady state is **one round trip per job**: each slot's completion claims the
//! slot's next job in the same step, and a worker with free slots claims for all of them in
//! one step (`tests/queue_suite/steady.rs` counts it on every backend). Enqueue 1 (bulk: 1
//! for any number of jobs; +1 with unique keys), claim 1 (+1 per promotion when jobs are
//! due), complete 1, fail 2, heartbeat 2, `maintain` 8 when idle (reaping,
//! promotion, repeats, flows, the two removal policies, the next due time). Every state change also
//! publishes one message on `P:tasks:events`, inside the same atomic step or batch.
//!
//! # Retention (removal policies)
//!
//! By age: completed and cancelled jobs expire after [`QueueConfig::result_ttl`] (default
//! 1 h; 0 deletes a completed job at once), dead letters after [`QueueConfig::dead_ttl`]
//! (default 7 days). By count: [`QueueConfig::max_completed`] and [`QueueConfig::max_dead`]
//! keep only the newest so many. Completed jobs are listed in `P:tasks:completed` (written by
//! the step), dead letters in `P:tasks:dead`; each [`Queue::maintain`] pass (every worker runs
//! one per maintenance interval) deletes, oldest first, what is past its age or beyond its
//! count, so a count may be exceeded until the next pass. Live jobs never expire. Nothing grows
//! without bound as long as jobs finish.
//!
//! # Admin API (for dashboards)
//!
//! [`Queue::jobs`] lists a [`JobState`] page by page (pending best first, scheduled soonest
//! first, processing by lease deadline, completed and dead newest first), [`Queue::counts`]
//! gives every state's size and the paused flag in one round trip, [`Queue::get`] inspects one
//! job, [`Queue::retry`] runs a dead letter again, [`Queue::promote_job`] makes a delayed job
//! due now, [`Queue::remove`] deletes a job that is not running (with its unique key), and
//! [`Queue::clean`] deletes completed jobs or dead letters older than a grace period. Each
//! change starts by removing the job from its sorted set, so it cannot race a claim.
//!
//! # Rate limit
//!
//! [`QueueConfig::rate_limit`] caps claims at `max` jobs per window across every worker of
//! the queue: a claim reserves its slots in the window's counter (`P:tasks:limiter`, an
//! `IncrByEx` whose TTL is the window), takes what the window grants and gives back the rest.
//! That costs two round trips more per claim, only when a limit is set; idle workers wait out
//! a used-up window. It limits starts, not running jobs.
//!
//! # Repeatable jobs
//!
//! [`Queue::upsert_repeat`] stores a named definition ([`Repeat`]: a [`Schedule`] and the job
//! to enqueue), [`Queue::remove_repeat`] removes it, [`Queue::repeats`] lists them. Each
//! [`Queue::maintain`] pass enqueues the occurrences that have come, one job per occurrence
//! however many processes run it: whoever compare-and-sets the definition's `next` from the
//! occurrence to a claim owns it, and enqueues its job and advances `next` in one transaction;
//! a claim left by a crashed owner is taken over after a minute. After downtime the missed
//! occurrences run once, not as a burst. Cron expressions with an IANA time zone (and its DST
//! rules) need the `cron` feature. Details in the `repeat` module.
//!
//! # Flows (job dependencies)
//!
//! [`Queue::enqueue_flow`] writes a [`Flow`] (a job and its children, nested as deep as
//! wanted) in one transaction; a parent waits in `waiting-children` until each child has
//! completed, then enters the queue, and reads its children's results with
//! [`Queue::children_results`] (or [`JobContext::children_results`]). A child that dies fails
//! its parent unless it was added with [`ChildFailure::Ignore`]. A child's end is recorded at
//! its parent right after its completion, in a separate step; a crash in between is repaired
//! by the next [`Queue::maintain`] pass, which re-checks waiting parents, so no parent stays
//! stuck and none runs before its children are done. Details in the `flow` module.
//!
//! # Statuses
//!
//! `pending` (queued), `scheduled` (delayed), `processing`, `failed` (an attempt failed, a retry
//! is scheduled: the bot dashboard's `failed`), `completed`, `dead` (out of retries, or a flow
//! parent whose child died), `cancelled`, `waiting-children` (a flow parent).
//! `max_retries` is the number of retries after the first attempt (default 3, the Transform Army guide), and
//! retries wait `60 s × 2^(n-1)` (with 10 % jitter, capped at 1 h; [`Backoff`]).
//!
//! # Time
//!
//! The queue reads time from [`QueueConfig::clock`]; give it the store's clock (for the memory
//! and file backends, a `ManualClock` in tests) so scheduling and expiry agree.

mod admin;
mod browse;
mod claim;
mod codec;
mod config;
mod events;
mod flow;
mod job;
mod outcome;
#[allow(clippy::module_inception)]
mod queue;
mod repeat;
pub mod worker;

pub use browse::{JobState, StateCounts};
pub use config::{Backoff, DEFAULT_PREFIX, QueueConfig, RateLimit};
pub use events::QueueEvent;
pub use flow::{ChildFailure, ChildResult, Flow, FlowIds, MAX_FLOW_JOBS};
pub use job::{
    BotTask, Counters, Enqueued, FailOutcome, JobInfo, JobStatus, Lease, MAX_PRIORITY,
    MIN_PRIORITY, Maintenance, NewJob, Priority, RunAt, Sizes, Stepped,
};
pub use queue::Queue;
pub use repeat::{MAX_REPEAT_NAME, Repeat, RepeatInfo, Schedule};
pub use worker::{HandlerError, JobContext, ShutdownReport, Worker, WorkerHandle, WorkerStats};

/// How many jobs one promotion or reaping step moves at most.
pub(crate) const PROMOTE_BATCH: u64 = 256;
/// How long ids may sit in `promoting` before they count as abandoned.
pub(crate) const PROMOTION_GRACE_MS: i64 = 60_000;

/// True when `error` says a lease was lost: the fencing token is stale because the job was
/// reaped and claimed again, or it already finished. The holder must stop working on it.
pub fn is_lease_lost(error: &staunch_core::Error) -> bool {
    error.kind() == staunch_core::ErrorKind::Locked && error.message().starts_with("lease lost")
}
