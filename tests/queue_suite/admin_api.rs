//! The admin API (jobs by state with paging, counts, retry, promote, remove, clean) and the
//! removal policies for completed jobs and dead letters, on every backend.

use std::time::Duration;

use serde_json::json;
use staunch::queue::{JobState, JobStatus, NewJob, Priority};
use staunch_core::ErrorKind;

use super::super::{Env, U};

fn ids(jobs: &[staunch::queue::JobInfo]) -> Vec<&str> {
    jobs.iter().map(|j| j.id.as_str()).collect()
}

/// Every state lists its jobs in its order, page by page; `counts` agrees.
pub async fn jobs_by_state_with_paging(env: &Env) {
    let q = env.queue(env.config());
    let mut pending = Vec::new();
    for p in [1, 10, 5, 7] {
        let job = NewJob::new("work", json!(p)).priority(p);
        pending.push((p, q.enqueue(job).await.unwrap().id));
    }
    let later = NewJob::new("work", json!("later")).delay(Duration::from_secs(3600));
    let later = q.enqueue(later).await.unwrap().id;
    // Claim the best (10) and complete it; claim the next (7) and kill it; claim 5 and hold it.
    let done = q.claim().await.unwrap().unwrap();
    q.complete_with(&done, &"ok").await.unwrap();
    let dead = q.claim().await.unwrap().unwrap();
    q.fail_permanently(&dead, "boom").await.unwrap();
    let held = q.claim().await.unwrap().unwrap();
    let by = |p: i32| pending.iter().find(|(q, _)| *q == p).unwrap().1.clone();
    assert_eq!(done.job.id, by(10));
    assert_eq!(dead.job.id, by(7));
    assert_eq!(held.job.id, by(5));

    let counts = q.counts().await.unwrap();
    assert_eq!(
        (
            counts.pending,
            counts.scheduled,
            counts.processing,
            counts.completed,
            counts.dead,
            counts.paused
        ),
        (1, 1, 1, 1, 1, false)
    );
    assert_eq!(
        ids(&q.jobs(JobState::Pending, 0, 10).await.unwrap()),
        [by(1)]
    );
    assert_eq!(
        ids(&q.jobs(JobState::Scheduled, 0, 10).await.unwrap()),
        [later.as_str()]
    );
    assert_eq!(
        ids(&q.jobs(JobState::Processing, 0, 10).await.unwrap()),
        [by(5)]
    );
    let completed = q.jobs(JobState::Completed, 0, 10).await.unwrap();
    assert_eq!(ids(&completed), [by(10)]);
    assert_eq!(completed[0].status, JobStatus::Completed);
    assert_eq!(completed[0].result.as_deref(), Some("\"ok\""));
    let dead_jobs = q.jobs(JobState::Dead, 0, 10).await.unwrap();
    assert_eq!(ids(&dead_jobs), [by(7)]);
    assert_eq!(dead_jobs[0].last_error.as_deref(), Some("boom"));

    // Paging through pending jobs in priority order.
    for p in [3, 8, 2] {
        q.enqueue(NewJob::new("work", json!(p)).priority(p))
            .await
            .unwrap();
    }
    let first = q.jobs(JobState::Pending, 0, 2).await.unwrap();
    let second = q.jobs(JobState::Pending, 2, 2).await.unwrap();
    let priorities: Vec<i32> = first.iter().chain(&second).map(|j| j.priority).collect();
    assert_eq!(priorities, [8, 3, 2, 1], "best first, across pages");
    assert!(q.jobs(JobState::Pending, 4, 2).await.unwrap().is_empty());
    assert!(q.jobs(JobState::Pending, 0, 0).await.unwrap().is_empty());
    q.pause().await.unwrap();
    assert!(q.counts().await.unwrap().paused);
}

/// Retry a dead letter, promote a delayed job, remove and clean.
pub async fn retry_promote_remove_clean(env: &Env) {
    let q = env.queue(env.config());
    let a = q
        .enqueue(NewJob::new("work", json!("a")).unique("only-a"))
        .await
        .unwrap()
        .id;
    let lease = q.claim().await.unwrap().unwrap();
    assert!(!q.remove(&a).await.unwrap(), "a running job is not removed");
    q.fail_permanently(&lease, "no").await.unwrap();
    assert!(q.retry(&a).await.unwrap(), "a dead letter is retried");
    assert!(!q.retry(&a).await.unwrap(), "only once");
    let again = q.claim().await.unwrap().unwrap();
    assert_eq!((again.job.id.as_str(), again.job.attempts), (a.as_str(), 1));
    q.complete(&again).await.unwrap();

    let later = NewJob::new("work", json!("later"))
        .priority(Priority::High)
        .delay(Duration::from_secs(3600));
    let later = q.enqueue(later).await.unwrap().id;
    assert!(q.claim().await.unwrap().is_none(), "not due yet");
    assert!(q.promote_job(&later).await.unwrap(), "promoted");
    assert!(!q.promote_job(&later).await.unwrap(), "no longer scheduled");
    assert_eq!(q.status(&later).await.unwrap(), Some(JobStatus::Pending));
    let lease = q.claim().await.unwrap().expect("due now");
    assert_eq!(lease.job.id, later);
    q.complete(&lease).await.unwrap();

    let gone = q
        .enqueue(NewJob::new("work", json!("gone")).unique("u"))
        .await
        .unwrap()
        .id;
    assert!(q.remove(&gone).await.unwrap());
    assert_eq!(q.get(&gone).await.unwrap(), None, "deleted");
    assert!(!q.remove(&gone).await.unwrap(), "unknown now");
    let fresh = q
        .enqueue(NewJob::new("work", json!("fresh")).unique("u"))
        .await
        .unwrap();
    assert!(!fresh.duplicate, "its unique key was released");
    assert!(q.remove(&fresh.id).await.unwrap());

    // Two completed jobs (a, later): clean with no grace removes both, oldest first.
    assert_eq!(q.counts().await.unwrap().completed, 2);
    env.advance(U).await;
    let cleaned = q
        .clean(JobState::Completed, Duration::ZERO, 10)
        .await
        .unwrap();
    assert_eq!(cleaned.len(), 2);
    assert_eq!(q.get(&a).await.unwrap(), None);
    assert_eq!(q.counts().await.unwrap().completed, 0);
    let wrong = q.clean(JobState::Pending, Duration::ZERO, 10).await;
    assert_eq!(wrong.unwrap_err().kind(), ErrorKind::InvalidInput);
}

/// Completed jobs and dead letters are kept by count and by age.
pub async fn removal_policies_by_count_and_age(env: &Env) {
    let config = env
        .config()
        .max_completed(2)
        .max_dead(1)
        .result_ttl(Duration::from_millis(8 * U));
    let q = env.queue(config);
    let mut completed = Vec::new();
    for n in 0..5 {
        let id = q.enqueue(NewJob::new("work", json!(n))).await.unwrap().id;
        let lease = q.claim().await.unwrap().unwrap();
        q.complete(&lease).await.unwrap();
        completed.push(id);
    }
    for n in 0..3 {
        q.enqueue(NewJob::new("work", json!(n))).await.unwrap();
        let lease = q.claim().await.unwrap().unwrap();
        q.fail_permanently(&lease, "x").await.unwrap();
    }
    let pass = q.maintain().await.unwrap();
    assert_eq!(
        pass.removed,
        3 + 2,
        "3 completed over the count of 2, 2 dead over 1"
    );
    let counts = q.counts().await.unwrap();
    assert_eq!((counts.completed, counts.dead), (2, 1));
    let kept = q.jobs(JobState::Completed, 0, 10).await.unwrap();
    assert_eq!(
        ids(&kept),
        [completed[4].as_str(), completed[3].as_str()],
        "the newest stay"
    );
    assert_eq!(
        q.get(&completed[0]).await.unwrap(),
        None,
        "the oldest are deleted"
    );
    // By age: past the result TTL the rest go too.
    env.advance(10 * U).await;
    q.maintain().await.unwrap();
    assert_eq!(q.counts().await.unwrap().completed, 0);
    assert_eq!(q.get(&completed[4]).await.unwrap(), None);
}

/// At most N claims per window across all handles of the queue (two "workers" here); the
/// next window admits more.
pub async fn rate_limit_across_workers(env: &Env) {
    let config = env.config().rate_limit(3, Duration::from_millis(20 * U));
    let one = env.queue(config.clone());
    let two = env.queue(config);
    for n in 0..6 {
        one.enqueue(NewJob::new("work", json!(n))).await.unwrap();
    }
    let a = one.claim_many(2).await.unwrap();
    let b = two.claim_many(5).await.unwrap();
    assert_eq!((a.len(), b.len()), (2, 1), "3 per window, across both");
    assert!(
        one.claim().await.unwrap().is_none(),
        "the window is used up"
    );
    let wait = two.rate_limited_for().await.unwrap().expect("limited");
    assert!(wait <= Duration::from_millis(20 * U));
    // Completing frees no slot of the window (it limits starts, not running jobs).
    let stepped = one.complete_and_claim(&a[0], &(), 3).await.unwrap();
    assert!(!stepped.lease_lost);
    assert!(stepped.next.is_empty());
    env.advance(21 * U).await;
    assert_eq!(two.rate_limited_for().await.unwrap(), None);
    let c = two.claim_many(5).await.unwrap();
    assert_eq!(c.len(), 3, "a new window admits 3 more");
    assert_eq!(one.counts().await.unwrap().pending, 0);
}
