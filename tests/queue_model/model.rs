//! A small reference model of the queue, and a driver that runs a sequence of operations on a
//! real [`Queue`] and on the model and compares every observable result.
//!
//! Shared by the proptest in `tests/queue_model.rs` and the cargo-fuzz target
//! `fuzz/fuzz_targets/queue_model.rs`: both turn bytes into operations with [`decode`], so a
//! failing fuzz input replays in the proptest harness and the other way round.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use staunch::queue::{
    Backoff, ChildFailure, FailOutcome, Flow, JobStatus, NewJob, Queue, QueueConfig, Repeat,
    Schedule, is_lease_lost,
};
use staunch_core::{ManualClock, Store};

/// Lease length in the model runs.
pub const LEASE_MS: i64 = 1_000;
/// First retry delay; doubles per attempt up to `BACKOFF_MAX_MS`, no jitter.
pub const BACKOFF_MS: i64 = 500;
/// Longest retry delay.
pub const BACKOFF_MAX_MS: i64 = 4_000;
/// Where the manual clock starts.
pub const START_MS: i64 = 1_800_000_000_000;

/// One step of a sequence. Indexes wrap around the leases or jobs seen so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Enqueue {
        priority: i32,
        delay_ms: i64,
        max_retries: u32,
        unique: Option<u8>,
    },
    Claim,
    ClaimMany(usize),
    /// Complete lease `.0` and claim up to `.1` more in the same step.
    CompleteAndClaim(usize, usize),
    Heartbeat(usize),
    Complete(usize),
    Fail(usize),
    FailPermanently(usize),
    Release(usize),
    Cancel(usize),
    Advance(i64),
    Reap,
    Pause,
    Resume,
    /// A parent (priority 5) with children of these priorities and retries; `ignore`: a
    /// child's death does not fail the parent.
    EnqueueFlow {
        children: Vec<(i32, u32)>,
        ignore: bool,
    },
    /// Upserts the repeatable definition `r` running every so many ms.
    Repeat(i64),
    /// Removes the definition `r`.
    RemoveRepeat,
}

/// Two bytes per operation; any input decodes.
pub fn decode(bytes: &[u8]) -> Vec<Op> {
    bytes
        .chunks(2)
        .map(|pair| {
            let (a, b) = (pair[0], pair.get(1).copied().unwrap_or(0));
            let n = b as usize;
            match a % 19 {
                16 => Op::EnqueueFlow {
                    children: (0..n % 2 + 1)
                        .map(|i| ([1, 5, 10][(n / 4 + i) % 3], ((n / 12) % 2) as u32))
                        .collect(),
                    ignore: (n / 2) % 2 == 1,
                },
                17 => Op::Repeat([500, 1000][n % 2]),
                18 => Op::RemoveRepeat,
                3 => Op::CompleteAndClaim(n, n % 3 + 1),
                0..=2 => Op::Enqueue {
                    priority: [1, 5, 10][n % 3],
                    delay_ms: ((n / 3) % 3) as i64 * 400,
                    max_retries: ((n / 9) % 3) as u32,
                    unique: match (n / 27) % 4 {
                        0 => Some(0),
                        1 => Some(1),
                        _ => None,
                    },
                },
                4 | 5 => Op::Claim,
                6 => Op::ClaimMany(n % 3 + 2),
                7 => Op::Heartbeat(n),
                8 => Op::Complete(n),
                9 => Op::Fail(n),
                10 => Op::FailPermanently(n),
                11 => Op::Release(n),
                12 => Op::Cancel(n),
                13 => Op::Advance((n % 8 + 1) as i64 * 250),
                14 => Op::Reap,
                _ if n.is_multiple_of(2) => Op::Pause,
                _ => Op::Resume,
            }
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Pending,
    Scheduled,
    Failed,
    Processing {
        deadline: i64,
    },
    Completed,
    Dead,
    Cancelled,
    /// A flow parent waiting for its children.
    Waiting,
}

impl State {
    fn status(self) -> JobStatus {
        match self {
            State::Pending => JobStatus::Pending,
            State::Scheduled => JobStatus::Scheduled,
            State::Failed => JobStatus::Failed,
            State::Processing { .. } => JobStatus::Processing,
            State::Completed => JobStatus::Completed,
            State::Dead => JobStatus::Dead,
            State::Cancelled => JobStatus::Cancelled,
            State::Waiting => JobStatus::WaitingChildren,
        }
    }
    fn is_final(self) -> bool {
        self.status().is_final()
    }
}

#[derive(Debug, Clone)]
struct MJob {
    priority: i32,
    run_at: i64,
    state: State,
    attempts: u32,
    max_retries: u32,
    token: u64,
    unique: Option<u8>,
    /// A flow child's parent, and whether its death fails the parent.
    parent: Option<(usize, bool)>,
    /// A waiting parent's outstanding children.
    deps: Vec<usize>,
}

#[derive(Debug, Clone, Copy)]
struct MLease {
    job: usize,
    token: u64,
    attempts: u32,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Totals {
    enqueued: u64,
    completed: u64,
    failed: u64,
    retried: u64,
    dead: u64,
    cancelled: u64,
    reaped: u64,
}

/// The reference model: a list of jobs and what happened to them.
#[derive(Debug, Default)]
struct Model {
    now: i64,
    paused: bool,
    jobs: Vec<MJob>,
    leases: Vec<MLease>,
    totals: Totals,
    /// The repeatable definition `r`: its interval and next occurrence.
    repeat: Option<(i64, i64)>,
}

impl Model {
    fn promote_due(&mut self) -> u64 {
        let mut promoted = 0;
        for job in &mut self.jobs {
            if matches!(job.state, State::Scheduled | State::Failed) && job.run_at <= self.now {
                job.state = State::Pending;
                promoted += 1;
            }
        }
        promoted
    }

    fn enqueue(
        &mut self,
        priority: i32,
        delay: i64,
        max_retries: u32,
        unique: Option<u8>,
    ) -> (usize, bool) {
        if let Some(key) = unique {
            let live = self
                .jobs
                .iter()
                .position(|j| j.unique == Some(key) && !j.state.is_final());
            if let Some(existing) = live {
                return (existing, true);
            }
        }
        self.totals.enqueued += 1;
        self.jobs.push(MJob {
            priority,
            run_at: self.now + delay,
            state: if delay > 0 {
                State::Scheduled
            } else {
                State::Pending
            },
            attempts: 0,
            max_retries,
            token: 0,
            unique,
            parent: None,
            deps: Vec::new(),
        });
        (self.jobs.len() - 1, false)
    }

    /// A flow: the parent waits, the children are pending. Returns the parent's index.
    fn enqueue_flow(&mut self, children: &[(i32, u32)], ignore: bool) -> usize {
        let parent = self.jobs.len();
        self.enqueue(5, 0, 3, None);
        self.jobs[parent].state = State::Waiting;
        for &(priority, retries) in children {
            let (child, _) = self.enqueue(priority, 0, retries, None);
            self.jobs[child].parent = Some((parent, !ignore));
            self.jobs[parent].deps.push(child);
        }
        parent
    }

    /// Records the end of job `j` at its parent: releases the parent (promoted at once, with
    /// every other due job) or fails it.
    fn ended(&mut self, j: usize) {
        let Some((p, fail_parent)) = self.jobs[j].parent else {
            return;
        };
        if self.jobs[p].state != State::Waiting {
            return;
        }
        let died = matches!(self.jobs[j].state, State::Dead | State::Cancelled);
        if died && fail_parent {
            self.jobs[p].state = State::Dead;
            self.totals.dead += 1;
            self.jobs[p].deps.clear();
            return;
        }
        self.jobs[p].deps.retain(|&c| c != j);
        if self.jobs[p].deps.is_empty() {
            self.jobs[p].state = State::Scheduled;
            self.promote_due();
        }
    }

    fn any_due(&self) -> bool {
        self.jobs
            .iter()
            .any(|j| matches!(j.state, State::Scheduled | State::Failed) && j.run_at <= self.now)
    }

    fn next_after(every: i64, t: i64) -> i64 {
        (t.div_euclid(every) + 1) * every
    }

    /// The repeat part of a maintenance pass: the job index enqueued, if any.
    fn fire(&mut self) -> Option<usize> {
        let (every, next) = self.repeat?;
        if next > self.now {
            return None;
        }
        let now = self.now;
        let (j, _) = self.enqueue(5, 0, 3, None);
        self.jobs[j].run_at = next;
        self.repeat = Some((every, Model::next_after(every, now)));
        Some(j)
    }

    /// Claims up to `k` jobs: the `k` best pending ones are taken together; those out of
    /// attempts are dead-lettered (not replaced); if none is left to run, try again.
    fn claim_many(&mut self, k: usize) -> Vec<usize> {
        self.claim_with(k, None)
    }

    /// Claims up to `k` jobs in the step that completed job `completed`: each round picks
    /// its jobs (none while scheduled jobs are due: those are promoted and the round
    /// repeated), then the completion is recorded at the parent (after the first round's
    /// pick, as the real step records it after its atomic command), then the picked jobs start.
    fn claim_with(&mut self, k: usize, mut completed: Option<usize>) -> Vec<usize> {
        if self.paused {
            if let Some(c) = completed {
                self.ended(c);
            }
            return Vec::new();
        }
        loop {
            let due = self.any_due();
            // Highest priority, then earliest due, then oldest (ids sort by creation).
            let mut best: Vec<usize> = (0..self.jobs.len())
                .filter(|&i| self.jobs[i].state == State::Pending && !due)
                .collect();
            best.sort_by_key(|&i| (-self.jobs[i].priority, self.jobs[i].run_at, i));
            best.truncate(k);
            if let Some(c) = completed.take() {
                self.ended(c);
            }
            if due {
                self.promote_due();
                continue;
            }
            if best.is_empty() {
                return Vec::new();
            }
            let mut leases = Vec::new();
            for j in best {
                let now = self.now;
                let job = &mut self.jobs[j];
                job.token += 1;
                if job.attempts + 1 > job.max_retries + 1 {
                    job.state = State::Dead;
                    self.totals.dead += 1;
                    self.ended(j);
                    continue;
                }
                job.attempts += 1;
                job.state = State::Processing {
                    deadline: now + LEASE_MS,
                };
                self.leases.push(MLease {
                    job: j,
                    token: job.token,
                    attempts: job.attempts,
                });
                leases.push(self.leases.len() - 1);
            }
            if !leases.is_empty() {
                return leases;
            }
        }
    }

    /// The job of `lease` if the lease is still the current one.
    fn held(&mut self, lease: usize) -> Option<(usize, MLease)> {
        let l = *self.leases.get(lease)?;
        let job = &self.jobs[l.job];
        (job.token == l.token && matches!(job.state, State::Processing { .. }))
            .then_some((l.job, l))
    }

    fn reap(&mut self) -> (u64, u64) {
        let mut reaped = 0;
        for job in &mut self.jobs {
            if let State::Processing { deadline } = job.state
                && deadline <= self.now
            {
                job.state = State::Scheduled;
                job.token += 1;
                reaped += 1;
            }
        }
        self.totals.reaped += reaped;
        (reaped, self.promote_due())
    }

    fn backoff(attempt: u32) -> i64 {
        (BACKOFF_MS << (attempt.saturating_sub(1)).min(20)).min(BACKOFF_MAX_MS)
    }
}

/// Runs `ops` on a queue over `store` (whose clock must be `clock`) and on the model, and
/// returns the first difference.
pub async fn check(store: Arc<dyn Store>, clock: ManualClock, ops: &[Op]) -> Result<(), String> {
    clock.set(START_MS);
    let config = QueueConfig::new()
        .prefix("model")
        .clock(Arc::new(clock.clone()))
        .lease(Duration::from_millis(LEASE_MS as u64))
        .result_ttl(Duration::from_secs(86_400))
        .dead_ttl(Duration::from_secs(30 * 86_400))
        .backoff(Backoff::exponential(
            Duration::from_millis(BACKOFF_MS as u64),
            2.0,
            Duration::from_millis(BACKOFF_MAX_MS as u64),
        ));
    let queue = Queue::with_config(store, config).map_err(|e| e.to_string())?;
    let mut model = Model {
        now: START_MS,
        ..Model::default()
    };
    let mut ids: Vec<String> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut leases = Vec::new();
    let trace = std::env::var_os("STAUNCH_QUEUE_MODEL_TRACE").is_some();
    for (step, op) in ops.iter().enumerate() {
        let fail = |what: String| Err(format!("step {step} {op:?}: {what}"));
        match op {
            Op::Enqueue {
                priority,
                delay_ms,
                max_retries,
                unique,
            } => {
                let mut job = NewJob::new("t", step)
                    .priority(*priority)
                    .max_retries(*max_retries);
                if *delay_ms > 0 {
                    job = job.delay(Duration::from_millis(*delay_ms as u64));
                }
                if let Some(key) = unique {
                    job = job.unique(format!("u{key}"));
                }
                let got = queue.enqueue(job).await.map_err(|e| e.to_string())?;
                let (want, duplicate) = model.enqueue(*priority, *delay_ms, *max_retries, *unique);
                if duplicate != got.duplicate {
                    return fail(format!("duplicate {} vs model {duplicate}", got.duplicate));
                }
                if duplicate {
                    if ids[want] != got.id {
                        return fail(format!("duplicate of {} vs model {}", got.id, ids[want]));
                    }
                } else {
                    index.insert(got.id.clone(), ids.len());
                    ids.push(got.id);
                }
            }
            Op::Claim | Op::ClaimMany(_) => {
                let k = if let Op::ClaimMany(k) = op { *k } else { 1 };
                let got = if k == 1 {
                    queue
                        .claim()
                        .await
                        .map(|l| l.into_iter().collect::<Vec<_>>())
                } else {
                    queue.claim_many(k).await
                }
                .map_err(|e| e.to_string())?;
                let want = model.claim_many(k);
                if let Err(e) = check_claimed(&model, &index, got, want, &mut leases) {
                    return fail(e);
                }
            }
            Op::CompleteAndClaim(n, k) => {
                if leases.is_empty() {
                    continue;
                }
                let i = n % leases.len();
                let lease = leases[i].clone();
                let got = queue
                    .complete_and_claim(&lease, &(), *k)
                    .await
                    .map_err(|e| e.to_string())?;
                let completed = match model.held(i) {
                    None => None,
                    Some((j, _)) => {
                        model.jobs[j].state = State::Completed;
                        model.totals.completed += 1;
                        Some(j)
                    }
                };
                let want_lost = completed.is_none();
                if got.lease_lost != want_lost {
                    return fail(format!(
                        "lease lost {} vs model {want_lost}",
                        got.lease_lost
                    ));
                }
                let want = model.claim_with(*k, completed);
                if let Err(e) = check_claimed(&model, &index, got.next, want, &mut leases) {
                    return fail(e);
                }
            }
            Op::Heartbeat(n)
            | Op::Complete(n)
            | Op::Fail(n)
            | Op::FailPermanently(n)
            | Op::Release(n) => {
                if leases.is_empty() {
                    continue;
                }
                let i = n % leases.len();
                let lease = &leases[i];
                let held = model.held(i);
                let now = model.now;
                let got: Result<String, String> = match op {
                    Op::Heartbeat(_) => queue.heartbeat(lease).await.map(|t| format!("until {t}")),
                    Op::Complete(_) => queue.complete(lease).await.map(|_| "completed".into()),
                    Op::Fail(_) => queue.fail(lease, "x").await.map(|o| format!("{o:?}")),
                    Op::FailPermanently(_) => queue
                        .fail_permanently(lease, "x")
                        .await
                        .map(|_| "dead".into()),
                    _ => queue.release(lease).await.map(|_| "released".into()),
                }
                .or_else(|e| {
                    if is_lease_lost(&e) {
                        Err("lost".to_owned())
                    } else {
                        Ok(format!("error {e}"))
                    }
                });
                let want: Result<String, String> = match held {
                    None => Err("lost".to_owned()),
                    Some((j, l)) => {
                        let job = &mut model.jobs[j];
                        let outcome = match op {
                            Op::Heartbeat(_) => {
                                if let State::Processing { deadline } = job.state {
                                    job.state = State::Processing {
                                        deadline: deadline.max(now + LEASE_MS),
                                    };
                                }
                                format!("until {}", now + LEASE_MS)
                            }
                            Op::Complete(_) => {
                                job.state = State::Completed;
                                model.totals.completed += 1;
                                "completed".into()
                            }
                            Op::Fail(_) if l.attempts <= job.max_retries => {
                                let run_at = now + Model::backoff(l.attempts);
                                job.state = State::Failed;
                                job.run_at = run_at;
                                job.token += 1;
                                model.totals.failed += 1;
                                model.totals.retried += 1;
                                format!("{:?}", FailOutcome::Retrying { run_at_ms: run_at })
                            }
                            Op::Fail(_) | Op::FailPermanently(_) => {
                                job.state = State::Dead;
                                model.totals.failed += 1;
                                model.totals.dead += 1;
                                if matches!(op, Op::Fail(_)) {
                                    format!("{:?}", FailOutcome::Dead)
                                } else {
                                    "dead".into()
                                }
                            }
                            _ => {
                                job.state = State::Pending;
                                job.token += 1;
                                job.attempts -= 1;
                                "released".into()
                            }
                        };
                        if matches!(model.jobs[j].state, State::Completed | State::Dead) {
                            model.ended(j);
                        }
                        Ok(outcome)
                    }
                };
                if got != want {
                    return fail(format!("{got:?} vs model {want:?}"));
                }
            }
            Op::Cancel(n) => {
                if ids.is_empty() {
                    continue;
                }
                let j = n % ids.len();
                let got = queue.cancel(&ids[j]).await.map_err(|e| e.to_string())?;
                let job = &mut model.jobs[j];
                let want = matches!(
                    job.state,
                    State::Pending | State::Scheduled | State::Failed | State::Waiting
                );
                if want {
                    job.state = State::Cancelled;
                    model.totals.cancelled += 1;
                    model.ended(j);
                }
                if got != want {
                    return fail(format!("cancel {got} vs model {want}"));
                }
            }
            Op::Advance(ms) => {
                clock.advance(*ms);
                model.now += ms;
            }
            Op::Reap => {
                let got = queue.maintain().await.map_err(|e| e.to_string())?;
                let (reaped, promoted) = model.reap();
                let fired = model.fire();
                let want = (reaped, promoted, u64::from(fired.is_some()), 0);
                let counts = (got.reaped, got.promoted, got.repeated, got.released);
                if counts != want {
                    return fail(format!(
                        "reaped/promoted/repeated/released {counts:?} vs model {want:?}"
                    ));
                }
                if fired.is_some() {
                    let repeats = queue.repeats().await.map_err(|e| e.to_string())?;
                    let Some(id) = repeats.first().and_then(|r| r.last_job.clone()) else {
                        return fail("no job recorded for the occurrence".into());
                    };
                    index.insert(id.clone(), ids.len());
                    ids.push(id);
                }
            }
            Op::Pause => {
                queue.pause().await.map_err(|e| e.to_string())?;
                model.paused = true;
            }
            Op::Resume => {
                queue.resume().await.map_err(|e| e.to_string())?;
                model.paused = false;
            }
            Op::EnqueueFlow { children, ignore } => {
                let policy = if *ignore {
                    ChildFailure::Ignore
                } else {
                    ChildFailure::FailParent
                };
                let flow = Flow::new(NewJob::new("p", step).priority(5)).children(
                    children.iter().map(|&(priority, retries)| {
                        let child = NewJob::new("t", step)
                            .priority(priority)
                            .max_retries(retries);
                        Flow::new(child).on_failure(policy)
                    }),
                );
                let got = queue.enqueue_flow(flow).await.map_err(|e| e.to_string())?;
                model.enqueue_flow(children, *ignore);
                for id in std::iter::once(got.id).chain(got.children.into_iter().map(|c| c.id)) {
                    index.insert(id.clone(), ids.len());
                    ids.push(id);
                }
            }
            Op::Repeat(every) => {
                let schedule = Schedule::every(Duration::from_millis(*every as u64));
                let repeat = Repeat::new("r", schedule, NewJob::new("t", ()).priority(5));
                let got = queue
                    .upsert_repeat(repeat)
                    .await
                    .map_err(|e| e.to_string())?;
                let want = match model.repeat {
                    Some((e, next)) if e == *every => next,
                    _ => Model::next_after(*every, model.now),
                };
                model.repeat = Some((*every, want));
                if got.next_ms != want {
                    return fail(format!("next {} vs model {want}", got.next_ms));
                }
            }
            Op::RemoveRepeat => {
                let got = queue.remove_repeat("r").await.map_err(|e| e.to_string())?;
                let want = model.repeat.take().is_some();
                if got != want {
                    return fail(format!("removed {got} vs model {want}"));
                }
            }
        }
        if trace {
            eprintln!(
                "step {step} {op:?} -> {:?}",
                queue.sizes().await.map_err(|e| e.to_string())?
            );
        }
        compare_state(&queue, &model, &ids)
            .await
            .map_err(|e| format!("after step {step} {op:?}: {e}"))?;
    }
    Ok(())
}

/// Compares every job's status and attempts, the sizes and the counters.
async fn compare_state(queue: &Queue, model: &Model, ids: &[String]) -> Result<(), String> {
    for (j, id) in ids.iter().enumerate() {
        let job = queue
            .get(id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or(format!("job {j} missing"))?;
        let want = &model.jobs[j];
        if job.status != want.state.status() || job.attempts != want.attempts {
            return Err(format!(
                "job {j}: {} attempts {} vs model {:?} attempts {}",
                job.status, job.attempts, want.state, want.attempts
            ));
        }
    }
    let sizes = queue.sizes().await.map_err(|e| e.to_string())?;
    let count = |f: &dyn Fn(State) -> bool| model.jobs.iter().filter(|j| f(j.state)).count() as u64;
    let want = (
        count(&|s| s == State::Pending),
        count(&|s| matches!(s, State::Scheduled | State::Failed)),
        count(&|s| matches!(s, State::Processing { .. })),
        count(&|s| s == State::Dead),
        count(&|s| s == State::Waiting),
    );
    let got = (
        sizes.pending,
        sizes.scheduled,
        sizes.processing,
        sizes.dead,
        sizes.waiting_children,
    );
    if got != want {
        return Err(format!(
            "sizes (pending, scheduled, processing, dead, waiting) {got:?} vs model {want:?}"
        ));
    }
    let c = queue.counters().await.map_err(|e| e.to_string())?;
    let got = Totals {
        enqueued: c.enqueued,
        completed: c.completed,
        failed: c.failed,
        retried: c.retried,
        dead: c.dead,
        cancelled: c.cancelled,
        reaped: c.reaped,
    };
    if got != model.totals {
        return Err(format!("counters {got:?} vs model {:?}", model.totals));
    }
    if queue.is_paused().await.map_err(|e| e.to_string())? != model.paused {
        return Err("paused flag differs".into());
    }
    Ok(())
}

/// Compares what a claim returned with the model's claim, keeping the leases.
fn check_claimed(
    model: &Model,
    index: &HashMap<String, usize>,
    got: Vec<staunch::queue::Lease>,
    want: Vec<usize>,
    leases: &mut Vec<staunch::queue::Lease>,
) -> Result<(), String> {
    if got.len() != want.len() {
        return Err(format!(
            "claimed {} jobs vs model {}",
            got.len(),
            want.len()
        ));
    }
    for (lease, l) in got.into_iter().zip(want) {
        let m = model.leases[l];
        let job = index.get(&lease.job.id).copied();
        if job != Some(m.job) || lease.token != m.token || lease.job.attempts != m.attempts {
            return Err(format!(
                "claimed job {job:?} token {} attempts {} vs model {m:?}",
                lease.token, lease.job.attempts
            ));
        }
        leases.push(lease);
    }
    Ok(())
}
